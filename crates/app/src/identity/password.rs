//! Password rules (length in characters, the shipped blocklist, not the username) and
//! Argon2id hashing, run on the blocking pool.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret as _, SecretString};

use super::PasswordSettings;
use crate::AppError;

/// The shipped blocklist (`refdata/password_blocklist.txt`), one lowercase password a line.
const BLOCKLIST_TEXT: &str = include_str!("../../../../refdata/password_blocklist.txt");

/// The blocklist, parsed once.
static BLOCKLIST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    BLOCKLIST_TEXT
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `password` is on the blocklist (case-insensitively).
pub(crate) fn is_blocklisted(password: &str) -> bool {
    BLOCKLIST.contains(password.to_lowercase().as_str())
}

/// Number of passwords on the blocklist.
#[cfg(test)]
pub(crate) fn blocklist_len() -> usize {
    BLOCKLIST.len()
}

/// Checks a new password against the rules: at least `min_chars` and at most `max_chars`
/// characters, not on the blocklist, not the username. No composition rules.
pub(crate) fn check_rules(
    password: &str,
    username: &str,
    settings: &PasswordSettings,
) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < settings.min_chars {
        return Err(AppError::invalid(
            "password",
            "password_too_short",
            format!(
                "the password must be at least {} characters long",
                settings.min_chars
            ),
        ));
    }
    if chars > settings.max_chars {
        return Err(AppError::invalid(
            "password",
            "password_too_long",
            format!(
                "the password must be at most {} characters long",
                settings.max_chars
            ),
        ));
    }
    if password.to_lowercase() == username.to_lowercase() {
        return Err(AppError::invalid(
            "password",
            "password_is_username",
            "the password must not be the username",
        ));
    }
    if is_blocklisted(password) {
        return Err(AppError::invalid(
            "password",
            "password_too_common",
            "the password is one of the most commonly used: choose another",
        ));
    }
    Ok(())
}

/// The Argon2id hasher with the configured parameters.
fn hasher(settings: &PasswordSettings) -> Result<Argon2<'static>, AppError> {
    let params = Params::new(
        settings.argon2_memory_kib,
        settings.argon2_iterations,
        settings.argon2_parallelism,
        None,
    )
    .map_err(|error| AppError::Internal(format!("argon2 parameters: {error}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks that the Argon2 parameters are usable (when the settings are loaded).
pub(crate) fn check_parameters(settings: &PasswordSettings) -> Result<(), String> {
    hasher(settings)
        .map(|_| ())
        .map_err(|error| error.to_string())
}

/// Hashes a password with a fresh 128-bit salt into a PHC string, on the blocking pool.
pub(crate) async fn hash(
    password: SecretString,
    settings: PasswordSettings,
) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(&settings)?
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| AppError::Internal(format!("password hashing failed: {error}")))
    })
    .await
    .map_err(|error| AppError::Internal(format!("password hashing task failed: {error}")))?
}

/// Verifies a password against a stored PHC string on the blocking pool. With no stored hash
/// (an unknown account, or one without a password) it hashes the password instead, so that
/// the answer takes about as long, and answers `false`.
pub(crate) async fn verify(
    password: SecretString,
    stored: Option<String>,
    settings: PasswordSettings,
) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let hasher = hasher(&settings)?;
        let Some(stored) = stored else {
            let salt = SaltString::generate(&mut OsRng);
            let _dummy = hasher.hash_password(password.expose_secret().as_bytes(), &salt);
            return Ok(false);
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|error| AppError::Internal(format!("stored password hash: {error}")))?;
        // The parameters stored in the PHC string are the ones used to verify.
        Ok(hasher
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|error| AppError::Internal(format!("password verification task failed: {error}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PasswordSettings {
        PasswordSettings {
            min_chars: 8,
            max_chars: 128,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
        }
    }

    fn code(result: Result<(), AppError>) -> Option<&'static str> {
        result.err().map(|error| error.code())
    }

    #[test]
    fn length_is_counted_in_characters() {
        let s = settings();
        assert_eq!(
            code(check_rules("short7x", "pc.one", &s)),
            Some("password_too_short")
        );
        // Eight characters but sixteen bytes: long enough.
        assert_eq!(code(check_rules("ééééééé1", "pc.one", &s)), None);
        // Seven characters, fourteen bytes: too short.
        assert_eq!(
            code(check_rules("ééééééé", "pc.one", &s)),
            Some("password_too_short")
        );
        assert_eq!(code(check_rules(&"a".repeat(64), "pc.one", &s)), None);
        assert_eq!(code(check_rules(&"q".repeat(128), "pc.one", &s)), None);
        assert_eq!(
            code(check_rules(&"q".repeat(129), "pc.one", &s)),
            Some("password_too_long")
        );
        // A Unicode passphrase with no digits, capitals or symbols is fine.
        assert_eq!(
            code(check_rules("горячий чай у окна зимой", "pc.one", &s)),
            None
        );
    }

    #[test]
    fn common_passwords_and_the_username_are_refused() {
        let s = settings();
        assert!(blocklist_len() > 3_000, "only {} entries", blocklist_len());
        for common in [
            "password",
            "Password1",
            "ILOVEYOU",
            "qwertyuiop",
            "baseball",
        ] {
            assert_eq!(
                code(check_rules(common, "pc.one", &s)),
                Some("password_too_common"),
                "{common}"
            );
        }
        assert_eq!(
            code(check_rules("PC.Smith-1", "pc.smith-1", &s)),
            Some("password_is_username")
        );
        assert_eq!(
            code(check_rules("correct horse battery staple", "pc.one", &s)),
            None
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_phc_strings_that_verify() {
        let s = settings();
        let hash = hash(SecretString::from("a long passphrase"), s.clone())
            .await
            .expect("hashes");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let again = super::hash(SecretString::from("a long passphrase"), s.clone())
            .await
            .expect("hashes");
        assert_ne!(hash, again, "salts differ");
        assert!(
            verify(
                SecretString::from("a long passphrase"),
                Some(hash.clone()),
                s.clone()
            )
            .await
            .expect("verifies")
        );
        assert!(
            !verify(
                SecretString::from("a long passphrasE"),
                Some(hash),
                s.clone()
            )
            .await
            .expect("verifies")
        );
        assert!(
            !verify(SecretString::from("anything"), None, s)
                .await
                .expect("dummy")
        );
    }
}
