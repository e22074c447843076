//! The types that cross the wire between server and browser, by feature.
//!
//! Use cases in `server` build them and pages in `ui` render them, so they live apart from both
//! and depend on `domain` only: every arrow runs one way (`ui` → `server` → `domain`, and both
//! `ui` and `server` → `views` → `domain`). Staff get their own types (`cases`), so what only
//! staff may see cannot reach a customer's page by accident.

pub mod admin;
pub mod auth;
pub mod billing;
pub mod cases;
pub mod forms;
pub mod home;
pub mod inventory;
pub mod notices;
pub mod notifications;
pub mod organisations;
pub mod people;
pub mod reports;
pub mod smtp;
