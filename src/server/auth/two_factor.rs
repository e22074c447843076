//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps; a code of the
//! step before or after is accepted too, for clocks a little off), the enrolment QR code as an
//! SVG made here (no external service), one-time recovery codes, and the TOTP secret kept
//! encrypted under the audit key file (never readable from the database alone).

use crate::domain::audit::{to_hex, Keyring};
use crate::domain::ids::UserId;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Seconds a code lasts.
pub const STEP_SECONDS: u64 = 30;
/// Recovery codes given at once.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show.
pub const ISSUER: &str = "Abuse-case portal";
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

fn totp(secret: &[u8], account: &str, digits: u8) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_secret(secret.to_vec())
        .with_skew(0)
        .with_step_duration(STEP_SECONDS)
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
        .expect("a 160-bit secret and 6 digits make a valid TOTP")
}

/// A new random secret.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    rand::random()
}

/// The code of `time_step` (seconds since the epoch / 30) for `secret`, with `digits` digits.
pub fn code_at(secret: &[u8], time_step: u64, digits: u8) -> String {
    totp(secret, "-", digits)
        .generate(time_step * STEP_SECONDS)
        .to_string()
}

/// The time step a typed code belongs to, if it matches the step of `now_unix` or the one
/// before or after. Spaces in the code are ignored.
pub fn matching_step(secret: &[u8], typed: &str, now_unix: i64) -> Option<u64> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(now_unix).ok()? / STEP_SECONDS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| {
            let expected = code_at(secret, *step, DIGITS);
            // Compared whole, whatever differs first.
            expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        })
}

/// The secret as authenticator apps take it typed: RFC 4648 base32, no padding.
pub fn base32(secret: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in secret {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &[u8], account: &str) -> String {
    totp(secret, account, DIGITS).to_url().unwrap_or_default()
}

/// The QR code of `text` as an SVG image, made on the server.
pub fn qr_svg(text: &str) -> String {
    qrcode::QrCode::new(text.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

const SECRET_PURPOSE: &[u8] = b"totp-secret";

fn pad(keys: &Keyring, key_id: &str, user: UserId, nonce: &[u8]) -> Option<[u8; 32]> {
    let key = keys.get(key_id)?;
    let mut input = user.0.to_be_bytes().to_vec();
    input.extend_from_slice(nonce);
    Some(key.derive(SECRET_PURPOSE, &input))
}

/// The secret as stored: `<key id>:<nonce>:<secret XOR a pad derived from the key, the user
/// and the nonce>`. Without the key file the database holds nothing usable.
pub fn seal(keys: &Keyring, user: UserId, secret: &[u8; SECRET_BYTES]) -> String {
    let key_id = keys.current().id().to_owned();
    let nonce: [u8; 16] = rand::random();
    let pad = pad(keys, &key_id, user, &nonce).expect("the current key is in the keyring");
    let sealed: Vec<u8> = secret.iter().zip(pad).map(|(s, p)| s ^ p).collect();
    format!("{key_id}:{}:{}", to_hex(&nonce), to_hex(&sealed))
}

/// The secret of a stored value, if it was sealed for `user` under a key the keyring holds.
pub fn open(keys: &Keyring, user: UserId, stored: &str) -> Option<[u8; SECRET_BYTES]> {
    let mut parts = stored.split(':');
    let (key_id, nonce, sealed) = (parts.next()?, parts.next()?, parts.next()?);
    let nonce = hex_bytes(nonce)?;
    let sealed = hex_bytes(sealed)?;
    if sealed.len() != SECRET_BYTES || parts.next().is_some() {
        return None;
    }
    let pad = pad(keys, key_id, user, &nonce)?;
    let mut secret = [0u8; SECRET_BYTES];
    for (i, (s, p)) in sealed.iter().zip(pad).enumerate() {
        secret[i] = s ^ p;
    }
    Some(secret)
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// New recovery codes, as shown once (`k7m2p-q9x4r`).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as stored: the SHA-256 of its letters, whatever the case, spaces or dashes.
pub fn recovery_hash(typed: &str) -> String {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    to_hex(&Sha256::digest(normal.as_bytes()))
}

/// Whether a typed value looks like a recovery code rather than a TOTP code.
pub fn looks_like_recovery_code(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10
        && typed.chars().any(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::AuditKey;

    /// RFC 6238, appendix B: the SHA-1 seed and its 8-digit codes.
    const RFC_SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        for (time, expected) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(
                code_at(RFC_SEED, time / STEP_SECONDS, 8),
                expected,
                "T = {time}"
            );
        }
    }

    #[test]
    fn a_code_of_the_step_before_or_after_is_accepted_not_older() {
        let now = 1_234_567_890i64;
        let step = now as u64 / STEP_SECONDS;
        let current = code_at(RFC_SEED, step, DIGITS);
        assert_eq!(matching_step(RFC_SEED, &current, now), Some(step));
        assert_eq!(
            matching_step(
                RFC_SEED,
                &format!("{} {}", &current[..3], &current[3..]),
                now
            ),
            Some(step)
        );
        let before = code_at(RFC_SEED, step - 1, DIGITS);
        assert_eq!(matching_step(RFC_SEED, &before, now), Some(step - 1));
        let after = code_at(RFC_SEED, step + 1, DIGITS);
        assert_eq!(matching_step(RFC_SEED, &after, now), Some(step + 1));
        let old = code_at(RFC_SEED, step - 2, DIGITS);
        assert_ne!(old, current);
        assert_eq!(matching_step(RFC_SEED, &old, now), None);
        assert_eq!(matching_step(RFC_SEED, "12345", now), None);
        assert_eq!(matching_step(RFC_SEED, "abcdef", now), None);
    }

    #[test]
    fn secrets_are_base32_for_apps_and_sealed_for_the_database() {
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(base32(b"f"), "MY");
        let url = otpauth_url(RFC_SEED, "staff@portal.test");
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(
            url.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{url}"
        );
        assert!(qr_svg(&url).starts_with("<?xml"));
        let keys = Keyring::new(vec![AuditKey::new("k1", [7; 32])]).unwrap();
        let secret = new_secret();
        let stored = seal(&keys, UserId(4), &secret);
        assert!(!stored.contains(&to_hex(&secret)));
        assert_eq!(open(&keys, UserId(4), &stored), Some(secret));
        // Another user's row, another key, or a damaged value gives nothing usable.
        assert_ne!(open(&keys, UserId(5), &stored), Some(secret));
        let other = Keyring::new(vec![AuditKey::new("k2", [8; 32])]).unwrap();
        assert_eq!(open(&other, UserId(4), &stored), None);
        assert_eq!(open(&keys, UserId(4), "k1:zz:00"), None);
        // Two seals of one secret differ (a fresh nonce each time).
        assert_ne!(seal(&keys, UserId(4), &secret), stored);
    }

    #[test]
    fn recovery_codes_are_hashed_whatever_their_spelling() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(codes
            .iter()
            .all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let code = &codes[0];
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
        assert_eq!(recovery_hash(code).len(), 64);
        assert!(looks_like_recovery_code(code));
        assert!(!looks_like_recovery_code("123456"));
    }
}
