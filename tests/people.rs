//! People on real SQLite and PostgreSQL: invitations (one-time, expiring, withdrawable, only
//! their hash stored), owners who manage their own organisation and no other, admins who set
//! provider roles (and nobody their own), disabled accounts whose sessions end, and password
//! changes.

mod common;
use common::actor;

use abuse_portal::domain::actor::Role;
use abuse_portal::error::AppError;
use abuse_portal::server::db::accounts;
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::accounts::sign_in;
use abuse_portal::server::usecase::people::{self, Change};

const PASSWORD: &str = "a long new password 1";

fn token(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

async fn exec(st: &AppState, sql: &str) {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap()
}

on_both_engines!(an_invitation_is_accepted_once_and_only_while_open, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let created = people::invite(st, &admin, "Nina@Portal.test", Role::Staff, None, false)
        .await
        .unwrap();
    assert_eq!(created.email, "nina@portal.test");
    assert!(created.link.starts_with(&format!(
        "{}/invite/",
        st.config.public_url.as_str().trim_end_matches('/')
    )));
    let t = token(&created.link);
    // Only the token's hash is stored.
    let stored: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE token_hash = $1"
    )
    .bind(&t)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(stored, 0);
    let page = people::invitation(st, &t).await.unwrap();
    assert_eq!(
        (page.email.as_str(), page.as_text.as_str()),
        ("nina@portal.test", "Abuse desk staff")
    );
    // A short password or two different ones are refused, and the link still works after.
    assert!(people::accept_invitation(st, &t, "short", "short")
        .await
        .unwrap_err()
        .field_message("password")
        .is_some());
    assert!(
        people::accept_invitation(st, &t, PASSWORD, "another one entirely")
            .await
            .unwrap_err()
            .field_message("password_again")
            .is_some()
    );
    // Ten tabs accept at once: one account.
    let mut race = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (st, t) = (st.clone(), t.clone());
        race.spawn(async move { people::accept_invitation(&st, &t, PASSWORD, PASSWORD).await });
    }
    let mut accepted = 0;
    while let Some(r) = race.join_next().await {
        if r.unwrap().is_ok() {
            accepted += 1;
        }
    }
    assert_eq!(accepted, 1);
    let nina = sign_in(st, "nina@portal.test", PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(
        accounts::find_user(&st.db, nina)
            .await
            .unwrap()
            .unwrap()
            .role,
        "staff"
    );
    assert_eq!(
        people::invitation(st, &t).await.unwrap_err(),
        AppError::NotFound,
        "used once"
    );
    assert_eq!(
        people::invite(st, &admin, "nina@portal.test", Role::Staff, None, false)
            .await
            .unwrap_err()
            .field_message("email")
            .unwrap(),
        "nina@portal.test already has an account."
    );

    // A new invitation withdraws the open one; withdrawn and expired ones cannot be used.
    let first = token(
        &people::invite(st, &admin, "omar@portal.test", Role::Admin, None, false)
            .await
            .unwrap()
            .link,
    );
    let second = token(
        &people::invite(st, &admin, "omar@portal.test", Role::Admin, None, false)
            .await
            .unwrap()
            .link,
    );
    assert_eq!(
        people::invitation(st, &first).await.unwrap_err(),
        AppError::NotFound
    );
    assert!(people::invitation(st, &second).await.is_ok());
    exec(st, "UPDATE invitations SET expires_at = '2000-01-01T00:00:00Z' WHERE email = 'omar@portal.test' AND revoked_at IS NULL").await;
    assert_eq!(
        people::invitation(st, &second).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        people::accept_invitation(st, &second, PASSWORD, PASSWORD)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        people::invitation(st, "not-a-token").await.unwrap_err(),
        AppError::NotFound
    );
});

on_both_engines!(owners_manage_their_own_organisation_and_no_other, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let alice = actor(st, "alice@acme.test").await;
    let bob = actor(st, "bob@globex.test").await;
    let staff = actor(st, "staff@portal.test").await;
    let acme = alice.org_id;
    // The first customer of each demo organisation owns it.
    let view = people::people(st, &alice, None).await.unwrap();
    assert_eq!(view.organisation.as_ref().unwrap().1, "Acme Hosting Ltd");
    assert!(view
        .people
        .iter()
        .any(|p| p.email == "alice@acme.test" && p.owner && p.you));
    // Alice invites a colleague into Acme; never into Globex, never as staff.
    let link = people::invite(st, &alice, "carol@acme.test", Role::Customer, acme, false)
        .await
        .unwrap()
        .link;
    assert_eq!(
        people::invite(
            st,
            &alice,
            "mallory@acme.test",
            Role::Customer,
            bob.org_id,
            false
        )
        .await
        .unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(
        people::invite(st, &alice, "mallory@acme.test", Role::Staff, None, false)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        people::invite(st, &staff, "mallory@acme.test", Role::Customer, acme, false)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let carol = people::accept_invitation(st, &token(&link), PASSWORD, PASSWORD)
        .await
        .unwrap();
    let carol_row = accounts::find_user(&st.db, carol).await.unwrap().unwrap();
    assert_eq!((carol_row.org_id(), carol_row.org_owner), (acme, false));
    // A member cannot invite or manage; another organisation's owner cannot see them.
    let carol_actor = actor(st, "carol@acme.test").await;
    assert_eq!(
        people::people(st, &carol_actor, None).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        people::change(st, &bob, carol, Change::Disable)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
    assert!(matches!(
        people::change(st, &alice, alice.user_id, Change::Disable).await,
        Err(AppError::Conflict(_))
    ));
    // Alice disables Carol: Carol's sign-in is refused and her sessions are gone.
    exec(st, &format!("INSERT INTO sessions (id, data, expires_at, user_id) VALUES ('carol-session', '{{}}', '2099-01-01T00:00:00Z', {})", carol.0)).await;
    people::change(st, &alice, carol, Change::Disable)
        .await
        .unwrap();
    assert_eq!(
        sign_in(st, "carol@acme.test", PASSWORD, None)
            .await
            .unwrap_err(),
        AppError::BadCredentials
    );
    let sessions: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE user_id = $1"
    )
    .bind(carol.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(sessions, 0);
    people::change(st, &alice, carol, Change::Enable)
        .await
        .unwrap();
    assert!(sign_in(st, "carol@acme.test", PASSWORD, None).await.is_ok());
    people::change(st, &alice, carol, Change::MakeOwner)
        .await
        .unwrap();
    assert!(
        people::people(st, &actor(st, "carol@acme.test").await, None)
            .await
            .is_ok()
    );
});

on_both_engines!(roles_change_only_by_another_admin, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    // A staff member cannot make themselves (or anyone) admin, nor reach the people pages.
    assert!(matches!(
        people::change(st, &staff, staff.user_id, Change::Role(Role::Admin)).await,
        Err(AppError::Conflict(_))
    ));
    assert_eq!(
        people::change(st, &staff, admin.user_id, Change::Role(Role::Staff))
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        people::people(st, &staff, None).await.unwrap_err(),
        AppError::Forbidden
    );
    // An admin never changes their own role; they promote staff, not customers.
    assert!(matches!(
        people::change(st, &admin, admin.user_id, Change::Role(Role::Staff)).await,
        Err(AppError::Conflict(_))
    ));
    assert!(
        people::change(st, &admin, alice.user_id, Change::Role(Role::Staff))
            .await
            .is_err()
    );
    people::change(st, &admin, staff.user_id, Change::Role(Role::Admin))
        .await
        .unwrap();
    assert_eq!(actor(st, "staff@portal.test").await.role, Role::Admin);
    // Everything is in the provider-wide log.
    let report = abuse_portal::server::usecase::audit::verify_all(st)
        .await
        .unwrap();
    assert!(report.broken.is_empty());
});

on_both_engines!(
    a_password_change_asks_for_the_current_one_and_ends_other_sessions,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let alice = actor(st, "alice@acme.test").await;
        for id in ["this-one", "old-laptop"] {
            exec(st, &format!("INSERT INTO sessions (id, data, expires_at, user_id) VALUES ('{id}', '{{}}', '2099-01-01T00:00:00Z', {})", alice.user_id.0)).await;
        }
        let wrong = people::change_password(
            st,
            &alice,
            "not my password",
            PASSWORD,
            PASSWORD,
            Some("this-one"),
        )
        .await
        .unwrap_err();
        assert_eq!(
            wrong.field_message("current").as_deref(),
            Some("That is not your current password.")
        );
        let differ = people::change_password(
            st,
            &alice,
            "demo-password-1",
            PASSWORD,
            "something else",
            Some("this-one"),
        )
        .await
        .unwrap_err();
        assert!(differ.field_message("again").is_some());
        people::change_password(
            st,
            &alice,
            "demo-password-1",
            PASSWORD,
            PASSWORD,
            Some("this-one"),
        )
        .await
        .unwrap();
        assert_eq!(
            sign_in(st, "alice@acme.test", "demo-password-1", None)
                .await
                .unwrap_err(),
            AppError::BadCredentials
        );
        assert!(sign_in(st, "alice@acme.test", PASSWORD, None).await.is_ok());
        let left: Vec<String> = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
            "SELECT id FROM sessions WHERE user_id = $1"
        )
        .bind(alice.user_id.0)
        .fetch_all(pool)
        .await)
        .unwrap();
        assert_eq!(left, ["this-one"]);
    }
);

/// The code an authenticator app shows now for `user`'s secret (read from the database and
/// opened with the portal's key file, as the portal itself does).
async fn current_code(
    st: &AppState,
    user: abuse_portal::domain::ids::UserId,
    step_offset: i64,
) -> String {
    use abuse_portal::server::auth::two_factor as totp;
    let sealed: String = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT totp_secret FROM users WHERE id = $1"
    )
    .bind(user.0)
    .fetch_one(pool)
    .await)
    .unwrap();
    let secret = totp::open(&st.audit_keys, user, &sealed).unwrap();
    let step = (st.now().unix_timestamp() / 30 + step_offset) as u64;
    totp::code_at(&secret, step, totp::DIGITS)
}

on_both_engines!(
    staff_set_up_a_second_factor_before_anything_and_codes_work_once,
    |env| {
        use abuse_portal::server::usecase::accounts::create_user;
        use common::{api_client, api_login, call};
        let st = &env.st;
        // Not a demo database: nothing is exempt.
        let sam = create_user(st, "sam@portal.test", PASSWORD, Role::Staff, None)
            .await
            .unwrap();
        let base = env.serve().await;
        let client = api_client();
        api_login(&client, &base, "sam@portal.test", PASSWORD).await;
        let refused = call(&client, &base, "admin/overview", &[]).await;
        assert_eq!(refused.status().as_u16(), 403);
        assert!(refused
            .text()
            .await
            .unwrap()
            .contains("SecondFactorRequired"));
        // The setup works before it is done; a wrong code is refused by field.
        let setup: serde_json::Value = call(&client, &base, "account/two_factor", &[])
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(setup["enabled"], false);
        assert!(setup["setup"]["qr_svg"].as_str().unwrap().contains("<svg"));
        assert_eq!(setup["required"], true);
        let wrong = call(
            &client,
            &base,
            "account/two_factor/confirm",
            &[("code", "000000")],
        )
        .await;
        assert_eq!(wrong.status().as_u16(), 422);
        let code = current_code(st, sam, 0).await;
        let confirmed = call(
            &client,
            &base,
            "account/two_factor/confirm",
            &[("code", &code)],
        )
        .await;
        assert_eq!(confirmed.status().as_u16(), 200);
        let recovery: Vec<String> = confirmed.json().await.unwrap();
        assert_eq!(recovery.len(), 10);
        assert_eq!(
            call(&client, &base, "admin/overview", &[])
                .await
                .status()
                .as_u16(),
            200
        );

        // Signing in again asks for a code; the one used to set up is refused (once only), the next
        // step's works, and cannot be replayed.
        let again = api_client();
        let res = call(
            &again,
            &base,
            "auth/login",
            &[("email", "sam@portal.test"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(res.headers().get("location").unwrap(), "/login/code");
        assert_eq!(
            call(&again, &base, "admin/overview", &[])
                .await
                .status()
                .as_u16(),
            401,
            "not signed in yet"
        );
        assert_eq!(
            call(&again, &base, "auth/code", &[("code", &code)])
                .await
                .status()
                .as_u16(),
            422
        );
        let next = current_code(st, sam, 1).await;
        let ok = call(&again, &base, "auth/code", &[("code", &next)]).await;
        assert!(
            ok.status().is_success() || ok.status().is_redirection(),
            "{}",
            ok.status()
        );
        assert_eq!(
            call(&again, &base, "admin/overview", &[])
                .await
                .status()
                .as_u16(),
            200
        );
        let third = api_client();
        call(
            &third,
            &base,
            "auth/login",
            &[("email", "sam@portal.test"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            call(&third, &base, "auth/code", &[("code", &next)])
                .await
                .status()
                .as_u16(),
            422,
            "replayed"
        );
        // A recovery code works once, in any spelling.
        let spelled = recovery[0].to_uppercase().replace('-', " ");
        let res = call(&third, &base, "auth/code", &[("code", &spelled)]).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let fourth = api_client();
        call(
            &fourth,
            &base,
            "auth/login",
            &[("email", "sam@portal.test"), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            call(&fourth, &base, "auth/code", &[("code", &recovery[0])])
                .await
                .status()
                .as_u16(),
            422
        );
        // Wrong codes are throttled like passwords.
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(
                call(&fourth, &base, "auth/code", &[("code", "123456")])
                    .await
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
        // Staff cannot turn it off.
        let off = call(
            &client,
            &base,
            "account/two_factor/change",
            &[("action", "off"), ("code", &current_code(st, sam, 1).await)],
        )
        .await;
        assert_eq!(off.status().as_u16(), 409);
    }
);

on_both_engines!(
    an_owner_requires_a_second_factor_of_the_organisation,
    |env| {
        use abuse_portal::server::usecase::accounts::create_user;
        use abuse_portal::server::usecase::two_factor;
        use common::{api_client, api_login, call};
        let st = &env.st;
        create_user(
            st,
            "owner@initech.test",
            PASSWORD,
            Role::Customer,
            Some("Initech"),
        )
        .await
        .unwrap();
        create_user(
            st,
            "milton@initech.test",
            PASSWORD,
            Role::Customer,
            Some("Initech"),
        )
        .await
        .unwrap();
        let owner = actor(st, "owner@initech.test").await;
        let milton = actor(st, "milton@initech.test").await;
        // Optional for customers: nothing is asked of them yet. The owner turns it on for themselves
        // first, then requires it of everyone.
        assert!(matches!(
            two_factor::set_org_requirement(st, &owner, true).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(
            two_factor::set_org_requirement(st, &milton, true)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        two_factor::status(st, &owner).await.unwrap();
        let code = current_code(st, owner.user_id, 0).await;
        two_factor::confirm(st, &owner, &code).await.unwrap();
        two_factor::set_org_requirement(st, &owner, true)
            .await
            .unwrap();
        let base = env.serve().await;
        let client = api_client();
        api_login(&client, &base, "milton@initech.test", PASSWORD).await;
        assert_eq!(
            call(&client, &base, "notices/list", &[])
                .await
                .status()
                .as_u16(),
            403
        );
        assert_eq!(
            call(&client, &base, "account/two_factor", &[])
                .await
                .status()
                .as_u16(),
            200
        );
        let _ = milton;
    }
);
