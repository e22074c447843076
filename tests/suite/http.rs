//! The real router over HTTP on 127.0.0.1: sign-in, sessions, roles, origin check, health.

use crate::common;

use abuse_portal::server::db::sessions;
use abuse_portal::server::seed;
use common::{
    api_client, api_login, call, client, location, page_text, post_form, post_login, post_logout,
    session_cookie,
};

on_both_engines!(health_endpoints, |env| {
    let base = env.serve().await;
    let c = client();
    let health = c.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert!(ready.text().await.unwrap().starts_with("ready"));
    env.st.db.close().await;
    let down = c.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(down.status(), 503, "readyz reports a database that is gone");
    let still_up = c.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(still_up.status(), 200);
});

on_both_engines!(anonymous_visitors_are_sent_to_sign_in, |env| {
    let base = env.serve().await;
    for (path, to) in [("/", "/login"), ("/admin", "/login?next=/admin")] {
        let res = client().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 302, "{path}");
        assert_eq!(location(&res), to, "{path}");
    }
    let login = client().get(format!("{base}/login")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let html = login.text().await.unwrap();
    assert!(
        html.contains("<label for=\"login-email\">E-mail address</label>"),
        "{html}"
    );
    assert!(html.contains("action=\"/api/auth/login\""));
});

on_both_engines!(
    a_plain_form_sign_in_starts_a_session_and_shows_the_home_page,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        let res = post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
        assert_eq!(res.status(), 302);
        assert_eq!(location(&res), "/");
        let cookie = res
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.starts_with("portal_session="));
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(
            !cookie.contains("Secure"),
            "plain http: no Secure flag ({cookie})"
        );
        let home = c.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let html = home.text().await.unwrap();
        assert!(html.contains("Acme Hosting Ltd"));
        assert!(html.contains("203.0.113.25"));
        assert!(
            !html.contains("Globex"),
            "another organisation's data leaked"
        );
        assert!(html.contains("Demo mode."));
    }
);

on_both_engines!(the_page_frame_shows_who_is_signed_in_on_every_page, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    let res = post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
    assert_eq!(res.status(), 302);
    let signed_in = r#"class="account-link">alice@acme.test</a>"#;
    for (path, status, says) in [
        ("/notices", 200, "Abuse notices"),
        ("/login", 200, "You are signed in as "),
        ("/logout", 200, "Sign out of the portal on this device?"),
        ("/account/sessions", 200, "People of your organisation"),
        ("/no-such-page", 404, "Demo mode."),
    ] {
        let res = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains(signed_in), "{path} names the user: {html}");
        assert!(html.contains("Acme Hosting Ltd"), "{path}");
        assert!(html.contains(says), "{path}: {html}");
    }
    let anonymous = client()
        .get(format!("{base}/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 404);
    let html = anonymous.text().await.unwrap();
    assert!(!html.contains("alice@acme.test") && !html.contains("Sign out"));
    assert!(html.contains("Demo mode."));
    let logout = post_logout(&c, &base).await;
    assert_eq!(logout.status(), 302);
    let after = c.get(format!("{base}/logout")).send().await.unwrap();
    let html = after.text().await.unwrap();
    assert!(html.contains("You are not signed in."), "{html}");
    assert!(!html.contains("alice@acme.test"));
});

on_both_engines!(
    a_wrong_password_and_an_unknown_account_look_the_same,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let (first, second) = (client(), client());
        let wrong = post_login(&first, &base, "alice@acme.test", "not the password").await;
        let unknown = post_login(&second, &base, "nobody@acme.test", "not the password").await;
        assert_eq!(wrong.status(), 302);
        assert_eq!(unknown.status(), 302);
        // Neither gets a session: the refusal travels, sealed, in a short-lived cookie.
        for res in [&wrong, &unknown] {
            assert!(session_cookie(res).is_none());
            assert!(res
                .headers()
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("portal_flash=")));
        }
        let (wrong, unknown) = (location(&wrong), location(&unknown));
        assert_eq!(
            wrong,
            format!("{base}/login"),
            "the error is not in the address"
        );
        assert_eq!(wrong, unknown, "the two failures must be indistinguishable");
        for (c, email) in [(&first, "alice@acme.test"), (&second, "nobody@acme.test")] {
            let page = page_text(c, &wrong).await;
            assert!(
                page.contains("That e-mail and password do not match an account."),
                "the no-JS error is shown"
            );
            assert!(
                page.contains(&format!(r#"value="{email}""#)),
                "the e-mail typed is kept"
            );
            assert!(
                !page.contains("not the password"),
                "a password is never kept"
            );
            let again = page_text(c, &wrong).await;
            assert!(
                !again.contains("do not match an account"),
                "shown once: a reload is a fresh form"
            );
        }
    }
);

on_both_engines!(
    a_plain_post_shows_its_answer_on_the_page_it_returns_to,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
        let post = |zone: &'static str| {
            c.post(format!("{base}/api/account/preferences/save"))
                .header("origin", &base)
                .header("referer", format!("{base}/account/preferences"))
                .form(&[("time_zone", zone)])
                .send()
        };
        // Refused: the field's error and the choice made, once, on the clean address.
        let refused = post("Mars/Olympus_Mons").await.unwrap();
        assert_eq!(refused.status(), 302);
        assert_eq!(location(&refused), format!("{base}/account/preferences"));
        let page = page_text(&c, location(&refused)).await;
        assert!(page.contains("is not a time zone we know"), "{page}");
        // Saved: the page says so, once.
        let saved = post("Asia/Kolkata").await.unwrap();
        assert_eq!(saved.status(), 302);
        let page = page_text(&c, location(&saved)).await;
        assert!(
            page.contains("Saved. Times are now shown in your time zone."),
            "{page}"
        );
        assert!(
            page.contains(r#"<option value="Asia/Kolkata" selected"#),
            "{page}"
        );
        let again = page_text(&c, location(&saved)).await;
        assert!(!again.contains("Saved."), "shown once");
        // A script's call is answered as before: nothing is kept for the next page.
        let api = api_client();
        api_login(&api, &base, "alice@acme.test", "demo-password-1").await;
        let res = call(
            &api,
            &base,
            "account/preferences/save",
            &[("time_zone", "Mars/Olympus_Mons")],
        )
        .await;
        assert_eq!(res.status(), 422);
        let page = api
            .get(format!("{base}/account/preferences"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!page.contains("is not a time zone we know"), "{page}");
    }
);

on_both_engines!(
    the_session_id_changes_at_sign_in_and_logout_ends_it_on_the_server,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        let first =
            session_cookie(&post_login(&c, &base, "bob@globex.test", "demo-password-1").await)
                .unwrap();
        let second =
            session_cookie(&post_login(&c, &base, "bob@globex.test", "demo-password-1").await)
                .unwrap();
        assert_ne!(first, second, "signing in issues a new session id");
        assert_eq!(
            sessions::count_live(&env.st.db, env.st.now())
                .await
                .unwrap(),
            1,
            "the old id is gone"
        );

        let logout = post_logout(&c, &base).await;
        assert_eq!(logout.status(), 302);
        assert_eq!(location(&logout), "/login?signed_out=1");
        assert_eq!(
            sessions::count_live(&env.st.db, env.st.now())
                .await
                .unwrap(),
            0
        );

        // Replaying the old cookie gets nothing.
        let res = client()
            .get(format!("{base}/"))
            .header("cookie", format!("portal_session={second}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
        assert_eq!(location(&res), "/login");
    }
);

on_both_engines!(customers_get_403_on_admin_and_staff_get_in, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let customer = client();
    post_login(&customer, &base, "alice@acme.test", "demo-password-1").await;
    let res = customer.get(format!("{base}/admin")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("You do not have access to this page"));

    for email in ["staff@portal.test", "admin@portal.test"] {
        let staff = client();
        post_login(&staff, &base, email, "demo-password-1").await;
        let res = staff.get(format!("{base}/admin")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{email}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Admin overview")
                && html.contains("Globex Corp")
                && html.contains("Acme Hosting Ltd")
        );
        let home = staff.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(
            (home.status().as_u16(), location(&home)),
            (302, "/admin".to_owned())
        );
    }
});

on_both_engines!(a_customer_cannot_call_the_staff_server_function, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
    let res = c
        .post(format!("{base}/api/admin/overview"))
        .header("origin", &base)
        .header("accept", "application/json")
        .form(&[("", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body = res.text().await.unwrap();
    assert!(body.contains("Forbidden"), "{body}");
    assert!(!body.contains("Globex"), "{body}");
});

on_both_engines!(cross_origin_writes_are_refused, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    let foreign = c
        .post(format!("{base}/api/auth/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "alice@acme.test"),
            ("password", "demo-password-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    assert!(session_cookie(&foreign).is_none());
    let cross_site = c
        .post(format!("{base}/api/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[
            ("email", "alice@acme.test"),
            ("password", "demo-password-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    assert_eq!(
        post_login(&c, &base, "alice@acme.test", "demo-password-1")
            .await
            .status(),
        302
    );
});

on_both_engines!(unknown_pages_are_404, |env| {
    let base = env.serve().await;
    let res = client()
        .get(format!("{base}/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Page not found"));
});

on_both_engines!(pages_carry_security_headers, |env| {
    let base = env.serve().await;
    let res = client().get(format!("{base}/login")).send().await.unwrap();
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["cache-control"], "no-store");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS on plain http"
    );
});

/// The nonce a page's Content-Security-Policy allows scripts by.
fn csp_nonce(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let start = csp.find("'nonce-").expect("a nonce") + "'nonce-".len();
    csp[start..start + csp[start..].find('\'').unwrap()].to_owned()
}

on_both_engines!(
    every_page_has_a_content_security_policy_with_a_fresh_nonce,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        let first = c.get(format!("{base}/login")).send().await.unwrap();
        let nonce = csp_nonce(&first);
        let html = first.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"nonce="{nonce}""#)),
            "the hydration script carries the header's nonce"
        );
        let scripts = html.matches("<script").count();
        assert_eq!(
            scripts,
            html.matches(&format!(r#"nonce="{nonce}""#)).count(),
            "every inline script has the nonce"
        );
        let second = c.get(format!("{base}/login")).send().await.unwrap();
        assert_ne!(csp_nonce(&second), nonce, "a new nonce for every response");
        post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
        for path in [
            "/",
            "/notices",
            "/services",
            "/account/sessions",
            "/no/such/page",
        ] {
            let res = c.get(format!("{base}{path}")).send().await.unwrap();
            let nonce = csp_nonce(&res);
            let html = res.text().await.unwrap();
            assert!(html.contains(&format!(r#"nonce="{nonce}""#)), "{path}");
        }
        let health = c.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(
            health.headers()["content-security-policy"],
            "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
    }
);

on_both_engines!(server_function_errors_carry_their_http_status, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let anonymous = call(&api_client(), &base, "notices/list", &[]).await;
    assert_eq!(anonymous.status(), 401);
    let alice = api_client();
    api_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
    let bob_notice = common::notice_of(&env.st, "Globex Corp", None).await;
    let open = common::notice_of(&env.st, "Acme Hosting Ltd", Some("open")).await;
    let acknowledged =
        common::notice_of(&env.st, "Acme Hosting Ltd", Some("evidence_rejected")).await;
    /// A server function, its form, and the status its error must carry.
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, u16);
    let cases: Vec<Case> = vec![
        ("notices/detail", vec![("id", bob_notice.to_string())], 404),
        ("admin/overview", vec![], 403),
        (
            "notices/dispute",
            vec![("id", open.to_string()), ("reasons", "too short".into())],
            422,
        ),
        (
            "notices/acknowledge",
            vec![("id", acknowledged.to_string())],
            409,
        ),
        ("notices/list", vec![("after", "garbage".into())], 422),
    ];
    for (endpoint, form, status) in cases {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = call(&alice, &base, endpoint, &form).await;
        assert_eq!(res.status().as_u16(), status, "{endpoint}");
        let error: abuse_portal::error::AppError = res.json().await.unwrap();
        assert_eq!(
            error.status(),
            status,
            "the body is the error, as the page decodes it"
        );
    }
    // A plain form post (no JavaScript) is still sent back to its form, the error kept for it.
    let form_post = post_form(
        &client(),
        &base,
        "notices/list",
        "/notices",
        &[("after", "garbage")],
    )
    .await;
    assert_eq!(form_post.status(), 302);
    assert_eq!(location(&form_post), format!("{base}/notices"));
    // The database gone: 503, so monitoring sees an outage, not a bug.
    env.st.db.close().await;
    let down = call(&alice, &base, "notices/list", &[]).await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.headers()["retry-after"], "5");
    let page = alice.get(format!("{base}/notices")).send().await.unwrap();
    assert_eq!(page.status(), 503, "pages too");
});

on_both_engines!(
    writes_with_the_session_cookie_need_the_public_origin,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        assert_eq!(
            post_login(&c, &base, "alice@acme.test", "demo-password-1")
                .await
                .status(),
            302
        );
        let open = common::notice_of(&env.st, "Acme Hosting Ltd", Some("open")).await;
        let id = open.to_string();
        let bare = c
            .post(format!("{base}/api/notices/acknowledge"))
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            bare.status(),
            403,
            "a cookie but neither Origin nor Sec-Fetch-Site"
        );
        let host = base.trim_start_matches("http://");
        let spoofed = c
            .post(format!("{base}/api/notices/acknowledge"))
            .header("origin", "http://portal.evil.example")
            .header("host", "portal.evil.example")
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            spoofed.status(),
            403,
            "an Origin equal to the Host header is not enough"
        );
        let not_public = c
            .post(format!("{base}/api/notices/acknowledge"))
            .header(
                "origin",
                format!("http://localhost:{}", host.split(':').nth(1).unwrap()),
            )
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(
            not_public.status(),
            403,
            "only the configured public origin"
        );
        // A command-line client without a session cookie is no forgery.
        let cli = reqwest::Client::new()
            .post(format!("{base}/api/auth/login"))
            .form(&[
                ("email", "bob@globex.test"),
                ("password", "demo-password-1"),
            ])
            .send()
            .await
            .unwrap();
        assert_ne!(cli.status(), 403);
    }
);

#[test]
fn https_portals_send_hsts() {
    common::block_on(async {
        let env = common::TestEnv::with_public_url(
            common::Engine::Sqlite,
            Some("https://portal.example"),
        )
        .await
        .unwrap();
        let base = env.serve().await;
        let res = client().get(format!("{base}/login")).send().await.unwrap();
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=31536000"
        );
        env.finish().await;
    })
}

/// Posts the sign-in form to `addr` with `headers` added, sending 7 of the 1,000 bytes its body
/// announces; what came back once the server closed the connection, or `None` if it was still
/// open after 5 seconds.
async fn stalled_post(addr: &str, headers: &str) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stalled = tokio::net::TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /api/auth/login HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=a"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stalled.read_to_end(&mut buf),
    )
    .await
    .ok()?
    .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[test]
fn slow_headers_and_stalled_bodies_are_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    common::block_on(async {
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, |c| {
            c.header_timeout = std::time::Duration::from_secs(1);
            c.body_timeout = std::time::Duration::from_secs(1);
        })
        .await
        .unwrap();
        let base = env.serve().await;
        let addr = base.trim_start_matches("http://").to_owned();

        let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
        slow.write_all(b"GET /login HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let mut buf = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            slow.read_to_end(&mut buf),
        )
        .await;
        assert!(read.is_ok(), "the connection is closed, not held open");
        assert!(started.elapsed() < std::time::Duration::from_secs(4));

        let answer = stalled_post(&addr, "")
            .await
            .expect("a stalled body ends the request");
        assert!(
            answer.is_empty()
                || answer.starts_with("HTTP/1.1 4")
                || answer.starts_with("HTTP/1.1 5"),
            "{answer}"
        );
        // The same as a browser's own form post, whose body the outcome layer reads first.
        let started = std::time::Instant::now();
        let answer = stalled_post(&addr, "Accept: text/html\r\n")
            .await
            .expect("a stalled form post ends the request");
        assert!(started.elapsed() < std::time::Duration::from_secs(4));
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        env.finish().await;
    })
}

#[test]
fn cookies_are_secure_when_the_public_url_is_https() {
    common::block_on(cookies_are_secure_body())
}

async fn cookies_are_secure_body() {
    let env =
        common::TestEnv::with_public_url(common::Engine::Sqlite, Some("https://portal.example"))
            .await
            .unwrap();
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let res = client()
        .post(format!("{base}/api/auth/login"))
        .header("origin", "https://portal.example")
        .form(&[
            ("email", "alice@acme.test"),
            ("password", "demo-password-1"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    env.finish().await;
}

on_both_engines!(a_session_past_its_idle_expiry_is_not_loaded, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    post_login(&c, &base, "alice@acme.test", "demo-password-1").await;
    assert_eq!(
        c.get(format!("{base}/")).send().await.unwrap().status(),
        200
    );
    // As if the idle limit had passed: the stored expiry is in the past.
    let past = env.st.now() - time::Duration::minutes(1);
    abuse_portal::on_db!(&env.st.db, |pool| sqlx::query(
        "UPDATE sessions SET expires_at = $1"
    )
    .bind(past)
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let res = c.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(
        (res.status().as_u16(), location(&res)),
        (302, "/login".to_owned())
    );
});

#[test]
fn a_session_past_its_absolute_limit_ends() {
    common::block_on(async {
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, |config| {
            config.session.absolute = time::Duration::ZERO;
        })
        .await
        .expect("a SQLite environment");
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        assert_eq!(
            post_login(&c, &base, "alice@acme.test", "demo-password-1")
                .await
                .status(),
            302
        );
        let res = c.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (302, "/login".to_owned())
        );
        assert_eq!(
            sessions::count_live(&env.st.db, env.st.now())
                .await
                .unwrap(),
            0,
            "the session was deleted"
        );
        env.finish().await;
    })
}

on_both_engines!(
    the_service_inventory_shows_measures_and_hides_other_organisations,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let mail: i64 = abuse_portal::on_db!(&env.st.db, |pool| sqlx::query_scalar(
            "SELECT id FROM services WHERE label = 'mail-01.acme.test'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        let base = env.serve().await;
        let alice = client();
        post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
        let list = page_text(&alice, format!("{base}/services")).await;
        assert!(
            list.contains("Port 25 (SMTP) block on port 25 on every address"),
            "{list}"
        );
        assert!(!list.contains("globex"));
        let page = alice
            .get(format!("{base}/services/{mail}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Restricted"));
        let bob = client();
        post_login(&bob, &base, "bob@globex.test", "demo-password-1").await;
        let res = bob
            .get(format!("{base}/services/{mail}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert!(!res.text().await.unwrap().contains("mail-01"));
    }
);

#[test]
fn the_bundle_is_served_precompressed_and_immutable_and_pages_compressed() {
    common::block_on(async {
        let site = tempfile::tempdir().unwrap();
        let pkg = site.path().join("pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        let hashed = "portal.AbCdEfGhIjKlMnOpQrStUv.wasm";
        std::fs::write(pkg.join(hashed), vec![0u8; 4096]).unwrap();
        std::fs::write(pkg.join(format!("{hashed}.br")), b"brotli copy").unwrap();
        std::fs::write(pkg.join(format!("{hashed}.gz")), b"gzip copy").unwrap();
        std::fs::write(pkg.join("plain.js"), b"export {};").unwrap();
        let root = site.path().to_path_buf();
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, move |c| {
            c.site_root = root;
        })
        .await
        .unwrap();
        let base = env.serve().await;
        let c = reqwest::Client::new();
        let get = |path: String, encodings: &'static str| {
            let c = c.clone();
            async move {
                c.get(path)
                    .header("accept-encoding", encodings)
                    .send()
                    .await
                    .unwrap()
            }
        };

        let br = get(format!("{base}/pkg/{hashed}"), "gzip, deflate, br").await;
        assert_eq!(br.status(), 200);
        assert_eq!(br.headers()["content-encoding"], "br");
        assert_eq!(
            br.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli copy");
        let gz = get(format!("{base}/pkg/{hashed}"), "gzip").await;
        assert_eq!(gz.headers()["content-encoding"], "gzip");
        assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip copy");
        let identity = get(format!("{base}/pkg/{hashed}"), "identity").await;
        assert!(identity.headers().get("content-encoding").is_none());
        assert_eq!(identity.bytes().await.unwrap().len(), 4096);

        let plain = get(format!("{base}/pkg/plain.js"), "identity").await;
        assert_eq!(plain.status(), 200);
        assert_eq!(
            plain.headers()["cache-control"],
            "no-cache",
            "a name without a hash is revalidated"
        );
        let missing = get(format!("{base}/pkg/portal.ZZZZZZZZZZZZZZZZZZZZZZ.js"), "br").await;
        assert_eq!(missing.status(), 404);
        assert_ne!(
            missing.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "a missing file is not cached for a year"
        );

        let page = get(format!("{base}/login"), "gzip, br").await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["content-encoding"], "br");
        assert_eq!(page.headers()["cache-control"], "no-store");
        let compressed = page.bytes().await.unwrap().len();
        let page = get(format!("{base}/login"), "identity").await;
        assert!(page.headers().get("content-encoding").is_none());
        let full = page.bytes().await.unwrap().len();
        assert!(
            compressed * 2 < full,
            "the page is compressed: {compressed} of {full} bytes"
        );
        env.finish().await;
    })
}

/// The characters held by the sessions table, all rows together.
async fn sessions_size(st: &abuse_portal::server::state::AppState) -> i64 {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(LENGTH(data)), 0) AS BIGINT) FROM sessions"
    )
    .fetch_one(pool)
    .await)
    .unwrap()
}

on_both_engines!(
    refused_anonymous_posts_keep_nothing_in_the_database,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let before = sessions_size(&env.st).await;
        // 100 refused sign-ins from visitors without a session, each with a 1 MiB field (the body
        // just under the largest form the portal keeps), four at a time. Keeping even 1 KiB of
        // each would show: the sessions may grow by less than that in all.
        let field = "x".repeat(1024 * 1024 - 512);
        let mut burst = tokio::task::JoinSet::new();
        let mut refused = 0;
        for i in 0..100 {
            let (base, field) = (base.clone(), field.clone());
            burst.spawn(async move {
                let form = [("email", field.as_str()), ("password", "whatever it is")];
                let res = post_form(&client(), &base, "auth/login", "/login", &form).await;
                (i, res.status().as_u16())
            });
            if burst.len() >= 4 {
                let (i, status) = burst.join_next().await.unwrap().unwrap();
                assert_eq!(status, 302, "post {i}");
                refused += 1;
            }
        }
        while let Some(done) = burst.join_next().await {
            assert_eq!(done.unwrap().1, 302);
            refused += 1;
        }
        assert_eq!(refused, 100);
        let grown = sessions_size(&env.st).await - before;
        assert!(
            grown < 100 * 1024,
            "the sessions grew by {grown} characters"
        );

        // A person who mistypes still gets the error and the address they typed back, from a
        // short-lived sealed cookie rather than a session row.
        let c = client();
        let res = post_login(&c, &base, "alice@acme.test", "not her password").await;
        assert_eq!(res.status(), 302);
        assert_eq!(location(&res), format!("{base}/login"));
        let flash = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|v| v.starts_with("portal_flash="))
            .expect("the refusal travels in a cookie");
        assert!(
            flash.contains("HttpOnly") && !flash.contains("alice@acme.test"),
            "{flash}"
        );
        assert_eq!(
            sessions::count_live(&env.st.db, env.st.now())
                .await
                .unwrap(),
            0,
            "no session for an anonymous refusal"
        );
        let page = page_text(&c, location(&res)).await;
        assert!(
            page.contains("That e-mail and password do not match an account"),
            "{page}"
        );
        assert!(page.contains(r#"value="alice@acme.test""#), "{page}");
        let again = page_text(&c, format!("{base}/login")).await;
        assert!(!again.contains("do not match an account"), "shown once");
    }
);

on_both_engines!(one_time_secrets_are_never_stored_readable, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    let base = env.serve().await;
    let c = client();
    post_login(&c, &base, "admin@portal.test", "demo-password-1").await;
    let form = [("name", "billing sync"), ("scopes[]", "inventory:read")];
    let res = post_form(&c, &base, "admin/tokens/create", "/admin/tokens", &form).await;
    assert_eq!(res.status(), 302);
    // The answer waits for the next page, sealed: nothing in the sessions table reads like it.
    let stored: Vec<String> = abuse_portal::on_db!(&env.st.db, |pool| sqlx::query_scalar(
        "SELECT data FROM sessions"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    assert!(stored.iter().all(|d| !d.contains("apt_")), "{stored:?}");
    let page = page_text(&c, location(&res)).await;
    let token = page
        .split("apt_")
        .nth(1)
        .map(|rest| format!("apt_{}", &rest[..64]))
        .expect("the page shows the new token once");
    assert!(token[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    let again = page_text(&c, location(&res)).await;
    assert!(!again.contains(&token), "shown once");
});

on_both_engines!(
    an_error_about_a_field_the_form_lacks_is_shown_on_top,
    |env| {
        seed::seed_demo(&env.st).await.unwrap();
        let base = env.serve().await;
        let c = client();
        post_login(&c, &base, "staff@portal.test", "demo-password-1").await;
        let notice = common::notice_of(&env.st, "Acme Hosting Ltd", None).await;
        let case = format!("{base}/admin/cases/{notice}");
        let post = |endpoint: &'static str, referer: String, form: Vec<(&'static str, String)>| {
            let (c, base) = (c.clone(), base.clone());
            async move {
                let res = c
                    .post(format!("{base}/api/{endpoint}"))
                    .header("origin", &base)
                    .header("referer", &referer)
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 302, "{endpoint}");
                page_text(&c, location(&res)).await
            }
        };
        // A note too long: the message stands by the note field.
        let page = post(
            "admin/cases/add_note",
            case.clone(),
            vec![("id", notice.to_string()), ("note", "n".repeat(5_001))],
        )
        .await;
        assert!(
            page.contains("Write a note of 1 to 5,000 characters."),
            "{page}"
        );
        // A new case whose first event comes after its last: the message by "Last seen".
        let page = post(
            "admin/cases/open",
            format!("{base}/admin/cases/new"),
            vec![
                ("service", "1".into()),
                ("category", "spam".into()),
                ("source", "automated_detection".into()),
                (
                    "summary",
                    "Spam seen by our traps from this address.".into(),
                ),
                ("event_count", "3".into()),
                ("first_seen", "2026-11-20T10:00".into()),
                ("last_seen", "2026-11-19T10:00".into()),
                ("verification_note", "Checked against the trap logs.".into()),
                ("shorter_deadline", String::new()),
                ("deadline_reason", String::new()),
            ],
        )
        .await;
        assert_eq!(
            page.matches("The first event must come before the last")
                .count(),
            1,
            "by its field, and only there: {page}"
        );
        // A hidden field tampered with: no field shows it, so the top of the form does.
        let page = post(
            "admin/cases/decide",
            case.clone(),
            vec![
                ("id", notice.to_string()),
                ("decision", "bribe".into()),
                ("reason", "".into()),
            ],
        )
        .await;
        assert!(
            page.contains("Choose one of the decisions offered."),
            "{page}"
        );
    }
);

/// The link of a page's pager with `rel`, unescaped, if there is one.
fn pager_link(html: &str, rel: &str) -> Option<String> {
    let end = html.find(&format!(r#"" rel="{rel}""#))?;
    let start = html[..end].rfind(r#"href=""#)? + r#"href=""#.len();
    Some(html[start..end].replace("&amp;", "&"))
}

on_both_engines!(a_list_pages_forward_and_back_by_its_links, |env| {
    seed::seed_demo(&env.st).await.unwrap();
    // Sixty more organisations: three pages of the admin overview's list (25 a page).
    abuse_portal::on_db!(&env.st.db, |pool| sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 10 UNION ALL SELECT i + 1 FROM n WHERE i < 69) \
         INSERT INTO organisations (name, created_at) \
         SELECT 'Bulk ' || n.i, o.created_at FROM organisations o, n \
         WHERE o.id = (SELECT MIN(id) FROM organisations)"
    )
    .execute(pool)
    .await
    .map(|_| ()))
    .unwrap();
    let base = env.serve().await;
    let c = client();
    post_login(&c, &base, "staff@portal.test", "demo-password-1").await;
    let first = page_text(&c, format!("{base}/admin")).await;
    assert!(first.contains("Bulk 10") && !first.contains("Bulk 40"));
    assert_eq!(
        pager_link(&first, "prev"),
        None,
        "the first page leads only forward"
    );
    let second_href = pager_link(&first, "next").expect("a second page");
    let second = page_text(&c, format!("{base}{second_href}")).await;
    assert!(second.contains("Bulk 40") && !second.contains("Bulk 10"));
    assert_eq!(pager_link(&second, "prev").as_deref(), Some("/admin"));
    assert!(
        !second.contains(">First page<"),
        "back is the first page already"
    );
    let third_href = pager_link(&second, "next").expect("a third page");
    let third = page_text(&c, format!("{base}{third_href}")).await;
    assert!(third.contains("Bulk 69"));
    assert_eq!(
        pager_link(&third, "next"),
        None,
        "the last page leads only back"
    );
    assert_eq!(pager_link(&third, "prev"), Some(second_href));
    assert!(third.contains(r#"<a href="/admin">First page</a>"#));
});
