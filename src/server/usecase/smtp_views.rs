//! Port-25 requests as the pages show them: the customer's list, form and request, and the
//! staff's queue. Access is checked here as in every use case; another organisation's request
//! is "not found".

use crate::domain::actor::Actor;
use crate::domain::smtp::{
    port25_state, ApprovalDocument, RequestForm, RequestStatus, OBLIGATIONS,
};
use crate::domain::time_format::wait_in_words;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::smtp::{self as store, QueueFilter, RequestRecord};
use crate::server::db::{accounts, enforcement, services};
use crate::server::state::AppState;
use crate::views::smtp::{
    AddressChoice, RequestDetailView, RequestEventView, RequestFormView, RequestListView,
    RequestQueueView, RequestRowView, StaffRequestView,
};

/// Requests per page.
pub const REQUESTS_PER_PAGE: i64 = 25;

async fn row(
    st: &AppState,
    r: &RequestRecord,
    organisation: String,
    zone: &Zone,
) -> Result<RequestRowView, AppError> {
    let service_label = services::get(&st.db, r.service_id)
        .await?
        .map(|s| s.label)
        .unwrap_or_default();
    let when_text = match r.submitted_at {
        Some(at) => format!("Submitted {}", zone.show(at)),
        None => format!("Draft saved {}", zone.show(r.updated_at)),
    };
    Ok(RequestRowView {
        id: r.id,
        organisation,
        service_label,
        ip: r.ip.clone(),
        status: r.status,
        when_text,
        checks: None,
    })
}

/// The customer's requests, newest first; `after` is the previous page's cursor.
pub async fn my_requests(
    st: &AppState,
    who: &Actor,
    after: Option<String>,
) -> Result<RequestListView, AppError> {
    let org = who.customer_scope()?.id();
    let before = match after.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .map_err(|_| AppError::invalid("after", "That page link is not valid."))?,
        ),
    };
    let mut records = store::page_for_org(&st.db, org, before, REQUESTS_PER_PAGE + 1).await?;
    let next = if records.len() as i64 > REQUESTS_PER_PAGE {
        records.truncate(REQUESTS_PER_PAGE as usize);
        records.last().map(|r| r.id.to_string())
    } else {
        None
    };
    let mut rows = Vec::with_capacity(records.len());
    for r in &records {
        rows.push(row(st, r, String::new(), &who.zone).await?);
    }
    Ok(RequestListView { rows, next })
}

/// The request form: the organisation's addresses with their port-25 state, and the caller's
/// draft when there is one (so that nothing typed is lost, with or without JavaScript).
pub async fn request_form(st: &AppState, who: &Actor) -> Result<RequestFormView, AppError> {
    let org = who.customer_scope()?.id();
    let now = st.now();
    let live = enforcement::in_force_for_org(&st.db, org, now).await?;
    let mut addresses = Vec::new();
    // Every address of the organisation, however many services it has: none is left out.
    for service in services::list_for_org(&st.db, org, i64::MAX).await? {
        let measures: Vec<_> = live
            .iter()
            .filter(|a| a.service_id == service.id.0)
            .map(|a| a.measure.clone())
            .collect();
        for ip in &service.ips {
            addresses.push(AddressChoice {
                service_id: service.id.0,
                service_label: service.label.clone(),
                ip: ip.clone(),
                port25: port25_state(ip, &measures, now),
            });
        }
    }
    let draft = store::latest_draft(&st.db, org, who.user_id).await?;
    let checks = match &draft {
        Some(d) => store::latest_check_run(&st.db, d.id)
            .await?
            .map(|(at, results)| (who.zone.show(at), results)),
        None => None,
    };
    Ok(RequestFormView {
        addresses,
        draft_id: draft.as_ref().map(|d| d.id),
        form: draft.map(|d| d.form).unwrap_or_else(RequestForm::default),
        obligations: OBLIGATIONS.iter().map(|o| (*o).to_owned()).collect(),
        checks,
        dns_demo: st.config.dns.demo,
    })
}

/// One request for its organisation's users or staff.
pub async fn request_detail(
    st: &AppState,
    who: &Actor,
    id: i64,
) -> Result<RequestDetailView, AppError> {
    let request = super::smtp::get_request(st, who, id).await?;
    let staff = who.role.is_provider();
    let organisation = if staff {
        accounts::organisation_name(&st.db, request.org_id)
            .await?
            .unwrap_or_default()
    } else {
        String::new()
    };
    let now = st.now();
    let measures: Vec<_> = enforcement::for_service(&st.db, request.service_id)
        .await?
        .into_iter()
        .map(|a| a.measure)
        .collect();
    let approvals = store::approvals(&st.db, id).await?;
    let approval = approvals
        .first()
        .map(|a| {
            serde_json::from_str::<ApprovalDocument>(&a.document)
                .map_err(|e| crate::server::db::DbError::Corrupt(format!("approval {}: {e}", a.id)))
        })
        .transpose()?;
    let events = store::events(&st.db, id)
        .await?
        .into_iter()
        .map(|e| RequestEventView {
            at_text: who.zone.show(e.at),
            who: match (e.actor_role.as_str(), staff) {
                ("system", _) => "The portal (automatic)".to_owned(),
                ("customer", false) => "You".to_owned(),
                ("customer", true) => "The customer".to_owned(),
                (role, true) => format!("Abuse desk ({role})"),
                (_, false) => "The abuse desk".to_owned(),
            },
            what: event_words(&e.event).to_owned(),
            reason: e.reason,
        })
        .collect();
    let checks = store::latest_check_run(&st.db, id)
        .await?
        .map(|(at, results)| (who.zone.show(at), results));
    Ok(RequestDetailView {
        port25: port25_state(&request.ip, &measures, now),
        service_id: request.service_id.0,
        details: store::details(&st.db, id).await?,
        approval,
        earlier_approvals: approvals.iter().skip(1).map(|a| a.number.clone()).collect(),
        checks,
        dns_demo: st.config.dns.demo,
        events,
        can_withdraw: !staff && request.status == RequestStatus::Pending,
        is_draft: request.status == RequestStatus::Draft,
        row: row(st, &request, organisation, &who.zone).await?,
    })
}

fn event_words(event: &str) -> &'static str {
    match event {
        "submitted" => "Submitted for review",
        "withdrawn" => "Withdrawn",
        "approved" => "Approved in writing",
        "rejected" => "Rejected",
        "revoked" => "Approval revoked",
        "suspended" => "Approval suspended",
        _ => "Changed",
    }
}

/// A page of the staff queue. `filter`: `waiting` (default) or a status; `after` is the
/// previous page's cursor.
pub async fn staff_queue(
    st: &AppState,
    who: &Actor,
    filter: Option<String>,
    after: Option<String>,
) -> Result<RequestQueueView, AppError> {
    let staff = who.require_staff()?;
    let filter_name = filter
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "waiting".to_owned());
    let filter = match filter_name.as_str() {
        "waiting" => QueueFilter::Waiting,
        other => QueueFilter::Status(
            other
                .parse()
                .map_err(|_| AppError::invalid("status", "Choose one of the filters offered."))?,
        ),
    };
    let cursor = match after.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            raw.split_once('_')
                .and_then(|(at, id)| {
                    Some((
                        time::OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?,
                        id.parse::<i64>().ok()?,
                    ))
                })
                .ok_or_else(|| AppError::invalid("after", "That page link is not valid."))?,
        ),
    };
    let now = st.now();
    let mut rows = store::queue(
        &st.db,
        staff,
        filter,
        now.date(),
        cursor,
        REQUESTS_PER_PAGE + 1,
    )
    .await?;
    let next = if rows.len() as i64 > REQUESTS_PER_PAGE {
        rows.truncate(REQUESTS_PER_PAGE as usize);
        rows.last().and_then(|r| {
            r.request
                .submitted_at
                .map(|at| format!("{}_{}", at.unix_timestamp(), r.request.id))
        })
    } else {
        None
    };
    let rows = rows
        .into_iter()
        .map(|q| {
            let waiting = q
                .request
                .submitted_at
                .map(|at| {
                    format!(
                        "Submitted {} ({} ago)",
                        who.zone.show(at),
                        wait_in_words((now - at).whole_seconds().max(0) as u64)
                    )
                })
                .unwrap_or_default();
            RequestRowView {
                id: q.request.id,
                organisation: q.organisation,
                service_label: q.service_label,
                ip: q.request.ip,
                status: q.request.status,
                when_text: waiting,
                checks: q.checks,
            }
        })
        .collect();
    Ok(RequestQueueView {
        rows,
        next,
        filter: filter_name,
    })
}

/// One request for staff, with the customer's other requests and their cases.
pub async fn staff_request(
    st: &AppState,
    who: &Actor,
    id: i64,
) -> Result<StaffRequestView, AppError> {
    who.require_staff()?;
    let request = request_detail(st, who, id).await?;
    let record = store::get(&st.db, id).await?.ok_or(AppError::NotFound)?;
    let mut other_requests = Vec::new();
    for r in store::page_for_org(&st.db, record.org_id, None, 20).await? {
        if r.id != id && r.status != RequestStatus::Draft {
            other_requests.push(row(st, &r, String::new(), &who.zone).await?);
        }
    }
    let filter = crate::server::db::notices::NoticeFilter {
        org: Some(record.org_id),
        ..Default::default()
    };
    let cases = super::notices::list_notices(st, who, filter, None, 20)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.id,
                n.category.label().to_owned(),
                n.state.label().to_owned(),
            )
        })
        .collect();
    let review_due = record.status == RequestStatus::Approved
        && record.review_due_on.is_some_and(|d| d <= st.now().date());
    Ok(StaffRequestView {
        request,
        other_requests,
        cases,
        review_due,
    })
}
