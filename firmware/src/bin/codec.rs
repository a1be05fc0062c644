//! The same MessagePack exchange on the codec alone, without the sans-IO connection: what a
//! device that keeps its own connection rules (or has none beyond the script) pays for the
//! hub protocol itself. Cortex-M3 (QEMU `lm3s6965evb`), no allocator.
//!
//! Each frame is written with the codec's writers into a fixed buffer and compared byte for
//! byte with the script, and the server's frames are read with the incremental decoder from one
//! buffer, as they would arrive. There is no clock here: the keep-alive Ping is written when the
//! script says so.
//!
//! Built by `check codec` (`--bin signalr-codec-firmware-codec`).

#![no_std]
#![no_main]

#[path = "../device.rs"]
mod device;
#[path = "../mem.rs"]
mod mem;
#[path = "../messagepack.rs"]
mod messagepack;

use cortex_m_rt::entry;
use device::{say, say_line};
use messagepack::{
    add_arguments, bind_greet_by_hand, greet_result, ADD_CALL, CLOSE, GREET_COMPLETION, HANDSHAKE_REQUEST,
    HANDSHAKE_RESPONSE, PING, SERVER_BATCH,
};
use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
use signalr_codec_core::{
    Close, Completion, HubDecoder, HubMessage, HubProtocol, Invocation, Parsed, SliceOutput, Status,
};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

/// The device's buffers: one for what it writes, one for what it reads.
const BYTES: usize = 128;
const IO_BUFFERS: usize = 2 * BYTES;

/// Messages without a payload, typed with the payload type the device's other messages carry:
/// one copy of the writers serves them all (`HubMessage::<NoPayload>` would link a second).
type Bare<'a> = HubMessage<'a, RawValue<'a>>;

#[entry]
fn main() -> ! {
    let mut out = [0u8; BYTES];
    let mut input = [0u8; BYTES];
    let outcome = run(&mut out, &mut input);
    device::finish(outcome, || device::report_memory(0, IO_BUFFERS))
}

/// The exchange; `Err` names the step that went wrong.
#[inline(never)]
fn run(out: &mut [u8; BYTES], input: &mut [u8; BYTES]) -> Result<(), &'static str> {
    let protocol = MessagePackHubProtocol::new();
    handshake(&protocol, out, input)?;
    call_add(&protocol, out)?;
    let answer = read_server_batch(&protocol, input)?;
    complete_greet(&protocol, out, answer)?;
    ping_and_close(&protocol, out)
}

/// Compares what was written with what the script expects.
fn expect(
    written: Result<usize, signalr_codec_core::Error>,
    out: &[u8],
    expected: &[u8],
    step: &'static str,
) -> Result<(), &'static str> {
    let n = written.map_err(|_| step)?;
    if &out[..n] != expected {
        return Err(step);
    }
    Ok(())
}

#[inline(never)]
fn handshake(
    protocol: &MessagePackHubProtocol,
    out: &mut [u8; BYTES],
    input: &mut [u8; BYTES],
) -> Result<(), &'static str> {
    let request = HandshakeRequest::new(protocol.name(), 1);
    let written = request.write(&mut SliceOutput::new(out));
    expect(written, out, HANDSHAKE_REQUEST, "handshake request")?;
    input[..HANDSHAKE_RESPONSE.len()].copy_from_slice(HANDSHAKE_RESPONSE);
    match HandshakeResponse::parse(&input[..HANDSHAKE_RESPONSE.len()], protocol.limits()) {
        Ok(Status::Complete((response, _))) if response.error.is_none() => {
            say(b"handshake: ");
            say(protocol.name().as_bytes());
            say(b"\n");
        }
        _ => return Err("handshake response"),
    }
    // The official clients ping right after the handshake.
    expect(protocol.write_to_slice(&Bare::Ping, out), out, PING, "the Ping after the handshake")
}

#[inline(never)]
fn call_add(protocol: &MessagePackHubProtocol, out: &mut [u8; BYTES]) -> Result<(), &'static str> {
    let mut args = [0u8; 8];
    let args = add_arguments(&mut args)?;
    let call = Invocation::new("Add", args).with_invocation_id("0");
    let written = protocol.write_to_slice(&HubMessage::Invocation(call), out);
    say_line(b"sent: Add(40, 2) as call ", 0);
    expect(written, out, ADD_CALL, "the Add invocation")
}

/// Reads the server's one transport message: the Completion of call 0, the server's `Greet`
/// invocation (its arguments bound by hand, as .NET's binder checks them) and a Ping. Returns
/// `Greet`'s answer.
#[inline(never)]
fn read_server_batch(protocol: &MessagePackHubProtocol, input: &mut [u8; BYTES]) -> Result<i64, &'static str> {
    input[..SERVER_BATCH.len()].copy_from_slice(SERVER_BATCH);
    let mut decoder = HubDecoder::new(*protocol);
    let mut answer = None;
    let mut pings = 0;
    for parsed in decoder.messages(&input[..SERVER_BATCH.len()]) {
        match parsed.map_err(|_| "a server frame does not decode")? {
            Parsed::Message(HubMessage::Completion(Completion { invocation_id, outcome, .. }))
                if invocation_id == "0" =>
            {
                let sum = outcome.result().ok_or("Add completed without a result")?;
                let sum = sum.as_i32().map_err(|_| "Add's result is not an i32")?;
                say_line(b"completion: call 0 = ", sum as u32);
            }
            Parsed::Message(HubMessage::Invocation(call)) if call.target == "Greet" => {
                if call.invocation_id.as_deref() != Some("s1") {
                    return Err("Greet is blocking but has no id s1");
                }
                let (name, times) = bind_greet_by_hand(call.arguments)?;
                device::say_greet(name, times);
                answer = Some(name.len() as i64 * i64::from(times));
            }
            Parsed::Message(HubMessage::Ping) => pings += 1,
            _ => return Err("an unexpected server message"),
        }
    }
    say_line(b"pings received: ", pings);
    answer.ok_or("no Invocation of Greet")
}

#[inline(never)]
fn complete_greet(protocol: &MessagePackHubProtocol, out: &mut [u8; BYTES], answer: i64) -> Result<(), &'static str> {
    let mut result = [0u8; 9];
    let result = greet_result(&mut result, answer)?;
    let done = HubMessage::Completion(Completion::result("s1", result));
    expect(protocol.write_to_slice(&done, out), out, GREET_COMPLETION, "the Greet completion")?;
    say_line(b"completed: Greet = ", answer as u32);
    Ok(())
}

#[inline(never)]
fn ping_and_close(protocol: &MessagePackHubProtocol, out: &mut [u8; BYTES]) -> Result<(), &'static str> {
    expect(protocol.write_to_slice(&Bare::Ping, out), out, PING, "the keep-alive Ping")?;
    say(b"keep-alive ping sent\n");
    let close = Bare::Close(Close { error: None, allow_reconnect: false });
    expect(protocol.write_to_slice(&close, out), out, CLOSE, "the Close")?;
    say(b"close sent\n");
    Ok(())
}
