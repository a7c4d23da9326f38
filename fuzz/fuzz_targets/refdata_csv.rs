//! Reference-data CSV on arbitrary text (lossily decoded as UTF-8).
//!
//! Most inputs go to `CodeList::parse`, which must never panic; a list it accepts must be
//! self-consistent (every entry is the one `get` finds on its first day, no code has two
//! versions in force at once). Inputs whose first byte is a multiple of 16 instead replace
//! one of the embedded CSV files (chosen by the second byte) and load the whole set with
//! `ReferenceData::from_sources`, which runs the per-list rules too: it must never panic,
//! and the replaced list, if accepted, must be self-consistent too.
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use bluelamp_domain::refdata::{CodeList, ReferenceData};
use libfuzzer_sys::fuzz_target;

const FILES: [&str; 9] = [
    "crime_categories.csv",
    "outcome_categories.csv",
    "police_forces.csv",
    "ethnicity_self_defined.csv",
    "ethnicity_officer_defined.csv",
    "classification_markings.csv",
    "retention_groups.csv",
    "s62_log_kinds.csv",
    "lawful_bases.csv",
];

fn embedded() -> &'static BTreeMap<String, String> {
    static EMBEDDED: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    EMBEDDED.get_or_init(ReferenceData::embedded_files)
}

fuzz_target!(|data: &[u8]| {
    if let [mode, which, rest @ ..] = data
        && mode % 16 == 0
    {
        let index = usize::from(*which) % FILES.len();
        let file = FILES[index];
        let mut files = embedded().clone();
        files.insert(file.to_owned(), String::from_utf8_lossy(rest).into_owned());
        if let Ok(set) = ReferenceData::from_sources(&files) {
            // `lists()` is in the same order as FILES.
            check_list(set.lists()[index]);
        }
        return;
    }

    let text = String::from_utf8_lossy(data);
    if let Ok(list) = CodeList::parse("fuzz", "fuzz.csv", &text) {
        assert_eq!(list.name(), "fuzz");
        check_list(&list);
    }
});

fn check_list(list: &CodeList) {
    assert!(!list.entries().is_empty(), "an accepted list has entries");
    for entry in list.entries() {
        if let Some(to) = entry.effective_to {
            assert!(
                to > entry.effective_from,
                "entry {entry:?} ends before it starts"
            );
        }
        assert_eq!(
            list.get(&entry.code, entry.effective_from),
            Some(entry),
            "another version of {:?} is in force on {}",
            entry.code,
            entry.effective_from
        );
        assert!(list.versions(&entry.code).any(|v| v == entry));
        let mut codes = BTreeSet::new();
        for current in list.current(entry.effective_from) {
            assert!(
                codes.insert(current.code.as_str()),
                "two versions of {:?} in force on {}",
                current.code,
                entry.effective_from
            );
        }
    }
}
