//! The same exchange as the MessagePack firmware, in the JSON hub protocol, on a Cortex-M3
//! (QEMU `lm3s6965evb`), with a fixed-size allocator: `embedded-alloc`'s linked-list heap over
//! a static array.
//!
//! JSON needs an allocator to link at all: `signalr-codec-json` binds payloads with serde_json,
//! which builds only with `alloc`, and decodes a string with escapes into an owned text (see
//! firmware/README.md). The connection itself still keeps its bytes in `Fixed` storage, so the
//! heap holds only what the JSON crates allocate; the allocator is wrapped to count its
//! high-water mark, which the run reports.
//!
//! Built by `check json` (`--features json`); the MessagePack binary never links any of it.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;

#[path = "../device.rs"]
mod device;
#[path = "../exchange.rs"]
mod exchange;
#[path = "../mem.rs"]
mod mem;

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicUsize, Ordering};

use cortex_m_rt::entry;
use device::{say, say_num};
use embedded_alloc::LlffHeap;
use exchange::expect_sent;
use signalr_codec_connection::{CallId, Config, Connection, Event, Fixed, Instant};
use signalr_codec_json::{JsonHubProtocol, Serialized};

/// Bytes in each of the connection's two buffers, input and output (built without stateful
/// reconnect, it has no replay buffer): the server's one read of three records (124 bytes) is
/// the largest.
const BYTES: usize = 256;
type Device = Fixed<BYTES, 2, 2, 8>;
const IO_BUFFERS: usize = 2 * BYTES;
/// The heap: what the JSON crates may allocate (the run reports how much they did).
const HEAP: usize = 1024;

/// `embedded-alloc`'s heap, counting the most it ever held.
struct Counted {
    heap: LlffHeap,
    peak: AtomicUsize,
}

// SAFETY: every call goes to `LlffHeap`, a sound allocator; the counter only reads its usage.
unsafe impl GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let block = unsafe { self.heap.alloc(layout) };
        self.peak.fetch_max(self.heap.used(), Ordering::Relaxed);
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's pointer came from `alloc` with this layout.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counted = Counted { heap: LlffHeap::empty(), peak: AtomicUsize::new(0) };

// The script, as a .NET hub and the official clients frame it in JSON.

const HANDSHAKE_REQUEST: &[u8] = b"{\"protocol\":\"json\",\"version\":1}\x1e";
const HANDSHAKE_RESPONSE: &[u8] = b"{}\x1e";
const PING: &[u8] = b"{\"type\":6}\x1e";
const ADD_CALL: &[u8] = b"{\"type\":1,\"invocationId\":\"0\",\"target\":\"Add\",\"arguments\":[40,2]}\x1e";
/// In one read: call 0 returns 42, the server invokes `Greet("qému", 3)` and waits for the
/// answer, and a Ping. The `é` is escaped as .NET's serializer escapes every non-ASCII
/// character: the name comes out of the record unescaped, into the heap.
const SERVER_BATCH: &[u8] = b"{\"type\":3,\"invocationId\":\"0\",\"result\":42}\x1e\
    {\"type\":1,\"invocationId\":\"s1\",\"target\":\"Greet\",\"arguments\":[\"q\\u00E9mu\",3]}\x1e\
    {\"type\":6}\x1e";
const GREET_COMPLETION: &[u8] = b"{\"type\":3,\"invocationId\":\"s1\",\"result\":12}\x1e";
const CLOSE: &[u8] = b"{\"type\":7}\x1e";

const KEEP_ALIVE_MS: u64 = 15_000;

type Client = Connection<JsonHubProtocol, Device>;

#[entry]
fn main() -> ! {
    static mut HEAP_MEMORY: [MaybeUninit<u8>; HEAP] = [MaybeUninit::uninit(); HEAP];
    // SAFETY: cortex-m-rt gives `main`'s `static mut` to this one call as `&mut`; the heap is
    // initialised once, before anything allocates.
    unsafe { ALLOCATOR.heap.init(HEAP_MEMORY.as_mut_ptr() as usize, HEAP) };
    let outcome = run();
    device::finish(outcome, || {
        device::report_memory(core::mem::size_of::<Client>(), IO_BUFFERS);
        say(b"heap: ");
        say_num(HEAP as u32);
        say(b" bytes, at most ");
        say_num(ALLOCATOR.peak.load(Ordering::Relaxed) as u32);
        say(b" bytes used\n");
    })
}

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// The exchange, a step a function as in the MessagePack binary; `Err` names the failed step.
#[inline(never)]
fn run() -> Result<(), &'static str> {
    let mut client: Client = Connection::client_in(JsonHubProtocol::new(), Config::client(), t(0));
    exchange::handshake(&mut client, HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, PING)?;
    call_add(&mut client)?;
    serve_greet(&mut client)?;
    exchange::keep_alive_and_close(&mut client, KEEP_ALIVE_MS, PING, CLOSE)
}

#[inline(never)]
fn call_add(client: &mut Client) -> Result<(), &'static str> {
    // The arguments serialized with serde, straight into the connection's output.
    let call = client.invoke("Add", Serialized((40, 2))).map_err(|_| "invoke")?;
    device::say_line(b"sent: Add(40, 2) as call ", call.0 as u32);
    expect_sent(client, ADD_CALL, "the Add invocation")
}

#[inline(never)]
fn serve_greet(client: &mut Client) -> Result<(), &'static str> {
    if client.handle_input(t(20), SERVER_BATCH) != SERVER_BATCH.len() {
        return Err("server batch not taken");
    }
    match client.poll_event() {
        Some(Event::Completion { call: CallId(0), outcome }) => {
            let result = outcome.result().ok_or("Add completed without a result")?;
            let sum: i32 = result.deserialize().map_err(|_| "Add's result is not an i32")?;
            device::say_line(b"completion: call 0 = ", sum as u32);
        }
        _ => return Err("no Completion of call 0"),
    }
    let (handle, answer) = match client.poll_event() {
        Some(Event::Invocation(incoming)) if incoming.target == "Greet" => {
            let handle = incoming.handle.ok_or("Greet is blocking but has no handle")?;
            // .NET's binder: the count, then each value. A `String`, not a `&str`: a name with
            // an escape cannot be borrowed from the record.
            let (name, times): (String, i32) =
                incoming.arguments.bind().map_err(|_| "Greet's arguments do not bind to (String, i32)")?;
            device::say_greet(&name, times);
            (handle, name.chars().count() as i64 * i64::from(times))
        }
        _ => return Err("no Invocation of Greet"),
    };
    client.complete(handle, Serialized(answer)).map_err(|_| "complete")?;
    exchange::greet_completed(client, GREET_COMPLETION, answer)
}
