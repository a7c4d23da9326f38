//! The blob store and the streaming intake of uploads into it.

use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::sniff::is_zip;
use crate::{
    BlobKey, EvidenceError, EvidenceMetadata, MediaType, extract_metadata, sanitise_file_name,
    sniff,
};

/// The default [`UploadLimits::max_bytes`]: 2 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// How much of the start of each upload is kept for sniffing and metadata: 256 KiB.
pub const PREFIX_BYTES: usize = 256 * 1024;

/// How much of an upload is read before its type is decided (unless it ends sooner): 4 KiB.
/// A ZIP file that does not yet show whether it is a document is read up to
/// [`PREFIX_BYTES`] before it is refused.
pub const SNIFF_BYTES: usize = 4 * 1024;

/// The first segment of every key made by [`BlobStore::receive`].
const DEFAULT_PREFIX: &str = "evidence";

/// Upload part size for the local and in-memory stores.
const LOCAL_PART_BYTES: usize = 1024 * 1024;

/// Upload part size for other stores: S3 requires at least 5 MiB for all parts but the last.
const REMOTE_PART_BYTES: usize = 5 * 1024 * 1024;

/// The smallest part size [`BlobStore::with_part_size`] accepts.
const MIN_PART_BYTES: usize = 4 * 1024;

/// Where evidence files are kept: any [`object_store`] backend (a local directory, memory
/// for tests; S3 and the other clouds through `object_store`'s `aws`, `gcp` and `azure`
/// features, not enabled in this workspace yet), under a key prefix (`evidence` unless
/// changed with [`BlobStore::with_prefix`]).
///
/// Uploads are written with the store's multipart API in fixed-size parts, so memory use
/// per upload is bounded by the part size times the parts in flight (about 3 MiB for the
/// local and in-memory stores, 10 MiB for others) plus the 256 KiB prefix, whatever the
/// file's size.
///
/// Cloning is cheap and shares the store.
#[derive(Clone, Debug)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    part_bytes: usize,
    parts_in_flight: usize,
}

/// Limits on one upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UploadLimits {
    /// The largest file accepted, in bytes (a file of exactly this size is accepted).
    pub max_bytes: u64,
}

impl Default for UploadLimits {
    /// [`DEFAULT_MAX_BYTES`] (2 GiB).
    fn default() -> Self {
        UploadLimits {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// An upload safely stored: where it is and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceivedBlob {
    /// Where the file is stored.
    pub key: BlobKey,
    /// Its size in bytes.
    pub size: u64,
    /// The SHA-256 digest of its content.
    pub sha256: [u8; 32],
    /// Its type, decided from its content.
    pub media_type: MediaType,
    /// The name it was sent with, sanitised by [`sanitise_file_name`].
    pub declared_name: String,
    /// What its content says about itself.
    pub metadata: EvidenceMetadata,
}

impl ReceivedBlob {
    /// The SHA-256 digest as 64 lowercase hex digits.
    #[must_use]
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// The digest in the `algorithm:hex` form: `sha256:<hex>`.
    #[must_use]
    pub fn digest(&self) -> String {
        format!("sha256:{}", self.sha256_hex())
    }
}

impl BlobStore {
    /// A store in the directory `dir` (created if missing), with each finished upload
    /// flushed to disk (fsync) before it counts as received.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::Storage`] when the directory cannot be created or opened.
    pub fn local(dir: &std::path::Path) -> Result<BlobStore, EvidenceError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| EvidenceError::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .map_err(storage)?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(BlobStore::new(Arc::new(store), LOCAL_PART_BYTES, 2))
    }

    /// A store in memory, gone when the last clone is dropped: for tests.
    #[must_use]
    pub fn in_memory() -> BlobStore {
        BlobStore::new(Arc::new(InMemory::new()), LOCAL_PART_BYTES, 2)
    }

    /// A store on any `object_store` backend, e.g. S3 (`object_store::aws::AmazonS3Builder`,
    /// with `object_store`'s `aws` feature). Uploads go in 5 MiB parts, one in flight
    /// while the next is filled.
    ///
    /// Configure the bucket to expire incomplete multipart uploads: an upload cut off by a
    /// crash (rather than by an error, which aborts it) cannot clean up after itself.
    #[must_use]
    pub fn from_object_store(store: Arc<dyn ObjectStore>) -> BlobStore {
        BlobStore::new(store, REMOTE_PART_BYTES, 1)
    }

    fn new(store: Arc<dyn ObjectStore>, part_bytes: usize, parts_in_flight: usize) -> BlobStore {
        BlobStore {
            store,
            prefix: DEFAULT_PREFIX.to_owned(),
            part_bytes,
            parts_in_flight,
        }
    }

    /// The same store, making new keys under `prefix` (one or more segments of lowercase
    /// letters, digits and `-`, joined by `/`) instead of `evidence`.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::InvalidKey`] when `prefix` breaks the key rules.
    pub fn with_prefix(mut self, prefix: &str) -> Result<BlobStore, EvidenceError> {
        BlobKey::check(prefix)?;
        prefix.clone_into(&mut self.prefix);
        Ok(self)
    }

    /// The same store, uploading in parts of `part_bytes` (at least 4 KiB). Stores such as
    /// S3 need at least 5 MiB.
    #[must_use]
    pub fn with_part_size(mut self, part_bytes: usize) -> BlobStore {
        self.part_bytes = part_bytes.max(MIN_PART_BYTES);
        self
    }

    /// The underlying `object_store` backend.
    #[must_use]
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// Streams `body` into a new blob under `<prefix>/<yyyy>/<mm>/<dd>/<uuidv7>` (today's
    /// UTC date), computing its SHA-256 and size on the way.
    ///
    /// The first [`SNIFF_BYTES`] decide the type ([`sniff()`]); the upload to the store only
    /// starts once the type is known and fits the name's extension
    /// ([`MediaType::name_fits`]; an unknown or missing extension is fine). The first
    /// [`PREFIX_BYTES`] are kept for [`extract_metadata`]; the rest passes through in
    /// fixed-size parts. Reading stops at the first problem, without draining the body.
    ///
    /// # Errors
    ///
    /// - [`EvidenceError::Empty`]: the body held no bytes.
    /// - [`EvidenceError::TooLarge`]: more than `limits.max_bytes` bytes arrived.
    /// - [`EvidenceError::UnsupportedType`]: the content is no accepted [`MediaType`].
    /// - [`EvidenceError::ExtensionMismatch`]: the name's extension claims another type.
    /// - [`EvidenceError::Body`]: the body stream failed.
    /// - [`EvidenceError::Storage`]: the store failed.
    ///
    /// Whatever the error, the partial upload is aborted and nothing is left in the store.
    /// (If the returned future is dropped midway, the local store removes its staging
    /// file; S3 relies on the bucket's lifecycle rule.)
    pub async fn receive<S, E>(
        &self,
        declared_name: &str,
        body: S,
        limits: &UploadLimits,
    ) -> Result<ReceivedBlob, EvidenceError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: std::error::Error + Send + Sync + 'static,
    {
        let key: BlobKey = format!(
            "{}/{}/{}",
            self.prefix,
            Utc::now().format("%Y/%m/%d"),
            Uuid::now_v7().hyphenated()
        )
        .parse()?;
        let path = object_path(&key)?;
        let mut intake = Intake::new(sanitise_file_name(declared_name), limits.max_bytes);
        match self.take_in(&mut intake, &path, body).await {
            Ok(media_type) => {
                let metadata = extract_metadata(media_type, &intake.prefix);
                Ok(ReceivedBlob {
                    key,
                    size: intake.size,
                    sha256: intake.hasher.finalize().into(),
                    media_type,
                    declared_name: intake.declared_name,
                    metadata,
                })
            }
            Err(error) => {
                self.abandon(&mut intake, &path).await;
                Err(error)
            }
        }
    }

    /// Reads the body into the store; on error the caller abandons the upload.
    async fn take_in<S, E>(
        &self,
        intake: &mut Intake,
        path: &Path,
        mut body: S,
    ) -> Result<MediaType, EvidenceError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin + Send,
        E: std::error::Error + Send + Sync + 'static,
    {
        while let Some(item) = body.next().await {
            let chunk = item.map_err(|e| EvidenceError::Body(error_chain(&e)))?;
            if chunk.is_empty() {
                continue;
            }
            intake.count(&chunk)?;
            if let Some(writer) = intake.writer.as_mut() {
                self.write(writer, chunk).await?;
            } else {
                intake.pending.push(chunk);
                if let Some(media_type) = intake.decide(false)? {
                    self.start(intake, path, media_type).await?;
                }
            }
        }
        if intake.size == 0 {
            return Err(EvidenceError::Empty);
        }
        let media_type = match intake.media_type {
            Some(media_type) => media_type,
            None => {
                let media_type = intake.decide(true)?.ok_or_else(|| intake.unsupported())?;
                self.start(intake, path, media_type).await?;
                media_type
            }
        };
        let writer = intake
            .writer
            .take()
            .ok_or_else(|| EvidenceError::Storage("the upload was never started".into()))?;
        writer.finish().await.map_err(storage)?;
        Ok(media_type)
    }

    /// Opens the multipart upload and sends it what was held back while sniffing.
    async fn start(
        &self,
        intake: &mut Intake,
        path: &Path,
        media_type: MediaType,
    ) -> Result<(), EvidenceError> {
        intake.media_type = Some(media_type);
        intake.started = true;
        let upload = self.store.put_multipart(path).await.map_err(storage)?;
        let writer = intake
            .writer
            .insert(WriteMultipart::new_with_chunk_size(upload, self.part_bytes));
        for chunk in std::mem::take(&mut intake.pending) {
            self.write(writer, chunk).await?;
        }
        Ok(())
    }

    /// Hands a chunk to the upload once fewer than the allowed parts are in flight.
    async fn write(&self, writer: &mut WriteMultipart, chunk: Bytes) -> Result<(), EvidenceError> {
        writer
            .wait_for_capacity(self.parts_in_flight)
            .await
            .map_err(storage)?;
        writer.put(chunk);
        Ok(())
    }

    /// Aborts a failed upload and makes sure nothing of it remains.
    async fn abandon(&self, intake: &mut Intake, path: &Path) {
        if let Some(writer) = intake.writer.take()
            && let Err(error) = writer.abort().await
        {
            tracing::warn!(%path, %error, "could not abort an evidence upload");
        }
        if intake.started
            && let Err(error) = self.delete_path(path).await
        {
            tracing::warn!(%path, ?error, "could not delete an abandoned evidence upload");
        }
    }

    /// Deletes a blob; deleting one that is not there succeeds.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::InvalidKey`] for a key the store cannot address;
    /// [`EvidenceError::Storage`] when the store fails.
    pub async fn delete(&self, key: &BlobKey) -> Result<(), EvidenceError> {
        self.delete_path(&object_path(key)?).await
    }

    async fn delete_path(&self, path: &Path) -> Result<(), EvidenceError> {
        match self.store.delete(path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(storage(error)),
        }
    }

    /// Streams a blob's content back, in the store's chunk sizes.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::NotFound`] when no blob has this key; [`EvidenceError::Storage`]
    /// when the store fails (also as an item of the stream, part way).
    pub async fn open(
        &self,
        key: &BlobKey,
    ) -> Result<impl Stream<Item = Result<Bytes, EvidenceError>> + Send + use<>, EvidenceError>
    {
        let result = self
            .store
            .get(&object_path(key)?)
            .await
            .map_err(|e| not_found_or_storage(e, key))?;
        Ok(result.into_stream().map_err(storage))
    }

    /// A blob's size in bytes.
    ///
    /// # Errors
    ///
    /// [`EvidenceError::NotFound`] when no blob has this key; [`EvidenceError::Storage`]
    /// when the store fails.
    pub async fn size(&self, key: &BlobKey) -> Result<u64, EvidenceError> {
        let meta = self
            .store
            .head(&object_path(key)?)
            .await
            .map_err(|e| not_found_or_storage(e, key))?;
        Ok(meta.size)
    }
}

/// The state of one upload in progress.
struct Intake {
    /// The sanitised declared name.
    declared_name: String,
    /// The most bytes allowed.
    max_bytes: u64,
    /// Bytes received so far.
    size: u64,
    /// SHA-256 of the bytes received so far.
    hasher: Sha256,
    /// The first [`PREFIX_BYTES`] received.
    prefix: Vec<u8>,
    /// Chunks received before the type was decided, not yet sent to the store.
    pending: Vec<Bytes>,
    /// The type, once decided.
    media_type: Option<MediaType>,
    /// The upload, once started (taken when finished or aborted).
    writer: Option<WriteMultipart>,
    /// Whether an upload was ever started (so there may be something to delete).
    started: bool,
}

impl Intake {
    fn new(declared_name: String, max_bytes: u64) -> Intake {
        Intake {
            declared_name,
            max_bytes,
            size: 0,
            hasher: Sha256::new(),
            prefix: Vec::with_capacity(SNIFF_BYTES),
            pending: Vec::new(),
            media_type: None,
            writer: None,
            started: false,
        }
    }

    /// Counts, hashes and (while the prefix has room) keeps a chunk, refusing it if it
    /// takes the upload over the limit.
    fn count(&mut self, chunk: &[u8]) -> Result<(), EvidenceError> {
        let length = u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        let size = self.size.saturating_add(length);
        if size > self.max_bytes {
            return Err(EvidenceError::TooLarge {
                limit: self.max_bytes,
            });
        }
        self.size = size;
        self.hasher.update(chunk);
        let room = PREFIX_BYTES.saturating_sub(self.prefix.len());
        self.prefix.extend(chunk.iter().take(room));
        Ok(())
    }

    /// The type, once enough has arrived to tell (`ended`: nothing more will): `None` to
    /// read on; an error when the content is not accepted or does not fit the name.
    fn decide(&self, ended: bool) -> Result<Option<MediaType>, EvidenceError> {
        if !ended && self.prefix.len() < SNIFF_BYTES {
            return Ok(None);
        }
        let Some(detected) = sniff(&self.prefix) else {
            if !ended && self.prefix.len() < PREFIX_BYTES && is_zip(&self.prefix) {
                return Ok(None);
            }
            return Err(self.unsupported());
        };
        if let Some(claimed) = MediaType::from_file_name(&self.declared_name)
            && !claimed.name_fits(detected)
        {
            return Err(EvidenceError::ExtensionMismatch {
                declared_name: self.declared_name.clone(),
                detected,
            });
        }
        Ok(Some(detected))
    }

    fn unsupported(&self) -> EvidenceError {
        EvidenceError::UnsupportedType {
            declared_name: self.declared_name.clone(),
        }
    }
}

/// The store path of a key.
fn object_path(key: &BlobKey) -> Result<Path, EvidenceError> {
    Path::parse(key.as_str()).map_err(|_| EvidenceError::InvalidKey(key.to_string()))
}

fn storage(error: object_store::Error) -> EvidenceError {
    EvidenceError::Storage(error.to_string())
}

fn not_found_or_storage(error: object_store::Error, key: &BlobKey) -> EvidenceError {
    match error {
        object_store::Error::NotFound { .. } => EvidenceError::NotFound(key.to_string()),
        other => storage(other),
    }
}

/// An error and its sources, joined with ": ".
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
