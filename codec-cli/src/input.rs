//! Where the command reads from: a file or stdin, as one raw byte stream or as hex lines (each
//! line one independent buffer).

use std::io::{self, Read};
use std::path::Path;

/// Reads the whole input: the file at `path`, or stdin when it is `None` or `-`.
pub fn read_all(path: Option<&Path>) -> io::Result<Vec<u8>> {
    match path {
        Some(p) if p != Path::new("-") => std::fs::read(p),
        _ => {
            let mut buf = Vec::new();
            io::stdin().lock().read_to_end(&mut buf)?;
            Ok(buf)
        }
    }
}

/// The lines of a `--hex-lines` input, each decoded (or the reason it is not hex). Blank lines
/// are empty buffers; a trailing newline does not add one.
pub fn hex_lines(input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
    let text = String::from_utf8_lossy(input);
    let mut lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines.into_iter().map(crate::hex::decode).collect()
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
