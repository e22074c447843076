//! Signing in over real HTTP, on both engines: the throttle under a concurrent burst, addresses
//! behind proxies, sessions that end everywhere and never come back, idle renewal, deep links.

use crate::common;

use abuse_portal::domain::ids::UserId;
use abuse_portal::server::db::{sessions, throttle};
use abuse_portal::server::seed;
use common::{api_client, api_login, call, client, location, page_text, post_form, post_login};

const DEMO: &str = "demo-password-1";

/// The statuses a burst of sign-ins got, in no particular order.
async fn burst(
    base: &str,
    attempts: usize,
    email: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> Vec<(u16, Option<u64>)> {
    let tasks: Vec<_> = (0..attempts)
        .map(|_| {
            let (base, email, password) = (base.to_owned(), email.to_owned(), password.to_owned());
            let forwarded_for = forwarded_for.map(str::to_owned);
            tokio::spawn(async move {
                let mut req = api_client()
                    .post(format!("{base}/api/auth/login"))
                    .header("origin", &base)
                    .form(&[("email", email.as_str()), ("password", password.as_str())]);
                if let Some(ip) = forwarded_for {
                    req = req.header("x-forwarded-for", ip);
                }
                let res = req.send().await.unwrap();
                let retry = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
                (res.status().as_u16(), retry)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

/// Moves every throttle streak `seconds` into the past, as if that time had passed.
async fn age_streaks(env: &common::TestEnv, seconds: i64) {
    let rows: Vec<(String, time::OffsetDateTime)> = abuse_portal::on_db!(&env.st.db, |pool| {
        sqlx::query_as("SELECT key, last_at FROM login_throttle")
            .fetch_all(pool)
            .await
    })
    .unwrap();
    for (key, last_at) in rows {
        abuse_portal::on_db!(&env.st.db, |pool| sqlx::query(
            "UPDATE login_throttle SET last_at = $1 WHERE key = $2"
        )
        .bind(last_at - time::Duration::seconds(seconds))
        .bind(&key)
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
    }
}

on_both_engines!(a_concurrent_burst_is_checked_at_most_the_limit, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let results = burst(&base, 40, "alice@acme.test", "not the password", None).await;
    let checked = results.iter().filter(|(s, _)| *s == 401).count();
    let throttled: Vec<u64> = results
        .iter()
        .filter(|(s, _)| *s == 429)
        .map(|(_, retry)| retry.expect("429 carries Retry-After"))
        .collect();
    assert_eq!(
        checked + throttled.len(),
        40,
        "every answer is a refusal or a throttle: {results:?}"
    );
    assert!(
        checked <= env.st.config.login_throttle.per_account as usize,
        "{checked} of 40 passwords were checked; the limit is 5"
    );
    assert!(
        throttled.iter().all(|s| (1..=30).contains(s)),
        "{throttled:?}"
    );

    // The owner waits seconds, not a quarter of an hour.
    let owner = api_client();
    let res = call(
        &owner,
        &base,
        "auth/login",
        &[("email", "alice@acme.test"), ("password", DEMO)],
    )
    .await;
    assert_eq!(res.status(), 429);
    let error: abuse_portal::error::AppError = res.json().await.unwrap();
    let message = error.user_message();
    assert!(
        message.starts_with("Too many attempts. Try again in ") && message.ends_with(" seconds."),
        "{message}"
    );
    age_streaks(&env, 31).await;
    api_login(&owner, &base, "alice@acme.test", DEMO).await;
    let streak = throttle::streak(&env.st.db, "account:alice@acme.test")
        .await
        .unwrap();
    assert_eq!(
        streak, None,
        "a successful sign-in ends the account's streak"
    );
});

on_both_engines!(
    the_delay_grows_with_each_failure_after_the_free_ones,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = api_client();
        let attempt = || {
            call(
                &c,
                &base,
                "auth/login",
                &[("email", "bob@globex.test"), ("password", "wrong one")],
            )
        };
        for _ in 0..5 {
            assert_eq!(attempt().await.status(), 401);
        }
        let mut waits = Vec::new();
        for _ in 0..3 {
            let res = attempt().await;
            assert_eq!(res.status(), 429);
            let wait: i64 = res.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            waits.push(wait);
            age_streaks(&env, wait).await;
            assert_eq!(
                attempt().await.status(),
                401,
                "allowed again once the wait is over"
            );
        }
        assert!(
            waits[0] <= 30 && waits[1] > waits[0] && waits[2] > waits[1],
            "{waits:?}"
        );
    }
);

on_both_engines!(
    one_address_is_throttled_without_locking_out_other_addresses,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        // 20 failures spread over many accounts, from one address.
        for i in 0..20 {
            let res = call(
                &api_client(),
                &base,
                "auth/login",
                &[
                    ("email", &format!("guess{i}@acme.test")),
                    ("password", "password1"),
                ],
            )
            .await;
            assert_eq!(res.status(), 401);
        }
        let next = call(
            &api_client(),
            &base,
            "auth/login",
            &[("email", "bob@globex.test"), ("password", DEMO)],
        )
        .await;
        assert_eq!(next.status(), 429, "the address waits");
        let wait: u64 = next.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait <= 30, "a growing delay, not a hard block: {wait}");
        // X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
        let spoofed = burst(&base, 1, "bob@globex.test", DEMO, Some("198.51.100.20")).await;
        assert_eq!(
            spoofed[0].0, 429,
            "X-Forwarded-For is ignored from untrusted peers"
        );
    }
);

#[test]
fn behind_a_trusted_proxy_each_client_address_counts_alone() {
    common::block_on(async {
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, |c| {
            c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        })
        .await
        .unwrap();
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let noisy = burst(
            &base,
            25,
            "nobody@acme.test",
            "password1",
            Some("203.0.113.50"),
        )
        .await;
        assert!(noisy.iter().any(|(s, _)| *s == 429));
        let ok = burst(&base, 1, "bob@globex.test", DEMO, Some("203.0.113.51")).await;
        assert!(
            matches!(ok[0].0, 200..=399),
            "another client behind the same proxy signs in: {ok:?}"
        );
        let counted = throttle::streak(&env.st.db, "address:203.0.113.50")
            .await
            .unwrap();
        assert!(
            counted.is_some(),
            "the client's own address was counted, not the proxy's"
        );
        env.finish().await;
    })
}

on_both_engines!(
    sign_out_everywhere_ends_every_session_of_that_user_only,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let (a1, a2, a3, b) = (api_client(), client(), client(), client());
        api_login(&a1, &base, "alice@acme.test", DEMO).await;
        post_login(&a2, &base, "alice@acme.test", DEMO).await;
        post_login(&a3, &base, "alice@acme.test", DEMO).await;
        post_login(&b, &base, "bob@globex.test", DEMO).await;
        let listed = call(&a1, &base, "account/sessions", &[]).await;
        assert_eq!(listed.status(), 200);
        let listed: serde_json::Value = listed.json().await.unwrap();
        let list = listed["sessions"].as_array().unwrap();
        assert_eq!(list.len(), 3, "{listed}");
        assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
        assert!(
            list[0]["current"] == true,
            "the current session comes first"
        );
        let ids: Vec<String> = abuse_portal::on_db!(&env.st.db, |pool| sqlx::query_scalar(
            "SELECT id FROM sessions"
        )
        .fetch_all(pool)
        .await)
        .unwrap();
        assert!(
            ids.iter()
                .all(|id| !listed.to_string().contains(id.as_str())),
            "session ids are never shown"
        );

        let res = call(&a1, &base, "account/sign_out_everywhere", &[]).await;
        assert!(
            res.status().is_redirection() || res.status().is_success(),
            "{}",
            res.status()
        );
        for c in [&a2, &a3] {
            let home = c.get(format!("{base}/")).send().await.unwrap();
            assert_eq!(
                (home.status().as_u16(), location(&home)),
                (302, "/login".into())
            );
        }
        let bob_home = b.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(
            bob_home.status(),
            200,
            "another user's session is untouched"
        );
        let alice = UserId(1);
        let left = sessions::for_user(&env.st.db, alice, env.st.now())
            .await
            .unwrap();
        assert!(left.is_empty(), "{left:?}");
    }
);

on_both_engines!(a_user_ends_one_other_session_by_its_handle, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let (here, elsewhere, bob) = (api_client(), client(), api_client());
    api_login(&here, &base, "alice@acme.test", DEMO).await;
    post_login(&elsewhere, &base, "alice@acme.test", DEMO).await;
    api_login(&bob, &base, "bob@globex.test", DEMO).await;
    let listed: serde_json::Value = call(&here, &base, "account/sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let other = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_bob = call(&bob, &base, "account/end_session", &[("handle", &other)]).await;
    assert_eq!(by_bob.status(), 404, "another user's session is not found");
    assert_eq!(
        elsewhere
            .get(format!("{base}/"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = call(&here, &base, "account/end_session", &[("handle", &other)]).await;
    assert!(res.status().is_success(), "{}", res.status());
    let gone = elsewhere.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(gone.status(), 302, "the ended session is signed out");
    assert_eq!(
        here.get(format!("{base}/")).send().await.unwrap().status(),
        200,
        "this one goes on"
    );
});

on_both_engines!(saving_never_brings_back_an_ended_session, |env| {
    use tower_sessions::session::{Id, Record};
    use tower_sessions::SessionStore;
    seed::seed_demo(&env.st).await.unwrap();
    let store = sessions::DbSessionStore::new(env.st.db.clone());
    let mut data = std::collections::HashMap::new();
    data.insert("user_id".to_owned(), serde_json::json!(1));
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    let planted = record.id;
    store.create(&mut record).await.unwrap();
    assert_ne!(
        record.id, planted,
        "a new session gets an id of the server's choosing"
    );
    assert!(store.load(&record.id).await.unwrap().is_some());
    // Signed out while a request holding the session was still running…
    store.delete(&record.id).await.unwrap();
    // …which then saves it at its end.
    store.save(&record).await.unwrap();
    assert!(store.load(&record.id).await.unwrap().is_none());
    assert_eq!(
        sessions::count_live(&env.st.db, env.st.now())
            .await
            .unwrap(),
        0
    );
});

on_both_engines!(
    a_session_is_read_with_its_user_who_is_never_stored_with_it,
    |env| {
        use tower_sessions::session::{Id, Record};
        use tower_sessions::SessionStore;
        seed::seed_demo(&env.st).await.unwrap();
        let alice = abuse_portal::server::db::accounts::find_user_by_email(
            &env.st.db,
            &abuse_portal::domain::account::Email::parse("alice@acme.test").unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
        let store = sessions::DbSessionStore::new(env.st.db.clone());
        let expiry_date = time::OffsetDateTime::now_utc() + time::Duration::minutes(30);
        let mut anonymous = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date,
        };
        store.create(&mut anonymous).await.unwrap();
        let loaded = store.load(&anonymous.id).await.unwrap().expect("stored");
        assert!(
            !loaded
                .data
                .contains_key(abuse_portal::server::session_keys::LOADED_USER)
                && !loaded
                    .data
                    .contains_key(abuse_portal::server::session_keys::LOADED_UNREAD),
            "no user, no row and no count"
        );

        let mut data = std::collections::HashMap::new();
        data.insert("user_id".to_owned(), serde_json::json!(alice.id));
        let mut record = Record {
            id: Id::default(),
            data,
            expiry_date,
        };
        store.create(&mut record).await.unwrap();
        let loaded = store.load(&record.id).await.unwrap().expect("stored");
        let row: abuse_portal::server::db::accounts::UserRow = serde_json::from_value(
            loaded.data[abuse_portal::server::session_keys::LOADED_USER].clone(),
        )
        .unwrap();
        assert_eq!(
            (row.id, row.email.as_str(), row.role.as_str()),
            (alice.id, "alice@acme.test", "customer")
        );
        assert_eq!(row.organisation_name, alice.organisation_name);
        assert!(
            row.password_hash.is_empty(),
            "the password hash never travels with a session"
        );
        // The unread count for the navigation comes with it, as the notifications table counts.
        let unread = abuse_portal::server::db::notifications::unread(&env.st.db, alice.user_id())
            .await
            .unwrap();
        assert!(unread > 0, "the demo leaves alice unread notifications");
        assert_eq!(
            loaded.data[abuse_portal::server::session_keys::LOADED_UNREAD],
            serde_json::json!(unread)
        );
        // Saved back (as at the end of a request that changed the session), the row is left out.
        store.save(&loaded).await.unwrap();
        let raw: Vec<String> = sessions::for_user(&env.st.db, alice.user_id(), env.st.now())
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.data)
            .collect();
        assert_eq!(raw.len(), 1);
        assert!(raw[0].contains("user_id"), "{raw:?}");
        assert!(
            !raw[0].contains(abuse_portal::server::session_keys::LOADED_USER),
            "{raw:?}"
        );
        assert!(
            !raw[0].contains(abuse_portal::server::session_keys::LOADED_UNREAD),
            "{raw:?}"
        );
        assert!(!raw[0].contains("alice@acme.test"), "{raw:?}");
    }
);

on_both_engines!(
    activity_renews_the_idle_limit_at_most_once_a_minute,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        post_login(&c, &base, "alice@acme.test", DEMO).await;
        let expiry = || async {
            let (data, expires_at): (String, time::OffsetDateTime) =
                abuse_portal::on_db!(&env.st.db, |pool| {
                    sqlx::query_as("SELECT data, expires_at FROM sessions")
                        .fetch_one(pool)
                        .await
                })
                .unwrap();
            (
                serde_json::from_str::<serde_json::Value>(&data).unwrap(),
                expires_at,
            )
        };
        let (_, first) = expiry().await;
        assert_eq!(
            c.get(format!("{base}/")).send().await.unwrap().status(),
            200
        );
        let (_, unchanged) = expiry().await;
        assert_eq!(
            unchanged, first,
            "activity within the minute writes nothing"
        );

        // As if ten minutes had passed since the last renewal, with five minutes of idle time left.
        let (mut data, _) = expiry().await;
        let now = env.st.now();
        data["renewed_at"] =
            serde_json::json!((now - time::Duration::minutes(10)).unix_timestamp());
        abuse_portal::on_db!(&env.st.db, |pool| sqlx::query(
            "UPDATE sessions SET data = $1, expires_at = $2"
        )
        .bind(data.to_string())
        .bind(now + time::Duration::minutes(5))
        .execute(pool)
        .await
        .map(|_| ()))
        .unwrap();
        assert_eq!(
            c.get(format!("{base}/notices"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let (_, renewed) = expiry().await;
        assert!(
            renewed >= now + time::Duration::minutes(29),
            "the idle limit starts again from this request: {renewed} vs {now}"
        );
    }
);

on_both_engines!(signing_in_starts_from_an_empty_session, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    post_login(&c, &base, "alice@acme.test", DEMO).await;
    // Something kept in alice's session: a refused evidence statement.
    let notice = common::notice_of(&env.st, "Acme Hosting Ltd", Some("open")).await;
    let form = common::with_statement(
        reqwest::multipart::Form::new(),
        "too short",
        "secret remark about alice's server",
        "x",
    );
    let res = common::post_evidence(&c, &base, notice, form).await;
    assert_eq!(res.status(), 303);
    let data = || async {
        abuse_portal::on_db!(&env.st.db, |pool| sqlx::query_scalar::<_, String>(
            "SELECT data FROM sessions"
        )
        .fetch_all(pool)
        .await)
        .unwrap()
        .join("\n")
    };
    assert!(data().await.contains("secret remark"));
    post_login(&c, &base, "bob@globex.test", DEMO).await;
    let after = data().await;
    assert!(
        !after.contains("secret remark"),
        "nothing carried over: {after}"
    );
});

on_both_engines!(a_deep_link_survives_signing_in, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let id = common::notice_of(&env.st, "Acme Hosting Ltd", None).await;
    let c = client();
    let res = c
        .get(format!("{base}/notices/{id}?from=mail"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(
        location(&res),
        format!("/login?next=/notices/{id}%3Ffrom%3Dmail")
    );
    let page = page_text(&c, format!("{base}/login?next=/notices/{id}%3Ffrom%3Dmail")).await;
    let back = format!("/notices/{id}?from=mail");
    assert!(
        page.contains(&format!(r#"name="next" value="{back}""#)),
        "{page}"
    );
    let res = c
        .post(format!("{base}/api/auth/login"))
        .header("origin", &base)
        .header(
            "referer",
            format!("{base}/login?next=/notices/{id}%3Ffrom%3Dmail"),
        )
        .form(&[
            ("email", "alice@acme.test"),
            ("password", DEMO),
            ("next", &back),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!((res.status().as_u16(), location(&res)), (302, back.clone()));
    let page = c.get(format!("{base}{back}")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    for evil in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let c = client();
        let res = post_form(
            &c,
            &base,
            "auth/login",
            "/login",
            &[
                ("email", "alice@acme.test"),
                ("password", DEMO),
                ("next", evil),
            ],
        )
        .await;
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (302, "/".into()),
            "{evil}"
        );
    }
});

#[test]
fn a_full_hash_queue_answers_503_and_counts_nothing_against_the_person() {
    common::block_on(async {
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, |c| {
            c.hash_concurrency = 1;
            c.hash_queue = 0;
        })
        .await
        .unwrap();
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        // Different accounts, so that only the queue (not the throttle) can refuse them.
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let base = base.clone();
                tokio::spawn(async move {
                    let res = call(
                        &api_client(),
                        &base,
                        "auth/login",
                        &[
                            ("email", &format!("someone{i}@acme.test")),
                            ("password", "a guess"),
                        ],
                    )
                    .await;
                    let retry = res.headers().get("retry-after").cloned();
                    (res.status().as_u16(), retry)
                })
            })
            .collect();
        let mut checked = 0;
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                (401, _) => checked += 1,
                (503, Some(retry)) => {
                    assert_eq!(retry, "5");
                    busy += 1
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(busy > 0, "a full queue refuses at once: {checked} checked");
        let address = throttle::streak(&env.st.db, "address:127.0.0.1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            address.failures as usize, checked,
            "refused for load, the attempts were given back"
        );
        env.finish().await;
    })
}

/// A sign-in of `email` from `forwarded_for` (behind a trusted proxy) as a script would post it:
/// the status and where it leads.
async fn password_step(
    c: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
    forwarded_for: &str,
) -> (u16, String) {
    let res = c
        .post(format!("{base}/api/auth/login"))
        .header("origin", base)
        .header("x-forwarded-for", forwarded_for)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), location(&res))
}

/// A second-factor code posted as a script would: the status, and the error's message.
async fn code_step(
    c: &reqwest::Client,
    base: &str,
    code: &str,
    forwarded_for: &str,
) -> (u16, String) {
    let res = c
        .post(format!("{base}/api/auth/code"))
        .header("origin", base)
        .header("x-forwarded-for", forwarded_for)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let message = res
        .json::<abuse_portal::error::AppError>()
        .await
        .map(|e| e.user_message())
        .unwrap_or_default();
    (status, message)
}

on_both_engines!(
    a_right_password_never_resets_the_count_of_wrong_codes,
    adjust = |c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()],
    |env| {
        use abuse_portal::domain::actor::Role;
        use abuse_portal::server::usecase::accounts::create_user;
        let st = &env.st;
        let password = "staff password 12";
        create_user(st, "sam@portal.test", password, Role::Staff, None)
            .await
            .unwrap();
        let sam = common::enable_two_factor(st, "sam@portal.test", password).await;
        let wrong = common::wrong_code(st, sam).await;
        let base = env.serve().await;
        // The attack: a right password, four wrong codes, again and again, each round from
        // another IPv6 /64 of one /48 (the per-address limit never starts).
        let (mut checked, mut throttled, mut ended) = (0, 0, 0);
        for round in 0..100u32 {
            let from = format!("2001:db8:77:{round:x}::1");
            let c = api_client();
            let (status, next) = password_step(&c, &base, "sam@portal.test", password, &from).await;
            assert!(
                status < 400 && next == "/login/code",
                "round {round}: {status} {next}"
            );
            for _ in 0..4 {
                match code_step(&c, &base, &wrong, &from).await {
                    (422, _) => checked += 1,
                    (429, _) => throttled += 1,
                    (409, m) if m.contains("wrong too many times") => {
                        checked += 1;
                        ended += 1;
                    }
                    (409, _) => ended += 1,
                    other => panic!("round {round}: {other:?}"),
                }
            }
        }
        let allowed = st.config.login_throttle.per_account as usize;
        assert!(
            checked <= allowed,
            "{checked} wrong codes were checked in 100 rounds; at most {allowed} may be"
        );
        assert!(
            throttled > 0 && ended > 0,
            "{throttled} throttled, {ended} ended"
        );
        let codes = throttle::streak(&st.db, &format!("code:{}", sam.0))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            codes.failures as usize, checked,
            "every checked code counted"
        );
        // Once the wait is over, the owner signs in with a right code, which ends both streaks.
        age_streaks(&env, 15 * 60).await;
        let c = api_client();
        password_step(
            &c,
            &base,
            "sam@portal.test",
            password,
            "2001:db8:77:ffff::1",
        )
        .await;
        let right = common::current_code(st, sam, 1).await;
        let (status, message) = code_step(&c, &base, &right, "2001:db8:77:ffff::1").await;
        assert!(status == 200 || status == 302, "{status} {message}");
        for key in [
            format!("code:{}", sam.0),
            "account:sam@portal.test".to_owned(),
        ] {
            assert_eq!(throttle::streak(&st.db, &key).await.unwrap(), None, "{key}");
        }
    }
);

on_both_engines!(
    changing_the_second_factor_asks_for_the_password_and_is_throttled,
    |env| {
        use abuse_portal::domain::actor::Role;
        use abuse_portal::server::usecase::accounts::create_user;
        let st = &env.st;
        let password = "customer password 12";
        create_user(
            st,
            "dora@initech.test",
            password,
            Role::Customer,
            Some("Initech"),
        )
        .await
        .unwrap();
        let dora = common::enable_two_factor(st, "dora@initech.test", password).await;
        let base = env.serve().await;
        let c = api_client();
        password_step(&c, &base, "dora@initech.test", password, "198.51.100.9").await;
        let code = common::current_code(st, dora, 1).await;
        code_step(&c, &base, &code, "198.51.100.9").await;
        let change = |action: &'static str, password: &str, code: &str| {
            let form = [
                ("action", action.to_owned()),
                ("password", password.to_owned()),
                ("code", code.to_owned()),
            ];
            let (c, base) = (c.clone(), base.clone());
            async move {
                let res = c
                    .post(format!("{base}/api/account/two_factor/change"))
                    .header("origin", &base)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            }
        };
        // A right code alone no longer renews the recovery codes or turns the factor off.
        let now_code = common::current_code(st, dora, 0).await;
        for action in ["renew", "off"] {
            let (status, body) = change(action, "", &now_code).await;
            assert_eq!(status, 422, "{action}: {body}");
            assert!(body.contains("password"), "{body}");
            let (status, body) = change(action, "not the password", &now_code).await;
            assert_eq!(status, 422, "{action}: {body}");
            assert!(body.contains("not your current password"), "{body}");
        }
        // Wrong codes with the right password are throttled like sign-in.
        let wrong = common::wrong_code(st, dora).await;
        let mut statuses = Vec::new();
        for _ in 0..8 {
            statuses.push(change("renew", password, &wrong).await.0);
        }
        let checked = statuses.iter().filter(|s| **s == 422).count();
        assert!(
            checked <= st.config.login_throttle.per_account as usize && statuses.contains(&429),
            "{statuses:?}"
        );
        let state = abuse_portal::server::db::two_factor::state(&st.db, dora)
            .await
            .unwrap()
            .unwrap();
        assert!(state.totp_enabled_at.is_some() && state.recovery_left == 10);
    }
);

on_both_engines!(
    a_new_password_or_signing_out_everywhere_ends_a_sign_in_waiting_for_its_code,
    |env| {
        use abuse_portal::domain::actor::Role;
        use abuse_portal::server::usecase::accounts::create_user;
        let st = &env.st;
        let password = "customer password 12";
        create_user(
            st,
            "ed@initech.test",
            password,
            Role::Customer,
            Some("Initech"),
        )
        .await
        .unwrap();
        let base = env.serve().await;
        // Ed, signed in on his laptop, then turns two-factor sign-in on.
        let laptop = api_client();
        api_login(&laptop, &base, "ed@initech.test", password).await;
        let ed = common::enable_two_factor(st, "ed@initech.test", password).await;
        // Someone else has his password and waits for a code.
        let stranger = api_client();
        let (status, next) = password_step(
            &stranger,
            &base,
            "ed@initech.test",
            password,
            "203.0.113.66",
        )
        .await;
        assert!(status < 400 && next == "/login/code", "{status} {next}");
        // Ed changes his password: the waiting sign-in is over, even with a right code.
        let res = call(
            &laptop,
            &base,
            "account/password",
            &[
                ("current", password),
                ("new", "a brand new password 34"),
                ("again", "a brand new password 34"),
            ],
        )
        .await;
        assert!(res.status().is_success(), "{}", res.status());
        // (The code of the next step: the one that turned the factor on is spent.)
        let right = common::current_code(st, ed, 1).await;
        let (status, message) = code_step(&stranger, &base, &right, "203.0.113.66").await;
        assert_eq!(status, 409, "{message}");
        // The same after signing out everywhere.
        let stranger = api_client();
        password_step(
            &stranger,
            &base,
            "ed@initech.test",
            "a brand new password 34",
            "203.0.113.66",
        )
        .await;
        let res = call(&laptop, &base, "account/sign_out_everywhere", &[]).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let (status, message) = code_step(&stranger, &base, &right, "203.0.113.66").await;
        assert_eq!(status, 409, "{message}");
        assert!(sessions::for_user(&st.db, ed, st.now())
            .await
            .unwrap()
            .is_empty());
    }
);

on_both_engines!(a_wrong_current_password_slows_only_its_own_account, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let (alice, bob) = (api_client(), api_client());
    api_login(&alice, &base, "alice@acme.test", DEMO).await;
    api_login(&bob, &base, "bob@globex.test", DEMO).await;
    let change = |c: reqwest::Client, current: &'static str| {
        let base = base.clone();
        async move {
            let new = "a long new password 9";
            call(
                &c,
                &base,
                "account/password",
                &[("current", current), ("new", new), ("again", new)],
            )
            .await
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..25 {
        statuses.push(
            change(alice.clone(), "not alice's password")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.contains(&429),
        "Alice's guesses are throttled: {statuses:?}"
    );
    // Bob, at the same address, changes his password at once.
    let res = change(bob, DEMO).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
});
