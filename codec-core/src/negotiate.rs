//! The negotiate response (`POST {endpoint}/negotiate?negotiateVersion=1`): read as the .NET
//! client reads it, written as the .NET server writes it.
//!
//! ```
//! use signalr_codec_core::negotiate::{AvailableTransport, NegotiateResponse};
//!
//! let body = br#"{"negotiateVersion":1,"connectionId":"abc","connectionToken":"xyz",
//!     "availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}"#;
//! let response = NegotiateResponse::parse(body)?;
//! assert_eq!(response.negotiate_version, 1);
//! assert_eq!(response.connection_token.as_deref(), Some("xyz"));
//! // Transport requests carry the token (version 1) or the connection id (version 0) as `id`.
//! assert_eq!(response.transport_id(), Some("xyz"));
//!
//! let reply = NegotiateResponse::connection(1, "abc", "xyz", vec![AvailableTransport::web_sockets()]);
//! assert_eq!(
//!     reply.to_vec(),
//!     br#"{"negotiateVersion":1,"connectionId":"abc","connectionToken":"xyz","availableTransports":[{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}"#
//! );
//! # Ok::<(), signalr_codec_core::Error>(())
//! ```

use alloc::vec::Vec;

use crate::error::{Error, ErrorKind};
use crate::json::{self, JsonReader, JsonStr, TokenType};
use crate::limits::Limits;
use crate::output::Output;
use crate::text::Text;

/// Where the response is emitted: measured first, then written.
trait Emit {
    fn bytes(&mut self, b: &[u8]);
    fn string(&mut self, s: &str);
    fn int(&mut self, n: i64);
}

/// Counts the bytes.
struct Measure(usize);

impl Emit for Measure {
    fn bytes(&mut self, b: &[u8]) {
        self.0 += b.len();
    }

    fn string(&mut self, s: &str) {
        self.0 += json::string_len(s);
    }

    fn int(&mut self, n: i64) {
        self.0 += json::i64_len(n);
    }
}

/// Writes the bytes (room was checked).
struct Write<'o, O: Output + ?Sized>(&'o mut O);

impl<O: Output + ?Sized> Emit for Write<'_, O> {
    fn bytes(&mut self, b: &[u8]) {
        self.0.put(b);
    }

    fn string(&mut self, s: &str) {
        json::write_string(s, self.0);
    }

    fn int(&mut self, n: i64) {
        json::write_i64(n, self.0);
    }
}

/// The text of the error .NET's client wraps every negotiate parsing error in (the texts of this
/// module's errors are the inner ones).
pub const INVALID_NEGOTIATION_RESPONSE: &str = "Invalid negotiation response received.";

/// The error for a response from an old ASP.NET (not Core) SignalR server, which has a
/// `ProtocolVersion` property.
pub const ASPNET_SIGNALR_SERVER: &str = "Detected a connection attempt to an ASP.NET SignalR Server. This client only supports connecting to an ASP.NET Core SignalR Server. See https://aka.ms/signalr-core-differences for details.";

/// The WebSockets transport name.
pub const WEB_SOCKETS: &str = "WebSockets";
/// The Server-Sent Events transport name.
pub const SERVER_SENT_EVENTS: &str = "ServerSentEvents";
/// The long polling transport name.
pub const LONG_POLLING: &str = "LongPolling";

/// One entry of `availableTransports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailableTransport<'a> {
    /// `WebSockets`, `ServerSentEvents` or `LongPolling`.
    pub transport: Text<'a>,
    /// `Text` and/or `Binary`.
    pub transfer_formats: Vec<Text<'a>>,
}

impl<'a> AvailableTransport<'a> {
    /// A transport offering these transfer formats.
    pub fn new(transport: impl Into<Text<'a>>, transfer_formats: Vec<Text<'a>>) -> Self {
        AvailableTransport { transport: transport.into(), transfer_formats }
    }

    /// WebSockets with `Text` and `Binary`.
    pub fn web_sockets() -> Self {
        AvailableTransport::new(WEB_SOCKETS, alloc::vec![Text::from("Text"), Text::from("Binary")])
    }

    /// Server-Sent Events (text only).
    pub fn server_sent_events() -> Self {
        AvailableTransport::new(SERVER_SENT_EVENTS, alloc::vec![Text::from("Text")])
    }

    /// Long polling with `Text` and `Binary`.
    pub fn long_polling() -> Self {
        AvailableTransport::new(LONG_POLLING, alloc::vec![Text::from("Text"), Text::from("Binary")])
    }

    /// True when `format` (`Text` or `Binary`) is offered.
    pub fn supports(&self, format: crate::TransferFormat) -> bool {
        self.transfer_formats.iter().any(|f| f.as_str() == format.as_str())
    }

    /// With no borrow left.
    pub fn into_owned(self) -> AvailableTransport<'static> {
        AvailableTransport {
            transport: self.transport.into_owned(),
            transfer_formats: self.transfer_formats.into_iter().map(Text::into_owned).collect(),
        }
    }
}

/// The negotiate response: a connection (versions 0 and 1), a redirect, or an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NegotiateResponse<'a> {
    /// `negotiateVersion` (0 when absent or null).
    pub negotiate_version: i32,
    /// `connectionId`: the public id (version 0: also the transport `id`).
    pub connection_id: Option<Text<'a>>,
    /// `connectionToken` (version 1): the secret transport `id`.
    pub connection_token: Option<Text<'a>>,
    /// `url`: redirect the client there.
    pub url: Option<Text<'a>>,
    /// `accessToken`: the token to use with the redirect.
    pub access_token: Option<Text<'a>>,
    /// `availableTransports` (`None` when absent, which only a redirect or an error may be).
    pub available_transports: Option<Vec<AvailableTransport<'a>>>,
    /// `error`: negotiation failed.
    pub error: Option<Text<'a>>,
    /// `useStatefulReconnect`: the server agreed to stateful reconnect.
    pub use_stateful_reconnect: bool,
}

impl<'a> NegotiateResponse<'a> {
    /// A connection: version 0 (no token) or 1.
    pub fn connection(
        negotiate_version: i32,
        connection_id: impl Into<Text<'a>>,
        connection_token: impl Into<Text<'a>>,
        available_transports: Vec<AvailableTransport<'a>>,
    ) -> Self {
        NegotiateResponse {
            negotiate_version,
            connection_id: Some(connection_id.into()),
            connection_token: Some(connection_token.into()),
            available_transports: Some(available_transports),
            ..NegotiateResponse::default()
        }
    }

    /// A redirect to another SignalR service (Azure SignalR does this).
    pub fn redirect(url: impl Into<Text<'a>>, access_token: Option<Text<'a>>) -> Self {
        NegotiateResponse { url: Some(url.into()), access_token, ..NegotiateResponse::default() }
    }

    /// This response with `useStatefulReconnect` (written only when true): the server agrees to
    /// stateful reconnect for this connection.
    ///
    /// ```
    /// use signalr_codec_core::negotiate::{AvailableTransport, NegotiateResponse};
    /// let reply = NegotiateResponse::connection(1, "a", "b", vec![AvailableTransport::web_sockets()])
    ///     .with_stateful_reconnect(true);
    /// assert!(reply.to_vec().starts_with(br#"{"useStatefulReconnect":true,"#));
    /// ```
    #[must_use]
    pub fn with_stateful_reconnect(mut self, on: bool) -> Self {
        self.use_stateful_reconnect = on;
        self
    }

    /// A failed negotiation.
    pub fn error(error: impl Into<Text<'a>>) -> Self {
        NegotiateResponse { error: Some(error.into()), ..NegotiateResponse::default() }
    }

    /// The `id` for transport requests: the token from version 1 on, else the connection id.
    pub fn transport_id(&self) -> Option<&str> {
        if self.negotiate_version > 0 {
            self.connection_token.as_deref()
        } else {
            self.connection_id.as_deref()
        }
    }

    /// With no borrow left.
    pub fn into_owned(self) -> NegotiateResponse<'static> {
        NegotiateResponse {
            negotiate_version: self.negotiate_version,
            connection_id: self.connection_id.map(Text::into_owned),
            connection_token: self.connection_token.map(Text::into_owned),
            url: self.url.map(Text::into_owned),
            access_token: self.access_token.map(Text::into_owned),
            available_transports: self
                .available_transports
                .map(|t| t.into_iter().map(AvailableTransport::into_owned).collect()),
            error: self.error.map(Text::into_owned),
            use_stateful_reconnect: self.use_stateful_reconnect,
        }
    }

    /// Parses a negotiate response body as .NET's `NegotiateProtocol.ParseResponse` does:
    /// properties in any order (the last of a repeated one wins), unknown ones skipped, and
    /// without `url` or `error`, `connectionId`, `connectionToken` (version ≥ 1) and
    /// `availableTransports` required. Error texts are .NET's inner ones (.NET wraps them in
    /// [`INVALID_NEGOTIATION_RESPONSE`]); malformed JSON is [`INVALID_NEGOTIATION_RESPONSE`]
    /// itself. A `ProtocolVersion` property fails with [`ASPNET_SIGNALR_SERVER`].
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut reader = JsonReader::new(body, Limits::default().max_depth);
        if reader.peek() == TokenType::None {
            return Err(syntax(reader.position()));
        }
        expect_object(&mut reader)?;
        let mut obj = reader.begin_object().map_err(json)?;
        let mut r = NegotiateResponse::default();
        let mut transports = None;
        while let Some(name) = reader.next_property(&mut obj).map_err(json)? {
            if name.eq_str("url") {
                r.url = Some(string(&mut reader, "Expected 'url' to be of type String.")?);
            } else if name.eq_str("accessToken") {
                r.access_token = Some(string(&mut reader, "Expected 'accessToken' to be of type String.")?);
            } else if name.eq_str("connectionId") {
                r.connection_id = Some(string(&mut reader, "Expected 'connectionId' to be of type String.")?);
            } else if name.eq_str("connectionToken") {
                r.connection_token = Some(string(&mut reader, "Expected 'connectionToken' to be of type String.")?);
            } else if name.eq_str("negotiateVersion") {
                r.negotiate_version = version(&mut reader)?;
            } else if name.eq_str("availableTransports") {
                transports = Some(read_transports(&mut reader)?);
            } else if name.eq_str("error") {
                r.error = Some(string(&mut reader, "Expected 'error' to be of type String.")?);
            } else if name.eq_str("ProtocolVersion") {
                return Err(Error::new(ErrorKind::Unsupported, ASPNET_SIGNALR_SERVER).at(name.offset()));
            } else if name.eq_str("useStatefulReconnect") {
                r.use_stateful_reconnect = match reader.peek() {
                    TokenType::True | TokenType::False => reader.read_bool().map_err(json)?,
                    _ => {
                        let at = reader.position();
                        let err =
                            Error::new(ErrorKind::Type, "Expected 'useStatefulReconnect' to be true or false.").at(at);
                        return Err(resyntax(mismatch(&reader, err)));
                    }
                };
            } else {
                reader.skip_value().map_err(json)?;
            }
        }
        r.available_transports = transports;
        let end = reader.position().saturating_sub(1);
        if r.url.is_none() && r.error.is_none() {
            if r.connection_id.is_none() {
                return Err(missing("Missing required property 'connectionId'.", end));
            }
            if r.negotiate_version > 0 && r.connection_token.is_none() {
                return Err(missing("Missing required property 'connectionToken'.", end));
            }
            if r.available_transports.is_none() {
                return Err(missing("Missing required property 'availableTransports'.", end));
            }
        }
        Ok(r)
    }

    /// The properties written, in .NET's order (an error response is the error alone).
    fn emit<E: Emit>(&self, e: &mut E) {
        if let Some(error) = self.error.as_deref().filter(|e| !e.is_empty()) {
            e.bytes(b"{\"error\":");
            e.string(error);
            e.bytes(b"}");
            return;
        }
        e.bytes(b"{");
        if self.use_stateful_reconnect {
            e.bytes(b"\"useStatefulReconnect\":true,");
        }
        e.bytes(b"\"negotiateVersion\":");
        e.int(i64::from(self.negotiate_version));
        let mut property = |name: &[u8], value: Option<&str>| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                e.bytes(b",\"");
                e.bytes(name);
                e.bytes(b"\":");
                e.string(value);
            }
        };
        property(b"url", self.url.as_deref());
        property(b"accessToken", self.access_token.as_deref());
        property(b"connectionId", self.connection_id.as_deref());
        if self.negotiate_version > 0 {
            property(b"connectionToken", self.connection_token.as_deref());
        }
        e.bytes(b",\"availableTransports\":[");
        for (i, t) in self.available_transports.iter().flatten().enumerate() {
            if i > 0 {
                e.bytes(b",");
            }
            e.bytes(b"{\"transport\":");
            e.string(&t.transport);
            e.bytes(b",\"transferFormats\":[");
            for (j, f) in t.transfer_formats.iter().enumerate() {
                if j > 0 {
                    e.bytes(b",");
                }
                e.string(f);
            }
            e.bytes(b"]}");
        }
        e.bytes(b"]}");
    }

    /// Bytes [`write`](Self::write) produces.
    pub fn encoded_len(&self) -> usize {
        let mut m = Measure(0);
        self.emit(&mut m);
        m.0
    }

    /// Writes the response as .NET's `NegotiateProtocol.WriteResponse` does (no record
    /// separator: it is an HTTP body). Checks room first: too small, nothing is written and the
    /// error says how much is needed.
    ///
    /// .NET writes `url`, `accessToken`, `connectionId` and `connectionToken` only when
    /// non-empty, `connectionToken` only from version 1, `useStatefulReconnect` only when true,
    /// and an error response as `{"error":"…"}` alone.
    pub fn write<O: Output + ?Sized>(&self, out: &mut O) -> Result<usize, Error> {
        let len = self.encoded_len();
        if out.remaining() < len {
            return Err(Error::buffer_too_small(len));
        }
        self.emit(&mut Write(out));
        Ok(len)
    }

    /// The response as bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.emit(&mut Write(&mut out));
        out
    }
}

fn syntax(at: usize) -> Error {
    Error::new(ErrorKind::Syntax, INVALID_NEGOTIATION_RESPONSE).at(at)
}

/// A reader error: malformed JSON (or too deep).
fn json(e: Error) -> Error {
    Error::new(e.kind(), INVALID_NEGOTIATION_RESPONSE).at(e.offset().unwrap_or(0))
}

/// Rewrites the hub protocol's syntax text into the negotiate one, keeping other errors.
fn resyntax(e: Error) -> Error {
    if matches!(e.kind(), ErrorKind::Syntax | ErrorKind::Limit) {
        json(e)
    } else {
        e
    }
}

fn missing(text: &'static str, at: usize) -> Error {
    Error::new(ErrorKind::Missing, text).at(at)
}

fn string<'a>(reader: &mut JsonReader<'a>, expected: &'static str) -> Result<Text<'a>, Error> {
    if reader.peek() != TokenType::String {
        let at = reader.position();
        return Err(resyntax(mismatch(reader, Error::new(ErrorKind::Type, expected).at(at))));
    }
    let s: JsonStr<'a> = reader.read_string().map_err(json)?;
    s.to_text().map_err(json)
}

fn version(reader: &mut JsonReader<'_>) -> Result<i32, Error> {
    match reader.peek() {
        TokenType::Null => {
            reader.read_null().map_err(json)?;
            Ok(0)
        }
        TokenType::Number => {
            let at = reader.position();
            let text = reader.read_number().map_err(json)?;
            text.parse().map_err(|_| {
                Error::new(
                    ErrorKind::Type,
                    "Either the JSON value is not in a supported format, or is out of bounds for an Int32.",
                )
                .at(at)
            })
        }
        _ => {
            let at = reader.position();
            let err = Error::new(ErrorKind::Type, "Expected 'negotiateVersion' to be of type Number.").at(at);
            Err(resyntax(mismatch(reader, err)))
        }
    }
}

/// The name .NET's `GetTokenString` gives a token in `Expected a JSON Array.` errors.
fn token_string(t: TokenType) -> &'static str {
    t.dotnet_name()
}

/// The raw `JsonTokenType` name .NET prints in `Unexpected token '…'` errors.
fn token_type(t: TokenType) -> &'static str {
    match t {
        TokenType::Object => "StartObject",
        TokenType::Array => "StartArray",
        other => other.dotnet_name(),
    }
}

fn expect_array(reader: &mut JsonReader<'_>) -> Result<(), Error> {
    let token = reader.peek();
    if token == TokenType::Array {
        return Ok(());
    }
    let at = reader.position();
    let err = Error::formatted(
        ErrorKind::Type,
        format_args!("Unexpected JSON Token Type '{}'. Expected a JSON Array.", token_string(token)),
    )
    .at(at);
    Err(resyntax(mismatch(reader, err)))
}

fn read_transports<'a>(reader: &mut JsonReader<'a>) -> Result<Vec<AvailableTransport<'a>>, Error> {
    expect_array(reader)?;
    let mut arr = reader.begin_array().map_err(json)?;
    let mut transports = Vec::new();
    while reader.next_element(&mut arr).map_err(json)? {
        if reader.peek() == TokenType::Object {
            transports.push(read_transport(reader)?);
        } else {
            // .NET's loop passes over anything that is not an object.
            reader.skip_value().map_err(json)?;
        }
    }
    Ok(transports)
}

fn read_transport<'a>(reader: &mut JsonReader<'a>) -> Result<AvailableTransport<'a>, Error> {
    let mut obj = reader.begin_object().map_err(json)?;
    let mut transport = None;
    let mut formats = None;
    while let Some(name) = reader.next_property(&mut obj).map_err(json)? {
        if name.eq_str("transport") {
            transport = Some(string(reader, "Expected 'transport' to be of type String.")?);
        } else if name.eq_str("transferFormats") {
            expect_array(reader)?;
            let mut arr = reader.begin_array().map_err(json)?;
            let mut list = Vec::new();
            while reader.next_element(&mut arr).map_err(json)? {
                let token = reader.peek();
                if token != TokenType::String {
                    let at = reader.position();
                    let err = Error::formatted(
                        ErrorKind::Type,
                        format_args!("Unexpected token '{}' when reading transfer formats JSON.", token_type(token)),
                    )
                    .at(at);
                    return Err(resyntax(mismatch(reader, err)));
                }
                list.push(reader.read_string().map_err(json)?.to_text().map_err(json)?);
            }
            formats = Some(list);
        } else {
            reader.skip_value().map_err(json)?;
        }
    }
    let end = reader.position().saturating_sub(1);
    let Some(transport) = transport else {
        return Err(missing("Missing required property 'transport'.", end));
    };
    let Some(transfer_formats) = formats else {
        return Err(missing("Missing required property 'transferFormats'.", end));
    };
    Ok(AvailableTransport { transport, transfer_formats })
}

/// `reader` is on a token of the wrong type. .NET's reader has read (and so validated) that
/// token before the type check: a malformed token is a syntax error first.
fn mismatch(reader: &JsonReader<'_>, err: Error) -> Error {
    let mut probe = reader.clone();
    let checked = match probe.peek() {
        TokenType::String => probe.read_string().map(|_| ()),
        TokenType::Number => probe.read_number().map(|_| ()),
        TokenType::True | TokenType::False => probe.read_bool().map(|_| ()),
        TokenType::Null => probe.read_null(),
        TokenType::Object | TokenType::Array => Ok(()),
        _ => Err(syntax(probe.position())),
    };
    match checked {
        Ok(()) => err,
        Err(e) => json(e),
    }
}

/// The body must be an object (`Unexpected JSON Token Type '…'. Expected a JSON Object.`).
fn expect_object(reader: &mut JsonReader<'_>) -> Result<(), Error> {
    let token = reader.peek();
    let at = reader.position();
    match token {
        TokenType::Object => Ok(()),
        TokenType::Null
        | TokenType::True
        | TokenType::False
        | TokenType::String
        | TokenType::Array
        | TokenType::Number => {
            let err = Error::formatted(
                ErrorKind::Type,
                format_args!("Unexpected JSON Token Type '{}'. Expected a JSON Object.", token.dotnet_name()),
            )
            .at(at);
            Err(mismatch(reader, err))
        }
        _ => Err(syntax(at)),
    }
}
