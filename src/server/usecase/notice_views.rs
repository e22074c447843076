//! Notices as the pages show them: turns records into view types, with the viewer's scope.

use super::case_access::get_notice;
use super::notices::list_notices;
use crate::domain::actor::Actor;
use crate::domain::evidence::{DetectedType, EvidenceFileKind};
use crate::domain::ids::{OrgId, ServiceId};
use crate::domain::notice::NoticeState;
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::notices::{ListCursor, ListOrder, NoticeFilter, NoticeRecord};
use crate::server::db::{accounts, audit, responses, services};
use crate::server::state::AppState;
use crate::views::cases::{CaseQueueView, CaseRowView, CaseView, NewCaseOptions, NoteView};
use crate::views::notices::{
    DisputeView, EvidenceDraft, FileView, MeasureView, NoticeDetailView, NoticeListView,
    NoticeRowView, SubmissionView, TimelineEntryView,
};

/// Notices per page.
pub const PAGE_SIZE: i64 = 20;

/// A notice as lists show it, its times in `zone`.
pub fn row(n: &NoticeRecord, zone: &Zone) -> NoticeRowView {
    NoticeRowView {
        id: n.id,
        service_label: n.service_label.clone(),
        ips: n.ips.clone(),
        category: n.category,
        state: n.state,
        high_risk: n.high_risk,
        deadline_unix: n.deadline_at.unix_timestamp(),
        deadline_text: zone.show(n.deadline_at),
        notified_text: zone.show(n.notified_at),
    }
}

/// Encodes a list cursor as `deadline.id` (Unix seconds).
fn encode(c: &ListCursor) -> String {
    format!("{}.{}", c.deadline_at.unix_timestamp(), c.id)
}

fn decode(raw: &str) -> Result<ListCursor, AppError> {
    let bad = || {
        AppError::invalid(
            "after",
            "That page link is not valid any more; start from the first page.",
        )
    };
    let (d, id) = raw.split_once('.').ok_or_else(bad)?;
    let deadline_at = time::OffsetDateTime::from_unix_timestamp(d.parse().map_err(|_| bad())?)
        .map_err(|_| bad())?;
    Ok(ListCursor {
        deadline_at,
        id: id.parse().map_err(|_| bad())?,
    })
}

/// One page of notices after the cursor `after` (as the URL carries it), and the next page's
/// cursor when there is one.
async fn page(
    st: &AppState,
    who: &Actor,
    filter: NoticeFilter,
    after: Option<String>,
) -> Result<(Vec<NoticeRecord>, Option<String>), AppError> {
    let after = after
        .filter(|a| !a.is_empty())
        .map(|a| decode(&a))
        .transpose()?;
    let mut rows = list_notices(st, who, filter, after, PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|n| {
            encode(&ListCursor {
                deadline_at: n.deadline_at,
                id: n.id,
            })
        })
    } else {
        None
    };
    Ok((rows, next))
}

/// A page of the caller's notices with the given filters (text values as the URL carries them).
pub async fn list(
    st: &AppState,
    who: &Actor,
    state: Option<String>,
    service: Option<i64>,
    category: Option<String>,
    order: Option<String>,
    after: Option<String>,
) -> Result<NoticeListView, AppError> {
    let mut filter = NoticeFilter::default();
    if let Some(s) = state.filter(|s| !s.is_empty()) {
        filter.states = vec![s
            .parse()
            .map_err(|_| AppError::invalid("state", "Choose a status from the list."))?];
    }
    filter.service = service.map(ServiceId);
    if let Some(c) = category.filter(|c| !c.is_empty()) {
        filter.category = Some(
            c.parse()
                .map_err(|_| AppError::invalid("category", "Choose a category from the list."))?,
        );
    }
    filter.order = if order.as_deref() == Some("newest") {
        ListOrder::Newest
    } else {
        ListOrder::Deadline
    };
    let (rows, next) = page(st, who, filter, after).await?;
    let services = match who.reach()?.org_filter() {
        Some(org) => services::labels_for_org(&st.db, org, 200).await?,
        None => Vec::new(),
    };
    Ok(NoticeListView {
        rows: rows.iter().map(|n| row(n, &who.zone)).collect(),
        next,
        services,
        now_unix: st.now().unix_timestamp(),
    })
}

/// Staff appear to customers as "Abuse desk"; staff see everyone as recorded.
fn actor_for(viewer: &Actor, recorded: &str) -> String {
    let staff = recorded.ends_with("(staff)") || recorded.ends_with("(admin)");
    if viewer.role.is_provider() {
        recorded.to_owned()
    } else if staff {
        "Abuse desk".to_owned()
    } else if recorded == "system" {
        "Portal (automatic)".to_owned()
    } else {
        recorded.trim_end_matches(" (customer)").to_owned()
    }
}

/// One notice with its timeline and responses, within the caller's scope; `draft` is the
/// customer's evidence form as they last left it (the server function reads it from their
/// session), shown again in the form.
pub async fn detail(
    st: &AppState,
    who: &Actor,
    id: i64,
    draft: Option<EvidenceDraft>,
) -> Result<NoticeDetailView, AppError> {
    let n = get_notice(st, who, id).await?;
    detail_of(st, who, &n, draft).await
}

/// [`detail`] for a notice already read within the caller's scope.
async fn detail_of(
    st: &AppState,
    who: &Actor,
    n: &NoticeRecord,
    draft: Option<EvidenceDraft>,
) -> Result<NoticeDetailView, AppError> {
    let id = n.id;
    let trail = audit::list(&st.db, id).await?;
    let intact = audit::verify_loaded(&st.db, &st.audit_keys, audit::Trail::Case(id), &trail)
        .await?
        .is_ok();
    let submissions = responses::submissions(&st.db, id).await?;
    let files = responses::files_of_notice(&st.db, id).await?;
    let limits = st.config.evidence;
    let now = st.now();
    let actions = crate::server::db::enforcement::for_service(&st.db, n.service_id).await?;
    let measures: Vec<MeasureView> = actions
        .iter()
        .filter(|a| a.notice_id == Some(id))
        .map(|a| measure_view(a, now, who))
        .collect();
    let disputes = responses::disputes(&st.db, id).await?;
    let billing = super::billing_views::case_billing(st, who, n, &actions).await?;
    Ok(NoticeDetailView {
        row: row(n, &who.zone),
        source: n.source.label().to_owned(),
        service_kind: n.service_kind.label().to_owned(),
        service_state: n.service_state.label().to_owned(),
        summary: n.summary.clone(),
        event_count: n.event_count,
        escalation_level: n.escalation_level,
        first_seen_text: who.zone.show(n.first_seen_at),
        last_seen_text: who.zone.show(n.last_seen_at),
        deadline_reason: n.deadline_reason.clone(),
        now_unix: st.now().unix_timestamp(),
        timeline: trail
            .iter()
            .filter(|e| who.role.is_provider() || !super::notices::staff_only(&e.record.action))
            .map(|e| TimelineEntryView {
                at_text: who.zone.show(e.record.at),
                actor: actor_for(who, &e.record.actor),
                // How a report was verified is the abuse desk's working note.
                detail: if e.record.action == "report_verified" && !who.role.is_provider() {
                    "The report was verified by the abuse desk.".to_owned()
                } else {
                    e.record.detail.clone()
                },
            })
            .collect(),
        submissions: submissions
            .into_iter()
            .map(|s| SubmissionView {
                id: s.id,
                submitted_text: who.zone.show(s.submitted_at),
                cause: s.cause,
                fix: s.fix,
                prevention: s.prevention,
                decision: s.decision,
                decision_reason: s.decision_reason,
                files: files
                    .iter()
                    .filter(|f| f.submission_id == s.id)
                    .map(|f| FileView {
                        id: f.id,
                        name: f.display_name.clone(),
                        kind: f
                            .kind
                            .parse::<EvidenceFileKind>()
                            .map(|k| k.label())
                            .unwrap_or("Other")
                            .to_owned(),
                        size_text: crate::domain::evidence::size_text(f.size_bytes.max(0) as u64),
                        detected: f
                            .detected_type
                            .parse::<DetectedType>()
                            .map(|d| d.label())
                            .unwrap_or("?")
                            .to_owned(),
                        sha256: f.sha256.clone(),
                    })
                    .collect(),
            })
            .collect(),
        disputes: disputes
            .into_iter()
            .map(|d| DisputeView {
                submitted_text: who.zone.show(d.submitted_at),
                reasons: d.reasons,
                outcome: d.outcome,
                statement_of_reasons: d.statement_of_reasons,
            })
            .collect(),
        trail_intact: intact,
        measures,
        draft,
        limits_text: format!(
            "Up to {} files, {} MiB each and {} MiB in all: images, PDF, plain text, logs or CSV.",
            limits.max_files,
            limits.max_file_bytes / (1024 * 1024),
            limits.max_submission_bytes / (1024 * 1024)
        ),
        limits,
        billing,
    })
}

/// The staff queue: every customer's cases, earliest deadline first (overdue ones lead), with
/// filters and the counts per status. Staff only.
#[allow(clippy::too_many_arguments)]
pub async fn staff_queue(
    st: &AppState,
    who: &Actor,
    status: Option<String>,
    category: Option<String>,
    org: Option<i64>,
    kind: Option<String>,
    high_risk: Option<String>,
    after: Option<String>,
) -> Result<CaseQueueView, AppError> {
    let staff = who.require_staff()?;
    let mut filter = NoticeFilter::default();
    match status.as_deref().unwrap_or("active") {
        "" | "active" => {
            filter.states = NoticeState::ALL
                .iter()
                .copied()
                .filter(|s| !s.is_finished())
                .collect()
        }
        "all" => {}
        s => {
            filter.states = vec![s
                .parse()
                .map_err(|_| AppError::invalid("status", "Choose a status from the list."))?]
        }
    }
    if let Some(c) = category.filter(|c| !c.is_empty()) {
        filter.category = Some(
            c.parse()
                .map_err(|_| AppError::invalid("category", "Choose a category from the list."))?,
        );
    }
    filter.org = org.map(OrgId);
    if let Some(k) = kind.filter(|k| !k.is_empty()) {
        filter.service_kind = Some(
            k.parse()
                .map_err(|_| AppError::invalid("kind", "Choose a service kind from the list."))?,
        );
    }
    filter.high_risk_only = high_risk.is_some_and(|h| !h.is_empty());
    let (rows, next) = page(st, who, filter, after).await?;
    let counts = crate::server::db::notices::state_counts(&st.db, staff)
        .await?
        .into_iter()
        .map(|(s, n)| (s.as_str().to_owned(), s.label().to_owned(), n))
        .collect();
    Ok(CaseQueueView {
        rows: rows
            .iter()
            .map(|n| CaseRowView {
                row: row(n, &who.zone),
                org_name: n.org_name.clone(),
                service_kind: n.service_kind.label().to_owned(),
            })
            .collect(),
        next,
        counts,
        organisations: accounts::organisation_names(&st.db, staff).await?,
        now_unix: st.now().unix_timestamp(),
    })
}

/// One case as staff see it. Staff only.
pub async fn staff_case(st: &AppState, who: &Actor, id: i64) -> Result<CaseView, AppError> {
    let staff = who.require_staff()?;
    let n = get_notice(st, who, id).await?;
    let notes = responses::notes(&st.db, staff, id)
        .await?
        .into_iter()
        .map(|n| NoteView {
            author: n.author_email,
            body: n.body,
            at_text: who.zone.show(n.created_at),
        })
        .collect();
    let reported_events = super::reports::events_of_notice(st, who, id).await?;
    Ok(CaseView {
        notes,
        reported_events,
        detail: detail_of(st, who, &n, None).await?,
        org_name: n.org_name.clone(),
        verification_note: n.verification_note.clone(),
        deadline_input: who.zone.input_value(n.deadline_at),
        zone: who.zone.name().to_owned(),
    })
}

/// The services to choose from when opening a notice. Staff only.
pub async fn new_case_options(st: &AppState, who: &Actor) -> Result<NewCaseOptions, AppError> {
    let staff = who.require_staff()?;
    let kind_label = |k: &str| {
        k.parse::<crate::domain::service::ServiceKind>()
            .map(|k| k.label())
            .unwrap_or("?")
    };
    Ok(NewCaseOptions {
        services: services::list_all_labelled(&st.db, staff, 2_000)
            .await?
            .into_iter()
            .map(|(id, org, label, kind)| (id, format!("{org} · {label} ({})", kind_label(&kind))))
            .collect(),
        now_input: who.zone.input_value(st.now()),
        zone: who.zone.name().to_owned(),
    })
}

/// A measure as `viewer` sees it: customers see staff as "Abuse desk".
pub fn measure_view(
    a: &crate::server::db::enforcement::ActionRecord,
    now: time::OffsetDateTime,
    viewer: &Actor,
) -> MeasureView {
    let staff = viewer.role.is_provider();
    MeasureView {
        id: a.id,
        kind: a.measure.kind.label().to_owned(),
        scope: a.measure.scope.describe(),
        reason: a.reason.clone(),
        since_text: viewer.zone.show(a.measure.starts_at),
        until_text: a.measure.ends_at.map(|t| viewer.zone.show(t)),
        in_force: a.measure.in_force(now),
        permanent: a.measure.kind == crate::domain::enforcement::EnforcementKind::Termination,
        upstream_requested: a.upstream_requested,
        started_by: if staff {
            a.started_by_email.clone()
        } else {
            "Abuse desk".to_owned()
        },
        end_reason: a.end_reason.clone(),
    }
}
