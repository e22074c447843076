//! Server functions of the public report forms. No sign-in: each is rate-limited per client
//! address and carries a signed ticket from when the form was shown (the anti-spam measure).

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an allow on the function through, so it is allowed for the module.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::reports::FormTicket;
use leptos::prelude::*;

/// A ticket for a form (`report` or `dsa`) shown now, with what was typed into it when it was
/// last refused (kept in the session for browsers without JavaScript, which reload the form).
#[server(endpoint = "report/ticket")]
pub async fn get_form_ticket(form: String) -> Result<FormTicket, AppError> {
    let st = crate::server::state::state()?;
    let draft = match form.as_str() {
        "report" | "dsa" => crate::server::state::session()
            .await?
            .take_form_draft(&form)
            .await
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(crate::server::usecase::reports::form_ticket(&st, draft))
}

/// Keeps what was typed into a refused form for the reloaded page; a session that cannot keep
/// it only costs the convenience.
#[cfg(feature = "ssr")]
async fn keep_draft(form: &str, fields: &[(&str, &str)]) {
    if let Ok(session) = crate::server::state::session().await {
        let _ = session.save_form_draft(form, fields).await;
    }
}

#[cfg(feature = "ssr")]
async fn client() -> Result<(crate::server::state::AppState, String), AppError> {
    let st = crate::server::state::state()?;
    let client = crate::server::inbound::http::client_ip_of_request(&st)
        .await
        .map(crate::domain::throttle::address_key)
        .unwrap_or_else(|| "unknown".into());
    Ok((st, client))
}

/// An abuse report from the public form; on success the reporter lands on the receipt with the
/// reference number.
#[server(endpoint = "report/abuse")]
pub async fn submit_abuse_report(
    ticket: String,
    website: String,
    name: String,
    email: String,
    address: String,
    category: String,
    occurred_at: String,
    description: String,
) -> Result<(), AppError> {
    use crate::domain::report::PublicReportInput;
    let (st, client) = client().await?;
    let input = PublicReportInput {
        name,
        email,
        address,
        category,
        occurred_at,
        description,
    };
    let receipt = match crate::server::usecase::reports::submit_public_report(
        &st, &input, &ticket, &website, &client,
    )
    .await
    {
        Ok(receipt) => receipt,
        Err(e) => {
            let fields = [
                ("name", input.name.as_str()),
                ("email", input.email.as_str()),
                ("address", input.address.as_str()),
                ("category", input.category.as_str()),
                ("occurred_at", input.occurred_at.as_str()),
                ("description", input.description.as_str()),
            ];
            keep_draft("report", &fields).await;
            return Err(e);
        }
    };
    leptos_axum::redirect(&format!("/report/received/{}", receipt.reference));
    Ok(())
}

/// A DSA notice (Art. 16) from the public form; on success the notifier lands on the receipt.
#[server(endpoint = "report/dsa")]
pub async fn submit_dsa_notice(
    ticket: String,
    website: String,
    explanation: String,
    location: String,
    name: String,
    email: String,
    good_faith: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::report::DsaNoticeInput;
    let (st, client) = client().await?;
    let input = DsaNoticeInput {
        explanation,
        location,
        name,
        email,
        good_faith: good_faith.is_some(),
    };
    let receipt = match crate::server::usecase::reports::submit_dsa_notice(
        &st, &input, &ticket, &website, &client,
    )
    .await
    {
        Ok(receipt) => receipt,
        Err(e) => {
            let fields = [
                ("explanation", input.explanation.as_str()),
                ("location", input.location.as_str()),
                ("name", input.name.as_str()),
                ("email", input.email.as_str()),
                ("good_faith", if input.good_faith { "on" } else { "" }),
            ];
            keep_draft("dsa", &fields).await;
            return Err(e);
        }
    };
    leptos_axum::redirect(&format!("/report/received/{}", receipt.reference));
    Ok(())
}
