//! The protocols the command speaks, by their handshake names.

use std::fmt;

/// A hub protocol, named as in the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProtocolName {
    /// The JSON hub protocol (`json`): records ended by 0x1E.
    Json,
    /// The MessagePack hub protocol (`messagepack`): VarInt length prefixes.
    #[value(alias = "msgpack")]
    Messagepack,
}

impl ProtocolName {
    /// The handshake name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolName::Json => "json",
            ProtocolName::Messagepack => "messagepack",
        }
    }

    /// The protocol named `name` in a handshake, if this command knows it.
    pub fn from_handshake(name: &str) -> Option<Self> {
        match name {
            "json" => Some(ProtocolName::Json),
            "messagepack" => Some(ProtocolName::Messagepack),
            _ => None,
        }
    }
}

impl fmt::Display for ProtocolName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
