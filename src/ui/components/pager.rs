//! The links between the pages of a list read by keyset: forward with the list's own cursor,
//! back by a trail of the earlier pages' cursors that each link carries in its address (a
//! keyset query only reads forward, so the way back travels with the reader, and a bookmark of
//! page 3 still leads back to page 2).

use super::url::{percent_decode, percent_encode};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The query parameter that carries the cursors of the pages before this one, one value each,
/// the first page's as an empty value.
const TRAIL: &str = "back";
/// The most earlier pages a link remembers; "First page" leads back from further.
const TRAIL_MAX: usize = 20;

/// Where the links of a page of a list lead, when they lead anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageLinks {
    /// The first page, when this page is not it and "previous" does not lead there already.
    pub first: Option<String>,
    /// The page before this one, when this page is not the first and the trail knows it.
    pub previous: Option<String>,
    /// The page after this one, when the list goes on.
    pub next: Option<String>,
}

/// The query's pairs, decoded, in order (`?` or not in front; `+` read as a space, as a
/// browser's form writes it).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |text: &str| percent_decode(&text.replace('+', " "));
            (decode(key), decode(value))
        })
        .collect()
}

fn encode_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect()
}

/// The links of a page at `path` whose query is `query`, for a list whose cursor is made of the
/// parameters `cursor`; `next` is the next page's cursor, when the list goes on. The list's
/// other parameters (its filters) are kept in every link, but those left empty.
pub fn page_links(
    path: &str,
    query: &str,
    cursor: &[&str],
    next: Option<&[(&str, String)]>,
) -> PageLinks {
    let pairs = query_pairs(query);
    let filters: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, v)| k != TRAIL && !cursor.contains(&k.as_str()) && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let here = encode_pairs(
        pairs
            .iter()
            .filter(|(k, v)| cursor.contains(&k.as_str()) && !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .join("&");
    let trail: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == TRAIL)
        .map(|(_, v)| v.as_str())
        .collect();
    // A page's address: the filters, then the page's cursor (already encoded), then the trail.
    let href = |cursor: &str, trail: &[&str]| {
        let mut parts = encode_pairs(filters.iter().copied());
        if !cursor.is_empty() {
            parts.push(cursor.to_owned());
        }
        parts.extend(
            trail
                .iter()
                .map(|t| format!("{TRAIL}={}", percent_encode(t))),
        );
        if parts.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{}", parts.join("&"))
        }
    };
    let next = next.map(|next| {
        let mut longer = trail.clone();
        longer.push(&here);
        let keep = longer.len().saturating_sub(TRAIL_MAX);
        let cursor = encode_pairs(next.iter().map(|(k, v)| (*k, v.as_str()))).join("&");
        href(&cursor, &longer[keep..])
    });
    if here.is_empty() {
        return PageLinks {
            next,
            ..PageLinks::default()
        };
    }
    let previous = trail
        .split_last()
        .map(|(before, earlier)| href(before, earlier));
    let previous_is_first = trail.len() == 1 && trail[0].is_empty();
    PageLinks {
        first: (!previous_is_first).then(|| href("", &[])),
        previous,
        next,
    }
}

/// The links between the pages of a list, under it: "First page", "← Previous page" and
/// "Next page →" where each leads somewhere, nothing on a list of one page.
#[component]
pub fn Pager(
    /// The navigation's name for assistive technology ("Notice pages").
    label: &'static str,
    /// The names of the list's cursor parameters (`&["after"]`).
    cursor: &'static [&'static str],
    /// The next page's cursor (its parameters and values), when the list goes on.
    next: Option<Vec<(&'static str, String)>>,
    /// The words of the links back and forward, when not "Previous page" and "Next page"
    /// (a list by date says "Newer invoices" and "Older invoices").
    #[prop(default = ("Previous page", "Next page"))]
    words: (&'static str, &'static str),
) -> impl IntoView {
    let location = use_location();
    let links = page_links(
        &location.pathname.get_untracked(),
        &location.search.get_untracked(),
        cursor,
        next.as_deref(),
    );
    let (back, forward) = words;
    (links != PageLinks::default()).then(|| {
        view! {
            <nav class="pager" aria-label=label>
                {links.first.map(|href| view! { <a href=href>"First page"</a> })}
                {links.previous.map(|href| view! { <a href=href rel="prev">{format!("← {back}")}</a> })}
                {links.next.map(|href| view! { <a href=href rel="next">{format!("{forward} →")}</a> })}
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const AFTER: &[&str] = &["after"];

    fn next(cursor: &str) -> Vec<(&'static str, String)> {
        vec![("after", cursor.to_owned())]
    }

    #[test]
    fn the_first_page_leads_only_forward_and_keeps_the_filters() {
        let links = page_links("/notices", "?state=open&service=", AFTER, Some(&next("7")));
        assert_eq!(
            links,
            PageLinks {
                next: Some("/notices?state=open&after=7&back=".into()),
                ..PageLinks::default()
            }
        );
        assert_eq!(
            page_links("/notices", "", AFTER, None),
            PageLinks::default()
        );
    }

    #[test]
    fn each_page_leads_back_to_the_one_before_it() {
        let second = page_links(
            "/notices",
            "state=open&after=7&back=",
            AFTER,
            Some(&next("14")),
        );
        assert_eq!(second.previous.as_deref(), Some("/notices?state=open"));
        assert_eq!(second.first, None, "previous is the first page already");
        let third_href = second.next.expect("a third page");
        assert_eq!(
            third_href,
            "/notices?state=open&after=14&back=&back=after%3D7"
        );
        let third = page_links("/notices", &third_href["/notices".len()..], AFTER, None);
        assert_eq!(
            third.previous.as_deref(),
            Some("/notices?state=open&after=7&back=")
        );
        assert_eq!(third.first.as_deref(), Some("/notices?state=open"));
        assert_eq!(third.next, None);
    }

    #[test]
    fn a_cursor_of_several_parameters_travels_whole_and_encoded() {
        let cursor: &[&str] = &["after_name", "after_id"];
        let next = vec![
            ("after_name", "Acme & Co".to_owned()),
            ("after_id", "9".to_owned()),
        ];
        let second = page_links("/admin/organisations", "", cursor, Some(&next))
            .next
            .expect("a second page");
        assert_eq!(
            second,
            "/admin/organisations?after_name=Acme%20%26%20Co&after_id=9&back="
        );
        let further = vec![
            ("after_name", "Zeta".to_owned()),
            ("after_id", "12".to_owned()),
        ];
        let third = page_links(
            "/admin/organisations",
            &second[20..],
            cursor,
            Some(&further),
        )
        .next
        .expect("a third page");
        let back = page_links("/admin/organisations", &third[20..], cursor, None);
        assert_eq!(back.previous.as_deref(), Some(second.as_str()));
    }

    #[test]
    fn a_page_reached_without_its_trail_still_leads_to_the_first() {
        let links = page_links("/billing", "before=40", &["before"], None);
        assert_eq!(links.previous, None);
        assert_eq!(links.first.as_deref(), Some("/billing"));
    }

    #[test]
    fn the_trail_keeps_the_latest_pages_only() {
        let mut query = String::from("after=0");
        for page in 0..(TRAIL_MAX + 5) {
            query.push_str(&format!("&back=after%3D{page}"));
        }
        let href = page_links("/mail", &query, AFTER, Some(&next("99")))
            .next
            .expect("a next page");
        assert_eq!(href.matches("back=").count(), TRAIL_MAX);
        assert!(href.ends_with("&back=after%3D0"), "{href}");
    }
}
