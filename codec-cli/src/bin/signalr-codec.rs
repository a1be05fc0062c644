//! `signalr-codec`: see what is on a SignalR hub protocol wire, and produce it.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::Value;
use signalr_codec_cli::handshake::Side;
use signalr_codec_cli::protocol::ProtocolName;
use signalr_codec_cli::{frames, handshake, hex, input, report};
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
    /// Framing only: each frame's body as hex, then the unconsumed remainder.
    Frames {
        /// The hub protocol whose framing to read.
        #[arg(long, short)]
        protocol: ProtocolName,
        /// Largest frame in bytes, framing included, or `none` (default: 32768, as ASP.NET Core).
        #[arg(long, value_parser = input::parse_size_limit)]
        max_message_size: Option<Option<usize>>,
        /// Each input line is the hex of one independent buffer; one output line per input line.
        #[arg(long)]
        hex_lines: bool,
        /// The input (default: stdin).
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

fn limits(max_message_size: Option<Option<usize>>) -> Limits {
    let limits = Limits::default();
    match max_message_size {
        Some(size) => limits.with_max_message_size(size),
        None => limits,
    }
}

/// Applies `f` to each buffer: one per hex line, or the whole input as one buffer.
fn per_buffer(data: &[u8], hex_lines: bool, mut f: impl FnMut(&[u8]) -> Value) -> Vec<Value> {
    if !hex_lines {
        return vec![f(data)];
    }
    input::hex_lines(data)
        .into_iter()
        .map(|line| match line {
            Ok(bytes) => f(&bytes),
            Err(e) => serde_json::json!({ "error": report::input(e) }),
        })
        .collect()
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
        Command::Frames { protocol, max_message_size, hex_lines, file } => {
            let data = input::read_all(file.as_deref())?;
            let limits = limits(max_message_size);
            let lines = per_buffer(&data, hex_lines, |buf| frames::frame_buffer(protocol, limits, buf));
            print_lines(&lines)?;
            Ok(hex_lines || lines.iter().all(|l| l.get("error").is_none()))
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
            let data = input::read_all(file.as_deref())?;
            let limits = Limits::default();
            let lines = per_buffer(&data, hex_lines, |buf| handshake::parse(side, &limits, buf));
            print_lines(&lines)?;
            Ok(hex_lines || lines.iter().all(|l| l.get("error").is_none()))
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
