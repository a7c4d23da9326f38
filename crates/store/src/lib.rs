//! Storage contracts for Bluelamp.
//!
//! # Brief overview
//!
//! This crate holds no SQL. It defines the small role traits that every storage backend
//! implements, and (behind the `conformance` feature) the one conformance suite that every
//! backend must pass:
//!
//! * [`Store`] opens a [`StoreTx`] (a unit of work) and answers the few reads that are not
//!   about personal data: the audit log, checkpoints and token look-ups for authentication.
//! * [`StoreTx`] is everything a use case may do inside one transaction. It is the union of the
//!   role traits [`RecordRepo`], [`LinkRepo`], [`StaffRepo`] and [`AuditAppender`].
//! * The transaction enforces the gate's last line of defence: [`StoreTx::commit`] refuses to
//!   commit a transaction that changed state but appended no audit entry
//!   ([`StoreError::UnauditedWrite`]).
//!
//! Backends: `bluelamp-store-sqlite` (the embedded default) and `bluelamp-store-postgres`.

#![forbid(unsafe_code)]

use async_trait::async_trait;
use bluelamp_audit::{Hash, NewEntry, SignedCheckpoint};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::ids::{LinkId, RecordId, StaffId};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use chrono::{DateTime, Utc};

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod rows;

/// Errors a storage backend reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A record, link or account with this id already exists.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// What kind of thing collided ("record", "link", "staff account").
        what: &'static str,
        /// The colliding id or key.
        id: String,
    },
    /// A referenced record does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What kind of thing is missing.
        what: &'static str,
        /// The missing id.
        id: String,
    },
    /// The transaction changed state but appended no audit entry; it was rolled back.
    #[error("transaction changed state without an audit entry and was rolled back")]
    UnauditedWrite,
    /// Stored data could not be decoded (corruption or a bug).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database is unavailable or failed.
    #[error("database error: {0}")]
    Database(String),
}

/// Result type of the storage traits.
pub type StoreResult<T> = Result<T, StoreError>;

/// One stored audit log row, as the backend holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAuditRow {
    /// Position in the log (0-based, gapless).
    pub seq: u64,
    /// The canonical leaf bytes ([`bluelamp_audit::Entry::leaf_bytes`]).
    pub leaf: Vec<u8>,
    /// The leaf hash stored beside the bytes.
    pub leaf_hash: Hash,
}

/// A staff account as persisted. The application layer maps it to a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffRow {
    /// The account id.
    pub id: StaffId,
    /// Unique sign-in name.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role code (e.g. "officer"), validated by the application layer.
    pub role: String,
    /// Force slug (e.g. "leicestershire").
    pub force: String,
    /// SHA-256 of the API token; the token itself is never stored.
    pub token_hash: [u8; 32],
    /// Disabled accounts cannot authenticate.
    pub active: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Records: the POLE entities with their marking, provenance and retention.
#[async_trait]
pub trait RecordRepo {
    /// Stores a new record; fails with [`StoreError::AlreadyExists`] on a duplicate id.
    async fn insert_record(&mut self, record: &Record) -> StoreResult<()>;
    /// Replaces an existing record (same id); fails with [`StoreError::NotFound`].
    async fn update_record(&mut self, record: &Record) -> StoreResult<()>;
    /// Reads one record.
    async fn get_record(&mut self, id: RecordId) -> StoreResult<Option<Record>>;
    /// Lists records by id order (ids are UUIDv7, so creation order), optionally of one kind,
    /// starting after `after`, at most `limit`.
    async fn list_records(
        &mut self,
        kind: Option<RecordKind>,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<Record>>;
}

/// Typed, time-bounded links between records.
#[async_trait]
pub trait LinkRepo {
    /// Stores a link; both ends must exist ([`StoreError::NotFound`] otherwise).
    async fn insert_link(&mut self, link: &Link) -> StoreResult<()>;
    /// Reads one link.
    async fn get_link(&mut self, id: LinkId) -> StoreResult<Option<Link>>;
    /// Every link that has `id` at either end, in link id order.
    async fn links_of(&mut self, id: RecordId) -> StoreResult<Vec<Link>>;
}

/// Staff accounts.
#[async_trait]
pub trait StaffRepo {
    /// Creates an account; usernames are unique.
    async fn insert_staff(&mut self, staff: &StaffRow) -> StoreResult<()>;
    /// Finds an account by username.
    async fn staff_by_username(&mut self, username: &str) -> StoreResult<Option<StaffRow>>;
}

/// Appending to the audit log.
#[async_trait]
pub trait AuditAppender {
    /// Appends entries in order, assigning consecutive sequence numbers; returns them.
    async fn append_audit(&mut self, entries: &[NewEntry]) -> StoreResult<Vec<u64>>;
}

/// One unit of work: every change and its audit entries commit together or not at all.
#[async_trait]
pub trait StoreTx: RecordRepo + LinkRepo + StaffRepo + AuditAppender + Send {
    /// Commits. Refuses (and rolls back) when the transaction changed records, links or
    /// accounts without appending an audit entry.
    async fn commit(self: Box<Self>) -> StoreResult<()>;
    /// Abandons every change.
    async fn rollback(self: Box<Self>) -> StoreResult<()>;
}

/// A storage backend.
#[async_trait]
pub trait Store: Send + Sync {
    /// Short backend name for logs and metrics ("sqlite", "postgres").
    fn backend_name(&self) -> &'static str;
    /// Opens a write transaction.
    async fn begin(&self) -> StoreResult<Box<dyn StoreTx>>;
    /// Checks the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// Number of entries in the audit log.
    async fn audit_size(&self) -> StoreResult<u64>;
    /// Audit rows with `seq >= from`, in stored order, at most `limit`. The verifier reads the
    /// rows exactly as stored (it must see gaps, duplicates and reordering).
    async fn audit_rows(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredAuditRow>>;
    /// Stores a signed checkpoint (the audit log's own bookkeeping; not personal data).
    async fn insert_checkpoint(&self, checkpoint: &SignedCheckpoint) -> StoreResult<()>;
    /// Every checkpoint, by size.
    async fn checkpoints(&self) -> StoreResult<Vec<SignedCheckpoint>>;
    /// The checkpoint with the largest size.
    async fn latest_checkpoint(&self) -> StoreResult<Option<SignedCheckpoint>>;
    /// Finds an active account by the SHA-256 of its API token (authentication).
    async fn staff_by_token_hash(&self, token_hash: &[u8; 32]) -> StoreResult<Option<StaffRow>>;
}
