//! The `portal` server binary: see `portal --help`.

/// Stack size of the runtime's threads. Rendering a page resolves its whole view tree as nested
/// futures; on 2026-11-26 the notice page, in a debug build, overflowed tokio's default 2 MiB.
/// Release builds need far less; 8 MiB of address space per thread leaves room for both.
const THREAD_STACK_BYTES: usize = 8 * 1024 * 1024;

/// The allocator: mimalloc takes fewer instructions per page than glibc's malloc (callgrind,
/// `/notices` on the release build: see docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's option numbers (`mi_option_e` in its `mimalloc.h`, the same in its versions 2 and 3;
/// the Rust bindings do not name these two).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Hands freed memory back to the system at once and commits arena memory only as it is used.
/// With mimalloc's defaults every password hash (Argon2's 19 MiB) left memory resident for a
/// while: measured with the release build (scripts/bench-load), 69 MiB after 100 sign-ins and
/// 117 MiB after a minute of load, against 32 and 89 MiB with these two settings set here.
///
/// It runs as a constructor, before anything is allocated: mimalloc reads the commit setting
/// when it reserves its first arena, which the standard library's start-up already does.
extern "C" fn configure_allocator() {
    // SAFETY: mi_option_set only stores an option's value; no other thread exists yet.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
    }
}

/// [`configure_allocator`] as an ELF constructor (Linux), run before the standard library starts.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_ALLOCATOR: extern "C" fn() = configure_allocator;

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    configure_allocator();
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
