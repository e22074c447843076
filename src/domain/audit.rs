//! The audit trail's integrity: each entry is sealed with an HMAC-SHA256 over its content and
//! the previous entry's seal, under a secret key the database never holds. Editing, deleting or
//! reordering an entry breaks every seal after it, and whoever can write the database cannot
//! compute new seals without the key.
//!
//! Every entry names the key that sealed it, so keys can be rotated: new entries use the
//! keyring's current key, older ones still verify with the keys kept beside it. Entries written
//! before trails were keyed carry the key id [`LEGACY_KEY_ID`] and an unkeyed SHA-256; they verify
//! only after [`reseal_legacy`] has checked and sealed them once.
//!
//! The content is encoded with length prefixes, so that no two different entries encode alike.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The `prev_hash` of a trail's first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// The key id of entries sealed before trails were keyed (plain SHA-256).
pub const LEGACY_KEY_ID: &str = "legacy";

/// The trail number of the provider-wide log (events that belong to no case).
pub const PROVIDER_LOG: i64 = 0;

/// What an audit entry records; the seal covers every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The trail: a case's id, or [`PROVIDER_LOG`].
    pub notice_id: i64,
    /// Position in the trail, from 1 without gaps.
    pub seq: i64,
    /// When it happened (whole seconds are sealed).
    pub at: OffsetDateTime,
    /// Who: a user's e-mail and role, or "system".
    pub actor: String,
    /// What, as a stable action name (`evidence_rejected`, …).
    pub action: String,
    /// Details shown in the timeline (reasons, changed values).
    pub detail: String,
}

/// An entry as stored: the record, the key that sealed it, the previous seal and its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The content.
    pub record: AuditRecord,
    /// The id of the key that sealed it.
    pub key_id: String,
    /// The seal of the entry before (or [`GENESIS`]).
    pub prev_hash: [u8; 32],
    /// This entry's seal.
    pub hash: [u8; 32],
}

/// Where and how a trail fails verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// An entry is missing or out of order before this position.
    #[error("entry {expected} is missing or out of order")]
    Gap {
        /// The sequence number that should stand here.
        expected: i64,
    },
    /// The entry's stored link does not match the previous entry's seal.
    #[error("entry {seq} does not follow the entry before it")]
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// The entry's content does not match its seal (it was edited).
    #[error("entry {seq} was altered")]
    Altered {
        /// The entry.
        seq: i64,
    },
    /// The entry names a key the keyring does not hold (or is an unresealed legacy entry).
    #[error("entry {seq} is sealed with key {key_id:?}, which this portal does not hold")]
    UnknownKey {
        /// The entry.
        seq: i64,
        /// The key it names.
        key_id: String,
    },
}

/// Why a keyring cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A line is not `<id> <64 hex digits>`.
    #[error("line {line}: expected `<key id> <64 hexadecimal digits>`")]
    Malformed {
        /// The line number, from 1.
        line: usize,
    },
    /// An id is reserved, repeated, or not made of letters, digits, `-` and `_`.
    #[error("line {line}: the key id {id:?} is reserved, repeated or has characters other than letters, digits, - and _")]
    BadId {
        /// The line number, from 1.
        line: usize,
        /// The id.
        id: String,
    },
    /// No key at all.
    #[error("the keyring holds no key")]
    Empty,
}

/// A secret key for sealing entries, and the id stored beside each entry it seals.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    id: String,
    secret: [u8; 32],
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("secret", &"***")
            .finish()
    }
}

impl AuditKey {
    /// A key from its id and 32 secret bytes.
    pub fn new(id: &str, secret: [u8; 32]) -> AuditKey {
        AuditKey {
            id: id.to_owned(),
            secret,
        }
    }

    /// The id stored with the entries this key seals.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A value derived from the key for another purpose (HMAC-SHA256 over the purpose, a zero
    /// byte and `input`), so that other secrets can be protected by the same key file without
    /// ever using the sealing key itself.
    pub fn derive(&self, purpose: &[u8], input: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .expect("HMAC takes keys of any size");
        mac.update(purpose);
        mac.update(&[0]);
        mac.update(input);
        mac.finalize().into_bytes().into()
    }
}

/// The keys a portal holds: the first seals new entries, the others verify older ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<AuditKey>,
}

impl Keyring {
    /// A keyring whose current key is the first.
    pub fn new(keys: Vec<AuditKey>) -> Result<Keyring, KeyError> {
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        Ok(Keyring { keys })
    }

    /// Reads a keyring file: one key per line, `<id> <64 hex digits>`, the current key first;
    /// blank lines and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<Keyring, KeyError> {
        let mut keys: Vec<AuditKey> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let mut parts = raw.split_whitespace();
            let (Some(id), Some(hex), None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(KeyError::Malformed { line });
            };
            let valid_id = id.len() <= 32
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && id != LEGACY_KEY_ID
                && keys.iter().all(|k| k.id != id);
            if !valid_id {
                return Err(KeyError::BadId {
                    line,
                    id: id.to_owned(),
                });
            }
            let secret = hash_from_hex(hex).ok_or(KeyError::Malformed { line })?;
            keys.push(AuditKey::new(id, secret));
        }
        Keyring::new(keys)
    }

    /// The key that seals new entries.
    pub fn current(&self) -> &AuditKey {
        &self.keys[0]
    }

    /// The key with this id.
    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|k| k.id == id)
    }
}

/// A keyring file's text holding one new key made from `random` bytes.
pub fn new_keyring_file(id: &str, random: [u8; 32]) -> String {
    format!(
        "# Audit trail keys: `<id> <secret>`, the current key first. Keep older keys when you\n\
         # add a new one, or the entries they sealed can no longer be verified.\n{id} {}\n",
        to_hex(&random)
    )
}

fn encode(out: &mut impl FnMut(&[u8]), tag: &[u8], prev_hash: &[u8; 32], record: &AuditRecord) {
    let mut put = |field: &[u8]| {
        out(&(field.len() as u64).to_be_bytes());
        out(field);
    };
    put(tag);
    put(prev_hash);
    put(&record.notice_id.to_be_bytes());
    put(&record.seq.to_be_bytes());
    put(&record.at.unix_timestamp().to_be_bytes());
    put(record.actor.as_bytes());
    put(record.action.as_bytes());
    put(record.detail.as_bytes());
}

/// The seal of `record` following an entry whose seal is `prev_hash`.
pub fn entry_hash(key: &AuditKey, prev_hash: &[u8; 32], record: &AuditRecord) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(&key.secret).expect("HMAC takes keys of any size");
    encode(
        &mut |b| mac.update(b),
        b"portal-audit-v2",
        prev_hash,
        record,
    );
    mac.finalize().into_bytes().into()
}

/// The unkeyed hash that entries carried before trails were keyed (to check them before
/// [`reseal_legacy`], and for tests that write such trails).
pub fn legacy_hash(prev_hash: &[u8; 32], record: &AuditRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    encode(&mut |b| h.update(b), b"portal-audit-v1", prev_hash, record);
    h.finalize().into()
}

/// Seals a new record after the trail's last entry (`None` for the first).
pub fn seal(key: &AuditKey, last: Option<&StoredEntry>, record: AuditRecord) -> StoredEntry {
    let prev_hash = last.map(|e| e.hash).unwrap_or(GENESIS);
    let hash = entry_hash(key, &prev_hash, &record);
    StoredEntry {
        record,
        key_id: key.id.clone(),
        prev_hash,
        hash,
    }
}

fn check_order(entry: &StoredEntry, i: usize, prev: &[u8; 32]) -> Result<i64, ChainBreak> {
    let expected = i as i64 + 1;
    if entry.record.seq != expected {
        return Err(ChainBreak::Gap { expected });
    }
    if entry.prev_hash != *prev {
        return Err(ChainBreak::BrokenLink { seq: expected });
    }
    Ok(expected)
}

/// Checks a whole trail, in sequence order, with the keys of `keyring`.
pub fn verify(entries: &[StoredEntry], keyring: &Keyring) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    for (i, entry) in entries.iter().enumerate() {
        let seq = check_order(entry, i, &prev)?;
        let key = keyring
            .get(&entry.key_id)
            .ok_or_else(|| ChainBreak::UnknownKey {
                seq,
                key_id: entry.key_id.clone(),
            })?;
        if entry_hash(key, &prev, &entry.record) != entry.hash {
            return Err(ChainBreak::Altered { seq });
        }
        prev = entry.hash;
    }
    Ok(())
}

/// Checks a trail written entirely before keying (unkeyed, every entry [`LEGACY_KEY_ID`]) and
/// returns it sealed with the keyring's current key, content unchanged.
pub fn reseal_legacy(
    entries: &[StoredEntry],
    key: &AuditKey,
) -> Result<Vec<StoredEntry>, ChainBreak> {
    let mut prev = GENESIS;
    for (i, entry) in entries.iter().enumerate() {
        let seq = check_order(entry, i, &prev)?;
        if entry.key_id != LEGACY_KEY_ID {
            return Err(ChainBreak::UnknownKey {
                seq,
                key_id: entry.key_id.clone(),
            });
        }
        if legacy_hash(&prev, &entry.record) != entry.hash {
            return Err(ChainBreak::Altered { seq });
        }
        prev = entry.hash;
    }
    let mut out: Vec<StoredEntry> = Vec::with_capacity(entries.len());
    for entry in entries {
        let sealed = seal(key, out.last(), entry.record.clone());
        out.push(sealed);
    }
    Ok(out)
}

/// Lower-case hexadecimal, for display and storage.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 32-byte value from 64 hexadecimal digits.
pub fn hash_from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(id: &str, byte: u8) -> AuditKey {
        AuditKey::new(id, [byte; 32])
    }

    fn record(seq: i64) -> AuditRecord {
        AuditRecord {
            notice_id: 42,
            seq,
            at: datetime!(2026-11-24 09:00 UTC) + time::Duration::minutes(seq),
            actor: if seq % 2 == 0 {
                "staff@portal.test (staff)".into()
            } else {
                "alice@acme.test (customer)".into()
            },
            action: format!("action_{seq}"),
            detail: format!("detail {seq}"),
        }
    }

    fn trail(key: &AuditKey, n: i64) -> Vec<StoredEntry> {
        let mut out: Vec<StoredEntry> = Vec::new();
        for seq in 1..=n {
            let sealed = seal(key, out.last(), record(seq));
            out.push(sealed);
        }
        out
    }

    fn ring(keys: &[AuditKey]) -> Keyring {
        Keyring::new(keys.to_vec()).unwrap()
    }

    #[test]
    fn an_untouched_trail_verifies() {
        let k = key("k1", 1);
        assert_eq!(
            verify(&trail(&k, 5), &ring(std::slice::from_ref(&k))),
            Ok(())
        );
        assert_eq!(verify(&[], &ring(&[k])), Ok(()));
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let k = key("k1", 1);
        let mut t = trail(&k, 5);
        t[2].record.detail = "detail 3, quietly changed".into();
        assert_eq!(verify(&t, &ring(&[k])), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn resealing_without_the_key_is_detected() {
        let k = key("k1", 1);
        let forger = key("k1", 2);
        let mut t = trail(&k, 5);
        t[2].record.actor = "someone else".into();
        t[2].hash = entry_hash(&forger, &t[2].prev_hash, &t[2].record);
        assert_eq!(
            verify(&t, &ring(std::slice::from_ref(&k))),
            Err(ChainBreak::Altered { seq: 3 })
        );
        let rewritten = trail(&forger, 5);
        assert_eq!(
            verify(&rewritten, &ring(&[k])),
            Err(ChainBreak::Altered { seq: 1 }),
            "a whole trail rewritten under another secret"
        );
    }

    #[test]
    fn a_deleted_entry_is_detected() {
        let k = key("k1", 1);
        let mut t = trail(&k, 5);
        t.remove(1);
        assert_eq!(
            verify(&t, &ring(std::slice::from_ref(&k))),
            Err(ChainBreak::Gap { expected: 2 })
        );
        let mut last_gone = trail(&k, 5);
        last_gone.pop();
        assert_eq!(
            verify(&last_gone, &ring(&[k])),
            Ok(()),
            "a truncated tail is found by comparing with the case's entry count"
        );
    }

    #[test]
    fn rotated_keys_verify_old_entries_and_seal_new_ones() {
        let (old, new) = (key("2025", 1), key("2026", 2));
        let mut t = trail(&old, 3);
        let next = seal(&new, t.last(), record(4));
        t.push(next);
        assert_eq!(t[3].key_id, "2026");
        assert_eq!(verify(&t, &ring(&[new.clone(), old])), Ok(()));
        assert_eq!(
            verify(&t, &ring(&[new])),
            Err(ChainBreak::UnknownKey {
                seq: 1,
                key_id: "2025".into()
            }),
            "dropping a key leaves its entries unverifiable"
        );
    }

    #[test]
    fn legacy_trails_verify_only_once_resealed() {
        let k = key("k1", 1);
        let mut legacy: Vec<StoredEntry> = Vec::new();
        for seq in 1..=3 {
            let prev_hash = legacy.last().map(|e| e.hash).unwrap_or(GENESIS);
            let r = record(seq);
            legacy.push(StoredEntry {
                hash: legacy_hash(&prev_hash, &r),
                record: r,
                key_id: LEGACY_KEY_ID.into(),
                prev_hash,
            });
        }
        assert!(matches!(
            verify(&legacy, &ring(std::slice::from_ref(&k))),
            Err(ChainBreak::UnknownKey { seq: 1, .. })
        ));
        let resealed = reseal_legacy(&legacy, &k).unwrap();
        assert_eq!(verify(&resealed, &ring(std::slice::from_ref(&k))), Ok(()));
        assert_eq!(resealed[2].record, legacy[2].record, "content unchanged");

        let mut tampered = legacy.clone();
        tampered[1].record.detail = "changed before resealing".into();
        assert_eq!(
            reseal_legacy(&tampered, &k),
            Err(ChainBreak::Altered { seq: 2 })
        );
        let keyed = trail(&k, 2);
        assert!(
            reseal_legacy(&keyed, &k).is_err(),
            "keyed entries are never resealed"
        );
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        let k = key("k1", 1);
        let a = AuditRecord {
            notice_id: 1,
            seq: 1,
            at: datetime!(2026-01-01 0:00 UTC),
            actor: "ab".into(),
            action: "c".into(),
            detail: String::new(),
        };
        let b = AuditRecord {
            actor: "a".into(),
            action: "bc".into(),
            ..a.clone()
        };
        assert_ne!(entry_hash(&k, &GENESIS, &a), entry_hash(&k, &GENESIS, &b));
    }

    #[test]
    fn keyring_files() {
        let text = new_keyring_file("k1", [7; 32]);
        let ring = Keyring::parse(&text).unwrap();
        assert_eq!(ring.current().id(), "k1");
        let two = Keyring::parse(&format!("k2 {}\n{text}", "ab".repeat(32))).unwrap();
        assert_eq!(two.current().id(), "k2");
        assert!(two.get("k1").is_some());
        assert_eq!(Keyring::parse("# nothing\n"), Err(KeyError::Empty));
        assert_eq!(
            Keyring::parse("k1 abc"),
            Err(KeyError::Malformed { line: 1 })
        );
        assert!(matches!(
            Keyring::parse(&format!("legacy {}", "ab".repeat(32))),
            Err(KeyError::BadId { .. })
        ));
        assert!(matches!(
            Keyring::parse(&format!("k1 {0}\nk1 {0}", "ab".repeat(32))),
            Err(KeyError::BadId { line: 2, .. })
        ));
        assert!(
            !format!("{:?}", ring.current()).contains("0707"),
            "Debug hides the secret"
        );
    }

    #[test]
    fn hex() {
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
        let h = entry_hash(&key("k1", 1), &GENESIS, &record(1));
        assert_eq!(hash_from_hex(&to_hex(&h)), Some(h));
        assert_eq!(hash_from_hex("zz"), None);
        assert_eq!(hash_from_hex(&"g".repeat(64)), None);
    }
}
