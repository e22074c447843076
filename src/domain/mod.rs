//! The pure domain core: the portal's rules with no web, database or async dependencies.
//!
//! Everything here compiles into both the server and the WebAssembly bundle, takes the current
//! time as a parameter, and is unit-tested on its own.
//!
//! Glossary (one word per concept, the policy's):
//! - **organisation**: a customer account of the provider; customers' users belong to one.
//! - **service**: a server rented by an organisation (VPS, dedicated, GPU…) with its IP addresses.
//! - **staff** / **admin**: the provider's abuse desk and its administrators.
//! - **actor**: whoever is calling, with the role and organisation that decide what they may touch.

pub mod account;
pub mod actor;
pub mod api_token;
pub mod audit;
pub mod billing;
pub mod deadline;
pub mod enforcement;
pub mod evidence;
pub mod form;
pub mod ids;
pub mod inventory;
pub mod names;
pub mod notice;
pub mod notification;
pub mod people;
pub mod reason;
pub mod report;
pub mod service;
pub mod session;
pub mod smtp;
pub mod throttle;
pub mod time_format;
pub mod zone;
