//! Sending mail through the configured SMTP relay (lettre): one outbox row becomes one
//! plain-text message whose Message-ID names the row, so that a message sent twice (the relay
//! accepted it, then the process stopped before recording that) is recognisable as one.

use super::config::Config;
use super::db::outbox::OutboxRow;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The longest one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// A relay to send through.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The row cannot become a message (a malformed address): trying again will not help.
    #[error("{0}")]
    Permanent(String),
    /// The relay refused or could not be reached: tried again later.
    #[error("{0}")]
    Temporary(String),
}

impl Mailer {
    /// The relay of the configuration; `None` when no relay is configured.
    pub fn from_config(config: &Config) -> Result<Option<Mailer>, String> {
        let Some(url) = &config.mail.smtp_url else {
            return Ok(None);
        };
        let host = config
            .public_url
            .host_str()
            .unwrap_or("localhost")
            .to_owned();
        let from_text = config
            .mail
            .from
            .clone()
            .unwrap_or_else(|| format!("Abuse desk <abuse-desk@{host}>"));
        let from: Mailbox = from_text
            .parse()
            .map_err(|e| format!("PORTAL_MAIL_FROM {from_text:?}: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("PORTAL_SMTP_URL: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Some(Mailer {
            transport,
            from,
            host,
        }))
    }

    /// Sends one outbox row.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), MailError> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|e| MailError::Permanent(format!("recipient {:?}: {e}", row.recipient)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(format!("<outbox-{}@{}>", row.id, self.host)))
            .header(ContentType::TEXT_PLAIN)
            .body(row.body.clone())
            .map_err(|e| MailError::Permanent(e.to_string()))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                MailError::Permanent(e.to_string())
            } else {
                MailError::Temporary(e.to_string())
            }
        })
    }
}
