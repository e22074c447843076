//! Evidence uploads and downloads over HTTP, on both engines: files stream to disk by content
//! hash, limits and types are enforced, and only the owner and staff can download.

mod common;

use abuse_portal::domain::account::Email;
use abuse_portal::domain::actor::Actor;
use abuse_portal::domain::ids::ServiceId;
use abuse_portal::domain::notice::{NoticeCategory, NoticeSource, NoticeState};
use abuse_portal::server::db::{accounts, responses};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::notices::{self as cases, OpenNotice};
use common::{client, location, post_login};
use reqwest::multipart::{Form, Part};
use time::Duration;

async fn open_for_alice(st: &AppState) -> i64 {
    let staff_row =
        accounts::find_user_by_email(&st.db, &Email::parse("staff@portal.test").unwrap())
            .await
            .unwrap()
            .unwrap();
    let staff = Actor {
        user_id: staff_row.user_id(),
        role: staff_row.role().unwrap(),
        org_id: None,
    };
    let service: i64 = abuse_portal::on_db!(&st.db, |pool| sqlx::query_scalar(
        "SELECT id FROM services WHERE label = 'mail-01.acme.test'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let now = st.now();
    cases::open_notice(
        st,
        &staff,
        OpenNotice {
            service: ServiceId(service),
            ips: vec![],
            category: NoticeCategory::Spam,
            source: NoticeSource::ThirdPartyReport,
            high_risk: false,
            summary: "Recipients reported 300 unsolicited messages from this server.".into(),
            event_count: 300,
            first_seen_at: now - Duration::hours(3),
            last_seen_at: now - Duration::hours(1),
            verification_note: "Checked the complaint headers against our logs.".into(),
            shorter_deadline: None,
        },
    )
    .await
    .unwrap()
}

fn statement(form: Form) -> Form {
    form.text("cause", "A weak SMTP password was guessed by a spammer.")
        .text(
            "fix",
            "Reset every mailbox password and purged the mail queue.",
        )
        .text(
            "prevention",
            "fail2ban on SMTP auth and outbound rate limits.",
        )
}

const LOG: &[u8] = b"Nov 24 10:00:01 mail postfix/smtpd[1]: warning: SASL authentication failed\n";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn upload(c: &reqwest::Client, base: &str, id: i64, form: Form) -> reqwest::Response {
    c.post(format!("{base}/notices/{id}/evidence"))
        .header("origin", base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

on_both_engines!(
    a_customer_uploads_files_that_only_their_organisation_and_staff_can_download,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let id = open_for_alice(st).await;
        let base = env.serve().await;
        let alice = client();
        post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
        let form = statement(Form::new())
            .text("kind_1", "log_excerpt")
            .part("file_1", Part::bytes(LOG).file_name("../../maillog.txt"))
            .text("kind_2", "malware_scan")
            .part("file_2", Part::bytes(PDF).file_name("scan.pdf"));
        let res = upload(&alice, &base, id, form).await;
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (303, format!("/notices/{id}"))
        );
        let notice = cases::get_notice(
            st,
            &Actor {
                user_id: abuse_portal::domain::ids::UserId(0),
                role: abuse_portal::domain::actor::Role::Staff,
                org_id: None,
            },
            id,
        )
        .await
        .unwrap();
        assert_eq!(notice.state, NoticeState::EvidenceSubmitted);
        let files = responses::files_of_notice(&st.db, id).await.unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(
            (
                files[0].display_name.as_str(),
                files[0].detected_type.as_str()
            ),
            ("maillog.txt", "text/plain")
        );
        assert_eq!(files[1].detected_type, "application/pdf");
        let on_disk = st.evidence.path_of(&files[0].sha256).unwrap();
        assert_eq!(std::fs::read(on_disk).unwrap(), LOG);

        let page = alice
            .get(format!("{base}/notices/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("/evidence/{}", files[0].id)) && page.contains("maillog.txt")
        );

        let dl = alice
            .get(format!("{base}/evidence/{}", files[1].id))
            .send()
            .await
            .unwrap();
        assert_eq!(dl.status(), 200);
        assert_eq!(dl.headers()["content-type"], "application/pdf");
        assert_eq!(dl.headers()["x-content-type-options"], "nosniff");
        assert!(dl.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"scan.pdf\""));
        assert_eq!(dl.bytes().await.unwrap().as_ref(), PDF);

        let staff = client();
        post_login(&staff, &base, "staff@portal.test", "demo-password-1").await;
        assert_eq!(
            staff
                .get(format!("{base}/evidence/{}", files[0].id))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let bob = client();
        post_login(&bob, &base, "bob@globex.test", "demo-password-1").await;
        assert_eq!(
            bob.get(format!("{base}/evidence/{}", files[0].id))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            upload(&bob, &base, id, statement(Form::new()))
                .await
                .status(),
            404,
            "nor can they submit to it"
        );
        assert_eq!(
            client()
                .get(format!("{base}/evidence/{}", files[0].id))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
);

on_both_engines!(
    oversized_and_disguised_files_are_refused_and_the_statement_is_kept,
    |env| {
        let mut env = env;
        let mut config = (*env.st.config).clone();
        config.evidence.max_file_bytes = 1024;
        env.st.config = std::sync::Arc::new(config);
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let id = open_for_alice(st).await;
        let base = env.serve().await;
        let alice = client();
        post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;

        let big = statement(Form::new()).text("kind_1", "log_excerpt").part(
            "file_1",
            Part::bytes(vec![b'a'; 2048]).file_name("huge.log"),
        );
        let res = upload(&alice, &base, id, big).await;
        assert_eq!(res.status(), 303);
        let back = location(&res);
        assert!(
            back.starts_with(&format!("/notices/{id}?evidence_error=")),
            "{back}"
        );
        assert!(back.contains("evidence_field=file_1"), "{back}");
        let page = alice
            .get(format!("{base}{back}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("huge.log is larger than the 1024 bytes limit for one file."),
            "the message is shown"
        );
        assert!(
            page.contains("A weak SMTP password was guessed by a spammer."),
            "the statement is kept"
        );

        let exe = statement(Form::new()).text("kind_1", "malware_scan").part(
            "file_1",
            Part::bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04".to_vec()).file_name("scan.pdf"),
        );
        let res = upload(&alice, &base, id, exe).await;
        let page = alice
            .get(format!("{base}{}", location(&res)))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("scan.pdf: This file is not an image, a PDF or plain text"),
            "disguised executables are refused"
        );

        let short = Form::new()
            .text("cause", "x")
            .text("fix", "y")
            .text("prevention", "z")
            .part("file_1", Part::bytes(LOG).file_name("a.log"));
        let res = upload(&alice, &base, id, short).await;
        assert!(
            location(&res).contains("evidence_field=cause"),
            "{}",
            location(&res)
        );

        assert!(responses::files_of_notice(&st.db, id)
            .await
            .unwrap()
            .is_empty());
        let staff = Actor {
            user_id: abuse_portal::domain::ids::UserId(0),
            role: abuse_portal::domain::actor::Role::Staff,
            org_id: None,
        };
        assert_eq!(
            cases::get_notice(st, &staff, id).await.unwrap().state,
            NoticeState::Open,
            "nothing was submitted"
        );
        let tmp = env.st.config.data_dir.join("evidence").join("tmp");
        assert_eq!(
            std::fs::read_dir(tmp).map(|d| d.count()).unwrap_or(0),
            0,
            "no partial files are left"
        );
    }
);
