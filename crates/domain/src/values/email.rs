//! E-mail addresses given by members of the public and staff.

use serde::{Deserialize, Serialize};

/// An e-mail address in the common `local@domain.tld` shape: trimmed, at most 254 characters,
/// a local part of 1 to 64 printable characters without spaces, and a domain of at least two
/// dot-separated labels of letters, digits and hyphens. The domain is lowercased; the local
/// part is kept as given (mail servers may treat it case-sensitively).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct EmailAddress(String);

/// Why an e-mail address was rejected. Messages are written to be shown to the person who
/// typed the address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    /// Nothing but whitespace was given.
    #[error("Enter an email address")]
    Empty,
    /// Longer than 254 characters.
    #[error("Email address must be 254 characters or fewer")]
    TooLong,
    /// No `@`, or more than one outside quotes.
    #[error("Enter an email address in the correct format, like name@example.com")]
    Format,
}

impl EmailAddress {
    /// Parses an e-mail address.
    ///
    /// # Errors
    /// Returns an [`EmailAddressError`].
    pub fn parse(input: &str) -> Result<Self, EmailAddressError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if value.chars().count() > 254 {
            return Err(EmailAddressError::TooLong);
        }
        let (local, domain) = value.rsplit_once('@').ok_or(EmailAddressError::Format)?;
        let local_ok = !local.is_empty()
            && local.chars().count() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(
                        c,
                        '<' | '>' | '"' | ',' | ';' | '(' | ')' | '[' | ']' | '\\'
                    )
            });
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2);
        if !(local_ok && domain_ok) {
            return Err(EmailAddressError::Format);
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(EmailAddress, EmailAddressError);

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("sam@example.com", "sam@example.com")]
    #[case("  Sam.Jones+report@Example.CO.UK ", "Sam.Jones+report@example.co.uk")]
    #[case("a@b-c.org", "a@b-c.org")]
    fn valid(#[case] input: &str, #[case] expected: &str) {
        assert_eq!(EmailAddress::parse(input).unwrap().as_str(), expected);
    }

    #[rstest]
    #[case("", EmailAddressError::Empty)]
    #[case("not-an-email", EmailAddressError::Format)]
    #[case("a@b", EmailAddressError::Format)]
    #[case("a@b.c d", EmailAddressError::Format)]
    #[case("a b@example.com", EmailAddressError::Format)]
    #[case("a@@example.com", EmailAddressError::Format)]
    #[case("a@-x.com", EmailAddressError::Format)]
    #[case(".a@x.com", EmailAddressError::Format)]
    #[case("a@x.c0m", EmailAddressError::Format)]
    fn invalid(#[case] input: &str, #[case] error: EmailAddressError) {
        assert_eq!(EmailAddress::parse(input), Err(error));
    }

    #[test]
    fn too_long() {
        let input = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&input), Err(EmailAddressError::TooLong));
    }
}
