//! Why an upload was refused or a blob could not be reached.

use crate::MediaType;

/// Why evidence could not be received, read or removed.
///
/// Each message is a complete sentence meant for the person who sent the file; none carries
/// internal detail (paths, store errors). That detail, where there is any, is kept for logs
/// and given by [`EvidenceError::detail`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// The file is bigger than [`UploadLimits::max_bytes`](crate::UploadLimits::max_bytes).
    #[error(
        "The file is too large: evidence files can be at most {}. Please send a shorter clip or a smaller copy.",
        human_size(*limit)
    )]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },

    /// The file has no content.
    #[error("The file is empty; please choose the file again and resend it.")]
    Empty,

    /// The content is not one of the accepted [`MediaType`]s.
    #[error(
        "The file ‘{declared_name}’ is not a kind of file we can accept as evidence. Please send photos (JPEG, PNG, GIF, WebP or HEIC), videos (MP4, MOV, 3GP, WebM, MKV or AVI) or documents (PDF, Word, OpenDocument or plain text)."
    )]
    UnsupportedType {
        /// The (sanitised) name the file was sent with.
        declared_name: String,
    },

    /// The name's extension claims one type but the content is another.
    #[error("{}", mismatch_message(declared_name, *detected))]
    ExtensionMismatch {
        /// The (sanitised) name the file was sent with.
        declared_name: String,
        /// What the content actually is.
        detected: MediaType,
    },

    /// Reading the upload failed part way (the connection dropped, the sender gave up). The
    /// text is the underlying error, for logs.
    #[error(
        "The upload stopped before the whole file arrived, so nothing was kept; please try sending it again."
    )]
    Body(String),

    /// The blob store failed. The text is the underlying error, for logs.
    #[error(
        "The evidence store could not handle the file just now; nothing was kept. Please try again later."
    )]
    Storage(String),

    /// No blob is stored under this key.
    #[error("No evidence file is stored under the key ‘{0}’.")]
    NotFound(String),

    /// The text is not a valid [`BlobKey`](crate::BlobKey).
    #[error("‘{0}’ is not a valid evidence file key.")]
    InvalidKey(String),
}

impl EvidenceError {
    /// Internal detail for logs (the underlying error of [`EvidenceError::Body`] and
    /// [`EvidenceError::Storage`]); never show it to the public.
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        match self {
            EvidenceError::Body(detail) | EvidenceError::Storage(detail) => Some(detail),
            _ => None,
        }
    }

    /// Whether the fault lies with the request (the file, its name, the key, the sender's
    /// connection) rather than with the service: everything but [`EvidenceError::Storage`].
    #[must_use]
    pub fn is_client_error(&self) -> bool {
        !matches!(self, EvidenceError::Storage(_))
    }
}

/// "The file ‘holiday.jpg’ is a PDF document, not the JPEG image its name says."
fn mismatch_message(declared_name: &str, detected: MediaType) -> String {
    let detected_label = detected.label_with_article();
    match MediaType::from_file_name(declared_name) {
        Some(claimed) => format!(
            "The file ‘{declared_name}’ is {detected_label}, not the {} its name says.",
            claimed.label()
        ),
        None => {
            format!("The file ‘{declared_name}’ is {detected_label}, which its name does not say.")
        }
    }
}

/// A byte count for people: "2 GiB", "1.5 MiB", "300 bytes".
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            let tenths = u128::from(bytes) * 10 / u128::from(unit);
            let (whole, tenth) = (tenths / 10, tenths % 10);
            return if tenth == 0 {
                format!("{whole} {name}")
            } else {
                format!("{whole}.{tenth} {name}")
            };
        }
    }
    if bytes == 1 {
        "1 byte".to_owned()
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sentences_for_people() {
        let mismatch = EvidenceError::ExtensionMismatch {
            declared_name: "holiday.jpg".into(),
            detected: MediaType::Pdf,
        };
        assert_eq!(
            mismatch.to_string(),
            "The file ‘holiday.jpg’ is a PDF document, not the JPEG image its name says."
        );
        let too_large = EvidenceError::TooLarge {
            limit: 2 * 1024 * 1024 * 1024,
        };
        assert!(too_large.to_string().contains("at most 2 GiB."));
        let storage = EvidenceError::Storage("/var/lib/secret: EIO".into());
        assert!(!storage.to_string().contains("secret"));
        assert_eq!(storage.detail(), Some("/var/lib/secret: EIO"));
        assert!(!storage.is_client_error());
        assert!(EvidenceError::Empty.is_client_error());
        for error in [
            mismatch,
            too_large,
            storage,
            EvidenceError::Empty,
            EvidenceError::Body("reset".into()),
            EvidenceError::UnsupportedType {
                declared_name: "setup.exe".into(),
            },
            EvidenceError::NotFound("evidence/x".into()),
            EvidenceError::InvalidKey("../x".into()),
        ] {
            let text = error.to_string();
            assert!(text.starts_with(|c: char| c.is_uppercase() || c == '‘'));
            assert!(text.ends_with('.'), "{text}");
        }
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(2 * 1024 * 1024 * 1024), "2 GiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(1024), "1 KiB");
        assert_eq!(human_size(1000), "1000 bytes");
        assert_eq!(human_size(1), "1 byte");
        assert_eq!(human_size(u64::MAX), "17179869183.9 GiB");
    }
}
