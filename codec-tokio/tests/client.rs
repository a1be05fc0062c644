//! The client against a small hub server written here: a `TcpListener` on 127.0.0.1 that
//! answers negotiate with a hand-written HTTP/1.1 response and drives the WebSocket side with a
//! server-role `Connection<AnyProtocol>` by hand, logging what it sees.

#![cfg(feature = "client")]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use signalr_codec_connection::{
    AnyProtocol, AnyValue, Config, Connection, Event, InvocationHandle, State, StreamHandle,
};
use signalr_codec_core::{Outcome, TransferFormat};
use signalr_codec_json::negotiate::{AvailableTransport, NegotiateResponse};
use signalr_codec_json::Serialized;
use signalr_codec_tokio::client::{ClientError, CONNECTION_CLOSED, NO_RESULT, UPLOAD_CANCELED};
use signalr_codec_tokio::{Client, ClientOptions, Payload};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{timeout, Instant as TokioInstant};
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Every test ends within this.
const LIMIT: Duration = Duration::from_secs(10);

type Ws = WebSocketStream<TcpStream>;

/// How the test server behaves.
#[derive(Clone, Copy)]
struct ServerOptions {
    /// Grant stateful reconnect to clients that ask.
    stateful: bool,
    /// The server's keep-alive interval.
    keep_alive: Duration,
    /// Offer only the JSON protocol.
    json_only: bool,
    /// Never answer the handshake.
    mute: bool,
    /// Negotiate at `/hub` redirects to `/other` with an access token.
    redirect: bool,
    /// How long a client's reconnection waits before its WebSocket upgrade is answered.
    reconnect_delay: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            stateful: false,
            keep_alive: Duration::from_secs(15),
            json_only: false,
            mute: false,
            redirect: false,
            reconnect_delay: Duration::ZERO,
        }
    }
}

/// A running test server: its address and the log of what it saw.
struct Server {
    url: String,
    log: mpsc::UnboundedReceiver<String>,
}

impl Server {
    async fn start(options: ServerOptions) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        let (log_tx, log) = mpsc::unbounded_channel();
        tokio::spawn(accept_loop(listener, options, log_tx));
        Server { url, log }
    }

    /// The next log line that starts with `prefix` (earlier lines are skipped).
    async fn seen(&mut self, prefix: &str) -> String {
        loop {
            let line = self.log.recv().await.expect("the server is running");
            if line.starts_with(prefix) {
                return line;
            }
        }
    }
}

async fn accept_loop(listener: TcpListener, options: ServerOptions, log: mpsc::UnboundedSender<String>) {
    let mut sessions: HashMap<String, mpsc::UnboundedSender<Ws>> = HashMap::new();
    let mut next = 0u32;
    loop {
        let Ok((mut tcp, _)) = listener.accept().await else { return };
        let head = peek_head(&mut tcp).await;
        if head.starts_with("POST ") && head.contains("/negotiate") {
            next += 1;
            let query = head.split_whitespace().nth(1).unwrap_or_default().to_string();
            let _ = log.send(format!("negotiate {query}"));
            if let Some(auth) = authorization(&head) {
                let _ = log.send(format!("authorization {auth}"));
            }
            let body = if options.redirect && query.starts_with("/hub/") {
                let url = format!("http://{}/other", listener.local_addr().unwrap());
                NegotiateResponse::redirect(url, Some("secret".into())).to_vec()
            } else {
                let mut response = NegotiateResponse::connection(
                    1,
                    format!("conn-{next}"),
                    format!("tok {next}"),
                    vec![AvailableTransport::web_sockets()],
                );
                response.use_stateful_reconnect = options.stateful && query.contains("useStatefulReconnect=true");
                response.to_vec()
            };
            let _ = read_head(&mut tcp).await;
            let mut reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            reply.extend_from_slice(&body);
            let _ = tcp.write_all(&reply).await;
            let _ = tcp.shutdown().await;
            continue;
        }
        if let Some(auth) = authorization(&head) {
            let _ = log.send(format!("authorization {auth}"));
        }
        let target = head.split_whitespace().nth(1).unwrap_or_default();
        if target.split_once("id=").is_some_and(|(_, id)| sessions.contains_key(id)) {
            tokio::time::sleep(options.reconnect_delay).await;
        }
        let uri = Arc::new(Mutex::new(String::new()));
        let seen_uri = uri.clone();
        // The error type is tungstenite's `Callback` signature, not ours to shrink.
        #[allow(clippy::result_large_err)]
        let callback = move |req: &Request, resp: Response| {
            *seen_uri.lock().unwrap() = req.uri().to_string();
            Ok(resp)
        };
        let Ok(ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else { continue };
        let uri = uri.lock().unwrap().clone();
        let _ = log.send(format!("socket {uri}"));
        let id = uri.split_once("id=").map(|(_, id)| id.to_string());
        let key = id.clone().unwrap_or_else(|| {
            next += 1;
            format!("direct-{next}")
        });
        if let Some(session) = sessions.get(&key) {
            if session.send(ws).is_ok() {
                continue;
            }
            unreachable!("a session ended while its client reconnected");
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(ws).unwrap();
        sessions.insert(key, tx);
        let stateful = options.stateful && id.is_some();
        tokio::spawn(session(rx, options, stateful, log.clone()));
    }
}

/// The Authorization header of a request head.
fn authorization(head: &str) -> Option<&str> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("authorization").then(|| value.trim())
    })
}

/// The request head, left unread on the socket.
async fn peek_head(tcp: &mut TcpStream) -> String {
    let mut buf = vec![0u8; 4096];
    loop {
        let n = tcp.peek(&mut buf).await.unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        if n == 0 || text.contains("\r\n\r\n") {
            return text;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Reads the request head (negotiate has an empty body).
async fn read_head(tcp: &mut TcpStream) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if tcp.read(&mut byte).await.unwrap_or(0) == 0 {
            break;
        }
        head.push(byte[0]);
    }
    head
}

/// What the server's connection reported, copied out of its buffers.
enum Seen {
    Connected(bool),
    Invocation { target: String, args: Payload, handle: Option<InvocationHandle>, uploads: Vec<StreamHandle> },
    StreamInvocation { target: String, args: Payload, handle: InvocationHandle },
    Cancel(InvocationHandle),
    UploadItem(StreamHandle, Payload),
    UploadEnd(StreamHandle, Option<String>),
    Completion(String),
    Closed,
    Failed(String),
    Other,
}

fn own(event: Event<'_, AnyValue<'_>>) -> Seen {
    match event {
        Event::Connected(h) => Seen::Connected(h.stateful_reconnect),
        Event::Invocation(inv) => Seen::Invocation {
            target: inv.target.to_string(),
            args: Payload::from_value(inv.arguments),
            handle: inv.handle,
            uploads: inv.uploads.iter().collect(),
        },
        Event::StreamInvocation(inv) => Seen::StreamInvocation {
            target: inv.target.to_string(),
            args: Payload::from_value(inv.arguments),
            handle: inv.handle.unwrap(),
        },
        Event::Cancel(handle) => Seen::Cancel(handle),
        Event::UploadItem { stream, item } => Seen::UploadItem(stream, Payload::from_value(item)),
        Event::UploadEnd { stream, error } => Seen::UploadEnd(stream, error.map(|e| e.to_string())),
        Event::Completion { outcome, .. } => Seen::Completion(match outcome {
            Outcome::Result(v) => format!("result {}", Payload::from_value(v)),
            Outcome::Void => "void".into(),
            Outcome::Error(e) => format!("error {e}"),
        }),
        Event::Closed { .. } => Seen::Closed,
        Event::Failed(f) => Seen::Failed(f.to_string()),
        _ => Seen::Other,
    }
}

/// A server stream in progress: the next number, the end, the pace.
struct Counting {
    handle: InvocationHandle,
    next: i64,
    end: i64,
    every: Duration,
    due: TokioInstant,
}

/// One client's connection on the server, across its WebSockets.
async fn session(
    mut sockets: mpsc::UnboundedReceiver<Ws>,
    options: ServerOptions,
    stateful: bool,
    log: mpsc::UnboundedSender<String>,
) {
    let start = TokioInstant::now();
    let now = || signalr_codec_connection::Instant::from_millis(start.elapsed().as_millis() as u64);
    let config = Config::server()
        .with_keep_alive_interval(options.keep_alive)
        .with_stateful_reconnect(stateful)
        .with_ack_interval(Duration::from_millis(50));
    let protocols = if options.json_only { &AnyProtocol::all()[..1] } else { &AnyProtocol::all()[..] };
    let mut conn = Connection::server(protocols.iter().copied(), config, now());
    let mut ws = sockets.recv().await;
    if options.mute {
        // Hold the socket open and say nothing.
        tokio::time::sleep(LIMIT).await;
        return;
    }
    let mut counting: Vec<Counting> = Vec::new();
    let mut sums: HashMap<StreamHandle, (InvocationHandle, i64)> = HashMap::new();
    let mut after_reconnect: Vec<(InvocationHandle, i64)> = Vec::new();
    let mut pings = 0;
    loop {
        // Send what the connection wrote.
        if let Some(socket) = ws.as_mut() {
            while let Some(t) = conn.poll_transmit() {
                let message = match t.format {
                    TransferFormat::Text => Message::text(String::from_utf8(t.bytes.to_vec()).unwrap()),
                    TransferFormat::Binary => Message::binary(t.bytes.to_vec()),
                };
                if socket.send(message).await.is_err() {
                    break;
                }
            }
        }
        if conn.is_closed() {
            let _ = log.send("server closed".into());
            return;
        }
        let deadline = conn.poll_timeout().map(|at| start + Duration::from_millis(at.as_millis()));
        let tick = counting.iter().map(|c| c.due).min();
        let wake = [deadline, tick].into_iter().flatten().min();
        let mut drop_socket = false;
        tokio::select! {
            received = async { ws.as_mut().unwrap().next().await }, if ws.is_some() => match received {
                Some(Ok(Message::Text(text))) => feed(&mut conn, now(), text.as_bytes()),
                Some(Ok(Message::Binary(bytes))) => feed(&mut conn, now(), &bytes),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    ws = None;
                    conn.transport_lost(now());
                    let _ = log.send(format!("transport lost, state {:?}", conn.state()));
                }
            },
            socket = sockets.recv(), if ws.is_none() && conn.state() == State::Detached => {
                ws = socket;
                conn.attach_transport(now());
                let _ = log.send("attached".into());
                for (handle, value) in after_reconnect.drain(..) {
                    conn.complete(handle, Serialized(value)).unwrap();
                }
            }
            () = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            } => conn.handle_timeout(now()),
        }
        // Stream items that are due.
        let t = TokioInstant::now();
        counting.retain_mut(|c| {
            if c.due > t {
                return true;
            }
            if c.next == c.end {
                conn.complete_void(c.handle).unwrap();
                return false;
            }
            conn.stream_item(c.handle, Serialized(c.next)).unwrap();
            c.next += 1;
            c.due = t + c.every;
            true
        });
        loop {
            let seen = match conn.poll_event() {
                Some(event) => own(event),
                None => break,
            };
            match seen {
                Seen::Connected(stateful) => {
                    let _ = log.send(format!("connected stateful={stateful}"));
                }
                Seen::Invocation { target, args, handle, uploads } => {
                    let _ = log.send(format!("invocation {target} {args}"));
                    match target.as_str() {
                        "Add" => {
                            let (a, b): (i64, i64) = args.bind().unwrap();
                            conn.complete(handle.unwrap(), Serialized(a + b)).unwrap();
                        }
                        "Echo" => {
                            let (text,): (String,) = args.bind().unwrap();
                            conn.complete(handle.unwrap(), Serialized(text)).unwrap();
                        }
                        "Void" => conn.complete_void(handle.unwrap()).unwrap(),
                        "Fail" => conn
                            .complete_error(
                                handle.unwrap(),
                                "An unexpected error occurred invoking 'Fail' on the server. HubException: boom",
                            )
                            .unwrap(),
                        "Notify" => {
                            let (text,): (String,) = args.bind().unwrap();
                            conn.send("Notified", Serialized((text,))).unwrap();
                        }
                        "AskClient" => {
                            conn.invoke("GetValue", Serialized((7,))).unwrap();
                            conn.complete_void(handle.unwrap()).unwrap();
                        }
                        "Sum" => {
                            sums.insert(uploads[0], (handle.unwrap(), 0));
                        }
                        "SumRefused" => {
                            // Answered at once; the upload goes on until the client ends it.
                            conn.complete_error(handle.unwrap(), "refused").unwrap();
                        }
                        "DropMe" => {
                            let (value,): (i64,) = args.bind().unwrap();
                            after_reconnect.push((handle.unwrap(), value));
                            drop_socket = true;
                        }
                        "CloseWithError" => conn.close(Some("bye"), false).unwrap(),
                        _ => {}
                    }
                }
                Seen::StreamInvocation { target, args, handle } if target == "Burst" => {
                    // Every item and the end in one transmit, so one WebSocket message far
                    // larger than the client connection's 64 KiB receive buffer.
                    let (n,): (i64,) = args.bind().unwrap();
                    for i in 0..n {
                        conn.stream_item(handle, Serialized(i)).unwrap();
                    }
                    conn.complete_void(handle).unwrap();
                }
                Seen::StreamInvocation { target, handle, .. } if target == "Broken" => {
                    let text = "An error occurred on the server while streaming results. HubException: broken";
                    conn.complete_error(handle, text).unwrap();
                }
                Seen::StreamInvocation { target, args, handle } => {
                    let _ = log.send(format!("stream {target} {args}"));
                    let (end, every): (i64, u64) = args.bind().unwrap();
                    let every = Duration::from_millis(every);
                    counting.push(Counting { handle, next: 0, end, every, due: TokioInstant::now() });
                }
                Seen::Cancel(handle) => {
                    let _ = log.send("cancel".into());
                    counting.retain(|c| c.handle != handle);
                    conn.complete_void(handle).unwrap();
                }
                Seen::UploadItem(stream, item) => {
                    let value: i64 = item.deserialize().unwrap();
                    let _ = log.send(format!("upload item {value}"));
                    if let Some(sum) = sums.get_mut(&stream) {
                        sum.1 += value;
                    }
                    conn.release_upload_items(stream, 1);
                }
                Seen::UploadEnd(stream, error) => {
                    let _ = log.send(format!("upload end {error:?}"));
                    if let Some((handle, sum)) = sums.remove(&stream) {
                        conn.complete(handle, Serialized(sum)).unwrap();
                    }
                }
                Seen::Completion(text) => {
                    let _ = log.send(format!("completion {text}"));
                }
                Seen::Closed => {
                    let _ = log.send("client closed".into());
                }
                Seen::Failed(text) => {
                    let _ = log.send(format!("failed {text}"));
                }
                Seen::Other => {}
            }
        }
        let received = conn.stats().pings_received;
        if received > pings {
            pings = received;
            let _ = log.send(format!("pings {pings}"));
        }
        if drop_socket {
            // Send what is pending (nothing answers the call yet), then cut the socket.
            ws = None;
            conn.transport_lost(now());
            let _ = log.send(format!("dropped socket, state {:?}", conn.state()));
        }
    }
}

fn feed(conn: &mut Connection<AnyProtocol>, now: signalr_codec_connection::Instant, data: &[u8]) {
    // The server connection takes everything here: its receive window is far above what
    // these tests send between two polls.
    assert_eq!(conn.handle_input(now, data), data.len());
}

fn protocols() -> [ClientOptions; 2] {
    [ClientOptions::json(), ClientOptions::messagepack()]
}

async fn bounded<T>(what: impl std::future::Future<Output = T>) -> T {
    timeout(LIMIT, what).await.expect("the test finished in time")
}

#[tokio::test]
async fn connects_invokes_and_fails_in_both_protocols() {
    bounded(async {
        for options in protocols() {
            let name = options.protocol;
            let mut server = Server::start(ServerOptions::default()).await;
            let client = Client::connect(&server.url, options).await.unwrap();
            assert_eq!(server.seen("negotiate").await, "negotiate /hub/negotiate?negotiateVersion=1");
            // The token is percent-encoded in the `id` query parameter.
            assert_eq!(server.seen("socket").await, "socket /hub?id=tok%201");
            assert_eq!(server.seen("connected").await, "connected stateful=false");
            assert_eq!(client.connection_id(), Some("conn-1"));
            assert_eq!(client.handshake().protocol, signalr_codec_core::HubProtocol::name(&name));
            assert!(!client.handshake().stateful_reconnect);

            let sum: i64 = client.invoke("Add", (2, 3)).await.unwrap();
            assert_eq!(sum, 5);
            let echo: String = client.invoke("Echo", ("hé",)).await.unwrap();
            assert_eq!(echo, "hé");
            let () = client.invoke("Void", ()).await.unwrap();
            let nothing: Option<i64> = client.invoke("Void", ()).await.unwrap();
            assert_eq!(nothing, None);
            let e = client.invoke::<i64>("Fail", ()).await.unwrap_err();
            assert_eq!(
                e,
                ClientError::Hub(
                    "An unexpected error occurred invoking 'Fail' on the server. HubException: boom".into()
                )
            );
            let e = client.invoke::<i64>("Echo", ("not a number",)).await.unwrap_err();
            assert!(matches!(e, ClientError::Deserialize(_)), "{e:?}");
            // Several calls in flight at once are matched to their completions.
            let (a, b, c) = tokio::join!(
                client.invoke::<i64>("Add", (1, 1)),
                client.invoke::<i64>("Add", (2, 2)),
                client.invoke::<String>("Echo", ("x",))
            );
            assert_eq!((a.unwrap(), b.unwrap(), c.unwrap().as_str()), (2, 4, "x"));

            client.close().await;
            assert_eq!(client.closed().await, None);
            assert_eq!(server.seen("client closed").await, "client closed");
            let e = client.invoke::<i64>("Add", (1, 2)).await.unwrap_err();
            assert_eq!(e, ClientError::Closed(CONNECTION_CLOSED.into()));
        }
    })
    .await;
}

#[tokio::test]
async fn arguments_serialize_as_an_array() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions::default()).await;
            let client = Client::connect(&server.url, options).await.unwrap();
            client.send("Nothing", ()).await.unwrap();
            let line = server.seen("invocation Nothing").await;
            // `()` is an empty array in either protocol (MessagePack shows as hex).
            assert!(line == "invocation Nothing []" || line == "invocation Nothing 90", "{line}");
            let e = client.send("Nothing", 5).await.unwrap_err();
            assert!(matches!(e, ClientError::Serialize(_)), "{e:?}");
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn send_reaches_the_server_and_the_server_calls_a_handler() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions::default()).await;
            let client = Client::connect(&server.url, options).await.unwrap();
            let (tx, mut rx) = mpsc::unbounded_channel();
            // Handler names match case-insensitively.
            client.on("notified", move |args| {
                let (text,): (String,) = args.bind().unwrap();
                tx.send(text).unwrap();
            });
            client.send("Notify", ("hello",)).await.unwrap();
            assert!(server.seen("invocation Notify").await.starts_with("invocation Notify"));
            assert_eq!(rx.recv().await.unwrap(), "hello");

            // A call that expects a result gets the JS client's error without a result handler,
            // and the handler's value with one.
            client.invoke::<()>("AskClient", ()).await.unwrap();
            assert_eq!(server.seen("completion").await, format!("completion error {NO_RESULT}"));
            client.on_with_result("GetValue", |args| {
                let (n,): (i64,) = args.bind().map_err(|e| e.to_string())?;
                Ok(n * 6)
            });
            client.invoke::<()>("AskClient", ()).await.unwrap();
            let line = server.seen("completion").await;
            assert!(line == "completion result 42" || line == "completion result 2a", "{line}");
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn streams_items_and_cancels_on_drop() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions::default()).await;
            let client = Client::connect(&server.url, options.clone()).await.unwrap();
            let items: Vec<i64> = client.stream::<i64>("Counter", (4, 1)).map(Result::unwrap).collect().await;
            assert_eq!(items, [0, 1, 2, 3]);

            // Two items of a slow stream, then drop it: the server sees CancelInvocation.
            let mut slow = client.stream::<i64>("Counter", (1000, 20));
            assert_eq!(slow.next().await.unwrap().unwrap(), 0);
            assert_eq!(slow.next().await.unwrap().unwrap(), 1);
            drop(slow);
            assert_eq!(server.seen("cancel").await, "cancel");
            // Far more than the receive window in one WebSocket message: with a small message
            // limit the window is the connection's 64 KiB buffer, so the connection takes the
            // message in parts, events polled in between.
            let small =
                Client::connect(&server.url, options.clone().with_maximum_receive_message_size(4096)).await.unwrap();
            let burst: Vec<i64> = small.stream::<i64>("Burst", (20_000,)).map(Result::unwrap).collect().await;
            assert_eq!(burst, (0..20_000).collect::<Vec<_>>());
            small.close().await;
            // A stream that fails: its error, then its end.
            let mut broken = client.stream::<i64>("Broken", ());
            let text = "An error occurred on the server while streaming results. HubException: broken";
            assert_eq!(broken.next().await.unwrap().unwrap_err(), ClientError::Hub(text.into()));
            assert!(broken.next().await.is_none());
            // The connection goes on.
            assert_eq!(client.invoke::<i64>("Add", (1, 2)).await.unwrap(), 3);
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn uploads_a_stream() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions::default()).await;
            let client = Client::connect(&server.url, options).await.unwrap();
            let items = futures_util::stream::iter(1..=10i64);
            let sum: i64 = client.invoke_with_upload("Sum", (), items).await.unwrap();
            assert_eq!(sum, 55);
            assert_eq!(server.seen("upload item 10").await, "upload item 10");
            assert_eq!(server.seen("upload end").await, "upload end None");
            // An empty upload completes too.
            let sum: i64 = client.invoke_with_upload("Sum", (), futures_util::stream::empty::<i64>()).await.unwrap();
            assert_eq!(sum, 0);
            assert_eq!(server.seen("upload end").await, "upload end None");
            // The server answers before the upload ends: the answer is the result, and the
            // upload is ended with the client's cancellation text.
            let endless = futures_util::stream::iter(0i64..).then(|i| async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                i
            });
            let e = client.invoke_with_upload::<i64, _, _>("SumRefused", (), endless).await.unwrap_err();
            assert_eq!(e, ClientError::Hub("refused".into()));
            assert_eq!(server.seen("upload end").await, format!("upload end Some({UPLOAD_CANCELED:?})"));
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn sends_keep_alive_pings() {
    bounded(async {
        let mut server = Server::start(ServerOptions::default()).await;
        let options = ClientOptions::json().with_keep_alive_interval(Duration::from_millis(50));
        let client = Client::connect(&server.url, options).await.unwrap();
        // The Ping right after the handshake, then one per interval of silence.
        assert_eq!(server.seen("pings 1").await, "pings 1");
        assert_eq!(server.seen("pings 3").await, "pings 3");
        assert!(client.stats().pings_sent >= 2);
        client.close().await;
    })
    .await;
}

#[tokio::test]
async fn fails_when_the_server_is_silent() {
    bounded(async {
        let server = Server::start(ServerOptions::default()).await;
        let options = ClientOptions::messagepack().with_server_timeout(Duration::from_millis(300));
        let client = Client::connect(&server.url, options).await.unwrap();
        let started = TokioInstant::now();
        let pending = client.invoke::<i64>("Silent", ());
        let text = "Server timeout elapsed without receiving a message from the server.";
        assert_eq!(pending.await.unwrap_err(), ClientError::Closed(text.into()));
        assert_eq!(client.closed().await.as_deref(), Some(text));
        assert!(started.elapsed() >= Duration::from_millis(250));
        assert!(client.is_closed());
    })
    .await;
}

#[tokio::test]
async fn the_server_keeps_a_quiet_client_alive() {
    bounded(async {
        let server = Server::start(ServerOptions { keep_alive: Duration::from_millis(50), ..Default::default() }).await;
        let options = ClientOptions::json().with_server_timeout(Duration::from_millis(300));
        let client = Client::connect(&server.url, options).await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert!(!client.is_closed());
        assert!(client.stats().pings_received >= 5);
        client.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_close_with_error_fails_pending_calls() {
    bounded(async {
        let server = Server::start(ServerOptions::default()).await;
        let client = Client::connect(&server.url, ClientOptions::json()).await.unwrap();
        let e = client.invoke::<()>("CloseWithError", ()).await.unwrap_err();
        assert_eq!(e, ClientError::Closed("Server returned an error on close: bye".into()));
        assert_eq!(client.closed().await.as_deref(), Some("Server returned an error on close: bye"));
    })
    .await;
}

#[tokio::test]
async fn a_lost_transport_without_stateful_reconnect_fails_pending_calls() {
    bounded(async {
        let mut server = Server::start(ServerOptions::default()).await;
        let client = Client::connect(&server.url, ClientOptions::json()).await.unwrap();
        let e = client.invoke::<i64>("DropMe", (1,)).await.unwrap_err();
        assert_eq!(e, ClientError::Closed(CONNECTION_CLOSED.into()));
        assert_eq!(server.seen("dropped socket").await, "dropped socket, state Closed");
        assert!(client.closed().await.is_some());
    })
    .await;
}

#[tokio::test]
async fn reconnects_statefully_and_the_completion_arrives() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions { stateful: true, ..Default::default() }).await;
            let options = options.with_stateful_reconnect(true).with_reconnect(5, Duration::from_millis(50));
            let client = Client::connect(&server.url, options).await.unwrap();
            assert_eq!(
                server.seen("negotiate").await,
                "negotiate /hub/negotiate?negotiateVersion=1&useStatefulReconnect=true"
            );
            assert_eq!(server.seen("connected").await, "connected stateful=true");
            assert!(client.handshake().stateful_reconnect);
            assert_eq!(client.invoke::<i64>("Add", (1, 2)).await.unwrap(), 3);

            // The server cuts the socket mid-call; the client reconnects with the same id and
            // the completion comes on the new socket.
            let value: i64 = client.invoke("DropMe", (42,)).await.unwrap();
            assert_eq!(value, 42);
            assert_eq!(server.seen("dropped socket").await, "dropped socket, state Detached");
            assert_eq!(server.seen("socket").await, "socket /hub?id=tok%201");
            assert_eq!(server.seen("attached").await, "attached");
            assert_eq!(client.stats().resumed, 1);
            // And the connection goes on.
            assert_eq!(client.invoke::<String>("Echo", ("again",)).await.unwrap(), "again");
            client.close().await;
            assert_eq!(client.closed().await, None);
        }
    })
    .await;
}

#[tokio::test]
async fn calls_made_while_reconnecting_are_replayed() {
    bounded(async {
        for options in protocols() {
            let reconnect_delay = Duration::from_millis(300);
            let mut server =
                Server::start(ServerOptions { stateful: true, reconnect_delay, ..Default::default() }).await;
            let options = options.with_stateful_reconnect(true).with_reconnect(5, Duration::from_millis(50));
            let client = Client::connect(&server.url, options).await.unwrap();
            let dropped = tokio::spawn({
                let client = client.clone();
                async move { client.invoke::<i64>("DropMe", (42,)).await }
            });
            assert_eq!(server.seen("dropped socket").await, "dropped socket, state Detached");
            // The new socket is held back for a while: these go to the replay buffer first.
            let (sum, echo) =
                tokio::join!(client.invoke::<i64>("Add", (5, 6)), client.invoke::<String>("Echo", ("kept",)));
            assert_eq!((sum.unwrap(), echo.unwrap().as_str()), (11, "kept"));
            assert_eq!(dropped.await.unwrap().unwrap(), 42);
            assert_eq!(server.seen("attached").await, "attached");
            let line = server.seen("invocation").await;
            assert!(line.starts_with("invocation Add") || line.starts_with("invocation Echo"), "{line}");
            assert_eq!(client.stats().resumed, 1);
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn stateful_reconnect_needs_the_server_to_agree() {
    bounded(async {
        let mut server = Server::start(ServerOptions::default()).await;
        let options = ClientOptions::json().with_stateful_reconnect(true);
        let client = Client::connect(&server.url, options).await.unwrap();
        assert_eq!(server.seen("connected").await, "connected stateful=false");
        assert!(!client.handshake().stateful_reconnect);
        client.close().await;
    })
    .await;
}

#[tokio::test]
async fn skips_negotiation() {
    bounded(async {
        for options in protocols() {
            let mut server = Server::start(ServerOptions::default()).await;
            let url = server.url.replace("http://", "ws://");
            let client = Client::connect(&url, options.with_skip_negotiation(true)).await.unwrap();
            assert_eq!(server.seen("socket").await, "socket /hub");
            assert_eq!(client.connection_id(), None);
            assert_eq!(client.invoke::<i64>("Add", (20, 22)).await.unwrap(), 42);
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn connect_errors() {
    bounded(async {
        let e = Client::connect("ftp://example/hub", ClientOptions::json()).await.unwrap_err();
        assert!(matches!(e, ClientError::InvalidUrl(_)), "{e:?}");
        // Nothing listens on a port that was just freed.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        drop(listener);
        let e = Client::connect(&url, ClientOptions::json()).await.unwrap_err();
        assert!(matches!(&e, ClientError::Negotiate(t) if t.starts_with("Failed to complete negotiation")), "{e:?}");
        // A server that takes the connection and never answers the upgrade.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}/hub", listener.local_addr().unwrap());
        let held = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            tokio::time::sleep(LIMIT).await;
            drop(tcp);
        });
        let options =
            ClientOptions::json().with_skip_negotiation(true).with_handshake_timeout(Duration::from_millis(300));
        let e = Client::connect(&url, options).await.unwrap_err();
        assert_eq!(e, ClientError::Transport("The WebSocket did not open within 0.3 seconds.".into()));
        held.abort();
    })
    .await;
}

#[tokio::test]
async fn handshake_refusal_and_timeout() {
    bounded(async {
        let server = Server::start(ServerOptions { json_only: true, ..Default::default() }).await;
        let e = Client::connect(&server.url, ClientOptions::messagepack()).await.unwrap_err();
        let refused = "Server returned handshake error: The protocol 'messagepack' is not supported.";
        assert_eq!(e, ClientError::Handshake(refused.into()));

        let server = Server::start(ServerOptions { mute: true, ..Default::default() }).await;
        let options = ClientOptions::json().with_handshake_timeout(Duration::from_secs(1));
        let e = Client::connect(&server.url, options).await.unwrap_err();
        assert_eq!(e, ClientError::Handshake("The handshake timed out after 1 seconds.".into()));
    })
    .await;
}

#[tokio::test]
async fn follows_a_negotiate_redirect_with_its_access_token() {
    bounded(async {
        let mut server = Server::start(ServerOptions { redirect: true, ..Default::default() }).await;
        let client = Client::connect(&server.url, ClientOptions::json()).await.unwrap();
        assert_eq!(server.seen("negotiate").await, "negotiate /hub/negotiate?negotiateVersion=1");
        assert_eq!(server.seen("negotiate").await, "negotiate /other/negotiate?negotiateVersion=1");
        assert_eq!(server.seen("authorization").await, "authorization Bearer secret");
        // The WebSocket goes to the redirect's URL, with the token.
        assert_eq!(server.seen("authorization").await, "authorization Bearer secret");
        assert_eq!(server.seen("socket").await, "socket /other?id=tok%202");
        assert_eq!(client.invoke::<i64>("Add", (1, 2)).await.unwrap(), 3);
        client.close().await;
    })
    .await;
}

#[tokio::test]
async fn sends_wait_for_acks_when_the_replay_buffer_is_full() {
    bounded(async {
        let mut server = Server::start(ServerOptions { stateful: true, ..Default::default() }).await;
        // A budget of one byte: every counted message after the first waits for an Ack.
        let options = ClientOptions::messagepack().with_stateful_reconnect(true).with_stateful_reconnect_buffer_size(1);
        let client = Client::connect(&server.url, options).await.unwrap();
        assert!(client.handshake().stateful_reconnect);
        let calls: Vec<_> = (0..5i64).map(|i| client.invoke::<i64>("Add", (i, 100))).collect();
        let results = futures_util::future::join_all(calls).await;
        let results: Vec<i64> = results.into_iter().map(Result::unwrap).collect();
        assert_eq!(results, [100, 101, 102, 103, 104]);
        // They went out one Ack at a time, in order.
        for i in 0..5 {
            assert_eq!(server.seen("invocation Add").await, format!("invocation Add {}", msgpack_pair(i, 100)));
        }
        client.send("Nothing", ()).await.unwrap();
        assert_eq!(server.seen("invocation Nothing").await, "invocation Nothing 90");
        client.close().await;
    })
    .await;
}

/// `[a, b]` of two small integers in MessagePack, as hex.
fn msgpack_pair(a: u8, b: u8) -> String {
    format!("92{a:02x}{b:02x}")
}

#[tokio::test]
async fn dropping_every_handle_closes_the_connection() {
    bounded(async {
        let mut server = Server::start(ServerOptions::default()).await;
        let client = Client::connect(&server.url, ClientOptions::json()).await.unwrap();
        let other = client.clone();
        drop(client);
        assert_eq!(other.invoke::<i64>("Add", (1, 2)).await.unwrap(), 3);
        drop(other);
        assert_eq!(server.seen("client closed").await, "client closed");
    })
    .await;
}
