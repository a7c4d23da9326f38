//! Home Office offence classifications (HOCR): codes such as `1`, `4/1`, `8L` and `28A`, and
//! their offences from reference data (`refdata/ho_offence_classifications.csv`).
//!
//! A code is a class number (1 to 999, no leading zero), an optional class letter and an
//! optional `/subclass` (1 to 99, no leading zero). CJS standing data writes the same codes
//! padded (`NNN/NN`); that form is not read here.

use serde::{Deserialize, Serialize};

use crate::refdata::SourceStatus;

/// A Home Office offence classification code, e.g. `8L` or `4/10`.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    derive_more::Display,
    derive_more::AsRef,
)]
#[serde(try_from = "String", into = "String")]
#[display("{_0}")]
#[as_ref(str)]
pub struct HoClassCode(String);

/// Why a Home Office classification code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoClassCodeError {
    /// Nothing but whitespace.
    #[error("Home Office classification is empty")]
    Empty,
    /// Longer than any code (`999Z/99` is 7 characters).
    #[error("Home Office classification is {0} characters long, the maximum is 7")]
    TooLong(usize),
    /// Not of the form class, optional letter, optional `/subclass`.
    #[error(
        "Home Office classification '{0}' is not a class number with an optional letter and \
         /subclass, such as 1, 4/1, 8L or 28A"
    )]
    Shape(String),
}

/// Reads 1 to `max_digits` digits without a leading zero from the front of `chars`.
fn number(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max_digits: usize) -> Option<()> {
    let mut digits = 0_usize;
    while let Some(c) = chars.peek().copied().filter(char::is_ascii_digit) {
        if digits == 0 && c == '0' {
            return None;
        }
        digits = digits.saturating_add(1);
        chars.next();
    }
    (1..=max_digits).contains(&digits).then_some(())
}

impl HoClassCode {
    /// Parses a code; surrounding whitespace is ignored and a class letter is uppercased.
    ///
    /// # Errors
    /// Returns a [`HoClassCodeError`].
    pub fn parse(input: &str) -> Result<Self, HoClassCodeError> {
        let text = input.trim();
        let len = text.chars().count();
        if len == 0 {
            return Err(HoClassCodeError::Empty);
        }
        if len > 7 {
            return Err(HoClassCodeError::TooLong(len));
        }
        let code = text.to_ascii_uppercase();
        let shape = || HoClassCodeError::Shape(text.to_owned());
        let mut chars = code.chars().peekable();
        number(&mut chars, 3).ok_or_else(shape)?;
        if chars.peek().is_some_and(char::is_ascii_uppercase) {
            chars.next();
        }
        if chars.peek() == Some(&'/') {
            chars.next();
            number(&mut chars, 2).ok_or_else(shape)?;
        }
        if chars.next().is_some() {
            return Err(shape());
        }
        Ok(Self(code))
    }

    /// The code as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_conversions!(HoClassCode, HoClassCodeError);

/// One Home Office offence classification, as read from reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HoOffence {
    /// The classification code.
    pub code: HoClassCode,
    /// The offence, e.g. "Harassment".
    pub offence: String,
    /// The crime-type group, e.g. `violence-against-the-person` (Bluelamp's grouping).
    pub group: String,
    /// True if notifiable to the Home Office (a recorded crime).
    pub notifiable: bool,
    /// How far the row has been checked against HOCR.
    pub status: SourceStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refdata::ReferenceData;
    use proptest::prelude::*;
    use rstest::rstest;

    #[rstest]
    #[case("1", "1")]
    #[case("4/1", "4/1")]
    #[case("4/10", "4/10")]
    #[case("8L", "8L")]
    #[case(" 28a ", "28A")]
    #[case("37/1", "37/1")]
    #[case("3A", "3A")]
    #[case("999Z/99", "999Z/99")]
    fn valid(#[case] input: &str, #[case] canonical: &str) {
        assert_eq!(HoClassCode::parse(input).unwrap().as_str(), canonical);
    }

    #[rstest]
    #[case("", "Home Office classification is empty")]
    #[case(
        "12345678",
        "Home Office classification is 8 characters long, the maximum is 7"
    )]
    #[case(
        "0",
        "Home Office classification '0' is not a class number with an optional letter and /subclass, such as 1, 4/1, 8L or 28A"
    )]
    #[case(
        "08L",
        "Home Office classification '08L' is not a class number with an optional letter and /subclass, such as 1, 4/1, 8L or 28A"
    )]
    #[case(
        "1000",
        "Home Office classification '1000' is not a class number with an optional letter and /subclass, such as 1, 4/1, 8L or 28A"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(HoClassCode::parse(input).unwrap_err().to_string(), message);
    }

    #[rstest]
    #[case("L8")]
    #[case("8LL")]
    #[case("4/")]
    #[case("4/0")]
    #[case("4/01")]
    #[case("4/100")]
    #[case("/1")]
    #[case("4//1")]
    #[case("8 L")]
    #[case("8-L")]
    #[case("8L/1/2")]
    #[case("００")]
    #[case("8É")]
    fn garbage(#[case] input: &str) {
        assert!(HoClassCode::parse(input).is_err(), "{input}");
    }

    #[test]
    fn lookup_by_code() {
        let data = ReferenceData::embedded().unwrap();
        let on = "2025-01-01".parse().unwrap();
        let code = |c: &str| HoClassCode::parse(c).unwrap();
        let harassment = data.ho_offence(&code("8l"), on).unwrap();
        assert_eq!(harassment.offence, "Harassment");
        assert_eq!(harassment.status, SourceStatus::Verified);
        assert!(harassment.notifiable);
        assert_eq!(
            data.ho_offence(&code("4/1"), on).unwrap().offence,
            "Manslaughter"
        );
        assert_eq!(
            data.ho_offence(&code("28A"), on).unwrap().status,
            SourceStatus::Partial
        );
        assert!(data.ho_offence(&code("8N"), on).is_none());
        // Every row's code is canonical.
        for entry in data.ho_offence_classifications.entries() {
            assert_eq!(code(&entry.code).as_str(), entry.code);
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_canonical(s in "\\PC{0,10}") {
            if let Ok(code) = HoClassCode::parse(&s) {
                prop_assert_eq!(HoClassCode::parse(code.as_str()).unwrap(), code.clone());
                prop_assert_eq!(code.to_string(), code.as_str());
            }
        }

        #[test]
        fn well_formed_codes_parse(class in 1_u16..1000, letter in proptest::option::of("[A-Z]"), sub in proptest::option::of(1_u8..100)) {
            let text = format!(
                "{class}{}{}",
                letter.unwrap_or_default(),
                sub.map(|s| format!("/{s}")).unwrap_or_default()
            );
            let code = HoClassCode::parse(&text).unwrap();
            prop_assert_eq!(code.as_str(), text.as_str());
        }
    }
}
