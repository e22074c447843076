//! The front end's files: the bundle's content-hashed names, and `/pkg/…` served as files that
//! never change under their name.
//!
//! `cargo leptos build` (with `hash-files`) names the script, the WebAssembly and the style sheet
//! after a hash of their content and writes the hashes to `hash.txt` beside the binary; with
//! `--precompress` it writes a brotli and a gzip copy of every file. The names are read once, at
//! start, and the pages link them; a file with a hash in its name is served with
//! `Cache-Control: immutable` for a year, in the encoding the browser asks for, read from its
//! precompressed copy.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use std::path::Path;
use tower_http::services::ServeDir;

/// The URL paths of the bundle a page loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetNames {
    /// The JavaScript glue (an ES module).
    pub js: String,
    /// The WebAssembly.
    pub wasm: String,
    /// The style sheet.
    pub css: String,
    /// The page's module script (written once, not per page): it loads the bundle, hydrates each
    /// island by its export (`data-component`), then marks `<body data-hydrated>`, which reveals
    /// the controls that need JavaScript (`.needs-js`) and which tests wait for.
    pub start_script: String,
}

impl AssetNames {
    /// The names under `/{pkg}/` for `output` (the crate's output name, `portal`), with the
    /// hashes of `hash_file`'s content (`js: …`, `wasm: …`, `css: …` lines) when given.
    pub fn new(pkg: &str, output: &str, hash_file: Option<&str>) -> AssetNames {
        let hash_of = |kind: &str| {
            hash_file
                .into_iter()
                .flat_map(str::lines)
                .filter_map(|line| line.split_once(':'))
                .find(|(k, _)| k.trim() == kind)
                .map(|(_, hash)| hash.trim().to_owned())
                .filter(|hash| !hash.is_empty())
        };
        let name = |kind: &str| match hash_of(kind) {
            Some(hash) => format!("/{pkg}/{output}.{hash}.{kind}"),
            None => format!("/{pkg}/{output}.{kind}"),
        };
        let (js, wasm) = (name("js"), name("wasm"));
        AssetNames {
            start_script: format!(
                "import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => {{ \
                 m.hydrate(); \
                 for (const island of document.querySelectorAll('leptos-island')) {{ \
                 const hydrate = m[island.dataset.component]; \
                 if (hydrate) hydrate(island); else console.error('no island', island.dataset.component); }} \
                 document.body.setAttribute('data-hydrated', 'true'); }}));"
            ),
            js,
            wasm,
            css: name("css"),
        }
    }

    /// The names of this build: from `hash.txt` beside the running binary (where cargo-leptos
    /// writes it), else the plain names of a build without hashes.
    pub fn of_this_build(pkg: &str, output: &str) -> AssetNames {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
            .and_then(|file| std::fs::read_to_string(file).ok());
        AssetNames::new(pkg, output, hashes.as_deref())
    }
}

/// Whether a file name carries a content hash as cargo-leptos writes it: a 22-character
/// base64url segment before the extension (`portal.<hash>.wasm`).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.rsplit('.');
    let _extension = parts.next();
    parts.next().is_some_and(|hash| {
        hash.len() == 22
            && hash
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// `/pkg/…`: the bundle's files from `dir`, a precompressed copy in the encoding the browser
/// accepts preferred; hashed names cached for a year without revalidation, others revalidated.
pub fn pkg_router<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        )
        .layer(axum::middleware::from_fn(cache_for_a_year_when_hashed))
}

async fn cache_for_a_year_when_hashed(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    let policy =
        if hashed && (res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_hashes_of_the_hash_file() {
        let file = "js: Ab3_-xYz0123456789abcd\nwasm: QQ3_-xYz0123456789abcd\ncss: Zz3_-xYz0123456789abcd\n";
        let names = AssetNames::new("pkg", "portal", Some(file));
        assert_eq!(names.js, "/pkg/portal.Ab3_-xYz0123456789abcd.js");
        assert_eq!(names.wasm, "/pkg/portal.QQ3_-xYz0123456789abcd.wasm");
        assert_eq!(names.css, "/pkg/portal.Zz3_-xYz0123456789abcd.css");
        assert!(is_hashed(&names.wasm));
    }

    #[test]
    fn without_a_hash_file_the_plain_names() {
        let names = AssetNames::new("pkg", "portal", None);
        assert_eq!(names.css, "/pkg/portal.css");
        assert!(!is_hashed(&names.css));
        assert!(!is_hashed("/favicon.svg"));
        assert!(!is_hashed("/pkg/portal.short.js"));
    }
}
