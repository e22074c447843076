//! The typed session: the only code that reads or writes session keys.

use crate::domain::ids::UserId;
use crate::domain::session::RENEW_AFTER;
use crate::domain::throttle::WRONG_CODES_PER_PASSWORD;
use crate::server::session_keys::*;
use crate::views::notices::EvidenceDraft;
use time::OffsetDateTime;
use tower_sessions::Session;

/// Rows of an import outcome kept in the session (the counts cover every row).
pub const IMPORT_ROWS_KEPT: usize = 500;
/// How long a correct password waits for its second factor.
const PENDING_SECONDS: i64 = 300;
/// The longest user agent kept (they only serve to tell sessions apart).
const MAX_AGENT_CHARS: usize = 200;

/// Who a session belongs to and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    /// The signed-in user.
    pub user_id: UserId,
    /// When they signed in (for the absolute limit).
    pub signed_in_at: OffsetDateTime,
}

/// Where a sign-in came from, kept so that people can recognise their sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's IP address.
    pub address: Option<String>,
    /// The browser's `User-Agent`.
    pub agent: Option<String>,
}

/// The portal's view of a tower-sessions session.
#[derive(Debug, Clone)]
pub struct TypedSession(pub Session);

impl TypedSession {
    /// Starts a signed-in session from nothing: whatever the session held before is dropped, and
    /// it gets a new id (so a planted id is useless).
    pub async fn sign_in(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
        client: &ClientInfo,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0.clear().await;
        self.0.cycle_id().await?;
        self.0.insert(USER_ID, user_id.0).await?;
        self.0.insert(SIGNED_IN_AT, now.unix_timestamp()).await?;
        self.0.insert(RENEWED_AT, now.unix_timestamp()).await?;
        if let Some(address) = &client.address {
            self.0.insert(CLIENT, address).await?;
        }
        if let Some(agent) = &client.agent {
            let agent: String = agent.chars().take(MAX_AGENT_CHARS).collect();
            self.0.insert(AGENT, agent).await?;
        }
        Ok(())
    }

    /// After a correct password, when a second factor is due: the session holds only who passed
    /// the first step, when, and where they were going, under a new id; nobody is signed in yet.
    pub async fn start_second_factor(
        &self,
        user_id: UserId,
        now: OffsetDateTime,
        next: &str,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0.clear().await;
        self.0.cycle_id().await?;
        self.0.insert(PENDING_USER, user_id.0).await?;
        self.0.insert(PENDING_AT, now.unix_timestamp()).await?;
        self.0.insert(PENDING_NEXT, next).await?;
        Ok(())
    }

    /// Who passed the password step in the last five minutes, and where they were going.
    pub async fn pending_second_factor(
        &self,
        now: OffsetDateTime,
    ) -> Result<Option<(UserId, String)>, tower_sessions::session::Error> {
        let user = self.0.get::<i64>(PENDING_USER).await?;
        let at = self.0.get::<i64>(PENDING_AT).await?.unwrap_or(0);
        let next = self
            .0
            .get::<String>(PENDING_NEXT)
            .await?
            .unwrap_or_else(|| "/".into());
        Ok(user
            .filter(|_| now.unix_timestamp() - at <= PENDING_SECONDS)
            .map(|user| (UserId(user), next)))
    }

    /// Counts a wrong code against the half-finished sign-in. After
    /// [`WRONG_CODES_PER_PASSWORD`] it ends (nobody waits for a code any more) and `true` is
    /// returned: the password must be typed again.
    pub async fn count_wrong_code(&self) -> Result<bool, tower_sessions::session::Error> {
        let wrong = self.0.get::<u32>(PENDING_WRONG).await?.unwrap_or(0) + 1;
        if wrong >= WRONG_CODES_PER_PASSWORD {
            for key in [PENDING_USER, PENDING_AT, PENDING_NEXT, PENDING_WRONG] {
                self.0.remove_value(key).await?;
            }
            return Ok(true);
        }
        self.0.insert(PENDING_WRONG, wrong).await?;
        Ok(false)
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

    /// The row of `user` as it was read with this session (one statement for both; see
    /// [`LOADED_USER`]), or `None` when the session was not
    /// loaded with that user's row.
    pub async fn loaded_user(&self, user: UserId) -> Option<crate::server::db::accounts::UserRow> {
        self.0
            .get::<crate::server::db::accounts::UserRow>(LOADED_USER)
            .await
            .ok()
            .flatten()
            .filter(|row| row.id == user.0)
    }

    /// How many of the session user's notifications were unread when the session was loaded
    /// (counted in the same statement; see [`LOADED_UNREAD`]).
    pub async fn loaded_unread(&self) -> Option<i64> {
        self.0.get::<i64>(LOADED_UNREAD).await.ok().flatten()
    }

    /// Renews the idle limit when the last renewal is older than [`RENEW_AFTER`]: the session
    /// is then saved with a new expiry. More recent activity writes nothing.
    pub async fn renew_if_due(
        &self,
        now: OffsetDateTime,
    ) -> Result<(), tower_sessions::session::Error> {
        let last = self.0.get::<i64>(RENEWED_AT).await?.unwrap_or(0);
        if now.unix_timestamp() - last >= RENEW_AFTER.whole_seconds() {
            self.0.insert(RENEWED_AT, now.unix_timestamp()).await?;
        }
        Ok(())
    }

    /// Keeps the last inventory import's outcome for the import page (which shows it after a
    /// form posted without JavaScript as well), with at most [`IMPORT_ROWS_KEPT`] rows.
    pub async fn save_import(
        &self,
        view: &crate::views::organisations::ImportView,
    ) -> Result<(), tower_sessions::session::Error> {
        let mut kept = view.clone();
        kept.rows.truncate(IMPORT_ROWS_KEPT);
        self.0.insert(LAST_IMPORT, kept).await
    }

    /// The last inventory import's outcome, if any.
    pub async fn last_import(
        &self,
    ) -> Result<Option<crate::views::organisations::ImportView>, tower_sessions::session::Error>
    {
        self.0.get(LAST_IMPORT).await
    }

    /// Keeps a statement that was refused, so the form shows it again (files cannot be kept).
    /// Each field is cut to what a valid statement may hold.
    pub async fn save_evidence_draft(
        &self,
        notice_id: i64,
        draft: &EvidenceDraft,
    ) -> Result<(), tower_sessions::session::Error> {
        use crate::domain::evidence::Statement;
        let bounded = EvidenceDraft {
            cause: Statement::draft_field(&draft.cause),
            fix: Statement::draft_field(&draft.fix),
            prevention: Statement::draft_field(&draft.prevention),
        };
        self.0
            .insert(&format!("evidence_draft_{notice_id}"), bounded)
            .await
    }

    /// The statement kept for a notice's evidence form, if any.
    pub async fn evidence_draft(
        &self,
        notice_id: i64,
    ) -> Result<Option<EvidenceDraft>, tower_sessions::session::Error> {
        self.0.get(&format!("evidence_draft_{notice_id}")).await
    }

    /// Forgets the kept statement (after a successful submission).
    pub async fn clear_evidence_draft(
        &self,
        notice_id: i64,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0
            .remove::<EvidenceDraft>(&format!("evidence_draft_{notice_id}"))
            .await
            .map(|_| ())
    }

    /// Keeps a plain form post's outcome, sealed (see [`crate::server::inbound::form_posts`]), for the
    /// next page load; it replaces any outcome not yet shown.
    pub async fn keep_post_outcome(
        &self,
        sealed: &str,
    ) -> Result<(), tower_sessions::session::Error> {
        self.0.insert(POST_OUTCOME, sealed).await
    }

    /// The sealed outcome waiting for this page load, once: reading it forgets it. A session
    /// without one is not written.
    pub async fn take_post_outcome(
        &self,
    ) -> Result<Option<String>, tower_sessions::session::Error> {
        let outcome = self.0.get::<serde_json::Value>(POST_OUTCOME).await?;
        if outcome.is_none() {
            return Ok(None);
        }
        self.0.remove_value(POST_OUTCOME).await?;
        Ok(outcome.and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// Keeps what was typed into a public form (`form`: `report` or `dsa`) that was refused, so
    /// that the page shows it again: without JavaScript the browser reloads the form. Each value
    /// is cut to what a valid one may hold (`domain::report::draft_max_chars`).
    pub async fn save_form_draft(
        &self,
        form: &str,
        fields: &[(&str, &str)],
    ) -> Result<(), tower_sessions::session::Error> {
        let kept: Vec<(String, String)> = fields
            .iter()
            .map(|(name, value)| {
                let max = crate::domain::report::draft_max_chars(name);
                ((*name).to_owned(), value.chars().take(max).collect())
            })
            .collect();
        self.0.insert(&format!("form_draft_{form}"), kept).await
    }

    /// What was typed into a public form that was refused, once: reading it forgets it.
    pub async fn take_form_draft(
        &self,
        form: &str,
    ) -> Result<Vec<(String, String)>, tower_sessions::session::Error> {
        Ok(self
            .0
            .remove::<Vec<(String, String)>>(&format!("form_draft_{form}"))
            .await?
            .unwrap_or_default())
    }

    /// The session's id as the store knows it (none before it is first saved).
    pub fn id(&self) -> Option<String> {
        self.0.id().map(|id| id.to_string())
    }

    /// Ends the session: deletes it from the store and clears the cookie.
    pub async fn sign_out(&self) -> Result<(), tower_sessions::session::Error> {
        self.0.flush().await
    }
}

/// What a stored session's data says about it, for the list of a user's sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSessionInfo {
    /// When its user signed in.
    pub signed_in_at: Option<OffsetDateTime>,
    /// When it was last renewed by activity.
    pub renewed_at: Option<OffsetDateTime>,
    /// Where and in what browser.
    pub client: ClientInfo,
}

/// Reads the portal's keys from a stored session's data (the JSON the store keeps).
pub fn stored_session_info(data: &serde_json::Value) -> StoredSessionInfo {
    let time = |key: &str| {
        data.get(key)
            .and_then(serde_json::Value::as_i64)
            .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
    };
    let text = |key: &str| {
        data.get(key)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    StoredSessionInfo {
        signed_in_at: time(SIGNED_IN_AT),
        renewed_at: time(RENEWED_AT),
        client: ClientInfo {
            address: text(CLIENT),
            agent: text(AGENT),
        },
    }
}
