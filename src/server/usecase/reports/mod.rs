//! Report intake: a report read (or kept as failed, with the reason), each of its events matched
//! by source address to the service that held it at the time, then added to the open case of
//! that service and category (its verified events grow, escalation follows) or gathered into a
//! case that waits for staff to verify it; events nobody held go to the triage list. Staff
//! verify or dismiss waiting cases and match or dismiss unmatched events. The public forms
//! (`/report`, `/report/dsa`) come in here too.

mod intake;
mod public_forms;
mod triage;

pub use intake::*;
pub use public_forms::*;
pub use triage::*;

use crate::error::AppError;

/// A stored name the code no longer knows: the database is not what this build wrote.
fn corrupt(e: crate::domain::names::UnknownName) -> AppError {
    crate::server::errors::internal(e)
}
