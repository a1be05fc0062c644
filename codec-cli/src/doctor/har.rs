//! Reading a HAR file (or a raw capture) into requests and connections with their frames.
//!
//! HAR 1.2 as Chromium-based browsers export it: `log.entries[]` with `startedDateTime`,
//! `time` (ms), `request.{method,url,postData.text}`, `response.{status,content.{text,encoding}}`
//! and, for WebSockets, `_webSocketMessages[]` of `{type: "send"|"receive", time (s since the
//! epoch), opcode (1 text, 2 binary as base64), data}`. Firefox writes the same entries; its
//! exports carry the HTTP requests (negotiate, long polling, Server-Sent Events) and, when
//! present, WebSocket messages in the same `_webSocketMessages` layout.

use base64::Engine as _;
use serde_json::Value;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client → server.
    Send,
    /// Server → client.
    Receive,
}

impl Direction {
    /// `send` / `receive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Send => "send",
            Direction::Receive => "receive",
        }
    }
}

/// One transport message: a WebSocket frame, a long-polling body, a Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The HAR entry it came from.
    pub entry: usize,
    /// Its index in the entry's `_webSocketMessages` (WebSockets only).
    pub message: Option<usize>,
    /// Which way it went.
    pub direction: Direction,
    /// Seconds since the epoch, when the HAR says.
    pub time: Option<f64>,
    /// Its bytes (binary frames decoded from base64).
    pub data: Vec<u8>,
    /// A binary frame (opcode 2, or a base64 body).
    pub binary: bool,
}

/// The transport a connection used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `WebSockets`.
    WebSockets,
    /// `ServerSentEvents` (receive) with POSTs (send).
    ServerSentEvents,
    /// `LongPolling`: GETs (receive) and POSTs (send).
    LongPolling,
    /// A raw capture of one direction, as `inspect` reads.
    Raw,
}

impl Transport {
    /// The name negotiate uses (`Raw` for a raw capture).
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::WebSockets => "WebSockets",
            Transport::ServerSentEvents => "ServerSentEvents",
            Transport::LongPolling => "LongPolling",
            Transport::Raw => "Raw",
        }
    }
}

/// An HTTP request of the HAR.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Its index in `log.entries`.
    pub entry: usize,
    /// `GET`, `POST`, …
    pub method: String,
    /// The URL, query included.
    pub url: String,
    /// `startedDateTime`, seconds since the epoch.
    pub time: Option<f64>,
    /// The response status (0: no response, as browsers record CORS and network failures).
    /// A WebSocket handshake the server refused is recorded by Chromium as status 0 with the
    /// status only in its error text; that status is taken from there.
    pub status: i64,
    /// The browser's error for a request that failed (Chromium's `response._error`).
    pub error: Option<String>,
    /// The response body as text, when the HAR holds it.
    pub body: Option<String>,
}

impl Request {
    /// The value of the query parameter `name` (undecoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        query(&self.url, name)
    }

    /// The URL's path ends with `/negotiate`.
    pub fn is_negotiate(&self) -> bool {
        let path = self.url.split(['?', '#']).next().unwrap_or("");
        path.trim_end_matches('/').ends_with("/negotiate")
    }
}

/// Host and path of a URL, without scheme, query or trailing slash: `example.test/hub`.
fn hub_path(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = path.split_once("://").map_or(path, |(_, rest)| rest);
    path.trim_end_matches('/')
}

/// The value of query parameter `name` in `url` (undecoded).
pub fn query<'u>(url: &'u str, name: &str) -> Option<&'u str> {
    let q = url.split_once('?')?.1.split('#').next().unwrap_or("");
    q.split('&').find_map(|pair| match pair.split_once('=') {
        Some((k, v)) if k == name => Some(v),
        None if pair == name => Some(""),
        _ => None,
    })
}

/// One SignalR connection: its transport requests and frames in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// The first entry of the connection.
    pub entry: usize,
    /// Every entry of the connection (its transport requests).
    pub entries: Vec<usize>,
    /// Its URL.
    pub url: String,
    /// The transport.
    pub transport: Transport,
    /// The `id` query parameter (the negotiate connection token), if any.
    pub id: Option<String>,
    /// When the first request started.
    pub started: Option<f64>,
    /// When its last WebSocket closed, seconds since the epoch: the entry's `startedDateTime`
    /// plus its `time` (a socket's entry lasts until it closes). None for the HTTP transports.
    pub ended: Option<f64>,
    /// Frames, both directions, in order.
    pub frames: Vec<Frame>,
    /// Only one direction was captured (a raw capture): nothing is judged across directions.
    pub one_direction: bool,
}

/// What a HAR (or raw capture) holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Capture {
    /// Every HTTP entry, in file order.
    pub requests: Vec<Request>,
    /// The SignalR connections found.
    pub connections: Vec<Connection>,
}

fn field<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn str_field<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    field(v, path).and_then(Value::as_str)
}

fn seconds(text: &str) -> Option<f64> {
    crate::rfc3339::parse(text).map(|(s, ns)| s as f64 + f64::from(ns) / 1e9)
}

fn base64(text: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|e| format!("invalid base64: {e}"))
}

/// Reads a HAR file. A file that is not a HAR is an error saying where it went wrong.
pub fn parse(input: &[u8]) -> Result<Capture, String> {
    let root: Value = serde_json::from_slice(input).map_err(|e| format!("not a HAR file: invalid JSON: {e}"))?;
    let entries =
        field(&root, &["log", "entries"]).and_then(Value::as_array).ok_or("not a HAR file: no log.entries array")?;
    // The hubs negotiated with: only their transport requests are SignalR connections (a page
    // has other requests with `id=` and other WebSockets, a dev server's reload socket).
    let hubs: Vec<String> = entries
        .iter()
        .filter_map(|e| str_field(e, &["request", "url"]))
        .filter_map(|url| {
            let path = hub_path(url);
            path.strip_suffix("/negotiate").map(str::to_owned)
        })
        .collect();
    let mut capture = Capture::default();
    for (i, entry) in entries.iter().enumerate() {
        let url = str_field(entry, &["request", "url"]).ok_or(format!("HAR entry {i}: no request.url"))?;
        let method = str_field(entry, &["request", "method"]).unwrap_or("GET").to_owned();
        let time = str_field(entry, &["startedDateTime"]).and_then(seconds);
        let error = str_field(entry, &["response", "_error"]).filter(|e| !e.is_empty()).map(str::to_owned);
        let status = match field(entry, &["response", "status"]).and_then(Value::as_i64).unwrap_or(0) {
            0 => error.as_deref().and_then(refused_handshake_status).unwrap_or(0),
            status => status,
        };
        let body = match str_field(entry, &["response", "content", "text"]) {
            Some(text) if str_field(entry, &["response", "content", "encoding"]) == Some("base64") => Some(
                base64(text)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .map_err(|e| format!("HAR entry {i}: response.content.text: {e}"))?,
            ),
            Some(text) => Some(text.to_owned()),
            None => None,
        };
        let request = Request { entry: i, method, url: url.to_owned(), time, status, error, body };
        let websocket = entry.get("_webSocketMessages").is_some()
            || url.starts_with("ws://")
            || url.starts_with("wss://")
            || status == 101;
        let of_hub = hubs.iter().any(|h| *h == hub_path(url));
        if websocket && !request.is_negotiate() {
            let frames = websocket_frames(i, entry)?;
            // Without negotiate (skipNegotiation), a socket whose client starts with a handshake.
            let handshake = frames.iter().find(|f| f.direction == Direction::Send).is_some_and(|f| {
                crate::codec::leading_handshake(&f.data, &signalr_codec_core::Limits::unlimited())
                    .is_some_and(|h| h.protocol.is_some())
            });
            if of_hub || handshake || (hubs.is_empty() && frames.is_empty()) {
                let c = add(&mut capture, &request, Transport::WebSockets, frames, true);
                let lasted = entry.get("time").and_then(Value::as_f64).filter(|t| *t > 0.0);
                if let (Some(start), Some(ms)) = (time, lasted) {
                    c.ended = Some(c.ended.map_or(start + ms / 1000.0, |e| e.max(start + ms / 1000.0)));
                }
            }
        } else if of_hub && request.query("id").is_some() && !request.is_negotiate() {
            http_frames(&mut capture, &request, entry)?;
        }
        capture.requests.push(request);
    }
    for c in &mut capture.connections {
        // Stable: frames with the same time (or none) keep their recorded order.
        c.frames.sort_by(|a, b| a.time.partial_cmp(&b.time).unwrap_or(std::cmp::Ordering::Equal));
    }
    Ok(capture)
}

/// The status in Chromium's error for a WebSocket handshake the server answered with something
/// other than 101: `Error during WebSocket handshake: Unexpected response code: 400`. Chromium
/// reports no response for such a handshake, so its HAR entry has status 0 and this text.
fn refused_handshake_status(error: &str) -> Option<i64> {
    let code = error.split_once("Unexpected response code: ")?.1;
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    code[..digits].parse().ok().filter(|s| (100..600).contains(s))
}

fn websocket_frames(i: usize, entry: &Value) -> Result<Vec<Frame>, String> {
    let Some(messages) = entry.get("_webSocketMessages") else { return Ok(Vec::new()) };
    let messages = messages.as_array().ok_or(format!("HAR entry {i}: _webSocketMessages is not an array"))?;
    let mut frames = Vec::new();
    for (m, message) in messages.iter().enumerate() {
        let at = || format!("HAR entry {i}, WebSocket message {m}");
        let direction = match message.get("type").and_then(Value::as_str) {
            Some("send") => Direction::Send,
            Some("receive") => Direction::Receive,
            other => return Err(format!("{}: type {other:?} is neither \"send\" nor \"receive\"", at())),
        };
        let opcode = message.get("opcode").and_then(Value::as_i64).unwrap_or(1);
        let data = message.get("data").and_then(Value::as_str).unwrap_or("");
        let (data, binary) = match opcode {
            1 => (data.as_bytes().to_vec(), false),
            2 => (base64(data).map_err(|e| format!("{}: {e}", at()))?, true),
            // Control frames carry no hub messages.
            _ => continue,
        };
        let time = message.get("time").and_then(Value::as_f64);
        frames.push(Frame { entry: i, message: Some(m), direction, time, data, binary });
    }
    Ok(frames)
}

/// Long polling and Server-Sent Events: GETs carry what the server sent, POSTs what the client
/// sent.
fn http_frames(capture: &mut Capture, request: &Request, entry: &Value) -> Result<(), String> {
    let i = request.entry;
    let event_stream =
        str_field(entry, &["response", "content", "mimeType"]).is_some_and(|m| m.starts_with("text/event-stream"));
    let mut frames = Vec::new();
    let transport = if event_stream { Transport::ServerSentEvents } else { Transport::LongPolling };
    match request.method.as_str() {
        "POST" => {
            if let Some(text) = str_field(entry, &["request", "postData", "text"]) {
                let binary = str_field(entry, &["request", "postData", "encoding"]) == Some("base64");
                let data = if binary {
                    base64(text).map_err(|e| format!("HAR entry {i}: request.postData.text: {e}"))?
                } else {
                    text.as_bytes().to_vec()
                };
                frames.push(Frame {
                    entry: i,
                    message: None,
                    direction: Direction::Send,
                    time: request.time,
                    data,
                    binary,
                });
            }
        }
        "GET" if event_stream => {
            for data in request.body.as_deref().map(sse_events).unwrap_or_default() {
                frames.push(Frame {
                    entry: i,
                    message: None,
                    direction: Direction::Receive,
                    time: request.time,
                    data,
                    binary: false,
                });
            }
        }
        "GET" => {
            if let Some(text) = str_field(entry, &["response", "content", "text"]) {
                let binary = str_field(entry, &["response", "content", "encoding"]) == Some("base64");
                let data = if binary {
                    base64(text).map_err(|e| format!("HAR entry {i}: response.content.text: {e}"))?
                } else {
                    text.as_bytes().to_vec()
                };
                let ends = entry.get("time").and_then(Value::as_f64).unwrap_or(0.0) / 1000.0;
                let time = request.time.map(|t| t + ends);
                if !data.is_empty() {
                    frames.push(Frame { entry: i, message: None, direction: Direction::Receive, time, data, binary });
                }
            }
        }
        _ => {}
    }
    // A POST joins the connection its GETs decide the transport of.
    let known = capture.connections.iter().any(|c| c.id.as_deref() == request.query("id"));
    if known || request.method != "POST" {
        add(capture, request, transport, frames, request.method == "GET");
    } else {
        add(capture, request, Transport::LongPolling, frames, false);
    }
    Ok(())
}

/// The data of each event of a Server-Sent Events body (`data:` lines joined by newlines).
fn sse_events(body: &str) -> Vec<Vec<u8>> {
    let mut events = Vec::new();
    let mut current: Option<String> = None;
    for line in body.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        if line.is_empty() {
            events.extend(current.take().map(String::into_bytes));
        } else if let Some(data) = line.strip_prefix("data:") {
            let data = data.strip_prefix(' ').unwrap_or(data);
            match &mut current {
                Some(c) => {
                    c.push('\n');
                    c.push_str(data);
                }
                None => current = Some(data.to_owned()),
            }
        }
    }
    events.extend(current.map(String::into_bytes));
    events
}

/// Adds frames to the connection with the request's `id` (a new one if none has it) and returns
/// that connection. `decides` says the request shows the transport.
fn add<'c>(
    capture: &'c mut Capture,
    request: &Request,
    transport: Transport,
    frames: Vec<Frame>,
    decides: bool,
) -> &'c mut Connection {
    let id = request.query("id").map(str::to_owned);
    let at = id.as_ref().and_then(|id| capture.connections.iter().position(|c| c.id.as_ref() == Some(id)));
    match at {
        Some(at) => {
            let c = &mut capture.connections[at];
            if decides && c.transport == Transport::LongPolling {
                c.transport = transport;
            }
            c.frames.extend(frames);
            c.entries.push(request.entry);
            c
        }
        None => {
            capture.connections.push(Connection {
                entry: request.entry,
                entries: vec![request.entry],
                url: request.url.clone(),
                transport,
                id,
                started: request.time,
                ended: None,
                frames,
                one_direction: false,
            });
            let last = capture.connections.len() - 1;
            &mut capture.connections[last]
        }
    }
}

/// A raw capture of one direction, as `inspect` reads it: one connection, one frame.
pub fn raw(input: &[u8]) -> Capture {
    let direction = match crate::codec::leading_handshake(input, &signalr_codec_core::Limits::unlimited()) {
        Some(h) if h.protocol.is_none() => Direction::Receive,
        _ => Direction::Send,
    };
    let binary = input.first().is_some_and(|b| *b != b'{');
    let frame = Frame { entry: 0, message: None, direction, time: None, data: input.to_vec(), binary };
    Capture {
        requests: Vec::new(),
        connections: vec![Connection {
            entry: 0,
            entries: Vec::new(),
            url: String::new(),
            transport: Transport::Raw,
            id: None,
            started: None,
            ended: None,
            frames: vec![frame],
            one_direction: true,
        }],
    }
}

/// A HAR file, or else a raw capture: JSON with `log` is a HAR (and must be a valid one);
/// anything that does not start as a JSON object, or holds a 0x1E separator, is a raw capture.
pub fn read(input: &[u8]) -> Result<Capture, String> {
    let start = input.iter().position(|b| !b.is_ascii_whitespace());
    let looks_json = start.is_some_and(|s| input[s] == b'{');
    if !looks_json || input.contains(&0x1e) {
        return Ok(raw(input));
    }
    parse(input)
}
