//! Server secrets. When not configured they are generated once and kept in `<data_dir>/keys`
//! with mode 0600, so a restart (or another node sharing the data volume) keeps sessions valid.
//! A key file is only ever seen whole: it is written under a temporary name, flushed to disk,
//! then linked to its final name, which fails if another node got there first — the first
//! writer wins and everyone uses what is on disk. A key that is too short is refused at start
//! (an empty `jwt.secret` would make every token forgeable).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};

use crate::settings::Settings;

/// The shortest key accepted, in bytes: HMAC-SHA256 and ChaCha20 keys below 256 bits are
/// weaker than the algorithms they feed.
pub const MIN_KEY_BYTES: usize = 32;
/// ChaCha20-Poly1305 takes exactly this many.
const ENCRYPTION_KEY_BYTES: usize = 32;

pub struct Keys {
    /// HMAC key for access and refresh JWTs.
    pub jwt: SecretSlice<u8>,
    /// Key for secrets stored at rest (mailbox passwords).
    pub encryption: SecretSlice<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys { .. }")
    }
}

impl Keys {
    /// Known keys for code that runs without a server configuration (fuzzer, benchmarks, unit
    /// tests): the JWT key is fixed, the encryption key is `encryption` repeated.
    pub fn fixed(encryption: u8) -> Self {
        Self {
            jwt: vec![1u8; 32].into(),
            encryption: vec![encryption; 32].into(),
        }
    }

    pub fn load_or_create(settings: &Settings) -> anyhow::Result<Self> {
        let dir = settings.data_dir.join("keys");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let configured = settings.auth.jwt_secret.expose_secret();
        let jwt = if configured.is_empty() {
            load_or_generate(&dir.join("jwt.secret"))?
        } else if configured.len() < MIN_KEY_BYTES {
            // Settings::load refuses it too; this also covers settings built in code.
            anyhow::bail!(
                "auth.jwt_secret is {} bytes; it must be at least {MIN_KEY_BYTES}",
                configured.len()
            );
        } else {
            configured.as_bytes().to_vec()
        };
        let path = dir.join("encryption.key");
        let encryption = load_or_generate(&path)?;
        if encryption.len() != ENCRYPTION_KEY_BYTES {
            anyhow::bail!(
                "{} holds a {}-byte key; the encryption key must be exactly {ENCRYPTION_KEY_BYTES} bytes",
                path.display(),
                encryption.len()
            );
        }
        Ok(Self {
            jwt: jwt.into(),
            encryption: encryption.into(),
        })
    }
}

fn load_or_generate(path: &Path) -> anyhow::Result<Vec<u8>> {
    if !path.exists() {
        let mut key = vec![0u8; MIN_KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        publish(path, hex::encode(&key).as_bytes())?;
    }
    // Whoever won the race, what is on disk is the key.
    read_key(path)
}

fn read_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let key = hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()))?;
    if key.len() < MIN_KEY_BYTES {
        anyhow::bail!(
            "{} holds a {}-byte key; keys must be at least {MIN_KEY_BYTES} bytes (remove the file to have a new one generated, which signs everyone out)",
            path.display(),
            key.len()
        );
    }
    Ok(key)
}

/// Makes `bytes` appear at `path` all at once, or not at all when `path` already exists.
fn publish(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = temp_name(path);
    let written = write_private(&tmp, bytes).and_then(|()| match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        // Another node (or thread) published first: its key stands.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    });
    // The temporary name is ours alone; it is never read, so a failed removal only leaves litter.
    let _ = std::fs::remove_file(&tmp);
    written?;
    if let Some(dir) = path.parent() {
        // Makes the new directory entry durable, so a crash cannot lose a key already in use.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// A name in the same folder (a hard link cannot cross file systems) no other writer picks.
fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut nonce = [0u8; 8];
    rand::rng().fill_bytes(&mut nonce);
    path.with_file_name(format!(".{name}.{}.{}.tmp", std::process::id(), hex::encode(nonce)))
}

/// Written with 0600 from the start (never world-readable, not even briefly), and flushed to
/// disk before it gets its final name.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_in(dir: &Path) -> Settings {
        let mut settings = Settings::load_from(None, &[]).unwrap();
        settings.data_dir = dir.to_path_buf();
        settings
    }

    #[test]
    fn generated_keys_are_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let settings = settings_in(dir.path());
        let a = Keys::load_or_create(&settings).unwrap();
        let b = Keys::load_or_create(&settings).unwrap();
        assert_eq!(a.jwt.expose_secret(), b.jwt.expose_secret());
        assert_eq!(a.jwt.expose_secret().len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/jwt.secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let litter: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(litter.is_empty(), "{litter:?}");
    }

    #[test]
    fn short_or_empty_key_files_are_refused_naming_the_file() {
        for content in ["", "00112233445566778899"] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("keys")).unwrap();
            std::fs::write(dir.path().join("keys/jwt.secret"), content).unwrap();
            let err = Keys::load_or_create(&settings_in(dir.path())).unwrap_err().to_string();
            assert!(err.contains("jwt.secret") && err.contains("at least 32 bytes"), "{err}");
        }
    }

    #[test]
    fn a_short_encryption_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/encryption.key"), hex::encode([1u8; 16])).unwrap();
        let err = Keys::load_or_create(&settings_in(dir.path())).unwrap_err().to_string();
        assert!(err.contains("encryption.key"), "{err}");
    }

    #[test]
    fn a_short_configured_jwt_secret_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = settings_in(dir.path());
        settings.auth.jwt_secret = "too-short".to_owned().into();
        let err = Keys::load_or_create(&settings).unwrap_err().to_string();
        assert!(err.contains("auth.jwt_secret"), "{err}");
        settings.auth.jwt_secret = "x".repeat(32).into();
        assert_eq!(
            Keys::load_or_create(&settings).unwrap().jwt.expose_secret(),
            "x".repeat(32).as_bytes()
        );
    }
}
