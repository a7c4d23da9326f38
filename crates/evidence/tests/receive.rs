//! Streaming uploads into the in-memory and local stores: digests, sizes, read-back, limits,
//! refusals, and that a failed upload leaves nothing behind.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bluelamp_evidence::{
    BlobKey, BlobStore, EvidenceError, MediaFamily, MediaType, ReceivedBlob, UploadLimits,
};
use bytes::Bytes;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use object_store::ObjectStore;
use object_store::memory::InMemory;
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;

/// The low byte of `n`.
fn byte(n: usize) -> u8 {
    n.to_le_bytes()[0]
}

/// A length as `u64`.
fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The start of a JPEG file (SOI, a JFIF APP0 segment), then `len` bytes in all.
fn jpeg_bytes(len: usize) -> Vec<u8> {
    let mut out = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".to_vec();
    out.extend((0..len.saturating_sub(out.len())).map(|i| byte(i % 251)));
    out.truncate(len);
    out
}

/// `data` as a stream of `chunks` roughly equal chunks.
fn chunked(data: &[u8], chunk: usize) -> impl Stream<Item = Result<Bytes, io::Error>> + Unpin {
    let bytes = Bytes::copy_from_slice(data);
    let pieces: Vec<_> = (0..data.len())
        .step_by(chunk.max(1))
        .map(|start| Ok(bytes.slice(start..(start + chunk).min(data.len()))))
        .collect();
    stream::iter(pieces)
}

fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Everything listed in the store.
async fn listing(store: &BlobStore) -> Vec<String> {
    store
        .object_store()
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap_or_else(|e| vec![format!("listing failed: {e}")])
}

/// Every regular file under `dir`, however deep (staging files included).
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

async fn read_back(store: &BlobStore, key: &BlobKey) -> Result<Vec<u8>, EvidenceError> {
    let chunks: Vec<Bytes> = store.open(key).await?.try_collect().await?;
    Ok(chunks.concat())
}

/// The checks every successful upload must pass.
#[expect(
    clippy::unwrap_used,
    reason = "shared test scenario: a failure is a test failure"
)]
async fn check_received(store: &BlobStore, blob: &ReceivedBlob, data: &[u8]) {
    assert_eq!(blob.size, len64(data.len()));
    assert_eq!(blob.sha256, sha256(data));
    assert_eq!(blob.sha256_hex(), hex::encode(sha256(data)));
    assert_eq!(
        blob.digest(),
        format!("sha256:{}", hex::encode(sha256(data)))
    );
    assert_eq!(store.size(&blob.key).await.unwrap(), len64(data.len()));
    let back = read_back(store, &blob.key).await.unwrap();
    assert!(back == data, "the blob read back differs");
    let key = blob.key.as_str();
    assert!(key.starts_with("evidence/"), "{key}");
    assert_eq!(key.split('/').count(), 5, "{key}");
    assert_eq!(key.parse::<BlobKey>().unwrap(), blob.key);
}

#[expect(
    clippy::unwrap_used,
    reason = "shared test scenario: a failure is a test failure"
)]
async fn multi_chunk_jpeg_round_trips(store: BlobStore) {
    let data = jpeg_bytes(9 * MIB);
    let blob = store
        .receive(
            "IMG_0001.JPG",
            chunked(&data, 3 * MIB),
            &UploadLimits::default(),
        )
        .await
        .unwrap();
    assert_eq!(blob.media_type, MediaType::Jpeg);
    assert_eq!(blob.media_type.family(), MediaFamily::Photo);
    assert_eq!(blob.declared_name, "IMG_0001.JPG");
    check_received(&store, &blob, &data).await;
    assert_eq!(listing(&store).await, vec![blob.key.to_string()]);

    store.delete(&blob.key).await.unwrap();
    store.delete(&blob.key).await.unwrap(); // idempotent
    assert!(listing(&store).await.is_empty());
    assert!(matches!(
        store.open(&blob.key).await,
        Err(EvidenceError::NotFound(_))
    ));
    assert!(matches!(
        store.size(&blob.key).await,
        Err(EvidenceError::NotFound(_))
    ));
}

#[tokio::test]
async fn in_memory_multi_chunk_upload_round_trips() {
    multi_chunk_jpeg_round_trips(BlobStore::in_memory()).await;
}

#[tokio::test]
async fn local_multi_chunk_upload_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    multi_chunk_jpeg_round_trips(BlobStore::local(&dir.path().join("blobs")).unwrap()).await;
    assert!(files_under(dir.path()).is_empty());
}

#[tokio::test]
async fn other_object_stores_and_many_small_chunks() {
    let memory = Arc::new(InMemory::new());
    let store = BlobStore::from_object_store(memory.clone())
        .with_prefix("force-leics/evidence")
        .unwrap()
        .with_part_size(64 * 1024);
    let data = jpeg_bytes(MIB + 17);
    let blob = store
        .receive(
            "../../photo.jpeg",
            chunked(&data, 1000),
            &UploadLimits::default(),
        )
        .await
        .unwrap();
    assert_eq!(blob.declared_name, "photo.jpeg");
    assert!(blob.key.as_str().starts_with("force-leics/evidence/"));
    assert_eq!(blob.size, len64(data.len()));
    assert_eq!(blob.sha256, sha256(&data));
    assert_eq!(read_back(&store, &blob.key).await.unwrap(), data);
    assert_eq!(
        memory
            .list(None)
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        BlobStore::in_memory().with_prefix("Bad Prefix"),
        Err(EvidenceError::InvalidKey(_))
    ));
}

#[expect(
    clippy::unwrap_used,
    reason = "shared test scenario: a failure is a test failure"
)]
async fn size_limit_is_exact(store: BlobStore) {
    let limit = 100_000_u64;
    let limits = UploadLimits { max_bytes: limit };
    let over = jpeg_bytes(100_001);
    let error = store
        .receive("big.jpg", chunked(&over, 10_000), &limits)
        .await
        .unwrap_err();
    assert_eq!(error, EvidenceError::TooLarge { limit });
    assert!(listing(&store).await.is_empty());

    let exact = jpeg_bytes(100_000);
    let blob = store
        .receive("exact.jpg", chunked(&exact, 10_000), &limits)
        .await
        .unwrap();
    check_received(&store, &blob, &exact).await;

    // Over the limit before the type is even known.
    let tiny = UploadLimits { max_bytes: 10 };
    let error = store
        .receive("small.jpg", chunked(&jpeg_bytes(11), 11), &tiny)
        .await
        .unwrap_err();
    assert_eq!(error, EvidenceError::TooLarge { limit: 10 });
    assert_eq!(listing(&store).await, vec![blob.key.to_string()]);
}

#[tokio::test]
async fn in_memory_size_limit_is_exact() {
    size_limit_is_exact(BlobStore::in_memory()).await;
}

#[tokio::test]
async fn local_size_limit_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    size_limit_is_exact(store).await;
    assert_eq!(files_under(dir.path()).len(), 1);
}

/// A `MZ` executable header chunk followed by 1000 more chunks, counting what is pulled.
fn counted_executable(
    pulled: Arc<AtomicUsize>,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Unpin {
    let mut first = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF\x00\x00".to_vec();
    first.resize(8 * 1024, 0);
    let chunks = std::iter::once(Bytes::from(first))
        .chain(std::iter::repeat_n(
            Bytes::from(vec![0_u8; 64 * 1024]),
            1000,
        ))
        .map(Ok);
    stream::iter(chunks).inspect(move |_| {
        pulled.fetch_add(1, Ordering::SeqCst);
    })
}

#[expect(
    clippy::unwrap_used,
    reason = "shared test scenario: a failure is a test failure"
)]
async fn unsupported_type_stops_early(store: BlobStore) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let error = store
        .receive(
            "setup.exe",
            counted_executable(pulled.clone()),
            &UploadLimits::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error,
        EvidenceError::UnsupportedType {
            declared_name: "setup.exe".into()
        }
    );
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        1,
        "read past the first chunk"
    );
    assert!(listing(&store).await.is_empty());

    // Sniffing waits for 4 KiB, however small the chunks.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let mut data = b"MZ".to_vec();
    data.resize(1024 * 1024, 0);
    let body = chunked(&data, 512).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let error = store
        .receive("tool", body, &UploadLimits::default())
        .await
        .unwrap_err();
    assert!(matches!(error, EvidenceError::UnsupportedType { .. }));
    assert_eq!(pulled.load(Ordering::SeqCst), 8);
}

#[tokio::test]
async fn in_memory_unsupported_type_stops_early() {
    unsupported_type_stops_early(BlobStore::in_memory()).await;
}

#[tokio::test]
async fn local_unsupported_type_stops_early() {
    let dir = tempfile::tempdir().unwrap();
    unsupported_type_stops_early(BlobStore::local(dir.path()).unwrap()).await;
    assert!(files_under(dir.path()).is_empty());
}

#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "shared test scenario: a failure is a test failure"
)]
async fn refusals_leave_nothing(store: BlobStore) {
    let limits = UploadLimits::default();
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< >>\nendobj\n".repeat(500);

    let error = store
        .receive("holiday.jpg", chunked(&pdf, 1000), &limits)
        .await
        .unwrap_err();
    assert_eq!(
        error,
        EvidenceError::ExtensionMismatch {
            declared_name: "holiday.jpg".into(),
            detected: MediaType::Pdf
        }
    );
    assert_eq!(
        error.to_string(),
        "The file ‘holiday.jpg’ is a PDF document, not the JPEG image its name says."
    );

    // An unknown extension, or none, lets the content decide; sibling containers fit.
    for name in ["statement", "statement.dat", "statement.PDF"] {
        let blob = store
            .receive(name, chunked(&pdf, 1000), &limits)
            .await
            .unwrap();
        assert_eq!(blob.media_type, MediaType::Pdf);
        store.delete(&blob.key).await.unwrap();
    }
    let mut mov = b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  \x00\x00\x00\x08wide".to_vec();
    mov.resize(5000, 0);
    let blob = store
        .receive("clip.mp4", chunked(&mov, 4096), &limits)
        .await
        .unwrap();
    assert_eq!(blob.media_type, MediaType::QuickTime);
    store.delete(&blob.key).await.unwrap();

    let empty = store
        .receive(
            "nothing.jpg",
            stream::iter(Vec::<Result<Bytes, io::Error>>::new()),
            &limits,
        )
        .await
        .unwrap_err();
    assert_eq!(empty, EvidenceError::Empty);
    let empty_chunks = stream::iter(vec![Ok::<_, io::Error>(Bytes::new()), Ok(Bytes::new())]);
    assert_eq!(
        store
            .receive("nothing.jpg", empty_chunks, &limits)
            .await
            .unwrap_err(),
        EvidenceError::Empty
    );

    // A body that fails after the upload has started.
    let data = jpeg_bytes(3 * MIB);
    let failing = stream::iter(vec![
        Ok(Bytes::copy_from_slice(&data[..MIB])),
        Ok(Bytes::copy_from_slice(&data[MIB..2 * MIB])),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        )),
        Ok(Bytes::copy_from_slice(&data[2 * MIB..])),
    ]);
    let error = store
        .receive("cut.jpg", failing, &limits)
        .await
        .unwrap_err();
    assert!(matches!(error, EvidenceError::Body(_)), "{error:?}");
    assert_eq!(error.detail(), Some("connection reset by peer"));
    // A body that fails before anything arrived.
    let failing = stream::iter(vec![Err::<Bytes, _>(io::Error::other("gone"))]);
    assert!(matches!(
        store.receive("cut.jpg", failing, &limits).await,
        Err(EvidenceError::Body(_))
    ));

    assert!(listing(&store).await.is_empty());
}

#[tokio::test]
async fn in_memory_refusals_leave_nothing() {
    refusals_leave_nothing(BlobStore::in_memory()).await;
}

#[tokio::test]
async fn local_refusals_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    refusals_leave_nothing(BlobStore::local(dir.path()).unwrap()).await;
    assert_eq!(files_under(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test]
async fn small_files_of_every_kind_are_received() {
    let store = BlobStore::in_memory();
    let limits = UploadLimits::default();
    let text = "PC 1234 statement\nThe vehicle was blue.\n";
    let blob = store
        .receive("notes.txt", chunked(text.as_bytes(), 7), &limits)
        .await
        .unwrap();
    assert_eq!(blob.media_type, MediaType::PlainText);
    check_received(&store, &blob, text.as_bytes()).await;

    // A Word document whose `word/` entry only shows after the first 4 KiB.
    let mut docx = zip_entry("[Content_Types].xml", &[b' '; 6000]);
    docx.extend(zip_entry("word/document.xml", b"<w:document/>"));
    let blob = store
        .receive("report.docx", chunked(&docx, 1024), &limits)
        .await
        .unwrap();
    assert_eq!(blob.media_type, MediaType::Docx);
    check_received(&store, &blob, &docx).await;

    // A ZIP that is no document is refused once the prefix is full, not at the end.
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let mut zip = zip_entry("a.bin", &[0; 16]);
    zip.resize(4 * MIB, 0);
    let body = chunked(&zip, 64 * 1024).inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let error = store
        .receive("archive.zip", body, &limits)
        .await
        .unwrap_err();
    assert!(matches!(error, EvidenceError::UnsupportedType { .. }));
    assert_eq!(pulled.load(Ordering::SeqCst), 4);
}

/// A stored ZIP local file entry.
fn zip_entry(name: &str, content: &[u8]) -> Vec<u8> {
    let mut out = b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x21\x5B\x00\x00\x00\x00".to_vec();
    let size = u32::try_from(content.len())
        .unwrap_or(u32::MAX)
        .to_le_bytes();
    out.extend_from_slice(&size);
    out.extend_from_slice(&size);
    out.extend_from_slice(&u16::try_from(name.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(content);
    out
}

/// 64 MiB through the local store, to show large files stream (the lead benchmarks memory).
#[tokio::test]
async fn sixty_four_mib_stream_into_the_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = BlobStore::local(dir.path()).unwrap();
    let chunk_size = 64 * 1024;
    let chunks = 1024;
    let mut expected = Sha256::new();
    let header = jpeg_bytes(chunk_size);
    let filler: Vec<u8> = (0..chunk_size).map(|i| byte(i * 7)).collect();
    expected.update(&header);
    for _ in 1..chunks {
        expected.update(&filler);
    }
    let header = Bytes::from(header);
    let filler = Bytes::from(filler);
    let body = stream::iter(
        std::iter::once(header)
            .chain(std::iter::repeat_n(filler, chunks - 1))
            .map(Ok::<_, io::Error>),
    );
    let blob = store
        .receive("dashcam.jpg", body, &UploadLimits::default())
        .await
        .unwrap();
    let expected: [u8; 32] = expected.finalize().into();
    assert_eq!(blob.size, len64(64 * MIB));
    assert_eq!(blob.sha256, expected);
    assert_eq!(store.size(&blob.key).await.unwrap(), len64(64 * MIB));
    let mut read = Sha256::new();
    let mut length = 0_u64;
    let mut stream = store.open(&blob.key).await.unwrap();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        length += len64(chunk.len());
        read.update(&chunk);
    }
    assert_eq!(length, len64(64 * MIB));
    assert_eq!(<[u8; 32]>::from(read.finalize()), expected);
    assert_eq!(files_under(dir.path()).len(), 1);
}

#[tokio::test]
async fn exif_metadata_is_extracted_on_receive() {
    // A JPEG with an EXIF APP1 holding only a camera make (IFD0: one ASCII entry).
    let mut tiff = b"MM\x00\x2A\x00\x00\x00\x08\x00\x01".to_vec();
    tiff.extend_from_slice(&[0x01, 0x0F, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04]);
    tiff.extend_from_slice(b"Foo\0");
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
    jpeg.extend_from_slice(
        &u16::try_from(tiff.len() + 8)
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    jpeg.extend_from_slice(b"Exif\0\0");
    jpeg.extend_from_slice(&tiff);
    jpeg.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00,
    ]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let store = BlobStore::in_memory();
    let blob = store
        .receive("p.jpg", chunked(&jpeg, 5), &UploadLimits::default())
        .await
        .unwrap();
    assert_eq!(blob.metadata.camera.as_deref(), Some("Foo"));
    assert_eq!(
        (blob.metadata.width, blob.metadata.height),
        (Some(32), Some(16))
    );
    assert_eq!(blob.metadata.gps, None);
}

/// Handlers (axum) need `Send` futures and `'static` streams.
#[test]
fn futures_are_send_and_streams_static() {
    fn send<T: Send>(_: &T) {}
    fn send_static<T: Send + 'static>(_: T) {}
    let store = BlobStore::in_memory();
    let key: BlobKey = "evidence/x".parse().unwrap();
    let limits = UploadLimits::default();
    send(&store.receive("a.jpg", chunked(b"abc", 1), &limits));
    send(&store.open(&key));
    send(&store.size(&key));
    send(&store.delete(&key));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let blob = runtime
        .block_on(store.receive("a.txt", chunked(b"abc", 1), &limits))
        .unwrap();
    let stream = runtime.block_on(store.open(&blob.key)).unwrap();
    drop(store);
    send_static(stream);
}
