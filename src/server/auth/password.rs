//! Argon2id password hashing, off the async executor, with bounded concurrency and a bounded
//! queue: when as many hashes wait as the queue holds, the next is refused at once ([`HashError::Busy`],
//! answered with 503) rather than waiting behind an unbounded pile.
//!
//! Parameters follow OWASP's recommendation (m = 19456 KiB, t = 2, p = 1). Verifying a sign-in
//! for an unknown e-mail runs the same work against a dummy hash, so the answer and its timing
//! do not tell an unknown account from a wrong password.

use crate::domain::account::Password;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Why hashing failed; never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The stored hash is not a valid PHC string, or argon2 failed.
    #[error("password hashing failed: {0}")]
    Argon2(String),
    /// The blocking task panicked or was cancelled.
    #[error("password hashing task failed: {0}")]
    Task(String),
    /// Every slot and every place in the queue is taken.
    #[error("too many password hashes are waiting")]
    Busy,
}

/// Hashes and verifies passwords on the blocking pool, at most `concurrency` at a time and at
/// most `queue` more waiting.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Hashes running or waiting.
    outstanding: Arc<AtomicUsize>,
    capacity: usize,
    dummy_hash: Arc<str>,
}

/// Counts a hash as outstanding until dropped.
struct Outstanding(Arc<AtomicUsize>);

impl Drop for Outstanding {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("available_permits", &self.permits.available_permits())
            .field("outstanding", &self.outstanding.load(Ordering::Relaxed))
            .finish()
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: Argon2id, m=19456 KiB, t=2, p=1.
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_blocking(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

fn verify_blocking(stored: &str, password: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(stored).map_err(|e| HashError::Argon2(e.to_string()))?;
    match argon2().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(HashError::Argon2(e.to_string())),
    }
}

impl PasswordHasher {
    /// A hasher allowing `concurrency` hashes at once (at least one) and `queue` more waiting.
    pub fn new(concurrency: usize, queue: usize) -> Result<Self, HashError> {
        let dummy_hash = hash_blocking("dummy password that matches no account")?;
        let concurrency = concurrency.max(1);
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency)),
            outstanding: Arc::new(AtomicUsize::new(0)),
            capacity: concurrency + queue,
            dummy_hash: dummy_hash.into(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let before = self.outstanding.fetch_add(1, Ordering::AcqRel);
        let _outstanding = Outstanding(self.outstanding.clone());
        if before >= self.capacity {
            return Err(HashError::Busy);
        }
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| HashError::Task(e.to_string()))?
    }

    /// A new PHC hash string for the password.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move || hash_blocking(&password)).await
    }

    /// Whether `password` matches `stored`; with no stored hash (unknown account), does the same
    /// work against a dummy hash and answers `false`.
    pub async fn verify(&self, stored: Option<&str>, password: &str) -> Result<bool, HashError> {
        let known = stored.is_some();
        let stored = stored.unwrap_or(&self.dummy_hash).to_owned();
        let password = password.to_owned();
        let matches = self
            .run(move || verify_blocking(&stored, &password))
            .await?;
        Ok(known && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hasher = PasswordHasher::new(2, 4).unwrap();
        let hash = hasher
            .hash(&Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher
            .verify(Some(&hash), "correct horse battery")
            .await
            .unwrap());
        assert!(!hasher
            .verify(Some(&hash), "correct horse battery!")
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = PasswordHasher::new(1, 4).unwrap();
        assert!(!hasher
            .verify(None, "dummy password that matches no account")
            .await
            .unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_instead_of_waiting() {
        let hasher = PasswordHasher::new(1, 2).unwrap();
        let hash = hasher
            .hash(&Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        let attempts: Vec<_> = (0..12)
            .map(|_| {
                let (hasher, hash) = (hasher.clone(), hash.clone());
                tokio::spawn(async move { hasher.verify(Some(&hash), "wrong password!").await })
            })
            .collect();
        let mut busy = 0;
        let mut checked = 0;
        for a in attempts {
            match a.await.unwrap() {
                Err(HashError::Busy) => busy += 1,
                Ok(false) => checked += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(
            checked >= 3,
            "one running and two queued at least: {checked}"
        );
        assert!(
            busy >= 1,
            "the rest refused: {busy} busy, {checked} checked"
        );
        assert_eq!(busy + checked, 12);
        assert!(
            hasher
                .verify(Some(&hash), "correct horse battery")
                .await
                .unwrap(),
            "free again"
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = PasswordHasher::new(1, 4).unwrap();
        assert!(hasher
            .verify(Some("not-a-phc-string"), "whatever")
            .await
            .is_err());
    }
}
