//! Server functions of the inventory pages: staff read and search; admins change (the use
//! cases check the role).

// A server function's arguments are its form's fields, one each; the #[server] macro does not
// pass an item-level allow on to the code it generates.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::views::organisations::{AdminServiceView, InventorySearchView, OrganisationView};
use leptos::prelude::*;

/// Searches the inventory; with `at`, says who held the address then.
#[server(endpoint = "admin/organisations/search")]
pub async fn search_inventory(
    q: Option<String>,
    at: Option<String>,
    after: Option<crate::views::admin::OrgCursor>,
) -> Result<InventorySearchView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::search(
        &st,
        &who,
        q.as_deref().unwrap_or_default(),
        at.as_deref().unwrap_or_default(),
        after,
    )
    .await
}

/// One organisation.
#[server(endpoint = "admin/organisations/get")]
pub async fn get_organisation(id: i64) -> Result<OrganisationView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::organisation(&st, &who, crate::domain::ids::OrgId(id))
        .await
}

/// Creates an organisation and opens its page.
#[server(endpoint = "admin/organisations/create")]
pub async fn create_organisation(
    name: String,
    abuse_email: String,
    billing_email: String,
    technical_email: String,
    phone: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::server::usecase::organisations::{self as inventory, OrgForm};
    let (st, who) = crate::server::state::caller().await?;
    let form = OrgForm {
        name,
        abuse_email,
        billing_email,
        technical_email,
        phone,
    };
    let id = inventory::create_organisation(&st, &who, &form, &reason).await?;
    leptos_axum::redirect(&format!("/admin/organisations/{id}"));
    Ok(())
}

/// Renames an organisation or changes its contacts.
#[server(endpoint = "admin/organisations/update")]
pub async fn update_organisation(
    id: i64,
    name: String,
    abuse_email: String,
    billing_email: String,
    technical_email: String,
    phone: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::server::usecase::organisations::{self as inventory, OrgForm};
    let (st, who) = crate::server::state::caller().await?;
    let form = OrgForm {
        name,
        abuse_email,
        billing_email,
        technical_email,
        phone,
    };
    inventory::update_organisation(&st, &who, crate::domain::ids::OrgId(id), &form, &reason).await
}

/// Retires an organisation whose services are retired.
#[server(endpoint = "admin/organisations/retire")]
pub async fn retire_organisation(id: i64, reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::retire_organisation(
        &st,
        &who,
        crate::domain::ids::OrgId(id),
        &reason,
    )
    .await
}

/// One service with its addresses and their history.
#[server(endpoint = "admin/services/get")]
pub async fn get_admin_service(id: i64) -> Result<AdminServiceView, AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::service(&st, &who, crate::domain::ids::ServiceId(id))
        .await
}

/// Adds a service to an organisation and opens its page.
#[server(endpoint = "admin/services/create")]
pub async fn create_service(
    organisation: i64,
    label: String,
    kind: String,
    reason: String,
) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    let id = crate::server::usecase::organisations::create_service(
        &st,
        &who,
        crate::domain::ids::OrgId(organisation),
        &label,
        &kind,
        &reason,
    )
    .await?;
    leptos_axum::redirect(&format!("/admin/services/{id}"));
    Ok(())
}

/// Changes a service's label and kind, or moves it to another organisation.
#[server(endpoint = "admin/services/update")]
pub async fn update_service(
    id: i64,
    label: String,
    kind: String,
    organisation: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::ids::{OrgId, ServiceId};
    let (st, who) = crate::server::state::caller().await?;
    let organisation = organisation.trim().parse().map_err(|_| {
        AppError::invalid(
            "organisation",
            "Enter the organisation's number, digits only.",
        )
    })?;
    crate::server::usecase::organisations::update_service(
        &st,
        &who,
        ServiceId(id),
        &label,
        &kind,
        OrgId(organisation),
        &reason,
    )
    .await
}

/// Retires a service, releasing its addresses.
#[server(endpoint = "admin/services/retire")]
pub async fn retire_service(id: i64, reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::retire_service(
        &st,
        &who,
        crate::domain::ids::ServiceId(id),
        &reason,
    )
    .await
}

/// Assigns an address or prefix to a service.
#[server(endpoint = "admin/services/assign")]
pub async fn assign_block(id: i64, block: String, reason: String) -> Result<(), AppError> {
    let (st, who) = crate::server::state::caller().await?;
    crate::server::usecase::organisations::assign_block(
        &st,
        &who,
        crate::domain::ids::ServiceId(id),
        &block,
        &reason,
    )
    .await
}

/// Releases an address or prefix, or moves it to the service numbered `to_service`.
#[server(endpoint = "admin/services/release")]
pub async fn release_block(
    block: String,
    to_service: Option<String>,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::ids::ServiceId;
    let (st, who) = crate::server::state::caller().await?;
    let to = match to_service
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(raw) => Some(ServiceId(raw.parse().map_err(|_| {
            AppError::invalid("to_service", "Enter the service's number, digits only.")
        })?)),
    };
    crate::server::usecase::organisations::release_block(&st, &who, &block, to, &reason).await
}

/// Previews (`intent` = `preview`) or applies (`apply`) an inventory import from CSV text; the
/// outcome is kept for the import page.
#[server(endpoint = "admin/organisations/import")]
pub async fn import_inventory(csv: String, intent: String) -> Result<(), AppError> {
    use crate::server::errors::internal;
    use crate::server::state::session;
    let (st, who) = crate::server::state::caller().await?;
    let view = crate::server::usecase::inventory_import::import(&st, &who, &csv, intent == "apply")
        .await?;
    session()
        .await?
        .save_import(&view)
        .await
        .map_err(internal)?;
    Ok(())
}

/// The last import's outcome (admins).
#[server(endpoint = "admin/organisations/import_result")]
pub async fn get_import_result() -> Result<Option<crate::views::organisations::ImportView>, AppError>
{
    use crate::server::errors::internal;
    use crate::server::state::session;
    let (_, who) = crate::server::state::caller().await?;
    who.require_admin()?;
    session().await?.last_import().await.map_err(internal)
}
