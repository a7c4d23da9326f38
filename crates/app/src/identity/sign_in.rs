//! Two-step sign-in, second-factor enrolment, lockout, sessions and sign-out.

use std::net::IpAddr;

use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_domain::ids::StaffId;
use bluelamp_policy::Action;
use bluelamp_store::{PendingSignInRow, StaffIdentityRow, StaffRow, StaffSessionRow, StoreTx};
use chrono::{DateTime, Utc};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};

use super::{
    PENDING_PREFIX, PasswordStep, PendingSignIn, SESSION_PREFIX, StaffSession, TOTP_ISSUER,
    TotpEnrolment, new_token, password, staff_principal, token_hash, totp, well_formed,
};
use crate::gate::{AuditFacts, abandon};
use crate::{App, AppError, Inner, Principal};

/// Purpose written in entries of the password step.
const PASSWORD_STEP: &str = "password";

/// Purpose written in entries of the second-factor step.
const SECOND_FACTOR_STEP: &str = "second factor";

/// The actor of sign-in events about no known account.
fn sign_in_system(force: &str) -> Principal {
    Principal::system("sign-in", force)
}

/// Audit facts about one account.
fn facts(kind: LogKind, action: Action, step: Option<&str>, id: StaffId) -> AuditFacts<'_> {
    AuditFacts {
        kind,
        action,
        purpose: step,
        records: vec![*id.as_uuid()],
    }
}

/// A pending sign-in that is still usable, with its account and identity state; the
/// transaction stays open (on PostgreSQL the account row is locked).
struct OpenPending {
    tx: Box<dyn StoreTx>,
    hash: [u8; 32],
    staff: StaffRow,
    identity: StaffIdentityRow,
    who: Principal,
}

impl Inner {
    /// Appends `entries` and commits.
    async fn append_and_commit(
        &self,
        mut tx: Box<dyn StoreTx>,
        entries: &[NewEntry],
    ) -> Result<(), AppError> {
        tx.append_audit(entries).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed sign-in of a known account in `tx`: the failure, and a lockout when
    /// it makes too many within the window. Commits with the audit entries and returns the
    /// generic error.
    async fn fail_sign_in(
        &self,
        mut tx: Box<dyn StoreTx>,
        who: &Principal,
        mut identity: StaffIdentityRow,
        action: Action,
        step: &str,
    ) -> AppError {
        let now = self.clock.now();
        let id = identity.staff_id;
        let result = async {
            tx.insert_failed_sign_in(id, now).await?;
            let since = now - self.identity.failure_window;
            let failures = tx.count_failed_sign_ins_since(id, since).await?;
            let mut entries = vec![self.audit_entry(
                who,
                &facts(LogKind::Consultation, action, Some(step), id),
                Outcome::Denied,
            )];
            if failures >= self.identity.max_failed_sign_ins && identity.locked_at.is_none() {
                identity.locked_at = Some(now);
                tx.put_staff_identity(&identity).await?;
                entries.push(self.audit_entry(
                    who,
                    &facts(LogKind::Alteration, Action::LockStaff, None, id),
                    Outcome::Allowed,
                ));
                tracing::warn!(staff = %id, failures, "staff account locked after failed sign-ins");
            }
            Ok::<_, AppError>(entries)
        }
        .await;
        match result {
            Ok(entries) => match self.append_and_commit(tx, &entries).await {
                Ok(()) => AppError::Unauthenticated,
                Err(error) => error,
            },
            Err(error) => abandon::<()>(tx, error)
                .await
                .err()
                .unwrap_or(AppError::Unauthenticated),
        }
    }

    /// Audits a refused sign-in that changes nothing (unknown account or pending token,
    /// disabled or locked account) in its own transaction; returns the generic error.
    async fn refuse_sign_in(
        &self,
        who: &Principal,
        staff_id: Option<StaffId>,
        action: Action,
        step: &str,
    ) -> AppError {
        let entry = self.audit_entry(
            who,
            &AuditFacts {
                kind: LogKind::Consultation,
                action,
                purpose: Some(step),
                records: staff_id.map(|id| vec![*id.as_uuid()]).unwrap_or_default(),
            },
            Outcome::Denied,
        );
        let recorded = async {
            let mut tx = self.store.begin().await?;
            tx.append_audit(&[entry]).await?;
            tx.commit().await
        }
        .await;
        match recorded {
            Ok(()) => AppError::Unauthenticated,
            Err(error) => error.into(),
        }
    }

    /// Opens a pending sign-in: refuses (audited, generic error; the actor is the account
    /// when the token names one) an unknown, used or expired token and a disabled or locked
    /// account.
    async fn open_pending(
        &self,
        pending: &SecretString,
        action: Action,
    ) -> Result<OpenPending, AppError> {
        let system = sign_in_system(&self.force);
        let token = pending.expose_secret();
        if !well_formed(token, PENDING_PREFIX) {
            return Err(self
                .refuse_sign_in(&system, None, action, SECOND_FACTOR_STEP)
                .await);
        }
        let hash = token_hash(token);
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let loaded = async {
            let Some(row) = tx.pending_sign_in(&hash).await? else {
                return Ok(None);
            };
            let staff = tx.staff_by_id(row.staff_id).await?;
            let identity = tx.staff_identity(row.staff_id).await?;
            Ok::<_, AppError>(staff.zip(identity).map(|found| (row, found)))
        }
        .await;
        let (row, (staff, identity)) = match loaded {
            Ok(Some(found)) => found,
            Ok(None) => {
                tx.rollback().await?;
                return Err(self
                    .refuse_sign_in(&system, None, action, SECOND_FACTOR_STEP)
                    .await);
            }
            Err(error) => return abandon(tx, error).await,
        };
        let who = match staff_principal(&staff) {
            Ok(who) => who,
            Err(error) => return abandon(tx, error).await,
        };
        let usable = row.used_at.is_none() && now < row.expires_at;
        if !usable || !staff.active || identity.locked_at.is_some() {
            tx.rollback().await?;
            return Err(self
                .refuse_sign_in(&who, Some(staff.id), action, SECOND_FACTOR_STEP)
                .await);
        }
        Ok(OpenPending {
            tx,
            hash,
            staff,
            identity,
            who,
        })
    }

    /// Completes a sign-in in `tx`: uses the pending sign-in, stores the identity state
    /// (with the sign-in time), forgets failures and opens a session. Returns the session;
    /// the caller appends the entries and commits.
    async fn open_session(
        &self,
        tx: &mut Box<dyn StoreTx>,
        pending_hash: &[u8; 32],
        identity: &mut StaffIdentityRow,
        now: DateTime<Utc>,
    ) -> Result<StaffSession, AppError> {
        if !tx.use_pending_sign_in(pending_hash, now).await? {
            return Err(AppError::Unauthenticated);
        }
        identity.last_sign_in_at = Some(now);
        tx.put_staff_identity(identity).await?;
        tx.clear_failed_sign_ins(identity.staff_id).await?;
        let token = new_token(SESSION_PREFIX);
        tx.insert_staff_session(&StaffSessionRow {
            token_hash: token_hash(&token),
            staff_id: identity.staff_id,
            created_at: now,
            last_seen_at: now,
            ended_at: None,
        })
        .await?;
        Ok(StaffSession {
            token: SecretString::from(token),
            staff_id: identity.staff_id,
            created_at: now,
            expires_at: now + self.identity.absolute_timeout,
            idle_timeout: self.identity.idle_timeout,
        })
    }
}

impl App {
    /// The first step of signing in: checks the password. Refuses with the same
    /// [`AppError::Unauthenticated`] whatever the cause (unknown user, wrong password,
    /// disabled or locked account, too many failures), taking about as long for an unknown
    /// user (a dummy Argon2 hash). A wrong password counts towards the lockout. The 6th
    /// attempt on a locked account is refused even with the right password.
    ///
    /// On success the answer holds a pending sign-in (single use, a few minutes) for
    /// [`App::sign_in_totp`], or, without a second factor yet, for enrolment. Audited: every
    /// attempt (`staff.sign_in`, purpose `password`), and a lockout (`staff.lock`).
    /// `client_ip` is written to the application log only (the audit log holds no personal
    /// content).
    #[tracing::instrument(skip_all, fields(client_ip = ?client_ip))]
    pub async fn sign_in_password(
        &self,
        username: &str,
        password: &SecretString,
        client_ip: Option<IpAddr>,
    ) -> Result<PasswordStep, AppError> {
        let inner = &self.inner;
        let settings = inner.identity.passwords.clone();
        let system = sign_in_system(&inner.force);
        let too_long = password.expose_secret().chars().count() > settings.max_chars;

        // Read the account, then leave the writer free while Argon2 runs.
        let mut tx = inner.store.begin().await?;
        let loaded = async {
            let Some(staff) = tx.staff_by_username(username).await? else {
                return Ok(None);
            };
            let identity = tx.staff_identity(staff.id).await?;
            Ok::<_, AppError>(identity.map(|identity| (staff, identity)))
        }
        .await;
        tx.rollback().await?;
        let stored_hash = match &loaded {
            Ok(Some((_, identity))) if !too_long => identity.password_hash.clone(),
            Ok(_) => None,
            Err(_) => None,
        };
        let candidate = if too_long {
            SecretString::from(String::new())
        } else {
            password.clone()
        };
        let matches = password::verify(candidate, stored_hash, settings).await?;
        let Some((staff, _)) = loaded? else {
            tracing::info!("sign-in refused: unknown username");
            return Err(inner
                .refuse_sign_in(&system, None, Action::SignIn, PASSWORD_STEP)
                .await);
        };
        let who = staff_principal(&staff)?;

        // Decide on fresh state (on PostgreSQL the account row is locked from here).
        let now = inner.clock.now();
        let mut tx = inner.store.begin().await?;
        let identity = match tx.staff_identity(staff.id).await {
            Ok(Some(identity)) => identity,
            Ok(None) => {
                tx.rollback().await?;
                return Err(inner
                    .refuse_sign_in(&system, None, Action::SignIn, PASSWORD_STEP)
                    .await);
            }
            Err(error) => return abandon(tx, error.into()).await,
        };
        if !staff.active || identity.locked_at.is_some() {
            tx.rollback().await?;
            tracing::info!(staff = %staff.id, "sign-in refused: account disabled or locked");
            return Err(inner
                .refuse_sign_in(&who, Some(staff.id), Action::SignIn, PASSWORD_STEP)
                .await);
        }
        if !matches {
            tracing::info!(staff = %staff.id, "sign-in refused: wrong password");
            return Err(inner
                .fail_sign_in(tx, &who, identity, Action::SignIn, PASSWORD_STEP)
                .await);
        }
        let token = new_token(PENDING_PREFIX);
        let expires_at = now + inner.identity.pending_sign_in_ttl;
        let row = PendingSignInRow {
            token_hash: token_hash(&token),
            staff_id: staff.id,
            created_at: now,
            expires_at,
            used_at: None,
        };
        if let Err(error) = tx.insert_pending_sign_in(&row).await {
            return abandon(tx, error.into()).await;
        }
        let entry = inner.audit_entry(
            &who,
            &facts(
                LogKind::Consultation,
                Action::SignIn,
                Some(PASSWORD_STEP),
                staff.id,
            ),
            Outcome::Allowed,
        );
        inner.append_and_commit(tx, &[entry]).await?;
        let pending = PendingSignIn {
            token: SecretString::from(token),
            expires_at,
        };
        Ok(if identity.totp_secret.is_some() {
            PasswordStep::PasswordAccepted(pending)
        } else {
            PasswordStep::NeedsEnrolment(pending)
        })
    }

    /// The second step of signing in: a six-digit code from the account's authenticator
    /// (RFC 6238; the steps either side of now are accepted; a code of a step already used
    /// is a replay and refused). On success the pending sign-in is used up and a fresh
    /// session opens. A wrong code counts towards the lockout; every refusal is the same
    /// [`AppError::Unauthenticated`]. An account without a second factor must enrol instead
    /// (`enrolment_required`). Audited (`staff.sign_in`, purpose `second factor`).
    #[tracing::instrument(skip_all)]
    pub async fn sign_in_totp(
        &self,
        pending: &SecretString,
        code: &SecretString,
    ) -> Result<StaffSession, AppError> {
        let inner = &self.inner;
        let OpenPending {
            mut tx,
            hash,
            staff,
            mut identity,
            who,
        } = inner.open_pending(pending, Action::SignIn).await?;
        let Some(secret) = identity.totp_secret.clone() else {
            tx.rollback().await?;
            return Err(AppError::invalid(
                "code",
                "enrolment_required",
                "this account has no second factor yet: enrol one first",
            ));
        };
        let now = inner.clock.now();
        let step = match totp::verify(
            &secret,
            code.expose_secret(),
            now,
            identity.totp_last_step,
            inner.identity.totp_skew_steps,
        ) {
            Ok(step) => step,
            Err(rejection) => {
                tracing::info!(staff = %staff.id, ?rejection, "second factor refused");
                return Err(inner
                    .fail_sign_in(tx, &who, identity, Action::SignIn, SECOND_FACTOR_STEP)
                    .await);
            }
        };
        identity.totp_last_step = Some(step);
        let session = match inner.open_session(&mut tx, &hash, &mut identity, now).await {
            Ok(session) => session,
            Err(error) => return abandon(tx, error).await,
        };
        let entry = inner.audit_entry(
            &who,
            &facts(
                LogKind::Consultation,
                Action::SignIn,
                Some(SECOND_FACTOR_STEP),
                staff.id,
            ),
            Outcome::Allowed,
        );
        inner.append_and_commit(tx, &[entry]).await?;
        Ok(session)
    }

    /// Hands out a new second factor for an account signing in without one (the pending
    /// sign-in of a [`PasswordStep::NeedsEnrolment`]): 20 random bytes, kept pending until
    /// [`App::confirm_totp_enrolment`]. Asking again replaces the pending secret. Refused
    /// (`conflict`) when the account already has a second factor. Audited (`staff.totp`).
    #[tracing::instrument(skip_all)]
    pub async fn begin_totp_enrolment(
        &self,
        pending: &SecretString,
    ) -> Result<TotpEnrolment, AppError> {
        let inner = &self.inner;
        let OpenPending {
            mut tx,
            staff,
            mut identity,
            who,
            ..
        } = inner.open_pending(pending, Action::EnrolTotp).await?;
        if identity.totp_secret.is_some() {
            return abandon(
                tx,
                AppError::Conflict {
                    what: "second factor of",
                    id: staff.username,
                },
            )
            .await;
        }
        let mut secret = vec![0_u8; totp::SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        identity.totp_pending_secret = Some(secret.clone());
        if let Err(error) = tx.put_staff_identity(&identity).await {
            return abandon(tx, error.into()).await;
        }
        inner
            .audit_and_commit(
                &who,
                tx,
                &facts(LogKind::Alteration, Action::EnrolTotp, None, staff.id),
            )
            .await?;
        Ok(TotpEnrolment {
            secret_base32: SecretString::from(totp::base32(&secret)),
            uri: SecretString::from(totp::otpauth_uri(TOTP_ISSUER, &staff.username, &secret)),
        })
    }

    /// Confirms enrolment with a code from the new authenticator: the pending secret becomes
    /// the account's second factor and, both factors now proved, a session opens. A wrong
    /// code counts towards the lockout and is refused with [`AppError::Unauthenticated`];
    /// with no enrolment begun the answer is `enrolment_not_begun`. Audited (`staff.totp`
    /// and `staff.sign_in`).
    #[tracing::instrument(skip_all)]
    pub async fn confirm_totp_enrolment(
        &self,
        pending: &SecretString,
        code: &SecretString,
    ) -> Result<StaffSession, AppError> {
        let inner = &self.inner;
        let OpenPending {
            mut tx,
            hash,
            staff,
            mut identity,
            who,
        } = inner.open_pending(pending, Action::EnrolTotp).await?;
        let Some(secret) = identity.totp_pending_secret.clone() else {
            tx.rollback().await?;
            return Err(AppError::invalid(
                "code",
                "enrolment_not_begun",
                "begin enrolment of a second factor first",
            ));
        };
        if identity.totp_secret.is_some() {
            return abandon(
                tx,
                AppError::Conflict {
                    what: "second factor of",
                    id: staff.username,
                },
            )
            .await;
        }
        let now = inner.clock.now();
        let step = match totp::verify(
            &secret,
            code.expose_secret(),
            now,
            None,
            inner.identity.totp_skew_steps,
        ) {
            Ok(step) => step,
            Err(rejection) => {
                tracing::info!(staff = %staff.id, ?rejection, "enrolment code refused");
                return Err(inner
                    .fail_sign_in(tx, &who, identity, Action::EnrolTotp, SECOND_FACTOR_STEP)
                    .await);
            }
        };
        identity.totp_secret = Some(secret);
        identity.totp_pending_secret = None;
        identity.totp_last_step = Some(step);
        let session = match inner.open_session(&mut tx, &hash, &mut identity, now).await {
            Ok(session) => session,
            Err(error) => return abandon(tx, error).await,
        };
        let entries = [
            inner.audit_entry(
                &who,
                &facts(LogKind::Alteration, Action::EnrolTotp, None, staff.id),
                Outcome::Allowed,
            ),
            inner.audit_entry(
                &who,
                &facts(
                    LogKind::Consultation,
                    Action::SignIn,
                    Some(SECOND_FACTOR_STEP),
                    staff.id,
                ),
                Outcome::Allowed,
            ),
        ];
        inner.append_and_commit(tx, &entries).await?;
        Ok(session)
    }

    /// Turns a session token into the principal of its account, while the session is open,
    /// within its idle timeout (since its last use) and its absolute timeout (since sign-in),
    /// and the account is enabled. Records the use at most once per touch interval. Any
    /// failure is [`AppError::Unauthenticated`]; nothing is audited (the sign-in was).
    pub async fn authenticate_session(&self, token: &SecretString) -> Result<Principal, AppError> {
        let inner = &self.inner;
        let token = token.expose_secret();
        if !well_formed(token, SESSION_PREFIX) {
            return Err(AppError::Unauthenticated);
        }
        let hash = token_hash(token);
        let Some((session, staff)) = inner.store.staff_session(&hash).await? else {
            return Err(AppError::Unauthenticated);
        };
        let now = inner.clock.now();
        let open = session.ended_at.is_none()
            && now < session.created_at + inner.identity.absolute_timeout
            && now < session.last_seen_at + inner.identity.idle_timeout
            && staff.active;
        if !open {
            return Err(AppError::Unauthenticated);
        }
        if now - session.last_seen_at >= inner.identity.touch_interval {
            inner.store.touch_staff_session(&hash, now).await?;
        }
        staff_principal(&staff)
    }

    /// Ends a session. Ending one already ended (or unknown) does nothing. Audited
    /// (`staff.sign_out`, alteration).
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(&self, token: &SecretString) -> Result<(), AppError> {
        let inner = &self.inner;
        let token = token.expose_secret();
        if !well_formed(token, SESSION_PREFIX) {
            return Ok(());
        }
        let hash = token_hash(token);
        let Some((_, staff)) = inner.store.staff_session(&hash).await? else {
            return Ok(());
        };
        let who = staff_principal(&staff)?;
        let mut tx = inner.store.begin().await?;
        match tx.end_staff_session(&hash, inner.clock.now()).await {
            Ok(true) => {}
            Ok(false) => {
                tx.rollback().await?;
                return Ok(());
            }
            Err(error) => return abandon(tx, error.into()).await,
        }
        inner
            .audit_and_commit(
                &who,
                tx,
                &facts(LogKind::Alteration, Action::SignOut, None, staff.id),
            )
            .await
    }
}
