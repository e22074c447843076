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

/// The parameters of the organisation-list cursor, which [`org_cursor`] reads.
const ORG_CURSOR: &[&str] = &["after_name", "after_id"];

/// The organisation-list cursor as the parameters of the next page's link.
fn org_cursor_params(cursor: &crate::views::admin::OrgCursor) -> Vec<(&'static str, String)> {
    vec![
        ("after_name", cursor.name.clone()),
        ("after_id", cursor.id.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use crate::views::admin::OrgCursor;

    #[test]
    fn the_cursor_read_from_a_page_is_the_one_its_link_wrote() {
        let cursor = OrgCursor {
            name: "Acme & Co/Ltd".into(),
            id: 7,
        };
        let query: leptos_router::params::ParamsMap =
            super::org_cursor_params(&cursor).into_iter().collect();
        assert_eq!(super::org_cursor(&query), Some(cursor));
    }
}
