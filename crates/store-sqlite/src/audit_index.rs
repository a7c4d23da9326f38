//! The audit log's index (`audit_index`, `audit_index_records`; migration 0007, with the time
//! bounds and the purpose trigrams of migration 0009): written with each append, read by
//! [`bluelamp_store::AuditReader::search_audit`].
//!
//! A search finds the newest matching sequence numbers first, walking one index (the most
//! selective condition's: the record, the actor, the purpose's trigrams, the action, the
//! kind, or else the log's own order) within the range of sequence numbers a time window
//! allows, and checking every other condition on the rows it meets; then it reads those
//! entries' stored rows. The plan is chosen here, not by SQLite's planner, which keeps no
//! statistics of these tables.

use bluelamp_audit::{NewEntry, format_canonical_time};
use bluelamp_store::rows::{
    AuditIndexRow, AuditSearchBounds, audit_index_rows, audit_search_bounds, audit_time_bounds,
};
use bluelamp_store::{AuditFilter, StoreResult, StoredAuditRow};
use sqlx::sqlite::Sqlite;
use sqlx::{QueryBuilder, SqliteConnection};

use crate::convert::{database_error, stored_audit_row, uuid_text};

/// Index rows per multi-row `INSERT` (nine bind parameters each).
const ENTRIES_PER_INSERT: usize = 400;

/// Record rows per multi-row `INSERT` (two bind parameters each).
const RECORDS_PER_INSERT: usize = 2_000;

/// Purpose rows per multi-row `INSERT` into the trigram index (two bind parameters each).
const PURPOSES_PER_INSERT: usize = 2_000;

/// An index row with its time and time bounds as stored (canonical text).
struct TimedRow<'a> {
    row: &'a AuditIndexRow,
    at: &'a str,
    high: &'a str,
    low: &'a str,
}

/// Indexes `entries`, numbered from `first_seq`.
pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    first_seq: u64,
    entries: &[NewEntry],
) -> StoreResult<()> {
    let rows = audit_index_rows(first_seq, entries)?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let first_seq = first.seq;
    let ats: Vec<String> = rows
        .iter()
        .map(|row| format_canonical_time(&row.at))
        .collect();
    let previous_high: Option<String> = sqlx::query_scalar(
        "SELECT at_high FROM audit_index WHERE seq < ? ORDER BY seq DESC LIMIT 1",
    )
    .bind(first_seq)
    .fetch_optional(&mut *conn)
    .await
    .map_err(database_error)?;
    let (highs, lows) = audit_time_bounds(&ats, previous_high);
    if let Some(earliest) = lows.first() {
        // Entries indexed before, stamped later than one of these, now have an entry after
        // them that is earlier (normally none: the index on at_low finds nothing).
        sqlx::query("UPDATE audit_index SET at_low = ?1 WHERE at_low > ?1 AND seq < ?2")
            .bind(earliest)
            .bind(first_seq)
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    let timed: Vec<TimedRow<'_>> = rows
        .iter()
        .zip(ats.iter().zip(highs.iter().zip(lows.iter())))
        .map(|(row, (at, (high, low)))| TimedRow { row, at, high, low })
        .collect();
    for chunk in timed.chunks(ENTRIES_PER_INSERT) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO audit_index \
             (seq, at, actor, kind, action, purpose, outcome, at_high, at_low) ",
        );
        query.push_values(chunk, |mut values, indexed| {
            values
                .push_bind(indexed.row.seq)
                .push_bind(indexed.at.to_owned())
                .push_bind(indexed.row.actor.clone())
                .push_bind(indexed.row.kind)
                .push_bind(indexed.row.action.clone())
                .push_bind(indexed.row.purpose.clone())
                .push_bind(indexed.row.outcome)
                .push_bind(indexed.high.to_owned())
                .push_bind(indexed.low.to_owned());
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    let purposes: Vec<(i64, &String)> = rows
        .iter()
        .filter_map(|row| row.purpose.as_ref().map(|purpose| (row.seq, purpose)))
        .collect();
    for chunk in purposes.chunks(PURPOSES_PER_INSERT) {
        let mut query =
            QueryBuilder::<Sqlite>::new("INSERT INTO audit_purpose_trigrams (rowid, purpose) ");
        query.push_values(chunk, |mut values, (seq, purpose)| {
            values.push_bind(*seq).push_bind((*purpose).clone());
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    let records: Vec<(String, i64)> = rows
        .iter()
        .flat_map(|row| row.records.iter().map(|id| (uuid_text(id), row.seq)))
        .collect();
    for chunk in records.chunks(RECORDS_PER_INSERT) {
        let mut query =
            QueryBuilder::<Sqlite>::new("INSERT INTO audit_index_records (record_id, seq) ");
        query.push_values(chunk, |mut values, (record_id, seq)| {
            values.push_bind(record_id.clone()).push_bind(*seq);
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(database_error)?;
    }
    Ok(())
}

/// The FTS5 query for the entries whose purpose may contain `needle`: every distinct trigram
/// of it, each quoted, all required. `None` when the needle has fewer than three characters
/// (nothing to look up) or a control character (never in a purpose; left to the scan).
fn purpose_trigrams(needle: &str) -> Option<String> {
    if needle.chars().any(char::is_control) {
        return None;
    }
    let characters: Vec<char> = needle.chars().collect();
    let mut terms: Vec<String> = Vec::new();
    for window in characters.windows(3) {
        let trigram: String = window.iter().collect();
        let term = format!("\"{}\"", trigram.replace('"', "\"\""));
        if !terms.contains(&term) {
            terms.push(term);
        }
    }
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// Which index a search walks, newest first.
enum Walk {
    /// `audit_index_records` for one record.
    Record,
    /// The purpose's trigrams (the FTS5 query).
    Purpose(String),
    /// `audit_index` through the index of one column.
    Column(&'static str),
    /// `audit_index` in sequence order.
    Log,
}

/// The walk for `filter`: the record, the actor, rare text, the action, the kind, in that
/// order of preference (the order of how few entries each usually matches).
fn walk_for(filter: &AuditFilter, bounds: &AuditSearchBounds) -> Walk {
    if filter.record.is_some() {
        return Walk::Record;
    }
    if filter.actor.is_some() {
        return Walk::Column("audit_index_by_actor");
    }
    if let Some(trigrams) = bounds.purpose.as_deref().and_then(purpose_trigrams) {
        return Walk::Purpose(trigrams);
    }
    if filter.action.is_some() {
        return Walk::Column("audit_index_by_action");
    }
    if filter.kind.is_some() {
        return Walk::Column("audit_index_by_kind");
    }
    Walk::Log
}

/// The stored rows of the entries the index says match, newest first.
pub(crate) async fn search(
    conn: &mut SqliteConnection,
    filter: &AuditFilter,
    before: Option<u64>,
    limit: u32,
) -> StoreResult<Vec<StoredAuditRow>> {
    let bounds = audit_search_bounds(filter, before, limit)?;
    let walk = walk_for(filter, &bounds);
    let mut query = QueryBuilder::<Sqlite>::new("SELECT e.seq, e.leaf, e.leaf_hash FROM (SELECT ");
    // The walked sequence number; every other condition is written with a unary `+`, which
    // keeps SQLite from walking its index instead.
    let seq = match &walk {
        Walk::Record => {
            query.push(
                "r.seq AS seq FROM audit_index_records AS r \
                 CROSS JOIN audit_index AS i ON i.seq = r.seq WHERE r.record_id = ",
            );
            query.push_bind(filter.record.as_ref().map(uuid_text));
            "r.seq"
        }
        Walk::Purpose(trigrams) => {
            query.push(
                "t.rowid AS seq FROM audit_purpose_trigrams AS t \
                 CROSS JOIN audit_index AS i ON i.seq = t.rowid \
                 WHERE audit_purpose_trigrams MATCH ",
            );
            query.push_bind(trigrams.clone());
            "t.rowid"
        }
        Walk::Column(index) => {
            query
                .push("i.seq AS seq FROM audit_index AS i INDEXED BY ")
                .push(*index)
                .push(" WHERE 1");
            "i.seq"
        }
        Walk::Log => {
            query.push("i.seq AS seq FROM audit_index AS i WHERE 1");
            "i.seq"
        }
    };
    // One upper bound, so that SQLite walks the index from it (given two, it walks from one
    // and filters by the other): below `before` and, in a window, at most the last seq
    // whose at_low is before `to` (NULL, so nothing, when no entry is before `to`).
    query.push(" AND ").push(seq).push(" < ");
    match bounds.to {
        Some(to) => {
            query.push("min(");
            query.push_bind(bounds.before);
            query.push(", (SELECT seq + 1 FROM audit_index WHERE at_low < ");
            query.push_bind(format_canonical_time(&to));
            query.push(" ORDER BY at_low DESC, seq DESC LIMIT 1))");
        }
        None => {
            query.push_bind(bounds.before);
        }
    }
    if let Some(from) = bounds.from {
        let from = format_canonical_time(&from);
        query
            .push(" AND ")
            .push(seq)
            .push(" >= (SELECT seq FROM audit_index WHERE at_high >= ");
        query.push_bind(from.clone());
        query.push(" ORDER BY at_high, seq LIMIT 1) AND +i.at >= ");
        query.push_bind(from);
    }
    if let Some(to) = bounds.to {
        query
            .push(" AND +i.at < ")
            .push_bind(format_canonical_time(&to));
    }
    let walked = |column: &str| match walk {
        Walk::Column(index) => index.ends_with(column),
        _ => false,
    };
    if let Some(actor) = &filter.actor {
        query
            .push(if walked("actor") {
                " AND i.actor = "
            } else {
                " AND +i.actor = "
            })
            .push_bind(actor.clone());
    }
    if let Some(kind) = filter.kind {
        query
            .push(if walked("kind") {
                " AND i.kind = "
            } else {
                " AND +i.kind = "
            })
            .push_bind(kind.as_str());
    }
    if let Some(action) = &filter.action {
        query
            .push(if walked("action") {
                " AND i.action = "
            } else {
                " AND +i.action = "
            })
            .push_bind(action.clone());
    }
    if let Some(purpose) = bounds.purpose {
        // lower() folds ASCII letters only, as AuditFilter::matches does; the trigrams only
        // narrow the candidates.
        query
            .push(" AND instr(lower(i.purpose), ")
            .push_bind(purpose)
            .push(") > 0");
    }
    query.push(" ORDER BY ").push(seq).push(" DESC LIMIT ");
    query.push_bind(bounds.limit);
    query.push(") AS found CROSS JOIN audit_entries AS e ON e.seq = found.seq ORDER BY e.seq DESC");
    let rows = query
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(database_error)?;
    rows.iter().map(stored_audit_row).collect()
}

#[cfg(test)]
mod tests {
    use super::purpose_trigrams;

    #[test]
    fn purpose_trigrams_quote_every_distinct_trigram() {
        assert_eq!(purpose_trigrams("ab"), None);
        assert_eq!(purpose_trigrams("abc").as_deref(), Some("\"abc\""));
        assert_eq!(
            purpose_trigrams("aaaa b").as_deref(),
            Some("\"aaa\" AND \"aa \" AND \"a b\"")
        );
        assert_eq!(
            purpose_trigrams("a\"b*").as_deref(),
            Some("\"a\"\"b\" AND \"\"\"b*\"")
        );
        assert_eq!(purpose_trigrams("abc\u{0}def"), None);
    }
}
