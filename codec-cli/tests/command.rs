//! The `signalr-codec` binary, run as a user runs it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

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

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

#[test]
fn decode_hex_lines_gives_one_line_per_buffer() {
    let input = [
        "7b2274797065223a367d1e",                         // {"type":6}␞
        "7b2274797065223a36397d1e7b2274797065223a367d1e", // type 69 (skipped), then a Ping
        "7b2274797065223a367d1e7b2274797065223a317d1e",   // a Ping, then an Invocation without target
        "7b2274797065223a367d1e7b22",                     // a Ping, then a partial record
        "",                                               // an empty buffer
        "zz",                                             // not hex
    ]
    .join("\n");
    let out = run(&["decode", "--protocol", "json", "--hex-lines"], input.as_bytes());
    assert!(out.status.success());
    assert_eq!(
        lines(&out),
        [
            json!({"ok": [{"type": 6}], "skipped": []}),
            json!({"ok": [{"type": 6}], "skipped": [{"type": 69, "bytes": 12}]}),
            // The offset is where the problem was found: the end of the object.
            json!({"ok": [{"type": 6}], "error": {"kind": "missing", "message": "Missing required property 'target'.", "offset": 20}}),
            json!({"ok": [{"type": 6}], "error": {"kind": "incomplete", "message": "The input ends inside a message.", "offset": 11}}),
            json!({"ok": [], "skipped": []}),
            json!({"error": {"kind": "input", "message": "'z' is not a hex digit", "offset": null}}),
        ]
    );
}

#[test]
fn decode_of_a_stream_prints_what_came_before_the_error_and_exits_1() {
    let out = run(&["decode", "-p", "messagepack"], &[0x02, 0x91, 0x06, 0x03, 0x92, 0x03, 0xc0]);
    assert_eq!(out.status.code(), Some(1));
    let lines = lines(&out);
    assert_eq!(lines[0], json!({"type": 6}));
    assert_eq!(lines[1]["error"]["kind"], "type");
    assert_eq!(lines[1]["error"]["offset"], json!(6));
}

#[test]
fn the_size_limit_applies_as_on_a_server() {
    let record = format!("{{\"type\":1,\"target\":\"x\",\"arguments\":[\"{}\"]}}\x1e", "a".repeat(40_000));
    let out = run(&["decode", "-p", "json"], record.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        lines(&out)[0]["error"]["message"],
        "The maximum message size of 32768B was exceeded. The message size can be configured in AddHubOptions."
    );
    let out = run(&["decode", "-p", "json", "--max-message-size", "none"], record.as_bytes());
    assert!(out.status.success());
}

#[test]
fn captures_decode_with_their_handshake() {
    let out = run(&["decode", "-p", "messagepack", repo("captures/client-messagepack.bin").to_str().unwrap()], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let lines = lines(&out);
    assert_eq!(lines[0], json!({"handshake": {"protocol": "messagepack", "version": 2}}));
    assert_eq!(
        lines[4]["arguments"].as_array().unwrap()[1..],
        [json!({"$bin": "010203fa"}), json!({"$timestamp": "2024-01-02T03:04:05.678Z"})]
    );
    assert_eq!(lines.len(), 12);
}

#[test]
fn encode_then_decode_round_trips_in_both_protocols() {
    let messages = [
        json!({"type": 1, "invocationId": "1", "target": "Send", "arguments": ["é\n", 1, null], "streamIds": ["2"], "headers": {"a": "b"}}),
        json!({"type": 2, "invocationId": "2", "item": null}),
        json!({"type": 3, "invocationId": "1", "result": null}),
        json!({"type": 3, "invocationId": "1", "error": "boom"}),
        json!({"type": 4, "invocationId": "3", "target": "Stream", "arguments": []}),
        json!({"type": 5, "invocationId": "3"}),
        json!({"type": 6}),
        json!({"type": 7, "error": "bye", "allowReconnect": true}),
        json!({"type": 8, "sequenceId": 1394}),
        json!({"type": 9, "sequenceId": 1234}),
    ];
    let input: String = messages.iter().map(|m| format!("{m}\n")).collect();
    for protocol in ["json", "messagepack"] {
        let encoded = run(&["encode", "-p", protocol], input.as_bytes());
        assert!(encoded.status.success(), "{}", String::from_utf8_lossy(&encoded.stderr));
        let decoded = run(&["decode", "-p", protocol], &encoded.stdout);
        assert_eq!(lines(&decoded), messages, "{protocol}");
    }
    let hex = run(&["encode", "-p", "json", "--hex"], b"{\"type\":6}\n");
    assert_eq!(String::from_utf8_lossy(&hex.stdout), "7b2274797065223a367d1e\n");
    let bad = run(&["encode", "-p", "json"], b"{\"type\":6}\n{\"type\":1}\n");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("line 2"));
}

#[test]
fn convert_keeps_every_message_of_the_benchmark_payloads() {
    let payloads: Value =
        serde_json::from_slice(&std::fs::read(repo("benches/data/payloads.json")).expect("payloads")).unwrap();
    for payload in payloads["payloads"].as_array().unwrap() {
        let json_bytes = signalr_codec_cli::hex::decode(payload["json"]["hex"].as_str().unwrap()).unwrap();
        let msgpack_bytes = signalr_codec_cli::hex::decode(payload["msgpack"]["hex"].as_str().unwrap()).unwrap();
        let from_json = lines(&run(&["decode", "-p", "json", "--max-message-size", "none"], &json_bytes));
        let from_msgpack = lines(&run(&["decode", "-p", "messagepack", "--max-message-size", "none"], &msgpack_bytes));
        assert_eq!(from_json, from_msgpack, "{}", payload["name"]);
        assert_eq!(from_json, payload["messages"].as_array().unwrap().clone(), "{}", payload["name"]);
        let converted =
            run(&["convert", "--from", "messagepack", "--to", "json", "--max-message-size", "none"], &msgpack_bytes);
        assert!(converted.status.success());
        assert_eq!(converted.stdout, json_bytes, "{}: the JS client's JSON, byte for byte", payload["name"]);
    }
}

#[test]
fn frames_shows_bodies_and_the_remainder() {
    let out = run(&["frames", "-p", "json", "--hex-lines"], b"41421e43441e45\n");
    assert_eq!(lines(&out), [json!({"ok": {"frames": ["4142", "4344"], "remaining": "45"}})]);
    let out = run(&["frames", "-p", "messagepack", "--hex-lines"], b"ffffffffff\n");
    assert_eq!(
        lines(&out),
        [
            json!({"error": {"kind": "limit", "message": "Messages over 2GB in size are not supported.", "offset": 4}, "frames": []})
        ]
    );
}

#[test]
fn handshake_writes_and_parses() {
    let out = run(&["handshake", "--protocol", "messagepack", "--version", "1"], b"");
    assert_eq!(out.stdout, b"{\"protocol\":\"messagepack\",\"version\":1}\x1e");
    let input = "7b2270726f746f636f6c223a226a736f6e222c2276657273696f6e223a317d1e\n7b7d1e\n";
    let requests = run(&["handshake", "--parse", "request", "--hex-lines"], input.as_bytes());
    assert_eq!(lines(&requests)[0], json!({"ok": {"protocol": "json", "version": 1}}));
    assert_eq!(lines(&requests)[1]["error"]["message"], "Missing required property 'protocol'. Message content: {}");
    let responses = run(&["handshake", "--parse", "response", "--hex-lines"], input.as_bytes());
    assert_eq!(lines(&responses)[1], json!({"ok": {}}));
}

#[test]
fn inspect_warns_where_a_server_would_act() {
    let mut capture = b"{\"protocol\":\"json\",\"version\":1}\x1e".to_vec();
    capture.extend_from_slice(b"{\"type\":3,\"invocationId\":\"9\"}\x1e{\"type\":8,\"sequenceId\":1}\x1e");
    capture.extend_from_slice(
        format!("{{\"type\":1,\"target\":\"x\",\"arguments\":[\"{}\"]}}\x1e", "a".repeat(33_000)).as_bytes(),
    );
    capture.extend_from_slice(b"{\"type\":1,\"target\":\"\xff\",\"arguments\":[]}\x1e");
    let out = run(&["inspect"], &capture);
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "protocol: json",
        "Completion for id '9', which was never invoked",
        "stateful reconnect message, but the handshake asked for version 1",
        "The maximum message size of 32768B was exceeded.",
        "not valid UTF-8",
        "Completion id=\"9\" void (no result)",
        "(non-blocking: no completion expected)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        text.lines().last(),
        Some("   33168          end: 4 messages (1 Completion, 1 Ack, 1 Invocation, 1 invalid), 5 warnings")
    );
}

#[test]
fn inspect_ends_with_a_summary_that_tells_no_warnings_from_not_checked() {
    let out = run(&["inspect", repo("captures/client-messagepack.bin").to_str().unwrap()], b"");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().last(),
        Some(
            "     359          end: 11 messages (3 Invocation, 1 StreamInvocation, 2 StreamItem, 1 Completion, \
             1 CancelInvocation, 1 Ping, 1 Ack, 1 Close), no warnings"
        ),
        "{text}"
    );
    let empty = run(&["inspect"], b"");
    assert_eq!(
        String::from_utf8_lossy(&empty.stdout),
        "  offset   bytes  message\n                  protocol: json\n       0          end: no messages, no warnings\n"
    );
    // A framing error stops the listing: the summary says so.
    let bad = run(&["inspect", "-p", "messagepack"], &[0x02, 0x91, 0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(text.contains("       3          framing error: Messages over 2GB in size are not supported."), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("       9          end: 1 message (1 Ping) before the framing error, 1 warning")
    );
}

#[test]
fn a_timestamp_with_non_ascii_text_is_an_error_not_a_panic() {
    let message = "{\"type\":1,\"target\":\"a\",\"arguments\":[{\"$timestamp\":\"2024-01-02T03:04:05\u{20ac}:00\"}]}";
    let encoded = run(&["encode", "-p", "messagepack"], format!("{message}\n").as_bytes());
    assert_eq!(encoded.status.code(), Some(1), "{}", String::from_utf8_lossy(&encoded.stderr));
    assert!(String::from_utf8_lossy(&encoded.stderr).contains("is not an RFC 3339 time"));
    let converted = run(&["convert", "--from", "json", "--to", "messagepack"], format!("{message}\x1e").as_bytes());
    assert_eq!(converted.status.code(), Some(1), "{}", String::from_utf8_lossy(&converted.stderr));
    assert!(String::from_utf8_lossy(&converted.stderr).contains("is not an RFC 3339 time"));
}

#[test]
fn convert_fails_with_the_target_text_when_the_target_cannot_carry_a_message() {
    // JSON (like .NET's JSON protocol) takes empty header keys and values and empty stream ids;
    // MessagePack refuses them. The messages before the bad one are converted and decode.
    let ping = "{\"type\":6}\x1e";
    for (message, text) in [
        ("{\"type\":1,\"headers\":{\"\":\"v\"},\"target\":\"t\",\"arguments\":[]}", "Null or empty key in header."),
        ("{\"type\":1,\"headers\":{\"k\":\"\"},\"target\":\"t\",\"arguments\":[]}", "Null or empty value in header."),
        (
            "{\"type\":1,\"target\":\"t\",\"arguments\":[],\"streamIds\":[\"\"]}",
            "Null or empty value in streamIds received.",
        ),
    ] {
        let input = format!("{ping}{message}\x1e");
        let converted = run(&["convert", "--from", "json", "--to", "messagepack"], input.as_bytes());
        assert_eq!(converted.status.code(), Some(1), "{message}");
        let stderr = String::from_utf8_lossy(&converted.stderr);
        assert!(
            stderr.contains(&format!("message at byte {}: cannot be written as messagepack: {text}", ping.len())),
            "{stderr}"
        );
        let decoded = run(&["decode", "-p", "messagepack"], &converted.stdout);
        assert!(decoded.status.success(), "what convert wrote decodes: {}", String::from_utf8_lossy(&decoded.stdout));
        assert_eq!(lines(&decoded), [json!({"type": 6})]);
    }
}

/// The child's stdout, read on a thread: pieces arrive on the channel as it writes them.
fn stdout_pieces(mut out: std::process::ChildStdout) -> std::sync::mpsc::Receiver<Vec<u8>> {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = std::io::Read::read(&mut out, &mut buf) {
            if send.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    receive
}

/// At least `n` bytes of output, failing (instead of hanging) after 10 s without them.
fn read_at_least(pieces: &std::sync::mpsc::Receiver<Vec<u8>>, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < n {
        match pieces.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(piece) => got.extend(piece),
            Err(e) => panic!("no output after {got:?}: {e}"),
        }
    }
    got
}

#[test]
fn every_streaming_command_follows_a_pipe_that_is_still_being_written() {
    use std::time::Duration;
    let ping = b"{\"type\":6}\x1e";
    let invocation = b"{\"type\":1,\"target\":\"Send\",\"arguments\":[1]}\x1e";
    let raw = [&ping[..], &invocation[..]].concat();
    // The first hex line, and half of the second.
    let hex = format!("{}\n{}\n", signalr_codec_cli::hex::encode(ping), signalr_codec_cli::hex::encode(invocation));
    let hex_split = signalr_codec_cli::hex::encode(ping).len() + 1 + 20;
    let inspect_first = "  offset   bytes  message\n                  protocol: json\n       0      11  Ping\n";
    for (args, input, split, first) in [
        (&["decode", "-p", "json"][..], &raw[..], ping.len() + 20, b"{\"type\":6}\n".to_vec()),
        (&["convert", "--from", "json", "--to", "messagepack"][..], &raw[..], ping.len() + 20, vec![0x02, 0x91, 0x06]),
        (&["inspect"][..], &raw[..], ping.len() + 20, inspect_first.as_bytes().to_vec()),
        (
            &["frames", "-p", "json"][..],
            &raw[..],
            ping.len() + 20,
            b"{\"frame\":\"7b2274797065223a367d\",\"offset\":0,\"bytes\":11}\n".to_vec(),
        ),
        (
            &["decode", "-p", "json", "--hex-lines"][..],
            hex.as_bytes(),
            hex_split,
            b"{\"ok\":[{\"type\":6}],\"skipped\":[]}\n".to_vec(),
        ),
        (
            &["frames", "-p", "json", "--hex-lines"][..],
            hex.as_bytes(),
            hex_split,
            b"{\"ok\":{\"frames\":[\"7b2274797065223a367d\"],\"remaining\":\"\"}}\n".to_vec(),
        ),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_signalr-codec"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        let mut stdin = child.stdin.take().unwrap();
        let pieces = stdout_pieces(child.stdout.take().unwrap());
        // A whole message and half of the next: the first is answered while the pipe is open.
        stdin.write_all(&input[..split]).unwrap();
        stdin.flush().unwrap();
        assert_eq!(read_at_least(&pieces, first.len()), first, "{args:?}: answered before the input ends");
        std::thread::sleep(Duration::from_millis(100));
        assert!(child.try_wait().unwrap().is_none(), "{args:?}: still waiting for the rest, not failed");
        stdin.write_all(&input[split..]).unwrap();
        drop(stdin);
        let mut whole = first.clone();
        whole.extend(pieces.iter().flatten());
        let status = child.wait_with_output().unwrap();
        assert!(status.status.success(), "{args:?}: {}", String::from_utf8_lossy(&status.stderr));
        let all = run(args, input);
        assert_eq!(whole, all.stdout, "{args:?}: the same output as from the whole input");
    }
}

#[test]
fn handshake_parse_answers_without_waiting_for_the_rest_of_the_connection() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signalr-codec"))
        .args(["handshake", "--parse", "request"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let pieces = stdout_pieces(child.stdout.take().unwrap());
    // The request and the start of the first message; the pipe stays open.
    stdin.write_all(b"{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":").unwrap();
    stdin.flush().unwrap();
    let expected = b"{\"ok\":{\"protocol\":\"json\",\"version\":1}}\n";
    assert_eq!(read_at_least(&pieces, expected.len()), expected);
    drop(stdin);
    assert!(child.wait().unwrap().success());
    // Past the size limit without a separator, it stops reading and says why.
    let out = run(&["handshake", "--parse", "request"], &vec![b' '; 40_000]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&out)[0]["error"]["kind"], "limit", "{:?}", lines(&out));
}
