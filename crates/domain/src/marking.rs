//! Government Security Classifications (GSCP, uk-standards §5.1).

use serde::{Deserialize, Serialize};

/// The three GSCP tiers, ordered `Official < Secret < TopSecret`.
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
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Classification {
    /// OFFICIAL: most police information.
    #[display("OFFICIAL")]
    Official,
    /// SECRET.
    #[display("SECRET")]
    Secret,
    /// TOP SECRET.
    #[display("TOP SECRET")]
    TopSecret,
}

code_newtype!(
    /// A caveat or descriptor added to a marking, e.g. `UK EYES ONLY`, `PERSONAL`, `LOCSEN`:
    /// uppercase words of letters and digits separated by single spaces, at most 32
    /// characters.
    Caveat,
    "caveat",
    caveat,
    32
);

/// A protective marking: a classification, the OFFICIAL-SENSITIVE handling flag (only with
/// OFFICIAL: it is not a fourth tier) and caveats, kept sorted and without duplicates.
///
/// Displayed as a banner: `OFFICIAL`, `OFFICIAL-SENSITIVE`, `SECRET UK EYES ONLY`, with several
/// caveats separated by `, `. Serialised as
/// `{"classification":"OFFICIAL","sensitive":true,"caveats":[]}` and validated on
/// deserialisation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawMarking")]
pub struct Marking {
    classification: Classification,
    sensitive: bool,
    caveats: Vec<Caveat>,
}

/// The unvalidated wire form of a [`Marking`].
#[derive(Deserialize)]
struct RawMarking {
    classification: Classification,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    caveats: Vec<Caveat>,
}

/// Why a marking was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkingError {
    /// The SENSITIVE handling marking on a tier other than OFFICIAL.
    #[error("only OFFICIAL can be marked SENSITIVE, not {0}")]
    SensitiveAboveOfficial(Classification),
    /// No classification at the start of the text.
    #[error("marking '{0}' does not start with OFFICIAL, OFFICIAL-SENSITIVE, SECRET or TOP SECRET")]
    NoClassification(String),
    /// A legacy GPMS marking.
    #[error("'{0}' is a legacy GPMS marking, not a GSCP classification")]
    Legacy(String),
    /// A caveat that is not a valid token.
    #[error(transparent)]
    Caveat(#[from] crate::values::CodeError),
}

impl Marking {
    /// Builds a marking, sorting and de-duplicating the caveats.
    ///
    /// # Errors
    /// Returns [`MarkingError::SensitiveAboveOfficial`] if `sensitive` is set on SECRET or TOP
    /// SECRET.
    pub fn new(
        classification: Classification,
        sensitive: bool,
        mut caveats: Vec<Caveat>,
    ) -> Result<Self, MarkingError> {
        if sensitive && classification != Classification::Official {
            return Err(MarkingError::SensitiveAboveOfficial(classification));
        }
        caveats.sort();
        caveats.dedup();
        Ok(Self {
            classification,
            sensitive,
            caveats,
        })
    }

    /// Plain OFFICIAL with no caveats.
    #[must_use]
    pub fn official() -> Self {
        Self {
            classification: Classification::Official,
            sensitive: false,
            caveats: Vec::new(),
        }
    }

    /// OFFICIAL-SENSITIVE with no caveats.
    #[must_use]
    pub fn official_sensitive() -> Self {
        Self {
            sensitive: true,
            ..Self::official()
        }
    }

    /// Parses a banner such as `OFFICIAL-SENSITIVE`, `official sensitive`,
    /// `SECRET UK EYES ONLY` or `OFFICIAL-SENSITIVE PERSONAL, LOCSEN`.
    ///
    /// # Errors
    /// Returns a [`MarkingError`].
    pub fn parse(input: &str) -> Result<Self, MarkingError> {
        let text = input
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase();
        const PREFIXES: [(&str, Classification, bool); 5] = [
            ("TOP SECRET", Classification::TopSecret, false),
            ("SECRET", Classification::Secret, false),
            ("OFFICIAL-SENSITIVE", Classification::Official, true),
            ("OFFICIAL SENSITIVE", Classification::Official, true),
            ("OFFICIAL", Classification::Official, false),
        ];
        let found = PREFIXES.iter().find_map(|(prefix, class, sensitive)| {
            let rest = text.strip_prefix(prefix)?;
            (rest.is_empty() || rest.starts_with(' ')).then_some((rest.trim(), *class, *sensitive))
        });
        let Some((rest, classification, sensitive)) = found else {
            const LEGACY: [&str; 5] = [
                "UNCLASSIFIED",
                "PROTECT",
                "PROTECTED",
                "RESTRICTED",
                "CONFIDENTIAL",
            ];
            let first = text.split(' ').next().unwrap_or_default();
            if LEGACY.contains(&first) {
                return Err(MarkingError::Legacy(first.to_owned()));
            }
            return Err(MarkingError::NoClassification(input.trim().to_owned()));
        };
        let caveats = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split(',')
                .map(Caveat::parse)
                .collect::<Result<Vec<_>, _>>()?
        };
        Self::new(classification, sensitive, caveats)
    }

    /// The tier.
    #[must_use]
    pub fn classification(&self) -> Classification {
        self.classification
    }

    /// Whether OFFICIAL-SENSITIVE handling applies.
    #[must_use]
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    /// The caveats, sorted.
    #[must_use]
    pub fn caveats(&self) -> &[Caveat] {
        &self.caveats
    }

    /// Rank used by [`Marking::dominates`]: OFFICIAL 0, OFFICIAL-SENSITIVE 1, SECRET 2,
    /// TOP SECRET 3.
    fn rank(&self) -> u8 {
        match (self.classification, self.sensitive) {
            (Classification::Official, false) => 0,
            (Classification::Official, true) => 1,
            (Classification::Secret, _) => 2,
            (Classification::TopSecret, _) => 3,
        }
    }

    /// True if `self` is at least as restrictive as `other`: a tier at least as high
    /// (OFFICIAL-SENSITIVE above OFFICIAL) and every caveat of `other` present in `self`. A
    /// user cleared to `self` may see data marked `other`.
    #[must_use]
    pub fn dominates(&self, other: &Self) -> bool {
        self.rank() >= other.rank() && other.caveats.iter().all(|c| self.caveats.contains(c))
    }
}

impl Default for Marking {
    fn default() -> Self {
        Self::official()
    }
}

impl TryFrom<RawMarking> for Marking {
    type Error = MarkingError;
    fn try_from(raw: RawMarking) -> Result<Self, Self::Error> {
        Self::new(raw.classification, raw.sensitive, raw.caveats)
    }
}

impl core::fmt::Display for Marking {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.classification)?;
        if self.sensitive {
            f.write_str("-SENSITIVE")?;
        }
        for (i, caveat) in self.caveats.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            f.write_str(caveat.as_str())?;
        }
        Ok(())
    }
}

impl core::str::FromStr for Marking {
    type Err = MarkingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("OFFICIAL", "OFFICIAL")]
    #[case("official-sensitive", "OFFICIAL-SENSITIVE")]
    #[case("OFFICIAL SENSITIVE", "OFFICIAL-SENSITIVE")]
    #[case("SECRET UK EYES ONLY", "SECRET UK EYES ONLY")]
    #[case("top secret", "TOP SECRET")]
    #[case(
        "OFFICIAL-SENSITIVE PERSONAL, LOCSEN, PERSONAL",
        "OFFICIAL-SENSITIVE LOCSEN, PERSONAL"
    )]
    fn valid(#[case] input: &str, #[case] display: &str) {
        let marking = Marking::parse(input).unwrap();
        assert_eq!(marking.to_string(), display);
        assert_eq!(Marking::parse(display).unwrap(), marking);
    }

    #[rstest]
    #[case(
        "SECRET-SENSITIVE",
        "marking 'SECRET-SENSITIVE' does not start with OFFICIAL, OFFICIAL-SENSITIVE, SECRET or TOP SECRET"
    )]
    #[case(
        "RESTRICTED",
        "'RESTRICTED' is a legacy GPMS marking, not a GSCP classification"
    )]
    #[case(
        "OFFICIALX",
        "marking 'OFFICIALX' does not start with OFFICIAL, OFFICIAL-SENSITIVE, SECRET or TOP SECRET"
    )]
    #[case(
        "OFFICIAL UK_EYES",
        "caveat 'UK_EYES' contains '_'; only letters A-Z, digits and single spaces are allowed"
    )]
    fn invalid(#[case] input: &str, #[case] message: &str) {
        assert_eq!(Marking::parse(input).unwrap_err().to_string(), message);
    }

    #[test]
    fn sensitive_only_on_official() {
        let err = Marking::new(Classification::Secret, true, vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "only OFFICIAL can be marked SENSITIVE, not SECRET"
        );
        let json = r#"{"classification":"SECRET","sensitive":true,"caveats":[]}"#;
        assert!(serde_json::from_str::<Marking>(json).is_err());
    }

    #[test]
    fn serde_shape() {
        let json = serde_json::to_string(&Marking::official_sensitive()).unwrap();
        assert_eq!(
            json,
            r#"{"classification":"OFFICIAL","sensitive":true,"caveats":[]}"#
        );
        let top: Marking = serde_json::from_str(r#"{"classification":"TOP_SECRET"}"#).unwrap();
        assert_eq!(top.to_string(), "TOP SECRET");
    }

    #[rstest]
    #[case("OFFICIAL-SENSITIVE", "OFFICIAL", true)]
    #[case("OFFICIAL", "OFFICIAL-SENSITIVE", false)]
    #[case("SECRET", "OFFICIAL-SENSITIVE", true)]
    #[case("SECRET", "SECRET UK EYES ONLY", false)]
    #[case("TOP SECRET UK EYES ONLY", "SECRET UK EYES ONLY", true)]
    #[case("OFFICIAL", "OFFICIAL", true)]
    fn dominance(#[case] a: &str, #[case] b: &str, #[case] expected: bool) {
        let (a, b) = (Marking::parse(a).unwrap(), Marking::parse(b).unwrap());
        assert_eq!(a.dominates(&b), expected);
    }

    #[test]
    fn classifications_are_ordered() {
        assert!(Classification::Official < Classification::Secret);
        assert!(Classification::Secret < Classification::TopSecret);
    }
}
