//! A case as its caller may see it: the read every use case about one case starts from. Apart
//! from `notices`, so that billing, enforcement and the views read a case without depending on
//! the lifecycle's use cases (which depend on billing in turn).

use crate::domain::actor::Actor;
use crate::error::AppError;
use crate::server::db::notices::{self, NoticeRecord};
use crate::server::state::AppState;

/// One notice as the caller may see it: customers only their organisation's (another's is
/// "not found"), staff every one.
pub async fn get_notice(st: &AppState, who: &Actor, id: i64) -> Result<NoticeRecord, AppError> {
    notices::get(&st.db, id, who.reach()?.org_filter())
        .await?
        .ok_or(AppError::NotFound)
}
