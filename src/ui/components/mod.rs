//! Shared components: the page layout and navigation, a page's loading and error states, form
//! field errors, the pager of a list, the outcome of a plain form post, error and status pages.
//! No server functions live here.

mod countdown;
mod errors;
mod fields;
mod layout;
mod loaded;
mod pager;
mod port25;
mod posted;
mod print;
mod url;

pub use countdown::Countdown;
pub use errors::{set_http_status, ErrorView, ForbiddenPage, NotFoundPage, SignInRedirect};
pub use fields::{action_field, top_message, FieldError, FormError, ShownFields};
pub use layout::Layout;
pub use loaded::{failure, loaded};
pub use pager::Pager;
pub use port25::Port25Badge;
pub use posted::{
    form_action, kept, kept_checked, kept_in, kept_or, named_form_action, posted, FormName,
    FORM_FIELD,
};
pub use print::PrintButton;
pub use url::percent_encode;
