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
    /// Messages listed, by type (`unknown type`, `invalid`), in order of first appearance.
    counts: Vec<(String, usize)>,
    warnings: usize,
}

impl Session {
    fn count(&mut self, kind: &str) {
        match self.counts.iter_mut().find(|(k, _)| k == kind) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((kind.to_owned(), 1)),
        }
    }

    /// `N messages (a Invocation, b Completion, …), M warnings`: that the capture was checked,
    /// even when nothing was found.
    fn summary(&self, stopped: &str) -> String {
        let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
        let total: usize = self.counts.iter().map(|(_, n)| n).sum();
        let mut line = match total {
            0 => "no messages".to_owned(),
            n => {
                let by_type: Vec<String> = self.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
                format!("{} ({})", plural(n, "message"), by_type.join(", "))
            }
        };
        line.push_str(stopped);
        line.push_str(", ");
        line.push_str(&match self.warnings {
            0 => "no warnings".to_owned(),
            n => plural(n, "warning"),
        });
        line
    }
}

/// Produces the listing of `input`. `protocol` overrides what the handshake (or the first byte)
/// says; `max_message_size` is the server's limit to warn against (default 32 KiB). The whole
/// input at once; [`Stream`] takes it in pieces.
pub fn listing(protocol: Option<ProtocolName>, max_message_size: Option<usize>, input: &[u8]) -> String {
    let mut stream = Stream::new(protocol, max_message_size);
    let mut out = stream.push(input);
    out.push_str(&stream.finish());
    out
}

/// Where a [`Stream`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The capture may start with a handshake.
    Start,
    /// After the handshake: the protocol is not decided yet.
    Detect,
    /// Hub messages in this protocol.
    Messages(ProtocolName),
    /// After a framing error: the rest is not read.
    Failed,
}

/// `inspect` on a capture arriving in pieces (a pipe still being written): each piece gives the
/// lines of the messages it completes.
///
/// Messages are framed without a size limit, so that oversized ones are shown (and warned
/// about) rather than refused: memory is the message not yet complete, plus the invocation and
/// stream ids seen (to judge later messages). A leading handshake is recognised within the
/// server's size limit, as the server reads it.
pub struct Stream {
    forced: Option<ProtocolName>,
    /// The server's limit to warn against.
    limit: usize,
    phase: Phase,
    started: bool,
    /// Finds the end of a leading handshake record, within the server's limit.
    handshake: RecordFramer,
    framer: Option<Box<dyn Framer + Send>>,
    buf: Vec<u8>,
    /// The stream offset of `buf[0]`.
    base: usize,
    /// Bytes pushed, read or not.
    total: usize,
    session: Session,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream").field("phase", &self.phase).field("buffered", &self.buf.len()).finish()
    }
}

impl Stream {
    /// A listing of a capture in `protocol` (default: from the handshake, else the first byte),
    /// warning against a server limit of `max_message_size` (default 32 KiB).
    pub fn new(protocol: Option<ProtocolName>, max_message_size: Option<usize>) -> Self {
        let limit = max_message_size.unwrap_or(DEFAULT_MAX_MESSAGE_SIZE);
        Stream {
            forced: protocol,
            limit,
            phase: Phase::Start,
            started: false,
            handshake: RecordFramer::new(Limits::unlimited().with_max_message_size(Some(limit))),
            framer: None,
            buf: Vec::new(),
            base: 0,
            total: 0,
            session: Session::default(),
        }
    }

    /// The lines of what `chunk` completes.
    pub fn push(&mut self, chunk: &[u8]) -> String {
        let mut out = String::new();
        self.total += chunk.len();
        if self.phase != Phase::Failed {
            self.buf.extend_from_slice(chunk);
        }
        self.run(&mut out, false);
        out
    }

    /// The lines at the end of the capture (a message cut off is reported).
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        self.run(&mut out, true);
        if matches!(self.phase, Phase::Messages(_)) && !self.buf.is_empty() {
            let _ = writeln!(out, "{:>8}  {:>6}  incomplete message at the end", self.base, self.buf.len());
            warn(
                &mut out,
                &mut self.session,
                "the server ends the connection: Connection terminated while reading a message.",
            );
            self.base += std::mem::take(&mut self.buf).len();
        }
        let stopped = if self.phase == Phase::Failed { " before the framing error" } else { "" };
        let _ = writeln!(out, "{:>8}  {:>6}  end: {}", self.total, "", self.session.summary(stopped));
        out
    }

    /// Bytes held, waiting for the rest of their message.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    fn run(&mut self, out: &mut String, end: bool) {
        if !self.started {
            self.started = true;
            let _ = writeln!(out, "{:>8}  {:>6}  message", "offset", "bytes");
        }
        if self.phase == Phase::Start {
            match self.buf.first() {
                None if !end => return,
                Some(b'{') => match self.handshake.next_frame(&self.buf) {
                    Ok(Status::Complete(frame)) => {
                        let limits = Limits::unlimited();
                        if let Some(handshake) = codec::leading_handshake(&self.buf[..frame.consumed], &limits) {
                            self.handshake_lines(out, &handshake);
                            self.buf.drain(..handshake.bytes);
                            self.base += handshake.bytes;
                        }
                    }
                    // The handshake's record may still be arriving.
                    Ok(Status::Partial) if !end => return,
                    // Longer than the server reads for a handshake, or the capture ended.
                    Ok(Status::Partial) | Err(_) => {}
                },
                _ => {}
            }
            self.phase = Phase::Detect;
        }
        if self.phase == Phase::Detect {
            let protocol = match self.forced {
                Some(p) => p,
                None => match self.buf.first() {
                    None if !end => return,
                    Some(b'{') | None => ProtocolName::Json,
                    Some(_) => ProtocolName::Messagepack,
                },
            };
            let _ = writeln!(out, "{:>8}  {:>6}  protocol: {protocol}", "", "");
            let limits = Limits::unlimited();
            self.framer = Some(match protocol {
                ProtocolName::Json => Box::new(RecordFramer::new(limits)),
                ProtocolName::Messagepack => Box::new(LengthPrefixFramer::new(limits)),
            });
            self.phase = Phase::Messages(protocol);
        }
        if let (Phase::Messages(protocol), Some(framer)) = (self.phase, self.framer.as_mut()) {
            let mut pos = 0;
            loop {
                let frame = match framer.next_frame(&self.buf[pos..]) {
                    Ok(Status::Complete(frame)) => frame,
                    Ok(Status::Partial) => break,
                    Err(e) => {
                        // The rest of the capture is not read, so its size is not known.
                        let _ = writeln!(out, "{:>8}  {:>6}  framing error: {e}", self.base + pos, "");
                        warn(out, &mut self.session, "the server closes the connection on a framing error");
                        self.phase = Phase::Failed;
                        self.buf = Vec::new();
                        return;
                    }
                };
                let body = &self.buf[pos..][frame.body.clone()];
                let _ = write!(out, "{:>8}  {:>6}  ", self.base + pos, frame.consumed);
                let limits = Limits::unlimited();
                match protocol {
                    ProtocolName::Json => message(out, &mut self.session, &JsonHubProtocol::with_limits(limits), body),
                    ProtocolName::Messagepack => {
                        message(out, &mut self.session, &MessagePackHubProtocol::with_limits(limits), body)
                    }
                }
                if frame.consumed > self.limit {
                    let limit = self.limit;
                    warn(
                        out,
                        &mut self.session,
                        &format!(
                            "over the server's limit: it closes the connection with \"The maximum message size of {limit}B was exceeded. The message size can be configured in AddHubOptions.\""
                        ),
                    );
                }
                pos += frame.consumed;
            }
            // Listed messages leave the buffer: only the one still arriving stays.
            self.buf.drain(..pos);
            self.base += pos;
        }
    }

    fn handshake_lines(&mut self, out: &mut String, handshake: &codec::LeadingHandshake) {
        let _ = writeln!(out, "{:>8}  {:>6}  handshake {}", 0, handshake.bytes, handshake.description);
        self.session.from_server = handshake.protocol.is_none();
        let direction = if self.session.from_server { "server → client" } else { "client → server" };
        let _ = writeln!(out, "{:>8}  {:>6}  direction: {direction}", "", "");
        if let Some(name) = &handshake.protocol {
            let detected = ProtocolName::from_handshake(name);
            if detected.is_none() {
                warn(out, &mut self.session, &format!("the server answers: The protocol '{name}' is not supported."));
            }
            self.forced = self.forced.or(detected);
        }
        self.session.version = handshake.description.get("version").and_then(|v| v.as_i64()).map(|v| v as i32);
        if let Some(v) = self.session.version.filter(|v| *v > 2) {
            let name = handshake.protocol.as_deref().unwrap_or("?");
            warn(
                out,
                &mut self.session,
                &format!("the server answers: The server does not support version {v} of the '{name}' protocol."),
            );
        }
    }
}

fn warn(out: &mut String, session: &mut Session, text: &str) {
    session.warnings += 1;
    let _ = writeln!(out, "{:>8}  {:>6}  ! {text}", "", "");
}

/// The rest of a message's line (after its offset and size) and its warnings.
fn message<P>(out: &mut String, session: &mut Session, protocol: &P, body: &[u8])
where
    P: HubProtocol,
    for<'a> P::Value<'a>: ArgumentSizes,
{
    match protocol.parse(body) {
        Ok(Parsed::Message(message)) => {
            let _ = writeln!(out, "{}", describe(&message));
            session.count(&format!("{:?}", message.message_type()));
            for w in judge(session, &message) {
                warn(out, session, &w);
            }
        }
        Ok(Parsed::Skipped { message_type }) => {
            let _ = writeln!(out, "unknown type {message_type} (skipped by .NET and the JS client)");
            session.count("unknown type");
        }
        Err(e) => {
            let _ = writeln!(out, "invalid: {} ({})", e.message(), e.kind());
            session.count("invalid");
            if std::str::from_utf8(body).is_err()
                && protocol.transfer_format() == signalr_codec_core::TransferFormat::Text
            {
                warn(out, session, "the record is not valid UTF-8");
            }
            warn(out, session, "the server closes the connection on an invalid message");
        }
    }
}

fn describe<V: ArgumentSizes>(message: &HubMessage<'_, V, impl signalr_codec_core::ownership::Ownership>) -> String {
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
                line.push_str(" (non-blocking: no completion expected)");
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
            Outcome::Void => line.push_str(" void (no result)"),
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
fn judge<V>(
    session: &mut Session,
    message: &HubMessage<'_, V, impl signalr_codec_core::ownership::Ownership>,
) -> Vec<String> {
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
