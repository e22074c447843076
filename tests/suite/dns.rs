//! The port-25 DNS checks against a real name server on 127.0.0.1 (hickory-server in this
//! process, serving fixture zones over UDP and TCP): every check passing, every check failing
//! with its fix, and a name server that never answers.

use abuse_portal::domain::smtp::checks::{self, CheckKind, CheckStatus};
use abuse_portal::domain::smtp::{RequestDetails, UseCase};
use abuse_portal::server::dns::{DnsConfig, PortalDns};
use hickory_server::proto::rr::rdata::{A, NS, PTR, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneHandler, ZoneType};
use hickory_server::Server;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, UdpSocket};

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

/// A zone with its SOA and NS, and the given records.
fn zone(origin: &str, records: &[(&str, RData)]) -> (LowerName, Arc<dyn ZoneHandler>) {
    let mut z: InMemoryZoneHandler =
        InMemoryZoneHandler::empty(name(origin), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        name("ns1.test."),
        name("hostmaster.test."),
        1,
        3600,
        600,
        86_400,
        60,
    );
    z.upsert_mut(Record::from_rdata(name(origin), 300, RData::SOA(soa)), 1);
    z.upsert_mut(
        Record::from_rdata(name(origin), 300, RData::NS(NS(name("ns1.test.")))),
        1,
    );
    for (owner, data) in records {
        assert!(z.upsert_mut(Record::from_rdata(name(owner), 300, data.clone()), 1));
    }
    (LowerName::new(&name(origin)), Arc::new(z))
}

fn txt(text: &str) -> RData {
    // Long values are split into strings of at most 255 bytes, as zone files do.
    let parts = text
        .as_bytes()
        .chunks(255)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    RData::TXT(TXT::new(parts))
}

fn a(ip: [u8; 4]) -> RData {
    RData::A(A::new(ip[0], ip[1], ip[2], ip[3]))
}

/// The fixture: `example.test` publishes everything right for 203.0.113.25 (its SPF through an
/// include); `broken.test` publishes everything wrong for 203.0.113.26.
async fn start_name_server() -> (SocketAddr, Server<Catalog>) {
    let dkim = format!(
        "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA{}",
        "Q".repeat(348)
    );
    let mut catalog = Catalog::new();
    for (origin, handler) in [
        zone(
            "example.test.",
            &[
                (
                    "example.test.",
                    txt("v=spf1 include:_spf.example.test -all"),
                ),
                ("_spf.example.test.", txt("v=spf1 ip4:203.0.113.0/24 -all")),
                ("s1._domainkey.example.test.", txt(&dkim)),
                (
                    "_dmarc.example.test.",
                    txt("v=DMARC1; p=reject; rua=mailto:d@example.test"),
                ),
                ("mail.example.test.", a([203, 0, 113, 25])),
            ],
        ),
        zone(
            "broken.test.",
            &[
                ("broken.test.", txt("v=spf1 ip4:198.51.100.0/24 -all")),
                ("mail.broken.test.", a([192, 0, 2, 1])),
            ],
        ),
        zone(
            "113.0.203.in-addr.arpa.",
            &[
                (
                    "25.113.0.203.in-addr.arpa.",
                    RData::PTR(PTR(name("mail.example.test."))),
                ),
                (
                    "26.113.0.203.in-addr.arpa.",
                    RData::PTR(PTR(name("mail.broken.test."))),
                ),
            ],
        ),
    ] {
        catalog.upsert(origin, vec![handler]);
    }
    let (udp, tcp, addr) = loop {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = udp.local_addr().unwrap();
        if let Ok(tcp) = TcpListener::bind(addr).await {
            break (udp, tcp, addr);
        }
    };
    let mut server = Server::new(catalog);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 32);
    (addr, server)
}

fn details(ip: &str, domain: &str, helo: &str) -> RequestDetails {
    RequestDetails {
        ip: ip.parse().unwrap(),
        use_case: UseCase::Transactional,
        use_case_details: String::new(),
        sending_domains: vec![domain.to_owned()],
        daily_volume: 1_000,
        peak_per_hour: 100,
        consent: String::new(),
        bounce_handling: String::new(),
        software: "Postfix".into(),
        helo_name: helo.to_owned(),
        dkim_selector: "s1".into(),
        why_not_relay: String::new(),
    }
}

fn live(servers: Vec<SocketAddr>, timeout_ms: u64) -> PortalDns {
    PortalDns::new(&DnsConfig {
        servers,
        timeout: Duration::from_millis(timeout_ms),
        demo: false,
    })
    .unwrap()
}

fn statuses(results: &[checks::CheckResult]) -> Vec<(CheckKind, CheckStatus)> {
    results.iter().map(|r| (r.kind, r.status)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_that_publishes_everything_passes_every_check() {
    let (addr, server) = start_name_server().await;
    let dns = live(vec![addr], 1_000);
    let results = checks::run(
        &dns,
        &details("203.0.113.25", "example.test", "mail.example.test"),
    )
    .await;
    use CheckKind as K;
    use CheckStatus as S;
    assert_eq!(
        statuses(&results),
        [
            (K::ReverseDns, S::Pass),
            (K::Helo, S::Pass),
            (K::Spf, S::Pass),
            (K::Dkim, S::Pass),
            (K::Dmarc, S::Pass)
        ],
        "{results:#?}"
    );
    assert_eq!(
        results[2].reason,
        "\"include:_spf.example.test\" in the SPF record of example.test matched."
    );
    assert!(results.iter().all(|r| r.fix.is_none()));
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_that_publishes_it_wrong_fails_with_the_records_to_fix() {
    let (addr, server) = start_name_server().await;
    let dns = live(vec![addr], 1_000);
    let results = checks::run(
        &dns,
        &details("203.0.113.26", "broken.test", "mail.broken.test"),
    )
    .await;
    use CheckKind as K;
    use CheckStatus as S;
    assert_eq!(
        statuses(&results),
        [
            (K::ReverseDns, S::Fail),
            (K::Helo, S::Fail),
            (K::Spf, S::Fail),
            (K::Dkim, S::Fail),
            (K::Dmarc, S::Fail)
        ],
        "{results:#?}"
    );
    assert_eq!(
        results[0].reason,
        "203.0.113.26 is named mail.broken.test, but mail.broken.test does not resolve back to 203.0.113.26."
    );
    assert_eq!(
        results[1].reason,
        "mail.broken.test resolves to 192.0.2.1, not to 203.0.113.26."
    );
    assert_eq!(
        results[2].fix.as_deref(),
        Some("Add ip4:203.0.113.26 to the SPF record of broken.test, for example: \"v=spf1 ip4:203.0.113.26 ip4:198.51.100.0/24 -all\".")
    );
    assert_eq!(
        results[3].reason,
        "No DKIM key is published at s1._domainkey.broken.test."
    );
    assert_eq!(
        results[4].reason,
        "No DMARC policy is published for broken.test."
    );
    // An address with no reverse name at all, and a domain that does not exist.
    let nothing = checks::run(
        &dns,
        &details("203.0.113.99", "missing.example.test", "mail.example.test"),
    )
    .await;
    assert_eq!(
        nothing[0].reason,
        "203.0.113.99 has no reverse DNS (PTR) name."
    );
    assert_eq!(
        nothing[2].reason,
        "missing.example.test publishes no SPF record."
    );
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_server_that_never_answers_means_could_not_check() {
    // A UDP socket that reads and drops every question; TCP to it is refused.
    let silent = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let addr = silent.local_addr().unwrap();
    let drain = tokio::spawn(async move {
        let mut buf = [0u8; 4096];
        while silent.recv_from(&mut buf).await.is_ok() {}
    });
    let dns = live(vec![addr], 200);
    let started = Instant::now();
    let results = checks::run(
        &dns,
        &details("203.0.113.25", "example.test", "mail.example.test"),
    )
    .await;
    assert!(
        results.iter().all(|r| r.status == CheckStatus::Unknown),
        "{results:#?}"
    );
    assert!(results[0]
        .reason
        .starts_with("The DNS lookup of the PTR of 203.0.113.25 did not answer"));
    assert!(results[2]
        .fix
        .as_deref()
        .unwrap()
        .starts_with("Try again in a few minutes"));
    // Every question gives up after its time-out and one retry: the run stays short.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    drain.abort();
}
