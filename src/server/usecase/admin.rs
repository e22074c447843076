//! The staff overview: provider-wide totals and the organisations, a page at a time.

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::server::db::accounts;
use crate::server::state::AppState;
use crate::views::admin::{AdminOverview, OrgCursor, OrgSummary};

/// Organisations per page.
pub const PAGE_SIZE: i64 = 25;

/// Totals and one page of organisations after `after`. Staff and admins only.
pub async fn overview(
    st: &AppState,
    actor: &Actor,
    after: Option<OrgCursor>,
) -> Result<AdminOverview, AppError> {
    let staff = actor.require_staff()?;
    let totals = accounts::totals(&st.db, staff).await?;
    let mut rows = accounts::list_organisations(
        &st.db,
        staff,
        after.as_ref().map(|c| (c.name.as_str(), c.id)),
        PAGE_SIZE + 1,
    )
    .await?;
    let has_more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if has_more {
        rows.last().map(|r| OrgCursor {
            name: r.name.clone(),
            id: r.id,
        })
    } else {
        None
    };
    Ok(AdminOverview {
        organisations: totals.organisations,
        customers: totals.customers,
        staff: totals.staff,
        services: totals.services,
        services_not_active: totals.services_restricted,
        mails_given_up: crate::server::db::outbox::trouble_counts(&st.db).await?.0,
        page: rows
            .into_iter()
            .map(|r| OrgSummary {
                id: r.id,
                name: r.name,
                users: r.users,
                services: r.services,
            })
            .collect(),
        next,
    })
}
