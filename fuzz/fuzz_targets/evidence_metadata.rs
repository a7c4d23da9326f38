//! `extract_metadata` on arbitrary bytes as every media type, and wrapped as the EXIF segment of
//! a JPEG (so the fuzzer reaches the TIFF/EXIF parser directly): it never panics, and whatever
//! it returns is sane (a position in range, positive pixel sizes, a bounded camera name).
#![no_main]

use bluelamp_evidence::{EvidenceMetadata, MediaType, extract_metadata, sniff};
use libfuzzer_sys::fuzz_target;

fn check(metadata: &EvidenceMetadata) {
    if let Some(gps) = metadata.gps {
        assert!(
            gps.latitude.is_finite() && (-90.0..=90.0).contains(&gps.latitude),
            "{gps:?}"
        );
        assert!(
            gps.longitude.is_finite() && (-180.0..=180.0).contains(&gps.longitude),
            "{gps:?}"
        );
    }
    assert_ne!(metadata.width, Some(0));
    assert_ne!(metadata.height, Some(0));
    assert_eq!(metadata.width.is_some(), metadata.height.is_some());
    if let Some(camera) = &metadata.camera {
        assert!(
            !camera.is_empty() && camera.chars().count() <= 128,
            "{camera:?}"
        );
        assert!(!camera.chars().any(char::is_control), "{camera:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    for media_type in MediaType::ALL {
        let metadata = extract_metadata(media_type, data);
        check(&metadata);
        if !matches!(
            media_type,
            MediaType::Jpeg | MediaType::Png | MediaType::Gif | MediaType::Webp | MediaType::Heic
        ) {
            assert_eq!(metadata, EvidenceMetadata::default(), "{media_type}");
        }
    }
    if let Some(media_type) = sniff(data) {
        check(&extract_metadata(media_type, data));
    }

    // The input as the TIFF body of a JPEG's EXIF APP1 segment.
    if let Ok(length) = u16::try_from(data.len() + 8) {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&length.to_be_bytes());
        jpeg.extend_from_slice(b"Exif\0\0");
        jpeg.extend_from_slice(data);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        check(&extract_metadata(MediaType::Jpeg, &jpeg));
    }
});
