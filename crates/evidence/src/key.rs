//! Where a blob lives in the store.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::EvidenceError;

/// The longest key accepted, in bytes.
const MAX_KEY_BYTES: usize = 512;

/// The location of one evidence blob in its store, e.g.
/// `evidence/2026/11/27/019a6b2e-5f3c-7d41-9b1a-3c0f6a2d8e71`: segments of lowercase ASCII
/// letters, digits and `-`, separated by single `/`s, at most 512 bytes.
///
/// Keys are made by [`BlobStore::receive`](crate::BlobStore::receive) and parsed (validated)
/// with [`FromStr`]; serialised as the plain string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BlobKey(String);

impl BlobKey {
    /// The key as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks one `/`-separated path (a key, or a store prefix) against the key rules.
    pub(crate) fn check(text: &str) -> Result<(), EvidenceError> {
        let invalid = || EvidenceError::InvalidKey(text.to_owned());
        if text.is_empty() || text.len() > MAX_KEY_BYTES {
            return Err(invalid());
        }
        for segment in text.split('/') {
            if segment.is_empty()
                || !segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(invalid());
            }
        }
        Ok(())
    }
}

impl fmt::Display for BlobKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for BlobKey {
    type Err = EvidenceError;

    /// Accepts only a valid key; anything else is [`EvidenceError::InvalidKey`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BlobKey::check(s)?;
        Ok(BlobKey(s.to_owned()))
    }
}

impl TryFrom<String> for BlobKey {
    type Error = EvidenceError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        BlobKey::check(&value)?;
        Ok(BlobKey(value))
    }
}

impl From<BlobKey> for String {
    fn from(key: BlobKey) -> Self {
        key.0
    }
}

impl AsRef<str> for BlobKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_keys_round_trip() {
        let text = "evidence/2026/11/27/019a6b2e-5f3c-7d41-9b1a-3c0f6a2d8e71";
        let key: BlobKey = text.parse().unwrap();
        assert_eq!(key.to_string(), text);
        assert_eq!(key.as_str(), text);
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<BlobKey>(&json).unwrap(), key);
    }

    #[test]
    fn invalid_keys_are_refused() {
        for bad in [
            "",
            "/evidence/x",
            "evidence/x/",
            "evidence//x",
            "Evidence/x",
            "evidence/../x",
            "evidence/x y",
            "evidence/x_y",
            "evidence\\x",
            "évidence",
            &"a".repeat(513),
        ] {
            assert!(
                matches!(bad.parse::<BlobKey>(), Err(EvidenceError::InvalidKey(_))),
                "{bad:?}"
            );
        }
        assert!(serde_json::from_str::<BlobKey>("\"../etc/passwd\"").is_err());
        assert!("a".repeat(512).parse::<BlobKey>().is_ok());
    }
}
