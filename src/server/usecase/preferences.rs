//! Preferences: the zone each person reads times in and the news they receive by mail
//! themselves; an organisation's contacts, the zone of the mails to them, and which contact
//! receives which kind of news (its owners choose; every member may read it).

use crate::domain::actor::{Actor, Role};
use crate::domain::form::FieldError;
use crate::domain::ids::OrgId;
use crate::domain::inventory::Contacts;
use crate::domain::notification::{KindSet, MailRoutes, NotificationKind};
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::{accounts, inventory};
use crate::server::state::AppState;
use crate::views::auth::{MailRouteView, OrganisationSettingsView, PreferencesView};

/// Reads the kinds ticked in a form (their stored spellings); `field` names the error.
fn ticked(field: &str, kinds: &[String]) -> Result<KindSet, AppError> {
    KindSet::parse(&kinds.join(","))
        .map_err(|_| AppError::invalid(field, "Choose kinds of news from the list."))
}

/// Reads a zone chosen in a form.
fn chosen_zone(field: &str, name: &str) -> Result<Zone, AppError> {
    Zone::named(name).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// The caller's own preferences.
pub async fn preferences(st: &AppState, who: &Actor) -> Result<PreferencesView, AppError> {
    let user = crate::server::state::user_row(st, who.user_id)
        .await?
        .ok_or(AppError::NotSignedIn)?;
    let customer = who.customer_scope().ok();
    let mine = user.mail_kinds()?;
    let contacts_text = match customer {
        Some(scope) => inventory::org(&st.db, scope.id()).await?.map(|o| {
            let c = o.contacts();
            let all = [
                ("abuse", c.abuse_email),
                ("technical", c.technical_email),
                ("billing", c.billing_email),
            ];
            all.into_iter()
                .filter_map(|(what, email)| email.map(|e| format!("{e} ({what})")))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        None => None,
    };
    Ok(PreferencesView {
        time_zone: who.zone.name().to_owned(),
        zones: Zone::all_names().to_vec(),
        now_text: who.zone.show(st.now()),
        customer: customer.is_some(),
        mail: NotificationKind::ALL
            .iter()
            .map(|k| (*k, mine.contains(*k)))
            .collect(),
        contacts_text,
    })
}

/// Saves the caller's zone and, for customers, the news they receive by mail.
pub async fn save_preferences(
    st: &AppState,
    who: &Actor,
    time_zone: &str,
    mail: &[String],
) -> Result<(), AppError> {
    let zone = chosen_zone("time_zone", time_zone)?;
    let kinds = ticked("mail", mail)?;
    if who.role != Role::Customer && !kinds.kinds().is_empty() {
        return Err(AppError::invalid(
            "mail",
            "Only customers receive news of their notices by mail.",
        ));
    }
    accounts::set_preferences(&st.db, who.user_id, &zone, &kinds).await?;
    Ok(())
}

/// The caller's organisation, and whether they own it.
async fn owner_of(st: &AppState, who: &Actor) -> Result<(OrgId, bool), AppError> {
    let org = who.customer_scope()?.id();
    Ok((org, super::people::caller_is_owner(st, who).await?))
}

/// The caller's organisation's contacts and mail routes (customers).
pub async fn organisation(
    st: &AppState,
    who: &Actor,
) -> Result<OrganisationSettingsView, AppError> {
    let (org, owner) = owner_of(st, who).await?;
    let row = inventory::org(&st.db, org)
        .await?
        .ok_or(AppError::NotFound)?;
    let routes = row.mail_routes()?;
    let members_mailed = crate::server::db::people::org_accounts(&st.db, org)
        .await?
        .into_iter()
        .filter(|a| a.disabled_at.is_none())
        .filter_map(|a| {
            let kinds = KindSet::parse(&a.mail_kinds).ok()?;
            (!kinds.kinds().is_empty()).then(|| (a.email, kinds.kinds().to_vec()))
        })
        .collect();
    Ok(OrganisationSettingsView {
        name: row.name.clone(),
        contacts: row.contacts(),
        time_zone: row.zone().name().to_owned(),
        zones: Zone::all_names().to_vec(),
        routes: NotificationKind::ALL
            .iter()
            .map(|&kind| MailRouteView {
                kind,
                abuse: routes.abuse.contains(kind),
                abuse_required: kind.always_to_abuse_contact(),
                technical: routes.technical.contains(kind),
                billing: routes.billing.contains(kind),
            })
            .collect(),
        members_mailed,
        may_edit: owner,
    })
}

/// What an owner enters on the organisation's settings page.
#[derive(Debug, Clone, Default)]
pub struct OrganisationSettings {
    /// Abuse contact (required).
    pub abuse_email: String,
    /// Billing contact.
    pub billing_email: String,
    /// Technical contact.
    pub technical_email: String,
    /// Telephone.
    pub phone: String,
    /// The zone of the mails to the contacts.
    pub time_zone: String,
    /// Kinds ticked for the abuse contact.
    pub abuse: Vec<String>,
    /// … for the technical contact.
    pub technical: Vec<String>,
    /// … for the billing contact.
    pub billing: Vec<String>,
}

/// Saves the caller's organisation's contacts, their zone and who receives which mail (its
/// owners only), with an entry in the provider's audit log.
pub async fn save_organisation(
    st: &AppState,
    who: &Actor,
    form: &OrganisationSettings,
) -> Result<(), AppError> {
    let (org, owner) = owner_of(st, who).await?;
    if !owner {
        return Err(AppError::Forbidden);
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let contacts = Contacts::parse(
        &form.abuse_email,
        &form.billing_email,
        &form.technical_email,
        &form.phone,
    )
    .map_err(|e| errors.extend(e))
    .ok();
    let zone = Zone::named(&form.time_zone)
        .map_err(|e| {
            errors.push(FieldError {
                field: "time_zone".into(),
                message: e.to_string(),
            })
        })
        .ok();
    let (Some(contacts), Some(zone)) = (contacts, zone) else {
        return Err(AppError::InvalidFields(errors));
    };
    let routes = MailRoutes::new(
        ticked("abuse", &form.abuse)?,
        ticked("technical", &form.technical)?,
        ticked("billing", &form.billing)?,
    );
    let label = super::audit::actor_label(st, who).await?;
    let mut tx = st.db.begin_write().await?;
    let name = inventory::org_in_tx(&mut tx, org)
        .await?
        .ok_or(AppError::NotFound)?
        .name;
    inventory::set_contacts_and_mail(&mut tx, org, &contacts, &routes, &zone).await?;
    let words = |set: &KindSet| {
        if set.kinds().is_empty() {
            "nothing".to_owned()
        } else {
            set.stored()
        }
    };
    super::audit::record_provider(st, &mut tx, &label, "organisation_changed", &format!(
                "Organisation {name} (#{org}) set by its owner: contacts abuse {}, billing {}, technical {}, phone {}; mail in {zone}: abuse contact {}, technical contact {}, billing contact {}.",
                contacts.abuse_email.as_deref().unwrap_or("none"),
                contacts.billing_email.as_deref().unwrap_or("none"),
                contacts.technical_email.as_deref().unwrap_or("none"),
                contacts.phone.as_deref().unwrap_or("none"),
                words(&routes.abuse),
                words(&routes.technical),
                words(&routes.billing),
            )).await?;
    tx.commit().await?;
    Ok(())
}
