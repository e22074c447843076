//! The keys of a session's data, in one place: the typed session (`auth::session`) writes them
//! and the database store (`db::sessions`) reads some of them into columns of its own, so
//! neither module needs the other for them.

/// The signed-in user's id; the session store copies it into its own column.
pub const USER_ID: &str = "user_id";
/// When the user signed in (the absolute limit counts from it).
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// When the session was last renewed.
pub const RENEWED_AT: &str = "renewed_at";
/// The client address at sign-in.
pub const CLIENT: &str = "client";
/// The browser's user agent at sign-in.
pub const AGENT: &str = "agent";
/// The outcome of the last inventory import, for the page that shows it.
pub const LAST_IMPORT: &str = "last_import";
/// The sealed outcome of a plain form post, for the next page load.
pub const POST_OUTCOME: &str = "post_outcome";
/// The user whose password was right and whose code is due; the session store copies it into
/// the row's user column too, so that ending a user's sessions (signing out everywhere, a new
/// password, a disabled account) ends a half-finished sign-in as well.
pub const PENDING_USER: &str = "pending_user";
/// When that half-finished sign-in began.
pub const PENDING_AT: &str = "pending_at";
/// Where that sign-in goes once the code is right.
pub const PENDING_NEXT: &str = "pending_next";
/// Wrong codes entered in that sign-in.
pub const PENDING_WRONG: &str = "pending_wrong";
/// Where the store leaves the row of the session's user, as read with the session (a
/// `db::accounts::UserRow` without its password hash); stripped whenever the data is stored.
pub const LOADED_USER: &str = "_loaded_user";
/// Where the store leaves the count of the user's unread notifications, as counted with the
/// session; stripped whenever the data is stored.
pub const LOADED_UNREAD: &str = "_loaded_unread";
