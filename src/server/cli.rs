//! The `portal` command line: `serve` (the default), `migrate`, `seed --demo`, `user add`.

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
    /// Add demo data (idempotent).
    Seed {
        /// Add the demo organisations, services and accounts.
        #[arg(long, required = true)]
        demo: bool,
        /// Only when the database has no accounts yet.
        #[arg(long)]
        if_empty: bool,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
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
    let st: AppState = super::open_state(config).await?;
    let result = match command {
        Command::Serve => return super::serve(st).await,
        Command::Migrate => {
            println!("Migrations applied ({}).", st.db.engine());
            Ok(())
        }
        Command::Seed { demo: _, if_empty } => seed(&st, if_empty).await,
        Command::User {
            action: UserCommand::Add { email, role, org },
        } => add_user(&st, &email, role, org.as_deref()).await,
    };
    st.db.close().await;
    result
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
