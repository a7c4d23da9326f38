//! MoPI review and disposal (uk-standards §1.3, RET-01).
//!
//! Every record carries its retention group and next review date, computed from the
//! `retention_groups` reference data when it is created. [`App::queue_due_reviews`] is the job
//! that finds the records whose review is due; information managers see them
//! ([`App::due_reviews`]) and decide: [`App::retain_record`] (a reason is required; the next
//! review moves on under the group's rule) or [`App::dispose_record`].
//!
//! Disposal runs in one gate transaction: the record's row, its search keys and every link to
//! or from it are removed (links are not kept even as ids: a link says who was involved in
//! what, which is personal data of the other party too), a report that named the record as its
//! reporting person keeps no reporter, and the tombstone (id, kind, when, by whom, under which
//! group, the reason, the erasure entry's sequence number) is written with the s.62 `erasure`
//! audit entry. An evidence object's file is deleted from the blob store just before the
//! commit: if the deletion fails nothing is disposed of; if the commit then fails, the record
//! remains without its file and disposing of it again completes the work. The audit log holds
//! only ids and hashes, so it verifies unchanged after disposal.

use bluelamp_audit::{LogKind, Outcome};
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::marking::Classification;
use bluelamp_domain::object::Object;
use bluelamp_domain::record::{Record, RecordBody};
use bluelamp_domain::retention::{Retention, RetentionGroup, next_review_after_retain};
use bluelamp_policy::{Action, Resource, ResourceKind};
use bluelamp_store::{DisposalRow, RetentionReviewRow};
use chrono::{DateTime, NaiveDate, Utc};

use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Inner, Principal, validate};

/// The purpose written in the audit entries of review and disposal.
pub const REVIEW_PURPOSE: &str = "MoPI review";

/// Most due reviews listed at once.
pub const MAX_DUE_REVIEWS: u32 = 500;

/// Longest reason accepted for a review decision, in characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// A record due for review: ids, group and dates, no personal content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReview {
    /// The record.
    pub id: RecordId,
    /// Its POLE kind.
    pub kind: RecordKind,
    /// Its MoPI group.
    pub group: RetentionGroup,
    /// Start of its clear period.
    pub clear_period_start: NaiveDate,
    /// The review date that has come.
    pub next_review: NaiveDate,
}

impl DueReview {
    fn of(record: &Record) -> DueReview {
        DueReview {
            id: record.id,
            kind: record.kind(),
            group: record.retention.group.clone(),
            clear_period_start: record.retention.clear_period_start,
            next_review: record.retention.next_review,
        }
    }
}

/// What is left of a disposed record. It holds no personal content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tombstone {
    /// The disposed record's id.
    pub id: RecordId,
    /// Its POLE kind.
    pub kind: RecordKind,
    /// Its classification.
    pub classification: Classification,
    /// The MoPI group it was disposed of under.
    pub group: String,
    /// The group's name in the reference data, when it has one.
    pub group_label: Option<String>,
    /// When.
    pub disposed_at: DateTime<Utc>,
    /// By whom (an audit actor id, e.g. `staff:0190…`).
    pub disposed_by: String,
    /// The reason given.
    pub reason: String,
    /// How many links to it were removed.
    pub links_removed: u32,
    /// Sequence number of the `erasure` audit entry.
    pub audit_seq: u64,
}

/// The deletion certificate of a disposed record: the tombstone, the erasure entry's leaf
/// hash and the signed checkpoint that covers it (none until the next checkpoint is signed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionCertificate {
    /// What was disposed of, when, by whom and under which rule.
    pub tombstone: Tombstone,
    /// The RFC 6962 leaf hash of the erasure entry, lowercase hex.
    pub leaf_hash: String,
    /// The first signed checkpoint whose tree includes the erasure entry, in its text form.
    pub checkpoint: Option<CoveringCheckpoint>,
}

/// A signed checkpoint covering an audit entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoveringCheckpoint {
    /// The tree size it commits to.
    pub size: u64,
    /// When it was signed.
    pub time: DateTime<Utc>,
    /// Its signed text (C2SP signed note).
    pub text: String,
}

/// Checks a review decision's reason: required, at most [`MAX_REASON_CHARS`].
fn checked_reason(reason: &str) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            "required",
            "give the reason for the decision",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::invalid(
            "reason",
            "too_long",
            format!("the reason must be {MAX_REASON_CHARS} characters or fewer"),
        ));
    }
    Ok(reason.to_owned())
}

impl Inner {
    /// The review collection of this force (for listing due reviews).
    fn review_collection(&self) -> Resource {
        self.resource(
            ResourceKind::RecordCollection,
            "records".to_owned(),
            Classification::Official,
            false,
        )
    }

    /// A tombstone with its group's label.
    fn tombstone(&self, row: DisposalRow) -> Result<Tombstone, AppError> {
        let classification: Classification = serde_json::from_value(serde_json::Value::String(
            row.classification.clone(),
        ))
        .map_err(|error| {
            AppError::Internal(format!(
                "tombstone {} has classification {:?}: {error}",
                row.record_id, row.classification
            ))
        })?;
        let group_label = self
            .refdata
            .retention_groups
            .get(&row.retention_group, row.disposed_at.date_naive())
            .map(|entry| entry.label.clone());
        Ok(Tombstone {
            id: row.record_id,
            kind: row.kind,
            classification,
            group: row.retention_group,
            group_label,
            disposed_at: row.disposed_at,
            disposed_by: row.disposed_by,
            reason: row.reason,
            links_removed: row.links_removed,
            audit_seq: row.audit_seq,
        })
    }

    /// The policy resource of a disposed record.
    fn tombstone_resource(&self, tombstone: &Tombstone, sensitive: bool) -> Resource {
        self.resource(
            ResourceKind::Record(tombstone.kind),
            tombstone.id.to_string(),
            tombstone.classification,
            sensitive,
        )
    }

    /// Reads a tombstone in its own read-only transaction; `NotFound` when there is none.
    async fn load_tombstone(&self, id: RecordId) -> Result<(Tombstone, bool), AppError> {
        let mut tx = self.store.begin().await?;
        let row = tx.disposal(id).await;
        tx.rollback().await?;
        match row? {
            Some(row) => {
                let sensitive = row.sensitive;
                Ok((self.tombstone(row)?, sensitive))
            }
            None => Err(AppError::NotFound {
                what: "record",
                id: id.to_string(),
            }),
        }
    }
}

impl App {
    /// The review job: every record (at most [`MAX_DUE_REVIEWS`]) whose review is due on
    /// `now`'s date, the longest overdue first. It returns ids, groups and dates only, no
    /// personal content, so like checkpoint writing it is the system's own bookkeeping and
    /// appends no audit entry; information managers act on the list through
    /// [`App::due_reviews`].
    pub async fn queue_due_reviews(&self, now: DateTime<Utc>) -> Result<Vec<DueReview>, AppError> {
        let mut tx = self.inner.store.begin().await?;
        let due = tx
            .due_reviews(now.date_naive(), None, MAX_DUE_REVIEWS)
            .await;
        tx.rollback().await?;
        let due: Vec<DueReview> = due?.iter().map(DueReview::of).collect();
        tracing::info!(due = due.len(), "records due for MoPI review");
        Ok(due)
    }

    /// Runs [`App::queue_due_reviews`] every `every` until `shutdown` is cancelled, logging
    /// how many records are due (the server's review job).
    pub fn spawn_review_job(
        &self,
        every: std::time::Duration,
        shutdown: tokio_util::sync::CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = ticker.tick() => {
                        if let Err(error) = app.queue_due_reviews(app.now()).await {
                            tracing::error!(%error, "the review job failed");
                        }
                    }
                }
            }
        })
    }

    /// The records due for review today, for an information manager (`record.review` on the
    /// force's records). Audited as one consultation naming the records listed, with the
    /// purpose [`REVIEW_PURPOSE`].
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id()))]
    pub async fn due_reviews(&self, who: &Principal) -> Result<Vec<DueReview>, AppError> {
        let inner = &self.inner;
        let mut facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReviewRecords,
            purpose: Some(REVIEW_PURPOSE),
            records: Vec::new(),
        };
        inner
            .authorise(who, &inner.review_collection(), &facts)
            .await?;
        let today = inner.clock.now().date_naive();
        let mut tx = inner.store.begin().await?;
        let records = match tx.due_reviews(today, None, MAX_DUE_REVIEWS).await {
            Ok(records) => records,
            Err(error) => return abandon(tx, error.into()).await,
        };
        // Only what this principal may review individually is listed.
        let due: Vec<DueReview> = records
            .iter()
            .filter(|record| {
                let resource = inner.resource_of(record);
                inner.decide(who, &resource, &facts)
            })
            .map(DueReview::of)
            .collect();
        facts.records = due.iter().map(|review| *review.id.as_uuid()).collect();
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(due)
    }

    /// Opens the transaction of a review decision on record `id`: checks the reason, reads
    /// the record and asks the policy. A disposed or missing record is `NotFound`.
    async fn begin_review(
        &self,
        who: &Principal,
        id: RecordId,
        reason: &str,
        facts: &AuditFacts<'_>,
    ) -> Result<(Box<dyn bluelamp_store::StoreTx>, Record, String), AppError> {
        let inner = &self.inner;
        let (tx, record) = inner
            .begin_consultation(who, id, facts, |inner, record| inner.resource_of(record))
            .await?;
        match checked_reason(reason) {
            Ok(reason) => Ok((tx, record, reason)),
            Err(error) => abandon(tx, error).await,
        }
    }

    /// Decides to retain record `id` on review: `reason` is required; the next review moves
    /// on under the group's rule, counted from today ([`next_review_after_retain`]). The
    /// decision is kept in the review log; audited as an `alteration` (`record.review`).
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn retain_record(
        &self,
        who: &Principal,
        id: RecordId,
        reason: &str,
    ) -> Result<Retention, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Alteration,
            action: Action::ReviewRecords,
            purpose: Some(REVIEW_PURPOSE),
            records: vec![*id.as_uuid()],
        };
        let (mut tx, mut record, reason) = self.begin_review(who, id, reason, &facts).await?;
        let now = inner.clock.now();
        let today = now.date_naive();
        let rule = match validate::retention_rule(&inner.refdata, &record.retention.group, today) {
            Ok(rule) => rule,
            Err(error) => return abandon(tx, error).await,
        };
        let next_review = next_review_after_retain(&rule, today, record.subject_date_of_birth());
        record.retention.next_review = next_review;
        let review = RetentionReviewRow {
            id: uuid::Uuid::now_v7(),
            record_id: id,
            decided_at: now,
            decided_by: who.actor_id(),
            decision: "retain".to_owned(),
            reason,
            next_review: Some(next_review),
        };
        let written = async {
            tx.update_record(&record).await?;
            tx.insert_review(&review).await
        }
        .await;
        if let Err(error) = written {
            return abandon(tx, error.into()).await;
        }
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(record.retention)
    }

    /// Disposes of record `id` under its MoPI group, for `reason` (required): erases its
    /// personal content everywhere (the record, its search keys, its links, an evidence
    /// object's file) and keeps a [`Tombstone`], in one transaction with the s.62 `erasure`
    /// entry (`record.dispose`). A record that is the event of an online report cannot be
    /// disposed of on its own (`in_use`).
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn dispose_record(
        &self,
        who: &Principal,
        id: RecordId,
        reason: &str,
    ) -> Result<Tombstone, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Erasure,
            action: Action::DisposeRecord,
            purpose: Some(REVIEW_PURPOSE),
            records: vec![*id.as_uuid()],
        };
        let (mut tx, record, reason) = self.begin_review(who, id, reason, &facts).await?;
        // Kept to the microsecond, as both backends store it.
        let now = bluelamp_audit::truncate_to_micros(inner.clock.now());
        let classification =
            match bluelamp_store::rows::classification_code(record.marking.classification()) {
                Ok(code) => code,
                Err(error) => return abandon(tx, error.into()).await,
            };
        let blob_key = match &record.body {
            RecordBody::Object(Object::Evidence(file)) => {
                match file.blob_key.parse::<bluelamp_evidence::BlobKey>() {
                    Ok(key) => Some(key),
                    Err(error) => {
                        let error = AppError::Internal(format!(
                            "evidence record {id} has an invalid blob key: {error}"
                        ));
                        return abandon(tx, error).await;
                    }
                }
            }
            _ => None,
        };
        let erased = match tx.erase_record(id).await {
            Ok(erased) => erased,
            Err(error) => return abandon(tx, error.into()).await,
        };
        let review = RetentionReviewRow {
            id: uuid::Uuid::now_v7(),
            record_id: id,
            decided_at: now,
            decided_by: who.actor_id(),
            decision: "dispose".to_owned(),
            reason: reason.clone(),
            next_review: None,
        };
        if let Err(error) = tx.insert_review(&review).await {
            return abandon(tx, error.into()).await;
        }
        let entry = inner.audit_entry(who, &facts, Outcome::Allowed);
        let audit_seq = match tx.append_audit(&[entry]).await {
            Ok(seqs) => match seqs.first() {
                Some(seq) => *seq,
                None => {
                    let error = AppError::Internal("no sequence number for the erasure".into());
                    return abandon(tx, error).await;
                }
            },
            Err(error) => return abandon(tx, error.into()).await,
        };
        let row = DisposalRow {
            record_id: id,
            kind: record.kind(),
            classification,
            sensitive: record.marking.is_sensitive(),
            retention_group: record.retention.group.as_str().to_owned(),
            disposed_at: now,
            disposed_by: who.actor_id(),
            reason,
            links_removed: erased.links_removed,
            audit_seq,
        };
        if let Err(error) = tx.insert_disposal(&row).await {
            return abandon(tx, error.into()).await;
        }
        if let Some(key) = blob_key
            && let Err(error) = inner.blobs.delete(&key).await
        {
            let error = AppError::Unavailable(format!("cannot delete the evidence file: {error}"));
            return abandon(tx, error).await;
        }
        tx.commit().await?;
        tracing::info!(
            links = erased.links_removed,
            seq = audit_seq,
            "record disposed of"
        );
        inner.tombstone(row)
    }

    /// The tombstone of a disposed record, for anyone who may read records of its kind and
    /// classification (`record.read`, with a purpose). Audited as a consultation. A record
    /// that was never disposed of is `NotFound`.
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn record_tombstone(
        &self,
        who: &Principal,
        id: RecordId,
        purpose: &bluelamp_domain::values::Purpose,
    ) -> Result<Tombstone, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReadRecord,
            purpose: Some(purpose.as_str()),
            records: vec![*id.as_uuid()],
        };
        let (tombstone, sensitive) = inner.load_tombstone(id).await?;
        inner
            .authorise(
                who,
                &inner.tombstone_resource(&tombstone, sensitive),
                &facts,
            )
            .await?;
        let tx = inner.store.begin().await?;
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(tombstone)
    }

    /// The deletion certificate of a disposed record, for information managers
    /// (`record.review`). Audited as a consultation with the purpose [`REVIEW_PURPOSE`].
    #[tracing::instrument(skip_all, fields(actor = %who.actor_id(), record = %id))]
    pub async fn deletion_certificate(
        &self,
        who: &Principal,
        id: RecordId,
    ) -> Result<DeletionCertificate, AppError> {
        let inner = &self.inner;
        let facts = AuditFacts {
            kind: LogKind::Consultation,
            action: Action::ReviewRecords,
            purpose: Some(REVIEW_PURPOSE),
            records: vec![*id.as_uuid()],
        };
        // Who may review the force's records at all is asked first, so that anyone else is
        // refused (and audited) alike whether or not the record was disposed of.
        inner
            .authorise(who, &inner.review_collection(), &facts)
            .await?;
        let (tombstone, sensitive) = inner.load_tombstone(id).await?;
        inner
            .authorise(
                who,
                &inner.tombstone_resource(&tombstone, sensitive),
                &facts,
            )
            .await?;
        let rows = inner.store.audit_rows(tombstone.audit_seq, 1).await?;
        let leaf_hash = rows
            .first()
            .filter(|row| row.seq == tombstone.audit_seq)
            .map(|row| hex::encode(row.leaf_hash))
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "the erasure entry {} of record {id} is missing",
                    tombstone.audit_seq
                ))
            })?;
        let checkpoint = inner
            .store
            .checkpoints()
            .await?
            .into_iter()
            .find(|signed| signed.checkpoint.size > tombstone.audit_seq)
            .map(|signed| CoveringCheckpoint {
                size: signed.checkpoint.size,
                time: signed.checkpoint.time,
                text: signed.to_text(),
            });
        let tx = inner.store.begin().await?;
        inner.audit_and_commit(who, tx, &facts).await?;
        Ok(DeletionCertificate {
            tombstone,
            leaf_hash,
            checkpoint,
        })
    }
}
