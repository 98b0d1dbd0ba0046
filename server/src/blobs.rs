//! Content-addressed attachment store: `<data_dir>/blobs/ab/<sha256>`. The same bytes are
//! stored once whatever the number of messages that carry them.
//!
//! One level of 256 folders, all made when the store opens: a second level (65,536 folders)
//! made a new folder for nearly every attachment of a young store, and creating folders was
//! a good share of the ingest server's CPU in `maildesk bench ingest` (`docs/PERFORMANCE.md`).
//! Stores written with the old `ab/cd/<sha256>` layout are still read.

use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
}

impl BlobStore {
    pub fn open(root: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp")).with_context(|| format!("creating blob store {}", root.display()))?;
        for shard in 0..=255u8 {
            let dir = root.join(hex::encode([shard]));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating blob folder {}", dir.display()))?;
        }
        Ok(Self { root })
    }

    pub fn sha256(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// Stores `bytes` and returns their SHA-256. The file appears under its final name only
    /// once fully written (temp file + rename), so a reader never sees half a blob.
    pub async fn put(&self, bytes: &[u8]) -> anyhow::Result<String> {
        let hash = Self::sha256(bytes);
        let path = self.path_of(&hash)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            // Touched: retention removes only blobs nobody wrote for a while (`remove_stale`).
            let _ = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
            return Ok(hash);
        }
        let tmp = self.root.join("tmp").join(uuid::Uuid::new_v4().to_string());
        tokio::fs::write(&tmp, bytes).await.context("writing blob")?;
        tokio::fs::rename(&tmp, &path).await.context("moving blob into place")?;
        Ok(hash)
    }

    pub async fn get(&self, sha256: &str) -> anyhow::Result<Vec<u8>> {
        let path = self.path_of(sha256)?;
        match tokio::fs::read(&path).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let legacy = self.root.join(&sha256[..2]).join(&sha256[2..4]).join(sha256);
                tokio::fs::read(&legacy).await
            }
            read => read,
        }
        .with_context(|| format!("reading blob {sha256}"))
    }

    /// Removes a blob no row refers to any more (the caller checked), unless it was written
    /// within `grace`: a mail storing the same bytes right now has written (or touched) it and
    /// may not have committed its row yet. True when it was removed.
    pub async fn remove_stale(&self, sha256: &str, grace: std::time::Duration) -> anyhow::Result<bool> {
        let path = self.path_of(sha256)?;
        let modified = match tokio::fs::metadata(&path).await {
            Ok(m) => m.modified()?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        if modified.elapsed().unwrap_or_default() < grace {
            return Ok(false);
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub fn is_writable(&self) -> bool {
        let probe = self.root.join("tmp").join(".probe");
        std::fs::write(&probe, b"ok")
            .and_then(|()| std::fs::remove_file(&probe))
            .is_ok()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path_of(&self, sha256: &str) -> anyhow::Result<PathBuf> {
        // Validated so a crafted hash can never walk out of the store.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            anyhow::bail!("not a SHA-256: {sha256:?}");
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_are_stored_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put(b"hello").await.unwrap();
        let b = store.put(b"hello").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(store.get(&a).await.unwrap(), b"hello");
        assert!(store.get("../../etc/passwd").await.is_err());
        assert!(dir.path().join(&a[..2]).join(&a).is_file(), "one folder level");
    }

    #[tokio::test]
    async fn blobs_of_the_two_level_layout_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let sha = BlobStore::sha256(b"old");
        let old = dir.path().join(&sha[..2]).join(&sha[2..4]);
        std::fs::create_dir_all(&old).unwrap();
        std::fs::write(old.join(&sha), b"old").unwrap();
        assert_eq!(store.get(&sha).await.unwrap(), b"old");
        assert!(store.get(&BlobStore::sha256(b"never stored")).await.is_err());
    }
}
