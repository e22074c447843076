//! Billing on real SQLite and PostgreSQL: invoices drafted from a case and issued with gapless
//! numbers even when staff issue at once, lines that only drafts may change, bank transfers
//! that count once whatever is resubmitted, credit notes and waivers, reactivation when the
//! last condition is met; and card payments over HTTP against a local server that answers like
//! Stripe's API, confirmed by webhooks signed the documented way.

use crate::common;
use common::actor;

use abuse_portal::domain::billing::fees::{FeeKind, LineInput};
use abuse_portal::domain::billing::invoice::{parse_payment_reference, InvoiceStatus};
use abuse_portal::domain::billing::money::Money;
use abuse_portal::domain::enforcement::{EnforcementKind, Scope};
use abuse_portal::domain::evidence::Statement;
use abuse_portal::domain::ids::ServiceId;
use abuse_portal::domain::notice::{NoticeCategory, NoticeEvent, NoticeSource};
use abuse_portal::domain::service::ServiceState;
use abuse_portal::error::AppError;
use abuse_portal::server::db::{audit, billing as store, services};
use abuse_portal::server::payments::stripe::{sign, StripeConfig};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::billing::{self, Credit, DraftEdit, Transfer};
use abuse_portal::server::usecase::enforcement::{self, StartMeasure};
use abuse_portal::server::usecase::notices::{self as cases, OpenNotice};
use common::{api_client, api_login, call, client, location, post_form, post_login, TestEnv};
use std::sync::{Arc, Mutex};
use time::Duration;

async fn service_id(st: &AppState, label: &str) -> ServiceId {
    let id: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT id FROM services WHERE label = $1"
    )
    .bind(label)
    .fetch_one(pool)
    .await)
    .unwrap();
    ServiceId(id)
}

/// A spam case of 1,200 verified events on Globex's hpc-07, suspended when `suspend`.
async fn globex_case(st: &AppState, suspend: bool) -> i64 {
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let now = st.now();
    let id = cases::open_notice(
        st,
        &staff,
        OpenNotice {
            service: service_id(st, "hpc-07.globex.test").await,
            ips: Vec::new(),
            category: NoticeCategory::Spam,
            source: NoticeSource::BlacklistListing,
            high_risk: false,
            summary: "1,200 unsolicited messages reported by recipients; listed on one RBL.".into(),
            event_count: 1_200,
            first_seen_at: now - Duration::hours(5),
            last_seen_at: now - Duration::hours(1),
            verification_note: "Listing confirmed on the RBL's lookup page.".into(),
            shorter_deadline: None,
        },
    )
    .await
    .unwrap();
    if suspend {
        enforcement::start(
            st,
            &staff,
            id,
            StartMeasure {
                kind: EnforcementKind::Suspension,
                scope: Scope::Service,
                reason: "Spam still leaving the server after the notice.".into(),
                upstream_requested: false,
                ends_at: None,
            },
        )
        .await
        .unwrap();
    }
    id
}

async fn service_state(st: &AppState, label: &str) -> ServiceState {
    let id = service_id(st, label).await;
    services::get(&st.db, id).await.unwrap().unwrap().state
}

fn transfer(amount: &str, reference: &str, key: &str) -> Transfer {
    Transfer {
        amount: amount.into(),
        received_on: String::new(),
        reference: reference.into(),
        note: String::new(),
        idempotency_key: key.into(),
    }
}

async fn payment_count(st: &AppState, invoice: i64) -> usize {
    store::payments(&st.db, invoice).await.unwrap().len()
}

/// The numbers a series has given this year so far (the demo issues some).
async fn issued_so_far(st: &AppState, series: &str) -> i64 {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT COALESCE(MAX(last), 0) FROM document_counters WHERE series = $1"
    )
    .bind(series)
    .fetch_one(pool)
    .await)
    .unwrap()
}

async fn exec(st: &AppState, sql: &str) -> Result<(), sqlx::Error> {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
}

on_both_engines!(a_draft_follows_the_rules_and_is_fixed_once_issued, |env| {
    let st = &env.st;
    let case = globex_case(st, true).await;
    let staff = actor(st, "staff@portal.test").await;
    let bob = actor(st, "bob@globex.test").await;
    let alice = actor(st, "alice@acme.test").await;

    let before = issued_so_far(st, "invoice").await;
    let id = billing::draft_from_case(st, &staff, case).await.unwrap();
    let lines = store::lines(
        &st.db,
        id,
        abuse_portal::domain::billing::money::Currency::Usd,
    )
    .await
    .unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| (l.line.kind, l.line.amount))
            .collect::<Vec<_>>(),
        [
            (FeeKind::LiquidatedDamages, Money::usd(120_000)),
            (FeeKind::ReactivationFee, Money::usd(25_000)),
        ],
        "damages from the case's 1,200 events, and the reactivation fee while suspended"
    );
    // A draft is not a document yet: the customer does not see it.
    assert_eq!(
        billing::get_invoice(st, &bob, id).await.unwrap_err(),
        AppError::NotFound
    );
    // Customers cannot draft, edit or issue.
    assert_eq!(
        billing::draft_from_case(st, &bob, case).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        billing::issue(st, &bob, id).await.unwrap_err(),
        AppError::Forbidden
    );

    // Editing: a labour line; a remediation fee under the policy's floor is refused by field.
    let labour = LineInput {
        kind: "labour".into(),
        hours: "1.5".into(),
        amount: "120".into(),
        source: "Abuse desk, two engineers".into(),
        note: "Delisting requests and log review".into(),
    };
    billing::edit_draft(st, &staff, id, DraftEdit::AddLine(labour.clone()))
        .await
        .unwrap();
    let cheap = LineInput {
        kind: "remediation_fee".into(),
        amount: "499.99".into(),
        ..LineInput::default()
    };
    let refused = billing::edit_draft(st, &staff, id, DraftEdit::AddLine(cheap))
        .await
        .unwrap_err();
    assert_eq!(
        refused.field_message("amount").as_deref(),
        Some("The policy sets this fee at USD 500.00 or more.")
    );
    let reactivation_line = lines[1].id;
    billing::edit_draft(st, &staff, id, DraftEdit::RemoveLine(reactivation_line))
        .await
        .unwrap();

    let number = billing::issue(st, &staff, id).await.unwrap();
    let year = st.now().year();
    assert_eq!(number, format!("{year}-{:04}", before + 1));
    let invoice = store::get(&st.db, id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Issued);
    assert_eq!(
        invoice.totals.total,
        Money::usd(138_000),
        "1,200.00 + 1.5 h × 120.00"
    );
    assert_eq!(invoice.due_on, Some(st.now().date() + Duration::days(14)));
    let reference = invoice.payment_reference.clone().unwrap();
    assert_eq!(parse_payment_reference(&reference), Some(reference.clone()));

    // Issued: the customer sees it, another organisation does not.
    assert_eq!(billing::get_invoice(st, &bob, id).await.unwrap().id, id);
    assert_eq!(
        billing::get_invoice(st, &alice, id).await.unwrap_err(),
        AppError::NotFound
    );

    // It cannot change any more: not through the portal, not in the database.
    let again = billing::edit_draft(st, &staff, id, DraftEdit::AddLine(labour))
        .await
        .unwrap_err();
    assert!(matches!(again, AppError::Conflict(m) if m.contains("credit note")));
    assert!(billing::issue(st, &staff, id).await.is_err());
    let line_edit = exec(st, "UPDATE invoice_lines SET amount_minor = 1").await;
    assert!(line_edit
        .unwrap_err()
        .to_string()
        .contains("cannot be changed"));
    let total_edit = exec(
        st,
        &format!("UPDATE invoices SET total_minor = 1 WHERE id = {id}"),
    )
    .await;
    assert!(total_edit
        .unwrap_err()
        .to_string()
        .contains("cannot be changed"));
    let delete = exec(st, &format!("DELETE FROM invoices WHERE id = {id}")).await;
    assert!(delete.is_err());

    // Issuing is in the case's trail for the customer; the draft's edits are not.
    let trail = audit::list(&st.db, case).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.record.action.as_str()).collect();
    assert!(actions.contains(&"invoice_issued"));
    assert!(actions.contains(&"invoice_draft"));
    let customer_view = abuse_portal::server::usecase::notice_views::detail(st, &bob, case, None)
        .await
        .unwrap();
    assert!(customer_view
        .timeline
        .iter()
        .any(|e| e.detail.contains(&format!("Invoice {number} issued"))));
    assert!(!customer_view
        .timeline
        .iter()
        .any(|e| e.detail.contains("Draft invoice")));
});

on_both_engines!(numbers_have_no_gaps_when_staff_issue_at_once, |env| {
    let st = &env.st;
    let case = globex_case(st, false).await;
    let staff = actor(st, "staff@portal.test").await;
    let before = issued_so_far(st, "invoice").await;
    let mut drafts = Vec::new();
    for _ in 0..12 {
        drafts.push(billing::draft_from_case(st, &staff, case).await.unwrap());
    }
    // An empty draft fails to issue in the middle of the race; its attempt takes no number.
    let empty = billing::draft_from_case(st, &staff, case).await.unwrap();
    for line in store::lines(
        &st.db,
        empty,
        abuse_portal::domain::billing::money::Currency::Usd,
    )
    .await
    .unwrap()
    {
        billing::edit_draft(st, &staff, empty, DraftEdit::RemoveLine(line.id))
            .await
            .unwrap();
    }
    let mut race = tokio::task::JoinSet::new();
    for id in drafts.iter().copied().chain([empty]) {
        let (st, staff) = (st.clone(), staff.clone());
        race.spawn(async move { (id, billing::issue(&st, &staff, id).await) });
    }
    let mut numbers = Vec::new();
    while let Some(result) = race.join_next().await {
        let (id, issued) = result.unwrap();
        if id == empty {
            assert!(
                matches!(issued, Err(AppError::Conflict(m)) if m.contains("Add at least one line"))
            );
        } else {
            numbers.push(issued.unwrap());
        }
    }
    numbers.sort();
    let year = st.now().year();
    let expected: Vec<String> = (before + 1..=before + 12)
        .map(|n| format!("{year}-{n:04}"))
        .collect();
    assert_eq!(numbers, expected, "every number once, none skipped");
    // The next one follows on.
    let next = billing::draft_from_case(st, &staff, case).await.unwrap();
    assert_eq!(
        billing::issue(st, &staff, next).await.unwrap(),
        format!("{year}-{:04}", before + 13)
    );
});

on_both_engines!(
    transfers_count_once_and_the_last_condition_reactivates,
    |env| {
        let st = &env.st;
        let case = globex_case(st, true).await;
        let staff = actor(st, "staff@portal.test").await;
        let bob = actor(st, "bob@globex.test").await;
        assert_eq!(
            service_state(st, "hpc-07.globex.test").await,
            ServiceState::Suspended
        );
        let id = billing::draft_from_case(st, &staff, case).await.unwrap();
        let number = billing::issue(st, &staff, id).await.unwrap();
        let reference = store::get(&st.db, id)
            .await
            .unwrap()
            .unwrap()
            .payment_reference
            .unwrap();

        // Evidence accepted: the invoice still holds the service.
        cases::submit_evidence(
            st,
            &bob,
            case,
            Statement::parse(
                "A contact form without a captcha was abused to send mail.",
                "Removed the form and cleared the mail queue.",
                "Captcha, rate limits and an outbound spam filter.",
            )
            .unwrap(),
        )
        .await
        .unwrap();
        cases::apply_event(st, &staff, case, NoticeEvent::AcceptEvidence, "")
            .await
            .unwrap();
        assert_eq!(
            service_state(st, "hpc-07.globex.test").await,
            ServiceState::Suspended
        );
        let facts = billing::reactivation_facts(&st.db, case).await.unwrap();
        assert_eq!(
            facts.summary(),
            format!("remediation evidence accepted ✓, invoice {number} unpaid: USD 1,450.00")
        );

        // Customers cannot record payments.
        assert_eq!(
            billing::record_transfer(
                st,
                &bob,
                Some(id),
                transfer("1450", &reference, "customer-key-0001")
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        // A mistyped reference and more than the balance are refused, by field.
        let typo = reference.replace("INV", "INW");
        let bad = billing::record_transfer(
            st,
            &staff,
            None,
            transfer("100", &typo, "typo-key-000000001"),
        )
        .await
        .unwrap_err();
        assert!(bad.field_message("reference").is_some());
        let too_much = billing::record_transfer(
            st,
            &staff,
            Some(id),
            transfer("1450.01", &reference, "much-key-000000001"),
        )
        .await
        .unwrap_err();
        assert!(too_much
            .field_message("amount")
            .unwrap()
            .contains("USD 1,450.00"));

        // A part payment, found by its reference; the same form again changes nothing.
        let first = billing::record_transfer(
            st,
            &staff,
            None,
            transfer("1,000.00", &reference, "first-key-00000001"),
        )
        .await
        .unwrap();
        assert_eq!((first.invoice_id, first.new), (id, true));
        let replay = billing::record_transfer(
            st,
            &staff,
            None,
            transfer("1,000.00", &reference, "first-key-00000001"),
        )
        .await
        .unwrap();
        assert!(!replay.new);
        let invoice = store::get(&st.db, id).await.unwrap().unwrap();
        assert_eq!(invoice.totals.balance(), Money::usd(45_000));
        assert_eq!(invoice.status, InvoiceStatus::Issued);

        // The rest, submitted twenty times at once (a double click, retries): one payment.
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (st, staff, reference) = (st.clone(), staff.clone(), reference.clone());
            burst.spawn(async move {
                billing::record_transfer(
                    &st,
                    &staff,
                    Some(id),
                    transfer("450", &reference, "second-key-0000001"),
                )
                .await
            });
        }
        let mut new = 0;
        while let Some(result) = burst.join_next().await {
            if result.unwrap().unwrap().new {
                new += 1;
            }
        }
        assert_eq!(new, 1);
        assert_eq!(payment_count(st, id).await, 2);
        let invoice = store::get(&st.db, id).await.unwrap().unwrap();
        assert_eq!(invoice.status, InvoiceStatus::Paid);
        assert_eq!(invoice.totals.balance(), Money::usd(0));
        let receipts: Vec<String> = store::payments(&st.db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.receipt_number)
            .collect();
        let year = st.now().year();
        let seeded = issued_so_far(st, "receipt").await - 2;
        assert_eq!(
            receipts,
            [
                format!("R-{year}-{:04}", seeded + 1),
                format!("R-{year}-{:04}", seeded + 2)
            ]
        );

        // Paid and accepted: the portal ended the suspension, in the trail, and the trail verifies.
        assert_eq!(
            service_state(st, "hpc-07.globex.test").await,
            ServiceState::Active
        );
        let trail = audit::list(&st.db, case).await.unwrap();
        let last = trail.last().unwrap();
        assert_eq!(
            (last.record.actor.as_str(), last.record.action.as_str()),
            ("system", "service_reactivated")
        );
        assert!(
            last.record
                .detail
                .contains(&format!("invoice {number} settled ✓")),
            "{}",
            last.record.detail
        );
        assert!(audit::verify(&st.db, &st.audit_keys, case)
            .await
            .unwrap()
            .is_ok());
        // Nothing more can be paid by transfer; the ledger cannot be rewritten.
        assert!(matches!(
            billing::record_transfer(
                st,
                &staff,
                Some(id),
                transfer("1", &reference, "late-key-000000001")
            )
            .await,
            Err(AppError::Conflict(_))
        ));
        assert!(exec(st, "UPDATE payments SET amount_minor = 1")
            .await
            .is_err());
        assert!(exec(st, "DELETE FROM payments").await.is_err());
    }
);

on_both_engines!(credit_notes_waivers_and_holds, |env| {
    let st = &env.st;
    let case = globex_case(st, true).await;
    let staff = actor(st, "staff@portal.test").await;
    let bob = actor(st, "bob@globex.test").await;
    let id = billing::draft_from_case(st, &staff, case).await.unwrap();
    billing::issue(st, &staff, id).await.unwrap();
    let year = st.now().year();
    assert_eq!(
        issued_so_far(st, "credit_note").await,
        0,
        "the demo issues no credit notes"
    );
    let lines = store::lines(
        &st.db,
        id,
        abuse_portal::domain::billing::money::Currency::Usd,
    )
    .await
    .unwrap();
    let fee_line = lines
        .iter()
        .find(|l| l.line.kind == FeeKind::ReactivationFee)
        .unwrap()
        .id;

    // Customers cannot waive.
    assert_eq!(
        billing::credit(
            st,
            &bob,
            id,
            Credit::Rest,
            "Please waive this invoice for us."
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    // A reason is required; a line is waived once.
    assert!(
        billing::credit(st, &staff, id, Credit::Line(fee_line), "no")
            .await
            .unwrap_err()
            .field_message("reason")
            .is_some()
    );
    let waiver = billing::credit(
        st,
        &staff,
        id,
        Credit::Line(fee_line),
        "First suspension of a long-standing customer.",
    )
    .await
    .unwrap();
    assert_eq!(waiver, format!("CN-{year}-0001"));
    assert!(matches!(
        billing::credit(
            st,
            &staff,
            id,
            Credit::Line(fee_line),
            "Waiving the same line again."
        )
        .await,
        Err(AppError::Conflict(_))
    ));
    // A credit note above the balance is refused by field; one within it is numbered next.
    let over = billing::credit(
        st,
        &staff,
        id,
        Credit::Note {
            amount: "1200.01".into(),
        },
        "Correcting the event count.",
    )
    .await
    .unwrap_err();
    assert!(over
        .field_message("amount")
        .unwrap()
        .contains("USD 1,200.00"));
    assert_eq!(
        billing::credit(
            st,
            &staff,
            id,
            Credit::Note {
                amount: "200".into()
            },
            "200 events were counted twice."
        )
        .await
        .unwrap(),
        format!("CN-{year}-0002")
    );
    // The abuse desk holds the suspension; evidence accepted and the rest waived do not end it.
    billing::set_hold(
        st,
        &staff,
        case,
        true,
        "The upstream provider asked us to wait a week.",
    )
    .await
    .unwrap();
    assert!(matches!(
        billing::set_hold(st, &staff, case, true, "Holding it a second time.").await,
        Err(AppError::Conflict(_))
    ));
    cases::submit_evidence(
        st,
        &bob,
        case,
        Statement::parse(
            "Spam from a compromised mail account.",
            "Password reset and the mail queue cleared.",
            "Two-factor sign-in for every mail account.",
        )
        .unwrap(),
    )
    .await
    .unwrap();
    cases::apply_event(st, &staff, case, NoticeEvent::AcceptEvidence, "")
        .await
        .unwrap();
    billing::credit(
        st,
        &staff,
        id,
        Credit::Rest,
        "Customer cooperated fully and quickly.",
    )
    .await
    .unwrap();
    let invoice = store::get(&st.db, id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Waived);
    assert_eq!(invoice.totals.balance(), Money::usd(0));
    assert_eq!(
        service_state(st, "hpc-07.globex.test").await,
        ServiceState::Suspended
    );
    assert!(billing::reactivation_facts(&st.db, case)
        .await
        .unwrap()
        .summary()
        .ends_with(
            "kept suspended by the abuse desk: The upstream provider asked us to wait a week."
        ));
    // Releasing the hold was the last condition.
    billing::set_hold(
        st,
        &staff,
        case,
        false,
        "The upstream provider confirmed the block is lifted.",
    )
    .await
    .unwrap();
    assert_eq!(
        service_state(st, "hpc-07.globex.test").await,
        ServiceState::Active
    );
    assert!(exec(st, "UPDATE invoice_credits SET amount_minor = 1")
        .await
        .is_err());
});

on_both_engines!(a_voided_draft_and_staff_reactivation_by_hand, |env| {
    let st = &env.st;
    let case = globex_case(st, true).await;
    let staff = actor(st, "staff@portal.test").await;
    let id = billing::draft_from_case(st, &staff, case).await.unwrap();
    // A draft that blocks reactivation holds the service even with nothing issued.
    let facts = billing::reactivation_facts(&st.db, case).await.unwrap();
    assert!(facts.summary().contains("an invoice is being prepared"));
    assert!(billing::void_draft(st, &staff, id, "short")
        .await
        .unwrap_err()
        .field_message("reason")
        .is_some());
    billing::void_draft(st, &staff, id, "Drafted on the wrong case by mistake.")
        .await
        .unwrap();
    assert_eq!(
        store::get(&st.db, id).await.unwrap().unwrap().status,
        InvoiceStatus::Void
    );
    assert!(billing::issue(st, &staff, id).await.is_err());
    // By hand, whatever is owed.
    billing::reactivate_now(
        st,
        &staff,
        case,
        "Suspended by mistake: the spam came from another customer.",
    )
    .await
    .unwrap();
    assert_eq!(
        service_state(st, "hpc-07.globex.test").await,
        ServiceState::Active
    );
    assert!(matches!(
        billing::reactivate_now(st, &staff, case, "Nothing is suspended any more.").await,
        Err(AppError::Conflict(_))
    ));
});

/// A local server that answers like Stripe's API for the calls the portal makes: it checks the
/// secret key, returns one session per idempotency key, and remembers what it was asked.
#[derive(Default)]
struct FakeStripe {
    sessions: Vec<(String, std::collections::HashMap<String, String>)>,
}

async fn fake_stripe() -> (String, Arc<Mutex<FakeStripe>>) {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::Json;
    type Shared = Arc<Mutex<FakeStripe>>;
    async fn create(
        State(state): State<Shared>,
        headers: HeaderMap,
        axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
    ) -> (StatusCode, Json<serde_json::Value>) {
        if headers.get("authorization").and_then(|v| v.to_str().ok())
            != Some("Bearer sk_test_portal")
        {
            return (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({"error": {"message": "Invalid API Key provided"}})),
            );
        }
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let mut state = state.lock().unwrap();
        let index = match state.sessions.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                state.sessions.push((key, form));
                state.sessions.len() - 1
            }
        };
        let id = format!("cs_test_{index}");
        (
            StatusCode::OK,
            Json(
                serde_json::json!({"id": id, "object": "checkout.session", "url": format!("https://checkout.stripe.com/c/pay/{id}")}),
            ),
        )
    }
    let state: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/v1/checkout/sessions", axum::routing::post(create))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, state)
}

const WEBHOOK_SECRET: &str = "whsec_portal_test";

fn paid_event(event_id: &str, kind: &str, session: &str, amount: i64) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {"object": {
            "id": session, "object": "checkout.session", "payment_status": "paid",
            "amount_total": amount, "currency": "usd", "payment_intent": format!("pi_{session}")
        }}
    }))
    .unwrap()
}

async fn send_webhook(base: &str, body: &[u8], signature: &str) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(format!("{base}/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn card_env(engine: common::Engine) -> Option<(TestEnv, Arc<Mutex<FakeStripe>>)> {
    let (stripe_base, fake) = fake_stripe().await;
    let env = TestEnv::with_config(engine, None, |config| {
        config.billing.stripe = Some(StripeConfig {
            secret_key: "sk_test_portal".into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            api_base: url::Url::parse(&stripe_base).unwrap(),
            tolerance: std::time::Duration::from_secs(300),
        });
    })
    .await?;
    Some((env, fake))
}

async fn card_payments_body(env: TestEnv, fake: Arc<Mutex<FakeStripe>>) {
    let st = &env.st;
    let case = globex_case(st, true).await;
    let staff = actor(st, "staff@portal.test").await;
    let id = billing::draft_from_case(st, &staff, case).await.unwrap();
    billing::issue(st, &staff, id).await.unwrap();
    let base = env.serve().await;

    // The customer's "Pay by card" form without JavaScript: a redirect to Stripe's page. The
    // same form submitted twice opens one session.
    let bob = client();
    assert!(
        post_login(&bob, &base, "bob@globex.test", "demo-password-1")
            .await
            .status()
            .is_redirection()
    );
    let form_key = billing::new_form_key();
    let mut urls = Vec::new();
    for _ in 0..2 {
        let form = [("id", id.to_string()), ("form_key", form_key.clone())];
        let res = post_form(
            &bob,
            &base,
            "billing/pay_by_card",
            &format!("/billing/{id}"),
            &form,
        )
        .await;
        assert_eq!(res.status().as_u16(), 302);
        urls.push(location(&res));
    }
    assert_eq!(urls[0], "https://checkout.stripe.com/c/pay/cs_test_0");
    assert_eq!(urls[0], urls[1]);
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.sessions.len(), 1);
        let asked = &fake.sessions[0].1;
        assert_eq!(asked["line_items[0][price_data][unit_amount]"], "145000");
        assert_eq!(asked["line_items[0][price_data][currency]"], "usd");
        assert_eq!(asked["client_reference_id"], id.to_string());
        assert_eq!(
            asked["success_url"],
            format!("{base}/billing/{id}?card=paid")
        );
    }
    // Clicking again from a freshly loaded page (a new form key), again and again, shows the
    // same payment page: one live session at Stripe, made to expire within the hour.
    for _ in 0..10 {
        let form = [
            ("id", id.to_string()),
            ("form_key", billing::new_form_key()),
        ];
        let res = post_form(
            &bob,
            &base,
            "billing/pay_by_card",
            &format!("/billing/{id}"),
            &form,
        )
        .await;
        assert_eq!(location(&res), urls[0]);
    }
    {
        let fake = fake.lock().unwrap();
        assert_eq!(fake.sessions.len(), 1, "one session for all the clicks");
        let expires: i64 = fake.sessions[0].1["expires_at"].parse().unwrap();
        let left = expires - st.now().unix_timestamp();
        assert!((3_500..=3_600).contains(&left), "{left}");
    }
    // Nothing is paid until Stripe says so.
    assert_eq!(payment_count(st, id).await, 0);
    let bob_api = api_client();
    api_login(&bob_api, &base, "bob@globex.test", "demo-password-1").await;
    // Another organisation's customer, and staff, cannot start a card payment on it.
    let alice = api_client();
    api_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
    let res = call(
        &alice,
        &base,
        "billing/pay_by_card",
        &[
            ("id", &id.to_string()),
            ("form_key", &billing::new_form_key()),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 404);
    let res = call(&alice, &base, "billing/get", &[("id", &id.to_string())]).await;
    assert_eq!(res.status().as_u16(), 404);
    let res = call(
        &alice,
        &base,
        "admin/billing/record",
        &[
            ("id", &id.to_string()),
            ("reference", "x"),
            ("amount", "1"),
            ("received_on", ""),
            ("note", ""),
            ("form_key", &billing::new_form_key()),
        ],
    )
    .await;
    assert_eq!(res.status().as_u16(), 403);

    // Webhooks: wrong secret, altered body, stale or missing signature are refused.
    let now = st.now().unix_timestamp();
    let body = paid_event("evt_1", "checkout.session.completed", "cs_test_0", 145_000);
    assert_eq!(
        send_webhook(&base, &body, &sign(&body, "whsec_other", now))
            .await
            .0,
        400
    );
    let mut altered = body.clone();
    let at = altered.windows(6).position(|w| w == b"145000").unwrap();
    altered[at] = b'9';
    assert_eq!(
        send_webhook(&base, &altered, &sign(&body, WEBHOOK_SECRET, now))
            .await
            .0,
        400
    );
    assert_eq!(
        send_webhook(&base, &body, &sign(&body, WEBHOOK_SECRET, now - 301))
            .await
            .0,
        400
    );
    assert_eq!(send_webhook(&base, &body, "").await.0, 400);
    assert_eq!(payment_count(st, id).await, 0);

    // The valid event pays the invoice and, with no other condition left open but the
    // evidence, the service stays suspended until that is accepted.
    let signature = sign(&body, WEBHOOK_SECRET, now);
    let (status, text) = send_webhook(&base, &body, &signature).await;
    assert_eq!(
        (status, text.as_str()),
        (200, format!("payment recorded on invoice {id}").as_str())
    );
    let invoice = store::get(&st.db, id).await.unwrap().unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert_eq!(invoice.totals.paid, Money::usd(145_000));
    // Replayed, and raced against another event of the same session: still one payment.
    assert_eq!(
        send_webhook(&base, &body, &signature).await,
        (200, "duplicate".to_owned())
    );
    let other = paid_event(
        "evt_2",
        "checkout.session.async_payment_succeeded",
        "cs_test_0",
        145_000,
    );
    let other_signature = sign(&other, WEBHOOK_SECRET, now);
    let mut race = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (base, body, signature) = if i % 2 == 0 {
            (base.clone(), body.clone(), signature.clone())
        } else {
            (base.clone(), other.clone(), other_signature.clone())
        };
        race.spawn(async move { send_webhook(&base, &body, &signature).await.0 });
    }
    while let Some(status) = race.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(payment_count(st, id).await, 1);
    assert_eq!(store::stripe_event_count(&st.db).await.unwrap(), 2);
    let payments = store::payments(&st.db, id).await.unwrap();
    assert_eq!(payments[0].method, "card");
    assert_eq!(payments[0].recorded_by_email, None);

    // A session the portal never created is acknowledged and ignored.
    let stranger = paid_event(
        "evt_3",
        "checkout.session.completed",
        "cs_live_elsewhere",
        500,
    );
    let (status, text) =
        send_webhook(&base, &stranger, &sign(&stranger, WEBHOOK_SECRET, now)).await;
    assert_eq!(status, 200);
    assert!(text.starts_with("ignored"));
    assert_eq!(payment_count(st, id).await, 1);

    // Two events for a fresh session race from the start: one payment.
    let second = billing::draft_from_case(st, &staff, case).await.unwrap();
    billing::issue(st, &staff, second).await.unwrap();
    let form = [
        ("id", second.to_string()),
        ("form_key", billing::new_form_key()),
    ];
    let res = post_form(
        &bob,
        &base,
        "billing/pay_by_card",
        &format!("/billing/{second}"),
        &form,
    )
    .await;
    assert_eq!(
        location(&res),
        "https://checkout.stripe.com/c/pay/cs_test_1"
    );
    let a = paid_event("evt_10", "checkout.session.completed", "cs_test_1", 145_000);
    let b = paid_event(
        "evt_11",
        "checkout.session.async_payment_succeeded",
        "cs_test_1",
        145_000,
    );
    let (sa, sb) = (sign(&a, WEBHOOK_SECRET, now), sign(&b, WEBHOOK_SECRET, now));
    let (ra, rb) = tokio::join!(send_webhook(&base, &a, &sa), send_webhook(&base, &b, &sb));
    assert_eq!((ra.0, rb.0), (200, 200));
    assert_eq!(payment_count(st, second).await, 1);

    // Pages too old to pay on are made anew, five an hour for one invoice at most.
    let third = billing::draft_from_case(st, &staff, case).await.unwrap();
    billing::issue(st, &staff, third).await.unwrap();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        // Every page made so far is 46 minutes old: within the hour, past reuse.
        abuse_portal::on_db!(&st.db, |pool| sqlx::query(
            "UPDATE checkout_sessions SET created_at = $1 WHERE invoice_id = $2"
        )
        .bind(st.now() - time::Duration::minutes(46))
        .bind(third)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        let res = call(
            &bob_api,
            &base,
            "billing/pay_by_card",
            &[
                ("id", &third.to_string()),
                ("form_key", &billing::new_form_key()),
            ],
        )
        .await;
        let status = res.status();
        statuses.push(if status.is_redirection() || status.is_success() {
            "made"
        } else if status.as_u16() == 429 {
            "wait"
        } else {
            panic!("{status}")
        });
    }
    assert_eq!(
        statuses,
        ["made", "made", "made", "made", "made", "wait", "wait"]
    );
}

#[test]
fn card_payments_through_checkout_and_signed_webhooks_sqlite() {
    common::block_on(async {
        let (env, fake) = card_env(common::Engine::Sqlite).await.unwrap();
        let cleanup = env.clone();
        card_payments_body(env, fake).await;
        cleanup.finish().await;
    })
}

#[test]
#[cfg_attr(not(postgres_tests), ignore = "PORTAL_TEST_POSTGRES_URL is not set")]
fn card_payments_through_checkout_and_signed_webhooks_postgres() {
    common::block_on(async {
        let (env, fake) = card_env(common::Engine::Postgres).await.unwrap();
        let cleanup = env.clone();
        card_payments_body(env, fake).await;
        cleanup.finish().await;
    })
}

on_both_engines!(
    lists_page_by_keyset_and_customers_see_only_issued_invoices,
    |env| {
        use abuse_portal::server::usecase::billing_views;
        let st = &env.st;
        let case = globex_case(st, false).await;
        let staff = actor(st, "staff@portal.test").await;
        let bob = actor(st, "bob@globex.test").await;
        let mut issued = Vec::new();
        for _ in 0..27 {
            let id = billing::draft_from_case(st, &staff, case).await.unwrap();
            billing::issue(st, &staff, id).await.unwrap();
            issued.push(id);
        }
        let draft = billing::draft_from_case(st, &staff, case).await.unwrap();
        // The customer's overview: their issued invoices only, newest first, 25 a page, no repeats.
        let first = billing_views::overview(st, &bob, None).await.unwrap();
        assert_eq!(first.rows.len(), 25);
        assert!(first.rows.iter().all(|r| r.id != draft));
        let second = billing_views::overview(st, &bob, first.next).await.unwrap();
        let mut seen: Vec<i64> = first
            .rows
            .iter()
            .chain(&second.rows)
            .map(|r| r.id)
            .collect();
        assert!(second.next.is_none());
        // Globex also has the demo's DDoS invoice.
        assert_eq!(seen.len(), 28);
        seen.dedup();
        assert_eq!(seen.len(), 28);
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first");
        assert_eq!(
            first.owed,
            Money::usd(27 * 120_000 + 75_000),
            "27 × USD 1,200.00 and the demo's USD 750.00"
        );
        // Staff filter by status and by overdue.
        let drafts = billing_views::staff_list(st, &staff, Some("draft".into()), None)
            .await
            .unwrap();
        assert_eq!(
            drafts.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [draft]
        );
        exec(
            st,
            &format!(
                "DROP TRIGGER IF EXISTS invoices_issued_unchanged{}",
                if env.engine == common::Engine::Postgres {
                    " ON invoices"
                } else {
                    ""
                }
            ),
        )
        .await
        .unwrap();
        exec(
            st,
            &format!(
                "UPDATE invoices SET due_on = '2000-01-01' WHERE id = {}",
                issued[3]
            ),
        )
        .await
        .unwrap();
        let overdue = billing_views::staff_list(st, &staff, Some("overdue".into()), None)
            .await
            .unwrap();
        assert_eq!(
            overdue.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
            [issued[3]]
        );
        assert_eq!(
            overdue.rows[0].standing,
            abuse_portal::domain::billing::invoice::Standing::Overdue
        );
        assert!(billing_views::staff_list(st, &bob, None, None)
            .await
            .is_err());
        assert_eq!(
            billing_views::overview(st, &staff, None).await.unwrap_err(),
            AppError::Forbidden
        );
    }
);
