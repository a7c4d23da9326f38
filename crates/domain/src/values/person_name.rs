//! Personal names.

use serde::{Deserialize, Serialize};

use super::first_control_char;

/// Maximum length in characters of each name part.
const MAX_PART: usize = 100;

/// A person's name: zero or more forenames and a surname. Each part is trimmed, with runs of
/// whitespace collapsed to one space, is non-empty, at most 100 characters, and has no
/// control characters. Serialised as `{"forenames": [..], "surname": ".."}` and validated on
/// deserialisation. Displayed as forenames then surname.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPersonName")]
pub struct PersonName {
    forenames: Vec<String>,
    surname: String,
}

/// The unvalidated wire form of a [`PersonName`].
#[derive(Deserialize)]
struct RawPersonName {
    #[serde(default)]
    forenames: Vec<String>,
    surname: String,
}

/// Why a name was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    /// The surname is empty after trimming.
    #[error("surname is empty")]
    SurnameEmpty,
    /// A forename is empty after trimming (1-based position).
    #[error("forename {0} is empty")]
    ForenameEmpty(usize),
    /// A part is longer than 100 characters.
    #[error("{part} is {len} characters long, the maximum is 100")]
    TooLong {
        /// Which part, e.g. "surname" or "forename 2".
        part: String,
        /// Its length in characters.
        len: usize,
    },
    /// A part contains a control character.
    #[error("{part} contains control character {code:?} at character {position}")]
    ControlCharacter {
        /// Which part.
        part: String,
        /// The character.
        code: char,
        /// Its 1-based position in the part.
        position: usize,
    },
}

/// Control characters that count as whitespace and are collapsed into single spaces.
const WHITESPACE_CONTROLS: &[char] = &['\t', '\n', '\u{b}', '\u{c}', '\r', '\u{85}'];

fn clean(raw: &str, part: impl Fn() -> String) -> Result<String, PersonNameError> {
    // Whitespace controls (tab, newline, ...) are collapsed rather than rejected; any other
    // control character anywhere in the part is an error.
    if let Some((position, code)) = first_control_char(raw, WHITESPACE_CONTROLS) {
        return Err(PersonNameError::ControlCharacter {
            part: part(),
            code,
            position,
        });
    }
    let value = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let len = value.chars().count();
    if len > MAX_PART {
        return Err(PersonNameError::TooLong { part: part(), len });
    }
    Ok(value)
}

impl PersonName {
    /// Builds a name from its parts.
    ///
    /// # Errors
    /// Returns a [`PersonNameError`] naming the part that is wrong.
    pub fn new<F, S>(forenames: F, surname: &str) -> Result<Self, PersonNameError>
    where
        F: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let forenames = forenames
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let n = i.saturating_add(1);
                let value = clean(f.as_ref(), || format!("forename {n}"))?;
                if value.is_empty() {
                    return Err(PersonNameError::ForenameEmpty(n));
                }
                Ok(value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let surname = clean(surname, || "surname".to_owned())?;
        if surname.is_empty() {
            return Err(PersonNameError::SurnameEmpty);
        }
        Ok(Self { forenames, surname })
    }

    /// The forenames, in order.
    #[must_use]
    pub fn forenames(&self) -> &[String] {
        &self.forenames
    }

    /// The surname.
    #[must_use]
    pub fn surname(&self) -> &str {
        &self.surname
    }
}

impl TryFrom<RawPersonName> for PersonName {
    type Error = PersonNameError;
    fn try_from(raw: RawPersonName) -> Result<Self, Self::Error> {
        Self::new(raw.forenames, &raw.surname)
    }
}

impl core::fmt::Display for PersonName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for forename in &self.forenames {
            write!(f, "{forename} ")?;
        }
        f.write_str(&self.surname)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// Found by the `domain_values` fuzz target: a tab before a NUL hid the NUL.
    #[test]
    fn control_character_after_whitespace_control_is_rejected() {
        let error = PersonName::new(Vec::<&str>::new(), "O\t\0").unwrap_err();
        assert!(
            matches!(error, PersonNameError::ControlCharacter { code: '\0', .. }),
            "{error:?}"
        );
        assert_eq!(PersonName::new(["A\tB"], "C").unwrap().to_string(), "A B C");
    }

    #[rstest]
    #[case(&["John", " Paul "], "Smith", "John Paul Smith")]
    #[case(&[], " de  la Cruz ", "de la Cruz")]
    #[case(&["Siân"], "O'Brien-Ffoulkes", "Siân O'Brien-Ffoulkes")]
    fn valid(#[case] forenames: &[&str], #[case] surname: &str, #[case] display: &str) {
        assert_eq!(
            PersonName::new(forenames, surname).unwrap().to_string(),
            display
        );
    }

    #[rstest]
    #[case(&["John"], "  ", "surname is empty")]
    #[case(&["John", " "], "Smith", "forename 2 is empty")]
    #[case(&[], "Smith\u{7}", "surname contains control character '\\u{7}' at character 6")]
    #[case(&["J\u{0}"], "Smith", "forename 1 contains control character '\\0' at character 2")]
    fn invalid(#[case] forenames: &[&str], #[case] surname: &str, #[case] message: &str) {
        assert_eq!(
            PersonName::new(forenames, surname).unwrap_err().to_string(),
            message
        );
    }

    #[test]
    fn too_long() {
        let long = "a".repeat(101);
        assert_eq!(
            PersonName::new(["x"], &long).unwrap_err().to_string(),
            "surname is 101 characters long, the maximum is 100"
        );
    }

    #[test]
    fn serde_validates() {
        let n: PersonName =
            serde_json::from_str(r#"{"forenames":["Ann"],"surname":" Lee "}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&n).unwrap(),
            r#"{"forenames":["Ann"],"surname":"Lee"}"#
        );
        assert!(serde_json::from_str::<PersonName>(r#"{"forenames":[],"surname":""}"#).is_err());
    }
}
