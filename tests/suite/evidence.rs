//! Evidence uploads and downloads over HTTP, on both engines: files stream to disk by content
//! hash, limits and types are enforced, and only the owner and staff can download.

use crate::common;

use abuse_portal::domain::account::Email;
use abuse_portal::domain::actor::Actor;
use abuse_portal::domain::ids::ServiceId;
use abuse_portal::domain::notice::{NoticeCategory, NoticeSource, NoticeState};
use abuse_portal::server::db::{accounts, responses};
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::notices::{self as cases, OpenNotice};
use common::{client, location, page_text, post_login};
use reqwest::multipart::{Form, Part};
use time::Duration;

/// The demo data, a notice opened against alice's organisation, the server, and alice signed in
/// to it: the notice's id, the server's base URL and alice's client.
async fn alice_signed_in_with_a_notice(env: &common::TestEnv) -> (i64, String, reqwest::Client) {
    seed::seed_demo(&env.st).await.unwrap();
    let id = open_for_alice(&env.st).await;
    let base = env.serve().await;
    let alice = client();
    post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
    (id, base, alice)
}

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
        zone: Default::default(),
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

/// `form` with a statement that passes the form's rules after it.
fn statement(form: Form) -> Form {
    common::with_statement(
        form,
        "A weak SMTP password was guessed by a spammer.",
        "Reset every mailbox password and purged the mail queue.",
        "fail2ban on SMTP auth and outbound rate limits.",
    )
}

const LOG: &[u8] = b"Nov 24 10:00:01 mail postfix/smtpd[1]: warning: SASL authentication failed\n";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

on_both_engines!(
    a_customer_uploads_files_that_only_their_organisation_and_staff_can_download,
    |env| {
        let st = &env.st;
        let (id, base, alice) = alice_signed_in_with_a_notice(&env).await;
        let form = statement(Form::new())
            .text("kind_1", "log_excerpt")
            .part("file_1", Part::bytes(LOG).file_name("../../maillog.txt"))
            .text("kind_2", "malware_scan")
            .part("file_2", Part::bytes(PDF).file_name("scan.pdf"));
        let res = common::post_evidence(&alice, &base, id, form).await;
        assert_eq!(
            (res.status().as_u16(), location(&res)),
            (303, format!("/notices/{id}"))
        );
        let notice = abuse_portal::server::usecase::case_access::get_notice(
            st,
            &Actor {
                user_id: abuse_portal::domain::ids::UserId(0),
                role: abuse_portal::domain::actor::Role::Staff,
                org_id: None,
                zone: Default::default(),
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
        let on_disk = st.evidence.path_of(files[0].stored_as()).unwrap();
        assert_eq!(std::fs::read(on_disk).unwrap(), LOG);

        let page = page_text(&alice, format!("{base}/notices/{id}")).await;
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
            common::post_evidence(&bob, &base, id, statement(Form::new()))
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
    adjust = |config| config.evidence.max_file_bytes = 1024,
    |env| {
        let st = &env.st;
        let (id, base, alice) = alice_signed_in_with_a_notice(&env).await;

        let big = statement(Form::new()).text("kind_1", "log_excerpt").part(
            "file_1",
            Part::bytes(vec![b'a'; 2048]).file_name("huge.log"),
        );
        let res = common::post_evidence(&alice, &base, id, big).await;
        assert_eq!(res.status(), 303);
        let back = location(&res);
        assert!(
            back.starts_with(&format!("/notices/{id}?evidence_error=")),
            "{back}"
        );
        assert!(back.contains("evidence_field=file_1"), "{back}");
        let page = page_text(&alice, format!("{base}{back}")).await;
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
        let res = common::post_evidence(&alice, &base, id, exe).await;
        let page = page_text(&alice, format!("{base}{}", location(&res))).await;
        assert!(
            page.contains("scan.pdf: This file is not an image, a PDF or plain text"),
            "disguised executables are refused"
        );

        let short = Form::new()
            .text("cause", "x")
            .text("fix", "y")
            .text("prevention", "z")
            .part("file_1", Part::bytes(LOG).file_name("a.log"));
        let res = common::post_evidence(&alice, &base, id, short).await;
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
            zone: Default::default(),
        };
        assert_eq!(
            abuse_portal::server::usecase::case_access::get_notice(st, &staff, id)
                .await
                .unwrap()
                .state,
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

/// Files stored in the evidence folder, temp files excluded.
fn stored_files(st: &AppState) -> usize {
    let root = st.config.data_dir.join("evidence");
    let Ok(dirs) = std::fs::read_dir(root) else {
        return 0;
    };
    dirs.filter_map(Result::ok)
        .filter(|d| d.file_name() != "tmp" && d.path().is_dir())
        .map(|d| std::fs::read_dir(d.path()).unwrap().count())
        .sum()
}

on_both_engines!(
    an_over_limit_upload_is_read_to_its_end_and_answered_with_the_form,
    |env| {
        let st = &env.st;
        let (id, base, alice) = alice_signed_in_with_a_notice(&env).await;
        // 11 MiB against the 10 MiB limit, then the statement after it (the server must keep reading).
        let mut big = b"Nov 24 10:00:01 mail postfix: ".to_vec();
        big.resize(11 * 1024 * 1024, b'x');
        let form = Form::new()
            .text("kind_1", "log_excerpt")
            .part("file_1", Part::bytes(big).file_name("maillog.txt"));
        let form = statement(form);
        let res = common::post_evidence(&alice, &base, id, form).await;
        assert_eq!(res.status(), 303, "an answer, not a reset connection");
        let back = location(&res);
        assert!(back.contains("evidence_field=file_1"), "{back}");
        let page = page_text(&alice, format!("{base}{back}")).await;
        assert!(page.contains("maillog.txt is larger than the 10 MiB limit for one file."));
        assert!(
            page.contains("fail2ban on SMTP auth and outbound rate limits."),
            "the statement sent after the file was kept"
        );
        assert_eq!(stored_files(st), 0);
    }
);

#[test]
fn the_organisation_quota_refuses_what_does_not_fit_and_says_so() {
    common::block_on(async {
        let env = common::TestEnv::with_config(common::Engine::Sqlite, None, |c| {
            c.evidence.org_quota_bytes = 100 * 1024;
        })
        .await
        .unwrap();
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let first = open_for_alice(st).await;
        let second = open_for_alice(st).await;
        let base = env.serve().await;
        let alice = client();
        post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
        let log = |n: usize| {
            let mut body = LOG.to_vec();
            body.resize(n, b'.');
            Part::bytes(body).file_name("maillog.txt")
        };
        let res = common::post_evidence(
            &alice,
            &base,
            first,
            statement(Form::new()).part("file_1", log(60 * 1024)),
        )
        .await;
        assert_eq!(location(&res), format!("/notices/{first}"));
        let res = common::post_evidence(
            &alice,
            &base,
            second,
            statement(Form::new()).part("file_1", log(60 * 1024)),
        )
        .await;
        let back = location(&res);
        let page = page_text(&alice, format!("{base}{back}")).await;
        assert!(
            page.contains(
                "Your organisation&#39;s evidence storage is full: 60.0 KiB of 100.0 KiB used"
            ) || page.contains(
                "Your organisation's evidence storage is full: 60.0 KiB of 100.0 KiB used"
            ),
            "{back}"
        );
        assert!(page.contains("A weak SMTP password was guessed by a spammer."));
        let small = common::post_evidence(
            &alice,
            &base,
            second,
            statement(Form::new()).part("file_1", log(30 * 1024)),
        )
        .await;
        assert_eq!(
            location(&small),
            format!("/notices/{second}"),
            "what fits is accepted"
        );
        env.finish().await;
    })
}

on_both_engines!(
    files_are_removed_when_the_database_refuses_their_rows,
    |env| {
        let st = &env.st;
        seed::seed_demo(st).await.unwrap();
        let id = open_for_alice(st).await;
        // The database fails the step after the files are in place.
        match st.db.engine() {
            "sqlite" => abuse_portal::on_db!(&st.db, |pool| sqlx::query(
                "CREATE TRIGGER fail_files BEFORE INSERT ON evidence_files \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
            .execute(pool)
            .await
            .map(|_| ()))
            .unwrap(),
            _ => {
                for sql in [
                    "CREATE FUNCTION fail_files() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
                    "CREATE TRIGGER fail_files BEFORE INSERT ON evidence_files \
                 FOR EACH ROW EXECUTE FUNCTION fail_files()",
                ] {
                    abuse_portal::on_db!(&st.db, |pool| sqlx::query(sql)
                        .execute(pool)
                        .await
                        .map(|_| ()))
                    .unwrap();
                }
            }
        }
        let base = env.serve().await;
        let alice = client();
        post_login(&alice, &base, "alice@acme.test", "demo-password-1").await;
        let form = statement(Form::new())
            .part("file_1", Part::bytes(LOG).file_name("maillog.txt"))
            .part("file_2", Part::bytes(PDF).file_name("scan.pdf"));
        let res = common::post_evidence(&alice, &base, id, form).await;
        assert_eq!(res.status(), 500);
        assert_eq!(stored_files(st), 0, "no file outlives its refused rows");
    }
);

on_both_engines!(
    downloads_stream_large_files_in_a_sandbox,
    adjust = |config| config.evidence.max_file_bytes = 16 * 1024 * 1024,
    |env| {
        let st = &env.st;
        let (id, base, alice) = alice_signed_in_with_a_notice(&env).await;
        let mut big = PDF.to_vec();
        big.resize(12 * 1024 * 1024, b'%');
        let form =
            statement(Form::new()).part("file_1", Part::bytes(big.clone()).file_name("scan.pdf"));
        let res = common::post_evidence(&alice, &base, id, form).await;
        assert_eq!(location(&res), format!("/notices/{id}"));
        let file = &responses::files_of_notice(&st.db, id).await.unwrap()[0];
        let dl = alice
            .get(format!("{base}/evidence/{}", file.id))
            .send()
            .await
            .unwrap();
        assert_eq!(dl.status(), 200);
        assert_eq!(dl.headers()["content-security-policy"], "sandbox");
        assert_eq!(
            dl.headers()["content-length"],
            (12 * 1024 * 1024).to_string().as_str()
        );
        let body = dl.bytes().await.unwrap();
        assert!(body.as_ref() == big.as_slice(), "the same bytes come back");
    }
);
