//! The client role on `Fixed` storage — what a device without an allocator runs: handshake,
//! keep-alive, timeouts, invoke and complete with a fixed number of pending calls. A counting
//! allocator checks that the whole exchange allocates nothing, not even on the first message.

mod counting;

use counting::allocations;
use signalr_codec_connection::{CallId, Config, Connection, Event, Fixed, Instant, SendError};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue, ValueWriter};

/// 256-byte buffers, two pending calls, two tracked server calls, ids up to 8 bytes.
type Device = Fixed<256, 2, 2, 8>;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// A completion for call `id` with an integer result, framed as the server writes it.
fn completion(id: u8, result: u8) -> [u8; 8] {
    // [3, {}, "<id>", 3 (non-void), result]
    [0x07, 0x95, 0x03, 0x80, 0xa1, b'0' + id, 0x03, result]
}

#[test]
fn a_device_client_runs_the_whole_exchange_without_allocating() {
    let (count, ()) = allocations(|| {
        let mut client: Connection<MessagePackHubProtocol, Device> =
            Connection::client_in(MessagePackHubProtocol::new(), Config::client(), t(0));
        let mut wire = [0u8; 256];
        let mut sent = 0;
        while let Some(tx) = client.poll_transmit() {
            wire[sent..sent + tx.bytes.len()].copy_from_slice(tx.bytes);
            sent += tx.bytes.len();
        }
        assert_eq!(&wire[..sent], b"{\"protocol\":\"messagepack\",\"version\":1}\x1e");

        assert_eq!(client.handle_input(t(10), b"{}\x1e"), 3);
        assert!(matches!(client.poll_event(), Some(Event::Connected(_))));
        assert_eq!(client.poll_transmit().map(|t| t.bytes.len()), Some(3), "the Ping after the handshake");

        // Arguments written without serde, into a stack buffer.
        let mut args = [0u8; 16];
        let mut writer = ValueWriter::new(&mut args);
        writer.array(2).unwrap().int(40).unwrap().int(2).unwrap();
        let len = writer.written().len();
        let args = RawValue::new(&args[..len]).unwrap();
        assert_eq!(client.invoke("Add", args), Ok(CallId(0)));
        assert_eq!(client.invoke("Add", args), Ok(CallId(1)));
        // Two pending calls is all this device tracks.
        assert_eq!(client.invoke("Add", args), Err(SendError::Full));
        assert!(client.poll_transmit().is_some());

        // The server answers both calls in one read, then pings.
        let mut read = [0u8; 19];
        read[..8].copy_from_slice(&completion(1, 7));
        read[8..16].copy_from_slice(&completion(0, 42));
        read[16..].copy_from_slice(&[0x02, 0x91, 0x06]);
        assert_eq!(client.handle_input(t(20), &read), read.len());
        let mut results = [(0u64, 0i64); 2];
        for slot in &mut results {
            match client.poll_event() {
                Some(Event::Completion { call, outcome }) => {
                    *slot = (call.0, outcome.result().unwrap().as_i64().unwrap());
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(results, [(1, 7), (0, 42)]);
        assert!(client.poll_event().is_none());
        assert_eq!(client.pending_calls(), 0);

        // Keep-alive and the server timeout run on the device's own clock.
        assert_eq!(client.poll_timeout(), Some(t(15_010)));
        client.handle_timeout(t(15_010));
        assert_eq!(client.poll_transmit().map(|t| t.bytes.to_owned_array()), Some([0x02, 0x91, 0x06]));
        client.handle_timeout(t(30_020));
        assert!(matches!(client.poll_event(), Some(Event::Failed(_))));
        assert!(client.is_closed());
    });
    assert_eq!(count, 0, "the device exchange allocated");
}

trait ToArray {
    fn to_owned_array(&self) -> [u8; 3];
}

impl ToArray for &[u8] {
    fn to_owned_array(&self) -> [u8; 3] {
        self[..3].try_into().unwrap()
    }
}

#[test]
fn input_beyond_the_fixed_buffer_is_left_with_the_caller() {
    let mut client: Connection<MessagePackHubProtocol, Fixed<64, 1, 1, 8>> =
        Connection::client_in(MessagePackHubProtocol::new(), Config::client(), t(0));
    while client.poll_transmit().is_some() {}
    client.handle_input(t(1), b"{}\x1e");
    while client.poll_event().is_some() {}
    // 100 Pings do not fit in 64 bytes: the connection takes what fits, the rest waits.
    let pings = [0x02, 0x91, 0x06].repeat(100);
    let mut offered = &pings[..];
    let mut rounds = 0;
    while !offered.is_empty() {
        let taken = client.handle_input(t(2), offered);
        assert!(taken > 0 && taken <= 64);
        offered = &offered[taken..];
        while client.poll_event().is_some() {}
        rounds += 1;
    }
    assert!(rounds >= 5);
    assert_eq!(client.stats().pings_received, 100);
}

#[test]
fn a_handshake_request_larger_than_the_output_fails_the_client_at_once() {
    // `{"protocol":"messagepack","version":1}` + 0x1E is 39 bytes; the buffers hold 16.
    let mut client: Connection<MessagePackHubProtocol, Fixed<16, 1, 1, 8>> =
        Connection::client_in(MessagePackHubProtocol::new(), Config::client(), t(0));
    assert!(client.is_closed());
    match client.poll_event() {
        Some(Event::Failed(failure)) => {
            assert_eq!(failure.kind, signalr_codec_connection::FailureKind::Limit);
            assert_eq!(failure.error.needed(), Some(39));
        }
        other => panic!("expected the failure, got {other:?}"),
    }
    assert!(client.poll_event().is_none());
    // Closed: the server's answer changes nothing.
    client.handle_input(t(1), b"{}\x1e");
    assert!(client.poll_event().is_none());
    assert!(client.is_closed());
}

#[test]
#[cfg(feature = "stateful-reconnect")]
fn a_fixed_replay_buffer_refuses_what_it_cannot_keep_and_takes_it_after_an_ack() {
    let mut client: Connection<MessagePackHubProtocol, Fixed<64, 1, 1, 8>> =
        Connection::client_in(MessagePackHubProtocol::new(), Config::client().with_stateful_reconnect(true), t(0));
    while client.poll_transmit().is_some() {}
    client.handle_input(t(1), b"{}\x1e");
    assert!(matches!(client.poll_event(), Some(Event::Connected(h)) if h.stateful_reconnect));
    while client.poll_transmit().is_some() {} // the Ping after the handshake: not kept
    let args = RawValue::new(&[0x91, 0x01]).unwrap();
    // Each message handed to the transport at once: only the replay buffer fills.
    let mut sizes = Vec::new();
    let refused = loop {
        match client.send("N", args) {
            Ok(()) => sizes.push(client.poll_transmit().expect("the message goes out").bytes.len()),
            Err(e) => break e,
        }
    };
    assert_eq!(refused, SendError::Full);
    let kept: usize = sizes.iter().sum();
    assert!(kept <= 64 && kept + sizes[0] > 64, "{sizes:?}");
    assert!(client.poll_transmit().is_none(), "nothing of the refused message was written");
    let stats = client.stats();
    assert_eq!((stats.unacked_messages, stats.unacked_bytes), (sizes.len() as u64, kept));
    // The server acknowledges all of them: room again.
    client.handle_input(t(2), &[0x03, 0x92, 0x08, sizes.len() as u8]);
    assert!(client.poll_event().is_none());
    assert_eq!(client.stats().unacked_bytes, 0);
    client.send("N", args).unwrap();
    // Not yet handed out: counted all the same.
    assert_eq!(client.stats().unacked_bytes, sizes[0]);
}
