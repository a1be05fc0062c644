//! The hub server: an axum router serving `POST {path}/negotiate` and the WebSocket endpoint,
//! with hub methods registered by name.
//!
//! Each WebSocket connection is one task that owns a sans-IO
//! [`Connection`] and feeds it the socket's bytes, the
//! clock and the hub methods' results; every protocol rule (handshake, keep-alive, timeouts,
//! stream bookkeeping, stateful reconnect) is the connection's. Hub methods run on tasks of
//! their own and answer through a channel.
//!
//! ```no_run
//! use signalr_codec_tokio::{Hub, HubError, HubOptions};
//!
//! # async fn run() -> std::io::Result<()> {
//! let hub = Hub::new(HubOptions::default())
//!     .method("Add", |_ctx, (a, b): (i64, i64)| async move { Ok::<_, HubError>(a + b) })
//!     .method("Echo", |_ctx, (text,): (String,)| async move { Ok::<_, HubError>(text) });
//! let app = axum::Router::new().nest("/hub", hub.router());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:5000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State as AxumState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::stream::{BoxStream, Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use signalr_codec_connection::{AnyProtocol, Connection, Event, InvocationHandle, SendError, State, StreamHandle};
use signalr_codec_core::negotiate::{AvailableTransport, NegotiateResponse};
use signalr_codec_core::{Error, TransferFormat};
use signalr_codec_msgpack::FromArguments;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

use crate::clock::Clock;
use crate::error::HubError;
use crate::options::HubOptions;
use crate::payload::Payload;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Why a hub method produced no result.
enum Failure {
    /// The arguments did not bind: `Failed to invoke '{target}' due to an error on the server.`
    Binding(Error),
    /// The method failed: `An unexpected error occurred invoking '{target}' on the server.
    /// HubException: {message}`.
    Hub(HubError),
    /// The result could not be serialized.
    Serialize(Error),
}

type CallFn = dyn Fn(Context, Payload) -> BoxFuture<Result<Payload, Failure>> + Send + Sync;
type StreamFn = dyn Fn(Context, Payload) -> Result<BoxStream<'static, Result<Payload, Failure>>, Failure> + Send + Sync;
type UploadFn = dyn Fn(Context, Payload, UploadStream<Payload>) -> BoxFuture<Result<Payload, Failure>> + Send + Sync;

#[derive(Clone)]
enum Method {
    Call(Arc<CallFn>),
    Stream(Arc<StreamFn>),
    Upload(Arc<UploadFn>),
}

/// A hub: methods by name, the options, and the connections it serves.
///
/// Method names match case-insensitively, as .NET's hub dispatcher matches them. Arguments
/// bind from the invocation's argument array to a tuple (`(String,)`, `(i64, i64)`, `()`);
/// arity and type mismatches are answered with .NET's texts and leave the connection open.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<HubInner>,
}

struct HubInner {
    methods: HashMap<String, Method>,
    options: HubOptions,
    connections: Mutex<HashMap<String, Registered>>,
    next_id: AtomicU64,
}

/// A connection the hub knows: negotiated (no socket yet) or running.
struct Registered {
    connection_id: String,
    stateful: bool,
    running: Option<Running>,
}

struct Running {
    commands: mpsc::Sender<Command>,
    sockets: mpsc::UnboundedSender<WebSocket>,
    protocol: Arc<Mutex<Option<AnyProtocol>>>,
}

/// What hub methods and contexts ask a connection's task to do.
enum Command {
    Complete { handle: InvocationHandle, result: Result<Option<Payload>, String> },
    StreamItem { handle: InvocationHandle, item: Payload },
    Send { target: String, arguments: Payload },
    Close { error: Option<String> },
    DropTransport,
    Release(StreamHandle),
    Stats(oneshot::Sender<ConnectionStats>),
    StreamDone(InvocationHandle),
}

/// What a connection's state machine knows about it, for monitoring and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConnectionStats {
    /// `json` or `messagepack`.
    pub protocol: &'static str,
    /// The version the client's handshake asked for.
    pub handshake_version: i32,
    /// Stateful reconnect is on.
    pub stateful: bool,
    /// Keep-alive Pings sent.
    pub pings_sent: u64,
    /// Pings received.
    pub pings_received: u64,
    /// Transports resumed after a drop.
    pub reattached: u64,
    /// Messages sent and not yet acknowledged by the client.
    pub server_unacked: u64,
}

/// What a hub method knows of its connection, and what it can do with it.
#[derive(Clone)]
pub struct Context {
    shared: Arc<ConnectionShared>,
    hub: Arc<HubInner>,
}

struct ConnectionShared {
    connection_id: String,
    protocol: AnyProtocol,
    commands: mpsc::Sender<Command>,
}

impl Context {
    /// The connection's public id (the negotiate response's `connectionId`).
    pub fn connection_id(&self) -> &str {
        &self.shared.connection_id
    }

    /// The hub protocol the client chose.
    pub fn protocol(&self) -> AnyProtocol {
        self.shared.protocol
    }

    /// Calls `method` on this connection's client (a non-blocking invocation).
    pub async fn send_caller<A: Serialize + ?Sized>(&self, method: &str, arguments: &A) -> Result<(), Error> {
        let arguments = Payload::arguments(&self.shared.protocol, arguments)?;
        let _ = self.shared.commands.send(Command::Send { target: method.to_owned(), arguments }).await;
        Ok(())
    }

    /// Calls `method` on every connected client.
    pub async fn send_all<A: Serialize + ?Sized>(&self, method: &str, arguments: &A) -> Result<(), Error> {
        let [json, msgpack] = self.hub.options.protocols();
        let as_json = Payload::arguments(&json, arguments)?;
        let as_msgpack = Payload::arguments(&msgpack, arguments)?;
        let targets: Vec<_> = {
            let connections = self.hub.connections.lock().expect("the registry lock is never poisoned");
            connections
                .values()
                .filter_map(|c| c.running.as_ref())
                .filter_map(|r| {
                    let protocol = *r.protocol.lock().expect("never poisoned");
                    protocol.map(|p| (r.commands.clone(), p))
                })
                .collect()
        };
        for (commands, protocol) in targets {
            let arguments = match protocol {
                AnyProtocol::Json(_) => as_json.clone(),
                AnyProtocol::MessagePack(_) => as_msgpack.clone(),
            };
            let _ = commands.send(Command::Send { target: method.to_owned(), arguments }).await;
        }
        Ok(())
    }

    /// Closes the connection with a Close message carrying `error` (the JS client reports
    /// `Server returned an error on close: {error}`).
    pub async fn close(&self, error: Option<String>) {
        let _ = self.shared.commands.send(Command::Close { error }).await;
    }

    /// Drops the transport without a Close, as a network failure would. With stateful
    /// reconnect the connection waits for the client to reconnect, keeping what it sends.
    pub async fn abort_transport(&self) {
        let _ = self.shared.commands.send(Command::DropTransport).await;
    }

    /// The connection's counters.
    pub async fn stats(&self) -> ConnectionStats {
        let (tx, rx) = oneshot::channel();
        let _ = self.shared.commands.send(Command::Stats(tx)).await;
        rx.await.unwrap_or_default()
    }
}

/// The items of a client's upload stream, bound to `T` as they arrive.
///
/// Taking an item frees room in the connection's upload buffer (`StreamBufferCapacity`); the
/// stream ends when the client completes it (an error ends it with `Err`).
pub struct UploadStream<T> {
    items: mpsc::UnboundedReceiver<Result<Payload, String>>,
    handle: StreamHandle,
    commands: mpsc::Sender<Command>,
    _item: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for UploadStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadStream").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> UploadStream<T> {
    /// The next item: `None` at the end, `Err` when the client failed the stream or an item
    /// does not bind to `T`.
    pub async fn next(&mut self) -> Option<Result<T, HubError>> {
        let item = self.items.recv().await?;
        let _ = self.commands.send(Command::Release(self.handle)).await;
        Some(match item {
            Ok(payload) => payload.deserialize().map_err(|e| HubError::new(e.message().to_string())),
            Err(error) => Err(HubError::new(error)),
        })
    }
}

impl<T> UploadStream<T> {
    fn retype<U>(self) -> UploadStream<U> {
        UploadStream {
            items: self.items,
            handle: self.handle,
            commands: self.commands,
            _item: std::marker::PhantomData,
        }
    }
}

fn binding<A: DeserializeOwned + for<'a> FromArguments<'a>>(arguments: &Payload) -> Result<A, Failure> {
    arguments.bind().map_err(Failure::Binding)
}

impl Hub {
    /// An empty hub with these options.
    pub fn new(options: HubOptions) -> Self {
        Hub {
            inner: Arc::new(HubInner {
                methods: HashMap::new(),
                options,
                connections: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    fn add(mut self, name: &str, method: Method) -> Self {
        Arc::get_mut(&mut self.inner)
            .expect("methods are registered before the hub serves")
            .methods
            .insert(name.to_lowercase(), method);
        self
    }

    /// Registers a method returning one value (or `()`): a blocking invocation gets it as its
    /// Completion; a `HubError` becomes .NET's error text.
    pub fn method<A, R, F, Fut>(self, name: &str, method: F) -> Self
    where
        A: DeserializeOwned + for<'a> FromArguments<'a> + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(Context, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HubError>> + Send + 'static,
    {
        let method = Arc::new(method);
        self.add(
            name,
            Method::Call(Arc::new(move |ctx: Context, arguments: Payload| {
                let method = method.clone();
                Box::pin(async move {
                    let args = binding::<A>(&arguments)?;
                    let protocol = ctx.protocol();
                    let result = method(ctx, args).await.map_err(Failure::Hub)?;
                    Payload::serialize(&protocol, &result).map_err(Failure::Serialize)
                })
            })),
        )
    }

    /// Registers a streaming method: each item goes out as a StreamItem, then a Completion; a
    /// CancelInvocation from the client drops the stream.
    pub fn stream<A, T, F, S>(self, name: &str, method: F) -> Self
    where
        A: DeserializeOwned + for<'a> FromArguments<'a> + Send + 'static,
        T: Serialize + Send + 'static,
        F: Fn(Context, A) -> S + Send + Sync + 'static,
        S: Stream<Item = Result<T, HubError>> + Send + 'static,
    {
        self.add(
            name,
            Method::Stream(Arc::new(move |ctx: Context, arguments: Payload| {
                let args = binding::<A>(&arguments)?;
                let protocol = ctx.protocol();
                let items = method(ctx, args).map(move |item| match item {
                    Ok(value) => Payload::serialize(&protocol, &value).map_err(Failure::Serialize),
                    Err(e) => Err(Failure::Hub(e)),
                });
                Ok(items.boxed())
            })),
        )
    }

    /// Registers a method taking one upload stream from the client (its last parameter in
    /// .NET terms), with its items bound to `T`.
    pub fn upload<A, T, R, F, Fut>(self, name: &str, method: F) -> Self
    where
        A: DeserializeOwned + for<'a> FromArguments<'a> + Send + 'static,
        T: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(Context, A, UploadStream<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, HubError>> + Send + 'static,
    {
        let method = Arc::new(method);
        self.add(
            name,
            Method::Upload(Arc::new(move |ctx: Context, arguments: Payload, items: UploadStream<Payload>| {
                let method = method.clone();
                Box::pin(async move {
                    let args = binding::<A>(&arguments)?;
                    let protocol = ctx.protocol();
                    let result = method(ctx, args, items.retype()).await.map_err(Failure::Hub)?;
                    Payload::serialize(&protocol, &result).map_err(Failure::Serialize)
                })
            })),
        )
    }

    /// The routes to nest at the hub's path: `POST /negotiate` and the WebSocket endpoint `/`.
    pub fn router(self) -> Router {
        Router::new().route("/", get(websocket)).route("/negotiate", post(negotiate)).with_state(self.inner)
    }

    /// Serves the hub at `path` on `listener` until the listener fails.
    pub async fn serve(self, listener: tokio::net::TcpListener, path: &str) -> std::io::Result<()> {
        axum::serve(listener, Router::new().nest(path, self.router())).await
    }
}

#[derive(Deserialize)]
struct NegotiateQuery {
    #[serde(rename = "negotiateVersion")]
    negotiate_version: Option<i32>,
    #[serde(rename = "useStatefulReconnect")]
    use_stateful_reconnect: Option<bool>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system has a random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn negotiate(AxumState(hub): AxumState<Arc<HubInner>>, Query(query): Query<NegotiateQuery>) -> Response {
    let version = query.negotiate_version.unwrap_or(0).clamp(0, 1);
    let stateful = hub.options.allow_stateful_reconnects && query.use_stateful_reconnect == Some(true);
    let connection_id = format!("{:x}-{}", hub.next_id.fetch_add(1, Ordering::Relaxed), random_token());
    // Version 0 has no token: the public id is the transport id.
    let token = if version >= 1 { random_token() } else { connection_id.clone() };
    hub.connections
        .lock()
        .expect("never poisoned")
        .insert(token.clone(), Registered { connection_id: connection_id.clone(), stateful, running: None });
    let response = NegotiateResponse::connection(
        version,
        connection_id.as_str(),
        token.as_str(),
        vec![AvailableTransport::web_sockets()],
    )
    .with_stateful_reconnect(stateful);
    ([(header::CONTENT_TYPE, "application/json")], response.to_vec()).into_response()
}

/// Bytes a WebSocket reads at a time.
const READ_BUFFER_SIZE: usize = 4 * 1024;

#[derive(Deserialize)]
struct SocketQuery {
    id: Option<String>,
}

async fn websocket(
    AxumState(hub): AxumState<Arc<HubInner>>,
    Query(query): Query<SocketQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // tungstenite reserves a 128 KiB read buffer per socket by default: 148 KiB of the server's
    // memory per idle connection was that buffer (benches/examples/hub_load.rs). Hub messages
    // are small; a read fills the buffer again as often as it needs.
    let upgrade = upgrade.read_buffer_size(READ_BUFFER_SIZE);
    let token = match query.id {
        Some(token) => token,
        None => {
            // No negotiate (the client skipped it): a new connection without stateful reconnect.
            let token = random_token();
            let connection_id = token.clone();
            hub.connections
                .lock()
                .expect("never poisoned")
                .insert(token.clone(), Registered { connection_id, stateful: false, running: None });
            token
        }
    };
    enum Next {
        Start { connection_id: String, stateful: bool },
        Resume(mpsc::UnboundedSender<WebSocket>),
    }
    let next = {
        let connections = hub.connections.lock().expect("never poisoned");
        match connections.get(&token) {
            None => return (StatusCode::NOT_FOUND, "No Connection with that ID").into_response(),
            Some(Registered { running: None, connection_id, stateful }) => {
                Next::Start { connection_id: connection_id.clone(), stateful: *stateful }
            }
            Some(Registered { running: Some(running), stateful: true, .. }) => Next::Resume(running.sockets.clone()),
            Some(Registered { running: Some(_), .. }) => {
                return (StatusCode::CONFLICT, "Connection ID is already in use").into_response()
            }
        }
    };
    match next {
        Next::Resume(sockets) => upgrade
            .on_upgrade(move |socket| async move {
                let _ = sockets.send(socket);
            })
            .into_response(),
        Next::Start { connection_id, stateful } => {
            let (commands, command_rx) = mpsc::channel(256);
            let (sockets, socket_rx) = mpsc::unbounded_channel();
            let protocol = Arc::new(Mutex::new(None));
            if let Some(entry) = hub.connections.lock().expect("never poisoned").get_mut(&token) {
                if entry.running.is_some() {
                    return (StatusCode::CONFLICT, "Connection ID is already in use").into_response();
                }
                entry.running = Some(Running { commands: commands.clone(), sockets, protocol: protocol.clone() });
            }
            let task =
                ConnectionTask::new(hub, token, connection_id, stateful, commands, command_rx, socket_rx, protocol);
            upgrade.on_upgrade(move |socket| task.run(socket)).into_response()
        }
    }
}

/// One connection: the state machine, its socket, and the hub methods running for it.
struct ConnectionTask {
    hub: Arc<HubInner>,
    token: String,
    connection_id: String,
    clock: Clock,
    conn: Connection<AnyProtocol>,
    socket: Option<WebSocket>,
    commands: mpsc::Sender<Command>,
    command_rx: mpsc::Receiver<Command>,
    socket_rx: mpsc::UnboundedReceiver<WebSocket>,
    protocol_slot: Arc<Mutex<Option<AnyProtocol>>>,
    context: Option<Context>,
    /// Input the connection did not take yet (it reads no more until events are handled).
    leftover: Vec<u8>,
    /// Actions refused for back-pressure, retried in order once the connection is writable.
    deferred: VecDeque<Command>,
    /// Running streams, stopped by CancelInvocation.
    streams: HashMap<InvocationHandle, AbortHandle>,
    /// Upload streams' item channels.
    uploads: HashMap<StreamHandle, mpsc::UnboundedSender<Result<Payload, String>>>,
}

impl ConnectionTask {
    #[allow(clippy::too_many_arguments)]
    fn new(
        hub: Arc<HubInner>,
        token: String,
        connection_id: String,
        stateful: bool,
        commands: mpsc::Sender<Command>,
        command_rx: mpsc::Receiver<Command>,
        socket_rx: mpsc::UnboundedReceiver<WebSocket>,
        protocol_slot: Arc<Mutex<Option<AnyProtocol>>>,
    ) -> Self {
        let clock = Clock::new();
        let conn = Connection::server(hub.options.protocols(), hub.options.config(stateful), clock.now());
        ConnectionTask {
            hub,
            token,
            connection_id,
            clock,
            conn,
            socket: None,
            commands,
            command_rx,
            socket_rx,
            protocol_slot,
            context: None,
            leftover: Vec::new(),
            deferred: VecDeque::new(),
            streams: HashMap::new(),
            uploads: HashMap::new(),
        }
    }

    async fn run(mut self, socket: WebSocket) {
        self.socket = Some(socket);
        loop {
            self.feed_leftover();
            self.handle_events();
            self.retry_deferred();
            self.flush().await;
            if self.conn.is_closed() {
                if let Some(mut socket) = self.socket.take() {
                    let _ = socket.send(Message::Close(None)).await;
                }
                break;
            }
            let deadline = self.conn.poll_timeout().map(|at| self.clock.deadline(at));
            let reading = self.socket.is_some() && self.leftover.is_empty();
            tokio::select! {
                message = next_message(&mut self.socket), if reading => match message {
                    Some(bytes) => {
                        let taken = self.conn.handle_input(self.clock.now(), &bytes);
                        self.leftover.extend_from_slice(&bytes[taken..]);
                    }
                    None => {
                        self.socket = None;
                        self.conn.transport_lost(self.clock.now());
                    }
                },
                command = self.command_rx.recv() => {
                    if let Some(command) = command {
                        self.apply(command);
                    }
                }
                socket = self.socket_rx.recv() => {
                    if let Some(socket) = socket {
                        if self.conn.state() == State::Detached {
                            self.socket = Some(socket);
                            self.conn.attach_transport(self.clock.now());
                        }
                    }
                }
                () = sleep_until(deadline) => self.conn.handle_timeout(self.clock.now()),
            }
        }
        for stream in self.streams.values() {
            stream.abort();
        }
        self.hub.connections.lock().expect("never poisoned").remove(&self.token);
    }

    fn feed_leftover(&mut self) {
        if !self.leftover.is_empty() {
            let taken = self.conn.handle_input(self.clock.now(), &self.leftover);
            self.leftover.drain(..taken);
        }
    }

    /// Sends everything the connection has to send; a failed send is a lost transport.
    async fn flush(&mut self) {
        while let Some(transmit) = self.conn.poll_transmit() {
            let message = match transmit.format {
                TransferFormat::Text => Message::Text(String::from_utf8_lossy(transmit.bytes).into_owned().into()),
                TransferFormat::Binary => Message::Binary(transmit.bytes.to_vec().into()),
            };
            let Some(socket) = &mut self.socket else {
                continue;
            };
            if socket.send(message).await.is_err() {
                self.socket = None;
                self.conn.transport_lost(self.clock.now());
            }
        }
    }

    fn handle_events(&mut self) {
        let mut replies = Vec::new();
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Connected(handshake) => {
                    let protocol = match handshake.protocol {
                        "json" => self.hub.options.protocols()[0],
                        _ => self.hub.options.protocols()[1],
                    };
                    *self.protocol_slot.lock().expect("never poisoned") = Some(protocol);
                    self.context = Some(Context {
                        shared: Arc::new(ConnectionShared {
                            connection_id: self.connection_id.clone(),
                            protocol,
                            commands: self.commands.clone(),
                        }),
                        hub: self.hub.clone(),
                    });
                }
                Event::Invocation(call) => {
                    let handle = call.handle;
                    let target = call.target.to_string();
                    let arguments = Payload::from_value(call.arguments);
                    let uploads: Vec<_> = call.uploads.iter().collect();
                    if let Some(reply) = self.invoke(handle, target, arguments, uploads, false) {
                        replies.push(reply);
                    }
                }
                Event::StreamInvocation(call) => {
                    let handle = call.handle;
                    let target = call.target.to_string();
                    let arguments = Payload::from_value(call.arguments);
                    let uploads: Vec<_> = call.uploads.iter().collect();
                    if let Some(reply) = self.invoke(handle, target, arguments, uploads, true) {
                        replies.push(reply);
                    }
                }
                Event::Cancel(handle) => {
                    if let Some(stream) = self.streams.remove(&handle) {
                        stream.abort();
                    }
                    replies.push(Command::Complete { handle, result: Ok(None) });
                }
                Event::UploadItem { stream, item } => {
                    let item = Payload::from_value(item);
                    match self.uploads.get(&stream) {
                        Some(items) if items.send(Ok(item)).is_ok() => {}
                        // Nobody reads this stream (no such method, or it returned): let the
                        // items flow past.
                        _ => replies.push(Command::Release(stream)),
                    }
                }
                Event::UploadEnd { stream, error } => {
                    if let (Some(items), Some(error)) = (self.uploads.get(&stream), error) {
                        let _ = items.send(Err(error.to_string()));
                    }
                    self.uploads.remove(&stream);
                }
                // Results of calls from the server to the client: not offered by this hub yet.
                Event::StreamItem { .. } | Event::Completion { .. } => {}
                Event::Resumed | Event::Writable => {}
                Event::Closed { .. } | Event::Failed(_) => {}
            }
        }
        for reply in replies {
            self.apply(reply);
        }
    }

    /// Starts a hub method; returns an immediate answer when there is no method to run.
    fn invoke(
        &mut self,
        handle: Option<InvocationHandle>,
        target: String,
        arguments: Payload,
        uploads: Vec<StreamHandle>,
        streaming: bool,
    ) -> Option<Command> {
        let ctx = self.context.clone()?;
        let detailed = self.hub.options.enable_detailed_errors;
        let fail = |text: String| handle.map(|handle| Command::Complete { handle, result: Err(text) });
        let Some(method) = self.hub.methods.get(&target.to_lowercase()).cloned() else {
            return fail(format!(
                "Failed to invoke '{target}' due to an error on the server. HubException: Method does not exist."
            ));
        };
        let expected_uploads = usize::from(matches!(method, Method::Upload(_)));
        if uploads.len() != expected_uploads {
            return fail(
                format!(
                    "Failed to invoke '{target}' due to an error on the server. {}",
                    if detailed {
                        format!(
                            "HubException: Client sent {} stream(s), Hub method expects {expected_uploads}.",
                            uploads.len()
                        )
                    } else {
                        String::new()
                    }
                )
                .trim_end()
                .to_owned(),
            );
        }
        let commands = self.commands.clone();
        let method_name = target.clone();
        let failure_text = move |failure: Failure, streaming: bool| match failure {
            Failure::Binding(e) => {
                let mut text = format!("Failed to invoke '{method_name}' due to an error on the server.");
                if detailed {
                    text.push_str(&format!(" InvalidDataException: {}", e.message()));
                }
                text
            }
            Failure::Hub(e) if streaming => format!("An error occurred on the server while streaming results. {e}"),
            Failure::Hub(e) => format!("An unexpected error occurred invoking '{method_name}' on the server. {e}"),
            Failure::Serialize(e) => {
                let mut text = format!("An unexpected error occurred invoking '{method_name}' on the server.");
                if detailed {
                    text.push_str(&format!(" InvalidDataException: {}", e.message()));
                }
                text
            }
        };
        match (method, streaming) {
            (Method::Call(method), false) => {
                tokio::spawn(async move {
                    let result = method(ctx, arguments).await;
                    if let Some(handle) = handle {
                        let result = result.map(Some).map_err(|f| failure_text(f, false));
                        let _ = commands.send(Command::Complete { handle, result }).await;
                    }
                });
                None
            }
            (Method::Upload(method), false) => {
                let (items_tx, items) = mpsc::unbounded_channel();
                self.uploads.insert(uploads[0], items_tx);
                let stream = UploadStream {
                    items,
                    handle: uploads[0],
                    commands: commands.clone(),
                    _item: std::marker::PhantomData,
                };
                tokio::spawn(async move {
                    let result = method(ctx, arguments, stream).await;
                    if let Some(handle) = handle {
                        let result = result.map(Some).map_err(|f| failure_text(f, false));
                        let _ = commands.send(Command::Complete { handle, result }).await;
                    }
                });
                None
            }
            (Method::Stream(method), true) => {
                let handle = handle?;
                let mut items = match method(ctx, arguments) {
                    Ok(items) => items,
                    Err(f) => return Some(Command::Complete { handle, result: Err(failure_text(f, true)) }),
                };
                let task = tokio::spawn(async move {
                    while let Some(item) = items.next().await {
                        match item {
                            Ok(item) => {
                                if commands.send(Command::StreamItem { handle, item }).await.is_err() {
                                    return;
                                }
                            }
                            Err(f) => {
                                let result = Err(failure_text(f, true));
                                let _ = commands.send(Command::Complete { handle, result }).await;
                                let _ = commands.send(Command::StreamDone(handle)).await;
                                return;
                            }
                        }
                    }
                    let _ = commands.send(Command::Complete { handle, result: Ok(None) }).await;
                    let _ = commands.send(Command::StreamDone(handle)).await;
                });
                self.streams.insert(handle, task.abort_handle());
                None
            }
            (Method::Stream(_), false) => fail(format!(
                "The client attempted to invoke the streaming '{target}' method with a non-streaming invocation."
            )),
            (_, true) => fail(format!(
                "The client attempted to invoke the non-streaming '{target}' method with a streaming invocation."
            )),
        }
    }

    /// Carries out a command; one refused for back-pressure waits its turn.
    fn apply(&mut self, command: Command) {
        if !self.deferred.is_empty() && is_counted(&command) {
            self.deferred.push_back(command);
            return;
        }
        if let Err(command) = self.try_apply(command) {
            self.deferred.push_back(command);
        }
    }

    fn retry_deferred(&mut self) {
        while let Some(command) = self.deferred.pop_front() {
            if let Err(command) = self.try_apply(command) {
                self.deferred.push_front(command);
                break;
            }
        }
    }

    fn try_apply(&mut self, command: Command) -> Result<(), Command> {
        let result = match &command {
            Command::Complete { handle, result } => match result {
                Ok(Some(value)) => self.conn.complete(*handle, value),
                Ok(None) => self.conn.complete_void(*handle),
                Err(error) => self.conn.complete_error(*handle, error),
            },
            Command::StreamItem { handle, item } => self.conn.stream_item(*handle, item),
            Command::Send { target, arguments } => self.conn.send(target, arguments),
            Command::Close { error } => self.conn.close(error.as_deref(), false),
            Command::DropTransport => {
                // Without a Close frame, as a broken network would.
                self.socket = None;
                self.conn.transport_lost(self.clock.now());
                Ok(())
            }
            Command::Release(stream) => {
                self.conn.release_upload_items(*stream, 1);
                Ok(())
            }
            Command::Stats(reply) => {
                let _ = reply;
                Ok(())
            }
            Command::StreamDone(handle) => {
                self.streams.remove(handle);
                Ok(())
            }
        };
        match result {
            Err(SendError::Backpressure) => Err(command),
            _ => {
                if let Command::Stats(reply) = command {
                    let _ = reply.send(self.stats());
                }
                Ok(())
            }
        }
    }

    fn stats(&self) -> ConnectionStats {
        let stats = self.conn.stats();
        let handshake = self.conn.handshake();
        ConnectionStats {
            protocol: handshake.map_or("", |h| h.protocol),
            handshake_version: handshake.map_or(0, |h| h.version),
            stateful: handshake.is_some_and(|h| h.stateful_reconnect),
            pings_sent: stats.pings_sent,
            pings_received: stats.pings_received,
            reattached: stats.resumed,
            server_unacked: stats.unacked_messages,
        }
    }
}

/// Commands that write counted messages, which must keep their order behind deferred ones.
fn is_counted(command: &Command) -> bool {
    matches!(command, Command::Complete { .. } | Command::StreamItem { .. } | Command::Send { .. })
}

/// The next data message's bytes; `None` when the socket closed or failed.
async fn next_message(socket: &mut Option<WebSocket>) -> Option<Vec<u8>> {
    let socket = socket.as_mut()?;
    loop {
        match socket.recv().await? {
            Ok(Message::Text(text)) => return Some(text.as_str().as_bytes().to_vec()),
            Ok(Message::Binary(bytes)) => return Some(bytes.to_vec()),
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Close(_)) | Err(_) => return None,
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
