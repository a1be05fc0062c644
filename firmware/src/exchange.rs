//! The connection's steps of the exchange that both connection binaries share (MessagePack and
//! JSON): the handshake, the checks of what the client wrote, `Greet`'s completion, the
//! keep-alive and the Close. The codec-only binary has no connection and does not use them.

use signalr_codec_connection::codec_core::HubProtocol;
use signalr_codec_connection::{Connection, Event, Instant, Store};

use crate::device::{say, say_line, say_num};

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
