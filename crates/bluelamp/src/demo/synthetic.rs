//! Made-up people and vehicles for the demo force. Nothing here describes a real person:
//! names are drawn from short built-in lists, NHS numbers only from the 999 test range that
//! NHS England reserves for testing, and registration marks are random current-style marks.

use chrono::{Datelike as _, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng as _;
use rand::seq::SliceRandom as _;
use rand_chacha::ChaCha8Rng;

/// Given names the demo draws from.
const GIVEN_NAMES: &[&str] = &[
    "Aaliyah", "Adam", "Aisha", "Alfie", "Amara", "Amelia", "Arjun", "Ava", "Ben", "Bilal",
    "Chloe", "Connor", "Daniel", "Deepa", "Ellie", "Emily", "Ethan", "Fatima", "Freya", "George",
    "Grace", "Hannah", "Harry", "Imran", "Isla", "Jack", "Jacob", "Jasmine", "Kai", "Kiran",
    "Leah", "Liam", "Lily", "Mason", "Maya", "Mia", "Mohammed", "Noah", "Olivia", "Oscar", "Priya",
    "Reece", "Rosie", "Ruby", "Sam", "Sophie", "Tom", "Zara",
];

/// Family names the demo draws from.
const FAMILY_NAMES: &[&str] = &[
    "Ahmed", "Allen", "Baker", "Begum", "Bell", "Bennett", "Brown", "Campbell", "Carter",
    "Chauhan", "Clarke", "Cooper", "Davies", "Edwards", "Evans", "Fisher", "Green", "Hall",
    "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Johnson", "Jones", "Khan", "King",
    "Lewis", "Mistry", "Moore", "Morgan", "Murphy", "Parker", "Patel", "Phillips", "Price",
    "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker",
    "White", "Wilson",
];

/// Vehicle makes and models the demo draws from.
const VEHICLES: &[(&str, &str)] = &[
    ("Ford", "Fiesta"),
    ("Ford", "Focus"),
    ("Vauxhall", "Corsa"),
    ("Vauxhall", "Astra"),
    ("Volkswagen", "Golf"),
    ("Volkswagen", "Polo"),
    ("Toyota", "Yaris"),
    ("Nissan", "Qashqai"),
    ("BMW", "3 Series"),
    ("Mercedes-Benz", "A-Class"),
    ("Kia", "Sportage"),
    ("Peugeot", "208"),
    ("Audi", "A3"),
    ("Honda", "Civic"),
    ("Renault", "Clio"),
    ("Ford", "Transit"),
];

/// Vehicle colours the demo draws from.
const COLOURS: &[&str] = &[
    "black", "white", "silver", "grey", "blue", "red", "green", "yellow",
];

/// Letters allowed in the first position of a current-style memory tag.
const AREA_LETTERS: &[u8] = b"ABCDEFGHKLMNOPRSVWXY";
/// Letters issued in the second position of the memory tag (no I, Q or Z).
const DISTRICT_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXY";
/// Letters issued in the random part (no I or Q).
const RANDOM_LETTERS: &[u8] = b"ABCDEFGHJKLMNOPRSTUVWXYZ";

/// A made-up person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticPerson {
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// An NHS number from the 999 test range, for some people.
    pub nhs_number: Option<String>,
}

/// A made-up vehicle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticVehicle {
    /// A current-style registration mark, e.g. `AB21 CDE`.
    pub vrm: String,
    /// Make.
    pub make: &'static str,
    /// Model.
    pub model: &'static str,
    /// Colour.
    pub colour: &'static str,
}

/// Picks one item of a non-empty list.
fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// A person born between 1950 and 2007; about a third carry a test-range NHS number.
pub fn person(rng: &mut ChaCha8Rng) -> SyntheticPerson {
    let earliest = NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default();
    let date_of_birth = earliest + Duration::days(rng.gen_range(0..(58 * 365)));
    let nhs_number = rng.gen_bool(0.35).then(|| nhs_test_number(rng));
    SyntheticPerson {
        given: pick(rng, GIVEN_NAMES).to_owned(),
        family: pick(rng, FAMILY_NAMES).to_owned(),
        date_of_birth,
        nhs_number,
    }
}

/// A valid NHS number in the 999 000 0000 – 999 999 9999 test range (modulus 11 check digit).
pub fn nhs_test_number(rng: &mut ChaCha8Rng) -> String {
    loop {
        let mut digits = vec![9_u32, 9, 9];
        digits.extend((0..6).map(|_| rng.gen_range(0..10_u32)));
        let weighted: u32 = digits
            .iter()
            .zip((2..=10_u32).rev())
            .map(|(digit, weight)| digit * weight)
            .sum();
        let check = match 11 - weighted % 11 {
            11 => 0,
            10 => continue,
            check => check,
        };
        digits.push(check);
        return digits.iter().map(u32::to_string).collect();
    }
}

/// A vehicle with a random current-style (2001 onwards) registration mark.
pub fn vehicle(rng: &mut ChaCha8Rng) -> SyntheticVehicle {
    let (make, model) = VEHICLES.choose(rng).copied().unwrap_or(("Ford", "Fiesta"));
    SyntheticVehicle {
        vrm: current_vrm(rng),
        make,
        model,
        colour: pick(rng, COLOURS),
    }
}

/// A current-style mark `AByy XYZ`: a memory tag, an age identifier (March `yy` or September
/// `yy + 50`, 2002–2024) and three random letters.
pub fn current_vrm(rng: &mut ChaCha8Rng) -> String {
    let letter =
        |rng: &mut ChaCha8Rng, set: &[u8]| char::from(set.choose(rng).copied().unwrap_or(b'A'));
    let year = rng.gen_range(2..=24_u32);
    let age = if rng.gen_bool(0.5) { year } else { year + 50 };
    let area = letter(rng, AREA_LETTERS);
    let district = letter(rng, DISTRICT_LETTERS);
    let random: String = (0..3).map(|_| letter(rng, RANDOM_LETTERS)).collect();
    format!("{area}{district}{age:02} {random}")
}

/// A random moment within the month starting `month` (the published data has the month only;
/// the day and time are made up).
pub fn moment_in_month(rng: &mut ChaCha8Rng, month: NaiveDate) -> NaiveDateTime {
    let days_in_month = match month.checked_add_months(chrono::Months::new(1)) {
        Some(next) => (next - month).num_days(),
        None => 28,
    };
    let day = month + Duration::days(rng.gen_range(0..days_in_month.max(1)));
    let time = NaiveTime::from_num_seconds_from_midnight_opt(rng.gen_range(0..86_400), 0)
        .unwrap_or_default();
    debug_assert_eq!(day.month(), month.month());
    day.and_time(time)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng as _;
    use rand_chacha::ChaCha8Rng;

    use super::{current_vrm, nhs_test_number, person};

    #[test]
    fn nhs_numbers_are_in_the_test_range_with_a_valid_check_digit() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let number = nhs_test_number(&mut rng);
            assert_eq!(number.len(), 10);
            assert!(number.starts_with("999"));
            let digits: Vec<u32> = number.chars().map(|c| c.to_digit(10).unwrap()).collect();
            let sum: u32 = digits[..9]
                .iter()
                .zip((2..=10).rev())
                .map(|(d, w)| d * w)
                .sum();
            assert_eq!((11 - sum % 11) % 11, digits[9]);
        }
    }

    #[test]
    fn marks_and_numbers_parse_as_domain_values() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..2_000 {
            let mark = current_vrm(&mut rng);
            let vrm = bluelamp_domain::values::Vrm::parse(&mark).unwrap();
            assert_eq!(
                vrm.style(),
                bluelamp_domain::values::VrmStyle::Current,
                "{mark}"
            );
            let number = nhs_test_number(&mut rng);
            bluelamp_domain::values::NhsNumber::parse(&number).unwrap();
        }
    }

    #[test]
    fn people_and_marks_are_fixed_by_the_seed() {
        let mut first = ChaCha8Rng::seed_from_u64(9);
        let mut second = ChaCha8Rng::seed_from_u64(9);
        assert_eq!(person(&mut first), person(&mut second));
        assert_eq!(current_vrm(&mut first), current_vrm(&mut second));
    }
}
