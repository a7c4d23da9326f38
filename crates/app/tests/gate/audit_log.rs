//! The audit log for information managers: search with filters (itself audited with its
//! purpose), refusals for everyone else (audited), and proofs that verify against the signed
//! checkpoints.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, AuditQuery};
use bluelamp_audit::{
    Entry, LogKind, Outcome, Witness, Witnessed, verify_consistency, verify_inclusion,
};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;

use crate::harness::{FORCE, Harness, new_record};

fn purpose(text: &str) -> anyhow::Result<Purpose> {
    Ok(Purpose::parse(text)?)
}

/// The seqs of `log` entries that `keep` accepts, newest first.
fn newest_first(log: &[Entry], keep: impl Fn(&Entry) -> bool) -> Vec<u64> {
    log.iter()
        .rev()
        .filter(|entry| keep(entry))
        .map(|entry| entry.seq)
        .collect()
}

pub async fn audit_search_finds_the_matching_entries_and_is_audited(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let manager = h
        .staff("manager.one", Role::InformationManager, FORCE)
        .await?;
    let person = h
        .app
        .create_record(&officer, new_record(RecordKind::Person)?)
        .await?;
    let vehicle = h
        .app
        .create_record(&officer, new_record(RecordKind::Object)?)
        .await?;
    for (id, why) in [
        (person.id, "investigating crime 24/1234"),
        (vehicle.id, "Safeguarding a person at risk"),
        (person.id, "safeguarding a person at risk"),
    ] {
        h.clock.advance(chrono::Duration::minutes(1));
        h.app.read_record(&officer, id, &purpose(why)?).await?;
    }
    let log = h.audit().await?;
    let why = purpose("professional standards review PSD-9")?;
    let search = |query: AuditQuery| {
        let (app, manager, why) = (&h.app, &manager, &why);
        async move {
            let page = app.search_audit(manager, &query, why, None, 100).await?;
            anyhow::Ok(
                page.entries
                    .iter()
                    .map(|found| found.entry.seq)
                    .collect::<Vec<_>>(),
            )
        }
    };

    let by_person = search(AuditQuery {
        record: Some(person.id),
        ..AuditQuery::default()
    })
    .await?;
    let names_person = |entry: &Entry| entry.entry.records.contains(person.id.as_uuid());
    ensure!(
        by_person == newest_first(&log, names_person),
        "by record: {by_person:?}"
    );
    ensure!(
        by_person.len() == 3,
        "created and read twice: {by_person:?}"
    );

    let by_officer = search(AuditQuery {
        username: Some("officer.one".to_owned()),
        ..AuditQuery::default()
    })
    .await?;
    ensure!(
        by_officer == newest_first(&log, |entry| entry.entry.actor == officer.actor_id()),
        "by username: {by_officer:?}"
    );

    let safeguarding_reads = search(AuditQuery {
        kind: Some(LogKind::Consultation),
        action: Some("record.read".to_owned()),
        purpose: Some("SAFEGUARDING".to_owned()),
        ..AuditQuery::default()
    })
    .await?;
    ensure!(
        safeguarding_reads
            == newest_first(&log, |entry| {
                entry.entry.kind == LogKind::Consultation
                    && entry.entry.action == "record.read"
                    && entry
                        .entry
                        .purpose
                        .as_deref()
                        .is_some_and(|text| text.to_lowercase().contains("safeguarding"))
            }),
        "by kind, action and purpose: {safeguarding_reads:?}"
    );
    ensure!(safeguarding_reads.len() == 2, "{safeguarding_reads:?}");

    // The reads were a minute apart: the window from the second read to just before the
    // third holds the second only.
    let second_read = log.iter().rev().nth(1).context("the second read")?;
    let from = second_read.entry.at;
    let to = from + chrono::Duration::seconds(59);
    let window = search(AuditQuery {
        from: Some(from),
        to: Some(to),
        ..AuditQuery::default()
    })
    .await?;
    ensure!(
        window == newest_first(&log, |entry| entry.entry.at >= from && entry.entry.at < to),
        "by time: {window:?}"
    );
    ensure!(window == [second_read.seq], "by time: {window:?}");

    // Each search is one consultation of the log by the manager, with its purpose, naming the
    // record searched for; the searches found none of their own entries.
    let after = h.audit().await?;
    let searches: Vec<&Entry> = after.iter().skip(log.len()).collect();
    ensure!(
        searches.len() == 4,
        "one entry per search: {}",
        searches.len()
    );
    for entry in &searches {
        ensure!(entry.entry.action == "audit.read" && entry.entry.kind == LogKind::Consultation);
        ensure!(entry.entry.actor == manager.actor_id());
        ensure!(entry.entry.outcome == Outcome::Allowed);
        ensure!(entry.entry.purpose.as_deref() == Some("professional standards review PSD-9"));
    }
    ensure!(
        searches.first().map(|entry| entry.entry.records.clone())
            == Some(vec![*person.id.as_uuid()]),
        "the search by record names it"
    );

    // Paging: newest first, no overlap, to the end.
    let everything = newest_first(&after, |_| true);
    let mut paged = Vec::new();
    let mut before = Some(u64::try_from(after.len())?);
    while let Some(cursor) = before {
        let page = h
            .app
            .search_audit(&manager, &AuditQuery::default(), &why, Some(cursor), 3)
            .await?;
        ensure!(page.entries.len() <= 3);
        paged.extend(page.entries.iter().map(|found| found.entry.seq));
        before = page.next_before;
    }
    ensure!(paged == everything, "paged {paged:?}");

    let unknown = h
        .app
        .search_audit(
            &manager,
            &AuditQuery {
                username: Some("nobody.here".to_owned()),
                ..AuditQuery::default()
            },
            &why,
            None,
            10,
        )
        .await;
    ensure!(
        matches!(&unknown, Err(error @ AppError::Invalid { .. }) if error.field() == Some("username")),
        "{unknown:?}"
    );
    let limit = h
        .app
        .search_audit(&manager, &AuditQuery::default(), &why, None, 0)
        .await;
    ensure!(matches!(limit, Err(AppError::Invalid { .. })), "{limit:?}");

    // One entry, as stored, read with a purpose and audited.
    let wanted = log.first().context("the first entry")?;
    let read = h.app.read_audit_entry(&manager, wanted.seq, &why).await?;
    ensure!(read.entry == *wanted && read.leaf_hash == wanted.leaf_hash());
    let last = h.audit().await?.last().cloned().context("an entry")?;
    ensure!(
        last.entry.action == "audit.read"
            && last.entry.actor == manager.actor_id()
            && last.entry.purpose.as_deref() == Some("professional standards review PSD-9"),
        "reading an entry is audited: {last:?}"
    );
    let missing = h.app.read_audit_entry(&manager, 1_000_000, &why).await;
    ensure!(
        matches!(missing, Err(AppError::NotFound { .. })),
        "{missing:?}"
    );
    Ok(())
}

pub async fn audit_search_is_refused_to_everyone_else_and_audited(
    h: &Harness,
) -> anyhow::Result<()> {
    let why = purpose("curiosity")?;
    for (index, role) in Role::ALL.into_iter().enumerate() {
        if role == Role::InformationManager {
            continue;
        }
        let who = h.staff(&format!("user.{index}"), role, FORCE).await?;
        let before = h.audit().await?.len();
        let refused = h
            .app
            .search_audit(&who, &AuditQuery::default(), &why, None, 10)
            .await;
        ensure!(
            matches!(refused, Err(AppError::Forbidden { .. })),
            "{role:?}: {refused:?}"
        );
        let log = h.audit().await?;
        ensure!(
            log.len() == before + 1,
            "{role:?}: one entry for the refusal"
        );
        let last = log.last().context("an entry")?;
        ensure!(last.entry.outcome == Outcome::Denied, "{role:?}");
        ensure!(last.entry.action == "audit.read" && last.entry.actor == who.actor_id());
        ensure!(last.entry.purpose.as_deref() == Some("curiosity"));
        let read = h.app.read_audit_entry(&who, 0, &why).await;
        ensure!(
            matches!(read, Err(AppError::Forbidden { .. })),
            "{role:?}: {read:?}"
        );
        ensure!(
            h.audit().await?.len() == before + 2,
            "{role:?}: the refused read is audited"
        );

        let proof = h.app.audit_inclusion_proof(&who, 0).await;
        if role == Role::Administrator {
            ensure!(proof.is_ok(), "administrators verify the log: {proof:?}");
        } else {
            ensure!(
                matches!(proof, Err(AppError::Forbidden { .. })),
                "{role:?}: {proof:?}"
            );
            let last = h.audit().await?.last().cloned().context("an entry")?;
            ensure!(
                last.entry.outcome == Outcome::Denied && last.entry.action == "audit.verify",
                "{role:?}: the refused proof is audited"
            );
        }
    }
    let system = h.system();
    let refused = h
        .app
        .search_audit(&system, &AuditQuery::default(), &why, None, 10)
        .await;
    ensure!(
        matches!(refused, Err(AppError::Forbidden { .. })),
        "{refused:?}"
    );
    Ok(())
}

pub async fn audit_proofs_verify_against_the_checkpoints(h: &Harness) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let manager = h
        .staff("manager.one", Role::InformationManager, FORCE)
        .await?;
    ensure!(
        h.app.audit_inclusion_proof(&manager, 0).await?.is_none(),
        "no checkpoint covers anything yet"
    );
    for kind in RecordKind::ALL {
        h.app.create_record(&officer, new_record(kind)?).await?;
    }
    let first = h.app.write_checkpoint().await?.context("a checkpoint")?;
    let size = first.checkpoint.size;
    let log = h.audit().await?;
    for seq in 0..size {
        let proof = h
            .app
            .audit_inclusion_proof(&manager, seq)
            .await?
            .context("covered by the checkpoint")?;
        let stored = log
            .iter()
            .find(|entry| entry.seq == seq)
            .context("the entry")?;
        ensure!(proof.leaf_hash == stored.leaf_hash(), "leaf hash of {seq}");
        ensure!(proof.checkpoint == first);
        verify_inclusion(
            &proof.leaf_hash,
            seq,
            proof.checkpoint.checkpoint.size,
            &proof.proof,
            &proof.checkpoint.checkpoint.root,
        )?;
    }
    // The proofs were audited: the newest entry is past the checkpoint.
    let newest = h.audit().await?.len();
    let beyond = u64::try_from(newest)? - 1;
    ensure!(
        h.app
            .audit_inclusion_proof(&manager, beyond)
            .await?
            .is_none(),
        "an entry after the checkpoint has no proof yet"
    );
    let missing = h.app.audit_inclusion_proof(&manager, 1_000_000).await;
    ensure!(
        matches!(missing, Err(AppError::NotFound { .. })),
        "{missing:?}"
    );

    let second = h
        .app
        .write_checkpoint()
        .await?
        .context("a second checkpoint")?;
    let consistency = h
        .app
        .audit_consistency_proof(size, second.checkpoint.size)
        .await?;
    verify_consistency(
        size,
        second.checkpoint.size,
        &first.checkpoint.root,
        &second.checkpoint.root,
        &consistency.proof,
    )?;
    let mut witness = Witness::new(h.key, first.checkpoint.origin.clone());
    ensure!(witness.offer(&first, &[])? == Witnessed::First);
    ensure!(
        witness.offer(&second, &consistency.proof)?
            == Witnessed::Grew {
                from: size,
                to: second.checkpoint.size
            }
    );

    for (from, to, field) in [(5, 4, "from"), (0, 3, "from"), (1, 1_000_000, "to")] {
        let bad = h.app.audit_consistency_proof(from, to).await;
        ensure!(
            matches!(&bad, Err(error @ AppError::Invalid { .. }) if error.field() == Some(field)),
            "{from}..{to}: {bad:?}"
        );
    }
    ensure!(
        h.app.audit_consistency_proof(3, 3).await?.proof.is_empty(),
        "equal sizes need no hashes"
    );
    Ok(())
}
