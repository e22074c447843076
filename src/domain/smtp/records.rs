//! The DNS records a sender publishes besides SPF: a DKIM public key (RFC 6376 §3.6.1) and a
//! DMARC policy (RFC 7489 §6.3), parsed into what the checks report.

/// Splits `tag=value; tag=value` into pairs, tags lower-cased, whitespace removed from values.
fn tags(record: &str) -> Result<Vec<(String, String)>, String> {
    record
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (tag, value) = part
                .split_once('=')
                .ok_or_else(|| format!("\"{part}\" is not a tag=value pair"))?;
            let value: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            Ok((tag.trim().to_ascii_lowercase(), value))
        })
        .collect()
}

/// The key type of a DKIM record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DkimKeyType {
    /// RSA (the default).
    Rsa,
    /// Ed25519.
    Ed25519,
}

/// A DKIM key record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DkimKey {
    /// The key type.
    pub key_type: DkimKeyType,
    /// The decoded key's length in bytes; 0 when the key was revoked (`p=` empty).
    pub key_bytes: usize,
}

impl DkimKey {
    /// Whether an RSA key is shorter than 1024 bits (its DER encoding under 140 bytes), which
    /// receivers treat as no signature at all.
    pub fn is_weak(&self) -> bool {
        self.key_type == DkimKeyType::Rsa && self.key_bytes > 0 && self.key_bytes < 140
    }
}

/// Parses a DKIM key record (`v=DKIM1; k=rsa; p=…`).
pub fn parse_dkim(record: &str) -> Result<DkimKey, String> {
    let tags = tags(record)?;
    if let Some(pos) = tags.iter().position(|(t, _)| t == "v") {
        if pos != 0 || tags[0].1 != "DKIM1" {
            return Err("\"v=DKIM1\" must come first when it is given".to_owned());
        }
    }
    let key_type = match tags.iter().find(|(t, _)| t == "k").map(|(_, v)| v.as_str()) {
        None | Some("rsa") => DkimKeyType::Rsa,
        Some("ed25519") => DkimKeyType::Ed25519,
        Some(other) => {
            return Err(format!(
                "the key type \"{other}\" is not one receivers know"
            ))
        }
    };
    let p = tags
        .iter()
        .find(|(t, _)| t == "p")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| "it has no public key (p=)".to_owned())?;
    let key_bytes =
        base64_len(p).ok_or_else(|| "the public key (p=) is not valid base64".to_owned())?;
    Ok(DkimKey {
        key_type,
        key_bytes,
    })
}

/// The decoded length of a base64 text, or `None` when it is not base64.
fn base64_len(text: &str) -> Option<usize> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    if padding > 2
        || !body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        || (padding > 0 && !text.len().is_multiple_of(4))
        || body.len() % 4 == 1
    {
        return None;
    }
    Some(body.len() * 3 / 4)
}

/// What a DMARC policy asks receivers to do with mail that fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmarcPolicy {
    /// Only report.
    None,
    /// Treat as suspicious.
    Quarantine,
    /// Refuse.
    Reject,
}

impl DmarcPolicy {
    /// The record's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcPolicy::None => "none",
            DmarcPolicy::Quarantine => "quarantine",
            DmarcPolicy::Reject => "reject",
        }
    }
}

/// A DMARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dmarc {
    /// The policy (`p=`).
    pub policy: DmarcPolicy,
    /// Strict DKIM alignment (`adkim=s`); relaxed otherwise.
    pub strict_dkim: bool,
    /// Strict SPF alignment (`aspf=s`); relaxed otherwise.
    pub strict_spf: bool,
    /// Whether aggregate reports are asked for (`rua=`).
    pub reports: bool,
}

/// Parses a DMARC record (`v=DMARC1; p=…`).
pub fn parse_dmarc(record: &str) -> Result<Dmarc, String> {
    let tags = tags(record)?;
    match tags.first() {
        Some((t, v)) if t == "v" && v == "DMARC1" => {}
        _ => return Err("it must start with \"v=DMARC1\"".to_owned()),
    }
    let get = |name: &str| {
        tags.iter()
            .find(|(t, _)| t == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let policy = match get("p").as_deref() {
        Some("none") => DmarcPolicy::None,
        Some("quarantine") => DmarcPolicy::Quarantine,
        Some("reject") => DmarcPolicy::Reject,
        Some(other) => {
            return Err(format!(
                "the policy \"p={other}\" is not none, quarantine or reject"
            ))
        }
        None => return Err("it has no policy (p=)".to_owned()),
    };
    let alignment = |name: &str| match get(name).as_deref() {
        None | Some("r") => Ok(false),
        Some("s") => Ok(true),
        Some(other) => Err(format!("\"{name}={other}\" must be r or s")),
    };
    Ok(Dmarc {
        policy,
        strict_dkim: alignment("adkim")?,
        strict_spf: alignment("aspf")?,
        reports: get("rua").is_some_and(|v| !v.is_empty()),
    })
}

/// Whether a TXT string is a DMARC record.
pub fn is_dmarc_record(txt: &str) -> bool {
    txt.trim_start()
        .to_ascii_lowercase()
        .starts_with("v=dmarc1")
}

#[cfg(test)]
mod tests {
    use super::*;

    // A 2048-bit RSA SubjectPublicKeyInfo is 294 bytes: 392 base64 characters.
    fn rsa_2048() -> String {
        format!(
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}",
            "A".repeat(392 - 44)
        )
    }

    #[test]
    fn dkim_keys() {
        let key = parse_dkim(&format!("v=DKIM1; k=rsa; p={}", rsa_2048())).unwrap();
        assert_eq!(key.key_type, DkimKeyType::Rsa);
        assert_eq!(key.key_bytes, 294);
        assert!(!key.is_weak());
        let revoked = parse_dkim("v=DKIM1; p=").unwrap();
        assert_eq!(revoked.key_bytes, 0);
        let weak = parse_dkim(&format!("p={}", "A".repeat(120))).unwrap();
        assert!(weak.is_weak(), "a 512-bit key");
        let ed = parse_dkim("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=").unwrap();
        assert_eq!(ed.key_type, DkimKeyType::Ed25519);
        assert_eq!(ed.key_bytes, 32);
        // Keys are often split over several strings with spaces between.
        assert_eq!(parse_dkim("p=AAAA AAAA").unwrap().key_bytes, 6);
    }

    #[test]
    fn broken_dkim_records() {
        assert_eq!(
            parse_dkim("v=DKIM1; k=rsa").unwrap_err(),
            "it has no public key (p=)"
        );
        assert_eq!(
            parse_dkim("k=rsa; v=DKIM1; p=AAAA").unwrap_err(),
            "\"v=DKIM1\" must come first when it is given"
        );
        assert_eq!(
            parse_dkim("p=not*base64").unwrap_err(),
            "the public key (p=) is not valid base64"
        );
        assert!(parse_dkim("k=dsa; p=AAAA").is_err());
        assert!(parse_dkim("garbage").is_err());
    }

    #[test]
    fn dmarc_records() {
        let d = parse_dmarc("v=DMARC1; p=reject; adkim=s; rua=mailto:d@example.com").unwrap();
        assert_eq!(d.policy, DmarcPolicy::Reject);
        assert!(d.strict_dkim);
        assert!(!d.strict_spf);
        assert!(d.reports);
        let minimal = parse_dmarc("v=DMARC1;p=none").unwrap();
        assert_eq!(minimal.policy, DmarcPolicy::None);
        assert!(!minimal.reports);
        assert_eq!(
            parse_dmarc("p=none; v=DMARC1").unwrap_err(),
            "it must start with \"v=DMARC1\""
        );
        assert_eq!(
            parse_dmarc("v=DMARC1; rua=mailto:x@example.com").unwrap_err(),
            "it has no policy (p=)"
        );
        assert!(parse_dmarc("v=DMARC1; p=block").is_err());
        assert!(parse_dmarc("v=DMARC1; p=none; aspf=x").is_err());
        assert!(is_dmarc_record("v=DMARC1; p=none"));
        assert!(!is_dmarc_record("v=spf1 -all"));
    }
}
