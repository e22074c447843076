//! The `portal` command line: `serve` (the default), `migrate`, `seed --demo`, `user add`,
//! `audit`, `token`, `port25-default`.

use super::config::Config;
use super::state::AppState;
use crate::domain::actor::Role;
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

/// The abuse-case portal.
#[derive(Parser, Debug)]
#[command(
    name = "portal",
    version,
    about = "The abuse-case portal: serve it, migrate its database, seed demo data, add users."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the portal (the default). Applies pending migrations first.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Add demo data (idempotent). Only into a local SQLite database behind a loopback address,
    /// because the demo accounts (an admin among them) have a published password.
    Seed {
        /// Add the demo organisations, services and accounts.
        #[arg(long, required = true)]
        demo: bool,
        /// Only when the database has no accounts yet.
        #[arg(long)]
        if_empty: bool,
        /// Add the demo accounts, whose password is public, even to a PostgreSQL database or a
        /// portal whose public URL is not on this machine.
        #[arg(long)]
        allow_public_passwords_on_shared_database: bool,
    },
    /// Check or repair the sealed audit trails.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// API tokens for the provider's own systems (the inventory REST API).
    Token {
        #[command(subcommand)]
        action: TokenCommand,
    },
    /// Take in abuse reports from mailbox exports (mbox files or single .eml messages): each
    /// message is read as ARF or X-ARF and its events matched like the report API's. Reports
    /// that cannot be read are kept for staff with the reason; the exit status is 1 if any was.
    Ingest {
        /// The files: mbox (messages after `From ` lines) or one message each.
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
        /// The admin running the import, recorded with each report (an admin account's e-mail).
        #[arg(long = "admin")]
        admin: Option<String>,
    },
    /// Which kinds of service start with outbound port 25 restricted (policy §5: new accounts,
    /// trials, suspicious workloads). Applies to services created from now on.
    Port25Default {
        #[command(subcommand)]
        action: Port25DefaultCommand,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Make a token acting for an admin; it is printed once, only its hash is kept.
    Create {
        /// The system that uses it ("billing sync").
        #[arg(long)]
        name: String,
        /// What it may do: inventory:read, inventory:write, reports:write (repeat, or separate
        /// with commas).
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// The admin it acts for (an admin account's e-mail).
        #[arg(long = "admin")]
        admin: String,
    },
    /// List the tokens (never the tokens themselves).
    List,
    /// Revoke a token by its number; it stops working at once.
    Revoke {
        /// The token's number, as `list` shows it.
        #[arg(long)]
        id: i64,
        /// The admin revoking it.
        #[arg(long = "admin")]
        admin: String,
    },
}

#[derive(Subcommand, Debug)]
enum Port25DefaultCommand {
    /// List every service kind and whether new services of it start restricted.
    List,
    /// Restrict (`--restricted true`) or allow (`false`) port 25 on new services of one kind.
    Set {
        /// The service kind, as stored (`vps`, `dedicated_server`, …; see `list`).
        #[arg(long)]
        kind: String,
        /// `true` or `false`.
        #[arg(long, action = clap::ArgAction::Set)]
        restricted: bool,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Verify every case's trail and the provider-wide log; exits with an error when one fails.
    Verify,
    /// Seal, once, the trails written before trails were keyed (after upgrading). Trails that do
    /// not verify as they were written are reported and left alone.
    ResealLegacy,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account. The password is asked for on a terminal, or read as one line from
    /// standard input; never from the command line.
    Add {
        /// The user's e-mail address (their sign-in name).
        #[arg(long)]
        email: String,
        /// customer, staff or admin.
        #[arg(long)]
        role: Role,
        /// The customer's organisation (created when new); customers only.
        #[arg(long)]
        org: Option<String>,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// Parses the command line, runs the command, and returns the process exit code.
pub async fn run() -> ExitCode {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match dispatch(cli.command.unwrap_or(Command::Serve)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("portal: {err}");
            ExitCode::FAILURE
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn dispatch(command: Command) -> Result<(), BoxError> {
    let config = Config::from_env()?;
    if let Command::Seed {
        allow_public_passwords_on_shared_database: false,
        ..
    } = command
    {
        refuse_demo_on_shared_database(&config)?;
    }
    let st: AppState = super::open_state(config).await?;
    let result = match command {
        Command::Serve => return super::serve(st).await,
        Command::Migrate => {
            println!("Migrations applied ({}).", st.db.engine());
            Ok(())
        }
        Command::Seed { if_empty, .. } => seed(&st, if_empty).await,
        Command::Audit {
            action: AuditCommand::Verify,
        } => audit_verify(&st).await,
        Command::Audit {
            action: AuditCommand::ResealLegacy,
        } => audit_reseal(&st).await,
        Command::User {
            action: UserCommand::Add { email, role, org },
        } => add_user(&st, &email, role, org.as_deref()).await,
        Command::Port25Default { action } => port25_default(&st, action).await,
        Command::Token { action } => token(&st, action).await,
        Command::Ingest { files, admin } => ingest(&st, &files, admin.as_deref()).await,
    };
    st.db.close().await;
    result
}

async fn admin_actor(st: &AppState, email: &str) -> Result<crate::domain::actor::Actor, BoxError> {
    let email = crate::domain::account::Email::parse(email).map_err(|e| format!("--admin: {e}"))?;
    let user = super::db::accounts::find_user_by_email(&st.db, &email)
        .await?
        .filter(|u| u.role == "admin" && u.disabled_at.is_none())
        .ok_or_else(|| format!("--admin: {email} is not an active admin account"))?;
    Ok(crate::domain::actor::Actor {
        user_id: user.user_id(),
        role: Role::Admin,
        org_id: None,
        zone: crate::domain::zone::Zone::utc(),
    })
}

async fn ingest(
    st: &AppState,
    files: &[std::path::PathBuf],
    admin: Option<&str>,
) -> Result<(), BoxError> {
    use super::usecase::reports::{ingest, Received};
    let by = match admin {
        Some(email) => Some(admin_actor(st, email).await?.user_id),
        None => None,
    };
    let received = Received {
        channel: crate::domain::report::IntakeChannel::Mailbox,
        by,
        client_address: None,
    };
    let (mut accepted, mut failed) = (0usize, 0usize);
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let messages = super::intake::mailbox::messages(&bytes)
            .map_err(|e| format!("{}: not a readable mailbox: {e}", file.display()))?;
        for (n, message) in messages.iter().enumerate() {
            let outcome = ingest(st, &received, message, super::intake::BodyKind::Mail)
                .await
                .map_err(|e| e.user_message())?;
            let place = format!("{} #{}", file.display(), n + 1);
            if let Some(earlier) = outcome.duplicate_of {
                println!(
                    "{place}: the same report came before as {} (#{earlier}); not counted again",
                    outcome.reference
                );
                continue;
            }
            match &outcome.failure {
                Some(why) => {
                    failed += 1;
                    println!(
                        "{place}: {} failed (kept for staff): {why}",
                        outcome.reference
                    );
                }
                None => {
                    accepted += 1;
                    for e in &outcome.events {
                        let to = match (e.notice_id, e.pending_id) {
                            (Some(id), _) => format!("added to notice #{id}"),
                            (None, Some(id)) => {
                                format!("waits for verification in reported case #{id}")
                            }
                            _ => "no service held the address: in the unmatched list".to_owned(),
                        };
                        println!("{place}: {} {}: {to}", outcome.reference, e.source);
                    }
                }
            }
        }
    }
    println!("{accepted} report(s) taken in, {failed} could not be read.");
    if failed > 0 {
        return Err(format!(
            "{failed} report(s) could not be read; staff see them under Reports → Failed"
        )
        .into());
    }
    Ok(())
}

async fn token(st: &AppState, action: TokenCommand) -> Result<(), BoxError> {
    use super::usecase::api_tokens;
    match action {
        TokenCommand::Create {
            name,
            scopes,
            admin,
        } => {
            let who = admin_actor(st, &admin).await?;
            let created = api_tokens::create(st, &who, &name, &scopes.join(" "))
                .await
                .map_err(|e| e.user_message())?;
            println!(
                "Token #{} \"{}\", acting for {admin}. It is shown this once:",
                created.id, created.name
            );
            println!("{}", created.token);
        }
        TokenCommand::List => {
            let system = crate::domain::actor::Actor {
                user_id: crate::domain::ids::UserId(0),
                role: Role::Admin,
                org_id: None,
                zone: crate::domain::zone::Zone::utc(),
            };
            for t in api_tokens::list(st, &system)
                .await
                .map_err(|e| e.user_message())?
            {
                println!(
                    "#{:<4} {:<24} {:<32} for {} since {}{}",
                    t.id,
                    t.name,
                    t.scopes,
                    t.acts_for,
                    t.created_text,
                    t.revoked_text
                        .map(|r| format!(", revoked {r}"))
                        .unwrap_or_default()
                );
            }
        }
        TokenCommand::Revoke { id, admin } => {
            let who = admin_actor(st, &admin).await?;
            api_tokens::revoke(st, &who, id)
                .await
                .map_err(|e| e.user_message())?;
            println!("Token #{id} revoked.");
        }
    }
    Ok(())
}

async fn port25_default(st: &AppState, action: Port25DefaultCommand) -> Result<(), BoxError> {
    use super::db::smtp::{restricted_by_default, set_restricted_by_default};
    use crate::domain::service::ServiceKind;
    if let Port25DefaultCommand::Set { kind, restricted } = &action {
        let kind: ServiceKind = kind.parse().map_err(|_| {
            format!("{kind:?} is not a service kind; `portal port25-default list` shows them")
        })?;
        let detail = format!(
            "New {} services start with port 25 {}.",
            kind.label(),
            if *restricted { "restricted" } else { "allowed" }
        );
        let mut tx = st.db.begin_write().await?;
        set_restricted_by_default(&mut tx, kind, *restricted).await?;
        super::usecase::audit::record_provider(
            st,
            &mut tx,
            "command line",
            "port25_default_changed",
            &detail,
        )
        .await?;
        tx.commit().await?;
        println!("{detail}");
    }
    for kind in ServiceKind::ALL {
        let restricted = restricted_by_default(&st.db, *kind).await?;
        println!(
            "{:<32} {}",
            kind.as_str(),
            if restricted { "restricted" } else { "allowed" }
        );
    }
    Ok(())
}

/// Demo accounts have a published password (an admin's among them): they go only into a local
/// SQLite database of a portal reached on this machine, unless forced.
fn refuse_demo_on_shared_database(config: &Config) -> Result<(), BoxError> {
    let postgres = !config.database_url.starts_with("sqlite:");
    let loopback = match config.public_url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let why = if postgres {
        "the database is not a local SQLite file".to_owned()
    } else if !loopback {
        format!(
            "the portal's public URL ({}) is not on this machine",
            config.public_url
        )
    } else {
        return Ok(());
    };
    Err(format!(
        "not adding demo data: {why}. The demo accounts, an admin among them, have a password \
         that anyone can read on every page. To add them anyway, pass \
         --allow-public-passwords-on-shared-database."
    )
    .into())
}

async fn audit_verify(st: &AppState) -> Result<(), BoxError> {
    let report = super::usecase::audit::verify_all(st)
        .await
        .map_err(|e| e.user_message())?;
    println!(
        "{} trail(s) checked, {} entries in the provider-wide log.",
        report.trails, report.provider_entries
    );
    for (trail, problem) in &report.broken {
        println!("  {trail}: {problem}");
    }
    if report.broken.is_empty() {
        println!("Every trail verifies.");
        Ok(())
    } else {
        Err(format!("{} trail(s) failed verification", report.broken.len()).into())
    }
}

async fn audit_reseal(st: &AppState) -> Result<(), BoxError> {
    let report = super::db::audit::reseal_legacy(&st.db, &st.audit_keys).await?;
    println!(
        "Sealed {} legacy trail(s) with key {}.",
        report.resealed.len(),
        st.audit_keys.current().id()
    );
    for (case, why) in &report.refused {
        println!("  case {case} left as it was: {why}");
    }
    if report.refused.is_empty() {
        Ok(())
    } else {
        Err(format!("{} trail(s) could not be sealed", report.refused.len()).into())
    }
}

async fn seed(st: &AppState, if_empty: bool) -> Result<(), BoxError> {
    if if_empty && super::db::accounts::count_users(&st.db).await? > 0 {
        println!("The database already has accounts: demo data not added.");
        return Ok(());
    }
    let report = super::seed::seed_demo(st).await?;
    println!(
        "Demo data ready ({} account(s) created now). Demo accounts, all with the password {}:",
        report.users_created,
        super::seed::DEMO_PASSWORD
    );
    for (email, role, org) in super::seed::DEMO_USERS {
        println!(
            "  {email:<20} {:<9} {}",
            role.as_str(),
            org.unwrap_or("(the provider)")
        );
    }
    Ok(())
}

fn read_password() -> Result<String, BoxError> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn add_user(
    st: &AppState,
    email: &str,
    role: Role,
    org: Option<&str>,
) -> Result<(), BoxError> {
    let password = read_password()?;
    let id = super::usecase::accounts::create_user(st, email, &password, role, org)
        .await
        .map_err(|e| e.user_message())?;
    println!(
        "Created {role} account {} (id {id}).",
        email.trim().to_lowercase()
    );
    Ok(())
}
