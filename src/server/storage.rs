//! Evidence files on disk, under `<data dir>/evidence/`, named by their SHA-256.
//!
//! A file is streamed into `tmp/` while its hash, size and type are worked out, flushed to disk,
//! then renamed to `<first two hex digits>/<sha256>`, before the database row that refers to it
//! commits. A crash therefore leaves either nothing visible or a file without a row (an orphan),
//! never a row without its file; [`EvidenceStore::sweep`] removes orphans and stale temp files.
//! Names people gave their files are never used for paths.

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

/// A file written to a temporary place, checked, not yet visible.
#[derive(Debug)]
pub struct StagedFile {
    temp: PathBuf,
    /// Lower-case hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The type found in the content.
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

    /// Where the file with this hash lives.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        valid.then(|| self.root.join(&sha256[..2]).join(sha256))
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
        let temp = self
            .temp_dir()
            .join(format!("{:032x}", rand::random::<u128>()));
        let result = async {
            let mut file = tokio::fs::File::create(&temp).await?;
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
                    return Err(StoreError::TooLarge { max: max_bytes });
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
                temp: temp.clone(),
                sha256: to_hex(&hasher.finalize()),
                size,
                detected,
            })
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&temp).await;
        }
        result
    }

    /// Moves a staged file into its place (keeping an identical existing copy) and flushes the
    /// folder entry, so that it survives a crash once the database row commits.
    pub async fn commit(&self, staged: &StagedFile) -> Result<(), StoreError> {
        let target = self
            .path_of(&staged.sha256)
            .expect("a SHA-256 hex digest is a valid name");
        let dir = target.parent().expect("has a parent").to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        if tokio::fs::try_exists(&target).await? {
            tokio::fs::remove_file(&staged.temp).await?;
        } else {
            tokio::fs::rename(&staged.temp, &target).await?;
        }
        tokio::fs::File::open(&dir).await?.sync_all().await?;
        Ok(())
    }

    /// Removes a staged file that will not be committed.
    pub async fn discard(&self, staged: StagedFile) {
        let _ = tokio::fs::remove_file(&staged.temp).await;
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

/// A source of upload chunks (a multipart field, or a list of slices in tests).
pub trait AsyncChunks<E> {
    /// The next chunk, `None` at the end.
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<bytes_chunk::Chunk>, E>> + Send;
}

/// The chunk type uploads arrive in.
pub mod bytes_chunk {
    /// A piece of an upload.
    pub type Chunk = axum::body::Bytes;
}

impl AsyncChunks<axum::extract::multipart::MultipartError> for axum::extract::multipart::Field<'_> {
    async fn next_chunk(
        &mut self,
    ) -> Result<Option<bytes_chunk::Chunk>, axum::extract::multipart::MultipartError> {
        self.chunk().await
    }
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

    #[tokio::test]
    async fn a_file_is_hashed_sniffed_and_moved_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let staged = store
            .stage(
                chunks(&[b"Nov 24 10:00 postfix: ", b"connect from unknown\n"]),
                1024,
            )
            .await
            .unwrap();
        assert_eq!(staged.size, 43);
        assert_eq!(staged.detected, DetectedType::Text);
        assert_eq!(
            staged.sha256,
            to_hex(&Sha256::digest(
                b"Nov 24 10:00 postfix: connect from unknown\n"
            ))
        );
        let target = store.path_of(&staged.sha256).unwrap();
        assert!(!target.exists(), "not visible before commit");
        store.commit(&staged).await.unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"Nov 24 10:00 postfix: connect from unknown\n"
        );
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn too_large_and_disguised_files_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let big = store
            .stage(chunks(&[&[b'a'; 600], &[b'a'; 600]]), 1000)
            .await;
        assert!(matches!(big, Err(StoreError::TooLarge { max: 1000 })));
        let exe = store
            .stage(chunks(&[b"MZ\x90\x00\x03\x00\x00\x00"]), 1000)
            .await;
        assert!(matches!(
            exe,
            Err(StoreError::Type(SniffError::NotAccepted))
        ));
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn orphans_and_stale_temp_files_are_swept_after_the_grace_period() {
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::new(dir.path());
        let kept = store
            .stage(chunks(&[b"%PDF-1.7 kept"]), 1000)
            .await
            .unwrap();
        store.commit(&kept).await.unwrap();
        let orphan = store
            .stage(chunks(&[b"%PDF-1.7 orphan"]), 1000)
            .await
            .unwrap();
        store.commit(&orphan).await.unwrap();
        let _in_progress = store.stage(chunks(&[b"plain text"]), 1000).await.unwrap();
        let referenced: HashSet<String> = [kept.sha256.clone()].into();
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
        assert!(store.path_of(&kept.sha256).unwrap().exists());
        assert!(!store.path_of(&orphan.sha256).unwrap().exists());
    }

    #[test]
    fn only_hex_digests_name_paths() {
        let store = EvidenceStore::new(Path::new("/data"));
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert_eq!(
            store.path_of(&"ab".repeat(32)).unwrap(),
            Path::new("/data/evidence/ab").join("ab".repeat(32))
        );
    }
}
