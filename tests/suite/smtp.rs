//! Port-25 requests in the database, on real SQLite and PostgreSQL: one live request per
//! address whatever the races, status changes that only one caller wins, numbered written
//! approvals that the database refuses to change, and the open-case refusal.

use abuse_portal::domain::actor::{Actor, Role, StaffToken};
use abuse_portal::domain::enforcement::EnforcementKind;
use abuse_portal::domain::ids::{OrgId, ServiceId, UserId};
use abuse_portal::domain::notice::NoticeCategory;
use abuse_portal::domain::service::ServiceKind;
use abuse_portal::domain::smtp::{
    approval_number, port25_state, ApprovalDocument, Port25State, RequestForm, RequestStatus,
};
use abuse_portal::error::AppError;
use abuse_portal::server::db::{accounts, enforcement, on_db, services, smtp, DbError};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase;

fn staff_token() -> StaffToken {
    Actor {
        user_id: UserId(0),
        role: Role::Staff,
        org_id: None,
        zone: Default::default(),
    }
    .require_staff()
    .unwrap()
}

/// Alice (of the demo's Acme), her organisation, and the service that holds `ip`.
async fn alice_and_service(st: &AppState, ip: &str) -> (UserId, OrgId, ServiceId) {
    seed::seed_demo(st).await.unwrap();
    let alice = usecase::accounts::sign_in(st, "alice@acme.test", "demo-password-1", None)
        .await
        .unwrap()
        .user();
    let org = accounts::find_user(&st.db, alice)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap();
    let service = services::list_for_org(&st.db, OrgId(org), 100)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.ips.iter().any(|a| a == ip))
        .expect("a demo service holds the address");
    (alice, OrgId(org), service.id)
}

fn form(ip: &str) -> RequestForm {
    RequestForm {
        ip: ip.into(),
        use_case: "transactional".into(),
        ..RequestForm::default()
    }
}

async fn draft(st: &AppState, org: OrgId, service: ServiceId, by: UserId, ip: &str) -> i64 {
    let mut tx = st.db.begin_write().await.unwrap();
    let id = smtp::insert_draft(&mut tx, org, service, &form(ip), by, st.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn submit(st: &AppState, id: i64) -> Result<bool, DbError> {
    let mut tx = st.db.begin_write().await?;
    let moved = smtp::set_status(
        &mut tx,
        id,
        RequestStatus::Draft,
        RequestStatus::Pending,
        st.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(moved)
}

on_both_engines!(one_live_request_per_address, |env| {
    let st = &env.st;
    let ip = "203.0.113.40";
    let (alice, org, service) = alice_and_service(st, "203.0.113.25").await;
    let first = draft(st, org, service, alice, ip).await;
    let second = draft(st, org, service, alice, ip).await;
    assert!(submit(st, first).await.unwrap());
    let stored = smtp::get(&st.db, first).await.unwrap().unwrap();
    assert_eq!(stored.status, RequestStatus::Pending);
    assert!(stored.submitted_at.is_some());
    // The second draft for the same address cannot go live while the first is.
    assert!(matches!(submit(st, second).await, Err(DbError::Duplicate)));
    assert_eq!(
        smtp::get(&st.db, second).await.unwrap().unwrap().status,
        RequestStatus::Draft,
        "the refused draft is kept"
    );
    let mut tx = st.db.begin_write().await.unwrap();
    assert_eq!(
        smtp::live_for_ip(&mut tx, ip, second).await.unwrap(),
        Some((first, RequestStatus::Pending))
    );
    // Once the first is withdrawn, the second may go.
    assert!(smtp::set_status(
        &mut tx,
        first,
        RequestStatus::Pending,
        RequestStatus::Withdrawn,
        st.now()
    )
    .await
    .unwrap());
    tx.commit().await.unwrap();
    assert!(submit(st, second).await.unwrap());
});

on_both_engines!(a_status_change_is_won_once, |env| {
    let st = &env.st;
    let (alice, org, service) = alice_and_service(st, "203.0.113.25").await;
    let id = draft(st, org, service, alice, "203.0.113.41").await;
    assert!(submit(st, id).await.unwrap());
    assert!(!submit(st, id).await.unwrap(), "no longer a draft");
    let mut tx = st.db.begin_write().await.unwrap();
    assert!(
        !smtp::save_draft(&mut tx, id, service, &form("203.0.113.41"), st.now())
            .await
            .unwrap(),
        "a submitted request is not edited as a draft"
    );
    tx.commit().await.unwrap();
});

on_both_engines!(written_approvals_are_numbered_and_kept_unchanged, |env| {
    let st = &env.st;
    let (alice, org, service) = alice_and_service(st, "203.0.113.25").await;
    let id = draft(st, org, service, alice, "203.0.113.42").await;
    assert!(submit(st, id).await.unwrap());
    let staff_email = abuse_portal::domain::account::Email::parse("staff@portal.test").unwrap();
    let staff_id = accounts::find_user_by_email(&st.db, &staff_email)
        .await
        .unwrap()
        .map(|u| UserId(u.id))
        .expect("the demo staff user");
    let mut tx = st.db.begin_write().await.unwrap();
    let approval = smtp::NewApproval {
        request: id,
        number: "",
        issued_at: st.now(),
        approved_by: staff_id,
        approver_role: "Abuse desk (staff)",
        text: "Transactional use case verified with the customer by phone.",
        daily_cap: Some(5_000),
        probation_until: Some(st.now().date() + time::Duration::days(30)),
        document: "{}",
    };
    let issue = |n: String| smtp::NewApproval {
        number: Box::leak(n.into_boxed_str()),
        ..approval.clone()
    };
    let year = st.now().year();
    assert_eq!(smtp::approval_count(&mut tx, id).await.unwrap(), 0);
    let first = issue(approval_number(year, id, 1));
    let first_id = smtp::issue_approval(&mut tx, staff_token(), &first)
        .await
        .unwrap();
    assert_eq!(smtp::approval_count(&mut tx, id).await.unwrap(), 1);
    let second = issue(approval_number(year, id, 2));
    smtp::issue_approval(&mut tx, staff_token(), &second)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // Numbers are unique: the same number twice is refused.
    let mut tx = st.db.begin_write().await.unwrap();
    assert!(matches!(
        smtp::issue_approval(&mut tx, staff_token(), &first).await,
        Err(DbError::Duplicate)
    ));
    drop(tx);
    let stored = smtp::get(&st.db, id).await.unwrap().unwrap();
    assert_eq!(stored.review_due_on, approval.probation_until);
    let listed = smtp::approvals(&st.db, id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1].number, format!("SMTP-{year}-{id:06}"));
    assert_eq!(listed[0].number, format!("SMTP-{year}-{id:06}-2"));
    assert_eq!(listed[1].daily_cap, Some(5_000));

    // Whoever holds the database cannot quietly rewrite or remove the document.
    let update = on_db!(&st.db, |pool| sqlx::query(
        "UPDATE smtp_approvals SET approval_text = 'anything' WHERE id = $1"
    )
    .bind(first_id)
    .execute(pool)
    .await
    .map(|_| ()));
    assert!(update
        .unwrap_err()
        .to_string()
        .contains("written approvals cannot be changed"));
    let delete = on_db!(&st.db, |pool| sqlx::query(
        "DELETE FROM smtp_approvals WHERE id = $1"
    )
    .bind(first_id)
    .execute(pool)
    .await
    .map(|_| ()));
    assert!(delete.is_err());
    assert_eq!(smtp::approvals(&st.db, id).await.unwrap(), listed);
});

on_both_engines!(an_open_spam_case_is_found_for_its_address, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let mut tx = st.db.begin_write().await.unwrap();
    // The demo's open spam case names the mail server's first address.
    let found = smtp::open_mail_abuse_case(&mut tx, "203.0.113.25")
        .await
        .unwrap();
    assert!(
        matches!(found, Some((_, NoticeCategory::Spam))),
        "{found:?}"
    );
    assert_eq!(
        smtp::open_mail_abuse_case(&mut tx, "192.0.2.250")
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
});

on_both_engines!(
    every_service_kind_starts_restricted_until_configured,
    |env| {
        let st = &env.st;
        for kind in ServiceKind::ALL {
            assert!(
                smtp::restricted_by_default(&st.db, *kind).await.unwrap(),
                "{kind:?}"
            );
        }
    }
);

fn good_form(ip: &str) -> RequestForm {
    RequestForm {
        ip: ip.into(),
        use_case: "transactional".into(),
        use_case_details: String::new(),
        sending_domains: "app.acme.test".into(),
        daily_volume: "2000".into(),
        peak_per_hour: "300".into(),
        consent: "Customers who place an order receive its receipt.".into(),
        bounce_handling: "Bounces go to a mailbox read daily; hard bounces are suppressed.".into(),
        software: "Postfix 3.7".into(),
        helo_name: "mail.app.acme.test".into(),
        dkim_selector: "s1".into(),
        why_not_relay: "Our relay provider cannot sign with our own DKIM keys.".into(),
        accepts_obligations: "on".into(),
    }
}

async fn actor_of(st: &AppState, email: &str, password: &str) -> Actor {
    let id = usecase::accounts::sign_in(st, email, password, None)
        .await
        .unwrap()
        .user();
    let row = accounts::find_user(&st.db, id).await.unwrap().unwrap();
    Actor {
        user_id: id,
        role: row.role.parse().unwrap(),
        org_id: row.organisation_id.map(OrgId),
        zone: Default::default(),
    }
}

async fn port25_of(st: &AppState, service: ServiceId, ip: &str) -> Port25State {
    let measures: Vec<_> = enforcement::for_service(&st.db, service)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.measure)
        .collect();
    port25_state(ip, &measures, st.now())
}

on_both_engines!(
    request_approval_and_revocation_move_the_restriction,
    |env| {
        let st = &env.st;
        let ip = "203.0.113.11";
        let (_, _, service) = alice_and_service(st, ip).await;
        let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
        let staff = actor_of(st, "staff@portal.test", "demo-password-1").await;
        usecase::smtp::restrict_new_service(st, service)
            .await
            .unwrap();
        assert_eq!(
            port25_of(st, service, ip).await,
            Port25State::BlockedByDefault
        );

        // A form with problems stays a draft with everything typed.
        let mut bad = good_form(ip);
        bad.helo_name = "localhost".into();
        bad.consent = "yes".into();
        let draft = usecase::smtp::save_draft(st, &alice, None, service, &bad)
            .await
            .unwrap();
        match usecase::smtp::submit(st, &alice, Some(draft), service, &bad).await {
            Err(AppError::InvalidFields(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["consent", "helo_name"]);
            }
            other => panic!("expected field errors, got {other:?}"),
        }
        let kept = usecase::smtp::get_request(st, &alice, draft).await.unwrap();
        assert_eq!(kept.status, RequestStatus::Draft);
        assert_eq!(kept.form.helo_name, "localhost");

        let id = usecase::smtp::submit(st, &alice, Some(draft), service, &good_form(ip))
            .await
            .unwrap();
        assert_eq!(id, draft);
        assert_eq!(
            usecase::smtp::get_request(st, &alice, id)
                .await
                .unwrap()
                .status,
            RequestStatus::Pending
        );
        // A customer cannot approve their own request.
        let approval = usecase::smtp::Approval {
            text: "Transactional use case verified with the customer by phone.".into(),
            daily_cap: "5000".into(),
            probation_until: String::new(),
        };
        assert_eq!(
            usecase::smtp::approve(st, &alice, id, &approval).await,
            Err(AppError::Forbidden)
        );
        let number = usecase::smtp::approve(st, &staff, id, &approval)
            .await
            .unwrap();
        assert_eq!(number, format!("SMTP-{}-{id:06}", st.now().year()));
        assert_eq!(port25_of(st, service, ip).await, Port25State::Allowed);
        let ended_by_approval = enforcement::for_service(&st.db, service)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| {
                a.measure.kind == EnforcementKind::Port25Restriction
                    && a.end_reason.as_deref()
                        == Some(format!("Approved in writing: {number}.").as_str())
            })
            .count();
        assert_eq!(
            ended_by_approval, 2,
            "the seeded restriction and the one started here"
        );
        let approvals = smtp::approvals(&st.db, id).await.unwrap();
        let document: ApprovalDocument = serde_json::from_str(&approvals[0].document).unwrap();
        assert_eq!(document.organisation, "Acme Hosting Ltd");
        assert_eq!(document.ip, ip);
        assert_eq!(document.conditions, ["No more than 5000 messages a day."]);

        // Revocation needs a written reason, then restricts the address again.
        assert!(matches!(
            usecase::smtp::revoke(st, &staff, id, "no").await,
            Err(AppError::InvalidFields(_))
        ));
        usecase::smtp::revoke(
            st,
            &staff,
            id,
            "Complaints about unsolicited mail from this address.",
        )
        .await
        .unwrap();
        assert_eq!(
            port25_of(st, service, ip).await,
            Port25State::BlockedByDefault
        );
        let history: Vec<_> = smtp::events(&st.db, id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(history, ["submitted", "approved", "revoked"]);
    }
);

on_both_engines!(
    requests_are_refused_on_addresses_with_open_mail_abuse,
    |env| {
        let st = &env.st;
        let ip = "203.0.113.25";
        let (_, _, service) = alice_and_service(st, ip).await;
        let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
        match usecase::smtp::submit(st, &alice, None, service, &good_form(ip)).await {
            Err(AppError::Conflict(message)) => {
                assert!(message.contains("is open on 203.0.113.25"), "{message}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
);

on_both_engines!(other_organisations_see_nothing, |env| {
    let st = &env.st;
    let ip = "203.0.113.11";
    let (_, _, service) = alice_and_service(st, ip).await;
    let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
    let bob = actor_of(st, "bob@globex.test", "demo-password-1").await;
    let id = usecase::smtp::save_draft(st, &alice, None, service, &good_form(ip))
        .await
        .unwrap();
    assert_eq!(
        usecase::smtp::get_request(st, &bob, id).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        usecase::smtp::withdraw(st, &bob, id).await,
        Err(AppError::NotFound)
    );
    assert_eq!(
        usecase::smtp::save_draft(st, &bob, Some(id), service, &good_form(ip)).await,
        Err(AppError::invalid("service", "Choose one of your services."))
    );
});

on_both_engines!(a_new_spam_case_blocks_an_allowed_address_again, |env| {
    let st = &env.st;
    let ip = "203.0.113.11";
    let (_, _, service) = alice_and_service(st, ip).await;
    let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
    let staff = actor_of(st, "staff@portal.test", "demo-password-1").await;
    usecase::smtp::restrict_new_service(st, service)
        .await
        .unwrap();
    let id = usecase::smtp::submit(st, &alice, None, service, &good_form(ip))
        .await
        .unwrap();
    let approval = usecase::smtp::Approval {
        text: "Transactional use case verified with the customer by phone.".into(),
        ..Default::default()
    };
    usecase::smtp::approve(st, &staff, id, &approval)
        .await
        .unwrap();
    assert_eq!(port25_of(st, service, ip).await, Port25State::Allowed);
    let now = st.now();
    let notice = usecase::notices::open_notice(
        st,
        &staff,
        usecase::notices::OpenNotice {
            service,
            ips: vec![ip.into()],
            category: NoticeCategory::Spam,
            source: abuse_portal::domain::notice::NoticeSource::ThirdPartyReport,
            high_risk: false,
            summary: "Recipients reported 40 unsolicited messages from this address.".into(),
            event_count: 40,
            first_seen_at: now - time::Duration::hours(2),
            last_seen_at: now - time::Duration::hours(1),
            verification_note: "Headers checked against our flow logs.".into(),
            shorter_deadline: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        port25_of(st, service, ip).await,
        Port25State::BlockedForAbuse
    );
    let request = usecase::smtp::get_request(st, &alice, id).await.unwrap();
    assert_eq!(request.status, RequestStatus::Suspended);
    let last = smtp::events(&st.db, id).await.unwrap().pop().unwrap();
    assert_eq!(last.actor_role, "system");
    assert!(last
        .reason
        .unwrap()
        .starts_with(&format!("Case #{notice} (Spam")));
    let trail = abuse_portal::server::db::audit::list(&st.db, notice)
        .await
        .unwrap();
    assert!(trail
        .iter()
        .any(|e| e.record.actor == "system" && e.record.action == "measure_started"));
});

on_both_engines!(
    staff_set_and_lift_the_default_restriction_with_a_reason,
    |env| {
        let st = &env.st;
        let ip = "203.0.113.40";
        let (_, _, service) = alice_and_service(st, ip).await;
        let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
        let staff = actor_of(st, "staff@portal.test", "demo-password-1").await;
        let change = |who: Actor, restrict: bool, reason: &'static str| async move {
            usecase::smtp::change_default_restriction(st, &who, service, ip, restrict, reason).await
        };
        assert_eq!(port25_of(st, service, ip).await, Port25State::Allowed);
        let why = "Trial account: no mail until a use case is approved.";
        assert_eq!(
            change(alice.clone(), true, why).await,
            Err(AppError::Forbidden)
        );
        assert!(matches!(
            change(staff.clone(), true, "trial").await,
            Err(AppError::InvalidFields(_))
        ));
        change(staff.clone(), true, why).await.unwrap();
        assert_eq!(
            port25_of(st, service, ip).await,
            Port25State::BlockedByDefault
        );
        assert!(matches!(
            change(staff.clone(), true, why).await,
            Err(AppError::Conflict(_))
        ));
        change(
            staff.clone(),
            false,
            "Use case confirmed by phone with the owner.",
        )
        .await
        .unwrap();
        assert_eq!(port25_of(st, service, ip).await, Port25State::Allowed);
        let log = abuse_portal::server::db::audit::list_trail(
            &st.db,
            abuse_portal::server::db::audit::Trail::Provider,
        )
        .await
        .unwrap();
        let actions: Vec<_> = log
            .iter()
            .rev()
            .take(2)
            .map(|e| e.record.action.as_str())
            .collect();
        assert_eq!(actions, ["port25_restriction_lifted", "port25_restricted"]);
    }
);

on_both_engines!(
    a_released_address_ends_its_holders_requests_and_the_next_holder_asks_afresh,
    |env| {
        let st = &env.st;
        let ip = "203.0.113.11";
        let (_, _, acme_service) = alice_and_service(st, ip).await;
        let alice = actor_of(st, "alice@acme.test", "demo-password-1").await;
        let bob = actor_of(st, "bob@globex.test", "demo-password-1").await;
        let staff = actor_of(st, "staff@portal.test", "demo-password-1").await;
        let admin = actor_of(st, "admin@portal.test", "demo-password-1").await;
        let approved = usecase::smtp::submit(st, &alice, None, acme_service, &good_form(ip))
            .await
            .unwrap();
        let approval = usecase::smtp::Approval {
            text: "Transactional use case verified with the customer by phone.".into(),
            ..usecase::smtp::Approval::default()
        };
        usecase::smtp::approve(st, &staff, approved, &approval)
            .await
            .unwrap();
        assert_eq!(port25_of(st, acme_service, ip).await, Port25State::Allowed);

        // The address moves to Globex: Acme's approval is revoked, saying why, in its history.
        let globex_service = services::list_for_org(&st.db, bob.org_id.unwrap(), 100)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.label == "db-01.globex.test")
            .unwrap()
            .id;
        usecase::organisations::release_block(
            st,
            &admin,
            ip,
            Some(globex_service),
            "Reallocated after Acme returned it.",
        )
        .await
        .unwrap();
        let was = usecase::smtp::get_request(st, &alice, approved)
            .await
            .unwrap();
        assert_eq!(was.status, RequestStatus::Revoked);
        let last = smtp::events(&st.db, approved).await.unwrap().pop().unwrap();
        assert_eq!(last.event, "revoked");
        assert_eq!(
            last.reason.as_deref(),
            Some("203.0.113.11 is no longer held by this service: Reallocated after Acme returned it.")
        );
        // Globex starts restricted, and may ask for itself now that the address is free.
        assert_eq!(
            port25_of(st, globex_service, ip).await,
            Port25State::BlockedByDefault
        );
        let pending = usecase::smtp::submit(st, &bob, None, globex_service, &good_form(ip))
            .await
            .unwrap();
        // Released altogether: Globex's pending request is rejected the same way.
        usecase::organisations::release_block(st, &admin, ip, None, "Returned to the pool.")
            .await
            .unwrap();
        assert_eq!(
            usecase::smtp::get_request(st, &bob, pending)
                .await
                .unwrap()
                .status,
            RequestStatus::Rejected
        );
        // The provider-wide log names what ended.
        use abuse_portal::server::db::audit::{list_trail, Trail};
        let log = list_trail(&st.db, Trail::Provider).await.unwrap();
        assert!(
            log.iter().any(|e| e
                .record
                .detail
                .contains(&format!("port-25 request #{approved} for {ip} revoked"))),
            "the provider-wide log names the revoked request"
        );
    }
);
