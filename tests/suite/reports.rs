//! Reports in, on real SQLite and PostgreSQL: ARF and X-ARF reports matched by source address to
//! the service that held it at the time, gathered into a case to verify, then added to the open
//! notice (its verified events grow, escalation follows); unmatched and unreadable reports kept
//! for staff; the report API with token scopes, statuses and a burst of 40; `portal ingest`'s
//! use case; the public forms' anti-spam measure and rate limit.

use crate::common::{self, initech, WHY};
use common::actor;

use abuse_portal::domain::notice::{NoticeCategory, NoticeSource};
use abuse_portal::domain::report::{
    EventState, IntakeChannel, IntakeStatus, PublicReportInput, FORM_MIN_FILL,
    MAX_INCIDENTS_PER_REPORT,
};
use abuse_portal::error::AppError;
use abuse_portal::server::db::{audit, notices};
use abuse_portal::server::intake::BodyKind;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::api_tokens;
use abuse_portal::server::usecase::organisations::{self as inventory};
use abuse_portal::server::usecase::reports::{self, IntakeTab, Received, Verification};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// An ARF report (RFC 5965) from a feedback loop, with the reported message attached.
fn arf(source_ip: &str, incidents: u32, extra: &str) -> Vec<u8> {
    format!(
        "From: <fbl@mailbox-provider.example>\r\nSubject: FW: Earn money\r\n\
         Message-ID: <arf-{source_ip}-{incidents}@mailbox-provider.example>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nAn abuse report.\r\n\
         --b1\r\nContent-Type: message/feedback-report\r\n\r\n\
         Feedback-Type: abuse\r\nUser-Agent: FBL/1.0\r\nVersion: 1\r\nSource-IP: {source_ip}\r\n\
         Incidents: {incidents}\r\n{extra}\r\n\
         --b1\r\nContent-Type: message/rfc822\r\n\r\n\
         From: <spammer@example.net>\r\nTo: <victim@example.com>\r\nSubject: Earn money\r\n\r\n\
         THE-REPORTED-BODY\r\n--b1--\r\n"
    )
    .into_bytes()
}

fn xarf(source_ip: &str, at: OffsetDateTime, n: u32) -> Vec<u8> {
    serde_json::json!({
        "xarf_version": "4.0.0",
        "report_id": format!("550e8400-e29b-41d4-a716-{n:012}"),
        "timestamp": at.format(&Rfc3339).unwrap(),
        "reporter": { "org": "Honeypots", "contact": "abuse@honeypot.example", "domain": "honeypot.example" },
        "sender": { "org": "Honeypots", "contact": "abuse@honeypot.example", "domain": "honeypot.example" },
        "source_identifier": source_ip,
        "source_port": 25,
        "category": "messaging",
        "type": "spam",
        "protocol": "smtp",
        "smtp_from": "bounce@spam-run.example"
    })
    .to_string()
    .into_bytes()
}

/// What waits for staff now (the demo data brings some of its own).
async fn waiting_counts(st: &AppState) -> abuse_portal::views::reports::IntakeCounts {
    let staff = actor(st, "staff@portal.test").await;
    reports::counts(st, &staff).await.unwrap()
}

/// The reported case waiting for Initech's app-01, if there is one.
async fn initech_pending(st: &AppState) -> Option<abuse_portal::views::reports::PendingRowView> {
    let staff = actor(st, "staff@portal.test").await;
    reports::list(st, &staff, IntakeTab::Verify, None)
        .await
        .unwrap()
        .pending
        .into_iter()
        .find(|p| p.organisation == "Initech")
}

fn by_api() -> Received {
    Received {
        channel: IntakeChannel::Api,
        by: None,
        client_address: None,
    }
}

on_both_engines!(
    reports_gather_into_a_case_to_verify_then_grow_the_notice,
    |env| {
        let st = &env.st;
        let (_, _, service) = initech(st).await;
        let staff = actor(st, "staff@portal.test").await;
        let before = waiting_counts(st).await;

        // Two reports about the same address: one case waits for verification, with both.
        let first = reports::ingest(st, &by_api(), &arf("198.51.100.7", 3, ""), BodyKind::Mail)
            .await
            .unwrap();
        assert_eq!(first.status, IntakeStatus::Accepted);
        assert_eq!(first.events[0].state, EventState::NeedsVerification);
        let pending = first.events[0].pending_id.unwrap();
        let second = reports::ingest(
            st,
            &by_api(),
            &xarf("198.51.100.7", st.now(), 1),
            BodyKind::Json,
        )
        .await
        .unwrap();
        assert_eq!(
            second.events[0].pending_id,
            Some(pending),
            "same service and category"
        );
        let waiting = reports::pending(st, &staff, pending).await.unwrap();
        assert_eq!(waiting.row.event_count, 4);
        assert_eq!(waiting.events.len(), 2);
        assert_eq!(waiting.row.service.0, service.0);
        assert_eq!(waiting_counts(st).await.to_verify, before.to_verify + 1);
        assert_eq!(initech_pending(st).await.unwrap().id, pending);

        // The customer sees nothing yet; customers cannot see the intake at all.
        let customer = actor(st, "alice@acme.test").await;
        assert_eq!(
            reports::pending(st, &customer, pending).await.unwrap_err(),
            AppError::Forbidden
        );

        // Verifying opens the notice with the gathered events; the customer's clock starts.
        let short = reports::verify(
            st,
            &staff,
            pending,
            Verification {
                source: NoticeSource::ThirdPartyReport,
                summary: "too short".into(),
                verification_note: "Checked the FBL headers against our outbound logs.".into(),
                high_risk: false,
            },
        )
        .await
        .unwrap_err();
        assert!(short.field_message("summary").is_some(), "{short:?}");
        let notice = reports::verify(
            st,
            &staff,
            pending,
            Verification {
                source: NoticeSource::ThirdPartyReport,
                summary: waiting.suggested_summary.clone(),
                verification_note: "Checked the FBL headers against our outbound logs.".into(),
                high_risk: false,
            },
        )
        .await
        .unwrap();
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!(record.event_count, 4);
        assert_eq!(record.category, NoticeCategory::Spam);
        assert_eq!(record.ips, vec!["198.51.100.7".to_owned()]);
        assert_eq!(record.escalation_level, 0);
        // Deciding twice is refused.
        assert!(matches!(
            reports::dismiss(st, &staff, pending, "The reports were mistaken after all.").await,
            Err(AppError::Conflict(_))
        ));

        // The next reports grow the open notice, visibly, and escalate it at 25 events.
        let more = reports::ingest(st, &by_api(), &arf("198.51.100.7", 20, ""), BodyKind::Mail)
            .await
            .unwrap();
        assert_eq!(more.events[0].state, EventState::AddedToCase);
        assert_eq!(more.events[0].notice_id, Some(notice));
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!((record.event_count, record.escalation_level), (24, 0));
        reports::ingest(st, &by_api(), &arf("198.51.100.7", 1, ""), BodyKind::Mail)
            .await
            .unwrap();
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!((record.event_count, record.escalation_level), (25, 1));
        let trail = audit::list(&st.db, notice).await.unwrap();
        assert!(
            audit::verify(&st.db, &st.audit_keys, notice)
                .await
                .unwrap()
                .is_ok(),
            "the trail stays sealed"
        );
        let actions: Vec<&str> = trail.iter().map(|e| e.record.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "report_verified",
                "notice_opened",
                "events_added",
                "events_added",
                "escalated"
            ]
        );
        assert!(
            trail[2]
                .record
                .detail
                .contains("20 reported event(s) added"),
            "{}",
            trail[2].record.detail
        );
        assert!(trail[4]
            .record
            .detail
            .contains("25 verified events reached"));
        let staff_events = reports::events_of_notice(st, &staff, notice).await.unwrap();
        assert_eq!(staff_events.len(), 4);
    }
);

on_both_engines!(unmatched_and_unreadable_reports_are_kept_for_staff, |env| {
    let st = &env.st;
    let (admin, _, service) = initech(st).await;
    let staff = actor(st, "staff@portal.test").await;
    let before = waiting_counts(st).await;

    let stranger = reports::ingest(st, &by_api(), &arf("192.0.2.200", 1, ""), BodyKind::Mail)
        .await
        .unwrap();
    assert_eq!(stranger.events[0].state, EventState::Unmatched);
    let broken = reports::ingest(
        st,
        &by_api(),
        b"From: someone@example.org\r\nSubject: complaint\r\n\r\nYour server spams me!!!\r\n",
        BodyKind::Mail,
    )
    .await
    .unwrap();
    assert_eq!(broken.status, IntakeStatus::Failed);
    assert!(broken
        .failure
        .as_deref()
        .unwrap()
        .contains("neither an ARF report"));
    let json_bomb = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    let bomb = reports::ingest(st, &by_api(), json_bomb.as_bytes(), BodyKind::Json)
        .await
        .unwrap();
    assert_eq!(bomb.status, IntakeStatus::Failed);

    let failed = reports::list(st, &staff, IntakeTab::Failed, None)
        .await
        .unwrap();
    assert_eq!(failed.counts.failed_this_week, before.failed_this_week + 2);
    assert_eq!(failed.intakes[0].id, bomb.id, "newest first");
    assert_eq!(failed.intakes[1].id, broken.id);
    let kept = reports::intake(st, &staff, broken.id).await.unwrap();
    assert!(kept
        .kept
        .iter()
        .any(|(k, v)| k == "From" && v.contains("someone@example.org")));
    assert!(
        !format!("{kept:?}").contains("spams me"),
        "no payload is kept"
    );
    let accepted = reports::intake(st, &staff, stranger.id).await.unwrap();
    assert!(!format!("{accepted:?}").contains("THE-REPORTED-BODY"));
    assert!(!format!("{accepted:?}").contains("victim@example.com"));

    // Matching again fails while nobody holds the address; after the inventory is corrected, the
    // event goes where it belongs. Its time must fall inside the new assignment.
    let event = reports::list(st, &staff, IntakeTab::Unmatched, None)
        .await
        .unwrap()
        .unmatched[0]
        .id;
    assert!(matches!(
        reports::rematch(st, &staff, event).await,
        Err(AppError::Conflict(_))
    ));
    inventory::assign_block(st, &admin, service, "192.0.2.200", WHY)
        .await
        .unwrap();
    assert_eq!(
        reports::rematch(st, &staff, event).await.unwrap(),
        EventState::NeedsVerification
    );
    assert!(matches!(
        reports::rematch(st, &staff, event).await,
        Err(AppError::Conflict(_))
    ));

    // Dismissing needs a reason; a dismissed waiting case leaves its events recorded.
    let other = reports::ingest(st, &by_api(), &arf("192.0.2.201", 1, ""), BodyKind::Mail)
        .await
        .unwrap();
    let other_event = reports::intake(st, &staff, other.id).await.unwrap().events[0].id;
    assert!(reports::dismiss_event(st, &staff, other_event, "no")
        .await
        .is_err());
    reports::dismiss_event(st, &staff, other_event, "Not one of our networks.")
        .await
        .unwrap();
    let pending = initech_pending(st).await.unwrap().id;
    reports::dismiss(
        st,
        &staff,
        pending,
        "Backscatter, not sent by the customer.",
    )
    .await
    .unwrap();
    let dismissed = reports::pending(st, &staff, pending).await.unwrap();
    assert_eq!(dismissed.state, "dismissed");
    assert_eq!(dismissed.events[0].state, EventState::Dismissed);
    assert_eq!(
        waiting_counts(st).await,
        abuse_portal::views::reports::IntakeCounts {
            failed_this_week: before.failed_this_week + 2,
            ..before
        }
    );
});

on_both_engines!(events_go_to_whoever_held_the_address_then, |env| {
    let st = &env.st;
    let (admin, org, service) = initech(st).await;
    let staff = actor(st, "staff@portal.test").await;
    let other = inventory::create_service(st, &admin, org, "app-02.initech.test", "vps", WHY)
        .await
        .unwrap();
    // app-01 holds the address from `then`; a second later it moves to app-02.
    let then = st.now();
    st.clock.advance(time::Duration::seconds(1));
    inventory::release_block(st, &admin, "198.51.100.7", Some(other), WHY)
        .await
        .unwrap();
    let yesterday = reports::ingest(
        st,
        &by_api(),
        &xarf("198.51.100.7", then, 2),
        BodyKind::Json,
    )
    .await
    .unwrap();
    let today = reports::ingest(
        st,
        &by_api(),
        &xarf("198.51.100.7", st.now() + Duration::seconds(1), 3),
        BodyKind::Json,
    )
    .await
    .unwrap();
    let earlier = reports::pending(st, &staff, yesterday.events[0].pending_id.unwrap())
        .await
        .unwrap();
    let now = reports::pending(st, &staff, today.events[0].pending_id.unwrap())
        .await
        .unwrap();
    assert_eq!(earlier.row.service.0, service.0);
    assert_eq!(now.row.service.0, other.0);
});

on_both_engines!(
    the_report_api_checks_tokens_and_answers_with_statuses,
    |env| {
        let st = &env.st;
        let (admin, _, _) = initech(st).await;
        let base = env.serve().await;
        let reporter = api_tokens::create(st, &admin, "feedback loop", "reports:write")
            .await
            .unwrap();
        let inventory_only = api_tokens::create(st, &admin, "billing sync", "inventory:read")
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let post = |token: Option<String>, content_type: &'static str, body: Vec<u8>| {
            let mut req = http
                .post(format!("{base}/api/v1/reports"))
                .header("content-type", content_type)
                .body(body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req.send()
        };
        let status = |r: reqwest::Response| r.status().as_u16();
        assert_eq!(
            status(
                post(None, "message/rfc822", arf("198.51.100.7", 1, ""))
                    .await
                    .unwrap()
            ),
            401
        );
        assert_eq!(
            status(
                post(
                    Some(inventory_only.token.clone()),
                    "message/rfc822",
                    arf("198.51.100.7", 1, "")
                )
                .await
                .unwrap()
            ),
            403
        );
        let ok = post(
            Some(reporter.token.clone()),
            "message/rfc822",
            arf("198.51.100.7", 2, ""),
        )
        .await
        .unwrap();
        assert_eq!(ok.status().as_u16(), 201);
        let body: serde_json::Value = ok.json().await.unwrap();
        assert_eq!(body["status"], "accepted");
        assert!(body["reference"].as_str().unwrap().starts_with("AR-"));
        assert_eq!(body["events"][0]["state"], "needs_verification");

        let bad = post(
            Some(reporter.token.clone()),
            "application/json",
            b"{\"xarf_version\": \"4.0.0\"}".to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(bad.status().as_u16(), 422);
        let body: serde_json::Value = bad.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("report_id"),
            "{body}"
        );
        assert_eq!(body["status"], "failed");

        assert_eq!(
            status(
                post(Some(reporter.token.clone()), "image/png", vec![1, 2, 3])
                    .await
                    .unwrap()
            ),
            415
        );
        let huge = vec![b'x'; abuse_portal::domain::report::MAX_REPORT_BYTES + 2];
        assert_eq!(
            status(
                post(Some(reporter.token.clone()), "message/rfc822", huge)
                    .await
                    .unwrap()
            ),
            413
        );

        // A burst of 40 copies of one report (same Message-ID, same sender): it is taken in once,
        // the others are answered 200 with the first one's reference and counted nowhere.
        let burst = (0..40).map(|_| {
            post(
                Some(reporter.token.clone()),
                "multipart/report",
                arf("198.51.100.7", 1, ""),
            )
        });
        let answers = futures_join(burst).await;
        assert_eq!(
            answers.iter().filter(|s| **s == 201).count(),
            1,
            "{answers:?}"
        );
        assert_eq!(
            answers.iter().filter(|s| **s == 200).count(),
            39,
            "{answers:?}"
        );
        assert_eq!(initech_pending(st).await.unwrap().event_count, 3);
        let again = post(
            Some(reporter.token.clone()),
            "message/rfc822",
            arf("198.51.100.7", 2, ""),
        )
        .await
        .unwrap();
        assert_eq!(again.status().as_u16(), 200);
        assert!(again.json::<serde_json::Value>().await.unwrap()["duplicate_of"].is_i64());

        api_tokens::revoke(st, &admin, reporter.id).await.unwrap();
        assert_eq!(
            status(
                post(
                    Some(reporter.token.clone()),
                    "message/rfc822",
                    arf("198.51.100.7", 1, "")
                )
                .await
                .unwrap()
            ),
            401
        );
    }
);

/// Sends the requests at once; their statuses in order.
async fn futures_join<F>(requests: impl Iterator<Item = F>) -> Vec<u16>
where
    F: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'static,
{
    let handles: Vec<_> = requests.map(tokio::spawn).collect();
    let mut statuses = Vec::new();
    for h in handles {
        statuses.push(h.await.unwrap().unwrap().status().as_u16());
    }
    statuses
}

on_both_engines!(public_forms_refuse_robots_and_floods, |env| {
    let st = &env.st;
    initech(st).await;
    let input = scan_report();
    let fresh = reports::form_ticket(st, Vec::new()).ticket;
    // A ticket carries one report: these are for the later ones.
    let spare: Vec<String> = (0..2)
        .map(|_| reports::form_ticket(st, Vec::new()).ticket)
        .collect();
    let too_fast = reports::submit_public_report(st, &input, &fresh, "", "203.0.113.50")
        .await
        .unwrap_err();
    assert!(too_fast
        .field_message("ticket")
        .unwrap()
        .contains("quicker"));
    let forged = format!(
        "{}.{}.{}",
        st.now().unix_timestamp() - 60,
        "0".repeat(24),
        "0".repeat(32)
    );
    assert!(
        reports::submit_public_report(st, &input, &forged, "", "203.0.113.50")
            .await
            .unwrap_err()
            .field_message("ticket")
            .unwrap()
            .contains("reload")
    );
    st.clock.advance(FORM_MIN_FILL);
    let trap =
        reports::submit_public_report(st, &input, &fresh, "http://buy.example", "203.0.113.50")
            .await
            .unwrap_err();
    assert!(trap.field_message("ticket").is_some());
    let receipt = reports::submit_public_report(st, &input, &fresh, "", "203.0.113.50")
        .await
        .unwrap();
    assert!(receipt.reference.starts_with("AR-"));
    assert_eq!(
        initech_pending(st).await.unwrap().category,
        NoticeCategory::Scanning
    );

    // Every field's problem at once.
    let empty = reports::submit_public_report(
        st,
        &PublicReportInput::default(),
        &fresh,
        "",
        "203.0.113.50",
    )
    .await
    .unwrap_err();
    for field in ["email", "address", "category", "description"] {
        assert!(empty.field_message(field).is_some(), "{field}");
    }

    // The rate limit: 10 an hour from one address, counted before the checks.
    let mut limited = None;
    for _ in 0..12 {
        if let Err(AppError::RateLimited { retry_after_s }) =
            reports::submit_public_report(st, &input, &fresh, "", "203.0.113.50").await
        {
            limited = Some(retry_after_s);
            break;
        }
    }
    assert!(limited.is_some_and(|s| s <= 3_600));
    // Another address is not held back.
    reports::submit_public_report(st, &input, &spare[0], "", "203.0.113.51")
        .await
        .unwrap();

    // A DSA notice needs every Art. 16 element; with them, it gets a DSA reference.
    let dsa = abuse_portal::domain::report::DsaNoticeInput {
        explanation: "The page sells counterfeit medicines, illegal under national law.".into(),
        location: "http://198.51.100.7/shop/item?id=4".into(),
        name: "Bea Notifier".into(),
        email: "bea@example.org".into(),
        good_faith: false,
    };
    let no_statement = reports::submit_dsa_notice(st, &dsa, &fresh, "", "203.0.113.52")
        .await
        .unwrap_err();
    assert!(no_statement.field_message("good_faith").is_some());
    let receipt = reports::submit_dsa_notice(
        st,
        &abuse_portal::domain::report::DsaNoticeInput {
            good_faith: true,
            ..dsa
        },
        &spare[1],
        "",
        "203.0.113.52",
    )
    .await
    .unwrap();
    assert!(receipt.reference.starts_with("DSA-"));
});

/// A report of Initech's address from the public form, as a person fills it in.
fn scan_report() -> PublicReportInput {
    PublicReportInput {
        name: "Ann".into(),
        email: "ann@example.org".into(),
        address: "198.51.100.7".into(),
        category: "scanning".into(),
        occurred_at: String::new(),
        description: "Port scans against our whole /24 for an hour.".into(),
    }
}

/// `n` tickets of forms shown long enough ago to be sent by a person (the clock moves on).
async fn tickets_shown_a_while_ago(st: &AppState, n: usize) -> Vec<String> {
    let tickets = (0..n)
        .map(|_| reports::form_ticket(st, Vec::new()).ticket)
        .collect();
    st.clock.advance(FORM_MIN_FILL);
    tickets
}

fn by_mail() -> Received {
    Received {
        channel: IntakeChannel::Mailbox,
        by: None,
        client_address: None,
    }
}

on_both_engines!(
    reports_nobody_vouches_for_wait_for_staff_even_with_a_case_open,
    |env| {
        let st = &env.st;
        initech(st).await;
        let staff = actor(st, "staff@portal.test").await;
        // A case about Initech's spam is open (through the report API, whose token vouches).
        let first = reports::ingest(st, &by_api(), &arf("198.51.100.7", 3, ""), BodyKind::Mail)
            .await
            .unwrap();
        let notice = reports::verify(
            st,
            &staff,
            first.events[0].pending_id.unwrap(),
            Verification {
                source: NoticeSource::ThirdPartyReport,
                summary: "Spam complaints from a feedback loop about this address.".into(),
                verification_note: "Checked the FBL headers against our outbound logs.".into(),
                high_risk: false,
            },
        )
        .await
        .unwrap();
        let trail_before = audit::list(&st.db, notice).await.unwrap().len();
        // A forged mail claims a million incidents: it waits, counted as at most 100.
        let forged = reports::ingest(
            st,
            &by_mail(),
            &arf("198.51.100.7", 1_000_000, ""),
            BodyKind::Mail,
        )
        .await
        .unwrap();
        assert_eq!(forged.events[0].state, EventState::NeedsVerification);
        assert_eq!(forged.events[0].notice_id, None);
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!(
            (record.event_count, record.escalation_level),
            (3, 0),
            "the open case is untouched"
        );
        assert_eq!(
            audit::list(&st.db, notice).await.unwrap().len(),
            trail_before,
            "nothing the customer sees was written"
        );
        let pending = forged.events[0].pending_id.unwrap();
        let waiting = reports::pending(st, &staff, pending).await.unwrap();
        assert_eq!(waiting.row.event_count, MAX_INCIDENTS_PER_REPORT);
        assert!(
            waiting.events[0].detail.contains("stated 1000000"),
            "{:?}",
            waiting.events[0]
        );
        // The public forms wait too.
        let form = PublicReportInput {
            name: "Ann".into(),
            email: "ann@example.org".into(),
            address: "198.51.100.7".into(),
            category: "spam".into(),
            occurred_at: String::new(),
            description: "Spam from this address to our customers all morning.".into(),
        };
        let ticket = reports::form_ticket(st, Vec::new()).ticket;
        st.clock.advance(FORM_MIN_FILL);
        reports::submit_public_report(st, &form, &ticket, "", "203.0.113.9")
            .await
            .unwrap();
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!(record.event_count, 3);
        assert_eq!(
            reports::pending(st, &staff, pending)
                .await
                .unwrap()
                .row
                .event_count,
            MAX_INCIDENTS_PER_REPORT + 1
        );
        // Staff verify: the events join the open case (no second notice), with their reason.
        let joined = reports::verify(
            st,
            &staff,
            pending,
            Verification {
                source: NoticeSource::ThirdPartyReport,
                summary: "Spam complaints from a feedback loop about this address.".into(),
                verification_note: "Matched the complaint against our outbound mail logs.".into(),
                high_risk: false,
            },
        )
        .await
        .unwrap();
        assert_eq!(joined, notice);
        let record = notices::get(&st.db, notice, None).await.unwrap().unwrap();
        assert_eq!(record.event_count, 3 + MAX_INCIDENTS_PER_REPORT + 1);
        let trail = audit::list(&st.db, notice).await.unwrap();
        let added = &trail[trail_before].record;
        assert_eq!(added.action, "events_added");
        assert!(
            added.detail.contains("verified by the abuse desk"),
            "{}",
            added.detail
        );
        assert!(
            added.detail.contains("Matched the complaint"),
            "{}",
            added.detail
        );
    }
);

on_both_engines!(the_public_forms_count_by_slash_64_and_all_together, |env| {
    let st = &env.st;
    initech(st).await;
    let input = scan_report();
    let tickets = tickets_shown_a_while_ago(st, 40).await;
    // A ticket carries one report.
    reports::submit_public_report(st, &input, &tickets[0], "", "198.51.100.200")
        .await
        .unwrap();
    let again = reports::submit_public_report(st, &input, &tickets[0], "", "198.51.100.201")
        .await
        .unwrap_err();
    assert!(
        again
            .field_message("ticket")
            .unwrap()
            .contains("sent already"),
        "{again:?}"
    );
    // Every address of one /64 counts as one client: 10 an hour between them.
    let key = |n: usize| {
        abuse_portal::domain::throttle::address_key(format!("2001:db8:5:6::{n:x}").parse().unwrap())
    };
    let mut accepted = 0;
    for (n, ticket) in tickets[1..=12].iter().enumerate() {
        match reports::submit_public_report(st, &input, ticket, "", &key(n + 1)).await {
            Ok(_) => accepted += 1,
            Err(AppError::RateLimited { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(accepted, st.config.reports.form_per_hour as usize);
});

on_both_engines!(
    the_public_forms_take_a_few_hundred_an_hour_in_all,
    adjust = |c| c.reports.form_global_per_hour = 15,
    |env| {
        let st = &env.st;
        initech(st).await;
        let input = scan_report();
        let tickets = tickets_shown_a_while_ago(st, 20).await;
        // Twenty clients, one report each: the first 15 go in, then everyone waits.
        let mut outcomes = Vec::new();
        for (n, ticket) in tickets.iter().enumerate() {
            let client = format!("2001:db8:{n:x}::/64");
            outcomes.push(
                reports::submit_public_report(st, &input, ticket, "", &client)
                    .await
                    .is_ok(),
            );
        }
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            15,
            "{outcomes:?}"
        );
        assert!(outcomes[15..].iter().all(|ok| !ok));
    }
);
