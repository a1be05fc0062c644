//! Fuzzing entry point for the connection: it drives one server or client connection with
//! arbitrary bytes, times and actions and checks invariants, not only the absence of panics.
//! The cargo-fuzz target `connection` calls [`connection`], and the tests replay the committed
//! seeds through it.
//!
//! Input layout (read with [`arbitrary::Unstructured`], one byte at a time, so that seeds are
//! easy to write; [`SeedBuilder`] writes them):
//!
//! - three setup bytes: role, protocol, stateful reconnect and limits (see [`Setup`]);
//! - then operations, each a tag byte and its arguments (see `Harness::step`): raw input from the peer,
//!   well-formed peer messages written with the protocol in use, time passing, transport lost
//!   and attached, polling events and transmits, and every action of the owner.
//!
//! Invariants checked after every operation: the input held never exceeds the receive window;
//! the replay buffer never holds more than its budget plus one message, and an action that
//! adds to it was admitted under the budget; once failed or closed, no event but the ones
//! queued before, no failure lost, and every action is refused; `poll_timeout` is `None`
//! exactly when closed.

use core::time::Duration;

use arbitrary::Unstructured;
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Encode, HubMessage, HubProtocol, Invocation, Limits, Outcome,
    StreamInvocation, StreamItem, Text,
};
use signalr_codec_json::JsonHubProtocol;
use signalr_codec_msgpack::MessagePackHubProtocol;

use signalr_codec_connection::{
    AnyProtocol, CallId, Config, Connection, Event, Fixed, Heap, Instant, InvocationHandle, Request, SendError, State,
    StreamHandle, UploadId,
};

/// How many handles of each kind the harness remembers.
const REMEMBERED: usize = 32;

/// A payload the harness writes: one number, or an argument array holding it. One type for
/// both, because a message has one payload type.
#[derive(Debug, Clone, Copy)]
pub enum Value {
    /// An item or a result: `n`.
    One(u8),
    /// Arguments: `[n]`.
    Arguments(u8),
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::One(n) => s.serialize_u8(n),
            Value::Arguments(n) => [n].serialize(s),
        }
    }
}

/// A protocol the harness can write payloads for.
pub trait FuzzProtocol: HubProtocol + Clone {
    /// The payload, serialized with this protocol.
    fn value(value: Value) -> impl Encode<Self>;
}

impl FuzzProtocol for JsonHubProtocol {
    fn value(value: Value) -> impl Encode<Self> {
        signalr_codec_json::Serialized(value)
    }
}

impl FuzzProtocol for MessagePackHubProtocol {
    fn value(value: Value) -> impl Encode<Self> {
        signalr_codec_msgpack::Serialized(value)
    }
}

impl FuzzProtocol for AnyProtocol {
    fn value(value: Value) -> impl Encode<Self> {
        signalr_codec_json::Serialized(value)
    }
}

/// The first three bytes.
///
/// - byte 0: bit 0 client (else server); bits 1–2 protocol (0 JSON, 1 MessagePack, 2–3 both
///   as `AnyProtocol` on a server, JSON on a client); bit 3 stateful reconnect; bit 4 a tight
///   size limit (512 bytes) and receive window; bit 5 detailed errors; bit 6 a text-only
///   transport; bit 7 fixed storage (`Fixed<2048, 4, 4, 8>`).
/// - byte 1: the replay budget, in units of 16 bytes.
/// - byte 2: bits 0–1 parallel invocations − 1; bits 2–3 upload item budget (0: none); bits
///   4–6 tracked peer entries − 1; bit 7 a Ping after the client's handshake.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    flags: u8,
    budget: u8,
    limits: u8,
}

impl Setup {
    fn client(&self) -> bool {
        self.flags & 1 != 0
    }

    fn limits(&self) -> Limits {
        let size = if self.flags & 0x10 != 0 { 512 } else { signalr_codec_core::limits::DEFAULT_MAX_MESSAGE_SIZE };
        Limits::default().with_max_message_size(Some(size))
    }

    fn config(&self) -> Config {
        let base = if self.client() { Config::client() } else { Config::server() };
        let capacity = (self.limits >> 2) & 3;
        base.with_stateful_reconnect(self.flags & 0x08 != 0)
            .with_receive_buffer_size(if self.flags & 0x10 != 0 { 256 } else { 64 * 1024 })
            .with_detailed_errors(self.flags & 0x20 != 0)
            .with_binary_transport(self.flags & 0x40 == 0)
            .with_reconnect_buffer_size(usize::from(self.budget) * 16)
            .with_max_parallel_invocations(usize::from(self.limits & 3) + 1)
            .with_stream_buffer_capacity((capacity != 0).then_some(usize::from(capacity)))
            .with_max_tracked(usize::from((self.limits >> 4) & 7) + 1)
            .with_ping_after_handshake(self.limits & 0x80 != 0)
            .with_ack_interval(Duration::from_millis(500))
    }
}

/// One input: a connection driven by the operations in `data`.
pub fn connection(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let setup = Setup { flags: byte(&mut u), budget: byte(&mut u), limits: byte(&mut u) };
    let limits = setup.limits();
    let json = JsonHubProtocol::with_limits(limits);
    let msgpack = MessagePackHubProtocol::with_limits(limits);
    let fixed = setup.flags & 0x80 != 0;
    match ((setup.flags >> 1) & 3, setup.client(), fixed) {
        (0, _, false) => run::<_, Heap>(json, &[json], setup, u),
        (0, _, true) => run::<_, Fixed<2048, 4, 4, 8>>(json, &[json], setup, u),
        (1, _, false) => run::<_, Heap>(msgpack, &[msgpack], setup, u),
        (1, _, true) => run::<_, Fixed<2048, 4, 4, 8>>(msgpack, &[msgpack], setup, u),
        (_, true, _) => run::<_, Heap>(json, &[json], setup, u),
        (_, false, _) => {
            let any = AnyProtocol::all_with_limits(limits);
            if fixed {
                run::<_, Fixed<2048, 4, 4, 8>>(any[0], &any, setup, u)
            } else {
                run::<_, Heap>(any[0], &any, setup, u)
            }
        }
    }
}

fn byte(u: &mut Unstructured<'_>) -> u8 {
    u.arbitrary().unwrap_or(0)
}

fn pick<T: Copy>(items: &[T], index: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(index) % items.len()])
}

fn remember<T>(items: &mut Vec<T>, item: T) {
    if items.len() == REMEMBERED {
        items.remove(0);
    }
    items.push(item);
}

/// What the harness knows about the connection it drives.
struct Harness<P: FuzzProtocol, S: signalr_codec_connection::Store> {
    conn: Connection<P, S>,
    setup: Setup,
    now: Instant,
    invocations: Vec<InvocationHandle>,
    uploads_in: Vec<StreamHandle>,
    calls: Vec<CallId>,
    uploads_out: Vec<UploadId>,
    /// A Failed or Closed event was seen.
    ended: bool,
    /// The owner closed the connection.
    closed_by_owner: bool,
    /// Bytes the peer-message operation builds.
    scratch: Vec<u8>,
    /// The replay buffer's bytes before the current operation.
    unacked: usize,
}

/// The bound on one message this connection can write: the payloads the harness writes are
/// tiny, but the error Completion for a reused stream id repeats the peer's id twice.
fn largest_message(limits: &Limits) -> usize {
    2 * limits.max_message_size.unwrap_or(usize::MAX / 4) + 128
}

/// Drives one connection; see the module documentation for the operations.
fn run<P: FuzzProtocol, S: signalr_codec_connection::Store>(
    client_protocol: P,
    offered: &[P],
    setup: Setup,
    mut u: Unstructured<'_>,
) {
    let config = setup.config();
    let now = Instant::from_millis(1_000_000);
    let conn = if setup.client() {
        Connection::<P, S>::client_in(client_protocol, config, now)
    } else {
        Connection::<P, S>::server_in(offered.iter().cloned(), config, now)
    };
    let mut h = Harness {
        conn,
        setup,
        now,
        invocations: Vec::new(),
        uploads_in: Vec::new(),
        calls: Vec::new(),
        uploads_out: Vec::new(),
        ended: false,
        closed_by_owner: false,
        scratch: Vec::new(),
        unacked: 0,
    };
    h.check();
    while !u.is_empty() {
        let tag = byte(&mut u) % 16;
        let (a, b) = (byte(&mut u), byte(&mut u));
        h.step(tag, a, b, &mut u);
        h.check();
    }
    // Whatever is left: all events, all output.
    h.poll(0);
    h.check();
    while h.conn.poll_transmit().is_some() {}
}

impl<P: FuzzProtocol, S: signalr_codec_connection::Store> Harness<P, S> {
    fn step(&mut self, tag: u8, a: u8, b: u8, u: &mut Unstructured<'_>) {
        self.unacked = self.conn.stats().unacked_bytes;
        match tag {
            // Raw bytes from the peer: `a` bytes follow.
            0 => {
                let n = usize::from(a).min(u.len());
                let bytes = u.bytes(n).unwrap_or_default().to_vec();
                self.input(&bytes);
            }
            // Time passes: `a`·256 + `b` milliseconds (backwards for the connection when `a`
            // is 255: it must ignore a clock that runs back).
            1 => {
                let ms = u64::from(a) * 256 + u64::from(b);
                if a == 255 {
                    self.conn.handle_timeout(Instant::from_millis(self.now.as_millis() - ms));
                } else {
                    self.now = Instant::from_millis(self.now.as_millis() + ms);
                    self.conn.handle_timeout(self.now);
                }
            }
            // To the next deadline.
            2 => {
                if let Some(at) = self.conn.poll_timeout() {
                    self.now = self.now.max(at);
                    self.conn.handle_timeout(self.now);
                }
            }
            3 => self.conn.transport_lost(self.now),
            4 => {
                let detached = self.conn.state() == State::Detached;
                assert_eq!(self.conn.attach_transport(self.now), detached);
            }
            // Up to `a` events (0: all).
            5 => self.poll(a),
            6 => while self.conn.poll_transmit().is_some() {},
            7 => self.request(a, b),
            8 => {
                let Some(handle) = pick(&self.invocations, a) else { return };
                let result = match b % 3 {
                    0 => self.conn.complete(handle, P::value(Value::One(b))),
                    1 => self.conn.complete_void(handle),
                    _ => self.conn.complete_error(handle, "It failed"),
                };
                self.acted(result, true);
            }
            9 => {
                let Some(handle) = pick(&self.invocations, a) else { return };
                let result = self.conn.stream_item(handle, P::value(Value::One(b)));
                self.acted(result, true);
            }
            10 => {
                let Some(call) = pick(&self.calls, a) else { return };
                let result = self.conn.cancel(call);
                self.acted(result, true);
            }
            11 => {
                let error = (a & 1 != 0).then_some("bye");
                let result = self.conn.close(error, a & 2 != 0);
                if result.is_ok() {
                    self.closed_by_owner = true;
                    assert!(self.conn.is_closed());
                }
                self.acted(result, false);
            }
            12 => {
                if let Some(stream) = pick(&self.uploads_in, a) {
                    self.conn.release_upload_items(stream, usize::from(b));
                }
            }
            13 => {
                let Some(upload) = pick(&self.uploads_out, a) else { return };
                let result = self.conn.upload_item(upload, P::value(Value::One(b)));
                self.acted(result, true);
            }
            14 => {
                let Some(upload) = pick(&self.uploads_out, a) else { return };
                let result = self.conn.end_upload(upload, (b & 1 != 0).then_some("It failed"));
                self.acted(result, true);
            }
            _ => self.peer_message(a, b),
        }
    }

    fn input(&mut self, bytes: &[u8]) {
        let detached = matches!(self.conn.state(), State::Detached | State::Closed);
        let taken = self.conn.handle_input(self.now, bytes);
        assert!(taken <= bytes.len());
        if detached {
            assert_eq!(taken, bytes.len(), "a connection without transport drops its input");
        }
    }

    /// Polls up to `max` events (0: until none), remembering the handles they carry.
    fn poll(&mut self, max: u8) {
        let mut polled = 0;
        loop {
            let closed_before = self.conn.is_closed();
            // The event borrows the connection: it ends with this block.
            let (kind, handle, uploads) = {
                let Some(event) = self.conn.poll_event() else { break };
                match event {
                    Event::Invocation(inc) | Event::StreamInvocation(inc) => {
                        (EventKind::Invocation, inc.handle, Some(inc.uploads))
                    }
                    other => (EventKind::of(&other), None, None),
                }
            };
            assert!(!self.ended, "{kind:?} after the connection failed or closed");
            if closed_before {
                // Only what was queued before the close: nothing read, nothing new.
                assert!(matches!(kind, EventKind::Queued | EventKind::Failed), "{kind:?} after the close");
            }
            if let Some(handle) = handle {
                remember(&mut self.invocations, handle);
            }
            for stream in uploads.iter().flat_map(|u| u.iter()) {
                remember(&mut self.uploads_in, stream);
            }
            let terminal = matches!(kind, EventKind::Failed | EventKind::Closed);
            if terminal {
                self.ended = true;
                assert!(self.conn.is_closed(), "a failure or close event on an open connection");
            }
            polled += 1;
            if max != 0 && polled == max {
                break;
            }
            self.check();
        }
    }

    fn request(&mut self, a: u8, b: u8) {
        let uploads = usize::from(a / 3 % 3);
        let args = P::value(Value::Arguments(b));
        let request = match a % 3 {
            0 => Request::invoke("Add", args),
            1 => Request::send("Add", args),
            _ => Request::stream("Counter", args),
        }
        .with_uploads(uploads);
        let result = self.conn.request(request);
        if let Ok(issued) = &result {
            if let Some(call) = issued.call {
                remember(&mut self.calls, call);
            }
            for upload in issued.uploads() {
                remember(&mut self.uploads_out, upload);
            }
        }
        self.acted(result.map(|_| ()), true);
    }

    /// Checks an action's result against the state it ran in (`self.unacked` is the replay
    /// buffer before it).
    fn acted(&mut self, result: Result<(), SendError>, counted: bool) {
        if self.conn.is_closed() && !(result.is_ok() && self.closed_by_owner) {
            assert!(
                matches!(result, Err(SendError::Closed | SendError::Unknown | SendError::NotAllowed)),
                "an action on a closed connection: {result:?}"
            );
        }
        if result.is_ok() && counted && self.conn.handshake().is_some_and(|h| h.stateful_reconnect) {
            // Admitted under the budget, and kept for replay.
            let budget = self.conn.config().reconnect_buffer_size;
            assert!(self.unacked < budget, "a send admitted with {} bytes unacknowledged", self.unacked);
            assert!(self.conn.stats().unacked_bytes > self.unacked);
        }
        if let Err(SendError::Backpressure) = result {
            let budget = self.conn.config().reconnect_buffer_size;
            assert!(self.conn.stats().unacked_bytes >= budget, "back-pressure under the budget");
        }
    }

    /// A well-formed message from the peer, written with the protocol in use (the handshake
    /// while there is none).
    fn peer_message(&mut self, a: u8, b: u8) {
        self.scratch.clear();
        let mut out = core::mem::take(&mut self.scratch);
        if self.conn.state() == State::Handshake {
            if self.setup.client() {
                let _ = match a % 4 {
                    0 => HandshakeResponse::error("Handshake was canceled.").write(&mut out),
                    _ => HandshakeResponse::success().write(&mut out),
                };
            } else {
                let name = ["json", "messagepack", "xml", ""][usize::from(a % 4)];
                let _ = HandshakeRequest::new(name, i32::from(b % 3)).write(&mut out);
            }
        } else if let Some(protocol) = self.conn.protocol().cloned() {
            let id = number(u64::from(b % 8));
            let call = pick(&self.calls, b).map_or_else(|| number(b.into()), |c| number(c.0));
            let stream_ids = ["0", "1", "2"];
            let ids = signalr_codec_core::StreamIds::from_slice(&stream_ids[..usize::from(a / 16 % 3)]);
            let value = P::value(Value::One(b));
            let args = P::value(Value::Arguments(b));
            let message: HubMessage<'_, _> = match a % 16 {
                0 | 1 => HubMessage::Invocation(Invocation {
                    invocation_id: Some(Text::borrowed(&id)),
                    stream_ids: ids,
                    ..Invocation::new("Add", args)
                }),
                2 => HubMessage::Invocation(Invocation { stream_ids: ids, ..Invocation::new("Send", args) }),
                3 => HubMessage::StreamInvocation(StreamInvocation {
                    stream_ids: ids,
                    ..StreamInvocation::new(Text::borrowed(&id), "Counter", args)
                }),
                4 => HubMessage::StreamItem(StreamItem::new(Text::borrowed(&call), value)),
                5 => HubMessage::StreamItem(StreamItem::new(stream_ids[usize::from(b % 3)], value)),
                6 => HubMessage::Completion(Completion::result(Text::borrowed(&call), value)),
                7 => HubMessage::Completion(Completion {
                    headers: signalr_codec_core::Headers::empty(),
                    invocation_id: Text::borrowed(&call),
                    outcome: Outcome::Void,
                }),
                8 => HubMessage::Completion(Completion {
                    headers: signalr_codec_core::Headers::empty(),
                    invocation_id: Text::borrowed(stream_ids[usize::from(b % 3)]),
                    outcome: if b & 8 != 0 { Outcome::Error(Text::borrowed("It failed")) } else { Outcome::Void },
                }),
                9 => HubMessage::CancelInvocation(CancelInvocation::new(Text::borrowed(&id))),
                10 | 11 => HubMessage::Ping,
                12 => HubMessage::Ack { sequence_id: i64::from(b) },
                13 => HubMessage::Sequence { sequence_id: i64::from(b % 16) },
                14 => HubMessage::Close(Close {
                    error: (b & 1 != 0).then(|| Text::borrowed("bye")),
                    allow_reconnect: b & 2 != 0,
                }),
                _ => HubMessage::Invocation(Invocation {
                    invocation_id: Some(Text::borrowed(&id)),
                    ..Invocation::new("Add", args)
                }),
            };
            let _ = protocol.write(&message, &mut out);
        }
        let bytes = core::mem::take(&mut out);
        self.input(&bytes);
        self.scratch = bytes;
    }

    /// The invariants that hold between any two operations.
    fn check(&mut self) {
        let (held, window) = self.conn.input_window();
        assert!(held <= window, "{held} input bytes held, over the {window}-byte window");
        let stats = self.conn.stats();
        let config = self.conn.config();
        let limits = self.setup.limits();
        assert!(
            stats.unacked_bytes <= config.reconnect_buffer_size + largest_message(&limits),
            "{} bytes unacknowledged, over the budget of {} plus one message",
            stats.unacked_bytes,
            config.reconnect_buffer_size
        );
        assert_eq!(self.conn.poll_timeout().is_none(), self.conn.is_closed(), "a deadline exactly while open");
        if self.conn.is_closed() {
            // Closed: every action is refused, and the owner heard why unless it closed.
            assert_eq!(self.conn.invoke("Add", P::value(Value::Arguments(0))), Err(SendError::Closed));
            assert_eq!(self.conn.send("Add", P::value(Value::Arguments(0))), Err(SendError::Closed));
            assert_eq!(self.conn.close(None, false), Err(SendError::Closed));
            if let Some(handle) = self.invocations.first().copied() {
                assert!(matches!(self.conn.complete_void(handle), Err(SendError::Closed | SendError::Unknown)));
            }
            if !self.ended && !self.closed_by_owner {
                // A failure is queued; it must come out (and nothing after it).
                let mut failed = false;
                while let Some(event) = self.conn.poll_event() {
                    assert!(!failed, "an event after the failure");
                    failed |= matches!(EventKind::of(&event), EventKind::Failed | EventKind::Closed);
                }
                assert!(failed, "the connection closed without telling why");
                self.ended = true;
            }
        }
    }
}

/// The decimal text of `n`.
fn number(n: u64) -> String {
    format!("{n}")
}

/// What kind of event came (payload types need not be `Debug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    /// Queued without reading input: Connected, Resumed, Writable.
    Queued,
    Invocation,
    /// A message of the peer's other than an invocation.
    Message,
    Closed,
    Failed,
}

impl EventKind {
    fn of<V, O: signalr_codec_core::ownership::Ownership>(event: &Event<'_, V, O>) -> Self {
        match event {
            Event::Connected(_) | Event::Resumed | Event::Writable => EventKind::Queued,
            Event::Invocation(_) | Event::StreamInvocation(_) => EventKind::Invocation,
            Event::Closed { .. } => EventKind::Closed,
            Event::Failed(_) => EventKind::Failed,
            _ => EventKind::Message,
        }
    }
}

/// Writes inputs for [`connection`]: the committed seeds come from it.
#[derive(Debug, Clone, Default)]
pub struct SeedBuilder(Vec<u8>);

impl SeedBuilder {
    /// A seed with these setup bytes (see [`Setup`]).
    pub fn new(flags: u8, budget: u8, limits: u8) -> Self {
        SeedBuilder(vec![flags, budget, limits])
    }

    fn op(mut self, tag: u8, a: u8, b: u8) -> Self {
        self.0.extend_from_slice(&[tag, a, b]);
        self
    }

    /// Raw bytes from the peer, in chunks of at most 255.
    pub fn input(mut self, bytes: &[u8]) -> Self {
        for chunk in bytes.chunks(255) {
            self.0.extend_from_slice(&[0, chunk.len() as u8, 0]);
            self.0.extend_from_slice(chunk);
        }
        self
    }

    /// Time passes.
    pub fn wait(self, millis: u16) -> Self {
        let [hi, lo] = millis.to_be_bytes();
        self.op(1, hi.min(254), lo)
    }

    /// To the next deadline.
    pub fn deadline(self) -> Self {
        self.op(2, 0, 0)
    }

    /// The transport is lost.
    pub fn lost(self) -> Self {
        self.op(3, 0, 0)
    }

    /// A new transport.
    pub fn attach(self) -> Self {
        self.op(4, 0, 0)
    }

    /// Every event.
    pub fn poll(self) -> Self {
        self.op(5, 0, 0)
    }

    /// Every transmit.
    pub fn transmit(self) -> Self {
        self.op(6, 0, 0)
    }

    /// An action (tags 7–14) with its two argument bytes.
    pub fn action(self, tag: u8, a: u8, b: u8) -> Self {
        self.op(tag, a, b)
    }

    /// A well-formed peer message of kind `a` (or the handshake) with argument `b`.
    pub fn peer(self, a: u8, b: u8) -> Self {
        self.op(15, a, b)
    }

    /// The input.
    pub fn build(self) -> Vec<u8> {
        self.0
    }
}

/// The committed seeds: names and inputs (`tests/fuzz_seeds.rs` checks they match the files).
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let json_request = b"{\"protocol\":\"json\",\"version\":2}\x1e".as_slice();
    let msgpack_request = b"{\"protocol\":\"messagepack\",\"version\":1}\x1e".as_slice();
    let json_calls = b"{\"type\":1,\"invocationId\":\"1\",\"target\":\"Add\",\"arguments\":[1,2]}\x1e{\"type\":6}\x1e{\"type\":4,\"invocationId\":\"2\",\"target\":\"Counter\",\"arguments\":[3],\"streamIds\":[\"s\"]}\x1e{\"type\":2,\"invocationId\":\"s\",\"item\":7}\x1e{\"type\":5,\"invocationId\":\"2\"}\x1e".as_slice();
    let msgpack_call = [0x0c, 0x96, 0x01, 0x80, 0xa1, b'1', 0xa3, b'A', b'd', b'd', 0x92, 0x01, 0x02, 0x90];
    let stateful = 0x08;
    let any = 0x04;
    let msgpack = 0x02;
    let client = 0x01;
    vec![
        ("server_json_handshake", SeedBuilder::new(0, 0, 0).input(json_request).poll().transmit().build()),
        (
            "server_json_calls",
            SeedBuilder::new(0, 0, 0)
                .input(json_request)
                .input(json_calls)
                .poll()
                .action(8, 0, 0)
                .poll()
                .transmit()
                .build(),
        ),
        (
            "server_msgpack_call",
            SeedBuilder::new(msgpack, 0, 0)
                .input(msgpack_request)
                .input(&msgpack_call)
                .poll()
                .action(8, 0, 1)
                .transmit()
                .build(),
        ),
        (
            "server_any_msgpack",
            SeedBuilder::new(any, 0, 0).input(msgpack_request).input(&msgpack_call).poll().action(8, 0, 2).build(),
        ),
        (
            "server_any_json_stateful",
            SeedBuilder::new(any | stateful, 8, 0)
                .input(json_request)
                .input(json_calls)
                .poll()
                .action(8, 0, 0)
                .wait(1000)
                .lost()
                .action(9, 0, 5)
                .attach()
                .peer(13, 1)
                .poll()
                .transmit()
                .build(),
        ),
        (
            "server_stateful_backpressure",
            SeedBuilder::new(stateful, 1, 0x03)
                .peer(0, 2)
                .poll()
                .peer(3, 1)
                .poll()
                .action(9, 0, 1)
                .action(9, 0, 2)
                .action(9, 0, 3)
                .peer(12, 1)
                .poll()
                .action(9, 0, 4)
                .build(),
        ),
        (
            "server_msgpack_stateful_replay",
            SeedBuilder::new(msgpack | stateful, 4, 0)
                .peer(1, 1)
                .poll()
                .peer(0, 1)
                .peer(0, 2)
                .poll()
                .action(8, 0, 0)
                .lost()
                .action(8, 1, 0)
                .attach()
                .peer(13, 0)
                .peer(0, 1)
                .peer(12, 2)
                .poll()
                .deadline()
                .transmit()
                .build(),
        ),
        (
            "server_sequence_too_high",
            SeedBuilder::new(stateful, 8, 0).peer(0, 2).poll().lost().attach().peer(13, 9).poll().build(),
        ),
        (
            "server_uploads",
            SeedBuilder::new(0, 0, 0x04)
                .peer(0, 0)
                .poll()
                .peer(0x20, 1)
                .peer(5, 0)
                .peer(5, 0)
                .poll()
                .action(12, 0, 1)
                .peer(8, 0)
                .peer(8, 8)
                .poll()
                .build(),
        ),
        (
            "server_duplicate_stream",
            SeedBuilder::new(0, 0, 0).peer(0, 0).peer(3, 1).peer(3, 1).peer(9, 1).poll().action(8, 0, 1).build(),
        ),
        ("server_handshake_timeout", SeedBuilder::new(0, 0, 0).input(b"{\"protocol\":").wait(16_000).poll().build()),
        ("server_bad_protocol", SeedBuilder::new(0, 0, 0).peer(2, 1).poll().transmit().build()),
        ("server_text_transport", SeedBuilder::new(0x40 | msgpack, 0, 0).peer(1, 1).poll().build()),
        (
            "server_garbage_after_handshake",
            SeedBuilder::new(0, 0, 0)
                .input(json_request)
                .input(b"{\"type\":1,\"target\":}\x1e")
                .poll()
                .transmit()
                .build(),
        ),
        (
            "server_timeouts",
            SeedBuilder::new(0, 0, 0).peer(0, 1).poll().deadline().transmit().deadline().deadline().poll().build(),
        ),
        ("server_tight_window", SeedBuilder::new(0x10, 0, 0).peer(0, 1).poll().input(&[b'x'; 600]).poll().build()),
        (
            "server_fixed_storage",
            SeedBuilder::new(0x80 | stateful, 255, 0).peer(0, 1).poll().peer(0, 2).poll().action(8, 0, 0).build(),
        ),
        (
            "server_too_many_tracked",
            SeedBuilder::new(0, 0, 0x03).peer(0, 1).poll().peer(3, 1).peer(3, 2).peer(3, 3).poll().build(),
        ),
        ("server_close", SeedBuilder::new(0, 0, 0).peer(0, 1).poll().action(11, 3, 0).action(7, 0, 0).poll().build()),
        ("server_peer_close", SeedBuilder::new(0, 0, 0).peer(0, 1).poll().peer(14, 3).poll().build()),
        (
            "client_json_calls",
            SeedBuilder::new(client, 0, 0)
                .transmit()
                .peer(1, 0)
                .poll()
                .action(7, 0, 1)
                .action(7, 2, 2)
                .action(7, 3, 3)
                .peer(6, 0)
                .peer(4, 1)
                .peer(7, 1)
                .poll()
                .action(10, 1, 0)
                .action(13, 0, 1)
                .action(14, 0, 0)
                .transmit()
                .build(),
        ),
        (
            "client_msgpack_stateful",
            SeedBuilder::new(client | msgpack | stateful, 16, 0x80)
                .transmit()
                .peer(1, 0)
                .poll()
                .action(7, 0, 1)
                .peer(0, 3)
                .poll()
                .action(8, 0, 0)
                .lost()
                .action(7, 1, 2)
                .attach()
                .peer(13, 0)
                .peer(12, 9)
                .poll()
                .wait(600)
                .transmit()
                .build(),
        ),
        ("client_refused", SeedBuilder::new(client, 0, 0).peer(0, 0).poll().build()),
        (
            "client_server_timeout",
            SeedBuilder::new(client | msgpack, 0, 0).peer(1, 0).poll().deadline().deadline().deadline().poll().build(),
        ),
        (
            "client_raw_response_and_ping",
            SeedBuilder::new(client | msgpack, 0, 0)
                .input(b"{}\x1e\x02\x91\x06")
                .poll()
                .transmit()
                .lost()
                .poll()
                .build(),
        ),
    ]
}
