//! One async function per business action. Each takes the state and the actor, checks access
//! through the domain, reads the clock once, and returns view types or an `AppError`.

pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod audit;
pub mod billing;
pub mod billing_views;
pub mod case_access;
pub mod enforcement;
pub mod inventory;
pub mod inventory_import;
pub mod mail;
pub mod notice_views;
pub mod notices;
pub mod notifications;
pub mod organisations;
pub mod people;
pub mod preferences;
pub mod reports;
pub mod smtp;
pub mod smtp_views;
pub mod two_factor;
