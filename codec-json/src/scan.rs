//! The envelope scanner: the core's JSON scanner (`signalr_codec_core::json::scan`, the one the
//! handshake and negotiate reader uses too) over a record already known to be UTF-8.
//!
//! The record is checked as UTF-8 once, up front (only up to the first invalid byte: text after
//! the object is ignored, as .NET ignores it); after that, strings are scanned for quotes,
//! backslashes and control characters only (16 bytes at a time on x86_64), and every slice
//! handed out is a `&str` without another check. Errors are a kind and an offset, turned into the .NET texts
//! by the parser. The scanner's methods are generic, so they are compiled here, into the
//! parser's crate, as if they were written here.

pub(crate) use signalr_codec_core::json::scan::{Fail, FailKind};

/// The scanner: a position in a UTF-8 record.
pub(crate) type Scanner<'a> = signalr_codec_core::json::scan::Scanner<&'a str>;

/// A string as it appears in the record (between its quotes).
pub(crate) type Str<'a> = signalr_codec_core::json::scan::Str<&'a str>;
