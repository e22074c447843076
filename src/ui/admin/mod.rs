//! The provider's admin pages (staff and admins only).

mod admin_home_page;
pub mod api;
pub mod billing;
pub mod cases;
mod mail_page;
pub mod organisations;
mod people_page;
pub mod reports;
pub mod smtp;
mod tokens_page;

pub use admin_home_page::AdminHomePage;
pub use mail_page::MailPage;
pub use people_page::AdminPeoplePage;
pub use tokens_page::TokensPage;

/// The organisation-list cursor in a page's query (`after_name`, `after_id`), if both are there.
fn org_cursor(query: &leptos_router::params::ParamsMap) -> Option<crate::views::admin::OrgCursor> {
    match (
        query.get("after_name"),
        query.get("after_id").and_then(|id| id.parse().ok()),
    ) {
        (Some(name), Some(id)) => Some(crate::views::admin::OrgCursor { name, id }),
        _ => None,
    }
}

/// The link to the page of organisations after `cursor` on the list at `path`.
fn org_page_href(path: &str, cursor: &crate::views::admin::OrgCursor) -> String {
    let name = crate::ui::components::percent_encode(&cursor.name);
    format!("{path}?after_name={name}&after_id={}", cursor.id)
}

#[cfg(test)]
mod tests {
    use crate::views::admin::OrgCursor;

    #[test]
    fn the_next_page_link_carries_the_cursor_encoded() {
        let cursor = OrgCursor {
            name: "Acme & Co/Ltd".into(),
            id: 7,
        };
        assert_eq!(
            super::org_page_href("/admin", &cursor),
            "/admin?after_name=Acme%20%26%20Co%2FLtd&after_id=7"
        );
    }
}
