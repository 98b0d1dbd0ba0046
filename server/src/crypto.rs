//! Secrets at rest (mailbox passwords, webhook secrets): ChaCha20-Poly1305 with the server's
//! encryption key, a random nonce per value, stored as base64(nonce ‖ ciphertext).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::keys::Keys;

const NONCE_LEN: usize = 12;

fn cipher(keys: &Keys) -> anyhow::Result<ChaCha20Poly1305> {
    let key = keys.encryption.expose_secret();
    if key.len() != 32 {
        anyhow::bail!("the encryption key must be 32 bytes");
    }
    ChaCha20Poly1305::new_from_slice(key).map_err(|_| anyhow::anyhow!("the encryption key must be 32 bytes"))
}

pub fn encrypt(keys: &Keys, plaintext: &str) -> anyhow::Result<String> {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = cipher(keys)?
        .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
        .map_err(|_| anyhow::anyhow!("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(STANDARD.encode(out))
}

pub fn decrypt(keys: &Keys, stored: &str) -> anyhow::Result<String> {
    let bytes = STANDARD.decode(stored)?;
    if bytes.len() <= NONCE_LEN {
        anyhow::bail!("stored secret is truncated");
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into()?;
    let plain = cipher(keys)?
        .decrypt(&Nonce::from(nonce), sealed)
        .map_err(|_| anyhow::anyhow!("stored secret does not decrypt with this server's key"))?;
    Ok(String::from_utf8(plain)?)
}

/// HMAC-SHA256 under a key derived from the encryption key for one `purpose`, so a signature
/// made for one use can never be replayed as another.
pub fn sign(keys: &Keys, purpose: &str, data: &[u8]) -> Vec<u8> {
    let mut derive =
        <Hmac<Sha256> as Mac>::new_from_slice(keys.encryption.expose_secret()).unwrap_or_else(|_| unreachable_hmac());
    derive.update(purpose.as_bytes());
    let subkey = derive.finalize().into_bytes();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&subkey).unwrap_or_else(|_| unreachable_hmac());
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Constant-time check of a hex-encoded HMAC-SHA256 over `data` with a raw `secret`.
pub fn verify_hmac_hex(secret: &[u8], data: &[u8], signature_hex: &str) -> bool {
    let Ok(sig) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(&sig).is_ok()
}

pub fn hmac_hex(secret: &[u8], data: &[u8]) -> String {
    match <Hmac<Sha256> as Mac>::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(data);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

// HMAC accepts keys of any length, so `new_from_slice` cannot fail.
fn unreachable_hmac() -> Hmac<Sha256> {
    unreachable!("HMAC-SHA256 accepts any key length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::fixed(7)
    }

    #[test]
    fn encrypted_values_round_trip_and_differ_each_time() {
        let k = keys();
        let a = encrypt(&k, "imap-password").unwrap();
        let b = encrypt(&k, "imap-password").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("imap-password"));
        assert_eq!(decrypt(&k, &a).unwrap(), "imap-password");
        let other = Keys::fixed(8);
        assert!(decrypt(&other, &a).is_err());
    }

    #[test]
    fn signatures_depend_on_purpose_and_hmac_hex_verifies() {
        let k = keys();
        assert_ne!(sign(&k, "a", b"x"), sign(&k, "b", b"x"));
        let sig = hmac_hex(b"secret", b"body");
        assert!(verify_hmac_hex(b"secret", b"body", &sig));
        assert!(!verify_hmac_hex(b"secret", b"body2", &sig));
        assert!(!verify_hmac_hex(b"secret", b"body", "zz"));
    }
}
