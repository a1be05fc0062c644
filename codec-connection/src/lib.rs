#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(all(feature = "std", not(test)))]
extern crate std;

#[cfg(all(feature = "json", feature = "msgpack", feature = "std"))]
mod any;
#[cfg(all(feature = "json", feature = "msgpack", feature = "std"))]
mod arguments;
mod config;
mod connection;
mod event;
mod outbox;
mod reconnect;
mod send;
pub mod storage;
mod time;
mod track;

#[cfg(all(feature = "json", feature = "msgpack", feature = "std"))]
pub use any::{AnyElements, AnyFramer, AnyProtocol, AnyValue, AnyValueBuf};
pub use config::Config;
pub use connection::{Connection, Role, State, Stats, MAX_PROTOCOLS};
pub use event::{Event, Failure, FailureKind, Handshake, Incoming};
pub use outbox::Transmit;
pub use send::{Issued, Request, SendError, MAX_UPLOADS};
pub use storage::{Fixed, Heap, Store};
pub use time::Instant;
pub use track::{CallId, InvocationHandle, StreamHandle, UploadId, Uploads};

/// The core crate: message model, framing, limits, errors.
pub use signalr_codec_core as codec_core;
