//! SPF (RFC 7208): parsing a record and evaluating `check_host()` for an address and a domain,
//! with the limits the RFC sets (10 DNS-querying terms, 2 void lookups, 10 MX or PTR names).
//!
//! The evaluation asks its DNS questions through [`SpfDns`], an async trait with no runtime
//! behind it: the server answers them from a real resolver, the unit tests from a table.
//! What it returns says not only the result but why, in terms a customer can act on.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::pin::Pin;

/// How many terms that query DNS one evaluation may run (RFC 7208 §4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;
/// How many lookups that find nothing one evaluation tolerates (RFC 7208 §4.6.4).
pub const VOID_LOOKUP_LIMIT: u32 = 2;
/// How many MX or PTR names one mechanism may look at (RFC 7208 §4.6.4).
pub const NAME_LIMIT: usize = 10;

/// Why a DNS question got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist (NXDOMAIN).
    NoSuchName,
    /// The question could not be answered: a time-out, SERVFAIL, a refused query.
    Failed(String),
}

/// The DNS questions an SPF evaluation asks. An empty answer is `Ok(vec![])`.
pub trait SpfDns: Sync {
    /// The TXT strings at `name`, each record's strings already joined.
    fn txt(&self, name: &str) -> impl Future<Output = Result<Vec<String>, DnsError>> + Send;
    /// The A records at `name` (`v6 == false`) or its AAAA records (`v6 == true`).
    fn addresses(
        &self,
        name: &str,
        v6: bool,
    ) -> impl Future<Output = Result<Vec<IpAddr>, DnsError>> + Send;
    /// The exchange names of the MX records at `name`.
    fn mx(&self, name: &str) -> impl Future<Output = Result<Vec<String>, DnsError>> + Send;
    /// The names of the PTR records for `ip`.
    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Result<Vec<String>, DnsError>> + Send;
}

/// The result of `check_host()` (RFC 7208 §2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfResult {
    /// The domain publishes no SPF record.
    None,
    /// The record makes no statement about the address.
    Neutral,
    /// The address is authorised.
    Pass,
    /// The address is explicitly not authorised.
    Fail,
    /// The address is probably not authorised.
    SoftFail,
    /// A DNS failure stopped the evaluation; it may work later.
    TempError,
    /// The published records are broken and cannot be evaluated.
    PermError,
}

impl SpfResult {
    /// The RFC's name for the result.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::None => "none",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }
}

/// Why the evaluation ended as it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpfReason {
    /// No TXT record at the domain starts with `v=spf1`.
    NoRecord {
        /// The domain.
        domain: String,
    },
    /// More than one SPF record at the domain.
    SeveralRecords {
        /// The domain.
        domain: String,
    },
    /// The record cannot be parsed.
    Syntax {
        /// The domain whose record it is.
        domain: String,
        /// What is wrong, naming the term.
        detail: String,
    },
    /// More than [`LOOKUP_LIMIT`] terms that query DNS.
    TooManyLookups,
    /// More than [`VOID_LOOKUP_LIMIT`] lookups found nothing.
    TooManyVoidLookups,
    /// More than [`NAME_LIMIT`] MX names for one `mx` mechanism.
    TooManyMxNames {
        /// The domain the MX records belong to.
        domain: String,
    },
    /// A term matched the address.
    Matched {
        /// The domain whose record holds the term.
        domain: String,
        /// The term as written (`ip4:203.0.113.0/24`, `-all`, `include:_spf.example.net`).
        term: String,
    },
    /// No term matched and there is no `redirect`.
    NothingMatched {
        /// The domain.
        domain: String,
    },
    /// An `include` or `redirect` points at a domain without an SPF record.
    TargetWithoutRecord {
        /// The term (`include:…`, `redirect=…`).
        term: String,
        /// The domain it names.
        target: String,
    },
    /// A DNS question failed.
    Dns {
        /// The name asked about.
        name: String,
        /// The failure.
        detail: String,
    },
}

impl fmt::Display for SpfReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpfReason::NoRecord { domain } => write!(f, "{domain} publishes no SPF record"),
            SpfReason::SeveralRecords { domain } => write!(
                f,
                "{domain} publishes more than one SPF record; receivers then ignore them all"
            ),
            SpfReason::Syntax { domain, detail } => {
                write!(f, "The SPF record of {domain} is not valid: {detail}")
            }
            SpfReason::TooManyLookups => write!(
                f,
                "The record needs more than {LOOKUP_LIMIT} DNS lookups (include, a, mx, ptr, \
                 exists, redirect); receivers stop there"
            ),
            SpfReason::TooManyVoidLookups => write!(
                f,
                "More than {VOID_LOOKUP_LIMIT} of the names the record refers to do not exist \
                 or have no records"
            ),
            SpfReason::TooManyMxNames { domain } => write!(
                f,
                "{domain} has more than {NAME_LIMIT} MX records, too many for an mx mechanism"
            ),
            SpfReason::Matched { domain, term } => {
                write!(f, "\"{term}\" in the SPF record of {domain} matched")
            }
            SpfReason::NothingMatched { domain } => write!(
                f,
                "Nothing in the SPF record of {domain} matches the address"
            ),
            SpfReason::TargetWithoutRecord { term, target } => {
                write!(
                    f,
                    "\"{term}\" points at {target}, which publishes no SPF record"
                )
            }
            SpfReason::Dns { name, detail } => {
                write!(f, "The DNS lookup of {name} failed: {detail}")
            }
        }
    }
}

/// What an evaluation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfOutcome {
    /// The result.
    pub result: SpfResult,
    /// Why.
    pub reason: SpfReason,
    /// The SPF record of the domain asked about, when there is exactly one.
    pub record: Option<String>,
}

/// Who is sending: the parts of an SMTP transaction that SPF macros may refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The address being checked.
    pub ip: IpAddr,
    /// The local part of the envelope sender (`postmaster` when there is none).
    pub local_part: String,
    /// The domain of the envelope sender.
    pub domain: String,
    /// The name the client gave in HELO/EHLO.
    pub helo: String,
}

// ----- Parsing ---------------------------------------------------------------------------------

/// A directive's qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `+` (the default).
    Pass,
    /// `-`.
    Fail,
    /// `~`.
    SoftFail,
    /// `?`.
    Neutral,
}

impl Qualifier {
    fn result(self) -> SpfResult {
        match self {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::SoftFail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }
}

/// A mechanism (RFC 7208 §5). Domain specs are kept unexpanded: macros depend on the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mechanism {
    /// `all`.
    All,
    /// `include:<domain-spec>`.
    Include(String),
    /// `a[:<domain-spec>][/<v4 prefix>][//<v6 prefix>]`.
    A {
        /// The domain spec, or the current domain.
        domain: Option<String>,
        /// IPv4 prefix length.
        v4: u8,
        /// IPv6 prefix length.
        v6: u8,
    },
    /// `mx[:<domain-spec>][/<v4 prefix>][//<v6 prefix>]`.
    Mx {
        /// The domain spec, or the current domain.
        domain: Option<String>,
        /// IPv4 prefix length.
        v4: u8,
        /// IPv6 prefix length.
        v6: u8,
    },
    /// `ptr[:<domain-spec>]` (deprecated, still evaluated).
    Ptr(Option<String>),
    /// `ip4:<address>[/<prefix>]`.
    Ip4(Ipv4Addr, u8),
    /// `ip6:<address>[/<prefix>]`.
    Ip6(Ipv6Addr, u8),
    /// `exists:<domain-spec>`.
    Exists(String),
}

impl Mechanism {
    fn queries_dns(&self) -> bool {
        !matches!(
            self,
            Mechanism::All | Mechanism::Ip4(..) | Mechanism::Ip6(..)
        )
    }
}

/// A qualifier, its mechanism and the term as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// The qualifier.
    pub qualifier: Qualifier,
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The term as written in the record.
    pub text: String,
}

/// A parsed SPF record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpfRecord {
    /// The directives, in order.
    pub directives: Vec<Directive>,
    /// The `redirect=` modifier's domain spec.
    pub redirect: Option<String>,
}

/// Whether a TXT string is an SPF record (it starts with `v=spf1`, then a space or nothing).
pub fn is_spf_record(txt: &str) -> bool {
    let lower = txt.to_ascii_lowercase();
    lower == "v=spf1" || lower.starts_with("v=spf1 ")
}

/// Parses an SPF record (`v=spf1 …`). The error names the term at fault.
pub fn parse_record(txt: &str) -> Result<SpfRecord, String> {
    if !is_spf_record(txt) {
        return Err("it does not start with \"v=spf1\"".to_owned());
    }
    let mut directives = Vec::new();
    let mut redirect = None;
    let mut exp_seen = false;
    for term in txt[6..].split(' ').filter(|t| !t.is_empty()) {
        if let Some((name, value)) = modifier(term) {
            match name.to_ascii_lowercase().as_str() {
                "redirect" => {
                    if redirect.is_some() {
                        return Err("\"redirect=\" appears twice".to_owned());
                    }
                    check_domain_spec(value, term)?;
                    redirect = Some(value.to_owned());
                }
                "exp" => {
                    if exp_seen {
                        return Err("\"exp=\" appears twice".to_owned());
                    }
                    check_domain_spec(value, term)?;
                    exp_seen = true;
                }
                // Unknown modifiers are ignored (RFC 7208 §6).
                _ => {}
            }
            continue;
        }
        directives.push(directive(term)?);
    }
    Ok(SpfRecord {
        directives,
        redirect,
    })
}

/// `name=value` when the term is a modifier: a name of letters, digits, `-`, `_` and `.`
/// starting with a letter, then `=`.
fn modifier(term: &str) -> Option<(&str, &str)> {
    let (name, value) = term.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    .then_some((name, value))
}

fn directive(term: &str) -> Result<Directive, String> {
    let (qualifier, rest) = match term.as_bytes()[0] {
        b'+' => (Qualifier::Pass, &term[1..]),
        b'-' => (Qualifier::Fail, &term[1..]),
        b'~' => (Qualifier::SoftFail, &term[1..]),
        b'?' => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    let name_end = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_end);
    let unknown = || format!("\"{term}\" is not a mechanism SPF knows");
    let mechanism = match name.to_ascii_lowercase().as_str() {
        "all" if args.is_empty() => Mechanism::All,
        "include" => Mechanism::Include(required_spec(args, term)?),
        "exists" => Mechanism::Exists(required_spec(args, term)?),
        "ptr" => Mechanism::Ptr(optional_spec(args, term)?),
        "a" | "mx" => {
            let (spec, v4, v6) = spec_with_prefixes(args, term)?;
            if name.eq_ignore_ascii_case("a") {
                Mechanism::A {
                    domain: spec,
                    v4,
                    v6,
                }
            } else {
                Mechanism::Mx {
                    domain: spec,
                    v4,
                    v6,
                }
            }
        }
        "ip4" => {
            let value = args.strip_prefix(':').ok_or_else(unknown)?;
            let (addr, prefix) = split_prefix(value, 32, term)?;
            let addr = addr
                .parse::<Ipv4Addr>()
                .map_err(|_| format!("\"{term}\": \"{addr}\" is not an IPv4 address"))?;
            Mechanism::Ip4(addr, prefix)
        }
        "ip6" => {
            let value = args.strip_prefix(':').ok_or_else(unknown)?;
            let (addr, prefix) = split_prefix(value, 128, term)?;
            let addr = addr
                .parse::<Ipv6Addr>()
                .map_err(|_| format!("\"{term}\": \"{addr}\" is not an IPv6 address"))?;
            Mechanism::Ip6(addr, prefix)
        }
        _ => return Err(unknown()),
    };
    Ok(Directive {
        qualifier,
        mechanism,
        text: term.to_owned(),
    })
}

fn required_spec(args: &str, term: &str) -> Result<String, String> {
    optional_spec(args, term)?.ok_or_else(|| format!("\"{term}\" needs a domain after ':'"))
}

fn optional_spec(args: &str, term: &str) -> Result<Option<String>, String> {
    if args.is_empty() {
        return Ok(None);
    }
    let spec = args
        .strip_prefix(':')
        .ok_or_else(|| format!("\"{term}\" is not a mechanism SPF knows"))?;
    check_domain_spec(spec, term)?;
    Ok(Some(spec.to_owned()))
}

/// `[:domain-spec][/v4][//v6]` of `a` and `mx`.
fn spec_with_prefixes(args: &str, term: &str) -> Result<(Option<String>, u8, u8), String> {
    let (spec_part, prefixes) = match args.find('/') {
        Some(i) => args.split_at(i),
        None => (args, ""),
    };
    let spec = optional_spec(spec_part, term)?;
    let bad = || format!("\"{term}\": the prefix length is not valid");
    let (v4, v6) = if prefixes.is_empty() {
        (32, 128)
    } else if let Some(v6) = prefixes.strip_prefix("//") {
        (32, prefix_number(v6, 128).ok_or_else(bad)?)
    } else {
        let v4_and_rest = &prefixes[1..];
        match v4_and_rest.split_once("//") {
            Some((v4, v6)) => (
                prefix_number(v4, 32).ok_or_else(bad)?,
                prefix_number(v6, 128).ok_or_else(bad)?,
            ),
            None => (prefix_number(v4_and_rest, 32).ok_or_else(bad)?, 128),
        }
    };
    Ok((spec, v4, v6))
}

fn split_prefix<'a>(value: &'a str, max: u8, term: &str) -> Result<(&'a str, u8), String> {
    match value.split_once('/') {
        None => Ok((value, max)),
        Some((addr, prefix)) => prefix_number(prefix, max)
            .map(|p| (addr, p))
            .ok_or_else(|| format!("\"{term}\": the prefix length is not valid")),
    }
}

fn prefix_number(text: &str, max: u8) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u8>().ok().filter(|p| *p <= max)
}

/// Checks a domain spec's macro syntax (RFC 7208 §7.1) without expanding it.
fn check_domain_spec(spec: &str, term: &str) -> Result<(), String> {
    if spec.is_empty() {
        return Err(format!("\"{term}\" needs a domain"));
    }
    parse_macro_string(spec)
        .map(|_| ())
        .map_err(|e| format!("\"{term}\": {e}"))
}

// ----- Macros ------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum MacroPart {
    Literal(String),
    Macro {
        letter: char,
        keep: Option<usize>,
        reverse: bool,
        delimiters: String,
    },
}

fn parse_macro_string(spec: &str) -> Result<Vec<MacroPart>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            if !(c.is_ascii_graphic()) {
                return Err(format!("{c:?} may not appear in a domain"));
            }
            literal.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => literal.push('%'),
            Some('_') => literal.push(' '),
            Some('-') => literal.push_str("%20"),
            Some('{') => {
                let mut body = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => body.push(c),
                        None => return Err("a macro is not closed with '}'".to_owned()),
                    }
                }
                let mut body_chars = body.chars();
                let letter = body_chars
                    .next()
                    .map(|c| c.to_ascii_lowercase())
                    .filter(|c| "slodiphv".contains(*c))
                    .ok_or_else(|| format!("%{{{body}}} is not a macro SPF knows"))?;
                let rest: String = body_chars.collect();
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let mut after = &rest[digits.len()..];
                let reverse = after.starts_with(['r', 'R']);
                if reverse {
                    after = &after[1..];
                }
                if !after.chars().all(|c| ".-+,/_=".contains(c)) {
                    return Err(format!("%{{{body}}} is not a macro SPF knows"));
                }
                let keep = if digits.is_empty() {
                    None
                } else {
                    Some(
                        digits
                            .parse::<usize>()
                            .ok()
                            .filter(|n| *n > 0)
                            .ok_or_else(|| format!("%{{{body}}} keeps no labels"))?,
                    )
                };
                if !literal.is_empty() {
                    parts.push(MacroPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(MacroPart::Macro {
                    letter,
                    keep,
                    reverse,
                    delimiters: after.to_owned(),
                });
            }
            _ => return Err("a '%' must start a macro (write %% for a percent sign)".to_owned()),
        }
    }
    if !literal.is_empty() {
        parts.push(MacroPart::Literal(literal));
    }
    Ok(parts)
}

/// Expands a domain spec for `sender` with `domain` as the current domain, and shortens it to
/// 253 characters by dropping labels from the left (RFC 7208 §7.3).
fn expand(spec: &str, sender: &Sender, domain: &str) -> Result<String, String> {
    let mut out = String::new();
    for part in parse_macro_string(spec)? {
        match part {
            MacroPart::Literal(text) => out.push_str(&text),
            MacroPart::Macro {
                letter,
                keep,
                reverse,
                delimiters,
            } => {
                let value = match letter {
                    's' => format!("{}@{}", sender.local_part, sender.domain),
                    'l' => sender.local_part.clone(),
                    'o' => sender.domain.clone(),
                    'd' => domain.to_owned(),
                    'i' => dotted_address(sender.ip),
                    // Validating the client's name costs lookups and is discouraged (§7.3).
                    'p' => "unknown".to_owned(),
                    'v' => if sender.ip.is_ipv4() {
                        "in-addr"
                    } else {
                        "ip6"
                    }
                    .to_owned(),
                    _ => sender.helo.clone(),
                };
                let delimiters = if delimiters.is_empty() {
                    ".".to_owned()
                } else {
                    delimiters
                };
                let mut labels: Vec<&str> = value.split(|c| delimiters.contains(c)).collect();
                if reverse {
                    labels.reverse();
                }
                if let Some(n) = keep {
                    let skip = labels.len().saturating_sub(n);
                    labels.drain(..skip);
                }
                out.push_str(&labels.join("."));
            }
        }
    }
    let mut name = out.trim_end_matches('.').to_owned();
    while name.len() > 253 {
        match name.find('.') {
            Some(i) => name = name[i + 1..].to_owned(),
            None => break,
        }
    }
    Ok(name)
}

/// The `i` macro: dotted IPv4, or IPv6 as 32 dot-separated nibbles.
fn dotted_address(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .flat_map(|b| [b >> 4, b & 0xf])
            .map(|n| format!("{n:x}"))
            .collect::<Vec<_>>()
            .join("."),
    }
}

// ----- Evaluation ----------------------------------------------------------------------------

/// Whether `ip` lies in the network `net`/`prefix` (addresses of the other family never do).
pub fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Counters shared by one evaluation and everything it includes.
struct Budget {
    lookups: u32,
    void_lookups: u32,
}

impl Budget {
    fn spend_lookup(&mut self) -> Result<(), Stop> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            Err(Stop::perm(SpfReason::TooManyLookups))
        } else {
            Ok(())
        }
    }

    /// Counts an answer that found nothing.
    fn note_void(&mut self) -> Result<(), Stop> {
        self.void_lookups += 1;
        if self.void_lookups > VOID_LOOKUP_LIMIT {
            Err(Stop::perm(SpfReason::TooManyVoidLookups))
        } else {
            Ok(())
        }
    }
}

/// An evaluation that ends early with a result (an error, or a result from an included record).
struct Stop(SpfResult, SpfReason);

impl Stop {
    fn perm(reason: SpfReason) -> Stop {
        Stop(SpfResult::PermError, reason)
    }
    fn dns(name: &str, error: DnsError) -> Stop {
        let detail = match error {
            DnsError::NoSuchName => "no such name".to_owned(),
            DnsError::Failed(detail) => detail,
        };
        Stop(
            SpfResult::TempError,
            SpfReason::Dns {
                name: name.to_owned(),
                detail,
            },
        )
    }
}

/// Evaluates SPF for `sender` against `domain` (RFC 7208 §4): whether `sender.ip` may send mail
/// for it.
pub async fn check_host<D: SpfDns>(dns: &D, sender: &Sender, domain: &str) -> SpfOutcome {
    let mut budget = Budget {
        lookups: 0,
        void_lookups: 0,
    };
    let mut record_text = None;
    let (result, reason) = match evaluate(
        dns,
        sender,
        domain.to_owned(),
        &mut budget,
        Some(&mut record_text),
    )
    .await
    {
        Ok((result, reason)) => (result, reason),
        Err(Stop(result, reason)) => (result, reason),
    };
    SpfOutcome {
        result,
        reason,
        record: record_text,
    }
}

type Evaluated<'a> =
    Pin<Box<dyn Future<Output = Result<(SpfResult, SpfReason), Stop>> + Send + 'a>>;

/// One level of `check_host()`: the domain's record, its directives, then its `redirect`.
fn evaluate<'a, D: SpfDns>(
    dns: &'a D,
    sender: &'a Sender,
    domain: String,
    budget: &'a mut Budget,
    record_out: Option<&'a mut Option<String>>,
) -> Evaluated<'a> {
    Box::pin(async move {
        let records = match dns.txt(&domain).await {
            Ok(txts) => txts
                .into_iter()
                .filter(|t| is_spf_record(t))
                .collect::<Vec<_>>(),
            Err(DnsError::NoSuchName) => Vec::new(),
            Err(error) => return Err(Stop::dns(&domain, error)),
        };
        let text = match records.as_slice() {
            [] => return Ok((SpfResult::None, SpfReason::NoRecord { domain })),
            [one] => one.clone(),
            _ => {
                return Err(Stop::perm(SpfReason::SeveralRecords { domain }));
            }
        };
        if let Some(out) = record_out {
            *out = Some(text.clone());
        }
        let record = parse_record(&text).map_err(|detail| {
            Stop::perm(SpfReason::Syntax {
                domain: domain.clone(),
                detail,
            })
        })?;
        let expand_here = |spec: &str, budget_domain: &str| {
            expand(spec, sender, budget_domain).map_err(|detail| {
                Stop::perm(SpfReason::Syntax {
                    domain: budget_domain.to_owned(),
                    detail,
                })
            })
        };
        let has_all = record
            .directives
            .iter()
            .any(|d| d.mechanism == Mechanism::All);
        for directive in &record.directives {
            if directive.mechanism.queries_dns() {
                budget.spend_lookup()?;
            }
            let matched = match &directive.mechanism {
                Mechanism::All => true,
                Mechanism::Ip4(net, prefix) => in_network(sender.ip, IpAddr::V4(*net), *prefix),
                Mechanism::Ip6(net, prefix) => in_network(sender.ip, IpAddr::V6(*net), *prefix),
                Mechanism::A {
                    domain: spec,
                    v4,
                    v6,
                } => {
                    let target = match spec {
                        Some(spec) => expand_here(spec, &domain)?,
                        None => domain.clone(),
                    };
                    let prefix = if sender.ip.is_ipv4() { *v4 } else { *v6 };
                    let addrs = addresses(dns, &target, sender.ip.is_ipv6(), budget).await?;
                    addrs.iter().any(|a| in_network(sender.ip, *a, prefix))
                }
                Mechanism::Mx {
                    domain: spec,
                    v4,
                    v6,
                } => {
                    let target = match spec {
                        Some(spec) => expand_here(spec, &domain)?,
                        None => domain.clone(),
                    };
                    let prefix = if sender.ip.is_ipv4() { *v4 } else { *v6 };
                    let exchanges = match dns.mx(&target).await {
                        Ok(names) => names,
                        Err(DnsError::NoSuchName) => Vec::new(),
                        Err(error) => return Err(Stop::dns(&target, error)),
                    };
                    if exchanges.is_empty() {
                        budget.note_void()?;
                    }
                    if exchanges.len() > NAME_LIMIT {
                        return Err(Stop::perm(SpfReason::TooManyMxNames { domain: target }));
                    }
                    let mut found = false;
                    for exchange in &exchanges {
                        let addrs = addresses(dns, exchange, sender.ip.is_ipv6(), budget).await?;
                        if addrs.iter().any(|a| in_network(sender.ip, *a, prefix)) {
                            found = true;
                            break;
                        }
                    }
                    found
                }
                Mechanism::Exists(spec) => {
                    let target = expand_here(spec, &domain)?;
                    !addresses(dns, &target, false, budget).await?.is_empty()
                }
                Mechanism::Ptr(spec) => {
                    let target = match spec {
                        Some(spec) => expand_here(spec, &domain)?,
                        None => domain.clone(),
                    };
                    ptr_matches(dns, sender.ip, &target).await
                }
                Mechanism::Include(spec) => {
                    let target = expand_here(spec, &domain)?;
                    match evaluate(dns, sender, target.clone(), budget, None).await? {
                        (SpfResult::Pass, _) => true,
                        (SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral, _) => false,
                        (SpfResult::None, _) => {
                            return Err(Stop::perm(SpfReason::TargetWithoutRecord {
                                term: directive.text.clone(),
                                target,
                            }))
                        }
                        (result, reason) => return Err(Stop(result, reason)),
                    }
                }
            };
            if matched {
                return Ok((
                    directive.qualifier.result(),
                    SpfReason::Matched {
                        domain,
                        term: directive.text.clone(),
                    },
                ));
            }
        }
        match record.redirect {
            Some(spec) if !has_all => {
                budget.spend_lookup()?;
                let target = expand_here(&spec, &domain)?;
                match evaluate(dns, sender, target.clone(), budget, None).await? {
                    (SpfResult::None, _) => Err(Stop::perm(SpfReason::TargetWithoutRecord {
                        term: format!("redirect={spec}"),
                        target,
                    })),
                    outcome => Ok(outcome),
                }
            }
            _ => Ok((SpfResult::Neutral, SpfReason::NothingMatched { domain })),
        }
    })
}

/// The A or AAAA records of `name`, counting an empty answer as a void lookup.
async fn addresses<D: SpfDns>(
    dns: &D,
    name: &str,
    v6: bool,
    budget: &mut Budget,
) -> Result<Vec<IpAddr>, Stop> {
    let found = match dns.addresses(name, v6).await {
        Ok(found) => found,
        Err(DnsError::NoSuchName) => Vec::new(),
        Err(error) => return Err(Stop::dns(name, error)),
    };
    if found.is_empty() {
        budget.note_void()?;
    }
    Ok(found)
}

/// The `ptr` mechanism: a name of the address's PTR records that resolves back to it and lies
/// in `target`. DNS failures here only mean no match (RFC 7208 §5.5).
async fn ptr_matches<D: SpfDns>(dns: &D, ip: IpAddr, target: &str) -> bool {
    let Ok(names) = dns.ptr(ip).await else {
        return false;
    };
    let target = target.to_ascii_lowercase();
    for name in names.iter().take(NAME_LIMIT) {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if name != target && !name.ends_with(&format!(".{target}")) {
            continue;
        }
        if let Ok(addrs) = dns.addresses(&name, ip.is_ipv6()).await {
            if addrs.contains(&ip) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// Runs a future that never waits on anything outside itself.
    pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    /// A zone in a table: name → records, with names that fail to answer; counts questions.
    #[derive(Default)]
    pub(crate) struct Zone {
        txt: HashMap<String, Vec<String>>,
        a: HashMap<String, Vec<IpAddr>>,
        mx: HashMap<String, Vec<String>>,
        ptr: HashMap<IpAddr, Vec<String>>,
        failing: Vec<String>,
        asked: Mutex<u32>,
    }

    impl Zone {
        pub(crate) fn txt(mut self, name: &str, value: &str) -> Self {
            self.txt.entry(name.into()).or_default().push(value.into());
            self
        }
        pub(crate) fn a(mut self, name: &str, ip: &str) -> Self {
            self.a
                .entry(name.into())
                .or_default()
                .push(ip.parse().unwrap());
            self
        }
        pub(crate) fn mx(mut self, name: &str, exchange: &str) -> Self {
            self.mx
                .entry(name.into())
                .or_default()
                .push(exchange.into());
            self
        }
        pub(crate) fn ptr(mut self, ip: &str, name: &str) -> Self {
            self.ptr
                .entry(ip.parse().unwrap())
                .or_default()
                .push(name.into());
            self
        }
        pub(crate) fn failing(mut self, name: &str) -> Self {
            self.failing.push(name.into());
            self
        }
        fn known(&self, name: &str) -> bool {
            self.txt.contains_key(name) || self.a.contains_key(name) || self.mx.contains_key(name)
        }
        fn answer<T: Clone>(
            &self,
            name: &str,
            table: &HashMap<String, Vec<T>>,
        ) -> Result<Vec<T>, DnsError> {
            *self.asked.lock().unwrap() += 1;
            if self.failing.iter().any(|f| f == name) {
                return Err(DnsError::Failed("timed out".into()));
            }
            match table.get(name) {
                Some(found) => Ok(found.clone()),
                None if self.known(name) => Ok(Vec::new()),
                None => Err(DnsError::NoSuchName),
            }
        }
    }

    impl SpfDns for Zone {
        async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
            self.answer(name, &self.txt)
        }
        async fn addresses(&self, name: &str, v6: bool) -> Result<Vec<IpAddr>, DnsError> {
            Ok(self
                .answer(name, &self.a)?
                .into_iter()
                .filter(|ip| ip.is_ipv6() == v6)
                .collect())
        }
        async fn mx(&self, name: &str) -> Result<Vec<String>, DnsError> {
            self.answer(name, &self.mx)
        }
        async fn ptr(&self, ip: IpAddr) -> Result<Vec<String>, DnsError> {
            Ok(self.ptr.get(&ip).cloned().unwrap_or_default())
        }
    }

    fn sender(ip: &str) -> Sender {
        Sender {
            ip: ip.parse().unwrap(),
            local_part: "postmaster".into(),
            domain: "example.com".into(),
            helo: "mail.example.com".into(),
        }
    }

    fn check(zone: &Zone, ip: &str) -> SpfOutcome {
        block_on(check_host(zone, &sender(ip), "example.com"))
    }

    #[test]
    fn ip4_and_ip6_networks() {
        let zone = Zone::default().txt(
            "example.com",
            "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all",
        );
        let pass = check(&zone, "203.0.113.25");
        assert_eq!(pass.result, SpfResult::Pass);
        assert_eq!(
            pass.reason,
            SpfReason::Matched {
                domain: "example.com".into(),
                term: "ip4:203.0.113.0/24".into()
            }
        );
        assert_eq!(
            pass.record.as_deref(),
            Some("v=spf1 ip4:203.0.113.0/24 ip6:2001:db8::/32 -all")
        );
        assert_eq!(check(&zone, "2001:db8:5::1").result, SpfResult::Pass);
        let fail = check(&zone, "198.51.100.7");
        assert_eq!(fail.result, SpfResult::Fail);
        assert_eq!(
            fail.reason.to_string(),
            "\"-all\" in the SPF record of example.com matched"
        );
    }

    #[test]
    fn qualifiers_decide_the_result() {
        for (all, result) in [
            ("-all", SpfResult::Fail),
            ("~all", SpfResult::SoftFail),
            ("?all", SpfResult::Neutral),
            ("+all", SpfResult::Pass),
            ("all", SpfResult::Pass),
        ] {
            let zone = Zone::default().txt("example.com", &format!("v=spf1 ip4:192.0.2.1 {all}"));
            assert_eq!(check(&zone, "198.51.100.7").result, result, "{all}");
        }
        let zone = Zone::default().txt("example.com", "v=spf1 ip4:192.0.2.1");
        let outcome = check(&zone, "198.51.100.7");
        assert_eq!(
            outcome.result,
            SpfResult::Neutral,
            "nothing matched, no all"
        );
        assert_eq!(
            outcome.reason,
            SpfReason::NothingMatched {
                domain: "example.com".into()
            }
        );
    }

    #[test]
    fn no_record_one_record_several_records() {
        let none = Zone::default().txt("example.com", "google-site-verification=abc");
        assert_eq!(check(&none, "192.0.2.1").result, SpfResult::None);
        let missing = Zone::default();
        assert_eq!(
            check(&missing, "192.0.2.1").result,
            SpfResult::None,
            "NXDOMAIN"
        );
        let two = Zone::default()
            .txt("example.com", "v=spf1 -all")
            .txt("example.com", "v=spf1 +all");
        let outcome = check(&two, "192.0.2.1");
        assert_eq!(outcome.result, SpfResult::PermError);
        assert!(outcome
            .reason
            .to_string()
            .contains("more than one SPF record"));
        let spf10 = Zone::default().txt("example.com", "v=spf10 +all");
        assert_eq!(
            check(&spf10, "192.0.2.1").result,
            SpfResult::None,
            "v=spf10 is not SPF"
        );
    }

    #[test]
    fn a_and_mx_with_prefixes() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 a mx:mail.example.net/24 -all")
            .a("example.com", "192.0.2.10")
            .mx("mail.example.net", "mx1.example.net")
            .a("mx1.example.net", "198.51.100.1");
        assert_eq!(check(&zone, "192.0.2.10").result, SpfResult::Pass);
        assert_eq!(
            check(&zone, "192.0.2.11").result,
            SpfResult::Fail,
            "a is /32"
        );
        let via_mx = check(&zone, "198.51.100.200");
        assert_eq!(via_mx.result, SpfResult::Pass, "mx /24");
        assert_eq!(
            via_mx.reason,
            SpfReason::Matched {
                domain: "example.com".into(),
                term: "mx:mail.example.net/24".into()
            }
        );
    }

    #[test]
    fn include_and_redirect() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 include:_spf.provider.test ~all")
            .txt("_spf.provider.test", "v=spf1 ip4:203.0.113.0/24 -all")
            .txt("redirected.test", "v=spf1 redirect=example.com");
        assert_eq!(check(&zone, "203.0.113.9").result, SpfResult::Pass);
        // A fail inside an include is only "no match": the outer ~all decides.
        assert_eq!(check(&zone, "192.0.2.1").result, SpfResult::SoftFail);
        let redirected = block_on(check_host(&zone, &sender("203.0.113.9"), "redirected.test"));
        assert_eq!(redirected.result, SpfResult::Pass);
    }

    #[test]
    fn include_or_redirect_without_a_record_is_a_permanent_error() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 include:gone.test -all")
            .txt("other.test", "v=spf1 redirect=gone.test");
        let outcome = check(&zone, "192.0.2.1");
        assert_eq!(outcome.result, SpfResult::PermError);
        assert_eq!(
            outcome.reason.to_string(),
            "\"include:gone.test\" points at gone.test, which publishes no SPF record"
        );
        let redirect = block_on(check_host(&zone, &sender("192.0.2.1"), "other.test"));
        assert_eq!(redirect.result, SpfResult::PermError);
    }

    #[test]
    fn redirect_is_ignored_when_the_record_has_all() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 -all redirect=other.test")
            .txt("other.test", "v=spf1 +all");
        assert_eq!(check(&zone, "192.0.2.1").result, SpfResult::Fail);
    }

    /// example.com with `n` includes, each authorising 192.0.2.1 only, then `-all`.
    fn include_chain(n: usize) -> Zone {
        let mut zone = Zone::default();
        let mut chain = String::from("v=spf1");
        for i in 0..n {
            chain.push_str(&format!(" include:n{i}.test"));
            zone = zone.txt(&format!("n{i}.test"), "v=spf1 ip4:192.0.2.1 -all");
        }
        chain.push_str(" -all");
        zone.txt("example.com", &chain)
    }

    #[test]
    fn more_than_ten_lookups_is_a_permanent_error() {
        let zone = include_chain(11);
        // The first include matches, long before the limit.
        assert_eq!(check(&zone, "192.0.2.1").result, SpfResult::Pass);
        let outcome = check(&zone, "198.51.100.1");
        assert_eq!(outcome.result, SpfResult::PermError);
        assert_eq!(outcome.reason, SpfReason::TooManyLookups);
    }

    #[test]
    fn ten_lookups_are_allowed_exactly() {
        assert_eq!(
            check(&include_chain(10), "198.51.100.1").result,
            SpfResult::Fail
        );
    }

    #[test]
    fn a_third_void_lookup_is_a_permanent_error() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 a:gone1.test a:gone2.test -all")
            .txt(
                "three.test",
                "v=spf1 a:gone1.test a:gone2.test a:gone3.test -all",
            );
        assert_eq!(
            check(&zone, "192.0.2.1").result,
            SpfResult::Fail,
            "two are tolerated"
        );
        let outcome = block_on(check_host(&zone, &sender("192.0.2.1"), "three.test"));
        assert_eq!(outcome.result, SpfResult::PermError);
        assert_eq!(outcome.reason, SpfReason::TooManyVoidLookups);
    }

    #[test]
    fn dns_failures_are_temporary_errors() {
        let zone = Zone::default().failing("example.com");
        let outcome = check(&zone, "192.0.2.1");
        assert_eq!(outcome.result, SpfResult::TempError);
        assert_eq!(
            outcome.reason.to_string(),
            "The DNS lookup of example.com failed: timed out"
        );
        let inner = Zone::default()
            .txt("example.com", "v=spf1 include:slow.test -all")
            .failing("slow.test");
        assert_eq!(check(&inner, "192.0.2.1").result, SpfResult::TempError);
    }

    #[test]
    fn exists_with_macros() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 exists:%{ir}.%{v}._spf.%{d} -all")
            .a("25.113.0.203.in-addr._spf.example.com", "127.0.0.2");
        assert_eq!(check(&zone, "203.0.113.25").result, SpfResult::Pass);
        assert_eq!(check(&zone, "203.0.113.26").result, SpfResult::Fail);
    }

    #[test]
    fn ptr_needs_a_name_that_resolves_back() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 ptr -all")
            .ptr("192.0.2.5", "mail.example.com")
            .a("mail.example.com", "192.0.2.5")
            .ptr("192.0.2.6", "liar.example.com");
        assert_eq!(check(&zone, "192.0.2.5").result, SpfResult::Pass);
        assert_eq!(
            check(&zone, "192.0.2.6").result,
            SpfResult::Fail,
            "not forward-confirmed"
        );
    }

    #[test]
    fn syntax_errors_name_the_term() {
        for (record, detail) in [
            (
                "v=spf1 ip4:300.1.1.1 -all",
                "\"ip4:300.1.1.1\": \"300.1.1.1\" is not an IPv4 address",
            ),
            (
                "v=spf1 ip4:192.0.2.0/33",
                "\"ip4:192.0.2.0/33\": the prefix length is not valid",
            ),
            (
                "v=spf1 include -all",
                "\"include\" needs a domain after ':'",
            ),
            ("v=spf1 allow", "\"allow\" is not a mechanism SPF knows"),
            (
                "v=spf1 redirect=a.test redirect=b.test",
                "\"redirect=\" appears twice",
            ),
            (
                "v=spf1 exists:%{z}.test",
                "\"exists:%{z}.test\": %{z} is not a macro SPF knows",
            ),
            (
                "v=spf1 a:50%.test",
                "\"a:50%.test\": a '%' must start a macro (write %% for a percent sign)",
            ),
        ] {
            assert_eq!(parse_record(record).unwrap_err(), detail, "{record}");
        }
        let zone = Zone::default().txt("example.com", "v=spf1 ip4:300.1.1.1 -all");
        let outcome = check(&zone, "192.0.2.1");
        assert_eq!(outcome.result, SpfResult::PermError);
        assert!(outcome
            .reason
            .to_string()
            .starts_with("The SPF record of example.com is not valid"));
    }

    #[test]
    fn unknown_modifiers_are_ignored_and_case_does_not_matter() {
        let record = parse_record("V=SPF1 IP4:192.0.2.1 foo=bar -ALL").unwrap();
        assert_eq!(record.directives.len(), 2);
        assert_eq!(record.directives[1].qualifier, Qualifier::Fail);
    }

    #[test]
    fn dual_prefixes() {
        let record = parse_record("v=spf1 a/24//64 mx//48 a:x.test/16").unwrap();
        assert_eq!(
            record.directives[0].mechanism,
            Mechanism::A {
                domain: None,
                v4: 24,
                v6: 64
            }
        );
        assert_eq!(
            record.directives[1].mechanism,
            Mechanism::Mx {
                domain: None,
                v4: 32,
                v6: 48
            }
        );
        assert_eq!(
            record.directives[2].mechanism,
            Mechanism::A {
                domain: Some("x.test".into()),
                v4: 16,
                v6: 128
            }
        );
    }

    #[test]
    fn macro_expansion() {
        let s = Sender {
            ip: "2001:db8::cb01".parse().unwrap(),
            local_part: "strong-bad".into(),
            domain: "email.example.com".into(),
            helo: "mx.example.org".into(),
        };
        let e = |spec: &str| expand(spec, &s, "email.example.com").unwrap();
        // The RFC 7208 §7.4 examples.
        assert_eq!(e("%{d}"), "email.example.com");
        assert_eq!(e("%{d4}"), "email.example.com");
        assert_eq!(e("%{d3}"), "email.example.com");
        assert_eq!(e("%{d2}"), "example.com");
        assert_eq!(e("%{d1}"), "com");
        assert_eq!(e("%{dr}"), "com.example.email");
        assert_eq!(e("%{d2r}"), "example.email");
        assert_eq!(e("%{l}"), "strong-bad");
        assert_eq!(e("%{l-}"), "strong.bad");
        assert_eq!(e("%{lr-}"), "bad.strong");
        assert_eq!(e("%{l1r-}"), "strong");
        assert_eq!(
            e("%{ir}.%{v}._spf.%{d2}"),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
        assert_eq!(e("%{o}.%{h}"), "email.example.com.mx.example.org");
        assert_eq!(e("50%%%_off"), "50% off");
    }

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_network(ip("203.0.113.25"), ip("203.0.113.0"), 24));
        assert!(!in_network(ip("203.0.114.25"), ip("203.0.113.0"), 24));
        assert!(in_network(ip("1.2.3.4"), ip("9.9.9.9"), 0));
        assert!(
            !in_network(ip("2001:db8::1"), ip("203.0.113.0"), 0),
            "other family"
        );
        assert!(in_network(ip("2001:db8::1"), ip("2001:db8::"), 32));
    }

    #[test]
    fn questions_stop_at_the_limits() {
        // A record that includes itself ends at the lookup limit instead of looping.
        let zone = Zone::default().txt("example.com", "v=spf1 include:example.com -all");
        let outcome = check(&zone, "192.0.2.1");
        assert_eq!(outcome.reason, SpfReason::TooManyLookups);
        assert!(*zone.asked.lock().unwrap() <= 12);
    }
}
