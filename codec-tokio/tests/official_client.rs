//! The official SignalR JavaScript client (`@microsoft/signalr` and its MessagePack protocol,
//! pinned in `interop/package.json`) against this crate's server running the test hub: every
//! scenario of `interop/e2e.cjs`, in both protocols, on 127.0.0.1.
//!
//! Needs Node and `npm ci --prefix interop`. Without them the test is skipped with its reason
//! printed (past the test harness's capture); when `CI` is set it fails instead.

#![cfg(feature = "server")]

#[path = "../examples/test-hub/hub.rs"]
mod hub;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use signalr_codec_tokio::HubOptions;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

/// The scenarios `e2e.cjs` runs per protocol; each must report `"ok":true` exactly once.
const SCENARIOS: &[&str] = &[
    "handshake",
    "handshake-unknown-protocol",
    "handshake-unsupported-version",
    "echo",
    "add",
    "counter",
    "counter-cancel",
    "sum-upload",
    "throw",
    "notify",
    "close-me",
    "drop-transport",
    "stats",
    "binding-errors",
    "size-limit",
    "keep-alive",
    "silent-peer-timed-out",
    "server-timeout",
];

const PROTOCOLS: &[&str] = &["json", "messagepack"];

/// The script stops itself after 120 s; this is the backstop if Node hangs regardless.
const NODE_LIMIT: Duration = Duration::from_secs(150);

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("codec-tokio sits in the repository").to_path_buf()
}

/// Why the official client cannot run here, if it cannot.
fn unavailable(interop: &Path) -> Option<String> {
    for package in ["@microsoft/signalr", "@microsoft/signalr-protocol-msgpack", "ws"] {
        if !interop.join("node_modules").join(package).is_dir() {
            return Some(format!("{package} is not installed: run `npm ci --prefix {}`", interop.display()));
        }
    }
    match Command::new("node").arg("--version").output() {
        Ok(output) if output.status.success() => None,
        Ok(output) => Some(format!("`node --version` failed: {}", output.status)),
        Err(e) => Some(format!("cannot start node: {e}")),
    }
}

/// Under CI a missing Node is a failure; elsewhere the skip is said where it cannot be missed.
fn skip(test: &str, reason: &str) {
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{test}: the official client cannot run under CI: {reason}");
    }
    eprintln!("skipping {test}: {reason}");
    // The harness captures `eprintln!`; a direct write to stderr shows next to the test's name.
    let _ = writeln!(std::io::stderr(), "\n{test} ... SKIPPED ({reason})");
}

/// Serves the test hub with `options` on a fresh port; returns its base URL.
fn serve(runtime: &Runtime, options: HubOptions) -> String {
    let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).expect("a local port");
    let address = listener.local_addr().expect("the bound address");
    runtime.spawn(hub::hub(options).serve(listener, "/hub"));
    format!("http://{address}/hub")
}

/// Runs `node e2e.cjs …` to its end (killed after `NODE_LIMIT`): status, stdout, stderr.
fn run_node(interop: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new("node")
        .arg(interop.join("e2e.cjs"))
        .args(args)
        .current_dir(interop)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts (it answered --version)");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + NODE_LIMIT;
    let status = loop {
        match child.try_wait().expect("waiting for node") {
            Some(status) => break status.code(),
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    (status, out.join().unwrap_or_default(), err.join().unwrap_or_default())
}

#[test]
fn the_official_javascript_client_passes_every_scenario_in_both_protocols() {
    let test = "the_official_javascript_client_passes_every_scenario_in_both_protocols";
    let interop = repository_root().join("interop");
    if let Some(reason) = unavailable(&interop) {
        skip(test, &reason);
        return;
    }

    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let base = serve(&runtime, HubOptions::default().with_stateful_reconnects(true));
    // For keep-alive and the silent peer: as `test-hub --keep-alive-ms 200 --client-timeout-ms 1000`.
    let timeouts = serve(
        &runtime,
        HubOptions::default()
            .with_stateful_reconnects(true)
            .with_keep_alive_interval(Duration::from_millis(200))
            .with_client_timeout_interval(Duration::from_millis(1000)),
    );

    let (status, stdout, stderr) = run_node(&interop, &[&base, "--timeouts", &timeouts]);
    runtime.shutdown_timeout(Duration::from_secs(1));

    let report = || format!("node e2e.cjs {base} --timeouts {timeouts}: exit {status:?}\n{stdout}\nstderr:\n{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}\n{}", report()))
        })
        .collect();
    let mut problems = Vec::new();
    for protocol in PROTOCOLS {
        for scenario in SCENARIOS {
            let reports: Vec<&Value> =
                lines.iter().filter(|l| l["protocol"] == *protocol && l["scenario"] == *scenario).collect();
            match reports.as_slice() {
                [one] if one["ok"] == true => {}
                [] => problems.push(format!("{protocol} {scenario}: no report")),
                many => problems.extend(many.iter().map(|l| format!("{protocol} {scenario}: {l}"))),
            }
        }
    }
    for line in &lines {
        let known =
            PROTOCOLS.iter().any(|p| line["protocol"] == *p) && SCENARIOS.iter().any(|s| line["scenario"] == *s);
        if !known {
            problems.push(format!("a report of no known scenario: {line}"));
        }
    }
    assert!(problems.is_empty() && status == Some(0), "{}\n\nall of it:\n{}", problems.join("\n"), report());
}
