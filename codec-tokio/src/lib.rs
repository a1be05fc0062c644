#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "client")]
pub mod client;
mod clock;
mod error;
mod options;
mod payload;
#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub use client::{Client, ClientOptions};
pub use error::HubError;
pub use options::HubOptions;
pub use payload::Payload;
#[cfg(feature = "server")]
pub use server::{ConnectionStats, Context, Hub, UploadStream};

/// The sans-IO connection this crate drives.
pub use signalr_codec_connection as connection;
