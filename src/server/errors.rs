//! Turning server-side failures into `AppError`s: causes are logged with a reference and never
//! sent to the browser.

use super::auth::password::HashError;
use super::db::DbError;
use crate::domain::actor::AccessError;
use crate::error::AppError;
use rand::Rng;

/// A plain-text answer for handlers outside Leptos (downloads, links from mails): the error's
/// status and its message for people.
pub fn status_page(err: &AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let code = axum::http::StatusCode::from_u16(err.status())
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    (code, format!("{}\n", err.user_message())).into_response()
}

/// Logs `cause` under a fresh reference and returns an `Internal` error carrying only that reference.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let reference = format!("{:08x}", rand::thread_rng().gen::<u32>());
    tracing::error!(%reference, %cause, "internal error");
    AppError::Internal { reference }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Sqlx(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => {
                tracing::error!(cause = %err, "database unavailable");
                AppError::Unavailable
            }
            other => internal(other),
        }
    }
}

impl From<HashError> for AppError {
    fn from(err: HashError) -> Self {
        match err {
            HashError::Busy => {
                tracing::warn!("password hash queue full: answering 503");
                AppError::Unavailable
            }
            other => internal(other),
        }
    }
}

impl From<AccessError> for AppError {
    fn from(err: AccessError) -> Self {
        match err {
            AccessError::NotStaff | AccessError::NotAdmin | AccessError::NotCustomer => {
                AppError::Forbidden
            }
            AccessError::OtherOrganisation => AppError::NotFound,
        }
    }
}
