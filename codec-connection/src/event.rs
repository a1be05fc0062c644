//! [`Event`]: what the connection tells its owner, one at a time from
//! [`Connection::poll_event`](crate::Connection::poll_event).

use signalr_codec_core::ownership::{Ownership, Owning};
use signalr_codec_core::{Error, Headers, Outcome, StreamIds, Text, TransferFormat};

use crate::track::{CallId, InvocationHandle, StreamHandle, Uploads};

/// Something that happened on the connection.
///
/// Strings and payloads borrow the connection's input buffer: bind them (or copy what you keep)
/// before the next call on the connection.
#[derive(Debug)]
pub enum Event<'a, V, O: Ownership = Owning> {
    /// The handshake succeeded; hub messages flow from now on.
    Connected(Handshake),
    /// The peer invokes a method. With [`Incoming::handle`] set it waits for a Completion
    /// ([`Connection::complete`](crate::Connection::complete) and friends); without, it is a
    /// non-blocking send and nothing answers it.
    Invocation(Incoming<'a, V, O>),
    /// The peer invokes a streaming method: send items with
    /// [`Connection::stream_item`](crate::Connection::stream_item), then complete the handle.
    StreamInvocation(Incoming<'a, V, O>),
    /// The peer cancelled a stream invocation it made (CancelInvocation): stop producing items
    /// and complete the handle.
    Cancel(InvocationHandle),
    /// An item of one of the peer's upload streams.
    UploadItem {
        /// The stream (from [`Incoming::uploads`]).
        stream: StreamHandle,
        /// The item, raw.
        item: V,
    },
    /// One of the peer's upload streams ended, with an error when it failed.
    UploadEnd {
        /// The stream.
        stream: StreamHandle,
        /// Why it failed, if it did.
        error: Option<Text<'a, O>>,
    },
    /// An item of a stream this side invoked.
    StreamItem {
        /// The stream invocation.
        call: CallId,
        /// The item, raw.
        item: V,
    },
    /// A call this side made completed: a result, void, or an error.
    Completion {
        /// The call.
        call: CallId,
        /// How it ended.
        outcome: Outcome<'a, V, O>,
    },
    /// A new transport took over: the Sequence and the unacknowledged messages went out on it.
    Resumed,
    /// The replay buffer is back under its budget: sends refused with
    /// [`SendError::Backpressure`](crate::SendError::Backpressure) can be retried.
    Writable,
    /// The peer closed the connection (a Close message). Nothing more is sent or received.
    Closed {
        /// The peer's error, if it closed because of one.
        error: Option<Text<'a, O>>,
        /// The peer allows a reconnect.
        allow_reconnect: bool,
    },
    /// The connection failed. Nothing more is received; what it had to send (a handshake
    /// refusal, a Close) is still in [`poll_transmit`](crate::Connection::poll_transmit).
    Failed(Failure),
}

/// What the handshake settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake {
    /// The hub protocol: `json` or `messagepack`.
    pub protocol: &'static str,
    /// The version the client asked for.
    pub version: i32,
    /// The transfer format hub messages use.
    pub transfer_format: TransferFormat,
    /// Stateful reconnect is on: messages are numbered, acknowledged and replayed.
    pub stateful_reconnect: bool,
}

/// An invocation from the peer.
// Fields in declaration order, the handle first: in Rust's own order the event's tag went into
// the target's, and the event was built in a temporary and copied into place unaligned, a
// stall on every invocation (msgpack through a server connection: 1.64x -> 1.47x of the bare
// codec's time, `connection_paired`).
#[derive(Debug)]
#[repr(C)]
pub struct Incoming<'a, V, O: Ownership = Owning> {
    /// What answers it; `None` for a non-blocking invocation.
    pub handle: Option<InvocationHandle>,
    /// The method.
    pub target: Text<'a, O>,
    /// The argument array, raw.
    pub arguments: V,
    /// The message's headers.
    pub headers: Headers<'a, O>,
    /// The upload streams it announced (one per `streamIds` entry, in order): their items
    /// arrive as [`Event::UploadItem`].
    pub uploads: Uploads,
    /// The upload streams' ids as sent.
    pub stream_ids: StreamIds<'a, O>,
}

/// Why a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// The handshake request or response was malformed, or asked for what this side does not
    /// serve (the server refused it).
    Handshake,
    /// The server refused the handshake (client side): the error is the server's text.
    Refused,
    /// The handshake did not complete within the handshake timeout.
    HandshakeTimeout,
    /// Nothing was received within the peer timeout.
    Timeout,
    /// The peer sent bytes that are not valid hub messages, or a message over the size limit.
    Protocol,
    /// The peer's Sequence skipped messages (stateful reconnect).
    Sequence,
    /// The peer started more invocations or streams than this side tracks, or an id longer
    /// than it can keep.
    Limit,
    /// The transport closed without a Close message and cannot be resumed.
    TransportLost,
}

impl FailureKind {
    /// A short lowercase name, for logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            FailureKind::Handshake => "handshake",
            FailureKind::Refused => "refused",
            FailureKind::HandshakeTimeout => "handshake_timeout",
            FailureKind::Timeout => "timeout",
            FailureKind::Protocol => "protocol",
            FailureKind::Sequence => "sequence",
            FailureKind::Limit => "limit",
            FailureKind::TransportLost => "transport_lost",
        }
    }
}

/// A connection failure: its kind and the error, with the official text (and, for bad bytes,
/// the kind and byte offset in the connection's input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The category.
    pub kind: FailureKind,
    /// The error, with its text.
    pub error: Error,
}

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.error)
    }
}

impl core::error::Error for Failure {}
