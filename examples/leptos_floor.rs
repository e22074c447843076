//! The ceiling of the stack, for `scripts/bench-load floor`: the smallest page Leptos can serve
//! through leptos_axum (a shell, a router with one route, one paragraph), on the portal's own
//! dependencies, allocator and runtime, with no database, session or middleware. The portal's
//! pages cannot be cheaper than this; the benchmark measures it against nginx in the same way as
//! the portal's pages.
//!
//!   cargo build --release --features ssr --example leptos_floor
//!   target/release/examples/leptos_floor 127.0.0.1:3963

use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use leptos_router::components::{Route, Router as PageRouter, Routes};
use leptos_router::StaticSegment;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[component]
fn FloorApp() -> impl IntoView {
    view! {
        <PageRouter>
            <Routes fallback=|| "Not found.">
                <Route path=StaticSegment("") view=|| view! { <p>"An empty page."</p> }/>
            </Routes>
        </PageRouter>
    }
}

fn shell() -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <title>"Floor"</title>
            </head>
            <body>
                <FloorApp/>
            </body>
        </html>
    }
}

#[tokio::main]
async fn main() {
    let addr: std::net::SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3963".into())
        .parse()
        .expect("usage: leptos_floor ADDRESS:PORT");
    let options = LeptosOptions::builder()
        .output_name("floor")
        .site_addr(addr)
        .build();
    let routes = generate_route_list(FloorApp);
    let app = Router::new()
        .leptos_routes(&options, routes, shell)
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("the address is free");
    axum::serve(listener, app).await.expect("serving");
}
