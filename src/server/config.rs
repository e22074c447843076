//! Configuration from environment variables (and an optional `.env` file, loaded by the CLI).
//! Every variable, its default and its meaning are listed in docs/operations.md.

use crate::domain::evidence::EvidenceLimits;
use crate::domain::session::SessionLimits;
use crate::domain::throttle::LoginThrottle;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use time::Duration;
use url::Url;

/// A configuration value that cannot be used, named by its variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// The portal's settings.
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `PORTAL_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// `PORTAL_DATA_DIR`: the SQLite file and (later) evidence files live here.
    pub data_dir: PathBuf,
    /// `LEPTOS_SITE_ADDR`: where to listen.
    pub site_addr: SocketAddr,
    /// `LEPTOS_SITE_ROOT`: the built site (wasm, JS, CSS, assets).
    pub site_root: PathBuf,
    /// `PORTAL_PUBLIC_URL`: the address people use, for links and the origin check.
    pub public_url: Url,
    /// `PORTAL_COOKIE_SECURE`: whether cookies carry `Secure`.
    pub cookie_secure: bool,
    /// `PORTAL_SESSION_IDLE_MINUTES` and `PORTAL_SESSION_ABSOLUTE_HOURS`.
    pub session: SessionLimits,
    /// `PORTAL_LOGIN_*`: the sign-in rate limit.
    pub login_throttle: LoginThrottle,
    /// `PORTAL_HASH_CONCURRENCY`: password hashes computed at once.
    pub hash_concurrency: usize,
    /// `PORTAL_HASH_QUEUE`: password hashes that may wait for a turn; beyond, sign-in answers 503.
    pub hash_queue: usize,
    /// `PORTAL_EVIDENCE_MAX_FILE_MIB`, `PORTAL_EVIDENCE_MAX_SUBMISSION_MIB`, `PORTAL_EVIDENCE_MAX_FILES`,
    /// `PORTAL_EVIDENCE_QUOTA_MIB`.
    pub evidence: EvidenceLimits,
    /// `PORTAL_AUDIT_KEY_FILE`: the keys that seal audit trails (never in the database).
    pub audit_key_file: PathBuf,
    /// `PORTAL_TRUSTED_PROXIES`: peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// `PORTAL_HEADER_TIMEOUT_SECONDS`: time a client has to send a request's headers.
    pub header_timeout: std::time::Duration,
    /// `PORTAL_BODY_TIMEOUT_SECONDS`: longest pause while a request body is being sent.
    pub body_timeout: std::time::Duration,
    /// `PORTAL_DNS_SERVERS`, `PORTAL_DNS_TIMEOUT_MS`, `PORTAL_DNS_MODE`: where the port-25
    /// checks get their DNS answers.
    pub dns: super::dns::DnsConfig,
    /// `PORTAL_REACTIVATION_FEE`, `PORTAL_LABOUR_RATE`, `PORTAL_PAYMENT_TERMS_DAYS`,
    /// `PORTAL_BANK_DETAILS`, `PORTAL_STRIPE_*`: fees, bank transfers and card payments.
    pub billing: super::payments::BillingConfig,
    /// `PORTAL_ESCALATION_THRESHOLDS`, `PORTAL_REPORT_FORM_PER_HOUR`: report intake.
    pub reports: ReportsConfig,
    /// `PORTAL_SMTP_URL`, `PORTAL_MAIL_FROM`: mail to customers.
    pub mail: MailConfig,
}

/// Where mail goes out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailConfig {
    /// The relay (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host:465`); none: mails wait in the outbox.
    pub smtp_url: Option<String>,
    /// The sender (`Abuse desk <abuse-desk@example.com>`); by default `abuse-desk@` the public
    /// URL's host.
    pub from: Option<String>,
}

/// How reports are taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportsConfig {
    /// When a case's verified events mark it escalated (default 25 and 100).
    pub escalation: crate::domain::report::EscalationRules,
    /// Reports the public forms take from one client address (IPv6 by /64) per hour
    /// (default 10).
    pub form_per_hour: i64,
    /// Reports the public forms take from everyone together per hour (default 200): a flood
    /// from many addresses waits too.
    pub form_global_per_hour: i64,
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            escalation: Default::default(),
            form_per_hour: 10,
            form_global_per_hour: 200,
        }
    }
}

fn reports_config() -> Result<ReportsConfig, ConfigError> {
    let escalation = match var("PORTAL_ESCALATION_THRESHOLDS") {
        None => Default::default(),
        Some(raw) => {
            crate::domain::report::EscalationRules::parse(&raw).map_err(|message| ConfigError {
                var: "PORTAL_ESCALATION_THRESHOLDS",
                message,
            })?
        }
    };
    Ok(ReportsConfig {
        escalation,
        form_per_hour: positive("PORTAL_REPORT_FORM_PER_HOUR", 10)?,
        form_global_per_hour: positive("PORTAL_REPORT_FORM_GLOBAL_PER_HOUR", 200)?,
    })
}

/// A price from the environment (`250`, `250.00`), in the invoices' currency.
fn price(
    name: &'static str,
    default: crate::domain::billing::money::Money,
) -> Result<crate::domain::billing::money::Money, ConfigError> {
    use crate::domain::billing::money::Money;
    match var(name) {
        None => Ok(default),
        Some(raw) => Money::parse_positive(&raw, default.currency).map_err(|e| ConfigError {
            var: name,
            message: format!("{raw:?}: {e}"),
        }),
    }
}

/// The fee schedule, the bank details and Stripe. Card payments need all of
/// `PORTAL_STRIPE_SECRET_KEY` and `PORTAL_STRIPE_WEBHOOK_SECRET`; one without the other is an
/// error rather than a silently missing way to pay.
fn billing_config() -> Result<super::payments::BillingConfig, ConfigError> {
    use super::payments::stripe::StripeConfig;
    use crate::domain::billing::fees::FeeSchedule;
    let defaults = FeeSchedule::default();
    let fees = FeeSchedule {
        currency: defaults.currency,
        reactivation_fee: price("PORTAL_REACTIVATION_FEE", defaults.reactivation_fee)?,
        labour_rate: price("PORTAL_LABOUR_RATE", defaults.labour_rate)?,
        payment_terms_days: positive(
            "PORTAL_PAYMENT_TERMS_DAYS",
            defaults.payment_terms_days.into(),
        )? as u32,
    };
    let stripe = match (
        var("PORTAL_STRIPE_SECRET_KEY"),
        var("PORTAL_STRIPE_WEBHOOK_SECRET"),
    ) {
        (None, None) => None,
        (Some(secret_key), Some(webhook_secret)) => {
            let raw = var("PORTAL_STRIPE_API_BASE").unwrap_or_else(|| "https://api.stripe.com".into());
            let api_base = Url::parse(&raw).map_err(|e| ConfigError {
                var: "PORTAL_STRIPE_API_BASE",
                message: format!("{raw:?}: {e}"),
            })?;
            Some(StripeConfig {
                secret_key,
                webhook_secret,
                api_base,
                tolerance: std::time::Duration::from_secs(positive(
                    "PORTAL_STRIPE_WEBHOOK_TOLERANCE_SECONDS",
                    300,
                )? as u64),
            })
        }
        (Some(_), None) => {
            return Err(ConfigError {
                var: "PORTAL_STRIPE_WEBHOOK_SECRET",
                message: "is needed with PORTAL_STRIPE_SECRET_KEY: payments are confirmed only by the signed webhook".into(),
            })
        }
        (None, Some(_)) => {
            return Err(ConfigError {
                var: "PORTAL_STRIPE_SECRET_KEY",
                message: "is needed with PORTAL_STRIPE_WEBHOOK_SECRET".into(),
            })
        }
    };
    Ok(super::payments::BillingConfig {
        fees,
        bank_details: var("PORTAL_BANK_DETAILS"),
        stripe,
    })
}

/// `PORTAL_DNS_SERVERS` (addresses, optionally with `:port`; default the system's), the time
/// one question may take, and `PORTAL_DNS_MODE` (`live`, or `demo` for the built-in demo zone).
fn dns_config() -> Result<super::dns::DnsConfig, ConfigError> {
    let servers = match var("PORTAL_DNS_SERVERS") {
        None => super::dns::DnsConfig::system_servers(),
        Some(raw) => raw
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.parse::<SocketAddr>()
                    .or_else(|_| item.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                    .map_err(|_| ConfigError {
                        var: "PORTAL_DNS_SERVERS",
                        message: format!(
                            "{item:?} is not an address (203.0.113.53 or 127.0.0.1:5353)"
                        ),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let demo = match var("PORTAL_DNS_MODE").as_deref() {
        None | Some("live") => false,
        Some("demo") => true,
        Some(other) => {
            return Err(ConfigError {
                var: "PORTAL_DNS_MODE",
                message: format!("{other:?}: use live or demo"),
            })
        }
    };
    Ok(super::dns::DnsConfig {
        servers,
        timeout: std::time::Duration::from_millis(positive("PORTAL_DNS_TIMEOUT_MS", 2_000)? as u64),
        demo,
    })
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("site_addr", &self.site_addr)
            .field("public_url", &self.public_url.as_str())
            .field("cookie_secure", &self.cookie_secure)
            .field("audit_key_file", &self.audit_key_file)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish_non_exhaustive()
    }
}

/// The URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
            var: name,
            message: format!("{raw:?}: {e}"),
        }),
    }
}

fn positive(name: &'static str, default: i64) -> Result<i64, ConfigError> {
    let value: i64 = parsed(name, default)?;
    if value > 0 {
        Ok(value)
    } else {
        Err(ConfigError {
            var: name,
            message: "must be a positive number".into(),
        })
    }
}

/// Reads a list of addresses and networks (`10.0.0.1, 192.168.0.0/16, ::1`).
fn networks(name: &'static str) -> Result<Vec<IpNet>, ConfigError> {
    let Some(raw) = var(name) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError {
                    var: name,
                    message: format!("{item:?} is not an IP address or network (like 10.0.0.0/8)"),
                })
        })
        .collect()
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        let data_dir = PathBuf::from(var("PORTAL_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("portal.db").display()));
        let site_addr: SocketAddr =
            parsed("LEPTOS_SITE_ADDR", SocketAddr::from(([127, 0, 0, 1], 3000)))?;
        let public_url = match var("PORTAL_PUBLIC_URL") {
            Some(raw) => Url::parse(&raw).map_err(|e| ConfigError {
                var: "PORTAL_PUBLIC_URL",
                message: e.to_string(),
            })?,
            None => Url::parse(&format!("http://{site_addr}"))
                .expect("a socket address makes a valid URL"),
        };
        if !matches!(public_url.scheme(), "http" | "https") {
            return Err(ConfigError {
                var: "PORTAL_PUBLIC_URL",
                message: "must be an http:// or https:// URL".into(),
            });
        }
        let cookie_secure = match var("PORTAL_COOKIE_SECURE").as_deref() {
            None | Some("auto") => public_url.scheme() == "https",
            Some("true") => true,
            Some("false") => false,
            Some(other) => {
                return Err(ConfigError {
                    var: "PORTAL_COOKIE_SECURE",
                    message: format!("{other:?}: use auto, true or false"),
                })
            }
        };
        let defaults = LoginThrottle::default();
        let hash_concurrency = positive(
            "PORTAL_HASH_CONCURRENCY",
            std::thread::available_parallelism()
                .map(|n| n.get() as i64)
                .unwrap_or(2),
        )? as usize;
        Ok(Config {
            database_url,
            db_max_connections: positive("PORTAL_DB_MAX_CONNECTIONS", 10)? as u32,
            site_addr,
            site_root: PathBuf::from(
                var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            ),
            public_url,
            cookie_secure,
            session: SessionLimits {
                idle: Duration::minutes(positive("PORTAL_SESSION_IDLE_MINUTES", 30)?),
                absolute: Duration::hours(positive("PORTAL_SESSION_ABSOLUTE_HOURS", 12)?),
            },
            login_throttle: LoginThrottle {
                per_account: positive(
                    "PORTAL_LOGIN_MAX_FAILURES_PER_ACCOUNT",
                    defaults.per_account.into(),
                )? as u32,
                per_address: positive(
                    "PORTAL_LOGIN_MAX_FAILURES_PER_ADDRESS",
                    defaults.per_address.into(),
                )? as u32,
                first_delay: Duration::seconds(positive(
                    "PORTAL_LOGIN_FIRST_DELAY_SECONDS",
                    defaults.first_delay.whole_seconds(),
                )?),
                max_delay: Duration::minutes(positive(
                    "PORTAL_LOGIN_MAX_DELAY_MINUTES",
                    defaults.max_delay.whole_minutes(),
                )?),
            },
            evidence: EvidenceLimits {
                max_file_bytes: positive("PORTAL_EVIDENCE_MAX_FILE_MIB", 10)? as u64 * 1024 * 1024,
                max_submission_bytes: positive("PORTAL_EVIDENCE_MAX_SUBMISSION_MIB", 25)? as u64
                    * 1024
                    * 1024,
                max_files: positive("PORTAL_EVIDENCE_MAX_FILES", 10)? as usize,
                org_quota_bytes: positive("PORTAL_EVIDENCE_QUOTA_MIB", 1024)? as u64 * 1024 * 1024,
            },
            hash_concurrency,
            hash_queue: positive("PORTAL_HASH_QUEUE", 16 * hash_concurrency as i64)? as usize,
            audit_key_file: var("PORTAL_AUDIT_KEY_FILE")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("audit-keys")),
            trusted_proxies: networks("PORTAL_TRUSTED_PROXIES")?,
            header_timeout: std::time::Duration::from_secs(positive(
                "PORTAL_HEADER_TIMEOUT_SECONDS",
                10,
            )? as u64),
            body_timeout: std::time::Duration::from_secs(positive(
                "PORTAL_BODY_TIMEOUT_SECONDS",
                30,
            )? as u64),
            dns: dns_config()?,
            billing: billing_config()?,
            reports: reports_config()?,
            mail: MailConfig {
                smtp_url: var("PORTAL_SMTP_URL"),
                from: var("PORTAL_MAIL_FROM"),
            },
            data_dir,
        })
    }

    /// Whether the public URL is https (cookies are `Secure`, HSTS is sent).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The public URL's origin (`scheme://host[:port]`), which state-changing requests must come from.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}
