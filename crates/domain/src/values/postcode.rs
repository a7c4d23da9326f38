//! UK postcodes (uk-standards §7.3), with the stricter letter-position rules.

use serde::{Deserialize, Serialize};

/// A UK postcode in canonical form: uppercase, one space before the 3-character inward part
/// (`LE1 6AB`). Accepts any case and spacing (`le1 6ab`, `LE16AB`) and the special `GIR 0AA`.
///
/// Letter rules: the area's first letter is never Q, V or X; the second is never I, J or Z;
/// a letter in third place (`A9A`) is one of A-H, J, K, S, T, U, W; in fourth place (`AA9A`)
/// one of A, B, E, H, M, N, P, R, V, W, X, Y; inward letters are never C, I, K, M, O or V.
/// A valid postcode need not exist: that needs a gazetteer.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, derive_more::Display,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
pub struct Postcode(String);

/// Why a postcode was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// Nothing but whitespace was given.
    #[error("postcode is empty")]
    Empty,
    /// A character other than a letter, digit or space.
    #[error("postcode contains '{0}'; only letters, digits and spaces are allowed")]
    InvalidCharacter(char),
    /// Fewer than 5 characters: at most an outward part.
    #[error("postcode has no inward part")]
    NoInwardPart,
    /// More than 7 characters without spaces.
    #[error("postcode is {0} characters long without spaces, the maximum is 7")]
    TooLong(usize),
    /// The last three characters are not a digit and two letters.
    #[error("postcode inward part '{0}' is not a digit followed by two letters")]
    InwardShape(String),
    /// An inward letter that is never used.
    #[error(
        "postcode inward part '{0}' uses '{1}', which inward parts never use (C, I, K, M, O, V)"
    )]
    InwardLetter(String, char),
    /// The outward part matches none of the six formats.
    #[error(
        "postcode outward part '{0}' is not in a valid format (A9, A99, AA9, AA99, A9A or AA9A)"
    )]
    OutwardShape(String),
    /// The area's first letter is Q, V or X.
    #[error("postcode cannot start with '{0}' (Q, V and X are never first)")]
    FirstLetter(char),
    /// The area's second letter is I, J or Z.
    #[error("postcode outward part '{0}' has '{1}' second (I, J and Z are never second)")]
    SecondLetter(String, char),
    /// The letter after the district digit is not used in that position.
    #[error("postcode outward part '{0}' ends in '{1}', which is not used in that position")]
    DistrictLetter(String, char),
}

impl Postcode {
    /// Parses a postcode in any case, with or without the space.
    ///
    /// # Errors
    /// Returns a [`PostcodeError`] saying which rule the input breaks.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        if let Some(c) = compact.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(PostcodeError::InvalidCharacter(c));
        }
        if compact == "GIR0AA" {
            return Ok(Self("GIR 0AA".to_owned()));
        }
        let len = compact.len();
        if len < 5 {
            return Err(PostcodeError::NoInwardPart);
        }
        if len > 7 {
            return Err(PostcodeError::TooLong(len));
        }
        let (outward, inward) = compact
            .split_at_checked(len.saturating_sub(3))
            .ok_or(PostcodeError::NoInwardPart)?;
        check_outward(outward)?;
        check_inward(inward)?;
        Ok(Self(format!("{outward} {inward}")))
    }

    fn parts(&self) -> (&str, &str) {
        self.0.split_once(' ').unwrap_or((&self.0, ""))
    }

    /// The outward part (area and district), e.g. `LE1`.
    #[must_use]
    pub fn outward(&self) -> &str {
        self.parts().0
    }

    /// The inward part (sector and unit), e.g. `6AB`.
    #[must_use]
    pub fn inward(&self) -> &str {
        self.parts().1
    }

    /// The canonical form as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(Postcode, PostcodeError);

fn check_inward(inward: &str) -> Result<(), PostcodeError> {
    let chars: Vec<char> = inward.chars().collect();
    let [digit, l1, l2] = chars.as_slice() else {
        return Err(PostcodeError::InwardShape(inward.to_owned()));
    };
    if !digit.is_ascii_digit() || !l1.is_ascii_alphabetic() || !l2.is_ascii_alphabetic() {
        return Err(PostcodeError::InwardShape(inward.to_owned()));
    }
    if let Some(bad) = [*l1, *l2].into_iter().find(|c| "CIKMOV".contains(*c)) {
        return Err(PostcodeError::InwardLetter(inward.to_owned(), bad));
    }
    Ok(())
}

fn check_outward(outward: &str) -> Result<(), PostcodeError> {
    let chars: Vec<char> = outward.chars().collect();
    let shape: String = chars
        .iter()
        .map(|c| if c.is_ascii_digit() { '9' } else { 'A' })
        .collect();
    let shape_error = || PostcodeError::OutwardShape(outward.to_owned());
    if !matches!(
        shape.as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    ) {
        return Err(shape_error());
    }
    let first = *chars.first().ok_or_else(shape_error)?;
    if "QVX".contains(first) {
        return Err(PostcodeError::FirstLetter(first));
    }
    if shape.starts_with("AA") {
        let second = *chars.get(1).ok_or_else(shape_error)?;
        if "IJZ".contains(second) {
            return Err(PostcodeError::SecondLetter(outward.to_owned(), second));
        }
    }
    let allowed_last = match shape.as_str() {
        "A9A" => Some("ABCDEFGHJKSTUW"),
        "AA9A" => Some("ABEHMNPRVWXY"),
        _ => None,
    };
    if let (Some(allowed), Some(last)) = (allowed_last, chars.last())
        && !allowed.contains(*last)
    {
        return Err(PostcodeError::DistrictLetter(outward.to_owned(), *last));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::a9("M1 1AE", "M1 1AE", "M1", "1AE")]
    #[case::a99("b338th", "B33 8TH", "B33", "8TH")]
    #[case::aa9("CR2 6XH", "CR2 6XH", "CR2", "6XH")]
    #[case::aa99("DN55 1PT", "DN55 1PT", "DN55", "1PT")]
    #[case::a9a("W1A 0AX", "W1A 0AX", "W1A", "0AX")]
    #[case::aa9a("EC1A 1BB", "EC1A 1BB", "EC1A", "1BB")]
    #[case::lower_spaced("le1 6ab", "LE1 6AB", "LE1", "6AB")]
    #[case::no_space("LE16AB", "LE1 6AB", "LE1", "6AB")]
    #[case::extra_spaces("  SW1A   2AA ", "SW1A 2AA", "SW1A", "2AA")]
    #[case::gir("gir 0aa", "GIR 0AA", "GIR", "0AA")]
    fn valid(#[case] input: &str, #[case] canonical: &str, #[case] out: &str, #[case] inw: &str) {
        let p = Postcode::parse(input).unwrap();
        assert_eq!(p.to_string(), canonical);
        assert_eq!(p.outward(), out);
        assert_eq!(p.inward(), inw);
    }

    #[rstest]
    #[case("", "postcode is empty")]
    #[case("LE1", "postcode has no inward part")]
    #[case(
        "LE1-6AB",
        "postcode contains '-'; only letters, digits and spaces are allowed"
    )]
    #[case(
        "LE123 6AB",
        "postcode is 8 characters long without spaces, the maximum is 7"
    )]
    #[case(
        "LE1 AAB",
        "postcode inward part 'AAB' is not a digit followed by two letters"
    )]
    #[case(
        "LE1 6CB",
        "postcode inward part '6CB' uses 'C', which inward parts never use (C, I, K, M, O, V)"
    )]
    #[case(
        "LE1 6AO",
        "postcode inward part '6AO' uses 'O', which inward parts never use (C, I, K, M, O, V)"
    )]
    #[case(
        "1E1 6AB",
        "postcode outward part '1E1' is not in a valid format (A9, A99, AA9, AA99, A9A or AA9A)"
    )]
    #[case(
        "QE1 6AB",
        "postcode cannot start with 'Q' (Q, V and X are never first)"
    )]
    #[case(
        "V1 6AB",
        "postcode cannot start with 'V' (Q, V and X are never first)"
    )]
    #[case(
        "XA1 6AB",
        "postcode cannot start with 'X' (Q, V and X are never first)"
    )]
    #[case(
        "LI1 6AB",
        "postcode outward part 'LI1' has 'I' second (I, J and Z are never second)"
    )]
    #[case(
        "AZ1 6AB",
        "postcode outward part 'AZ1' has 'Z' second (I, J and Z are never second)"
    )]
    #[case(
        "W1L 0AX",
        "postcode outward part 'W1L' ends in 'L', which is not used in that position"
    )]
    #[case(
        "EC1C 1BB",
        "postcode outward part 'EC1C' ends in 'C', which is not used in that position"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(Postcode::parse(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn serde_parses_on_deserialisation() {
        let p: Postcode = serde_json::from_str("\"le16ab\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"LE1 6AB\"");
        assert!(serde_json::from_str::<Postcode>("\"QE1 6AB\"").is_err());
    }
}
