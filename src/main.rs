//! The `portal` server binary: see `portal --help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    abuse_portal::server::cli::run().await
}
