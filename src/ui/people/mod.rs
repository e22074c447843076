//! People: the panel that lists accounts and invitations with what the viewer may do to them
//! (used by owners and admins), and the page where an invited person sets their password.

pub mod api;
mod invite_page;
mod panel;

pub use invite_page::InvitePage;
pub use panel::{PeopleActions, PeoplePanel};
