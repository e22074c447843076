//! The provider's inventory as people type it: IP address blocks (a single IPv4 or IPv6 address,
//! or a prefix), service labels and an organisation's contacts. Blocks are kept as the range of
//! 128-bit numbers they cover (IPv4 inside `::ffff:0:0/96`, as RFC 4291 maps it), written as 32
//! hexadecimal digits, so that "does this block overlap that one" and "which block holds this
//! address" are plain comparisons that any database can index.

use super::account::Email;
use super::form::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The widest IPv4 prefix one assignment may take (a /16 is 65,536 addresses).
pub const MIN_V4_PREFIX: u8 = 16;
/// The widest IPv6 prefix one assignment may take.
pub const MIN_V6_PREFIX: u8 = 32;

/// An IPv4 or IPv6 address, or a prefix, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IpBlock {
    /// The network address.
    pub network: IpAddr,
    /// The prefix length; 32 (IPv4) or 128 (IPv6) for a single address.
    pub prefix: u8,
}

/// Why a typed block was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// Not an address or a prefix.
    #[error(
        "Enter an IPv4 or IPv6 address (203.0.113.7) or a prefix (203.0.113.0/28, 2001:db8::/64)."
    )]
    Malformed,
    /// The prefix length is out of range for the family.
    #[error("That prefix length does not exist for this kind of address.")]
    BadLength,
    /// A prefix wider than one assignment may take.
    #[error("That prefix is too wide for one service: at most /{MIN_V4_PREFIX} for IPv4 and /{MIN_V6_PREFIX} for IPv6.")]
    TooWide,
    /// Host bits are set after the prefix.
    #[error("That is not the start of a prefix; did you mean {0}?")]
    HostBits(String),
    /// An address no service can hold (loopback, unspecified, multicast, link-local).
    #[error("{0} cannot be assigned to a service.")]
    Reserved(String),
}

impl IpBlock {
    /// Reads `203.0.113.7`, `203.0.113.0/28`, `2001:DB8::1`, `2001:db8:ac::/64`.
    pub fn parse(raw: &str) -> Result<IpBlock, BlockError> {
        let raw = raw.trim();
        let (addr, prefix) = match raw.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw, None),
        };
        let network: IpAddr = addr.parse().map_err(|_| BlockError::Malformed)?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(BlockError::Malformed);
                }
                p.parse::<u8>().map_err(|_| BlockError::BadLength)?
            }
        };
        if prefix > max {
            return Err(BlockError::BadLength);
        }
        let min = if network.is_ipv4() {
            MIN_V4_PREFIX
        } else {
            MIN_V6_PREFIX
        };
        if prefix < min {
            return Err(BlockError::TooWide);
        }
        let block = IpBlock { network, prefix };
        let masked = block.masked_network();
        if masked != network {
            return Err(BlockError::HostBits(
                IpBlock {
                    network: masked,
                    prefix,
                }
                .to_string(),
            ));
        }
        if reserved(network) {
            return Err(BlockError::Reserved(block.to_string()));
        }
        Ok(block)
    }

    /// A single address.
    pub fn address(ip: IpAddr) -> IpBlock {
        IpBlock {
            network: ip,
            prefix: if ip.is_ipv4() { 32 } else { 128 },
        }
    }

    /// Whether it is one address rather than a prefix.
    pub fn is_single(&self) -> bool {
        self.prefix == if self.network.is_ipv4() { 32 } else { 128 }
    }

    fn masked_network(&self) -> IpAddr {
        match self.network {
            IpAddr::V4(v4) => {
                let bits = u32::from(v4);
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                IpAddr::V4(Ipv4Addr::from(bits & mask))
            }
            IpAddr::V6(v6) => {
                let bits = u128::from(v6);
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                IpAddr::V6(Ipv6Addr::from(bits & mask))
            }
        }
    }

    /// The first and last address covered, as 128-bit numbers (IPv4 mapped into `::ffff:0:0/96`).
    pub fn range(&self) -> (u128, u128) {
        let start = number(self.network);
        let host_bits = if self.network.is_ipv4() {
            32 - u32::from(self.prefix)
        } else {
            128 - u32::from(self.prefix)
        };
        let span = if host_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        (start, start + span)
    }

    /// The range as stored: two strings of 32 lower-case hexadecimal digits, which sort as the
    /// numbers do.
    pub fn range_keys(&self) -> (String, String) {
        let (start, end) = self.range();
        (key(start), key(end))
    }

    /// Whether the block covers `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (start, end) = self.range();
        (start..=end).contains(&number(ip))
    }

    /// Whether the two blocks share an address.
    pub fn overlaps(&self, other: &IpBlock) -> bool {
        let (a, b) = self.range();
        let (c, d) = other.range();
        a <= d && c <= b
    }
}

/// The storage key of one address (see [`IpBlock::range_keys`]).
pub fn address_key(ip: IpAddr) -> String {
    key(number(ip))
}

fn key(n: u128) -> String {
    format!("{n:032x}")
}

fn number(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn reserved(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_link_local()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6.to_ipv4_mapped().is_some()
        }
    }
}

impl fmt::Display for IpBlock {
    /// `203.0.113.7`, `203.0.113.0/28`, `2001:db8:ac::/64` (single addresses without a length).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

/// The longest service label accepted (a host name).
pub const MAX_LABEL_CHARS: usize = 253;

/// Checks a service's label: a host name or a short name, unique within its organisation.
pub fn service_label(raw: &str) -> Result<String, FieldError> {
    let label = raw.trim();
    let ok = !label.is_empty()
        && label.chars().count() <= MAX_LABEL_CHARS
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(label.to_lowercase())
    } else {
        Err(FieldError {
            field: "label".into(),
            message: "Name the service by its host name (letters, digits, dots, dashes), for example web-01.example.com.".into(),
        })
    }
}

/// Who the provider writes to at an organisation: for abuse notices, invoices, technical
/// matters; and a telephone number. Each may be left out except the abuse contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// Abuse notices go here.
    pub abuse_email: Option<String>,
    /// Invoices go here.
    pub billing_email: Option<String>,
    /// Technical questions go here.
    pub technical_email: Option<String>,
    /// A telephone number for urgent cases.
    pub phone: Option<String>,
}

impl Contacts {
    /// Checks the contacts as typed; each problem names its field.
    pub fn parse(
        abuse: &str,
        billing: &str,
        technical: &str,
        phone: &str,
    ) -> Result<Contacts, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut email = |field: &str, raw: &str, required: bool| -> Option<String> {
            let raw = raw.trim();
            if raw.is_empty() {
                if required {
                    errors.push(FieldError {
                        field: field.into(),
                        message: "Give the address abuse notices go to.".into(),
                    });
                }
                return None;
            }
            match Email::parse(raw) {
                Ok(e) => Some(e.as_str().to_owned()),
                Err(e) => {
                    errors.push(FieldError {
                        field: field.into(),
                        message: e.to_string(),
                    });
                    None
                }
            }
        };
        let abuse_email = email("abuse_email", abuse, true);
        let billing_email = email("billing_email", billing, false);
        let technical_email = email("technical_email", technical, false);
        let phone = phone.trim();
        let phone_ok = phone.is_empty()
            || (phone.len() <= 40
                && phone.chars().filter(|c| c.is_ascii_digit()).count() >= 5
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c)));
        if !phone_ok {
            errors.push(FieldError {
                field: "phone".into(),
                message: "Enter a telephone number of digits, spaces and + - ( ), for example +44 20 7946 0000.".into(),
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Contacts {
            abuse_email,
            billing_email,
            technical_email,
            phone: (!phone.is_empty()).then(|| phone.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(raw: &str) -> IpBlock {
        IpBlock::parse(raw).unwrap()
    }

    #[test]
    fn blocks_parse_into_canonical_form() {
        assert_eq!(block("203.0.113.7").to_string(), "203.0.113.7");
        assert_eq!(block(" 203.0.113.0/28 ").to_string(), "203.0.113.0/28");
        assert_eq!(block("2001:DB8:AC::11").to_string(), "2001:db8:ac::11");
        assert_eq!(block("2001:db8:ac:0::/64").to_string(), "2001:db8:ac::/64");
        assert_eq!(block("203.0.113.7/32").to_string(), "203.0.113.7");
        assert!(block("203.0.113.7").is_single());
        assert!(!block("203.0.113.0/28").is_single());
    }

    #[test]
    fn bad_blocks_say_what_to_type() {
        assert_eq!(IpBlock::parse("203.0.113"), Err(BlockError::Malformed));
        assert_eq!(IpBlock::parse("203.0.113.0/"), Err(BlockError::Malformed));
        assert_eq!(IpBlock::parse("203.0.113.0/33"), Err(BlockError::BadLength));
        assert_eq!(IpBlock::parse("10.0.0.0/8"), Err(BlockError::TooWide));
        assert_eq!(IpBlock::parse("2001:db8::/16"), Err(BlockError::TooWide));
        assert_eq!(
            IpBlock::parse("203.0.113.5/28"),
            Err(BlockError::HostBits("203.0.113.0/28".into()))
        );
        assert_eq!(
            IpBlock::parse("203.0.113.5/28").unwrap_err().to_string(),
            "That is not the start of a prefix; did you mean 203.0.113.0/28?"
        );
        for reserved in [
            "127.0.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "::1",
            "fe80::1",
            "::ffff:203.0.113.7",
        ] {
            assert!(
                matches!(IpBlock::parse(reserved), Err(BlockError::Reserved(_))),
                "{reserved}"
            );
        }
    }

    #[test]
    fn ranges_cover_exactly_the_block() {
        let net = block("203.0.113.0/28");
        assert!(net.contains("203.0.113.0".parse().unwrap()));
        assert!(net.contains("203.0.113.15".parse().unwrap()));
        assert!(!net.contains("203.0.113.16".parse().unwrap()));
        let (start, end) = net.range_keys();
        assert_eq!(start, "00000000000000000000ffffcb007100");
        assert_eq!(end, "00000000000000000000ffffcb00710f");
        assert_eq!(
            address_key("203.0.113.7".parse().unwrap()),
            "00000000000000000000ffffcb007107"
        );
        // Keys sort as the addresses do, across families.
        assert!(start < end);
        assert!(
            address_key("203.0.113.255".parse().unwrap())
                < address_key("2001:db8::".parse().unwrap())
        );
        let v6 = block("2001:db8:ac::/64");
        assert!(v6.contains("2001:db8:ac::11".parse().unwrap()));
        assert!(!v6.contains("2001:db8:ad::11".parse().unwrap()));
        assert_eq!(v6.range().1 - v6.range().0, u128::from(u64::MAX));
    }

    #[test]
    fn overlaps_are_found_in_both_directions() {
        let net = block("203.0.113.0/28");
        assert!(net.overlaps(&block("203.0.113.7")));
        assert!(block("203.0.113.7").overlaps(&net));
        assert!(net.overlaps(&block("203.0.113.8/29")));
        assert!(!net.overlaps(&block("203.0.113.16/28")));
        // An IPv4 address never overlaps an IPv6 block.
        assert!(!block("203.0.113.7").overlaps(&block("2001:db8::/32")));
    }

    #[test]
    fn labels_and_contacts_are_checked_by_field() {
        assert_eq!(
            service_label(" Web-01.Example.com ").unwrap(),
            "web-01.example.com"
        );
        assert_eq!(service_label("").unwrap_err().field, "label");
        assert!(service_label("web 01").is_err());
        let ok = Contacts::parse(
            "Abuse@Example.com",
            "",
            "noc@example.com",
            "+44 20 7946 0000",
        )
        .unwrap();
        assert_eq!(ok.abuse_email.as_deref(), Some("abuse@example.com"));
        assert_eq!(ok.billing_email, None);
        assert_eq!(ok.phone.as_deref(), Some("+44 20 7946 0000"));
        let bad = Contacts::parse("", "not-an-address", "", "call me").unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["abuse_email", "billing_email", "phone"]);
    }
}

/// A row of an inventory import (a CSV export of the provider's billing or provisioning
/// system): an organisation, one of its services, and every address or prefix that service
/// holds. Importing makes the portal match the rows; importing the same file again changes
/// nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    /// The organisation's name.
    pub organisation: String,
    /// Its abuse contact; needed when the organisation is new.
    pub abuse_email: Option<String>,
    /// The service's label.
    pub service: String,
    /// Its kind.
    pub kind: super::service::ServiceKind,
    /// Everything it holds.
    pub blocks: Vec<IpBlock>,
}

/// The columns an import needs (`abuse_email` may be left out).
pub const IMPORT_COLUMNS: [&str; 5] = [
    "organisation",
    "abuse_email",
    "service",
    "kind",
    "addresses",
];

/// One row's problem, in words, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The line in the file.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Reads an import's records (the header first, then `(line, fields)`): each row checked on its
/// own, then against the rows before it (a service listed twice, an address on two services).
/// The header's problem, if any, stops everything.
pub fn import_rows(
    header: &[String],
    records: &[(usize, Vec<String>)],
) -> Result<Vec<Result<ImportRow, RowError>>, String> {
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let missing: Vec<&str> = IMPORT_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "abuse_email" && column(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "The first line must name the columns; missing: {}. Expected: {}.",
            missing.join(", "),
            IMPORT_COLUMNS.join(", ")
        ));
    }
    let (org_c, service_c, kind_c, addr_c) = (
        column("organisation").unwrap_or_default(),
        column("service").unwrap_or_default(),
        column("kind").unwrap_or_default(),
        column("addresses").unwrap_or_default(),
    );
    let abuse_c = column("abuse_email");
    let mut out = Vec::new();
    let mut seen: Vec<ImportRow> = Vec::new();
    for (line, fields) in records {
        let get = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or_default();
        let row = check_row(
            *line,
            get(org_c),
            abuse_c.map(&get),
            get(service_c),
            get(kind_c),
            get(addr_c),
        )
        .and_then(|row| {
            if let Some(twin) = seen.iter().find(|s| {
                s.organisation.eq_ignore_ascii_case(&row.organisation) && s.service == row.service
            }) {
                return Err(RowError {
                    line: row.line,
                    message: format!(
                        "{} of {} is on line {} already.",
                        row.service, row.organisation, twin.line
                    ),
                });
            }
            for block in &row.blocks {
                if let Some((other, theirs)) = seen
                    .iter()
                    .find_map(|s| s.blocks.iter().find(|b| b.overlaps(block)).map(|b| (s, b)))
                {
                    return Err(RowError {
                        line: row.line,
                        message: format!(
                            "{block} overlaps {theirs}, which line {} gives to {}.",
                            other.line, other.service
                        ),
                    });
                }
            }
            Ok(row)
        });
        if let Ok(row) = &row {
            seen.push(row.clone());
        }
        out.push(row);
    }
    Ok(out)
}

fn check_row(
    line: usize,
    organisation: &str,
    abuse: Option<&str>,
    service: &str,
    kind: &str,
    addresses: &str,
) -> Result<ImportRow, RowError> {
    let err = |message: String| RowError { line, message };
    let organisation = super::account::OrgName::parse(organisation)
        .map_err(|e| err(format!("organisation: {e}")))?
        .as_str()
        .to_owned();
    let abuse_email = match abuse.filter(|a| !a.is_empty()) {
        None => None,
        Some(raw) => Some(
            Email::parse(raw)
                .map_err(|e| err(format!("abuse_email: {e}")))?
                .as_str()
                .to_owned(),
        ),
    };
    let service = service_label(service).map_err(|e| err(format!("service: {}", e.message)))?;
    let kind = super::service::ServiceKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str().eq_ignore_ascii_case(kind) || k.label().eq_ignore_ascii_case(kind))
        .ok_or_else(|| {
            err(format!(
                "kind: {kind:?} is not a kind of service; use one of {}.",
                super::service::ServiceKind::ALL
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let mut blocks: Vec<IpBlock> = Vec::new();
    for raw in addresses
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|a| !a.is_empty())
    {
        let block = IpBlock::parse(raw).map_err(|e| err(format!("{raw}: {e}")))?;
        if let Some(other) = blocks.iter().find(|b| b.overlaps(&block)) {
            return Err(err(format!("{block} overlaps {other} on the same line.")));
        }
        blocks.push(block);
    }
    Ok(ImportRow {
        line,
        organisation,
        abuse_email,
        service,
        kind,
        blocks,
    })
}

#[cfg(test)]
mod import_tests {
    use super::*;

    fn header() -> Vec<String> {
        [
            "organisation",
            "abuse_email",
            "service",
            "kind",
            "addresses",
        ]
        .map(String::from)
        .to_vec()
    }

    fn row(line: usize, fields: [&str; 5]) -> (usize, Vec<String>) {
        (line, fields.map(String::from).to_vec())
    }

    #[test]
    fn rows_are_checked_on_their_own_and_against_each_other() {
        let rows = import_rows(
            &header(),
            &[
                row(
                    2,
                    [
                        "Initech",
                        "abuse@initech.test",
                        "app-01.initech.test",
                        "vps",
                        "198.18.1.1 2001:db8:1::/64",
                    ],
                ),
                row(3, ["Initech", "", "app-01.initech.test", "vps", ""]),
                row(
                    4,
                    [
                        "Umbrella",
                        "",
                        "web-01.umbrella.test",
                        "Dedicated server (bare metal)",
                        "198.18.1.0/30",
                    ],
                ),
                row(5, ["Umbrella", "", "db-01.umbrella.test", "toaster", ""]),
                row(
                    6,
                    ["Umbrella", "not-mail", "db-01.umbrella.test", "vps", ""],
                ),
                row(
                    7,
                    [
                        "Umbrella",
                        "",
                        "db-02.umbrella.test",
                        "vps",
                        "198.18.2.5/24",
                    ],
                ),
            ],
        )
        .unwrap();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.blocks.len(), 2);
        assert_eq!(first.abuse_email.as_deref(), Some("abuse@initech.test"));
        assert_eq!(
            rows[1].as_ref().unwrap_err().message,
            "app-01.initech.test of Initech is on line 2 already."
        );
        assert_eq!(
            rows[2].as_ref().unwrap_err().message,
            "198.18.1.0/30 overlaps 198.18.1.1, which line 2 gives to app-01.initech.test."
        );
        assert!(rows[3]
            .as_ref()
            .unwrap_err()
            .message
            .starts_with("kind: \"toaster\" is not a kind of service"));
        assert!(rows[4]
            .as_ref()
            .unwrap_err()
            .message
            .starts_with("abuse_email:"));
        assert_eq!(
            rows[5].as_ref().unwrap_err().message,
            "198.18.2.5/24: That is not the start of a prefix; did you mean 198.18.2.0/24?"
        );
    }

    #[test]
    fn the_header_names_the_columns() {
        let bad = import_rows(&["organisation".into(), "service".into()], &[]).unwrap_err();
        assert!(bad.contains("missing: kind, addresses"), "{bad}");
        // Any order, any case; abuse_email may be left out.
        let header: Vec<String> = ["Addresses", "KIND", "service", "organisation"]
            .map(String::from)
            .to_vec();
        let rows = import_rows(
            &header,
            &[(
                2,
                ["198.18.9.9", "vps", "x.test", "Hooli"]
                    .map(String::from)
                    .to_vec(),
            )],
        )
        .unwrap();
        assert_eq!(rows[0].as_ref().unwrap().organisation, "Hooli");
    }
}
