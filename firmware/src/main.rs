//! A SignalR MessagePack client on a Cortex-M3 (QEMU `lm3s6965evb`), with no allocator.
//!
//! The client is `signalr-codec-connection`'s client role on `Fixed` storage; the server is a
//! fixed script of the frames a .NET hub sends, and it checks byte for byte every frame the
//! client writes. The exchange: handshake, the Ping the client sends once connected, an
//! invocation of `Add(40, 2)` and its completion, an invocation from the server
//! (`Greet("qemu", 3)`) whose arguments are bound and answered, a Ping from the server, the
//! client's keep-alive Ping on its own clock, and the client's Close.
//!
//! Output goes to the host through semihosting, without `core::fmt` (numbers are written by
//! hand), and the program exits through semihosting: status 0 when every step matched.
//! At the end it reports the stack's high-water mark: cortex-m-rt (feature `paint-stack`)
//! fills the stack with a pattern before `main`, and the first word still holding it, counted
//! from the bottom, marks how deep the stack ever reached.
//!
//! No `#[global_allocator]` is defined: the binary links only because nothing in the codec,
//! the connection or their dependencies needs `alloc`.

#![no_std]
#![no_main]

mod device;
mod exchange;
mod mem;
mod messagepack;

use cortex_m_rt::entry;
use exchange::expect_sent;
use messagepack::{ADD_CALL, CLOSE, GREET_COMPLETION, HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, PING, SERVER_BATCH};
use signalr_codec_connection::{CallId, Config, Connection, Event, Fixed, Instant};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

/// Bytes in each of the connection's buffers (input and output; this client is built without
/// stateful reconnect, so it has no replay buffer): the largest frame this device sends or
/// receives.
const BYTES: usize = 128;
/// The device's storage: 128-byte buffers, two pending calls, two tracked server calls, server
/// ids of at most 8 bytes.
type Device = Fixed<BYTES, 2, 2, 8>;
/// The I/O buffers, which the RAM budget does not count: the connection's two, and its replay
/// buffer when stateful reconnect is built in (`check stateful-reconnect`).
const IO_BUFFERS: usize = if cfg!(feature = "stateful-reconnect") { 3 } else { 2 } * BYTES;

/// The keep-alive interval of `Config::client()` (the official clients' 15 s).
const KEEP_ALIVE_MS: u64 = 15_000;

#[entry]
fn main() -> ! {
    let outcome = run();
    device::finish(outcome, || device::report_memory(core::mem::size_of::<Client>(), IO_BUFFERS))
}

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

type Client = Connection<MessagePackHubProtocol, Device>;

/// The exchange; `Err` names the step that went wrong.
///
/// One function a step, none inlined: this frame holds the connection and little else, and each
/// step's temporaries (events, messages being written) are on the stack only while it runs.
#[inline(never)]
fn run() -> Result<(), &'static str> {
    let mut client: Client = Connection::client_in(MessagePackHubProtocol::new(), Config::client(), t(0));
    exchange::handshake(&mut client, HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, PING)?;
    call_add(&mut client)?;
    serve_greet(&mut client)?;
    exchange::keep_alive_and_close(&mut client, KEEP_ALIVE_MS, PING, CLOSE)
}

#[inline(never)]
fn call_add(client: &mut Client) -> Result<(), &'static str> {
    // A call with arguments written without serde or an allocator.
    let mut args = [0u8; 8];
    let args = messagepack::add_arguments(&mut args)?;
    let call = client.invoke("Add", args).map_err(|_| "invoke")?;
    device::say_line(b"sent: Add(40, 2) as call ", call.0 as u32);
    expect_sent(client, ADD_CALL, "the Add invocation")
}

#[inline(never)]
fn serve_greet(client: &mut Client) -> Result<(), &'static str> {
    // The server answers the call, invokes a method of the client and pings, in one read.
    if client.handle_input(t(20), SERVER_BATCH) != SERVER_BATCH.len() {
        return Err("server batch not taken");
    }
    match client.poll_event() {
        Some(Event::Completion { call: CallId(0), outcome }) => {
            let result = outcome.result().ok_or("Add completed without a result")?;
            let sum = result.as_i32().map_err(|_| "Add's result is not an i32")?;
            device::say_line(b"completion: call 0 = ", sum as u32);
        }
        _ => return Err("no Completion of call 0"),
    }
    let (handle, answer) = match client.poll_event() {
        Some(Event::Invocation(incoming)) if incoming.target == "Greet" => {
            let handle = incoming.handle.ok_or("Greet is blocking but has no handle")?;
            let (name, times) = bind_greet(incoming.arguments)?;
            device::say_greet(name, times);
            (handle, name.len() as i64 * i64::from(times))
        }
        _ => return Err("no Invocation of Greet"),
    };
    let mut result = [0u8; 9];
    let result = messagepack::greet_result(&mut result, answer)?;
    client.complete(handle, result).map_err(|_| "complete")?;
    exchange::greet_completed(client, GREET_COMPLETION, answer)
}

/// `Greet(name: &str, times: i32)`: the arguments bound with serde, without an allocator
/// (`RawValue::bind`, .NET's binder: the count first, then each value; `&str` borrowed from the
/// frame).
#[cfg(feature = "serde")]
fn bind_greet(arguments: RawValue<'_>) -> Result<(&str, i32), &'static str> {
    arguments.bind::<(&str, i32)>().map_err(|_| "Greet's arguments do not bind to (&str, i32)")
}

/// `Greet(name: &str, times: i32)`: the arguments bound by hand from the raw array.
#[cfg(not(feature = "serde"))]
fn bind_greet(arguments: RawValue<'_>) -> Result<(&str, i32), &'static str> {
    messagepack::bind_greet_by_hand(arguments)
}
