//! The public report forms (`/report`, `/report/dsa`): a signed ticket per form shown, limits
//! per client address and hour, and the report handed to the intake.

use super::intake::{record, Received};
use crate::domain::audit::to_hex;
use crate::domain::notice::NoticeCategory;
use crate::domain::report::{self, IntakeChannel, ReportFormat, ReportedEvent};
use crate::domain::time_format::utc;
use crate::error::AppError;
use crate::server::db::reports::{self as store};
use crate::server::intake::ParsedReport;
use crate::server::state::AppState;
use crate::views::reports::*;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

const FORM_PURPOSE: &[u8] = b"public report form";

/// A ticket for a public form shown now: the time and a random number, signed, so that neither
/// can be forged; with what was typed into the form when it was last refused (`draft`), to show
/// again. A ticket carries one report: it is used up when the report is accepted.
pub fn form_ticket(st: &AppState, draft: Vec<(String, String)>) -> FormTicket {
    let shown = st.now().unix_timestamp();
    let nonce = to_hex(&rand::random::<[u8; 12]>());
    FormTicket {
        ticket: format!("{shown}.{nonce}.{}", ticket_mac(st, shown, &nonce)),
        draft,
    }
}

fn ticket_mac(st: &AppState, shown: i64, nonce: &str) -> String {
    let mut input = shown.to_be_bytes().to_vec();
    input.extend_from_slice(nonce.as_bytes());
    to_hex(&st.audit_keys.current().derive(FORM_PURPOSE, &input)[..16])
}

/// A genuine ticket: when its form was shown, and its random number.
struct Ticket {
    shown: OffsetDateTime,
    nonce: String,
}

/// The ticket, if it is genuine.
fn read_ticket(st: &AppState, ticket: &str) -> Option<Ticket> {
    let mut parts = ticket.split('.');
    let (shown, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || nonce.len() != 24 || !nonce.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    let shown: i64 = shown.parse().ok()?;
    let expected = ticket_mac(st, shown, nonce);
    let same = expected.len() == mac.len()
        && expected
            .bytes()
            .zip(mac.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    same.then(|| {
        OffsetDateTime::from_unix_timestamp(shown)
            .ok()
            .map(|shown| Ticket {
                shown,
                nonce: nonce.to_owned(),
            })
    })
    .flatten()
}

/// The hour `now` falls in, for the rate limits' windows.
fn hour_of(now: OffsetDateTime) -> OffsetDateTime {
    now.replace_minute(0)
        .and_then(|t| t.replace_second(0))
        .unwrap_or(now)
}

/// Checks the anti-spam measure of a public form and its rate limits: per client address key
/// (IPv6 by /64, see `domain::throttle::address_key`), and for every client together.
async fn admit_form(
    st: &AppState,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<Ticket, AppError> {
    let now = st.now();
    let ticket = read_ticket(st, ticket).ok_or_else(|| {
        AppError::invalid(
            "ticket",
            "The form could not be checked; reload the page and send it again.",
        )
    })?;
    report::form_sent_by_a_person(ticket.shown, now, trap)
        .map_err(|m| AppError::invalid("ticket", m))?;
    let window = hour_of(now);
    let retry = || AppError::RateLimited {
        retry_after_s: (window + Duration::hours(1) - now).whole_seconds().max(1) as u64,
    };
    let hits = store::hit(&st.db, &format!("report-form:{client}"), window).await?;
    if hits > st.config.reports.form_per_hour {
        return Err(retry());
    }
    let everyone = store::hit(&st.db, "report-form-all", window).await?;
    if everyone > st.config.reports.form_global_per_hour {
        tracing::warn!(hits = everyone, "the public forms' hourly cap is reached");
        return Err(retry());
    }
    Ok(ticket)
}

/// Uses up a form's ticket as its report is accepted: a second report with the same ticket is
/// refused (the form must be loaded again), however fast it follows.
async fn use_up(st: &AppState, ticket: &Ticket) -> Result<(), AppError> {
    let uses = store::hit(
        &st.db,
        &format!("report-ticket:{}", ticket.nonce),
        ticket.shown,
    )
    .await?;
    if uses > 1 {
        return Err(AppError::invalid(
            "ticket",
            "This form was sent already. Load the page again to send another report.",
        ));
    }
    Ok(())
}

fn field_errors(errors: Vec<report::FieldError>) -> AppError {
    AppError::InvalidFields(
        errors
            .into_iter()
            .map(|(field, message)| crate::domain::form::FieldError {
                field: field.to_owned(),
                message,
            })
            .collect(),
    )
}

/// A report from the public form at `/report`: checked, rate-limited, recorded and routed like
/// any report whose sender nobody vouches for (it waits for staff to verify it); the reporter
/// gets a reference number.
pub async fn submit_public_report(
    st: &AppState,
    input: &report::PublicReportInput,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<ReportReceipt, AppError> {
    let ticket = admit_form(st, ticket, trap, client).await?;
    let now = st.now();
    let checked = report::public_report(input, now).map_err(field_errors)?;
    use_up(st, &ticket).await?;
    let reporter = if checked.name.is_empty() {
        checked.email.clone()
    } else {
        format!("{} <{}>", checked.name, checked.email)
    };
    let parsed = ParsedReport {
        format: ReportFormat::WebForm,
        reporter: Some(reporter),
        external_id: None,
        kept: vec![
            ("address".into(), checked.event.source.clone()),
            ("category".into(), checked.event.category.label().into()),
            ("occurred_at".into(), utc(checked.event.occurred_at)),
        ],
        events: vec![checked.event],
    };
    let bytes = checked.description.len();
    let sha = to_hex(&Sha256::digest(checked.description.as_bytes()));
    let received = Received {
        channel: IntakeChannel::WebForm,
        by: None,
        client_address: Some(client.to_owned()),
    };
    let outcome = record(
        st,
        &received,
        &parsed,
        bytes,
        &sha,
        Some(&checked.description),
        now,
    )
    .await?;
    Ok(ReportReceipt {
        reference: outcome.reference,
        received_text: utc(now),
    })
}

/// A DSA notice from `/report/dsa` (Art. 16): checked for every element, rate-limited and
/// recorded; when its location names an address the provider holds, it is routed as an event
/// (category fraud: illegal content), else it waits in the triage list.
pub async fn submit_dsa_notice(
    st: &AppState,
    input: &report::DsaNoticeInput,
    ticket: &str,
    trap: &str,
    client: &str,
) -> Result<ReportReceipt, AppError> {
    let ticket = admit_form(st, ticket, trap, client).await?;
    let now = st.now();
    let notice = report::dsa_notice(input).map_err(field_errors)?;
    use_up(st, &ticket).await?;
    let first_location = notice
        .location
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let event = ReportedEvent {
        source: notice
            .ip
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| first_location.chars().take(200).collect()),
        ip: notice.ip,
        occurred_at: now,
        category: NoticeCategory::Fraud,
        incidents: 1,
        detail: "DSA notice (Art. 16): illegal content reported".into(),
    };
    let parsed = ParsedReport {
        format: ReportFormat::DsaNotice,
        reporter: Some(format!("{} <{}>", notice.name, notice.email)),
        external_id: None,
        kept: vec![
            (
                "location".into(),
                notice.location.chars().take(500).collect(),
            ),
            ("good_faith_statement".into(), "confirmed".into()),
        ],
        events: vec![event],
    };
    let sha = to_hex(&Sha256::digest(notice.explanation.as_bytes()));
    let received = Received {
        channel: IntakeChannel::DsaForm,
        by: None,
        client_address: Some(client.to_owned()),
    };
    let outcome = record(
        st,
        &received,
        &parsed,
        notice.explanation.len(),
        &sha,
        Some(&notice.explanation),
        now,
    )
    .await?;
    Ok(ReportReceipt {
        reference: outcome.reference,
        received_text: utc(now),
    })
}

/// Forgets the public forms' rate-limit windows older than a day (the sweeper).
pub async fn forget_old_windows(st: &AppState) -> Result<u64, AppError> {
    Ok(store::forget_windows(&st.db, st.now() - Duration::days(1)).await?)
}
