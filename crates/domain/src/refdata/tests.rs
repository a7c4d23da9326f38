//! Tests of loading and querying reference data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rstest::rstest;

use super::*;
use crate::retention::ReviewBasis;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn with_file(name: &str, text: &str) -> BTreeMap<String, String> {
    let mut files = ReferenceData::embedded_files();
    files.insert(name.to_owned(), text.to_owned());
    files
}

#[test]
fn embedded_loads_every_list() {
    let data = ReferenceData::embedded().unwrap();
    assert_eq!(data.version, "2026.4");
    assert_eq!(data.lists().len(), 18);
    assert!(data.sources.contains_key("bank_holidays_england_wales"));
    for list in data.lists() {
        assert!(!list.entries().is_empty(), "{}", list.name());
        assert!(data.sources.contains_key(list.name()), "{}", list.name());
    }
    assert_eq!(data.crime_categories.current(d("2025-01-01")).count(), 14);
    assert_eq!(data.outcome_categories.current(d("2025-01-01")).count(), 28);
    assert_eq!(data.ethnicity_self_defined.entries().len(), 19);
    assert_eq!(data.ethnicity_officer_defined.entries().len(), 7);
    assert_eq!(data.s62_log_kinds.entries().len(), 6);
    assert!(!data.crime_categories.contains("all-crime", d("2025-01-01")));
}

#[test]
fn forty_four_forces_with_string_pnc_codes() {
    let data = ReferenceData::embedded().unwrap();
    let today = d("2025-06-01");
    assert_eq!(data.forces.current(today).count(), 44);
    let leics = data.forces.get("leicestershire", today).unwrap();
    assert_eq!(leics.label, "Leicestershire Police");
    assert_eq!(leics.attribute("pnc_code"), Some("33"));
    let btp = data.forces.get("btp", today).unwrap();
    assert_eq!(btp.attribute("pnc_code"), Some("93"));
    assert_eq!(
        data.force_by_pnc_code("07", today).unwrap().code,
        "cheshire"
    );
    assert_eq!(
        data.force_by_pnc_code("01", today).unwrap().code,
        "metropolitan"
    );
}

#[test]
fn retention_rules_come_from_the_data() {
    let data = ReferenceData::embedded().unwrap();
    let on = d("2025-01-01");
    let rule = |g: &str| {
        data.retention_rule(&RetentionGroup::parse(g).unwrap(), on)
            .unwrap()
    };
    assert_eq!(
        (
            rule("1").basis,
            rule("1").review_after_years,
            rule("1").retain_until_age
        ),
        (ReviewBasis::Periodic, 10, Some(100))
    );
    assert_eq!(
        (rule("2").review_after_years, rule("2").retain_until_age),
        (10, None)
    );
    assert_eq!(rule("3").review_after_years, 6);
    assert_eq!(
        (rule("4").basis, rule("4").review_after_years),
        (ReviewBasis::PerCrimeType, 6)
    );
    assert!(
        data.retention_rule(&RetentionGroup::parse("5").unwrap(), on)
            .is_none()
    );
}

#[test]
fn markings_and_s62_dates() {
    let data = ReferenceData::embedded().unwrap();
    assert!(
        data.classification_markings
            .contains("OFFICIAL-SENSITIVE", d("2014-04-02"))
    );
    assert!(
        !data
            .classification_markings
            .contains("OFFICIAL", d("2014-04-01"))
    );
    assert!(data.s62_log_kinds.contains("consultation", d("2018-05-25")));
    assert!(!data.s62_log_kinds.contains("consultation", d("2018-05-24")));
    assert!(
        data.lawful_bases
            .contains("dpa2018-part3-law-enforcement", d("2024-01-01"))
    );
}

const VERSIONED: &str = "\
code,label,note,effective_from,effective_to
violent-crime,Violent crime,,2010-12-01,2013-05-01
violent-crime,Violence and sexual offences,renamed,2013-05-01,
public-disorder-weapons,Public disorder and weapons,,2010-12-01,2013-05-01
";

#[rstest]
#[case("2010-11-30", None)]
#[case("2010-12-01", Some("Violent crime"))]
#[case("2013-04-30", Some("Violent crime"))]
#[case("2013-05-01", Some("Violence and sexual offences"))]
#[case("2030-01-01", Some("Violence and sexual offences"))]
fn versioned_lookup_by_date(#[case] on: &str, #[case] label: Option<&str>) {
    let list = CodeList::parse("crime_categories", "crime_categories.csv", VERSIONED).unwrap();
    assert_eq!(
        list.get("violent-crime", d(on)).map(|e| e.label.as_str()),
        label
    );
}

#[test]
fn versions_and_attributes() {
    let list = CodeList::parse("crime_categories", "crime_categories.csv", VERSIONED).unwrap();
    assert_eq!(list.versions("violent-crime").count(), 2);
    assert!(!list.contains("public-disorder-weapons", d("2013-05-01")));
    assert_eq!(list.current(d("2012-01-01")).count(), 2);
    let renamed = list.get("violent-crime", d("2020-01-01")).unwrap();
    assert_eq!(renamed.attribute("note"), Some("renamed"));
    assert_eq!(
        list.get("violent-crime", d("2012-01-01"))
            .unwrap()
            .attribute("note"),
        None
    );
}

#[rstest]
#[case::bad_date(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,2019-01-01,\nessex,Essex Police,42,2019-13-01,\n",
    "police_forces.csv line 3: effective_from '2019-13-01' is not a date"
)]
#[case::bad_end_date(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,2019-01-01,soon\n",
    "police_forces.csv line 2: effective_to 'soon' is not a date"
)]
#[case::missing_from(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,,\n",
    "police_forces.csv line 2: effective_from is empty"
)]
#[case::missing_column(
    "police_forces.csv",
    "code,label,pnc_code,effective_from\nkent,Kent Police,46,2019-01-01\n",
    "police_forces.csv line 1: header has no 'effective_to' column"
)]
#[case::field_count(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,2019-01-01\n",
    "police_forces.csv line 2: row has 4 fields, the header has 5"
)]
#[case::pnc_code_not_two_digits(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,7,2019-01-01,\n",
    "police_forces.csv line 2: pnc_code '7' is not two digits"
)]
#[case::overlap(
    "police_forces.csv",
    "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,2019-01-01,\nessex,Essex Police,42,2019-01-01,\nkent,Kent Constabulary,46,2020-01-01,\n",
    "police_forces.csv line 4: code 'kent' is valid from 2020-01-01 while its version on line 2 is still in force"
)]
#[case::end_before_start(
    "crime_categories.csv",
    "code,label,effective_from,effective_to\nburglary,Burglary,2019-01-01,2019-01-01\n",
    "crime_categories.csv line 2: effective_to 2019-01-01 is not after effective_from 2019-01-01"
)]
#[case::slug_shape(
    "crime_categories.csv",
    "code,label,effective_from,effective_to\nBurglary,Burglary,2019-01-01,\n",
    "crime_categories.csv line 2: code 'Burglary' is not a lowercase slug of a-z, 0-9 and '-'"
)]
#[case::retention_years(
    "retention_groups.csv",
    "code,label,basis,review_after_years,effective_from,effective_to\n3,All other,clear_period,six,2010-01-01,\n",
    "retention_groups.csv line 2: review_after_years 'six' is not a whole number of years from 1 to 150"
)]
#[case::retention_basis(
    "retention_groups.csv",
    "code,label,basis,review_after_years,effective_from,effective_to\n3,All other,yearly,6,2010-01-01,\n",
    "retention_groups.csv line 2: basis 'yearly' is not periodic, clear_period or per_crime_type"
)]
#[case::empty_list(
    "lawful_bases.csv",
    "code,label,effective_from,effective_to\n",
    "lawful_bases.csv has no entries"
)]
#[case::duplicate_column(
    "lawful_bases.csv",
    "code,label,code,effective_from,effective_to\nx,y,z,2019-01-01,\n",
    "lawful_bases.csv line 1: header has column 'code' twice"
)]
#[case::holiday_bad_date(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2025-01-01,New Year's Day,announced\n2025-02-30,Made up,announced\n",
    "bank_holidays_england_wales.csv line 3: date '2025-02-30' is not a date"
)]
#[case::holiday_on_a_weekend(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2022-01-01,New Year's Day,announced\n",
    "bank_holidays_england_wales.csv line 2: date '2022-01-01' is not a weekday (list the substitute day, not the weekend day)"
)]
#[case::holiday_twice(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2025-12-25,Christmas Day,announced\n2025-12-26,Boxing Day,announced\n2025-12-25,Christmas again,announced\n",
    "bank_holidays_england_wales.csv line 4: date 2025-12-25 is already listed on line 2"
)]
#[case::holiday_status(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2025-12-25,Christmas Day,rumoured\n",
    "bank_holidays_england_wales.csv line 2: status 'rumoured' is not announced or projected"
)]
#[case::holiday_no_name(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2025-12-25,,announced\n",
    "bank_holidays_england_wales.csv line 2: name is empty"
)]
#[case::holiday_missing_year(
    "bank_holidays_england_wales.csv",
    "date,name,status\n2024-12-25,Christmas Day,announced\n2026-12-25,Christmas Day,announced\n",
    "bank_holidays_england_wales.csv: no rows for 2025, between the first and last years listed"
)]
#[case::holiday_missing_column(
    "bank_holidays_england_wales.csv",
    "date,name\n2025-12-25,Christmas Day\n",
    "bank_holidays_england_wales.csv line 1: header has no 'status' column"
)]
#[case::holidays_empty(
    "bank_holidays_england_wales.csv",
    "date,name,status\n",
    "bank_holidays_england_wales.csv has no entries"
)]
#[case::deadline_days_not_a_number(
    "victims_code_deadlines.csv",
    "code,label,trigger,working_days_standard,working_days_enhanced,calendar_days,source,status,effective_from,effective_to\nsuspect-arrested,Tell,Arrest,five,1,,Code,verified,2021-04-01,\n",
    "victims_code_deadlines.csv line 2: working_days_standard 'five' is not a whole number of days from 0 to 366"
)]
#[case::deadline_both_kinds(
    "victims_code_deadlines.csv",
    "code,label,trigger,working_days_standard,working_days_enhanced,calendar_days,source,status,effective_from,effective_to\nsuspect-arrested,Tell,Arrest,5,1,28,Code,verified,2021-04-01,\n",
    "victims_code_deadlines.csv line 2: calendar_days '28' is not given alone, or empty when both working-day columns are given"
)]
#[case::deadline_enhanced_longer(
    "victims_code_deadlines.csv",
    "code,label,trigger,working_days_standard,working_days_enhanced,calendar_days,source,status,effective_from,effective_to\nsuspect-arrested,Tell,Arrest,1,5,,Code,verified,2021-04-01,\n",
    "victims_code_deadlines.csv line 2: working_days_enhanced '5' is not at most working_days_standard (1)"
)]
#[case::deadline_status(
    "victims_code_deadlines.csv",
    "code,label,trigger,working_days_standard,working_days_enhanced,calendar_days,source,status,effective_from,effective_to\nsuspect-arrested,Tell,Arrest,5,1,,Code,partial,2021-04-01,\n",
    "victims_code_deadlines.csv line 2: status 'partial' is not verified or unverified"
)]
#[case::deadline_no_trigger(
    "victims_code_deadlines.csv",
    "code,label,trigger,working_days_standard,working_days_enhanced,calendar_days,source,status,effective_from,effective_to\nsuspect-arrested,Tell,,5,1,,Code,verified,2021-04-01,\n",
    "victims_code_deadlines.csv line 2: trigger is empty"
)]
#[case::grade_target(
    "response_grades.csv",
    "code,label,description,target_minutes,rank,effective_from,effective_to\nimmediate,Immediate,Now,soon,1,2026-01-01,\n",
    "response_grades.csv line 2: target_minutes 'soon' is not a whole number of minutes from 1 to 10080, or empty"
)]
#[case::grade_rank_missing(
    "response_grades.csv",
    "code,label,description,target_minutes,rank,effective_from,effective_to\nimmediate,Immediate,Now,15,,2026-01-01,\n",
    "response_grades.csv line 2: rank is empty"
)]
#[case::ncrs_unit(
    "ncrs_rules.csv",
    "code,label,value,unit,source,status,effective_from,effective_to\nrecording-limit-hours,Limit,1,days,HMICFRS,verified,2002-04-01,\n",
    "ncrs_rules.csv line 2: unit 'days' is not hours"
)]
#[case::purpose_needs_placeholder(
    "access_purposes.csv",
    "code,label,needs_reference,template,effective_from,effective_to\ninvestigating-crime,Crime,true,investigating crime,2026-01-01,\n",
    "access_purposes.csv line 2: template 'investigating crime' is not a text holding {reference} once and no other braces"
)]
#[case::purpose_flag(
    "access_purposes.csv",
    "code,label,needs_reference,template,effective_from,effective_to\nsafeguarding,Safeguarding,yes,safeguarding,2026-01-01,\n",
    "access_purposes.csv line 2: needs_reference 'yes' is not true or false"
)]
#[case::purpose_stray_placeholder(
    "access_purposes.csv",
    "code,label,needs_reference,template,effective_from,effective_to\nsafeguarding,Safeguarding,false,safeguarding {reference},2026-01-01,\n",
    "access_purposes.csv line 2: template 'safeguarding {reference}' is not a text without braces (needs_reference is false)"
)]
#[case::ho_code_garbage(
    "ho_offence_classifications.csv",
    "code,label,group,notifiable,status,effective_from,effective_to\n8L,Harassment,violence,true,verified,2010-04-01,\n08X/,Nonsense,violence,true,verified,2010-04-01,\n",
    "ho_offence_classifications.csv line 3: code '08X/' is not a Home Office classification in canonical form, such as 4/1 or 8L"
)]
#[case::ho_code_not_canonical(
    "ho_offence_classifications.csv",
    "code,label,group,notifiable,status,effective_from,effective_to\n8l,Harassment,violence,true,verified,2010-04-01,\n",
    "ho_offence_classifications.csv line 2: code '8l' is not a Home Office classification in canonical form, such as 4/1 or 8L"
)]
#[case::ho_notifiable(
    "ho_offence_classifications.csv",
    "code,label,group,notifiable,status,effective_from,effective_to\n8L,Harassment,violence,yes,verified,2010-04-01,\n",
    "ho_offence_classifications.csv line 2: notifiable 'yes' is not true or false"
)]
fn malformed_files_give_precise_errors(
    #[case] file: &str,
    #[case] text: &str,
    #[case] message: &str,
) {
    let err = ReferenceData::from_sources(&with_file(file, text)).unwrap_err();
    assert_eq!(err.to_string(), message);
}

#[test]
fn adjacent_versions_do_not_overlap() {
    let text = "code,label,pnc_code,effective_from,effective_to\nkent,Kent Police,46,2019-01-01,2020-01-01\nkent,Kent Constabulary,46,2020-01-01,\n";
    let data = ReferenceData::from_sources(&with_file("police_forces.csv", text)).unwrap();
    assert_eq!(
        data.forces.get("kent", d("2019-12-31")).unwrap().label,
        "Kent Police"
    );
    assert_eq!(
        data.forces.get("kent", d("2020-01-01")).unwrap().label,
        "Kent Constabulary"
    );
}

#[test]
fn manifest_problems_are_named() {
    let mut files = ReferenceData::embedded_files();
    files.remove("s62_log_kinds.csv");
    assert_eq!(
        ReferenceData::from_sources(&files).unwrap_err().to_string(),
        "reference file s62_log_kinds.csv is missing"
    );
    let files = with_file(MANIFEST_FILE, "version = \"x\"\n[lists]\n");
    assert_eq!(
        ReferenceData::from_sources(&files).unwrap_err().to_string(),
        "manifest.toml has no entry for list 'crime_categories'"
    );
    let files = with_file(MANIFEST_FILE, "lists = {}\n");
    let err = ReferenceData::from_sources(&files).unwrap_err().to_string();
    assert!(
        err.starts_with("manifest.toml: missing field `version`"),
        "{err}"
    );
}

#[test]
fn online_report_types_map_to_known_crime_categories() {
    let data = ReferenceData::embedded().unwrap();
    let on = d("2026-11-27");
    let types: Vec<_> = data.online_report_types.current(on).collect();
    assert!(types.len() >= 12, "{}", types.len());
    for entry in types {
        let category = entry.attribute("crime_category").unwrap();
        assert!(
            data.crime_categories.contains(category, on),
            "{} maps to unknown category {category}",
            entry.code
        );
    }
}

#[test]
fn every_outcome_has_a_plain_english_explanation() {
    let data = ReferenceData::embedded().unwrap();
    let on = d("2026-11-27");
    for entry in data.outcome_categories.current(on) {
        let explanation = data.outcome_explanation(&entry.code, on).unwrap();
        assert!(explanation.ends_with('.'), "{explanation}");
    }
}

#[test]
fn operation_snap_rules_are_numbers() {
    let data = ReferenceData::embedded().unwrap();
    let on = d("2026-11-27");
    assert_eq!(data.operation_snap_rule("submission-days", on), Some(7));
    assert_eq!(data.operation_snap_rule("max-clip-minutes", on), Some(10));
    assert_eq!(data.operation_snap_rule("minimum-age", on), Some(18));
    assert_eq!(data.victims_code_rights.current(on).count(), 12);
}
