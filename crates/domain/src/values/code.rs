//! Shape rules shared by code-like newtypes (reference-data codes and slugs).

/// Why a code or slug was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but whitespace was given.
    #[error("{what} is empty")]
    Empty {
        /// What kind of code this is, e.g. "ethnicity code".
        what: &'static str,
    },
    /// The code is longer than its maximum.
    #[error("{what} '{value}' is {len} characters long, the maximum is {max}")]
    TooLong {
        /// What kind of code this is.
        what: &'static str,
        /// The rejected value.
        value: String,
        /// Its length in characters.
        len: usize,
        /// The maximum length.
        max: usize,
    },
    /// The code contains a character outside its alphabet.
    #[error("{what} '{value}' contains '{found}'; only {allowed} are allowed")]
    InvalidCharacter {
        /// What kind of code this is.
        what: &'static str,
        /// The rejected value.
        value: String,
        /// The first character not allowed.
        found: char,
        /// The allowed alphabet, in words.
        allowed: &'static str,
    },
    /// A slug starts or ends with a hyphen.
    #[error("{what} '{value}' starts or ends with '-'")]
    HyphenAtEdge {
        /// What kind of code this is.
        what: &'static str,
        /// The rejected value.
        value: String,
    },
}

fn check_length(value: &str, what: &'static str, max: usize) -> Result<(), CodeError> {
    let len = value.chars().count();
    if len == 0 {
        return Err(CodeError::Empty { what });
    }
    if len > max {
        return Err(CodeError::TooLong {
            what,
            value: value.to_owned(),
            len,
            max,
        });
    }
    Ok(())
}

/// Trims and uppercases `input`, then requires 1..=`max` characters of `[A-Z0-9]`.
pub(crate) fn upper(input: &str, what: &'static str, max: usize) -> Result<String, CodeError> {
    let value = input.trim().to_ascii_uppercase();
    check_length(&value, what, max)?;
    if let Some(found) = value
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit()))
    {
        return Err(CodeError::InvalidCharacter {
            what,
            value,
            found,
            allowed: "letters A-Z and digits",
        });
    }
    Ok(value)
}

/// Trims and lowercases `input`, then requires 1..=`max` characters of `[a-z0-9-]` that
/// neither start nor end with a hyphen.
pub(crate) fn slug(input: &str, what: &'static str, max: usize) -> Result<String, CodeError> {
    let value = input.trim().to_ascii_lowercase();
    check_length(&value, what, max)?;
    if let Some(found) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(CodeError::InvalidCharacter {
            what,
            value,
            found,
            allowed: "letters a-z, digits and '-'",
        });
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err(CodeError::HyphenAtEdge { what, value });
    }
    Ok(value)
}

/// Collapses whitespace and uppercases `input`, then requires 1..=`max` characters of
/// `[A-Z0-9]` words separated by single spaces.
pub(crate) fn caveat(input: &str, what: &'static str, max: usize) -> Result<String, CodeError> {
    let value = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    check_length(&value, what, max)?;
    if let Some(found) = value
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == ' '))
    {
        return Err(CodeError::InvalidCharacter {
            what,
            value,
            found,
            allowed: "letters A-Z, digits and single spaces",
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("w1", Ok("W1"))]
    #[case(" IC9 ", Ok("IC9"))]
    #[case("", Err("ethnicity code is empty"))]
    #[case(
        "W-1",
        Err("ethnicity code 'W-1' contains '-'; only letters A-Z and digits are allowed")
    )]
    #[case(
        "ABCDE",
        Err("ethnicity code 'ABCDE' is 5 characters long, the maximum is 4")
    )]
    fn upper_codes(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let got = upper(input, "ethnicity code", 4).map_err(|e| e.to_string());
        assert_eq!(got.as_deref().map_err(String::as_str), expected);
    }

    #[rstest]
    #[case("Burglary", Ok("burglary"))]
    #[case("criminal-damage-arson", Ok("criminal-damage-arson"))]
    #[case("-burglary", Err("crime category '-burglary' starts or ends with '-'"))]
    #[case(
        "anti social",
        Err(
            "crime category 'anti social' contains ' '; only letters a-z, digits and '-' are allowed"
        )
    )]
    fn slugs(#[case] input: &str, #[case] expected: Result<&str, &str>) {
        let got = slug(input, "crime category", 64).map_err(|e| e.to_string());
        assert_eq!(got.as_deref().map_err(String::as_str), expected);
    }
}
