//! `serde_json::from_slice::<Record>` on arbitrary bytes: it never panics, and a record it
//! accepts survives a JSON round trip: serialising and reading it again gives an equal
//! record, and serialising that gives the same JSON.
#![no_main]

use bluelamp_domain::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<Record>(data) else {
        return;
    };
    let _ = (record.kind(), record.subject_date_of_birth());
    let json = serde_json::to_string(&record).expect("a record serialises");
    let again: Record = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("serialised record does not read back: {e}\n{json}"));
    assert_eq!(again, record, "record changed through JSON:\n{json}");
    let json_again = serde_json::to_string(&again).expect("a record serialises");
    assert_eq!(json_again, json, "JSON of a record is not stable");
});
