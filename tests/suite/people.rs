//! People on real SQLite and PostgreSQL: invitations (one-time, expiring, withdrawable, only
//! their hash stored), owners who manage their own organisation and no other, admins who set
//! provider roles (and nobody their own), disabled accounts whose sessions end, and password
//! changes.

use crate::common;
use common::{actor, current_code};

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
    let link = created.link.unwrap();
    assert!(link.starts_with(&format!(
        "{}/invite/",
        st.config.public_url.as_str().trim_end_matches('/')
    )));
    let t = token(&link);
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
        .unwrap()
        .user();
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
            .link
            .unwrap(),
    );
    let second = token(
        &people::invite(st, &admin, "omar@portal.test", Role::Admin, None, false)
            .await
            .unwrap()
            .link
            .unwrap(),
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
        .link
        .expect("without a mail relay, an owner passes the link on");
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
            &[("password", PASSWORD), ("code", "000000")],
        )
        .await;
        assert_eq!(wrong.status().as_u16(), 422);
        let code = current_code(st, sam, 0).await;
        let confirmed = call(
            &client,
            &base,
            "account/two_factor/confirm",
            &[("password", PASSWORD), ("code", &code)],
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
        // A few wrong codes end the half-finished sign-in: the password comes first again (the
        // spent recovery code above was the first of them).
        let wrong = common::wrong_code(st, sam).await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(
                call(&fourth, &base, "auth/code", &[("code", &wrong)])
                    .await
                    .status()
                    .as_u16(),
            );
        }
        assert_eq!(statuses, [422, 409, 409, 409], "{statuses:?}");
        // Staff cannot turn it off.
        let off = call(
            &client,
            &base,
            "account/two_factor/change",
            &[
                ("action", "off"),
                ("password", PASSWORD),
                ("code", &current_code(st, sam, 1).await),
            ],
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
        two_factor::confirm(st, &owner, PASSWORD, &code, None)
            .await
            .unwrap();
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

/// The one-time link of the newest invitation mail to `email`, as the mail job would send it
/// (the outbox keeps it sealed).
async fn mailed_link(st: &AppState, email: &str) -> String {
    let sealed: String = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT sealed_body FROM outbox WHERE recipient = $1 AND kind = 'invitation' ORDER BY id DESC LIMIT 1"
    )
    .bind(email)
    .fetch_one(pool)
    .await)
    .unwrap();
    let body = abuse_portal::server::sealed::open(
        &st.audit_keys,
        abuse_portal::server::usecase::mail::OUTBOX_SEAL,
        &sealed,
    )
    .unwrap();
    let body = String::from_utf8(body).unwrap();
    body.lines()
        .find(|l| l.contains("/invite/"))
        .unwrap()
        .trim()
        .to_owned()
}

on_both_engines!(
    invitations_stay_in_their_organisation_and_owners_never_hold_a_link,
    adjust = |c| c.mail.smtp_url = Some("smtp://127.0.0.1:9".into()),
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let admin = actor(st, "admin@portal.test").await;
        let bob = actor(st, "bob@globex.test").await;
        // The abuse desk invites x as staff; Globex's owner invites the same address.
        let desk = people::invite(st, &admin, "x@shared.test", Role::Staff, None, false)
            .await
            .unwrap();
        let desk_link = desk.link.expect("an admin gets the link, to pass on");
        let by_owner = people::invite(st, &bob, "x@shared.test", Role::Customer, bob.org_id, false)
            .await
            .unwrap();
        assert_eq!(by_owner.link, None, "the link goes by mail only");
        // The owner's invitation did not withdraw the desk's.
        assert!(people::invitation(st, &token(&desk_link)).await.is_ok());
        // An address with an account reads like any other to an owner; nothing is sent to it.
        let existing = people::invite(
            st,
            &bob,
            "alice@acme.test",
            Role::Customer,
            bob.org_id,
            false,
        )
        .await
        .unwrap();
        assert_eq!(
            (existing.email.as_str(), existing.link.is_none()),
            ("alice@acme.test", true)
        );
        let listed = people::people(st, &bob, None).await.unwrap();
        assert!(
            listed
                .invitations
                .iter()
                .any(|i| i.email == "alice@acme.test" && i.open),
            "listed as any invitation"
        );
        let to_alice: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'alice@acme.test' AND kind = 'invitation'"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert_eq!(to_alice, 0);
        // Accepting checks the sender: Bob is no longer an owner once another owner exists and
        // the desk takes his flag; his invitation stops working.
        let frank_link = {
            people::invite(
                st,
                &bob,
                "frank@globex.test",
                Role::Customer,
                bob.org_id,
                false,
            )
            .await
            .unwrap();
            mailed_link(st, "frank@globex.test").await
        };
        let gina = people::invite(
            st,
            &admin,
            "gina@globex.test",
            Role::Customer,
            bob.org_id,
            true,
        )
        .await
        .unwrap()
        .link
        .unwrap();
        people::accept_invitation(st, &token(&gina), PASSWORD, PASSWORD)
            .await
            .unwrap();
        people::change(st, &admin, bob.user_id, Change::RemoveOwner)
            .await
            .unwrap();
        assert!(matches!(
            people::accept_invitation(st, &token(&frank_link), PASSWORD, PASSWORD).await,
            Err(AppError::Conflict(m)) if m.contains("sender may no longer invite")
        ));
        // A disabled admin's invitation stops working too.
        abuse_portal::server::usecase::accounts::create_user(
            st,
            "second-admin@portal.test",
            PASSWORD,
            Role::Admin,
            None,
        )
        .await
        .unwrap();
        let second = actor(st, "second-admin@portal.test").await;
        people::change(st, &second, admin.user_id, Change::Disable)
            .await
            .unwrap();
        assert!(matches!(
            people::accept_invitation(st, &token(&desk_link), PASSWORD, PASSWORD).await,
            Err(AppError::Conflict(_))
        ));
    }
);

on_both_engines!(
    owners_cannot_undo_the_desk_or_remove_each_other_and_the_last_owner_stays,
    |env| {
        use abuse_portal::server::db::audit::{list_trail, Trail};
        use abuse_portal::server::usecase::accounts::create_user;
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let admin = actor(st, "admin@portal.test").await;
        let alice = actor(st, "alice@acme.test").await;
        create_user(
            st,
            "carol@acme.test",
            PASSWORD,
            Role::Customer,
            Some("Acme Hosting Ltd"),
        )
        .await
        .unwrap();
        let carol = actor(st, "carol@acme.test").await.user_id;
        let conflict = |r: Result<(), AppError>, words: &str| match r {
            Err(AppError::Conflict(m)) => assert!(m.contains(words), "{m}"),
            other => panic!("expected a refusal ({words}), got {other:?}"),
        };
        // The desk disables Carol: her owner cannot enable her again.
        people::change(st, &admin, carol, Change::Disable)
            .await
            .unwrap();
        conflict(
            people::change(st, &alice, carol, Change::Enable).await,
            "only the abuse desk",
        );
        let view = people::people(st, &alice, None).await.unwrap();
        let row = view.people.iter().find(|p| p.id == carol.0).unwrap();
        assert!(row.disabled_by_provider);
        assert!(
            row.actions.iter().all(|a| a.change != "enable"),
            "{:?}",
            row.actions
        );
        people::change(st, &admin, carol, Change::Enable)
            .await
            .unwrap();
        // Alice makes Carol an owner; then neither owner can demote or disable the other.
        people::change(st, &alice, carol, Change::MakeOwner)
            .await
            .unwrap();
        for change in [Change::RemoveOwner, Change::Disable] {
            conflict(
                people::change(st, &alice, carol, change).await,
                "another owner",
            );
        }
        // The desk can, as long as an owner stays: never the last active one.
        people::change(st, &admin, carol, Change::RemoveOwner)
            .await
            .unwrap();
        for change in [Change::RemoveOwner, Change::Disable] {
            conflict(
                people::change(st, &admin, alice.user_id, change).await,
                "last active owner",
            );
        }
        // Every change is in the provider's log under its own name.
        let actions: Vec<String> = list_trail(&st.db, Trail::Provider)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.record.action)
            .collect();
        for action in [
            "account_disabled",
            "account_enabled",
            "owner_added",
            "owner_removed",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
);

/// Makes every insert into the provider's audit log fail, as a full disk or a lost connection
/// would at that moment.
async fn refuse_audit_entries(env: &common::TestEnv) {
    let statements: &[&str] = match env.engine {
        common::Engine::Sqlite => &[
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON provider_audit_entries \
             BEGIN SELECT RAISE(ABORT, 'the audit log refuses entries'); END",
        ],
        common::Engine::Postgres => &[
            "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'the audit log refuses entries'; END $$",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON provider_audit_entries \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
    };
    for sql in statements {
        exec(&env.st, sql).await;
    }
}

on_both_engines!(a_change_whose_audit_entry_fails_is_undone, |env| {
    use abuse_portal::server::usecase::{api_tokens, two_factor};
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    let bob = actor(st, "bob@globex.test").await;
    let open = people::invite(st, &admin, "olga@portal.test", Role::Staff, None, false)
        .await
        .unwrap()
        .link
        .unwrap();
    let invitation_id: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT id FROM invitations WHERE email = 'olga@portal.test'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let bob_code = {
        common::enable_two_factor(st, "bob@globex.test", "demo-password-1").await;
        common::current_code(st, bob.user_id, 1).await
    };
    refuse_audit_entries(&env).await;

    // Each change fails with its entry, and nothing of it stays.
    assert!(people::change(st, &admin, alice.user_id, Change::Disable)
        .await
        .is_err());
    assert!(sign_in(st, "alice@acme.test", "demo-password-1", None)
        .await
        .is_ok());
    assert!(
        people::change_password(st, &alice, "demo-password-1", PASSWORD, PASSWORD, None)
            .await
            .is_err()
    );
    assert!(sign_in(st, "alice@acme.test", "demo-password-1", None)
        .await
        .is_ok());
    assert!(people::revoke_invitation(st, &admin, invitation_id)
        .await
        .is_err());
    assert!(people::invitation(st, &token(&open)).await.is_ok());
    assert!(
        api_tokens::create(st, &admin, "billing sync", "inventory:read")
            .await
            .is_err()
    );
    assert!(api_tokens::list(st, &admin).await.unwrap().is_empty());
    assert!(two_factor::set_org_requirement(st, &bob, true)
        .await
        .is_err());
    assert!(
        two_factor::turn_off(st, &bob, "demo-password-1", &bob_code, None)
            .await
            .is_err()
    );
    let bob_state = abuse_portal::server::db::two_factor::state(&st.db, bob.user_id)
        .await
        .unwrap()
        .unwrap();
    assert!(bob_state.totp_enabled_at.is_some() && !bob_state.required_by_org);
});
