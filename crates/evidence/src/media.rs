//! The kinds of file accepted as evidence.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A type of file accepted as evidence, decided from the file's content by [`crate::sniff()`].
///
/// Serialised (and displayed, and parsed) as its snake_case name: `jpeg`, `quick_time`,
/// `three_gp`, `plain_text`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    /// JPEG photo.
    Jpeg,
    /// PNG image (often a screenshot).
    Png,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// HEIC (HEIF with HEVC) photo, as iPhones take.
    Heic,
    /// MP4 (ISO base media) video.
    Mp4,
    /// QuickTime (`.mov`) video.
    QuickTime,
    /// 3GPP or 3GPP2 mobile video.
    ThreeGp,
    /// WebM video.
    Webm,
    /// Matroska (`.mkv`) video.
    Matroska,
    /// AVI video.
    Avi,
    /// PDF document.
    Pdf,
    /// Word (Office Open XML) document.
    Docx,
    /// OpenDocument text document.
    Odt,
    /// Plain UTF-8 text.
    PlainText,
}

/// What a [`MediaType`] holds, for grouping and for the extension check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaFamily {
    /// A still image.
    Photo,
    /// A moving picture.
    Video,
    /// A written document.
    Document,
}

impl MediaType {
    /// Every media type, in declaration order.
    pub const ALL: [MediaType; 15] = [
        MediaType::Jpeg,
        MediaType::Png,
        MediaType::Gif,
        MediaType::Webp,
        MediaType::Heic,
        MediaType::Mp4,
        MediaType::QuickTime,
        MediaType::ThreeGp,
        MediaType::Webm,
        MediaType::Matroska,
        MediaType::Avi,
        MediaType::Pdf,
        MediaType::Docx,
        MediaType::Odt,
        MediaType::PlainText,
    ];

    /// The IANA media type (MIME type), e.g. `image/jpeg`.
    #[must_use]
    pub fn mime(&self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Gif => "image/gif",
            MediaType::Webp => "image/webp",
            MediaType::Heic => "image/heic",
            MediaType::Mp4 => "video/mp4",
            MediaType::QuickTime => "video/quicktime",
            MediaType::ThreeGp => "video/3gpp",
            MediaType::Webm => "video/webm",
            MediaType::Matroska => "video/x-matroska",
            MediaType::Avi => "video/x-msvideo",
            MediaType::Pdf => "application/pdf",
            MediaType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            MediaType::Odt => "application/vnd.oasis.opendocument.text",
            MediaType::PlainText => "text/plain",
        }
    }

    /// Whether this is a photo, a video or a document.
    #[must_use]
    pub fn family(&self) -> MediaFamily {
        match self {
            MediaType::Jpeg
            | MediaType::Png
            | MediaType::Gif
            | MediaType::Webp
            | MediaType::Heic => MediaFamily::Photo,
            MediaType::Mp4
            | MediaType::QuickTime
            | MediaType::ThreeGp
            | MediaType::Webm
            | MediaType::Matroska
            | MediaType::Avi => MediaFamily::Video,
            MediaType::Pdf | MediaType::Docx | MediaType::Odt | MediaType::PlainText => {
                MediaFamily::Document
            }
        }
    }

    /// A short description for people, used inside sentences: "JPEG image", "MP4 video",
    /// "PDF document", "plain text file".
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            MediaType::Jpeg => "JPEG image",
            MediaType::Png => "PNG image",
            MediaType::Gif => "GIF image",
            MediaType::Webp => "WebP image",
            MediaType::Heic => "HEIC image",
            MediaType::Mp4 => "MP4 video",
            MediaType::QuickTime => "QuickTime video",
            MediaType::ThreeGp => "3GP video",
            MediaType::Webm => "WebM video",
            MediaType::Matroska => "Matroska video",
            MediaType::Avi => "AVI video",
            MediaType::Pdf => "PDF document",
            MediaType::Docx => "Word document",
            MediaType::Odt => "OpenDocument text document",
            MediaType::PlainText => "plain text file",
        }
    }

    /// The label with its indefinite article: "a JPEG image", "an MP4 video".
    #[must_use]
    pub(crate) fn label_with_article(&self) -> String {
        let article = match self {
            MediaType::Mp4 | MediaType::Avi | MediaType::Odt => "an",
            _ => "a",
        };
        format!("{article} {}", self.label())
    }

    /// The file name extensions (lowercase, without the dot) that name this type; the first
    /// is the usual one.
    #[must_use]
    pub fn extensions(&self) -> &'static [&'static str] {
        match self {
            MediaType::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            MediaType::Png => &["png"],
            MediaType::Gif => &["gif"],
            MediaType::Webp => &["webp"],
            MediaType::Heic => &["heic", "heif", "hif"],
            MediaType::Mp4 => &["mp4", "m4v"],
            MediaType::QuickTime => &["mov", "qt"],
            MediaType::ThreeGp => &["3gp", "3gpp", "3g2"],
            MediaType::Webm => &["webm"],
            MediaType::Matroska => &["mkv"],
            MediaType::Avi => &["avi"],
            MediaType::Pdf => &["pdf"],
            MediaType::Docx => &["docx"],
            MediaType::Odt => &["odt"],
            MediaType::PlainText => &["txt", "text"],
        }
    }

    /// The media type a file name extension (without the dot, any case) stands for, if it is
    /// one of [`MediaType::extensions`].
    #[must_use]
    pub fn from_extension(extension: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|media_type| {
            media_type
                .extensions()
                .iter()
                .any(|known| known.eq_ignore_ascii_case(extension))
        })
    }

    /// The media type a file name's extension claims, if it is a known one.
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<MediaType> {
        let (stem, extension) = name.rsplit_once('.')?;
        if stem.is_empty() && extension.is_empty() {
            return None;
        }
        MediaType::from_extension(extension)
    }

    /// Whether a file whose name claims `self` may hold content of type `detected`: the same
    /// type, or a sibling in the same container format (MP4, QuickTime and 3GP are all ISO
    /// base media files that phones and editors name interchangeably; WebM is a subset of
    /// Matroska).
    #[must_use]
    pub fn name_fits(&self, detected: MediaType) -> bool {
        self == &detected
            || self
                .container()
                .is_some_and(|container| detected.container() == Some(container))
    }

    /// The container format shared by sibling video types (none for the rest).
    fn container(&self) -> Option<u8> {
        match self {
            MediaType::Mp4 | MediaType::QuickTime | MediaType::ThreeGp => Some(0),
            MediaType::Webm | MediaType::Matroska => Some(1),
            _ => None,
        }
    }

    /// The snake_case name used by serde, [`Display`](fmt::Display) and [`FromStr`].
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpeg",
            MediaType::Png => "png",
            MediaType::Gif => "gif",
            MediaType::Webp => "webp",
            MediaType::Heic => "heic",
            MediaType::Mp4 => "mp4",
            MediaType::QuickTime => "quick_time",
            MediaType::ThreeGp => "three_gp",
            MediaType::Webm => "webm",
            MediaType::Matroska => "matroska",
            MediaType::Avi => "avi",
            MediaType::Pdf => "pdf",
            MediaType::Docx => "docx",
            MediaType::Odt => "odt",
            MediaType::PlainText => "plain_text",
        }
    }
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text given to [`MediaType::from_str`] or [`MediaFamily::from_str`] names none.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("‘{0}’ is not a known kind of evidence file")]
pub struct UnknownMediaType(String);

impl FromStr for MediaType {
    type Err = UnknownMediaType;

    /// Parses the snake_case name (`jpeg`, `quick_time`, ...), exactly as displayed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MediaType::ALL
            .into_iter()
            .find(|media_type| media_type.as_str() == s)
            .ok_or_else(|| UnknownMediaType(s.to_owned()))
    }
}

impl MediaFamily {
    /// The snake_case name: `photo`, `video` or `document`.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaFamily::Photo => "photo",
            MediaFamily::Video => "video",
            MediaFamily::Document => "document",
        }
    }
}

impl fmt::Display for MediaFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MediaFamily {
    type Err = UnknownMediaType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            MediaFamily::Photo,
            MediaFamily::Video,
            MediaFamily::Document,
        ]
        .into_iter()
        .find(|family| family.as_str() == s)
        .ok_or_else(|| UnknownMediaType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_and_serde() {
        for media_type in MediaType::ALL {
            let shown = media_type.to_string();
            assert_eq!(shown.parse::<MediaType>().unwrap(), media_type);
            let json = serde_json::to_string(&media_type).unwrap();
            assert_eq!(json, format!("\"{shown}\""));
            assert_eq!(
                serde_json::from_str::<MediaType>(&json).unwrap(),
                media_type
            );
            assert!(!media_type.extensions().is_empty());
            assert!(!media_type.mime().is_empty());
        }
        assert_eq!(MediaType::QuickTime.to_string(), "quick_time");
        assert!("JPEG".parse::<MediaType>().is_err());
        assert_eq!("video".parse::<MediaFamily>().unwrap(), MediaFamily::Video);
        assert_eq!(
            serde_json::to_string(&MediaFamily::Document).unwrap(),
            "\"document\""
        );
    }

    #[test]
    fn every_extension_belongs_to_exactly_one_type() {
        for media_type in MediaType::ALL {
            for extension in media_type.extensions() {
                assert_eq!(MediaType::from_extension(extension), Some(media_type));
                assert_eq!(
                    MediaType::from_extension(&extension.to_ascii_uppercase()),
                    Some(media_type)
                );
            }
        }
    }

    #[test]
    fn file_names_claim_types_by_extension() {
        assert_eq!(
            MediaType::from_file_name("holiday.JPG"),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::from_file_name("a.b.jpeg"), Some(MediaType::Jpeg));
        assert_eq!(
            MediaType::from_file_name("clip.qt"),
            Some(MediaType::QuickTime)
        );
        assert_eq!(MediaType::from_file_name("notes"), None);
        assert_eq!(MediaType::from_file_name("archive.zip"), None);
        assert_eq!(MediaType::from_file_name("trailing."), None);
    }

    #[test]
    fn sibling_containers_fit_each_others_names() {
        assert!(MediaType::Mp4.name_fits(MediaType::QuickTime));
        assert!(MediaType::QuickTime.name_fits(MediaType::ThreeGp));
        assert!(MediaType::Matroska.name_fits(MediaType::Webm));
        assert!(!MediaType::Jpeg.name_fits(MediaType::Pdf));
        assert!(!MediaType::Jpeg.name_fits(MediaType::Png));
        assert!(!MediaType::Mp4.name_fits(MediaType::Webm));
        assert!(!MediaType::Docx.name_fits(MediaType::Odt));
    }

    #[test]
    fn labels_take_the_right_article() {
        assert_eq!(MediaType::Mp4.label_with_article(), "an MP4 video");
        assert_eq!(MediaType::Pdf.label_with_article(), "a PDF document");
        assert_eq!(MediaType::Jpeg.label_with_article(), "a JPEG image");
    }
}
