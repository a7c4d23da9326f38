//! MoPI review and disposal, as persisted: the review log (every retain or dispose decision
//! with its reason) and the tombstones of disposed records.

use async_trait::async_trait;
use bluelamp_domain::ids::{RecordId, RecordKind};
use bluelamp_domain::record::Record;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::StoreResult;

/// One review decision on a record: `retain` (with the next review date it set) or
/// `dispose`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionReviewRow {
    /// Its id (UUIDv7: a record's reviews are listed in id order).
    pub id: Uuid,
    /// The record reviewed.
    pub record_id: RecordId,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
    /// Who made it (an audit actor id, e.g. `staff:0190…`).
    pub decided_by: String,
    /// `retain` or `dispose`.
    pub decision: String,
    /// Why (required: every retain decision is recorded with its reason).
    pub reason: String,
    /// The next review date a `retain` set.
    pub next_review: Option<NaiveDate>,
}

/// What is left of a disposed record: who disposed of it, when and under which rule. It
/// holds no personal content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisposalRow {
    /// The disposed record's id.
    pub record_id: RecordId,
    /// Its POLE kind.
    pub kind: RecordKind,
    /// Its classification code (e.g. `OFFICIAL`), so access to the tombstone stays bounded
    /// by clearance.
    pub classification: String,
    /// Whether it carried the sensitive handling caveat.
    pub sensitive: bool,
    /// Its MoPI retention group, the rule it was disposed of under.
    pub retention_group: String,
    /// When it was disposed of.
    pub disposed_at: DateTime<Utc>,
    /// Who disposed of it (an audit actor id).
    pub disposed_by: String,
    /// The reason given.
    pub reason: String,
    /// How many links to it were removed.
    pub links_removed: u32,
    /// Sequence number of the `erasure` audit entry.
    pub audit_seq: u64,
}

/// What [`RetentionRepo::erase_record`] removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErasedRecord {
    /// How many links had the record at either end.
    pub links_removed: u32,
}

/// MoPI review and disposal.
#[async_trait]
pub trait RetentionRepo {
    /// Records (optionally of one kind) whose next review is on or before `on`, the longest
    /// overdue first (then by id), at most `limit`.
    async fn due_reviews(
        &mut self,
        on: NaiveDate,
        kind: Option<RecordKind>,
        limit: u32,
    ) -> StoreResult<Vec<Record>>;
    /// Stores a review decision; [`crate::StoreError::AlreadyExists`] on a duplicate id.
    async fn insert_review(&mut self, review: &RetentionReviewRow) -> StoreResult<()>;
    /// A record's review decisions in id order.
    async fn reviews_of(&mut self, id: RecordId) -> StoreResult<Vec<RetentionReviewRow>>;
    /// Erases a record: its row, its search keys and every link to or from it; a report
    /// that named it as the reporting person keeps no reporter. [`crate::StoreError::NotFound`]
    /// when there is no such record, [`crate::StoreError::InUse`] when it is the event of an
    /// online report (the report would be left without its event).
    async fn erase_record(&mut self, id: RecordId) -> StoreResult<ErasedRecord>;
    /// Stores a tombstone; [`crate::StoreError::AlreadyExists`] when the record has one.
    async fn insert_disposal(&mut self, disposal: &DisposalRow) -> StoreResult<()>;
    /// The tombstone of a disposed record.
    async fn disposal(&mut self, id: RecordId) -> StoreResult<Option<DisposalRow>>;
}
