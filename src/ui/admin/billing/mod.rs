//! The abuse desk's billing pages: `/admin/billing` (every invoice, and recording a bank
//! transfer by its reference) and `/admin/billing/{id}` (edit and issue a draft; record
//! payments; credit notes and waivers; hold or reactivate the service).

pub mod api;
mod invoice_page;
mod list_page;

pub use invoice_page::StaffInvoicePage;
pub use list_page::StaffBillingPage;
