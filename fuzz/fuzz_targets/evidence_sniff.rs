//! Evidence intake's pure parsers on arbitrary bytes: `sniff` never panics and names only a
//! type it can stand behind (plain text really is text); the declared-name sanitiser keeps its
//! promises (no path, no control characters, at most 255 characters, never empty, stable); and
//! a blob key it accepts is canonical, through `Display` and serde alike.
#![no_main]

use bluelamp_evidence::{BlobKey, MAX_FILE_NAME_CHARS, MediaType, sanitise_file_name, sniff};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let detected = sniff(data);
    assert_eq!(sniff(data), detected, "sniff is not deterministic");
    if let Some(media_type) = detected {
        assert!(!data.is_empty(), "an empty prefix has a type");
        assert!(MediaType::ALL.contains(&media_type));
        assert_eq!(media_type.to_string().parse::<MediaType>(), Ok(media_type));
        assert!(!media_type.extensions().is_empty());
        for extension in media_type.extensions() {
            assert_eq!(MediaType::from_extension(extension), Some(media_type));
        }
        if media_type == MediaType::PlainText {
            match std::str::from_utf8(data) {
                Ok(text) => assert!(!text.contains('\0'), "text with NUL: {data:?}"),
                Err(e) => assert!(e.error_len().is_none(), "invalid UTF-8 as text: {data:?}"),
            }
        }
    }

    let text = String::from_utf8_lossy(data);
    let name = sanitise_file_name(&text);
    assert!(!name.is_empty());
    assert!(name.chars().count() <= MAX_FILE_NAME_CHARS, "{name:?}");
    assert!(!name.contains(['/', '\\']), "{name:?}");
    assert!(!name.chars().any(char::is_control), "{name:?}");
    assert_eq!(sanitise_file_name(&name), name, "sanitising is not stable");
    if let Some(claimed) = MediaType::from_file_name(&name) {
        assert!(claimed.name_fits(claimed));
    }

    if let Ok(key) = text.parse::<BlobKey>() {
        assert_eq!(key.to_string(), text);
        assert_eq!(key.as_str().parse::<BlobKey>().ok(), Some(key.clone()));
        let json = serde_json::to_string(&key).expect("a key serialises");
        let back: BlobKey = serde_json::from_str(&json).expect("a key reads back");
        assert_eq!(back, key);
    }
});
