//! The public report forms (no sign-in): `/report` for abuse from an address of the provider's
//! network, `/report/dsa` for notices under the EU Digital Services Act (Art. 16), and the
//! receipt with the reference number.

pub mod api;
mod forms;

pub use forms::{DsaNoticePage, ReportAbusePage, ReportReceivedPage};
