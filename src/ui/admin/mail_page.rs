//! `/admin/mail`: the outbox of mails to customers and invited people. Mails the relay refused
//! until the portal gave up come first, with the relay's last error and a way to send them
//! again; then those being retried, then every mail.

use super::api::{get_outbox, SendMailAgain};
use crate::ui::components::{form_action, loaded, top_message, Pager};
use crate::views::admin::{MailRowView, OutboxView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TABS: [(&str, &str); 3] = [
    ("given_up", "Given up"),
    ("retrying", "Being retried"),
    ("all", "All mails"),
];

/// The outbox page.
#[component]
pub fn MailPage() -> impl IntoView {
    let query = use_query_map();
    let again = form_action::<SendMailAgain>();
    let page = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("tab"),
                q.get("before").and_then(|a| a.parse::<i64>().ok()),
                again.version().get(),
            )
        },
        |(tab, before, _)| Box::pin(get_outbox(tab, before)),
    );
    view! {
        <Title text="Mail · Abuse desk"/>
        <div class="page-heading">
            <p class="eyebrow">"Abuse desk"</p>
            <h1>"Mail"</h1>
            <p class="lead">"What the portal mailed to customers' contacts, members and invited people. A mail the relay refuses is tried again after 1, 5 and 15 minutes, 1, 4 and 12 hours, then given up and listed here with the relay's answer."</p>
        </div>
        {move || again.value().get().map(|r| match r {
            Ok(()) => view! { <p class="notice notice-ok" role="status">"The mail goes out with the next round of the mail job (within seconds)."</p> }.into_any(),
            Err(e) => view! { <p class="notice notice-error" role="alert">{top_message(&e, |_| false)}</p> }.into_any(),
        })}
        {loaded(page, move |data| view! { <Outbox data again/> })}
    }
}

#[component]
fn Outbox(data: OutboxView, again: ServerAction<SendMailAgain>) -> impl IntoView {
    let _tab = data.tab.clone();
    let count_of = move |key: &str| match key {
        "given_up" => format!(" ({})", data.given_up),
        "retrying" => format!(" ({})", data.retrying),
        _ => String::new(),
    };
    let empty = match data.tab.as_str() {
        "given_up" => "No mail was given up.",
        "retrying" => "No mail is waiting for another attempt.",
        _ => "No mail was written yet.",
    };
    view! {
        {(!data.relay).then(|| view! {
            <p class="notice notice-error" role="note">"No mail relay is configured (PORTAL_SMTP_URL): mails wait in the outbox until one is."</p>
        })}
        <nav aria-label="Mail lists">
            <ul class="tabs">
                {TABS.iter().map(|(key, label)| view! {
                    <li><a href=format!("/admin/mail?tab={key}") aria-current=(*key == data.tab).then_some("page")>{format!("{label}{}", count_of(key))}</a></li>
                }).collect_view()}
            </ul>
        </nav>
        {if data.rows.is_empty() {
            view! { <p class="empty">{empty}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="data-table stack-on-small-screens">
                        <caption class="visually-hidden">"Mails, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Mail"</th>
                                <th scope="col">"To"</th>
                                <th scope="col">"Where it stands"</th>
                                <th scope="col">"Action"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {data.rows.into_iter().map(|m| view! { <MailRow m again/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <Pager label="Mail pages" cursor=&["before"] next=data.next.map(|before| vec![("before", before.to_string())]) words=("Newer mails", "Older mails")/>
    }
}

#[component]
fn MailRow(m: MailRowView, again: ServerAction<SendMailAgain>) -> impl IntoView {
    let tag = match m.status_key.as_str() {
        "sent" => "tag tag-ok",
        "given_up" => "tag tag-danger",
        "retrying" => "tag tag-warning",
        _ => "tag tag-info",
    };
    let given_up = m.status_key == "given_up";
    let id = m.id;
    view! {
        <tr>
            <th scope="row">
                {format!("#{} · {}", m.id, m.subject)}
                <span class="row-sub">{format!("{} · written {}", m.about, m.created_text)}</span>
            </th>
            <td data-label="To">
                {m.recipient.clone()}
                {m.organisation.clone().map(|o| view! { <span class="row-sub">{o}</span> })}
            </td>
            <td data-label="Where it stands">
                <span class=tag>{m.status.clone()}</span>
                <span class="row-sub">{format!("{} attempt(s)", m.attempts)}</span>
                {m.last_error.clone().map(|e| view! { <span class="row-sub mail-error">{format!("Relay said: {e}")}</span> })}
            </td>
            <td data-label="Action">
                {given_up.then(|| view! {
                    <ActionForm action=again>
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button button-secondary" aria-label=format!("Send mail #{id} again")>"Send again"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
