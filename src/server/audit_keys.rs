//! The audit keyring file (`PORTAL_AUDIT_KEY_FILE`): read at every start, and created with one
//! fresh key when it does not exist yet. The keys never enter the database.

use crate::domain::audit::{new_keyring_file, Keyring};
use std::io::Write;
use std::path::Path;

/// Reads the keyring at `path`, creating it (readable by its owner only) with a new random key
/// when the file is missing.
pub fn load_or_create(path: &Path) -> Result<Keyring, String> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            Keyring::parse(&text).map_err(|e| format!("the audit key file {shown}: {e}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            let today = time::OffsetDateTime::now_utc().date();
            let id = format!(
                "k{:04}{:02}{:02}",
                today.year(),
                u8::from(today.month()),
                today.day()
            );
            let text = new_keyring_file(&id, rand::random());
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(|e| format!("cannot create the audit key file {shown}: {e}"))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write the audit key file {shown}: {e}"))?;
            tracing::warn!(
                path = %shown,
                "created a new audit key file: back it up, since audit trails cannot be verified without it"
            );
            Keyring::parse(&text).map_err(|e| format!("the audit key file {shown}: {e}"))
        }
        Err(e) => Err(format!("cannot read the audit key file {shown}: {e}")),
    }
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the audit key file is readable by others: chmod 600 it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_created_once_and_then_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/audit-keys");
        let first = load_or_create(&path).unwrap();
        let again = load_or_create(&path).unwrap();
        assert_eq!(first, again, "the same key on the next start");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit-keys");
        std::fs::write(&path, "k1 not-hex\n").unwrap();
        let err = load_or_create(&path).unwrap_err();
        assert!(
            err.contains("audit-keys") && err.contains("line 1"),
            "{err}"
        );
    }
}
