//! The written approval that ends the default restriction: its conditions, its document and
//! number, and the reason staff write with each decision.

use super::request_form::MAX_TEXT_CHARS;
use crate::domain::form::FieldError;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// Conditions staff may attach to an approval.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    /// The most messages a day the address may send.
    pub daily_cap: Option<u32>,
    /// The end of probation: the request comes back for review that day.
    pub probation_until: Option<Date>,
}

impl Conditions {
    /// Checks conditions as typed by staff (empty fields mean no condition).
    pub fn parse(
        daily_cap: &str,
        probation_until: &str,
        today: Date,
    ) -> Result<Conditions, Vec<FieldError>> {
        let mut errors = Vec::new();
        let cap = daily_cap.trim().replace([',', '_', ' '], "");
        let daily_cap = if cap.is_empty() {
            None
        } else {
            match cap.parse::<u32>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: "daily_cap".into(),
                        message:
                            "Give the daily cap as a whole number of messages, or leave it empty."
                                .into(),
                    });
                    None
                }
            }
        };
        let until = probation_until.trim();
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let probation_until = if until.is_empty() {
            None
        } else {
            match Date::parse(until, &format) {
                Ok(d) if d > today => Some(d),
                Ok(_) => {
                    errors.push(FieldError {
                        field: "probation_until".into(),
                        message: "The probation must end after today.".into(),
                    });
                    None
                }
                Err(_) => {
                    errors.push(FieldError {
                        field: "probation_until".into(),
                        message:
                            "Give the end of probation as a date (YYYY-MM-DD), or leave it empty."
                                .into(),
                    });
                    None
                }
            }
        };
        if errors.is_empty() {
            Ok(Conditions {
                daily_cap,
                probation_until,
            })
        } else {
            Err(errors)
        }
    }

    /// The conditions in words, one per line; empty without conditions.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(cap) = self.daily_cap {
            lines.push(format!("No more than {cap} messages a day."));
        }
        if let Some(until) = self.probation_until {
            lines.push(format!(
                "On probation until {until}; the approval is reviewed again then."
            ));
        }
        lines
    }

    /// Whether the probation has ended by `today` and the approval is due for review.
    pub fn review_due(&self, today: Date) -> bool {
        self.probation_until.is_some_and(|d| d <= today)
    }
}

/// The written approval as issued: everything it approves, kept unchanged for the record and
/// printed for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDocument {
    /// Its number (see [`approval_number`]).
    pub number: String,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The customer.
    pub organisation: String,
    /// The service's name.
    pub service_label: String,
    /// The service's kind, as people read it.
    pub service_kind: String,
    /// The address port 25 is opened on.
    pub ip: String,
    /// The use case, as people read it.
    pub use_case: String,
    /// The use case in the customer's words.
    pub use_case_details: String,
    /// The sending domains approved.
    pub sending_domains: Vec<String>,
    /// The daily volume the customer declared.
    pub daily_volume: u32,
    /// The conditions, one sentence each.
    pub conditions: Vec<String>,
    /// The approval text.
    pub approval_text: String,
    /// The approving staff role.
    pub approver_role: String,
    /// The approving staff member.
    pub approver: String,
}

/// The number printed on a written approval: `SMTP-<year>-<request id, six digits>`, with
/// `-<n>` for the request's n-th approval after the first (a renewal or a reinstatement).
pub fn approval_number(year: i32, request_id: i64, nth: i64) -> String {
    if nth <= 1 {
        format!("SMTP-{year}-{request_id:06}")
    } else {
        format!("SMTP-{year}-{request_id:06}-{nth}")
    }
}

/// The shortest written approval or reason staff may give.
pub const MIN_DECISION_CHARS: usize = 20;

/// Checks a staff decision's written text (approval, rejection or revocation).
pub fn decision_text(raw: &str, field: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    let n = text.chars().count();
    if !(MIN_DECISION_CHARS..=MAX_TEXT_CHARS).contains(&n) {
        Err(FieldError {
            field: field.to_owned(),
            message: format!(
                "Write it out in {MIN_DECISION_CHARS} to {MAX_TEXT_CHARS} characters: the \
                 customer reads it."
            ),
        })
    } else {
        Ok(text.to_owned())
    }
}
