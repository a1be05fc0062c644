//! A complete client exchange over fixed-size buffers, with no heap: the way a microcontroller
//! would talk to an ASP.NET Core SignalR hub with the MessagePack protocol.
//!
//! 1. write the handshake request (JSON, even for MessagePack);
//! 2. parse the handshake response (which may share a read with the first hub messages);
//! 3. write an Invocation whose arguments were encoded into a stack buffer;
//! 4. parse the Completion that answers it and read its result without an allocator.
//!
//! The "server" side is simulated with the same crate so the example runs anywhere:
//! `cargo run -p signalr-codec-msgpack --example no_alloc_exchange`.

use signalr_codec_msgpack::codec_core::frame::Status;
use signalr_codec_msgpack::codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_msgpack::codec_core::{
    Completion, Error, HubMessage, HubProtocol, Invocation, Outcome, Parsed, SliceOutput,
};
use signalr_codec_msgpack::{MessagePackHubProtocol, Timestamp, ValueWriter};

fn main() -> Result<(), Error> {
    let protocol = MessagePackHubProtocol::new();
    let limits = *protocol.limits();

    // 1. Handshake request: `{"protocol":"messagepack","version":2}` + 0x1E.
    let mut tx = [0u8; 128];
    let n = protocol.handshake_request().write(&mut SliceOutput::new(&mut tx))?;
    send("handshake request", &tx[..n]);

    // (Server side: read the request, answer `{}` + 0x1E and a Ping in the same transport read.)
    let mut rx = [0u8; 256];
    let mut rx_len = server_handshake(&tx[..n], &mut rx)?;

    // 2. Handshake response; what follows its 0x1E belongs to the hub protocol.
    let consumed = match HandshakeResponse::parse(&rx[..rx_len], &limits)? {
        Status::Complete((response, consumed)) => {
            if !response.is_success() {
                println!("server refused: {:?}", response.error);
                return Ok(());
            }
            consumed
        }
        Status::Partial => unreachable!("the simulated server sends the whole response"),
    };
    rx.copy_within(consumed..rx_len, 0);
    rx_len -= consumed;

    // 3. Invoke `Add(1, 2)` expecting a Completion for id "0". The arguments are encoded once
    //    into a stack buffer and sent raw.
    let mut args = [0u8; 16];
    let mut w = ValueWriter::new(&mut args);
    w.array(2)?.int(1)?.int(2)?;
    let arguments = w.finish()?;
    let invocation = HubMessage::Invocation(Invocation::new("Add", arguments).with_invocation_id("0"));
    let n = protocol.write_to_slice(&invocation, &mut tx)?;
    send("invocation", &tx[..n]);

    // (Server side: answer with a Completion carrying `{"Sum": 3, "At": <timestamp>}`.)
    rx_len += server_reply(&protocol, &tx[..n], &mut rx[rx_len..])?;

    // 4. The receive loop: frames may be several per read; a partial frame waits for more bytes.
    let mut pos = 0;
    while let Status::Complete((parsed, used)) = protocol.decode(&rx[pos..rx_len])? {
        pos += used;
        match parsed {
            Parsed::Message(HubMessage::Ping) => println!("<- ping"),
            Parsed::Message(HubMessage::Completion(c)) if c.invocation_id == "0" => match c.outcome {
                Outcome::Result(value) => {
                    let fields = value.as_map()?;
                    let sum = fields.get("Sum").map(|v| v.as_i64()).transpose()?;
                    let at = fields.get("At").map(|v| v.as_timestamp()).transpose()?;
                    println!("<- completion 0: Sum = {sum:?}, At = {at:?}");
                    assert_eq!(sum, Some(3));
                }
                Outcome::Error(e) => println!("<- completion 0 failed: {e}"),
                Outcome::Void => println!("<- completion 0 (void)"),
            },
            Parsed::Message(other) => println!("<- {:?}", other.message_type()),
            Parsed::Skipped { message_type } => println!("<- skipped unknown type {message_type}"),
        }
    }
    println!("{} byte(s) left for the next read", rx_len - pos);
    Ok(())
}

fn send(what: &str, bytes: &[u8]) {
    println!("-> {what}: {} bytes {:02x?}", bytes.len(), bytes);
}

/// The simulated server: checks the request, answers success and a Ping.
fn server_handshake(request: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let limits = *MessagePackHubProtocol::new().limits();
    let Status::Complete((req, _)) = HandshakeRequest::parse(request, &limits)? else {
        unreachable!("the request is whole");
    };
    assert_eq!((req.protocol.as_str(), req.version), ("messagepack", 2));
    let mut o = SliceOutput::new(out);
    HandshakeResponse::success().write(&mut o)?;
    let n = o.len();
    let ping: HubMessage<'_, signalr_codec_msgpack::RawValue<'_>> = HubMessage::Ping;
    Ok(n + MessagePackHubProtocol::new().write_to_slice(&ping, &mut out[n..])?)
}

/// The simulated server: parses the invocation, adds its arguments, answers with a Completion.
fn server_reply(protocol: &MessagePackHubProtocol, frame: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    let Status::Complete((Parsed::Message(HubMessage::Invocation(call)), _)) = protocol.decode(frame)? else {
        unreachable!("an invocation was sent");
    };
    let mut sum = 0;
    for arg in call.arguments.arguments()? {
        sum += arg.as_i64()?;
    }
    let mut result = [0u8; 32];
    let mut w = ValueWriter::new(&mut result);
    w.map(2)?.str("Sum")?.int(sum)?.str("At")?.timestamp(Timestamp::from_seconds(1_700_000_000))?;
    let result = w.finish()?;
    let id = call.invocation_id.as_deref().unwrap_or_default();
    protocol.write_to_slice(&HubMessage::Completion(Completion::result(id, result)), out)
}
