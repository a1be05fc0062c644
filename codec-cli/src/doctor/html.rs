//! `doctor --html`: the report as one self-contained page with a timeline per connection.
//!
//! Nothing is loaded from anywhere (inline CSS and script, a Content-Security-Policy that
//! forbids every fetch); every string from the capture is HTML-escaped, and the decoded
//! messages sit in a `<script type="application/json">` block with `<`, `>` and `&` escaped
//! as JSON `\u` sequences, read with `JSON.parse` and shown with `textContent`.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use super::{time_text, Direction, Finding, Mark, Report, Timeline};

/// Left margin (lane labels), plot width, SVG height.
const LEFT: f64 = 130.0;
const WIDTH: f64 = 840.0;
const HEIGHT: f64 = 175.0;
const Y_SEND: f64 = 45.0;
const Y_RECEIVE: f64 = 85.0;
const Y_FINDINGS: f64 = 125.0;
const Y_AXIS: f64 = 150.0;

/// The kinds of marks, in legend order.
const KINDS: [&str; 13] = [
    "negotiate",
    "handshake",
    "Invocation",
    "StreamItem",
    "Completion",
    "StreamInvocation",
    "CancelInvocation",
    "Ping",
    "Close",
    "Ack",
    "Sequence",
    "skipped",
    "invalid",
];

const STYLE: &str = r#"
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; padding-bottom: 14em; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 1.6em; word-break: break-all; }
.summary { font-weight: 600; }
svg { display: block; background: #fafafa; border: 1px solid #ddd; max-width: 100%; height: auto; }
svg text { font-size: 11px; fill: #555; }
.lane { stroke: #ccc; } .axis { stroke: #888; }
.silence { fill: #f4c542; opacity: .3; } .silence.timeout { fill: #e0533d; opacity: .3; }
.mark, .fmark { cursor: pointer; } .mark circle, .legend circle { stroke: #333; stroke-width: .5; }
.mark:hover circle, .mark:focus circle, .sel circle { stroke-width: 2.5; }
.pin { stroke: #999; stroke-dasharray: 2 2; }
.k-negotiate { fill: #6c757d; } .k-handshake { fill: #343a40; } .k-Invocation { fill: #1f77b4; }
.k-StreamItem { fill: #17becf; } .k-Completion { fill: #2ca02c; } .k-StreamInvocation { fill: #9467bd; }
.k-CancelInvocation { fill: #8c564b; } .k-Ping { fill: #c7c7c7; } .k-Close { fill: #000; }
.k-Ack { fill: #bcbd22; } .k-Sequence { fill: #e377c2; } .k-skipped { fill: #fff; } .k-invalid { fill: #d62728; }
.sev-error { fill: #d62728; color: #d62728; } .sev-warning { fill: #ff7f0e; color: #c25e00; } .sev-note { fill: #1f77b4; color: #1f77b4; }
.legend span { display: inline-block; margin-right: 1em; } .legend svg { display: inline; border: 0; background: none; vertical-align: middle; }
ul.findings { list-style: none; padding-left: 0; } ul.findings li { margin: .3em 0; }
#detail { position: fixed; left: 0; right: 0; bottom: 0; max-height: 12em; overflow: auto; margin: 0; padding: .6em 1.5em;
  background: #fff; border-top: 2px solid #888; white-space: pre-wrap; word-break: break-all; font: 12px/1.35 ui-monospace, monospace; }
"#;

const SCRIPT: &str = r#"
(function () {
  var data = JSON.parse(document.getElementById('doctor-data').textContent);
  var detail = document.getElementById('detail');
  var selected = null;
  function describe(id) {
    var m = data.marks[id];
    if (!m) return '';
    var head = m.kind + ' (' + m.direction + ')' + (m.time ? ' at ' + m.time : '') + ', entry ' + m.entry +
      (m.frame !== null ? ', frame ' + m.frame : '') + (m.offset !== null ? ', offset ' + m.offset : '');
    return head + '\n' + JSON.stringify(m.message, null, 2);
  }
  function show(el) {
    var parts = [];
    var f = el.getAttribute('data-f');
    var id = el.getAttribute('data-m');
    if (f !== null) {
      var finding = data.findings[Number(f)];
      if (finding) {
        parts.push(finding.severity + ' [' + finding.kind + ']' + (finding.time ? ' at ' + finding.time : '') +
          '\n' + finding.what + '\nchange: ' + finding.change);
        id = finding.mark;
      }
    }
    if (id) parts.push(describe(id));
    detail.textContent = parts.join('\n\n');
    if (selected) selected.classList.remove('sel');
    selected = el;
    el.classList.add('sel');
  }
  var marks = document.querySelectorAll('[data-m], [data-f]');
  for (var i = 0; i < marks.length; i++) {
    (function (el) {
      el.addEventListener('click', function () { show(el); });
      el.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') show(el); });
    })(marks[i]);
  }
  var ready = document.createElement('div');
  ready.id = 'ready';
  ready.hidden = true;
  ready.textContent = marks.length + ' marks';
  // #check (for CI): show every mark once; each must find its message or finding.
  if (location.hash === '#check') {
    var empty = 0;
    for (var j = 0; j < marks.length; j++) {
      show(marks[j]);
      var wanted = marks[j].getAttribute('data-m') || data.findings[Number(marks[j].getAttribute('data-f'))];
      if (!wanted || detail.textContent.length < 10) empty++;
    }
    ready.setAttribute('data-unshown', String(empty));
    ready.textContent += ', each shown';
  }
  document.body.appendChild(ready);
})();
"#;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/json">` block: no `<`, `>` or `&` left to end it.
fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    text.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

fn mark_id(connection: usize, mark: usize) -> String {
    format!("c{connection}m{mark}")
}

/// The mark a finding is about: the message at its frame (and offset), if the timeline has it.
fn pinned(f: &Finding, timeline: &Timeline) -> Option<usize> {
    if f.frame.is_none() && f.offset.is_none() {
        return None;
    }
    timeline.marks.iter().position(|m| {
        m.kind != "negotiate"
            && Some(m.entry) == f.entry
            && m.frame == f.frame
            && (f.offset.is_none() || m.offset == f.offset)
    })
}

/// Where on the x axis: by time when every mark has one, else by order (a raw capture).
struct Scale {
    start: f64,
    span: f64,
    by_time: bool,
}

impl Scale {
    fn new(timeline: &Timeline, findings: &[&Finding]) -> Scale {
        let mut times: Vec<f64> = Vec::new();
        let mut all = true;
        for m in &timeline.marks {
            match m.time {
                Some(t) => times.push(t),
                None => all = false,
            }
        }
        times.extend(timeline.silences.iter().flat_map(|s| [s.from, s.to]));
        times.extend(findings.iter().filter_map(|f| f.time));
        let start = times.iter().copied().fold(f64::INFINITY, f64::min);
        let end = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let span = end - start;
        if all && !times.is_empty() && span.is_finite() && start.is_finite() {
            Scale { start, span: span.max(1e-3), by_time: true }
        } else {
            Scale { start: 0.0, span: (timeline.marks.len() as f64 - 1.0).max(1.0), by_time: false }
        }
    }

    fn x(&self, value: f64) -> f64 {
        let x = LEFT + (value - self.start) / self.span * WIDTH;
        if x.is_finite() {
            x.clamp(LEFT, LEFT + WIDTH)
        } else {
            LEFT
        }
    }

    /// The x of mark `index` of the timeline.
    fn mark_x(&self, index: usize, m: &Mark) -> f64 {
        match (self.by_time, m.time) {
            (true, Some(t)) => self.x(t),
            _ => self.x(index as f64),
        }
    }
}

fn lane_y(direction: Direction) -> f64 {
    match direction {
        Direction::Send => Y_SEND,
        Direction::Receive => Y_RECEIVE,
    }
}

/// A short label for a message: its target or invocation id, when it has one.
fn label(m: &Mark) -> String {
    let mut out = format!("{} ({})", m.kind, m.direction.as_str());
    if let Some(target) = m.message.get("target").and_then(Value::as_str) {
        let _ = write!(out, " {target}");
    }
    if let Some(id) = m.message.get("invocationId").and_then(Value::as_str) {
        let _ = write!(out, " id {id}");
    }
    if let Some(t) = m.time {
        let _ = write!(out, " at {}", time_text(t));
    }
    out
}

fn finding_marker(out: &mut String, i: usize, f: &Finding, x: f64, y: f64) {
    let _ = write!(
        out,
        r#"<g class="fmark sev-{sev}" data-f="{i}" tabindex="0"><path d="M{:.1} {:.1}L{x:.1} {:.1}L{:.1} {:.1}Z"/><title>{sev} [{kind}] {what}</title></g>"#,
        x - 6.0,
        y + 6.0,
        y - 6.0,
        x + 6.0,
        y + 6.0,
        sev = f.severity.as_str(),
        kind = escape(f.kind),
        what = escape(&f.what),
    );
}

impl Report {
    /// The report as one self-contained HTML page: the summary, a timeline per connection
    /// (messages by type and direction, silences, findings pinned to their frames) and each
    /// message decoded a click away.
    pub fn html(&self) -> String {
        let mut marks = Map::new();
        let mut finding_marks: Vec<Option<String>> = vec![None; self.findings.len()];
        let mut body = String::new();

        // Legend.
        body.push_str(r#"<p class="legend">"#);
        for kind in KINDS {
            let _ = write!(
                body,
                r#"<span><svg width="12" height="12"><circle class="k-{kind}" cx="6" cy="6" r="5"/></svg> {kind}</span>"#
            );
        }
        body.push_str(r#"<span><svg width="18" height="12"><rect class="silence" width="18" height="12"/></svg> silence over the keep-alive interval</span>"#);
        body.push_str(r#"<span><svg width="18" height="12"><rect class="silence timeout" width="18" height="12"/></svg> over the timeout</span>"#);
        body.push_str("</p>\n");

        for (ci, c) in self.connections.iter().enumerate() {
            let empty = Timeline::default();
            let timeline = self.timelines.get(ci).unwrap_or(&empty);
            let protocol = c.protocol.as_deref().unwrap_or("?");
            let source = if c.url.is_empty() { String::new() } else { format!(", entry {}: {}", c.entry, c.url) };
            let _ = writeln!(
                body,
                "<h2>connection {ci}: {} {}, {} messages{}</h2>",
                escape(c.transport),
                escape(protocol),
                c.messages,
                escape(&source)
            );
            let mine: Vec<(usize, &Finding)> =
                self.findings.iter().enumerate().filter(|(_, f)| f.connection == Some(ci)).collect();
            let scale = Scale::new(timeline, &mine.iter().map(|(_, f)| *f).collect::<Vec<_>>());
            let _ = write!(
                body,
                r#"<svg class="timeline" viewBox="0 0 {w} {HEIGHT}" width="{w}" height="{HEIGHT}" role="img" aria-label="connection {ci} timeline">"#,
                w = LEFT + WIDTH + 40.0
            );
            for (y, name) in [(Y_SEND, "client → server"), (Y_RECEIVE, "server → client"), (Y_FINDINGS, "findings")]
            {
                let _ = write!(
                    body,
                    r#"<line class="lane" x1="{LEFT}" y1="{y}" x2="{}" y2="{y}"/><text x="8" y="{}">{name}</text>"#,
                    LEFT + WIDTH,
                    y + 4.0
                );
            }
            // Axis.
            let _ =
                write!(body, r#"<line class="axis" x1="{LEFT}" y1="{Y_AXIS}" x2="{}" y2="{Y_AXIS}"/>"#, LEFT + WIDTH);
            let ticks: Vec<f64> = if scale.by_time {
                (0..=5).map(|k| scale.start + scale.span * f64::from(k) / 5.0).collect()
            } else {
                // Whole mark numbers: about five ticks.
                let step = (scale.span / 5.0).ceil().max(1.0);
                (0..=5).map(|k| f64::from(k) * step).filter(|v| *v <= scale.span).collect()
            };
            for value in ticks {
                let x = scale.x(value);
                let text =
                    if scale.by_time { format!("+{:.2} s", value - scale.start) } else { format!("#{value:.0}") };
                let _ = write!(
                    body,
                    r#"<line class="axis" x1="{x:.1}" y1="{Y_AXIS}" x2="{x:.1}" y2="{}"/><text x="{x:.1}" y="{}" text-anchor="middle">{text}</text>"#,
                    Y_AXIS + 4.0,
                    Y_AXIS + 16.0
                );
            }
            if scale.by_time {
                for s in &timeline.silences {
                    let (x1, x2) = (scale.x(s.from), scale.x(s.to));
                    let y = lane_y(s.direction);
                    let class = if s.over_timeout { "silence timeout" } else { "silence" };
                    let _ = write!(
                        body,
                        r#"<rect class="{class}" x="{x1:.1}" y="{:.1}" width="{:.1}" height="24"><title>{} silent for {:.1} s</title></rect>"#,
                        y - 12.0,
                        (x2 - x1).max(1.0),
                        if s.direction == Direction::Send { "the client" } else { "the server" },
                        s.to - s.from
                    );
                }
            }
            let mut xs = Vec::with_capacity(timeline.marks.len());
            for (mi, m) in timeline.marks.iter().enumerate() {
                let id = mark_id(ci, mi);
                let (x, y) = (scale.mark_x(mi, m), lane_y(m.direction));
                xs.push(x);
                let _ = write!(
                    body,
                    r#"<g class="mark" data-m="{id}" tabindex="0"><circle class="k-{kind}" cx="{x:.1}" cy="{y}" r="5"/><title>{title}</title></g>"#,
                    kind = escape(m.kind),
                    title = escape(&label(m)),
                );
                marks.insert(
                    id,
                    json!({
                        "kind": m.kind,
                        "direction": m.direction.as_str(),
                        "time": m.time.map(time_text),
                        "entry": m.entry,
                        "frame": m.frame,
                        "offset": m.offset,
                        "message": m.message,
                    }),
                );
            }
            for (fi, f) in &mine {
                let pin = pinned(f, timeline);
                let x = match (pin, f.time) {
                    (Some(mi), _) => xs.get(mi).copied().unwrap_or(LEFT),
                    (None, Some(t)) if scale.by_time => scale.x(t),
                    _ => LEFT,
                };
                if let Some(mi) = pin {
                    let y = timeline.marks.get(mi).map_or(Y_SEND, |m| lane_y(m.direction));
                    let _ = write!(
                        body,
                        r#"<line class="pin" x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}"/>"#,
                        y + 6.0,
                        Y_FINDINGS - 7.0
                    );
                    finding_marks[*fi] = Some(mark_id(ci, mi));
                }
                finding_marker(&mut body, *fi, f, x, Y_FINDINGS);
            }
            body.push_str("</svg>\n");
        }

        // Findings with no connection (negotiate and other requests).
        let others: Vec<(usize, &Finding)> = self
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.connection.is_none_or(|c| c >= self.connections.len()))
            .collect();
        if !others.is_empty() {
            body.push_str("<h2>requests</h2>\n<ul class=\"findings\">\n");
            for (fi, f) in others {
                body.push_str("<li>");
                finding_marker_inline(&mut body, fi, f);
                body.push_str("</li>\n");
            }
            body.push_str("</ul>\n");
        }

        let mut findings = self.json()["findings"].as_array().cloned().unwrap_or_default();
        for (f, mark) in findings.iter_mut().zip(&finding_marks) {
            if let Some(object) = f.as_object_mut() {
                object.insert("mark".to_owned(), mark.clone().map_or(Value::Null, Value::String));
            }
        }
        let data = json!({ "marks": marks, "findings": findings });

        let mut page = String::new();
        page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
        page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.push_str("<title>signalr-codec doctor</title>\n<style>");
        page.push_str(STYLE);
        page.push_str("</style>\n</head>\n<body>\n<h1>signalr-codec doctor</h1>\n");
        let _ = writeln!(page, "<p class=\"summary\">{}</p>", escape(&self.summary()));
        page.push_str(&body);
        let _ =
            writeln!(page, "<details><summary>the text report</summary><pre>{}</pre></details>", escape(&self.text()));
        page.push_str("<pre id=\"detail\">Click a mark (or press Enter on it) to see the message decoded and the finding.</pre>\n");
        let _ = writeln!(page, "<script type=\"application/json\" id=\"doctor-data\">{}</script>", script_json(&data));
        page.push_str("<script>");
        page.push_str(SCRIPT);
        page.push_str("</script>\n</body>\n</html>\n");
        page
    }
}

fn finding_marker_inline(out: &mut String, i: usize, f: &Finding) {
    let at = f.entry.map(|e| format!(" entry {e}")).unwrap_or_default();
    let _ = write!(
        out,
        r#"<span class="fmark sev-{sev}" data-f="{i}" tabindex="0">▲ {sev} [{kind}]{at}</span>: {what}"#,
        sev = f.severity.as_str(),
        kind = escape(f.kind),
        what = escape(&f.what),
    );
}
