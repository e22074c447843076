//! Shared components: the page layout and navigation, form field errors, error and status pages.
//! No server functions live here.

mod countdown;
mod errors;
mod fields;
mod layout;
mod port25;
mod print;
mod url;

pub use countdown::Countdown;
pub use errors::{set_http_status, ErrorView, ForbiddenPage, NotFoundPage, SignInRedirect};
pub use fields::{action_field, FieldError, FormError};
pub use layout::Layout;
pub use port25::Port25Badge;
pub use print::PrintButton;
pub use url::percent_encode;
