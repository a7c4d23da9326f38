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
//!   role traits [`RecordRepo`], [`LinkRepo`], [`StaffRepo`], [`IdentityRepo`] (passwords,
//!   second factors, sessions, teams), [`ReportRepo`], [`CaseworkRepo`] (crime number
//!   counters, allocations, tasks), [`RetentionRepo`] (MoPI review decisions, erasure and
//!   tombstones), [`AuditAppender`] and [`AuditReader`] (searching the audit log through its
//!   index, filtered by an [`AuditFilter`]).
//! * The transaction enforces the gate's last line of defence: [`StoreTx::commit`] refuses to
//!   commit a transaction that changed state but appended no audit entry
//!   ([`StoreError::UnauditedWrite`]).
//!
//! Backends: `bluelamp-store-sqlite` (the embedded default) and `bluelamp-store-postgres`.

#![forbid(unsafe_code)]

use async_trait::async_trait;
use bluelamp_audit::{Hash, LogKind, NewEntry, SignedCheckpoint, truncate_to_micros};
use bluelamp_domain::ids::RecordKind;
use bluelamp_domain::ids::{LinkId, RecordId, StaffId};
use bluelamp_domain::link::Link;
use bluelamp_domain::record::Record;
use chrono::{DateTime, Utc};

pub mod casework;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod identity;
pub mod retention;
pub mod rows;

pub use casework::{CaseworkRepo, ReportAllocationRow, ReportTaskRow};
pub use identity::{IdentityRepo, PendingSignInRow, StaffIdentityRow, StaffSessionRow, TeamRow};
pub use retention::{DisposalRow, ErasedRecord, RetentionRepo, RetentionReviewRow};

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
    /// The thing cannot be removed while something else depends on it.
    #[error("{what} {id} is in use: {by}")]
    InUse {
        /// What was to be removed ("record").
        what: &'static str,
        /// Its id.
        id: String,
        /// What depends on it (e.g. "it is the event of online report 7K3M9QXD2H4").
        by: String,
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
    /// Security clearance and briefed caveats.
    pub vetting: StaffVetting,
    /// The team the account belongs to, read from its identity state (set with
    /// `IdentityRepo::set_staff_team`; `insert_staff` ignores it).
    pub team_id: Option<uuid::Uuid>,
}

/// A staff account's vetting, for need-to-know decisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffVetting {
    /// The highest classification the account may see: `OFFICIAL`, `SECRET` or `TOP_SECRET`.
    pub clearance: String,
    /// The controlled handling caveats the account is briefed for, sorted, no duplicates.
    pub caveats: Vec<String>,
}

impl Default for StaffVetting {
    /// OFFICIAL, no caveats: every new account.
    fn default() -> Self {
        Self {
            clearance: "OFFICIAL".to_owned(),
            caveats: Vec::new(),
        }
    }
}

/// A record that shares search keys with a query, from [`RecordRepo::search_keys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMatch {
    /// The record.
    pub id: RecordId,
    /// How many of the query's keys it has.
    pub matched: u32,
}

/// Most keys one search may look up.
pub const MAX_SEARCH_KEYS: usize = 200;

/// Records: the POLE entities with their marking, provenance and retention.
///
/// Every record is indexed under its search keys (`bluelamp_domain::search::search_keys`),
/// written by the backend in the same transaction as the record: inserting adds them and
/// updating replaces them.
#[async_trait]
pub trait RecordRepo {
    /// Stores a new record and its search keys; fails with [`StoreError::AlreadyExists`] on a
    /// duplicate id.
    async fn insert_record(&mut self, record: &Record) -> StoreResult<()>;
    /// Stores many new records and their search keys with few statements (bulk loading);
    /// fails with [`StoreError::AlreadyExists`] when any id exists, after which the
    /// transaction must be rolled back (part of the batch may have been written in it).
    async fn insert_records(&mut self, records: &[Record]) -> StoreResult<()>;
    /// Replaces an existing record (same id) and its search keys; fails with
    /// [`StoreError::NotFound`].
    async fn update_record(&mut self, record: &Record) -> StoreResult<()>;
    /// Reads one record.
    async fn get_record(&mut self, id: RecordId) -> StoreResult<Option<Record>>;
    /// Reads the records among `ids` that exist, in no particular order.
    async fn get_records(&mut self, ids: &[RecordId]) -> StoreResult<Vec<Record>>;
    /// The records (optionally of one kind) that have any of `keys` (at most
    /// [`MAX_SEARCH_KEYS`]; more is [`StoreError::Database`]), with how many of the keys each
    /// has: most first, then by id; at most `limit`.
    async fn search_keys(
        &mut self,
        keys: &[String],
        kind: Option<RecordKind>,
        limit: u32,
    ) -> StoreResult<Vec<KeyMatch>>;
    /// The key scheme (`bluelamp_domain::search::KEY_SCHEME`) the search index was last
    /// rebuilt under: 0 for an index that has never been rebuilt.
    async fn search_scheme(&mut self) -> StoreResult<u32>;
    /// Records that the whole search index now follows key scheme `scheme`.
    async fn set_search_scheme(&mut self, scheme: u32) -> StoreResult<()>;
    /// Rewrites the search keys of the first `limit` records (id order) after `after` from
    /// their bodies; returns the last record rewritten and how many were, or `None` when there
    /// were none (the whole index has been rebuilt).
    async fn reindex_records(
        &mut self,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Option<(RecordId, usize)>>;
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

/// An online report as persisted: what its reporter needs to follow it. Its content lives in
/// POLE records (the event, people, places, objects and evidence), referenced by id.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// The report reference in compact form (e.g. `7K3M9QXD2H4`); unique.
    pub reference: String,
    /// Which journey it came through (`ReportKind::as_str`).
    pub kind: String,
    /// Where it has got to (`ReportStatus::as_str`).
    pub status: String,
    /// The event record the report describes.
    pub event_id: RecordId,
    /// The reporting person's record; `None` for anonymous information.
    pub reporter_id: Option<RecordId>,
    /// Where one-time codes are sent; `None` when the reporter gave no e-mail address (the
    /// report cannot then be followed online).
    pub contact_email: Option<String>,
    /// The submitter's idempotency key (one per started report); unique, so a repeated
    /// submission finds the report already made instead of making a second.
    pub idempotency_key: String,
    /// When it was received.
    pub submitted_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The crime number, once recorded as a crime.
    pub crime_number: Option<String>,
    /// Who is dealing with it, as shown to the reporter (e.g. "PC 2741 Patel").
    pub officer: Option<String>,
    /// The outcome category slug (data.police.uk), once closed.
    pub outcome: Option<String>,
    /// Answers that are not POLE content: support needs, contact preferences, the
    /// statement and age confirmations of a footage report, and so on (a JSON object).
    pub details: serde_json::Value,
}

/// One entry on a report's timeline: a status change, a message either way, information or
/// evidence added later.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportUpdateRow {
    /// Its id (UUIDv7: the timeline is in id order).
    pub id: uuid::Uuid,
    /// The report it belongs to (compact reference).
    pub reference: String,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened: `received`, `status`, `message`, `information`, `evidence`, `outcome`.
    pub kind: String,
    /// Who: `reporter`, `police` or `system`.
    pub author: String,
    /// The name shown for the author, e.g. "PC 2741 Patel".
    pub author_name: Option<String>,
    /// Words shown on the timeline (a message, a note).
    pub text: Option<String>,
    /// Structured detail (a JSON object), e.g. `{"status":"crime_recorded","crime_number":"…"}`
    /// or `{"records":["…"]}`.
    pub data: serde_json::Value,
}

/// A one-time code sent to a reporter so they can open their report. Only its SHA-256 is
/// stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneTimeCodeRow {
    /// Its id (UUIDv7).
    pub id: uuid::Uuid,
    /// The report it opens (compact reference).
    pub reference: String,
    /// SHA-256 of the code.
    pub code_hash: [u8; 32],
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used; a used code never works again.
    pub used_at: Option<DateTime<Utc>>,
    /// Wrong codes tried against it; too many and it stops working.
    pub failed_attempts: u32,
}

/// Online reports, their timelines and their one-time codes.
#[async_trait]
pub trait ReportRepo {
    /// Stores a new report. Fails with [`StoreError::AlreadyExists`] when the reference or the
    /// idempotency key is taken (`what` is "report").
    async fn insert_report(&mut self, report: &ReportRow) -> StoreResult<()>;
    /// Replaces the mutable fields of an existing report (status, updated_at, crime number,
    /// officer, outcome, details, contact e-mail); [`StoreError::NotFound`] if there is none,
    /// [`StoreError::AlreadyExists`] (`what` is "crime number") if another report has the
    /// crime number.
    async fn update_report(&mut self, report: &ReportRow) -> StoreResult<()>;
    /// Reads a report by its compact reference. On PostgreSQL the report's row is locked until
    /// the transaction ends, so concurrent changes of one report queue (and the second sees
    /// what the first did).
    async fn report_by_reference(&mut self, reference: &str) -> StoreResult<Option<ReportRow>>;
    /// Reads the report made with an idempotency key.
    async fn report_by_idempotency_key(&mut self, key: &str) -> StoreResult<Option<ReportRow>>;
    /// Reports, newest first, optionally with one status, at most `limit`.
    async fn list_reports(
        &mut self,
        status: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ReportRow>>;
    /// Adds an entry to a report's timeline; [`StoreError::NotFound`] if the report does not
    /// exist, [`StoreError::AlreadyExists`] on a duplicate id.
    async fn insert_report_update(&mut self, update: &ReportUpdateRow) -> StoreResult<()>;
    /// A report's timeline in id order.
    async fn report_updates(&mut self, reference: &str) -> StoreResult<Vec<ReportUpdateRow>>;
    /// Stores a one-time code; [`StoreError::NotFound`] if the report does not exist.
    async fn insert_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()>;
    /// The most recently issued code of a report.
    async fn latest_one_time_code(
        &mut self,
        reference: &str,
    ) -> StoreResult<Option<OneTimeCodeRow>>;
    /// Records a use or a failed attempt (`used_at`, `failed_attempts`);
    /// [`StoreError::NotFound`] if there is no such code.
    async fn update_one_time_code(&mut self, code: &OneTimeCodeRow) -> StoreResult<()>;
    /// How many codes were issued for a report at or after `since` (to limit how often
    /// codes can be asked for).
    async fn count_one_time_codes_since(
        &mut self,
        reference: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<u32>;
}

/// Appending to the audit log.
#[async_trait]
pub trait AuditAppender {
    /// Appends entries in order, assigning consecutive sequence numbers, and indexes them for
    /// [`AuditReader::search_audit`]; returns the sequence numbers.
    async fn append_audit(&mut self, entries: &[NewEntry]) -> StoreResult<Vec<u64>>;
}

/// Which audit entries [`AuditReader::search_audit`] returns: every condition that is set
/// must hold (none set: every entry).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The entry names this record.
    pub record: Option<uuid::Uuid>,
    /// The entry's actor is exactly this (e.g. `staff:0190…`).
    pub actor: Option<String>,
    /// The entry is of this s.62 kind.
    pub kind: Option<LogKind>,
    /// The entry's action is exactly this (e.g. `record.read`).
    pub action: Option<String>,
    /// The entry's purpose contains this text, ignoring the case of ASCII letters (an entry
    /// without a purpose never matches).
    pub purpose: Option<String>,
    /// The entry is at or after this time (to the microsecond).
    pub from: Option<DateTime<Utc>>,
    /// The entry is before this time (to the microsecond).
    pub to: Option<DateTime<Utc>>,
}

impl AuditFilter {
    /// Whether `entry` passes the filter: what every backend's search must agree with.
    #[must_use]
    pub fn matches(&self, entry: &NewEntry) -> bool {
        let record_ok = self
            .record
            .is_none_or(|record| entry.records.contains(&record));
        let actor_ok = self
            .actor
            .as_ref()
            .is_none_or(|actor| *actor == entry.actor);
        let kind_ok = self.kind.is_none_or(|kind| kind == entry.kind);
        let action_ok = self
            .action
            .as_ref()
            .is_none_or(|action| *action == entry.action);
        let purpose_ok = self.purpose.as_ref().is_none_or(|needle| {
            entry.purpose.as_ref().is_some_and(|purpose| {
                purpose
                    .to_ascii_lowercase()
                    .contains(&needle.to_ascii_lowercase())
            })
        });
        let at = truncate_to_micros(entry.at);
        let from_ok = self.from.is_none_or(|from| at >= truncate_to_micros(from));
        let to_ok = self.to.is_none_or(|to| at < truncate_to_micros(to));
        record_ok && actor_ok && kind_ok && action_ok && purpose_ok && from_ok && to_ok
    }
}

/// Most audit rows one [`AuditReader::search_audit`] call returns.
pub const MAX_AUDIT_SEARCH: u32 = 10_000;

/// Searching the audit log inside a transaction, so that a search and the entry recording it
/// land together.
///
/// Each backend keeps an index of the log (`audit_index`, `audit_index_records`; migration
/// `0007_audit_index.sql`) written by [`AuditAppender::append_audit`] in the same
/// transaction as the entries. The index only finds entries: what is returned are the rows of
/// the log itself, exactly as stored.
#[async_trait]
pub trait AuditReader {
    /// The stored rows of the entries that match `filter` (per the index) with a sequence
    /// number below `before` (all, when `None`), newest first (descending `seq`), at most
    /// `limit` (at most [`MAX_AUDIT_SEARCH`]; more is [`StoreError::Database`]).
    async fn search_audit(
        &mut self,
        filter: &AuditFilter,
        before: Option<u64>,
        limit: u32,
    ) -> StoreResult<Vec<StoredAuditRow>>;
}

/// One unit of work: every change and its audit entries commit together or not at all.
#[async_trait]
pub trait StoreTx:
    RecordRepo
    + LinkRepo
    + StaffRepo
    + IdentityRepo
    + ReportRepo
    + CaseworkRepo
    + RetentionRepo
    + AuditAppender
    + AuditReader
    + Send
{
    /// Commits. Refuses (and rolls back) when the transaction changed records, links,
    /// accounts (and their credentials, sessions and teams), reports, timelines or one-time
    /// codes without appending an audit entry.
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
    /// Finds a session (open or ended) and its account by the SHA-256 of its token
    /// (authentication of every request, so it reads outside a write transaction).
    async fn staff_session(
        &self,
        token_hash: &[u8; 32],
    ) -> StoreResult<Option<(StaffSessionRow, StaffRow)>>;
    /// Moves an open session's `last_seen_at` on to `at` (never back). Session bookkeeping,
    /// like checkpoints: it changes no account, record or credential, so it is not audited.
    async fn touch_staff_session(
        &self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}
