//! `signalr-codec inspect`: a readable listing of a capture, with warnings where a default
//! ASP.NET Core server would act on what it sees.

use std::collections::HashSet;
use std::fmt::Write as _;

use signalr_codec_core::frame::{Framer, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::limits::DEFAULT_MAX_MESSAGE_SIZE;
use signalr_codec_core::{HubMessage, HubProtocol, Limits, Outcome, Parsed};
use signalr_codec_json::{JsonHubProtocol, RawJson};
use signalr_codec_msgpack::{MessagePackHubProtocol, RawValue};

use crate::codec;
use crate::protocol::ProtocolName;

/// Sizes of the arguments of a raw argument array, when it is one.
trait ArgumentSizes {
    fn argument_sizes(&self) -> Option<Vec<usize>>;
}

impl ArgumentSizes for RawJson<'_> {
    fn argument_sizes(&self) -> Option<Vec<usize>> {
        self.is_array().then(|| self.iter().map(|a| a.get().len()).collect())
    }
}

impl ArgumentSizes for RawValue<'_> {
    fn argument_sizes(&self) -> Option<Vec<usize>> {
        self.arguments().ok().map(|args| args.iter().map(|a| a.as_bytes().len()).collect())
    }
}

/// What the listing remembers across messages to judge later ones.
#[derive(Default)]
struct Session {
    /// True for a server → client capture (it starts with a handshake response): ids then refer
    /// to the client's invocations, which this capture does not hold.
    from_server: bool,
    version: Option<i32>,
    invoked: HashSet<String>,
    streams: HashSet<String>,
}

/// Produces the listing of `input`. `protocol` overrides what the handshake (or the first byte)
/// says; `max_message_size` is the server's limit to warn against (default 32 KiB).
pub fn listing(protocol: Option<ProtocolName>, max_message_size: Option<usize>, input: &[u8]) -> String {
    let mut out = String::new();
    let mut session = Session::default();
    let mut pos = 0;
    let limits = Limits::unlimited();
    let mut detected = None;
    let _ = writeln!(out, "{:>8}  {:>6}  message", "offset", "bytes");
    if let Some(handshake) = codec::leading_handshake(input, &limits) {
        let _ = writeln!(out, "{:>8}  {:>6}  handshake {}", 0, handshake.bytes, handshake.description);
        session.from_server = handshake.protocol.is_none();
        let direction = if session.from_server { "server → client" } else { "client → server" };
        let _ = writeln!(out, "{:>8}  {:>6}  direction: {direction}", "", "");
        if let Some(name) = &handshake.protocol {
            detected = ProtocolName::from_handshake(name);
            if detected.is_none() {
                warn(&mut out, &format!("the server answers: The protocol '{name}' is not supported."));
            }
        }
        session.version = handshake.description.get("version").and_then(|v| v.as_i64()).map(|v| v as i32);
        if let Some(v) = session.version.filter(|v| *v > 2) {
            let name = handshake.protocol.as_deref().unwrap_or("?");
            warn(
                &mut out,
                &format!("the server answers: The server does not support version {v} of the '{name}' protocol."),
            );
        }
        pos = handshake.bytes;
    }
    let protocol = protocol.or(detected).unwrap_or(match input.get(pos) {
        Some(b'{') | None => ProtocolName::Json,
        Some(_) => ProtocolName::Messagepack,
    });
    let _ = writeln!(out, "{:>8}  {:>6}  protocol: {protocol}", "", "");
    let limit = max_message_size.unwrap_or(DEFAULT_MAX_MESSAGE_SIZE);
    match protocol {
        ProtocolName::Json => {
            let p = JsonHubProtocol::with_limits(limits);
            frames(&mut out, &mut session, &p, RecordFramer::new(limits), &input[pos..], pos, limit);
        }
        ProtocolName::Messagepack => {
            let p = MessagePackHubProtocol::with_limits(limits);
            frames(&mut out, &mut session, &p, LengthPrefixFramer::new(limits), &input[pos..], pos, limit);
        }
    }
    out
}

fn warn(out: &mut String, text: &str) {
    let _ = writeln!(out, "{:>8}  {:>6}  ! {text}", "", "");
}

fn frames<P, F>(
    out: &mut String,
    session: &mut Session,
    protocol: &P,
    mut framer: F,
    input: &[u8],
    base: usize,
    limit: usize,
) where
    P: HubProtocol,
    for<'a> P::Value<'a>: ArgumentSizes,
    F: Framer,
{
    let mut pos = 0;
    loop {
        let frame = match framer.next_frame(&input[pos..]) {
            Ok(Status::Complete(frame)) => frame,
            Ok(Status::Partial) => {
                if pos < input.len() {
                    let _ = writeln!(out, "{:>8}  {:>6}  incomplete message at the end", base + pos, input.len() - pos);
                    warn(out, "the server ends the connection: Connection terminated while reading a message.");
                }
                return;
            }
            Err(e) => {
                let _ = writeln!(out, "{:>8}  {:>6}  framing error: {e}", base + pos, input.len() - pos);
                return;
            }
        };
        let offset = base + pos;
        let body = &input[pos..][frame.body.clone()];
        let _ = write!(out, "{offset:>8}  {:>6}  ", frame.consumed);
        match protocol.parse(body) {
            Ok(Parsed::Message(message)) => {
                let _ = writeln!(out, "{}", describe(&message));
                for w in judge(session, &message) {
                    warn(out, &w);
                }
            }
            Ok(Parsed::Skipped { message_type }) => {
                let _ = writeln!(out, "unknown type {message_type} (skipped by .NET and the JS client)");
            }
            Err(e) => {
                let _ = writeln!(out, "invalid: {} ({})", e.message(), e.kind());
                if std::str::from_utf8(body).is_err()
                    && protocol.transfer_format() == signalr_codec_core::TransferFormat::Text
                {
                    warn(out, "the record is not valid UTF-8");
                }
                warn(out, "the server closes the connection on an invalid message");
            }
        }
        if frame.consumed > limit {
            warn(
                out,
                &format!(
                    "over the server's limit: it closes the connection with \"The maximum message size of {limit}B was exceeded. The message size can be configured in AddHubOptions.\""
                ),
            );
        }
        pos += frame.consumed;
    }
}

fn describe<V: ArgumentSizes>(message: &HubMessage<'_, V>) -> String {
    let mut line = format!("{:?}", message.message_type());
    if let Some(id) = message.invocation_id() {
        let _ = write!(line, " id={id:?}");
    }
    let arguments = |line: &mut String, target: &str, args: &V| {
        let _ = write!(line, " target={target:?}");
        match args.argument_sizes() {
            Some(sizes) => {
                let listed: Vec<String> = sizes.iter().map(|s| format!("{s} B")).collect();
                let _ = write!(line, " arguments={} [{}]", sizes.len(), listed.join(", "));
            }
            None => line.push_str(" arguments=(not an array)"),
        }
    };
    match message {
        HubMessage::Invocation(m) => {
            arguments(&mut line, &m.target, &m.arguments);
            if m.invocation_id.is_none() {
                line.push_str(" (non-blocking)");
            }
            if !m.stream_ids.is_empty() {
                let _ = write!(line, " streamIds={:?}", m.stream_ids.iter().collect::<Vec<_>>());
            }
        }
        HubMessage::StreamInvocation(m) => {
            arguments(&mut line, &m.target, &m.arguments);
            if !m.stream_ids.is_empty() {
                let _ = write!(line, " streamIds={:?}", m.stream_ids.iter().collect::<Vec<_>>());
            }
        }
        HubMessage::Completion(m) => match &m.outcome {
            Outcome::Void => line.push_str(" void"),
            Outcome::Result(_) => line.push_str(" with result"),
            Outcome::Error(e) => {
                let _ = write!(line, " error={e:?}");
            }
        },
        HubMessage::Close(m) => {
            if let Some(e) = &m.error {
                let _ = write!(line, " error={e:?}");
            }
            if m.allow_reconnect {
                line.push_str(" allowReconnect");
            }
        }
        HubMessage::Ack { sequence_id } | HubMessage::Sequence { sequence_id } => {
            let _ = write!(line, " sequenceId={sequence_id}");
        }
        _ => {}
    }
    if let Some(headers) = message.headers().filter(|h| !h.is_empty()) {
        let _ = write!(line, " headers={headers:?}");
    }
    line
}

/// Warnings for one message, given what came before it.
fn judge<V>(session: &mut Session, message: &HubMessage<'_, V>) -> Vec<String> {
    let mut warnings = Vec::new();
    match message {
        HubMessage::Invocation(m) => {
            if let Some(id) = m.invocation_id.as_ref().filter(|id| !id.is_empty()) {
                if !session.invoked.insert(id.to_string()) {
                    warnings.push(format!(
                        "the server answers a Completion error: Invocation ID '{id}' is already in use."
                    ));
                }
            }
            session.streams.extend(m.stream_ids.iter().map(|s| s.to_string()));
        }
        HubMessage::StreamInvocation(m) => {
            if !session.invoked.insert(m.invocation_id.to_string()) {
                let id = &m.invocation_id;
                warnings
                    .push(format!("the server answers a Completion error: Invocation ID '{id}' is already in use."));
            }
            session.streams.extend(m.stream_ids.iter().map(|s| s.to_string()));
        }
        HubMessage::StreamItem(m) if !session.from_server && !session.streams.contains(m.invocation_id.as_str()) => {
            warnings.push(format!(
                "no upload stream '{}' was announced earlier in this capture (the server logs and ignores it)",
                m.invocation_id
            ));
        }
        HubMessage::Completion(m)
            if !session.from_server
                && !session.invoked.contains(m.invocation_id.as_str())
                && !session.streams.contains(m.invocation_id.as_str()) =>
        {
            warnings.push(format!(
                "Completion for id '{}', which was never invoked earlier in this capture (the server logs and ignores it)",
                m.invocation_id
            ));
        }
        HubMessage::CancelInvocation(m) if session.from_server => {
            warnings.push(format!(
                "CancelInvocation for id '{}' sent by the server (only callers cancel)",
                m.invocation_id
            ));
        }
        HubMessage::CancelInvocation(m) if !session.invoked.contains(m.invocation_id.as_str()) => {
            warnings.push(format!(
                "CancelInvocation for id '{}', which was never invoked earlier in this capture",
                m.invocation_id
            ));
        }
        HubMessage::Ack { .. } | HubMessage::Sequence { .. } if session.version.is_none_or(|v| v < 2) => {
            warnings.push(match session.version {
                Some(v) => format!("stateful reconnect message, but the handshake asked for version {v} (it needs 2)"),
                None => "stateful reconnect message, but this capture has no version-2 handshake".to_owned(),
            });
        }
        HubMessage::Sequence { sequence_id } if *sequence_id < 1 => {
            warnings.push("sequence ids start at 1".to_owned());
        }
        _ => {}
    }
    warnings
}
