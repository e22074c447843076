//! The port-25 rules, tested.

use super::*;
use std::net::IpAddr;
use time::macros::{date, datetime};
use time::Duration;

const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);
const IP: &str = "203.0.113.25";

fn measure(kind: EnforcementKind, scope: Scope, ends_in_h: Option<i64>) -> Measure {
    Measure {
        kind,
        scope,
        starts_at: NOW - Duration::hours(1),
        ends_at: ends_in_h.map(|h| NOW + Duration::hours(h)),
    }
}

#[test]
fn a_released_address_ends_its_live_requests_and_only_those() {
    for status in RequestStatus::ALL {
        match ending_on_release(*status) {
            Some(event) => {
                assert!(status.is_live(), "{status:?}");
                let to = transition(*status, event).unwrap();
                assert!(!to.is_live(), "{status:?} → {to:?}");
            }
            None => assert!(!status.is_live(), "{status:?}"),
        }
    }
}

#[test]
fn port25_state_follows_the_measures() {
    use EnforcementKind as K;
    let port = |ip: Option<&str>| Scope::Port {
        port: 25,
        ip: ip.map(str::to_owned),
    };
    assert_eq!(port25_state(IP, &[], NOW), Port25State::Allowed);
    let default = measure(K::Port25Restriction, port(Some(IP)), None);
    assert_eq!(
        port25_state(IP, std::slice::from_ref(&default), NOW),
        Port25State::BlockedByDefault
    );
    assert_eq!(
        port25_state("203.0.113.26", std::slice::from_ref(&default), NOW),
        Port25State::Allowed,
        "another address"
    );
    let ended = measure(K::Port25Restriction, port(Some(IP)), Some(-0));
    assert_eq!(
        port25_state(IP, &[ended], NOW),
        Port25State::Allowed,
        "ended by approval"
    );
    let abuse = measure(K::Port25Block, port(None), None);
    assert_eq!(
        port25_state(IP, &[default, abuse.clone()], NOW),
        Port25State::BlockedForAbuse,
        "abuse wins"
    );
    assert_eq!(
        port25_state(IP, &[abuse], NOW),
        Port25State::BlockedForAbuse
    );
    let other_port = measure(
        K::Port25Block,
        Scope::Port {
            port: 587,
            ip: None,
        },
        None,
    );
    assert_eq!(port25_state(IP, &[other_port], NOW), Port25State::Allowed);
    let null_route = measure(K::NullRoute, Scope::Ip(IP.into()), None);
    assert_eq!(
        port25_state(IP, &[null_route], NOW),
        Port25State::BlockedForAbuse
    );
    let rate_limit = measure(K::RateLimit, Scope::Service, None);
    assert_eq!(port25_state(IP, &[rate_limit], NOW), Port25State::Allowed);
}

#[test]
fn the_request_lifecycle() {
    use RequestEvent as E;
    use RequestStatus as S;
    assert_eq!(transition(S::Draft, E::Submit), Ok(S::Pending));
    assert_eq!(transition(S::Pending, E::Approve), Ok(S::Approved));
    assert_eq!(transition(S::Pending, E::Reject), Ok(S::Rejected));
    assert_eq!(transition(S::Pending, E::Withdraw), Ok(S::Withdrawn));
    assert_eq!(transition(S::Approved, E::Suspend), Ok(S::Suspended));
    assert_eq!(transition(S::Suspended, E::Approve), Ok(S::Approved));
    assert_eq!(transition(S::Suspended, E::Revoke), Ok(S::Revoked));
    assert_eq!(transition(S::Approved, E::Revoke), Ok(S::Revoked));
    assert_eq!(
        transition(S::Approved, E::Approve),
        Ok(S::Approved),
        "after probation"
    );
    let all_events = [
        E::Submit,
        E::Withdraw,
        E::Approve,
        E::Reject,
        E::Revoke,
        E::Suspend,
    ];
    for from in [S::Rejected, S::Revoked, S::Withdrawn] {
        for event in all_events {
            assert!(
                transition(from, event).is_err(),
                "{from:?} is final ({event:?})"
            );
        }
    }
    let refused = transition(S::Draft, E::Approve).unwrap_err();
    assert_eq!(
        refused.user_message(),
        "This request is draft: that action is not available now."
    );
    assert!(
        transition(S::Approved, E::Reject).is_err(),
        "an approval is revoked, not rejected"
    );
    assert!(transition(S::Approved, E::Withdraw).is_err());
    assert!(transition(S::Suspended, E::Suspend).is_err());
}

#[test]
fn live_statuses() {
    let live: Vec<_> = RequestStatus::ALL.iter().filter(|s| s.is_live()).collect();
    assert_eq!(
        live,
        [
            &RequestStatus::Pending,
            &RequestStatus::Approved,
            &RequestStatus::Suspended
        ]
    );
}

fn good_form() -> RequestForm {
    RequestForm {
        ip: IP.into(),
        use_case: "transactional".into(),
        use_case_details: String::new(),
        sending_domains: "Shop.Example.com,\nexample.com  shop.example.com.".into(),
        daily_volume: "2,000".into(),
        peak_per_hour: "300".into(),
        consent: "Customers who place an order receive its receipt.".into(),
        bounce_handling:
            "Postfix bounces go to a mailbox we read daily; hard bounces are suppressed.".into(),
        software: "Postfix 3.7".into(),
        helo_name: "mail.example.com".into(),
        dkim_selector: "s1".into(),
        why_not_relay: "Our relay provider cannot sign with our own DKIM keys.".into(),
        accepts_obligations: "on".into(),
    }
}

#[test]
fn a_good_form_is_accepted_and_normalised() {
    let details = good_form().validate().unwrap();
    assert_eq!(details.sending_domains, ["shop.example.com", "example.com"]);
    assert_eq!(details.daily_volume, 2_000);
    assert_eq!(details.use_case, UseCase::Transactional);
    assert_eq!(details.ip, IP.parse::<IpAddr>().unwrap());
}

#[test]
fn every_problem_is_reported_against_its_field() {
    let form = RequestForm {
        ip: "not an ip".into(),
        use_case: "other".into(),
        use_case_details: "stuff".into(),
        sending_domains: "example".into(),
        daily_volume: "lots".into(),
        peak_per_hour: "10".into(),
        consent: "yes".into(),
        bounce_handling: String::new(),
        software: String::new(),
        helo_name: "localhost".into(),
        dkim_selector: "a b".into(),
        why_not_relay: String::new(),
        accepts_obligations: String::new(),
    };
    let errors = form.validate().unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "ip",
            "use_case_details",
            "sending_domains",
            "daily_volume",
            "peak_per_hour",
            "consent",
            "bounce_handling",
            "why_not_relay",
            "software",
            "helo_name",
            "dkim_selector",
            "accepts_obligations"
        ]
    );
    assert_eq!(
        errors[2].message,
        "\"example\" is not a domain name (for example mail.example.com)."
    );
}

#[test]
fn the_peak_cannot_exceed_the_day() {
    let form = RequestForm {
        daily_volume: "100".into(),
        peak_per_hour: "500".into(),
        ..good_form()
    };
    let errors = form.validate().unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].message,
        "The peak per hour cannot be more than the daily volume."
    );
}

#[test]
fn too_many_domains() {
    let domains: Vec<String> = (0..21).map(|i| format!("d{i}.example.com")).collect();
    let form = RequestForm {
        sending_domains: domains.join(" "),
        ..good_form()
    };
    assert_eq!(form.validate().unwrap_err()[0].field, "sending_domains");
}

#[test]
fn domain_names() {
    for good in [
        "example.com",
        "mail-1.example.co.uk",
        "xn--bcher-kva.example",
    ] {
        assert!(is_domain_name(good), "{good}");
    }
    for bad in [
        "localhost",
        "-a.example",
        "a..example",
        "example.123",
        "ex ample.com",
        "",
    ] {
        assert!(!is_domain_name(bad), "{bad}");
    }
}

#[test]
fn drafts_are_bounded() {
    let form = RequestForm {
        consent: "x".repeat(10_000),
        ..good_form()
    };
    assert_eq!(form.bounded().consent.chars().count(), MAX_TEXT_CHARS);
}

#[test]
fn conditions() {
    let today = date!(2026 - 11 - 25);
    let c = Conditions::parse("5,000", "2027-02-01", today).unwrap();
    assert_eq!(c.daily_cap, Some(5_000));
    assert_eq!(
        c.describe(),
        [
            "No more than 5000 messages a day.",
            "On probation until 2027-02-01; the approval is reviewed again then."
        ]
    );
    assert!(!c.review_due(today));
    assert!(c.review_due(date!(2027 - 02 - 01)));
    assert_eq!(
        Conditions::parse("", "", today).unwrap(),
        Conditions::default()
    );
    let errors = Conditions::parse("0", "2026-11-25", today).unwrap_err();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[1].message, "The probation must end after today.");
    assert!(Conditions::parse("", "next week", today).is_err());
}

#[test]
fn numbers_and_decisions() {
    assert_eq!(approval_number(2026, 42, 1), "SMTP-2026-000042");
    assert_eq!(approval_number(2027, 42, 2), "SMTP-2027-000042-2");
    assert!(decision_text("ok", "reason").is_err());
    assert_eq!(
        decision_text(
            "  Verified the transactional use case by phone.  ",
            "reason"
        )
        .unwrap(),
        "Verified the transactional use case by phone."
    );
}

#[test]
fn refusals_read_well() {
    let r = RequestRefusal::OpenCase {
        ip: IP.into(),
        notice_id: 7,
        category: "Spam (unsolicited bulk messaging)".into(),
    };
    assert!(r
        .to_string()
        .starts_with("Case #7 (Spam (unsolicited bulk messaging)) is open on 203.0.113.25."));
}
