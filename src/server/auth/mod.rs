//! Authentication: password hashing, the typed session and two-factor sign-in.

pub mod password;
pub mod session;
pub mod two_factor;
