//! The search box: `query_keys` reads any text without panicking, gives a bounded number of
//! keys, each non-empty and carrying its prefix, and reads the same text the same way twice;
//! the phonetic code, look-alike folding and Jaro-Winkler never panic and stay in range.
#![no_main]

use bluelamp_domain::search::{fold_vrm, jaro_winkler, phonetic, query_keys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let query = query_keys(text);
    assert_eq!(query, query_keys(text), "the same text read twice differently");
    let _ = query.describe();
    for key in &query.keys {
        assert!(key.contains(':') && !key.ends_with(':'), "a key without its prefix or value: {key:?}");
    }
    for word in query.words() {
        let code = phonetic(word);
        assert_eq!(code, phonetic(word));
        let folded = fold_vrm(word);
        assert_eq!(fold_vrm(&folded), folded, "folding is not idempotent for {word:?}");
        let similarity = jaro_winkler(word, text);
        assert!((0.0..=1.0).contains(&similarity), "similarity {similarity} out of range");
        assert!((jaro_winkler(word, word) - 1.0).abs() < 1e-9 || word.is_empty());
    }
});
