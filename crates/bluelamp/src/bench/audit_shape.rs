//! The shape of a force's audit log after two years, for `bluelamp bench audit-search`: who
//! acts (about 2,000 staff, some far busier than others, and a few system actors), on which
//! records (about a million, a few named very often: Zipf-like), doing what (the s.62 kinds
//! and the gate's actions in realistic proportions, consultation dominant), why (the force's
//! access purposes with their references, and free text) and when (spread over two years in
//! sequence order). Seeded, so every run builds the same log.

use anyhow::Context as _;
use bluelamp_audit::{LogKind, NewEntry, Outcome};
use bluelamp_domain::access_purpose::AccessPurpose;
use bluelamp_domain::refdata::ReferenceData;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use rand::Rng as _;
use rand::distributions::{Distribution as _, WeightedIndex};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// Staff accounts acting in the log.
pub const STAFF: usize = 2_000;

/// Actors that are not staff.
pub const SYSTEM_ACTORS: [&str; 4] = [
    "system:sign-in",
    "system:policy-watcher",
    "system:cli",
    "system:retention-review",
];

/// Days the log spans.
pub const SPAN_DAYS: i64 = 730;

/// Most distinct records named.
const MAX_RECORDS: u64 = 1_000_000;

/// Zipf exponent of how often each record is named (the most popular of a million is named
/// about 0.4 % of the time).
const RECORD_SKEW: f64 = 0.7;

/// Zipf exponent of how busy each member of staff is.
const STAFF_SKEW: f64 = 0.5;

/// What an entry records: its kind, action, weight per thousand entries, and whether it
/// carries a purpose.
pub const ACTIONS: [(LogKind, &str, u32, bool); 15] = [
    (LogKind::Consultation, "record.read", 420, true),
    (LogKind::Consultation, "record.list", 150, true),
    (LogKind::Consultation, "link.read", 60, true),
    (LogKind::Consultation, "staff.sign_in", 40, false),
    (LogKind::Consultation, "audit.read", 5, true),
    (LogKind::Collection, "record.create", 110, false),
    (LogKind::Collection, "report.submit", 20, false),
    (LogKind::Collection, "report.record", 10, false),
    (LogKind::Alteration, "record.update", 70, false),
    (LogKind::Alteration, "report.update", 40, false),
    (LogKind::Alteration, "report.allocate", 15, false),
    (LogKind::Alteration, "record.review", 4, false),
    (LogKind::Disclosure, "report.message", 15, true),
    (LogKind::Combination, "link.create", 25, false),
    (LogKind::Erasure, "record.dispose", 1, false),
];

/// Free-text purposes ("Other"), as staff write them.
const FREE_TEXT: [&str; 16] = [
    "checking address before warrant execution",
    "Op Falcon knife crime briefing",
    "Op Falcon: named suspects review",
    "welfare check after 999 call",
    "MAPPA meeting preparation",
    "court file preparation for CPS",
    "missing person enquiry",
    "DASH risk assessment follow-up",
    "vehicle seen near burglary scene",
    "Clare's Law disclosure application",
    "firearms licensing check",
    "stop and search follow-up",
    "custody record review",
    "witness contact details for statement",
    "partner agency safeguarding strategy meeting",
    "training: data quality audit sample",
];

/// How often each access purpose (by code) is chosen, per hundred purposes.
fn purpose_weight(code: &str) -> u32 {
    match code {
        "investigating-report" => 38,
        "investigating-crime" => 22,
        "safeguarding" => 10,
        "supervision-review" => 8,
        "responding-to-incident" => 7,
        "intelligence-development" => 5,
        "answering-request" => 3,
        _ => 7,
    }
}

/// How many distinct references each purpose that needs one draws from.
pub fn reference_pool(code: &str) -> u64 {
    match code {
        "investigating-report" => 150_000,
        "investigating-crime" => 120_000,
        "responding-to-incident" => 100_000,
        "intelligence-development" => 30_000,
        _ => 5_000,
    }
}

/// A stable 64-bit mix of `value` (splitmix64), to spread references over their alphabet.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `count` characters of Crockford base 32 from the bits of `bits`.
fn crockford(bits: u64, count: u32) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..count)
        .map(|place| {
            let digit = usize::try_from((bits >> (place * 5)) & 31).unwrap_or(0);
            ALPHABET.get(digit).map_or('0', |byte| char::from(*byte))
        })
        .collect()
}

/// Reference number `index` of a purpose with code `code`, in the form the force writes it.
pub fn reference(code: &str, index: u64) -> String {
    let year = 2025 + index % 2;
    let number = index / 2;
    match code {
        "investigating-report" => {
            let bits = mix(index);
            format!(
                "BL-{}-{}-{}",
                crockford(bits, 4),
                crockford(bits >> 20, 4),
                crockford(bits >> 40, 3)
            )
        }
        "investigating-crime" => format!("LE/{year}/{number:06}"),
        "responding-to-incident" => format!("LE-{year}{:04}-{:04}", number % 1_231, number),
        "intelligence-development" => format!("INT-{number:07}"),
        _ => format!("SAR-{year}-{number:05}"),
    }
}

/// The population the log is drawn from.
pub struct Shape {
    staff: Vec<String>,
    staff_weights: WeightedIndex<f64>,
    records: Vec<Uuid>,
    record_weights: WeightedIndex<f64>,
    actions: WeightedIndex<u32>,
    purposes: Vec<AccessPurpose>,
    purpose_weights: WeightedIndex<u32>,
    start: DateTime<Utc>,
    step_micros: i64,
}

/// `1 / rank^skew` for ranks 1 to `count`.
fn zipf_weights(count: usize, skew: f64) -> Vec<f64> {
    let mut weights = Vec::with_capacity(count);
    let mut rank = 1.0_f64;
    for _ in 0..count {
        weights.push(rank.powf(-skew));
        rank += 1.0;
    }
    weights
}

impl Shape {
    /// The population of a log of `entries` entries ending now, drawn with `rng`.
    pub fn new(entries: u64, rng: &mut ChaCha8Rng) -> anyhow::Result<Self> {
        let record_count = usize::try_from((entries / 10).clamp(1_000, MAX_RECORDS))?;
        let staff = (0..STAFF)
            .map(|_| {
                format!(
                    "staff:{}",
                    uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid()
                )
            })
            .collect();
        let records = (0..record_count)
            .map(|_| uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid())
            .collect();
        let refdata = ReferenceData::embedded().context("reference data")?;
        let purposes = refdata.purposes(Utc::now().date_naive());
        anyhow::ensure!(!purposes.is_empty(), "no access purposes in reference data");
        let purpose_weights =
            WeightedIndex::new(purposes.iter().map(|purpose| purpose_weight(&purpose.code)))?;
        let span_micros = SPAN_DAYS * 86_400 * 1_000_000;
        let step_micros = span_micros / i64::try_from(entries.max(1))?;
        Ok(Self {
            staff,
            staff_weights: WeightedIndex::new(zipf_weights(STAFF, STAFF_SKEW))?,
            records,
            record_weights: WeightedIndex::new(zipf_weights(record_count, RECORD_SKEW))?,
            actions: WeightedIndex::new(ACTIONS.iter().map(|(_, _, weight, _)| *weight))?,
            purposes,
            purpose_weights,
            start: Utc::now() - TimeDelta::days(SPAN_DAYS),
            step_micros: step_micros.max(1),
        })
    }

    /// When the log starts.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// A member of staff, the busy ones more often.
    pub fn staff_actor(&self, rng: &mut ChaCha8Rng) -> String {
        self.staff
            .get(self.staff_weights.sample(rng))
            .cloned()
            .unwrap_or_default()
    }

    /// A record, the popular ones more often.
    pub fn record(&self, rng: &mut ChaCha8Rng) -> Uuid {
        self.records
            .get(self.record_weights.sample(rng))
            .copied()
            .unwrap_or_default()
    }

    /// A purpose as the gate records it.
    fn purpose(&self, rng: &mut ChaCha8Rng) -> Option<String> {
        let chosen = self.purposes.get(self.purpose_weights.sample(rng))?;
        let input = if chosen.needs_reference {
            Some(reference(
                &chosen.code,
                rng.gen_range(0..reference_pool(&chosen.code)),
            ))
        } else if chosen.is_free_text() {
            FREE_TEXT
                .get(rng.gen_range(0..FREE_TEXT.len()))
                .map(|text| (*text).to_owned())
        } else {
            None
        };
        chosen
            .justification(input.as_deref())
            .ok()
            .map(|purpose| purpose.as_str().to_owned())
    }

    /// Entry number `index` of the log.
    pub fn entry(&self, index: u64, rng: &mut ChaCha8Rng) -> anyhow::Result<NewEntry> {
        let (kind, action, _, with_purpose) = ACTIONS
            .get(self.actions.sample(rng))
            .copied()
            .context("an action")?;
        let actor = if rng.gen_ratio(2, 100) {
            SYSTEM_ACTORS
                .get(rng.gen_range(0..SYSTEM_ACTORS.len()))
                .map_or_else(String::new, |actor| (*actor).to_owned())
        } else {
            self.staff_actor(rng)
        };
        let named = match action {
            "staff.sign_in" | "audit.read" => 0,
            _ => match rng.gen_range(0..10) {
                0..=6 => 1,
                7 | 8 => 2,
                _ => 3,
            },
        };
        let records = (0..named).map(|_| self.record(rng)).collect();
        let purpose = if action == "staff.sign_in" {
            Some(
                if rng.gen_bool(0.5) {
                    "password"
                } else {
                    "second factor"
                }
                .to_owned(),
            )
        } else if with_purpose {
            self.purpose(rng)
        } else {
            None
        };
        let offset = i64::try_from(index)?
            .saturating_mul(self.step_micros)
            .saturating_add(rng.gen_range(0..self.step_micros));
        Ok(NewEntry {
            at: self.start + TimeDelta::microseconds(offset),
            actor,
            kind,
            action: action.to_owned(),
            purpose,
            records,
            recipients: Vec::new(),
            digest: None,
            outcome: if rng.gen_ratio(1, 100) {
                Outcome::Denied
            } else {
                Outcome::Allowed
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;
    use rand_chacha::ChaCha8Rng;

    use super::{Shape, reference};

    #[test]
    fn references_look_like_the_forces() {
        assert_eq!(reference("investigating-crime", 9_025), "LE/2026/004512");
        assert_eq!(reference("intelligence-development", 40), "INT-0000020");
        assert!(reference("investigating-report", 7).starts_with("BL-"));
        assert_eq!(reference("investigating-report", 7).len(), 16);
    }

    #[test]
    fn entries_are_in_time_order_and_named_records_exist() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let shape = Shape::new(1_000, &mut rng).unwrap();
        let mut previous = None;
        for index in 0..1_000 {
            let entry = shape.entry(index, &mut rng).unwrap();
            assert!(previous.is_none_or(|at| at <= entry.at));
            assert!(entry.records.len() <= 3);
            previous = Some(entry.at);
        }
    }
}
