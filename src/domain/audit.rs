//! The audit trail's integrity: each entry's hash covers its content and the previous entry's
//! hash, so editing, deleting or reordering any entry breaks every hash after it.
//!
//! The hash is SHA-256 over a fixed, length-prefixed encoding, so that no two different entries
//! encode alike.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The `prev_hash` of a case's first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// What an audit entry records; the hash covers every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// The case.
    pub notice_id: i64,
    /// Position in the case's trail, from 1 without gaps.
    pub seq: i64,
    /// When it happened (whole seconds are hashed).
    pub at: OffsetDateTime,
    /// Who: a user's e-mail and role, or "system".
    pub actor: String,
    /// What, as a stable action name (`evidence_rejected`, …).
    pub action: String,
    /// Details shown in the timeline (reasons, changed values).
    pub detail: String,
}

/// An entry as stored: the record, the previous entry's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The content.
    pub record: AuditRecord,
    /// The hash of the entry before (or [`GENESIS`]).
    pub prev_hash: [u8; 32],
    /// This entry's hash.
    pub hash: [u8; 32],
}

/// Where and how a trail fails verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// An entry is missing or out of order before this position.
    #[error("entry {expected} is missing or out of order")]
    Gap {
        /// The sequence number that should stand here.
        expected: i64,
    },
    /// The entry's stored link does not match the previous entry's hash.
    #[error("entry {seq} does not follow the entry before it")]
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// The entry's content does not match its hash (it was edited).
    #[error("entry {seq} was altered")]
    Altered {
        /// The entry.
        seq: i64,
    },
}

fn put(hasher: &mut Sha256, field: &[u8]) {
    hasher.update((field.len() as u64).to_be_bytes());
    hasher.update(field);
}

/// The hash of `record` following an entry whose hash is `prev_hash`.
pub fn entry_hash(prev_hash: &[u8; 32], record: &AuditRecord) -> [u8; 32] {
    let mut h = Sha256::new();
    put(&mut h, b"portal-audit-v1");
    put(&mut h, prev_hash);
    put(&mut h, &record.notice_id.to_be_bytes());
    put(&mut h, &record.seq.to_be_bytes());
    put(&mut h, &record.at.unix_timestamp().to_be_bytes());
    put(&mut h, record.actor.as_bytes());
    put(&mut h, record.action.as_bytes());
    put(&mut h, record.detail.as_bytes());
    h.finalize().into()
}

/// Seals a new record after the trail's last entry (`None` for the first).
pub fn seal(last: Option<&StoredEntry>, record: AuditRecord) -> StoredEntry {
    let prev_hash = last.map(|e| e.hash).unwrap_or(GENESIS);
    let hash = entry_hash(&prev_hash, &record);
    StoredEntry {
        record,
        prev_hash,
        hash,
    }
}

/// Checks a whole trail, in sequence order.
pub fn verify(entries: &[StoredEntry]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS;
    for (i, entry) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if entry.record.seq != expected {
            return Err(ChainBreak::Gap { expected });
        }
        if entry.prev_hash != prev {
            return Err(ChainBreak::BrokenLink { seq: expected });
        }
        if entry_hash(&prev, &entry.record) != entry.hash {
            return Err(ChainBreak::Altered { seq: expected });
        }
        prev = entry.hash;
    }
    Ok(())
}

/// Lower-case hexadecimal, for display and storage.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A 32-byte hash from 64 hexadecimal digits.
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

    fn trail(n: i64) -> Vec<StoredEntry> {
        let mut out: Vec<StoredEntry> = Vec::new();
        for seq in 1..=n {
            let record = AuditRecord {
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
            };
            let sealed = seal(out.last(), record);
            out.push(sealed);
        }
        out
    }

    #[test]
    fn an_untouched_trail_verifies() {
        assert_eq!(verify(&trail(5)), Ok(()));
        assert_eq!(verify(&[]), Ok(()));
    }

    #[test]
    fn an_edited_entry_is_detected() {
        let mut t = trail(5);
        t[2].record.detail = "detail 3, quietly changed".into();
        assert_eq!(verify(&t), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn an_edited_and_rehashed_entry_breaks_the_next_link() {
        let mut t = trail(5);
        t[2].record.actor = "someone else".into();
        t[2].hash = entry_hash(&t[2].prev_hash, &t[2].record);
        assert_eq!(verify(&t), Err(ChainBreak::BrokenLink { seq: 4 }));
    }

    #[test]
    fn a_deleted_entry_is_detected() {
        let mut t = trail(5);
        t.remove(1);
        assert_eq!(verify(&t), Err(ChainBreak::Gap { expected: 2 }));
        let mut last_gone = trail(5);
        last_gone.pop();
        assert_eq!(
            verify(&last_gone),
            Ok(()),
            "a truncated tail is found by comparing with the case's entry count"
        );
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
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
        assert_ne!(entry_hash(&GENESIS, &a), entry_hash(&GENESIS, &b));
    }

    #[test]
    fn hex() {
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
        let h = entry_hash(&GENESIS, &trail(1)[0].record);
        assert_eq!(hash_from_hex(&to_hex(&h)), Some(h));
        assert_eq!(hash_from_hex("zz"), None);
        assert_eq!(hash_from_hex(&"g".repeat(64)), None);
    }
}
