//! People on real SQLite and PostgreSQL: invitations (one-time, expiring, withdrawable, only
//! their hash stored), owners who manage their own organisation and no other, admins who set
//! provider roles (and nobody their own), disabled accounts whose sessions end, and password
//! changes.

mod common;

use abuse_portal::domain::account::Email;
use abuse_portal::domain::actor::{Actor, Role};
use abuse_portal::error::AppError;
use abuse_portal::server::db::accounts;
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::accounts::sign_in;
use abuse_portal::server::usecase::people::{self, Change};

const PASSWORD: &str = "a long new password 1";

async fn actor(st: &AppState, email: &str) -> Actor {
    let row = accounts::find_user_by_email(&st.db, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    Actor {
        user_id: row.user_id(),
        role: row.role().unwrap(),
        org_id: row.org_id(),
    }
}

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
