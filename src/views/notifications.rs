//! A person's notifications, as their page lists them.

use crate::domain::notification::NotificationKind;
use serde::{Deserialize, Serialize};

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    /// Id.
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// What happened.
    pub title: String,
    /// When, in words.
    pub when_text: String,
    /// Not read yet.
    pub unread: bool,
}

/// A page of notifications, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationListView {
    /// The notifications.
    pub rows: Vec<NotificationView>,
    /// How many are unread in all.
    pub unread: i64,
    /// The next page's cursor.
    pub next: Option<i64>,
}
