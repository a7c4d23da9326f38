//! Deciding a file's type from its first bytes.

use crate::MediaType;
use crate::binary::{array, iso_boxes, le_u16, le_u32, slice, to_usize};

/// The ZIP local file header signature.
const ZIP_LOCAL_HEADER: &[u8; 4] = b"PK\x03\x04";

/// The content of an OpenDocument text file's first entry, `mimetype`.
const ODT_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.text";

/// The [`MediaType`] of a file whose first bytes are `prefix`, by magic numbers only, or
/// `None` when it is none of them (or `prefix` is empty). Pure and total: any bytes give an
/// answer, never a panic.
///
/// - JPEG, PNG, GIF, PDF: their signatures at the start. WebP and AVI: the RIFF form type.
/// - MP4, QuickTime, 3GP and HEIC: the ISO base media `ftyp` box's major brand (then its
///   compatible brands); old QuickTime files that start with a `moov`, `mdat`, `wide` or
///   `pnot` atom. AVIF images and MP4 audio (M4A) are not accepted.
/// - WebM and Matroska: the `DocType` in the EBML header.
/// - Word: a ZIP file with a local file entry under `word/` in the prefix. OpenDocument
///   text: a ZIP file whose first entry is `mimetype` holding
///   `application/vnd.oasis.opendocument.text`.
/// - Plain text, only when nothing else matched: valid UTF-8 (a sequence cut off by the end
///   of the prefix is allowed) with no control characters but tab, line feed, carriage
///   return and form feed.
///
/// ```
/// use bluelamp_evidence::{sniff, MediaType};
/// assert_eq!(sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
/// assert_eq!(sniff(b"Statement of witness\n"), Some(MediaType::PlainText));
/// assert_eq!(sniff(b"MZ\x90\x00\x03\x00"), None);
/// ```
#[must_use]
pub fn sniff(prefix: &[u8]) -> Option<MediaType> {
    if prefix.is_empty() {
        return None;
    }
    sniff_binary(prefix).or_else(|| is_plain_text(prefix).then_some(MediaType::PlainText))
}

/// Whether `prefix` starts like a ZIP file, whose type may only show further in (a Word
/// document's `word/` entries), so that it is worth reading more before deciding.
pub(crate) fn is_zip(prefix: &[u8]) -> bool {
    prefix.starts_with(ZIP_LOCAL_HEADER)
}

/// The binary formats, by signature.
fn sniff_binary(buf: &[u8]) -> Option<MediaType> {
    if buf.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if buf.starts_with(b"\x89PNG\r\n\x1A\n") {
        return Some(MediaType::Png);
    }
    if buf.starts_with(b"GIF87a") || buf.starts_with(b"GIF89a") {
        return Some(MediaType::Gif);
    }
    if buf.starts_with(b"%PDF-") {
        return Some(MediaType::Pdf);
    }
    if buf.starts_with(b"RIFF") {
        return match &array::<4>(buf, 8)? {
            b"WEBP" => Some(MediaType::Webp),
            b"AVI " => Some(MediaType::Avi),
            _ => None,
        };
    }
    if buf.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return ebml_doc_type(buf);
    }
    if is_zip(buf) {
        return zip_document(buf);
    }
    match &array::<4>(buf, 4)? {
        b"ftyp" => iso_brands(buf),
        b"moov" | b"mdat" | b"wide" | b"pnot" => Some(MediaType::QuickTime),
        _ => None,
    }
}

/// What an ISO base media brand says about the file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Brand {
    /// HEIF image coded with HEVC.
    Heic,
    /// Generic HEIF / MIAF: the compatible brands tell which codec.
    Heif,
    /// QuickTime movie.
    QuickTime,
    /// 3GPP / 3GPP2 mobile video.
    ThreeGp,
    /// MP4 video.
    Mp4,
    /// Something we do not accept (AVIF, audio-only MP4, camera raw, ...) or do not know.
    Other,
}

fn brand(code: &[u8]) -> Brand {
    match code {
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" | b"hevm" | b"hevs" => {
            Brand::Heic
        }
        b"mif1" | b"msf1" | b"miaf" => Brand::Heif,
        b"qt  " => Brand::QuickTime,
        [b'3', b'g', _, _] => Brand::ThreeGp,
        b"isom" | b"iso2" | b"iso3" | b"iso4" | b"iso5" | b"iso6" | b"iso7" | b"iso8" | b"iso9"
        | b"mp41" | b"mp42" | b"mp71" | b"avc1" | b"dash" | b"M4V " | b"M4VH" | b"M4VP"
        | b"f4v " | b"mmp4" | b"MSNV" | b"XAVC" | b"MP4 " => Brand::Mp4,
        _ => Brand::Other,
    }
}

/// MP4, QuickTime, 3GP or HEIC from an `ftyp` box at the start of `buf`.
fn iso_brands(buf: &[u8]) -> Option<MediaType> {
    let ftyp = iso_boxes(buf).next()?;
    let major = ftyp.body.get(..4)?;
    let compatible: Vec<Brand> = ftyp
        .body
        .get(8..)
        .unwrap_or_default()
        .chunks_exact(4)
        .map(brand)
        .collect();
    let from = |b: Brand| match b {
        Brand::Heic => Some(MediaType::Heic),
        Brand::QuickTime => Some(MediaType::QuickTime),
        Brand::ThreeGp => Some(MediaType::ThreeGp),
        Brand::Mp4 => Some(MediaType::Mp4),
        Brand::Heif | Brand::Other => None,
    };
    match brand(major) {
        Brand::Heif => compatible.contains(&Brand::Heic).then_some(MediaType::Heic),
        Brand::Other => {
            // Audio-only and AVIF files list MP4 / HEIF brands as compatible too: only an
            // unknown major brand (a camera maker's own) falls back to the compatible list.
            if matches!(
                major,
                b"M4A " | b"M4B " | b"M4P " | b"F4A " | b"F4B " | b"avif" | b"avis" | b"crx "
            ) {
                return None;
            }
            [Brand::Heic, Brand::QuickTime, Brand::ThreeGp, Brand::Mp4]
                .into_iter()
                .find(|wanted| compatible.contains(wanted))
                .and_then(from)
        }
        known => from(known),
    }
}

/// Reads an EBML variable-length size at the start of `buf`: its value (`None` for the
/// reserved "unknown size") and its length in bytes.
fn ebml_size(buf: &[u8]) -> Option<(Option<u64>, usize)> {
    let first = *buf.first()?;
    let length = usize::try_from(first.leading_zeros())
        .ok()?
        .checked_add(1)?;
    if length > 8 {
        return None;
    }
    let marker = 0x80_u8.checked_shr(u32::try_from(length - 1).ok()?)?;
    let mut value = u64::from(first & !marker & marker.wrapping_sub(1));
    let mut all_ones = value == u64::from(marker.wrapping_sub(1));
    for byte in slice(buf, 1, length - 1)? {
        value = (value << 8) | u64::from(*byte);
        all_ones &= *byte == 0xFF;
    }
    Some((if all_ones { None } else { Some(value) }, length))
}

/// Reads an EBML element ID (1 to 4 bytes, marker bits kept) at the start of `buf`.
fn ebml_id(buf: &[u8]) -> Option<(u32, usize)> {
    let first = *buf.first()?;
    let length = usize::try_from(first.leading_zeros())
        .ok()?
        .checked_add(1)?;
    if length > 4 {
        return None;
    }
    let id = slice(buf, 0, length)?
        .iter()
        .fold(0_u32, |id, byte| (id << 8) | u32::from(*byte));
    Some((id, length))
}

/// WebM or Matroska from the `DocType` element of the EBML header at the start of `buf`.
fn ebml_doc_type(buf: &[u8]) -> Option<MediaType> {
    const DOC_TYPE: u32 = 0x4282;
    let (size, size_length) = ebml_size(buf.get(4..)?)?;
    let start = 4_usize.checked_add(size_length)?;
    let rest = buf.get(start..)?;
    let mut header = match size.and_then(to_usize) {
        Some(size) => rest.get(..size).unwrap_or(rest),
        None => rest,
    };
    while !header.is_empty() {
        let (id, id_length) = ebml_id(header)?;
        let (size, size_length) = ebml_size(header.get(id_length..)?)?;
        let data_start = id_length.checked_add(size_length)?;
        let size = to_usize(size?)?;
        let data = slice(header, data_start, size)?;
        if id == DOC_TYPE {
            let doc_type = data.split(|b| *b == 0).next().unwrap_or_default();
            return match doc_type {
                b"webm" => Some(MediaType::Webm),
                b"matroska" => Some(MediaType::Matroska),
                _ => None,
            };
        }
        header = header.get(data_start.checked_add(size)?..)?;
    }
    None
}

/// A Word or OpenDocument text file from the ZIP local file headers in `buf`.
fn zip_document(buf: &[u8]) -> Option<MediaType> {
    if is_odt(buf) {
        return Some(MediaType::Odt);
    }
    let word = buf
        .windows(4)
        .enumerate()
        .filter(|(_, window)| window == ZIP_LOCAL_HEADER)
        .filter_map(|(at, _)| zip_entry_name(buf, at))
        .any(|name| name.starts_with(b"word/"));
    word.then_some(MediaType::Docx)
}

/// The file name of the ZIP local file header at `at`.
fn zip_entry_name(buf: &[u8], at: usize) -> Option<&[u8]> {
    let name_length = to_usize(le_u16(buf, at.checked_add(26)?)?)?;
    slice(buf, at.checked_add(30)?, name_length)
}

/// Whether the first ZIP entry is `mimetype`, holding exactly the OpenDocument text type.
fn is_odt(buf: &[u8]) -> bool {
    odt_first_entry(buf).unwrap_or(false)
}

/// [`is_odt`], with `None` for a truncated header.
fn odt_first_entry(buf: &[u8]) -> Option<bool> {
    let name = zip_entry_name(buf, 0)?;
    if name != b"mimetype" {
        return Some(false);
    }
    let extra_length = to_usize(le_u16(buf, 28)?)?;
    let data_start = 30_usize
        .checked_add(name.len())?
        .checked_add(extra_length)?;
    let stored_size = to_usize(le_u32(buf, 18)?)?;
    if stored_size == 0 {
        // Sizes after the data (a data descriptor): the type must be followed by the next
        // header, not by more of a longer type ("...text-template").
        let data = slice(buf, data_start, ODT_MIMETYPE.len())?;
        let after = buf.get(data_start.checked_add(ODT_MIMETYPE.len())?..)?;
        Some(data == ODT_MIMETYPE && after.starts_with(b"PK"))
    } else {
        Some(slice(buf, data_start, stored_size)? == ODT_MIMETYPE)
    }
}

/// Valid UTF-8 (allowing a sequence cut off at the end) without control characters other
/// than tab, line feed, carriage return and form feed.
fn is_plain_text(buf: &[u8]) -> bool {
    let text = match std::str::from_utf8(buf) {
        Ok(text) => text,
        Err(error) if error.error_len().is_none() => buf
            .get(..error.valid_up_to())
            .and_then(|valid| std::str::from_utf8(valid).ok())
            .unwrap_or_default(),
        Err(_) => return false,
    };
    !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{0C}'))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An ISO-BMFF `ftyp` box with these major and compatible brands, then an `mdat`.
    pub(crate) fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut out = Vec::new();
        out.extend_from_slice(&u32::try_from(size).unwrap().to_be_bytes());
        out.extend_from_slice(b"ftyp");
        out.extend_from_slice(major);
        out.extend_from_slice(&[0, 0, 2, 0]);
        for brand in compatible {
            out.extend_from_slice(*brand);
        }
        out.extend_from_slice(&[0, 0, 0, 16]);
        out.extend_from_slice(b"mdat\0\0\0\0\0\0\0\0");
        out
    }

    /// An EBML header with this DocType, then the start of a Segment.
    pub(crate) fn ebml(doc_type: &str) -> Vec<u8> {
        let mut body = vec![0x42, 0x86, 0x81, 0x01]; // EBMLVersion 1
        body.extend_from_slice(&[0x42, 0xF7, 0x81, 0x01]); // EBMLReadVersion 1
        body.extend_from_slice(&[0x42, 0xF2, 0x81, 0x04]); // EBMLMaxIDLength 4
        body.extend_from_slice(&[0x42, 0xF3, 0x81, 0x08]); // EBMLMaxSizeLength 8
        body.extend_from_slice(&[0x42, 0x82, 0x80 | u8::try_from(doc_type.len()).unwrap()]);
        body.extend_from_slice(doc_type.as_bytes());
        body.extend_from_slice(&[0x42, 0x87, 0x81, 0x04]); // DocTypeVersion 4
        let mut out = vec![
            0x1A,
            0x45,
            0xDF,
            0xA3,
            0x80 | u8::try_from(body.len()).unwrap(),
        ];
        out.extend_from_slice(&body);
        out.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF]);
        out.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
        out
    }

    /// A ZIP local file header for a stored entry with this name and content.
    pub(crate) fn zip_entry(name: &str, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::from(*ZIP_LOCAL_HEADER);
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0]); // version, flags, method: stored
        out.extend_from_slice(&[0, 0, 0x21, 0x5B]); // time, date
        out.extend_from_slice(&[0x5E, 0xC6, 0x32, 0x0C]); // crc-32 (not checked)
        let size = u32::try_from(content.len()).unwrap().to_le_bytes();
        out.extend_from_slice(&size);
        out.extend_from_slice(&size);
        out.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content);
        out
    }

    /// A minimal Word document's first entries.
    pub(crate) fn docx() -> Vec<u8> {
        let mut out = zip_entry("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>");
        out.extend(zip_entry("_rels/.rels", b"<Relationships/>"));
        out.extend(zip_entry("word/document.xml", b"<w:document/>"));
        out
    }

    /// A minimal OpenDocument text file's first entries.
    pub(crate) fn odt() -> Vec<u8> {
        let mut out = zip_entry("mimetype", ODT_MIMETYPE);
        out.extend(zip_entry("content.xml", b"<office:document-content/>"));
        out
    }

    /// A small header for each media type.
    pub(crate) fn header(media_type: MediaType) -> Vec<u8> {
        match media_type {
            MediaType::Jpeg => b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9".to_vec(),
            MediaType::Png => b"\x89PNG\r\n\x1A\n\x00\x00\x00\x0DIHDR\x00\x00\x00\x02\x00\x00\x00\x03\x08\x02\x00\x00\x00".to_vec(),
            MediaType::Gif => b"GIF89a\x05\x00\x07\x00\x00\x00\x00;".to_vec(),
            MediaType::Webp => b"RIFF\x1A\x00\x00\x00WEBPVP8L\x0D\x00\x00\x00\x2F\x03\x40\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec(),
            MediaType::Heic => ftyp(b"heic", &[b"mif1", b"heic"]),
            MediaType::Mp4 => ftyp(b"isom", &[b"isom", b"iso2", b"avc1", b"mp41"]),
            MediaType::QuickTime => ftyp(b"qt  ", &[b"qt  "]),
            MediaType::ThreeGp => ftyp(b"3gp4", &[b"isom", b"3gp4"]),
            MediaType::Webm => ebml("webm"),
            MediaType::Matroska => ebml("matroska"),
            MediaType::Avi => b"RIFF\x00\x10\x00\x00AVI LIST\x00\x01\x00\x00hdrlavih".to_vec(),
            MediaType::Pdf => b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n".to_vec(),
            MediaType::Docx => docx(),
            MediaType::Odt => odt(),
            MediaType::PlainText => "Witness statement\r\n\tI saw the car at 14:03 — café.\n".as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_type_is_recognised_from_its_header() {
        for media_type in MediaType::ALL {
            assert_eq!(sniff(&header(media_type)), Some(media_type), "{media_type}");
        }
    }

    #[test]
    fn iso_brands_decide_the_type() {
        assert_eq!(
            sniff(&ftyp(b"mif1", &[b"mif1", b"heic"])),
            Some(MediaType::Heic)
        );
        assert_eq!(sniff(&ftyp(b"mif1", &[b"mif1", b"avif"])), None);
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1", b"avif"])), None);
        assert_eq!(sniff(&ftyp(b"M4A ", &[b"M4A ", b"mp42", b"isom"])), None);
        assert_eq!(
            sniff(&ftyp(b"mp42", &[b"isom", b"mp42"])),
            Some(MediaType::Mp4)
        );
        assert_eq!(
            sniff(&ftyp(b"XYZ1", &[b"XYZ1", b"qt  "])),
            Some(MediaType::QuickTime)
        );
        assert_eq!(sniff(&ftyp(b"3g2a", &[b"3g2a"])), Some(MediaType::ThreeGp));
        assert_eq!(sniff(&ftyp(b"XYZ1", &[b"XYZ1"])), None);
        assert_eq!(
            sniff(b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat"),
            Some(MediaType::QuickTime)
        );
    }

    #[test]
    fn other_ebml_doc_types_are_refused() {
        assert_eq!(sniff(&ebml("webmx")), None);
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3]), None);
        assert_eq!(sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x00]), None);
        // An unknown-size header still finds its DocType.
        let mut unknown = ebml("webm");
        unknown[4] = 0xFF;
        assert_eq!(sniff(&unknown), Some(MediaType::Webm));
    }

    #[test]
    fn zip_files_need_their_document_markers() {
        let plain_zip = zip_entry("holiday/photo.jpg", b"\xFF\xD8\xFF");
        assert_eq!(sniff(&plain_zip), None);
        let xlsx = [
            zip_entry("[Content_Types].xml", b"<Types/>"),
            zip_entry("xl/workbook.xml", b"<workbook/>"),
        ]
        .concat();
        assert_eq!(sniff(&xlsx), None);
        let template = zip_entry(
            "mimetype",
            b"application/vnd.oasis.opendocument.text-template",
        );
        assert_eq!(sniff(&template), None);
        let spreadsheet = zip_entry(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        );
        assert_eq!(sniff(&spreadsheet), None);
        assert!(is_zip(&plain_zip));
        // Truncated headers are not a panic.
        for length in 0..docx().len() {
            let _ = sniff(&docx()[..length]);
            let _ = sniff(&odt()[..length.min(odt().len())]);
        }
    }

    #[test]
    fn executables_and_noise_are_refused() {
        assert_eq!(
            sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00"),
            None
        );
        assert_eq!(sniff(b"\x7FELF\x02\x01\x01\x00"), None);
        assert_eq!(sniff(b""), None);
        // Deterministic pseudo-random bytes (a linear congruential generator).
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                state.to_be_bytes()[0]
            })
            .collect();
        assert_eq!(sniff(&noise), None);
    }

    #[test]
    fn text_is_utf8_without_control_bytes() {
        assert_eq!(sniff(b"hello\n"), Some(MediaType::PlainText));
        assert_eq!(
            sniff("\u{FEFF}naïve\r\n".as_bytes()),
            Some(MediaType::PlainText)
        );
        // A character cut off by the end of the prefix.
        assert_eq!(sniff(b"caf\xC3"), Some(MediaType::PlainText));
        assert_eq!(sniff(b"\xC3"), None);
        assert_eq!(sniff(b"hello\0world"), None);
        assert_eq!(sniff(b"bell\x07"), None);
        assert_eq!(sniff(b"\xFF\xFEh\0i\0"), None);
        assert_eq!(sniff(b"caf\xC3x"), None);
    }

    #[test]
    fn ebml_sizes_decode() {
        assert_eq!(ebml_size(&[0x81]), Some((Some(1), 1)));
        assert_eq!(ebml_size(&[0x40, 0x02]), Some((Some(2), 2)));
        assert_eq!(ebml_size(&[0xFF]), Some((None, 1)));
        assert_eq!(ebml_size(&[0x7F, 0xFF]), Some((None, 2)));
        assert_eq!(ebml_size(&[0x01, 0, 0, 0, 0, 0, 0, 5]), Some((Some(5), 8)));
        assert_eq!(ebml_size(&[0x00]), None);
        assert_eq!(ebml_size(&[0x40]), None);
        assert_eq!(ebml_id(&[0x42, 0x82]), Some((0x4282, 2)));
        assert_eq!(ebml_id(&[0x1A, 0x45, 0xDF, 0xA3]), Some((0x1A45_DFA3, 4)));
        assert_eq!(ebml_id(&[0x08]), None);
    }
}
