//! Online reports made by members of the public, and their reference numbers.
//!
//! A report's content is held as POLE records (the event, the people, places and objects, the
//! evidence); what this module adds is what the reporter needs to follow it: a
//! [`ReportReference`] to quote, the [`ReportKind`] of journey they used and the
//! [`ReportStatus`] they see on their tracking page.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The Crockford base-32 alphabet: digits and capitals without I, L, O and U, so a reference
/// read aloud or written by hand is not misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Random symbols in a reference (50 bits: not enumerable).
const PAYLOAD_LEN: usize = 10;

/// The prefix shown before a reference.
const PREFIX: &str = "BL";

/// A report reference such as `BL-7K3M-9QXD-2HJ`: ten random Crockford base-32 symbols (50
/// bits, so references cannot be guessed or enumerated) and a Luhn mod 32 check symbol that
/// catches every single mistyped symbol and every swap of two neighbours except `0` with `Z`
/// (Luhn's one blind spot).
///
/// Parsing is forgiving of how people type: any case, spaces or hyphens anywhere, with or
/// without the `BL` prefix, and `O`, `I` and `L` read as `0`, `1` and `1`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReportReference {
    /// The eleven symbols (payload then check), canonical upper case.
    symbols: String,
}

/// Why a report reference was rejected, in words fit to show a member of the public.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportReferenceError {
    /// Nothing was given.
    #[error("Enter your report reference")]
    Empty,
    /// The wrong number of symbols.
    #[error("Report reference must be 11 letters and numbers after BL, like BL-7K3M-9QXD-2HJ")]
    Length,
    /// A character that cannot appear in a reference.
    #[error("Report reference cannot contain ‘{0}’")]
    InvalidCharacter(char),
    /// The check symbol does not match: a symbol was mistyped.
    #[error("Check your report reference: it has a mistake in it")]
    Check,
}

fn symbol_value(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&symbol| char::from(symbol) == c)
        .and_then(|index| u32::try_from(index).ok())
}

fn symbol(value: u32) -> char {
    usize::try_from(value % 32)
        .ok()
        .and_then(|index| ALPHABET.get(index))
        .map_or('0', |&b| char::from(b))
}

/// The Luhn mod 32 check value of `payload` (symbol values, most significant first).
fn check_value(payload: &[u32]) -> u32 {
    let mut factor = 2;
    let mut sum = 0;
    for &value in payload.iter().rev() {
        let addend = factor * value;
        sum += addend / 32 + addend % 32;
        factor = if factor == 2 { 1 } else { 2 };
    }
    (32 - sum % 32) % 32
}

impl ReportReference {
    /// A reference from 50 random bits (the caller supplies randomness: this crate does no
    /// I/O). Bits above the lowest 50 are ignored.
    #[must_use]
    pub fn from_random(bits: u64) -> Self {
        let mut values = Vec::with_capacity(PAYLOAD_LEN);
        for position in (0..PAYLOAD_LEN).rev() {
            let shift = u32::try_from(position * 5).unwrap_or(0);
            let value = u32::try_from((bits >> shift) & 31).unwrap_or(0);
            values.push(value);
        }
        let check = check_value(&values);
        let mut symbols: String = values.iter().map(|&v| symbol(v)).collect();
        symbols.push(symbol(check));
        Self { symbols }
    }

    /// Parses a reference as a person might type it.
    ///
    /// # Errors
    /// Returns a [`ReportReferenceError`].
    pub fn parse(input: &str) -> Result<Self, ReportReferenceError> {
        let compact: String = input
            .chars()
            .filter(|c| !(c.is_whitespace() || *c == '-'))
            .collect();
        if compact.is_empty() {
            return Err(ReportReferenceError::Empty);
        }
        let upper = compact.to_ascii_uppercase();
        let body = match upper.strip_prefix(PREFIX) {
            Some(rest) if rest.chars().count() == PAYLOAD_LEN + 1 => rest,
            _ => upper.as_str(),
        };
        let mut values = Vec::with_capacity(PAYLOAD_LEN + 1);
        for c in body.chars() {
            values.push(symbol_value(c).ok_or(ReportReferenceError::InvalidCharacter(c))?);
        }
        if values.len() != PAYLOAD_LEN + 1 {
            return Err(ReportReferenceError::Length);
        }
        let (payload, check) = values.split_at(PAYLOAD_LEN);
        if check != [check_value(payload)] {
            return Err(ReportReferenceError::Check);
        }
        Ok(Self {
            symbols: values.iter().map(|&v| symbol(v)).collect(),
        })
    }

    /// The canonical compact form without prefix or hyphens, e.g. `7K3M9QXD2H4` (how it is
    /// stored).
    #[must_use]
    pub fn compact(&self) -> &str {
        &self.symbols
    }
}

impl fmt::Display for ReportReference {
    /// `BL-7K3M-9QXD-2HJ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, rest) = self.symbols.split_at(4.min(self.symbols.len()));
        let (second, third) = rest.split_at(4.min(rest.len()));
        write!(f, "{PREFIX}-{first}-{second}-{third}")
    }
}

impl fmt::Debug for ReportReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReportReference({self})")
    }
}

string_conversions!(ReportReference, ReportReferenceError);

/// Which online journey a report came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// A crime (theft, burglary, criminal damage, assault, fraud, hate crime, …).
    Crime,
    /// Anti-social behaviour.
    AntiSocialBehaviour,
    /// A road traffic offence with camera footage (Operation Snap).
    RoadTraffic,
    /// Information about crime, given anonymously or named.
    Information,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [Self; 4] = [
        Self::Crime,
        Self::AntiSocialBehaviour,
        Self::RoadTraffic,
        Self::Information,
    ];

    /// The snake_case name used in storage and URLs.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Crime => "crime",
            Self::AntiSocialBehaviour => "anti_social_behaviour",
            Self::RoadTraffic => "road_traffic",
            Self::Information => "information",
        }
    }

    /// How the kind is described to the public, e.g. "Crime report".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Crime => "Crime report",
            Self::AntiSocialBehaviour => "Anti-social behaviour report",
            Self::RoadTraffic => "Road traffic offence with footage",
            Self::Information => "Information about crime",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`ReportKind`] or [`ReportStatus`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`")]
pub struct UnknownName {
    /// What was being named.
    pub what: &'static str,
    /// The unrecognised value.
    pub value: String,
}

impl FromStr for ReportKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "report kind",
                value: s.to_owned(),
            })
    }
}

/// Where a report has got to, as its reporter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Received; nobody has looked at it yet.
    Received,
    /// A member of staff is assessing it.
    BeingAssessed,
    /// Recorded as a crime, with a crime number.
    CrimeRecorded,
    /// An officer has been assigned.
    OfficerAssigned,
    /// Closed with an outcome.
    Closed,
}

impl ReportStatus {
    /// Every status, in the order a report usually moves through them.
    pub const ALL: [Self; 5] = [
        Self::Received,
        Self::BeingAssessed,
        Self::CrimeRecorded,
        Self::OfficerAssigned,
        Self::Closed,
    ];

    /// The snake_case name used in storage.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::BeingAssessed => "being_assessed",
            Self::CrimeRecorded => "crime_recorded",
            Self::OfficerAssigned => "officer_assigned",
            Self::Closed => "closed",
        }
    }

    /// How the status is shown to the reporter, e.g. "Being assessed".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Received => "Received",
            Self::BeingAssessed => "Being assessed",
            Self::CrimeRecorded => "Crime recorded",
            Self::OfficerAssigned => "Officer assigned",
            Self::Closed => "Closed",
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportStatus {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownName {
                what: "report status",
                value: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses_back() {
        let reference = ReportReference::from_random(0x0003_1234_5678_9abc);
        let shown = reference.to_string();
        assert!(shown.starts_with("BL-"), "{shown}");
        assert_eq!(shown.len(), "BL-XXXX-XXXX-XXX".len());
        assert_eq!(ReportReference::parse(&shown).unwrap(), reference);
        assert_eq!(
            ReportReference::parse(reference.compact()).unwrap(),
            reference
        );
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(ReportReference::parse(&typed).unwrap(), reference);
    }

    #[test]
    fn the_example_shown_to_the_public_is_a_valid_reference() {
        let example = ReportReference::parse("BL-7K3M-9QXD-2HJ").unwrap();
        assert_eq!(example.to_string(), "BL-7K3M-9QXD-2HJ");
    }

    #[test]
    fn reads_confusable_letters_as_digits() {
        let reference = ReportReference::from_random(0);
        assert_eq!(reference.compact(), "00000000000");
        assert_eq!(
            ReportReference::parse("BL-OOOO-oooo-OOO").unwrap(),
            reference
        );
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        assert_eq!(
            ReportReference::parse("  "),
            Err(ReportReferenceError::Empty)
        );
        assert_eq!(
            ReportReference::parse("BL-1234"),
            Err(ReportReferenceError::Length)
        );
        assert_eq!(
            ReportReference::parse("BL-1234-5678-9U0"),
            Err(ReportReferenceError::InvalidCharacter('U'))
        );
    }

    proptest! {
        #[test]
        fn every_single_substitution_is_caught(bits in any::<u64>(), position in 0usize..11, replacement in 0u32..32) {
            let reference = ReportReference::from_random(bits);
            let mut symbols: Vec<char> = reference.compact().chars().collect();
            let original = symbols[position];
            let new = symbol(replacement);
            prop_assume!(new != original);
            symbols[position] = new;
            let typed: String = symbols.into_iter().collect();
            prop_assert_eq!(ReportReference::parse(&typed), Err(ReportReferenceError::Check));
        }

        #[test]
        fn every_adjacent_swap_is_caught(bits in any::<u64>(), position in 0usize..10) {
            let reference = ReportReference::from_random(bits);
            let mut symbols: Vec<char> = reference.compact().chars().collect();
            prop_assume!(symbols[position] != symbols[position + 1]);
            let pair = [symbols[position], symbols[position + 1]];
            prop_assume!(pair != ['0', 'Z'] && pair != ['Z', '0']);
            symbols.swap(position, position + 1);
            let typed: String = symbols.into_iter().collect();
            prop_assert!(ReportReference::parse(&typed).is_err());
        }

        #[test]
        fn round_trips(bits in any::<u64>()) {
            let reference = ReportReference::from_random(bits);
            prop_assert_eq!(ReportReference::parse(&reference.to_string()).unwrap(), reference);
        }
    }

    #[test]
    fn every_adjacent_swap_but_zero_and_z_changes_the_check() {
        // Exhaustive over symbol pairs: Luhn mod 32's only blind spot is 0 <-> Z.
        for a in 0..32u32 {
            for b in 0..32u32 {
                if a == b {
                    continue;
                }
                let mut payload = vec![0u32; PAYLOAD_LEN];
                payload[3] = a;
                payload[4] = b;
                let mut swapped = payload.clone();
                swapped.swap(3, 4);
                let caught = check_value(&payload) != check_value(&swapped);
                assert_eq!(caught, !matches!((a, b), (0, 31) | (31, 0)), "{a} {b}");
            }
        }
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        for kind in ReportKind::ALL {
            assert_eq!(kind.as_str().parse::<ReportKind>().unwrap(), kind);
        }
        for status in ReportStatus::ALL {
            assert_eq!(status.as_str().parse::<ReportStatus>().unwrap(), status);
        }
    }
}
