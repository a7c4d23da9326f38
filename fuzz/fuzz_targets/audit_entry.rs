//! `Entry::from_leaf_bytes` on arbitrary bytes: it never panics, and whatever it accepts
//! re-encodes to exactly the same bytes (the leaf encoding is canonical). The same input is
//! then read as a structured entry, which must survive `leaf_bytes` → `from_leaf_bytes`.
#![no_main]

use arbitrary::Unstructured;
use bluelamp_audit::{Entry, leaf_hash};
use bluelamp_fuzz::arbitrary_entry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = Entry::from_leaf_bytes(data) {
        let bytes = entry.leaf_bytes();
        assert_eq!(
            bytes, data,
            "accepted leaf bytes do not re-encode identically"
        );
        assert_eq!(entry.leaf_hash(), leaf_hash(data));
        assert_eq!(Entry::from_leaf_bytes(&bytes), Ok(entry));
    }

    let mut u = Unstructured::new(data);
    let Ok(seq) = u.arbitrary::<u64>() else {
        return;
    };
    let Ok(entry) = arbitrary_entry(&mut u, seq) else {
        return;
    };
    let bytes = entry.leaf_bytes();
    match Entry::from_leaf_bytes(&bytes) {
        Ok(decoded) => assert_eq!(decoded, entry, "entry changed through its leaf bytes"),
        Err(e) => panic!(
            "leaf bytes of a valid entry do not decode: {e}\n{}",
            String::from_utf8_lossy(&bytes)
        ),
    }
});
