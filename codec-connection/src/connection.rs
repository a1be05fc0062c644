//! [`Connection`]: one hub connection as a state machine, either role. Bytes and time go in;
//! bytes to send, events and the next deadline come out.

use core::fmt::Write as _;

use signalr_codec_core::error::Arg;
use signalr_codec_core::frame::{Framer, RecordFramer, Status};
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::json;
use signalr_codec_core::{
    Close, Error, ErrorKind, HubMessage, HubProtocol, Limits, MessageType, Outcome, Parsed, StreamInvocation, Text,
    TransferFormat,
};
// Named only by `poll_event`'s invocation arm, which `small` leaves out.
#[cfg(not(feature = "small"))]
use signalr_codec_core::Invocation;
use signalr_codec_core::{Output as _, SliceOutput};

use crate::config::Config;
use crate::event::{Event, Failure, FailureKind, Handshake, Incoming};
use crate::outbox::{Outbox, Transmit};
use crate::reconnect::{self, AckDue, Arrival, Inbound};
use signalr_codec_core::NoPayload;

use crate::send::{Bare, Link};
#[cfg(feature = "alloc")]
use crate::storage::Heap;
use crate::storage::{Bytes, Sink, Store, Table};
use crate::time::Instant;
use crate::track::{self, CallKind, InvocationHandle, PeerKind, StreamHandle, TrackError, Uploads};

/// Most protocols a server offers one connection (JSON and MessagePack need two).
pub const MAX_PROTOCOLS: usize = 4;

/// Room for the protocols a connection may still choose from: a client has one, so a build
/// without the server role keeps one (a `MessagePackHubProtocol` is 24 bytes on a device).
const CANDIDATES: usize = if cfg!(feature = "server") { MAX_PROTOCOLS } else { 1 };

/// Which end of the connection this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Accepts the handshake, answers invocations, serves streams.
    Server,
    /// Sends the handshake, invokes methods, receives streams.
    Client,
}

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting for the handshake request (server) or response (client).
    Handshake,
    /// Hub messages flow.
    Open,
    /// Stateful reconnect: the transport was lost; sends are kept for replay until
    /// [`Connection::attach_transport`].
    Detached,
    /// Closed or failed: nothing more is received; pending output may remain.
    Closed,
}

/// Counters of what happened on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Keep-alive Pings sent.
    pub pings_sent: u64,
    /// Pings received.
    pub pings_received: u64,
    /// Hub messages received (all types, duplicates included).
    pub messages_received: u64,
    /// Counted messages dropped as already processed (stateful reconnect).
    pub duplicates_skipped: u64,
    /// Messages ignored because their id matched nothing tracked (as .NET logs and ignores them).
    pub unknown_ids: u64,
    /// Transports resumed with [`Connection::attach_transport`].
    pub resumed: u64,
    /// Counted messages sent and not yet acknowledged (stateful reconnect).
    pub unacked_messages: u64,
    /// Their bytes.
    pub unacked_bytes: usize,
}

macro_rules! connection_type {
    ($($default:tt)*) => {
        /// A hub connection, server or client, over any [`HubProtocol`]: sans-IO, no clock, `no_std`.
        ///
        /// The owner runs one loop, as with quinn-proto:
        ///
        /// 1. feed what happened: [`handle_input`](Self::handle_input) with the bytes the transport
        ///    delivered (any chunking), [`handle_timeout`](Self::handle_timeout) when the deadline from
        ///    [`poll_timeout`](Self::poll_timeout) passes, [`transport_lost`](Self::transport_lost) and
        ///    [`attach_transport`](Self::attach_transport), and actions such as
        ///    [`invoke`](Self::invoke) or [`complete`](Self::complete);
        /// 2. drain [`poll_event`](Self::poll_event) until `None`, acting on each event;
        /// 3. send what [`poll_transmit`](Self::poll_transmit) hands out, one transport message each;
        /// 4. sleep until [`poll_timeout`](Self::poll_timeout) or the next input.
        ///
        /// Events borrow the input buffer (strings and raw payloads are not copied) and transmits
        /// borrow the output buffer: each borrow ends with the next call on the connection.
        ///
        /// ```
        /// use signalr_codec_connection::{Config, Connection, Event, Instant};
        /// use signalr_codec_json::{JsonHubProtocol, Serialized};
        ///
        /// let t0 = Instant::from_millis(0);
        /// let mut server = Connection::server([JsonHubProtocol::new()], Config::server(), t0);
        /// let mut client = Connection::client(JsonHubProtocol::new(), Config::client(), t0);
        ///
        /// // Wire the two together in memory until both are quiet.
        /// fn pump(from: &mut Connection<JsonHubProtocol>, to: &mut Connection<JsonHubProtocol>) {
        ///     while let Some(t) = from.poll_transmit() {
        ///         let bytes = t.bytes.to_vec();
        ///         assert_eq!(to.handle_input(Instant::from_millis(0), &bytes), bytes.len());
        ///     }
        /// }
        /// pump(&mut client, &mut server);
        /// assert!(matches!(server.poll_event(), Some(Event::Connected(_))));
        /// pump(&mut server, &mut client);
        /// assert!(matches!(client.poll_event(), Some(Event::Connected(_))));
        ///
        /// let call = client.invoke("Add", Serialized((1, 2))).unwrap();
        /// pump(&mut client, &mut server);
        /// let handle = match server.poll_event() {
        ///     Some(Event::Invocation(inv)) => {
        ///         assert_eq!(inv.target, "Add");
        ///         let (a, b): (i64, i64) = inv.arguments.bind().unwrap();
        ///         assert_eq!(a + b, 3);
        ///         inv.handle.unwrap()
        ///     }
        ///     other => panic!("{other:?}"),
        /// };
        /// server.complete(handle, Serialized(3)).unwrap();
        /// pump(&mut server, &mut client);
        /// match client.poll_event() {
        ///     Some(Event::Completion { call: c, outcome }) => {
        ///         assert_eq!(c, call);
        ///         assert_eq!(outcome.result().unwrap().get(), "3");
        ///     }
        ///     other => panic!("{other:?}"),
        /// }
        /// ```
        pub struct Connection<P: HubProtocol, S: Store $($default)*> {
            input: Input<S::Bytes>,
            core: Core<P, S>,
        }
    };
}

// `Heap` is the default storage where there is an allocator; without one, storage is named.
#[cfg(feature = "alloc")]
connection_type!(= Heap);
#[cfg(not(feature = "alloc"))]
connection_type!();

/// Input not yet processed; `pos` bytes at the front were processed (dropped lazily, because
/// the last event may still borrow them).
#[derive(Debug, Default)]
struct Input<B> {
    buf: B,
    pos: usize,
}

pub(crate) struct Core<P: HubProtocol, S: Store> {
    pub(crate) role: Role,
    pub(crate) config: Config,
    candidates: heapless::Vec<P, CANDIDATES>,
    handshake_limits: Limits,
    handshake_framer: RecordFramer,
    framer: Option<P::Framer>,
    pub(crate) link: Link<P, S::Bytes>,
    inbound: Inbound,
    pub(crate) calls: S::Calls,
    pub(crate) peer: S::Peer,
    peer_active: usize,
    pub(crate) next_call: u64,
    next_handle: u32,
    pub(crate) in_flight: usize,
    started: Instant,
    last_received: Instant,
    ack_at: AckDue,
    pending: PendingEvents,
    /// A message at the front of the input waits for a free invocation slot or upload budget.
    pub(crate) stalled: bool,
    handshake: Option<Handshake>,
    /// Stream offset of the first byte held in the input buffer (for error offsets).
    input_offset: u64,
    stats: Stats,
}

/// Events that borrow nothing, queued until polled.
#[derive(Debug)]
pub(crate) enum Pending {
    Connected(Handshake),
    Failed(Failure),
    Resumed,
    Writable,
}

/// The [`Pending`] events in the order they happened, one of each kind at most (a second
/// Resumed or Writable before the first was polled says nothing new), so a failure is never
/// dropped. The order takes a byte an event and the two kinds with data one slot each: a queue
/// of four `Pending` values would keep room for four failures (an error each).
#[derive(Debug, Default)]
struct PendingEvents {
    order: heapless::Deque<PendingKind, 4>,
    connected: Option<Handshake>,
    failed: Option<Failure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PendingKind {
    Connected,
    Failed,
    Resumed,
    Writable,
}

impl PendingEvents {
    /// Nothing pending, or the failure of a connection that failed as it was built.
    fn starting_with(failure: Option<Failure>) -> Self {
        let mut events = PendingEvents::default();
        if let Some(failure) = failure {
            events.push(Pending::Failed(failure));
        }
        events
    }

    fn push(&mut self, pending: Pending) {
        let kind = match &pending {
            Pending::Connected(_) => PendingKind::Connected,
            Pending::Failed(_) => PendingKind::Failed,
            Pending::Resumed => PendingKind::Resumed,
            Pending::Writable => PendingKind::Writable,
        };
        if self.order.iter().any(|&queued| queued == kind) {
            return;
        }
        match pending {
            Pending::Connected(handshake) => self.connected = Some(handshake),
            Pending::Failed(failure) => self.failed = Some(failure),
            Pending::Resumed | Pending::Writable => {}
        }
        // Four kinds, four places.
        let _ = self.order.push_back(kind);
    }

    // Asked before every hub message: on a host inlined, and nothing but a length test when
    // empty.
    #[cfg_attr(not(feature = "small"), inline)]
    fn pop_front(&mut self) -> Option<Pending> {
        if self.order.is_empty() {
            return None;
        }
        self.pop_queued()
    }

    #[cfg_attr(not(feature = "small"), inline(never))]
    fn pop_queued(&mut self) -> Option<Pending> {
        Some(match self.order.pop_front()? {
            PendingKind::Connected => Pending::Connected(self.connected.take()?),
            PendingKind::Failed => Pending::Failed(self.failed.take()?),
            PendingKind::Resumed => Pending::Resumed,
            PendingKind::Writable => Pending::Writable,
        })
    }
}

impl<V, O: signalr_codec_core::ownership::Ownership> From<Pending> for Event<'_, V, O> {
    fn from(p: Pending) -> Self {
        match p {
            Pending::Connected(h) => Event::Connected(h),
            Pending::Failed(f) => Event::Failed(f),
            Pending::Resumed => Event::Resumed,
            Pending::Writable => Event::Writable,
        }
    }
}

/// What one hub message did.
enum Dispatch<'a, V, O: signalr_codec_core::ownership::Ownership> {
    /// Tell the owner.
    Event(Event<'a, V, O>),
    /// Handled inside (Ping, Ack, a duplicate, an unknown id, …).
    Consumed,
    /// Leave it unread until an invocation completes or upload items are released.
    Wait,
}

/// The texts of an error, rendered for a handshake refusal or a Close.
#[cfg(feature = "alloc")]
type ErrorText = alloc::string::String;
#[cfg(not(feature = "alloc"))]
type ErrorText = heapless::String<128>;

fn render(args: core::fmt::Arguments<'_>) -> ErrorText {
    let mut text = ErrorText::new();
    // Without an allocator a text longer than the buffer is cut; the error is still sent.
    let _ = text.write_fmt(args);
    text
}

#[cfg(feature = "alloc")]
impl<P: HubProtocol> Connection<P, Heap> {
    /// A server connection offering `protocols` (the client's handshake picks one by name), with
    /// growable [`Heap`] storage. At most [`MAX_PROTOCOLS`] are kept.
    #[cfg(feature = "server")]
    pub fn server(protocols: impl IntoIterator<Item = P>, config: Config, now: Instant) -> Self {
        Connection::server_in(protocols, config, now)
    }

    /// A client connection speaking `protocol`, with growable [`Heap`] storage. The handshake
    /// request is written at once (version 2 when `config` asks for stateful reconnect, else 1,
    /// as the official clients do).
    pub fn client(protocol: P, config: Config, now: Instant) -> Self {
        Connection::client_in(protocol, config, now)
    }
}

impl<P: HubProtocol, S: Store> Connection<P, S> {
    /// [`server`](Connection::server) with any storage, named by the type the result is bound
    /// to (for example [`Fixed`](crate::Fixed)).
    #[cfg(feature = "server")]
    pub fn server_in(protocols: impl IntoIterator<Item = P>, config: Config, now: Instant) -> Self {
        let mut candidates = heapless::Vec::new();
        for p in protocols.into_iter().take(MAX_PROTOCOLS) {
            let _ = candidates.push(p);
        }
        let limits = candidates.first().map_or(Limits::DEFAULT, |p: &P| *p.limits());
        let core = Core::new(Role::Server, config, candidates, limits, now, Outbox::default(), None);
        Connection { input: Input::default(), core }
    }

    /// [`client`](Connection::client) with any storage, named by the type the result is bound
    /// to (for example [`Fixed`](crate::Fixed)).
    // The handshake request is written into the output first and the connection is then built
    // around it where it is returned: a `Core` built first and changed afterwards is a second
    // copy of it on the stack (about 1 KB on a device). Not inlined, so that whatever the
    // construction needs stays in this frame, not in the caller's for the connection's life.
    #[inline(never)]
    pub fn client_in(protocol: P, config: Config, now: Instant) -> Self {
        let limits = *protocol.limits();
        let version = if reconnect::wanted(&config) { protocol.version() } else { 1 };
        let request = HandshakeRequest::new(protocol.name(), version);
        let mut candidates = heapless::Vec::new();
        let _ = candidates.push(protocol);
        let mut output = Outbox::default();
        let failure = match request.write(&mut Sink(&mut output.buf)) {
            Ok(_) => None,
            Err(_) => Some(Failure { kind: FailureKind::Limit, error: Error::buffer_too_small(request.encoded_len()) }),
        };
        output.mark_text();
        let core = Core::new(Role::Client, config, candidates, limits, now, output, failure);
        Connection { input: Input::default(), core }
    }
    /// This end's role.
    pub fn role(&self) -> Role {
        self.core.role
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.core.config
    }

    /// Where the connection is in its life.
    pub fn state(&self) -> State {
        self.core.link.state
    }

    /// True once closed or failed. Send what [`poll_transmit`](Self::poll_transmit) still hands
    /// out (a refusal, a Close), then close the transport.
    pub fn is_closed(&self) -> bool {
        self.core.link.state == State::Closed
    }

    /// The hub protocol in use, once the handshake chose it (a client knows it from the start).
    pub fn protocol(&self) -> Option<&P> {
        self.core.link.protocol.as_ref().or(match self.core.role {
            Role::Client => self.core.candidates.first(),
            Role::Server => None,
        })
    }

    /// What the handshake settled, once it succeeded.
    pub fn handshake(&self) -> Option<Handshake> {
        self.core.handshake
    }

    /// Counters: pings, messages, duplicates, resumptions, unacknowledged messages.
    pub fn stats(&self) -> Stats {
        let mut stats = self.core.stats;
        stats.pings_sent = self.core.link.pings_sent;
        if let Some(replay) = &self.core.link.replay {
            stats.unacked_messages = replay.count();
            stats.unacked_bytes = self.core.link.unacked_bytes();
        }
        stats
    }

    /// Blocking invocations of the peer handed out and not yet completed.
    pub fn invocations_in_progress(&self) -> usize {
        self.core.in_flight
    }

    /// Calls of this side awaiting a Completion (invocations and streams).
    pub fn pending_calls(&self) -> usize {
        self.core.calls.entries().iter().filter(|c| c.kind != CallKind::Upload).count()
    }

    /// Takes bytes the transport delivered, in any chunking, and returns how many it took: all
    /// of them unless the input buffer is full (events not yet polled, or a message waiting for
    /// an invocation to complete); keep the rest and offer it again after polling events.
    ///
    /// Any bytes received count as a sign of life for the peer timeout.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> usize {
        self.core.advance_clock(now);
        match self.core.link.state {
            // Nothing more is read on a closed connection, and a detached one has no transport.
            State::Closed | State::Detached => return data.len(),
            State::Handshake | State::Open => {}
        }
        if self.input.pos > 0 {
            self.input.buf.consume(self.input.pos);
            self.core.input_offset += self.input.pos as u64;
            self.input.pos = 0;
        }
        let window = self.core.receive_window().saturating_sub(self.input.buf.len());
        let n = data.len().min(window).min(self.input.buf.spare());
        if n > 0 {
            let _ = self.input.buf.append(&data[..n]);
            self.core.last_received = self.core.link.now;
        }
        // The handshake is answered at once (its events borrow nothing), so the response is in
        // `poll_transmit` whether or not events are polled first.
        if self.core.link.state == State::Handshake {
            if let Some(consumed) = self.core.read_handshake(&self.input.buf.as_slice()[self.input.pos..]) {
                self.input.pos += consumed;
            }
        }
        n
    }

    /// Runs the timers due at `now`: the handshake timeout, keep-alive Pings, the peer timeout
    /// and stateful reconnect's Acks. Call it when [`poll_timeout`](Self::poll_timeout) passes
    /// (calling it earlier or more often is harmless).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.core.advance_clock(now);
        self.core.on_timeout();
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) has work to do; `None` once
    /// closed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.core.next_deadline()
    }

    /// The transport closed or broke. With stateful reconnect on an open connection, the
    /// connection waits for [`attach_transport`](Self::attach_transport) (what is sent meanwhile
    /// is kept for replay; the peer timeout still runs). Otherwise it fails with
    /// [`FailureKind::TransportLost`] (`Connection terminated while reading a message.` when a
    /// message was cut off).
    pub fn transport_lost(&mut self, now: Instant) {
        self.core.advance_clock(now);
        let partial = self.input.buf.len() > self.input.pos;
        self.input.buf.truncate(0);
        self.input.pos = 0;
        self.core.input_offset = 0;
        if let Some(framer) = &mut self.core.framer {
            framer.reset();
        }
        self.core.stalled = false;
        self.core.transport_lost(partial);
    }

    /// A new transport replaces the lost one (stateful reconnect): a Sequence with the oldest
    /// unacknowledged id goes out, then every unacknowledged message. Returns false (and does
    /// nothing) unless the connection is [`State::Detached`].
    pub fn attach_transport(&mut self, now: Instant) -> bool {
        self.core.advance_clock(now);
        self.core.attach_transport()
    }

    /// The bytes to send next, as one transport message, or `None` when there are none. They
    /// count as sent: call again for more (a text handshake request and binary hub messages go
    /// in separate transport messages).
    pub fn poll_transmit(&mut self) -> Option<Transmit<'_>> {
        self.core.link.poll_output()
    }

    /// The next event, or `None` until more input, time or actions. Protocol work with no event
    /// (Pings, Acks, Sequences, duplicates, messages for unknown ids) happens here too: drain
    /// it after every input. Its texts and lists are of the protocol's
    /// [`Ownership`](signalr_codec_core::ownership::Ownership): with MessagePack they only borrow,
    /// and dropping an event runs no code.
    pub fn poll_event(&mut self) -> Option<Event<'_, P::Value<'_>, P::Ownership>> {
        let Connection { input, core } = self;
        if let Some(pending) = core.pending.pop_front() {
            return Some(pending.into());
        }
        loop {
            match core.link.state {
                State::Closed | State::Detached => return None,
                State::Handshake => {
                    let data = &input.buf.as_slice()[input.pos..];
                    match core.read_handshake(data) {
                        Some(consumed) => input.pos += consumed,
                        None => return None,
                    }
                    if let Some(pending) = core.pending.pop_front() {
                        return Some(pending.into());
                    }
                    continue;
                }
                State::Open => {}
            }
            if core.stalled {
                return None;
            }
            let data: &[u8] = &input.buf.as_slice()[input.pos..];
            let at = core.input_offset + input.pos as u64;
            let (framer, protocol) = match (&mut core.framer, &core.link.protocol) {
                (Some(f), Some(p)) => (f, p),
                _ => return None,
            };
            let (body, consumed) = match framer.next_body(data) {
                Ok(Status::Complete(frame)) => frame,
                Ok(Status::Partial) => return None,
                Err(e) => {
                    core.protocol_error(e.shifted(at as usize));
                    return core.pending.pop_front().map(Into::into);
                }
            };
            #[cfg(not(feature = "small"))]
            let parsed = protocol.parse(body);
            // A server's everyday message goes from the parsed fields straight into the event
            // returned: moved whole, the 150-byte message was copied twice on the way, a quarter
            // of the connection's time per invocation (perf, `connection_paired`). The rules
            // look at the fields where the parser put them, and the fields move only after the
            // tracking's calls: moved at once, they were read back with 16-byte loads while the
            // parser's 8-byte stores of them were still in flight (perf: a store-forwarding
            // stall, the costliest instruction of `poll_event`). With `small`, through
            // `dispatch` as the others: 670 B less code on a device.
            #[cfg(not(feature = "small"))]
            if let Ok(Parsed::Message(HubMessage::Invocation(invocation))) = &parsed {
                // The id read once: each read of an `Option<Text>` is a jump through a table.
                let id = invocation.invocation_id.as_deref().filter(|id| !id.is_empty());
                let blocking = id.is_some();
                if core.invocation_must_wait(blocking) {
                    core.stalled = true;
                    return None;
                }
                input.pos += consumed;
                core.stats.messages_received += 1;
                let tracked = if core.arrive(MessageType::Invocation) {
                    core.on_invocation(id, &invocation.stream_ids)
                } else {
                    None
                };
                if let Some((handle, uploads)) = tracked {
                    if let Ok(Parsed::Message(HubMessage::Invocation(Invocation {
                        headers,
                        target,
                        arguments,
                        stream_ids,
                        ..
                    }))) = parsed
                    {
                        // A borrowed target made again from its pointer and length: moved,
                        // it was read with a 16-byte load over the parser's separate stores of
                        // its tag and pointer, a store-forwarding stall (perf), and the other
                        // fields went the same way. `connection_paired`, alternated five times
                        // each way: MessagePack 1.30x -> 1.25x, stateful 1.34x -> 1.30x.
                        let target = match target.as_borrowed() {
                            Some(s) => Text::from_frame(s),
                            None => target,
                        };
                        return Some(Event::Invocation(Incoming {
                            handle,
                            target,
                            arguments,
                            headers,
                            uploads,
                            stream_ids,
                        }));
                    }
                }
                if let Some(pending) = core.pending.pop_front() {
                    return Some(pending.into());
                }
                continue;
            }
            // The message, or what comes next for a frame that holds none.
            macro_rules! message_of {
                ($parsed:expr) => {
                    match $parsed {
                        Ok(Parsed::Message(m)) => m,
                        Ok(Parsed::Skipped { .. }) => {
                            input.pos += consumed;
                            continue;
                        }
                        Err(e) => {
                            // Where the body starts in `data` (a slice of it).
                            let start = body.as_ptr() as usize - data.as_ptr() as usize;
                            core.protocol_error(e.shifted(at as usize + start));
                            return core.pending.pop_front().map(Into::into);
                        }
                    }
                };
            }
            // With `small`, matched where it is returned: a named local in between took 32 more
            // bytes of the device's stack.
            #[cfg(feature = "small")]
            let message = message_of!(protocol.parse(body));
            #[cfg(not(feature = "small"))]
            let message = message_of!(parsed);
            match core.dispatch(message) {
                Dispatch::Event(event) => {
                    input.pos += consumed;
                    core.stats.messages_received += 1;
                    return Some(event);
                }
                Dispatch::Consumed => {
                    input.pos += consumed;
                    core.stats.messages_received += 1;
                    if let Some(pending) = core.pending.pop_front() {
                        return Some(pending.into());
                    }
                }
                Dispatch::Wait => {
                    core.stalled = true;
                    return None;
                }
            }
        }
    }

    pub(crate) fn core_mut(&mut self) -> &mut Core<P, S> {
        &mut self.core
    }

    /// Input bytes held (processed ones not yet dropped included) and the receive window.
    ///
    /// Not API: public only so that the fuzzing crate (`fuzzing/`, unpublished) can check that
    /// the input held stays within the window; it may change or go at any release.
    #[doc(hidden)]
    pub fn input_window(&self) -> (usize, usize) {
        (self.input.buf.len(), self.core.receive_window())
    }
}

impl<P: HubProtocol, S: Store> core::fmt::Debug for Connection<P, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("role", &self.core.role)
            .field("state", &self.core.link.state)
            .field("protocol", &self.protocol().map(|p| p.name()))
            .field("input", &(self.input.buf.len() - self.input.pos))
            .field("output", &self.core.link.output.buf.len())
            .finish_non_exhaustive()
    }
}

impl<P: HubProtocol, S: Store> Core<P, S> {
    fn new(
        role: Role,
        config: Config,
        candidates: heapless::Vec<P, CANDIDATES>,
        limits: Limits,
        now: Instant,
        output: Outbox<S::Bytes>,
        failure: Option<Failure>,
    ) -> Self {
        // Built in one expression, failed or not: changed after it is built, the value would
        // be copied (about 1 KB on a device) into the connection.
        let state = if failure.is_some() { State::Closed } else { State::Handshake };
        Core {
            role,
            config,
            candidates,
            handshake_limits: limits,
            handshake_framer: RecordFramer::new(limits),
            framer: None,
            link: Link::new(config.reconnect_buffer_size, now, output, state),
            inbound: Inbound::new(),
            calls: S::Calls::default(),
            peer: S::Peer::default(),
            peer_active: 0,
            next_call: 0,
            next_handle: 0,
            in_flight: 0,
            started: now,
            last_received: now,
            ack_at: AckDue::NONE,
            pending: PendingEvents::starting_with(failure),
            stalled: false,
            handshake: None,
            input_offset: 0,
            stats: Stats::default(),
        }
    }

    /// True for a server. Without the `server` feature no server can be built, and this is
    /// false by construction: the server's paths (handshake requests, refusals, the Close sent
    /// on errors and timeouts) are not linked into a client.
    #[inline(always)]
    pub(crate) fn is_server(&self) -> bool {
        cfg!(feature = "server") && self.role == Role::Server
    }

    fn advance_clock(&mut self, now: Instant) {
        // Time never runs backwards for the connection, whatever the caller's clock does.
        self.link.now = self.link.now.max(now);
        self.link.output.settle();
    }

    /// Input held before reading pauses: the configured window, never less than one whole
    /// message of the largest size allowed — and without a size limit, no window (a message of
    /// any size must be able to arrive whole; the owner chose to allow that).
    fn receive_window(&self) -> usize {
        match self.handshake_limits.max_message_size {
            Some(largest) => self.config.receive_buffer_size.max(largest),
            None => usize::MAX,
        }
    }

    fn push_pending(&mut self, pending: Pending) {
        self.pending.push(pending);
    }

    /// Fails the connection: nothing more is read, and the owner hears why once.
    pub(crate) fn fail(&mut self, kind: FailureKind, error: Error) {
        if self.link.state == State::Closed {
            return;
        }
        self.link.state = State::Closed;
        self.stalled = false;
        self.push_pending(Pending::Failed(Failure { kind, error }));
    }

    /// Bad bytes from the peer. A server first tells the client with a Close, as .NET does.
    fn protocol_error(&mut self, error: Error) {
        if self.is_server() && self.link.state == State::Open {
            let text = if self.config.detailed_errors {
                render(format_args!("Connection closed with an error. InvalidDataException: {}", error.message()))
            } else {
                render(format_args!("Connection closed with an error."))
            };
            let close = signalr_codec_core::Close { error: Some(Text::borrowed(&text)), allow_reconnect: false };
            let _ = self.link.write(&Bare::<P>::Close(close), false);
        }
        self.fail(FailureKind::Protocol, error);
    }

    /// Reads the handshake record at the front of `data`; returns the bytes it took, or `None`
    /// until it is whole.
    fn read_handshake(&mut self, data: &[u8]) -> Option<usize> {
        let frame = match self.handshake_framer.next_frame(data) {
            Ok(Status::Complete(frame)) => frame,
            Ok(Status::Partial) => return None,
            Err(e) => {
                // More than the size limit without a separator.
                if self.is_server() {
                    self.refuse(FailureKind::Handshake, e, format_args!("Handshake was canceled."));
                } else {
                    self.fail(FailureKind::Handshake, e);
                }
                return Some(data.len());
            }
        };
        let record = &data[..frame.consumed];
        if self.is_server() {
            self.accept_request(record);
        } else {
            self.accept_response(record);
        }
        Some(frame.consumed)
    }

    /// Writes a handshake refusal and fails.
    fn refuse(&mut self, kind: FailureKind, error: Error, text: core::fmt::Arguments<'_>) {
        let text = render(text);
        let _ = HandshakeResponse::error(Text::borrowed(&text)).write(&mut Sink(&mut self.link.output.buf));
        self.fail(kind, error);
    }

    fn accept_request(&mut self, record: &[u8]) {
        let request = match HandshakeRequest::parse(record, &self.handshake_limits) {
            Ok(Status::Complete((request, _))) => request,
            Ok(Status::Partial) => return,
            Err(e) => {
                let detail = self.config.detailed_errors;
                let msg = e.message();
                if detail {
                    self.refuse(
                        FailureKind::Handshake,
                        e.clone(),
                        format_args!(
                            "An unexpected error occurred during connection handshake. InvalidDataException: {msg}"
                        ),
                    );
                } else {
                    self.refuse(
                        FailureKind::Handshake,
                        e.clone(),
                        format_args!("An unexpected error occurred during connection handshake."),
                    );
                }
                return;
            }
        };
        let name = request.protocol.as_str();
        let version = request.version;
        let Some(index) = self.candidates.iter().position(|p| p.name() == name) else {
            let e = Error::formatted(ErrorKind::Invalid, format_args!("The protocol '{name}' is not supported."));
            self.refuse(FailureKind::Handshake, e, format_args!("The protocol '{name}' is not supported."));
            return;
        };
        if !self.candidates[index].is_version_supported(version) {
            let e = Error::formatted(
                ErrorKind::Invalid,
                format_args!("The server does not support version {version} of the '{name}' protocol."),
            );
            self.refuse(
                FailureKind::Handshake,
                e,
                format_args!("The server does not support version {version} of the '{name}' protocol."),
            );
            return;
        }
        if self.candidates[index].transfer_format() == TransferFormat::Binary && !self.config.binary_transport {
            let e = Error::formatted(
                ErrorKind::Invalid,
                format_args!("Cannot use the '{name}' protocol on the current transport. The transport does not support 'Binary' transfer format."),
            );
            self.refuse(
                FailureKind::Handshake,
                e,
                format_args!("Cannot use the '{name}' protocol on the current transport. The transport does not support 'Binary' transfer format."),
            );
            return;
        }
        let protocol = self.candidates.swap_remove(index);
        // The response goes out in the protocol's transfer format, as .NET switches the
        // transport's format before answering.
        let _ = HandshakeResponse::success().write(&mut Sink(&mut self.link.output.buf));
        let stateful = reconnect::wanted(&self.config) && version >= 2;
        self.open(protocol, version, stateful);
    }

    fn accept_response(&mut self, record: &[u8]) {
        match HandshakeResponse::parse(record, &self.handshake_limits) {
            Ok(Status::Complete((response, _))) if response.is_success() => {
                let protocol = self.candidates.swap_remove(0);
                let stateful = reconnect::wanted(&self.config);
                let version = if stateful { protocol.version() } else { 1 };
                self.open(protocol, version, stateful);
                if self.config.ping_after_handshake {
                    let _ = self.link.write(&Bare::<P>::Ping, false);
                }
            }
            Ok(Status::Complete((response, _))) => {
                let text = response.error.as_deref().unwrap_or_default();
                let e = Error::copied(ErrorKind::Invalid, text);
                self.fail(FailureKind::Refused, e);
            }
            Ok(Status::Partial) => {}
            Err(e) => self.fail(FailureKind::Handshake, e),
        }
    }

    fn open(&mut self, protocol: P, version: i32, stateful: bool) {
        let handshake = Handshake {
            protocol: protocol.name(),
            version,
            transfer_format: protocol.transfer_format(),
            stateful_reconnect: stateful,
        };
        self.framer = Some(protocol.framer());
        if stateful {
            self.link.replay = reconnect::replay_buffer(protocol.framing());
        }
        self.link.protocol = Some(protocol);
        self.link.state = State::Open;
        self.link.last_sent = self.link.now;
        self.last_received = self.link.now;
        self.handshake = Some(handshake);
        self.candidates.clear();
        self.push_pending(Pending::Connected(handshake));
    }

    fn on_timeout(&mut self) {
        let now = self.link.now;
        match self.link.state {
            State::Closed => {}
            State::Handshake => {
                if now >= self.started + self.config.handshake_timeout {
                    let e = Error::new(ErrorKind::Limit, "Handshake was canceled.");
                    if self.is_server() {
                        self.refuse(FailureKind::HandshakeTimeout, e, format_args!("Handshake was canceled."));
                    } else {
                        let e = handshake_timed_out(self.config.handshake_timeout);
                        self.fail(FailureKind::HandshakeTimeout, e);
                    }
                }
            }
            State::Open | State::Detached => {
                if now >= self.last_received + self.config.timeout {
                    let e = self.timeout_error();
                    if self.is_server() && self.link.state == State::Open {
                        // .NET closes a timed-out client with a Close that allows reconnecting,
                        // sent as well as the transport still takes it.
                        let text = if self.config.detailed_errors {
                            render(format_args!(
                                "Connection closed with an error. OperationCanceledException: {}",
                                e.message()
                            ))
                        } else {
                            render(format_args!("Connection closed with an error."))
                        };
                        let _ = self.link.write(
                            &Bare::<P>::Close(Close { error: Some(Text::borrowed(&text)), allow_reconnect: true }),
                            false,
                        );
                    }
                    self.fail(FailureKind::Timeout, e);
                    return;
                }
                if self.link.state == State::Detached {
                    return;
                }
                if self.ack_at.get().is_some_and(|at| now >= at) {
                    self.ack_at.clear();
                    if let Some(id) = self.inbound.ack_due() {
                        if self.link.write(&Bare::<P>::Ack { sequence_id: id }, false).is_ok() {
                            self.inbound.acked(id);
                        }
                    }
                }
                if now >= self.link.last_sent + self.config.keep_alive_interval
                    && self.link.write(&Bare::<P>::Ping, false).is_ok()
                {
                    self.link.pings_sent += 1;
                }
            }
        }
    }

    fn timeout_error(&self) -> Error {
        if self.is_server() {
            Error::new(
                ErrorKind::Limit,
                "Client hasn't sent a message/ping within the configured ClientTimeoutInterval.",
            )
        } else {
            Error::new(ErrorKind::Limit, "Server timeout elapsed without receiving a message from the server.")
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        match self.link.state {
            State::Closed => None,
            State::Handshake => Some(self.started + self.config.handshake_timeout),
            State::Detached => Some(self.last_received + self.config.timeout),
            State::Open => {
                let mut at = (self.last_received + self.config.timeout)
                    .min(self.link.last_sent + self.config.keep_alive_interval);
                if let Some(ack) = self.ack_at.get() {
                    at = at.min(ack);
                }
                Some(at)
            }
        }
    }

    fn transport_lost(&mut self, partial: bool) {
        match self.link.state {
            State::Closed | State::Detached => {}
            State::Open if self.link.replay.is_some() => {
                self.link.state = State::Detached;
                // Unsent output is dropped: the counted messages in it go to the replay buffer,
                // the rest (Pings, Acks) means nothing on the next transport.
                self.link.drop_output();
                self.inbound.transport_changed();
                self.ack_at.clear();
            }
            State::Handshake | State::Open => {
                let e = if partial {
                    Error::new(ErrorKind::Syntax, "Connection terminated while reading a message.")
                } else {
                    Error::new(ErrorKind::Invalid, "The transport closed without a Close message.")
                };
                self.link.output.clear();
                self.fail(FailureKind::TransportLost, e);
            }
        }
    }

    fn attach_transport(&mut self) -> bool {
        if self.link.state != State::Detached {
            return false;
        }
        self.link.state = State::Open;
        self.last_received = self.link.now;
        if let Err(e) = self.link.resume() {
            self.fail(FailureKind::Limit, e);
            return true;
        }
        self.stats.resumed += 1;
        // Acknowledge again what arrived before (see `Inbound::transport_changed`).
        if self.inbound.ack_due().is_some() {
            self.ack_at.set(self.link.now + self.config.ack_interval);
        }
        self.push_pending(Pending::Resumed);
        true
    }

    /// Adds a peer entry, failing the connection when none can be kept.
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn track(&mut self, kind: PeerKind, id: &str) -> Option<u32> {
        if self.peer_active >= self.config.max_tracked {
            self.track_failed(TrackError::Full);
            return None;
        }
        let handle = self.next_handle;
        match track::track_peer(&mut self.peer, kind, id, handle) {
            Ok(()) => {
                self.next_handle = self.next_handle.wrapping_add(1);
                self.peer_active += 1;
                Some(handle)
            }
            Err(e) => {
                self.track_failed(e);
                None
            }
        }
    }

    /// Fails the connection for an entry that could not be kept (out of the hot path).
    #[cold]
    #[inline(never)]
    fn track_failed(&mut self, error: TrackError) {
        let text = match error {
            TrackError::Full => "Too many invocations and streams in progress.",
            TrackError::IdTooLong => "An invocation or stream id is too long to keep.",
        };
        self.fail(FailureKind::Limit, Error::new(ErrorKind::Limit, text));
    }

    /// Frees peer entry `index`.
    pub(crate) fn untrack(&mut self, index: usize) {
        let server = self.is_server();
        let entry = &mut self.peer.entries_mut()[index];
        if entry.active {
            if entry.kind == Some(PeerKind::Invocation) && server {
                self.in_flight = self.in_flight.saturating_sub(1);
            }
            entry.active = false;
            self.peer_active -= 1;
            self.stalled = false;
        }
    }

    /// True when `message` must stay unread for now (.NET's receive loop blocks the same way).
    #[inline(always)]
    fn must_wait<V>(&self, message: &HubMessage<'_, V, impl signalr_codec_core::ownership::Ownership>) -> bool {
        match message {
            HubMessage::Invocation(inv) => self.invocation_must_wait(!inv.is_non_blocking()),
            HubMessage::StreamItem(item) => self.config.stream_buffer_capacity.is_some_and(|cap| {
                track::find_peer_id(&self.peer, PeerKind::Upload, &item.invocation_id)
                    .is_some_and(|i| self.peer.entries()[i].buffered >= cap)
            }),
            _ => false,
        }
    }

    /// True when a (blocking) invocation must wait for a free slot.
    #[inline(always)]
    fn invocation_must_wait(&self, blocking: bool) -> bool {
        // The gate yields while sends wait for an Ack: the Ack may be behind this very
        // invocation, and the completion that would free a slot waits for it (.NET's receive
        // loop deadlocks there until the client times out).
        self.is_server()
            && blocking
            && self.in_flight >= self.config.max_parallel_invocations
            && !self.link.is_backpressured()
    }

    /// Stateful reconnect's numbering of an arriving message: false for a duplicate to skip.
    #[inline(always)]
    fn arrive(&mut self, kind: MessageType) -> bool {
        if kind.is_invocation_family() && self.link.replay.is_some() {
            if self.inbound.arrive() == Arrival::Skip {
                self.stats.duplicates_skipped += 1;
                return false;
            }
            if self.ack_at.get().is_none() {
                self.ack_at.set(self.link.now + self.config.ack_interval);
            }
        }
        true
    }

    // Inlined into `poll_event` for the host's decode path; with `small` a call of its own, so
    // that its temporaries are not in `poll_event`'s frame too (measured on the firmware: the
    // deepest stack 144 B less, and 128 B less code).
    #[cfg_attr(not(feature = "small"), inline(always))]
    #[cfg_attr(feature = "small", inline(never))]
    fn dispatch<'a>(
        &mut self,
        message: HubMessage<'a, P::Value<'a>, P::Ownership>,
    ) -> Dispatch<'a, P::Value<'a>, P::Ownership> {
        if self.must_wait(&message) {
            return Dispatch::Wait;
        }
        if !self.arrive(message.message_type()) {
            return Dispatch::Consumed;
        }
        match message {
            HubMessage::Ping => {
                self.stats.pings_received += 1;
                Dispatch::Consumed
            }
            HubMessage::Ack { sequence_id } => {
                if self.link.on_ack(sequence_id) {
                    self.push_pending(Pending::Writable);
                }
                Dispatch::Consumed
            }
            HubMessage::Sequence { sequence_id } => {
                if self.link.replay.is_some() {
                    if let Err(text) = self.inbound.sequence(sequence_id) {
                        self.fail(FailureKind::Sequence, Error::new(ErrorKind::Invalid, text));
                    }
                }
                Dispatch::Consumed
            }
            HubMessage::Close(close) => {
                self.link.state = State::Closed;
                Dispatch::Event(Event::Closed { error: close.error, allow_reconnect: close.allow_reconnect })
            }
            HubMessage::Invocation(inv) => {
                let id = inv.invocation_id.as_deref().filter(|id| !id.is_empty());
                match self.on_invocation(id, &inv.stream_ids) {
                    Some((handle, uploads)) => Dispatch::Event(Event::Invocation(Incoming {
                        handle,
                        target: inv.target,
                        arguments: inv.arguments,
                        headers: inv.headers,
                        uploads,
                        stream_ids: inv.stream_ids,
                    })),
                    None => Dispatch::Consumed,
                }
            }
            HubMessage::StreamInvocation(inv) => self.on_stream_invocation(inv),
            HubMessage::CancelInvocation(cancel) => {
                match track::find_peer_id(&self.peer, PeerKind::Stream, &cancel.invocation_id) {
                    Some(i) if self.is_server() => {
                        Dispatch::Event(Event::Cancel(InvocationHandle(self.peer.entries()[i].handle)))
                    }
                    _ => self.unknown(),
                }
            }
            HubMessage::StreamItem(item) => {
                if let Some(i) = track::find_peer_id(&self.peer, PeerKind::Upload, &item.invocation_id) {
                    let entry = &mut self.peer.entries_mut()[i];
                    entry.buffered += 1;
                    return Dispatch::Event(Event::UploadItem { stream: StreamHandle(entry.handle), item: item.item });
                }
                match track::parse_call_id(&item.invocation_id)
                    .filter(|&id| track::find_call(&self.calls, id, &[CallKind::Stream]).is_some())
                {
                    Some(id) => Dispatch::Event(Event::StreamItem { call: track::CallId(id), item: item.item }),
                    None => self.unknown(),
                }
            }
            HubMessage::Completion(done) => {
                // The peer's upload streams first, then this side's calls, as .NET's server does.
                if let Some(i) = track::find_peer_id(&self.peer, PeerKind::Upload, &done.invocation_id) {
                    let stream = StreamHandle(self.peer.entries()[i].handle);
                    self.untrack(i);
                    let error = match done.outcome {
                        Outcome::Error(e) => Some(e),
                        _ => None,
                    };
                    return Dispatch::Event(Event::UploadEnd { stream, error });
                }
                let found = track::parse_call_id(&done.invocation_id).and_then(|id| {
                    track::find_call(&self.calls, id, &[CallKind::Invocation, CallKind::Stream]).map(|i| (id, i))
                });
                match found {
                    Some((id, i)) => {
                        self.calls.swap_remove(i);
                        Dispatch::Event(Event::Completion { call: track::CallId(id), outcome: done.outcome })
                    }
                    None => self.unknown(),
                }
            }
        }
    }

    fn unknown<'a, V, O: signalr_codec_core::ownership::Ownership>(&mut self) -> Dispatch<'a, V, O> {
        self.stats.unknown_ids += 1;
        Dispatch::Consumed
    }

    #[inline(always)]
    fn track_uploads(
        &mut self,
        stream_ids: &signalr_codec_core::StreamIds<'_, impl signalr_codec_core::ownership::Ownership>,
    ) -> Option<Uploads> {
        let first = self.next_handle;
        if stream_ids.is_empty() {
            return Some(Uploads { first, count: 0 });
        }
        let mut count = 0u32;
        for id in stream_ids.iter() {
            self.track(PeerKind::Upload, &id)?;
            count += 1;
        }
        Some(Uploads { first, count })
    }

    /// Tracks an invocation and its upload streams: its handle (`None` without a blocking
    /// `id`) and uploads, or `None` when it could not be tracked (the connection failed).
    #[inline(always)]
    fn on_invocation(
        &mut self,
        id: Option<&str>,
        stream_ids: &signalr_codec_core::StreamIds<'_, impl signalr_codec_core::ownership::Ownership>,
    ) -> Option<(Option<InvocationHandle>, Uploads)> {
        let handle = match id {
            Some(id) => Some(InvocationHandle(self.track(PeerKind::Invocation, id)?)),
            None => None,
        };
        let uploads = self.track_uploads(stream_ids)?;
        if handle.is_some() && self.is_server() {
            self.in_flight += 1;
        }
        Some((handle, uploads))
    }

    fn on_stream_invocation<'a>(
        &mut self,
        inv: StreamInvocation<'a, P::Value<'a>, P::Ownership>,
    ) -> Dispatch<'a, P::Value<'a>, P::Ownership> {
        if !self.is_server() {
            // The official clients treat a stream invocation from the server as an unknown type.
            return Dispatch::Consumed;
        }
        if track::find_peer_id(&self.peer, PeerKind::Stream, &inv.invocation_id).is_some() {
            let text = render(format_args!("Invocation ID '{}' is already in use.", inv.invocation_id));
            let done = signalr_codec_core::Completion::<NoPayload>::error(
                inv.invocation_id.clone().owning(),
                Text::borrowed(&text),
            );
            let _ = self.link.write(&HubMessage::Completion(done), true);
            return Dispatch::Consumed;
        }
        let Some(handle) = self.track(PeerKind::Stream, &inv.invocation_id) else {
            return Dispatch::Consumed;
        };
        let Some(uploads) = self.track_uploads(&inv.stream_ids) else {
            return Dispatch::Consumed;
        };
        Dispatch::Event(Event::StreamInvocation(Incoming {
            handle: Some(InvocationHandle(handle)),
            target: inv.target,
            arguments: inv.arguments,
            headers: inv.headers,
            uploads,
            stream_ids: inv.stream_ids,
        }))
    }
}

/// `The handshake timed out after {seconds} seconds.`, the seconds printed as .NET prints a
/// double (`15`, `0.5`), without `core::fmt` (devices leave it out).
fn handshake_timed_out(timeout: core::time::Duration) -> Error {
    const TEXT: &[&str] = &["The handshake timed out after ", " seconds."];
    // Seconds and milliseconds as `Duration` keeps them: `as_millis` divided by 1,000 is u128
    // division, a 700-byte library routine on a 32-bit device.
    let whole = i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX);
    let fraction = timeout.subsec_millis();
    if fraction == 0 {
        return Error::template(ErrorKind::Limit, TEXT, [Arg::Int(whole), Arg::Int(0)]);
    }
    // "0.5", "1.25", "2.001": the whole seconds with the core's number writer, then the
    // fraction's digits without trailing zeros.
    let mut text = [0u8; 64];
    let mut out = SliceOutput::new(&mut text);
    out.put(TEXT[0].as_bytes());
    json::write_u64(whole as u64, &mut out);
    let digits = [b'.', b'0' + (fraction / 100) as u8, b'0' + (fraction / 10 % 10) as u8, b'0' + (fraction % 10) as u8];
    let used = digits.len() - digits.iter().rev().take_while(|&&d| d == b'0').count();
    out.put(&digits[..used]);
    out.put(TEXT[1].as_bytes());
    // Only ASCII was written.
    let text = signalr_codec_core::text::to_str(out.written()).unwrap_or(TEXT[1]);
    Error::copied(ErrorKind::Limit, text)
}
