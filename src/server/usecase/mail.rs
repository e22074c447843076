//! The mail job's round: the outbox's due mails sent through the relay, each attempt recorded;
//! a failed one tried again later (longer and longer waits), then given up and kept with its
//! error. A mail is marked sent only once the relay accepted it, so a relay outage or a crash
//! loses none; a crash between the relay's acceptance and the record can send one twice, with
//! the same Message-ID. Staff see the mails that did not go out and can send one again.

use crate::domain::actor::Actor;
use crate::domain::notification::{retry_after, NotificationKind};
use crate::error::AppError;
use crate::server::db::outbox::{self, OutboxFilter};
use crate::server::mail::{MailError, Mailer};
use crate::server::state::AppState;
use crate::views::admin::{MailRowView, OutboxView};
use time::OffsetDateTime;

/// The most mails one round sends.
const BATCH: i64 = 50;

/// What a mail's whole body is sealed for when it carries a one-time secret (see
/// `outbox::NewMail::sealed_body`).
pub const OUTBOX_SEAL: &[u8] = b"outbox body";

/// Sends the mails due at `now`; how many were sent. Without a relay configured, none (they
/// wait in the outbox).
pub async fn send_due(st: &AppState, now: OffsetDateTime) -> Result<usize, AppError> {
    let Some(mailer) = Mailer::from_config(&st.config).map_err(crate::server::errors::internal)?
    else {
        return Ok(0);
    };
    let mut sent = 0;
    for mut row in outbox::due(&st.db, now, BATCH).await? {
        if let Some(sealed) = row.sealed_body.take() {
            match crate::server::sealed::open(&st.audit_keys, OUTBOX_SEAL, &sealed) {
                Some(body) => row.body = String::from_utf8_lossy(&body).into_owned(),
                None => {
                    let why = "its sealed body does not open with the key file";
                    tracing::warn!(mail = row.id, why, "mail not sent");
                    outbox::failed(&st.db, row.id, why, None, now).await?;
                    continue;
                }
            }
        }
        match mailer.send(&row).await {
            Ok(()) => {
                outbox::sent(&st.db, row.id, now).await?;
                sent += 1;
            }
            Err(MailError::Permanent(why)) => {
                tracing::warn!(mail = row.id, %why, "mail refused for good");
                outbox::failed(&st.db, row.id, &why, None, now).await?;
            }
            Err(MailError::Temporary(why)) => {
                let retry_at = retry_after(row.attempts + 1).map(|wait| now + wait);
                tracing::warn!(mail = row.id, %why, ?retry_at, "mail not sent; will try again");
                outbox::failed(&st.db, row.id, &why, retry_at, now).await?;
            }
        }
    }
    Ok(sent)
}

/// Mails per page of the staff outbox.
const PAGE: i64 = 50;

/// The outbox for staff: mails given up (the default tab), being retried, or all, newest
/// first, a page at a time, with their state in the viewer's zone.
pub async fn outbox_page(
    st: &AppState,
    who: &Actor,
    tab: Option<String>,
    before: Option<i64>,
) -> Result<OutboxView, AppError> {
    who.require_staff()?;
    let (tab, filter) = match tab.as_deref().unwrap_or("given_up") {
        "" | "given_up" => ("given_up", OutboxFilter::GivenUp),
        "retrying" => ("retrying", OutboxFilter::Retrying),
        "all" => ("all", OutboxFilter::All),
        _ => return Err(AppError::invalid("tab", "Choose a list of mails.")),
    };
    let mut rows = outbox::page(&st.db, filter, before, PAGE + 1).await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let (given_up, retrying) = outbox::trouble_counts(&st.db).await?;
    let show = |t| who.zone.show(t);
    Ok(OutboxView {
        tab: tab.to_owned(),
        rows: rows
            .into_iter()
            .map(|m| {
                let (status_key, status) = match (m.sent_at, m.gave_up_at) {
                    (Some(at), _) => ("sent", format!("Sent {}", show(at))),
                    (None, Some(at)) => ("given_up", format!("Given up {}", show(at))),
                    (None, None) if m.attempts > 0 => (
                        "retrying",
                        format!("Next attempt {}", show(m.next_attempt_at)),
                    ),
                    (None, None) => ("waiting", "Waiting to be sent".to_owned()),
                };
                MailRowView {
                    id: m.id,
                    about: match m.kind.as_deref() {
                        Some("invitation") => "Invitation".to_owned(),
                        Some(kind) => kind
                            .parse::<NotificationKind>()
                            .map(|k| k.label().to_owned())
                            .unwrap_or_else(|_| kind.to_owned()),
                        None => "Notification".to_owned(),
                    },
                    recipient: m.recipient,
                    subject: m.subject,
                    organisation: m.organisation,
                    created_text: show(m.created_at),
                    status,
                    status_key: status_key.to_owned(),
                    attempts: m.attempts,
                    last_error: m.last_error,
                }
            })
            .collect(),
        given_up,
        retrying,
        relay: st.config.mail.smtp_url.is_some(),
        next,
    })
}

/// Sends a given-up mail again (staff), with an entry in the provider's audit log: the next
/// round of the mail job tries it, with its attempts counted afresh.
pub async fn send_again(st: &AppState, who: &Actor, id: i64) -> Result<(), AppError> {
    who.require_staff()?;
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    if !outbox::send_again(&mut tx, id, st.now()).await? {
        return Err(AppError::Conflict(
            "This mail was not given up: it was sent, or is still being tried.".into(),
        ));
    }
    crate::server::db::audit::append_provider(
        &mut tx,
        &st.audit_keys,
        st.now(),
        crate::server::db::audit::AuditEvent {
            actor: &label,
            action: "mail_sent_again",
            detail: &format!("Mail #{id}, given up, is tried again."),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
