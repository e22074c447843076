//! The `portal` binary's commands, run as a person would, against a SQLite file in a temp dir.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn portal(dir: &std::path::Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal"))
        .args(args)
        .env("PORTAL_DATA_DIR", dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("portal.db").display()),
        )
        .env("RUST_LOG", "error")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn migrate_seed_and_add_users_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = portal(d, &["migrate"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(d.join("portal.db").exists());

    let out = portal(d, &["seed", "--demo", "--if-empty"], "");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("demo-password-1"),
        "the demo password is printed: {}",
        text(&out)
    );
    assert!(text(&out).contains("alice@acme.test"));

    let again = portal(d, &["seed", "--demo", "--if-empty"], "");
    assert!(again.status.success());
    assert!(
        text(&again).contains("already has accounts"),
        "{}",
        text(&again)
    );

    // The password comes from standard input, never from the arguments.
    let out = portal(
        d,
        &[
            "user",
            "add",
            "--email",
            "Dana@Initech.test",
            "--role",
            "customer",
            "--org",
            "Initech",
        ],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Created customer account dana@initech.test"),
        "{}",
        text(&out)
    );

    let dup = portal(
        d,
        &[
            "user",
            "add",
            "--email",
            "dana@initech.test",
            "--role",
            "customer",
            "--org",
            "Initech",
        ],
        "a long enough password\n",
    );
    assert!(!dup.status.success());
    assert!(text(&dup).contains("already exists"), "{}", text(&dup));

    let short = portal(
        d,
        &[
            "user",
            "add",
            "--email",
            "erin@portal.test",
            "--role",
            "staff",
        ],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("at least 12 characters"),
        "{}",
        text(&short)
    );

    let bad_role = portal(
        d,
        &[
            "user",
            "add",
            "--email",
            "erin@portal.test",
            "--role",
            "root",
        ],
        "a long enough password\n",
    );
    assert!(!bad_role.status.success());

    let no_password_flag = portal(
        d,
        &[
            "user",
            "add",
            "--email",
            "erin@portal.test",
            "--role",
            "staff",
            "--password",
            "x",
        ],
        "",
    );
    assert!(
        !no_password_flag.status.success(),
        "there is no --password option"
    );
}

#[test]
fn a_bad_configuration_is_refused_with_its_variable_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_portal"))
        .arg("migrate")
        .env("PORTAL_DATA_DIR", dir.path())
        .env("PORTAL_SESSION_IDLE_MINUTES", "soon")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out).contains("PORTAL_SESSION_IDLE_MINUTES"),
        "{}",
        text(&out)
    );
}

fn portal_with(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal"));
    cmd.args(args)
        .env("PORTAL_DATA_DIR", dir)
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("portal.db").display()),
        )
        .env("RUST_LOG", "error")
        .current_dir(dir);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn demo_data_goes_only_into_a_local_sqlite_database_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shared = portal_with(
        d,
        &["seed", "--demo"],
        &[(
            "DATABASE_URL",
            "postgres://portal@db.internal.example/portal",
        )],
    );
    assert!(!shared.status.success());
    let said = text(&shared);
    assert!(said.contains("not a local SQLite file"), "{said}");
    assert!(
        said.contains("--allow-public-passwords-on-shared-database"),
        "{said}"
    );

    let public = portal_with(
        d,
        &["seed", "--demo"],
        &[("PORTAL_PUBLIC_URL", "https://abuse.provider.example")],
    );
    assert!(!public.status.success());
    assert!(
        text(&public).contains("https://abuse.provider.example"),
        "{}",
        text(&public)
    );
    assert!(
        !d.join("portal.db").exists(),
        "refused before anything was written"
    );

    let forced = portal_with(
        d,
        &[
            "seed",
            "--demo",
            "--allow-public-passwords-on-shared-database",
        ],
        &[("PORTAL_PUBLIC_URL", "https://abuse.provider.example")],
    );
    assert!(forced.status.success(), "{}", text(&forced));
    let local = portal_with(
        d,
        &["seed", "--demo"],
        &[("PORTAL_PUBLIC_URL", "http://localhost:3000")],
    );
    assert!(local.status.success(), "{}", text(&local));
}

#[test]
fn audit_trails_are_verified_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(portal_with(d, &["seed", "--demo"], &[]).status.success());
    let ok = portal_with(d, &["audit", "verify"], &[]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("Every trail verifies."), "{}", text(&ok));
    let keys = std::fs::read_to_string(d.join("audit-keys")).unwrap();
    assert!(
        keys.lines().any(|l| l.starts_with('k') && l.len() > 60),
        "a key was created: {keys}"
    );
    // The same data read with another key (someone else's, or a lost one) does not verify.
    let other = d.join("other-keys");
    std::fs::write(&other, format!("k1 {}\n", "ab".repeat(32))).unwrap();
    let wrong = portal_with(
        d,
        &["audit", "verify"],
        &[("PORTAL_AUDIT_KEY_FILE", other.to_str().unwrap())],
    );
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("which this portal does not hold"),
        "{}",
        text(&wrong)
    );
}

#[test]
fn the_default_port25_restriction_is_set_per_service_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let list = portal(d, &["port25-default", "list"], "");
    assert!(list.status.success(), "{}", text(&list));
    assert!(text(&list).contains("vps"), "{}", text(&list));
    assert!(
        text(&list).lines().all(|l| l.ends_with("restricted")),
        "every kind starts restricted: {}",
        text(&list)
    );
    let set = portal(
        d,
        &[
            "port25-default",
            "set",
            "--kind",
            "gpu_cloud_instance",
            "--restricted",
            "false",
        ],
        "",
    );
    assert!(set.status.success(), "{}", text(&set));
    assert!(text(&set).contains("New GPU cloud instance services start with port 25 allowed."));
    let line = text(&set)
        .lines()
        .find(|l| l.starts_with("gpu_cloud_instance"))
        .unwrap()
        .to_owned();
    assert!(line.ends_with("allowed"), "{line}");
    let bad = portal(
        d,
        &[
            "port25-default",
            "set",
            "--kind",
            "toaster",
            "--restricted",
            "true",
        ],
        "",
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("\"toaster\" is not a service kind"),
        "{}",
        text(&bad)
    );
    // The change is in the provider-wide audit log, which still verifies.
    let verify = portal(d, &["audit", "verify"], "");
    assert!(verify.status.success(), "{}", text(&verify));
}

#[test]
fn api_tokens_are_made_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(portal(d, &["seed", "--demo"], "").status.success());
    let made = portal(
        d,
        &[
            "token",
            "create",
            "--name",
            "billing sync",
            "--scope",
            "inventory:read",
            "--admin",
            "admin@portal.test",
        ],
        "",
    );
    assert!(made.status.success(), "{}", text(&made));
    let token = text(&made)
        .lines()
        .find(|l| l.starts_with("apt_"))
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 68);
    let not_admin = portal(
        d,
        &[
            "token",
            "create",
            "--name",
            "x",
            "--scope",
            "inventory:read",
            "--admin",
            "staff@portal.test",
        ],
        "",
    );
    assert!(!not_admin.status.success());
    assert!(text(&not_admin).contains("is not an active admin account"));
    let bad_scope = portal(
        d,
        &[
            "token",
            "create",
            "--name",
            "x",
            "--scope",
            "everything",
            "--admin",
            "admin@portal.test",
        ],
        "",
    );
    assert!(text(&bad_scope).contains("\"everything\" is not a scope"));
    let list = portal(d, &["token", "list"], "");
    assert!(text(&list).contains("billing sync") && !text(&list).contains(&token));
    let revoked = portal(
        d,
        &[
            "token",
            "revoke",
            "--id",
            "1",
            "--admin",
            "admin@portal.test",
        ],
        "",
    );
    assert!(revoked.status.success(), "{}", text(&revoked));
    assert!(text(&portal(d, &["token", "list"], "")).contains("revoked"));
}

#[test]
fn reports_are_ingested_from_a_mailbox_export() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(portal(d, &["seed", "--demo"], "").status.success());
    let report = |n: u32, source: &str| {
        format!(
            "From fbl@mailbox-provider.example Thu Nov 26 08:00:00 2026\n\
             From: <fbl@mailbox-provider.example>\nSubject: complaint {n}\n\
             Message-ID: <cli-{n}@mailbox-provider.example>\nMIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=feedback-report; boundary=\"b\"\n\n\
             --b\nContent-Type: text/plain\n\nA complaint.\n\
             --b\nContent-Type: message/feedback-report\n\n\
             Feedback-Type: abuse\nUser-Agent: FBL/1.0\nVersion: 1\n{source}\n\
             --b--\n\n"
        )
    };
    let mbox = format!(
        "{}{}",
        report(1, "Source-IP: 203.0.113.11"),
        report(2, "Incidents: 2")
    );
    std::fs::write(d.join("reports.mbox"), mbox).unwrap();
    let out = portal(d, &["ingest", "reports.mbox"], "");
    let printed = text(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one report could not be read: {printed}"
    );
    assert!(
        printed.contains("reports.mbox #1: AR-")
            && printed.contains("203.0.113.11: waits for verification"),
        "{printed}"
    );
    assert!(
        printed.contains("reports.mbox #2: AR-")
            && printed
                .contains("failed (kept for staff): ARF report: the Source-IP field is missing"),
        "{printed}"
    );
    assert!(
        printed.contains("1 report(s) taken in, 1 could not be read."),
        "{printed}"
    );
    // The same export again: the readable report is recognised, not counted twice.
    let again = text(&portal(d, &["ingest", "reports.mbox"], ""));
    assert!(
        again.contains("reports.mbox #1: the same report came before"),
        "{again}"
    );
    let missing = portal(d, &["ingest", "nowhere.mbox"], "");
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("nowhere.mbox"),
        "{}",
        text(&missing)
    );
}
