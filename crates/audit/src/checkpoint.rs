//! Signed checkpoints: an Ed25519 signature over the log's origin, size, root and time.
//!
//! The text form follows the C2SP signed-note style:
//!
//! ```text
//! bluelamp.example/audit
//! 42
//! <base64 root>
//! 2026-11-27T10:00:00.123456Z
//!
//! — bluelamp <key id> <base64 signature>
//! ```
//!
//! The signature covers the body (the first four lines, each ending in `\n`).
//! The key id is the hex of the first 8 bytes of SHA-256 of the raw public key.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::entry::{format_canonical_time, parse_canonical_time, truncate_to_micros};
use crate::merkle::Hash;

/// The name on the signature line of every Bluelamp checkpoint.
pub const SIGNATURE_NAME: &str = "bluelamp";

/// The start of a signature line: an em dash, a space, the name and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} bluelamp ";

/// Errors from checking, parsing or verifying a checkpoint.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CheckpointError {
    /// The origin is empty or holds a control character (such as a line break).
    #[error(
        "invalid checkpoint origin {0:?}: it must be one non-empty line without control characters"
    )]
    InvalidOrigin(String),
    /// The time cannot be written as an RFC 3339 time (its year is outside 0000–9999).
    #[error("checkpoint time is out of range")]
    TimeOutOfRange,
    /// The text is not a well-formed signed checkpoint.
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    /// The checkpoint is signed by another key than the one given.
    #[error("checkpoint key id {found} does not match the verifying key's id {expected}")]
    KeyIdMismatch {
        /// The id of the key verification used.
        expected: String,
        /// The id on the checkpoint.
        found: String,
    },
    /// The signature does not verify.
    #[error("bad checkpoint signature")]
    BadSignature,
}

/// Errors from loading or saving keys.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// The PEM is not a PKCS#8 Ed25519 private key.
    #[error("invalid ed25519 pkcs#8 private key: {0}")]
    InvalidPrivateKey(String),
    /// The PEM is not an SPKI Ed25519 public key.
    #[error("invalid ed25519 public key: {0}")]
    InvalidPublicKey(String),
    /// The key could not be encoded.
    #[error("could not encode key: {0}")]
    Encode(String),
}

/// What a checkpoint commits to: the log (origin), its size and its root at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log; one non-empty line without control characters.
    pub origin: String,
    /// The number of entries in the log.
    pub size: u64,
    /// The Merkle root of those entries.
    pub root: Hash,
    /// When the checkpoint was made (written to the microsecond).
    pub time: DateTime<Utc>,
}

impl Checkpoint {
    /// Checks that the checkpoint can be written and read back unambiguously.
    ///
    /// # Errors
    /// [`CheckpointError::InvalidOrigin`] or [`CheckpointError::TimeOutOfRange`].
    pub fn validate(&self) -> Result<(), CheckpointError> {
        if self.origin.is_empty() || self.origin.chars().any(char::is_control) {
            return Err(CheckpointError::InvalidOrigin(self.origin.clone()));
        }
        parse_canonical_time(&format_canonical_time(&self.time))
            .map(|_| ())
            .map_err(|_| CheckpointError::TimeOutOfRange)
    }

    /// The signed text: `origin\nsize\nbase64(root)\nRFC 3339 time\n`.
    #[must_use]
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root),
            format_canonical_time(&self.time)
        )
    }
}

/// A checkpoint with its Ed25519 signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// What is signed.
    pub checkpoint: Checkpoint,
    /// The signer's key id (see [`key_id`]).
    pub key_id: String,
    /// The Ed25519 signature over [`Checkpoint::body`].
    pub signature: [u8; 64],
}

impl SignedCheckpoint {
    /// The text form: the body, a blank line, then
    /// `— bluelamp <key_id> <base64(signature)>\n`.
    #[must_use]
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}{} {}\n",
            self.checkpoint.body(),
            SIGNATURE_PREFIX,
            self.key_id,
            STANDARD.encode(self.signature)
        )
    }

    /// Parses the text form, accepting only exactly what [`SignedCheckpoint::to_text`]
    /// writes (no missing, extra or trailing lines, no other spellings).
    /// This does not verify the signature: call [`SignedCheckpoint::verify`].
    ///
    /// # Errors
    /// [`CheckpointError::Malformed`] or an invalid-content error.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let malformed = |why: &str| CheckpointError::Malformed(why.to_owned());
        let content = text
            .strip_suffix('\n')
            .ok_or_else(|| malformed("missing final newline"))?;
        let lines: Vec<&str> = content.split('\n').collect();
        let [origin, size, root, time, blank, signature_line] = lines.as_slice() else {
            return Err(malformed(
                "expected four body lines, a blank line and one signature line",
            ));
        };
        if !blank.is_empty() {
            return Err(malformed("expected a blank line after the body"));
        }
        let size: u64 = size
            .parse()
            .ok()
            .filter(|n: &u64| n.to_string() == *size)
            .ok_or_else(|| malformed("invalid size"))?;
        let root: Hash = decode_exact(root).ok_or_else(|| malformed("invalid root"))?;
        let time = parse_canonical_time(time).map_err(CheckpointError::Malformed)?;
        let (key_id, signature) = signature_line
            .strip_prefix(SIGNATURE_PREFIX)
            .and_then(|rest| rest.split_once(' '))
            .ok_or_else(|| malformed("invalid signature line"))?;
        let key_id_ok = key_id.len() == 16
            && key_id
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        if !key_id_ok {
            return Err(malformed("invalid key id"));
        }
        let signature: [u8; 64] =
            decode_exact(signature).ok_or_else(|| malformed("invalid signature"))?;
        let parsed = SignedCheckpoint {
            checkpoint: Checkpoint {
                origin: (*origin).to_owned(),
                size,
                root,
                time,
            },
            key_id: key_id.to_owned(),
            signature,
        };
        parsed.checkpoint.validate()?;
        if parsed.to_text() != text {
            return Err(malformed("not in canonical form"));
        }
        Ok(parsed)
    }

    /// Verifies the signature with `key`, after checking the key id matches.
    ///
    /// # Errors
    /// [`CheckpointError::KeyIdMismatch`], an invalid-content error, or
    /// [`CheckpointError::BadSignature`].
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), CheckpointError> {
        let expected = key_id(key);
        if expected != self.key_id {
            return Err(CheckpointError::KeyIdMismatch {
                expected,
                found: self.key_id.clone(),
            });
        }
        self.checkpoint.validate()?;
        key.verify_strict(
            self.checkpoint.body().as_bytes(),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| CheckpointError::BadSignature)
    }
}

/// Decodes canonical standard base64 into exactly `N` bytes.
fn decode_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = STANDARD.decode(text).ok()?;
    let array: [u8; N] = bytes.try_into().ok()?;
    (STANDARD.encode(array) == text).then_some(array)
}

/// The key id of a public key: hex of the first 8 bytes of SHA-256 of its 32 raw bytes.
#[must_use]
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    hex::encode(digest.get(..8).unwrap_or_default())
}

/// Writes a public key as an SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
///
/// # Errors
/// [`KeyError::Encode`] if encoding fails.
pub fn verifying_key_to_pem(key: &VerifyingKey) -> Result<String, KeyError> {
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Encode(e.to_string()))
}

/// Reads a public key from an SPKI PEM.
///
/// # Errors
/// [`KeyError::InvalidPublicKey`] if it is not an Ed25519 public key.
pub fn verifying_key_from_pem(pem: &str) -> Result<VerifyingKey, KeyError> {
    VerifyingKey::from_public_key_pem(pem).map_err(|e| KeyError::InvalidPublicKey(e.to_string()))
}

/// Signs checkpoints with an Ed25519 key. Its `Debug` shows only the key id.
#[derive(Clone)]
pub struct CheckpointSigner {
    key: SigningKey,
}

impl fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckpointSigner")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl CheckpointSigner {
    /// A new random key from the operating system's generator.
    #[must_use]
    pub fn generate() -> Self {
        Self {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// Wraps an existing key.
    #[must_use]
    pub fn from_signing_key(key: SigningKey) -> Self {
        Self { key }
    }

    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    ///
    /// # Errors
    /// [`KeyError::InvalidPrivateKey`] if it is not an Ed25519 PKCS#8 key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        SigningKey::from_pkcs8_pem(pem)
            .map(|key| Self { key })
            .map_err(|e| KeyError::InvalidPrivateKey(e.to_string()))
    }

    /// Writes the private key as a PKCS#8 PEM, kept secret in memory.
    ///
    /// # Errors
    /// [`KeyError::Encode`] if encoding fails.
    pub fn to_pkcs8_pem(&self) -> Result<SecretString, KeyError> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Encode(e.to_string()))?;
        Ok(SecretString::from(pem.as_str().to_owned()))
    }

    /// The public key.
    #[must_use]
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key's id (see [`key_id`]).
    #[must_use]
    pub fn key_id(&self) -> String {
        key_id(&self.key.verifying_key())
    }

    /// Signs a checkpoint. Its time is first truncated to whole microseconds,
    /// the precision of the text form, so the result round-trips exactly.
    ///
    /// A checkpoint that fails [`Checkpoint::validate`] is still signed but
    /// will never verify or parse.
    #[must_use]
    pub fn sign(&self, cp: Checkpoint) -> SignedCheckpoint {
        let checkpoint = Checkpoint {
            time: truncate_to_micros(cp.time),
            ..cp
        };
        let signature = self.key.sign(checkpoint.body().as_bytes()).to_bytes();
        SignedCheckpoint {
            checkpoint,
            key_id: self.key_id(),
            signature,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::EMPTY_ROOT;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "bluelamp.example/audit".into(),
            size: 42,
            root: EMPTY_ROOT,
            time: parse_canonical_time("2026-11-27T10:00:00.123456Z").unwrap(),
        }
    }

    #[test]
    fn body_and_text_format() {
        let signer = CheckpointSigner::generate();
        let signed = signer.sign(checkpoint());
        let text = signed.to_text();
        let expected_start = "bluelamp.example/audit\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n2026-11-27T10:00:00.123456Z\n\n\u{2014} bluelamp ";
        assert!(text.starts_with(expected_start), "{text}");
        assert!(text.ends_with('\n'));
        assert_eq!(signer.key_id().len(), 16);
        let parsed = SignedCheckpoint::parse(&text).unwrap();
        assert_eq!(parsed, signed);
        parsed.verify(&signer.verifying_key()).unwrap();
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let signer = CheckpointSigner::generate();
        let debug = format!("{signer:?}");
        let secret = hex::encode(signer.key.to_bytes());
        assert!(!debug.contains(&secret));
        assert!(debug.contains(&signer.key_id()));
    }
}
