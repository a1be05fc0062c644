//! The test hub on a real socket, for the official JavaScript client and our own:
//!
//! ```sh
//! cargo run --release --example test-hub -- 127.0.0.1:5000 [--keep-alive-ms N] [--client-timeout-ms N] \
//!     [--detailed-errors] [--static DIR] [--refuse-websockets]
//! ```
//!
//! Serves the hub at `/hub` with stateful reconnect allowed and prints `listening on HOST:PORT`
//! once it accepts connections (the port may be 0: the printed one is the real one).
//!
//! For a browser (`interop/record-har.cjs` records HAR files this way):
//!
//! - `--static DIR` also serves the files under `DIR` at `/` (GET only), so a page and the
//!   official client's browser bundles come from the hub's own origin: no CORS needed. Paths
//!   with hidden or unusual segments are 404.
//! - `--refuse-websockets` answers every WebSocket upgrade at `/hub` with 400
//!   `Connection ID required`, as ASP.NET Core does when WebSockets are not enabled on the server
//!   (or a proxy strips the upgrade): the request then reads as a long-polling GET without an
//!   `id`. With `skipNegotiation`, the client's only transport fails.

mod hub;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use signalr_codec_tokio::HubOptions;

fn usage() -> ! {
    eprintln!(
        "usage: test-hub ADDR [--keep-alive-ms N] [--client-timeout-ms N] [--detailed-errors] [--static DIR] [--refuse-websockets]"
    );
    std::process::exit(2);
}

fn millis(value: Option<String>) -> Duration {
    Duration::from_millis(value.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()))
}

/// `--refuse-websockets`: a WebSocket upgrade at the hub gets .NET's answer to a GET without
/// a connection id.
async fn refuse_websockets(request: Request, next: Next) -> Response {
    if request.uri().path() == "/hub" && request.headers().contains_key(header::UPGRADE) {
        return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain")], "Connection ID required")
            .into_response();
    }
    next.run(request).await
}

/// The file under `root` that `path` names, if every segment is a plain name.
fn static_path(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for segment in path.trim_start_matches('/').split('/') {
        let plain = segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
        if segment.is_empty() || segment.starts_with('.') || !plain {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "cjs" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map") => "application/json",
        _ => "application/octet-stream",
    }
}

/// `--static DIR`: what the hub's routes do not answer.
async fn static_file(root: PathBuf, method: Method, uri: Uri) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "Not Found").into_response();
    if method != Method::GET {
        return not_found();
    }
    let Some(file) = static_path(&root, uri.path()) else { return not_found() };
    // A page and two bundles for a test browser: a blocking read is fine here.
    match std::fs::read(&file) {
        Ok(bytes) => ([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response(),
        Err(_) => not_found(),
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| usage());
    let mut options = HubOptions::default().with_stateful_reconnects(true);
    let mut root = None;
    let mut refuse = false;
    while let Some(flag) = args.next() {
        options = match flag.as_str() {
            "--keep-alive-ms" => options.with_keep_alive_interval(millis(args.next())),
            "--client-timeout-ms" => options.with_client_timeout_interval(millis(args.next())),
            "--detailed-errors" => options.with_detailed_errors(true),
            "--static" => {
                root = Some(PathBuf::from(args.next().unwrap_or_else(|| usage())));
                options
            }
            "--refuse-websockets" => {
                refuse = true;
                options
            }
            _ => usage(),
        };
    }
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    let hub = hub::hub(options);
    if root.is_none() && !refuse {
        return hub.serve(listener, "/hub").await;
    }
    let mut app = Router::new().nest("/hub", hub.router());
    if let Some(root) = root {
        app = app.fallback(move |method: Method, uri: Uri| static_file(root.clone(), method, uri));
    }
    if refuse {
        app = app.layer(middleware::from_fn(refuse_websockets));
    }
    axum::serve(listener, app).await
}
