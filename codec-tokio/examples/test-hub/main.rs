//! The test hub on a real socket, for the official JavaScript client and our own:
//!
//! ```sh
//! cargo run --release --example test-hub -- 127.0.0.1:5000 [--keep-alive-ms N] [--client-timeout-ms N]
//! ```
//!
//! Serves the hub at `/hub` with stateful reconnect allowed and prints `listening on HOST:PORT`
//! once it accepts connections (the port may be 0: the printed one is the real one).

mod hub;

use std::time::Duration;

use signalr_codec_tokio::HubOptions;

fn usage() -> ! {
    eprintln!("usage: test-hub ADDR [--keep-alive-ms N] [--client-timeout-ms N] [--detailed-errors]");
    std::process::exit(2);
}

fn millis(value: Option<String>) -> Duration {
    Duration::from_millis(value.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| usage());
    let mut options = HubOptions::default().with_stateful_reconnects(true);
    while let Some(flag) = args.next() {
        options = match flag.as_str() {
            "--keep-alive-ms" => options.with_keep_alive_interval(millis(args.next())),
            "--client-timeout-ms" => options.with_client_timeout_interval(millis(args.next())),
            "--detailed-errors" => options.with_detailed_errors(true),
            _ => usage(),
        };
    }
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {}", listener.local_addr()?);
    hub::hub(options).serve(listener, "/hub").await
}
