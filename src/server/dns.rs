//! DNS for the port-25 checks: a live resolver asking the configured name servers, or, in demo
//! mode, the portal's built-in demo zone (clearly labelled as such on the pages), so that demo
//! users see checks pass and fail without touching the internet.

use crate::domain::smtp::spf::{DnsError, SpfDns};
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError as WireError, NetError, NoRecords};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Where DNS answers come from (`PORTAL_DNS_SERVERS`, `PORTAL_DNS_TIMEOUT_MS`, `PORTAL_DNS_MODE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    /// The name servers to ask (recursive resolvers), UDP and TCP on each address.
    pub servers: Vec<SocketAddr>,
    /// How long one question to one server may take.
    pub timeout: Duration,
    /// Answer from the built-in demo zone instead of the name servers.
    pub demo: bool,
}

impl DnsConfig {
    /// The name servers of `/etc/resolv.conf`, or 127.0.0.1 when it names none.
    pub fn system_servers() -> Vec<SocketAddr> {
        let servers: Vec<SocketAddr> = std::fs::read_to_string("/etc/resolv.conf")
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.trim().strip_prefix("nameserver"))
            .filter_map(|rest| rest.trim().parse::<IpAddr>().ok())
            .map(|ip| SocketAddr::new(ip, 53))
            .collect();
        if servers.is_empty() {
            vec![SocketAddr::from(([127, 0, 0, 1], 53))]
        } else {
            servers
        }
    }
}

/// The source of answers for one run of the checks.
pub enum PortalDns {
    /// A resolver asking the configured name servers.
    Live(Box<TokioResolver>),
    /// The built-in demo zone.
    Demo,
}

impl PortalDns {
    /// Builds the source the configuration names.
    pub fn new(config: &DnsConfig) -> Result<PortalDns, String> {
        if config.demo {
            return Ok(PortalDns::Demo);
        }
        let servers = config
            .servers
            .iter()
            .map(|addr| {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
            })
            .collect();
        let mut opts = ResolverOpts::default();
        opts.timeout = config.timeout;
        opts.attempts = 1;
        // Each check asks afresh: a record the customer just published must be seen.
        opts.cache_size = 0;
        opts.positive_max_ttl = Some(Duration::ZERO);
        opts.negative_max_ttl = Some(Duration::ZERO);
        opts.use_hosts_file = ResolveHosts::Never;
        Resolver::builder_with_config(
            ResolverConfig::from_name_servers(servers),
            TokioRuntimeProvider::default(),
        )
        .with_options(opts)
        .build()
        .map(|resolver| PortalDns::Live(Box::new(resolver)))
        .map_err(|e| e.to_string())
    }

    /// Whether answers come from the demo zone (the pages say so).
    pub fn is_demo(&self) -> bool {
        matches!(self, PortalDns::Demo)
    }
}

/// A resolver error as the checks understand it: the name does not exist, the name has no
/// records of the type (an empty answer), or no usable answer.
fn classify<T>(result: Result<Vec<T>, NetError>) -> Result<Vec<T>, DnsError> {
    match result {
        Ok(found) => Ok(found),
        Err(NetError::Dns(WireError::NoRecordsFound(NoRecords { response_code, .. }))) => {
            match response_code {
                ResponseCode::NXDomain => Err(DnsError::NoSuchName),
                ResponseCode::NoError => Ok(Vec::new()),
                other => Err(DnsError::Failed(format!(
                    "the name server answered {other}"
                ))),
            }
        }
        Err(NetError::Timeout) => Err(DnsError::Failed("no answer in time".to_owned())),
        Err(NetError::Dns(WireError::ResponseCode(code))) => {
            Err(DnsError::Failed(format!("the name server answered {code}")))
        }
        Err(other) => Err(DnsError::Failed(other.to_string())),
    }
}

fn name(raw: &hickory_resolver::proto::rr::Name) -> String {
    raw.to_ascii().trim_end_matches('.').to_owned()
}

impl SpfDns for PortalDns {
    async fn txt(&self, query: &str) -> Result<Vec<String>, DnsError> {
        match self {
            PortalDns::Live(r) => classify(r.txt_lookup(query).await.map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::TXT(txt) => Some(
                            txt.txt_data
                                .iter()
                                .map(|s| String::from_utf8_lossy(s))
                                .collect::<String>(),
                        ),
                        _ => None,
                    })
                    .collect()
            })),
            PortalDns::Demo => demo::txt(query),
        }
    }

    async fn addresses(&self, query: &str, v6: bool) -> Result<Vec<IpAddr>, DnsError> {
        match self {
            PortalDns::Live(r) if v6 => classify(r.ipv6_lookup(query).await.map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                        _ => None,
                    })
                    .collect()
            })),
            PortalDns::Live(r) => classify(r.ipv4_lookup(query).await.map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::A(a) => Some(IpAddr::V4(a.0)),
                        _ => None,
                    })
                    .collect()
            })),
            PortalDns::Demo => demo::addresses(query, v6),
        }
    }

    async fn mx(&self, query: &str) -> Result<Vec<String>, DnsError> {
        match self {
            PortalDns::Live(r) => classify(r.mx_lookup(query).await.map(|lookup| {
                let mut found: Vec<(u16, String)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::MX(mx) => Some((mx.preference, name(&mx.exchange))),
                        _ => None,
                    })
                    .collect();
                found.sort();
                found.into_iter().map(|(_, exchange)| exchange).collect()
            })),
            PortalDns::Demo => demo::mx(query),
        }
    }

    async fn ptr(&self, ip: IpAddr) -> Result<Vec<String>, DnsError> {
        match self {
            PortalDns::Live(r) => classify(r.reverse_lookup(ip).await.map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|rec| match &rec.data {
                        RData::PTR(ptr) => Some(name(&ptr.0)),
                        _ => None,
                    })
                    .collect()
            })),
            PortalDns::Demo => demo::ptr(ip),
        }
    }
}

/// The demo zone: the demo's addresses and domains. `app.acme.test` is set up correctly for
/// the demo's approved request on 2001:db8:ac::11; `reports.globex.test` (the pending request
/// on 192.0.2.77) has a reverse name that does not resolve back, an SPF record without the
/// address and no DKIM key, so that its checks fail with their fixes shown.
mod demo {
    use super::DnsError;
    use std::net::IpAddr;

    const DKIM_KEY: &str = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    pub fn txt(name: &str) -> Result<Vec<String>, DnsError> {
        let found: &[&str] = match name {
            "app.acme.test" => &["v=spf1 ip6:2001:db8:ac::/64 ip4:203.0.113.11 -all"],
            "s1._domainkey.app.acme.test" => &[DKIM_KEY],
            "_dmarc.app.acme.test" => &["v=DMARC1; p=quarantine; rua=mailto:dmarc@app.acme.test"],
            "shop.acme.test" => &["v=spf1 ip4:203.0.113.11 ~all"],
            "s1._domainkey.shop.acme.test" => &[DKIM_KEY],
            "_dmarc.acme.test" => &["v=DMARC1; p=none"],
            "reports.globex.test" => &["v=spf1 ip4:198.51.100.0/24 -all"],
            "_dmarc.globex.test" => &["v=DMARC1; p=reject"],
            _ => return Err(DnsError::NoSuchName),
        };
        Ok(found.iter().map(|s| (*s).to_owned()).collect())
    }

    pub fn addresses(name: &str, v6: bool) -> Result<Vec<IpAddr>, DnsError> {
        let found: &[&str] = match (name, v6) {
            ("mail.app.acme.test", true) => &["2001:db8:ac::11"],
            ("mail.shop.acme.test", false) => &["203.0.113.11"],
            ("mail.reports.globex.test", false) => &["192.0.2.78"],
            ("mail.app.acme.test" | "mail.shop.acme.test" | "mail.reports.globex.test", _) => &[],
            _ => return Err(DnsError::NoSuchName),
        };
        Ok(found.iter().filter_map(|s| s.parse().ok()).collect())
    }

    pub fn mx(name: &str) -> Result<Vec<String>, DnsError> {
        match name {
            "app.acme.test" => Ok(vec!["mail.app.acme.test".to_owned()]),
            _ => Err(DnsError::NoSuchName),
        }
    }

    pub fn ptr(ip: IpAddr) -> Result<Vec<String>, DnsError> {
        match ip.to_string().as_str() {
            "2001:db8:ac::11" => Ok(vec!["mail.app.acme.test".to_owned()]),
            "203.0.113.11" => Ok(vec!["mail.shop.acme.test".to_owned()]),
            "192.0.2.77" => Ok(vec!["mail.reports.globex.test".to_owned()]),
            _ => Err(DnsError::NoSuchName),
        }
    }
}
