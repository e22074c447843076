//! A button that opens the browser's print dialog (invoices, receipts, written approvals).

use leptos::prelude::*;

/// "Print": shown once the page's script has run (it needs JavaScript; without it, the browser's
/// own print command does the same, and print styles keep only the document). An island.
#[island]
pub fn PrintButton(
    /// The button's words.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button button-secondary needs-js no-print"
            on:click=move |_| {
                if let Some(window) = web_sys::window() {
                    let _ = window.print();
                }
            }
        >
            {label}
        </button>
    }
}
