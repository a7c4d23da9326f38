//! MoPI review and disposal: due reviews by date, retain with a reason, disposal that erases
//! everything personal and keeps a tombstone, with a log that still verifies.

use anyhow::{Context as _, ensure};
use bluelamp_app::{AppError, NewLink, NewRecord, Principal};
use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::link::LinkRole;
use bluelamp_domain::record::RecordBody;
use bluelamp_domain::values::Purpose;
use bluelamp_policy::Role;
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::harness::{FORCE, Harness, new_record};

/// A person record with a name no other fixture has, whose clear period started `start`.
fn person(surname: &str, start: Option<NaiveDate>) -> anyhow::Result<NewRecord> {
    let mut record = new_record(RecordKind::Person)?;
    record.body = serde_json::from_value::<RecordBody>(json!({
        "kind": "person",
        "name": { "forenames": ["Zebedee"], "surname": surname },
        "date_of_birth": "1979-05-06",
    }))?;
    record.clear_period_start = start;
    Ok(record)
}

/// The last audit entry.
async fn last_entry(h: &Harness) -> anyhow::Result<bluelamp_audit::Entry> {
    h.audit().await?.pop().context("an audit entry")
}

/// Checks that `result` is a refusal of `action`, audited as a denied entry of `kind`
/// naming `id`.
async fn refused<T: std::fmt::Debug>(
    h: &Harness,
    result: Result<T, AppError>,
    action: &str,
    kind: LogKind,
    who: &Principal,
) -> anyhow::Result<()> {
    ensure!(
        matches!(result, Err(AppError::Forbidden { .. })),
        "{action} by {} was not refused: {result:?}",
        who.actor_id()
    );
    let entry = last_entry(h).await?;
    ensure!(
        entry.entry.outcome == Outcome::Denied
            && entry.entry.action == action
            && entry.entry.kind == kind
            && entry.entry.actor == who.actor_id(),
        "refusal audited as {entry:?}"
    );
    Ok(())
}

pub async fn due_reviews_appear_by_date_and_retain_needs_a_reason(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let manager = h.staff("im.one", Role::InformationManager, FORCE).await?;
    let today = h.app_now().date_naive();
    // Group 3: reviewed six years after the clear period starts.
    let overdue = h
        .app
        .create_record(
            &officer,
            person("Quixley", Some(today - Duration::days(7 * 365)))?,
        )
        .await?;
    let recent = h
        .app
        .create_record(&officer, person("Quorrel", None)?)
        .await?;
    ensure!(overdue.retention.next_review < today);
    ensure!(recent.retention.next_review > today);

    let queued = h.app.queue_due_reviews(h.app_now()).await?;
    ensure!(
        queued.iter().map(|due| due.id).collect::<Vec<_>>() == [overdue.id],
        "queued today: {queued:?}"
    );
    let listed = h.app.due_reviews(&manager).await?;
    ensure!(listed == queued, "listed {listed:?}");
    let entry = last_entry(h).await?;
    ensure!(
        entry.entry.kind == LogKind::Consultation
            && entry.entry.action == "record.review"
            && entry.entry.records == [*overdue.id.as_uuid()]
            && entry.entry.purpose.as_deref() == Some(bluelamp_app::REVIEW_PURPOSE),
        "listing audited as {entry:?}"
    );

    // Six years on, both are due, the longest overdue first.
    h.clock.advance(Duration::days(6 * 366));
    let later = h.app.queue_due_reviews(h.app_now()).await?;
    ensure!(
        later.iter().map(|due| due.id).collect::<Vec<_>>() == [overdue.id, recent.id],
        "queued later: {later:?}"
    );

    // Retaining needs a reason; a refused or invalid decision changes nothing.
    let size = h.store.audit_size().await?;
    let blank = h.app.retain_record(&manager, overdue.id, "   ").await;
    ensure!(
        matches!(&blank, Err(AppError::Invalid { field, .. }) if field == "reason"),
        "blank reason: {blank:?}"
    );
    ensure!(
        h.store.audit_size().await? == size,
        "an invalid decision was audited"
    );
    let by_officer = h
        .app
        .retain_record(&officer, overdue.id, "Still of interest")
        .await;
    refused(
        h,
        by_officer,
        "record.review",
        LogKind::Alteration,
        &officer,
    )
    .await?;
    let by_officer = h.app.due_reviews(&officer).await;
    refused(
        h,
        by_officer,
        "record.review",
        LogKind::Consultation,
        &officer,
    )
    .await?;

    let now = h.app_now().date_naive();
    let retained = h
        .app
        .retain_record(
            &manager,
            overdue.id,
            "Linked to an open investigation: NRAC risk of harm",
        )
        .await?;
    ensure!(
        retained.next_review == now + chrono::Months::new(72),
        "next review {}",
        retained.next_review
    );
    let entry = last_entry(h).await?;
    ensure!(
        entry.entry.kind == LogKind::Alteration
            && entry.entry.action == "record.review"
            && entry.entry.outcome == Outcome::Allowed
            && entry.entry.records == [*overdue.id.as_uuid()],
        "retain audited as {entry:?}"
    );
    let purpose = Purpose::parse("MoPI review check")?;
    let read = h.app.read_record(&officer, overdue.id, &purpose).await?;
    ensure!(
        read.retention == retained,
        "the record keeps {:?}",
        read.retention
    );
    let still_due = h.app.queue_due_reviews(h.app_now()).await?;
    ensure!(
        still_due.iter().map(|due| due.id).collect::<Vec<_>>() == [recent.id],
        "due after retaining: {still_due:?}"
    );
    let mut tx = h.store.begin().await?;
    let reviews = tx.reviews_of(overdue.id).await?;
    tx.rollback().await?;
    ensure!(
        reviews.len() == 1
            && reviews
                .first()
                .is_some_and(|review| review.decision == "retain"
                    && review.reason == "Linked to an open investigation: NRAC risk of harm"
                    && review.next_review == Some(retained.next_review)),
        "review log {reviews:?}"
    );
    Ok(())
}

/// Stores a small PNG in the harness's evidence store; returns its key and SHA-256.
async fn stored_blob(h: &Harness) -> anyhow::Result<bluelamp_evidence::ReceivedBlob> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0_u8; 64]);
    let body = futures::stream::iter(vec![Ok::<_, std::io::Error>(bytes::Bytes::from(png))]);
    Ok(h.blobs
        .receive(
            "photo.png",
            body,
            &bluelamp_evidence::UploadLimits::default(),
        )
        .await?)
}

pub async fn disposal_erases_keeps_a_tombstone_and_the_log_verifies(
    h: &Harness,
) -> anyhow::Result<()> {
    let officer = h.staff("officer.one", Role::Officer, FORCE).await?;
    let manager = h.staff("im.one", Role::InformationManager, FORCE).await?;
    let purpose = Purpose::parse("enquiry into BL-42")?;
    let subject = h
        .app
        .create_record(&officer, person("Quixley", None)?)
        .await?;
    let event = h
        .app
        .create_record(&officer, new_record(RecordKind::Event)?)
        .await?;
    h.app
        .link_records(
            &officer,
            NewLink {
                from: subject.id,
                to: event.id,
                role: LinkRole::Victim,
                valid_from: None,
                valid_to: None,
            },
        )
        .await?;
    let blob = stored_blob(h).await?;
    let mut exhibit = new_record(RecordKind::Object)?;
    exhibit.body = serde_json::from_value::<RecordBody>(json!({
        "kind": "object",
        "type": "evidence",
        "file_name": "photo.png",
        "media_type": "image/png",
        "size_bytes": blob.size,
        "sha256": blob.sha256_hex(),
        "blob_key": blob.key.as_str(),
    }))?;
    let exhibit = h.app.create_record(&officer, exhibit).await?;
    ensure!(h.blobs.size(&blob.key).await.is_ok(), "the blob is stored");
    h.app.write_checkpoint().await?.context("a checkpoint")?;

    // Only information managers dispose of records; the refusal is audited.
    let by_officer = h
        .app
        .dispose_record(&officer, subject.id, "No longer needed")
        .await;
    refused(h, by_officer, "record.dispose", LogKind::Erasure, &officer).await?;
    let blank = h.app.dispose_record(&manager, subject.id, "").await;
    ensure!(
        matches!(&blank, Err(AppError::Invalid { field, .. }) if field == "reason"),
        "blank reason: {blank:?}"
    );
    ensure!(
        h.app.read_record(&officer, subject.id, &purpose).await? == subject,
        "a refused disposal changed the record"
    );

    let tombstone = h
        .app
        .dispose_record(
            &manager,
            subject.id,
            "Group 3: no NRAC concern after review",
        )
        .await?;
    ensure!(
        tombstone.id == subject.id
            && tombstone.kind == RecordKind::Person
            && tombstone.group == "3"
            && tombstone.group_label.as_deref() == Some("All other offences")
            && tombstone.disposed_by == manager.actor_id()
            && tombstone.links_removed == 1,
        "tombstone {tombstone:?}"
    );
    let entry = last_entry(h).await?;
    ensure!(
        entry.seq == tombstone.audit_seq
            && entry.entry.kind == LogKind::Erasure
            && entry.entry.action == "record.dispose"
            && entry.entry.outcome == Outcome::Allowed
            && entry.entry.records == [*subject.id.as_uuid()],
        "erasure audited as {entry:?}"
    );

    // The record is gone everywhere; reading it shows the tombstone.
    let read = h.app.read_record(&officer, subject.id, &purpose).await;
    ensure!(
        matches!(read, Err(AppError::NotFound { .. })),
        "the disposed record still reads: {read:?}"
    );
    let shown = h
        .app
        .record_tombstone(&officer, subject.id, &purpose)
        .await?;
    ensure!(shown == tombstone, "tombstone read back {shown:?}");
    let found = h
        .app
        .search_records(&officer, "Zebedee Quixley", None, &purpose, 10)
        .await?;
    ensure!(
        found.hits.iter().all(|hit| hit.record.id != subject.id),
        "search still finds the disposed person"
    );
    let links = h.app.links_of(&officer, event.id, &purpose).await?;
    ensure!(links.is_empty(), "links left: {links:?}");
    for row in h.store.audit_rows(0, 10_000).await? {
        let text = String::from_utf8_lossy(&row.leaf);
        ensure!(
            !text.contains("Quixley") && !text.contains("Zebedee"),
            "audit entry {} holds personal content",
            row.seq
        );
    }
    let again = h.app.dispose_record(&manager, subject.id, "Again").await;
    ensure!(
        matches!(again, Err(AppError::NotFound { .. })),
        "disposed twice: {again:?}"
    );

    // An evidence object's file goes with it.
    h.app
        .dispose_record(&manager, exhibit.id, "Exhibit no longer required")
        .await?;
    ensure!(
        h.blobs.size(&blob.key).await.is_err(),
        "the evidence file is still stored"
    );

    // The certificate names the erasure entry; once a checkpoint covers it, that too.
    let uncovered = h.app.deletion_certificate(&manager, subject.id).await?;
    ensure!(
        uncovered.checkpoint.is_none(),
        "covered before a checkpoint"
    );
    ensure!(
        uncovered.leaf_hash.len() == 64,
        "leaf hash {}",
        uncovered.leaf_hash
    );
    let signed = h.app.write_checkpoint().await?.context("a checkpoint")?;
    let certificate = h.app.deletion_certificate(&manager, subject.id).await?;
    let covering = certificate.checkpoint.context("a covering checkpoint")?;
    ensure!(
        covering.size == signed.checkpoint.size && covering.size > tombstone.audit_seq,
        "covering checkpoint {covering:?}"
    );
    let by_officer = h.app.deletion_certificate(&officer, subject.id).await;
    refused(
        h,
        by_officer,
        "record.review",
        LogKind::Consultation,
        &officer,
    )
    .await?;
    let missing = h.app.deletion_certificate(&manager, RecordId::new()).await;
    ensure!(
        matches!(missing, Err(AppError::NotFound { .. })),
        "{missing:?}"
    );

    // The log holds ids and hashes only, so it verifies unchanged after disposal.
    h.app.write_checkpoint().await?;
    let report = bluelamp_app::verify_audit_log(&*h.store, &h.key, &mut |_, _| {}).await?;
    ensure!(
        report.checkpoints_checked >= 2 && report.entries == h.store.audit_size().await?,
        "{report:?}"
    );
    Ok(())
}
