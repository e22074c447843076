//! Sealed values: secrets the portal keeps for a moment outside its memory (a form post's outcome
//! in the session or in a cookie, an invitation link waiting in the outbox), encrypted and
//! authenticated with XChaCha20-Poly1305 under a key derived from the key file for each purpose.
//! The database (or the browser) alone never holds them readable, and a value sealed for one
//! purpose does not open for another.
//!
//! A sealed value reads `<key id>.<base64url of nonce and ciphertext>`: the key id lets older
//! values open after a new key is added to the file.

use crate::domain::audit::{AuditKey, Keyring};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_BYTES: usize = 24;

fn cipher(key: &AuditKey, purpose: &[u8]) -> XChaCha20Poly1305 {
    let derived = key.derive(b"sealed value", purpose);
    XChaCha20Poly1305::new(&derived.into())
}

/// `plain`, sealed for `purpose` under the keyring's current key.
pub fn seal(keys: &Keyring, purpose: &[u8], plain: &[u8]) -> String {
    let key = keys.current();
    let nonce: [u8; NONCE_BYTES] = rand::random();
    let sealed = cipher(key, purpose)
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plain,
                aad: purpose,
            },
        )
        .expect("sealing a value in memory cannot fail");
    let mut bytes = nonce.to_vec();
    bytes.extend_from_slice(&sealed);
    format!("{}.{}", key.id(), URL_SAFE_NO_PAD.encode(bytes))
}

/// The value of `sealed`, if it was sealed for `purpose` under a key the keyring holds and was
/// not altered.
pub fn open(keys: &Keyring, purpose: &[u8], sealed: &str) -> Option<Vec<u8>> {
    let (key_id, body) = sealed.split_once('.')?;
    let key = keys.get(key_id)?;
    let bytes = URL_SAFE_NO_PAD.decode(body).ok()?;
    if bytes.len() < NONCE_BYTES {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().ok()?;
    cipher(key, purpose)
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad: purpose,
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring(id: &str, byte: u8) -> Keyring {
        Keyring::new(vec![AuditKey::new(id, [byte; 32])]).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_purpose_and_key() {
        let keys = keyring("k1", 7);
        let sealed = seal(&keys, b"recovery codes", b"k7m2p-q9x4r");
        assert!(sealed.starts_with("k1."), "{sealed}");
        assert!(!sealed.contains("k7m2p"), "{sealed}");
        assert_eq!(
            open(&keys, b"recovery codes", &sealed).as_deref(),
            Some(&b"k7m2p-q9x4r"[..])
        );
        assert_eq!(open(&keys, b"another purpose", &sealed), None);
        assert_eq!(open(&keyring("k1", 8), b"recovery codes", &sealed), None);
        assert_eq!(open(&keyring("k2", 7), b"recovery codes", &sealed), None);
        // Two seals of one value differ (a fresh nonce each time).
        assert_ne!(seal(&keys, b"recovery codes", b"k7m2p-q9x4r"), sealed);
    }

    #[test]
    fn an_altered_or_truncated_value_does_not_open() {
        let keys = keyring("k1", 7);
        let sealed = seal(&keys, b"p", b"a one-time link");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            open(&keys, b"p", &String::from_utf8(altered).unwrap()),
            None
        );
        assert_eq!(open(&keys, b"p", &sealed[..sealed.len() - 10]), None);
        assert_eq!(open(&keys, b"p", "k1."), None);
        assert_eq!(open(&keys, b"p", "k1"), None);
        assert_eq!(open(&keys, b"p", "k1.!!!"), None);
    }

    #[test]
    fn older_keys_still_open_what_they_sealed() {
        let old = keyring("k1", 7);
        let sealed = seal(&old, b"p", b"value");
        let rotated = Keyring::new(vec![
            AuditKey::new("k2", [9; 32]),
            AuditKey::new("k1", [7; 32]),
        ])
        .unwrap();
        assert_eq!(
            open(&rotated, b"p", &sealed).as_deref(),
            Some(&b"value"[..])
        );
        assert!(seal(&rotated, b"p", b"value").starts_with("k2."));
    }
}
