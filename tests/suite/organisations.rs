//! The inventory on real SQLite and PostgreSQL: organisations and services managed by admins,
//! address assignments that keep their history and never overlap (refused by the database, even
//! under concurrent writes), "who held this address then", search, and who may do what.

use crate::common;
use common::actor;

use abuse_portal::domain::actor::Actor;
use abuse_portal::domain::enforcement::EnforcementKind;
use abuse_portal::domain::ids::{OrgId, ServiceId};
use abuse_portal::domain::zone::Zone;
use abuse_portal::error::AppError;
use abuse_portal::server::db::{enforcement, inventory as store, services};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::organisations::{self as inventory, OrgForm};
use time::Duration;

fn form(name: &str) -> OrgForm {
    OrgForm {
        name: name.into(),
        abuse_email: format!("abuse@{}.test", name.to_lowercase().replace(' ', "-")),
        ..OrgForm::default()
    }
}

use crate::common::WHY;

async fn exec(st: &AppState, sql: &str) -> Result<(), sqlx::Error> {
    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Two new organisations with a service each.
async fn two_customers(st: &AppState) -> (Actor, (OrgId, ServiceId), (OrgId, ServiceId)) {
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let initech = inventory::create_organisation(st, &admin, &form("Initech"), WHY)
        .await
        .unwrap();
    let umbrella = inventory::create_organisation(st, &admin, &form("Umbrella"), WHY)
        .await
        .unwrap();
    let a = inventory::create_service(st, &admin, initech, "app-01.initech.test", "vps", WHY)
        .await
        .unwrap();
    let b = inventory::create_service(
        st,
        &admin,
        umbrella,
        "web-01.umbrella.test",
        "dedicated_server",
        WHY,
    )
    .await
    .unwrap();
    (admin, (initech, a), (umbrella, b))
}

on_both_engines!(
    assignments_keep_their_history_and_answer_who_held_an_address,
    |env| {
        let st = &env.st;
        let (admin, (initech, a), (umbrella, b)) = two_customers(st).await;
        let staff = actor(st, "staff@portal.test").await;
        inventory::assign_block(st, &admin, a, "198.51.100.7", WHY)
            .await
            .unwrap();
        inventory::assign_block(st, &admin, a, "2001:db8:1e::/64", WHY)
            .await
            .unwrap();
        let service = inventory::service(st, &staff, a).await.unwrap();
        assert_eq!(
            service
                .current
                .iter()
                .map(|c| c.block.as_str())
                .collect::<Vec<_>>(),
            ["198.51.100.7", "2001:db8:1e::/64"]
        );
        // The customer-facing pages see the addresses too, and a new VPS address starts with port 25
        // restricted (policy §5), a /64 does not get a per-address restriction.
        let listed = services::get(&st.db, a).await.unwrap().unwrap();
        assert_eq!(listed.ips, ["198.51.100.7", "2001:db8:1e::/64"]);
        let measures = enforcement::for_service(&st.db, a).await.unwrap();
        assert_eq!(measures.len(), 1);
        assert_eq!(measures[0].measure.kind, EnforcementKind::Port25Restriction);

        // Who held 198.51.100.7 an hour ago: nobody; now: Initech.
        let before = Zone::utc().input_value(st.now() - Duration::hours(1));
        let answer = inventory::search(st, &staff, "198.51.100.7", &before, None)
            .await
            .unwrap();
        assert_eq!(answer.holder.unwrap().assignment, None);
        let now = Zone::utc().input_value(st.now() + Duration::minutes(1));
        let answer = inventory::search(st, &staff, "198.51.100.7", &now, None)
            .await
            .unwrap();
        assert_eq!(
            answer.holder.unwrap().assignment.unwrap().organisation_name,
            "Initech"
        );
        // An address inside the prefix finds it.
        let inside = inventory::search(st, &staff, "2001:db8:1e::42", "", None)
            .await
            .unwrap();
        assert_eq!(inside.assignments[0].block, "2001:db8:1e::/64");

        // Move the address to Umbrella's service: two assignments, the history answers for both.
        exec(st, "UPDATE address_assignments SET assigned_at = '2000-01-01T00:00:00Z' WHERE block = '198.51.100.7'")
        .await
        .expect_err("history cannot be rewritten");
        inventory::release_block(
            st,
            &admin,
            "198.51.100.7",
            Some(b),
            "Customer moved the address to its other contract.",
        )
        .await
        .unwrap();
        let history = inventory::search(st, &staff, "198.51.100.7", "", None)
            .await
            .unwrap()
            .assignments;
        assert_eq!(history.len(), 2);
        assert_eq!(
            (
                history[0].organisation_name.as_str(),
                history[0].until_text.is_none()
            ),
            ("Umbrella", true)
        );
        assert_eq!(
            (
                history[1].organisation_name.as_str(),
                history[1].until_text.is_some()
            ),
            ("Initech", true)
        );
        assert_eq!(
            history[1].release_reason.as_deref(),
            Some("Customer moved the address to its other contract.")
        );
        assert_eq!(history[1].assigned_by, "admin@portal.test");

        // Moving the whole service ends and restarts its assignments under the new owner.
        inventory::update_service(
            st,
            &admin,
            a,
            "app-01.initech.test",
            "vps",
            umbrella,
            "Initech was bought by Umbrella.",
        )
        .await
        .unwrap();
        let moved = inventory::service(st, &staff, a).await.unwrap();
        assert_eq!(moved.organisation_name, "Umbrella");
        assert_eq!(moved.current[0].organisation_name, "Umbrella");
        assert!(moved
            .history
            .iter()
            .any(|h| h.organisation_name == "Initech" && h.until_text.is_some()));
        let _ = initech;

        // Retiring releases what it holds; the organisation retires once its services have.
        assert!(matches!(
            inventory::retire_organisation(st, &admin, umbrella, "Contract ended in full.").await,
            Err(AppError::Conflict(_))
        ));
        inventory::retire_service(st, &admin, a, "Contract ended in full.")
            .await
            .unwrap();
        inventory::retire_service(st, &admin, b, "Contract ended in full.")
            .await
            .unwrap();
        assert!(services::get(&st.db, b)
            .await
            .unwrap()
            .unwrap()
            .ips
            .is_empty());
        inventory::retire_organisation(st, &admin, umbrella, "Contract ended in full.")
            .await
            .unwrap();
        assert!(matches!(
            inventory::assign_block(st, &admin, b, "198.51.100.9", WHY).await,
            Err(AppError::Conflict(_))
        ));
        // Everything above is in the provider-wide log, which verifies.
        let report = abuse_portal::server::usecase::audit::verify_all(st)
            .await
            .unwrap();
        assert!(report.broken.is_empty());
        assert!(report.provider_entries >= 10);
    }
);

on_both_engines!(two_services_never_hold_one_address_at_one_time, |env| {
    let st = &env.st;
    let (admin, (_, a), (_, b)) = two_customers(st).await;
    inventory::assign_block(st, &admin, a, "198.18.5.64/28", WHY)
        .await
        .unwrap();
    // The form says who holds it.
    let refused = inventory::assign_block(st, &admin, b, "198.18.5.70", WHY)
        .await
        .unwrap_err();
    assert_eq!(
        refused
            .field_message("block")
            .unwrap()
            .split(" since")
            .next()
            .unwrap(),
        "198.18.5.64/28 is held by app-01.initech.test (Initech)"
    );
    // A demo address is taken too.
    assert!(inventory::assign_block(st, &admin, b, "203.0.113.10", WHY)
        .await
        .is_err());
    // The database refuses it even without the form's check.
    let direct = exec(
        st,
        &format!(
            "INSERT INTO address_assignments (block, range_start, range_end, service_id, organisation_id, assigned_at, reason) \
             SELECT '198.18.5.70', '00000000000000000000ffffc6120546', '00000000000000000000ffffc6120546', id, organisation_id, \
             '2099-01-01T00:00:00Z', 'by hand' FROM services WHERE id = {}",
            b.0
        ),
    )
    .await;
    assert!(direct
        .unwrap_err()
        .to_string()
        .contains("address assignments overlap"));

    // Twenty admins assign overlapping blocks to either service at the same moment: one wins.
    let mut race = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (st, admin) = (st.clone(), admin.clone());
        let (service, block) = match i % 4 {
            0 => (a, "198.18.5.128/27"),
            1 => (b, "198.18.5.130"),
            2 => (b, "198.18.5.128/26"),
            _ => (a, "198.18.5.130/31"),
        };
        race.spawn(async move { inventory::assign_block(&st, &admin, service, block, WHY).await });
    }
    let mut won = 0;
    while let Some(result) = race.join_next().await {
        match result.unwrap() {
            Ok(()) => won += 1,
            Err(e) => assert!(
                matches!(&e, AppError::Invalid { field, .. } if field == "block"),
                "{e:?}"
            ),
        }
    }
    assert_eq!(won, 1, "exactly one assignment covers 198.18.5.128/26");
    let held: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM address_assignments WHERE released_at IS NULL AND range_start >= '00000000000000000000ffffc6120580' \
         AND range_end <= '00000000000000000000ffffc61205bf'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(held, 1);
    // History cannot be removed.
    assert!(exec(st, "DELETE FROM address_assignments").await.is_err());
});

on_both_engines!(staff_search_and_admins_change, |env| {
    let st = &env.st;
    let (admin, (initech, a), _) = two_customers(st).await;
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;
    // Only admins change the inventory; staff read it; customers do neither.
    assert_eq!(
        inventory::create_organisation(st, &staff, &form("Hooli"), WHY)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        inventory::assign_block(st, &staff, a, "198.51.100.7", WHY)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        inventory::search(st, &alice, "acme", "", None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        inventory::organisation(st, &alice, initech)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert!(
        !inventory::organisation(st, &staff, initech)
            .await
            .unwrap()
            .may_edit
    );
    assert!(
        inventory::organisation(st, &admin, initech)
            .await
            .unwrap()
            .may_edit
    );
    // Bad input is refused by field, and a reason is required.
    let bad = inventory::create_organisation(
        st,
        &admin,
        &OrgForm {
            name: String::new(),
            abuse_email: "nobody".into(),
            ..OrgForm::default()
        },
        WHY,
    )
    .await
    .unwrap_err();
    assert!(bad.field_message("name").is_some() && bad.field_message("abuse_email").is_some());
    assert!(
        inventory::create_organisation(st, &admin, &form("Hooli"), "no")
            .await
            .unwrap_err()
            .field_message("reason")
            .is_some()
    );
    assert!(
        inventory::create_organisation(st, &admin, &form("Initech"), WHY)
            .await
            .unwrap_err()
            .field_message("name")
            .is_some()
    );
    assert!(
        inventory::create_service(st, &admin, initech, "app-01.initech.test", "vps", WHY)
            .await
            .unwrap_err()
            .field_message("label")
            .is_some()
    );
    assert!(
        inventory::assign_block(st, &admin, a, "198.51.100.5/28", WHY)
            .await
            .unwrap_err()
            .field_message("block")
            .unwrap()
            .contains("198.51.100.0/28")
    );
    // Search by name, by a member's e-mail, by service label.
    let by_name = inventory::search(st, &staff, "initech", "", None)
        .await
        .unwrap();
    assert_eq!(by_name.organisations, [(initech.0, "Initech".to_owned())]);
    assert_eq!(by_name.services[0].1, "app-01.initech.test");
    let by_member = inventory::search(st, &staff, "alice@acme", "", None)
        .await
        .unwrap();
    assert_eq!(by_member.organisations[0].1, "Acme Hosting Ltd");
    // The demo's addresses were given their history.
    let acme_address = inventory::search(st, &staff, "203.0.113.10", "", None)
        .await
        .unwrap();
    assert_eq!(
        acme_address.assignments[0].organisation_name,
        "Acme Hosting Ltd"
    );
});

on_both_engines!(addresses_listed_before_the_history_get_one, |env| {
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let service: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT id FROM services WHERE label = 'web-01.acme.test'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    exec(
        st,
        &format!(
            "INSERT INTO service_ips (service_id, address) VALUES ({service}, '198.51.100.200')"
        ),
    )
    .await
    .unwrap();
    assert_eq!(store::backfill_assignments(&st.db).await.unwrap(), 1);
    assert_eq!(
        store::backfill_assignments(&st.db).await.unwrap(),
        0,
        "once"
    );
    let history = store::history_of_service(&st.db, ServiceId(service))
        .await
        .unwrap();
    let old = history
        .iter()
        .find(|h| h.block == "198.51.100.200")
        .unwrap();
    assert_eq!(old.reason, "Recorded before address history was kept.");
    assert_eq!(old.assigned_by_email, None);
});

on_both_engines!(
    an_import_previews_applies_and_changes_nothing_the_second_time,
    |env| {
        use abuse_portal::server::usecase::inventory_import::import;
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let admin = actor(st, "admin@portal.test").await;
        let staff = actor(st, "staff@portal.test").await;
        let csv = "organisation,abuse_email,service,kind,addresses\n\
               Initech,abuse@initech.test,app-01.initech.test,vps,198.18.7.5 2001:db8:7e57::/64\n\
               Initech,,db-01.initech.test,Dedicated server (bare metal),198.18.7.6\n\
               Acme Hosting Ltd,,web-01.acme.test,vps,203.0.113.10 198.18.7.20\n\
               Umbrella,,web-01.umbrella.test,vps,198.18.7.30\n\
               Hooli,abuse@hooli.test,x.hooli.test,vps,203.0.113.11\n";
        let preview = import(st, &admin, csv, false).await.unwrap();
        assert_eq!(
            (preview.changing, preview.unchanged, preview.refused),
            (3, 0, 2)
        );
        assert_eq!(
            preview.rows[3].error.as_deref(),
            Some("Umbrella is a new organisation: give its abuse_email.")
        );
        assert_eq!(
        preview.rows[4].error.as_deref(),
        Some("203.0.113.11 is held by app-02.acme.test (Acme Hosting Ltd): release it there first.")
    );
        assert_eq!(
            preview.rows[0].changes,
            [
                "organisation Initech created",
                "service app-01.initech.test (VPS) created",
                "198.18.7.5 assigned",
                "2001:db8:7e57::/64 assigned"
            ]
        );
        // A preview changes nothing.
        assert!(inventory::search(st, &staff, "initech", "", None)
            .await
            .unwrap()
            .organisations
            .is_empty());

        let applied = import(st, &admin, csv, true).await.unwrap();
        assert_eq!((applied.changing, applied.refused), (3, 2));
        let found = inventory::search(st, &staff, "198.18.7.6", "", None)
            .await
            .unwrap();
        assert_eq!(found.assignments[0].service_label, "db-01.initech.test");
        let acme = inventory::search(st, &staff, "198.18.7.20", "", None)
            .await
            .unwrap();
        assert_eq!(acme.assignments[0].organisation_name, "Acme Hosting Ltd");
        // The same file again: nothing to do.
        let again = import(st, &admin, csv, true).await.unwrap();
        assert_eq!((again.changing, again.unchanged, again.refused), (0, 3, 2));
        // The system dropped an address: it is released, its history kept.
        let smaller = "organisation,service,kind,addresses\nAcme Hosting Ltd,web-01.acme.test,vps,203.0.113.10\n";
        let released = import(st, &admin, smaller, true).await.unwrap();
        assert_eq!(released.rows[0].changes, ["198.18.7.20 released"]);
        let history = inventory::search(st, &staff, "198.18.7.20", "", None)
            .await
            .unwrap()
            .assignments;
        assert!(history[0].until_text.is_some());
        // Bad files and callers.
        assert!(import(st, &admin, "org,service\nx,y\n", false)
            .await
            .unwrap_err()
            .field_message("csv")
            .unwrap()
            .contains("missing"));
        assert!(
            import(st, &admin, "organisation,service,kind,addresses\n", false)
                .await
                .unwrap_err()
                .field_message("csv")
                .is_some()
        );
        assert_eq!(
            import(st, &staff, csv, false).await.unwrap_err(),
            AppError::Forbidden
        );
    }
);

on_both_engines!(the_inventory_api_answers_tokens_with_their_scopes, |env| {
    use abuse_portal::server::usecase::api_tokens;
    use abuse_portal::server::usecase::people::{self, Change};
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let reader = api_tokens::create(st, &admin, "billing sync (read)", "inventory:read")
        .await
        .unwrap()
        .token;
    let writer = api_tokens::create(st, &admin, "billing sync", "inventory:read inventory:write")
        .await
        .unwrap();
    let base = env.serve().await;
    let http = reqwest::Client::new();
    let get = |path: &str, token: Option<&str>| {
        let mut req = http.get(format!("{base}{path}"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    // Without a token, with a bad one, or without the scope.
    let none = get("/api/v1/organisations", None).await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    assert_eq!(none.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        get("/api/v1/organisations", Some("apt_nonsense"))
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let page: serde_json::Value = get("/api/v1/organisations?limit=1", Some(&reader))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["organisations"].as_array().unwrap().len(), 1);
    let next = page["next"].as_i64().unwrap();
    let rest: serde_json::Value = get(
        &format!("/api/v1/organisations?after={next}"),
        Some(&reader),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(rest["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "Globex Corp"));
    let put = |token: &str, body: serde_json::Value| {
        http.put(format!("{base}/api/v1/services"))
            .bearer_auth(token.to_owned())
            .json(&body)
            .send()
    };
    let service = serde_json::json!({
        "organisation": "Initech", "abuse_email": "abuse@initech.test", "service": "app-01.initech.test",
        "kind": "vps", "addresses": ["198.18.8.1", "2001:db8:8::/64"]
    });
    let refused = put(&reader, service.clone()).await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused.text().await.unwrap().contains("inventory:write"));
    // A service made to match, then again: nothing to change.
    let made = put(&writer.token, service.clone()).await.unwrap();
    assert_eq!(made.status().as_u16(), 200);
    let changes: serde_json::Value = made.json().await.unwrap();
    assert_eq!(changes["changes"].as_array().unwrap().len(), 4);
    let again: serde_json::Value = put(&writer.token, service.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["changes"], serde_json::json!([]));
    // A burst of 40 identical calls for a new organisation: every one answers, one makes it.
    let hooli = serde_json::json!({
        "organisation": "Hooli", "abuse_email": "abuse@hooli.test", "service": "gpu-01.hooli.test",
        "kind": "dedicated_gpu_server", "addresses": ["198.18.9.1"]
    });
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let req = http
            .put(format!("{base}/api/v1/services"))
            .bearer_auth(writer.token.clone())
            .json(&hooli);
        burst.spawn(req.send());
    }
    let mut made_it = 0;
    while let Some(res) = burst.join_next().await {
        let res = res.unwrap().unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert_eq!(status, 200, "{text}");
        if text != r#"{"changes":[]}"# {
            made_it += 1;
        }
    }
    assert_eq!(made_it, 1);
    let listed: serde_json::Value = get("/api/v1/services?organisation=Initech", Some(&reader))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["services"][0]["addresses"],
        serde_json::json!(["198.18.8.1", "2001:db8:8::/64"])
    );
    // Bad input and conflicts, as statuses.
    let mut bad_kind = service.clone();
    bad_kind["kind"] = "toaster".into();
    assert_eq!(
        put(&writer.token, bad_kind)
            .await
            .unwrap()
            .status()
            .as_u16(),
        422
    );
    let mut taken = service.clone();
    taken["service"] = "db-01.initech.test".into();
    taken["addresses"] = serde_json::json!(["203.0.113.10"]);
    let conflict = put(&writer.token, taken).await.unwrap();
    assert_eq!(conflict.status().as_u16(), 409);
    assert!(conflict
        .text()
        .await
        .unwrap()
        .contains("held by web-01.acme.test"));
    let not_json = http
        .put(format!("{base}/api/v1/services"))
        .bearer_auth(&writer.token)
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    // Organisations by name.
    let post = |body: serde_json::Value| {
        http.post(format!("{base}/api/v1/organisations"))
            .bearer_auth(writer.token.clone())
            .json(&body)
            .send()
    };
    let no_contact = post(serde_json::json!({ "name": "Umbrella" }))
        .await
        .unwrap();
    assert_eq!(no_contact.status().as_u16(), 422);
    assert_eq!(
        no_contact.json::<serde_json::Value>().await.unwrap()["field"],
        "abuse_email"
    );
    assert_eq!(
        post(serde_json::json!({ "name": "Umbrella", "abuse_email": "abuse@umbrella.test" }))
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let same: serde_json::Value = post(serde_json::json!({ "name": "Umbrella" }))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(same["changes"], serde_json::json!([]));
    // Every documented operation is served.
    let doc: serde_json::Value = get("/api/v1/openapi.json", None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for e in abuse_portal::server::inbound::api_v1::ENDPOINTS {
        assert!(
            doc["paths"][e.path][e.method].is_object(),
            "{} {}",
            e.method,
            e.path
        );
        let res = http
            .request(
                e.method.to_uppercase().parse().unwrap(),
                format!("{base}{}", e.path),
            )
            .bearer_auth(&writer.token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            ![404u16, 405].contains(&res.status().as_u16()),
            "{} {} answered {}",
            e.method,
            e.path,
            res.status()
        );
    }
    // Revoked, or its admin disabled: the token stops working.
    api_tokens::revoke(st, &admin, writer.id).await.unwrap();
    assert_eq!(
        get("/api/v1/services", Some(&writer.token))
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    let second_admin = actor(st, "staff@portal.test").await;
    people::change(
        st,
        &admin,
        second_admin.user_id,
        Change::Role(abuse_portal::domain::actor::Role::Admin),
    )
    .await
    .unwrap();
    let second_admin = actor(st, "staff@portal.test").await;
    people::change(st, &second_admin, admin.user_id, Change::Disable)
        .await
        .unwrap();
    assert_eq!(
        get("/api/v1/organisations", Some(&reader))
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
});

on_both_engines!(
    the_organisation_list_pages_through_every_organisation_once,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let admin = actor(st, "admin@portal.test").await;
        // Names that sort apart from their creation order, with a shared prefix and spaces.
        for i in 0..130 {
            let name = format!("Customer {:03}", (i * 37) % 130);
            inventory::create_organisation(st, &admin, &form(&name), WHY)
                .await
                .unwrap();
        }
        let staff = actor(st, "staff@portal.test").await;
        let mut seen: Vec<String> = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = inventory::search(st, &staff, "", "", after).await.unwrap();
            assert!(page.organisations.len() <= 100);
            seen.extend(page.organisations.into_iter().map(|(_, name)| name));
            pages += 1;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, 2);
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen, sorted, "in name order, none twice");
        assert_eq!(seen.len(), 130 + 2, "the demo's two and the 130 made here");
    }
);

/// Sends `head` (a request line and headers announcing a body of `length` bytes) and the first
/// 100 bytes of that body, then waits: what came back before the server closed the connection,
/// or `None` if nothing did within 5 seconds.
async fn answer_before_the_body(base: &str, head: &str, length: usize) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}\r\nHost: {addr}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n{}",
        "{".repeat(100)
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&buf[..n]).into_owned())
}

on_both_engines!(the_api_checks_the_token_before_it_reads_a_body, |env| {
    use abuse_portal::server::usecase::api_tokens;
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let writer = api_tokens::create(st, &admin, "billing sync", "inventory:read inventory:write")
        .await
        .unwrap()
        .token;
    let base = env.serve().await;
    // A client without a token announces a large body and sends a little of it: it is told 401
    // at once, without the server waiting for (or reading) the rest.
    for (head, length) in [
        (
            "POST /api/v1/reports HTTP/1.1\r\nContent-Type: message/rfc822",
            2_000_000,
        ),
        (
            "POST /api/v1/organisations HTTP/1.1\r\nContent-Type: application/json",
            60_000,
        ),
        (
            "PUT /api/v1/services HTTP/1.1\r\nContent-Type: application/json",
            60_000,
        ),
    ] {
        let answer = answer_before_the_body(&base, head, length)
            .await
            .unwrap_or_else(|| panic!("{head}: no answer while the body was still due"));
        assert!(answer.starts_with("HTTP/1.1 401"), "{head}: {answer}");
    }
    // JSON sent under another content type is refused as such (415), not as bad JSON.
    let http = reqwest::Client::new();
    let body = serde_json::json!({ "name": "Initech", "abuse_email": "abuse@initech.test" });
    let wrong = http
        .post(format!("{base}/api/v1/organisations"))
        .bearer_auth(&writer)
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 415);
    let error: serde_json::Value = wrong.json().await.unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{error}"
    );
    // Too large a body for an authenticated caller: 413.
    let big = http
        .post(format!("{base}/api/v1/organisations"))
        .bearer_auth(&writer)
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(70_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status().as_u16(), 413);
    let ok = http
        .post(format!("{base}/api/v1/organisations"))
        .bearer_auth(&writer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
});

on_both_engines!(
    a_move_to_list_too_long_to_show_asks_for_a_number_instead_of_cutting_off,
    |env| {
        let st = &env.st;
        let (admin, (initech, a), (_, b)) = two_customers(st).await;
        let page = inventory::service(st, &admin, a).await.unwrap();
        let services = page.services.expect("a few services are listed");
        assert!(services.iter().any(|(id, _)| *id == b.0));
        assert!(page.organisations.is_some());
        // A thousand more services and organisations: more than a list in a form shows.
        exec(
            st,
            &format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
                 INSERT INTO services (organisation_id, label, kind, state, created_at) \
                 SELECT s.organisation_id, 'bulk-' || n.i, s.kind, s.state, s.created_at \
                 FROM services s, n WHERE s.id = {}",
                b.0
            ),
        )
        .await
        .unwrap();
        exec(
            st,
            &format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
                 INSERT INTO organisations (name, created_at) \
                 SELECT 'Bulk ' || n.i, o.created_at FROM organisations o, n WHERE o.id = {}",
                initech.0
            ),
        )
        .await
        .unwrap();
        let page = inventory::service(st, &admin, a).await.unwrap();
        assert_eq!(
            page.services, None,
            "no list that stops at 1,000 without a word"
        );
        assert_eq!(page.organisations, None);
        // The number typed instead moves the address; a number that is no service says so.
        inventory::assign_block(st, &admin, a, "198.51.100.9", WHY)
            .await
            .unwrap();
        assert_eq!(
            inventory::release_block(st, &admin, "198.51.100.9", Some(ServiceId(999_999)), WHY)
                .await
                .unwrap_err(),
            AppError::invalid("to_service", "No service has that number.")
        );
        inventory::release_block(st, &admin, "198.51.100.9", Some(b), WHY)
            .await
            .unwrap();
        let moved = inventory::service(st, &admin, b).await.unwrap();
        assert!(moved.current.iter().any(|c| c.block == "198.51.100.9"));
    }
);
