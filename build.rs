//! Whether the test suite runs its PostgreSQL half: `PORTAL_TEST_POSTGRES_URL` set (or
//! `PORTAL_TEST_REQUIRE_POSTGRES=1`, which CI sets) turns on `cfg(postgres_tests)`. Without it
//! every PostgreSQL test is compiled as ignored, and the test report says so, instead of passing
//! without having run. Nothing else of the portal depends on it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PORTAL_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-env-changed=PORTAL_TEST_REQUIRE_POSTGRES");
    let url = std::env::var("PORTAL_TEST_POSTGRES_URL").is_ok_and(|v| !v.is_empty());
    let required = std::env::var("PORTAL_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if url || required {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
