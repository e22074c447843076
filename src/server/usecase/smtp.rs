//! Port-25 requests (policy §5 "SMTP Restrictions"): the customer's draft and submission, and
//! the staff's written approval, rejection and revocation. Approval ends the default
//! restriction on the address (recorded as the end of that measure, naming the approval);
//! revocation starts it again. Every change is a request event with its written reason and an
//! entry in the provider-wide audit log, in the transaction that makes it.

use super::audit::record_provider;
use crate::domain::actor::Actor;
use crate::domain::enforcement::{service_state, EnforcementKind, Measure, Scope};
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::notice::NoticeCategory;
use crate::domain::notification::NotificationKind;
use crate::domain::smtp::checks::{self, CheckResult};
use crate::domain::smtp::{
    approval_number, decision_text, port25_state, transition, ApprovalDocument, Conditions,
    Port25State, RequestEvent, RequestForm, RequestRefusal, RequestStatus, SMTP_PORT,
};
use crate::error::AppError;
use crate::server::db::enforcement::{self, NewAction};
use crate::server::db::smtp::{self as store, NewApproval, RequestRecord};
use crate::server::db::{accounts, services, DbError, Tx};
use crate::server::dns::PortalDns;
use crate::server::state::AppState;

/// A request the caller may see: their organisation's, or any for staff. Others are "not
/// found", never "forbidden", so that ids reveal nothing.
pub async fn get_request(st: &AppState, who: &Actor, id: i64) -> Result<RequestRecord, AppError> {
    let request = store::get(&st.db, id).await?.ok_or(AppError::NotFound)?;
    who.may_access_org(request.org_id)
        .map_err(|_| AppError::NotFound)?;
    Ok(request)
}

/// Checks that `service` belongs to `org` and, when an address is given, that it is one of the
/// service's.
async fn owned_service(
    st: &AppState,
    org: OrgId,
    service: ServiceId,
    ip: &str,
) -> Result<(), AppError> {
    let record = services::get(&st.db, service)
        .await?
        .filter(|s| s.org_id == org)
        .ok_or_else(|| AppError::invalid("service", "Choose one of your services."))?;
    let ip = ip.trim();
    if !ip.is_empty() && !record.ips.iter().any(|a| a == ip) {
        return Err(AppError::invalid(
            "ip",
            format!("{ip} is not an address of {}.", record.label),
        ));
    }
    Ok(())
}

/// Saves the form as a draft; returns the draft's id. Without an `id` it goes on the caller's
/// current draft, or a new one: each user writes one request at a time, so a form sent twice
/// (no JavaScript, a retry) never leaves two drafts. Nothing typed is lost: drafts keep
/// whatever was entered, within the lengths a request may have.
pub async fn save_draft(
    st: &AppState,
    who: &Actor,
    id: Option<i64>,
    service: ServiceId,
    form: &RequestForm,
) -> Result<i64, AppError> {
    let org = who.customer_scope()?.id();
    owned_service(st, org, service, &form.ip).await?;
    let now = st.now();
    let id = match id {
        Some(id) => Some(id),
        None => store::latest_draft(&st.db, org, who.user_id)
            .await?
            .map(|d| d.id),
    };
    let mut tx = st.db.begin_write().await?;
    let id = match id {
        None => store::insert_draft(&mut tx, org, service, form, who.user_id, now).await?,
        Some(id) => {
            let existing = store::get_for_update(&mut tx, id)
                .await?
                .filter(|r| r.org_id == org)
                .ok_or(AppError::NotFound)?;
            if !store::save_draft(&mut tx, id, service, form, now).await? {
                return Err(AppError::Conflict(format!(
                    "This request is {} and can no longer be edited.",
                    existing.status.label().to_lowercase()
                )));
            }
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Why a request for `ip` cannot be submitted now, if it cannot.
async fn refusal(tx: &mut Tx, ip: &str, except: i64) -> Result<Option<RequestRefusal>, DbError> {
    if let Some((notice_id, category)) = store::open_mail_abuse_case(tx, ip).await? {
        return Ok(Some(RequestRefusal::OpenCase {
            ip: ip.to_owned(),
            notice_id,
            category: category.label().to_owned(),
        }));
    }
    if let Some((request_id, status)) = store::live_for_ip(tx, ip, except).await? {
        return Ok(Some(RequestRefusal::AlreadyRequested {
            ip: ip.to_owned(),
            request_id,
            status: status.label().to_lowercase(),
        }));
    }
    Ok(None)
}

/// Saves the form, checks it, and submits it for review. A form with problems stays a draft
/// with everything typed, and every problem is reported against its field.
pub async fn submit(
    st: &AppState,
    who: &Actor,
    id: Option<i64>,
    service: ServiceId,
    form: &RequestForm,
) -> Result<i64, AppError> {
    let id = save_draft(st, who, id, service, form).await?;
    let details = form.validate().map_err(AppError::InvalidFields)?;
    let ip = details.ip.to_string();
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let request = store::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let next = transition(request.status, RequestEvent::Submit)
        .map_err(|e| AppError::Conflict(e.user_message()))?;
    if let Some(refused) = refusal(&mut tx, &ip, id).await? {
        return Err(AppError::Conflict(refused.to_string()));
    }
    let (_, measures) = enforcement::measures_in_tx(&mut tx, request.service_id).await?;
    if port25_state(&ip, &measures, now) == Port25State::Allowed {
        return Err(AppError::Conflict(format!(
            "Port 25 is already allowed on {ip}: there is nothing to request."
        )));
    }
    match store::set_status(&mut tx, id, request.status, next, now).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(AppError::Conflict(
                "This request has just changed; reload the page.".into(),
            ))
        }
        // The unique index caught a request submitted for the same address at the same moment.
        Err(DbError::Duplicate) => {
            return Err(AppError::Conflict(format!(
                "Another request for {ip} was submitted a moment ago."
            )))
        }
        Err(other) => return Err(other.into()),
    }
    store::set_details(&mut tx, id, &details).await?;
    store::add_event(
        &mut tx,
        id,
        now,
        Some(who.user_id),
        who.role.as_str(),
        "submitted",
        None,
    )
    .await?;
    record_provider(
        st,
        &mut tx,
        &label,
        "smtp_request_submitted",
        &format!(
            "Port-25 request #{id} for {ip} submitted ({}).",
            details.use_case.label()
        ),
    )
    .await?;
    tx.commit().await?;
    // The checks run on submission too; the request stands whatever they find.
    if let Err(error) = run_checks(st, who, id).await {
        tracing::warn!(request_id = id, %error, "the DNS checks did not run on submission");
    }
    Ok(id)
}

/// The longest one run of the checks may take, all questions together.
const CHECKS_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Runs the DNS checks of a request (a draft as typed, or what was submitted) and keeps the
/// results with who asked. Customers run them on their own requests, staff on any.
pub async fn run_checks(st: &AppState, who: &Actor, id: i64) -> Result<Vec<CheckResult>, AppError> {
    let request = get_request(st, who, id).await?;
    let details = match store::details(&st.db, id).await? {
        Some(details) => details,
        None => request.form.validate().map_err(AppError::InvalidFields)?,
    };
    let dns = PortalDns::new(&st.config.dns).map_err(crate::server::errors::internal)?;
    let results = tokio::time::timeout(CHECKS_TIME_LIMIT, checks::run(&dns, &details))
        .await
        .map_err(|_| {
            AppError::Conflict(
                "The DNS checks took too long; try again in a few minutes.".to_owned(),
            )
        })?;
    store::insert_check_run(&st.db, id, st.now(), Some(who.user_id), &results).await?;
    Ok(results)
}

/// The customer withdraws a pending request.
pub async fn withdraw(st: &AppState, who: &Actor, id: i64) -> Result<(), AppError> {
    let org = who.customer_scope()?.id();
    let request = get_request(st, who, id).await?;
    if request.org_id != org {
        return Err(AppError::NotFound);
    }
    let label = super::audit::actor_label(st, who).await?;
    change_status(
        st,
        who,
        &label,
        &request,
        RequestEvent::Withdraw,
        "withdrawn",
        None,
    )
    .await
}

/// Applies a lifecycle event with its history entry and audit entry; the caller has checked
/// access and the reason.
async fn change_status(
    st: &AppState,
    who: &Actor,
    label: &str,
    request: &RequestRecord,
    event: RequestEvent,
    name: &str,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let now = st.now();
    let next =
        transition(request.status, event).map_err(|e| AppError::Conflict(e.user_message()))?;
    let mut tx = st.db.begin_write().await?;
    if !store::set_status(&mut tx, request.id, request.status, next, now).await? {
        return Err(AppError::Conflict(
            "This request has just changed; reload the page.".into(),
        ));
    }
    store::add_event(
        &mut tx,
        request.id,
        now,
        Some(who.user_id),
        who.role.as_str(),
        name,
        reason,
    )
    .await?;
    if next == RequestStatus::Revoked {
        restrict_again(&mut tx, st, who, request, reason.unwrap_or_default()).await?;
    }
    let detail = match reason {
        Some(reason) => format!(
            "Port-25 request #{} for {}: {name}. {reason}",
            request.id, request.ip
        ),
        None => format!(
            "Port-25 request #{} for {}: {name}.",
            request.id, request.ip
        ),
    };
    record_provider(st, &mut tx, label, &format!("smtp_request_{name}"), &detail).await?;
    if let Some(reason) = reason {
        super::notifications::tell(
            &mut tx,
            st,
            request.org_id,
            NotificationKind::Port25Decision,
            |_| {
                format!(
                    "Port-25 request #{} for {}: {name}. {}",
                    request.id,
                    request.ip,
                    reason.chars().take(200).collect::<String>()
                )
            },
            &format!("/smtp/{}", request.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Staff reject a pending request with a written reason the customer reads.
pub async fn reject(st: &AppState, who: &Actor, id: i64, reason: &str) -> Result<(), AppError> {
    refuse(st, who, id, RequestEvent::Reject, "rejected", reason).await
}

/// Staff revoke an approval with a written reason; the default restriction starts again.
pub async fn revoke(st: &AppState, who: &Actor, id: i64, reason: &str) -> Result<(), AppError> {
    refuse(st, who, id, RequestEvent::Revoke, "revoked", reason).await
}

/// A staff decision against a request, with its written reason.
async fn refuse(
    st: &AppState,
    who: &Actor,
    id: i64,
    event: RequestEvent,
    name: &str,
    reason: &str,
) -> Result<(), AppError> {
    who.require_staff()?;
    let reason = decision_text(reason, "reason").map_err(|e| AppError::InvalidFields(vec![e]))?;
    let request = get_request(st, who, id).await?;
    let label = super::audit::actor_label(st, who).await?;
    change_status(st, who, &label, &request, event, name, Some(&reason)).await
}

/// Ends the live port-25 requests of `service` for addresses inside `block`, which the service
/// has just stopped holding ([`crate::domain::smtp::ending_on_release`]), each with `reason` in
/// its history; answers what ended, for the caller's audit entry. Nothing is restricted again
/// here: the service no longer holds the address, and its next holder gets the default.
pub(crate) async fn end_for_released_block(
    tx: &mut Tx,
    who: &Actor,
    service: ServiceId,
    block: &crate::domain::inventory::IpBlock,
    now: time::OffsetDateTime,
    reason: &str,
) -> Result<Vec<String>, AppError> {
    let mut ended = Vec::new();
    for (id, ip, status) in store::live_of_service(tx, service).await? {
        let inside = ip
            .parse::<std::net::IpAddr>()
            .is_ok_and(|addr| block.contains(addr));
        let Some(event) = crate::domain::smtp::ending_on_release(status).filter(|_| inside) else {
            continue;
        };
        let next = transition(status, event).map_err(crate::server::errors::internal)?;
        if store::set_status(tx, id, status, next, now).await? {
            let why = format!("{ip} is no longer held by this service: {reason}");
            store::add_event(
                tx,
                id,
                now,
                Some(who.user_id),
                who.role.as_str(),
                next.as_str(),
                Some(&why),
            )
            .await?;
            ended.push(format!("port-25 request #{id} for {ip} {}", next.as_str()));
        }
    }
    Ok(ended)
}

/// Starts the default restriction on a revoked request's address again.
async fn restrict_again(
    tx: &mut Tx,
    st: &AppState,
    who: &Actor,
    request: &RequestRecord,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let action = NewAction {
        service: request.service_id,
        notice_id: None,
        measure: Measure {
            kind: EnforcementKind::Port25Restriction,
            scope: Scope::Port {
                port: SMTP_PORT,
                ip: Some(request.ip.clone()),
            },
            starts_at: st.now(),
            ends_at: None,
        },
        reason: format!(
            "Approval of port-25 request #{} revoked: {reason}",
            request.id
        ),
        upstream_requested: false,
        started_by: Some(who.user_id),
        smtp_request_id: Some(request.id),
    };
    enforcement::insert(tx, staff, &action).await?;
    Ok(())
}

/// What staff enter to approve a request.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    /// The approval text, printed on the document.
    pub text: String,
    /// Daily cap, as typed (empty for none).
    pub daily_cap: String,
    /// End of probation, `YYYY-MM-DD` as typed (empty for none).
    pub probation_until: String,
}

/// Staff approve a request in writing: a numbered document is issued, and the default
/// restriction on the address ends, naming it. Returns the approval's number.
pub async fn approve(
    st: &AppState,
    who: &Actor,
    id: i64,
    input: &Approval,
) -> Result<String, AppError> {
    let staff = who.require_staff()?;
    let now = st.now();
    let mut errors = Vec::new();
    let text = decision_text(&input.text, "approval_text")
        .map_err(|e| errors.push(e))
        .ok();
    let conditions = Conditions::parse(&input.daily_cap, &input.probation_until, now.date())
        .map_err(|mut e| errors.append(&mut e))
        .ok();
    let (Some(text), Some(conditions)) = (text, conditions) else {
        return Err(AppError::InvalidFields(errors));
    };
    let request = get_request(st, who, id).await?;
    let details = store::details(&st.db, id)
        .await?
        .ok_or_else(|| AppError::Conflict("This request has not been submitted yet.".into()))?;
    let next = transition(request.status, RequestEvent::Approve)
        .map_err(|e| AppError::Conflict(e.user_message()))?;
    let approver = accounts::find_user(&st.db, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let org_name = accounts::organisation_name(&st.db, request.org_id)
        .await?
        .unwrap_or_default();
    let service = services::get(&st.db, request.service_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let approver_role = who.role.label().to_owned();
    let mut tx = st.db.begin_write().await?;
    let locked = store::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if locked.status != request.status {
        return Err(AppError::Conflict(
            "This request has just changed; reload the page.".into(),
        ));
    }
    // A case opened since submission still stops an approval.
    if let Some(refused @ RequestRefusal::OpenCase { .. }) =
        refusal(&mut tx, &request.ip, id).await?
    {
        return Err(AppError::Conflict(refused.to_string()));
    }
    let number = approval_number(
        now.year(),
        id,
        store::approval_count(&mut tx, id).await? + 1,
    );
    let document = ApprovalDocument {
        number: number.clone(),
        issued_at: now,
        organisation: org_name,
        service_label: service.label.clone(),
        service_kind: service.kind.label().to_owned(),
        ip: request.ip.clone(),
        use_case: details.use_case.label().to_owned(),
        use_case_details: details.use_case_details.clone(),
        sending_domains: details.sending_domains.clone(),
        daily_volume: details.daily_volume,
        conditions: conditions.describe(),
        approval_text: text.clone(),
        approver_role: approver_role.clone(),
        approver: approver.email.clone(),
    };
    let document = serde_json::to_string(&document).expect("plain data serialises");
    let approval_id = store::issue_approval(
        &mut tx,
        staff,
        &NewApproval {
            request: id,
            number: &number,
            issued_at: now,
            approved_by: who.user_id,
            approver_role: &approver_role,
            text: &text,
            daily_cap: conditions.daily_cap,
            probation_until: conditions.probation_until,
            document: &document,
        },
    )
    .await?;
    if !store::set_status(&mut tx, id, request.status, next, now).await? {
        return Err(AppError::Conflict(
            "This request has just changed; reload the page.".into(),
        ));
    }
    store::add_event(
        &mut tx,
        id,
        now,
        Some(who.user_id),
        who.role.as_str(),
        "approved",
        Some(&format!("{number}: {text}")),
    )
    .await?;
    // The default restriction on the address ends, naming the approval.
    let measures = enforcement::records_in_tx(&mut tx, request.service_id).await?;
    for action in measures.iter().filter(|a| {
        a.measure.kind == EnforcementKind::Port25Restriction
            && a.measure.in_force(now)
            && matches!(&a.measure.scope, Scope::Port { ip: Some(ip), .. } if *ip == request.ip)
    }) {
        enforcement::end_for_request(
            &mut tx,
            staff,
            action.id,
            who.user_id,
            now,
            &format!("Approved in writing: {number}."),
            id,
        )
        .await?;
    }
    let label = format!("{} ({})", approver.email, who.role.as_str());
    record_provider(
        st,
        &mut tx,
        &label,
        "smtp_request_approved",
        &format!(
            "Port-25 request #{id} for {} approved in writing: {number} (approval {approval_id}).",
            request.ip
        ),
    )
    .await?;
    super::notifications::tell(
        &mut tx,
        st,
        request.org_id,
        NotificationKind::Port25Decision,
        |_| {
            format!(
                "Port-25 request #{id} for {}: approved in writing ({number}).",
                request.ip
            )
        },
        &format!("/smtp/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(number)
}

/// The default restriction a new service of its kind starts with: port 25 restricted on each
/// of its addresses, started by the portal itself. Does nothing for kinds configured otherwise.
pub async fn restrict_new_service(st: &AppState, service: ServiceId) -> Result<(), AppError> {
    let record = services::get(&st.db, service)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::restricted_by_default(&st.db, record.kind).await? {
        return Ok(());
    }
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    for ip in &record.ips {
        enforcement::insert_by_portal(
            &mut tx,
            &NewAction {
                service,
                notice_id: None,
                measure: Measure {
                    kind: EnforcementKind::Port25Restriction,
                    scope: Scope::Port {
                        port: SMTP_PORT,
                        ip: Some(ip.clone()),
                    },
                    starts_at: now,
                    ends_at: None,
                },
                reason: format!(
                    "Outbound SMTP is restricted on new {} services until a legitimate use case \
                     is approved in writing (policy §5).",
                    record.kind.label()
                ),
                upstream_requested: false,
                started_by: None,
                smtp_request_id: None,
            },
        )
        .await?;
    }
    record_provider(
        st,
        &mut tx,
        "system",
        "port25_restricted_by_default",
        &format!(
            "Service {}: port 25 restricted by default on {}.",
            record.label,
            record.ips.join(", ")
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// When a spam or phishing case opens on an address that an approval allows to send: a
/// `Port25Block` starts at once, by the portal, recorded in the case's trail, and the approval
/// is suspended with the reason the customer reads. Runs in the transaction that opens the case.
pub async fn reblock_for_new_case(
    tx: &mut Tx,
    st: &AppState,
    notice_id: i64,
    service: ServiceId,
    category: NoticeCategory,
    ips: &[String],
) -> Result<(), AppError> {
    if !matches!(category, NoticeCategory::Spam | NoticeCategory::Phishing) {
        return Ok(());
    }
    let now = st.now();
    for ip in ips {
        let Some((request_id, RequestStatus::Approved)) = store::live_for_ip(tx, ip, 0).await?
        else {
            continue;
        };
        let next = transition(RequestStatus::Approved, RequestEvent::Suspend)
            .map_err(|e| AppError::Conflict(e.user_message()))?;
        store::set_status(tx, request_id, RequestStatus::Approved, next, now).await?;
        let why = format!(
            "Case #{notice_id} ({}) was opened on {ip}: port 25 is blocked again until the case is \
             resolved and the approval reviewed.",
            category.label()
        );
        store::add_event(tx, request_id, now, None, "system", "suspended", Some(&why)).await?;
        enforcement::insert_by_portal(
            tx,
            &NewAction {
                service,
                notice_id: Some(notice_id),
                measure: Measure {
                    kind: EnforcementKind::Port25Block,
                    scope: Scope::Port {
                        port: SMTP_PORT,
                        ip: Some(ip.clone()),
                    },
                    starts_at: now,
                    ends_at: None,
                },
                reason: format!(
                    "Automatic: a {} case was opened on an address allowed to send by port-25 \
                     request #{request_id}; that approval is suspended.",
                    category.label().to_lowercase()
                ),
                upstream_requested: false,
                started_by: None,
                smtp_request_id: Some(request_id),
            },
        )
        .await?;
        let (state, measures) = enforcement::measures_in_tx(tx, service).await?;
        let next_state = service_state(state, &measures, now);
        enforcement::set_service_state(tx, service, next_state).await?;
        super::audit::record_case(
            st,
            tx,
            notice_id,
            now,
            "system",
            "measure_started",
            &format!(
                "Measure started automatically: Port 25 (SMTP) block on port 25 on {ip}; the \
                     approval of port-25 request #{request_id} is suspended. Service is {}.",
                next_state.label().to_lowercase()
            ),
        )
        .await?;
    }
    Ok(())
}

/// Staff set (`restrict == true`) or lift the default port-25 restriction on one address of a
/// service, with a written reason; recorded in the provider-wide audit log.
pub async fn change_default_restriction(
    st: &AppState,
    who: &Actor,
    service: ServiceId,
    ip: &str,
    restrict: bool,
    reason: &str,
) -> Result<(), AppError> {
    let staff = who.require_staff()?;
    let reason = decision_text(reason, "reason").map_err(|e| AppError::InvalidFields(vec![e]))?;
    let record = services::get(&st.db, service)
        .await?
        .ok_or(AppError::NotFound)?;
    if !record.ips.iter().any(|a| a == ip) {
        return Err(AppError::invalid(
            "ip",
            format!("{ip} is not an address of {}.", record.label),
        ));
    }
    let label = super::audit::actor_label(st, who).await?;
    let now = st.now();
    let mut tx = st.db.begin_write().await?;
    let restrictions: Vec<i64> = enforcement::records_in_tx(&mut tx, service)
        .await?
        .into_iter()
        .filter(|a| {
            a.measure.kind == EnforcementKind::Port25Restriction
                && a.measure.in_force(now)
                && matches!(&a.measure.scope, Scope::Port { ip: Some(addr), .. } if addr == ip)
        })
        .map(|a| a.id)
        .collect();
    let detail = if restrict {
        if !restrictions.is_empty() {
            return Err(AppError::Conflict(format!(
                "Port 25 is already restricted by default on {ip}."
            )));
        }
        let action = NewAction {
            service,
            notice_id: None,
            measure: Measure {
                kind: EnforcementKind::Port25Restriction,
                scope: Scope::Port {
                    port: SMTP_PORT,
                    ip: Some(ip.to_owned()),
                },
                starts_at: now,
                ends_at: None,
            },
            reason: reason.clone(),
            upstream_requested: false,
            started_by: Some(who.user_id),
            smtp_request_id: None,
        };
        enforcement::insert(&mut tx, staff, &action).await?;
        format!(
            "Service {}: port 25 restricted by default on {ip}. {reason}",
            record.label
        )
    } else {
        if restrictions.is_empty() {
            return Err(AppError::Conflict(format!(
                "Port 25 is not restricted by default on {ip}."
            )));
        }
        for id in restrictions {
            enforcement::end(&mut tx, staff, id, who.user_id, now, &reason).await?;
        }
        format!(
            "Service {}: default port-25 restriction lifted on {ip}. {reason}",
            record.label
        )
    };
    let action = if restrict {
        "port25_restricted"
    } else {
        "port25_restriction_lifted"
    };
    record_provider(st, &mut tx, &label, action, &detail).await?;
    tx.commit().await?;
    Ok(())
}
