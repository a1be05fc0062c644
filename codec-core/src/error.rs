//! [`Error`]: a stable [`ErrorKind`], the byte offset where known, and the .NET text where
//! .NET has one.
//!
//! The texts of the codec's own errors (fixed texts and templates) are the `error-texts`
//! feature, on with `std`. A device that never shows them leaves them out: its errors keep
//! their kind and offset (and `needed`, `limit`), display as their kind, and the texts and the
//! code that builds them are not linked (about 4 KB of the MessagePack firmware's flash).

use core::fmt::{self, Write as _};

#[cfg(feature = "alloc")]
use alloc::boxed::Box;
#[cfg(feature = "alloc")]
use alloc::string::String;

/// The category of an error: stable across releases, meant for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes are not well-formed JSON / MessagePack / framing.
    Syntax,
    /// A known property or field has the wrong type (`"invocationId": null`, …).
    Type,
    /// A required property or field is missing.
    Missing,
    /// Well-formed, but not a valid message: an empty record, an invalid result kind, `error`
    /// together with `result`, an empty id where .NET forbids one, invalid UTF-8, ….
    Invalid,
    /// A configured limit was passed (message size, nesting depth, counts), or a length prefix
    /// over the 2 GB the protocol allows.
    Limit,
    /// Valid input this build cannot handle (for example a long escaped string without `alloc`).
    Unsupported,
    /// Writing: the output buffer is too small; nothing was written.
    BufferTooSmall,
}

impl ErrorKind {
    /// A short lowercase name (`syntax`, `type`, `missing`, `invalid`, `limit`, `unsupported`,
    /// `buffer_too_small`), for logs and machine-readable output.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Type => "type",
            ErrorKind::Missing => "missing",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Limit => "limit",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::BufferTooSmall => "buffer_too_small",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Capacity of a copied or formatted error text when no allocator is available: 64 bytes with
/// the `inline-detail` feature, none without it. Longer texts are cut, ending in `…` (without
/// room, a text is just `…`). Fixed texts and templates ([`Error::template`]) are never cut.
///
/// The room is inside every [`Error`], so without `inline-detail` an error stays small (on a
/// 32-bit device, 48 bytes instead of 80 with `error-texts`, 16 without), and so does every
/// result and event holding one.
pub const DETAIL_CAPACITY: usize = if cfg!(feature = "inline-detail") { 64 } else { 0 };

#[cfg(feature = "alloc")]
type Detail = Box<str>;
#[cfg(all(not(feature = "alloc"), feature = "inline-detail"))]
type Detail = heapless::String<DETAIL_CAPACITY>;
/// No room: the text was cut to nothing (displayed as `…`).
#[cfg(all(not(feature = "alloc"), not(feature = "inline-detail")))]
type Detail = Cut;

/// A copied text with no room to keep it, without an allocator or `inline-detail`.
#[cfg(all(not(feature = "alloc"), not(feature = "inline-detail")))]
#[derive(Clone, PartialEq, Eq)]
struct Cut;

#[cfg(all(not(feature = "alloc"), not(feature = "inline-detail")))]
impl core::ops::Deref for Cut {
    type Target = str;
    fn deref(&self) -> &str {
        "…"
    }
}

/// A value in a text built lazily ([`Error::template`]): kept as it is and written out only
/// when the text is displayed, so that building an error formats nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A fixed string (a field name, a type name).
    Str(&'static str),
    /// An integer, written in decimal.
    Int(i64),
}

impl Arg {
    /// An unsigned count or size as an argument (saturating at `i64::MAX`).
    pub const fn count(n: usize) -> Self {
        Arg::Int(if n as u64 > i64::MAX as u64 { i64::MAX } else { n as i64 })
    }
}

#[derive(Clone, PartialEq, Eq)]
enum Reason {
    #[cfg(feature = "error-texts")]
    Static(&'static str),
    /// `pieces[0]`, `args[0]`, `pieces[1]`, `args[1]`, `pieces[2]`, …: as many args as there
    /// are pieces after the first.
    #[cfg(feature = "error-texts")]
    Template {
        pieces: &'static [&'static str],
        args: [Arg; 2],
    },
    /// A fixed text or template this build leaves out (without `error-texts`): the kind and
    /// the offset say what went wrong.
    #[cfg(not(feature = "error-texts"))]
    Omitted,
    MaxMessageSize {
        limit: usize,
    },
    BufferTooSmall {
        needed: usize,
    },
    Formatted(Detail),
}

/// How an `Error` keeps `offset` (see its field).
const fn plus_one(offset: usize) -> Option<core::num::NonZeroUsize> {
    core::num::NonZeroUsize::new(offset.wrapping_add(1))
}

/// An error reading or writing the hub protocol.
///
/// ```
/// use signalr_codec_core::{frame::{Framer, LengthPrefixFramer}, ErrorKind, Limits};
/// let mut framer = LengthPrefixFramer::new(Limits::default());
/// let err = framer.next_frame(&[0xFF, 0xFF, 0xFF, 0xFF, 0x08]).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Limit);
/// assert_eq!(err.message().to_string(), "Messages over 2GB in size are not supported.");
/// assert_eq!(err.offset(), Some(4));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    /// The offset plus one: a `NonZeroUsize` is one word and its `Option` too, where an
    /// `Option<usize>` takes two (an `Error` is 16 bytes instead of 20 on a 32-bit device, and
    /// each `?` that moves one stores a word less). No input reaches byte `usize::MAX`.
    offset: Option<core::num::NonZeroUsize>,
    reason: Reason,
}

impl Error {
    /// An error with a fixed text (kept with the `error-texts` feature).
    pub const fn new(kind: ErrorKind, text: &'static str) -> Self {
        #[cfg(feature = "error-texts")]
        let reason = Reason::Static(text);
        #[cfg(not(feature = "error-texts"))]
        let reason = {
            let _ = text;
            Reason::Omitted
        };
        Error { kind, offset: None, reason }
    }

    /// An error whose text is formatted (`Expected header 'x' to be of type String.`).
    ///
    /// Without `alloc` the text is cut at [`DETAIL_CAPACITY`] bytes.
    pub fn formatted(kind: ErrorKind, args: fmt::Arguments<'_>) -> Self {
        if let Some(text) = args.as_str() {
            return Error::new(kind, text);
        }
        let mut detail = DetailWriter::default();
        let _ = detail.write_fmt(args);
        Error { kind, offset: None, reason: Reason::Formatted(detail.finish()) }
    }

    /// An error whose text is `pieces` with `args` between them, built only when displayed:
    /// `Error::template(kind, &["Reading '", "' as ", " failed."], [Arg::Str("target"),
    /// Arg::Str("String")])` reads `Reading 'target' as String failed.` Unlike
    /// [`formatted`](Error::formatted) it formats nothing (no `core::fmt` on the error path, no
    /// copy, no cut without `alloc`); the arguments after the last piece but one are ignored.
    /// Pieces and arguments are kept with the `error-texts` feature.
    ///
    /// ```
    /// use signalr_codec_core::{error::Arg, Error, ErrorKind};
    /// let e = Error::template(ErrorKind::Limit, &["More ", " than ", "."], [Arg::Str("headers"), Arg::Int(256)]);
    /// assert_eq!(e.message().to_string(), "More headers than 256.");
    /// ```
    pub const fn template(kind: ErrorKind, pieces: &'static [&'static str], args: [Arg; 2]) -> Self {
        #[cfg(feature = "error-texts")]
        let reason = Reason::Template { pieces, args };
        #[cfg(not(feature = "error-texts"))]
        let reason = {
            let _ = (pieces, args);
            Reason::Omitted
        };
        Error { kind, offset: None, reason }
    }

    /// An error whose text is a copy of `text` (a peer's message, for example): no formatting.
    ///
    /// Without `alloc` the text is cut at [`DETAIL_CAPACITY`] bytes.
    pub fn copied(kind: ErrorKind, text: &str) -> Self {
        Error::concatenated(kind, &[text])
    }

    /// An error whose text is a copy of `parts`, one after the other (a fixed text around a
    /// peer's string, for example): unlike [`formatted`](Error::formatted), no `core::fmt`.
    ///
    /// Without `alloc` the text is cut at [`DETAIL_CAPACITY`] bytes.
    ///
    /// ```
    /// use signalr_codec_core::{Error, ErrorKind};
    /// let e = Error::concatenated(ErrorKind::Invalid, &["Key: ", "a"]);
    /// assert_eq!(e.message().to_string(), "Key: a");
    /// ```
    pub fn concatenated(kind: ErrorKind, parts: &[&str]) -> Self {
        Error::written(kind, |detail| {
            for part in parts {
                detail.push(part);
            }
        })
    }

    /// An error whose text `write` puts together piece by piece, without `core::fmt`.
    pub(crate) fn written(kind: ErrorKind, write: impl FnOnce(&mut DetailWriter)) -> Self {
        let mut detail = DetailWriter::default();
        write(&mut detail);
        Error { kind, offset: None, reason: Reason::Formatted(detail.finish()) }
    }

    /// `The maximum message size of {limit}B was exceeded. …`, the .NET server's text.
    pub const fn max_message_size(limit: usize) -> Self {
        Error { kind: ErrorKind::Limit, offset: None, reason: Reason::MaxMessageSize { limit } }
    }

    /// The output buffer cannot hold `needed` bytes; nothing was written.
    pub const fn buffer_too_small(needed: usize) -> Self {
        Error { kind: ErrorKind::BufferTooSmall, offset: None, reason: Reason::BufferTooSmall { needed } }
    }

    /// This error, located at byte `offset` of the input.
    #[must_use]
    pub const fn at(mut self, offset: usize) -> Self {
        self.offset = plus_one(offset);
        self
    }

    /// This error located at `base` + its offset (or at `base` when it had none): for errors
    /// found inside a frame that starts `base` bytes into the stream.
    #[must_use]
    pub const fn shifted(mut self, base: usize) -> Self {
        self.shift(base);
        self
    }

    /// Moves this error `base` bytes later, in place: [`shifted`](Error::shifted) for an
    /// error that is part of a larger value.
    pub const fn shift(&mut self, base: usize) {
        let at = match self.offset {
            Some(o) => base + (o.get() - 1),
            None => base,
        };
        self.offset = plus_one(at);
    }

    /// The category.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset in the input where the problem was found, when known.
    pub const fn offset(&self) -> Option<usize> {
        match self.offset {
            Some(o) => Some(o.get() - 1),
            None => None,
        }
    }

    /// For [`ErrorKind::BufferTooSmall`]: the number of bytes the output needs.
    pub const fn needed(&self) -> Option<usize> {
        match self.reason {
            Reason::BufferTooSmall { needed } => Some(needed),
            _ => None,
        }
    }

    /// For the message-size limit: the limit that was passed.
    pub const fn limit(&self) -> Option<usize> {
        match self.reason {
            Reason::MaxMessageSize { limit } => Some(limit),
            _ => None,
        }
    }

    /// The error text, without the offset: the exact .NET text where .NET has one. Without the
    /// `error-texts` feature, a fixed text or template reads as its kind
    /// (`syntax error (texts left out: …)`).
    pub fn message(&self) -> impl fmt::Display + '_ {
        Message(self)
    }
}

struct Message<'e>(&'e Error);

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.reason {
            #[cfg(not(feature = "error-texts"))]
            Reason::Omitted => {
                write!(f, "{} error (texts left out: signalr-codec-core's `error-texts` feature)", self.0.kind)
            }
            #[cfg(feature = "error-texts")]
            Reason::Static(s) => f.write_str(s),
            #[cfg(feature = "error-texts")]
            Reason::Template { pieces, args } => {
                for (i, piece) in pieces.iter().enumerate() {
                    if i > 0 {
                        match args.get(i - 1) {
                            Some(Arg::Str(s)) => f.write_str(s)?,
                            Some(Arg::Int(n)) => write!(f, "{n}")?,
                            None => {}
                        }
                    }
                    f.write_str(piece)?;
                }
                Ok(())
            }
            Reason::MaxMessageSize { limit } => write!(
                f,
                "The maximum message size of {limit}B was exceeded. The message size can be configured in AddHubOptions."
            ),
            Reason::BufferTooSmall { needed } => {
                write!(f, "The output buffer is too small: the message needs {needed} bytes.")
            }
            Reason::Formatted(s) => f.write_str(s),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.message(), f)?;
        if let Some(offset) = self.offset() {
            write!(f, " (at byte {offset})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("offset", &self.offset())
            .field("message", &format_args!("{}", self.message()))
            .finish()
    }
}

impl core::error::Error for Error {}

#[cfg(feature = "std")]
impl From<Error> for std::io::Error {
    /// `InvalidData` (`WriteZero` for an output buffer too small), carrying the codec error:
    /// `io.get_ref().and_then(|e| e.downcast_ref::<Error>())` gives it back.
    fn from(error: Error) -> Self {
        let kind = match error.kind() {
            ErrorKind::BufferTooSmall => std::io::ErrorKind::WriteZero,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, error)
    }
}

/// Collects a formatted text, cutting it (with `…`) where no allocator can grow it.
#[derive(Default)]
pub(crate) struct DetailWriter {
    #[cfg(feature = "alloc")]
    text: String,
    #[cfg(all(not(feature = "alloc"), feature = "inline-detail"))]
    text: heapless::String<DETAIL_CAPACITY>,
    #[cfg(all(not(feature = "alloc"), feature = "inline-detail"))]
    cut: bool,
}

impl fmt::Write for DetailWriter {
    #[cfg(feature = "alloc")]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.push_str(s);
        Ok(())
    }

    #[cfg(all(not(feature = "alloc"), not(feature = "inline-detail")))]
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Ok(())
    }

    #[cfg(all(not(feature = "alloc"), feature = "inline-detail"))]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const ELLIPSIS: &str = "…";
        if self.cut {
            return Ok(());
        }
        let room = DETAIL_CAPACITY - ELLIPSIS.len() - self.text.len();
        if s.len() <= room {
            let _ = self.text.push_str(s);
        } else {
            let mut end = room;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let _ = self.text.push_str(&s[..end]);
            let _ = self.text.push_str(ELLIPSIS);
            self.cut = true;
        }
        Ok(())
    }
}

impl DetailWriter {
    /// Appends `s` (`write_str` without a `fmt::Result`).
    pub(crate) fn push(&mut self, s: &str) {
        let _ = self.write_str(s);
    }

    #[cfg(feature = "alloc")]
    fn finish(self) -> Detail {
        self.text.into_boxed_str()
    }

    #[cfg(all(not(feature = "alloc"), feature = "inline-detail"))]
    fn finish(self) -> Detail {
        self.text
    }

    #[cfg(all(not(feature = "alloc"), not(feature = "inline-detail")))]
    fn finish(self) -> Detail {
        Cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_message_size_text_is_the_servers() {
        let e = Error::max_message_size(32768);
        assert_eq!(
            e.message().to_string(),
            "The maximum message size of 32768B was exceeded. The message size can be configured in AddHubOptions."
        );
        assert_eq!(e.limit(), Some(32768));
        assert_eq!(e.kind(), ErrorKind::Limit);
    }

    #[test]
    #[cfg(feature = "error-texts")]
    fn templates_are_written_when_displayed() {
        let e =
            Error::template(ErrorKind::Type, &["Reading '", "' as ", " failed."], [Arg::Str("x"), Arg::Str("Int32")]);
        assert_eq!(e.message().to_string(), "Reading 'x' as Int32 failed.");
        let e = Error::template(ErrorKind::Limit, &["n=", ""], [Arg::Int(-5), Arg::Str("ignored")]);
        assert_eq!(e.message().to_string(), "n=-5");
        assert_eq!(
            Error::template(ErrorKind::Limit, &["only"], [Arg::Int(1), Arg::Int(2)]).message().to_string(),
            "only"
        );
        assert_eq!(Arg::count(7), Arg::Int(7));
        // A count beyond i64 saturates (a 64-bit usize; on 32 bits every count fits).
        #[cfg(target_pointer_width = "64")]
        assert_eq!(Arg::count(usize::MAX), Arg::Int(i64::MAX));
    }

    #[test]
    fn copied_texts_are_kept() {
        let e = Error::copied(ErrorKind::Invalid, "Refused by the server.");
        assert_eq!(e.message().to_string(), "Refused by the server.");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert_eq!(e.offset(), None);
    }

    #[test]
    #[cfg(feature = "error-texts")]
    fn display_adds_the_offset() {
        let e =
            Error::formatted(ErrorKind::Type, format_args!("Expected header '{}' to be of type String.", "a")).at(12);
        assert_eq!(e.to_string(), "Expected header 'a' to be of type String. (at byte 12)");
        assert_eq!(e.shifted(3).offset(), Some(15));
    }

    /// `cargo test -p signalr-codec-core --no-default-features --features alloc --lib error::`
    /// (CI runs it).
    #[test]
    #[cfg(not(feature = "error-texts"))]
    fn without_texts_an_error_keeps_its_kind_offset_and_numbers() {
        let e = Error::template(ErrorKind::Type, &["Reading '", "' failed."], [Arg::Str("x"), Arg::Int(0)]).at(7);
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Type, Some(7)));
        assert_eq!(
            e.to_string(),
            "type error (texts left out: signalr-codec-core's `error-texts` feature) (at byte 7)"
        );
        assert_eq!(Error::new(ErrorKind::Syntax, "left out"), Error::new(ErrorKind::Syntax, "also left out"));
        // What is not a fixed text stays: a peer's text, and the limits' numbers.
        assert_eq!(Error::copied(ErrorKind::Invalid, "Refused.").message().to_string(), "Refused.");
        assert_eq!(Error::buffer_too_small(9).needed(), Some(9));
        assert!(Error::max_message_size(32768).to_string().contains("32768B"));
    }
}
