//! Server secrets. When not configured they are generated once and kept in `<data_dir>/keys`
//! with mode 0600, so a restart (or another node sharing the data volume) keeps sessions valid.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};

use crate::settings::Settings;

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
    pub fn load_or_create(settings: &Settings) -> anyhow::Result<Self> {
        let dir = settings.data_dir.join("keys");
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let configured = settings.auth.jwt_secret.expose_secret();
        let jwt = if configured.is_empty() {
            load_or_generate(&dir.join("jwt.secret"))?
        } else {
            configured.as_bytes().to_vec()
        };
        let encryption = load_or_generate(&dir.join("encryption.key"))?;
        Ok(Self {
            jwt: jwt.into(),
            encryption: encryption.into(),
        })
    }
}

fn load_or_generate(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return hex::decode(text.trim()).with_context(|| format!("{} is not hex", path.display()));
    }
    let mut key = vec![0u8; 32];
    rand::rng().fill_bytes(&mut key);
    write_private(path, hex::encode(&key).as_bytes())?;
    Ok(key)
}

/// Written with 0600 from the start (never world-readable, not even briefly), and created
/// exclusively so two nodes starting together cannot each keep a different key.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => file
            .write_all(bytes)
            .with_context(|| format!("writing {}", path.display())),
        // Someone else won the race: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::load_from(None, &[]).unwrap();
        settings.data_dir = dir.path().to_path_buf();
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
    }
}
