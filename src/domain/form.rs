//! Problems with what someone typed into a form, each tied to its field.

use serde::{Deserialize, Serialize};

/// One field's problem; `field` is the form field's `name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name.
    pub field: String,
    /// What to do, in a sentence.
    pub message: String,
}
