//! Telling customers: in the transaction of the change (so a change and what it tells stand or
//! fall together), an in-app notification for every active member of the organisation and a
//! mail in the outbox for each contact that receives that kind of news and each member who
//! asked for it, each in its reader's time zone; notifications are listed for their reader and
//! read when opened.

use crate::domain::actor::Actor;
use crate::domain::ids::OrgId;
use crate::domain::notification::{
    self, is_internal_link, KindSet, MailingMember, NotificationKind,
};
use crate::domain::zone::Zone;
use crate::error::AppError;
use crate::server::db::notifications as store;
use crate::server::db::{inventory, outbox, Tx};
use crate::server::state::AppState;
use crate::views::notifications::{NotificationListView, NotificationView};
use time::OffsetDateTime;

/// Notifications per page.
const PAGE: i64 = 50;

/// Tells `org` within `tx`: every active member in the portal, and by mail each of its contacts
/// that receives `kind` and each member who asked for it, with a link to the item. `title`
/// writes the news in a reader's time zone.
pub async fn tell(
    tx: &mut Tx,
    st: &AppState,
    org: OrgId,
    kind: NotificationKind,
    title: impl Fn(&Zone) -> String,
    link: &str,
    now: OffsetDateTime,
) -> Result<(), AppError> {
    if !is_internal_link(link) {
        return Err(crate::server::errors::internal(format!(
            "notification link {link:?} leaves the portal"
        )));
    }
    let members = store::members(tx, org).await?;
    let mut mailing = Vec::with_capacity(members.len());
    for m in members {
        let zone = Zone::stored(&m.time_zone);
        store::tell_user(tx, m.id, kind, &title(&zone), link, now).await?;
        mailing.push(MailingMember {
            kinds: KindSet::parse(&m.mail_kinds).map_err(crate::server::errors::internal)?,
            email: m.email,
            zone,
        });
    }
    let Some(organisation) = inventory::org_in_tx(tx, org).await? else {
        return Ok(());
    };
    let to = notification::recipients(
        kind,
        &organisation.contacts(),
        &organisation.mail_routes()?,
        &organisation.zone(),
        &mailing,
    );
    let url = format!(
        "{}{link}",
        st.config.public_url.as_str().trim_end_matches('/')
    );
    for recipient in to {
        let (subject, body) = notification::mail(kind, &title(&recipient.zone), &url);
        let mail = outbox::NewMail {
            recipient: &recipient.email,
            subject: &subject,
            body: &body,
            org: Some(org),
            kind: kind.as_str(),
            sealed_body: None,
        };
        outbox::enqueue(tx, &mail, now).await?;
    }
    Ok(())
}

/// The caller's notifications, newest first, a page at a time.
pub async fn list(
    st: &AppState,
    who: &Actor,
    before: Option<i64>,
) -> Result<NotificationListView, AppError> {
    let mut rows = store::page(&st.db, who.user_id, before, PAGE + 1).await?;
    let next = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(NotificationListView {
        rows: rows
            .into_iter()
            .map(|r| {
                Ok(NotificationView {
                    id: r.id,
                    kind: r.kind.parse().map_err(crate::server::errors::internal)?,
                    title: r.title,
                    when_text: who.zone.show(r.created_at),
                    unread: r.read_at.is_none(),
                })
            })
            .collect::<Result<_, AppError>>()?,
        unread: crate::server::state::unread_notifications(st, who.user_id).await?,
        next,
    })
}

/// Opens one of the caller's notifications: marked read, and where it leads. Another person's
/// is "not found".
pub async fn open(st: &AppState, who: &Actor, id: i64) -> Result<String, AppError> {
    store::open(&st.db, who.user_id, id, st.now())
        .await?
        .filter(|link| is_internal_link(link))
        .ok_or(AppError::NotFound)
}

/// Marks all of the caller's notifications read.
pub async fn read_all(st: &AppState, who: &Actor) -> Result<u64, AppError> {
    Ok(store::read_all(&st.db, who.user_id, st.now()).await?)
}
