//! What a photo says about itself: where and when it was taken, with what, and its size.

use std::io::Cursor;

use chrono::NaiveDateTime;
use exif::{Exif, In, Reader, Tag, Value};
use serde::{Deserialize, Serialize};

use crate::binary::{be_u16, be_u32, iso_boxes, le_u16, le_u24, le_u32};
use crate::{MediaFamily, MediaType};

/// The longest camera description kept, in characters.
const MAX_CAMERA_CHARS: usize = 128;

/// Metadata read from an evidence file, every part optional: a photo without EXIF, or a
/// video or document, gives [`EvidenceMetadata::default`] or only its pixel size.
///
/// These are claims the file makes about itself (EXIF can be edited), to be weighed as such.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceMetadata {
    /// Where the photo was taken (EXIF GPS).
    pub gps: Option<GpsPosition>,
    /// When the photo was taken, in the camera's local time without a zone (EXIF
    /// `DateTimeOriginal`, else `DateTimeDigitized`, else `DateTime`).
    pub taken_at: Option<NaiveDateTime>,
    /// The camera or phone (EXIF `Make` and `Model`), e.g. "Apple iPhone 15".
    pub camera: Option<String>,
    /// Width in pixels (from the image header, else EXIF).
    pub width: Option<u32>,
    /// Height in pixels (from the image header, else EXIF).
    pub height: Option<u32>,
}

/// A position on the WGS84 datum, in decimal degrees (north and east positive).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GpsPosition {
    /// Latitude, −90 to 90.
    pub latitude: f64,
    /// Longitude, −180 to 180.
    pub longitude: f64,
}

/// Reads what it can from the first bytes of a file of type `media_type`: EXIF (GPS
/// position, time taken, camera, pixel size) for JPEG, HEIC, PNG and WebP via the
/// `kamadak-exif` crate, and the pixel size from the image header for every photo type.
///
/// Never fails and never panics: anything missing, truncated or malformed is left out, and
/// a file with nothing readable gives [`EvidenceMetadata::default`]. A position is kept only
/// with its hemisphere references and within range; a time only when it is a real date and
/// time.
#[must_use]
pub fn extract_metadata(media_type: MediaType, prefix: &[u8]) -> EvidenceMetadata {
    if media_type.family() != MediaFamily::Photo {
        return EvidenceMetadata::default();
    }
    let mut metadata = EvidenceMetadata::default();
    if let Some((width, height)) = header_dimensions(media_type, prefix) {
        metadata.width = Some(width);
        metadata.height = Some(height);
    }
    let has_exif = matches!(
        media_type,
        MediaType::Jpeg | MediaType::Heic | MediaType::Png | MediaType::Webp
    );
    if has_exif && let Some(exif) = read_exif(prefix) {
        metadata.gps = gps(&exif);
        metadata.taken_at = taken_at(&exif);
        metadata.camera = camera(&exif);
        if metadata.width.is_none() || metadata.height.is_none() {
            let x = uint(&exif, Tag::PixelXDimension).filter(|n| *n > 0);
            let y = uint(&exif, Tag::PixelYDimension).filter(|n| *n > 0);
            if let (Some(width), Some(height)) = (x, y) {
                metadata.width = Some(width);
                metadata.height = Some(height);
            }
        }
    }
    metadata
}

/// The EXIF attributes in a JPEG, HEIF, PNG or WebP file (or bare TIFF), if any parse.
fn read_exif(prefix: &[u8]) -> Option<Exif> {
    Reader::new()
        .read_from_container(&mut Cursor::new(prefix))
        .ok()
}

/// The first value of an integer field of the primary image.
fn uint(exif: &Exif, tag: Tag) -> Option<u32> {
    exif.get_field(tag, In::PRIMARY)?.value.get_uint(0)
}

/// The first string of an ASCII field of the primary image, without surrounding white space
/// or control characters; `None` when empty.
fn ascii(exif: &Exif, tag: Tag) -> Option<String> {
    let Value::Ascii(strings) = &exif.get_field(tag, In::PRIMARY)?.value else {
        return None;
    };
    let text: String = String::from_utf8_lossy(strings.first()?)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Degrees, minutes and seconds as EXIF rationals, in decimal degrees.
fn degrees(exif: &Exif, tag: Tag) -> Option<f64> {
    let Value::Rational(parts) = &exif.get_field(tag, In::PRIMARY)?.value else {
        return None;
    };
    let mut total = 0.0;
    for (part, scale) in parts.iter().zip([1.0, 60.0, 3600.0]) {
        if part.denom == 0 {
            return None;
        }
        total += part.to_f64() / scale;
    }
    (!parts.is_empty() && total.is_finite()).then_some(total)
}

/// The GPS position, when latitude, longitude and both hemisphere references are present
/// and in range.
fn gps(exif: &Exif) -> Option<GpsPosition> {
    let latitude = degrees(exif, Tag::GPSLatitude)?;
    let longitude = degrees(exif, Tag::GPSLongitude)?;
    let latitude = match ascii(exif, Tag::GPSLatitudeRef)?.as_str() {
        "N" | "n" => latitude,
        "S" | "s" => -latitude,
        _ => return None,
    };
    let longitude = match ascii(exif, Tag::GPSLongitudeRef)?.as_str() {
        "E" | "e" => longitude,
        "W" | "w" => -longitude,
        _ => return None,
    };
    ((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)).then_some(
        GpsPosition {
            latitude,
            longitude,
        },
    )
}

/// When the photo was taken, from the first date-time field that parses.
fn taken_at(exif: &Exif) -> Option<NaiveDateTime> {
    [Tag::DateTimeOriginal, Tag::DateTimeDigitized, Tag::DateTime]
        .into_iter()
        .filter_map(|tag| ascii(exif, tag))
        .find_map(|text| NaiveDateTime::parse_from_str(&text, "%Y:%m:%d %H:%M:%S").ok())
}

/// "Make Model", or the model alone when it already names the make.
fn camera(exif: &Exif) -> Option<String> {
    let make = ascii(exif, Tag::Make);
    let model = ascii(exif, Tag::Model);
    let camera = match (make, model) {
        (Some(make), Some(model)) => {
            if model.to_lowercase().starts_with(&make.to_lowercase()) {
                model
            } else {
                format!("{make} {model}")
            }
        }
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => return None,
    };
    Some(camera.chars().take(MAX_CAMERA_CHARS).collect())
}

/// The pixel size written in the image's own header.
fn header_dimensions(media_type: MediaType, buf: &[u8]) -> Option<(u32, u32)> {
    let (width, height) = match media_type {
        MediaType::Jpeg => jpeg_dimensions(buf)?,
        MediaType::Png => (be_u32(buf, 16)?, be_u32(buf, 20)?),
        MediaType::Gif => (u32::from(le_u16(buf, 6)?), u32::from(le_u16(buf, 8)?)),
        MediaType::Webp => webp_dimensions(buf)?,
        MediaType::Heic => heic_dimensions(buf)?,
        _ => return None,
    };
    (width > 0 && height > 0).then_some((width, height))
}

/// Width and height from a JPEG's start-of-frame segment.
fn jpeg_dimensions(buf: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2_usize;
    loop {
        if *buf.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may precede the marker code.
        while *buf.get(at.checked_add(1)?)? == 0xFF {
            at = at.checked_add(1)?;
        }
        let marker = *buf.get(at.checked_add(1)?)?;
        at = at.checked_add(2)?;
        match marker {
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {}
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            // Start of frame (all kinds), but not DHT, JPG and DAC which share the range.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let height = be_u16(buf, at.checked_add(3)?)?;
                let width = be_u16(buf, at.checked_add(5)?)?;
                return Some((u32::from(width), u32::from(height)));
            }
            _ => {
                let length = be_u16(buf, at)?;
                if length < 2 {
                    return None;
                }
                at = at.checked_add(usize::from(length))?;
            }
        }
    }
}

/// Width and height from a WebP file's first chunk (lossy, lossless or extended).
fn webp_dimensions(buf: &[u8]) -> Option<(u32, u32)> {
    match buf.get(12..16)? {
        b"VP8 " => {
            if buf.get(23..26)? != [0x9D, 0x01, 0x2A] {
                return None;
            }
            let width = u32::from(le_u16(buf, 26)? & 0x3FFF);
            let height = u32::from(le_u16(buf, 28)? & 0x3FFF);
            Some((width, height))
        }
        b"VP8L" => {
            if *buf.get(20)? != 0x2F {
                return None;
            }
            let bits = le_u32(buf, 21)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le_u24(buf, 24)? + 1, le_u24(buf, 27)? + 1)),
        _ => None,
    }
}

/// The largest image spatial extent (`ispe`) among a HEIF file's item properties: the full
/// picture rather than its tiles or thumbnail.
fn heic_dimensions(buf: &[u8]) -> Option<(u32, u32)> {
    let meta = iso_boxes(buf).find(|b| &b.kind == b"meta")?;
    let properties = iso_boxes(meta.body.get(4..)?).find(|b| &b.kind == b"iprp")?;
    let container = iso_boxes(properties.body).find(|b| &b.kind == b"ipco")?;
    iso_boxes(container.body)
        .filter(|b| &b.kind == b"ispe")
        .filter_map(|ispe| Some((be_u32(ispe.body, 4)?, be_u32(ispe.body, 8)?)))
        .max_by_key(|(width, height)| u64::from(*width) * u64::from(*height))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One IFD entry to write: tag, type and the value's bytes (big-endian).
    struct Entry {
        tag: u16,
        kind: u16,
        count: u32,
        value: Vec<u8>,
    }

    fn ascii_entry(tag: u16, text: &str) -> Entry {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        Entry {
            tag,
            kind: 2,
            count: u32::try_from(value.len()).unwrap(),
            value,
        }
    }

    fn rationals(tag: u16, parts: &[(u32, u32)]) -> Entry {
        let mut value = Vec::new();
        for (num, denom) in parts {
            value.extend_from_slice(&num.to_be_bytes());
            value.extend_from_slice(&denom.to_be_bytes());
        }
        Entry {
            tag,
            kind: 5,
            count: u32::try_from(parts.len()).unwrap(),
            value,
        }
    }

    fn long(tag: u16, n: u32) -> Entry {
        Entry {
            tag,
            kind: 4,
            count: 1,
            value: n.to_be_bytes().to_vec(),
        }
    }

    /// Appends an IFD at the end of `tiff` (big-endian), values over four bytes after it.
    fn write_ifd(tiff: &mut Vec<u8>, entries: &[Entry]) {
        let start = tiff.len();
        let data_start = start + 2 + 12 * entries.len() + 4;
        let mut data = Vec::new();
        tiff.extend_from_slice(&u16::try_from(entries.len()).unwrap().to_be_bytes());
        for entry in entries {
            tiff.extend_from_slice(&entry.tag.to_be_bytes());
            tiff.extend_from_slice(&entry.kind.to_be_bytes());
            tiff.extend_from_slice(&entry.count.to_be_bytes());
            if entry.value.len() <= 4 {
                let mut inline = entry.value.clone();
                inline.resize(4, 0);
                tiff.extend_from_slice(&inline);
            } else {
                let offset = data_start + data.len();
                tiff.extend_from_slice(&u32::try_from(offset).unwrap().to_be_bytes());
                data.extend_from_slice(&entry.value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        tiff.extend_from_slice(&[0, 0, 0, 0]); // no next IFD
        tiff.extend_from_slice(&data);
    }

    /// A big-endian TIFF with IFD0 (make, model, pointers), an Exif IFD (date taken, pixel
    /// size) and a GPS IFD at this position ("N"/"S", "E"/"W" references).
    pub(crate) fn exif_tiff(
        lat: [(u32, u32); 3],
        lat_ref: &str,
        lon: [(u32, u32); 3],
        lon_ref: &str,
    ) -> Vec<u8> {
        let mut tiff = b"MM\x00\x2A\x00\x00\x00\x08".to_vec();
        // IFD0 has four entries, so it and its data take 2 + 4 * 12 + 4 bytes, then the data.
        let make = ascii_entry(0x010F, "Apple");
        let model = ascii_entry(0x0110, "iPhone 15");
        let ifd0_size = 2 + 4 * 12 + 4 + make.value.len() + model.value.len();
        let exif_ifd_at = 8 + ifd0_size;
        let date = ascii_entry(0x9003, "2026:11:27 14:03:09");
        let exif_entries = [date, long(0xA002, 4032), long(0xA003, 3024)];
        let exif_ifd_size = 2 + 3 * 12 + 4 + 20;
        let gps_ifd_at = exif_ifd_at + exif_ifd_size;
        write_ifd(
            &mut tiff,
            &[
                make,
                model,
                long(0x8769, u32::try_from(exif_ifd_at).unwrap()),
                long(0x8825, u32::try_from(gps_ifd_at).unwrap()),
            ],
        );
        assert_eq!(tiff.len(), exif_ifd_at);
        write_ifd(&mut tiff, &exif_entries);
        assert_eq!(tiff.len(), gps_ifd_at);
        write_ifd(
            &mut tiff,
            &[
                ascii_entry(0x0001, lat_ref),
                rationals(0x0002, &lat),
                ascii_entry(0x0003, lon_ref),
                rationals(0x0004, &lon),
            ],
        );
        tiff
    }

    /// A JPEG: SOI, an APP1 segment with this TIFF as EXIF, a start of frame for 640 x 480,
    /// start of scan and end of image.
    pub(crate) fn jpeg_with_exif(tiff: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
        out.extend_from_slice(b"Exif\0\0");
        out.extend_from_slice(tiff);
        // SOF0: length 11, precision 8, height 480, width 640, one component.
        out.extend_from_slice(&[
            0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x01, 0x01, 0x11, 0x00,
        ]);
        out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        out.extend_from_slice(&[0x12, 0x34, 0xFF, 0xD9]);
        out
    }

    /// Leicester clock tower: 52.6369 N, 1.1398 W as degrees, minutes and seconds.
    pub(crate) fn leicester_jpeg() -> Vec<u8> {
        jpeg_with_exif(&exif_tiff(
            [(52, 1), (38, 1), (1284, 100)],
            "N",
            [(1, 1), (8, 1), (2328, 100)],
            "W",
        ))
    }

    #[test]
    fn gps_time_camera_and_size_come_from_exif() {
        let jpeg = leicester_jpeg();
        assert_eq!(crate::sniff(&jpeg), Some(MediaType::Jpeg));
        let metadata = extract_metadata(MediaType::Jpeg, &jpeg);
        let gps = metadata.gps.expect("a position");
        assert!((gps.latitude - 52.6369).abs() < 1e-9, "{gps:?}");
        assert!((gps.longitude - -1.1398).abs() < 1e-9, "{gps:?}");
        assert_eq!(
            metadata.taken_at,
            Some(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 27)
                    .unwrap()
                    .and_hms_opt(14, 3, 9)
                    .unwrap()
            )
        );
        assert_eq!(metadata.camera.as_deref(), Some("Apple iPhone 15"));
        // The frame header wins over the EXIF pixel size.
        assert_eq!((metadata.width, metadata.height), (Some(640), Some(480)));
    }

    #[test]
    fn southern_and_eastern_references_are_handled() {
        let jpeg = jpeg_with_exif(&exif_tiff(
            [(33, 1), (51, 1), (5400, 100)],
            "S",
            [(151, 1), (12, 1), (3600, 100)],
            "E",
        ));
        let gps = extract_metadata(MediaType::Jpeg, &jpeg).gps.unwrap();
        assert!((gps.latitude - -33.865).abs() < 1e-9, "{gps:?}");
        assert!((gps.longitude - 151.21).abs() < 1e-9, "{gps:?}");
    }

    #[test]
    fn bad_positions_are_left_out() {
        let no_ref = jpeg_with_exif(&exif_tiff(
            [(52, 1), (0, 1), (0, 1)],
            "X",
            [(1, 1), (0, 1), (0, 1)],
            "W",
        ));
        assert_eq!(extract_metadata(MediaType::Jpeg, &no_ref).gps, None);
        let zero_denominator = jpeg_with_exif(&exif_tiff(
            [(52, 0), (0, 1), (0, 1)],
            "N",
            [(1, 1), (0, 1), (0, 1)],
            "W",
        ));
        assert_eq!(
            extract_metadata(MediaType::Jpeg, &zero_denominator).gps,
            None
        );
        let out_of_range = jpeg_with_exif(&exif_tiff(
            [(95, 1), (0, 1), (0, 1)],
            "N",
            [(1, 1), (0, 1), (0, 1)],
            "W",
        ));
        let metadata = extract_metadata(MediaType::Jpeg, &out_of_range);
        assert_eq!(metadata.gps, None);
        // The rest is still read.
        assert!(metadata.taken_at.is_some());
    }

    #[test]
    fn malformed_exif_gives_the_default() {
        let jpeg = leicester_jpeg();
        // Every truncation, and every single-byte corruption of the EXIF segment.
        for length in 0..jpeg.len() {
            let _ = extract_metadata(MediaType::Jpeg, &jpeg[..length]);
        }
        for at in 0..jpeg.len().min(400) {
            for value in [0x00, 0xFF, 0x7F] {
                let mut bad = jpeg.clone();
                bad[at] = value;
                let metadata = extract_metadata(MediaType::Jpeg, &bad);
                if let Some(gps) = metadata.gps {
                    assert!(gps.latitude.abs() <= 90.0 && gps.longitude.abs() <= 180.0);
                }
            }
        }
        let garbage = b"\xFF\xD8\xFF\xE1\x00\x10Exif\0\0MM\x00\x2A\xFF\xFF\xFF\xFF";
        assert_eq!(
            extract_metadata(MediaType::Jpeg, garbage),
            EvidenceMetadata::default()
        );
        let mut header_only = leicester_jpeg();
        header_only.truncate(20);
        assert_eq!(
            extract_metadata(MediaType::Jpeg, &header_only),
            EvidenceMetadata::default()
        );
        assert_eq!(
            extract_metadata(MediaType::Heic, b"\0\0\0\x18ftypheic"),
            EvidenceMetadata::default()
        );
    }

    #[test]
    fn non_photos_have_no_metadata() {
        let jpeg = leicester_jpeg();
        assert_eq!(
            extract_metadata(MediaType::Pdf, &jpeg),
            EvidenceMetadata::default()
        );
        assert_eq!(
            extract_metadata(MediaType::Mp4, &jpeg),
            EvidenceMetadata::default()
        );
    }

    #[test]
    fn header_dimensions_for_each_photo_type() {
        use crate::sniff::tests::header;
        let size = |t| {
            let m = extract_metadata(t, &header(t));
            (m.width, m.height)
        };
        assert_eq!(size(MediaType::Png), (Some(2), Some(3)));
        assert_eq!(size(MediaType::Gif), (Some(5), Some(7)));
        assert_eq!(size(MediaType::Webp), (Some(4), Some(2)));
        assert_eq!(size(MediaType::Jpeg), (None, None));

        let mut vp8 = b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00".to_vec();
        vp8.extend_from_slice(&[0, 0, 0, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]);
        assert_eq!(webp_dimensions(&vp8), Some((640, 480)));
        let mut vp8x = b"RIFF\x00\x00\x00\x00WEBPVP8X\x0A\x00\x00\x00\x00\x00\x00\x00".to_vec();
        vp8x.extend_from_slice(&[0x7F, 0x02, 0x00, 0xDF, 0x01, 0x00]);
        assert_eq!(webp_dimensions(&vp8x), Some((640, 480)));
    }

    /// An ISO box of this type around this body.
    fn iso_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(8 + body.len())
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn ispe(width: u32, height: u32) -> Vec<u8> {
        let mut body = vec![0, 0, 0, 0];
        body.extend_from_slice(&width.to_be_bytes());
        body.extend_from_slice(&height.to_be_bytes());
        iso_box(b"ispe", &body)
    }

    #[test]
    fn heic_size_is_the_largest_spatial_extent() {
        let ipco = iso_box(
            b"ipco",
            &[ispe(512, 512), ispe(4032, 3024), ispe(320, 240)].concat(),
        );
        let meta_body = [
            vec![0, 0, 0, 0],
            iso_box(b"hdlr", &[0; 20]),
            iso_box(b"iprp", &ipco),
        ]
        .concat();
        // ftyp() is followed by a small mdat box; the walk finds meta after it.
        let file = [
            crate::sniff::tests::ftyp(b"heic", &[b"mif1", b"heic"]),
            iso_box(b"meta", &meta_body),
        ]
        .concat();
        assert_eq!(heic_dimensions(&file), Some((4032, 3024)));
        let metadata = extract_metadata(MediaType::Heic, &file);
        assert_eq!((metadata.width, metadata.height), (Some(4032), Some(3024)));
    }
}
