//! Helpers for driving connections in tests: a fake clock, draining output, and events in an
//! owned form that assertions can compare.
#![allow(dead_code)]

use signalr_codec_connection::codec_core::{HubProtocol, Outcome, TransferFormat};
use signalr_codec_connection::{
    AnyValue, CallId, Config, Connection, Event, FailureKind, Instant, InvocationHandle, StreamHandle,
};
use signalr_codec_json::{JsonHubProtocol, RawJson};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

pub fn t(millis: u64) -> Instant {
    Instant::from_millis(millis)
}

pub fn secs(s: u64) -> Instant {
    Instant::from_millis(s * 1000)
}

/// A payload value shown as text: JSON as it is, MessagePack as hex.
pub trait Show {
    fn show(&self) -> String;
}

impl Show for RawJson<'_> {
    fn show(&self) -> String {
        self.get().to_string()
    }
}

impl Show for RawValue<'_> {
    fn show(&self) -> String {
        self.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Show for AnyValue<'_> {
    fn show(&self) -> String {
        match self {
            AnyValue::Json(v) => v.show(),
            AnyValue::MessagePack(v) => v.show(),
        }
    }
}

/// An event with nothing borrowed.
#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    Connected { protocol: &'static str, version: i32, stateful: bool },
    Invocation { handle: Option<InvocationHandle>, target: String, arguments: String, uploads: Vec<StreamHandle> },
    StreamInvocation { handle: InvocationHandle, target: String, arguments: String, uploads: Vec<StreamHandle> },
    Cancel(InvocationHandle),
    UploadItem(StreamHandle, String),
    UploadEnd(StreamHandle, Option<String>),
    StreamItem(CallId, String),
    Completion(CallId, Result<Option<String>, String>),
    Resumed,
    Writable,
    Closed(Option<String>, bool),
    Failed(FailureKind, String),
}

pub fn own<V: Show, O: signalr_codec_core::ownership::Ownership>(event: Event<'_, V, O>) -> Ev {
    match event {
        Event::Connected(h) => {
            Ev::Connected { protocol: h.protocol, version: h.version, stateful: h.stateful_reconnect }
        }
        Event::Invocation(inv) => Ev::Invocation {
            handle: inv.handle,
            target: inv.target.to_string(),
            arguments: inv.arguments.show(),
            uploads: inv.uploads.iter().collect(),
        },
        Event::StreamInvocation(inv) => Ev::StreamInvocation {
            handle: inv.handle.expect("stream invocations always have a handle"),
            target: inv.target.to_string(),
            arguments: inv.arguments.show(),
            uploads: inv.uploads.iter().collect(),
        },
        Event::Cancel(h) => Ev::Cancel(h),
        Event::UploadItem { stream, item } => Ev::UploadItem(stream, item.show()),
        Event::UploadEnd { stream, error } => Ev::UploadEnd(stream, error.map(|e| e.to_string())),
        Event::StreamItem { call, item } => Ev::StreamItem(call, item.show()),
        Event::Completion { call, outcome } => Ev::Completion(
            call,
            match outcome {
                Outcome::Void => Ok(None),
                Outcome::Result(v) => Ok(Some(v.show())),
                Outcome::Error(e) => Err(e.to_string()),
            },
        ),
        Event::Resumed => Ev::Resumed,
        Event::Writable => Ev::Writable,
        Event::Closed { error, allow_reconnect } => Ev::Closed(error.map(|e| e.to_string()), allow_reconnect),
        Event::Failed(f) => Ev::Failed(f.kind, f.error.message().to_string()),
    }
}

/// Every event available now.
pub fn events<P: HubProtocol>(conn: &mut Connection<P>) -> Vec<Ev>
where
    for<'a> P::Value<'a>: Show,
{
    let mut all = Vec::new();
    while let Some(e) = conn.poll_event() {
        all.push(own(e));
    }
    all
}

/// Every transmit available now, with its frame format.
pub fn transmits<P: HubProtocol>(conn: &mut Connection<P>) -> Vec<(TransferFormat, Vec<u8>)> {
    let mut all = Vec::new();
    while let Some(t) = conn.poll_transmit() {
        all.push((t.format, t.bytes.to_vec()));
    }
    all
}

/// Every byte to send now, concatenated.
pub fn output<P: HubProtocol>(conn: &mut Connection<P>) -> Vec<u8> {
    transmits(conn).into_iter().flat_map(|(_, b)| b).collect()
}

/// Output as text (JSON connections).
pub fn text<P: HubProtocol>(conn: &mut Connection<P>) -> String {
    String::from_utf8(output(conn)).expect("JSON output is UTF-8")
}

/// Feeds bytes, all of which must be taken.
pub fn feed<P: HubProtocol>(conn: &mut Connection<P>, now: Instant, bytes: &[u8]) {
    assert_eq!(conn.handle_input(now, bytes), bytes.len(), "input refused");
}

/// A JSON server that has accepted a client's handshake at `t(0)`, its output drained.
pub fn json_server(config: Config, version: i32) -> Connection<JsonHubProtocol> {
    let mut server = Connection::server([JsonHubProtocol::new()], config, t(0));
    feed(&mut server, t(0), format!("{{\"protocol\":\"json\",\"version\":{version}}}\x1e").as_bytes());
    assert!(matches!(events(&mut server)[..], [Ev::Connected { .. }]));
    assert_eq!(output(&mut server), b"{}\x1e");
    server
}

/// A JSON client whose handshake the server accepted at `t(0)`, its output drained.
pub fn json_client(config: Config) -> Connection<JsonHubProtocol> {
    let mut client = Connection::client(JsonHubProtocol::new(), config.with_ping_after_handshake(false), t(0));
    output(&mut client);
    feed(&mut client, t(0), b"{}\x1e");
    assert!(matches!(events(&mut client)[..], [Ev::Connected { .. }]));
    client
}

/// A MessagePack server that has accepted a client's handshake at `t(0)`, its output drained.
pub fn msgpack_server(config: Config, version: i32) -> Connection<MessagePackHubProtocol> {
    let mut server = Connection::server([MessagePackHubProtocol::new()], config, t(0));
    feed(&mut server, t(0), format!("{{\"protocol\":\"messagepack\",\"version\":{version}}}\x1e").as_bytes());
    assert!(matches!(events(&mut server)[..], [Ev::Connected { .. }]));
    assert_eq!(output(&mut server), b"{}\x1e");
    server
}
