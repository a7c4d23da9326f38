//! Answers as typed → domain values, with GOV.UK-style messages naming what is wrong.
//!
//! The same functions check a step when it is posted and build the report when it is
//! submitted, so a step that was accepted always builds.

use std::sync::OnceLock;

use bluelamp_domain::location::{Address, Location};
use bluelamp_domain::person::{ContactDetails, Person};
use bluelamp_domain::values::{
    DateOfBirth, EmailAddress, FreeText, FreeTextError, PersonName, PhoneNumber, Postcode,
    SerialNumber, SerialNumberError, Vrm,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The longest account of what happened the contract allows.
const SUMMARY_LIMIT: usize = 5000;

/// The longest line of an address, name part or short answer.
pub(crate) const SHORT_LIMIT: usize = 100;

/// A message for one field, with the element to link to and the parts at fault (dates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldError {
    /// The field's name (a date's base name).
    pub(crate) field: String,
    /// The element the error summary links to.
    pub(crate) target: String,
    /// What to tell the person.
    pub(crate) message: String,
    /// The boxes of a date at fault (`day`, `month`, `year`).
    pub(crate) parts: Vec<&'static str>,
}

impl FieldError {
    /// An error on the element named `field`.
    pub(crate) fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            target: field.to_owned(),
            message: message.into(),
            parts: Vec::new(),
        }
    }
}

/// The most characters an account of what happened can have: the contract's 5,000, or less
/// if the domain's free text holds less.
pub(crate) fn summary_limit() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        let mut limit = SUMMARY_LIMIT;
        while limit > 100 && FreeText::parse(&"a".repeat(limit)).is_err() {
            limit = limit.saturating_sub(100);
        }
        limit
    })
}

/// "5,000".
pub(crate) fn with_commas(number: usize) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        let remaining = digits.len().saturating_sub(index);
        if index > 0 && remaining % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Free text as typed: tabs become spaces, so that pasted text is not refused for them.
fn tidy(input: &str) -> String {
    input.replace('\t', " ")
}

/// Optional free text of at most `limit` characters; `label` starts the messages.
pub(crate) fn optional_text(
    field: &str,
    label: &str,
    input: &str,
    limit: usize,
) -> Result<Option<FreeText>, FieldError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    required_text(field, label, input, limit, "").map(Some)
}

/// Required free text of at most `limit` characters.
pub(crate) fn required_text(
    field: &str,
    label: &str,
    input: &str,
    limit: usize,
    missing: &str,
) -> Result<FreeText, FieldError> {
    let text = tidy(input);
    let length = text.trim().chars().count();
    if length == 0 {
        return Err(FieldError::new(field, missing));
    }
    if length > limit {
        return Err(FieldError::new(
            field,
            format!("{label} must be {} characters or fewer", with_commas(limit)),
        ));
    }
    FreeText::parse(&text).map_err(|error| match error {
        FreeTextError::Empty => FieldError::new(field, missing),
        FreeTextError::TooLong(_) => FieldError::new(
            field,
            format!(
                "{label} must be {} characters or fewer",
                with_commas(summary_limit())
            ),
        ),
        FreeTextError::ControlCharacter { .. } => FieldError::new(
            field,
            format!("{label} must only include letters, numbers, spaces and punctuation"),
        ),
    })
}

/// A person's full name: the last word is the surname.
pub(crate) fn person_name(field: &str, label: &str, input: &str) -> Result<PersonName, FieldError> {
    let words: Vec<&str> = input.split_whitespace().collect();
    let Some((surname, forenames)) = words.split_last() else {
        return Err(FieldError::new(field, format!("Enter {label}")));
    };
    if input.trim().chars().count() > SHORT_LIMIT {
        return Err(FieldError::new(
            field,
            format!(
                "{} must be {SHORT_LIMIT} characters or fewer",
                capitalise(label)
            ),
        ));
    }
    PersonName::new(forenames.iter().copied(), surname).map_err(|_| {
        FieldError::new(
            field,
            format!(
                "{} must only include letters, spaces, hyphens and apostrophes",
                capitalise(label)
            ),
        )
    })
}

/// "the victim's name" → "The victim's name".
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A registration number, like `AB12 CDE`.
pub(crate) fn vrm(field: &str, input: &str) -> Result<Vrm, FieldError> {
    if input.trim().is_empty() {
        return Err(FieldError::new(field, "Enter the registration number"));
    }
    Vrm::parse(input)
        .map_err(|_| FieldError::new(field, "Registration number must be like AB12 CDE"))
}

/// A postcode, like `LE1 6ZG`.
pub(crate) fn postcode(field: &str, input: &str) -> Result<Postcode, FieldError> {
    Postcode::parse(input)
        .map_err(|_| FieldError::new(field, "Enter a real postcode, like LE1 6ZG"))
}

/// A serial number.
pub(crate) fn serial_number(field: &str, input: &str) -> Result<SerialNumber, FieldError> {
    SerialNumber::parse(input).map_err(|error| match error {
        SerialNumberError::Empty => FieldError::new(field, "Enter the serial number"),
        SerialNumberError::TooLong(_) => {
            FieldError::new(field, "Serial number must be 64 characters or fewer")
        }
        SerialNumberError::InvalidCharacter(_) => FieldError::new(
            field,
            "Serial number must only include letters, numbers, spaces, hyphens, full stops and slashes",
        ),
    })
}

/// An e-mail address.
pub(crate) fn email(field: &str, input: &str) -> Result<EmailAddress, FieldError> {
    EmailAddress::parse(input).map_err(|error| FieldError::new(field, error.to_string()))
}

/// A telephone number.
pub(crate) fn phone(field: &str, input: &str) -> Result<PhoneNumber, FieldError> {
    PhoneNumber::parse(input).map_err(|error| FieldError::new(field, error.to_string()))
}

/// Contact details given in one box: an e-mail address, a telephone number, or anything
/// else (an address) kept as text.
pub(crate) fn contact_in_one_box(
    field: &str,
    label: &str,
    input: &str,
) -> Result<ContactDetails, FieldError> {
    let mut contact = ContactDetails::default();
    if input.trim().is_empty() {
        return Ok(contact);
    }
    if let Ok(address) = EmailAddress::parse(input) {
        contact.email = Some(address);
    } else if let Ok(number) = PhoneNumber::parse(input) {
        contact.phone = Some(number);
    } else {
        contact.address = optional_text(field, label, input, 500)?;
    }
    Ok(contact)
}

/// A person known by name, or only described (then recorded as "Unknown").
pub(crate) fn described_person(
    name_field: &str,
    name_label: &str,
    name: &str,
    description: Option<FreeText>,
) -> Result<Person, FieldError> {
    let parsed = if name.trim().is_empty() {
        PersonName::new(Vec::<String>::new(), "Unknown")
            .map_err(|_| FieldError::new(name_field, format!("Enter {name_label}")))?
    } else {
        person_name(name_field, name_label, name)?
    };
    let mut person = Person::named(parsed);
    person.description = description;
    Ok(person)
}

/// The address lines and postcode of a place.
pub(crate) struct PlaceInput<'a> {
    /// Building and street.
    pub(crate) line_1: &'a str,
    /// Second line.
    pub(crate) line_2: &'a str,
    /// Town or city.
    pub(crate) town: &'a str,
    /// Postcode.
    pub(crate) postcode: &'a str,
    /// A description of the place.
    pub(crate) description: &'a str,
}

/// Where something happened: line 1 and town, or a postcode (all optional when `required`
/// is false, but a description alone is not a place).
pub(crate) fn place(
    input: &PlaceInput<'_>,
    required: bool,
) -> Result<Option<Location>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let fields = [
        ("address_line_1", "Address line 1", input.line_1),
        ("address_line_2", "Address line 2", input.line_2),
        ("address_town", "Town or city", input.town),
    ];
    for (field, label, value) in fields {
        if value.trim().chars().count() > SHORT_LIMIT {
            errors.push(FieldError::new(
                field,
                format!("{label} must be {SHORT_LIMIT} characters or fewer"),
            ));
        }
    }
    let postcode = if input.postcode.trim().is_empty() {
        None
    } else {
        match postcode("address_postcode", input.postcode) {
            Ok(postcode) => Some(postcode),
            Err(error) => {
                errors.push(error);
                None
            }
        }
    };
    let description = match optional_text(
        "where_description",
        "Description of the place",
        input.description,
        1000,
    ) {
        Ok(description) => description,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let line_1 = input.line_1.trim();
    let town = input.town.trim();
    let has_postcode = !input.postcode.trim().is_empty();
    let anything = !line_1.is_empty()
        || !input.line_2.trim().is_empty()
        || !town.is_empty()
        || has_postcode
        || description.is_some();
    if !has_postcode && (line_1.is_empty() || town.is_empty()) && (required || anything) {
        let error = match (line_1.is_empty(), town.is_empty()) {
            (false, true) => {
                FieldError::new("address_town", "Enter the town or city, or a postcode")
            }
            (true, false) => FieldError::new(
                "address_line_1",
                "Enter address line 1, like the building and street, or a postcode",
            ),
            _ => FieldError::new(
                "address_line_1",
                if required {
                    "Enter the address or the postcode where it happened"
                } else {
                    "Enter the address or the postcode of the place, or leave the description out"
                },
            ),
        };
        errors.push(error);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !anything {
        return Ok(None);
    }
    let mut lines: Vec<String> = [line_1, input.line_2.trim()]
        .into_iter()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        // Only a postcode was given: the address is that postcode.
        lines.push(
            postcode
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        );
    }
    let town = (!town.is_empty()).then(|| town.to_owned());
    let address = Address::new(lines, town, postcode).map_err(|error| {
        vec![FieldError::new(
            "address_line_1",
            capitalise(&error.to_string()),
        )]
    })?;
    Location::new(Some(address), None, description)
        .map(Some)
        .map_err(|error| {
            vec![FieldError::new(
                "address_line_1",
                capitalise(&error.to_string()),
            )]
        })
}

/// The three boxes of a date as typed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DateInput<'a> {
    /// Day.
    pub(crate) day: &'a str,
    /// Month.
    pub(crate) month: &'a str,
    /// Year.
    pub(crate) year: &'a str,
}

/// A date from its three boxes. `label` names it in messages ("Date it happened");
/// `missing` is the message when all are empty and it is `required`.
pub(crate) fn date(
    field: &str,
    label: &str,
    input: DateInput<'_>,
    required: bool,
    missing: &str,
) -> Result<Option<NaiveDate>, FieldError> {
    let parts = [
        ("day", input.day.trim()),
        ("month", input.month.trim()),
        ("year", input.year.trim()),
    ];
    let error = |message: String, at: Vec<&'static str>| FieldError {
        field: field.to_owned(),
        target: format!("{field}-{}", at.first().copied().unwrap_or("day")),
        message,
        parts: at,
    };
    let empty: Vec<&'static str> = parts
        .iter()
        .filter(|(_, value)| value.is_empty())
        .map(|(name, _)| *name)
        .collect();
    if empty.len() == 3 {
        return if required {
            Err(error(missing.to_owned(), vec!["day", "month", "year"]))
        } else {
            Ok(None)
        };
    }
    if !empty.is_empty() {
        let names = empty.join(" and ");
        return Err(error(format!("{label} must include a {names}"), empty));
    }
    let number = |value: &str| -> Option<u32> {
        if value.chars().all(|c| c.is_ascii_digit()) {
            value.parse().ok()
        } else {
            None
        }
    };
    let (day, month, year) = (
        number(input.day.trim()),
        number(input.month.trim()),
        number(input.year.trim()),
    );
    let real = format!("{label} must be a real date");
    let (Some(day), Some(month), Some(year)) = (day, month, year) else {
        let bad: Vec<&'static str> = [("day", day), ("month", month), ("year", year)]
            .iter()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| *name)
            .collect();
        return Err(error(real, bad));
    };
    if input.year.trim().len() != 4 {
        return Err(error(
            "Year must include 4 numbers".to_owned(),
            vec!["year"],
        ));
    }
    let year = i32::try_from(year).map_err(|_| error(real.clone(), vec!["year"]))?;
    NaiveDate::from_ymd_opt(year, month, day)
        .map(Some)
        .ok_or_else(|| {
            let at = if !(1..=12).contains(&month) {
                vec!["month"]
            } else {
                vec!["day"]
            };
            error(real, at)
        })
}

/// A time like `14:30` (also `2:30`, `14.30`).
pub(crate) fn time(field: &str, input: &str) -> Result<Option<NaiveTime>, FieldError> {
    let text = input.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let normalised = text.replace('.', ":");
    NaiveTime::parse_from_str(&normalised, "%H:%M")
        .map(Some)
        .map_err(|_| FieldError::new(field, "Enter the time using the 24-hour clock, like 14:30"))
}

/// Whether a date falls in British Summer Time (from 01:00 UTC on the last Sunday of March
/// to 01:00 UTC on the last Sunday of October; taken by whole days here).
fn in_british_summer_time(on: NaiveDate) -> bool {
    let last_sunday = |month: u32| -> Option<NaiveDate> {
        let last_day = NaiveDate::from_ymd_opt(on.year(), month, 31)?;
        let back = last_day.weekday().num_days_from_sunday();
        last_day.checked_sub_signed(Duration::days(i64::from(back)))
    };
    match (last_sunday(3), last_sunday(10)) {
        (Some(start), Some(end)) => on >= start && on < end,
        _ => false,
    }
}

/// Today's date in the United Kingdom.
pub(crate) fn uk_today(now: DateTime<Utc>) -> NaiveDate {
    let utc_date = now.date_naive();
    let offset = if in_british_summer_time(utc_date) {
        1
    } else {
        0
    };
    (now + Duration::hours(offset)).date_naive()
}

/// An instant as the UK's local date and time.
pub(crate) fn uk_local(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = if in_british_summer_time(at.date_naive()) {
        1
    } else {
        0
    };
    (at + Duration::hours(offset)).naive_utc()
}

/// A local UK date and time as an instant.
pub(crate) fn uk_instant(date: NaiveDate, time: Option<NaiveTime>) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    let offset = if in_british_summer_time(date) { 1 } else { 0 };
    Utc.from_utc_datetime(&(local - Duration::hours(offset)))
}

/// A date of birth (in the past, on or after 1 January 1900).
pub(crate) fn date_of_birth(
    input: DateInput<'_>,
    required: bool,
    today: NaiveDate,
) -> Result<Option<DateOfBirth>, FieldError> {
    let Some(date) = date(
        "dob",
        "Date of birth",
        input,
        required,
        "Enter your date of birth",
    )?
    else {
        return Ok(None);
    };
    let all = vec!["day", "month", "year"];
    let error = |message: &str| FieldError {
        field: "dob".to_owned(),
        target: "dob-day".to_owned(),
        message: message.to_owned(),
        parts: all.clone(),
    };
    if date > today {
        return Err(error("Date of birth must be in the past"));
    }
    DateOfBirth::new_on(date, today)
        .map(Some)
        .map_err(|_| error("Date of birth must be the same as or after 1 January 1900"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d<'a>(day: &'a str, month: &'a str, year: &'a str) -> DateInput<'a> {
        DateInput { day, month, year }
    }

    #[test]
    fn dates_name_what_is_wrong() {
        let check = |input| {
            date(
                "when",
                "Date it happened",
                input,
                true,
                "Enter the date it happened",
            )
        };
        assert_eq!(
            check(d("", "", "")).unwrap_err().message,
            "Enter the date it happened"
        );
        assert_eq!(
            check(d("1", "", "2026")).unwrap_err().message,
            "Date it happened must include a month"
        );
        let both = check(d("1", "", "")).unwrap_err();
        assert_eq!(
            both.message,
            "Date it happened must include a month and year"
        );
        assert_eq!(both.target, "when-month");
        assert_eq!(
            check(d("31", "2", "2026")).unwrap_err().message,
            "Date it happened must be a real date"
        );
        assert_eq!(
            check(d("1", "2", "26")).unwrap_err().message,
            "Year must include 4 numbers"
        );
        assert_eq!(
            check(d("01", "02", "2026")).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 1)
        );
    }

    #[test]
    fn places_need_line_and_town_or_a_postcode() {
        let input = |line_1, town, postcode| PlaceInput {
            line_1,
            line_2: "",
            town,
            postcode,
            description: "",
        };
        assert!(
            place(&input("1 High St", "Leicester", ""), true)
                .unwrap()
                .is_some()
        );
        assert!(place(&input("", "", "LE1 6ZG"), true).unwrap().is_some());
        let errors = place(&input("", "", "LE1 XXX"), true).unwrap_err();
        assert_eq!(errors[0].message, "Enter a real postcode, like LE1 6ZG");
        let errors = place(&input("1 High St", "", ""), true).unwrap_err();
        assert_eq!(errors[0].field, "address_town");
        assert_eq!(place(&input("", "", ""), false).unwrap(), None);
    }

    #[test]
    fn summer_time_moves_the_local_day() {
        let late = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap();
        assert_eq!(uk_today(late), NaiveDate::from_ymd_opt(2026, 7, 2).unwrap());
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        assert_eq!(
            uk_today(winter),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let midnight = uk_instant(NaiveDate::from_ymd_opt(2026, 7, 2).unwrap(), None);
        assert_eq!(
            midnight,
            Utc.with_ymd_and_hms(2026, 7, 1, 23, 0, 0).unwrap()
        );
    }

    #[test]
    fn numbers_get_commas() {
        assert_eq!(with_commas(5000), "5,000");
        assert_eq!(with_commas(100), "100");
        assert_eq!(with_commas(1_234_567), "1,234,567");
    }

    #[test]
    fn registration_numbers_and_names() {
        assert_eq!(
            vrm("vrm", "not a plate!").unwrap_err().message,
            "Registration number must be like AB12 CDE"
        );
        assert!(vrm("vrm", "ab12 cde").is_ok());
        let name = person_name("full_name", "your full name", "Jane Ann Smith").unwrap();
        assert_eq!(name.surname(), "Smith");
        assert_eq!(
            person_name("full_name", "your full name", "  ")
                .unwrap_err()
                .message,
            "Enter your full name"
        );
    }
}
