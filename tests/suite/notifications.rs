//! In-app notifications on real SQLite and PostgreSQL: written with the change they tell of, to
//! every active member of the organisation and nobody else; read when opened through their link,
//! which signs the person in first when needed.

use crate::common;
use common::actor;

use abuse_portal::domain::notice::NoticeEvent;
use abuse_portal::domain::notification::NotificationKind;
use abuse_portal::error::AppError;
use abuse_portal::server::seed::{self, DEMO_PASSWORD};
use abuse_portal::server::usecase::{notices, notifications};

on_both_engines!(
    customers_are_told_of_their_own_organisations_changes_only,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let alice = actor(st, "alice@acme.test").await;
        let bob = actor(st, "bob@globex.test").await;
        let staff = actor(st, "staff@portal.test").await;

        // The demo's notices were opened through the same use case: Acme's members were told.
        let acme = notifications::list(st, &alice, None).await.unwrap();
        assert!(acme.unread > 0);
        assert!(acme.rows.iter().all(|n| n.title.starts_with("Notice #")
            || n.title.starts_with("Invoice ")
            || n.title.starts_with("Port-25")));
        let globex_before = notifications::list(st, &bob, None).await.unwrap();

        // A staff decision on an Acme notice tells Acme, not Globex.
        let id = common::notice_of(st, "Acme Hosting Ltd", Some("overdue")).await;
        notices::apply_event(
            st,
            &staff,
            id,
            NoticeEvent::WithdrawNotice,
            "The report was about another customer.",
        )
        .await
        .unwrap();
        let after = notifications::list(st, &alice, None).await.unwrap();
        assert_eq!(after.unread, acme.unread + 1);
        let newest = &after.rows[0];
        assert_eq!(newest.kind, NotificationKind::NoticeDecision);
        assert_eq!(
            newest.title,
            format!("Notice #{id}: the notice was withdrawn.")
        );
        assert!(newest.unread);
        assert_eq!(
            notifications::list(st, &bob, None).await.unwrap().unread,
            globex_before.unread,
            "nothing for Globex"
        );
        // A notice opened against Globex tells Globex; Bob acknowledging it (his own act) tells nobody.
        let service: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
            "SELECT id FROM services WHERE label = 'hpc-07.globex.test'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        let now = st.now();
        let opened = notices::open_notice(
            st,
            &staff,
            notices::OpenNotice {
                service: abuse_portal::domain::ids::ServiceId(service),
                ips: Vec::new(),
                category: abuse_portal::domain::notice::NoticeCategory::Scanning,
                source: abuse_portal::domain::notice::NoticeSource::UpstreamProvider,
                high_risk: false,
                summary: "Port scans of 65,000 hosts on TCP 22 reported upstream.".into(),
                event_count: 650,
                first_seen_at: now - time::Duration::hours(3),
                last_seen_at: now - time::Duration::hours(1),
                verification_note: "Matched against our NetFlow samples.".into(),
                shorter_deadline: None,
            },
        )
        .await
        .unwrap();
        let globex = notifications::list(st, &bob, None).await.unwrap();
        assert_eq!(globex.unread, globex_before.unread + 1);
        assert_eq!(globex.rows[0].kind, NotificationKind::NoticeOpened);
        assert!(globex.rows[0]
            .title
            .starts_with(&format!("Notice #{opened}: Network scanning. Respond by ")));
        notices::apply_event(st, &bob, opened, NoticeEvent::Acknowledge, "")
            .await
            .unwrap();
        assert_eq!(
            notifications::list(st, &bob, None).await.unwrap().unread,
            globex.unread
        );
        assert_eq!(
            notifications::list(st, &alice, None).await.unwrap().unread,
            after.unread
        );

        // Another person's notification is not found; one's own opens its item and is read.
        assert_eq!(
            notifications::open(st, &bob, newest.id).await.unwrap_err(),
            AppError::NotFound
        );
        assert_eq!(
            notifications::open(st, &alice, newest.id).await.unwrap(),
            format!("/notices/{id}")
        );
        let read = notifications::list(st, &alice, None).await.unwrap();
        assert_eq!(read.unread, after.unread - 1);
        assert!(!read.rows[0].unread);
        assert_eq!(
            notifications::read_all(st, &alice).await.unwrap() as i64,
            read.unread
        );
        assert_eq!(
            notifications::list(st, &alice, None).await.unwrap().unread,
            0
        );
    }
);

on_both_engines!(
    a_notification_link_signs_in_first_then_lands_on_the_item,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let alice = actor(st, "alice@acme.test").await;
        let first = notifications::list(st, &alice, None).await.unwrap().rows[0].clone();
        let base = env.serve().await;
        let client = common::client();
        let open = format!("{base}/notifications/{}/open", first.id);

        let anonymous = client.get(&open).send().await.unwrap();
        assert_eq!(anonymous.status().as_u16(), 303);
        assert_eq!(
            common::location(&anonymous),
            format!("/login?next=/notifications/{}/open", first.id)
        );
        // Bob signs in: Alice's notification is not his; he lands on his list.
        let bob = common::client();
        common::post_login(&bob, &base, "bob@globex.test", DEMO_PASSWORD).await;
        let refused = bob.get(&open).send().await.unwrap();
        assert_eq!(common::location(&refused), "/notifications");

        let signed_in = common::post_login(&client, &base, "alice@acme.test", DEMO_PASSWORD).await;
        assert!(signed_in.status().is_redirection());
        let landed = client.get(&open).send().await.unwrap();
        assert_eq!(landed.status().as_u16(), 303);
        let target = common::location(&landed);
        assert!(
            target.starts_with("/notices/")
                || target.starts_with("/billing/")
                || target.starts_with("/smtp/"),
            "{target}"
        );
        let page = client
            .get(format!("{base}/notifications"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("Notifications"));
        assert!(
            !notifications::list(st, &alice, None)
                .await
                .unwrap()
                .rows
                .iter()
                .find(|n| n.id == first.id)
                .unwrap()
                .unread
        );
    }
);

on_both_engines!(reminders_go_out_once_before_a_deadline, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let alice = actor(st, "alice@acme.test").await;
    let staff = actor(st, "staff@portal.test").await;
    // Acme's phishing notice waits for new evidence; it was told of two hours ago.
    let id = common::notice_of(st, "Acme Hosting Ltd", Some("evidence_rejected")).await;
    abuse_portal::server::db::notices::backdate_for_demo(&st.db, id, time::Duration::hours(2))
        .await
        .unwrap();
    let reminders = |title: &'static str| {
        let st = st.clone();
        let alice = alice.clone();
        async move {
            notifications::list(&st, &alice, None)
                .await
                .unwrap()
                .rows
                .iter()
                .filter(|n| {
                    n.title
                        .starts_with(&format!("Notice #{id}: less than {title}"))
                })
                .count()
        }
    };

    // 20 hours left: the 24-hour reminder, once.
    notices::change_deadline(
        st,
        &staff,
        id,
        st.now() + time::Duration::hours(20),
        "The upstream provider asked for a faster answer.",
    )
    .await
    .unwrap();
    assert!(notices::remind(st).await.unwrap() >= 1);
    assert_eq!(reminders("24 hours").await, 1);
    notices::remind(st).await.unwrap();
    assert_eq!(reminders("24 hours").await, 1, "once");
    let mail = abuse_portal::server::db::outbox::newest(&st.db, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(mail.recipient, "abuse@acme.test");
    assert!(mail
        .subject
        .starts_with(&format!("Notice #{id}: less than 24 hours left.")));

    // The deadline moves to 3 hours from now: the 4-hour reminder, and no second 24-hour one.
    notices::change_deadline(
        st,
        &staff,
        id,
        st.now() + time::Duration::hours(3),
        "Spam continues: the upstream provider's mandate.",
    )
    .await
    .unwrap();
    notices::remind(st).await.unwrap();
    notices::remind(st).await.unwrap();
    assert_eq!(reminders("4 hours").await, 1);
    assert_eq!(reminders("24 hours").await, 1);
    // A notice that no longer awaits the customer gets none.
    let disputed = common::notice_of(st, "Globex Corp", Some("disputed")).await;
    notices::change_deadline(
        st,
        &staff,
        disputed,
        st.now() + time::Duration::hours(2),
        "Decision due soon on our side.",
    )
    .await
    .ok();
    notices::remind(st).await.unwrap();
    let bob = actor(st, "bob@globex.test").await;
    assert!(!notifications::list(st, &bob, None)
        .await
        .unwrap()
        .rows
        .iter()
        .any(|n| n
            .title
            .starts_with(&format!("Notice #{disputed}: less than"))));
});

on_both_engines!(
    each_reader_gets_times_in_their_zone_and_the_mails_chosen,
    |env| {
        use abuse_portal::domain::zone::Zone;
        use abuse_portal::server::db::outbox;
        use abuse_portal::server::usecase::preferences::{self, OrganisationSettings};
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let alice = actor(st, "alice@acme.test").await;
        let staff = actor(st, "staff@portal.test").await;
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

        // Bad choices are refused, each naming its field, and change nothing.
        let refused = preferences::save_preferences(st, &alice, "Mars/Olympus_Mons", &[])
            .await
            .unwrap_err();
        assert!(refused.field_message("time_zone").is_some(), "{refused:?}");
        let refused = preferences::save_preferences(st, &alice, "UTC", &strings(&["gossip"]))
            .await
            .unwrap_err();
        assert!(refused.field_message("mail").is_some(), "{refused:?}");
        let refused =
            preferences::save_preferences(st, &staff, "UTC", &strings(&["notice_opened"]))
                .await
                .unwrap_err();
        assert!(
            refused.field_message("mail").is_some(),
            "staff get no customer mail"
        );
        assert_eq!(actor(st, "alice@acme.test").await.zone, Zone::utc());

        // Alice reads Berlin time and wants new notices in her own inbox; as Acme's owner she sends
        // the contacts' mails in New York time and decisions and reminders to the NOC as well.
        preferences::save_preferences(st, &alice, "europe/berlin", &strings(&["notice_opened"]))
            .await
            .unwrap();
        let alice = actor(st, "alice@acme.test").await;
        assert_eq!(alice.zone.name(), "Europe/Berlin");
        let settings = OrganisationSettings {
            abuse_email: "abuse@acme.test".into(),
            billing_email: "billing@acme.test".into(),
            technical_email: "noc@acme.test".into(),
            phone: String::new(),
            time_zone: "America/New_York".into(),
            abuse: Vec::new(),
            technical: strings(&["deadline_soon", "notice_decision"]),
            billing: strings(&["invoice_issued"]),
        };
        assert_eq!(
            preferences::save_organisation(st, &staff, &settings)
                .await
                .unwrap_err(),
            AppError::Forbidden,
            "staff have no organisation of their own here"
        );
        preferences::save_organisation(st, &alice, &settings)
            .await
            .unwrap();
        let page = preferences::organisation(st, &alice).await.unwrap();
        assert!(page.may_edit);
        assert_eq!(page.time_zone, "America/New_York");
        let opened_route = page
            .routes
            .iter()
            .find(|r| r.kind == NotificationKind::NoticeOpened)
            .unwrap();
        assert!(opened_route.abuse && opened_route.abuse_required && !opened_route.technical);
        assert_eq!(
            page.members_mailed,
            vec![(
                "alice@acme.test".to_owned(),
                vec![NotificationKind::NoticeOpened]
            )]
        );

        // A notice opened against Acme: Alice's notification and her mail in Berlin time, the abuse
        // contact's mail in New York time, nothing for the NOC (it did not ask for new notices).
        let service: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
            "SELECT s.id FROM services s JOIN organisations o ON o.id = s.organisation_id \
         WHERE o.name = 'Acme Hosting Ltd' ORDER BY s.id LIMIT 1"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        let now = st.now();
        let id = notices::open_notice(
            st,
            &staff,
            notices::OpenNotice {
                service: abuse_portal::domain::ids::ServiceId(service),
                ips: Vec::new(),
                category: abuse_portal::domain::notice::NoticeCategory::Spam,
                source: abuse_portal::domain::notice::NoticeSource::ThirdPartyReport,
                high_risk: false,
                summary: "Complaints about bulk mail from the service.".into(),
                event_count: 12,
                first_seen_at: now - time::Duration::hours(3),
                last_seen_at: now - time::Duration::hours(1),
                verification_note: "Feedback loop reports checked by hand.".into(),
                shorter_deadline: None,
            },
        )
        .await
        .unwrap();
        let deadline = now + time::Duration::hours(48);
        let spam = abuse_portal::domain::notice::NoticeCategory::Spam.label();
        let berlin = Zone::named("Europe/Berlin").unwrap();
        let new_york = Zone::named("America/New_York").unwrap();
        let told = notifications::list(st, &alice, None).await.unwrap();
        assert_eq!(
            told.rows[0].title,
            format!(
                "Notice #{id}: {spam}. Respond by {}.",
                berlin.show(deadline)
            )
        );
        assert!(
            told.rows[0].when_text.ends_with(" CET") || told.rows[0].when_text.ends_with(" CEST")
        );
        let mut mails: Vec<(String, String)> = outbox::newest(&st.db, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject.starts_with(&format!("Notice #{id}:")))
            .map(|m| (m.recipient, m.subject))
            .collect();
        mails.sort();
        assert_eq!(
            mails,
            vec![
                (
                    "abuse@acme.test".to_owned(),
                    format!(
                        "Notice #{id}: {spam}. Respond by {}.",
                        new_york.show(deadline)
                    )
                ),
                (
                    "alice@acme.test".to_owned(),
                    format!(
                        "Notice #{id}: {spam}. Respond by {}.",
                        berlin.show(deadline)
                    )
                ),
            ]
        );

        // A decision goes to the abuse contact (its default kept) and the NOC, not to Alice.
        notices::apply_event(
            st,
            &staff,
            id,
            NoticeEvent::WithdrawNotice,
            "Sent to the wrong customer.",
        )
        .await
        .unwrap();
        let mut decision: Vec<String> = outbox::newest(&st.db, 20)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject == format!("Notice #{id}: the notice was withdrawn."))
            .map(|m| m.recipient)
            .collect();
        decision.sort();
        assert_eq!(
            decision,
            ["noc@acme.test"],
            "the abuse contact's routes were replaced"
        );
    }
);
