//! Authentication: password hashing and the typed session.

pub mod password;
pub mod session;
