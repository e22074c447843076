//! The portal's integration tests, one module per feature, in one binary: the crate and its
//! dependencies are linked once for all of them. Data and HTTP tests run on real SQLite and
//! PostgreSQL (`on_both_engines!`); `tests/statements.rs` stays a binary of its own because it
//! counts every SQL statement of its process.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod billing;
mod cases;
mod cli;
mod data;
mod dns;
mod evidence;
mod http;
mod mail;
mod notifications;
mod organisations;
mod people;
mod reports;
mod signin;
mod smtp;
