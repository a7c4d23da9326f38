//! The application layer of Bluelamp: use cases behind the gate.
//!
//! # Brief overview
//!
//! [`App`] is the only way into Bluelamp's data. Each public method is one use case and runs
//! the gate: authorise with the policy ([`bluelamp_policy::PolicyEngine`], default deny) →
//! act on the store inside one transaction ([`bluelamp_store::StoreTx`]) → append the s.62
//! audit entry → commit, so the change and its entry land together. Refused attempts are
//! audited too. Reads of personal data take a [`Purpose`](bluelamp_domain::values::Purpose),
//! written into the consultation entry.
//!
//! * [`records`], [`links`], [`staff`]: the use cases and their inputs ([`NewRecord`],
//!   [`NewLink`], [`NewStaff`]);
//! * [`reports`]: online reports from the public — submit, follow with an e-mailed one-time
//!   code, messages both ways, and the police side that moves a report on;
//! * [`triage`] and [`casework`]: the staff side of online reports — the triage queue,
//!   THRIVE assessment, the report page ([`StaffReportView`]), crime recording with
//!   system-issued crime numbers, allocation and "my work", tasks and Victims' Code
//!   deadlines, closing and linking duplicates;
//! * [`identity`]: staff passwords, the TOTP second factor, two-step sign-in, lockout,
//!   sessions and the administration of accounts and teams ([`IdentitySettings`]);
//! * [`retention`]: MoPI review and disposal — the records due for review, retain decisions,
//!   disposal that erases a record's personal content and keeps a tombstone, and the
//!   deletion certificate;
//! * [`search`]: one-box search over POLE records ([`App::search_records`]);
//! * [`checkpoints`]: signed checkpoints of the audit log ([`App::write_checkpoint`],
//!   [`App::spawn_checkpointer`]);
//! * [`audit_log`]: the audit log for those who check it — searching it
//!   ([`App::search_audit`], information managers, itself audited), inclusion proofs against
//!   the latest checkpoint ([`App::audit_inclusion_proof`]) and consistency proofs between
//!   two sizes ([`App::audit_consistency_proof`], public: hashes only);
//! * [`verify`]: [`verify_audit_log`] recomputes the log from the stored rows;
//! * [`keys`]: the signing key on disk;
//! * [`AppError`]: one error type with stable codes.

#![forbid(unsafe_code)]

use std::sync::Arc;

use bluelamp_audit::{CheckpointSigner, Frontier, VerifyingKey};
use bluelamp_domain::refdata::ReferenceData;
use bluelamp_policy::PolicyEngine;
use bluelamp_store::Store;

pub mod audit_log;
pub mod casework;
pub mod checkpoints;
mod clock;
mod error;
mod gate;
pub mod handling;
pub mod identity;
pub mod keys;
pub mod links;
pub mod policy;
mod principal;
pub mod record_view;
pub mod records;
pub mod reports;
pub mod retention;
pub mod search;
pub mod staff;
pub mod triage;
mod validate;
pub mod verify;

pub use audit_log::{
    AuditPage, AuditQuery, AuditRecord, ConsistencyProof, InclusionProof, MAX_AUDIT_RESULTS,
};
pub use casework::{
    Allocation, AllocationView, AssessmentView, Colleague, DecisionKind, RecordingDecisionView,
    ReporterAccount, StaffReportView, StaffTimelineEntry, TaskKind, TaskView, WorkItem,
};
pub use clock::{Clock, SystemClock};
pub use error::AppError;
pub use identity::{
    IdentitySettings, IdentitySettingsError, PasswordSettings, PasswordStep, PendingSignIn,
    StaffSession, StaffSummary, Team, TotpEnrolment,
};
pub use links::NewLink;
pub use policy::PolicyChange;
pub use principal::Principal;
pub use record_view::{LinkedRecord, RecordView};
pub use records::{ListQuery, NewRecord, RecordPage};
pub use reports::{
    Author, CodeRequest, EvidenceReceipt, FileSummary, NewReport, OutcomeView, PoliceUpdate,
    ReceivedBy, ReportSettings, ReportView, SubmittedReport, TimelineEntry,
};
pub use retention::{DeletionCertificate, DueReview, REVIEW_PURPOSE, Tombstone};
pub use search::{MAX_SEARCH_RESULTS, SearchHit, SearchResults};
pub use staff::{CreatedStaff, NewStaff, reveal_token};
pub use triage::{Assessment, QueueItem};
pub use verify::{VerifyFailure, verify_audit_log};

/// Everything an [`App`] is built from.
pub struct AppParts {
    /// The storage backend.
    pub store: Arc<dyn Store>,
    /// The authorisation policies.
    pub policy: Arc<PolicyEngine>,
    /// Versioned reference data.
    pub refdata: Arc<ReferenceData>,
    /// Signs audit checkpoints.
    pub signer: Arc<CheckpointSigner>,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// Origin line of the checkpoints, e.g. `bluelamp/leicestershire`.
    pub log_origin: String,
    /// The force this deployment serves (a force slug); records belong to it.
    pub force: String,
    /// Sends e-mail to the public (one-time codes).
    pub mailer: bluelamp_mail::Mailer,
    /// Limits of online reports' one-time codes.
    pub reports: ReportSettings,
    /// Limits and times of staff sign-in, lockout and sessions.
    pub identity: IdentitySettings,
    /// Where evidence files are kept (disposal erases them).
    pub blobs: bluelamp_evidence::BlobStore,
}

/// The application: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

/// The shared state behind [`App`].
pub(crate) struct Inner {
    pub(crate) store: Arc<dyn Store>,
    /// The policy in force; [`App::adopt_policy`] replaces it.
    pub(crate) policy: std::sync::RwLock<Arc<PolicyEngine>>,
    pub(crate) refdata: Arc<ReferenceData>,
    pub(crate) signer: Arc<CheckpointSigner>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) log_origin: String,
    pub(crate) force: String,
    pub(crate) mailer: bluelamp_mail::Mailer,
    pub(crate) reports: ReportSettings,
    pub(crate) identity: IdentitySettings,
    pub(crate) blobs: bluelamp_evidence::BlobStore,
    /// The Merkle frontier over the entries already covered by the signer.
    pub(crate) frontier: tokio::sync::Mutex<Frontier>,
}

impl App {
    /// Builds the application from its parts.
    pub fn new(parts: AppParts) -> App {
        App {
            inner: Arc::new(Inner {
                store: parts.store,
                policy: std::sync::RwLock::new(parts.policy),
                refdata: parts.refdata,
                signer: parts.signer,
                clock: parts.clock,
                log_origin: parts.log_origin,
                force: parts.force,
                mailer: parts.mailer,
                reports: parts.reports,
                identity: parts.identity,
                blobs: parts.blobs,
                frontier: tokio::sync::Mutex::new(Frontier::new()),
            }),
        }
    }

    /// The reference data in force.
    pub fn refdata(&self) -> &ReferenceData {
        &self.inner.refdata
    }

    /// Where evidence files are kept (shared with the portal, which receives them).
    pub fn blobs(&self) -> &bluelamp_evidence::BlobStore {
        &self.inner.blobs
    }

    /// The current time on the application's clock (what deadlines are measured against).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// The key that verifies this deployment's checkpoints.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.inner.signer.verifying_key()
    }

    /// The force this deployment serves.
    pub fn force(&self) -> &str {
        &self.inner.force
    }

    /// Name of the storage backend ("sqlite", "postgres").
    pub fn backend_name(&self) -> &'static str {
        self.inner.store.backend_name()
    }

    /// Whether the store holds any record at all (e.g. to seed a demo force only once). The
    /// answer discloses no personal data, so it needs no purpose and appends no entry.
    pub async fn holds_records(&self) -> Result<bool, AppError> {
        let mut tx = self.inner.store.begin().await?;
        let first = tx.list_records(None, None, 1).await;
        tx.rollback().await?;
        Ok(!first?.is_empty())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        Ok(self.inner.store.ping().await?)
    }
}
