//! Where the command reads from: a file or stdin, as one raw byte stream or as hex lines (each
//! line one independent buffer).

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The input: the file at `path`, or stdin when it is `None` or `-`.
pub fn open(path: Option<&Path>) -> io::Result<Box<dyn Read>> {
    match path {
        Some(p) if p != Path::new("-") => Ok(Box::new(std::fs::File::open(p)?)),
        _ => Ok(Box::new(io::stdin())),
    }
}

/// Bytes read at most at once from a stream.
const CHUNK: usize = 64 * 1024;

/// Hands the input to `f` piece by piece as it arrives (a pipe gives what was written so far),
/// so a command can answer before the writer has finished; memory is one piece.
pub fn for_each_chunk(input: &mut dyn Read, mut f: impl FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => f(&buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Hands each line of the input (without its `\n`) to `f` as it arrives; `f` returns false to
/// stop. A line is read whole, so memory is the longest line.
pub fn for_each_line(input: &mut dyn Read, mut f: impl FnMut(&[u8]) -> io::Result<bool>) -> io::Result<()> {
    let mut reader = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if !f(text)? {
            return Ok(());
        }
    }
}

/// Hands each `--hex-lines` line to `f` as it arrives, decoded (or the reason it is not hex),
/// as [`hex_lines`] splits them; memory is the longest line.
pub fn for_each_hex_line(
    input: &mut dyn Read,
    mut f: impl FnMut(Result<Vec<u8>, String>) -> io::Result<()>,
) -> io::Result<()> {
    for_each_line(input, |line| f(hex_line(line)).map(|()| true))
}

/// One `--hex-lines` line (without its `\n`; a trailing `\r` is ignored), decoded.
pub fn hex_line(line: &[u8]) -> Result<Vec<u8>, String> {
    let text = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line));
    crate::hex::decode(&text)
}

/// The lines of a `--hex-lines` input, each decoded (or the reason it is not hex). Blank lines
/// are empty buffers; a trailing newline does not add one. The whole input at once;
/// [`for_each_hex_line`] reads it line by line.
pub fn hex_lines(input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if lines.last() == Some(&&b""[..]) {
        lines.pop();
    }
    lines.into_iter().map(hex_line).collect()
}

/// Reads the input up to its first record separator (0x1E), or until it holds more than
/// `limit` bytes without one: all a handshake parser looks at, so a handshake is answered
/// without waiting for the rest of the stream. Memory is the limit plus one read.
pub fn read_record(input: &mut dyn Read, limit: Option<usize>) -> io::Result<Vec<u8>> {
    let mut record = Vec::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(record),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        record.extend_from_slice(&buf[..n]);
        if buf[..n].contains(&0x1e) || limit.is_some_and(|limit| record.len() > limit) {
            return Ok(record);
        }
    }
}

/// A `--max-message-size` value: a number of bytes, or `none` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit(pub Option<usize>);

impl std::str::FromStr for SizeLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("none") {
            return Ok(SizeLimit(None));
        }
        text.parse()
            .map(|n| SizeLimit(Some(n)))
            .map_err(|_| format!("'{text}' is neither a number of bytes nor 'none'"))
    }
}
