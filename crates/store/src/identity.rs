//! Staff identity: credentials, the second factor, failed sign-ins, sessions, pending sign-ins
//! and teams, as persisted.
//!
//! Secrets are stored only in the forms the application layer gives: the password as an
//! Argon2id PHC string, tokens as their SHA-256. The TOTP secret is stored as given (its
//! encryption at rest is a follow-up; see `ARCHITECTURE.md`).

use async_trait::async_trait;
use bluelamp_domain::ids::StaffId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{StaffRow, StoreResult};

/// The identity state of one staff account. An account that has never had any is
/// [`StaffIdentityRow::empty`].
#[derive(Clone, PartialEq, Eq)]
pub struct StaffIdentityRow {
    /// The account.
    pub staff_id: StaffId,
    /// The password as an Argon2id PHC string; `None` until one is set.
    pub password_hash: Option<String>,
    /// The active TOTP secret; `None` until enrolment is confirmed.
    pub totp_secret: Option<Vec<u8>>,
    /// A TOTP secret handed out for enrolment and not yet confirmed.
    pub totp_pending_secret: Option<Vec<u8>>,
    /// The last TOTP time step accepted; a code of this step or an earlier one is a replay.
    pub totp_last_step: Option<u64>,
    /// When the account was locked after too many failed sign-ins; `None` when not locked.
    pub locked_at: Option<DateTime<Utc>>,
    /// The last complete (two-factor) sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The team the account belongs to.
    pub team_id: Option<Uuid>,
}

impl StaffIdentityRow {
    /// The state of an account that has never had a password, second factor or team.
    #[must_use]
    pub fn empty(staff_id: StaffId) -> Self {
        Self {
            staff_id,
            password_hash: None,
            totp_secret: None,
            totp_pending_secret: None,
            totp_last_step: None,
            locked_at: None,
            last_sign_in_at: None,
            team_id: None,
        }
    }
}

impl std::fmt::Debug for StaffIdentityRow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StaffIdentityRow")
            .field("staff_id", &self.staff_id)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "(redacted)"),
            )
            .field(
                "totp_secret",
                &self.totp_secret.as_ref().map(|_| "(redacted)"),
            )
            .field(
                "totp_pending_secret",
                &self.totp_pending_secret.as_ref().map(|_| "(redacted)"),
            )
            .field("totp_last_step", &self.totp_last_step)
            .field("locked_at", &self.locked_at)
            .field("last_sign_in_at", &self.last_sign_in_at)
            .field("team_id", &self.team_id)
            .finish()
    }
}

/// A staff session; only the SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSessionRow {
    /// SHA-256 of the session token.
    pub token_hash: [u8; 32],
    /// Whose session it is.
    pub staff_id: StaffId,
    /// When it began (the absolute timeout counts from here).
    pub created_at: DateTime<Utc>,
    /// When it was last used (the idle timeout counts from here).
    pub last_seen_at: DateTime<Utc>,
    /// When it was ended (sign-out, account disabled, role changed); `None` while open.
    pub ended_at: Option<DateTime<Utc>>,
}

/// A sign-in whose password was accepted and which waits for its second factor; only the
/// SHA-256 of its token is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingSignInRow {
    /// SHA-256 of the pending token.
    pub token_hash: [u8; 32],
    /// The account signing in.
    pub staff_id: StaffId,
    /// When the password was accepted.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was used; a used pending sign-in never works again.
    pub used_at: Option<DateTime<Utc>>,
}

/// A team of staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamRow {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// Its name; unique.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Staff identity inside a transaction. Every method that changes state counts as a change
/// that needs an audit entry before commit.
#[async_trait]
pub trait IdentityRepo {
    /// Reads one account by id.
    async fn staff_by_id(&mut self, id: StaffId) -> StoreResult<Option<StaffRow>>;
    /// Every account, by username.
    async fn list_staff(&mut self) -> StoreResult<Vec<StaffRow>>;
    /// Changes an account's role; [`crate::StoreError::NotFound`] if there is no such account.
    async fn set_staff_role(&mut self, id: StaffId, role: &str) -> StoreResult<()>;
    /// Records an account's vetting; [`crate::StoreError::NotFound`] if there is no such
    /// account.
    async fn set_staff_vetting(
        &mut self,
        id: StaffId,
        vetting: &crate::StaffVetting,
    ) -> StoreResult<()>;
    /// Enables or disables an account; [`crate::StoreError::NotFound`] if there is none.
    async fn set_staff_active(&mut self, id: StaffId, active: bool) -> StoreResult<()>;
    /// Active accounts whose last sign-in (or, never signed in, their creation) is before
    /// `cutoff`, by username.
    async fn staff_inactive_since(&mut self, cutoff: DateTime<Utc>) -> StoreResult<Vec<StaffId>>;

    /// The identity state of an account ([`StaffIdentityRow::empty`] if it has none yet), or
    /// `None` if the account does not exist. On PostgreSQL the account's row is locked until
    /// the transaction ends, so concurrent sign-ins of one account queue.
    async fn staff_identity(&mut self, id: StaffId) -> StoreResult<Option<StaffIdentityRow>>;
    /// The identity state of every account that has one.
    async fn list_staff_identities(&mut self) -> StoreResult<Vec<StaffIdentityRow>>;
    /// Stores an account's identity state, replacing any; [`crate::StoreError::NotFound`] if
    /// the account (or the team named) does not exist.
    async fn put_staff_identity(&mut self, identity: &StaffIdentityRow) -> StoreResult<()>;

    /// Records a failed sign-in of an account at `at`.
    async fn insert_failed_sign_in(&mut self, id: StaffId, at: DateTime<Utc>) -> StoreResult<()>;
    /// How many failed sign-ins of an account happened at or after `since`.
    async fn count_failed_sign_ins_since(
        &mut self,
        id: StaffId,
        since: DateTime<Utc>,
    ) -> StoreResult<u32>;
    /// Forgets an account's failed sign-ins (after a success or a release).
    async fn clear_failed_sign_ins(&mut self, id: StaffId) -> StoreResult<()>;

    /// Stores a new session; [`crate::StoreError::AlreadyExists`] on a duplicate token hash.
    async fn insert_staff_session(&mut self, session: &StaffSessionRow) -> StoreResult<()>;
    /// Ends one open session at `at`; `false` if no open session has this token hash.
    async fn end_staff_session(
        &mut self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Ends every open session of an account at `at`; returns how many were open.
    async fn end_staff_sessions_of(&mut self, id: StaffId, at: DateTime<Utc>) -> StoreResult<u64>;

    /// Stores a pending sign-in; [`crate::StoreError::AlreadyExists`] on a duplicate hash.
    async fn insert_pending_sign_in(&mut self, pending: &PendingSignInRow) -> StoreResult<()>;
    /// Reads a pending sign-in by the SHA-256 of its token.
    async fn pending_sign_in(
        &mut self,
        token_hash: &[u8; 32],
    ) -> StoreResult<Option<PendingSignInRow>>;
    /// Marks a pending sign-in used; `false` if it was already used or does not exist.
    async fn use_pending_sign_in(
        &mut self,
        token_hash: &[u8; 32],
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Stores a team; [`crate::StoreError::AlreadyExists`] if the id or name is taken.
    async fn insert_team(&mut self, team: &TeamRow) -> StoreResult<()>;
    /// Every team, by name.
    async fn list_teams(&mut self) -> StoreResult<Vec<TeamRow>>;
}
