//! Evidence intake: files that members of the public upload (photos, videos, documents),
//! streamed into a blob store without ever holding the whole file in memory.
//!
//! - [`BlobStore`] (feature `store`, on by default): [`BlobStore::receive`] streams an upload
//!   into a new blob, computing its SHA-256 and size on the way, deciding its type from its
//!   content ([`sniff()`]), checking it against the name's extension, enforcing
//!   [`UploadLimits`] and reading its [`EvidenceMetadata`]; any failure leaves nothing behind.
//!   Blobs are then read back with [`BlobStore::open`] and removed with [`BlobStore::delete`].
//! - [`sniff()`]: the [`MediaType`] of a file from its first bytes (magic numbers only; the name
//!   never decides the type).
//! - [`extract_metadata`]: GPS position, time taken, camera and pixel size from EXIF and
//!   image headers, best effort and never failing.
//! - [`sanitise_file_name`]: the name a member of the public gave a file, made safe to store
//!   and show.
//! - [`BlobKey`]: where a blob lives, e.g. `evidence/2026/11/27/<uuidv7>`.
//!
//! Every [`EvidenceError`] displays as a sentence fit to show the person who uploaded the
//! file; internal details ([`EvidenceError::detail`]) are for logs only.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), bluelamp_evidence::EvidenceError> {
//! use bluelamp_evidence::{BlobStore, MediaType, UploadLimits};
//! use futures::stream;
//!
//! let store = BlobStore::in_memory();
//! let chunks = vec![Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"))];
//! let blob = store.receive("statement.pdf", stream::iter(chunks), &UploadLimits::default()).await?;
//! assert_eq!(blob.media_type, MediaType::Pdf);
//! assert!(blob.key.as_str().starts_with("evidence/"));
//! # Ok(())
//! # }
//! ```

mod binary;
mod error;
mod key;
mod media;
mod metadata;
mod name;
mod sniff;
#[cfg(feature = "store")]
mod store;

pub use error::EvidenceError;
pub use key::BlobKey;
pub use media::{MediaFamily, MediaType, UnknownMediaType};
pub use metadata::{EvidenceMetadata, GpsPosition, extract_metadata};
pub use name::{MAX_FILE_NAME_CHARS, sanitise_file_name};
pub use sniff::sniff;
#[cfg(feature = "store")]
pub use store::{
    BlobStore, DEFAULT_MAX_BYTES, PREFIX_BYTES, ReceivedBlob, SNIFF_BYTES, UploadLimits,
};
