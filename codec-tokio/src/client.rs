//! The hub client: negotiate over HTTP, then a WebSocket, driving a sans-IO
//! [`Connection`] in the client role.
//!
//! Every protocol rule — the handshake, keep-alive Pings, the server timeout, call ids and
//! stream bookkeeping, stateful reconnect's numbering, Acks and replay — is the connection's.
//! This module owns the I/O: one tokio task per [`Client`] holds the connection and the
//! WebSocket, feeds it the socket's bytes, the clock and the calls made on the handles, routes
//! its events to the waiting calls and the handlers, and sends what it writes.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use signalr_codec_tokio::{Client, ClientOptions};
//!
//! # async fn run() -> Result<(), signalr_codec_tokio::client::ClientError> {
//! let client = Client::connect("http://127.0.0.1:5000/hub", ClientOptions::messagepack()).await?;
//! client.on("Notified", |args| {
//!     let (text,): (String,) = args.bind().unwrap();
//!     println!("server says {text}");
//! });
//! let sum: i64 = client.invoke("Add", (1, 2)).await?;
//! assert_eq!(sum, 3);
//! client.send("Notify", ("hello",)).await?;
//! let mut counter = client.stream::<i64>("Counter", (5, 10));
//! while let Some(n) = counter.next().await {
//!     println!("{}", n?);
//! }
//! let total: i64 = client.invoke_with_upload("Sum", (), futures_util::stream::iter([1, 2, 3])).await?;
//! assert_eq!(total, 6);
//! client.close().await;
//! # Ok(())
//! # }
//! ```
//!
//! Only `http://` and `ws://` URLs are served: this crate builds reqwest and tungstenite
//! without a TLS stack.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{SinkExt, Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde::Serialize;
use signalr_codec_connection::{
    AnyProtocol, CallId, Config, Connection, Event, FailureKind, Handshake, InvocationHandle, Request, SendError,
    State, Stats, UploadId,
};
use signalr_codec_core::{HubProtocol as _, Limits, Outcome, TransferFormat};
use signalr_codec_json::negotiate::{NegotiateResponse, INVALID_NEGOTIATION_RESPONSE, WEB_SOCKETS};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::{HeaderValue, AUTHORIZATION};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::clock::Clock;
use crate::payload::Payload;

/// What pending calls fail with when the connection closes without an error (the JS client's
/// text).
pub const CONNECTION_CLOSED: &str = "Invocation canceled due to the underlying connection being closed.";

/// What a server's invocation that expects a result is answered with when no handler gave one
/// (the JS client's text).
pub const NO_RESULT: &str = "Client didn't provide a result.";

/// What a server's invocation that expects a result is answered with when several handlers
/// gave one (the JS client's text).
pub const MULTIPLE_RESULTS: &str = "Client provided multiple results.";

/// An upload stream the caller stopped before its end is ended with this error.
pub const UPLOAD_CANCELED: &str = "The upload was canceled by the client.";

/// The largest message a client takes by default: 64 MiB, the WebSocket message limit of
/// tungstenite. (A hub server's 32 KB default is for what clients send it; the official
/// clients set no limit on what they receive.)
pub const DEFAULT_MAXIMUM_RECEIVE_MESSAGE_SIZE: usize = 64 << 20;

/// A client's settings. The defaults are the official clients'.
///
/// ```
/// use std::time::Duration;
/// use signalr_codec_tokio::ClientOptions;
/// let options = ClientOptions::messagepack()
///     .with_stateful_reconnect(true)
///     .with_keep_alive_interval(Duration::from_secs(5));
/// assert_eq!(options.server_timeout, Duration::from_secs(30));
/// assert_eq!(options.handshake_timeout, Duration::from_secs(15));
/// assert!(!options.skip_negotiation);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// The hub protocol: JSON (the default) or MessagePack, with its limits (messages up to
    /// [`DEFAULT_MAXIMUM_RECEIVE_MESSAGE_SIZE`]).
    pub protocol: AnyProtocol,
    /// Ask for stateful reconnect (`useStatefulReconnect=true` on negotiate, handshake version
    /// 2). Used only when the server's negotiate response says `useStatefulReconnect: true`;
    /// never with [`skip_negotiation`](Self::skip_negotiation), which has no connection token
    /// to reconnect with. Off by default.
    pub stateful_reconnect: bool,
    /// A Ping goes out after this long without sending (15 s).
    pub keep_alive_interval: Duration,
    /// The connection fails when nothing was received for this long (30 s): `Server timeout
    /// elapsed without receiving a message from the server.`
    pub server_timeout: Duration,
    /// How long the server has to answer the handshake (15 s); the WebSocket's opening is
    /// bounded by it too.
    pub handshake_timeout: Duration,
    /// Connect the WebSocket to the URL directly, without `POST …/negotiate` (off).
    pub skip_negotiation: bool,
    /// Stateful reconnect: WebSocket connection attempts after the transport is lost (5).
    pub reconnect_attempts: u32,
    /// Stateful reconnect: the wait before each attempt after the first (1 s).
    pub reconnect_delay: Duration,
    /// Stateful reconnect: bytes of unacknowledged messages kept for replay before sends wait
    /// for an Ack (100,000).
    pub stateful_reconnect_buffer_size: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions::json()
    }
}

impl ClientOptions {
    /// The defaults with the JSON hub protocol.
    pub fn json() -> Self {
        ClientOptions::with(client_protocols(Limits::DEFAULT)[0])
    }

    /// The defaults with the MessagePack hub protocol.
    pub fn messagepack() -> Self {
        ClientOptions::with(client_protocols(Limits::DEFAULT)[1])
    }

    fn with(protocol: AnyProtocol) -> Self {
        let config = Config::client();
        ClientOptions {
            protocol,
            stateful_reconnect: false,
            keep_alive_interval: config.keep_alive_interval,
            server_timeout: config.timeout,
            handshake_timeout: config.handshake_timeout,
            skip_negotiation: false,
            reconnect_attempts: 5,
            reconnect_delay: Duration::from_secs(1),
            stateful_reconnect_buffer_size: config.reconnect_buffer_size,
        }
    }

    /// With this hub protocol (limits included).
    #[must_use]
    pub fn with_protocol(mut self, protocol: AnyProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Taking messages of at most `bytes` (framing included); a larger one fails the
    /// connection. There is no "unlimited": the connection sizes its receive window by it.
    ///
    /// ```
    /// use signalr_codec_core::HubProtocol;
    /// use signalr_codec_tokio::ClientOptions;
    /// let options = ClientOptions::messagepack().with_maximum_receive_message_size(1 << 20);
    /// assert_eq!(options.protocol.limits().max_message_size, Some(1 << 20));
    /// assert_eq!(options.protocol.name(), "messagepack");
    /// ```
    #[must_use]
    pub fn with_maximum_receive_message_size(mut self, bytes: usize) -> Self {
        let limits = self.protocol.limits().with_max_message_size(Some(bytes));
        let [json, messagepack] = AnyProtocol::all_with_limits(limits);
        self.protocol = match self.protocol {
            AnyProtocol::Json(_) => json,
            AnyProtocol::MessagePack(_) => messagepack,
        };
        self
    }

    /// Asking for stateful reconnect or not.
    #[must_use]
    pub fn with_stateful_reconnect(mut self, on: bool) -> Self {
        self.stateful_reconnect = on;
        self
    }

    /// With this keep-alive interval.
    #[must_use]
    pub fn with_keep_alive_interval(mut self, interval: Duration) -> Self {
        self.keep_alive_interval = interval;
        self
    }

    /// With this server timeout.
    #[must_use]
    pub fn with_server_timeout(mut self, timeout: Duration) -> Self {
        self.server_timeout = timeout;
        self
    }

    /// With this handshake timeout.
    #[must_use]
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Skipping negotiation or not.
    #[must_use]
    pub fn with_skip_negotiation(mut self, skip: bool) -> Self {
        self.skip_negotiation = skip;
        self
    }

    /// With this many reconnect attempts, `delay` apart.
    #[must_use]
    pub fn with_reconnect(mut self, attempts: u32, delay: Duration) -> Self {
        self.reconnect_attempts = attempts;
        self.reconnect_delay = delay;
        self
    }

    /// With this replay budget.
    #[must_use]
    pub fn with_stateful_reconnect_buffer_size(mut self, bytes: usize) -> Self {
        self.stateful_reconnect_buffer_size = bytes;
        self
    }

    /// The connection's configuration; `stateful` when negotiate granted stateful reconnect.
    fn config(&self, stateful: bool) -> Config {
        Config::client()
            .with_handshake_timeout(self.handshake_timeout)
            .with_keep_alive_interval(self.keep_alive_interval)
            .with_timeout(self.server_timeout)
            .with_stateful_reconnect(stateful)
            .with_reconnect_buffer_size(self.stateful_reconnect_buffer_size)
            // A client takes no upload streams from the server: nothing is held back for them.
            .with_stream_buffer_capacity(None)
    }
}

/// Both protocols with `limits`, and the client's message size.
fn client_protocols(limits: Limits) -> [AnyProtocol; 2] {
    AnyProtocol::all_with_limits(limits.with_max_message_size(Some(DEFAULT_MAXIMUM_RECEIVE_MESSAGE_SIZE)))
}

/// Why a client operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not an `http`, `https`, `ws` or `wss` URL.
    InvalidUrl(String),
    /// Negotiation failed: the HTTP request, the server's `error`, or a response this client
    /// cannot use.
    Negotiate(String),
    /// The WebSocket could not be opened.
    Transport(String),
    /// The handshake failed: the server refused it (`Server returned handshake error: …`), it
    /// timed out, or the transport closed first.
    Handshake(String),
    /// The hub method failed: the server's error text, as it sent it.
    Hub(String),
    /// The connection closed before the call completed: the close error, or
    /// [`CONNECTION_CLOSED`].
    Closed(String),
    /// Arguments or an upload item could not be serialized, or the arguments are not an array.
    Serialize(String),
    /// A result or a stream item did not deserialize to the type asked for.
    Deserialize(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::InvalidUrl(e)
            | ClientError::Negotiate(e)
            | ClientError::Transport(e)
            | ClientError::Handshake(e)
            | ClientError::Hub(e)
            | ClientError::Closed(e)
            | ClientError::Serialize(e)
            | ClientError::Deserialize(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ClientError {}

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type NotifyFn = dyn Fn(Payload) + Send + Sync;
type ResultFn = dyn Fn(Payload) -> Result<Payload, String> + Send + Sync;

#[derive(Clone)]
enum Handler {
    Notify(Arc<NotifyFn>),
    Result(Arc<ResultFn>),
}

/// Handlers by lower-cased method name.
type Handlers = Arc<Mutex<HashMap<String, Vec<Handler>>>>;

/// The result of a call: a value, or none (a void method).
type CallResult = Result<Option<Payload>, ClientError>;

/// What a handle asks of the connection task.
enum Command {
    Invoke {
        target: String,
        args: Payload,
        uploads: usize,
        started: Option<oneshot::Sender<Result<Vec<UploadId>, ClientError>>>,
        done: oneshot::Sender<CallResult>,
    },
    Send {
        target: String,
        args: Payload,
        reply: oneshot::Sender<Result<(), ClientError>>,
    },
    Stream {
        key: u64,
        target: String,
        args: Payload,
        items: mpsc::UnboundedSender<Result<Payload, ClientError>>,
    },
    Cancel {
        key: u64,
    },
    UploadItem {
        upload: UploadId,
        item: Payload,
        reply: oneshot::Sender<Result<(), ClientError>>,
    },
    EndUpload {
        upload: UploadId,
        error: Option<String>,
    },
    /// A handler's answer to a server invocation that expects a result.
    Answer {
        handle: InvocationHandle,
        result: Result<Payload, String>,
    },
    Close,
}

impl Command {
    /// Tells the caller the connection is gone.
    fn fail(self, error: &ClientError) {
        match self {
            Command::Invoke { started, done, .. } => {
                if let Some(started) = started {
                    let _ = started.send(Err(error.clone()));
                }
                let _ = done.send(Err(error.clone()));
            }
            Command::Send { reply, .. } | Command::UploadItem { reply, .. } => {
                let _ = reply.send(Err(error.clone()));
            }
            Command::Stream { items, .. } => {
                let _ = items.send(Err(error.clone()));
            }
            Command::Cancel { .. } | Command::EndUpload { .. } | Command::Answer { .. } | Command::Close => {}
        }
    }
}

/// How the connection ended: the close error (`None` for a clean close).
type Ended = Option<String>;

/// State the task publishes to the handles.
struct Shared {
    stats: Mutex<Stats>,
}

struct Inner {
    commands: mpsc::UnboundedSender<Command>,
    protocol: AnyProtocol,
    handlers: Handlers,
    shared: Arc<Shared>,
    ended: watch::Receiver<Option<Ended>>,
    handshake: Handshake,
    connection_id: Option<String>,
    next_stream: AtomicU64,
}

/// A connected hub client: a cheap handle (clone it freely) to the task that owns the
/// connection.
///
/// The connection closes on [`close`](Client::close), when the server closes it or it fails,
/// and when every handle (streams included) is dropped. Handlers registered with
/// [`on`](Client::on) that hold a `Client` keep it open: close it explicitly.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("protocol", &self.inner.handshake.protocol)
            .field("stateful_reconnect", &self.inner.handshake.stateful_reconnect)
            .field("connection_id", &self.inner.connection_id)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects to the hub at `url` (`http://host:port/path`): `POST {url}/negotiate?negotiateVersion=1`
    /// (with `&useStatefulReconnect=true` when asked for), following redirects; then the
    /// WebSocket `ws://…{path}?id={connectionToken}`; then the handshake. Returns once the
    /// server accepted the handshake.
    ///
    /// With [`ClientOptions::skip_negotiation`] the WebSocket goes to `url` directly (an
    /// `http` scheme becomes `ws`).
    pub async fn connect(url: &str, options: ClientOptions) -> Result<Client, ClientError> {
        let mut endpoint = Endpoint::parse(url)?;
        let mut access_token = None;
        let mut connection_id = None;
        let mut id = None;
        let mut stateful = false;
        if !options.skip_negotiation {
            let negotiated = negotiate(&mut endpoint, options.stateful_reconnect, &options.protocol).await?;
            stateful = options.stateful_reconnect && negotiated.use_stateful_reconnect;
            access_token = negotiated.access_token;
            connection_id = negotiated.connection_id;
            id = Some(negotiated.id);
        }
        let target = Target { url: endpoint.ws_url(id.as_deref()), access_token };
        let ws = match tokio::time::timeout(options.handshake_timeout, target.connect()).await {
            Ok(opened) => opened.map_err(ClientError::Transport)?,
            Err(_) => {
                let secs = options.handshake_timeout.as_secs_f64();
                return Err(ClientError::Transport(format!("The WebSocket did not open within {secs} seconds.")));
            }
        };

        let clock = Clock::new();
        let protocol = options.protocol;
        let conn = Connection::client(protocol, options.config(stateful), clock.now());
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (ended_tx, ended) = watch::channel(None);
        let (connected_tx, connected) = oneshot::channel();
        let handlers = Handlers::default();
        let shared = Arc::new(Shared { stats: Mutex::new(conn.stats()) });
        let task = Task {
            conn,
            clock,
            commands: command_rx,
            transport: Transport::Open(Box::new(ws)),
            target,
            reconnect_attempts: options.reconnect_attempts,
            reconnect_delay: options.reconnect_delay,
            backlog: Vec::new(),
            blocked: VecDeque::new(),
            calls: HashMap::new(),
            streams: HashMap::new(),
            handlers: handlers.clone(),
            shared: shared.clone(),
            ended: ended_tx,
            connected: Some(connected_tx),
            finished: None,
        };
        tokio::spawn(task.run());
        let handshake = match connected.await {
            Ok(result) => result?,
            Err(_) => return Err(ClientError::Handshake(CONNECTION_CLOSED.into())),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                commands,
                protocol,
                handlers,
                shared,
                ended,
                handshake,
                connection_id,
                next_stream: AtomicU64::new(0),
            }),
        })
    }

    /// Invokes `method` with `args` (a tuple, serialized as the argument array; `()` for none)
    /// and waits for its result. A void method's result binds to `()` (or any type that
    /// deserializes from null); a failure on the server is [`ClientError::Hub`] with its text.
    pub async fn invoke<R: DeserializeOwned>(&self, method: &str, args: impl Serialize) -> Result<R, ClientError> {
        let args = self.arguments(&args)?;
        let (done, result) = oneshot::channel();
        self.command(Command::Invoke { target: method.into(), args, uploads: 0, started: None, done })?;
        decode_result(self.reply(result).await??)
    }

    /// Invokes `method` without waiting for anything (a non-blocking invocation): returns once
    /// the message is written to the connection.
    pub async fn send(&self, method: &str, args: impl Serialize) -> Result<(), ClientError> {
        let args = self.arguments(&args)?;
        let (reply, sent) = oneshot::channel();
        self.command(Command::Send { target: method.into(), args, reply })?;
        self.reply(sent).await?
    }

    /// Invokes the streaming method `method`: its items, then the end (after an error item if
    /// the stream failed). Dropping the stream before its end cancels it (CancelInvocation).
    pub fn stream<T: DeserializeOwned>(&self, method: &str, args: impl Serialize) -> HubStream<T> {
        let (items, rx) = mpsc::unbounded_channel();
        let key = self.inner.next_stream.fetch_add(1, Ordering::Relaxed);
        let mut stream =
            HubStream { items: rx, cancel: Some((self.inner.commands.clone(), key)), done: false, _item: PhantomData };
        match self.arguments(&args) {
            Ok(args) => {
                let command = Command::Stream { key, target: method.into(), args, items };
                if let Err(mpsc::error::SendError(command)) = self.inner.commands.send(command) {
                    command.fail(&self.closed_error());
                }
            }
            Err(e) => {
                let _ = items.send(Err(e));
                stream.cancel = None;
            }
        }
        stream
    }

    /// Invokes `method` with one upload stream: the invocation announces it (`streamIds`), each
    /// item of `items` is sent as it comes, then the stream's end; the result is awaited as
    /// with [`invoke`](Self::invoke). If the server completes the invocation first, the upload
    /// stops there. Dropping the future before the upload ends ends it with
    /// [`UPLOAD_CANCELED`].
    pub async fn invoke_with_upload<R, T, S>(
        &self,
        method: &str,
        args: impl Serialize,
        items: S,
    ) -> Result<R, ClientError>
    where
        R: DeserializeOwned,
        T: Serialize,
        S: Stream<Item = T>,
    {
        let args = self.arguments(&args)?;
        let (started, uploads) = oneshot::channel();
        let (done, mut result) = oneshot::channel();
        self.command(Command::Invoke { target: method.into(), args, uploads: 1, started: Some(started), done })?;
        let upload = match self.reply(uploads).await??.first() {
            Some(&upload) => upload,
            None => return Err(ClientError::Closed(CONNECTION_CLOSED.into())),
        };
        let mut guard = UploadGuard { commands: self.inner.commands.clone(), upload, armed: true };
        let pump = async {
            let mut items = std::pin::pin!(items);
            while let Some(item) = items.next().await {
                let item = Payload::serialize(&self.inner.protocol, &item)
                    .map_err(|e| ClientError::Serialize(e.message().to_string()))?;
                let (reply, sent) = oneshot::channel();
                self.command(Command::UploadItem { upload, item, reply })?;
                self.reply(sent).await??;
            }
            Ok::<(), ClientError>(())
        };
        let outcome = tokio::select! {
            pumped = pump => {
                pumped?;
                guard.armed = false;
                self.command(Command::EndUpload { upload, error: None })?;
                self.reply(result).await?
            }
            outcome = &mut result => outcome.map_err(|_| self.closed_error())?,
        };
        decode_result(outcome?)
    }

    /// Calls `handler` with the argument array of every invocation of `method` from the server
    /// (matched case-insensitively, as the JS client does). Handlers run on the connection's
    /// task, in order: keep them short (spawn for long work). An invocation that expects a
    /// result gets `Client didn't provide a result.` unless a handler from
    /// [`on_with_result`](Self::on_with_result) answers it.
    pub fn on(&self, method: &str, handler: impl Fn(Payload) + Send + Sync + 'static) {
        self.register(method, Handler::Notify(Arc::new(handler)));
    }

    /// Like [`on`](Self::on), for invocations from the server that expect a result (.NET's
    /// client results): the handler's value (or its error text) answers the call.
    pub fn on_with_result<R, F>(&self, method: &str, handler: F)
    where
        R: Serialize,
        F: Fn(Payload) -> Result<R, String> + Send + Sync + 'static,
    {
        let protocol = self.inner.protocol;
        let handler = move |args| {
            handler(args).and_then(|r| Payload::serialize(&protocol, &r).map_err(|e| e.message().to_string()))
        };
        self.register(method, Handler::Result(Arc::new(handler)));
    }

    /// Removes the handlers of `method`.
    pub fn off(&self, method: &str) {
        self.inner.handlers.lock().expect("handlers lock").remove(&method.to_lowercase());
    }

    /// Closes the connection (a Close message, then the WebSocket) and waits until it is
    /// closed. Pending calls fail with [`CONNECTION_CLOSED`].
    pub async fn close(&self) {
        let _ = self.inner.commands.send(Command::Close);
        self.closed().await;
    }

    /// Waits until the connection is closed and returns its close error: `None` after
    /// [`close`](Self::close) or a Close from the server without error; else the reason
    /// (`Server returned an error on close: …`, `Server timeout elapsed without receiving a
    /// message from the server.`, …).
    pub async fn closed(&self) -> Option<String> {
        let mut ended = self.inner.ended.clone();
        let result = match ended.wait_for(Option::is_some).await {
            Ok(ended) => ended.clone().flatten(),
            Err(_) => Some(CONNECTION_CLOSED.into()),
        };
        result
    }

    /// True once the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.ended.borrow().is_some()
    }

    /// What the handshake settled: the protocol, and whether stateful reconnect is on.
    pub fn handshake(&self) -> Handshake {
        self.inner.handshake
    }

    /// The connection id from negotiate (`None` with [`ClientOptions::skip_negotiation`]).
    pub fn connection_id(&self) -> Option<&str> {
        self.inner.connection_id.as_deref()
    }

    /// The connection's counters (Pings sent and received, resumptions, unacknowledged
    /// messages, …), as of the task's last step.
    pub fn stats(&self) -> Stats {
        *self.inner.shared.stats.lock().expect("stats lock")
    }

    fn register(&self, method: &str, handler: Handler) {
        self.inner.handlers.lock().expect("handlers lock").entry(method.to_lowercase()).or_default().push(handler);
    }

    fn arguments(&self, args: &impl Serialize) -> Result<Payload, ClientError> {
        arguments(&self.inner.protocol, args)
    }

    fn command(&self, command: Command) -> Result<(), ClientError> {
        self.inner.commands.send(command).map_err(|_| self.closed_error())
    }

    async fn reply<T>(&self, reply: oneshot::Receiver<T>) -> Result<T, ClientError> {
        reply.await.map_err(|_| self.closed_error())
    }

    /// The error for a call made on a closed connection.
    fn closed_error(&self) -> ClientError {
        let text = self.inner.ended.borrow().clone().flatten();
        ClientError::Closed(text.unwrap_or_else(|| CONNECTION_CLOSED.into()))
    }
}

/// `args` as an argument array: a tuple (or a sequence) as it is, `()` as an empty array.
fn arguments(protocol: &AnyProtocol, args: &impl Serialize) -> Result<Payload, ClientError> {
    let payload = Payload::arguments(protocol, args).map_err(|e| ClientError::Serialize(e.message().to_string()))?;
    let is_array = match &payload {
        Payload::Json(v) => v.get().trim_start().starts_with('['),
        Payload::MessagePack(v) => {
            matches!(v.as_raw().as_bytes().first(), Some(0x90..=0x9f | 0xdc | 0xdd))
        }
    };
    if is_array {
        Ok(payload)
    } else {
        Err(ClientError::Serialize("The arguments must serialize as an array: pass a tuple such as (x,) or ().".into()))
    }
}

/// A call's result bound to `R`; a void result binds from null.
fn decode_result<R: DeserializeOwned>(result: Option<Payload>) -> Result<R, ClientError> {
    match result {
        Some(value) => value.deserialize().map_err(|e| ClientError::Deserialize(e.message().to_string())),
        None => serde_json::from_str("null")
            .map_err(|_| ClientError::Deserialize("The method returned no result; ask for () or an Option.".into())),
    }
}

/// Ends an upload with [`UPLOAD_CANCELED`] unless it ended normally.
struct UploadGuard {
    commands: mpsc::UnboundedSender<Command>,
    upload: UploadId,
    armed: bool,
}

impl Drop for UploadGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = self.commands.send(Command::EndUpload { upload: self.upload, error: Some(UPLOAD_CANCELED.into()) });
        }
    }
}

/// The items of a server stream, from [`Client::stream`]. Dropping it before the end cancels
/// the stream on the server.
pub struct HubStream<T> {
    items: mpsc::UnboundedReceiver<Result<Payload, ClientError>>,
    /// Where to send the cancellation, until the stream ended.
    cancel: Option<(mpsc::UnboundedSender<Command>, u64)>,
    done: bool,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for HubStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubStream").field("done", &self.done).finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned> Stream for HubStream<T> {
    type Item = Result<T, ClientError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.items.poll_recv(cx) {
            Poll::Ready(Some(Ok(item))) => {
                Poll::Ready(Some(item.deserialize().map_err(|e| ClientError::Deserialize(e.message().to_string()))))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => {
                self.done = true;
                self.cancel = None;
                Poll::Ready(None)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for HubStream<T> {
    fn drop(&mut self) {
        if let Some((commands, key)) = self.cancel.take() {
            let _ = commands.send(Command::Cancel { key });
        }
    }
}

/// A hub URL taken apart: the scheme's security, what follows the scheme up to the query, and
/// the query.
#[derive(Debug, Clone)]
struct Endpoint {
    secure: bool,
    path: String,
    query: Option<String>,
}

impl Endpoint {
    fn parse(url: &str) -> Result<Self, ClientError> {
        let lower = url.get(..6).unwrap_or(url).to_ascii_lowercase();
        let (secure, rest) = if lower.starts_with("http:") {
            (false, &url[5..])
        } else if lower.starts_with("https:") {
            (true, &url[6..])
        } else if lower.starts_with("ws:") {
            (false, &url[3..])
        } else if lower.starts_with("wss:") {
            (true, &url[4..])
        } else {
            return Err(ClientError::InvalidUrl(format!("The URL '{url}' is not an http, https, ws or wss URL.")));
        };
        let Some(rest) = rest.strip_prefix("//").filter(|r| !r.is_empty()) else {
            return Err(ClientError::InvalidUrl(format!("The URL '{url}' has no host.")));
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query).filter(|q| !q.is_empty())),
            None => (rest, None),
        };
        Ok(Endpoint { secure, path: path.to_string(), query: query.map(str::to_string) })
    }

    /// `POST` here to negotiate, as the JS client builds it.
    fn negotiate_url(&self, stateful: bool) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        let slash = if self.path.ends_with('/') { "" } else { "/" };
        let mut query = self.query.clone().unwrap_or_default();
        let mut param = |p: &str| {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(p);
        };
        if !self.query.as_deref().unwrap_or_default().split('&').any(|p| p.starts_with("negotiateVersion=")) {
            param("negotiateVersion=1");
        }
        if stateful {
            param("useStatefulReconnect=true");
        }
        format!("{scheme}://{}{slash}negotiate?{query}", self.path)
    }

    /// The WebSocket URL, with the connection's `id`.
    fn ws_url(&self, id: Option<&str>) -> String {
        let scheme = if self.secure { "wss" } else { "ws" };
        let mut url = format!("{scheme}://{}", self.path);
        if let Some(query) = &self.query {
            url.push('?');
            url.push_str(query);
        }
        if let Some(id) = id {
            url.push(if self.query.is_some() { '&' } else { '?' });
            url.push_str("id=");
            encode_component(id, &mut url);
        }
        url
    }
}

/// JavaScript's `encodeURIComponent`.
fn encode_component(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// What negotiate settled.
struct Negotiated {
    id: String,
    connection_id: Option<String>,
    access_token: Option<String>,
    use_stateful_reconnect: bool,
}

/// `POST {url}/negotiate`, following redirects (`url`, `accessToken`) as the JS client does.
async fn negotiate(endpoint: &mut Endpoint, stateful: bool, protocol: &AnyProtocol) -> Result<Negotiated, ClientError> {
    let http = reqwest::Client::new();
    let mut access_token: Option<String> = None;
    for _ in 0..100 {
        let mut request = http.post(endpoint.negotiate_url(stateful)).body(Vec::<u8>::new());
        if let Some(token) = &access_token {
            request = request.header(reqwest::header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let failed = |e: String| ClientError::Negotiate(format!("Failed to complete negotiation with the server: {e}"));
        let response = request.send().await.map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(format!("Unexpected status code returned from negotiate '{}'", status.as_u16())));
        }
        let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
        let parsed = NegotiateResponse::parse(&body).map_err(|e| {
            let text = e.message().to_string();
            if text == INVALID_NEGOTIATION_RESPONSE {
                failed(text)
            } else {
                failed(format!("{INVALID_NEGOTIATION_RESPONSE} {text}"))
            }
        })?;
        if let Some(error) = parsed.error.as_deref() {
            return Err(ClientError::Negotiate(error.to_string()));
        }
        if let Some(url) = parsed.url.as_deref() {
            *endpoint = Endpoint::parse(url)?;
            if let Some(token) = parsed.access_token.as_deref() {
                access_token = Some(token.to_string());
            }
            continue;
        }
        let format = protocol.transfer_format();
        let web_sockets = parsed
            .available_transports
            .iter()
            .flatten()
            .any(|t| t.transport.as_str() == WEB_SOCKETS && t.supports(format));
        if !web_sockets {
            return Err(ClientError::Negotiate(format!(
                "Unable to connect to the server with any of the available transports. WebSockets failed: the server does not offer WebSockets with the '{}' transfer format.",
                format.as_str()
            )));
        }
        let Some(id) = parsed.transport_id() else {
            return Err(failed(INVALID_NEGOTIATION_RESPONSE.into()));
        };
        return Ok(Negotiated {
            id: id.to_string(),
            connection_id: parsed.connection_id.as_deref().map(str::to_string),
            access_token,
            use_stateful_reconnect: parsed.use_stateful_reconnect,
        });
    }
    Err(ClientError::Negotiate("Negotiate redirection limit exceeded.".into()))
}

/// Where the WebSocket goes: the first time and on every reconnect.
#[derive(Debug, Clone)]
struct Target {
    url: String,
    access_token: Option<String>,
}

impl Target {
    async fn connect(&self) -> Result<Ws, String> {
        let mut request = self.url.as_str().into_client_request().map_err(|e| e.to_string())?;
        if let Some(token) = &self.access_token {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?;
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
        Ok(ws)
    }

    /// Up to `attempts` connections, `delay` apart.
    async fn reconnect(self, attempts: u32, delay: Duration) -> Result<Box<Ws>, String> {
        let mut last = String::from("no attempt was made");
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
            }
            match self.connect().await {
                Ok(ws) => return Ok(Box::new(ws)),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

/// The WebSocket, or its replacement on the way.
enum Transport {
    Open(Box<Ws>),
    Reconnecting(BoxFuture<Result<Box<Ws>, String>>),
    Gone,
}

/// What the transport did.
enum Received {
    Message(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
    Reconnected(Result<Box<Ws>, String>),
}

impl Transport {
    /// The next message, or the end of the reconnection; never while gone. Cancel-safe.
    async fn next(&mut self) -> Received {
        match self {
            Transport::Open(ws) => Received::Message(ws.next().await),
            Transport::Reconnecting(attempt) => Received::Reconnected(attempt.as_mut().await),
            Transport::Gone => std::future::pending().await,
        }
    }
}

/// A pending call of this side.
enum Waiter {
    Invoke(oneshot::Sender<CallResult>),
    Stream(u64, mpsc::UnboundedSender<Result<Payload, ClientError>>),
}

/// An event with nothing borrowed from the connection.
enum Happened {
    Connected(Handshake),
    Invocation { target: String, args: Payload, handle: Option<InvocationHandle> },
    StreamItem { call: CallId, item: Payload },
    Completion { call: CallId, outcome: Result<Option<Payload>, String> },
    Writable,
    Closed(Option<String>),
    Failed { kind: FailureKind, text: String },
    Nothing,
}

/// The task that owns the connection and the WebSocket.
struct Task {
    conn: Connection<AnyProtocol>,
    clock: Clock,
    commands: mpsc::UnboundedReceiver<Command>,
    transport: Transport,
    target: Target,
    reconnect_attempts: u32,
    reconnect_delay: Duration,
    /// Received bytes the connection has not taken yet.
    backlog: Vec<u8>,
    /// Commands refused with back-pressure, in order, until the connection is writable.
    blocked: VecDeque<Command>,
    calls: HashMap<CallId, Waiter>,
    /// Streams by their handle's key.
    streams: HashMap<u64, CallId>,
    handlers: Handlers,
    shared: Arc<Shared>,
    ended: watch::Sender<Option<Ended>>,
    connected: Option<oneshot::Sender<Result<Handshake, ClientError>>>,
    /// Set when the connection ended: the close error, and what pending calls fail with.
    finished: Option<(Ended, String)>,
}

impl Task {
    async fn run(mut self) {
        loop {
            // Counters first: what the peer sees next must already show in them.
            self.publish();
            self.flush().await;
            self.publish();
            if let Some((ended, calls)) = self.finished.take() {
                self.shutdown(ended, calls).await;
                return;
            }
            let deadline = self.conn.poll_timeout().map(|at| self.clock.deadline(at));
            let reading = self.backlog.is_empty();
            tokio::select! {
                received = self.transport.next(), if reading => self.on_transport(received),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    // Every handle is gone: nobody can use the connection any more.
                    None => self.on_command(Command::Close),
                },
                () = sleep_until(deadline) => self.conn.handle_timeout(self.clock.now()),
            }
            if !self.backlog.is_empty() {
                let backlog = std::mem::take(&mut self.backlog);
                let taken = self.feed(&backlog);
                self.backlog = backlog[taken..].to_vec();
            }
            self.drain();
        }
    }

    /// Sends what the connection wrote, one WebSocket message per transmit.
    async fn flush(&mut self) {
        let Transport::Open(ws) = &mut self.transport else {
            return;
        };
        let mut wrote = false;
        let mut broken = false;
        while let Some(transmit) = self.conn.poll_transmit() {
            let message = match transmit.format {
                TransferFormat::Text => match std::str::from_utf8(transmit.bytes) {
                    Ok(text) => Message::text(text),
                    Err(_) => Message::binary(transmit.bytes.to_vec()),
                },
                TransferFormat::Binary => Message::binary(transmit.bytes.to_vec()),
            };
            if ws.feed(message).await.is_err() {
                broken = true;
                break;
            }
            wrote = true;
        }
        if wrote && !broken && ws.flush().await.is_err() {
            broken = true;
        }
        if broken {
            self.lost();
            self.drain();
        }
    }

    /// Publishes the counters to the handles.
    fn publish(&self) {
        *self.shared.stats.lock().expect("stats lock") = self.conn.stats();
    }

    fn on_transport(&mut self, received: Received) {
        match received {
            Received::Message(Some(Ok(Message::Text(text)))) => self.receive(text.as_bytes()),
            Received::Message(Some(Ok(Message::Binary(bytes)))) => self.receive(&bytes),
            Received::Message(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => {}
            Received::Message(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => self.lost(),
            Received::Reconnected(Ok(ws)) => {
                self.transport = Transport::Open(ws);
                if !self.conn.attach_transport(self.clock.now()) {
                    // The connection ended while the new socket was being opened.
                    self.transport = Transport::Gone;
                }
            }
            Received::Reconnected(Err(e)) => {
                self.transport = Transport::Gone;
                let _ = self.conn.close(None, false);
                self.finish(Some(format!("The connection could not be re-established: {e}")), CONNECTION_CLOSED.into());
            }
        }
    }

    fn receive(&mut self, data: &[u8]) {
        let taken = self.feed(data);
        if taken < data.len() {
            self.backlog.extend_from_slice(&data[taken..]);
        }
    }

    /// Offers `data` to the connection, polling events between offers; returns how much it
    /// took (all of it unless it stopped taking).
    fn feed(&mut self, data: &[u8]) -> usize {
        let mut taken = 0;
        let mut idle = 0;
        loop {
            let n = self.conn.handle_input(self.clock.now(), &data[taken..]);
            taken += n;
            self.drain();
            if taken == data.len() {
                return taken;
            }
            idle = if n == 0 { idle + 1 } else { 0 };
            if idle == 2 {
                return taken;
            }
        }
    }

    /// The WebSocket closed or broke: resume later when stateful reconnect allows it.
    fn lost(&mut self) {
        self.transport = Transport::Gone;
        self.backlog.clear();
        self.conn.transport_lost(self.clock.now());
        if self.conn.state() == State::Detached {
            let attempt = self.target.clone().reconnect(self.reconnect_attempts, self.reconnect_delay);
            self.transport = Transport::Reconnecting(Box::pin(attempt));
        }
    }

    /// Polls every event and acts on it.
    fn drain(&mut self) {
        loop {
            let happened = match self.conn.poll_event() {
                None => return,
                Some(event) => own(event),
            };
            self.act(happened);
        }
    }

    fn act(&mut self, happened: Happened) {
        match happened {
            Happened::Connected(handshake) => {
                if let Some(connected) = self.connected.take() {
                    let _ = connected.send(Ok(handshake));
                }
            }
            Happened::Invocation { target, args, handle } => self.invoked(&target, args, handle),
            Happened::StreamItem { call, item } => {
                if let Some(Waiter::Stream(_, items)) = self.calls.get(&call) {
                    let _ = items.send(Ok(item));
                }
            }
            Happened::Completion { call, outcome } => match self.calls.remove(&call) {
                Some(Waiter::Invoke(done)) => {
                    let _ = done.send(outcome.map_err(ClientError::Hub));
                }
                Some(Waiter::Stream(key, items)) => {
                    self.streams.remove(&key);
                    if let Err(e) = outcome {
                        let _ = items.send(Err(ClientError::Hub(e)));
                    }
                }
                None => {}
            },
            Happened::Writable => {
                let blocked = std::mem::take(&mut self.blocked);
                for command in blocked {
                    self.on_command(command);
                }
            }
            Happened::Closed(error) => {
                let error = error.map(|e| format!("Server returned an error on close: {e}"));
                let calls = error.clone().unwrap_or_else(|| CONNECTION_CLOSED.into());
                self.finish(error, calls);
            }
            Happened::Failed { kind, text } => {
                if let Some(connected) = self.connected.take() {
                    let error = match kind {
                        FailureKind::Refused => format!("Server returned handshake error: {text}"),
                        _ => text.clone(),
                    };
                    let _ = connected.send(Err(ClientError::Handshake(error)));
                }
                let calls = if kind == FailureKind::TransportLost { CONNECTION_CLOSED.into() } else { text.clone() };
                self.finish(Some(text), calls);
            }
            Happened::Nothing => {}
        }
    }

    /// Runs the handlers of an invocation from the server, and answers it when it expects it.
    fn invoked(&mut self, target: &str, args: Payload, handle: Option<InvocationHandle>) {
        let handlers = self.handlers.lock().expect("handlers lock").get(&target.to_lowercase()).cloned();
        let mut results = 0;
        let mut answer = Err(NO_RESULT.to_string());
        for handler in handlers.iter().flatten() {
            match handler {
                Handler::Notify(f) => f(args.clone()),
                Handler::Result(f) => {
                    results += 1;
                    answer = f(args.clone());
                }
            }
        }
        if results > 1 {
            answer = Err(MULTIPLE_RESULTS.to_string());
        }
        if let Some(handle) = handle {
            self.on_command(Command::Answer { handle, result: answer });
        }
    }

    /// Ends the connection at the next turn of the loop.
    fn finish(&mut self, ended: Ended, calls: String) {
        if self.finished.is_none() {
            self.finished = Some((ended, calls));
        }
    }

    /// Carries out a command, or queues it behind earlier ones held back by back-pressure.
    fn on_command(&mut self, command: Command) {
        if !self.blocked.is_empty() && !matches!(command, Command::Close) {
            self.blocked.push_back(command);
            return;
        }
        if let Err(command) = self.execute(command) {
            self.blocked.push_back(command);
        }
    }

    /// Carries out a command; hands it back when back-pressure holds it.
    fn execute(&mut self, command: Command) -> Result<(), Command> {
        match command {
            Command::Invoke { target, args, uploads, started, done } => {
                match self.conn.request(Request::invoke(&target, &args).with_uploads(uploads)) {
                    Ok(issued) => {
                        if let Some(started) = started {
                            let _ = started.send(Ok(issued.uploads().collect()));
                        }
                        if let Some(call) = issued.call {
                            self.calls.insert(call, Waiter::Invoke(done));
                        }
                    }
                    Err(SendError::Backpressure) => {
                        return Err(Command::Invoke { target, args, uploads, started, done });
                    }
                    Err(e) => Command::Invoke { target, args, uploads, started, done }.fail(&self.send_error(e)),
                }
            }
            Command::Send { target, args, reply } => match self.conn.send(&target, &args) {
                Ok(()) => {
                    let _ = reply.send(Ok(()));
                }
                Err(SendError::Backpressure) => return Err(Command::Send { target, args, reply }),
                Err(e) => {
                    let _ = reply.send(Err(self.send_error(e)));
                }
            },
            Command::Stream { key, target, args, items } => match self.conn.stream(&target, &args) {
                Ok(call) => {
                    self.calls.insert(call, Waiter::Stream(key, items));
                    self.streams.insert(key, call);
                }
                Err(SendError::Backpressure) => return Err(Command::Stream { key, target, args, items }),
                Err(e) => {
                    let _ = items.send(Err(self.send_error(e)));
                }
            },
            Command::Cancel { key } => {
                if let Some(&call) = self.streams.get(&key) {
                    match self.conn.cancel(call) {
                        Err(SendError::Backpressure) => return Err(Command::Cancel { key }),
                        Ok(()) | Err(_) => {
                            self.streams.remove(&key);
                            self.calls.remove(&call);
                        }
                    }
                }
            }
            Command::UploadItem { upload, item, reply } => match self.conn.upload_item(upload, &item) {
                Ok(()) => {
                    let _ = reply.send(Ok(()));
                }
                Err(SendError::Backpressure) => return Err(Command::UploadItem { upload, item, reply }),
                Err(e) => {
                    let _ = reply.send(Err(self.send_error(e)));
                }
            },
            Command::EndUpload { upload, error } => {
                if let Err(SendError::Backpressure) = self.conn.end_upload(upload, error.as_deref()) {
                    return Err(Command::EndUpload { upload, error });
                }
            }
            Command::Answer { handle, result } => {
                let sent = match &result {
                    Ok(value) => self.conn.complete(handle, value),
                    Err(e) => self.conn.complete_error(handle, e),
                };
                if let Err(SendError::Backpressure) = sent {
                    return Err(Command::Answer { handle, result });
                }
            }
            Command::Close => {
                let _ = self.conn.close(None, false);
                self.finish(None, CONNECTION_CLOSED.into());
            }
        }
        Ok(())
    }

    fn send_error(&self, error: SendError) -> ClientError {
        match error {
            SendError::Encode(e) => ClientError::Serialize(e.message().to_string()),
            SendError::Closed | SendError::NotConnected => ClientError::Closed(CONNECTION_CLOSED.into()),
            other => ClientError::Closed(other.to_string()),
        }
    }

    /// Fails whatever waits, closes the WebSocket and tells the handles.
    async fn shutdown(mut self, ended: Ended, calls: String) {
        let error = ClientError::Closed(calls);
        if let Some(connected) = self.connected.take() {
            let _ = connected.send(Err(ClientError::Handshake(error.to_string())));
        }
        for (_, waiter) in self.calls.drain() {
            match waiter {
                Waiter::Invoke(done) => {
                    let _ = done.send(Err(error.clone()));
                }
                Waiter::Stream(_, items) => {
                    let _ = items.send(Err(error.clone()));
                }
            }
        }
        for command in self.blocked.drain(..) {
            command.fail(&error);
        }
        let _ = self.ended.send(Some(ended));
        self.commands.close();
        while let Ok(command) = self.commands.try_recv() {
            command.fail(&error);
        }
        if let Transport::Open(ws) = &mut self.transport {
            let _ = tokio::time::timeout(Duration::from_secs(1), WebSocketStream::close(&mut **ws, None)).await;
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Copies what an event carries out of the connection's buffers.
fn own(event: Event<'_, signalr_codec_connection::AnyValue<'_>>) -> Happened {
    match event {
        Event::Connected(handshake) => Happened::Connected(handshake),
        Event::Invocation(incoming) => Happened::Invocation {
            target: incoming.target.to_string(),
            args: Payload::from_value(incoming.arguments),
            handle: incoming.handle,
        },
        Event::StreamItem { call, item } => Happened::StreamItem { call, item: Payload::from_value(item) },
        Event::Completion { call, outcome } => Happened::Completion {
            call,
            outcome: match outcome {
                Outcome::Void => Ok(None),
                Outcome::Result(value) => Ok(Some(Payload::from_value(value))),
                Outcome::Error(text) => Err(text.to_string()),
            },
        },
        Event::Writable => Happened::Writable,
        Event::Closed { error, .. } => Happened::Closed(error.map(|e| e.to_string())),
        Event::Failed(failure) => Happened::Failed { kind: failure.kind, text: failure.error.message().to_string() },
        // A client is never sent stream invocations, cancellations or upload streams by a
        // well-behaved server; `Resumed` shows in the stats.
        _ => Happened::Nothing,
    }
}
