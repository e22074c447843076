//! The user interface, a folder per feature (pages plus the feature's server functions in
//! `api.rs`), with shared components apart.

pub mod account;
pub mod admin;
pub mod auth;
pub mod billing;
pub mod components;
pub mod home;
pub mod inventory;
pub mod notices;
pub mod notifications;
pub mod people;
pub mod report;
pub mod smtp;
