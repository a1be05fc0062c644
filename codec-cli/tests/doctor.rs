//! `signalr-codec doctor` on HAR files.
//!
//! The HAR files here are hand-written to the layout browsers document (HAR 1.2 entries,
//! Chromium's `_webSocketMessages` of `{type, time, opcode, data}` with binary data in base64),
//! not browser recordings: each plants one problem in an otherwise healthy session.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use serde_json::{json, Value};
use signalr_codec_cli::doctor::{self, Options, Report, Severity};
use signalr_codec_cli::protocol::ProtocolName;

const T0: f64 = 1_700_000_000.0;
const BASE: &str = "https://example.test/hub";
const TOKEN: &str = "tok";

fn har(entries: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(
        &json!({ "log": { "version": "1.2", "creator": { "name": "hand-written" }, "entries": entries } }),
    )
    .unwrap()
}

fn started(offset: f64) -> String {
    signalr_codec_cli::rfc3339::format((T0 + offset) as i64, 0)
}

fn negotiate_entry(status: i64, body: &str, query: &str) -> Value {
    json!({
        "startedDateTime": started(0.0),
        "time": 5,
        "request": { "method": "POST", "url": format!("{BASE}/negotiate?negotiateVersion=1{query}") },
        "response": { "status": status, "content": { "mimeType": "application/json", "text": body } },
    })
}

fn negotiated(transports: &str) -> Value {
    let body = format!(
        r#"{{"negotiateVersion":1,"connectionId":"c","connectionToken":"{TOKEN}","availableTransports":[{transports}]}}"#
    );
    negotiate_entry(200, &body, "")
}

const WS: &str = r#"{"transport":"WebSockets","transferFormats":["Text","Binary"]}"#;

/// A text frame: `(direction, seconds after T0, text)`; records end with 0x1E.
fn text(dir: &str, at: f64, data: &str) -> Value {
    json!({ "type": dir, "time": T0 + at, "opcode": 1, "data": data })
}

fn binary(dir: &str, at: f64, data: &[u8]) -> Value {
    json!({ "type": dir, "time": T0 + at, "opcode": 2, "data": base64::engine::general_purpose::STANDARD.encode(data) })
}

fn websocket(messages: Vec<Value>) -> Value {
    json!({
        "startedDateTime": started(0.1),
        "time": 0,
        "request": { "method": "GET", "url": format!("wss://example.test/hub?id={TOKEN}") },
        "response": { "status": 101, "content": { "mimeType": "" } },
        "_webSocketMessages": messages,
    })
}

fn rec(s: &str) -> String {
    format!("{s}\u{1e}")
}

/// A healthy JSON session around `middle` frames (handshake first, server Close last).
fn session(middle: Vec<Value>) -> Vec<Value> {
    let mut frames = vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
        text("receive", 0.3, &rec("{}")),
        text("send", 0.31, &rec(r#"{"type":6}"#)),
    ];
    frames.extend(middle);
    frames.push(text("receive", 9.0, &rec(r#"{"type":7}"#)));
    frames
}

fn diagnose(input: &[u8]) -> Report {
    doctor::diagnose(input, &Options::default()).expect("a readable capture")
}

fn kinds(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.kind).collect()
}

fn with(middle: Vec<Value>) -> Report {
    diagnose(&har(vec![negotiated(WS), websocket(session(middle))]))
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signalr-codec"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(stdin).expect("write stdin");
    child.wait_with_output().expect("it finishes")
}

#[test]
fn a_healthy_json_session_has_no_findings() {
    let report = with(vec![
        text("send", 1.0, &rec(r#"{"type":1,"invocationId":"0","target":"Echo","arguments":["hi"]}"#)),
        text("receive", 1.1, &rec(r#"{"type":3,"invocationId":"0","result":"hi"}"#)),
        text("receive", 1.2, &rec(r#"{"type":6}"#)),
    ]);
    assert_eq!(report.findings, []);
    assert_eq!(report.connections.len(), 1);
    assert_eq!(report.connections[0].messages, 5);
    assert_eq!(report.summary(), "1 connection, 5 messages, 1 negotiate request: 0 errors, 0 warnings, 0 notes");
}

fn msgpack(message: Value) -> Vec<u8> {
    let mut out = Vec::new();
    signalr_codec_cli::codec::encode(ProtocolName::Messagepack, &message, &mut out).unwrap();
    out
}

#[test]
fn other_requests_and_sockets_of_the_page_are_not_connections() {
    let mut page = websocket(vec![text("receive", 0.5, "{\"type\":\"ok\"}")]);
    page["request"]["url"] = json!("ws://example.test/ws");
    let item = json!({
        "startedDateTime": started(0.0),
        "time": 3,
        "request": { "method": "GET", "url": "https://example.test/item?id=5" },
        "response": { "status": 404, "content": { "mimeType": "text/html", "text": "<html>" } },
    });
    let report = diagnose(&har(vec![item, page, negotiated(WS), websocket(session(vec![]))]));
    assert_eq!(report.findings, []);
    assert_eq!(report.connections.len(), 1);
}

#[test]
fn a_websocket_without_negotiate_is_judged_by_its_handshake() {
    let report = diagnose(&har(vec![websocket(session(vec![]))]));
    assert_eq!((report.connections.len(), report.findings.len()), (1, 0));
    let mut refused = websocket(vec![]);
    refused["response"]["status"] = json!(400);
    assert_eq!(kinds(&diagnose(&har(vec![refused]))), ["transport-400-503"]);
}

#[test]
fn a_healthy_messagepack_session_has_no_findings() {
    let frames = vec![
        text("send", 0.2, &rec(r#"{"protocol":"messagepack","version":1}"#)),
        text("receive", 0.3, &rec("{}")),
        binary("send", 0.4, &msgpack(json!({"type": 6}))),
        binary("send", 1.0, &msgpack(json!({"type": 1, "invocationId": "0", "target": "Echo", "arguments": [1]}))),
        binary("receive", 1.1, &msgpack(json!({"type": 3, "invocationId": "0", "result": 1}))),
        binary("receive", 2.0, &msgpack(json!({"type": 7}))),
    ];
    let report = diagnose(&har(vec![negotiated(WS), websocket(frames)]));
    assert_eq!(report.findings, []);
    assert_eq!(report.connections[0].protocol.as_deref(), Some("messagepack"));
    assert_eq!(report.connections[0].messages, 4);
}

#[test]
fn negotiate_statuses_each_have_their_finding() {
    for (status, kind) in [
        (404, "negotiate-404"),
        (400, "negotiate-400-503"),
        (503, "negotiate-400-503"),
        (307, "negotiate-redirect"),
        (405, "negotiate-405"),
        (0, "negotiate-0"),
        (413, "negotiate-413"),
    ] {
        let report = diagnose(&har(vec![negotiate_entry(status, "", "")]));
        assert_eq!(kinds(&report), [kind], "status {status}");
        let f = &report.findings[0];
        assert_eq!((f.severity, f.entry), (Severity::Error, Some(0)));
        assert!(f.what.contains(&status.to_string()), "{}", f.what);
    }
}

#[test]
fn negotiate_error_invalid_body_and_stateful_reconnect() {
    let report = diagnose(&har(vec![negotiate_entry(200, r#"{"error":"Negotiate version not supported."}"#, "")]));
    assert_eq!(kinds(&report), ["negotiate-error"]);
    assert!(report.findings[0].what.contains("Negotiate version not supported."));

    let report = diagnose(&har(vec![negotiate_entry(200, "<html>", "")]));
    assert_eq!(kinds(&report), ["negotiate-invalid"]);
    assert!(report.findings[0].what.contains("Invalid negotiation response received."));

    let body = format!(
        r#"{{"negotiateVersion":1,"connectionId":"c","connectionToken":"{TOKEN}","availableTransports":[{WS}]}}"#
    );
    let report = diagnose(&har(vec![negotiate_entry(200, &body, "&useStatefulReconnect=true")]));
    assert_eq!(kinds(&report), ["stateful-reconnect-not-granted"]);
    assert_eq!(report.findings[0].severity, Severity::Note);
}

#[test]
fn a_transport_negotiate_did_not_offer() {
    let lp = r#"{"transport":"LongPolling","transferFormats":["Text","Binary"]}"#;
    let report = diagnose(&har(vec![negotiated(lp), websocket(session(vec![]))]));
    assert_eq!(kinds(&report), ["transport-not-offered"]);
}

#[test]
fn a_long_access_token_in_the_url() {
    let mut ws = websocket(session(vec![]));
    ws["request"]["url"] = json!(format!("wss://example.test/hub?id={TOKEN}&access_token={}", "a".repeat(5000)));
    let report = diagnose(&har(vec![negotiated(WS), ws]));
    assert_eq!(kinds(&report), ["access-token-long"]);
    assert!(report.findings[0].what.contains("5000 bytes"));
}

#[test]
fn websocket_request_refused_and_404_without_sticky_sessions() {
    for (status, kind) in [(404, "transport-404"), (400, "transport-400-503"), (503, "transport-400-503")] {
        let mut ws = websocket(vec![]);
        ws["response"]["status"] = json!(status);
        let report = diagnose(&har(vec![negotiated(WS), ws]));
        assert_eq!(kinds(&report)[0], kind, "status {status}");
    }
}

fn handshake_case(frames: Vec<Value>) -> Report {
    diagnose(&har(vec![negotiated(WS), websocket(frames)]))
}

#[test]
fn handshake_problems() {
    let close = text("receive", 1.0, &rec(r#"{"type":7}"#));
    // No handshake request: the client starts with a message.
    let report = handshake_case(vec![text("send", 0.2, &rec(r#"{"type":6}"#)), close.clone()]);
    assert_eq!(kinds(&report), ["handshake-missing"]);

    // Refused, with .NET's text.
    let refusal = "The protocol 'foo' is not supported.";
    let report = handshake_case(vec![
        text("send", 0.2, &rec(r#"{"protocol":"foo","version":1}"#)),
        text("receive", 0.3, &rec(&format!(r#"{{"error":"{refusal}"}}"#))),
        close.clone(),
    ]);
    assert_eq!(kinds(&report), ["handshake-protocol", "handshake-refused"]);
    assert!(report.findings[1].what.contains(refusal));
    assert_eq!(report.findings[1].frame, Some(1));

    // A version the server does not support.
    let report = handshake_case(vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":3}"#)),
        text("receive", 0.3, &rec("{}")),
        close.clone(),
    ]);
    assert_eq!(kinds(&report), ["handshake-version"]);

    // No answer at all.
    let report = handshake_case(vec![text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#))]);
    assert_eq!(kinds(&report), ["handshake-unanswered", "no-close"]);

    // Slower than the handshake timeout.
    let report = handshake_case(vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
        text("receive", 16.0, &rec("{}")),
        text("receive", 17.0, &rec(r#"{"type":7}"#)),
    ]);
    assert_eq!(kinds(&report), ["handshake-slow"]);
}

#[test]
fn stateful_reconnect_negotiated_but_version_1() {
    let body = format!(
        r#"{{"negotiateVersion":1,"connectionId":"c","connectionToken":"{TOKEN}","useStatefulReconnect":true,"availableTransports":[{WS}]}}"#
    );
    let report =
        diagnose(&har(vec![negotiate_entry(200, &body, "&useStatefulReconnect=true"), websocket(session(vec![]))]));
    assert_eq!(kinds(&report), ["stateful-reconnect-version"]);
}

#[test]
fn an_invalid_frame_gives_kind_offset_and_text() {
    let report = with(vec![text("send", 1.0, &rec(r#"{"type":1,"arguments":[]}"#))]);
    assert_eq!(kinds(&report), ["message-invalid"]);
    let f = &report.findings[0];
    assert!(f.what.contains("Missing required property 'target'."), "{}", f.what);
    assert!(f.what.contains("missing"), "{}", f.what);
    assert_eq!(f.frame, Some(3));
    assert!(f.offset.is_some());
}

#[test]
fn a_message_over_the_size_limit() {
    let big = rec(&format!(r#"{{"type":1,"target":"Upload","arguments":["{}"]}}"#, "x".repeat(40_000)));
    let input = har(vec![negotiated(WS), websocket(session(vec![text("send", 1.0, &big)]))]);
    let report = diagnose(&input);
    assert_eq!(kinds(&report), ["message-too-large"]);
    assert!(report.findings[0].what.contains(&format!("{}-byte", big.len())));
    let options = Options { max_message_size: Some(64 * 1024), ..Options::default() };
    assert_eq!(doctor::diagnose(&input, &options).unwrap().findings, []);
}

#[test]
fn close_with_an_error_or_allow_reconnect() {
    let report = diagnose(&har(vec![
        negotiated(WS),
        websocket(vec![
            text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
            text("receive", 0.3, &rec("{}")),
            text(
                "receive",
                1.0,
                &rec(r#"{"type":7,"error":"Connection closed with an error.","allowReconnect":true}"#),
            ),
        ]),
    ]));
    assert_eq!(kinds(&report), ["close-error", "close-allow-reconnect"]);
}

#[test]
fn ping_gaps_and_silences() {
    let report = with(vec![text("receive", 0.5, &rec(r#"{"type":6}"#)), text("send", 8.0, &rec(r#"{"type":6}"#))]);
    // The last receive (the Close at 9 s) comes 8.5 s after the ping: healthy.
    assert_eq!(report.findings, []);

    let report = diagnose(&har(vec![
        negotiated(WS),
        websocket(vec![
            text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
            text("receive", 0.3, &rec("{}")),
            text("send", 0.4, &rec(r#"{"type":6}"#)),
            text("receive", 20.0, &rec(r#"{"type":6}"#)),
            text("send", 10.0, &rec(r#"{"type":6}"#)),
            text("send", 20.0, &rec(r#"{"type":6}"#)),
            text("receive", 55.0, &rec(r#"{"type":7}"#)),
            text("send", 54.0, &rec(r#"{"type":6}"#)),
        ]),
    ]));
    assert_eq!(kinds(&report), ["ping-gap", "silence", "silence"]);
    let options = Options { keep_alive_ms: 30_000, timeout_ms: 60_000, ..Options::default() };
    let input = har(vec![negotiated(WS), websocket(session(vec![text("receive", 8.9, &rec(r#"{"type":6}"#))]))]);
    assert_eq!(doctor::diagnose(&input, &options).unwrap().findings, []);
}

#[test]
fn a_connection_without_close_is_a_note() {
    let mut frames = session(vec![]);
    frames.pop();
    let input = har(vec![negotiated(WS), websocket(frames)]);
    let report = diagnose(&input);
    assert_eq!(kinds(&report), ["no-close"]);
    assert!(!report.is_wrong());
    let out = run(&["doctor"], &input);
    assert!(out.status.success());
}

#[test]
fn invocations_and_completions() {
    let report = with(vec![
        text("send", 1.0, &rec(r#"{"type":1,"invocationId":"0","target":"Slow","arguments":[]}"#)),
        text("receive", 1.1, &rec(r#"{"type":3,"invocationId":"7","result":1}"#)),
        text("send", 1.2, &rec(r#"{"type":4,"invocationId":"1","target":"Counter","arguments":[]}"#)),
        text("receive", 1.3, &rec(r#"{"type":2,"invocationId":"1","item":1}"#)),
        text("receive", 1.4, &rec(r#"{"type":3,"invocationId":"1"}"#)),
        text("receive", 1.5, &rec(r#"{"type":2,"invocationId":"1","item":2}"#)),
    ]);
    assert_eq!(kinds(&report), ["completion-unknown-id", "stream-item-after-completion", "invocation-unanswered"]);
    assert!(report.findings[2].what.contains("'0'"));
}

#[test]
fn acks_going_backwards_and_sequences_that_skip() {
    let frames = vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":2}"#)),
        text("receive", 0.3, &rec("{}")),
        text("receive", 0.4, &rec(r#"{"type":1,"target":"Notify","arguments":[]}"#)),
        text("receive", 0.5, &rec(r#"{"type":1,"target":"Notify","arguments":[]}"#)),
        text("send", 1.0, &rec(r#"{"type":8,"sequenceId":2}"#)),
        text("send", 2.0, &rec(r#"{"type":8,"sequenceId":1}"#)),
        text("receive", 3.0, &rec(r#"{"type":9,"sequenceId":5}"#)),
        text("receive", 4.0, &rec(r#"{"type":7}"#)),
    ];
    let body = format!(
        r#"{{"negotiateVersion":1,"connectionId":"c","connectionToken":"{TOKEN}","useStatefulReconnect":true,"availableTransports":[{WS}]}}"#
    );
    let report = diagnose(&har(vec![negotiate_entry(200, &body, "&useStatefulReconnect=true"), websocket(frames)]));
    assert_eq!(kinds(&report), ["ack-backwards", "sequence-skip"]);
}

#[test]
fn messages_replayed_after_a_sequence_are_not_judged_twice() {
    // A stateful reconnect: the server's Completion for '0' was not acknowledged when the
    // transport dropped, so after its Sequence 1 it sends it again on the new socket.
    let frames = vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":2}"#)),
        text("receive", 0.3, &rec("{}")),
        text("send", 0.4, &rec(r#"{"type":1,"invocationId":"0","target":"Add","arguments":[1,2]}"#)),
        text("receive", 0.5, &rec(r#"{"type":3,"invocationId":"0","result":3}"#)),
        text("send", 1.0, &rec(r#"{"type":9,"sequenceId":1}"#)),
        text("send", 1.0, &rec(r#"{"type":1,"invocationId":"0","target":"Add","arguments":[1,2]}"#)),
        text(
            "receive",
            1.1,
            &(rec(r#"{"type":9,"sequenceId":1}"#) + &rec(r#"{"type":3,"invocationId":"0","result":3}"#)),
        ),
        text("send", 2.0, &rec(r#"{"type":8,"sequenceId":1}"#)),
        text("send", 3.0, &rec(r#"{"type":7}"#)),
    ];
    let body = format!(
        r#"{{"negotiateVersion":1,"connectionId":"c","connectionToken":"{TOKEN}","useStatefulReconnect":true,"availableTransports":[{WS}]}}"#
    );
    let negotiate = negotiate_entry(200, &body, "&useStatefulReconnect=true");
    let report = diagnose(&har(vec![negotiate.clone(), websocket(frames.clone())]));
    assert_eq!(report.findings, []);
    // Without the Sequence, the same Completion twice is a repeat; and Sequence 3 would skip id 2.
    let mut without = frames.clone();
    without[6] = text("receive", 1.1, &rec(r#"{"type":3,"invocationId":"0","result":3}"#));
    assert_eq!(kinds(&diagnose(&har(vec![negotiate.clone(), websocket(without)]))), ["completion-repeated"]);
    let mut skipping = frames;
    skipping[6] = text("receive", 1.1, &rec(r#"{"type":9,"sequenceId":3}"#));
    assert_eq!(kinds(&diagnose(&har(vec![negotiate, websocket(skipping)]))), ["sequence-skip"]);
}

#[test]
fn long_polling_and_server_sent_events() {
    let lp = r#"{"transport":"LongPolling","transferFormats":["Text","Binary"]}"#;
    let sse = r#"{"transport":"ServerSentEvents","transferFormats":["Text"]}"#;
    let url = format!("{BASE}?id={TOKEN}");
    let post = |at: f64, body: &str| json!({ "startedDateTime": started(at), "time": 1, "request": { "method": "POST", "url": url, "postData": { "mimeType": "text/plain", "text": body } }, "response": { "status": 200, "content": { "mimeType": "text/plain", "text": "" } } });
    let get = |at: f64, mime: &str, body: &str| json!({ "startedDateTime": started(at), "time": 100, "request": { "method": "GET", "url": url }, "response": { "status": 200, "content": { "mimeType": mime, "text": body } } });
    let report = diagnose(&har(vec![
        negotiated(lp),
        post(0.2, &rec(r#"{"protocol":"json","version":1}"#)),
        get(0.3, "text/plain", &format!("{}{}", rec("{}"), rec(r#"{"type":1,"target":"Hello","arguments":[]}"#))),
        get(1.0, "text/plain", &rec(r#"{"type":7}"#)),
    ]));
    assert_eq!(report.findings, []);
    assert_eq!(report.connections[0].transport, "LongPolling");
    assert_eq!(report.connections[0].messages, 2);

    let body = format!("data: {}\r\n\r\ndata: {}\r\n\r\n", rec("{}"), rec(r#"{"type":7,"error":"boom"}"#));
    let report = diagnose(&har(vec![
        negotiated(sse),
        get(0.1, "text/event-stream", &body),
        post(0.2, &rec(r#"{"protocol":"json","version":1}"#)),
    ]));
    assert_eq!(report.connections[0].transport, "ServerSentEvents");
    assert_eq!(kinds(&report), ["close-error"]);
}

#[test]
fn a_raw_capture_is_one_connection() {
    let mut capture = rec(r#"{"protocol":"json","version":1}"#).into_bytes();
    capture.extend(rec(r#"{"type":6}"#).bytes());
    capture.extend(rec(&format!(r#"{{"type":1,"target":"Big","arguments":["{}"]}}"#, "y".repeat(33_000))).bytes());
    let report = diagnose(&capture);
    assert_eq!(kinds(&report), ["message-too-large"]);
    assert_eq!(report.connections[0].transport, "Raw");
    assert_eq!(report.findings[0].offset, Some(43));
}

#[test]
fn malformed_hars_are_clear_errors() {
    for (input, text) in [
        (&b"{\"log\": 1}"[..], "no log.entries"),
        (b"{\"log\": {\"entries\": [{}]}}", "HAR entry 0: no request.url"),
        (b"{\"log\": ", "invalid JSON"),
    ] {
        let e = doctor::diagnose(input, &Options::default()).unwrap_err();
        assert!(e.contains(text), "{e}");
        let out = run(&["doctor"], input);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(text));
    }
    let mut ws = websocket(vec![json!({ "type": "receive", "time": T0, "opcode": 2, "data": "!!" })]);
    let e = doctor::diagnose(&har(vec![ws.clone()]), &Options::default()).unwrap_err();
    assert!(e.contains("HAR entry 0, WebSocket message 0: invalid base64"), "{e}");
    ws["_webSocketMessages"] = json!([{ "type": "sideways", "data": "" }]);
    assert!(doctor::diagnose(&har(vec![ws]), &Options::default()).is_err());
}

#[test]
fn the_command_prints_a_summary_first_and_json_on_request() {
    let input = har(vec![negotiate_entry(404, "", "")]);
    let out = run(&["doctor"], &input);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some("0 connections, 0 messages, 1 negotiate request: 1 error, 0 warnings, 0 notes")
    );
    assert!(stdout.contains("error [negotiate-404] entry 0"), "{stdout}");
    assert!(stdout.contains("change: "), "{stdout}");

    let out = run(&["doctor", "--json"], &input);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["findings"][0]["kind"], "negotiate-404");
    assert_eq!(report["findings"][0]["time"], "2023-11-14T22:13:20Z");

    let healthy = har(vec![negotiated(WS), websocket(session(vec![]))]);
    let out =
        run(&["doctor", "--max-message-size", "none", "--keep-alive-ms", "20000", "--timeout-ms", "40000"], &healthy);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The page with its `<script>` and `<style>` bodies blanked: what is left are tags and
/// escaped text.
fn markup_only(page: &str) -> String {
    let mut out = String::new();
    let mut rest = page;
    while let Some(start) = rest.find("<script").or_else(|| rest.find("<style")) {
        let close = if rest[start..].starts_with("<script") { "</script>" } else { "</style>" };
        let open_end = start + rest[start..].find('>').expect("a closed tag") + 1;
        out.push_str(&rest[..open_end]);
        let end = open_end + rest[open_end..].find(close).expect("a closed block");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Checks `report.html()` is self-contained, escaped, and has a mark per message and finding.
fn check_page(report: &Report) -> String {
    let page = report.html();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains(&format!("<p class=\"summary\">{}</p>", report.summary())));
    // Two scripts, both inline: the data and the code.
    assert_eq!(page.matches("<script").count(), 2);
    assert!(page.contains("<script type=\"application/json\" id=\"doctor-data\">"));
    assert!(page.contains("<script>"));
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    for bad in ["url(", "@import", "http"] {
        assert!(!style.contains(bad), "{bad} in the style");
    }
    let script = &page[page.rfind("<script>").unwrap()..];
    for bad in ["http", "fetch", "XMLHttpRequest", "import", "src"] {
        assert!(!script.contains(bad), "{bad} in the script");
    }
    // Every tag: no attribute that loads anything, no URL.
    let markup = markup_only(&page);
    for tag in markup.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
        let name = tag.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        assert!(
            !["link", "img", "iframe", "object", "embed", "image", "use", "base", "form", "audio", "video"]
                .contains(&name.as_str()),
            "<{tag}>"
        );
        for attribute in [" src=", " href=", " xlink:href=", " action=", " srcset=", " poster=", " data=", " style="] {
            assert!(!tag.contains(attribute), "<{tag}>");
        }
        assert!(!tag.contains("http://") && !tag.contains("https://"), "<{tag}>");
        assert!(!tag.contains(" on"), "an event handler attribute in <{tag}>");
    }
    // Nothing from the input got out of its text.
    assert!(!page.contains("<script>alert"), "{page}");
    assert!(!page.contains("<img src"), "{page}");

    // A mark per timeline entry (so per message), a marker per finding, and the data for each.
    let marks: usize = report.timelines.iter().map(|t| t.marks.len()).sum();
    let messages: usize = report
        .timelines
        .iter()
        .flat_map(|t| &t.marks)
        .filter(|m| !["negotiate", "handshake", "invalid"].contains(&m.kind))
        .count();
    assert_eq!(messages, report.messages());
    assert_eq!(page.matches("<g class=\"mark\" data-m=\"").count(), marks);
    assert_eq!(page.matches(" data-f=\"").count(), report.findings.len());
    let data = &page[page.find("id=\"doctor-data\">").unwrap() + 17..];
    let data: Value = serde_json::from_str(&data[..data.find("</script>").unwrap()]).expect("the data parses");
    assert_eq!(data["marks"].as_object().unwrap().len(), marks);
    assert_eq!(data["findings"].as_array().unwrap().len(), report.findings.len());
    page
}

const XSS: &str = "</script><script>alert(1)</script>";

#[test]
fn the_html_page_is_self_contained_escaped_and_has_every_mark() {
    // Healthy, with a target and arguments meant to break out of the page.
    let invocation =
        json!({ "type": 1, "invocationId": "0", "target": XSS, "arguments": ["<img src=x onerror=alert(2)>"] });
    let report = with(vec![
        text("send", 1.0, &rec(&invocation.to_string())),
        text("receive", 1.1, &rec(r#"{"type":3,"invocationId":"0","result":"hi"}"#)),
        text("receive", 1.2, &rec(r#"{"type":6}"#)),
    ]);
    assert_eq!(report.findings, []);
    let page = check_page(&report);
    let marks: Vec<&str> = report.timelines[0].marks.iter().map(|m| m.kind).collect();
    assert_eq!(marks, ["negotiate", "handshake", "handshake", "Ping", "Invocation", "Completion", "Ping", "Close"]);
    assert!(page.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains(r"\u003c/script\u003e\u003cscript\u003ealert(1)"));

    // Failing: silences, a close with an error, an unknown stream id, a failed negotiate
    // elsewhere with a URL meant to break out.
    let mut input = vec![
        negotiated(WS),
        websocket(vec![
            text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
            text("receive", 0.3, &rec("{}")),
            text("send", 0.4, &rec(&invocation.to_string())),
            text("receive", 0.5, &rec(r#"{"type":2,"invocationId":"7","item":1}"#)),
            text("receive", 20.0, &rec(r#"{"type":6}"#)),
            text("send", 10.0, &rec(r#"{"type":6}"#)),
            text("send", 20.0, &rec(r#"{"type":6}"#)),
            text("receive", 55.0, &rec(r#"{"type":7,"error":"Connection closed with an error."}"#)),
            text("send", 54.0, &rec("{\"type\":1,")),
        ]),
    ];
    let mut failed = negotiate_entry(404, "", "");
    failed["request"]["url"] = json!(format!("https://example.test/\"><script>alert(3)</script>/negotiate"));
    input.push(failed);
    let report = diagnose(&har(input));
    assert!(report.findings.len() >= 6, "{:?}", kinds(&report));
    let page = check_page(&report);
    let timeline = &report.timelines[0];
    assert!(timeline.silences.iter().any(|s| s.over_timeout));
    assert!(timeline.marks.iter().any(|m| m.kind == "invalid"));
    assert!(page.contains("class=\"silence timeout\""));
    for f in report.findings.iter().filter(|f| f.connection.is_none()) {
        assert!(page.contains(&format!("[{}] entry {}</span>", f.kind, f.entry.unwrap())));
    }
    // Findings at a frame are pinned to its mark.
    assert!(page.contains("class=\"pin\""));
    assert!(page.contains(r#""kind":"close-error","#) && page.contains(r#""mark":"c0m"#));

    // A raw capture (no times: by frame order) and bytes that are not SignalR.
    for input in [&b"\x01\x02\x03garbage"[..], b"{\"type\":1}\x1e{\"type\":9", b""] {
        check_page(&diagnose(input));
    }
}

#[test]
fn the_command_writes_the_page_and_still_prints_the_report() {
    let path = std::env::temp_dir().join(format!("signalr-codec-doctor-{}.html", std::process::id()));
    let input = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/doctor-session.har")).unwrap();
    let out = run(&["doctor", "--html", path.to_str().unwrap()], &input);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let page = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(page, diagnose(&input).html());
    assert_eq!(stdout, diagnose(&input).text());
    check_page(&diagnose(&input));
}

#[test]
fn the_html_page_never_panics_on_a_damaged_har() {
    let fixture = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/doctor-session.har")).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut read = 0;
    for _ in 0..300 {
        let mut input = fixture.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() % input.len() as u64) as usize;
            input[at] = b"0123456789.-e\"{}[],:x \x1e\\"[(next() % 24) as usize];
        }
        if let Ok(report) = doctor::diagnose(&input, &Options::default()) {
            let page = report.html();
            assert_eq!(page.matches("<script").count(), 2);
            read += 1;
        }
    }
    assert!(read > 50, "only {read} damaged HARs still read");
}

/// HAR files recorded from Debian's headless Chromium running the official JavaScript client
/// against codec-tokio's test-hub (`interop/record-har.cjs`; see tests/fixtures/har/README.md).
/// `DOCTOR_HAR_DIR` points these tests at a fresh recording instead (CI re-records and runs
/// them, so the recorder is known to still work).
mod recorded {
    use std::path::PathBuf;

    use serde_json::Value;
    use signalr_codec_cli::doctor::{self, Finding, Options, Report, Severity};

    struct Recording {
        har: Value,
        report: Report,
    }

    fn recording(name: &str) -> Recording {
        let dir = std::env::var_os("DOCTOR_HAR_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/har"), PathBuf::from);
        let path = dir.join(format!("{name}.har"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let har: Value = serde_json::from_slice(&bytes).expect("a JSON file");
        assert!(
            har["log"]["browser"]["name"].as_str().is_some_and(|b| b.starts_with("Chromium")),
            "{name}: not a browser recording"
        );
        let report = doctor::diagnose(&bytes, &Options::default()).expect("doctor reads a browser's HAR");
        Recording { har, report }
    }

    impl Recording {
        fn entries(&self) -> &Vec<Value> {
            self.har["log"]["entries"].as_array().expect("log.entries")
        }

        /// The index of the only entry whose URL contains `part`.
        fn entry(&self, part: &str) -> usize {
            let found: Vec<usize> = (0..self.entries().len())
                .filter(|&i| self.entries()[i]["request"]["url"].as_str().unwrap().contains(part))
                .collect();
            assert_eq!(found.len(), 1, "entries with {part} in the URL");
            found[0]
        }

        /// The WebSocket entry and the index of the only message of `direction` holding `part`.
        fn frame(&self, direction: &str, part: &str) -> (usize, usize, f64) {
            let entry = self.entry("ws://");
            let messages = self.entries()[entry]["_webSocketMessages"].as_array().expect("_webSocketMessages");
            let found: Vec<usize> = (0..messages.len())
                .filter(|&m| messages[m]["type"] == direction && messages[m]["data"].as_str().unwrap().contains(part))
                .collect();
            assert_eq!(found.len(), 1, "{direction} messages with {part}");
            (entry, found[0], messages[found[0]]["time"].as_f64().unwrap())
        }

        /// The invocation id of the client's only message holding `part` (a JSON recording).
        fn invocation_id(&self, part: &str) -> String {
            let (entry, frame, _) = self.frame("send", part);
            let data = self.entries()[entry]["_webSocketMessages"][frame]["data"].as_str().unwrap();
            let call: Value = serde_json::from_str(data.trim_end_matches('\u{1e}')).expect("one JSON record");
            call["invocationId"].as_str().expect("invoked with an id").to_owned()
        }

        fn only(&self, kind: &str) -> &Finding {
            let found: Vec<&Finding> = self.report.findings.iter().filter(|f| f.kind == kind).collect();
            assert_eq!(found.len(), 1, "{kind} findings in {}", self.report.text());
            found[0]
        }

        fn kinds(&self) -> Vec<&'static str> {
            self.report.findings.iter().map(|f| f.kind).collect()
        }
    }

    fn healthy(name: &str, protocol: &str) {
        let r = recording(name);
        // The page, its scripts and the favicon's 404 are no SignalR connections.
        assert!(r.entries().len() > 3, "{name}: the page's own requests are recorded too");
        assert_eq!(r.report.findings, [], "{name}:\n{}", r.report.text());
        assert_eq!(r.report.negotiates, 1);
        assert_eq!(r.report.connections.len(), 1);
        let c = &r.report.connections[0];
        assert_eq!((c.transport, c.protocol.as_deref()), ("WebSockets", Some(protocol)));
        assert_eq!(c.entry, r.entry("ws://"));
        // Handshake, pings, Echo, Add, Counter, Sum with its upload, Notify, Throw, Acks, Close.
        assert!(c.messages >= 20, "{name}: {} messages", c.messages);
        let kinds: Vec<&str> = r.report.timelines[0].marks.iter().map(|m| m.kind).collect();
        for kind in ["negotiate", "handshake", "Invocation", "StreamItem", "Completion", "Ack", "Close"] {
            assert!(kinds.contains(&kind), "{name}: no {kind} in the timeline {kinds:?}");
        }
    }

    #[test]
    fn a_healthy_json_recording_has_no_findings() {
        healthy("healthy-json", "json");
    }

    #[test]
    fn a_healthy_messagepack_recording_has_no_findings() {
        healthy("healthy-messagepack", "messagepack");
        // Chromium wrote the MessagePack frames as opcode 2 with base64 data.
        let r = recording("healthy-messagepack");
        let ws = &r.entries()[r.entry("ws://")]["_webSocketMessages"];
        assert!(ws.as_array().unwrap().iter().any(|m| m["opcode"] == 2));
    }

    #[test]
    fn a_transport_dropped_and_resumed_is_one_healthy_connection() {
        let r = recording("dropped-and-resumed");
        assert_eq!(r.report.findings, [], "{}", r.report.text());
        // Two WebSockets with the same id: one connection, both sides replaying after a Sequence.
        let sockets: Vec<&Value> = r.entries().iter().filter(|e| e["_resourceType"] == "websocket").collect();
        assert_eq!(sockets.len(), 2);
        assert_eq!(sockets[0]["request"]["url"], sockets[1]["request"]["url"]);
        assert_eq!(r.report.connections.len(), 1);
        let marks = &r.report.timelines[0].marks;
        for direction in [doctor::Direction::Send, doctor::Direction::Receive] {
            assert!(marks.iter().any(|m| m.kind == "Sequence" && m.direction == direction), "{marks:?}");
        }
    }

    #[test]
    fn the_wrong_path_is_a_negotiate_404() {
        let r = recording("wrong-path");
        assert_eq!(r.kinds(), ["negotiate-404"]);
        let f = r.only("negotiate-404");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.entry, Some(r.entry("/nohub/negotiate")));
        assert!(f.what.contains("→ 404"), "{}", f.what);
        assert!(r.report.connections.is_empty());
    }

    #[test]
    fn a_hub_on_another_origin_without_cors() {
        let r = recording("cors-missing");
        // The page is on 127.0.0.1, the hub on localhost: the preflight is refused (405) and
        // Chromium records the POST with status 0.
        let entry_of = |method: &str| {
            (0..r.entries().len())
                .find(|&i| {
                    let request = &r.entries()[i]["request"];
                    request["method"] == method && request["url"].as_str().unwrap().contains("localhost")
                })
                .expect("the request to the other origin")
        };
        let (post, options) = (entry_of("POST"), entry_of("OPTIONS"));
        let mut found: Vec<(&str, Severity, Option<usize>)> =
            r.report.findings.iter().map(|f| (f.kind, f.severity, f.entry)).collect();
        found.sort();
        assert_eq!(
            found,
            [("negotiate-0", Severity::Error, Some(post)), ("negotiate-405", Severity::Error, Some(options))]
        );
        assert!(r.only("negotiate-405").what.contains("CORS preflight"));
        assert!(r.only("negotiate-0").what.contains("net::ERR_FAILED"));
        assert_eq!((r.report.negotiates, r.report.connections.len()), (1, 0));
    }

    #[test]
    fn websockets_refused_is_a_400_not_a_cors_failure() {
        let r = recording("websockets-refused");
        // Chromium records the refused handshake with status 0 and the status in its error text.
        let ws = r.entry("ws://");
        assert_eq!(r.entries()[ws]["response"]["status"], 0);
        assert_eq!(r.kinds(), ["transport-400-503"]);
        let f = r.only("transport-400-503");
        assert_eq!((f.severity, f.entry), (Severity::Error, Some(ws)));
        assert!(f.what.contains("→ 400") && f.what.contains("Unexpected response code: 400"), "{}", f.what);
        assert_eq!(r.report.negotiates, 0, "skipNegotiation");
    }

    #[test]
    fn an_oversized_message_and_the_close_it_causes() {
        let r = recording("oversized");
        assert_eq!(r.kinds(), ["message-too-large", "close-error", "invocation-unanswered"]);
        let big = r.only("message-too-large");
        let (entry, frame, time) = r.frame("send", "ooooo");
        assert_eq!(
            (big.severity, big.entry, big.frame, big.time),
            (Severity::Error, Some(entry), Some(frame), Some(time))
        );
        // One message per frame: its size is the frame's, the record separator included.
        let size = r.entries()[entry]["_webSocketMessages"][frame]["data"].as_str().unwrap().len();
        assert!(size > 32 * 1024);
        assert!(big.what.contains(&format!("a {size}-byte message, over the server's 32768-byte")), "{}", big.what);
        let close = r.only("close-error");
        let (entry, frame, _) = r.frame("receive", r#""type":7"#);
        assert_eq!((close.severity, close.entry, close.frame), (Severity::Error, Some(entry), Some(frame)));
        assert!(close.what.contains(r#""Connection closed with an error.""#), "{}", close.what);
        let unanswered = r.only("invocation-unanswered");
        assert_eq!(unanswered.severity, Severity::Warning);
        assert!(unanswered.what.contains(&format!("'{}'", r.invocation_id("ooooo"))), "{}", unanswered.what);
    }

    #[test]
    fn a_server_close_with_an_error() {
        let r = recording("close-error");
        assert_eq!(r.kinds(), ["close-error", "invocation-unanswered"]);
        let close = r.only("close-error");
        let (entry, frame, time) = r.frame("receive", r#""type":7"#);
        assert_eq!(
            (close.severity, close.entry, close.frame, close.time),
            (Severity::Error, Some(entry), Some(frame), Some(time))
        );
        assert!(close.what.contains("Connection closed with an error. HubException: bye"), "{}", close.what);
        // CloseMe's own invocation never completes: the server closed first.
        let unanswered = r.only("invocation-unanswered");
        assert!(unanswered.what.contains(&format!("'{}'", r.invocation_id("CloseMe"))), "{}", unanswered.what);
    }

    #[test]
    fn a_server_silent_past_the_clients_server_timeout() {
        let r = recording("server-timeout");
        // The client's server timeout was 2 s: doctor is told so, as a user would.
        let options = Options { timeout_ms: 2000, ..Options::default() };
        let bytes = serde_json::to_vec(&r.har).unwrap();
        let report = doctor::diagnose(&bytes, &options).unwrap();
        let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["no-close", "silence"], "{}", report.text());
        let silence = &report.findings[1];
        let ws = r.entry("ws://");
        let entry = &r.entries()[ws];
        let started = signalr_codec_cli::rfc3339::parse(entry["startedDateTime"].as_str().unwrap()).unwrap();
        let closed = started.0 as f64 + f64::from(started.1) / 1e9 + entry["time"].as_f64().unwrap() / 1000.0;
        // At the socket's close, not at a frame: the server's last frame is its Completion.
        assert_eq!((silence.severity, silence.entry, silence.frame), (Severity::Error, Some(ws), None));
        assert!((silence.time.unwrap() - closed).abs() < 1e-6);
        let (_, _, last) = r.frame("receive", r#""type":3"#);
        assert!(closed - last > 2.0);
        assert!(silence.what.starts_with("the server sent nothing for 2."), "{}", silence.what);
        assert!(silence.what.contains("until the connection ended, over the 2 s timeout"), "{}", silence.what);
        // With the defaults (30 s) the same recording shows only the missing Close.
        assert_eq!(r.kinds(), ["no-close"]);
    }

    #[test]
    fn a_dropped_transport_ends_without_close_and_leaves_its_call_unanswered() {
        let r = recording("dropped-transport");
        assert_eq!(r.kinds(), ["invocation-unanswered", "no-close"]);
        let id = r.invocation_id("DropTransport");
        let unanswered = r.only("invocation-unanswered");
        assert_eq!(unanswered.severity, Severity::Warning);
        assert!(unanswered.what.contains(&format!("'{id}'")), "{}", unanswered.what);
        let no_close = r.only("no-close");
        assert_eq!((no_close.severity, no_close.connection), (Severity::Note, Some(0)));
        assert!(r.report.is_wrong());
    }
}

#[test]
fn a_close_from_the_client_ends_the_connection_too() {
    // The official clients send a Close when stopped; the server then sends none.
    let mut frames = session(vec![]);
    frames.pop();
    frames.push(text("send", 8.0, &rec(r#"{"type":7}"#)));
    let report = diagnose(&har(vec![negotiated(WS), websocket(frames)]));
    assert_eq!(report.findings, []);
}

#[test]
fn a_refused_websocket_handshake_recorded_as_status_0_has_its_status() {
    // Chromium has no response for a handshake answered with anything but 101: status 0, and
    // the status only in `_error`.
    let refused = json!({
        "startedDateTime": started(0.1),
        "time": 25,
        "request": { "method": "GET", "url": "ws://example.test/hub" },
        "response": {
            "status": 0,
            "content": { "size": 0, "mimeType": "x-unknown" },
            "_error": "Error during WebSocket handshake: Unexpected response code: 503",
        },
        "_resourceType": "websocket",
        "_webSocketMessages": [],
    });
    let report = diagnose(&har(vec![refused.clone()]));
    assert_eq!(kinds(&report), ["transport-400-503"]);
    assert_eq!(report.findings[0].entry, Some(0));
    assert!(report.findings[0].what.contains("→ 503"), "{}", report.findings[0].what);
    // A status 0 with another error is still a request that got no response.
    let mut blocked = refused;
    blocked["response"]["_error"] = json!("net::ERR_FAILED");
    assert_eq!(kinds(&diagnose(&har(vec![blocked]))), ["transport-0"]);
}

#[test]
fn a_cors_preflight_is_not_a_negotiate_and_its_failure_is_named() {
    let preflight = |status: i64| {
        json!({
            "startedDateTime": started(0.0),
            "time": 2,
            "request": { "method": "OPTIONS", "url": format!("{BASE}/negotiate?negotiateVersion=1") },
            "response": { "status": status, "content": { "size": 0, "mimeType": "x-unknown" } },
        })
    };
    // Allowed: the negotiate that follows is the only one counted, and nothing is wrong.
    let report = diagnose(&har(vec![preflight(204), negotiated(WS), websocket(session(vec![]))]));
    assert_eq!(report.findings, []);
    assert_eq!(report.negotiates, 1);
    // Refused: the browser never sends negotiate's body and records the POST with status 0.
    let mut blocked = negotiate_entry(0, "", "");
    blocked["response"]["_error"] = json!("net::ERR_FAILED");
    blocked["response"]["content"] = json!({ "size": 0, "mimeType": "x-unknown" });
    let report = diagnose(&har(vec![blocked, preflight(405)]));
    assert_eq!(kinds(&report), ["negotiate-0", "negotiate-405"]);
    assert_eq!(report.negotiates, 1);
    assert_eq!(report.findings[1].entry, Some(1));
    assert!(report.findings[1].what.starts_with("the browser's CORS preflight of negotiate failed: OPTIONS"));
}

#[test]
fn a_side_silent_to_the_end_while_the_other_went_on() {
    // The client pings on; the server says nothing after the handshake and the client gives up
    // (no Close message: a client that times out just closes the socket).
    let mut frames =
        vec![text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)), text("receive", 0.3, &rec("{}"))];
    frames.extend((1..=7).map(|i| text("send", f64::from(i) * 5.0, &rec(r#"{"type":6}"#))));
    let report = diagnose(&har(vec![negotiated(WS), websocket(frames.clone())]));
    assert_eq!(kinds(&report), ["no-close", "silence"]);
    let silence = &report.findings[1];
    assert_eq!((silence.severity, silence.frame), (Severity::Error, Some(8)));
    assert!(
        silence.what.starts_with("the server sent nothing for 34.7 s until the connection ended"),
        "{}",
        silence.what
    );
    // Shorter: over the keep-alive interval only.
    frames.truncate(6);
    assert_eq!(kinds(&diagnose(&har(vec![negotiated(WS), websocket(frames)]))), ["no-close", "ping-gap"]);
    // The official client pings only after receiving: against a silent server its frames stop
    // too, and only the socket's entry (open for `time` ms from its start, whole seconds
    // here) shows how long it waited.
    let mut socket = websocket(vec![
        text("send", 0.2, &rec(r#"{"protocol":"json","version":1}"#)),
        text("receive", 0.3, &rec("{}")),
        text("send", 0.4, &rec(r#"{"type":6}"#)),
    ]);
    socket["time"] = json!(40_000.0);
    let report = diagnose(&har(vec![negotiated(WS), socket]));
    assert_eq!(kinds(&report), ["no-close", "silence", "silence"]);
    let server = &report.findings[1];
    assert_eq!((server.entry, server.frame, server.time), (Some(1), None, Some(T0 + 40.0)));
    assert!(
        server.what.starts_with("the server sent nothing for 39.7 s until the connection ended"),
        "{}",
        server.what
    );
}
