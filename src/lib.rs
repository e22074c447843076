//! The abuse-case portal: a hosting provider's customers answer abuse notices against their
//! servers, and the provider's staff review the same cases.
//!
//! - [`domain`]: pure rules (no web, database or async), compiled into server and browser.
//! - [`error`]: the error type of every server function.
//! - [`ui`]: pages and components by feature, with their server functions.
//! - [`views`]: the types that cross the wire, built by the server and rendered by the pages.
//! - [`app`]: the shell, the root component and the route table.
//! - `server` (feature `ssr` only): configuration, database, sessions, use cases, HTTP, CLI.

#![recursion_limit = "256"]

pub mod app;
pub mod domain;
pub mod error;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;
pub mod views;

/// The browser entry point. The pages are rendered on the server only; the start script
/// (`server::assets`) then hydrates each island (`#[island]`) through its own export.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
