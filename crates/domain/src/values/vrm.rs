//! Vehicle registration marks (uk-standards §6.1, DVLA styles).

use serde::{Deserialize, Serialize};

/// The registration style a [`Vrm`] was recognised as.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    derive_more::Display,
)]
#[serde(rename_all = "snake_case")]
pub enum VrmStyle {
    /// `AA99 AAA`, September 2001 onwards.
    #[display("current")]
    Current,
    /// `A999 AAA`, August 1983 to August 2001.
    #[display("prefix")]
    Prefix,
    /// `AAA 999A`, February 1963 to July 1983.
    #[display("suffix")]
    Suffix,
    /// Before 1963: `9999 AA`, `AA 9999`, `999 AAA`, `AAA 999` and shorter.
    #[display("dateless")]
    Dateless,
    /// Northern Ireland: three letters including I or Z, then up to four digits (`ABZ 1234`).
    #[display("Northern Ireland")]
    NorthernIreland,
    /// Accepted by [`Vrm::parse_lenient`] only: foreign, trade, diplomatic, Q plates, misreads.
    #[display("unrecognised")]
    Unrecognised,
}

/// A vehicle registration mark, normalised to uppercase without spaces, with its derived
/// [`VrmStyle`]. Displayed with the conventional space (`AB12 CDE`, `ABC 123D`).
///
/// [`Vrm::parse`] (and `FromStr`) accept only the UK styles. [`Vrm::parse_lenient`] never
/// rejects a non-empty alphanumeric mark of up to 10 characters, as ANPR requires, and
/// deserialisation uses it too, so any stored mark can be read back; check
/// [`Vrm::style`] where a UK mark is required.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Vrm {
    mark: String,
    style: VrmStyle,
}

/// Why a registration mark was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VrmError {
    /// Nothing but whitespace was given.
    #[error("registration mark is empty")]
    Empty,
    /// A character other than a letter, digit or whitespace.
    #[error("registration mark contains '{0}'; only letters and digits are allowed")]
    InvalidCharacter(char),
    /// Longer than the style allows.
    #[error("registration mark is {len} characters long without spaces, the maximum is {max}")]
    TooLong {
        /// Length without spaces.
        len: usize,
        /// The maximum accepted.
        max: usize,
    },
    /// A letter the DVLA does not issue in that position.
    #[error("letter '{letter}' is not issued in the {part} of a {style} registration")]
    LetterNotIssued {
        /// The letter.
        letter: char,
        /// Which part of the mark it is in.
        part: &'static str,
        /// The style the mark otherwise matches.
        style: VrmStyle,
    },
    /// A number part with a leading zero.
    #[error("number '{number}' in a {style} registration cannot start with 0")]
    LeadingZero {
        /// The number part.
        number: String,
        /// The style the mark otherwise matches.
        style: VrmStyle,
    },
    /// A current-style age identifier that is never issued.
    #[error("age identifier '{0}' is never issued (00, 01 and 50 are not used)")]
    AgeIdentifier(String),
    /// Matches no UK style.
    #[error(
        "'{0}' does not match any UK registration style (current, prefix, suffix, dateless or Northern Ireland)"
    )]
    Unrecognised(String),
}

/// Letters issued in most positions: no I, Q or Z.
const GENERAL: &str = "ABCDEFGHJKLMNOPRSTUVWXY";
/// Current-style random letters: no I or Q.
const CURRENT_RANDOM: &str = "ABCDEFGHJKLMNOPRSTUVWXYZ";
/// Prefix and suffix year letters: no I, O, Q or Z.
const YEAR_LETTER: &str = "ABCDEFGHJKLMNPRSTUVWXY";
/// Northern Ireland second and third letters: I and Z allowed, no Q.
const NI_LATER: &str = "ABCDEFGHIJKLMNOPRSTUVWXYZ";

const STRICT_MAX: usize = 7;
const LENIENT_MAX: usize = 10;

impl Vrm {
    /// Parses a UK registration mark of any style.
    ///
    /// # Errors
    /// Returns a [`VrmError`] naming the broken rule of the style the input looks like.
    pub fn parse(input: &str) -> Result<Self, VrmError> {
        let mark = normalise(input, STRICT_MAX)?;
        let style = classify(&mark)?;
        Ok(Self { mark, style })
    }

    /// Parses an ANPR-style read: uppercases and strips spaces, and accepts any non-empty
    /// alphanumeric mark of up to 10 characters. Marks that match no UK style get
    /// [`VrmStyle::Unrecognised`].
    ///
    /// # Errors
    /// Returns a [`VrmError`] if the input is empty, too long or not alphanumeric.
    pub fn parse_lenient(input: &str) -> Result<Self, VrmError> {
        let mark = normalise(input, LENIENT_MAX)?;
        let style = if mark.len() <= STRICT_MAX {
            classify(&mark).unwrap_or(VrmStyle::Unrecognised)
        } else {
            VrmStyle::Unrecognised
        };
        Ok(Self { mark, style })
    }

    /// The recognised style.
    #[must_use]
    pub fn style(&self) -> VrmStyle {
        self.style
    }

    /// The mark without spaces (`AB12CDE`), as used for matching.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.mark
    }

    /// Where the display space goes, as a byte offset into the mark.
    fn space_at(&self) -> Option<usize> {
        let len = self.mark.len();
        match self.style {
            VrmStyle::Current | VrmStyle::Prefix => len.checked_sub(3),
            VrmStyle::Suffix => Some(3),
            VrmStyle::Dateless | VrmStyle::NorthernIreland => {
                runs(&self.mark).first().map(|run| run.text.len())
            }
            VrmStyle::Unrecognised => None,
        }
    }
}

impl core::fmt::Display for Vrm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.space_at().and_then(|i| self.mark.split_at_checked(i)) {
            Some((head, tail)) if !head.is_empty() && !tail.is_empty() => {
                write!(f, "{head} {tail}")
            }
            _ => f.write_str(&self.mark),
        }
    }
}

impl core::str::FromStr for Vrm {
    type Err = VrmError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Vrm {
    type Error = VrmError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse_lenient(&s)
    }
}

impl From<Vrm> for String {
    fn from(value: Vrm) -> Self {
        value.to_string()
    }
}

fn normalise(input: &str, max: usize) -> Result<String, VrmError> {
    let mark: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if mark.is_empty() {
        return Err(VrmError::Empty);
    }
    if let Some(c) = mark.chars().find(|c| !c.is_ascii_alphanumeric()) {
        return Err(VrmError::InvalidCharacter(c));
    }
    let len = mark.len();
    if len > max {
        return Err(VrmError::TooLong { len, max });
    }
    Ok(mark)
}

/// A maximal run of letters or of digits.
struct Run<'a> {
    letters: bool,
    text: &'a str,
}

impl Run<'_> {
    fn len(&self) -> usize {
        self.text.len()
    }
}

fn runs(mark: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut rest = mark;
    while let Some(first) = rest.chars().next() {
        let letters = first.is_ascii_alphabetic();
        let end = rest
            .find(|c: char| c.is_ascii_alphabetic() != letters)
            .unwrap_or(rest.len());
        let (text, tail) = rest.split_at_checked(end).unwrap_or((rest, ""));
        out.push(Run { letters, text });
        rest = tail;
    }
    out
}

fn letters_in(
    text: &str,
    allowed: &str,
    part: &'static str,
    style: VrmStyle,
) -> Result<(), VrmError> {
    match text.chars().find(|c| !allowed.contains(*c)) {
        Some(letter) => Err(VrmError::LetterNotIssued {
            letter,
            part,
            style,
        }),
        None => Ok(()),
    }
}

fn no_leading_zero(number: &str, style: VrmStyle) -> Result<(), VrmError> {
    if number.starts_with('0') {
        return Err(VrmError::LeadingZero {
            number: number.to_owned(),
            style,
        });
    }
    Ok(())
}

fn classify(mark: &str) -> Result<VrmStyle, VrmError> {
    let unrecognised = || VrmError::Unrecognised(mark.to_owned());
    let runs = runs(mark);
    match runs.as_slice() {
        [a, n, b] if a.letters && !n.letters && b.letters => match (a.len(), n.len(), b.len()) {
            (2, 2, 3) => {
                let style = VrmStyle::Current;
                letters_in(a.text, GENERAL, "area code", style)?;
                if matches!(n.text, "00" | "01" | "50") {
                    return Err(VrmError::AgeIdentifier(n.text.to_owned()));
                }
                letters_in(b.text, CURRENT_RANDOM, "random letters", style)?;
                Ok(style)
            }
            (1, 1..=3, 3) => {
                let style = VrmStyle::Prefix;
                letters_in(a.text, YEAR_LETTER, "year letter", style)?;
                no_leading_zero(n.text, style)?;
                letters_in(b.text, GENERAL, "letters", style)?;
                Ok(style)
            }
            (3, 1..=3, 1) => {
                let style = VrmStyle::Suffix;
                letters_in(a.text, GENERAL, "letters", style)?;
                no_leading_zero(n.text, style)?;
                letters_in(b.text, YEAR_LETTER, "year letter", style)?;
                Ok(style)
            }
            _ => Err(unrecognised()),
        },
        [n, a] if !n.letters && a.letters => {
            let (digits, letters) = (n.len(), a.len());
            if (digits <= 4 && letters <= 2) || (digits <= 3 && letters <= 3) {
                letters_in(a.text, GENERAL, "letters", VrmStyle::Dateless)?;
                Ok(VrmStyle::Dateless)
            } else {
                Err(unrecognised())
            }
        }
        [a, n] if a.letters && !n.letters => {
            let (letters, digits) = (a.len(), n.len());
            let later = a.text.get(1..).unwrap_or_default();
            let looks_ni = letters == 3 && (later.contains(['I', 'Z']) || digits == 4);
            if looks_ni {
                let style = VrmStyle::NorthernIreland;
                let (first, _) = a.text.split_at_checked(1).ok_or_else(unrecognised)?;
                letters_in(first, GENERAL, "first letter", style)?;
                letters_in(later, NI_LATER, "letters", style)?;
                Ok(style)
            } else if (letters <= 2 && digits <= 4) || (letters <= 3 && digits <= 3) {
                letters_in(a.text, GENERAL, "letters", VrmStyle::Dateless)?;
                Ok(VrmStyle::Dateless)
            } else {
                Err(unrecognised())
            }
        }
        _ => Err(unrecognised()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::current("ab12 cde", "AB12 CDE", VrmStyle::Current)]
    #[case::current_compact("LB07SEO", "LB07 SEO", VrmStyle::Current)]
    #[case::current_z_last("YY74 ZZZ", "YY74 ZZZ", VrmStyle::Current)]
    #[case::prefix("A123 BCD", "A123 BCD", VrmStyle::Prefix)]
    #[case::prefix_short("p1ABC", "P1 ABC", VrmStyle::Prefix)]
    #[case::suffix("ABC 123D", "ABC 123D", VrmStyle::Suffix)]
    #[case::suffix_short("HWY1A", "HWY 1A", VrmStyle::Suffix)]
    #[case::dateless_digits_first("1234 AB", "1234 AB", VrmStyle::Dateless)]
    #[case::dateless_letters_first("AB 1234", "AB 1234", VrmStyle::Dateless)]
    #[case::dateless_three_three("123ABC", "123 ABC", VrmStyle::Dateless)]
    #[case::dateless_abc_123("ABC 123", "ABC 123", VrmStyle::Dateless)]
    #[case::dateless_single("A 1", "A 1", VrmStyle::Dateless)]
    #[case::ni_four_digits("ABZ 1234", "ABZ 1234", VrmStyle::NorthernIreland)]
    #[case::ni_i("BIA 99", "BIA 99", VrmStyle::NorthernIreland)]
    #[case::ni_z_no_space("XDZ123", "XDZ 123", VrmStyle::NorthernIreland)]
    fn valid(#[case] input: &str, #[case] display: &str, #[case] style: VrmStyle) {
        let vrm = Vrm::parse(input).unwrap();
        assert_eq!(vrm.to_string(), display);
        assert_eq!(vrm.style(), style);
        assert_eq!(vrm.as_str(), display.replace(' ', ""));
    }

    #[rstest]
    #[case("", "registration mark is empty")]
    #[case(
        "AB12-CDE",
        "registration mark contains '-'; only letters and digits are allowed"
    )]
    #[case(
        "AB12CDEF",
        "registration mark is 8 characters long without spaces, the maximum is 7"
    )]
    #[case(
        "IB12 CDE",
        "letter 'I' is not issued in the area code of a current registration"
    )]
    #[case(
        "ZB12 CDE",
        "letter 'Z' is not issued in the area code of a current registration"
    )]
    #[case(
        "AB12 CQE",
        "letter 'Q' is not issued in the random letters of a current registration"
    )]
    #[case(
        "AB50 CDE",
        "age identifier '50' is never issued (00, 01 and 50 are not used)"
    )]
    #[case(
        "AB00 CDE",
        "age identifier '00' is never issued (00, 01 and 50 are not used)"
    )]
    #[case(
        "O123 ABC",
        "letter 'O' is not issued in the year letter of a prefix registration"
    )]
    #[case(
        "A012 BCD",
        "number '012' in a prefix registration cannot start with 0"
    )]
    #[case(
        "ABC 012D",
        "number '012' in a suffix registration cannot start with 0"
    )]
    #[case(
        "ABC 123Z",
        "letter 'Z' is not issued in the year letter of a suffix registration"
    )]
    #[case(
        "Q123 ABC",
        "letter 'Q' is not issued in the year letter of a prefix registration"
    )]
    #[case(
        "12345 A",
        "'12345A' does not match any UK registration style (current, prefix, suffix, dateless or Northern Ireland)"
    )]
    #[case(
        "A1B2",
        "'A1B2' does not match any UK registration style (current, prefix, suffix, dateless or Northern Ireland)"
    )]
    #[case(
        "ZBZ 1234",
        "letter 'Z' is not issued in the first letter of a Northern Ireland registration"
    )]
    #[case(
        "AQZ 12",
        "letter 'Q' is not issued in the letters of a Northern Ireland registration"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(Vrm::parse(input).unwrap_err().to_string(), message);
    }

    #[rstest]
    #[case("F 123 ABC 45", "F123ABC45")]
    #[case("Q123ABC", "Q123ABC")]
    #[case("1234567890", "1234567890")]
    fn lenient_keeps_unrecognised(#[case] input: &str, #[case] display: &str) {
        let vrm = Vrm::parse_lenient(input).unwrap();
        assert_eq!(vrm.style(), VrmStyle::Unrecognised);
        assert_eq!(vrm.to_string(), display);
    }

    #[rstest]
    #[case("", "registration mark is empty")]
    #[case(
        "12345678901",
        "registration mark is 11 characters long without spaces, the maximum is 10"
    )]
    #[case(
        "AB*12",
        "registration mark contains '*'; only letters and digits are allowed"
    )]
    fn lenient_rejects(#[case] input: &str, #[case] message: &str) {
        assert_eq!(Vrm::parse_lenient(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn lenient_recognises_uk_marks() {
        assert_eq!(
            Vrm::parse_lenient("ab12cde").unwrap().style(),
            VrmStyle::Current
        );
    }

    #[test]
    fn serde_round_trips_lenient_marks() {
        for mark in ["AB12 CDE", "F123ABC45"] {
            let vrm = Vrm::parse_lenient(mark).unwrap();
            let json = serde_json::to_string(&vrm).unwrap();
            assert_eq!(serde_json::from_str::<Vrm>(&json).unwrap(), vrm);
        }
    }
}
