//! The library behind the `signalr-codec` command: the neutral JSON form of hub messages and the
//! subcommands, reusable by test harnesses.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod convert;
pub mod decode;
pub mod doctor;
pub mod encode;
pub mod frames;
pub mod handshake;
pub mod hex;
pub mod input;
pub mod inspect;
pub mod neutral;
pub mod protocol;
pub mod report;
pub mod rfc3339;
