//! The handshake: the first message each way, always JSON ended by 0x1E, for every hub protocol.
//!
//! The client sends `{"protocol":"json","version":2}␞`; the server answers `{}␞` or
//! `{"error":"…"}␞` and, on error, closes. Bytes after the handshake's separator belong to the
//! hub protocol: [`Status::Complete`] says how many bytes the handshake took.
//!
//! ```
//! use signalr_codec_core::handshake::{HandshakeRequest, HandshakeResponse};
//! use signalr_codec_core::{frame::Status, Limits};
//!
//! // Client side.
//! let mut wire = Vec::new();
//! HandshakeRequest::new("messagepack", 2).write(&mut wire).unwrap();
//! assert_eq!(wire, b"{\"protocol\":\"messagepack\",\"version\":2}\x1e");
//!
//! // Server side: the request may arrive together with the first hub message.
//! wire.extend_from_slice(&[0x02, 0x91, 0x06]);
//! let Status::Complete((request, consumed)) = HandshakeRequest::parse(&wire, &Limits::default()).unwrap()
//! else { unreachable!() };
//! assert_eq!((request.protocol.as_str(), request.version), ("messagepack", 2));
//! assert_eq!(&wire[consumed..], [0x02, 0x91, 0x06]);
//!
//! let mut reply = Vec::new();
//! HandshakeResponse::success().write(&mut reply).unwrap();
//! assert_eq!(reply, b"{}\x1e");
//! ```

use crate::error::{Arg, Error, ErrorKind};
use crate::frame::{Frame, Framer, RecordFramer, Status, RECORD_SEPARATOR};
use crate::json::{self, JsonReader, TokenType};
use crate::limits::Limits;
use crate::output::Output;
use crate::text::Text;

/// The handshake request a client sends first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeRequest<'a> {
    /// The hub protocol's name: `json` or `messagepack`.
    pub protocol: Text<'a>,
    /// The hub protocol version: 2 to offer stateful reconnect, 1 otherwise (what the official
    /// clients send when it was not negotiated).
    pub version: i32,
}

/// The server's answer to the handshake request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandshakeResponse<'a> {
    /// Why the server refuses the connection; `None` on success. Read without an allocator, a
    /// text with escapes that does not fit the text's inline room (`inline-text`, 22 bytes) is
    /// kept as the server wrote it, escapes included (`The protocol \u0027x\u0027 is not
    /// supported.`): the response is still read as a refusal.
    pub error: Option<Text<'a>>,
}

/// The bytes of a successful handshake response.
pub const SUCCESS: &[u8] = b"{}\x1e";

impl<'a> HandshakeRequest<'a> {
    /// A request for `protocol` at `version`.
    pub fn new(protocol: impl Into<Text<'a>>, version: i32) -> Self {
        HandshakeRequest { protocol: protocol.into(), version }
    }

    /// Bytes [`write`](Self::write) produces.
    pub fn encoded_len(&self) -> usize {
        r#"{"protocol":,"version":}"#.len()
            + json::string_len(&self.protocol)
            + json::i64_len(i64::from(self.version))
            + 1
    }

    /// Writes the request as .NET and the JS client do: `{"protocol":…,"version":…}␞`.
    /// Checks room first; returns the bytes written.
    pub fn write<O: Output + ?Sized>(&self, out: &mut O) -> Result<usize, Error> {
        let len = self.encoded_len();
        if out.remaining() < len {
            return Err(Error::buffer_too_small(len));
        }
        out.put(b"{\"protocol\":");
        json::write_string(&self.protocol, out);
        out.put(b",\"version\":");
        json::write_i64(i64::from(self.version), out);
        out.put(&[b'}', RECORD_SEPARATOR]);
        Ok(len)
    }

    /// Parses a request at the start of `buf`, as .NET's `HandshakeProtocol` does: unknown
    /// properties skipped, the last of repeated properties wins, `\u` escapes decoded, text
    /// after the object ignored. [`Status::Partial`] until the 0x1E arrives; on success, the
    /// request and the bytes it took (the rest belongs to the hub protocol).
    ///
    /// More than `limits.max_message_size` bytes without a separator fail with the size error
    /// (the .NET server then answers `Handshake was canceled.`).
    ///
    /// Each call scans `buf` from its first byte: for bytes that arrive in pieces, use a
    /// [`HandshakeReader`], which goes on where the previous call stopped.
    pub fn parse(buf: &'a [u8], limits: &Limits) -> Result<Status<(Self, usize)>, Error> {
        HandshakeReader::new(*limits).request(buf)
    }

    /// Parses the request in `frame` of `buf`.
    fn from_frame(buf: &'a [u8], frame: Frame, limits: &Limits) -> Result<(Self, usize), Error> {
        let payload = &buf[frame.body];
        let mut reader = open_object(payload, limits)?;
        let mut obj = reader.begin_object()?;
        let mut protocol = None;
        let mut version = None;
        while let Some(name) = reader.next_property(&mut obj)? {
            if name.eq_str("protocol") {
                if reader.peek() != TokenType::String {
                    return Err(expected_type("protocol", "String", &reader));
                }
                protocol = Some(reader.read_string()?.to_text()?);
            } else if name.eq_str("version") {
                version = match reader.peek() {
                    TokenType::Null => {
                        reader.read_null()?;
                        None
                    }
                    TokenType::Number => {
                        let at = reader.position();
                        let n = reader.read_i64()?;
                        Some(i32::try_from(n).map_err(|_| {
                            Error::new(ErrorKind::Type, "Expected 'version' to fit in an Int32.").at(at)
                        })?)
                    }
                    _ => return Err(expected_type("version", "Number", &reader)),
                };
            } else {
                reader.skip_value()?;
            }
        }
        // The closing brace, where the reader finds a property missing.
        let end = reader.position() - 1;
        let Some(protocol) = protocol else {
            return Err(missing("protocol", payload).at(end));
        };
        let Some(version) = version else {
            return Err(missing("version", payload).at(end));
        };
        Ok((HandshakeRequest { protocol, version }, frame.consumed))
    }

    /// The request with no borrow left.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> HandshakeRequest<'static> {
        HandshakeRequest { protocol: self.protocol.into_owned(), version: self.version }
    }
}

impl<'a> HandshakeResponse<'a> {
    /// The success response, `{}`.
    pub const fn success() -> Self {
        HandshakeResponse { error: None }
    }

    /// A refusal with this error text.
    pub fn error(error: impl Into<Text<'a>>) -> Self {
        HandshakeResponse { error: Some(error.into()) }
    }

    /// True when the handshake succeeded: no error, or (as the JS client reads it) an empty one.
    pub fn is_success(&self) -> bool {
        self.error.as_ref().is_none_or(|e| e.is_empty())
    }

    fn written_error(&self) -> Option<&str> {
        // .NET writes the error only when it is non-empty.
        self.error.as_deref().filter(|e| !e.is_empty())
    }

    /// Bytes [`write`](Self::write) produces.
    pub fn encoded_len(&self) -> usize {
        match self.written_error() {
            Some(e) => r#"{"error":}"#.len() + json::string_len(e) + 1,
            None => SUCCESS.len(),
        }
    }

    /// Writes the response as .NET does: `{}␞`, or `{"error":"…"}␞` when the error is non-empty.
    pub fn write<O: Output + ?Sized>(&self, out: &mut O) -> Result<usize, Error> {
        let len = self.encoded_len();
        if out.remaining() < len {
            return Err(Error::buffer_too_small(len));
        }
        match self.written_error() {
            Some(e) => {
                out.put(b"{\"error\":");
                json::write_string(e, out);
                out.put(&[b'}', RECORD_SEPARATOR]);
            }
            None => out.put(SUCCESS),
        }
        Ok(len)
    }

    /// Parses a response at the start of `buf`, as .NET and the JS client do: a `type` property
    /// means a hub message arrived instead (`Expected a handshake response from the server.`),
    /// `error` must be a string, anything else is skipped (including the old `minorVersion`).
    ///
    /// Each call scans `buf` from its first byte: for bytes that arrive in pieces, use a
    /// [`HandshakeReader`], which goes on where the previous call stopped.
    pub fn parse(buf: &'a [u8], limits: &Limits) -> Result<Status<(Self, usize)>, Error> {
        HandshakeReader::new(*limits).response(buf)
    }

    /// Parses the response in `frame` of `buf`.
    fn from_frame(buf: &'a [u8], frame: Frame, limits: &Limits) -> Result<(Self, usize), Error> {
        let payload = &buf[frame.body];
        let mut reader = open_object(payload, limits)?;
        let mut obj = reader.begin_object()?;
        let mut error = None;
        while let Some(name) = reader.next_property(&mut obj)? {
            if name.eq_str("type") {
                return Err(
                    Error::new(ErrorKind::Invalid, "Expected a handshake response from the server.").at(name.offset())
                );
            } else if name.eq_str("error") {
                if reader.peek() != TokenType::String {
                    return Err(expected_type("error", "String", &reader));
                }
                let text = reader.read_string()?;
                error = Some(match text.to_text() {
                    Ok(decoded) => decoded,
                    // No room to decode it (no allocator): the refusal stays a refusal, its
                    // text as the server wrote it. .NET escapes the quote in every refusal.
                    Err(e) if e.kind() == ErrorKind::Unsupported => Text::borrowed(text.raw()),
                    Err(e) => return Err(e),
                });
            } else {
                reader.skip_value()?;
            }
        }
        Ok((HandshakeResponse { error }, frame.consumed))
    }

    /// The response with no borrow left.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> HandshakeResponse<'static> {
        HandshakeResponse { error: self.error.map(Text::into_owned) }
    }
}

/// Reads the handshake from bytes that arrive in pieces, in work linear in their length.
///
/// [`HandshakeRequest::parse`] and [`HandshakeResponse::parse`] scan their input from the first
/// byte on every call, so calling them again on each new byte of a 32 KiB handshake costs
/// 32 KiB²/2 byte reads. A reader remembers how far it has looked for the 0x1E, as the framers
/// do. The contract: call [`request`](Self::request) (or [`response`](Self::response)) with
/// the bytes received so far, from the connection's first byte, until it returns
/// [`Status::Complete`]; each call passes the same bytes with more appended. The JSON is parsed
/// once, when the separator has arrived. [`reset`](Self::reset) starts over on other bytes.
///
/// ```
/// use signalr_codec_core::handshake::HandshakeReader;
/// use signalr_codec_core::{frame::Status, Limits};
///
/// let wire = b"{\"protocol\":\"json\",\"version\":1}\x1e{\"type\":6}\x1e";
/// let mut reader = HandshakeReader::new(Limits::default());
/// let mut received = Vec::new();
/// for &byte in wire.iter() {
///     received.push(byte);
///     if let Status::Complete((request, consumed)) = reader.request(&received).unwrap() {
///         assert_eq!((request.protocol.as_str(), request.version, consumed), ("json", 1, 32));
///         break;
///     }
/// }
/// assert_eq!(reader.bytes_examined(), 32 + 31); // each byte scanned once, the JSON parsed once
/// ```
#[derive(Debug, Clone)]
pub struct HandshakeReader {
    limits: Limits,
    framer: RecordFramer,
    parsed: u64,
}

impl HandshakeReader {
    /// A reader enforcing `limits` (the size limit counts the 0x1E, as for hub messages).
    pub const fn new(limits: Limits) -> Self {
        HandshakeReader { limits, framer: RecordFramer::new(limits), parsed: 0 }
    }

    /// The request at the start of `buf`, as [`HandshakeRequest::parse`] reads it:
    /// [`Status::Partial`] until the 0x1E arrives, then the request and the bytes it took.
    pub fn request<'a>(&mut self, buf: &'a [u8]) -> Result<Status<(HandshakeRequest<'a>, usize)>, Error> {
        let Status::Complete(frame) = self.framer.next_frame(buf)? else {
            return Ok(Status::Partial);
        };
        self.parsed += frame.body.len() as u64;
        HandshakeRequest::from_frame(buf, frame, &self.limits).map(Status::Complete)
    }

    /// The response at the start of `buf`, as [`HandshakeResponse::parse`] reads it.
    pub fn response<'a>(&mut self, buf: &'a [u8]) -> Result<Status<(HandshakeResponse<'a>, usize)>, Error> {
        let Status::Complete(frame) = self.framer.next_frame(buf)? else {
            return Ok(Status::Partial);
        };
        self.parsed += frame.body.len() as u64;
        HandshakeResponse::from_frame(buf, frame, &self.limits).map(Status::Complete)
    }

    /// Forgets how far it has looked: the next call reads unrelated bytes.
    pub fn reset(&mut self) {
        self.framer.reset();
    }

    /// The work done so far, in bytes: those scanned for the separator plus the JSON parsed.
    pub fn bytes_examined(&self) -> u64 {
        self.framer.bytes_examined() + self.parsed
    }
}

/// A reader positioned on the payload's first token, which must open an object.
fn open_object<'a>(payload: &'a [u8], limits: &Limits) -> Result<JsonReader<'a>, Error> {
    let mut reader = JsonReader::new(payload, limits.max_depth);
    match reader.peek() {
        TokenType::Object => Ok(reader),
        TokenType::None => {
            Err(Error::new(ErrorKind::Syntax, "Invalid JSON: the handshake message is empty.").at(reader.position()))
        }
        TokenType::Invalid | TokenType::EndObject | TokenType::EndArray => {
            Err(Error::new(ErrorKind::Syntax, "Invalid JSON: expected a value.").at(reader.position()))
        }
        other => Err(Error::template(
            ErrorKind::Type,
            &["Unexpected JSON Token Type '", "'. Expected a JSON Object."],
            [Arg::Str(other.dotnet_name()), Arg::Int(0)],
        )
        .at(reader.position())),
    }
}

fn expected_type(property: &'static str, expected: &'static str, reader: &JsonReader<'_>) -> Error {
    Error::template(ErrorKind::Type, &["Expected '", "' to be of type ", "."], [Arg::Str(property), Arg::Str(expected)])
        .at(reader.position())
}

/// `Missing required property '…'. Message content: …`, the payload as UTF-8 with invalid
/// sequences replaced by U+FFFD (as .NET's decoder does); no `core::fmt`.
fn missing(property: &str, payload: &[u8]) -> Error {
    Error::written(ErrorKind::Missing, |text| {
        text.push("Missing required property '");
        text.push(property);
        text.push("'. Message content: ");
        for chunk in payload.utf8_chunks() {
            text.push(chunk.valid());
            if !chunk.invalid().is_empty() {
                text.push("\u{FFFD}");
            }
        }
    })
}
