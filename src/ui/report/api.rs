//! Server functions of the public report forms. No sign-in: each is rate-limited per client
//! address and carries a signed ticket from when the form was shown (the anti-spam measure).

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an allow on the function through, so it is allowed for the module.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::reports::FormTicket;
use leptos::prelude::*;

/// A ticket for a form shown now.
#[server(endpoint = "report/ticket")]
pub async fn get_form_ticket() -> Result<FormTicket, AppError> {
    let st = crate::server::state::state()?;
    Ok(crate::server::usecase::reports::form_ticket(&st))
}

#[cfg(feature = "ssr")]
async fn client() -> Result<(crate::server::state::AppState, String), AppError> {
    let st = crate::server::state::state()?;
    let client = crate::server::http::client_ip_of_request(&st)
        .await
        .map(|ip| ip.to_string())
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
    let receipt = crate::server::usecase::reports::submit_public_report(
        &st, &input, &ticket, &website, &client,
    )
    .await?;
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
    let receipt =
        crate::server::usecase::reports::submit_dsa_notice(&st, &input, &ticket, &website, &client)
            .await?;
    leptos_axum::redirect(&format!("/report/received/{}", receipt.reference));
    Ok(())
}
