//! Searching the audit log through its index: every filter, alone and combined, finds exactly
//! the entries [`AuditFilter::matches`] accepts, newest first, as the log stores them; the
//! cursor pages through them; the index follows the transaction (rolled back with it).

use std::sync::Arc;

use anyhow::{Context as _, ensure};
use bluelamp_audit::{LogKind, NewEntry, Outcome};
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use uuid::Uuid;

use super::commit;
use crate::{AuditFilter, MAX_AUDIT_SEARCH, Store, StoreError, StoredAuditRow};

/// A fixed start, so times are known; entries are a minute apart.
fn start() -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0)
        .single()
        .context("fixture time")
}

/// Twenty-four entries that differ in every indexed field: three actors, every kind, two
/// actions, purposes in mixed case (and none), two records (one named twice by one entry),
/// a minute apart.
fn varied_entries(records: [Uuid; 2]) -> anyhow::Result<Vec<NewEntry>> {
    let [first, second] = records;
    let actors = ["staff:alice", "staff:bob", "system:cli"];
    let purposes = [
        Some("Investigating crime 24/1234"),
        Some("SAFEGUARDING a person at risk"),
        None,
        Some("investigating report BL-7"),
    ];
    let mut entries = Vec::new();
    for index in 0..24_usize {
        let minutes = i64::try_from(index)?;
        let records = match index % 4 {
            0 => vec![first],
            1 => vec![second, first, second],
            2 => Vec::new(),
            _ => vec![second],
        };
        entries.push(NewEntry {
            at: start()? + Duration::minutes(minutes) + Duration::microseconds(7),
            actor: actors.get(index % 3).context("actor")?.to_string(),
            kind: *LogKind::ALL.get(index % 6).context("kind")?,
            action: if index % 5 == 0 {
                "audit.read".to_owned()
            } else {
                "record.read".to_owned()
            },
            purpose: purposes
                .get(index % 4)
                .context("purpose")?
                .map(str::to_owned),
            records,
            recipients: Vec::new(),
            digest: None,
            outcome: if index % 7 == 0 {
                Outcome::Denied
            } else {
                Outcome::Allowed
            },
        });
    }
    Ok(entries)
}

/// Appends `entries` over a few transactions.
async fn append_in_transactions(
    store: &Arc<dyn Store>,
    entries: &[NewEntry],
) -> anyhow::Result<()> {
    for chunk in entries.chunks(5) {
        let mut tx = store.begin().await?;
        tx.append_audit(chunk).await?;
        commit(tx, "append").await?;
    }
    Ok(())
}

/// The sequence numbers of the entries `filter` matches, newest first (what a search must
/// answer).
fn expected(entries: &[NewEntry], filter: &AuditFilter) -> anyhow::Result<Vec<u64>> {
    let mut seqs = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if filter.matches(entry) {
            seqs.push(u64::try_from(index)?);
        }
    }
    seqs.reverse();
    Ok(seqs)
}

/// Runs a search in its own (rolled-back) transaction.
async fn search(
    store: &Arc<dyn Store>,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> anyhow::Result<Vec<StoredAuditRow>> {
    let mut tx = store.begin().await?;
    let rows = tx.search_audit(filter, before, limit).await;
    tx.rollback().await?;
    Ok(rows?)
}

fn seqs(rows: &[StoredAuditRow]) -> Vec<u64> {
    rows.iter().map(|row| row.seq).collect()
}

/// Every filter alone and in combination finds exactly the matching entries, newest first,
/// and the rows are the log's own rows.
pub async fn audit_search_finds_exactly_the_matching_entries(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let records = [Uuid::now_v7(), Uuid::now_v7()];
    let [first, second] = records;
    let entries = varied_entries(records)?;
    append_in_transactions(&store, &entries).await?;
    let stored = store.audit_rows(0, 100).await?;
    let start = start()?;

    let nothing = AuditFilter::default();
    let filters = vec![
        nothing.clone(),
        AuditFilter {
            record: Some(first),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(second),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(Uuid::now_v7()),
            ..nothing.clone()
        },
        AuditFilter {
            actor: Some("staff:alice".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            actor: Some("staff:ali".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            kind: Some(LogKind::Consultation),
            ..nothing.clone()
        },
        AuditFilter {
            action: Some("audit.read".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            purpose: Some("investigating".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            purpose: Some("SafeGuarding".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            purpose: Some("24/1234".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            purpose: Some("%".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            from: Some(start + Duration::minutes(10)),
            ..nothing.clone()
        },
        AuditFilter {
            to: Some(start + Duration::minutes(10)),
            ..nothing.clone()
        },
        AuditFilter {
            // Bounds to the microsecond: the entry at 09:05:00.000007 is in, 09:15:00.000007
            // is out.
            from: Some(start + Duration::minutes(5) + Duration::microseconds(7)),
            to: Some(start + Duration::minutes(15) + Duration::microseconds(7)),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(first),
            actor: Some("staff:bob".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(second),
            purpose: Some("report".to_owned()),
            from: Some(start + Duration::minutes(3)),
            ..nothing.clone()
        },
        AuditFilter {
            actor: Some("system:cli".to_owned()),
            kind: Some(LogKind::Erasure),
            action: Some("record.read".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(first),
            actor: Some("staff:alice".to_owned()),
            kind: Some(LogKind::Collection),
            action: Some("audit.read".to_owned()),
            purpose: Some("crime".to_owned()),
            from: Some(start),
            to: Some(start + Duration::hours(1)),
        },
    ];
    for filter in filters {
        let want = expected(&entries, &filter)?;
        let rows = search(&store, &filter, None, 100).await?;
        ensure!(
            seqs(&rows) == want,
            "{filter:?}: found {:?}, expected {want:?}",
            seqs(&rows)
        );
        for row in &rows {
            let original = stored
                .iter()
                .find(|stored| stored.seq == row.seq)
                .context("a stored row")?;
            ensure!(row == original, "row {} is not the stored row", row.seq);
        }
    }
    ensure!(
        search(&store, &nothing, None, 100).await?.len() == entries.len(),
        "an empty filter finds everything"
    );
    Ok(())
}

/// The cursor and the limit page through the matches newest first, without overlap or gap;
/// a limit above the most is refused.
pub async fn audit_search_pages_newest_first(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let first = Uuid::now_v7();
    let entries = varied_entries([first, Uuid::now_v7()])?;
    append_in_transactions(&store, &entries).await?;
    for filter in [
        AuditFilter::default(),
        AuditFilter {
            record: Some(first),
            ..AuditFilter::default()
        },
        AuditFilter {
            purpose: Some("investigating".to_owned()),
            ..AuditFilter::default()
        },
    ] {
        let want = expected(&entries, &filter)?;
        let mut got = Vec::new();
        let mut before = None;
        loop {
            let page = search(&store, &filter, before, 4).await?;
            ensure!(page.len() <= 4, "a page of {} rows", page.len());
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            got.extend(seqs(&page));
        }
        ensure!(got == want, "{filter:?}: paged {got:?}, expected {want:?}");
    }
    let all = AuditFilter::default();
    ensure!(
        search(&store, &all, Some(0), 10).await?.is_empty(),
        "nothing is before seq 0"
    );
    ensure!(
        seqs(&search(&store, &all, Some(3), 10).await?) == [2, 1, 0],
        "before 3"
    );
    ensure!(
        search(&store, &all, Some(u64::MAX), 100).await?.len() == entries.len(),
        "before u64::MAX"
    );
    ensure!(
        search(&store, &all, None, 0).await?.is_empty(),
        "a limit of 0"
    );
    let mut tx = store.begin().await?;
    let too_many = tx
        .search_audit(&all, None, MAX_AUDIT_SEARCH.saturating_add(1))
        .await;
    tx.rollback().await?;
    ensure!(
        matches!(too_many, Err(StoreError::Database(_))),
        "a limit above the most gave {too_many:?}"
    );
    Ok(())
}

/// The index is written in the appending transaction: a search in it sees its own entries,
/// and a rollback takes the index rows with the entries.
pub async fn audit_index_follows_the_transaction(store: Arc<dyn Store>) -> anyhow::Result<()> {
    let record = Uuid::now_v7();
    let entry = NewEntry {
        records: vec![record],
        ..super::fixtures::audit_entry("record.read")
    };
    let by_record = AuditFilter {
        record: Some(record),
        ..AuditFilter::default()
    };
    let mut tx = store.begin().await?;
    tx.append_audit(std::slice::from_ref(&entry)).await?;
    let inside = tx.search_audit(&by_record, None, 10).await?;
    ensure!(seqs(&inside) == [0], "inside the transaction: {inside:?}");
    tx.rollback().await?;
    ensure!(
        search(&store, &by_record, None, 10).await?.is_empty(),
        "a rolled-back entry is still indexed"
    );
    // The next append reuses seq 0 and is indexed afresh (no stale index row collides).
    let mut tx = store.begin().await?;
    tx.append_audit(std::slice::from_ref(&entry)).await?;
    commit(tx, "append").await?;
    ensure!(
        seqs(&search(&store, &by_record, None, 10).await?) == [0],
        "the committed entry is indexed"
    );
    Ok(())
}

/// Entries written before the index existed (migration 0007), for a backend's migration test
/// to store directly in `audit_entries` with [`leaf_rows`]; afterwards
/// [`backfilled_index_finds_the_old_entries`] checks the migration indexed them.
///
/// # Errors
/// If a fixture cannot be built (a fixture bug).
pub fn entries_before_the_index(records: [Uuid; 2]) -> anyhow::Result<Vec<NewEntry>> {
    varied_entries(records)
}

/// The rows `(seq, leaf, leaf hash)` of `entries` as the log stores them, numbered from 0.
#[must_use]
pub fn leaf_rows(entries: &[NewEntry]) -> Vec<(u64, Vec<u8>, bluelamp_audit::Hash)> {
    (0_u64..)
        .zip(entries)
        .map(|(seq, entry)| {
            let entry = bluelamp_audit::Entry {
                seq,
                entry: entry.clone(),
            };
            (seq, entry.leaf_bytes(), entry.leaf_hash())
        })
        .collect()
}

/// After the migration, the index finds the entries stored before it (`entries`, at seqs
/// `0..entries.len()`) exactly as a search of freshly appended ones would, leaves out any row
/// after them that is not an entry (a tampered row), and indexes the next append.
///
/// # Errors
/// What the backend got wrong.
pub async fn backfilled_index_finds_the_old_entries(
    store: Arc<dyn Store>,
    entries: &[NewEntry],
    records: [Uuid; 2],
) -> anyhow::Result<()> {
    let [first, second] = records;
    let start = start()?;
    let nothing = AuditFilter::default();
    for filter in [
        nothing.clone(),
        AuditFilter {
            record: Some(first),
            ..nothing.clone()
        },
        AuditFilter {
            record: Some(second),
            kind: Some(LogKind::Consultation),
            ..nothing.clone()
        },
        AuditFilter {
            actor: Some("staff:bob".to_owned()),
            purpose: Some("INVESTIGATING".to_owned()),
            ..nothing.clone()
        },
        AuditFilter {
            action: Some("audit.read".to_owned()),
            from: Some(start + Duration::minutes(4)),
            to: Some(start + Duration::minutes(21)),
            ..nothing.clone()
        },
    ] {
        let want = expected(entries, &filter)?;
        let found = seqs(&search(&store, &filter, None, 100).await?);
        ensure!(
            found == want,
            "{filter:?}: found {found:?} after the migration, expected {want:?}"
        );
    }
    let next = NewEntry {
        records: vec![first],
        ..super::fixtures::audit_entry("record.read")
    };
    let mut tx = store.begin().await?;
    let appended = tx.append_audit(std::slice::from_ref(&next)).await?;
    commit(tx, "append after the migration").await?;
    let by_record = AuditFilter {
        record: Some(first),
        ..nothing
    };
    let newest = search(&store, &by_record, None, 1).await?;
    ensure!(
        seqs(&newest) == appended,
        "the entry appended after the migration: {newest:?}, appended {appended:?}"
    );
    Ok(())
}

/// Entries stamped out of time order (as concurrent writers can stamp them), with purposes
/// holding wildcards, quotes and letters outside ASCII, over several transactions.
fn awkward_entries(record: Uuid) -> anyhow::Result<Vec<NewEntry>> {
    let minutes: [i64; 12] = [10, 5, 20, 15, 30, 1, 25, 40, 35, 0, 45, 2];
    let purposes = [
        Some("Op Falcon É briefing"),
        Some("op falcon é"),
        Some("100% sure"),
        Some("a_b"),
        Some("back\\slash"),
        Some("quote \"x\" here"),
        Some("ab"),
        None,
        Some("ÉCLAIR"),
        Some("éclair"),
        Some("Op Falcon review"),
        Some("x"),
    ];
    let mut entries = Vec::new();
    for (index, (minute, purpose)) in minutes.iter().zip(purposes).enumerate() {
        entries.push(NewEntry {
            at: start()? + Duration::minutes(*minute),
            actor: if index % 2 == 0 {
                "staff:alice".to_owned()
            } else {
                "staff:bob".to_owned()
            },
            kind: *LogKind::ALL.get(index % 3).context("kind")?,
            action: "record.read".to_owned(),
            purpose: purpose.map(str::to_owned),
            records: if index % 3 == 0 {
                vec![record]
            } else {
                Vec::new()
            },
            recipients: Vec::new(),
            digest: None,
            outcome: Outcome::Allowed,
        });
    }
    Ok(entries)
}

/// Time windows find exactly the entries stamped inside them even when times are out of
/// sequence order, alone and with every other condition, and through pages; purpose text
/// matches as a substring ignoring the case of ASCII letters only, whatever characters it
/// holds and however short (migration 0009's trigram indexes only narrow the candidates).
pub async fn audit_search_windows_and_purposes_at_the_edges(
    store: Arc<dyn Store>,
) -> anyhow::Result<()> {
    let record = Uuid::now_v7();
    let entries = awkward_entries(record)?;
    for chunk in entries.chunks(3) {
        let mut tx = store.begin().await?;
        tx.append_audit(chunk).await?;
        commit(tx, "append").await?;
    }
    let start = start()?;
    let nothing = AuditFilter::default();
    let mut filters = Vec::new();
    let edges: [Option<i64>; 7] = [
        None,
        Some(-1),
        Some(0),
        Some(5),
        Some(12),
        Some(30),
        Some(46),
    ];
    for from in edges {
        for to in edges {
            let window = AuditFilter {
                from: from.map(|minutes| start + Duration::minutes(minutes)),
                to: to.map(|minutes| start + Duration::minutes(minutes)),
                ..nothing.clone()
            };
            filters.push(AuditFilter {
                actor: Some("staff:bob".to_owned()),
                ..window.clone()
            });
            filters.push(AuditFilter {
                record: Some(record),
                ..window.clone()
            });
            filters.push(AuditFilter {
                kind: Some(LogKind::Collection),
                purpose: Some("falcon".to_owned()),
                ..window.clone()
            });
            filters.push(window);
        }
    }
    for needle in [
        "falcon",
        "FALCON É",
        "OP FALCON",
        "é",
        "É",
        "éclair",
        "ÉCLAIR",
        "Éclair",
        "100%",
        "%",
        "a_b",
        "_",
        "\\",
        "back\\s",
        "\"x\"",
        "\"",
        "ab",
        "x",
        "",
        "op falcon é briefing!",
        "zzz",
        "o",
    ] {
        filters.push(AuditFilter {
            purpose: Some(needle.to_owned()),
            ..nothing.clone()
        });
        filters.push(AuditFilter {
            purpose: Some(needle.to_owned()),
            action: Some("record.read".to_owned()),
            to: Some(start + Duration::minutes(31)),
            ..nothing.clone()
        });
    }
    for filter in &filters {
        let want = expected(&entries, filter)?;
        let found = seqs(&search(&store, filter, None, 100).await?);
        ensure!(
            found == want,
            "{filter:?}: found {found:?}, expected {want:?}"
        );
        let mut paged = Vec::new();
        let mut before = None;
        loop {
            let page = search(&store, filter, before, 2).await?;
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            paged.extend(seqs(&page));
        }
        ensure!(
            paged == want,
            "{filter:?}: paged {paged:?}, expected {want:?}"
        );
    }
    Ok(())
}
