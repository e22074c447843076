# Shared environment for the project's scripts: sourced, never run.
# Puts the project's tools on PATH and names the Rust toolchain that has the wasm32 target.

: "${ROOT:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export PORTAL_CHROMIUM="${PORTAL_CHROMIUM:-/usr/bin/chromium}"

# The rustup toolchain to build with: stable where it has the wasm32 target, else the
# Debian-based `debian-web` toolchain that scripts/setup links.
portal_toolchain() {
    if [ "${PORTAL_SETUP_WASM:-}" = debian ]; then
        echo debian-web
    elif rustup target list --installed --toolchain stable 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        echo stable
    elif rustup toolchain list 2>/dev/null | grep -q '^debian-web'; then
        echo debian-web
    else
        echo "scripts/env.sh: no toolchain with the wasm32 target; run scripts/setup" >&2
        return 1
    fi
}

# The two cargo builds that `cargo leptos build --release` runs, side by side, with the same
# arguments and the one variable that changes what they compile (LEPTOS_OUTPUT_NAME; the other
# LEPTOS_* variables it sets are read at run time), so that either way of building reuses the
# other's work. scripts/build-site bundles their output.
#
# The server goes first: its crate is the longest single compile, and much of it runs on one
# core, so everything else (the wasm build here, the wasm-bindgen CLI in scripts/setup) runs at a
# lower priority and fills the other core around it instead of delaying it.
portal_build_release() {
    local tc="$1" front status=0
    (
        cd "$ROOT"
        export LEPTOS_OUTPUT_NAME=portal
        nice -n 10 cargo +"$tc" build --quiet --package=abuse_portal --lib --target-dir="$ROOT/target/front" \
            --target=wasm32-unknown-unknown --no-default-features --features=hydrate --profile=wasm-release &
        front=$!
        cargo +"$tc" build --quiet --package=abuse_portal --bin=portal --no-default-features --features=ssr --release ||
            status=$?
        wait "$front" || status=$?
        exit "$status"
    )
}
