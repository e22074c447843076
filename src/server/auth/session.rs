//! The typed session: the only code that reads or writes session keys.

use crate::domain::ids::UserId;
use time::OffsetDateTime;
use tower_sessions::Session;

const USER_ID: &str = "user_id";
const SIGNED_IN_AT: &str = "signed_in_at";

/// Who a session belongs to and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    /// The signed-in user.
    pub user_id: UserId,
    /// When they signed in (for the absolute limit).
    pub signed_in_at: OffsetDateTime,
}

/// The portal's view of a tower-sessions session.
#[derive(Debug, Clone)]
pub struct TypedSession(pub Session);

impl TypedSession {
    /// Starts a signed-in session under a new id (so a planted id is useless).
    pub async fn sign_in(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0.cycle_id().await?;
        self.0.insert(USER_ID, user_id.0).await?;
        self.0.insert(SIGNED_IN_AT, now.unix_timestamp()).await?;
        Ok(())
    }

    /// The signed-in user, if any.
    pub async fn signed_in(&self) -> Result<Option<SignedIn>, tower_sessions::session::Error> {
        let user = self.0.get::<i64>(USER_ID).await?;
        let at = self.0.get::<i64>(SIGNED_IN_AT).await?;
        Ok(match (user, at) {
            (Some(user), Some(at)) => {
                OffsetDateTime::from_unix_timestamp(at)
                    .ok()
                    .map(|signed_in_at| SignedIn {
                        user_id: UserId(user),
                        signed_in_at,
                    })
            }
            _ => None,
        })
    }

    /// Keeps a statement that was refused, so the form shows it again (files cannot be kept).
    pub async fn save_evidence_draft(
        &self,
        notice_id: i64,
        draft: &crate::ui::notices::api::EvidenceDraft,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0
            .insert(&format!("evidence_draft_{notice_id}"), draft)
            .await
    }

    /// The statement kept for a notice's evidence form, if any.
    pub async fn evidence_draft(
        &self,
        notice_id: i64,
    ) -> Result<Option<crate::ui::notices::api::EvidenceDraft>, tower_sessions::session::Error>
    {
        self.0.get(&format!("evidence_draft_{notice_id}")).await
    }

    /// Forgets the kept statement (after a successful submission).
    pub async fn clear_evidence_draft(
        &self,
        notice_id: i64,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0
            .remove::<crate::ui::notices::api::EvidenceDraft>(&format!(
                "evidence_draft_{notice_id}"
            ))
            .await
            .map(|_| ())
    }

    /// Ends the session: deletes it from the store and clears the cookie.
    pub async fn sign_out(&self) -> Result<(), tower_sessions::session::Error> {
        self.0.flush().await
    }
}
