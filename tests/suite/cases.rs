//! Abuse cases on real SQLite and PostgreSQL: opening notices, scope, the lifecycle with its
//! audit trail, deadlines and the overdue watcher, and tamper detection.

use crate::common;
use common::actor;

use abuse_portal::domain::actor::Actor;
use abuse_portal::domain::evidence::Statement;
use abuse_portal::domain::ids::ServiceId;
use abuse_portal::domain::notice::{NoticeCategory, NoticeEvent, NoticeSource, NoticeState};
use abuse_portal::domain::service::ServiceKind;
use abuse_portal::error::AppError;
use abuse_portal::server::db::audit::{self, TrailError};
use abuse_portal::server::db::notices::{ListCursor, ListOrder, NoticeFilter, NoticeRecord};
use abuse_portal::server::db::{leases, responses};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::case_access::get_notice;
use abuse_portal::server::usecase::notices::{self as cases, OpenNotice};
use futures::future::join_all;
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

fn spam_notice(service: ServiceId, now: time::OffsetDateTime) -> OpenNotice {
    OpenNotice {
        service,
        ips: vec!["203.0.113.25".into()],
        category: NoticeCategory::Spam,
        source: NoticeSource::BlacklistListing,
        high_risk: false,
        summary: "5,120 unsolicited messages reported; listed on two RBLs since 08:00 UTC.".into(),
        event_count: 5_120,
        first_seen_at: now - Duration::hours(6),
        last_seen_at: now - Duration::hours(1),
        verification_note: "Listing confirmed on the RBL's lookup page; matches our flow logs."
            .into(),
        shorter_deadline: None,
    }
}

fn statement() -> Statement {
    Statement::parse(
        "An outdated WordPress plugin let a spammer send mail.",
        "Removed the plugin, rotated credentials, cleaned the queue.",
        "Automatic updates and outbound rate limits on the MTA.",
    )
    .unwrap()
}

async fn backdate_deadline(st: &AppState, id: i64) {
    let past = st.now() - Duration::minutes(1);
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(
        "UPDATE notices SET deadline_at = $1 WHERE id = $2"
    )
    .bind(past)
    .bind(id)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
}

on_both_engines!(
    staff_open_a_notice_with_a_48_hour_deadline_and_a_verified_trail,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let staff = actor(st, "staff@portal.test").await;
        let mail = service_id(st, "mail-01.acme.test").await;
        let id = cases::open_notice(st, &staff, spam_notice(mail, st.now()))
            .await
            .unwrap();
        let n = get_notice(st, &staff, id).await.unwrap();
        assert_eq!(n.state, NoticeState::Open);
        assert_eq!(n.deadline_at - n.notified_at, Duration::hours(48));
        assert_eq!(n.org_name, "Acme Hosting Ltd");
        assert_eq!(n.ips, ["203.0.113.25"]);
        assert!(!n.high_risk);
        let trail = audit::list(&st.db, id).await.unwrap();
        assert_eq!(
            trail
                .iter()
                .map(|e| e.record.action.as_str())
                .collect::<Vec<_>>(),
            ["report_verified", "notice_opened"]
        );
        assert_eq!(trail[0].record.actor, "staff@portal.test (staff)");
        assert_eq!(
            audit::verify(&st.db, &st.audit_keys, id).await.unwrap(),
            Ok(())
        );

        let mut botnet = spam_notice(mail, st.now());
        botnet.category = NoticeCategory::Botnet;
        let id2 = cases::open_notice(st, &staff, botnet).await.unwrap();
        assert!(
            get_notice(st, &staff, id2).await.unwrap().high_risk,
            "§5 categories are high-risk"
        );
    }
);

on_both_engines!(bad_notices_are_refused_with_the_field_named, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let mail = service_id(st, "mail-01.acme.test").await;
    let now = st.now();
    let field = |r: Result<i64, AppError>| match r {
        Err(AppError::Invalid { field, .. }) => field,
        other => panic!("expected a field error, got {other:?}"),
    };
    let mut n = spam_notice(mail, now);
    n.ips = vec!["198.51.100.70".into()];
    assert_eq!(
        field(cases::open_notice(st, &staff, n).await),
        "ips",
        "another organisation's address"
    );
    let mut n = spam_notice(mail, now);
    n.summary = "Received: from mx\nFrom: a@b.test\nSubject: cheap pills\n\nbuy now".into();
    assert_eq!(
        field(cases::open_notice(st, &staff, n).await),
        "summary",
        "message payloads are refused"
    );
    let mut n = spam_notice(mail, now);
    n.event_count = 0;
    assert_eq!(
        field(cases::open_notice(st, &staff, n).await),
        "event_count"
    );
    let mut n = spam_notice(mail, now);
    n.shorter_deadline = Some((now + Duration::hours(72), "upstream mandate".into()));
    assert_eq!(field(cases::open_notice(st, &staff, n).await), "deadline");
    let mut n = spam_notice(mail, now);
    n.shorter_deadline = Some((
        now + Duration::hours(6),
        "upstream provider requires 6 hours".into(),
    ));
    let id = cases::open_notice(st, &staff, n).await.unwrap();
    assert_eq!(
        get_notice(st, &staff, id).await.unwrap().deadline_at,
        now + Duration::hours(6)
    );
    let alice = actor(st, "alice@acme.test").await;
    assert_eq!(
        cases::open_notice(st, &alice, spam_notice(mail, now)).await,
        Err(AppError::Forbidden)
    );
});

on_both_engines!(customers_see_only_their_own_notices, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let (alice, bob) = (
        actor(st, "alice@acme.test").await,
        actor(st, "bob@globex.test").await,
    );
    let id = cases::open_notice(
        st,
        &staff,
        spam_notice(service_id(st, "mail-01.acme.test").await, st.now()),
    )
    .await
    .unwrap();
    assert_eq!(get_notice(st, &alice, id).await.unwrap().id, id);
    assert_eq!(get_notice(st, &bob, id).await, Err(AppError::NotFound));
    // A customer asking for another organisation's notices still gets only their own.
    let sneaky = NoticeFilter {
        org: alice.org_id,
        ..Default::default()
    };
    let bobs = cases::list_notices(st, &bob, sneaky, None, 50)
        .await
        .unwrap();
    assert!(!bobs.is_empty(), "the demo data gives Globex notices");
    assert!(bobs
        .iter()
        .all(|n| Some(n.org_id) == bob.org_id && n.id != id));
    let alices = cases::list_notices(st, &alice, NoticeFilter::default(), None, 50)
        .await
        .unwrap();
    assert!(alices.iter().any(|n| n.id == id));
    assert!(alices.iter().all(|n| Some(n.org_id) == alice.org_id));
    assert_eq!(
        cases::apply_event(st, &bob, id, NoticeEvent::Acknowledge, "").await,
        Err(AppError::NotFound)
    );
});

on_both_engines!(the_whole_loop_with_its_audit_trail, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let id = cases::open_notice(
        st,
        &staff,
        spam_notice(service_id(st, "mail-01.acme.test").await, st.now()),
    )
    .await
    .unwrap();
    assert_eq!(
        cases::apply_event(st, &alice, id, NoticeEvent::Acknowledge, "").await,
        Ok(NoticeState::Acknowledged)
    );
    assert_eq!(
        cases::apply_event(st, &alice, id, NoticeEvent::AcceptEvidence, "").await,
        Err(AppError::Forbidden)
    );
    assert_eq!(
        cases::submit_evidence(st, &alice, id, statement()).await,
        Ok(NoticeState::EvidenceSubmitted)
    );
    assert!(matches!(
        cases::apply_event(st, &staff, id, NoticeEvent::RejectEvidence, "no").await,
        Err(AppError::Invalid { ref field, .. }) if field == "reason"
    ));
    let why = "The scan report is from before the fix; send one from today.";
    assert_eq!(
        cases::apply_event(st, &staff, id, NoticeEvent::RejectEvidence, why).await,
        Ok(NoticeState::EvidenceRejected)
    );
    assert!(matches!(
        cases::apply_event(st, &staff, id, NoticeEvent::AcceptEvidence, "").await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        cases::submit_evidence(st, &alice, id, statement()).await,
        Ok(NoticeState::EvidenceSubmitted)
    );
    assert_eq!(
        cases::apply_event(st, &staff, id, NoticeEvent::AcceptEvidence, "").await,
        Ok(NoticeState::Resolved)
    );
    let subs = responses::submissions(&st.db, id).await.unwrap();
    assert_eq!(subs.len(), 2, "the rejected submission is kept");
    assert_eq!(subs[0].decision.as_deref(), Some("rejected"));
    assert!(subs[0]
        .decision_reason
        .as_deref()
        .unwrap()
        .contains("send one from today"));
    assert_eq!(subs[1].decision.as_deref(), Some("accepted"));
    let trail = audit::list(&st.db, id).await.unwrap();
    let actions: Vec<_> = trail.iter().map(|e| e.record.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "report_verified",
            "notice_opened",
            "acknowledged",
            "evidence_submitted",
            "evidence_rejected",
            "evidence_submitted",
            "evidence_accepted"
        ]
    );
    assert!(trail[4].record.detail.contains(why));
    assert_eq!(
        audit::verify(&st.db, &st.audit_keys, id).await.unwrap(),
        Ok(())
    );
});

on_both_engines!(
    the_watcher_marks_overdue_once_and_a_new_deadline_reopens,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let staff = actor(st, "staff@portal.test").await;
        let service = service_id(st, "web-01.acme.test").await;
        let mut n = spam_notice(service, st.now());
        n.ips = vec![];
        let late = cases::open_notice(st, &staff, n.clone()).await.unwrap();
        let answered = cases::open_notice(st, &staff, n).await.unwrap();
        let alice = actor(st, "alice@acme.test").await;
        cases::submit_evidence(st, &alice, answered, statement())
            .await
            .unwrap();
        backdate_deadline(st, late).await;
        backdate_deadline(st, answered).await;
        assert_eq!(
            cases::mark_overdue(st).await.unwrap(),
            1,
            "only the unanswered case"
        );
        assert_eq!(cases::mark_overdue(st).await.unwrap(), 0, "never twice");
        assert_eq!(
            get_notice(st, &staff, late).await.unwrap().state,
            NoticeState::Overdue
        );
        let trail = audit::list(&st.db, late).await.unwrap();
        assert_eq!(trail.last().unwrap().record.actor, "system");
        assert_eq!(trail.last().unwrap().record.action, "marked_overdue");

        let new_deadline = st.now() + Duration::hours(24);
        assert!(matches!(
            cases::change_deadline(st, &staff, late, new_deadline, "short").await,
            Err(AppError::Invalid { ref field, .. }) if field == "reason"
        ));
        cases::change_deadline(
            st,
            &staff,
            late,
            new_deadline,
            "Customer asked for time; upstream agreed",
        )
        .await
        .unwrap();
        let reopened = get_notice(st, &staff, late).await.unwrap();
        assert_eq!(
            (reopened.state, reopened.deadline_at),
            (NoticeState::Open, new_deadline)
        );
        assert_eq!(
            audit::verify(&st.db, &st.audit_keys, late).await.unwrap(),
            Ok(())
        );
        assert_eq!(
            cases::change_deadline(st, &alice, late, new_deadline, "I would like more time").await,
            Err(AppError::Forbidden)
        );
    }
);

async fn exec(st: &AppState, sql: &str) -> Result<(), sqlx::Error> {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// What whoever owns the database can do: remove the triggers that guard the trail.
async fn drop_trail_guards(st: &AppState) {
    let statements: &[&str] = match st.db.engine() {
        "sqlite" => &[
            "DROP TRIGGER audit_entries_no_update",
            "DROP TRIGGER audit_entries_no_delete",
        ],
        _ => &["DROP TRIGGER audit_entries_immutable ON audit_entries"],
    };
    for sql in statements {
        exec(st, sql).await.unwrap();
    }
}

on_both_engines!(
    the_database_refuses_to_change_or_delete_trail_entries,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let staff = actor(st, "staff@portal.test").await;
        let id = cases::open_notice(
            st,
            &staff,
            spam_notice(service_id(st, "mail-01.acme.test").await, st.now()),
        )
        .await
        .unwrap();
        let edit =
            format!("UPDATE audit_entries SET detail = 'nothing to see' WHERE notice_id = {id}");
        let delete = format!("DELETE FROM audit_entries WHERE notice_id = {id}");
        let rekey = format!("UPDATE audit_entries SET key_id = 'legacy' WHERE notice_id = {id}");
        for sql in [&edit, &delete, &rekey] {
            let err = exec(st, sql).await.unwrap_err().to_string();
            assert!(
                err.contains("audit trail entries cannot be"),
                "{sql}: {err}"
            );
        }
        if st.db.engine() == "postgres" {
            let err = exec(st, "TRUNCATE audit_entries CASCADE")
                .await
                .unwrap_err();
            assert!(err.to_string().contains("cannot be"), "{err}");
        }
        assert_eq!(
            audit::verify(&st.db, &st.audit_keys, id).await.unwrap(),
            Ok(())
        );
    }
);

on_both_engines!(an_edited_forged_or_truncated_trail_is_detected, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    drop_trail_guards(st).await;
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let open = || async {
        let id = cases::open_notice(
            st,
            &staff,
            spam_notice(service_id(st, "mail-01.acme.test").await, st.now()),
        )
        .await
        .unwrap();
        cases::apply_event(st, &alice, id, NoticeEvent::Acknowledge, "")
            .await
            .unwrap();
        id
    };
    let edited = open().await;
    exec(
        st,
        &format!("UPDATE audit_entries SET detail = 'nothing to see' WHERE notice_id = {edited} AND seq = 2"),
    )
    .await
    .unwrap();
    assert!(matches!(
        audit::verify(&st.db, &st.audit_keys, edited).await.unwrap(),
        Err(TrailError::Chain(_))
    ));

    // Rewritten and sealed again, head included, by someone without the portal's key.
    let forged = open().await;
    let mut entries = audit::list(&st.db, forged).await.unwrap();
    entries[1].record.detail = "The customer never answered.".into();
    let forger = abuse_portal::domain::audit::AuditKey::new(&entries[0].key_id, [9; 32]);
    let mut resealed: Vec<abuse_portal::domain::audit::StoredEntry> = Vec::new();
    for e in &entries {
        let sealed = abuse_portal::domain::audit::seal(&forger, resealed.last(), e.record.clone());
        resealed.push(sealed);
    }
    for e in &resealed {
        let hex = abuse_portal::domain::audit::to_hex;
        abuse_portal::on_db!(&st.db, |pool| sqlx::query(
            "UPDATE audit_entries SET detail = $1, prev_hash = $2, hash = $3 WHERE notice_id = $4 AND seq = $5"
        )
        .bind(&e.record.detail)
        .bind(hex(&e.prev_hash))
        .bind(hex(&e.hash))
        .bind(forged)
        .bind(e.record.seq)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }
    let head = abuse_portal::domain::audit::to_hex(&resealed.last().unwrap().hash);
    exec(
        st,
        &format!("UPDATE notices SET audit_head = '{head}' WHERE id = {forged}"),
    )
    .await
    .unwrap();
    assert!(matches!(
        audit::verify(&st.db, &st.audit_keys, forged).await.unwrap(),
        Err(TrailError::Chain(
            abuse_portal::domain::audit::ChainBreak::Altered { seq: 1 }
        ))
    ));

    let truncated = open().await;
    exec(
        st,
        &format!("DELETE FROM audit_entries WHERE notice_id = {truncated} AND seq = 3"),
    )
    .await
    .unwrap();
    assert_eq!(
        audit::verify(&st.db, &st.audit_keys, truncated)
            .await
            .unwrap(),
        Err(TrailError::Truncated { expected: 3 })
    );
});

on_both_engines!(
    legacy_trails_are_sealed_once_and_tampered_ones_are_left_alone,
    |env| {
        use abuse_portal::domain::audit::{legacy_hash, to_hex, AuditRecord, GENESIS};
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let staff = actor(st, "staff@portal.test").await;
        let service = service_id(st, "mail-01.acme.test").await;
        // Two cases as an older portal wrote them: unkeyed entries (inserting is allowed).
        let mut legacy = Vec::new();
        for n in 0..2 {
            let id = cases::open_notice(st, &staff, spam_notice(service, st.now()))
                .await
                .unwrap();
            let fresh = id + 1_000_000;
            exec(
            st,
            &format!(
                "INSERT INTO notices (id, organisation_id, service_id, category, source, state, high_risk, summary,                  event_count, first_seen_at, last_seen_at, verification_note, verified_by, notified_at, deadline_at,                  deadline_reason, updated_at, audit_head, audit_count) {} SELECT {fresh}, organisation_id, service_id, category, source, state, high_risk, summary, event_count,                  first_seen_at, last_seen_at, verification_note, verified_by, notified_at, deadline_at, deadline_reason,                  updated_at, '', 0 FROM notices WHERE id = {id}",
                if st.db.engine() == "postgres" { "OVERRIDING SYSTEM VALUE" } else { "" }
            ),
        )
        .await
        .unwrap();
            let mut prev = GENESIS;
            for seq in 1..=3 {
                let record = AuditRecord {
                    notice_id: fresh,
                    seq,
                    at: st.now(),
                    actor: "staff@portal.test (staff)".into(),
                    action: format!("step_{seq}"),
                    detail: if n == 1 && seq == 2 {
                        "edited later".into()
                    } else {
                        format!("step {seq}")
                    },
                };
                let hash = legacy_hash(
                    &prev,
                    &AuditRecord {
                        detail: format!("step {seq}"),
                        ..record.clone()
                    },
                );
                let at = match st.db.engine() {
                    "sqlite" => format!(
                        "'{}'",
                        record
                            .at
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap()
                    ),
                    _ => format!(
                        "TIMESTAMPTZ '{}'",
                        record
                            .at
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap()
                    ),
                };
                exec(
                st,
                &format!(
                    "INSERT INTO audit_entries (notice_id, seq, at, actor, action, detail, prev_hash, hash)                      VALUES ({fresh}, {seq}, {at}, '{}', '{}', '{}', '{}', '{}')",
                    record.actor, record.action, record.detail, to_hex(&prev), to_hex(&hash)
                ),
            )
            .await
            .unwrap();
                prev = hash;
            }
            exec(
                st,
                &format!(
                    "UPDATE notices SET audit_count = 3, audit_head = '{}' WHERE id = {fresh}",
                    to_hex(&prev)
                ),
            )
            .await
            .unwrap();
            legacy.push(fresh);
        }
        let (intact, tampered) = (legacy[0], legacy[1]);
        assert!(
            audit::verify(&st.db, &st.audit_keys, intact)
                .await
                .unwrap()
                .is_err(),
            "unkeyed entries never verify as they are"
        );
        let report = audit::reseal_legacy(&st.db, &st.audit_keys).await.unwrap();
        assert_eq!(report.resealed, vec![intact]);
        assert_eq!(report.refused.len(), 1);
        assert_eq!(report.refused[0].0, tampered);
        assert_eq!(
            audit::verify(&st.db, &st.audit_keys, intact).await.unwrap(),
            Ok(())
        );
        assert!(audit::verify(&st.db, &st.audit_keys, tampered)
            .await
            .unwrap()
            .is_err());
        let again = audit::reseal_legacy(&st.db, &st.audit_keys).await.unwrap();
        assert!(
            again.resealed.is_empty(),
            "sealed entries are never sealed again"
        );
    }
);

/// Every notice `filter` lists for `who`, read `size` at a time by keyset until a page is empty.
async fn every_page(
    st: &AppState,
    who: &Actor,
    filter: &NoticeFilter,
    size: i64,
) -> Vec<NoticeRecord> {
    let mut seen = Vec::new();
    let mut after: Option<ListCursor> = None;
    loop {
        let page = cases::list_notices(st, who, filter.clone(), after.clone(), size)
            .await
            .unwrap();
        let Some(last) = page.last() else {
            return seen;
        };
        after = Some(ListCursor {
            deadline_at: last.deadline_at,
            id: last.id,
        });
        seen.extend(page);
    }
}

on_both_engines!(lists_page_by_keyset_without_gaps_or_repeats, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let service = service_id(st, "mail-01.acme.test").await;
    let now = st.now();
    let demo_cases = abuse_portal::server::db::notices::count(&st.db)
        .await
        .unwrap();
    let mut opened = Vec::new();
    for i in 0..23 {
        let mut n = spam_notice(service, now);
        n.shorter_deadline = Some((
            now + Duration::hours(1 + (i * 7) % 40),
            "staggered for the test".into(),
        ));
        opened.push(cases::open_notice(st, &staff, n).await.unwrap());
    }
    for order in [ListOrder::Deadline, ListOrder::Newest] {
        let filter = NoticeFilter {
            order,
            ..Default::default()
        };
        let seen: Vec<_> = every_page(st, &staff, &filter, 10)
            .await
            .into_iter()
            .map(|n| (n.deadline_at, n.id))
            .collect();
        assert_eq!(seen.len() as i64, 23 + demo_cases, "{order:?}");
        let mut sorted = seen.clone();
        match order {
            ListOrder::Deadline => sorted.sort(),
            ListOrder::Newest => sorted.sort_by_key(|n| std::cmp::Reverse(n.1)),
        }
        assert_eq!(seen, sorted, "{order:?}");
    }
    // Several states are read as one ordered run per state, merged: the pages must be the
    // same as filtering the whole list, with and without the other filters.
    let everything = cases::list_notices(st, &staff, NoticeFilter::default(), None, 1_000)
        .await
        .unwrap();
    let unfinished: Vec<NoticeState> = NoticeState::ALL
        .iter()
        .copied()
        .filter(|s| !s.is_finished())
        .collect();
    let several = [
        NoticeFilter {
            states: unfinished.clone(),
            ..Default::default()
        },
        NoticeFilter {
            states: unfinished.clone(),
            category: Some(NoticeCategory::Spam),
            ..Default::default()
        },
        NoticeFilter {
            states: unfinished,
            service_kind: Some(ServiceKind::Vps),
            ..Default::default()
        },
        NoticeFilter {
            states: vec![NoticeState::Open, NoticeState::EvidenceRejected],
            high_risk_only: true,
            ..Default::default()
        },
    ];
    for filter in several {
        let expected: Vec<i64> = everything
            .iter()
            .filter(|n| filter.states.contains(&n.state))
            .filter(|n| filter.category.is_none_or(|c| c == n.category))
            .filter(|n| filter.service_kind.is_none_or(|k| k == n.service_kind))
            .filter(|n| !filter.high_risk_only || n.high_risk)
            .map(|n| n.id)
            .collect();
        let seen: Vec<i64> = every_page(st, &staff, &filter, 4)
            .await
            .into_iter()
            .map(|n| n.id)
            .collect();
        assert_eq!(seen, expected, "{filter:?}");
    }
    let filtered = NoticeFilter {
        states: vec![NoticeState::EvidenceRejected],
        category: Some(NoticeCategory::Phishing),
        ..Default::default()
    };
    let phishing = cases::list_notices(st, &staff, filtered, None, 10)
        .await
        .unwrap();
    assert_eq!(phishing.len(), 1, "the demo's rejected phishing case");
    assert_eq!(phishing[0].service_label, "web-01.acme.test");
});

on_both_engines!(one_process_at_a_time_holds_the_watcher_lease, |env| {
    let st = &env.st;
    let now = st.now();
    let ttl = Duration::seconds(90);
    assert!(
        leases::try_acquire(&st.db, "deadline_watcher", "a", now, ttl)
            .await
            .unwrap()
    );
    assert!(
        !leases::try_acquire(&st.db, "deadline_watcher", "b", now, ttl)
            .await
            .unwrap()
    );
    assert!(
        leases::try_acquire(
            &st.db,
            "deadline_watcher",
            "a",
            now + Duration::seconds(30),
            ttl
        )
        .await
        .unwrap(),
        "renewal"
    );
    assert!(!leases::try_acquire(
        &st.db,
        "deadline_watcher",
        "b",
        now + Duration::seconds(100),
        ttl
    )
    .await
    .unwrap());
    assert!(
        leases::try_acquire(
            &st.db,
            "deadline_watcher",
            "b",
            now + Duration::seconds(121),
            ttl
        )
        .await
        .unwrap(),
        "taken over after expiry"
    );
});

on_both_engines!(a_dispute_is_decided_with_a_statement_of_reasons, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let bob = actor(st, "bob@globex.test").await;
    let mut n = spam_notice(service_id(st, "db-01.globex.test").await, st.now());
    n.ips = vec![];
    let id = cases::open_notice(st, &staff, n).await.unwrap();
    assert!(
        matches!(cases::dispute(st, &bob, id, "not me").await, Err(AppError::Invalid { ref field, .. }) if field == "reasons")
    );
    let reasons = "That address was reassigned to us only yesterday; the listing predates it.";
    assert_eq!(
        cases::dispute(st, &bob, id, reasons).await,
        Ok(NoticeState::Disputed)
    );
    assert!(
        matches!(
            cases::dispute(st, &bob, id, reasons).await,
            Err(AppError::Conflict(_))
        ),
        "one open dispute"
    );
    let statement = "Our flow logs show the spam left this address after the reassignment.";
    assert_eq!(
        cases::apply_event(st, &staff, id, NoticeEvent::UpholdNotice, statement).await,
        Ok(NoticeState::Upheld)
    );
    let d = responses::disputes(&st.db, id).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].reasons.as_str(), d[0].outcome.as_deref()),
        (reasons, Some("upheld"))
    );
    assert_eq!(d[0].statement_of_reasons.as_deref(), Some(statement));
    assert!(
        matches!(
            cases::dispute(st, &bob, id, reasons).await,
            Err(AppError::Conflict(_))
        ),
        "no second dispute once upheld"
    );
});

on_both_engines!(measures_set_the_service_state_and_are_recorded, |env| {
    use abuse_portal::domain::enforcement::{EnforcementKind, Scope};
    use abuse_portal::domain::service::ServiceState;
    use abuse_portal::server::usecase::enforcement::{self, StartMeasure};
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let service = service_id(st, "web-01.acme.test").await;
    let mut n = spam_notice(service, st.now());
    n.ips = vec![];
    let id = cases::open_notice(st, &staff, n).await.unwrap();
    let state_of = || async { get_notice(st, &staff, id).await.unwrap().service_state };
    let measure = |kind, scope| StartMeasure {
        kind,
        scope,
        reason: "Spam continues after the notice".into(),
        upstream_requested: true,
        ends_at: None,
    };
    assert_eq!(
        enforcement::start(
            st,
            &alice,
            id,
            measure(EnforcementKind::Suspension, Scope::Service)
        )
        .await,
        Err(AppError::Forbidden)
    );
    assert!(matches!(
        enforcement::start(st, &staff, id, measure(EnforcementKind::NullRoute, Scope::Ip("198.51.100.70".into()))).await,
        Err(AppError::Invalid { ref field, .. }) if field == "scope_ip"
    ));
    let block = Scope::Port {
        port: 25,
        ip: Some("203.0.113.10".into()),
    };
    enforcement::start(st, &staff, id, measure(EnforcementKind::Port25Block, block))
        .await
        .unwrap();
    assert_eq!(state_of().await, ServiceState::Restricted);
    let suspension = enforcement::start(
        st,
        &staff,
        id,
        measure(EnforcementKind::Suspension, Scope::Service),
    )
    .await
    .unwrap();
    assert_eq!(state_of().await, ServiceState::Suspended);
    enforcement::end(st, &staff, suspension, "Customer cleaned the server")
        .await
        .unwrap();
    assert_eq!(
        state_of().await,
        ServiceState::Restricted,
        "the port block is still in force"
    );
    assert!(matches!(
        enforcement::end(st, &staff, suspension, "Ending it twice").await,
        Err(AppError::Conflict(_))
    ));
    let term = enforcement::start(
        st,
        &staff,
        id,
        measure(EnforcementKind::Termination, Scope::Service),
    )
    .await
    .unwrap();
    assert_eq!(state_of().await, ServiceState::Terminated);
    assert!(matches!(
        enforcement::end(st, &staff, term, "Changed our mind here").await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        enforcement::start(
            st,
            &staff,
            id,
            measure(EnforcementKind::RateLimit, Scope::Service)
        )
        .await,
        Err(AppError::Conflict(_))
    ));
    let trail = audit::list(&st.db, id).await.unwrap();
    let actions: Vec<_> = trail
        .iter()
        .map(|e| e.record.action.as_str())
        .filter(|a| a.starts_with("measure"))
        .collect();
    assert_eq!(
        actions,
        [
            "measure_started",
            "measure_started",
            "measure_ended",
            "measure_started"
        ]
    );
    assert!(trail.iter().any(|e| e
        .record
        .detail
        .contains("Port 25 (SMTP) block on port 25 on 203.0.113.10")));
    assert_eq!(
        audit::verify(&st.db, &st.audit_keys, id).await.unwrap(),
        Ok(())
    );
});

on_both_engines!(
    ending_a_measure_of_no_case_goes_into_the_provider_log,
    |env| {
        use abuse_portal::domain::enforcement::{EnforcementKind, Measure, Scope};
        use abuse_portal::server::db::audit::Trail;
        use abuse_portal::server::db::enforcement as db_enforcement;
        use abuse_portal::server::usecase::enforcement;
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let staff = actor(st, "staff@portal.test").await;
        let token = staff.require_staff().unwrap();
        let service = service_id(st, "web-01.acme.test").await;
        let mut tx = st.db.begin_write().await.unwrap();
        let standing = db_enforcement::insert(
            &mut tx,
            token,
            &db_enforcement::NewAction {
                service,
                notice_id: None,
                measure: Measure {
                    kind: EnforcementKind::Port25Block,
                    scope: Scope::Port { port: 25, ip: None },
                    starts_at: st.now(),
                    ends_at: None,
                },
                reason: "New accounts send no mail until a use case is approved.".into(),
                upstream_requested: false,
                started_by: Some(staff.user_id),
                smtp_request_id: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        enforcement::end(st, &staff, standing, "Use case approved in writing")
            .await
            .unwrap();
        // The demo's port-25 requests are in the log before it: the entry is the last one.
        let log = audit::list_trail(&st.db, Trail::Provider).await.unwrap();
        let last = log.last().unwrap();
        assert_eq!(last.record.action, "measure_ended");
        assert!(
            last.record.detail.contains("Use case approved in writing"),
            "{last:?}"
        );
        assert!(last.record.actor.starts_with("staff@portal.test"));
        assert_eq!(
            audit::verify_loaded(&st.db, &st.audit_keys, Trail::Provider, &log)
                .await
                .unwrap(),
            Ok(())
        );
        let err = exec(st, "DELETE FROM provider_audit_entries")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cannot be"), "{err}");
    }
);

on_both_engines!(internal_notes_never_reach_the_customer, |env| {
    use abuse_portal::server::usecase::notice_views;
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let mut n = spam_notice(service_id(st, "web-01.acme.test").await, st.now());
    n.ips = vec![];
    let id = cases::open_notice(st, &staff, n).await.unwrap();
    let secret = "Same operator as case 12; watch for a new account.";
    assert_eq!(
        cases::add_note(st, &alice, id, secret).await,
        Err(AppError::Forbidden)
    );
    assert!(matches!(
        cases::add_note(st, &staff, id, "   ").await,
        Err(AppError::Invalid { .. })
    ));
    cases::add_note(st, &staff, id, secret).await.unwrap();
    let for_staff = notice_views::staff_case(st, &staff, id).await.unwrap();
    assert_eq!(for_staff.notes.len(), 1);
    assert_eq!(for_staff.notes[0].body, secret);
    assert!(for_staff
        .detail
        .timeline
        .iter()
        .any(|e| e.detail.contains(secret)));
    let for_customer = notice_views::detail(st, &alice, id, None).await.unwrap();
    let shown = format!("{for_customer:?}");
    assert!(
        !shown.contains(secret) && !shown.contains("Internal note"),
        "{shown}"
    );
    assert_eq!(
        notice_views::staff_case(st, &alice, id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        audit::verify(&st.db, &st.audit_keys, id).await.unwrap(),
        Ok(())
    );
});

/// The counts per status as a fresh count of the rows gives them.
async fn counted_states(st: &AppState) -> Vec<(NoticeState, i64)> {
    let rows: Vec<(String, i64)> = abuse_portal::on_db!(&st.db, |pool| sqlx::query_as(
        "SELECT state, COUNT(*) FROM notices GROUP BY state"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    let mut counts: Vec<(NoticeState, i64)> = rows
        .into_iter()
        .map(|(s, n)| (s.parse().unwrap(), n))
        .collect();
    counts.sort_by_key(|(s, _)| NoticeState::ALL.iter().position(|x| x == s));
    counts
}

on_both_engines!(the_counts_per_status_follow_every_change, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let token = staff.require_staff().unwrap();
    let kept = || abuse_portal::server::db::notices::state_counts(&st.db, token);
    assert_eq!(
        kept().await.unwrap(),
        counted_states(st).await,
        "after the seed"
    );
    let service = service_id(st, "mail-01.acme.test").await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        ids.push(
            cases::open_notice(st, &staff, spam_notice(service, st.now()))
                .await
                .unwrap(),
        );
    }
    // Changes in opposite directions at once (open → acknowledged, open → evidence submitted,
    // acknowledged → evidence submitted, evidence submitted → resolved): the counts stay exact
    // and no writer fails.
    let (first, rest) = ids.split_at(6);
    let acknowledged = join_all(
        first
            .iter()
            .map(|&id| cases::apply_event(st, &alice, id, NoticeEvent::Acknowledge, "")),
    )
    .await;
    assert!(acknowledged.iter().all(|r| r.is_ok()), "{acknowledged:?}");
    let submitted = join_all(
        ids.iter()
            .map(|&id| cases::submit_evidence(st, &alice, id, statement())),
    )
    .await;
    assert!(submitted.iter().all(|r| r.is_ok()), "{submitted:?}");
    let mixed = join_all(
        rest.iter()
            .map(|&id| cases::apply_event(st, &staff, id, NoticeEvent::AcceptEvidence, "")),
    )
    .await;
    assert!(mixed.iter().all(|r| r.is_ok()), "{mixed:?}");
    assert_eq!(
        kept().await.unwrap(),
        counted_states(st).await,
        "after the changes"
    );
    let resolved = kept()
        .await
        .unwrap()
        .into_iter()
        .find(|(s, _)| *s == NoticeState::Resolved)
        .map(|(_, n)| n);
    assert!(resolved >= Some(6), "{resolved:?}");
});
