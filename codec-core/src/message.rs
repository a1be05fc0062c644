//! [`HubMessage`]: one enum for the nine hub messages, and [`MessageType`], their wire ids.

use crate::completion::{Completion, Outcome};
use crate::headers::Headers;
use crate::invocation::{CancelInvocation, Invocation, StreamInvocation, StreamItem};
use crate::ownership::{Ownership, Owning};
use crate::protocol::NoPayload;
use crate::text::Text;

/// The type id every hub message carries (`type` in JSON, the first array element in MessagePack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum MessageType {
    /// 1: call a method.
    Invocation = 1,
    /// 2: one stream item.
    StreamItem = 2,
    /// 3: the end of an invocation or stream.
    Completion = 3,
    /// 4: call a streaming method.
    StreamInvocation = 4,
    /// 5: cancel a stream or invocation.
    CancelInvocation = 5,
    /// 6: keep-alive.
    Ping = 6,
    /// 7: the sender is closing the connection.
    Close = 7,
    /// 8: stateful reconnect acknowledgement.
    Ack = 8,
    /// 9: stateful reconnect resume point.
    Sequence = 9,
}

impl MessageType {
    /// The message type with this wire id, or `None` for an id this protocol version does not know
    /// (such messages are skipped, not rejected).
    pub const fn from_id(id: i64) -> Option<Self> {
        Some(match id {
            1 => MessageType::Invocation,
            2 => MessageType::StreamItem,
            3 => MessageType::Completion,
            4 => MessageType::StreamInvocation,
            5 => MessageType::CancelInvocation,
            6 => MessageType::Ping,
            7 => MessageType::Close,
            8 => MessageType::Ack,
            9 => MessageType::Sequence,
            _ => return None,
        })
    }

    /// The wire id.
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// The .NET class name (`InvocationMessage`, …), as used in .NET error texts.
    pub const fn dotnet_name(self) -> &'static str {
        match self {
            MessageType::Invocation => "InvocationMessage",
            MessageType::StreamItem => "StreamItemMessage",
            MessageType::Completion => "CompletionMessage",
            MessageType::StreamInvocation => "StreamInvocationMessage",
            MessageType::CancelInvocation => "CancelInvocationMessage",
            MessageType::Ping => "PingMessage",
            MessageType::Close => "CloseMessage",
            MessageType::Ack => "AckMessage",
            MessageType::Sequence => "SequenceMessage",
        }
    }

    /// True for types 1–5: the messages that carry headers and that stateful reconnect numbers,
    /// buffers and replays.
    pub const fn is_invocation_family(self) -> bool {
        (self as u8) <= 5
    }
}

/// Close (type 7): the sender is closing the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close<'a, O: Ownership = Owning> {
    /// Why, when the close is due to an error. `Some("")` is still an error on the JSON wire.
    pub error: Option<Text<'a, O>>,
    /// The client may reconnect (sent by servers closing for reasons such as auth expiry).
    pub allow_reconnect: bool,
}

impl<O: Ownership> Default for Close<'_, O> {
    fn default() -> Self {
        Close { error: None, allow_reconnect: false }
    }
}

/// A hub message, borrowed from its frame when parsed.
///
/// `V` is the payload value type: `arguments`, `item` and `result` are of this type. Parsers
/// produce their protocol's raw borrowed value (decoded on demand into the caller's types);
/// writers accept raw values or serializable ones.
///
/// ```
/// use signalr_codec_core::{HubMessage, Invocation, MessageType};
/// let msg: HubMessage<'_, &str> = HubMessage::Invocation(Invocation::new("Send", r#"["hi"]"#));
/// assert_eq!(msg.message_type(), MessageType::Invocation);
/// assert_eq!(msg.invocation_id(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum HubMessage<'a, V, O: Ownership = Owning> {
    /// Type 1.
    Invocation(Invocation<'a, V, O>),
    /// Type 2.
    StreamItem(StreamItem<'a, V, O>),
    /// Type 3.
    Completion(Completion<'a, V, O>),
    /// Type 4.
    StreamInvocation(StreamInvocation<'a, V, O>),
    /// Type 5.
    CancelInvocation(CancelInvocation<'a, O>),
    /// Type 6: nothing but the type.
    Ping,
    /// Type 7.
    Close(Close<'a, O>),
    /// Type 8: the sender has received every counted message up to and including this id.
    Ack {
        /// The highest counted message id received.
        sequence_id: i64,
    },
    /// Type 9: the next counted message the sender sends has this id.
    Sequence {
        /// The id of the next (replayed) counted message.
        sequence_id: i64,
    },
}

impl<'a, V, O: Ownership> HubMessage<'a, V, O> {
    /// The message's type id.
    pub fn message_type(&self) -> MessageType {
        match self {
            HubMessage::Invocation(_) => MessageType::Invocation,
            HubMessage::StreamItem(_) => MessageType::StreamItem,
            HubMessage::Completion(_) => MessageType::Completion,
            HubMessage::StreamInvocation(_) => MessageType::StreamInvocation,
            HubMessage::CancelInvocation(_) => MessageType::CancelInvocation,
            HubMessage::Ping => MessageType::Ping,
            HubMessage::Close(_) => MessageType::Close,
            HubMessage::Ack { .. } => MessageType::Ack,
            HubMessage::Sequence { .. } => MessageType::Sequence,
        }
    }

    /// The invocation id, for the messages that have one.
    pub fn invocation_id(&self) -> Option<&Text<'a, O>> {
        match self {
            HubMessage::Invocation(m) => m.invocation_id.as_ref(),
            HubMessage::StreamItem(m) => Some(&m.invocation_id),
            HubMessage::Completion(m) => Some(&m.invocation_id),
            HubMessage::StreamInvocation(m) => Some(&m.invocation_id),
            HubMessage::CancelInvocation(m) => Some(&m.invocation_id),
            _ => None,
        }
    }

    /// The headers, for invocation-family messages (types 1–5).
    pub fn headers(&self) -> Option<&Headers<'a, O>> {
        match self {
            HubMessage::Invocation(m) => Some(&m.headers),
            HubMessage::StreamItem(m) => Some(&m.headers),
            HubMessage::Completion(m) => Some(&m.headers),
            HubMessage::StreamInvocation(m) => Some(&m.headers),
            HubMessage::CancelInvocation(m) => Some(&m.headers),
            _ => None,
        }
    }

    /// Converts every payload value (`arguments`, `item`, `result`) with `f`, keeping the rest.
    ///
    /// This is how a message read in one protocol is re-encoded in another: map the raw values
    /// to a type the other protocol can write.
    pub fn map_values<W>(self, mut f: impl FnMut(V) -> W) -> HubMessage<'a, W, O> {
        match self {
            HubMessage::Invocation(m) => HubMessage::Invocation(Invocation {
                headers: m.headers,
                invocation_id: m.invocation_id,
                target: m.target,
                arguments: f(m.arguments),
                stream_ids: m.stream_ids,
            }),
            HubMessage::StreamItem(m) => HubMessage::StreamItem(StreamItem {
                headers: m.headers,
                invocation_id: m.invocation_id,
                item: f(m.item),
            }),
            HubMessage::Completion(m) => HubMessage::Completion(Completion {
                headers: m.headers,
                invocation_id: m.invocation_id,
                outcome: m.outcome.map(f),
            }),
            HubMessage::StreamInvocation(m) => HubMessage::StreamInvocation(StreamInvocation {
                headers: m.headers,
                invocation_id: m.invocation_id,
                target: m.target,
                arguments: f(m.arguments),
                stream_ids: m.stream_ids,
            }),
            HubMessage::CancelInvocation(m) => HubMessage::CancelInvocation(m),
            HubMessage::Ping => HubMessage::Ping,
            HubMessage::Close(m) => HubMessage::Close(m),
            HubMessage::Ack { sequence_id } => HubMessage::Ack { sequence_id },
            HubMessage::Sequence { sequence_id } => HubMessage::Sequence { sequence_id },
        }
    }

    /// Borrows the payload values, keeping the strings and lists borrowed from the same frame.
    pub fn as_ref(&self) -> HubMessage<'a, &V, O> {
        match self {
            HubMessage::Invocation(m) => HubMessage::Invocation(Invocation {
                headers: m.headers.clone(),
                invocation_id: m.invocation_id.clone(),
                target: m.target.clone(),
                arguments: &m.arguments,
                stream_ids: m.stream_ids.clone(),
            }),
            HubMessage::StreamItem(m) => HubMessage::StreamItem(StreamItem {
                headers: m.headers.clone(),
                invocation_id: m.invocation_id.clone(),
                item: &m.item,
            }),
            HubMessage::Completion(m) => HubMessage::Completion(Completion {
                headers: m.headers.clone(),
                invocation_id: m.invocation_id.clone(),
                outcome: match &m.outcome {
                    Outcome::Void => Outcome::Void,
                    Outcome::Result(v) => Outcome::Result(v),
                    Outcome::Error(e) => Outcome::Error(e.clone()),
                },
            }),
            HubMessage::StreamInvocation(m) => HubMessage::StreamInvocation(StreamInvocation {
                headers: m.headers.clone(),
                invocation_id: m.invocation_id.clone(),
                target: m.target.clone(),
                arguments: &m.arguments,
                stream_ids: m.stream_ids.clone(),
            }),
            HubMessage::CancelInvocation(m) => HubMessage::CancelInvocation(m.clone()),
            HubMessage::Ping => HubMessage::Ping,
            HubMessage::Close(m) => HubMessage::Close(m.clone()),
            HubMessage::Ack { sequence_id } => HubMessage::Ack { sequence_id: *sequence_id },
            HubMessage::Sequence { sequence_id } => HubMessage::Sequence { sequence_id: *sequence_id },
        }
    }

    /// The same message as an [`Owning`] one: its fields moved, nothing copied. What code
    /// that takes messages of both protocols as one type calls on a MessagePack message
    /// (see [`ownership`](crate::ownership)).
    pub fn owning(self) -> HubMessage<'a, V> {
        match self {
            HubMessage::Invocation(m) => HubMessage::Invocation(Invocation {
                headers: m.headers.owning(),
                invocation_id: m.invocation_id.map(Text::owning),
                target: m.target.owning(),
                arguments: m.arguments,
                stream_ids: m.stream_ids.owning(),
            }),
            HubMessage::StreamItem(m) => HubMessage::StreamItem(StreamItem {
                headers: m.headers.owning(),
                invocation_id: m.invocation_id.owning(),
                item: m.item,
            }),
            HubMessage::Completion(m) => HubMessage::Completion(Completion {
                headers: m.headers.owning(),
                invocation_id: m.invocation_id.owning(),
                outcome: match m.outcome {
                    Outcome::Void => Outcome::Void,
                    Outcome::Result(v) => Outcome::Result(v),
                    Outcome::Error(e) => Outcome::Error(e.owning()),
                },
            }),
            HubMessage::StreamInvocation(m) => HubMessage::StreamInvocation(StreamInvocation {
                headers: m.headers.owning(),
                invocation_id: m.invocation_id.owning(),
                target: m.target.owning(),
                arguments: m.arguments,
                stream_ids: m.stream_ids.owning(),
            }),
            HubMessage::CancelInvocation(m) => HubMessage::CancelInvocation(CancelInvocation {
                headers: m.headers.owning(),
                invocation_id: m.invocation_id.owning(),
            }),
            HubMessage::Ping => HubMessage::Ping,
            HubMessage::Close(m) => {
                HubMessage::Close(Close { error: m.error.map(Text::owning), allow_reconnect: m.allow_reconnect })
            }
            HubMessage::Ack { sequence_id } => HubMessage::Ack { sequence_id },
            HubMessage::Sequence { sequence_id } => HubMessage::Sequence { sequence_id },
        }
    }

    /// The message with no borrow left: strings, headers and stream ids copied, payloads
    /// turned into their protocol's owned raw values (`RawJsonBuf`, `RawValueBuf`), still
    /// unparsed. For a named protocol its type is [`OwnedMessage<P>`]; in code generic over
    /// the protocol, use [`into_owned_for`](HubMessage::into_owned_for).
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> HubMessage<'static, V::Owned>
    where
        V: ToOwnedValue,
    {
        self.into_owned_with(|v| v.to_owned_value())
    }

    /// [`into_owned`](HubMessage::into_owned) in code generic over the protocol `P`: the result
    /// is an [`OwnedMessage<P>`] whatever the lifetime of the frame was.
    ///
    /// (`into_owned` cannot say that for a generic `P`: its result names the owned form of
    /// `P::Value<'a>`, and Rust cannot see that this is the same type for every `'a`.
    /// [`OwnedPayloads`] names it once per protocol.)
    ///
    /// ```
    /// use signalr_codec_core::{Error, HubDecoder, HubProtocol, OwnedMessage, OwnedPayloads, Parsed, Status};
    ///
    /// /// Every whole message in `buf`, owned (for a queue, another task, a replay log).
    /// fn own_all<P: OwnedPayloads + Clone>(protocol: &P, buf: &[u8]) -> Result<Vec<OwnedMessage<P>>, Error> {
    ///     let mut decoder = HubDecoder::new(protocol.clone());
    ///     let mut owned = Vec::new();
    ///     for parsed in decoder.messages(buf) {
    ///         if let Parsed::Message(message) = parsed? {
    ///             owned.push(message.into_owned_for::<P>());
    ///         }
    ///     }
    ///     Ok(owned)
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn into_owned_for<P>(self) -> OwnedMessage<P>
    where
        P: OwnedPayloads + crate::HubProtocol<Value<'a> = V>,
    {
        self.into_owned_with(|v| P::to_owned_payload(&v))
    }

    /// The message with no borrow left, payload values converted by `f`.
    #[cfg(feature = "alloc")]
    pub fn into_owned_with<W>(self, f: impl FnMut(V) -> W) -> HubMessage<'static, W> {
        fn own<O: Ownership>(t: Text<'_, O>) -> Text<'static> {
            t.into_owned()
        }
        match self.map_values(f) {
            HubMessage::Invocation(m) => HubMessage::Invocation(Invocation {
                headers: m.headers.into_owned(),
                invocation_id: m.invocation_id.map(own),
                target: own(m.target),
                arguments: m.arguments,
                stream_ids: m.stream_ids.into_owned(),
            }),
            HubMessage::StreamItem(m) => HubMessage::StreamItem(StreamItem {
                headers: m.headers.into_owned(),
                invocation_id: own(m.invocation_id),
                item: m.item,
            }),
            HubMessage::Completion(m) => HubMessage::Completion(Completion {
                headers: m.headers.into_owned(),
                invocation_id: own(m.invocation_id),
                outcome: match m.outcome {
                    Outcome::Void => Outcome::Void,
                    Outcome::Result(v) => Outcome::Result(v),
                    Outcome::Error(e) => Outcome::Error(own(e)),
                },
            }),
            HubMessage::StreamInvocation(m) => HubMessage::StreamInvocation(StreamInvocation {
                headers: m.headers.into_owned(),
                invocation_id: own(m.invocation_id),
                target: own(m.target),
                arguments: m.arguments,
                stream_ids: m.stream_ids.into_owned(),
            }),
            HubMessage::CancelInvocation(m) => HubMessage::CancelInvocation(CancelInvocation {
                headers: m.headers.into_owned(),
                invocation_id: own(m.invocation_id),
            }),
            HubMessage::Ping => HubMessage::Ping,
            HubMessage::Close(m) => {
                HubMessage::Close(Close { error: m.error.map(own), allow_reconnect: m.allow_reconnect })
            }
            HubMessage::Ack { sequence_id } => HubMessage::Ack { sequence_id },
            HubMessage::Sequence { sequence_id } => HubMessage::Sequence { sequence_id },
        }
    }
}

/// [`HubMessage::owning`] as a conversion: a borrowing message (MessagePack's) where an owning
/// one is expected.
///
/// ```
/// use signalr_codec_core::ownership::Borrowing;
/// use signalr_codec_core::{HubMessage, Invocation, Text};
/// let parsed: HubMessage<'_, &str, Borrowing> = HubMessage::Invocation(Invocation {
///     headers: Default::default(),
///     invocation_id: None,
///     target: Text::from_frame("Send"),
///     arguments: "[]",
///     stream_ids: Default::default(),
/// });
/// let owning: HubMessage<'_, &str> = parsed.into();
/// assert_eq!(owning, HubMessage::Invocation(Invocation::new("Send", "[]")));
/// ```
impl<'a, V> From<HubMessage<'a, V, crate::ownership::Borrowing>> for HubMessage<'a, V> {
    fn from(message: HubMessage<'a, V, crate::ownership::Borrowing>) -> Self {
        message.owning()
    }
}

/// The messages without a payload, built without naming a payload type.
///
/// ```
/// use signalr_codec_core::{HubMessage, MessageType};
/// assert_eq!(HubMessage::ping().message_type(), MessageType::Ping);
/// assert_eq!(HubMessage::error_completion("1", "failed").invocation_id().map(|t| t.as_str()), Some("1"));
/// ```
impl<'a> HubMessage<'a, NoPayload> {
    /// Ping.
    pub const fn ping() -> Self {
        HubMessage::Ping
    }

    /// Close, with an error when the connection closes because of one.
    pub fn close(error: Option<Text<'a>>, allow_reconnect: bool) -> Self {
        HubMessage::Close(Close { error, allow_reconnect })
    }

    /// Ack: every counted message up to `sequence_id` was received.
    pub const fn ack(sequence_id: i64) -> Self {
        HubMessage::Ack { sequence_id }
    }

    /// Sequence: the next counted message has `sequence_id`.
    pub const fn sequence(sequence_id: i64) -> Self {
        HubMessage::Sequence { sequence_id }
    }

    /// CancelInvocation of `invocation_id`.
    pub fn cancel_invocation(invocation_id: impl Into<Text<'a>>) -> Self {
        HubMessage::CancelInvocation(CancelInvocation::new(invocation_id))
    }

    /// A Completion without a result.
    pub fn void_completion(invocation_id: impl Into<Text<'a>>) -> Self {
        HubMessage::Completion(Completion::void(invocation_id))
    }

    /// A Completion with an error.
    pub fn error_completion(invocation_id: impl Into<Text<'a>>, error: impl Into<Text<'a>>) -> Self {
        HubMessage::Completion(Completion::error(invocation_id, error))
    }
}

/// A payload value that has an owned form, with no borrow of its frame.
pub trait ToOwnedValue {
    /// The owned form.
    type Owned: 'static;
    /// A copy that owns its bytes.
    fn to_owned_value(&self) -> Self::Owned;
}

/// A protocol whose payload values have one owned form, whatever frame they borrow from: what
/// code generic over the protocol needs to own messages ([`HubMessage::into_owned_for`]).
/// The JSON and MessagePack protocols implement it (MessagePack with its `alloc` feature).
#[cfg(feature = "alloc")]
pub trait OwnedPayloads: crate::HubProtocol {
    /// The owned form of [`Value`](crate::HubProtocol::Value): `RawJsonBuf`, `RawValueBuf`.
    /// Owned messages write back with the protocol they were read with.
    type OwnedPayload: crate::Encode<Self> + 'static;
    /// A copy of `value` that owns its bytes.
    fn to_owned_payload(value: &Self::Value<'_>) -> Self::OwnedPayload;
}

/// A message of protocol `P` with no borrow left, as [`HubMessage::into_owned`] and
/// [`HubMessage::into_owned_for`] make it: for example `OwnedMessage<JsonHubProtocol>` holds
/// `RawJsonBuf` payloads.
#[cfg(feature = "alloc")]
pub type OwnedMessage<P> = HubMessage<'static, <P as OwnedPayloads>::OwnedPayload>;

/// What parsing one frame produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed<M> {
    /// A message.
    Message(M),
    /// A message of a type this protocol version does not know. .NET and the JS client skip
    /// these by design, so future message types do not break older peers.
    Skipped {
        /// The unknown type id.
        message_type: i64,
    },
}

/// Messages are covariant in the frame's lifetime: a message borrowed for longer can stand in for
/// one borrowed for less (compiled, never run).
#[allow(dead_code)]
fn covariant<'short, 'long: 'short>(m: HubMessage<'long, &'long str>) -> HubMessage<'short, &'short str> {
    m
}

/// Borrowing messages too (compiled, never run).
#[allow(dead_code)]
fn covariant_borrowing<'short, 'long: 'short>(
    m: HubMessage<'long, &'long str, crate::ownership::Borrowing>,
) -> HubMessage<'short, &'short str, crate::ownership::Borrowing> {
    m
}
