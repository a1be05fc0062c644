//! Sending: the actions a connection's owner takes (invoke, send, stream, upload, complete,
//! cancel, close) and the one path every outgoing message takes — framed into the output,
//! numbered and kept for replay when stateful reconnect counts it.

use core::fmt;

#[cfg(not(feature = "small"))]
use signalr_codec_core::ownership::Borrowing;
#[cfg(feature = "small")]
use signalr_codec_core::ownership::Owning;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Encode, Error, ErrorKind, Headers, HubMessage, HubProtocol, Invocation,
    NoPayload, Outcome, SliceOutput, StreamIds, StreamInvocation, StreamItem, Text, TransferFormat,
};

use crate::connection::{Connection, State};
use crate::outbox::Outbox;
use crate::reconnect::Replay;
use crate::storage::{Bytes, IdText, Sink, Store, Table};
use crate::time::Instant;
use crate::track::{self, Call, CallId, CallKind, InvocationHandle, PeerKind, StreamHandle, UploadId};

/// The ownership of the completions `finish` writes. Borrowing on a host: built with bare `&str`
/// texts and no drop glue (MessagePack through a server connection: 840 -> 821 instructions a
/// message, `connection_instructions`; 1.33x -> 1.30x of the bare codec, `connection_paired`).
/// With `small`, owning, as every other message the connection writes is: a device then links
/// one copy of the protocol's writer, not one for each ownership (872 B of flash,
/// `firmware/check`).
#[cfg(not(feature = "small"))]
type Completed = Borrowing;
#[cfg(feature = "small")]
type Completed = Owning;

/// Most upload streams one invocation can announce.
pub const MAX_UPLOADS: usize = 16;

/// Why an action was not carried out. Nothing was sent then.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The handshake has not completed yet.
    NotConnected,
    /// The connection is closed or failed.
    Closed,
    /// Stateful reconnect: the replay buffer holds its budget of unacknowledged bytes. Retry
    /// after [`Event::Writable`](crate::Event::Writable).
    Backpressure,
    /// A fixed-size buffer or table cannot take it now: send what
    /// [`poll_transmit`](crate::Connection::poll_transmit) holds (or wait for an Ack) and retry.
    Full,
    /// The handle, call or upload is not one this connection tracks (already completed, or
    /// never issued).
    Unknown,
    /// This role cannot do that (a server cannot invoke a streaming method on a client), or more
    /// than [`MAX_UPLOADS`] upload streams were asked for.
    NotAllowed,
    /// The message could not be written (a payload failed to serialize, or is too large).
    Encode(Error),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotConnected => f.write_str("the handshake has not completed"),
            SendError::Closed => f.write_str("the connection is closed"),
            SendError::Backpressure => f.write_str("the replay buffer is full until the peer acknowledges"),
            SendError::Full => f.write_str("the output buffer or call table is full"),
            SendError::Unknown => f.write_str("no such invocation, stream or upload"),
            SendError::NotAllowed => f.write_str("not allowed in this role"),
            SendError::Encode(e) => write!(f, "cannot write the message: {e}"),
        }
    }
}

impl core::error::Error for SendError {}

/// A message the connection writes on its own (Ping, Close, Ack, Sequence, CancelInvocation).
/// Typed with the protocol's own payload type, not `NoPayload`: the owner's sends of raw
/// values then share one copy of the writers with these (a device links them once, not twice).
pub(crate) type Bare<'a, P> = HubMessage<'a, <P as HubProtocol>::Value<'a>>;

/// The sending half of a connection's state.
#[derive(Debug)]
pub(crate) struct Link<P, B> {
    pub(crate) protocol: Option<P>,
    pub(crate) state: State,
    pub(crate) output: Outbox<B>,
    pub(crate) replay: Option<Replay<B>>,
    /// With stateful reconnect: the last `unreplayed` bytes of the output are counted messages
    /// not yet copied into the replay buffer. They are copied in one piece when the output is
    /// handed out, an Ack arrives, an uncounted message follows them or the transport goes;
    /// copied one message at a time, the copies cost more than the messages' bookkeeping
    /// (`connection_instructions msgpack stateful`).
    unreplayed: usize,
    pub(crate) now: Instant,
    pub(crate) last_sent: Instant,
    budget: usize,
    want_writable: bool,
    pub(crate) pings_sent: u64,
}

impl<P: HubProtocol, B: Bytes> Link<P, B> {
    /// A link in `state` (its handshake, or closed when the connection failed as it was
    /// built), with `output` already holding what goes first (a client's handshake request).
    pub(crate) fn new(budget: usize, now: Instant, output: Outbox<B>, state: State) -> Self {
        Link {
            protocol: None,
            state,
            output,
            replay: None,
            unreplayed: 0,
            now,
            last_sent: now,
            budget,
            want_writable: false,
            pings_sent: 0,
        }
    }

    /// Whether a message may be sent now; `counted` messages also need replay budget.
    fn check(&mut self, counted: bool) -> Result<(), SendError> {
        match self.state {
            State::Closed => return Err(SendError::Closed),
            State::Handshake => return Err(SendError::NotConnected),
            State::Open | State::Detached => {}
        }
        if counted && self.is_backpressured() {
            self.want_writable = true;
            return Err(SendError::Backpressure);
        }
        Ok(())
    }

    /// Writes one message: into the output when a transport is attached, and into the replay
    /// buffer when stateful reconnect counts it. On any error nothing is kept.
    #[cfg_attr(not(feature = "small"), inline)]
    pub(crate) fn write<V: Encode<P>>(
        &mut self,
        message: &HubMessage<'_, V, impl signalr_codec_core::ownership::Ownership>,
        counted: bool,
    ) -> Result<(), SendError> {
        self.output.settle();
        self.check(counted)?;
        if !counted {
            // The counted bytes before it go to the replay buffer first: it must not hold this one.
            self.replay_written();
        }
        let Some(protocol) = &self.protocol else {
            return Err(SendError::NotConnected);
        };
        let attached = self.state == State::Open;
        let replayed = counted && self.replay.is_some();
        if !attached && !replayed {
            // Detached: Pings and Acks have no transport to go to and mean nothing later.
            return Ok(());
        }
        // One pass: into fixed storage the protocol's writer measures the message and checks
        // room before it writes anything, so a full buffer comes back as `BufferTooSmall`,
        // untouched; into a growing one it writes once and takes back a failed message.
        let full = |e: Error| match e.kind() {
            ErrorKind::BufferTooSmall => SendError::Full,
            _ => SendError::Encode(e),
        };
        if !attached {
            let replay = self.replay.as_mut().expect("replayed implies a replay buffer");
            return replay.write_with(|bytes| protocol.write(message, &mut Sink(bytes))).map_err(full);
        }
        let start = self.output.buf.len();
        if let Err(e) = protocol.write(message, &mut Sink(&mut self.output.buf)) {
            self.output.buf.truncate(start);
            return Err(full(e));
        }
        if replayed {
            let replay = self.replay.as_mut().expect("replayed implies a replay buffer");
            let written = self.output.buf.len() - start;
            // A growing buffer always has room (`spare` is a bound no message reaches).
            if !self.output.buf.grows() && replay.spare() < self.unreplayed + written {
                // A fixed replay buffer without room: the message goes nowhere.
                self.output.buf.truncate(start);
                return Err(SendError::Full);
            }
            replay.numbered();
            self.unreplayed += written;
        }
        self.last_sent = self.now;
        Ok(())
    }

    /// Copies the counted messages at the end of the output into the replay buffer (see
    /// `unreplayed`).
    pub(crate) fn replay_written(&mut self) {
        if self.unreplayed > 0 {
            if let Some(replay) = &mut self.replay {
                let output = self.output.buf.as_slice();
                let kept = replay.keep(&output[output.len() - self.unreplayed..]);
                // Room was checked as each message was written.
                debug_assert!(kept, "the replay buffer had room for every counted message");
            }
            self.unreplayed = 0;
        }
    }

    /// Bytes of counted messages the peer has not acknowledged: those kept for replay and
    /// those still to be copied there.
    pub(crate) fn unacked_bytes(&self) -> usize {
        self.replay.as_ref().map_or(0, |replay| replay.buffered() + self.unreplayed)
    }

    /// The bytes to send next (see [`Outbox::poll`]); what they hold is kept for replay first.
    #[inline]
    pub(crate) fn poll_output(&mut self) -> Option<crate::Transmit<'_>> {
        self.replay_written();
        let format = self.protocol.as_ref().map_or(TransferFormat::Text, |p| p.transfer_format());
        self.output.poll(format)
    }

    /// The transport is gone: its unsent output is dropped. The counted messages in it go to
    /// the replay buffer first, to be sent again on the next transport.
    pub(crate) fn drop_output(&mut self) {
        self.replay_written();
        self.output.clear();
    }

    /// True while counted sends are refused until the peer acknowledges.
    pub(crate) fn is_backpressured(&self) -> bool {
        self.replay.as_ref().is_some_and(|replay| replay.buffered() + self.unreplayed >= self.budget)
    }

    /// The peer acknowledged up to `sequence_id`; true when sends held back may go again.
    pub(crate) fn on_ack(&mut self, sequence_id: i64) -> bool {
        self.replay_written();
        let Some(replay) = &mut self.replay else {
            return false;
        };
        replay.ack(sequence_id);
        if self.want_writable && replay.buffered() < self.budget {
            self.want_writable = false;
            return true;
        }
        false
    }

    /// On a new transport: the Sequence, then every unacknowledged message.
    pub(crate) fn resume(&mut self) -> Result<(), Error> {
        let Some(replay) = &self.replay else {
            return Ok(());
        };
        let sequence = Bare::<P>::Sequence { sequence_id: replay.sequence_id() };
        self.write(&sequence, false).map_err(|e| match e {
            SendError::Encode(e) => e,
            _ => Error::new(ErrorKind::Limit, "The Sequence does not fit the output buffer."),
        })?;
        let replay = self.replay.as_ref().expect("checked above");
        if !self.output.buf.append(replay.bytes()) {
            return Err(Error::buffer_too_small(self.output.buf.len() + replay.buffered()));
        }
        Ok(())
    }
}

/// An id this side issued, as its decimal text (written by the core's number writer: no
/// `core::fmt`, which a device leaves out).
struct IdBuf {
    /// 20 digits hold any u64.
    digits: [u8; 20],
    len: usize,
}

impl IdBuf {
    fn new(id: u64) -> Self {
        let mut digits = [0u8; 20];
        let mut out = SliceOutput::new(&mut digits);
        signalr_codec_core::json::write_u64(id, &mut out);
        let len = out.written().len();
        IdBuf { digits, len }
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits were written.
        signalr_codec_core::text::to_str(&self.digits[..self.len]).unwrap_or_default()
    }
}

/// What kind of call a [`Request`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    Invoke,
    Send,
    Stream,
}

/// A call with everything the wire allows: headers and upload streams. For the plain cases,
/// [`Connection::invoke`], [`Connection::send`] and [`Connection::stream`] are shorter.
///
/// ```
/// use signalr_codec_connection::Request;
/// use signalr_codec_core::Headers;
/// use signalr_codec_json::Serialized;
/// let headers = [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")];
/// let request = Request::invoke("Sum", Serialized::<[i32; 0]>([])).with_uploads(1).with_headers(Headers::from_pairs(&headers));
/// # let _ = request;
/// ```
#[derive(Debug, Clone)]
pub struct Request<'r, V> {
    kind: RequestKind,
    target: &'r str,
    arguments: V,
    headers: Headers<'r>,
    uploads: usize,
}

impl<'r, V> Request<'r, V> {
    /// A blocking invocation: a Completion answers it.
    pub fn invoke(target: &'r str, arguments: V) -> Self {
        Request { kind: RequestKind::Invoke, target, arguments, headers: Headers::empty(), uploads: 0 }
    }

    /// A non-blocking invocation: nothing answers it.
    pub fn send(target: &'r str, arguments: V) -> Self {
        Request { kind: RequestKind::Send, ..Request::invoke(target, arguments) }
    }

    /// A stream invocation: items, then a Completion.
    pub fn stream(target: &'r str, arguments: V) -> Self {
        Request { kind: RequestKind::Stream, ..Request::invoke(target, arguments) }
    }

    /// With these headers.
    #[must_use]
    pub fn with_headers(mut self, headers: Headers<'r>) -> Self {
        self.headers = headers;
        self
    }

    /// With `count` upload streams (at most [`MAX_UPLOADS`]): send their items with
    /// [`Connection::upload_item`] and end them with [`Connection::end_upload`].
    #[must_use]
    pub fn with_uploads(mut self, count: usize) -> Self {
        self.uploads = count;
        self
    }
}

/// What [`Connection::request`] issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issued {
    /// The call that a Completion (and, for streams, items) will answer; `None` for a send.
    pub call: Option<CallId>,
    first_upload: u64,
    uploads: usize,
}

impl Issued {
    /// The upload streams, in the order of the invocation's `streamIds`.
    pub fn uploads(&self) -> impl Iterator<Item = UploadId> + '_ {
        (0..self.uploads as u64).map(|i| UploadId(self.first_upload + i))
    }

    /// The `index`-th upload stream.
    pub fn upload(&self, index: usize) -> Option<UploadId> {
        (index < self.uploads).then(|| UploadId(self.first_upload + index as u64))
    }
}

impl<P: HubProtocol, S: Store> Connection<P, S> {
    /// Invokes `target` and expects a Completion, matched to the returned call in
    /// [`Event::Completion`](crate::Event::Completion).
    pub fn invoke<V: Encode<P>>(&mut self, target: &str, arguments: V) -> Result<CallId, SendError> {
        let issued = self.request(Request::invoke(target, arguments))?;
        issued.call.ok_or(SendError::Unknown)
    }

    /// Invokes `target` without expecting an answer (a non-blocking invocation).
    pub fn send<V: Encode<P>>(&mut self, target: &str, arguments: V) -> Result<(), SendError> {
        self.request(Request::send(target, arguments)).map(|_| ())
    }

    /// Invokes the streaming method `target` (client only): its items arrive as
    /// [`Event::StreamItem`](crate::Event::StreamItem), then a Completion. Dropping interest
    /// is [`cancel`](Self::cancel).
    pub fn stream<V: Encode<P>>(&mut self, target: &str, arguments: V) -> Result<CallId, SendError> {
        let issued = self.request(Request::stream(target, arguments))?;
        issued.call.ok_or(SendError::Unknown)
    }

    /// Makes any call: blocking, non-blocking or streaming, with headers and upload streams.
    ///
    /// Ids are numbered as the official clients number them: one counter from 0, upload
    /// streams first, then the invocation.
    pub fn request<V: Encode<P>>(&mut self, request: Request<'_, V>) -> Result<Issued, SendError> {
        let core = self.core_mut();
        // A closed connection says so, before any table says it is full.
        core.link.check(false)?;
        if request.kind == RequestKind::Stream && core.is_server() {
            return Err(SendError::NotAllowed);
        }
        if request.uploads > MAX_UPLOADS {
            return Err(SendError::NotAllowed);
        }
        let with_id = request.kind != RequestKind::Send;
        if core.calls.room() < request.uploads + usize::from(with_id) {
            return Err(SendError::Full);
        }
        let first_upload = core.next_call;
        let call_id = first_upload + request.uploads as u64;
        let upload_ids: heapless::Vec<IdBuf, MAX_UPLOADS> =
            (0..request.uploads as u64).map(|i| IdBuf::new(first_upload + i)).collect();
        let upload_strs: heapless::Vec<&str, MAX_UPLOADS> = upload_ids.iter().map(IdBuf::as_str).collect();
        let id = IdBuf::new(call_id);
        let stream_ids = StreamIds::from_slice(&upload_strs);
        let target = Text::borrowed(request.target);
        let message = match request.kind {
            RequestKind::Stream => HubMessage::StreamInvocation(StreamInvocation {
                headers: request.headers,
                invocation_id: Text::borrowed(id.as_str()),
                target,
                arguments: request.arguments,
                stream_ids,
            }),
            RequestKind::Invoke | RequestKind::Send => HubMessage::Invocation(Invocation {
                headers: request.headers,
                invocation_id: with_id.then(|| Text::borrowed(id.as_str())),
                target,
                arguments: request.arguments,
                stream_ids,
            }),
        };
        core.link.write(&message, true)?;
        for i in 0..request.uploads as u64 {
            let _ = core.calls.push(Call { id: first_upload + i, kind: CallKind::Upload });
        }
        let call = with_id.then(|| {
            let kind = if request.kind == RequestKind::Stream { CallKind::Stream } else { CallKind::Invocation };
            let _ = core.calls.push(Call { id: call_id, kind });
            CallId(call_id)
        });
        core.next_call = call_id + u64::from(with_id);
        Ok(Issued { call, first_upload, uploads: request.uploads })
    }

    /// Sends one item of an upload stream this side announced.
    pub fn upload_item<V: Encode<P>>(&mut self, upload: UploadId, item: V) -> Result<(), SendError> {
        let core = self.core_mut();
        if track::find_call(&core.calls, upload.0, &[CallKind::Upload]).is_none() {
            return Err(SendError::Unknown);
        }
        let id = IdBuf::new(upload.0);
        core.link.write(&HubMessage::StreamItem(StreamItem::new(Text::borrowed(id.as_str()), item)), true)
    }

    /// Ends an upload stream, with an error when it failed.
    pub fn end_upload(&mut self, upload: UploadId, error: Option<&str>) -> Result<(), SendError> {
        let core = self.core_mut();
        let Some(index) = track::find_call(&core.calls, upload.0, &[CallKind::Upload]) else {
            return Err(SendError::Unknown);
        };
        let id = IdBuf::new(upload.0);
        let done = match error {
            Some(e) => Completion::<NoPayload>::error(Text::borrowed(id.as_str()), Text::borrowed(e)),
            None => Completion::void(Text::borrowed(id.as_str())),
        };
        core.link.write(&HubMessage::Completion(done), true)?;
        core.calls.swap_remove(index);
        Ok(())
    }

    /// Cancels a stream this side invoked (CancelInvocation). Items and the Completion that
    /// may still arrive for it are dropped, as the official clients drop them.
    pub fn cancel(&mut self, call: CallId) -> Result<(), SendError> {
        let core = self.core_mut();
        let Some(index) = track::find_call(&core.calls, call.0, &[CallKind::Stream]) else {
            return Err(SendError::Unknown);
        };
        let id = IdBuf::new(call.0);
        core.link.write(&Bare::<P>::CancelInvocation(CancelInvocation::new(Text::borrowed(id.as_str()))), true)?;
        core.calls.swap_remove(index);
        Ok(())
    }

    /// Sends one item of a stream the peer invoked.
    pub fn stream_item<V: Encode<P>>(&mut self, handle: InvocationHandle, item: V) -> Result<(), SendError> {
        let core = self.core_mut();
        let Some(index) = track::find_peer_handle(&core.peer, &[PeerKind::Stream], handle.0) else {
            return Err(SendError::Unknown);
        };
        let id = Text::borrowed(core.peer.entries()[index].id.as_str());
        core.link.write(&HubMessage::StreamItem(StreamItem::new(id, item)), true)
    }

    /// Completes one of the peer's invocations (or streams) with a result.
    pub fn complete<V: Encode<P>>(&mut self, handle: InvocationHandle, result: V) -> Result<(), SendError> {
        self.finish(handle, Outcome::Result(result))
    }

    /// Completes one of the peer's invocations (or streams) without a result.
    pub fn complete_void(&mut self, handle: InvocationHandle) -> Result<(), SendError> {
        self.finish(handle, Outcome::<NoPayload, Completed>::Void)
    }

    /// Completes one of the peer's invocations (or streams) with an error text: to answer as
    /// a .NET server does, use its texts (`An unexpected error occurred invoking 'Add' on the
    /// server. HubException: …`, `Failed to invoke 'X' due to an error on the server. …`).
    pub fn complete_error(&mut self, handle: InvocationHandle, error: &str) -> Result<(), SendError> {
        self.finish(handle, Outcome::<NoPayload, Completed>::Error(Text::from_frame(error)))
    }

    // Inlined into each caller on a host: the outcome is then built where the message is, not
    // stored by the caller and read back at once (a stall of more than half of finish's time,
    // perf). With `small`, once for all three callers.
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn finish<V: Encode<P>>(
        &mut self,
        handle: InvocationHandle,
        outcome: Outcome<'_, V, Completed>,
    ) -> Result<(), SendError> {
        let core = self.core_mut();
        let Some(index) = track::find_peer_handle(&core.peer, &[PeerKind::Invocation, PeerKind::Stream], handle.0)
        else {
            return Err(SendError::Unknown);
        };
        {
            // Borrowing on a host (see `Completed`): its texts are bare `&str`s (the id,
            // `complete_error`'s text), and nothing in it owns memory unless the value does.
            let invocation_id = Text::from_frame(core.peer.entries()[index].id.as_str());
            let message = HubMessage::Completion(Completion { headers: Headers::none(), invocation_id, outcome });
            let written = core.link.write(&message, true);
            // So with a value that needs no drop, the message is forgotten, not dropped.
            // Dropped, even field by field, its outcome was first copied out of it with 16-byte
            // loads just after narrower stores wrote it (perf: a store-forwarding stall).
            // `connection_paired`, old and new binaries alternated eight times each way:
            // MessagePack 1.37-1.38x -> 1.31x of the bare codec, stateful 1.40-1.41x -> 1.34-1.36x.
            if core::mem::needs_drop::<V>() {
                if let HubMessage::Completion(Completion { outcome, .. }) = message {
                    drop(outcome);
                }
            } else {
                core::mem::forget(message);
            }
            written?;
        }
        core.untrack(index);
        Ok(())
    }

    /// Tells the connection the owner has taken `items` items of an upload stream, freeing
    /// room under [`Config::stream_buffer_capacity`](crate::Config::stream_buffer_capacity).
    pub fn release_upload_items(&mut self, stream: StreamHandle, items: usize) {
        let core = self.core_mut();
        if let Some(i) = track::find_peer_handle(&core.peer, &[PeerKind::Upload], stream.0) {
            let entry = &mut core.peer.entries_mut()[i];
            entry.buffered = entry.buffered.saturating_sub(items);
            core.stalled = false;
        }
    }

    /// Closes the connection: a Close message (with an error, and whether the peer may
    /// reconnect) goes out, and nothing after it.
    pub fn close(&mut self, error: Option<&str>, allow_reconnect: bool) -> Result<(), SendError> {
        let core = self.core_mut();
        match core.link.state {
            State::Closed => return Err(SendError::Closed),
            State::Open => {
                let close = Close { error: error.map(Text::borrowed), allow_reconnect };
                core.link.write(&Bare::<P>::Close(close), false)?;
            }
            State::Handshake | State::Detached => {}
        }
        core.link.state = State::Closed;
        Ok(())
    }
}
