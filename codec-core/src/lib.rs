#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
// Five places allow it: `text::from_utf8`, `text::to_str` with `small`, the `owned` module,
// `ownership::OwnedList` and `ownership::InlineStr` (see docs/ARCHITECTURE.md).
#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(all(feature = "std", not(test)))]
extern crate std;

pub mod bind;
#[cfg(feature = "tokio-util")]
pub mod codec;
pub mod completion;
pub mod decoder;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod headers;
pub mod invocation;
pub mod json;
pub mod limits;
pub mod list;
pub mod message;
#[cfg(feature = "alloc")]
pub mod negotiate;
pub mod output;
#[cfg(feature = "alloc")]
mod owned;
pub mod ownership;
pub mod protocol;
pub mod status;
pub mod stream_ids;
pub mod text;
pub mod varint;

#[cfg(feature = "serde")]
pub use bind::Bind;
pub use bind::BINDING_FAILED;
pub use completion::{Completion, Outcome};
pub use decoder::{Decoded, HubDecoder, Messages};
pub use error::{Error, ErrorKind};
pub use frame::{Frame, Framer, Framing, LengthPrefixFramer, RecordFramer, Status, RECORD_SEPARATOR};
pub use handshake::{HandshakeReader, HandshakeRequest, HandshakeResponse};
pub use headers::{Header, Headers, WireHeader};
pub use invocation::{CancelInvocation, Invocation, StreamInvocation, StreamItem};
pub use limits::Limits;
pub use message::{Close, HubMessage, MessageType, Parsed, ToOwnedValue};
#[cfg(feature = "alloc")]
pub use message::{OwnedMessage, OwnedPayloads};
#[cfg(feature = "bytes")]
pub use output::BufMutOutput;
pub use output::{CountingOutput, Output, SliceOutput};
#[cfg(feature = "serde")]
pub use protocol::SerdePayloads;
pub use protocol::{Encode, HubProtocol, NoPayload, Serialized, TransferFormat};
pub use stream_ids::{StreamIds, WireStreamId};
pub use text::Text;
