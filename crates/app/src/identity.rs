//! Staff identity: passwords, the TOTP second factor, two-step sign-in, lockout, sessions and
//! the administration of accounts and teams.
//!
//! # Brief overview
//!
//! * Passwords ([`App::set_password`](crate::App::set_password)) are hashed with Argon2id and must pass the rules of
//!   [`PasswordSettings`] and the shipped blocklist (`refdata/password_blocklist.txt`).
//! * Sign-in takes two steps and never issues a session on one factor:
//!   [`App::sign_in_password`](crate::App::sign_in_password) answers a [`PasswordStep`] holding a short-lived, single-use
//!   [`PendingSignIn`]; then [`App::sign_in_totp`](crate::App::sign_in_totp) turns it and a code into a
//!   [`StaffSession`], or, for an account without a second factor yet,
//!   [`App::begin_totp_enrolment`](crate::App::begin_totp_enrolment) and [`App::confirm_totp_enrolment`](crate::App::confirm_totp_enrolment) enrol one and sign in.
//! * Every refusal of a sign-in gives the same [`AppError::Unauthenticated`], whatever the
//!   cause (unknown user, wrong password or code, disabled or locked account).
//! * [`App::authenticate_session`](crate::App::authenticate_session) turns a session token into a [`Principal`] while the
//!   session is within its idle and absolute timeouts.
//! * Administrators list accounts ([`StaffSummary`]), change roles and teams, disable,
//!   enable, release lockouts and reset second factors; [`App::disable_inactive_staff`](crate::App::disable_inactive_staff)
//!   disables accounts unused for the inactivity period.
//!
//! Limits and times come from [`IdentitySettings`], loaded from `refdata/staff_identity.toml`.
//!
//! # Audit
//!
//! Every event is an s.62 entry through the gate. Sign-in attempts are `consultation`s of the
//! account's credentials (action `staff.sign_in`; `allowed` or `denied`; the purpose names
//! the step: `password` or `second factor`); the actor is the account when it is known, else
//! `system:sign-in`. Lockouts (`staff.lock`), sign-outs, enrolments (`staff.totp`) and every
//! administrative change are `alteration`s; listing staff is a `consultation`; creating a
//! team is a `collection`. Passwords, codes and tokens are never logged.

mod admin;
mod password;
mod sign_in;
mod totp;

use bluelamp_domain::ids::StaffId;
use bluelamp_policy::{PrincipalKind, Role, Subject};
use bluelamp_store::StaffRow;
use chrono::{DateTime, TimeDelta, Utc};
use secrecy::SecretString;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::{AppError, Principal};

/// The shipped settings file.
const SETTINGS_TOML: &str = include_str!("../../../refdata/staff_identity.toml");

/// Issuer named in `otpauth://` URIs and shown by authenticator apps.
pub const TOTP_ISSUER: &str = "Bluelamp";

/// Password rules and hashing cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordSettings {
    /// Fewest characters (Unicode scalar values) a password may have.
    pub min_chars: usize,
    /// Most characters a password may have.
    pub max_chars: usize,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
    /// Argon2id lanes.
    pub argon2_parallelism: u32,
}

/// Limits and times of staff identity, loaded from `refdata/staff_identity.toml`
/// ([`IdentitySettings::embedded`]); tests may change any field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentitySettings {
    /// Version of the settings file.
    pub version: String,
    /// Failed sign-ins within [`IdentitySettings::failure_window`] that lock an account.
    pub max_failed_sign_ins: u32,
    /// The sliding window failed sign-ins are counted in.
    pub failure_window: TimeDelta,
    /// A session ends after this long without use.
    pub idle_timeout: TimeDelta,
    /// A session ends this long after its sign-in, however busy.
    pub absolute_timeout: TimeDelta,
    /// A session's last use is written at most this often.
    pub touch_interval: TimeDelta,
    /// How long a pending sign-in waits for its second factor.
    pub pending_sign_in_ttl: TimeDelta,
    /// Accounts with no sign-in for this long are disabled by
    /// [`App::disable_inactive_staff`](crate::App::disable_inactive_staff).
    pub inactivity: TimeDelta,
    /// Password rules and hashing cost.
    pub passwords: PasswordSettings,
    /// TOTP codes this many steps either side of the current one are accepted.
    pub totp_skew_steps: u64,
}

/// The settings file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("staff identity settings: {0}")]
pub struct IdentitySettingsError(String);

/// `refdata/staff_identity.toml` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    version: String,
    lockout: LockoutFile,
    sessions: SessionsFile,
    accounts: AccountsFile,
    passwords: PasswordsFile,
    totp: TotpFile,
}

/// `[lockout]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockoutFile {
    max_failed_sign_ins: u32,
    window_minutes: i64,
}

/// `[sessions]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionsFile {
    idle_timeout_minutes: i64,
    absolute_timeout_hours: i64,
    touch_interval_seconds: i64,
    pending_sign_in_minutes: i64,
}

/// `[accounts]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    inactivity_days: i64,
}

/// `[passwords]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordsFile {
    min_chars: usize,
    max_chars: usize,
    argon2_memory_kib: u32,
    argon2_iterations: u32,
    argon2_parallelism: u32,
}

/// `[totp]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TotpFile {
    skew_steps: u64,
}

/// A positive duration, or an error naming the key.
fn positive(delta: Option<TimeDelta>, key: &str) -> Result<TimeDelta, IdentitySettingsError> {
    delta
        .filter(|delta| *delta > TimeDelta::zero())
        .ok_or_else(|| IdentitySettingsError(format!("{key} must be positive and in range")))
}

impl IdentitySettings {
    /// The settings built into the binary (`refdata/staff_identity.toml`).
    ///
    /// # Errors
    /// If the shipped file is invalid (a build defect, caught by the tests).
    pub fn embedded() -> Result<Self, IdentitySettingsError> {
        Self::from_toml(SETTINGS_TOML)
    }

    /// Parses and checks a settings file.
    ///
    /// # Errors
    /// If the text is not a valid settings file or a value is out of range.
    pub fn from_toml(text: &str) -> Result<Self, IdentitySettingsError> {
        let file: SettingsFile =
            toml::from_str(text).map_err(|error| IdentitySettingsError(error.to_string()))?;
        let passwords = PasswordSettings {
            min_chars: file.passwords.min_chars,
            max_chars: file.passwords.max_chars,
            argon2_memory_kib: file.passwords.argon2_memory_kib,
            argon2_iterations: file.passwords.argon2_iterations,
            argon2_parallelism: file.passwords.argon2_parallelism,
        };
        if passwords.min_chars < 8 || passwords.max_chars < 64 {
            return Err(IdentitySettingsError(
                "passwords: min_chars must be at least 8 and max_chars at least 64".to_owned(),
            ));
        }
        if passwords.min_chars > passwords.max_chars {
            return Err(IdentitySettingsError(
                "passwords: min_chars is above max_chars".to_owned(),
            ));
        }
        password::check_parameters(&passwords).map_err(IdentitySettingsError)?;
        if file.lockout.max_failed_sign_ins == 0 {
            return Err(IdentitySettingsError(
                "lockout.max_failed_sign_ins must be positive".to_owned(),
            ));
        }
        Ok(Self {
            version: file.version,
            max_failed_sign_ins: file.lockout.max_failed_sign_ins,
            failure_window: positive(
                TimeDelta::try_minutes(file.lockout.window_minutes),
                "lockout.window_minutes",
            )?,
            idle_timeout: positive(
                TimeDelta::try_minutes(file.sessions.idle_timeout_minutes),
                "sessions.idle_timeout_minutes",
            )?,
            absolute_timeout: positive(
                TimeDelta::try_hours(file.sessions.absolute_timeout_hours),
                "sessions.absolute_timeout_hours",
            )?,
            touch_interval: positive(
                TimeDelta::try_seconds(file.sessions.touch_interval_seconds),
                "sessions.touch_interval_seconds",
            )?,
            pending_sign_in_ttl: positive(
                TimeDelta::try_minutes(file.sessions.pending_sign_in_minutes),
                "sessions.pending_sign_in_minutes",
            )?,
            inactivity: positive(
                TimeDelta::try_days(file.accounts.inactivity_days),
                "accounts.inactivity_days",
            )?,
            passwords,
            totp_skew_steps: file.totp.skew_steps,
        })
    }
}

/// A sign-in whose password was accepted, waiting for its second factor. The token is shown
/// once; only its SHA-256 is stored; it works once, until `expires_at`.
#[derive(Debug)]
pub struct PendingSignIn {
    /// The pending token, to send back with the code.
    pub token: SecretString,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// The answer to a correct password.
#[derive(Debug)]
pub enum PasswordStep {
    /// The account has a second factor: send a code with [`App::sign_in_totp`](crate::App).
    PasswordAccepted(PendingSignIn),
    /// The account has no second factor yet: the pending sign-in allows only enrolment
    /// ([`App::begin_totp_enrolment`](crate::App), then
    /// [`App::confirm_totp_enrolment`](crate::App)).
    NeedsEnrolment(PendingSignIn),
}

/// A second factor handed out for enrolment: show the URI as a QR code (and the secret for
/// typing in), then confirm with a code from the app.
#[derive(Debug)]
pub struct TotpEnrolment {
    /// The secret in base 32 (RFC 4648, no padding).
    pub secret_base32: SecretString,
    /// `otpauth://totp/Bluelamp:{username}?secret=…&issuer=Bluelamp&algorithm=SHA1&digits=6&period=30`.
    pub uri: SecretString,
}

/// A signed-in staff session. The token is shown once; only its SHA-256 is stored.
#[derive(Debug)]
pub struct StaffSession {
    /// The session token (`blss_…`), for [`App::authenticate_session`](crate::App).
    pub token: SecretString,
    /// Whose session it is.
    pub staff_id: StaffId,
    /// When it began.
    pub created_at: DateTime<Utc>,
    /// When it ends however busy it is (re-authentication).
    pub expires_at: DateTime<Utc>,
    /// How long it survives without use.
    pub idle_timeout: TimeDelta,
}

/// A team of staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    /// Its id.
    pub id: uuid::Uuid,
    /// Its unique name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One account as administrators see it (never a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSummary {
    /// The account id.
    pub id: StaffId,
    /// Sign-in name.
    pub username: String,
    /// Name shown to colleagues.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Force slug.
    pub force: String,
    /// The team's name, if in one.
    pub team: Option<String>,
    /// Security clearance.
    pub clearance: bluelamp_domain::marking::Classification,
    /// Controlled handling caveats the account is briefed for.
    pub caveats: Vec<String>,
    /// Whether the account may sign in.
    pub active: bool,
    /// When it was locked after failed sign-ins, if it is locked.
    pub locked_at: Option<DateTime<Utc>>,
    /// Whether a password is set.
    pub has_password: bool,
    /// Whether a second factor is enrolled.
    pub totp_enrolled: bool,
    /// The last complete sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// Prefix of session tokens.
const SESSION_PREFIX: &str = "blss_";

/// Prefix of pending sign-in tokens.
const PENDING_PREFIX: &str = "blsp_";

/// A new random token: `prefix` and 32 random bytes in URL-safe base 64.
fn new_token(prefix: &str) -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut secret = [0_u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
    )
}

/// SHA-256 of a token: what is stored and looked up.
fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether `token` has the shape of a token with `prefix` (checked before any look-up).
fn well_formed(token: &str, prefix: &str) -> bool {
    token.starts_with(prefix) && token.len() <= 128
}

/// The principal of a stored account: its role and force, and for need-to-know decisions its
/// clearance, briefed caveats and team.
pub(crate) fn staff_principal(row: &StaffRow) -> Result<Principal, AppError> {
    let role: Role = row
        .role
        .parse()
        .map_err(|_| AppError::Internal(format!("staff {} has unknown role", row.id)))?;
    let clearance = parse_clearance(&row.vetting.clearance)
        .ok_or_else(|| AppError::Internal(format!("staff {} has unknown clearance", row.id)))?;
    Ok(Principal {
        subject: Subject {
            kind: PrincipalKind::Staff,
            id: row.id.to_string(),
            role: Some(role),
            force: Some(row.force.clone()),
            clearance,
            teams: row.team_id.iter().map(ToString::to_string).collect(),
            caveats: row.vetting.caveats.clone(),
            competencies: Vec::new(),
        },
        display_name: row.display_name.clone(),
    })
}

/// A stored clearance (`OFFICIAL`, `SECRET`, `TOP_SECRET`).
pub(crate) fn parse_clearance(text: &str) -> Option<bluelamp_domain::marking::Classification> {
    use bluelamp_domain::marking::Classification;
    [
        Classification::Official,
        Classification::Secret,
        Classification::TopSecret,
    ]
    .into_iter()
    .find(|level| clearance_code(*level) == text)
}

/// How a clearance is stored.
pub(crate) const fn clearance_code(
    level: bluelamp_domain::marking::Classification,
) -> &'static str {
    use bluelamp_domain::marking::Classification;
    match level {
        Classification::Official => "OFFICIAL",
        Classification::Secret => "SECRET",
        Classification::TopSecret => "TOP_SECRET",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_settings_load_with_the_documented_values() {
        let settings = IdentitySettings::embedded().expect("shipped settings load");
        assert_eq!(settings.max_failed_sign_ins, 5);
        assert_eq!(settings.failure_window, TimeDelta::minutes(15));
        assert_eq!(settings.idle_timeout, TimeDelta::minutes(30));
        assert_eq!(settings.absolute_timeout, TimeDelta::hours(12));
        assert_eq!(settings.pending_sign_in_ttl, TimeDelta::minutes(5));
        assert_eq!(settings.inactivity, TimeDelta::days(90));
        assert_eq!(settings.passwords.min_chars, 8);
        assert_eq!(settings.passwords.argon2_memory_kib, 19_456);
        assert_eq!(settings.totp_skew_steps, 1);
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        let weak = SETTINGS_TOML.replace("min_chars = 8", "min_chars = 6");
        assert!(IdentitySettings::from_toml(&weak).is_err());
        let zero = SETTINGS_TOML.replace("idle_timeout_minutes = 30", "idle_timeout_minutes = 0");
        assert!(IdentitySettings::from_toml(&zero).is_err());
        let unknown = format!("{SETTINGS_TOML}\n[extra]\nkey = 1\n");
        assert!(IdentitySettings::from_toml(&unknown).is_err());
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let first = new_token(SESSION_PREFIX);
        let second = new_token(SESSION_PREFIX);
        assert_ne!(first, second);
        assert!(well_formed(&first, SESSION_PREFIX));
        assert!(!well_formed(&first, PENDING_PREFIX));
        assert_eq!(first.len(), SESSION_PREFIX.len() + 43);
        assert_ne!(token_hash(&first), token_hash(&second));
    }
}
