//! What both firmware binaries share: output to the host through semihosting without
//! `core::fmt`, the memory report, the exit, and the panic handler.

use core::panic::PanicInfo;

use cortex_m_semihosting::{debug, hio};
use signalr_codec_connection::codec_core::HubProtocol;
use signalr_codec_connection::{Connection, Event, Instant, Store};

/// Writes to the host's stdout.
pub fn say(bytes: &[u8]) {
    if let Ok(mut out) = hio::hstdout() {
        let _ = out.write_all(bytes);
    }
}

/// Writes `n` in decimal (32-bit division only: no u64 division routine is linked for it).
pub fn say_num(mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    say(&digits[i..]);
}

/// The handshake step: the request goes out first (`request`), the server's `response`
/// connects, and the client's first Ping (`ping`) follows.
#[inline(never)]
pub fn handshake<P: HubProtocol, S: Store>(
    client: &mut Connection<P, S>,
    request: &[u8],
    response: &[u8],
    ping: &[u8],
) -> Result<(), &'static str> {
    expect_sent(client, request, "handshake request")?;
    if client.handle_input(Instant::from_millis(10), response) != response.len() {
        return Err("handshake response not taken");
    }
    match client.poll_event() {
        Some(Event::Connected(handshake)) => {
            say(b"handshake: ");
            say(handshake.protocol.as_bytes());
            say(b"\n");
        }
        _ => return Err("no Connected event"),
    }
    expect_sent(client, ping, "the Ping after the handshake")
}

/// The last step: nothing was sent since 20 ms, so the keep-alive `ping` is due
/// `keep_alive_ms` later on the device's clock; then the client's `close`.
#[inline(never)]
pub fn keep_alive_and_close<P: HubProtocol, S: Store>(
    client: &mut Connection<P, S>,
    keep_alive_ms: u64,
    ping: &[u8],
    close: &[u8],
) -> Result<(), &'static str> {
    let deadline = client.poll_timeout().ok_or("no deadline")?;
    if deadline != Instant::from_millis(20 + keep_alive_ms) {
        return Err("keep-alive deadline");
    }
    client.handle_timeout(deadline);
    expect_sent(client, ping, "the keep-alive Ping")?;
    say(b"keep-alive ping at ");
    say_num(deadline.as_millis() as u32);
    say(b" ms\n");

    client.close(None, false).map_err(|_| "close")?;
    expect_sent(client, close, "the Close")?;
    if !client.is_closed() {
        return Err("not closed after Close");
    }
    say(b"close sent\n");
    Ok(())
}

/// Drains the client's output into one transport message and compares it with what the script
/// expects.
pub fn expect_sent<P: HubProtocol, S: Store>(
    client: &mut Connection<P, S>,
    expected: &[u8],
    step: &'static str,
) -> Result<(), &'static str> {
    let tx = client.poll_transmit().ok_or(step)?;
    if tx.bytes != expected {
        say(b"unexpected bytes for: ");
        say(step.as_bytes());
        say(b"\n  got:");
        for &b in tx.bytes {
            say(b" ");
            say_num(u32::from(b));
        }
        say(b"\n");
        return Err(step);
    }
    if client.poll_transmit().is_some() {
        say(b"more bytes than expected after: ");
        say(step.as_bytes());
        say(b"\n");
        return Err(step);
    }
    Ok(())
}

/// Writes `label`, `n` and a newline.
pub fn say_line(label: &[u8], n: u32) {
    say(label);
    say_num(n);
    say(b"\n");
}

/// Reports the server's `Greet` call as bound.
pub fn say_greet(name: &str, times: i32) {
    say(b"invocation: Greet(\"");
    say(name.as_bytes());
    say(b"\", ");
    say_num(times as u32);
    say(b")\n");
}

/// After `Greet` was completed with `answer`: the completion is on the wire as `completion`,
/// and the server's Ping in the same read raised no event (it is counted).
#[inline(never)]
pub fn greet_completed<P: HubProtocol, S: Store>(
    client: &mut Connection<P, S>,
    completion: &[u8],
    answer: i64,
) -> Result<(), &'static str> {
    expect_sent(client, completion, "the Greet completion")?;
    say_line(b"completed: Greet = ", answer as u32);
    if client.poll_event().is_some() {
        return Err("an event after the server's Ping");
    }
    say_line(b"pings received: ", client.stats().pings_received as u32);
    Ok(())
}

/// Says how the exchange ended (`Err` names the step that went wrong), reports memory with
/// `report`, and exits QEMU: status 0 when every step matched.
pub fn finish(outcome: Result<(), &'static str>, report: impl FnOnce()) -> ! {
    let status = match outcome {
        Ok(()) => {
            say(b"exchange ok\n");
            debug::EXIT_SUCCESS
        }
        Err(step) => {
            say(b"FAILED at: ");
            say(step.as_bytes());
            say(b"\n");
            debug::EXIT_FAILURE
        }
    };
    report();
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}

extern "C" {
    /// The stack's top (its first push goes below it), from cortex-m-rt's `link.x`.
    static _stack_start: u32;
    /// The stack's bottom: the end of static RAM, from cortex-m-rt's `link.x`.
    static _stack_end: u32;
    /// Static RAM: `.data` and `.bss` lie between these.
    static __sdata: u32;
    static __ebss: u32;
}

/// The value cortex-m-rt's `paint-stack` feature fills the stack with before `main`.
const PAINT: u32 = cortex_m_rt::STACK_PAINT_VALUE;

/// Reports the RAM this run used: the stack's high-water mark (the lowest word no longer
/// holding the paint, from the bottom up), static RAM (`.data` + `.bss`), and the I/O buffers
/// the budget does not count. The connection (`connection` bytes) lives on the stack, so its
/// buffers are in the high-water mark: `ram beyond io buffers` takes them out again.
pub fn report_memory(connection: usize, io_buffers: usize) {
    let top = core::ptr::addr_of!(_stack_start) as usize;
    let bottom = core::ptr::addr_of!(_stack_end) as usize;
    let mut reached = top;
    let mut at = bottom;
    while at < top {
        // SAFETY: `[bottom, top)` is the stack region cortex-m-rt set up; reading it is sound.
        let word = unsafe { core::ptr::read_volatile(at as *const u32) };
        if word != PAINT {
            reached = at;
            break;
        }
        at += 4;
    }
    let stack = (top - reached) as u32;
    let statics = (core::ptr::addr_of!(__ebss) as usize - core::ptr::addr_of!(__sdata) as usize) as u32;
    say(b"connection size: ");
    say_num(connection as u32);
    say(b" bytes\nio buffers: ");
    say_num(io_buffers as u32);
    say(b" bytes\nstack high-water: ");
    say_num(stack);
    say(b" bytes\nstatic ram: ");
    say_num(statics);
    say(b" bytes\nram beyond io buffers: ");
    say_num(stack + statics - io_buffers as u32);
    say(b" bytes\n");
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    // No message formatting: that would link `core::fmt` for a path that should never run.
    say(b"panic\n");
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
