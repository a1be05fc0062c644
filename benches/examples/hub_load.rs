//! Load on the example hub server over loopback WebSockets: round trips per second and latency
//! percentiles of small invocations (`Add(1, 2)`) with N concurrent clients, and the server's
//! resident memory per idle connection.
//!
//! ```sh
//! cargo build --release -p signalr-codec-tokio --example test-hub
//! cargo run --release -p signalr-codec-benches --example hub_load -- [--clients 1,100,1000] [--seconds 5]
//! ```
//!
//! The server runs as its own process (the `test-hub` example, found next to this binary), so
//! its memory is measured alone (`VmRSS` from `/proc`). Each client is a raw WebSocket speaking
//! the hub protocol with this workspace's codec: it sends one invocation, waits for its
//! completion, and sends the next (a closed loop), so round trips per second measure the server
//! and the loopback stack together, with the load generator on the same two cores.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::{HubDecoder, HubMessage, HubProtocol, Invocation, Parsed};
use signalr_codec_json::{JsonHubProtocol, RawJson};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};
use tokio_tungstenite::tungstenite::Message;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Clone, Copy, PartialEq)]
enum Protocol {
    Json,
    MessagePack,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::Json => "json",
            Protocol::MessagePack => "messagepack",
        }
    }

    /// `Add(1, 2)` with invocation id `id`, framed.
    fn invocation(self, id: &str) -> Message {
        match self {
            Protocol::Json => {
                let args = RawJson::new("[1,2]").expect("valid JSON");
                let msg = HubMessage::Invocation(Invocation::new("Add", args).with_invocation_id(id));
                Message::text(String::from_utf8(JsonHubProtocol::new().to_vec(&msg).expect("writes")).expect("UTF-8"))
            }
            Protocol::MessagePack => {
                let args = RawValue::new(&[0x92, 0x01, 0x02]).expect("valid MessagePack");
                let msg = HubMessage::Invocation(Invocation::new("Add", args).with_invocation_id(id));
                Message::binary(MessagePackHubProtocol::new().to_vec(&msg).expect("writes"))
            }
        }
    }

    /// Completions in one transport message.
    fn completions(self, bytes: &[u8]) -> usize {
        fn count<P: HubProtocol>(decoder: &mut HubDecoder<P>, bytes: &[u8]) -> usize {
            decoder.messages(bytes).filter(|m| matches!(m, Ok(Parsed::Message(HubMessage::Completion(_))))).count()
        }
        match self {
            Protocol::Json => count(&mut HubDecoder::new(JsonHubProtocol::new()), bytes),
            Protocol::MessagePack => count(&mut HubDecoder::new(MessagePackHubProtocol::new()), bytes),
        }
    }
}

/// Connects and completes the handshake (the handshake response may share a message with
/// the server's first Ping; only the response matters here).
async fn connect(addr: &str, protocol: Protocol) -> Socket {
    let (mut socket, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/hub")).await.expect("the hub accepts WebSockets");
    let mut request = Vec::new();
    HandshakeRequest::new(protocol.name(), 1).write(&mut request).expect("writes");
    // As text, as the official clients send it.
    let request = String::from_utf8(request).expect("the handshake is JSON");
    socket.send(Message::text(request)).await.expect("handshake sent");
    match socket.next().await.expect("handshake answered").expect("no socket error") {
        Message::Text(t) if t.as_bytes().starts_with(b"{}\x1e") => {}
        Message::Binary(b) if b.starts_with(b"{}\x1e") => {}
        other => panic!("unexpected handshake answer {other:?}"),
    }
    socket
}

/// One client's closed loop until `until`: latencies in microseconds.
async fn client_loop(mut socket: Socket, protocol: Protocol, until: Instant) -> Vec<u32> {
    let mut latencies = Vec::new();
    let mut id = 0u64;
    while Instant::now() < until {
        id += 1;
        let started = Instant::now();
        socket.send(protocol.invocation(&id.to_string())).await.expect("sent");
        loop {
            let bytes = match socket.next().await.expect("open").expect("no error") {
                Message::Text(t) => t.as_bytes().to_vec(),
                Message::Binary(b) => b.to_vec(),
                _ => continue,
            };
            if protocol.completions(&bytes) > 0 {
                break;
            }
        }
        latencies.push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
    }
    let _ = socket.close(None).await;
    latencies
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("Linux /proc");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

fn start_server() -> (Child, String) {
    let exe = std::env::current_exe().expect("own path");
    let server = exe.with_file_name("test-hub");
    if !server.exists() {
        eprintln!(
            "{} not found: build it first with `cargo build --release -p signalr-codec-tokio --example test-hub`",
            server.display()
        );
        std::process::exit(2);
    }
    // Long intervals: no keep-alive traffic or timeouts during the runs.
    let mut child = Command::new(&server)
        .args(["127.0.0.1:0", "--keep-alive-ms", "600000", "--client-timeout-ms", "600000"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the test hub starts");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("piped")).read_line(&mut line).expect("it prints its address");
    let addr = line.trim().strip_prefix("listening on ").expect("`listening on HOST:PORT`").to_owned();
    (child, addr)
}

fn main() {
    let mut clients = vec![1usize, 100, 1000];
    let mut seconds = 5u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--clients", Some(v)) => clients = v.split(',').map(|n| n.parse().expect("a number")).collect(),
            ("--seconds", Some(v)) => seconds = v.parse().expect("a number"),
            _ => {
                eprintln!("usage: hub_load [--clients 1,100,1000] [--seconds 5]");
                std::process::exit(2);
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let (mut server, addr) = start_server();
    // Memory first, on a fresh server: after the load runs, freed memory would be reused.
    // Memory per idle connection: the server's growth with 1,000 connections open and idle
    // (half JSON, half MessagePack), each past its handshake.
    let idle = 1000;
    let before = rss_kib(server.id());
    let sockets = runtime.block_on(async {
        let mut sockets = Vec::with_capacity(idle);
        for i in 0..idle {
            let protocol = if i % 2 == 0 { Protocol::Json } else { Protocol::MessagePack };
            sockets.push(connect(&addr, protocol).await);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        sockets
    });
    let after = rss_kib(server.id());
    println!(
        "idle connections: {idle}, server RSS {before} KiB → {after} KiB: {:.1} KiB per connection",
        (after.saturating_sub(before)) as f64 / idle as f64
    );
    println!();
    drop(sockets);
    // Let the server drop them before the load runs.
    std::thread::sleep(Duration::from_millis(500));
    println!("| protocol | clients | round trips/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for protocol in [Protocol::Json, Protocol::MessagePack] {
        for &n in &clients {
            let (total, mut latencies, elapsed) = runtime.block_on(async {
                let mut sockets = Vec::with_capacity(n);
                for _ in 0..n {
                    sockets.push(connect(&addr, protocol).await);
                }
                let started = Instant::now();
                let until = started + Duration::from_secs(seconds);
                let tasks: Vec<_> =
                    sockets.into_iter().map(|s| tokio::spawn(client_loop(s, protocol, until))).collect();
                let mut latencies = Vec::new();
                for task in tasks {
                    latencies.extend(task.await.expect("client ran"));
                }
                (latencies.len(), latencies, started.elapsed())
            });
            latencies.sort_unstable();
            println!(
                "| {} | {n} | {:.0} | {:.2} | {:.2} |",
                protocol.name(),
                total as f64 / elapsed.as_secs_f64(),
                percentile(&latencies, 0.50),
                percentile(&latencies, 0.99),
            );
            // Let the server drop the closed connections before the next run.
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    let _ = server.kill();
    let _ = server.wait();
}
