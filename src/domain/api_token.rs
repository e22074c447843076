//! API tokens: what a token may do (its scopes) and what a token looks like. A token is shown
//! once when made; only its SHA-256 is kept. Each token acts for the admin who made it, and
//! stops working when that account is no longer an active admin.

use super::names::named_enum;

named_enum!(
    /// What an API token may do.
    ApiScope, "API scope" {
        /// Read organisations, services and addresses.
        InventoryRead = "inventory:read", "Read the inventory";
        /// Create and change organisations, services and addresses.
        InventoryWrite = "inventory:write", "Change the inventory";
        /// Send abuse reports (ARF, X-ARF).
        ReportsWrite = "reports:write", "Send abuse reports";
    }
);

/// How every token starts, so that one found in a log or a repository is recognisable.
pub const TOKEN_PREFIX: &str = "apt_";

/// Whether a presented value has the shape of a token (`apt_` and 64 hexadecimal digits).
pub fn looks_like_token(raw: &str) -> bool {
    raw.strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Reads scopes as stored or typed (`inventory:read inventory:write`, commas allowed); at least
/// one, each known.
pub fn parse_scopes(raw: &str) -> Result<Vec<ApiScope>, String> {
    let mut scopes: Vec<ApiScope> = Vec::new();
    for item in raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let scope: ApiScope = item.parse().map_err(|_| {
            format!(
                "{item:?} is not a scope; use {}.",
                ApiScope::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        })?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err("Give the token at least one scope.".into());
    }
    Ok(scopes)
}

/// Scopes as stored: space-separated.
pub fn scopes_text(scopes: &[ApiScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_and_written_back() {
        assert_eq!(
            parse_scopes("inventory:read, inventory:write inventory:read"),
            Ok(vec![ApiScope::InventoryRead, ApiScope::InventoryWrite])
        );
        assert_eq!(
            scopes_text(&[ApiScope::InventoryRead, ApiScope::InventoryWrite]),
            "inventory:read inventory:write"
        );
        assert!(parse_scopes("").is_err());
        assert!(parse_scopes("everything")
            .unwrap_err()
            .contains("\"everything\" is not a scope"));
    }

    #[test]
    fn tokens_have_a_recognisable_shape() {
        assert!(looks_like_token(&format!("apt_{}", "a1".repeat(32))));
        assert!(!looks_like_token(&"a1".repeat(32)));
        assert!(!looks_like_token("apt_short"));
        assert!(!looks_like_token(&format!("apt_{}", "zz".repeat(32))));
    }
}
