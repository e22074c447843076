//! What happened on a case, as both the customer's notice page and the abuse desk's case page
//! show it: the evidence submitted, the disputes, and the timeline (the audit trail).

use super::FileList;
use crate::views::notices::{DisputeView, SubmissionView, TimelineEntryView};
use leptos::prelude::*;

/// The evidence submitted for a case, newest first, each with the abuse desk's decision.
/// Nothing when there is none.
#[component]
pub fn SubmissionsPanel(
    /// Oldest first, as the view holds them.
    submissions: Vec<SubmissionView>,
    /// The section's heading ("Your evidence").
    heading: &'static str,
    /// The heading's element id, which names the section.
    heading_id: &'static str,
) -> impl IntoView {
    (!submissions.is_empty()).then(|| {
        view! {
            <section aria-labelledby=heading_id>
                <h2 id=heading_id>{heading}</h2>
                {submissions.into_iter().rev().map(|s| view! {
                    <article class="panel submission">
                        <h3>{format!("Submission #{} · {}", s.id, s.submitted_text)}</h3>
                        {match (s.decision.as_deref(), s.decision_reason) {
                            (Some("rejected"), reason) => view! {
                                <p class="notice notice-error">"Rejected by the abuse desk: " {reason.unwrap_or_default()}</p>
                            }.into_any(),
                            (Some(_), _) => view! { <p class="notice notice-ok">"Accepted by the abuse desk."</p> }.into_any(),
                            (None, _) => view! { <p class="notice notice-info">"Waiting for the abuse desk's review."</p> }.into_any(),
                        }}
                        <dl class="facts">
                            <dt>"Cause"</dt><dd>{s.cause}</dd>
                            <dt>"Fix"</dt><dd>{s.fix}</dd>
                            <dt>"Prevention"</dt><dd>{s.prevention}</dd>
                        </dl>
                        <FileList files=s.files/>
                    </article>
                }).collect_view()}
            </section>
        }
    })
}

/// The disputes of a case, each with the abuse desk's decision. Nothing when there is none.
#[component]
pub fn DisputesPanel(
    /// Oldest first.
    disputes: Vec<DisputeView>,
    /// The section's heading ("Your dispute").
    heading: &'static str,
    /// The heading's element id, which names the section.
    heading_id: &'static str,
) -> impl IntoView {
    (!disputes.is_empty()).then(|| {
        view! {
            <section aria-labelledby=heading_id>
                <h2 id=heading_id>{heading}</h2>
                {disputes.into_iter().map(|d| {
                    let reasons = d.statement_of_reasons.unwrap_or_default();
                    view! {
                        <article class="panel">
                            <p class="muted">{format!("Sent {}", d.submitted_text)}</p>
                            <p>{d.reasons}</p>
                            {match d.outcome.as_deref() {
                                Some("upheld") => view! { <p class="notice notice-error">"The abuse desk upheld the notice: " {reasons}</p> }.into_any(),
                                Some(_) => view! { <p class="notice notice-ok">"The abuse desk withdrew the notice: " {reasons}</p> }.into_any(),
                                None => view! { <p class="notice notice-info">"Waiting for the abuse desk's decision."</p> }.into_any(),
                            }}
                        </article>
                    }
                }).collect_view()}
            </section>
        }
    })
}

/// A case's history, newest first: who did what, when.
#[component]
pub fn Timeline(
    /// Oldest first.
    entries: Vec<TimelineEntryView>,
    /// The section's heading ("Timeline" for customers, "Audit trail" for the desk).
    heading: &'static str,
    /// The heading's element id, which names the section.
    heading_id: &'static str,
) -> impl IntoView {
    view! {
        <section aria-labelledby=heading_id>
            <h2 id=heading_id>{heading}</h2>
            <ol class="timeline">
                {entries.into_iter().rev().map(|e| view! {
                    <li>
                        <p class="timeline-meta"><time>{e.at_text}</time>" · "{e.actor}</p>
                        <p>{e.detail}</p>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
