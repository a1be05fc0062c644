//! The connection benchmark's work: a batch of small blocking invocations through a server
//! [`Connection`] (input bytes → `poll_event` → `complete` with a raw result → `poll_transmit`),
//! and the bare codec doing the same work (decode the same bytes, write the same completions
//! into a reused buffer). What the connection adds over the bare pair is its own cost.

use std::hint::black_box;

use signalr_codec_connection::{Config, Connection, Event, Instant};
use signalr_codec_core::handshake::HandshakeRequest;
use signalr_codec_core::{Completion, Encode, HubDecoder, HubMessage, HubProtocol, Invocation, Parsed, Text};
use signalr_codec_json::{JsonHubProtocol, RawJson};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

use crate::canonical;

/// Invocations in one batch: what one read from the transport might hold.
pub const BATCH: usize = 100;

/// The canonical small invocation, blocking (with an invocation id, as the connection answers
/// it), `BATCH` times, in `protocol`'s framing: read from `payloads.json` and written back with
/// an id (`"0"`…`"99"`).
pub fn batch<P>(protocol: &P, canonical_bytes: &[u8]) -> Vec<u8>
where
    P: HubProtocol + Clone,
    for<'v> P::Value<'v>: Encode<P>,
{
    let mut decoder = HubDecoder::new(protocol.clone());
    let mut out = Vec::new();
    for i in 0..BATCH {
        // Decoded again for each copy: the payload moves into the copy.
        let (message, _) = match decoder.decode(canonical_bytes).expect("the canonical payload parses") {
            signalr_codec_core::Status::Complete(m) => m,
            signalr_codec_core::Status::Partial => panic!("the canonical payload is whole"),
        };
        let Parsed::Message(HubMessage::Invocation(inv)) = message else { panic!("an invocation") };
        let id = i.to_string();
        let call = Invocation { invocation_id: Some(Text::from_frame(id.as_str())), ..inv };
        protocol.write(&HubMessage::Invocation(call), &mut out).expect("writes");
    }
    out
}

/// The JSON and MessagePack batches.
pub fn batches() -> (Vec<u8>, Vec<u8>) {
    let small = canonical().into_iter().find(|p| p.name == "small_invocation").expect("small_invocation");
    (batch(&JsonHubProtocol::new(), &small.json), batch(&MessagePackHubProtocol::new(), &small.msgpack))
}

/// The small result every invocation completes with, raw: `42`.
pub fn json_result() -> RawJson<'static> {
    RawJson::new("42").expect("valid JSON")
}

/// The small result every invocation completes with, raw: `42`.
pub fn msgpack_result() -> RawValue<'static> {
    RawValue::new(&[0x2a]).expect("valid MessagePack")
}

/// A server connection past its handshake.
pub struct Server<P: HubProtocol> {
    conn: Connection<P>,
    protocol: P,
    stateful: bool,
    /// Counted messages sent so far (with stateful reconnect): what the next Ack covers.
    sent: i64,
    ack: Vec<u8>,
}

impl<P: HubProtocol + Clone> Server<P> {
    /// A connection serving `protocol`, with stateful reconnect when asked.
    pub fn new(protocol: P, stateful: bool) -> Self {
        let now = Instant::from_millis(0);
        let config = Config::server().with_stateful_reconnect(stateful);
        let mut conn = Connection::server([protocol.clone()], config, now);
        let mut request = Vec::new();
        HandshakeRequest::new(protocol.name(), if stateful { 2 } else { 1 }).write(&mut request).expect("writes");
        assert_eq!(conn.handle_input(now, &request), request.len());
        match conn.poll_event() {
            Some(Event::Connected(h)) => assert_eq!(h.stateful_reconnect, stateful),
            _ => panic!("the handshake succeeds"),
        }
        while conn.poll_transmit().is_some() {}
        Server { conn, protocol, stateful, sent: 0, ack: Vec::new() }
    }

    /// One batch: every invocation in `input` completed with `result`; with stateful
    /// reconnect, an Ack for all of them then comes back, so the replay buffer stays small.
    /// Returns the bytes to send.
    pub fn round<R: Encode<P> + Copy>(&mut self, input: &[u8], result: R) -> usize {
        let now = Instant::from_millis(0);
        let mut rest = input;
        let mut completed = 0;
        while !rest.is_empty() {
            let taken = self.conn.handle_input(now, rest);
            rest = &rest[taken..];
            loop {
                // The event borrows the connection until the end of this statement. Looked at in
                // place, as `Bare` looks at each decoded message, not moved out first.
                let handle = match &self.conn.poll_event() {
                    Some(Event::Invocation(inv)) => black_box(inv).handle.expect("blocking"),
                    Some(_) => panic!("only invocations arrive"),
                    None => break,
                };
                self.conn.complete(handle, result).expect("completes");
                completed += 1;
            }
        }
        let mut written = 0;
        while let Some(t) = self.conn.poll_transmit() {
            written += black_box(t.bytes).len();
        }
        if self.stateful {
            self.sent += completed;
            self.ack.clear();
            let ack: HubMessage<'_, R> = HubMessage::Ack { sequence_id: self.sent };
            self.protocol.write(&ack, &mut self.ack).expect("writes");
            self.conn.handle_input(now, &self.ack);
            assert!(self.conn.poll_event().is_none());
        }
        written
    }

    /// Bytes kept for replay (zero without stateful reconnect).
    pub fn unacked_bytes(&self) -> usize {
        self.conn.stats().unacked_bytes
    }
}

/// The bare codec doing the same work: a decoder kept for the connection's life and a reused
/// output buffer.
pub struct Bare<P: HubProtocol> {
    decoder: HubDecoder<P>,
    protocol: P,
    out: Vec<u8>,
}

impl<P: HubProtocol + Clone> Bare<P> {
    /// For `protocol`.
    pub fn new(protocol: P) -> Self {
        Bare { decoder: HubDecoder::new(protocol.clone()), protocol, out: Vec::with_capacity(64 * 1024) }
    }

    /// Decodes every invocation in `input` and writes its completion with `result`; returns the
    /// bytes written.
    pub fn round<R: Encode<P> + Copy>(&mut self, input: &[u8], result: R) -> usize {
        self.out.clear();
        let mut messages = self.decoder.messages(input);
        while let Some(parsed) = &messages.next() {
            let Ok(Parsed::Message(HubMessage::Invocation(inv))) = black_box(parsed) else {
                panic!("only invocations arrive")
            };
            let id = inv.invocation_id.clone().expect("blocking");
            let done = HubMessage::Completion(Completion::result(id.owning(), result));
            self.protocol.write(&done, &mut self.out).expect("writes");
        }
        black_box(&self.out).len()
    }
}
