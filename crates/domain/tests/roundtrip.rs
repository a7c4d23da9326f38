//! Property tests: every value type re-parses from its canonical form, and whole records
//! survive a JSON round trip.

// Inside a `cfg(test)` module so the strategy helpers count as test code for clippy.
#[cfg(test)]
mod roundtrip {
    use bluelamp_domain::event::{CategorySlug, Event, EventKind};
    use bluelamp_domain::ids::{LinkId, RecordId, RecordKind};
    use bluelamp_domain::link::{Link, LinkRole};
    use bluelamp_domain::location::{Address, Location};
    use bluelamp_domain::marking::{Caveat, Classification, Marking};
    use bluelamp_domain::object::{Object, Property, Vehicle};
    use bluelamp_domain::person::{
        EthnicityCode, Person, PersonIdentifier, WarningCode, WarningMarker,
    };
    use bluelamp_domain::provenance::{Channel, LawfulBasis, Provenance};
    use bluelamp_domain::record::{Record, RecordBody};
    use bluelamp_domain::retention::{Retention, RetentionGroup};
    use bluelamp_domain::values::{
        CroNumber, DateOfBirth, FreeText, GeoPoint, NationalInsuranceNumber, NhsNumber, PersonName,
        PncId, Postcode, SerialNumber, Vrm, VrmStyle,
    };
    use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
    use proptest::prelude::*;
    use proptest::sample::select;
    use uuid::Uuid;

    fn letter(set: &'static str) -> impl Strategy<Value = char> {
        select(set.chars().collect::<Vec<_>>())
    }

    fn digit() -> impl Strategy<Value = char> {
        letter("0123456789")
    }

    fn postcode_text() -> impl Strategy<Value = String> {
        let first = || letter("ABCDEFGHIJKLMNOPRSTUWYZ");
        let second = || letter("ABCDEFGHKLMNOPQRSTUVWXY");
        let outward = prop_oneof![
            (first(), digit()).prop_map(|(a, b)| format!("{a}{b}")),
            (first(), digit(), digit()).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
            (first(), second(), digit()).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
            (first(), second(), digit(), digit()).prop_map(|(a, b, c, d)| format!("{a}{b}{c}{d}")),
            (first(), digit(), letter("ABCDEFGHJKSTUW")).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
            (first(), second(), digit(), letter("ABEHMNPRVWXY"))
                .prop_map(|(a, b, c, d)| format!("{a}{b}{c}{d}")),
        ];
        let inward_letter = || letter("ABDEFGHJLNPQRSTUWXYZ");
        (
            outward,
            digit(),
            inward_letter(),
            inward_letter(),
            any::<bool>(),
        )
            .prop_map(|(o, d, x, y, spaced)| {
                format!("{o}{}{d}{x}{y}", if spaced { " " } else { "" })
            })
    }

    fn current_vrm_text() -> impl Strategy<Value = String> {
        let area = || letter("ABCDEFGHJKLMNOPRSTUVWXY");
        let random = || letter("ABCDEFGHJKLMNOPRSTUVWXYZ");
        (area(), area(), 2u8..=99, random(), random(), random())
            .prop_filter("50 is not issued", |t| t.2 != 50)
            .prop_map(|(a, b, n, x, y, z)| format!("{a}{b}{n:02}{x}{y}{z}"))
    }

    fn nhs_number() -> impl Strategy<Value = NhsNumber> {
        proptest::collection::vec(0u32..10, 9).prop_filter_map("remainder 10", |digits| {
            let body: String = digits.iter().map(ToString::to_string).collect();
            (0..10).find_map(|check| NhsNumber::parse(&format!("{body}{check}")).ok())
        })
    }

    fn nino() -> impl Strategy<Value = NationalInsuranceNumber> {
        (
            letter("ABCEGHJKLMNOPRSTWXYZ"),
            letter("ABCEGHJKLMNPRSTWXYZ"),
            0u32..1_000_000,
            proptest::option::of(letter("ABCD")),
        )
            .prop_filter_map("unallocated prefix", |(a, b, n, s)| {
                let suffix = s.map(String::from).unwrap_or_default();
                NationalInsuranceNumber::parse(&format!("{a}{b}{n:06}{suffix}")).ok()
            })
    }

    fn pnc_id() -> impl Strategy<Value = PncId> {
        (1900u16..=2099, 0u32..10_000_000).prop_filter_map("no check letter", |(year, serial)| {
            ('A'..='Z').find_map(|c| PncId::parse(&format!("{year}/{serial}{c}")).ok())
        })
    }

    fn cro_number() -> impl Strategy<Value = CroNumber> {
        (0u32..1_000_000, 0u8..100).prop_filter_map("no check letter", |(serial, year)| {
            ('A'..='Z').find_map(|c| CroNumber::parse(&format!("{serial}/{year:02}{c}")).ok())
        })
    }

    fn geo_point() -> impl Strategy<Value = GeoPoint> {
        (-90_000_000i32..=90_000_000, -180_000_000i32..=180_000_000).prop_map(|(lat, lon)| {
            GeoPoint::new(f64::from(lat) / 1e6, f64::from(lon) / 1e6).unwrap()
        })
    }

    fn free_text() -> impl Strategy<Value = FreeText> {
        "[A-Za-z0-9 .,'\n-]{0,40}[A-Za-z0-9]".prop_map(|s| FreeText::parse(&s).unwrap())
    }

    fn name() -> impl Strategy<Value = PersonName> {
        (
            proptest::collection::vec("[A-Z][a-z]{1,8}", 0..3),
            "[A-Z][a-z'-]{1,12}( [A-Z][a-z]{1,8})?",
        )
            .prop_map(|(f, s)| PersonName::new(f, &s).unwrap())
    }

    fn date(from_year: i32) -> impl Strategy<Value = NaiveDate> {
        (0i64..40_000).prop_map(move |days| {
            NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap() + TimeDelta::days(days)
        })
    }

    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (946_684_800i64..4_102_444_800, 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
    }

    fn marking() -> impl Strategy<Value = Marking> {
        (
            select(vec![
                Classification::Official,
                Classification::Secret,
                Classification::TopSecret,
            ]),
            any::<bool>(),
            proptest::collection::vec("[A-Z]{2,8}( [A-Z0-9]{2,5})?", 0..3),
        )
            .prop_map(|(class, sensitive, caveats)| {
                let caveats = caveats.iter().map(|c| Caveat::parse(c).unwrap()).collect();
                Marking::new(
                    class,
                    sensitive && class == Classification::Official,
                    caveats,
                )
                .unwrap()
            })
    }

    fn person() -> impl Strategy<Value = Person> {
        let identifier = prop_oneof![
            pnc_id().prop_map(PersonIdentifier::Pnc),
            nhs_number().prop_map(PersonIdentifier::Nhs),
            nino().prop_map(PersonIdentifier::Nino),
            cro_number().prop_map(PersonIdentifier::Cro),
        ];
        (
            name(),
            proptest::collection::vec(name(), 0..2),
            proptest::option::of(date(1900).prop_map(|d| DateOfBirth::new(d).unwrap())),
            proptest::collection::vec(identifier, 0..4),
            proptest::option::of(select(vec!["W1", "A4", "NS"])),
            proptest::option::of(select(vec!["IC1", "IC9"])),
            proptest::option::of(free_text()),
        )
            .prop_map(
                |(name, aliases, dob, identifiers, sde, ode, marker)| Person {
                    name,
                    aliases,
                    date_of_birth: dob,
                    identifiers,
                    self_defined_ethnicity: sde.map(|c| EthnicityCode::parse(c).unwrap()),
                    officer_defined_ethnicity: ode.map(|c| EthnicityCode::parse(c).unwrap()),
                    description: marker.clone(),
                    contact: bluelamp_domain::person::ContactDetails {
                        email: marker.as_ref().map(|_| {
                            bluelamp_domain::values::EmailAddress::parse("a.b@example.org").unwrap()
                        }),
                        phone: None,
                        address: None,
                    },
                    warning_markers: marker
                        .map(|details| WarningMarker {
                            code: WarningCode::parse("VI").unwrap(),
                            details: Some(details),
                        })
                        .into_iter()
                        .collect(),
                },
            )
    }

    fn body() -> impl Strategy<Value = RecordBody> {
        let vehicle =
            (current_vrm_text(), proptest::option::of(free_text())).prop_map(|(v, colour)| {
                RecordBody::Object(Object::Vehicle(Vehicle {
                    vrm: Vrm::parse(&v).unwrap(),
                    make: FreeText::parse("Ford").ok(),
                    model: None,
                    colour,
                }))
            });
        let property = (
            free_text(),
            proptest::collection::vec("[A-Z0-9]{1,6}(-[A-Z0-9]{1,6})?", 0..3),
        )
            .prop_map(|(description, serials)| {
                RecordBody::Object(Object::Property(Property {
                    description,
                    serial_numbers: serials
                        .iter()
                        .map(|s| SerialNumber::parse(s).unwrap())
                        .collect(),
                }))
            });
        let location = (
            postcode_text(),
            proptest::option::of(geo_point()),
            proptest::option::of(free_text()),
        )
            .prop_map(|(pc, point, description)| {
                let address = Address::new(
                    vec!["1 High Street".into()],
                    Some("Leicester".into()),
                    Postcode::parse(&pc).ok(),
                )
                .unwrap();
                RecordBody::Location(Location::new(Some(address), point, description).unwrap())
            });
        let event = (
            free_text(),
            instant(),
            proptest::option::of(0i64..1_000_000),
            any::<bool>(),
        )
            .prop_map(|(summary, from, span, crime)| {
                let to = span.map(|s| from + TimeDelta::seconds(s));
                let (kind, category) = if crime {
                    (EventKind::CrimeReport, CategorySlug::parse("burglary").ok())
                } else {
                    (EventKind::Incident, None)
                };
                RecordBody::Event(Event::new(kind, summary, from, to, category).unwrap())
            });
        prop_oneof![
            person().prop_map(RecordBody::Person),
            vehicle,
            property,
            location,
            event
        ]
    }

    fn record() -> impl Strategy<Value = Record> {
        (any::<u128>(), marking(), instant(), date(2000), body()).prop_map(
            |(id, marking, at, start, body)| Record {
                id: RecordId::from_uuid(Uuid::from_u128(id)),
                marking,
                provenance: Provenance {
                    channel: Channel::StaffEntry,
                    lawful_basis: LawfulBasis::parse("dpa2018-part3-law-enforcement").unwrap(),
                    recorded_by: "staff:0191".into(),
                    recorded_at: at,
                },
                retention: Retention {
                    group: RetentionGroup::parse("3").unwrap(),
                    clear_period_start: start,
                    next_review: start + TimeDelta::days(6 * 365),
                },
                body,
                handling: Default::default(),
                withheld: Vec::new(),
            },
        )
    }

    proptest! {
        #[test]
        fn postcodes_reparse(text in postcode_text()) {
            let p = Postcode::parse(&text).unwrap();
            prop_assert_eq!(Postcode::parse(&p.to_string()).unwrap(), p.clone());
            prop_assert_eq!(format!("{}{}", p.outward(), p.inward()), text.replace(' ', ""));
        }

        #[test]
        fn current_vrms_reparse(text in current_vrm_text()) {
            let v = Vrm::parse(&text).unwrap();
            prop_assert_eq!(v.style(), VrmStyle::Current);
            prop_assert_eq!(Vrm::parse(&v.to_string()).unwrap(), v);
        }

        #[test]
        fn lenient_vrms_reparse(text in "[A-Z0-9]{1,10}") {
            let v = Vrm::parse_lenient(&text).unwrap();
            prop_assert_eq!(v.as_str(), text.as_str());
            prop_assert_eq!(Vrm::parse_lenient(&v.to_string()).unwrap(), v.clone());
            if v.style() != VrmStyle::Unrecognised {
                prop_assert_eq!(Vrm::parse(&v.to_string()).unwrap(), v);
            }
        }

        #[test]
        fn identifiers_reparse(nhs in nhs_number(), ni in nino(), pnc in pnc_id(), cro in cro_number()) {
            prop_assert_eq!(NhsNumber::parse(&nhs.to_string()).unwrap(), nhs);
            prop_assert_eq!(NationalInsuranceNumber::parse(&ni.to_string()).unwrap(), ni);
            prop_assert_eq!(PncId::parse(&pnc.to_string()).unwrap(), pnc);
            prop_assert_eq!(CroNumber::parse(&cro.to_string()).unwrap(), cro);
        }

        #[test]
        fn single_digit_nhs_errors_are_caught(nhs in nhs_number(), delta in 1u32..10) {
            let digits = nhs.as_str();
            let last = digits.chars().last().and_then(|c| c.to_digit(10)).unwrap();
            let wrong = format!("{}{}", &digits[..9], (last + delta) % 10);
            prop_assert!(NhsNumber::parse(&wrong).is_err());
        }

        #[test]
        fn points_markings_and_text_reparse(p in geo_point(), m in marking(), t in free_text(), d in date(1900)) {
            prop_assert_eq!(GeoPoint::parse(&p.to_string()).unwrap(), p);
            prop_assert_eq!(Marking::parse(&m.to_string()).unwrap(), m);
            prop_assert_eq!(FreeText::parse(t.as_str()).unwrap(), t);
            let dob = DateOfBirth::new(d).unwrap();
            prop_assert_eq!(DateOfBirth::parse(&dob.to_string()).unwrap(), dob);
        }

        #[test]
        fn records_round_trip_through_json(r in record()) {
            let json = serde_json::to_string(&r).unwrap();
            let back: Record = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back.kind(), r.kind());
            prop_assert_eq!(back, r);
        }

        #[test]
        fn links_round_trip_through_json(a in any::<u128>(), b in any::<u128>(), at in instant()) {
            prop_assume!(a != b);
            let link = Link::new(
                LinkId::from_uuid(Uuid::from_u128(a ^ b)),
                RecordId::from_uuid(Uuid::from_u128(a)),
                RecordId::from_uuid(Uuid::from_u128(b)),
                LinkRole::Witness,
                at,
                Some(at + TimeDelta::days(1)),
            ).unwrap();
            let back: Link = serde_json::from_str(&serde_json::to_string(&link).unwrap()).unwrap();
            prop_assert_eq!(&back, &link);
            prop_assert!(back.check_kinds(RecordKind::Person, RecordKind::Event).is_ok());
        }
    }

    /// The wire shape other crates and clients send: a person record.
    const PERSON_RECORD: &str = r#"{
  "id": "01970000-0000-7000-8000-000000000001",
  "marking": {"classification": "OFFICIAL", "sensitive": true, "caveats": []},
  "provenance": {
    "channel": "online_report",
    "lawful_basis": "dpa2018-part3-law-enforcement",
    "recorded_by": "api:public-reporting",
    "recorded_at": "2025-03-01T12:00:00Z"
  },
  "retention": {"group": "3", "clear_period_start": "2025-03-01", "next_review": "2031-03-01"},
  "body": {
    "kind": "person",
    "name": {"forenames": ["Jane"], "surname": "Doe"},
    "date_of_birth": "1984-02-29",
    "identifiers": [
      {"type": "pnc", "value": "2001/0012345H"},
      {"type": "nhs", "value": "943 476 5919"},
      {"type": "nino", "value": "ab123456c"},
      {"type": "cro", "value": "012345/99N"}
    ],
    "self_defined_ethnicity": "W1",
    "officer_defined_ethnicity": "IC1",
    "warning_markers": [{"code": "VI"}]
  }
}"#;

    #[test]
    fn person_record_wire_shape() {
        let record: Record = serde_json::from_str(PERSON_RECORD).unwrap();
        assert_eq!(record.kind(), RecordKind::Person);
        assert_eq!(record.marking.to_string(), "OFFICIAL-SENSITIVE");
        assert_eq!(
            record.subject_date_of_birth(),
            NaiveDate::from_ymd_opt(1984, 2, 29)
        );
        let RecordBody::Person(person) = &record.body else {
            panic!("not a person")
        };
        assert_eq!(person.identifiers.len(), 4);
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["body"]["identifiers"][2]["value"], "AB 12 34 56 C");
        assert_eq!(json["body"]["identifiers"][1]["value"], "943 476 5919");
    }

    #[test]
    fn invalid_nested_values_fail_deserialisation() {
        let bad = PERSON_RECORD.replace("2001/0012345H", "2001/0012345J");
        let err = serde_json::from_str::<Record>(&bad)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("PNC ID check letter is J, expected H"),
            "{err}"
        );
        let bad = PERSON_RECORD.replace(r#""sensitive": true"#, r#""sensitive": "yes""#);
        assert!(serde_json::from_str::<Record>(&bad).is_err());
    }

    #[test]
    fn event_record_has_kind_and_type_tags() {
        let json = r#"{"kind":"event","type":"crime_report","summary":"Shed burgled","occurred_from":"2025-01-01T22:00:00Z","occurred_to":"2025-01-02T07:00:00Z","crime_category":"burglary"}"#;
        let body: RecordBody = serde_json::from_str(json).unwrap();
        let RecordBody::Event(event) = &body else {
            panic!("not an event")
        };
        assert_eq!(event.kind(), EventKind::CrimeReport);
        assert_eq!(serde_json::to_string(&body).unwrap(), json);
    }

    #[test]
    fn object_record_has_kind_and_type_tags() {
        let json = r#"{"kind":"object","type":"vehicle","vrm":"ab12cde"}"#;
        let body: RecordBody = serde_json::from_str(json).unwrap();
        assert_eq!(body.kind(), RecordKind::Object);
        let out = serde_json::to_string(&body).unwrap();
        assert!(
            out.starts_with(r#"{"kind":"object","type":"vehicle","vrm":"AB12 CDE""#),
            "{out}"
        );
    }
}
