//! The `portal` server binary: see `portal --help`.

/// Stack size of the runtime's threads. Rendering a page resolves its whole view tree as nested
/// futures; on 2026-11-26 the notice page, in a debug build, overflowed tokio's default 2 MiB.
/// Release builds need far less; 8 MiB of address space per thread leaves room for both.
const THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(abuse_portal::server::cli::run()),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
