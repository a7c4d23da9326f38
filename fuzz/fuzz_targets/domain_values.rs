//! Every domain value parser (report references, e-mail addresses and telephone numbers
//! included) on arbitrary text (lossily decoded as UTF-8): none panics, and
//! whatever one accepts is canonical: `parse(display(x)) == x`, displaying it again gives the
//! same text, and its serde (JSON) form reads back to the same value.
#![no_main]

use std::fmt::{Debug, Display};

use bluelamp_domain::event::CategorySlug;
use bluelamp_domain::ids::RecordId;
use bluelamp_domain::marking::{Caveat, Marking};
use bluelamp_domain::offence::HoClassCode;
use bluelamp_domain::person::{EthnicityCode, WarningCode};
use bluelamp_domain::provenance::LawfulBasis;
use bluelamp_domain::retention::RetentionGroup;
use bluelamp_domain::report::ReportReference;
use bluelamp_domain::values::{
    CroNumber, DateOfBirth, EmailAddress, FreeText, GeoPoint, NationalInsuranceNumber, NhsNumber,
    PersonName, PhoneNumber, PncId, Postcode, Purpose, SerialNumber, Vrm,
};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The round-trip checks for one parser. `serde` says whether the JSON form is read with the
/// same parser (for `Vrm` the JSON form is read leniently, checked separately).
fn check<T, E>(name: &str, text: &str, parse: impl Fn(&str) -> Result<T, E>, serde: bool)
where
    T: Display + Debug + PartialEq + Serialize + DeserializeOwned,
    E: Display,
{
    let Ok(value) = parse(text) else {
        return;
    };
    let shown = value.to_string();
    let again = parse(&shown).unwrap_or_else(|e| {
        panic!("{name}: {text:?} parsed as {value:?}, but its display {shown:?} does not: {e}")
    });
    assert_eq!(
        again, value,
        "{name}: {text:?} -> {shown:?} parses differently"
    );
    assert_eq!(again.to_string(), shown, "{name}: display is not stable");
    if serde {
        let json = serde_json::to_string(&value).expect("serialises");
        let back: T = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("{name}: {value:?} as JSON {json} does not read back: {e}"));
        assert_eq!(back, value, "{name}: JSON {json} reads back differently");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    check("Postcode", text, Postcode::parse, true);
    check("ReportReference", text, ReportReference::parse, true);
    check("EmailAddress", text, EmailAddress::parse, true);
    check("PhoneNumber", text, PhoneNumber::parse, true);
    check("Vrm", text, Vrm::parse, false);
    check("Vrm (lenient)", text, Vrm::parse_lenient, true);
    if let Ok(strict) = Vrm::parse(text) {
        assert_eq!(
            Vrm::parse_lenient(text).as_ref(),
            Ok(&strict),
            "lenient parsing disagrees with strict on {text:?}"
        );
    }
    check("NhsNumber", text, NhsNumber::parse, true);
    check(
        "NationalInsuranceNumber",
        text,
        NationalInsuranceNumber::parse,
        true,
    );
    check("PncId", text, PncId::parse, true);
    check(
        "PncId (current year 2026)",
        text,
        |t| PncId::parse_with_current_year(t, 2026),
        false,
    );
    check("CroNumber", text, CroNumber::parse, true);
    check("Purpose", text, Purpose::parse, true);
    check("FreeText", text, FreeText::parse, true);
    check("SerialNumber", text, SerialNumber::parse, true);
    check("DateOfBirth", text, DateOfBirth::parse, true);
    check("GeoPoint", text, GeoPoint::parse, true);
    check("Marking", text, Marking::parse, true);
    check("Caveat", text, Caveat::parse, true);
    check("LawfulBasis", text, LawfulBasis::parse, true);
    check("CategorySlug", text, CategorySlug::parse, true);
    check("RetentionGroup", text, RetentionGroup::parse, true);
    check("EthnicityCode", text, EthnicityCode::parse, true);
    check("WarningCode", text, WarningCode::parse, true);
    check("RecordId", text, str::parse::<RecordId>, true);
    check("HoClassCode", text, HoClassCode::parse, true);

    // Person names have no text form to parse; build one from '|'-separated parts
    // (forenames, then the surname last) and check its JSON round trip.
    let mut parts: Vec<&str> = text.split('|').collect();
    let surname = parts.pop().unwrap_or_default();
    if let Ok(name) = PersonName::new(&parts, surname) {
        let json = serde_json::to_string(&name).expect("serialises");
        let back: PersonName = serde_json::from_str(&json).unwrap_or_else(|e| {
            panic!("PersonName {name:?} as JSON {json} does not read back: {e}")
        });
        assert_eq!(back, name);
        assert_eq!(PersonName::new(name.forenames(), name.surname()), Ok(name));
    }
});
