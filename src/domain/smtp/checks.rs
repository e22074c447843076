//! The checks run on a port-25 request (policy §4: SPF, DKIM, DMARC, rDNS/PTR), as results a
//! customer understands: pass, fail or could not check, why, and the record to publish.
//!
//! The functions here judge DNS answers that the server has already fetched (SPF, which needs
//! further questions as it goes, is evaluated by [`super::spf::check_host`]).

use super::records::{is_dmarc_record, parse_dkim, parse_dmarc, DmarcPolicy};
use super::spf::{
    check_host, is_spf_record, DnsError, Sender, SpfDns, SpfOutcome, SpfReason, SpfResult,
    NAME_LIMIT,
};
use super::RequestDetails;
use crate::domain::names::named_enum;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

named_enum!(
    /// What a check looks at.
    CheckKind, "check" {
        /// Forward-confirmed reverse DNS of the address.
        ReverseDns = "reverse_dns", "Reverse DNS (PTR)";
        /// The HELO name resolves to the address.
        Helo = "helo", "HELO name";
        /// SPF authorises the address for a sending domain.
        Spf = "spf", "SPF";
        /// A DKIM key is published for a sending domain.
        Dkim = "dkim", "DKIM";
        /// A DMARC policy is published for a sending domain.
        Dmarc = "dmarc", "DMARC";
    }
);

named_enum!(
    /// A check's verdict.
    CheckStatus, "check status" {
        /// In order.
        Pass = "pass", "Pass";
        /// Needs fixing.
        Fail = "fail", "Fail";
        /// The DNS did not answer; try again later.
        Unknown = "unknown", "Could not check";
    }
);

/// The answer of a name that does not exist.
static NO_ANSWER: Vec<String> = Vec::new();

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// What was checked.
    pub kind: CheckKind,
    /// The address or domain it was checked for.
    pub subject: String,
    /// The verdict.
    pub status: CheckStatus,
    /// Why, in a sentence.
    pub reason: String,
    /// What to change, with the record to publish; `None` when nothing needs doing.
    pub fix: Option<String>,
}

fn result(
    kind: CheckKind,
    subject: &str,
    status: CheckStatus,
    reason: String,
    fix: Option<String>,
) -> CheckResult {
    CheckResult {
        kind,
        subject: subject.to_owned(),
        status,
        reason,
        fix,
    }
}

fn could_not(kind: CheckKind, subject: &str, name: &str, error: &DnsError) -> CheckResult {
    let detail = match error {
        DnsError::NoSuchName => "the name does not exist".to_owned(),
        DnsError::Failed(detail) => detail.clone(),
    };
    result(
        kind,
        subject,
        CheckStatus::Unknown,
        format!("The DNS lookup of {name} did not answer ({detail})."),
        Some("Try the checks again in a few minutes; if it persists, check that your name servers answer.".to_owned()),
    )
}

/// The SPF term that authorises one address.
pub fn spf_term(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => format!("ip4:{v4}"),
        IpAddr::V6(v6) => format!("ip6:{v6}"),
    }
}

/// Forward-confirmed reverse DNS: `ptr` is the PTR answer for `ip`, `forward` the address
/// answers for each PTR name. `helo` is suggested as the name to use.
pub fn reverse_dns(
    ip: IpAddr,
    helo: &str,
    ptr: &Result<Vec<String>, DnsError>,
    forward: &[(String, Result<Vec<IpAddr>, DnsError>)],
) -> CheckResult {
    let subject = ip.to_string();
    let set_ptr = format!(
        "Set the reverse DNS (PTR) of {ip} to {helo} in the control panel, and publish \
         \"{helo}. IN {} {ip}\" in your zone.",
        if ip.is_ipv4() { "A" } else { "AAAA" }
    );
    let names = match ptr {
        Ok(names) if !names.is_empty() => names,
        Ok(_) | Err(DnsError::NoSuchName) => {
            return result(
                CheckKind::ReverseDns,
                &subject,
                CheckStatus::Fail,
                format!("{ip} has no reverse DNS (PTR) name."),
                Some(set_ptr),
            )
        }
        Err(error) => {
            return could_not(
                CheckKind::ReverseDns,
                &subject,
                &format!("the PTR of {ip}"),
                error,
            )
        }
    };
    let mut failures = Vec::new();
    for (name, answer) in forward {
        match answer {
            Ok(addrs) if addrs.contains(&ip) => {
                return result(
                    CheckKind::ReverseDns,
                    &subject,
                    CheckStatus::Pass,
                    format!("{ip} is named {name}, and {name} resolves back to {ip}."),
                    None,
                )
            }
            Ok(_) | Err(DnsError::NoSuchName) => {}
            Err(error) => failures.push(could_not(CheckKind::ReverseDns, &subject, name, error)),
        }
    }
    if let Some(unknown) = failures.into_iter().next() {
        return unknown;
    }
    let name = names[0].trim_end_matches('.');
    result(
        CheckKind::ReverseDns,
        &subject,
        CheckStatus::Fail,
        format!("{ip} is named {name}, but {name} does not resolve back to {ip}."),
        Some(format!(
            "Publish \"{name}. IN {} {ip}\", or set the PTR to a name that resolves to {ip}.",
            if ip.is_ipv4() { "A" } else { "AAAA" }
        )),
    )
}

/// The HELO name resolves to the address: `answer` is its A (or AAAA) answer.
pub fn helo(ip: IpAddr, helo: &str, answer: &Result<Vec<IpAddr>, DnsError>) -> CheckResult {
    let record = format!(
        "\"{helo}. IN {} {ip}\"",
        if ip.is_ipv4() { "A" } else { "AAAA" }
    );
    match answer {
        Ok(addrs) if addrs.contains(&ip) => result(
            CheckKind::Helo,
            helo,
            CheckStatus::Pass,
            format!("{helo} resolves to {ip}."),
            None,
        ),
        Ok(addrs) if !addrs.is_empty() => result(
            CheckKind::Helo,
            helo,
            CheckStatus::Fail,
            format!(
                "{helo} resolves to {}, not to {ip}.",
                addrs
                    .iter()
                    .map(IpAddr::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(format!("Publish {record}.")),
        ),
        Ok(_) | Err(DnsError::NoSuchName) => result(
            CheckKind::Helo,
            helo,
            CheckStatus::Fail,
            format!("{helo} does not resolve to any address."),
            Some(format!("Publish {record}.")),
        ),
        Err(error) => could_not(CheckKind::Helo, helo, helo, error),
    }
}

/// SPF for one sending domain, from the evaluation's outcome.
pub fn spf(ip: IpAddr, domain: &str, outcome: &SpfOutcome) -> CheckResult {
    let term = spf_term(ip);
    let reason = format!("{}.", outcome.reason);
    let add_term = |record: &str| {
        let rest = record.get(6..).unwrap_or("").trim_start();
        format!("Add {term} to the SPF record of {domain}, for example: \"v=spf1 {term} {rest}\".")
    };
    match outcome.result {
        SpfResult::Pass => result(CheckKind::Spf, domain, CheckStatus::Pass, reason, None),
        SpfResult::None => result(
            CheckKind::Spf,
            domain,
            CheckStatus::Fail,
            reason,
            Some(format!(
                "Publish a TXT record at {domain}: \"v=spf1 {term} -all\"."
            )),
        ),
        SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => result(
            CheckKind::Spf,
            domain,
            CheckStatus::Fail,
            format!("{ip} is not authorised: {}", lower_first(&reason)),
            Some(match &outcome.record {
                Some(record) => add_term(record),
                None => format!("Authorise {term} in the SPF record of {domain}."),
            }),
        ),
        SpfResult::TempError => {
            let name = match &outcome.reason {
                SpfReason::Dns { name, .. } => name.clone(),
                _ => domain.to_owned(),
            };
            result(
                CheckKind::Spf,
                domain,
                CheckStatus::Unknown,
                reason,
                Some(format!(
                    "Try again in a few minutes; if it persists, check that the name servers of {name} answer."
                )),
            )
        }
        SpfResult::PermError => {
            let fix = match &outcome.reason {
                SpfReason::TooManyLookups => format!(
                    "Replace some include: terms with the ip4:/ip6: networks they stand for, so \
                     that evaluating the record of {domain} needs at most 10 lookups."
                ),
                SpfReason::SeveralRecords { .. } => format!(
                    "Merge the SPF records of {domain} into one TXT record that starts with v=spf1 and includes {term}."
                ),
                _ => format!("Correct the SPF record of {domain} so that it is valid and includes {term}."),
            };
            result(CheckKind::Spf, domain, CheckStatus::Fail, reason, Some(fix))
        }
    }
}

/// DKIM for one sending domain: `answer` is the TXT answer at `<selector>._domainkey.<domain>`.
pub fn dkim(domain: &str, selector: &str, answer: &Result<Vec<String>, DnsError>) -> CheckResult {
    let name = format!("{selector}._domainkey.{domain}");
    let publish = format!(
        "Publish your public key as a TXT record at {name}: \"v=DKIM1; k=rsa; p=<the public key, base64>\" \
         (2048-bit RSA, or k=ed25519)."
    );
    let txts = match answer {
        Ok(txts) => txts,
        Err(DnsError::NoSuchName) => &NO_ANSWER,
        Err(error) => return could_not(CheckKind::Dkim, domain, &name, error),
    };
    let keys: Vec<&String> = txts.iter().filter(|t| !is_spf_record(t)).collect();
    let Some(record) = keys.first() else {
        return result(
            CheckKind::Dkim,
            domain,
            CheckStatus::Fail,
            format!("No DKIM key is published at {name}."),
            Some(publish),
        );
    };
    match parse_dkim(record) {
        Ok(key) if key.key_bytes == 0 => result(
            CheckKind::Dkim,
            domain,
            CheckStatus::Fail,
            format!("The DKIM key at {name} is revoked (its p= is empty)."),
            Some(publish),
        ),
        Ok(key) if key.is_weak() => result(
            CheckKind::Dkim,
            domain,
            CheckStatus::Fail,
            format!("The DKIM key at {name} is shorter than 1024 bits; receivers ignore it."),
            Some(publish),
        ),
        Ok(_) => result(
            CheckKind::Dkim,
            domain,
            CheckStatus::Pass,
            format!("A DKIM public key is published at {name}."),
            None,
        ),
        Err(problem) => result(
            CheckKind::Dkim,
            domain,
            CheckStatus::Fail,
            format!("The DKIM record at {name} is not valid: {problem}."),
            Some(publish),
        ),
    }
}

/// DMARC for one sending domain: `found` is the TXT answer at `_dmarc.<domain>`, or at the
/// parent domain (`at`) that DMARC falls back to.
pub fn dmarc(domain: &str, at: &str, answer: &Result<Vec<String>, DnsError>) -> CheckResult {
    let name = format!("_dmarc.{at}");
    let publish = format!(
        "Publish a TXT record at _dmarc.{domain}: \"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}\", \
         then move to p=quarantine or p=reject once the reports show your mail passes."
    );
    let txts = match answer {
        Ok(txts) => txts,
        Err(DnsError::NoSuchName) => &NO_ANSWER,
        Err(error) => return could_not(CheckKind::Dmarc, domain, &name, error),
    };
    let records: Vec<&String> = txts.iter().filter(|t| is_dmarc_record(t)).collect();
    let record = match records.as_slice() {
        [] => {
            return result(
                CheckKind::Dmarc,
                domain,
                CheckStatus::Fail,
                format!("No DMARC policy is published for {domain}."),
                Some(publish),
            )
        }
        [one] => one,
        _ => {
            return result(
                CheckKind::Dmarc,
                domain,
                CheckStatus::Fail,
                format!("{name} holds more than one DMARC record; receivers then ignore them all."),
                Some(format!("Keep one DMARC record at {name}.")),
            )
        }
    };
    match parse_dmarc(record) {
        Ok(policy) => {
            let alignment = |strict: bool| if strict { "strict" } else { "relaxed" };
            let inherited = if at == domain {
                String::new()
            } else {
                format!(" (inherited from {at})")
            };
            let mut reason = format!(
                "DMARC policy p={}{inherited}; DKIM alignment {}, SPF alignment {}.",
                policy.policy.as_str(),
                alignment(policy.strict_dkim),
                alignment(policy.strict_spf)
            );
            if policy.policy == DmarcPolicy::None {
                reason.push_str(" Receivers only report failures; they do not act on them.");
            }
            result(CheckKind::Dmarc, domain, CheckStatus::Pass, reason, None)
        }
        Err(problem) => result(
            CheckKind::Dmarc,
            domain,
            CheckStatus::Fail,
            format!("The DMARC record at {name} is not valid: {problem}."),
            Some(publish),
        ),
    }
}

/// Runs every check of a request: reverse DNS and the HELO name for the address, then SPF,
/// DKIM and DMARC for each sending domain. A check that cannot get an answer says so; none
/// stops the others.
pub async fn run<D: SpfDns>(dns: &D, details: &RequestDetails) -> Vec<CheckResult> {
    let ip = details.ip;
    let v6 = ip.is_ipv6();
    let mut results = Vec::new();
    let ptr = dns.ptr(ip).await;
    let mut forward = Vec::new();
    if let Ok(names) = &ptr {
        for name in names.iter().take(NAME_LIMIT) {
            let name = name.trim_end_matches('.').to_owned();
            let answer = dns.addresses(&name, v6).await;
            forward.push((name, answer));
        }
    }
    results.push(reverse_dns(ip, &details.helo_name, &ptr, &forward));
    results.push(helo(
        ip,
        &details.helo_name,
        &dns.addresses(&details.helo_name, v6).await,
    ));
    for domain in &details.sending_domains {
        let sender = Sender {
            ip,
            local_part: "postmaster".to_owned(),
            domain: domain.clone(),
            helo: details.helo_name.clone(),
        };
        results.push(spf(ip, domain, &check_host(dns, &sender, domain).await));
        let key = format!("{}._domainkey.{domain}", details.dkim_selector);
        results.push(dkim(domain, &details.dkim_selector, &dns.txt(&key).await));
        let mut found = None;
        for at in dmarc_candidates(domain) {
            let answer = dns.txt(&format!("_dmarc.{at}")).await;
            let decisive = match &answer {
                Ok(txts) => txts.iter().any(|t| is_dmarc_record(t)),
                Err(DnsError::NoSuchName) => false,
                Err(DnsError::Failed(_)) => true,
            };
            if decisive {
                found = Some((at, answer));
                break;
            }
        }
        let (at, answer) = found.unwrap_or_else(|| (domain.clone(), Ok(Vec::new())));
        results.push(dmarc(domain, &at, &answer));
    }
    results
}

/// The domains to ask for a DMARC record, in order: the domain, then its parents down to two
/// labels (the organisational domain, approximated without the public-suffix list).
pub fn dmarc_candidates(domain: &str) -> Vec<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    (0..labels.len().saturating_sub(1))
        .map(|skip| labels[skip..].join("."))
        .collect()
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::smtp::spf::tests::{block_on, Zone};
    use crate::domain::smtp::spf::{check_host, Sender};

    fn ip() -> IpAddr {
        "203.0.113.25".parse().unwrap()
    }

    #[test]
    fn reverse_dns_must_resolve_back() {
        let name = "mail.example.com".to_owned();
        let pass = reverse_dns(
            ip(),
            "mail.example.com",
            &Ok(vec![name.clone()]),
            &[(name.clone(), Ok(vec![ip()]))],
        );
        assert_eq!(pass.status, CheckStatus::Pass);
        assert_eq!(pass.reason, "203.0.113.25 is named mail.example.com, and mail.example.com resolves back to 203.0.113.25.");
        let elsewhere: IpAddr = "198.51.100.1".parse().unwrap();
        let fail = reverse_dns(
            ip(),
            "mail.example.com",
            &Ok(vec![name.clone()]),
            &[(name.clone(), Ok(vec![elsewhere]))],
        );
        assert_eq!(fail.status, CheckStatus::Fail);
        assert_eq!(
            fail.fix.as_deref(),
            Some("Publish \"mail.example.com. IN A 203.0.113.25\", or set the PTR to a name that resolves to 203.0.113.25.")
        );
        let none = reverse_dns(ip(), "mail.example.com", &Err(DnsError::NoSuchName), &[]);
        assert_eq!(none.status, CheckStatus::Fail);
        assert!(none
            .fix
            .unwrap()
            .starts_with("Set the reverse DNS (PTR) of 203.0.113.25 to mail.example.com"));
        let timeout = reverse_dns(
            ip(),
            "mail.example.com",
            &Err(DnsError::Failed("timed out".into())),
            &[],
        );
        assert_eq!(timeout.status, CheckStatus::Unknown);
        assert_eq!(
            timeout.reason,
            "The DNS lookup of the PTR of 203.0.113.25 did not answer (timed out)."
        );
    }

    #[test]
    fn helo_names() {
        assert_eq!(
            helo(ip(), "mail.example.com", &Ok(vec![ip()])).status,
            CheckStatus::Pass
        );
        let wrong = helo(
            ip(),
            "mail.example.com",
            &Ok(vec!["192.0.2.1".parse().unwrap()]),
        );
        assert_eq!(
            wrong.reason,
            "mail.example.com resolves to 192.0.2.1, not to 203.0.113.25."
        );
        assert_eq!(
            wrong.fix.as_deref(),
            Some("Publish \"mail.example.com. IN A 203.0.113.25\".")
        );
        assert_eq!(
            helo(ip(), "mail.example.com", &Err(DnsError::NoSuchName)).status,
            CheckStatus::Fail
        );
        assert_eq!(
            helo(
                ip(),
                "mail.example.com",
                &Err(DnsError::Failed("SERVFAIL".into()))
            )
            .status,
            CheckStatus::Unknown
        );
    }

    fn spf_for(record: Option<&str>) -> CheckResult {
        let mut zone = Zone::default().a("example.com", "192.0.2.1");
        if let Some(record) = record {
            zone = zone.txt("example.com", record);
        }
        let sender = Sender {
            ip: ip(),
            local_part: "postmaster".into(),
            domain: "example.com".into(),
            helo: "mail.example.com".into(),
        };
        let outcome = block_on(check_host(&zone, &sender, "example.com"));
        spf(ip(), "example.com", &outcome)
    }

    #[test]
    fn spf_results_in_words() {
        let pass = spf_for(Some("v=spf1 ip4:203.0.113.0/24 -all"));
        assert_eq!(pass.status, CheckStatus::Pass);
        assert_eq!(
            pass.reason,
            "\"ip4:203.0.113.0/24\" in the SPF record of example.com matched."
        );
        let fail = spf_for(Some("v=spf1 mx -all"));
        assert_eq!(fail.status, CheckStatus::Fail);
        assert_eq!(
            fail.reason,
            "203.0.113.25 is not authorised: \"-all\" in the SPF record of example.com matched."
        );
        assert_eq!(
            fail.fix.as_deref(),
            Some("Add ip4:203.0.113.25 to the SPF record of example.com, for example: \"v=spf1 ip4:203.0.113.25 mx -all\".")
        );
        let none = spf_for(None);
        assert_eq!(none.status, CheckStatus::Fail);
        assert_eq!(
            none.fix.as_deref(),
            Some("Publish a TXT record at example.com: \"v=spf1 ip4:203.0.113.25 -all\".")
        );
        let broken = spf_for(Some("v=spf1 ip4:1.2.3.4/99 -all"));
        assert_eq!(broken.status, CheckStatus::Fail);
        assert!(broken
            .fix
            .unwrap()
            .starts_with("Correct the SPF record of example.com"));
    }

    #[test]
    fn dkim_in_words() {
        let key = format!("v=DKIM1; k=rsa; p={}", "A".repeat(392));
        assert_eq!(
            dkim("example.com", "s1", &Ok(vec![key])).status,
            CheckStatus::Pass
        );
        let missing = dkim("example.com", "s1", &Err(DnsError::NoSuchName));
        assert_eq!(
            missing.reason,
            "No DKIM key is published at s1._domainkey.example.com."
        );
        assert!(missing
            .fix
            .unwrap()
            .starts_with("Publish your public key as a TXT record at s1._domainkey.example.com"));
        assert_eq!(
            dkim("example.com", "s1", &Ok(vec!["v=DKIM1; p=".into()])).status,
            CheckStatus::Fail
        );
        assert_eq!(
            dkim(
                "example.com",
                "s1",
                &Err(DnsError::Failed("timed out".into()))
            )
            .status,
            CheckStatus::Unknown
        );
    }

    #[test]
    fn dmarc_in_words() {
        let ok = dmarc(
            "example.com",
            "example.com",
            &Ok(vec!["v=DMARC1; p=reject; aspf=s".into()]),
        );
        assert_eq!(ok.status, CheckStatus::Pass);
        assert_eq!(
            ok.reason,
            "DMARC policy p=reject; DKIM alignment relaxed, SPF alignment strict."
        );
        let inherited = dmarc(
            "shop.example.com",
            "example.com",
            &Ok(vec!["v=DMARC1; p=none".into()]),
        );
        assert_eq!(
            inherited.reason,
            "DMARC policy p=none (inherited from example.com); DKIM alignment relaxed, SPF alignment relaxed. \
             Receivers only report failures; they do not act on them."
        );
        let missing = dmarc(
            "example.com",
            "example.com",
            &Ok(vec!["v=spf1 -all".into()]),
        );
        assert_eq!(missing.status, CheckStatus::Fail);
        let two = dmarc(
            "example.com",
            "example.com",
            &Ok(vec!["v=DMARC1; p=none".into(), "v=DMARC1; p=reject".into()]),
        );
        assert_eq!(two.status, CheckStatus::Fail);
        assert_eq!(
            dmarc_candidates("a.shop.example.com"),
            ["a.shop.example.com", "shop.example.com", "example.com"]
        );
        assert_eq!(dmarc_candidates("example.com"), ["example.com"]);
    }

    #[test]
    fn a_whole_run_reports_each_check_in_order() {
        let zone = Zone::default()
            .txt("example.com", "v=spf1 ip4:203.0.113.25 -all")
            .txt(
                "s1._domainkey.example.com",
                &format!("v=DKIM1; p={}", "A".repeat(392)),
            )
            .a("mail.example.com", "203.0.113.25")
            .ptr("203.0.113.25", "mail.example.com.")
            .failing("_dmarc.slow.example");
        let details = crate::domain::smtp::RequestDetails {
            ip: ip(),
            use_case: crate::domain::smtp::UseCase::Transactional,
            use_case_details: String::new(),
            sending_domains: vec!["example.com".into(), "slow.example".into()],
            daily_volume: 100,
            peak_per_hour: 10,
            consent: String::new(),
            bounce_handling: String::new(),
            software: String::new(),
            helo_name: "mail.example.com".into(),
            dkim_selector: "s1".into(),
            why_not_relay: String::new(),
        };
        let results = block_on(run(&zone, &details));
        let summary: Vec<(CheckKind, &str, CheckStatus)> = results
            .iter()
            .map(|r| (r.kind, r.subject.as_str(), r.status))
            .collect();
        use CheckKind as K;
        use CheckStatus as S;
        assert_eq!(
            summary,
            [
                (K::ReverseDns, "203.0.113.25", S::Pass),
                (K::Helo, "mail.example.com", S::Pass),
                (K::Spf, "example.com", S::Pass),
                (K::Dkim, "example.com", S::Pass),
                (K::Dmarc, "example.com", S::Fail),
                (K::Spf, "slow.example", S::Fail),
                (K::Dkim, "slow.example", S::Fail),
                (K::Dmarc, "slow.example", S::Unknown),
            ]
        );
    }
}
