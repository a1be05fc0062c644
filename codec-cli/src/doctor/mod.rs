//! `signalr-codec doctor`: diagnoses a failing SignalR connection from a browser's HAR file
//! (or a raw capture), with findings that say what happened and what to change.

pub mod findings;
pub mod har;
mod html;

pub use har::Direction;

use std::fmt::Write as _;

use serde_json::{json, Value};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The connection failed, or will.
    Error,
    /// Something that breaks connections sometimes, or shows a misconfiguration.
    Warning,
    /// Worth knowing; not wrong in itself (the exit status stays 0).
    Note,
}

impl Severity {
    /// `error`, `warning`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One thing found.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// A stable name of the kind of finding (`negotiate-404`, `message-too-large`, …).
    pub kind: &'static str,
    /// The HAR entry it is about.
    pub entry: Option<usize>,
    /// The connection (index in the report) it is about.
    pub connection: Option<usize>,
    /// The WebSocket message (index in the entry's `_webSocketMessages`) it is about.
    pub frame: Option<usize>,
    /// The byte offset in its direction's stream (raw captures, decode errors).
    pub offset: Option<usize>,
    /// When, seconds since the epoch.
    pub time: Option<f64>,
    /// What happened, with the facts (sizes, texts, ids).
    pub what: String,
    /// What to change.
    pub change: String,
}

/// Server and client settings to judge against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The server's `MaximumReceiveMessageSize` (None: no limit).
    pub max_message_size: Option<usize>,
    /// The keep-alive interval of both sides, ms.
    pub keep_alive_ms: u64,
    /// `ClientTimeoutInterval` and the client's server timeout, ms.
    pub timeout_ms: u64,
    /// The handshake timeout, ms.
    pub handshake_timeout_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_message_size: Some(signalr_codec_core::limits::DEFAULT_MAX_MESSAGE_SIZE),
            keep_alive_ms: 15_000,
            timeout_ms: 30_000,
            handshake_timeout_ms: 15_000,
        }
    }
}

/// One connection as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionSummary {
    /// Its first HAR entry.
    pub entry: usize,
    /// Its transport.
    pub transport: &'static str,
    /// Its URL.
    pub url: String,
    /// The hub protocol used.
    pub protocol: Option<String>,
    /// Hub messages decoded, both directions.
    pub messages: usize,
}

/// What `doctor` found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Negotiate requests seen.
    pub negotiates: usize,
    /// The connections.
    pub connections: Vec<ConnectionSummary>,
    /// The findings, in the order of the capture.
    pub findings: Vec<Finding>,
    /// Per connection (same order as `connections`): what happened over time, for `html()`.
    pub timelines: Vec<Timeline>,
}

/// One mark of a connection's timeline: a hub message, a handshake or a negotiate request.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// `negotiate`, `handshake`, `Invocation`, `StreamItem`, `Completion`, `StreamInvocation`,
    /// `CancelInvocation`, `Ping`, `Close`, `Ack`, `Sequence`, `skipped`, `invalid`.
    pub kind: &'static str,
    /// Which way it went (a negotiate request: `Send`).
    pub direction: Direction,
    /// When, seconds since the epoch.
    pub time: Option<f64>,
    /// Its place in the connection: the index of its frame (negotiate: before them all).
    pub seq: usize,
    /// The HAR entry it came from.
    pub entry: usize,
    /// The WebSocket message (index in the entry's `_webSocketMessages`).
    pub frame: Option<usize>,
    /// The byte offset in its direction's stream.
    pub offset: Option<usize>,
    /// The decoded message in neutral JSON (negotiate: request and response).
    pub message: Value,
}

/// A direction silent for longer than the keep-alive interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    /// The side that said nothing.
    pub direction: Direction,
    /// Seconds since the epoch: its last frame before the silence.
    pub from: f64,
    /// Seconds since the epoch: its next frame.
    pub to: f64,
    /// Longer than the timeout, not only the keep-alive interval.
    pub over_timeout: bool,
}

/// A connection over time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// Its marks, in order.
    pub marks: Vec<Mark>,
    /// Its silences.
    pub silences: Vec<Silence>,
}

impl Report {
    /// Findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Errors or warnings: the exit status is non-zero.
    pub fn is_wrong(&self) -> bool {
        self.findings.iter().any(|f| f.severity != Severity::Note)
    }

    /// Hub messages in all connections.
    pub fn messages(&self) -> usize {
        self.connections.iter().map(|c| c.messages).sum()
    }

    /// `2 connections, 14 messages, 1 negotiate: 1 error, 0 warnings, 0 notes`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
        format!(
            "{}, {}, {}: {}, {}, {}",
            plural(self.connections.len(), "connection"),
            plural(self.messages(), "message"),
            plural(self.negotiates, "negotiate request"),
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            plural(self.count(Severity::Note), "note"),
        )
    }

    /// The human report: the summary line, the connections, then each finding.
    pub fn text(&self) -> String {
        let mut out = self.summary();
        out.push('\n');
        for (i, c) in self.connections.iter().enumerate() {
            let protocol = c.protocol.as_deref().unwrap_or("?");
            // A raw capture has no HAR entry or URL to name.
            let source = if c.url.is_empty() { String::new() } else { format!(", entry {}: {}", c.entry, c.url) };
            let _ = writeln!(out, "connection {i}: {} {protocol}, {} messages{source}", c.transport, c.messages);
        }
        for f in &self.findings {
            let mut at = Vec::new();
            if let Some(c) = f.connection {
                at.push(format!("connection {c}"));
            }
            if let Some(e) = f.entry {
                at.push(format!("entry {e}"));
            }
            if let Some(m) = f.frame {
                at.push(format!("frame {m}"));
            }
            if let Some(o) = f.offset {
                at.push(format!("offset {o}"));
            }
            if let Some(t) = f.time {
                at.push(time_text(t));
            }
            let _ = writeln!(out, "\n{} [{}] {}", f.severity.as_str(), f.kind, at.join(", "));
            let _ = writeln!(out, "  {}", f.what);
            let _ = writeln!(out, "  change: {}", f.change);
        }
        out
    }

    /// The report for tools.
    pub fn json(&self) -> Value {
        json!({
            "summary": {
                "connections": self.connections.len(),
                "messages": self.messages(),
                "negotiates": self.negotiates,
                "errors": self.count(Severity::Error),
                "warnings": self.count(Severity::Warning),
                "notes": self.count(Severity::Note),
            },
            "connections": self.connections.iter().map(|c| json!({
                "entry": c.entry, "transport": c.transport, "url": c.url, "protocol": c.protocol, "messages": c.messages,
            })).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(|f| json!({
                "severity": f.severity.as_str(),
                "kind": f.kind,
                "connection": f.connection,
                "entry": f.entry,
                "frame": f.frame,
                "offset": f.offset,
                "time": f.time.map(time_text),
                "what": f.what,
                "change": f.change,
            })).collect::<Vec<_>>(),
        })
    }
}

/// Seconds since the epoch as RFC 3339 (milliseconds kept).
pub(crate) fn time_text(t: f64) -> String {
    let secs = t.floor();
    let nanos = ((t - secs) * 1e3).round() as u32 * 1_000_000;
    crate::rfc3339::format(secs as i64, nanos.min(999_000_000))
}

/// Diagnoses a HAR file or a raw capture.
pub fn diagnose(input: &[u8], options: &Options) -> Result<Report, String> {
    let capture = har::read(input)?;
    Ok(findings::analyse(&capture, options))
}
