//! The checks: negotiate, transport requests, handshake, messages, timing, invocations and
//! stateful reconnect ids.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use signalr_codec_core::negotiate::NegotiateResponse;
use signalr_codec_core::Limits;

use super::har::{Capture, Connection, Direction, Frame, Request, Transport};
use super::{ConnectionSummary, Finding, Mark, Options, Report, Severity, Silence, Timeline};
use crate::codec::{self, AnyStreamDecoder, Event, Item};
use crate::protocol::ProtocolName;

/// Slack over the keep-alive interval: the server checks on a ~1 s heartbeat, timers jitter.
const KEEP_ALIVE_SLACK: f64 = 2.0;
/// Query strings past this length hit URL limits (IIS, proxies: 413 / 414).
const TOKEN_LIMIT: usize = 4096;

fn finding(severity: Severity, kind: &'static str, what: impl Into<String>, change: impl Into<String>) -> Finding {
    Finding {
        severity,
        kind,
        entry: None,
        connection: None,
        frame: None,
        offset: None,
        time: None,
        what: what.into(),
        change: change.into(),
    }
}

fn at_request(mut f: Finding, r: &Request) -> Finding {
    f.entry = Some(r.entry);
    f.time = r.time;
    f
}

fn at_frame(mut f: Finding, connection: usize, frame: &Frame) -> Finding {
    f.connection = Some(connection);
    f.entry = Some(frame.entry);
    f.frame = frame.message;
    f.time = frame.time;
    f
}

/// What negotiate gave a connection token.
#[derive(Debug, Clone, Default)]
struct Negotiated {
    transports: Vec<String>,
    stateful_reconnect: bool,
    /// The negotiate request, for the timeline.
    mark: Option<Mark>,
}

/// Runs every check on `capture`.
pub fn analyse(capture: &Capture, options: &Options) -> Report {
    let mut report = Report::default();
    let mut negotiated: HashMap<String, Negotiated> = HashMap::new();
    for r in &capture.requests {
        if let Some(token) = r.query("access_token").filter(|t| t.len() > TOKEN_LIMIT) {
            report.findings.push(at_request(
                finding(
                    Severity::Warning,
                    "access-token-long",
                    format!("the access token in the URL is {} bytes: servers and proxies refuse URLs this long (413 or 414)", token.len()),
                    "make the token smaller (fewer claims); send it in the Authorization header where the transport allows (negotiate, long polling, SSE with a custom client)",
                ),
                r,
            ));
        }
        if r.is_negotiate() && r.method == "OPTIONS" {
            // The browser's CORS preflight of a cross-origin negotiate, not a negotiate.
            preflight(r, &mut report.findings);
        } else if r.is_negotiate() {
            report.negotiates += 1;
            negotiate(r, &mut report.findings, &mut negotiated);
        } else if capture.connections.iter().any(|c| c.entries.contains(&r.entry)) {
            transport_request(r, &mut report.findings);
        }
    }
    for (i, c) in capture.connections.iter().enumerate() {
        // A transport request that failed is reported already: what did not follow is its result.
        let failed =
            capture.requests.iter().any(|r| c.entries.contains(&r.entry) && status_finding(r, false).is_some());
        let negotiated = c.id.as_ref().and_then(|id| negotiated.get(id));
        let (summary, mut timeline) = connection(i, c, negotiated, failed, options, &mut report.findings);
        if let Some(mark) = negotiated.and_then(|n| n.mark.clone()) {
            timeline.marks.insert(0, mark);
        }
        report.connections.push(summary);
        report.timelines.push(timeline);
    }
    report
}

fn status_finding(r: &Request, negotiate: bool) -> Option<Finding> {
    let (severity, kind, what, change) = match r.status {
        200..=299 | 101 => return None,
        404 if negotiate => (
            Severity::Error,
            "negotiate-404",
            "negotiate answered 404 Not Found: no hub is mapped at this path",
            "check the URL against the server's MapHub path (case, base path, virtual directory); behind several servers, enable sticky sessions",
        ),
        404 => (
            Severity::Error,
            "transport-404",
            "the transport request answered 404: the server does not know this connection id",
            "with several servers, enable sticky sessions (or use Azure SignalR / a backplane and skipNegotiation with WebSockets only); with skipNegotiation, use WebSockets only",
        ),
        400 | 503 => (
            Severity::Error,
            if negotiate { "negotiate-400-503" } else { "transport-400-503" },
            "400 or 503: usually a client using only WebSockets against a server (or proxy) without WebSockets enabled",
            "enable WebSockets on the server (IIS feature, proxy Upgrade/Connection headers) or allow the other transports on the client",
        ),
        307 | 308 | 301 | 302 => (
            Severity::Error,
            if negotiate { "negotiate-redirect" } else { "transport-redirect" },
            "a redirect (often http → https, UseHttpsRedirection): the client does not follow it for SignalR requests",
            "connect to the final (https) URL directly",
        ),
        405 => (
            Severity::Error,
            if negotiate { "negotiate-405" } else { "transport-405" },
            "405 Method Not Allowed: the POST is not accepted, usually CORS is not enabled for the hub (the preflight or the method fails)",
            "enable CORS for the hub's origin with credentials allowed (app.UseCors before MapHub), or check the path",
        ),
        0 => (
            Severity::Error,
            if negotiate { "negotiate-0" } else { "transport-0" },
            "no response (status 0): the browser blocked it, usually because the CORS headers are missing, or the network failed",
            "allow the page's origin in the server's CORS policy (AllowCredentials, exact origin), and check the browser console",
        ),
        413 | 414 => (
            Severity::Error,
            if negotiate { "negotiate-413" } else { "transport-413" },
            "413/414: the request or its URL is too large, usually an access token over about 4 KB in the query string",
            "make the access token smaller",
        ),
        401 | 403 => (
            Severity::Error,
            if negotiate { "negotiate-unauthorized" } else { "transport-unauthorized" },
            "401/403: the server refuses the credentials",
            "check accessTokenFactory (WebSockets and SSE send the token as access_token in the query) and the server's authentication for the hub",
        ),
        409 => (
            Severity::Error,
            "transport-409",
            "409 Conflict: a second transport request for the same connection id",
            "do not reuse a connection id for two transports at once",
        ),
        _ => (
            Severity::Error,
            if negotiate { "negotiate-status" } else { "transport-status" },
            "the server answered an HTTP error",
            "read the server's logs for this request",
        ),
    };
    let mut what = format!("{} {} → {}: {what}", r.method, r.url, r.status);
    if let Some(error) = &r.error {
        what.push_str(&format!(" (the browser: \"{error}\")"));
    }
    Some(at_request(finding(severity, kind, what, change), r))
}

fn transport_request(r: &Request, out: &mut Vec<Finding>) {
    // 204 on a poll means the connection was shut down: not an error in itself.
    out.extend(status_finding(r, false));
}

/// A preflight that fails stops the browser from sending negotiate (which it then records with
/// status 0): judged by its status, as negotiate, and said to be the preflight.
fn preflight(r: &Request, out: &mut Vec<Finding>) {
    if let Some(mut f) = status_finding(r, true) {
        f.what = format!("the browser's CORS preflight of negotiate failed: {}", f.what);
        out.push(f);
    }
}

fn negotiate(r: &Request, out: &mut Vec<Finding>, negotiated: &mut HashMap<String, Negotiated>) {
    if let Some(f) = status_finding(r, true) {
        out.push(f);
        return;
    }
    let Some(body) = r.body.as_deref() else { return };
    let response = match NegotiateResponse::parse(body.as_bytes()) {
        Ok(response) => response,
        Err(e) => {
            out.push(at_request(
                finding(
                    Severity::Error,
                    "negotiate-invalid",
                    format!("the negotiate response does not parse: {} {} ({})", signalr_codec_core::negotiate::INVALID_NEGOTIATION_RESPONSE, e.message(), e.kind().as_str()),
                    "make sure the URL reaches an ASP.NET Core SignalR hub (not an HTML page, an old ASP.NET SignalR server or a proxy's error page)",
                ),
                r,
            ));
            return;
        }
    };
    if let Some(error) = &response.error {
        out.push(at_request(
            finding(
                Severity::Error,
                "negotiate-error",
                format!("negotiate answered with an error: {error}"),
                "fix what the error says on the server (a negotiate version below its minimum, or a refusal by the service)",
            ),
            r,
        ));
        return;
    }
    let requested: i32 = r.query("negotiateVersion").and_then(|v| v.parse().ok()).unwrap_or(0);
    if response.url.is_none() && response.negotiate_version > requested {
        out.push(at_request(
            finding(
                Severity::Warning,
                "negotiate-version",
                format!("negotiate version {} answered to a request for version {requested}", response.negotiate_version),
                "the server should answer the version asked for or lower; check the server (or proxy) that answers negotiate",
            ),
            r,
        ));
    }
    let transports: Vec<String> =
        response.available_transports.iter().flatten().map(|t| t.transport.to_string()).collect();
    if response.url.is_none() && transports.is_empty() {
        out.push(at_request(
            finding(
                Severity::Error,
                "negotiate-no-transports",
                "negotiate offers no transport: the client cannot connect",
                "enable at least one transport in MapHub's HttpConnectionDispatcherOptions.Transports",
            ),
            r,
        ));
    }
    let asked = r.query("useStatefulReconnect") == Some("true");
    if asked && !response.use_stateful_reconnect {
        out.push(at_request(
            finding(
                Severity::Note,
                "stateful-reconnect-not-granted",
                "the client asked for stateful reconnect and the server did not grant it",
                "set AllowStatefulReconnects = true in MapHub's options if you want it",
            ),
            r,
        ));
    }
    if let Some(id) = response.transport_id() {
        let mark = Mark {
            kind: "negotiate",
            direction: Direction::Send,
            time: r.time,
            seq: 0,
            entry: r.entry,
            frame: None,
            offset: None,
            message: serde_json::json!({
                "method": r.method,
                "url": r.url,
                "status": r.status,
                "response": serde_json::from_str::<Value>(body).unwrap_or_else(|_| Value::String(body.to_owned())),
            }),
        };
        negotiated.insert(
            id.to_owned(),
            Negotiated { transports, stateful_reconnect: response.use_stateful_reconnect, mark: Some(mark) },
        );
    }
}

/// What one direction's stream gave.
struct Decoded {
    /// (stream offset, item, size with framing).
    items: Vec<(usize, Item, usize)>,
    error: Option<(usize, Value)>,
    /// The first stream offset of each frame of this direction, and its index in `frames`.
    starts: Vec<(usize, usize)>,
    /// The handshake at the start of the stream, described.
    handshake: Option<Value>,
}

fn decode(protocol: ProtocolName, frames: &[Frame], direction: Direction) -> Decoded {
    let mut decoder = AnyStreamDecoder::new(protocol, Limits::unlimited());
    let mut events = Vec::new();
    let mut starts = Vec::new();
    let mut offset = 0;
    for (i, f) in frames.iter().enumerate().filter(|(_, f)| f.direction == direction) {
        starts.push((offset, i));
        offset += f.data.len();
        decoder.push(&f.data, &mut events);
    }
    decoder.finish(&mut events);
    let mut items: Vec<(usize, Item, usize)> = Vec::new();
    let mut error = None;
    let mut handshake = None;
    let mut end = offset;
    for event in events {
        match event {
            Event::Handshake(h, _) => handshake = Some(h.description),
            Event::Item(at, item) => items.push((at, item, 0)),
            Event::Error(e) => {
                let at = e.get("offset").and_then(Value::as_u64).unwrap_or(0) as usize;
                end = end.min(at);
                error = Some((at, e));
            }
        }
    }
    // Sizes: up to the next message (or the end of what decoded).
    for i in 0..items.len() {
        let next = items.get(i + 1).map_or(end, |n| n.0);
        items[i].2 = next.saturating_sub(items[i].0);
    }
    Decoded { items, error, starts, handshake }
}

/// The index in `frames` of the frame holding stream offset `at`.
fn frame_at(starts: &[(usize, usize)], at: usize) -> Option<usize> {
    let i = starts.partition_point(|(s, _)| *s <= at);
    starts.get(i.checked_sub(1)?).map(|(_, f)| *f)
}

fn handshake_meaning(error: &str) -> &'static str {
    if error.contains("is not supported") {
        "use a hub protocol the server has (AddMessagePackProtocol on the server for messagepack)"
    } else if error.contains("does not support version") {
        "use a client that matches the server's version (the protocol version is 2 at most)"
    } else if error.contains("Cannot use the") {
        "MessagePack needs a binary transport: use WebSockets or long polling, not Server-Sent Events"
    } else if error.contains("Handshake was canceled") {
        "the handshake did not arrive in time (15 s) or was larger than MaximumReceiveMessageSize: check proxies that buffer, and the client's first send"
    } else {
        "the handshake request was malformed or the server failed: enable EnableDetailedErrors and read the server's logs"
    }
}

#[allow(clippy::too_many_lines)]
fn connection(
    ci: usize,
    c: &Connection,
    negotiated: Option<&Negotiated>,
    failed: bool,
    o: &Options,
    out: &mut Vec<Finding>,
) -> (ConnectionSummary, Timeline) {
    let frames = &c.frames;
    let first = |d: Direction| frames.iter().find(|f| f.direction == d);
    let limits = Limits::unlimited();
    let request_frame = first(Direction::Send);
    let response_frame = first(Direction::Receive);
    let request =
        request_frame.and_then(|f| codec::leading_handshake(&f.data, &limits)).filter(|h| h.protocol.is_some());
    let response =
        response_frame.and_then(|f| codec::leading_handshake(&f.data, &limits)).filter(|h| h.protocol.is_none());
    let conn_finding = |f: Finding| {
        let mut f = f;
        f.connection = Some(ci);
        f.entry = Some(c.entry);
        f.time = c.started;
        f
    };

    if let Some(n) = negotiated {
        let name = c.transport.as_str();
        if !n.transports.iter().any(|t| t == name) {
            out.push(conn_finding(finding(
                Severity::Error,
                "transport-not-offered",
                format!("the connection uses {name}, which negotiate did not offer ({})", n.transports.join(", ")),
                "enable the transport on the server, or restrict the client's transports to those offered",
            )));
        }
    }

    // Handshake.
    let mut protocol = None;
    match (&request, request_frame) {
        (Some(h), Some(f)) => {
            let name = h.protocol.clone().unwrap_or_default();
            let version = h.description.get("version").and_then(Value::as_i64);
            protocol = ProtocolName::from_handshake(&name);
            if protocol.is_none() {
                out.push(at_frame(finding(
                    Severity::Error,
                    "handshake-protocol",
                    format!("the client asks for protocol '{name}': the server answers \"The protocol '{name}' is not supported.\""),
                    "use \"json\" or \"messagepack\" (and register MessagePack on the server)",
                ), ci, f));
            }
            if let Some(v) = version.filter(|v| *v > 2) {
                out.push(at_frame(finding(
                    Severity::Error,
                    "handshake-version",
                    format!("the client asks for version {v}: the server answers \"The server does not support version {v} of the '{name}' protocol.\""),
                    "use a client whose protocol version the server supports (2 at most)",
                ), ci, f));
            }
            if let (Some(n), Some(v)) = (negotiated, version) {
                if n.stateful_reconnect && v < 2 {
                    out.push(at_frame(finding(
                        Severity::Warning,
                        "stateful-reconnect-version",
                        format!("stateful reconnect was negotiated but the handshake asks for version {v}: the server turns it off (it needs 2)"),
                        "use a client that sends version 2 when stateful reconnect is on",
                    ), ci, f));
                }
            }
        }
        (None, Some(f)) if !c.one_direction || f.data.first() == Some(&b'{') => {
            out.push(at_frame(finding(
                Severity::Error,
                "handshake-missing",
                "the client's first message is not a handshake request: the server waits for one, then fails the connection",
                "send {\"protocol\":\"json\",\"version\":1} and 0x1E first (the official clients do; check custom clients and proxies)",
            ), ci, f));
        }
        (_, None) if !c.one_direction && !failed => {
            out.push(conn_finding(finding(
                Severity::Error,
                "handshake-missing",
                "the client sent nothing on this connection: no handshake request",
                "check that the transport opened (its status) and that the client started the connection",
            )));
        }
        _ => {}
    }
    if let (Some(h), Some(f)) = (&response, response_frame) {
        if let Some(error) = h.description.get("error").and_then(Value::as_str) {
            out.push(at_frame(
                finding(
                    Severity::Error,
                    "handshake-refused",
                    format!("the server refuses the handshake: \"{error}\""),
                    handshake_meaning(error),
                ),
                ci,
                f,
            ));
        }
        if let (Some(t0), Some(t1)) = (request_frame.and_then(|f| f.time), f.time) {
            if (t1 - t0) * 1000.0 > o.handshake_timeout_ms as f64 {
                out.push(at_frame(finding(
                    Severity::Warning,
                    "handshake-slow",
                    format!("the handshake took {:.1} s, over the {} s handshake timeout", t1 - t0, o.handshake_timeout_ms as f64 / 1000.0),
                    "find what delays the first messages (a buffering proxy, a slow server start, OnConnectedAsync work)",
                ), ci, f));
            }
        }
    } else if request.is_some() && !c.one_direction {
        let f = response_frame.or(request_frame);
        let what = if response_frame.is_some() {
            "the server's first message is not a handshake response"
        } else {
            "the server never answered the handshake"
        };
        if let Some(f) = f {
            out.push(at_frame(
                finding(
                    Severity::Error,
                    "handshake-unanswered",
                    what,
                    "check the server's logs for the connection; a proxy may buffer or drop the response",
                ),
                ci,
                f,
            ));
        }
    }

    let protocol = protocol.unwrap_or(if frames.iter().any(|f| f.binary) {
        ProtocolName::Messagepack
    } else {
        ProtocolName::Json
    });
    let sent = decode(protocol, frames, Direction::Send);
    let received = decode(protocol, frames, Direction::Receive);
    let messages = sent.items.len() + received.items.len();
    let mut timeline = Timeline::default();
    for (d, dir) in [(&sent, Direction::Send), (&received, Direction::Receive)] {
        timeline.marks.extend(marks(frames, d, dir));
    }
    timeline.marks.sort_by_key(|m| (m.seq, m.offset));

    for (d, dir) in [(&sent, Direction::Send), (&received, Direction::Receive)] {
        if let Some((at, e)) = &d.error {
            let kind = e.get("kind").and_then(Value::as_str).unwrap_or("?");
            let text = e.get("message").and_then(Value::as_str).unwrap_or("?");
            let who = if dir == Direction::Send {
                "the server closes the connection"
            } else {
                "the client closes the connection"
            };
            let mut f = finding(
                Severity::Error,
                "message-invalid",
                format!(
                    "a {} message does not decode as {protocol}: {kind} at byte {at}: {text} ({who})",
                    dir.as_str()
                ),
                "fix the sender's encoding (or the protocol chosen: the handshake says which)",
            );
            if let Some(fi) = frame_at(&d.starts, *at) {
                f = at_frame(f, ci, &frames[fi]);
            } else {
                f.connection = Some(ci);
            }
            f.offset = Some(*at);
            out.push(f);
        }
    }

    // Messages.
    let mut invoked: HashSet<String> = HashSet::new(); // by the client, answered by the server
    let mut upload_streams: HashSet<String> = HashSet::new();
    let mut server_invoked: HashSet<String> = HashSet::new();
    let mut completed: HashSet<String> = HashSet::new();
    let mut client_completed: HashSet<String> = HashSet::new();
    let mut closed = false;
    let (sent_ids, sent_highest) = sequence_ids(&sent);
    let (received_ids, received_highest) = sequence_ids(&received);

    for (d, dir, ids) in [(&sent, Direction::Send, &sent_ids), (&received, Direction::Receive, &received_ids)] {
        let mut last_ack: Option<i64> = None;
        let peer_counted = if dir == Direction::Send { received_highest } else { sent_highest };
        for ((at, item, size), &(replay, counted_before)) in d.items.iter().zip(ids) {
            let Item::Message(m) = item else { continue };
            // A replay was judged when it was first sent.
            if replay {
                continue;
            }
            let fi = frame_at(&d.starts, *at);
            let place = |f: Finding| {
                let mut f = match fi {
                    Some(fi) => at_frame(f, ci, &frames[fi]),
                    None => {
                        let mut f = f;
                        f.connection = Some(ci);
                        f
                    }
                };
                f.offset = Some(*at);
                f
            };
            let id = m.get("invocationId").and_then(Value::as_str).map(str::to_owned);
            let t = message_type(item).unwrap_or(0);
            if dir == Direction::Send {
                if let Some(limit) = o.max_message_size.filter(|l| size > l) {
                    out.push(place(finding(
                        Severity::Error,
                        "message-too-large",
                        format!("a {size}-byte message, over the server's {limit}-byte MaximumReceiveMessageSize: the server closes the connection with \"The maximum message size of {limit}B was exceeded.\""),
                        "raise MaximumReceiveMessageSize in AddSignalR/AddHubOptions, or send less per message (stream it, or split it)",
                    )));
                }
            }
            match (t, dir) {
                (1 | 4, Direction::Send) => {
                    if let Some(id) = &id {
                        invoked.insert(id.clone());
                    }
                    for s in
                        m.get("streamIds").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
                    {
                        upload_streams.insert(s.to_owned());
                    }
                }
                (1, Direction::Receive) => {
                    if let Some(id) = &id {
                        server_invoked.insert(id.clone());
                    }
                }
                (2, Direction::Receive) if !c.one_direction => {
                    if let Some(id) = &id {
                        if completed.contains(id) {
                            out.push(place(finding(
                                Severity::Warning,
                                "stream-item-after-completion",
                                format!("a StreamItem for '{id}' after its Completion: the client ignores it"),
                                "complete a stream only after its last item (server: end the IAsyncEnumerable/ChannelReader last)",
                            )));
                        } else if !invoked.contains(id) {
                            out.push(place(finding(
                                Severity::Warning,
                                "stream-item-unknown-id",
                                format!("a StreamItem for '{id}', which the client never invoked on this connection"),
                                "check the server's invocation ids (a message from another connection?)",
                            )));
                        }
                    }
                }
                (3, Direction::Receive) if !c.one_direction => {
                    if let Some(id) = &id {
                        if !invoked.contains(id) {
                            out.push(place(finding(
                                Severity::Warning,
                                "completion-unknown-id",
                                format!("a Completion for '{id}', which the client never invoked on this connection: the client ignores it"),
                                "check the server's invocation ids (a message from another connection?)",
                            )));
                        } else if !completed.insert(id.clone()) {
                            out.push(place(finding(
                                Severity::Warning,
                                "completion-repeated",
                                format!("a second Completion for '{id}'"),
                                "complete each invocation once",
                            )));
                        }
                    }
                }
                (3, Direction::Send) if !c.one_direction => {
                    if let Some(id) = &id {
                        if !server_invoked.contains(id) && !upload_streams.contains(id) {
                            out.push(place(finding(
                                Severity::Warning,
                                "completion-unknown-id",
                                format!("a Completion for '{id}', which is neither a server invocation nor an upload stream: the server logs and ignores it"),
                                "check the client's ids",
                            )));
                        }
                        client_completed.insert(id.clone());
                    }
                }
                (7, _) => {
                    // Either side's Close ends it: the official clients send one when stopped.
                    closed = true;
                    if let Some(error) = m.get("error").and_then(Value::as_str) {
                        let who = if dir == Direction::Receive { "server" } else { "client" };
                        out.push(place(finding(
                            Severity::Error,
                            "close-error",
                            format!("the {who} closes the connection with an error: \"{error}\""),
                            if error == "Connection closed with an error." {
                                "read the server's logs for this connection (or turn on EnableDetailedErrors to see the cause here)"
                            } else {
                                "fix the cause the error names"
                            },
                        )));
                    }
                    if m.get("allowReconnect").and_then(Value::as_bool) == Some(true) {
                        out.push(place(finding(
                            Severity::Warning,
                            "close-allow-reconnect",
                            "the server closes the connection and allows reconnecting (authentication expired, or the server asked the connection to close)",
                            "turn on automatic reconnect in the client (withAutomaticReconnect), and refresh the access token",
                        )));
                    }
                }
                (8, _) => {
                    let n = m.get("sequenceId").and_then(Value::as_i64).unwrap_or(0);
                    if last_ack.is_some_and(|l| n < l) {
                        out.push(place(finding(
                            Severity::Warning,
                            "ack-backwards",
                            format!("Ack {n} after Ack {}: acknowledged ids go backwards", last_ack.unwrap_or(0)),
                            "an Ack carries the highest id received so far: check the sender's counting",
                        )));
                    }
                    if !c.one_direction && n > peer_counted {
                        out.push(place(finding(
                            Severity::Error,
                            "ack-ahead",
                            format!(
                                "Ack {n}, but the other side sent only {peer_counted} counted messages in this capture"
                            ),
                            "an Ack acknowledges messages received: check the sender's counting",
                        )));
                    }
                    last_ack = Some(last_ack.map_or(n, |l| l.max(n)));
                }
                (9, _) => {
                    let n = m.get("sequenceId").and_then(Value::as_i64).unwrap_or(0);
                    if n < 1 || n > counted_before + 1 {
                        out.push(place(finding(
                            Severity::Error,
                            "sequence-skip",
                            format!("Sequence {n} after {counted_before} counted messages: the receiver fails with \"Sequence ID greater than amount of messages we've received.\" when it skips ids"),
                            "the Sequence must carry the id of the first replayed (oldest unacknowledged) message, ids start at 1",
                        )));
                    }
                }
                _ => {}
            }
        }
    }
    if !c.one_direction {
        for id in invoked.iter().filter(|id| !completed.contains(*id)) {
            let mut f = conn_finding(finding(
                Severity::Warning,
                "invocation-unanswered",
                format!("the client's invocation '{id}' has no Completion in this capture"),
                "check the hub method finishes (and the server's logs); ignore if the HAR was saved while it was running",
            ));
            f.time = None;
            out.push(f);
        }
        for id in server_invoked.iter().filter(|id| !client_completed.contains(*id)) {
            out.push(conn_finding(finding(
                Severity::Warning,
                "invocation-unanswered",
                format!("the server's invocation '{id}' (a client result) has no Completion from the client"),
                "register a handler that returns a value for that method on the client",
            )));
        }
        if !closed && !frames.is_empty() {
            out.push(conn_finding(finding(
                Severity::Note,
                "no-close",
                "the connection ends without a Close message from either side: the transport dropped, or the HAR was saved while it was open (the official clients send a Close when stopped; older ones and custom clients may not)",
                "if the HAR was not saved early, the transport dropped: look at the timing findings, the server's logs and proxies' idle timeouts",
            )));
        }
        timing(ci, c, o, out, &mut timeline.silences);
    }
    let summary = ConnectionSummary {
        entry: c.entry,
        transport: c.transport.as_str(),
        url: c.url.clone(),
        protocol: request
            .as_ref()
            .and_then(|h| h.protocol.clone())
            .or_else(|| (messages > 0).then(|| protocol.to_string())),
        messages,
    };
    (summary, timeline)
}

/// The sequence ids of one direction, for stateful reconnect: the messages counted are
/// Invocation to CancelInvocation (types 1–5), numbered from 1, and a Sequence sets the id of the
/// next one (after a reconnect both sides send one, then replay what the other had not
/// acknowledged). Per item: whether it is a replay (an id already sent), and the highest id sent
/// before it; then the highest id sent.
fn sequence_ids(d: &Decoded) -> (Vec<(bool, i64)>, i64) {
    let (mut next, mut highest) = (1i64, 0i64);
    let mut ids = Vec::with_capacity(d.items.len());
    for (_, item, _) in &d.items {
        let before = highest;
        let mut replay = false;
        match (message_type(item), item) {
            (Some(1..=5), _) => {
                replay = next <= highest;
                highest = highest.max(next);
                next += 1;
            }
            (Some(9), Item::Message(m)) => {
                if let Some(n) = m.get("sequenceId").and_then(Value::as_i64) {
                    next = n;
                }
            }
            _ => {}
        }
        ids.push((replay, before));
    }
    (ids, highest)
}

/// The name of hub message type `t`.
fn type_name(t: i64) -> &'static str {
    match t {
        1 => "Invocation",
        2 => "StreamItem",
        3 => "Completion",
        4 => "StreamInvocation",
        5 => "CancelInvocation",
        6 => "Ping",
        7 => "Close",
        8 => "Ack",
        9 => "Sequence",
        _ => "skipped",
    }
}

/// The timeline marks of one direction: its handshake, its messages, the error that stopped it.
fn marks(frames: &[Frame], d: &Decoded, dir: Direction) -> Vec<Mark> {
    let mark = |kind: &'static str, at: usize, message: Value| {
        let fi = frame_at(&d.starts, at);
        let frame = fi.and_then(|i| frames.get(i));
        Mark {
            kind,
            direction: dir,
            time: frame.and_then(|f| f.time),
            seq: fi.map_or(frames.len(), |i| i + 1),
            entry: frame.map_or(0, |f| f.entry),
            frame: frame.and_then(|f| f.message),
            offset: Some(at),
            message,
        }
    };
    let mut out = Vec::new();
    if let Some(h) = &d.handshake {
        out.push(mark("handshake", 0, h.clone()));
    }
    for (at, item, _) in &d.items {
        out.push(mark(type_name(message_type(item).unwrap_or(0)), *at, item.to_json()));
    }
    if let Some((at, e)) = &d.error {
        out.push(mark("invalid", *at, e.clone()));
    }
    out
}

fn message_type(item: &Item) -> Option<i64> {
    match item {
        Item::Message(m) => m.get("type").and_then(Value::as_i64),
        Item::Skipped { .. } => None,
    }
}

/// Gaps between frames in each direction, and from a direction's last frame to the end of the
/// connection (its WebSocket's close, or the other side's last frame): a side that went quiet
/// until the end is what a timeout looks like when the side that timed out closes the socket
/// without a Close message.
fn timing(ci: usize, c: &Connection, o: &Options, out: &mut Vec<Finding>, silences: &mut Vec<Silence>) {
    let keep_alive = o.keep_alive_ms as f64 / 1000.0;
    let timeout = o.timeout_ms as f64 / 1000.0;
    let timed = |dir: Direction| -> Vec<(&Frame, f64)> {
        c.frames.iter().filter(|f| f.direction == dir).filter_map(|f| f.time.map(|t| (f, t))).collect()
    };
    for dir in [Direction::Receive, Direction::Send] {
        // Long polling keeps the connection alive by polling: the client sends no pings.
        if dir == Direction::Send && c.transport == Transport::LongPolling {
            continue;
        }
        let times = timed(dir);
        let other_dir = if dir == Direction::Send { Direction::Receive } else { Direction::Send };
        // (from, to, the frame that ends the silence: None at the socket's close, until the end)
        let mut gaps: Vec<(f64, f64, Option<&Frame>, bool)> =
            times.windows(2).map(|pair| (pair[0].1, pair[1].1, Some(pair[1].0), false)).collect();
        let other_last = timed(other_dir).into_iter().max_by(|a, b| a.1.total_cmp(&b.1));
        let end = match (other_last, c.ended) {
            (Some((f, t)), Some(e)) if t >= e => Some((t, Some(f))),
            (_, Some(e)) => Some((e, None)),
            (Some((f, t)), None) => Some((t, Some(f))),
            (None, None) => None,
        };
        if let (Some(&(_, last)), Some((end, frame))) = (times.last(), end) {
            if end > last {
                gaps.push((last, end, frame, true));
            }
        }
        let (who, other) = if dir == Direction::Receive { ("server", "client") } else { ("client", "server") };
        for (from, to, ends, at_end) in gaps {
            let gap = to - from;
            if gap > keep_alive {
                silences.push(Silence { direction: dir, from, to, over_timeout: gap > timeout });
            }
            let until = if at_end { " until the connection ended" } else { "" };
            // Hundredths for short gaps, so that one just over a 2 s timeout does not read "2.0 s".
            let gap_text = if gap < 10.0 { format!("{gap:.2}") } else { format!("{gap:.1}") };
            let place = |f: Finding| match ends {
                Some(frame) => at_frame(f, ci, frame),
                None => {
                    let mut f = f;
                    f.connection = Some(ci);
                    f.entry = c.entries.last().copied();
                    f.time = Some(to);
                    f
                }
            };
            if gap > timeout {
                out.push(place(finding(
                    Severity::Error,
                    "silence",
                    format!("the {who} sent nothing for {gap_text} s{until}, over the {timeout} s timeout: the {other} closes the connection"),
                    format!("keep the {who}'s keep-alive interval at most half the {other}'s timeout; check proxies that buffer or pause (and background tabs throttling timers)"),
                )));
            } else if gap > keep_alive + KEEP_ALIVE_SLACK {
                out.push(place(finding(
                    Severity::Warning,
                    "ping-gap",
                    format!("the {who} sent nothing for {gap_text} s{until}, longer than the {keep_alive} s keep-alive interval"),
                    format!("look for what delays the {who}'s pings (a busy server, a buffering proxy, a throttled background tab)"),
                )));
            }
        }
    }
}
