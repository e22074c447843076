//! Data access and use cases on real SQLite and PostgreSQL databases.

use crate::common;

use abuse_portal::domain::account::{Email, OrgName};
use abuse_portal::domain::actor::{Actor, Role};
use abuse_portal::domain::ids::{OrgId, UserId};
use abuse_portal::domain::service::{ServiceKind, ServiceState};
use abuse_portal::error::AppError;
use abuse_portal::server::db::{accounts, services, sessions, throttle};
use abuse_portal::server::seed;
use abuse_portal::server::usecase;
use time::{Duration, OffsetDateTime};

fn ip(raw: &str) -> Option<std::net::IpAddr> {
    Some(raw.parse().unwrap())
}

fn staff_token() -> abuse_portal::domain::actor::StaffToken {
    Actor {
        user_id: UserId(0),
        role: Role::Staff,
        org_id: None,
        zone: Default::default(),
    }
    .require_staff()
    .unwrap()
}

fn customer(id: i64, org: i64) -> Actor {
    Actor {
        user_id: UserId(id),
        role: Role::Customer,
        org_id: Some(OrgId(org)),
        zone: Default::default(),
    }
}

on_both_engines!(demo_seed_is_idempotent, |env| {
    let st = &env.st;
    let first = seed::seed_demo(st).await.unwrap();
    assert_eq!(first.users_created, 4);
    let totals = accounts::totals(&st.db, staff_token()).await.unwrap();
    let second = seed::seed_demo(st).await.unwrap();
    assert_eq!(second.users_created, 0);
    let again = accounts::totals(&st.db, staff_token()).await.unwrap();
    assert_eq!(
        (
            totals.organisations,
            totals.customers,
            totals.staff,
            totals.services
        ),
        (2, 2, 2, 8)
    );
    assert_eq!(
        (
            again.organisations,
            again.customers,
            again.staff,
            again.services
        ),
        (2, 2, 2, 8)
    );
});

on_both_engines!(sign_in_accepts_the_right_password_only, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let alice =
        usecase::accounts::sign_in(st, " Alice@Acme.test ", "demo-password-1", ip("10.0.0.1"))
            .await
            .unwrap()
            .user();
    let row = accounts::find_user(&st.db, alice).await.unwrap().unwrap();
    assert_eq!(row.email, "alice@acme.test");
    assert_eq!(row.organisation_name.as_deref(), Some("Acme Hosting Ltd"));
    let wrong =
        usecase::accounts::sign_in(st, "alice@acme.test", "demo-password-2", ip("10.0.0.1")).await;
    let unknown =
        usecase::accounts::sign_in(st, "nobody@acme.test", "demo-password-1", ip("10.0.0.1")).await;
    assert_eq!(wrong, Err(AppError::BadCredentials));
    assert_eq!(unknown, Err(AppError::BadCredentials));
    let malformed =
        usecase::accounts::sign_in(st, "alice", "demo-password-1", ip("10.0.0.1")).await;
    assert!(matches!(malformed, Err(AppError::Invalid { ref field, .. }) if field == "email"));
});

on_both_engines!(
    sign_in_is_rate_limited_per_account_then_per_address,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        for _ in 0..5 {
            let r = usecase::accounts::sign_in(
                st,
                "bob@globex.test",
                "wrong password!",
                ip("10.0.0.2"),
            )
            .await;
            assert_eq!(r, Err(AppError::BadCredentials));
        }
        // The right password must wait for this account, from any address…
        let blocked =
            usecase::accounts::sign_in(st, "bob@globex.test", "demo-password-1", ip("10.0.0.99"))
                .await;
        assert!(
            matches!(blocked, Err(AppError::RateLimited { retry_after_s }) if retry_after_s > 0 && retry_after_s <= 30)
        );
        // …while other accounts from a fresh address are unaffected.
        assert!(usecase::accounts::sign_in(
            st,
            "alice@acme.test",
            "demo-password-1",
            ip("10.0.0.99")
        )
        .await
        .is_ok());
        // Twenty failures from one address make that address wait, whatever the account.
        for i in 0..20 {
            let _ = usecase::accounts::sign_in(
                st,
                &format!("guess{i}@acme.test"),
                "wrong password!",
                ip("10.0.0.3"),
            )
            .await;
        }
        let from_address =
            usecase::accounts::sign_in(st, "alice@acme.test", "demo-password-1", ip("10.0.0.3"))
                .await;
        assert!(matches!(from_address, Err(AppError::RateLimited { .. })));
    }
);

on_both_engines!(a_successful_sign_in_clears_the_accounts_failures, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    for _ in 0..4 {
        let _ =
            usecase::accounts::sign_in(st, "alice@acme.test", "wrong password!", ip("10.0.0.4"))
                .await;
    }
    for _ in 0..2 {
        let _ =
            usecase::accounts::sign_in(st, "bob@globex.test", "wrong password!", ip("10.0.0.4"))
                .await;
    }
    usecase::accounts::sign_in(st, "alice@acme.test", "demo-password-1", ip("10.0.0.4"))
        .await
        .unwrap();
    assert_eq!(
        throttle::streak(&st.db, "account:alice@acme.test")
            .await
            .unwrap(),
        None
    );
    let address = throttle::streak(&st.db, "address:10.0.0.4")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        address.failures, 6,
        "other accounts' failures from the address still count; the success is taken back"
    );
    let swept = throttle::delete_before(&st.db, st.now() + Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(swept, 2);
});

on_both_engines!(parallel_attempts_are_reserved_one_after_the_other, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let attempts: Vec<_> = (0..40)
        .map(|_| {
            let st = st.clone();
            tokio::spawn(async move {
                usecase::accounts::sign_in(
                    &st,
                    "alice@acme.test",
                    "wrong password!",
                    ip("10.0.0.8"),
                )
                .await
            })
        })
        .collect();
    let mut checked = 0;
    for a in attempts {
        match a.await.unwrap() {
            Err(AppError::BadCredentials) => checked += 1,
            Err(AppError::RateLimited { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        checked, st.config.login_throttle.per_account,
        "at most the limit were checked"
    );
});

on_both_engines!(accounts_are_validated_and_unique, |env| {
    let st = &env.st;
    let ok = usecase::accounts::create_user(
        st,
        "carol@initech.test",
        "long enough pw",
        Role::Customer,
        Some("Initech"),
    )
    .await;
    assert!(ok.is_ok());
    let dup = usecase::accounts::create_user(
        st,
        "CAROL@initech.test",
        "long enough pw",
        Role::Customer,
        Some("Initech"),
    )
    .await;
    assert!(matches!(dup, Err(AppError::Conflict(_))));
    let no_org = usecase::accounts::create_user(
        st,
        "dave@initech.test",
        "long enough pw",
        Role::Customer,
        None,
    )
    .await;
    assert!(matches!(no_org, Err(AppError::Invalid { ref field, .. }) if field == "org"));
    let staff_org = usecase::accounts::create_user(
        st,
        "eve@portal.test",
        "long enough pw",
        Role::Staff,
        Some("Initech"),
    )
    .await;
    assert!(matches!(staff_org, Err(AppError::Invalid { ref field, .. }) if field == "org"));
    let short =
        usecase::accounts::create_user(st, "frank@portal.test", "short", Role::Staff, None).await;
    assert!(matches!(short, Err(AppError::Invalid { ref field, .. }) if field == "password"));
    assert_eq!(accounts::count_users(&st.db).await.unwrap(), 1);
});

on_both_engines!(
    the_database_refuses_a_customer_without_organisation,
    |env| {
        let st = &env.st;
        let email = Email::parse("ghost@acme.test").unwrap();
        let r = accounts::insert_user(&st.db, &email, "hash", Role::Customer, None, st.now()).await;
        assert!(r.is_err(), "the CHECK constraint must refuse it");
        let r = accounts::insert_user(
            &st.db,
            &email,
            "hash",
            Role::Staff,
            Some(OrgId(12345)),
            st.now(),
        )
        .await;
        assert!(r.is_err());
    }
);

on_both_engines!(customers_see_only_their_own_services, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let alice =
        usecase::accounts::sign_in(st, "alice@acme.test", "demo-password-1", ip("10.0.0.5"))
            .await
            .unwrap()
            .user();
    let alice_row = accounts::find_user(&st.db, alice).await.unwrap().unwrap();
    let home = usecase::inventory::customer_home(
        st,
        &customer(alice.0, alice_row.organisation_id.unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(home.org_name, "Acme Hosting Ltd");
    assert_eq!(home.total_services, 4);
    let labels: Vec<_> = home.services.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "app-02.acme.test",
            "gpu-train-01.acme.test",
            "mail-01.acme.test",
            "web-01.acme.test"
        ]
    );
    let mail = &home.services[2];
    assert_eq!(mail.ips, ["203.0.113.25", "203.0.113.26"]);
    assert_eq!(mail.state, ServiceState::Restricted);
    assert!(home.services.iter().all(|s| !s.label.contains("globex")));
    let staff = Actor {
        user_id: UserId(1),
        role: Role::Staff,
        org_id: None,
        zone: Default::default(),
    };
    assert_eq!(
        usecase::inventory::customer_home(st, &staff).await,
        Err(AppError::Forbidden)
    );
});

on_both_engines!(only_staff_read_the_admin_overview, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    assert_eq!(
        usecase::admin::overview(st, &customer(1, 1), None).await,
        Err(AppError::Forbidden)
    );
    for role in [Role::Staff, Role::Admin] {
        let who = Actor {
            user_id: UserId(1),
            role,
            org_id: None,
            zone: Default::default(),
        };
        let overview = usecase::admin::overview(st, &who, None).await.unwrap();
        assert_eq!(overview.organisations, 2);
        assert_eq!(overview.services_not_active, 2);
        assert_eq!(
            overview
                .page
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>(),
            ["Acme Hosting Ltd", "Globex Corp"]
        );
        assert_eq!(overview.next, None);
    }
});

on_both_engines!(organisations_page_by_keyset, |env| {
    let st = &env.st;
    let now = st.now();
    for i in 0..60 {
        accounts::ensure_organisation(
            &st.db,
            &OrgName::parse(&format!("Org {i:02}")).unwrap(),
            now,
        )
        .await
        .unwrap();
    }
    let staff = Actor {
        user_id: UserId(1),
        role: Role::Staff,
        org_id: None,
        zone: Default::default(),
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = usecase::admin::overview(st, &staff, after).await.unwrap();
        assert!(page.page.len() <= 25);
        seen.extend(page.page.into_iter().map(|o| o.name));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let expected: Vec<_> = (0..60).map(|i| format!("Org {i:02}")).collect();
    assert_eq!(seen, expected);
});

on_both_engines!(an_ip_address_belongs_to_one_service, |env| {
    let st = &env.st;
    let now = st.now();
    let org = accounts::ensure_organisation(&st.db, &OrgName::parse("Initech").unwrap(), now)
        .await
        .unwrap();
    let a = services::ensure_service(
        &st.db,
        org,
        "a",
        ServiceKind::Vps,
        ServiceState::Active,
        now,
    )
    .await
    .unwrap();
    let b = services::ensure_service(
        &st.db,
        org,
        "b",
        ServiceKind::HpcNode,
        ServiceState::Active,
        now,
    )
    .await
    .unwrap();
    services::assign_ip(&st.db, a, "192.0.2.1", st.now())
        .await
        .unwrap();
    services::assign_ip(&st.db, a, "192.0.2.1", st.now())
        .await
        .unwrap();
    assert!(matches!(
        services::assign_ip(&st.db, b, "192.0.2.1", st.now()).await,
        Err(abuse_portal::server::db::DbError::Duplicate)
    ));
});

on_both_engines!(sessions_store_load_expire_and_delete, |env| {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    seed::seed_demo(&env.st).await.unwrap();
    let alice = accounts::find_user_by_email(&env.st.db, &Email::parse("alice@acme.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    let store = abuse_portal::server::db::sessions::DbSessionStore::new(env.st.db.clone());
    let now = OffsetDateTime::now_utc();
    let mut live = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: now + Duration::minutes(5),
    };
    live.data
        .insert("user_id".into(), serde_json::json!(alice.id));
    store.create(&mut live).await.unwrap();
    let loaded = store
        .load(&live.id)
        .await
        .unwrap()
        .expect("live session loads");
    assert_eq!(
        loaded.data.get("user_id"),
        Some(&serde_json::json!(alice.id))
    );
    let listed = sessions::for_user(&env.st.db, alice.user_id(), now)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "the store knows whose session it is");
    let mut stale = Record {
        id: Id::default(),
        data: Default::default(),
        expiry_date: now - Duration::minutes(1),
    };
    store.create(&mut stale).await.unwrap();
    assert!(
        store.load(&stale.id).await.unwrap().is_none(),
        "expired sessions never load"
    );
    assert_eq!(sessions::delete_expired(&env.st.db, now).await.unwrap(), 1);
    store.delete(&live.id).await.unwrap();
    assert!(store.load(&live.id).await.unwrap().is_none());
});

on_both_engines!(every_connection_carries_the_portals_settings, |env| {
    // PostgreSQL: no JIT compilation (it cost about 20 ms per list page at a million notices).
    // SQLite: foreign keys enforced and the WAL journal.
    let (sql, expected) = match env.engine {
        common::Engine::Postgres => ("SHOW jit", "off"),
        common::Engine::Sqlite => (
            "SELECT (SELECT foreign_keys FROM pragma_foreign_keys) || ',' || \
             (SELECT journal_mode FROM pragma_journal_mode)",
            "1,wal",
        ),
    };
    // Several statements at once, so that more than the first connection is opened.
    let settings: Vec<String> = abuse_portal::on_db!(&env.st.db, |pool| {
        futures::future::join_all((0..3).map(|_| sqlx::query_scalar(sql).fetch_one(pool)))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(settings, vec![expected; 3]);
    // And the connection of a write transaction.
    let mut tx = env.st.db.begin_write().await.unwrap();
    let in_transaction: String = abuse_portal::on_tx!(&mut tx, |conn| sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    assert_eq!(in_transaction, expected);
});

on_both_engines!(statements_outlast_cancellations_and_bursts, |env| {
    // A statement given up half-way (its request dropped) leaves its connection fit for the
    // next: every connection is taken back, whatever it was doing.
    const SLOW: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c \
                        WHERE x < 2000000) SELECT COUNT(*) FROM c";
    for _ in 0..6 {
        let given_up = abuse_portal::on_db!(&env.st.db, |pool| tokio::time::timeout(
            std::time::Duration::from_millis(20),
            sqlx::query_scalar::<_, i64>(SLOW).fetch_one(pool)
        )
        .await);
        assert!(
            given_up.is_err(),
            "the slow statement ends after its caller gave up"
        );
    }
    // A burst of 40 statements over a limit of 5 connections: each waits its turn, none fails,
    // and each gets its own answer.
    let answers: Vec<i64> = abuse_portal::on_db!(&env.st.db, |pool| {
        futures::future::join_all((0..40_i64).map(|i| {
            sqlx::query_scalar::<_, i64>("SELECT $1 + 1")
                .bind(i)
                .fetch_one(pool)
        }))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
    });
    assert_eq!(answers, (1..=40).collect::<Vec<i64>>());
});
