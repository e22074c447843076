//! Server functions of the customer's port-25 pages. Each checks the caller: only customers
//! file requests, and another organisation's request is not found.

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an item-level allow on to the code it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::smtp::{RequestDetailView, RequestFormView, RequestListView};
use leptos::prelude::*;

/// The caller's requests, newest first.
#[server(endpoint = "smtp/list")]
pub async fn list_my_requests(after: Option<String>) -> Result<RequestListView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp_views::my_requests(&st, &who, after).await
}

/// What the request form needs: the addresses and the draft to resume.
#[server(endpoint = "smtp/form")]
pub async fn get_request_form() -> Result<RequestFormView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp_views::request_form(&st, &who).await
}

/// One request.
#[server(endpoint = "smtp/get")]
pub async fn get_request(id: i64) -> Result<RequestDetailView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp_views::request_detail(&st, &who, id).await
}

/// Saves the form as a draft (`intent` = `save`), saves it and runs the DNS checks (`check`),
/// or submits it (`submit`, which runs the checks too). The
/// address field carries `<service id>/<address>`. A submitted request leads to its page.
#[server(endpoint = "smtp/save")]
pub async fn save_request(
    intent: String,
    address: String,
    use_case: Option<String>,
    use_case_details: String,
    sending_domains: String,
    daily_volume: String,
    peak_per_hour: String,
    consent: String,
    bounce_handling: String,
    software: String,
    helo_name: String,
    dkim_selector: String,
    why_not_relay: String,
    accepts_obligations: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::ids::ServiceId;
    use crate::domain::smtp::RequestForm;
    use crate::server::usecase::smtp;
    let (st, who) = crate::server::state::caller().await?;
    let (service, ip) = address
        .split_once('/')
        .and_then(|(s, ip)| Some((ServiceId(s.parse().ok()?), ip.to_owned())))
        .ok_or_else(|| AppError::invalid("address", "Choose the address to open port 25 on."))?;
    let form = RequestForm {
        ip,
        use_case: use_case.unwrap_or_default(),
        use_case_details,
        sending_domains,
        daily_volume,
        peak_per_hour,
        consent,
        bounce_handling,
        software,
        helo_name,
        dkim_selector,
        why_not_relay,
        accepts_obligations: accepts_obligations.unwrap_or_default(),
    };
    match intent.as_str() {
        "save" => {
            smtp::save_draft(&st, &who, None, service, &form).await?;
            leptos_axum::redirect("/smtp/new?saved=1");
        }
        "check" => {
            let id = smtp::save_draft(&st, &who, None, service, &form).await?;
            smtp::run_checks(&st, &who, id).await?;
            leptos_axum::redirect("/smtp/new?checked=1");
        }
        _ => {
            let id = smtp::submit(&st, &who, None, service, &form).await?;
            leptos_axum::redirect(&format!("/smtp/{id}"));
        }
    }
    Ok(())
}

/// Withdraws a pending request.
#[server(endpoint = "smtp/withdraw")]
pub async fn withdraw_request(id: i64) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::smtp::withdraw(&st, &who, id).await
}
