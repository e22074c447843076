//! `GET /notifications/{id}/open`: the link of an in-app notification (and, later, of the
//! e-mail that tells the same): marks it read and lands on its item; signing in first when
//! needed, then coming back here.

use crate::error::AppError;
use crate::server::auth::session::TypedSession;
use crate::server::errors::status_page;
use crate::server::state::{actor_of, AppState};
use crate::server::usecase::notifications;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// Opens a notification of the signed-in person.
pub async fn open(State(st): State<AppState>, Path(id): Path<i64>, session: Session) -> Response {
    let target = match actor_of(&st, &TypedSession(session)).await {
        Ok(who) => match notifications::open(&st, &who, id).await {
            Ok(link) => link,
            Err(AppError::NotFound) => "/notifications".to_owned(),
            Err(e) => return status_page(&e),
        },
        Err(AppError::NotSignedIn) => format!("/login?next=/notifications/{id}/open"),
        Err(AppError::SecondFactorRequired) => "/account/two-factor".to_owned(),
        Err(e) => return status_page(&e),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response()
}
