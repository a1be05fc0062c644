//! The MessagePack exchange both MessagePack binaries run (the connection's, `main.rs`, and the
//! codec's alone, `bin/codec.rs`): the script of frames, as a .NET hub and the official clients
//! frame them, and the values the client writes and binds without serde or an allocator.

use signalr_codec_msgpack::{RawValue, ValueWriter};

/// `{"protocol":"messagepack","version":1}` + 0x1E (the client's handshake request).
pub const HANDSHAKE_REQUEST: &[u8] = b"{\"protocol\":\"messagepack\",\"version\":1}\x1e";
/// `{}` + 0x1E: the server accepts.
pub const HANDSHAKE_RESPONSE: &[u8] = b"{}\x1e";
/// `[6]`, length-prefixed.
pub const PING: &[u8] = &[0x02, 0x91, 0x06];
/// `[1, {}, "0", "Add", [40, 2], []]`: the client's first call.
pub const ADD_CALL: &[u8] = &[0x0d, 0x96, 0x01, 0x80, 0xa1, b'0', 0xa3, b'A', b'd', b'd', 0x92, 0x28, 0x02, 0x90];
/// In one read: `[3, {}, "0", 3, 42]` (call 0 returns 42), `[1, {}, "s1", "Greet", ["qemu", 3],
/// []]` (the server invokes the client and waits for the answer), and a Ping.
pub const SERVER_BATCH: &[u8] = &[
    0x07, 0x95, 0x03, 0x80, 0xa1, b'0', 0x03, 0x2a, // Completion
    0x14, 0x96, 0x01, 0x80, 0xa2, b's', b'1', 0xa5, b'G', b'r', b'e', b'e', b't', 0x92, 0xa4, b'q', b'e', b'm', b'u',
    0x03, 0x90, // Invocation
    0x02, 0x91, 0x06, // Ping
];
/// `[3, {}, "s1", 3, 12]`: the client's answer to `Greet` ("qemu" is 4 bytes, 3 times).
pub const GREET_COMPLETION: &[u8] = &[0x08, 0x95, 0x03, 0x80, 0xa2, b's', b'1', 0x03, 0x0c];
/// `[7, nil, false]`: the client closes.
pub const CLOSE: &[u8] = &[0x04, 0x93, 0x07, 0xc0, 0xc2];

/// `Add`'s arguments, `[40, 2]`, written into `buf` without serde or an allocator.
pub fn add_arguments(buf: &mut [u8; 8]) -> Result<RawValue<'_>, &'static str> {
    let mut writer = ValueWriter::new(buf);
    if writer.array(2).and_then(|w| w.int(40)).and_then(|w| w.int(2)).is_err() {
        return Err("writing the arguments");
    }
    let len = writer.written().len();
    RawValue::new(&buf[..len]).map_err(|_| "the arguments are not one value")
}

/// `Greet`'s answer, written into `buf`.
pub fn greet_result(buf: &mut [u8; 9], answer: i64) -> Result<RawValue<'_>, &'static str> {
    let mut writer = ValueWriter::new(buf);
    writer.int(answer).map_err(|_| "writing the result")?;
    let len = writer.written().len();
    RawValue::new(&buf[..len]).map_err(|_| "the result is not one value")
}

/// `Greet(name: &str, times: i32)`: the arguments bound by hand from the raw array, checking the
/// count as .NET's binder does.
#[cfg_attr(feature = "serde", allow(dead_code))]
pub fn bind_greet_by_hand(arguments: RawValue<'_>) -> Result<(&str, i32), &'static str> {
    let arguments = arguments.arguments().map_err(|_| "Greet's arguments are not an array")?;
    arguments.expect_len(2).map_err(|_| "Greet takes two arguments")?;
    let name = arguments.get(0).ok_or("argument 0")?.as_str().map_err(|_| "argument 0 is not a string")?;
    let times = arguments.get(1).ok_or("argument 1")?.as_i32().map_err(|_| "argument 1 is not an i32")?;
    Ok((name, times))
}
