//! Mail to customers, on real SQLite and PostgreSQL, through a real SMTP server on 127.0.0.1 (a
//! small one in this test process, which counts a message only once it has answered 250 to its
//! data): written to the outbox with the change, sent once, and neither lost nor sent twice when
//! the server is down, hangs up mid-send, or the sender stops mid-send.

use crate::common;
use common::actor;

use abuse_portal::domain::ids::ServiceId;
use abuse_portal::domain::notice::{NoticeCategory, NoticeEvent, NoticeSource};
use abuse_portal::server::db::outbox;
use abuse_portal::server::seed;
use abuse_portal::server::state::AppState;
use abuse_portal::server::usecase::{mail, notices};
use common::{Engine, TestEnv};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the test server behaves.
const NORMAL: u8 = 0;
/// Reads the whole message, then hangs up without answering.
const HANG_UP_AFTER_DATA: u8 = 1;
/// Reads the whole message, says so (`data_read`), and answers only a client that is still
/// there; when the client goes away first it says that too (`client_gone`).
const SLOW_TO_ANSWER: u8 = 2;

#[derive(Clone, Default)]
struct SmtpServer {
    accepted: Arc<Mutex<Vec<String>>>,
    mode: Arc<AtomicU8>,
    data_read: Arc<tokio::sync::Notify>,
    client_gone: Arc<tokio::sync::Notify>,
}

impl SmtpServer {
    /// Serves on `listener` until the returned task is aborted.
    fn serve(&self, listener: TcpListener) -> tokio::task::JoinHandle<()> {
        let server = self.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.conversation(socket).await;
                });
            }
        })
    }

    async fn conversation(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 test.local ESMTP\r\n").await?;
        while let Some(line) = lines.next_line().await? {
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            match verb.as_str() {
                "EHLO" | "HELO" => write.write_all(b"250 test.local\r\n").await?,
                "MAIL" | "RCPT" | "RSET" | "NOOP" => write.write_all(b"250 OK\r\n").await?,
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await?;
                    return Ok(());
                }
                "DATA" => {
                    write.write_all(b"354 go on\r\n").await?;
                    let mut message = String::new();
                    while let Some(data) = lines.next_line().await? {
                        if data == "." {
                            break;
                        }
                        message.push_str(&data);
                        message.push('\n');
                    }
                    match self.mode.load(Ordering::SeqCst) {
                        HANG_UP_AFTER_DATA => return Ok(()),
                        SLOW_TO_ANSWER => {
                            self.data_read.notify_one();
                            // A client that went away meanwhile never gets (or counts on) an answer.
                            if matches!(lines.next_line().await, Ok(None) | Err(_)) {
                                self.client_gone.notify_one();
                                return Ok(());
                            }
                        }
                        _ => {}
                    }
                    // Counted only once the answer is on its way.
                    write.write_all(b"250 queued\r\n").await?;
                    write.flush().await?;
                    self.accepted.lock().unwrap().push(message);
                }
                _ => write.write_all(b"502 not here\r\n").await?,
            }
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.accepted.lock().unwrap().len()
    }
}

async fn notice_for_initech(st: &AppState, service: ServiceId) -> i64 {
    let staff = actor(st, "staff@portal.test").await;
    let now = st.now();
    notices::open_notice(
        st,
        &staff,
        notices::OpenNotice {
            service,
            ips: Vec::new(),
            category: NoticeCategory::Spam,
            source: NoticeSource::ThirdPartyReport,
            high_risk: false,
            summary: "Outbound spam reported by three mailbox providers.".into(),
            event_count: 30,
            first_seen_at: now - time::Duration::hours(2),
            last_seen_at: now - time::Duration::hours(1),
            verification_note: "Matched the FBL reports against our logs.".into(),
            shorter_deadline: None,
        },
    )
    .await
    .unwrap()
}

async fn the_outbox_loses_nothing_and_sends_nothing_twice(engine: Engine) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    let Some(env) = TestEnv::with_config(engine, None, |c| {
        c.mail.smtp_url = Some(format!("smtp://{address}"));
        c.mail.from = Some("Abuse desk <abuse-desk@portal.test>".into());
    })
    .await
    else {
        return;
    };
    let st = &env.st;
    let server = SmtpServer::default();
    let mut running = server.serve(TcpListener::from_std(listener).unwrap());

    let (_admin, _org, service) = common::initech(st).await;
    // What the demo queued for its own organisations goes out first.
    mail::send_due(st, st.now()).await.unwrap();
    let before = server.count();

    // The notice and its mail are written together; the job sends it once.
    let id = notice_for_initech(st, service).await;
    let queued = outbox::newest(&st.db, 1).await.unwrap().remove(0);
    assert_eq!(queued.recipient, "abuse@initech.test");
    assert!(queued.subject.starts_with(&format!("Notice #{id}: Spam")));
    assert_eq!(mail::send_due(st, st.now()).await.unwrap(), 1);
    assert_eq!(
        mail::send_due(st, st.now()).await.unwrap(),
        0,
        "nothing twice"
    );
    assert_eq!(server.count(), before + 1);
    let message = server.accepted.lock().unwrap().last().unwrap().clone();
    assert!(message.contains("To: abuse@initech.test"), "{message}");
    assert!(
        message.contains(&format!("{}/notices/{id}", env.base)),
        "{message}"
    );
    assert!(
        message.contains(&format!("Message-ID: <outbox-{}@127.0.0.1>", queued.id)),
        "{message}"
    );

    // The server is down: the attempt is recorded, the mail waits, and is not due again at once.
    running.abort();
    let _ = running.await;
    let staff = actor(st, "staff@portal.test").await;
    notices::apply_event(
        st,
        &staff,
        id,
        NoticeEvent::WithdrawNotice,
        "The reports were about a forwarder.",
    )
    .await
    .unwrap();
    assert_eq!(mail::send_due(st, st.now()).await.unwrap(), 0);
    let waiting = outbox::newest(&st.db, 1).await.unwrap().remove(0);
    assert_eq!((waiting.attempts, waiting.sent_at), (1, None));
    assert!(waiting.last_error.is_some());
    assert_eq!(
        mail::send_due(st, st.now()).await.unwrap(),
        0,
        "not due yet"
    );

    // Back up, but it hangs up after the data: still not sent, tried again later.
    let listener = TcpListener::bind(address).await.unwrap();
    running = server.serve(listener);
    server.mode.store(HANG_UP_AFTER_DATA, Ordering::SeqCst);
    let later = st.now() + time::Duration::minutes(2);
    assert_eq!(mail::send_due(st, later).await.unwrap(), 0);
    let waiting = outbox::newest(&st.db, 1).await.unwrap().remove(0);
    assert_eq!((waiting.attempts, waiting.sent_at), (2, None));

    // The sender stops mid-send (before the server's answer): nothing recorded, nothing counted.
    server.mode.store(SLOW_TO_ANSWER, Ordering::SeqCst);
    let even_later = st.now() + time::Duration::minutes(10);
    let sender = {
        let st = st.clone();
        tokio::spawn(async move { mail::send_due(&st, even_later).await })
    };
    let soon = std::time::Duration::from_secs(20);
    tokio::time::timeout(soon, server.data_read.notified())
        .await
        .expect("the message reached the server");
    sender.abort();
    let _ = sender.await;
    tokio::time::timeout(soon, server.client_gone.notified())
        .await
        .expect("the server saw the sender go");
    assert_eq!(
        server.count(),
        before + 1,
        "the interrupted message was never answered"
    );
    assert!(outbox::newest(&st.db, 1).await.unwrap()[0]
        .sent_at
        .is_none());

    // Everything well again: the mail goes out exactly once.
    server.mode.store(NORMAL, Ordering::SeqCst);
    assert_eq!(mail::send_due(st, even_later).await.unwrap(), 1);
    assert_eq!(
        mail::send_due(st, even_later + time::Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(server.count(), before + 2);
    let last = server.accepted.lock().unwrap().last().unwrap().clone();
    assert!(
        last.contains(&format!("Notice #{id}: the notice was withdrawn.")),
        "{last}"
    );
    running.abort();
    env.finish().await;
}

#[test]
fn the_outbox_loses_nothing_and_sends_nothing_twice_sqlite() {
    common::block_on(the_outbox_loses_nothing_and_sends_nothing_twice(
        Engine::Sqlite,
    ));
}

#[test]
#[cfg_attr(not(postgres_tests), ignore = "PORTAL_TEST_POSTGRES_URL is not set")]
fn the_outbox_loses_nothing_and_sends_nothing_twice_postgres() {
    common::block_on(the_outbox_loses_nothing_and_sends_nothing_twice(
        Engine::Postgres,
    ));
}

/// An invitation travels by mail; a mail the relay never takes is given up, listed for staff
/// (not for customers) with the relay's error, and sent again by staff once the relay is back.
async fn given_up_mails_are_listed_for_staff_and_sent_again(engine: Engine) {
    use abuse_portal::domain::actor::Role;
    use abuse_portal::error::AppError;
    use abuse_portal::server::usecase::people;
    // A port nothing listens on, until the relay "comes back" on it.
    let address = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let Some(env) = TestEnv::with_config(engine, None, |c| {
        c.mail.smtp_url = Some(format!("smtp://{address}"));
        c.mail.from = Some("Abuse desk <abuse-desk@portal.test>".into());
    })
    .await
    else {
        return;
    };
    let st = &env.st;
    seed::seed_demo(st).await.unwrap();
    let admin = actor(st, "admin@portal.test").await;
    let staff = actor(st, "staff@portal.test").await;
    let alice = actor(st, "alice@acme.test").await;

    let invited = people::invite(st, &admin, "carol@portal.test", Role::Staff, None, false)
        .await
        .unwrap();
    let queued = outbox::newest(&st.db, 1).await.unwrap().remove(0);
    assert_eq!(queued.recipient, "carol@portal.test");
    assert_eq!(queued.kind.as_deref(), Some("invitation"));
    assert_eq!(queued.subject, "You are invited to the abuse-case portal");
    // The outbox never holds the one-time link readable: the stored body leaves it out, and
    // the whole mail waits sealed under the key file.
    let link = invited.link.clone().expect("an admin gets the link too");
    let token = link.rsplit('/').next().unwrap().to_owned();
    let stored = |id: i64| {
        let db = st.db.clone();
        async move {
            abuse_portal::on_db!(&db, |pool| sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT body, sealed_body FROM outbox WHERE id = $1"
            )
            .bind(id)
            .fetch_one(pool)
            .await)
            .unwrap()
        }
    };
    let (body, sealed) = stored(queued.id).await;
    assert!(!body.contains(&token), "{body}");
    assert!(body.contains("not kept"), "{body}");
    let sealed = sealed.expect("the whole mail is kept sealed until it is sent");
    assert!(!sealed.contains(&token));

    // The relay is down for a day: every attempt fails, then the mail is given up.
    let mut at = st.now();
    for _ in 0..8 {
        mail::send_due(st, at).await.unwrap();
        at += time::Duration::hours(13);
    }
    let page = mail::outbox_page(st, &staff, None, None).await.unwrap();
    assert_eq!(page.tab, "given_up");
    assert!(page.given_up >= 1);
    let row = page
        .rows
        .iter()
        .find(|r| r.id == queued.id)
        .expect("the invitation is listed as given up");
    assert_eq!((row.status_key.as_str(), row.attempts), ("given_up", 7));
    assert_eq!(row.about, "Invitation");
    assert!(row.last_error.as_deref().is_some_and(|e| !e.is_empty()));
    assert_eq!(
        mail::outbox_page(st, &alice, None, None).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        mail::send_again(st, &alice, queued.id).await.unwrap_err(),
        AppError::Forbidden
    );

    // The relay is back: staff send it again; it goes out once, with the link.
    let server = SmtpServer::default();
    let running = server.serve(TcpListener::bind(address).await.unwrap());
    mail::send_again(st, &staff, queued.id).await.unwrap();
    assert!(matches!(
        mail::send_again(st, &staff, queued.id).await.unwrap_err(),
        AppError::Conflict(_)
    ));
    mail::send_due(st, st.now()).await.unwrap();
    let sent = server
        .accepted
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.contains("To: carol@portal.test"))
        .cloned()
        .expect("the invitation arrived");
    // (A long line may travel quoted-printable, folded with soft breaks.)
    let unfolded = sent.replace("=\r\n", "").replace("=\n", "");
    assert!(unfolded.contains(&link), "{sent}");
    // Once sent, not even the sealed copy stays.
    let (body, sealed) = stored(queued.id).await;
    assert!(
        !body.contains(&token) && sealed.is_none(),
        "{body} {sealed:?}"
    );
    let all = mail::outbox_page(st, &staff, Some("all".into()), None)
        .await
        .unwrap();
    assert_eq!(
        all.rows
            .iter()
            .find(|r| r.id == queued.id)
            .unwrap()
            .status_key,
        "sent"
    );
    running.abort();
    env.finish().await;
}

#[test]
fn given_up_mails_are_listed_for_staff_and_sent_again_sqlite() {
    common::block_on(given_up_mails_are_listed_for_staff_and_sent_again(
        Engine::Sqlite,
    ));
}

#[test]
#[cfg_attr(not(postgres_tests), ignore = "PORTAL_TEST_POSTGRES_URL is not set")]
fn given_up_mails_are_listed_for_staff_and_sent_again_postgres() {
    common::block_on(given_up_mails_are_listed_for_staff_and_sent_again(
        Engine::Postgres,
    ));
}
