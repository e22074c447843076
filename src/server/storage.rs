//! Evidence files on disk, under `<data dir>/evidence/`, named by their SHA-256.
//!
//! A file is streamed into `tmp/` while its hash, size and type are worked out, flushed to disk,
//! then renamed to `<first two hex digits>/<sha256>-<random>` (a name of its own for every upload)
//! before the database row that refers to it commits. When the database step fails, the files
//! just committed are removed again; a temp file is removed as soon as its upload is refused,
//! abandoned or cancelled (a drop guard). A crash can still leave a file without a row (an
//! orphan), never a row without its file; [`EvidenceStore::sweep`] removes orphans and stale temp
//! files. Names people gave their files are never used for paths.

use crate::domain::audit::to_hex;
use crate::domain::evidence::{sniff, DetectedType, SniffError};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// How many leading bytes decide a file's type.
const SNIFF_BYTES: usize = 8 * 1024;

/// Why a file was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Larger than allowed; nothing was kept.
    #[error("the file is larger than {max} bytes")]
    TooLarge {
        /// The limit in bytes.
        max: u64,
        /// The bytes read before giving up (more than `max`; the rest was not read).
        read: u64,
    },
    /// Its content is not an accepted type.
    #[error(transparent)]
    Type(#[from] SniffError),
    /// Reading the upload failed.
    #[error("the upload was interrupted: {0}")]
    Upload(String),
    /// The disk failed.
    #[error("storage failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Removes a temporary file when dropped, unless it was moved into place first.
#[derive(Debug)]
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn path(&self) -> &Path {
        self.0
            .as_deref()
            .expect("a temp file is only used while it exists")
    }

    /// The file is somewhere else now: nothing to remove.
    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            // A plain unlink: quick enough to do where the upload is dropped.
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A file written to a temporary place, checked, not yet visible. Dropping it removes it.
#[derive(Debug)]
pub struct StagedFile {
    temp: TempFile,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The type found in the content.
    pub detected: DetectedType,
}

/// A file in its place, not yet recorded in the database.
#[derive(Debug, Clone)]
pub struct CommittedFile {
    /// Its name in the store (see [`EvidenceStore::path_of`]).
    pub name: String,
    path: PathBuf,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The type found in its content.
    pub detected: DetectedType,
}

/// The evidence folder.
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    root: PathBuf,
}

impl EvidenceStore {
    /// The store under `<data_dir>/evidence`.
    pub fn new(data_dir: &Path) -> Self {
        EvidenceStore {
            root: data_dir.join("evidence"),
        }
    }

    fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Where the stored file of this name lives: `<sha256>` (files stored before names were
    /// made per upload) or `<sha256>-<16 hex digits>`.
    pub fn path_of(&self, name: &str) -> Option<PathBuf> {
        let hex = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        };
        let (sha, suffix) = name.split_once('-').unwrap_or((name, ""));
        let valid = sha.len() == 64
            && hex(sha)
            && (name.len() == 64 || (suffix.len() == 16 && hex(suffix)));
        valid.then(|| self.root.join(&name[..2]).join(name))
    }

    /// Streams chunks into a temporary file, refusing more than `max_bytes` and content of a
    /// type not accepted. The partial file is removed on any error.
    pub async fn stage<S, E>(
        &self,
        mut next_chunk: S,
        max_bytes: u64,
    ) -> Result<StagedFile, StoreError>
    where
        S: AsyncChunks<E>,
        E: std::fmt::Display,
    {
        tokio::fs::create_dir_all(self.temp_dir()).await?;
        // Guarded from the start: a refused, failed or cancelled upload leaves nothing behind.
        let temp = TempFile(Some(
            self.temp_dir()
                .join(format!("{:032x}", rand::random::<u128>())),
        ));
        let mut file = tokio::fs::File::create(temp.path()).await?;
        let mut hasher = Sha256::new();
        let mut head: Vec<u8> = Vec::new();
        let mut size: u64 = 0;
        while let Some(chunk) = next_chunk
            .next_chunk()
            .await
            .map_err(|e| StoreError::Upload(e.to_string()))?
        {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(StoreError::TooLarge {
                    max: max_bytes,
                    read: size,
                });
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        let detected = sniff(&head)?;
        file.sync_all().await?;
        Ok(StagedFile {
            temp,
            sha256: to_hex(&hasher.finalize()),
            size,
            detected,
        })
    }

    /// Moves a staged file into a place of its own and flushes the folder entry, so that it
    /// survives a crash once the database row commits. Returns the stored file's name.
    pub async fn commit(&self, mut staged: StagedFile) -> Result<CommittedFile, StoreError> {
        let name = format!("{}-{:016x}", staged.sha256, rand::random::<u64>());
        let target = self
            .path_of(&name)
            .expect("a SHA-256 hex digest and a hex suffix make a valid name");
        let dir = target.parent().expect("has a parent").to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::rename(staged.temp.path(), &target).await?;
        staged.temp.disarm();
        tokio::fs::File::open(&dir).await?.sync_all().await?;
        Ok(CommittedFile {
            name,
            path: target,
            sha256: staged.sha256,
            size: staged.size,
            detected: staged.detected,
        })
    }

    /// Removes files committed for an upload whose database step then failed.
    pub async fn remove(&self, files: &[CommittedFile]) {
        for f in files {
            if let Err(e) = tokio::fs::remove_file(&f.path).await {
                tracing::warn!(cause = %e, name = %f.name, "could not remove an evidence file whose row was never written");
            }
        }
    }

    /// Deletes stored files that no row refers to, and temp files, when older than `grace`
    /// (so that an upload in progress is never touched). Returns how many were deleted.
    pub async fn sweep(
        &self,
        referenced: &HashSet<String>,
        grace: Duration,
    ) -> Result<usize, std::io::Error> {
        let now = SystemTime::now();
        let old = |meta: &std::fs::Metadata| {
            meta.modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .is_some_and(|age| age > grace)
        };
        let mut deleted = 0;
        let Ok(mut dirs) = tokio::fs::read_dir(&self.root).await else {
            return Ok(0);
        };
        while let Some(dir) = dirs.next_entry().await? {
            if !dir.file_type().await?.is_dir() {
                continue;
            }
            let is_temp = dir.file_name() == "tmp";
            let mut files = tokio::fs::read_dir(dir.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let name = f.file_name().to_string_lossy().into_owned();
                let orphan = is_temp || !referenced.contains(&name);
                if orphan && old(&f.metadata().await?) {
                    tokio::fs::remove_file(f.path()).await?;
                    deleted += 1;
                }
            }
        }
        Ok(deleted)
    }
}

/// A source of upload chunks (a multipart field, through `inbound::evidence`, or memory in tests).
pub trait AsyncChunks<E> {
    /// The next chunk, `None` at the end.
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<bytes_chunk::Chunk>, E>> + Send;
}

impl<E, T: AsyncChunks<E> + Send> AsyncChunks<E> for &mut T {
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<bytes_chunk::Chunk>, E>> + Send {
        (**self).next_chunk()
    }
}

/// The chunk type uploads arrive in.
pub mod bytes_chunk {
    /// A piece of an upload.
    pub type Chunk = axum::body::Bytes;
}

/// Chunks from memory, for tests and tools.
pub struct MemoryChunks(pub std::collections::VecDeque<bytes_chunk::Chunk>);

impl AsyncChunks<std::convert::Infallible> for MemoryChunks {
    async fn next_chunk(&mut self) -> Result<Option<bytes_chunk::Chunk>, std::convert::Infallible> {
        Ok(self.0.pop_front())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(parts: &[&[u8]]) -> MemoryChunks {
        MemoryChunks(
            parts
                .iter()
                .map(|p| axum::body::Bytes::copy_from_slice(p))
                .collect(),
        )
    }

    fn temp_count(store: &EvidenceStore) -> usize {
        std::fs::read_dir(store.temp_dir()).unwrap().count()
    }

    #[tokio::test]
    async fn a_file_is_hashed_sniffed_and_moved_into_a_place_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let content = b"Nov 24 10:00 postfix: connect from unknown\n";
        let staged = store
            .stage(
                chunks(&[b"Nov 24 10:00 postfix: ", b"connect from unknown\n"]),
                1024,
            )
            .await
            .unwrap();
        assert_eq!(staged.size, 43);
        assert_eq!(staged.detected, DetectedType::Text);
        assert_eq!(staged.sha256, to_hex(&Sha256::digest(content)));
        let first = store.commit(staged).await.unwrap();
        assert!(first.name.starts_with(&first.sha256));
        assert_eq!(
            std::fs::read(store.path_of(&first.name).unwrap()).unwrap(),
            content
        );
        assert_eq!(temp_count(&store), 0);
        let again = store.stage(chunks(&[content]), 1024).await.unwrap();
        let second = store.commit(again).await.unwrap();
        assert_eq!(second.sha256, first.sha256);
        assert_ne!(
            second.name, first.name,
            "the same content uploaded twice is stored twice"
        );
    }

    #[tokio::test]
    async fn too_large_and_disguised_files_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let big = store
            .stage(chunks(&[&[b'a'; 600], &[b'a'; 600]]), 1000)
            .await;
        assert!(matches!(
            big,
            Err(StoreError::TooLarge {
                max: 1000,
                read: 1200
            })
        ));
        let exe = store
            .stage(chunks(&[b"MZ\x90\x00\x03\x00\x00\x00"]), 1000)
            .await;
        assert!(matches!(
            exe,
            Err(StoreError::Type(SniffError::NotAccepted))
        ));
        assert_eq!(temp_count(&store), 0);
    }

    #[tokio::test]
    async fn a_staged_file_dropped_or_cancelled_is_removed_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let staged = store.stage(chunks(&[b"plain text"]), 1000).await.unwrap();
        assert_eq!(temp_count(&store), 1);
        drop(staged);
        assert_eq!(temp_count(&store), 0, "dropped without commit");

        /// A body that sends one chunk, then never another (a client that went away).
        struct Stalls(bool);
        impl AsyncChunks<std::convert::Infallible> for Stalls {
            async fn next_chunk(
                &mut self,
            ) -> Result<Option<bytes_chunk::Chunk>, std::convert::Infallible> {
                if std::mem::replace(&mut self.0, true) {
                    std::future::pending().await
                } else {
                    Ok(Some(axum::body::Bytes::from_static(
                        b"the first part of a log",
                    )))
                }
            }
        }
        let cancelled = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            store.stage(Stalls(false), 1000),
        )
        .await;
        assert!(cancelled.is_err(), "the upload was cancelled mid-way");
        assert_eq!(temp_count(&store), 0, "its partial file is gone");
    }

    #[tokio::test]
    async fn committed_files_are_removed_when_their_rows_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let staged = store
            .stage(chunks(&[b"%PDF-1.7 report"]), 1000)
            .await
            .unwrap();
        let committed = store.commit(staged).await.unwrap();
        let path = store.path_of(&committed.name).unwrap();
        assert!(path.exists());
        store.remove(std::slice::from_ref(&committed)).await;
        assert!(!path.exists());
    }

    #[tokio::test]
    async fn orphans_and_stale_temp_files_are_swept_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let kept = store
            .stage(chunks(&[b"%PDF-1.7 kept"]), 1000)
            .await
            .unwrap();
        let kept = store.commit(kept).await.unwrap();
        let orphan = store
            .stage(chunks(&[b"%PDF-1.7 orphan"]), 1000)
            .await
            .unwrap();
        let orphan = store.commit(orphan).await.unwrap();
        let _in_progress = store.stage(chunks(&[b"plain text"]), 1000).await.unwrap();
        let referenced: HashSet<String> = [kept.name.clone()].into();
        assert_eq!(
            store
                .sweep(&referenced, Duration::from_secs(3600))
                .await
                .unwrap(),
            0,
            "too recent"
        );
        assert_eq!(
            store.sweep(&referenced, Duration::ZERO).await.unwrap(),
            2,
            "the orphan and the temp file"
        );
        assert!(store.path_of(&kept.name).unwrap().exists());
        assert!(!store.path_of(&orphan.name).unwrap().exists());
    }

    #[test]
    fn only_hex_names_make_paths() {
        let store = EvidenceStore::new(Path::new("/data"));
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert!(store
            .path_of(&format!("{}-../x", "ab".repeat(32)))
            .is_none());
        assert!(store
            .path_of(&format!("{}-0123", "ab".repeat(32)))
            .is_none());
        assert_eq!(
            store.path_of(&"ab".repeat(32)).unwrap(),
            Path::new("/data/evidence/ab").join("ab".repeat(32))
        );
        let named = format!("{}-0123456789abcdef", "ab".repeat(32));
        assert_eq!(
            store.path_of(&named).unwrap(),
            Path::new("/data/evidence/ab").join(&named)
        );
    }
}
