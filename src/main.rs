//! The `portal` server binary: see `portal --help`.

/// Stack size of the runtime's threads. Rendering a page resolves its whole view tree as nested
/// futures; on 2026-11-26 the notice page, in a debug build, overflowed tokio's default 2 MiB.
/// Release builds need far less; 8 MiB of address space per thread leaves room for both.
const THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

/// Blocks of this size or more are mapped from the system on their own and returned to it when
/// freed. glibc's default threshold rises to the size of each large block freed, after which
/// such blocks come from its heaps and stay in the process: every password hash (Argon2's
/// 19 MiB) then left its memory behind in each thread's heap. Measured with the release build
/// (scripts/bench-load): 374 MiB resident after 100 sign-ins with the default, 31 MiB with this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_BYTES: libc::c_int = 4 * 1024 * 1024;

fn main() -> std::process::ExitCode {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it runs before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
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
