//! `signalr-codec`: see what is on a SignalR hub protocol wire, and produce it.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::Value;
use signalr_codec_cli::handshake::Side;
use signalr_codec_cli::input::SizeLimit;
use signalr_codec_cli::protocol::ProtocolName;
use signalr_codec_cli::{convert, decode, doctor, encode, frames, handshake, hex, input, inspect, report};
use signalr_codec_core::Limits;

/// Decode, encode, convert and inspect ASP.NET Core SignalR hub protocol streams.
#[derive(Debug, Parser)]
#[command(name = "signalr-codec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a raw stream (one direction of a connection) into neutral JSON lines, one per message.
    Decode {
        /// The hub protocol of the stream.
        #[arg(long, short)]
        protocol: ProtocolName,
        /// Largest message in bytes, framing included, or `none` (default: 32768, as ASP.NET Core).
        #[arg(long)]
        max_message_size: Option<SizeLimit>,
        /// Each input line is the hex of one independent buffer; one output line per input line.
        #[arg(long)]
        hex_lines: bool,
        /// The input (default: stdin).
        file: Option<PathBuf>,
    },
    /// Encode neutral JSON lines into framed messages.
    Encode {
        /// The hub protocol to write.
        #[arg(long, short)]
        protocol: ProtocolName,
        /// Write one hex line per message instead of raw bytes.
        #[arg(long)]
        hex: bool,
        /// The input (default: stdin).
        file: Option<PathBuf>,
    },
    /// Convert a raw stream from one protocol to the other, payload values included.
    Convert {
        /// The protocol of the input.
        #[arg(long)]
        from: ProtocolName,
        /// The protocol to write.
        #[arg(long)]
        to: ProtocolName,
        /// Largest message in bytes, framing included, or `none` (default: 32768).
        #[arg(long)]
        max_message_size: Option<SizeLimit>,
        /// The input (default: stdin).
        file: Option<PathBuf>,
    },
    /// Framing only: each frame's body as hex, then the unconsumed remainder.
    Frames {
        /// The hub protocol whose framing to read.
        #[arg(long, short)]
        protocol: ProtocolName,
        /// Largest frame in bytes, framing included, or `none` (default: 32768, as ASP.NET Core).
        #[arg(long)]
        max_message_size: Option<SizeLimit>,
        /// Each input line is the hex of one independent buffer; one output line per input line.
        #[arg(long)]
        hex_lines: bool,
        /// The input (default: stdin).
        file: Option<PathBuf>,
    },
    /// A readable listing of a capture, with warnings where an ASP.NET Core server would act.
    Inspect {
        /// The hub protocol (default: from the leading handshake, else guessed from the first byte).
        #[arg(long, short)]
        protocol: Option<ProtocolName>,
        /// The server's message size limit to check against (default: 32768).
        #[arg(long)]
        max_message_size: Option<usize>,
        /// The input (default: stdin).
        file: Option<PathBuf>,
    },
    /// Diagnose a SignalR connection from a browser's HAR file (or a raw capture).
    ///
    /// Reads a HAR as Chromium-based browsers and Firefox export it (negotiate requests,
    /// WebSocket frames in `_webSocketMessages`, long-polling and Server-Sent Events bodies), or
    /// a raw capture of one direction as `inspect` reads. It checks: negotiate answers (404, 400,
    /// 503, redirects, 405, status 0 / CORS, 413, 401/403, an `error` field, a response that does
    /// not parse, a version or transport list that does not fit the request, stateful reconnect
    /// not granted); access tokens over 4 KB in URLs; transport requests (404 without sticky
    /// sessions, 400/503 when WebSockets are off, also when Chromium recorded a refused WebSocket
    /// handshake as status 0, 409); the handshake (missing, refused with the
    /// server's text, an unknown protocol, a version over 2, unanswered, slower than the handshake
    /// timeout, stateful reconnect negotiated but version < 2); messages over the server's
    /// MaximumReceiveMessageSize; frames that do not decode (error kind, offset, .NET text);
    /// Close with an error or allowReconnect; gaps longer than the keep-alive interval and
    /// silences longer than the timeouts (also from a side's last frame until the connection
    /// ended); invocations without a Completion, Completions and
    /// stream items for unknown or completed ids; Acks going backwards or ahead, Sequences that
    /// skip (messages replayed after a stateful reconnect are judged once); connections ending
    /// without a Close from either side (a note).
    ///
    /// Prints a summary line (connections, messages, findings by severity), then each finding
    /// with its entry, frame and time, what it means and what to change. Exit status: 0 when
    /// there are only notes, 1 with any warning or error, 2 when the input cannot be read.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the report as one self-contained HTML page to FILE: a timeline per
        /// connection (messages by type and direction, silences, findings pinned to their
        /// frames), each message decoded a click away.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// The server's MaximumReceiveMessageSize in bytes, or `none` (default: 32768).
        #[arg(long)]
        max_message_size: Option<SizeLimit>,
        /// The keep-alive interval of server and client, in ms.
        #[arg(long, default_value_t = 15_000)]
        keep_alive_ms: u64,
        /// ClientTimeoutInterval and the client's server timeout, in ms.
        #[arg(long, default_value_t = 30_000)]
        timeout_ms: u64,
        /// The handshake timeout, in ms.
        #[arg(long, default_value_t = 15_000)]
        handshake_timeout_ms: u64,
        /// The HAR file or raw capture (default: stdin).
        file: Option<PathBuf>,
    },
    /// Write a handshake request, or parse handshake requests or responses.
    Handshake {
        /// The protocol to request (when writing).
        #[arg(long, short, default_value = "json")]
        protocol: String,
        /// The version to request (when writing).
        #[arg(long, default_value_t = 2)]
        version: i32,
        /// Parse instead of write.
        #[arg(long, value_enum)]
        parse: Option<Side>,
        /// Input lines (or output, when writing) are hex.
        #[arg(long, alias = "hex")]
        hex_lines: bool,
        /// The input when parsing (default: stdin).
        file: Option<PathBuf>,
    },
}

fn limits(max_message_size: Option<SizeLimit>) -> Limits {
    let limits = Limits::default();
    match max_message_size {
        Some(SizeLimit(size)) => limits.with_max_message_size(size),
        None => limits,
    }
}

/// Applies `f` to each hex line of the input as it arrives and prints one line for each (an
/// input error for a line that is not hex); memory is the longest line.
fn per_hex_line(file: Option<&std::path::Path>, mut f: impl FnMut(&[u8]) -> Value) -> io::Result<()> {
    input::for_each_hex_line(&mut *input::open(file)?, |line| {
        let out = match line {
            Ok(bytes) => f(&bytes),
            Err(e) => serde_json::json!({ "error": report::input(e) }),
        };
        print_lines(&[out])
    })
}

fn print_lines(lines: &[Value]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    for line in lines {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

fn run(cli: Cli) -> io::Result<bool> {
    match cli.command {
        Command::Decode { protocol, max_message_size, hex_lines, file } => {
            let limits = limits(max_message_size);
            if hex_lines {
                per_hex_line(file.as_deref(), |buf| decode::buffer(protocol, limits, buf))?;
                return Ok(true);
            }
            // Lines as their messages arrive: a growing capture or a pipe is followed.
            let mut decoder = decode::Stream::new(protocol, limits);
            input::for_each_chunk(&mut *input::open(file.as_deref())?, |chunk| print_lines(&decoder.push(chunk)))?;
            print_lines(&decoder.finish())?;
            Ok(decoder.ok())
        }
        Command::Encode { protocol, hex, file } => {
            let mut out = io::stdout().lock();
            let mut failure = None;
            let mut n = 0;
            input::for_each_line(&mut *input::open(file.as_deref())?, |line| {
                n += 1;
                match encode::line(protocol, n, &String::from_utf8_lossy(line)) {
                    Ok(None) => Ok(true),
                    Ok(Some(bytes)) => {
                        if hex {
                            writeln!(out, "{}", hex::encode(&bytes))?;
                        } else {
                            out.write_all(&bytes)?;
                        }
                        out.flush()?;
                        Ok(true)
                    }
                    Err(e) => {
                        failure = Some(e);
                        Ok(false)
                    }
                }
            })?;
            match failure {
                Some(e) => {
                    eprintln!("signalr-codec: {e}");
                    Ok(false)
                }
                None => Ok(true),
            }
        }
        Command::Convert { from, to, max_message_size, file } => {
            let mut converter = convert::Stream::new(from, to, limits(max_message_size));
            let mut out = io::stdout().lock();
            let mut emit = |converted: convert::Converted| -> io::Result<()> {
                out.write_all(&converted.bytes)?;
                out.flush()?;
                for note in &converted.notes {
                    eprintln!("signalr-codec: {note}");
                }
                Ok(())
            };
            input::for_each_chunk(&mut *input::open(file.as_deref())?, |chunk| emit(converter.push(chunk)))?;
            emit(converter.finish())?;
            Ok(converter.ok())
        }
        Command::Frames { protocol, max_message_size, hex_lines, file } => {
            let limits = limits(max_message_size);
            if hex_lines {
                per_hex_line(file.as_deref(), |buf| frames::frame_buffer(protocol, limits, buf))?;
                return Ok(true);
            }
            // Lines as their frames arrive, holding only the frame not yet complete.
            let mut framer = frames::Stream::new(protocol, limits);
            input::for_each_chunk(&mut *input::open(file.as_deref())?, |chunk| print_lines(&framer.push(chunk)))?;
            print_lines(&framer.finish())?;
            Ok(framer.ok())
        }
        Command::Inspect { protocol, max_message_size, file } => {
            // Each message's line as it arrives.
            let mut listing = inspect::Stream::new(protocol, max_message_size);
            let mut out = io::stdout().lock();
            input::for_each_chunk(&mut *input::open(file.as_deref())?, |chunk| {
                out.write_all(listing.push(chunk).as_bytes())?;
                out.flush()
            })?;
            out.write_all(listing.finish().as_bytes())?;
            out.flush()?;
            Ok(true)
        }
        Command::Doctor { json, html, max_message_size, keep_alive_ms, timeout_ms, handshake_timeout_ms, file } => {
            let mut options = doctor::Options { keep_alive_ms, timeout_ms, handshake_timeout_ms, ..Default::default() };
            if let Some(SizeLimit(size)) = max_message_size {
                options.max_message_size = size;
            }
            let mut bytes = Vec::new();
            io::Read::read_to_end(&mut *input::open(file.as_deref())?, &mut bytes)?;
            let report =
                doctor::diagnose(&bytes, &options).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            if let Some(path) = html {
                std::fs::write(&path, report.html())?;
            }
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &report.json())?;
                out.write_all(b"\n")?;
            } else {
                out.write_all(report.text().as_bytes())?;
            }
            out.flush()?;
            Ok(!report.is_wrong())
        }
        Command::Handshake { protocol, version, parse: None, hex_lines, .. } => {
            let bytes = handshake::write_request(&protocol, version);
            let mut out = io::stdout().lock();
            if hex_lines {
                writeln!(out, "{}", hex::encode(&bytes))?;
            } else {
                out.write_all(&bytes)?;
            }
            out.flush()?;
            Ok(true)
        }
        Command::Handshake { parse: Some(side), hex_lines, file, .. } => {
            let limits = Limits::default();
            if hex_lines {
                per_hex_line(file.as_deref(), |buf| handshake::parse(side, &limits, buf))?;
                return Ok(true);
            }
            // Only the handshake's record is read: the rest of a connection need not end first.
            let line = handshake::parse_stream(side, &limits, &mut *input::open(file.as_deref())?)?;
            print_lines(std::slice::from_ref(&line))?;
            Ok(line.get("error").is_none())
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("signalr-codec: {e}");
            ExitCode::from(2)
        }
    }
}
