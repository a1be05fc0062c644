//! Parsing one JSON record into a hub message, as .NET's `JsonHubProtocol` reads it.
//!
//! One pass over the envelope with the [`Scanner`](crate::scan::Scanner): properties in any
//! order, each known property type-checked when it is read (whatever the message type, as .NET
//! does), unknown properties skipped, payloads validated and kept as raw slices, headers and
//! stream ids kept as views over the record. Then the message type decides which properties are
//! required.
//!
//! Error texts are .NET's. Every error carries the byte offset in the record where it was found
//! (for a missing property: the object's closing brace). Any malformed JSON is
//! `Error reading JSON.` ([`ErrorKind::Syntax`]), the text .NET wraps every reader exception in;
//! nesting deeper than [`Limits::max_depth`] gets the same text with [`ErrorKind::Limit`].

use signalr_codec_core::json::JsonReader;
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Error, ErrorKind, Header, Headers, HubMessage, Invocation, Limits, Outcome,
    Parsed, StreamIds, StreamInvocation, StreamItem, Text,
};

use crate::raw::RawJson;
use crate::scan::{Fail, FailKind, Scanner, Str};

/// What .NET says about any malformed JSON.
pub(crate) const ERROR_READING_JSON: &str = "Error reading JSON.";

/// A scanning failure as the .NET text, keeping its kind (syntax or depth limit) and offset.
#[cold]
pub(crate) fn reading(f: Fail) -> Error {
    let kind = match f.kind() {
        FailKind::Syntax => ErrorKind::Syntax,
        FailKind::Depth => ErrorKind::Limit,
    };
    Error::new(kind, ERROR_READING_JSON).at(f.at())
}

#[cold]
fn syntax(at: usize) -> Error {
    Error::new(ErrorKind::Syntax, ERROR_READING_JSON).at(at)
}

#[cold]
fn type_error(text: &'static str, at: usize) -> Error {
    Error::new(ErrorKind::Type, text).at(at)
}

/// The scanner is on a token of the wrong type for a property. .NET's reader has read that
/// token (validating it) before the type check, so a malformed token is a syntax error first.
#[cold]
fn mismatch(s: &Scanner<'_>, err: Error) -> Error {
    match s.clone().check_token() {
        Ok(()) => err,
        Err(f) => reading(f),
    }
}

/// Opens a container at the scanner's position (one level inside the envelope).
#[inline]
fn open(s: &mut Scanner<'_>, depth: usize) -> Result<(), Error> {
    if depth >= s.max_depth() {
        return Err(reading(Fail::new(FailKind::Depth, s.pos)));
    }
    s.pos += 1;
    Ok(())
}

/// Checks the first token of a record: an object, or the .NET error naming what it is instead.
fn expect_object(s: &mut Scanner<'_>) -> Result<(), Error> {
    let first = s.peek();
    let at = s.pos;
    let name = match first {
        b'{' => return open(s, 0),
        0 => return Err(syntax(at)),
        b'n' => "Null",
        b't' => "True",
        b'f' => "False",
        b'"' => "String",
        b'[' => "Array",
        b'-' | b'0'..=b'9' => {
            let mut probe = s.clone();
            probe.skip_number().map_err(reading)?;
            // System.Text.Json wants a delimiter right after a number.
            match probe.text().as_bytes().get(probe.pos) {
                None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}' | b'/') => "Number",
                Some(_) => return Err(syntax(probe.pos)),
            }
        }
        _ => return Err(syntax(at)),
    };
    let err =
        Error::formatted(ErrorKind::Type, format_args!("Unexpected JSON Token Type '{name}'. Expected a JSON Object."))
            .at(at);
    Err(mismatch(s, err))
}

/// Decodes a string whose escapes were checked: borrowed when it has none.
fn text<'a>(s: Str<'a>, record: &'a str) -> Result<Text<'a>, Error> {
    if !s.escaped() {
        return Ok(Text::borrowed(s.raw));
    }
    let bytes = record.as_bytes().get(s.at()..).unwrap_or(&[]);
    let decoded = JsonReader::new(bytes, 1).read_string().and_then(|js| js.to_text());
    decoded.map_err(|_| syntax(s.at()))
}

/// Rejects a string whose escapes do not decode (an unpaired surrogate), so that decoding it
/// later (in a header or stream-id view) cannot fail.
#[inline]
fn check_escapes(s: &Str<'_>, record: &str) -> Result<(), Error> {
    if !s.escaped() {
        return Ok(());
    }
    let bytes = record.as_bytes().get(s.at()..).unwrap_or(&[]);
    match JsonReader::new(bytes, 1).read_string() {
        Ok(js) if js.chars().all(|c| c.is_ok()) => Ok(()),
        _ => Err(syntax(s.at())),
    }
}

/// Reads a string property value (`Expected '{name}' to be of type String.` otherwise).
#[inline(always)]
fn string<'a>(s: &mut Scanner<'a>, expected: &'static str) -> Result<Str<'a>, Error> {
    if s.peek() != b'"' {
        return Err(mismatch(s, type_error(expected, s.pos)));
    }
    let v = s.string().map_err(reading)?;
    check_escapes(&v, s.text())?;
    Ok(v)
}

const INT32_FORMAT: &str = "Either the JSON value is not in a supported format, or is out of bounds for an Int32.";
const INT64_FORMAT: &str = "Either the JSON value is not in a supported format, or is out of bounds for an Int64.";

/// Parses an integral JSON number (no fraction or exponent) into an `i64`.
#[inline(always)]
fn integral(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        // Down to i64::MIN, whose magnitude is one more than i64::MAX.
        (v <= 1 << 63).then(|| (v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Reads an integer property as .NET's `ReadAsInt32`/`ReadAsInt64`: `null` gives `None`, a
/// number must be integral and in range, anything else is `Expected '{name}' to be of type Number.`
#[inline(always)]
fn integer(
    s: &mut Scanner<'_>,
    expected: &'static str,
    min: i64,
    max: i64,
    range: &'static str,
) -> Result<Option<i64>, Error> {
    match s.peek() {
        // One digit ending the number (`"type":1`): the common case, without the number scan.
        d @ b'0'..=b'9' if !matches!(s.peek_at(1), b'0'..=b'9' | b'.' | b'e' | b'E') => {
            let v = i64::from(d - b'0');
            if !(min..=max).contains(&v) {
                return Err(type_error(range, s.pos));
            }
            s.pos += 1;
            Ok(Some(v))
        }
        b'-' | b'0'..=b'9' => {
            let at = s.pos;
            let text = s.number().map_err(reading)?;
            match integral(text) {
                Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
                _ => Err(type_error(range, at)),
            }
        }
        b'n' => {
            // `literal` accepts only `null` when the token starts with `n`.
            s.literal().map_err(reading)?;
            Ok(None)
        }
        _ => Err(mismatch(s, type_error(expected, s.pos))),
    }
}

/// The envelope properties .NET knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Type,
    InvocationId,
    Target,
    Error,
    AllowReconnect,
    Result,
    Item,
    Arguments,
    Headers,
    StreamIds,
    SequenceId,
    Other,
}

const KEYS: [(&str, Key); 11] = [
    ("type", Key::Type),
    ("invocationId", Key::InvocationId),
    ("target", Key::Target),
    ("error", Key::Error),
    ("allowReconnect", Key::AllowReconnect),
    ("result", Key::Result),
    ("item", Key::Item),
    ("arguments", Key::Arguments),
    ("headers", Key::Headers),
    ("streamIds", Key::StreamIds),
    ("sequenceId", Key::SequenceId),
];

#[inline(always)]
fn key(name: &Str<'_>, record: &str) -> Key {
    if !name.escaped() {
        return match name.raw.as_bytes() {
            b"type" => Key::Type,
            b"invocationId" => Key::InvocationId,
            b"target" => Key::Target,
            b"error" => Key::Error,
            b"allowReconnect" => Key::AllowReconnect,
            b"result" => Key::Result,
            b"item" => Key::Item,
            b"arguments" => Key::Arguments,
            b"headers" => Key::Headers,
            b"streamIds" => Key::StreamIds,
            b"sequenceId" => Key::SequenceId,
            _ => Key::Other,
        };
    }
    // Names are compared after unescaping, as .NET's `ValueTextEquals` does.
    let bytes = record.as_bytes().get(name.at()..).unwrap_or(&[]);
    match JsonReader::new(bytes, 1).read_string() {
        Ok(js) => KEYS.iter().find(|(k, _)| js.eq_str(k)).map_or(Key::Other, |&(_, key)| key),
        Err(_) => Key::Other,
    }
}

/// A list read from the record: the bytes between its brackets and its item count.
#[derive(Clone, Copy)]
struct Span<'a> {
    inner: &'a [u8],
    count: usize,
}

#[cold]
fn limit(text: &'static str, at: usize) -> Error {
    Error::new(ErrorKind::Limit, text).at(at)
}

/// `headers`: an object of string values.
fn read_headers<'a>(s: &mut Scanner<'a>, limits: &Limits) -> Result<Span<'a>, Error> {
    if s.peek() != b'{' {
        return Err(mismatch(s, type_error("Expected 'headers' to be of type StartObject.", s.pos)));
    }
    let start = s.pos;
    open(s, 1)?;
    let mut count = 0;
    let mut first = true;
    while let Some(name) = s.next_property(first).map_err(reading)? {
        first = false;
        check_escapes(&name, s.text())?;
        if s.peek() != b'"' {
            let at = s.pos;
            let name = text(name, s.text())?;
            let err = Error::formatted(ErrorKind::Type, format_args!("Expected header '{name}' to be of type String."))
                .at(at);
            return Err(mismatch(s, err));
        }
        let value = s.string().map_err(reading)?;
        check_escapes(&value, s.text())?;
        count += 1;
        if count > limits.max_headers {
            return Err(limit("The message has more headers than the configured maximum.", name.at()));
        }
    }
    let inner = s.text().as_bytes().get(start + 1..s.pos - 1).unwrap_or(&[]);
    Ok(Span { inner, count })
}

/// `streamIds`: an array of non-null strings.
fn read_stream_ids<'a>(s: &mut Scanner<'a>, limits: &Limits) -> Result<Span<'a>, Error> {
    if s.peek() != b'[' {
        return Err(mismatch(s, type_error("Expected 'streamIds' to be of type Array.", s.pos)));
    }
    let start = s.pos;
    open(s, 1)?;
    let mut count = 0;
    if s.peek() == b']' {
        s.pos += 1;
    } else {
        loop {
            let at = s.pos;
            match s.peek() {
                b'"' => {
                    let id = s.string().map_err(reading)?;
                    check_escapes(&id, s.text())?;
                }
                b'n' => return Err(mismatch(s, type_error("Null value for 'streamIds' is not valid.", at))),
                // .NET calls `GetString()` on the token, which throws this.
                other => {
                    let name = match other {
                        b'{' => "StartObject",
                        b'[' => "StartArray",
                        b't' => "True",
                        b'f' => "False",
                        b'-' | b'0'..=b'9' => "Number",
                        _ => return Err(syntax(at)),
                    };
                    let err = Error::formatted(
                        ErrorKind::Type,
                        format_args!("Cannot get the value of a token type '{name}' as a string."),
                    )
                    .at(at);
                    return Err(mismatch(s, err));
                }
            }
            count += 1;
            if count > limits.max_stream_ids {
                return Err(limit("The message has more stream ids than the configured maximum.", at));
            }
            match s.peek() {
                b',' => s.pos += 1,
                b']' => {
                    s.pos += 1;
                    break;
                }
                _ => return Err(syntax(s.pos)),
            }
        }
    }
    let inner = s.text().as_bytes().get(start + 1..s.pos - 1).unwrap_or(&[]);
    Ok(Span { inner, count })
}

/// `arguments`: an array, kept raw.
fn read_arguments<'a>(s: &mut Scanner<'a>, limits: &Limits) -> Result<RawJson<'a>, Error> {
    if s.peek() != b'[' {
        return Err(mismatch(s, type_error("Expected 'arguments' to be of type Array.", s.pos)));
    }
    let start = s.pos;
    open(s, 1)?;
    if s.peek() == b']' {
        s.pos += 1;
    } else {
        let mut count = 0;
        loop {
            count += 1;
            if count > limits.max_arguments {
                return Err(limit("The message has more arguments than the configured maximum.", s.pos));
            }
            s.skip_value(2).map_err(reading)?;
            match s.peek() {
                b',' => s.pos += 1,
                b']' => {
                    s.pos += 1;
                    break;
                }
                _ => return Err(syntax(s.pos)),
            }
        }
    }
    Ok(RawJson::validated(s.slice(start, s.pos)))
}

fn skip_separators(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b',' | b':')).count();
    &bytes[n..]
}

/// Decodes the next (validated) string of a header object or stream-id array and advances.
fn next_string<'a>(rest: &mut &'a [u8]) -> Option<Text<'a>> {
    let bytes = skip_separators(rest);
    let mut reader = JsonReader::new(bytes, 1);
    let s = reader.read_string().ok()?;
    *rest = bytes.get(reader.position()..).unwrap_or(&[]);
    s.to_text().ok()
}

fn next_header<'a>(rest: &mut &'a [u8]) -> Option<Header<'a>> {
    let name = next_string(rest)?;
    let value = next_string(rest)?;
    Some((name, value))
}

/// The message's properties as read.
#[derive(Default, Clone, Copy)]
struct Fields<'a> {
    message_type: Option<i64>,
    invocation_id: Option<Str<'a>>,
    target: Option<Str<'a>>,
    error: Option<Str<'a>>,
    allow_reconnect: bool,
    sequence_id: Option<i64>,
    arguments: Option<RawJson<'a>>,
    item: Option<RawJson<'a>>,
    result: Option<RawJson<'a>>,
    result_at: usize,
    headers: Option<Span<'a>>,
    stream_ids: Option<Span<'a>>,
}

#[cold]
fn missing(property: &'static str, at: usize) -> Error {
    let text = match property {
        "type" => "Missing required property 'type'.",
        "target" => "Missing required property 'target'.",
        "arguments" => "Missing required property 'arguments'.",
        "invocationId" => "Missing required property 'invocationId'.",
        "item" => "Missing required property 'item'.",
        _ => "Missing required property 'sequenceId'.",
    };
    Error::new(ErrorKind::Missing, text).at(at)
}

/// A parsed record.
pub(crate) type Message<'a> = Parsed<HubMessage<'a, RawJson<'a>>>;

/// Parses one record (without its separator).
///
/// The records the official clients and servers write for the frequent messages — `type`
/// first, the properties in the order .NET writes them, no whitespace, no headers, no escapes
/// in ids and targets — are read straight through by [`common`]. Any other shape, and anything
/// wrong, goes to [`parse_general`], which reads the record again and reports what .NET would;
/// either way the answer is the same (the `json_parse` fuzz target checks it on every input).
#[inline]
pub(crate) fn parse<'a>(record: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    common(record, limits, parse_general)
}

/// Consumes `literal` at the scanner's position, if it is there (no whitespace skipped).
#[inline(always)]
fn eat(s: &mut Scanner<'_>, literal: &[u8]) -> Option<()> {
    let found = s.text().as_bytes().get(s.pos..)?.starts_with(literal);
    s.pos += if found { literal.len() } else { 0 };
    found.then_some(())
}

/// A non-empty string without escapes at the scanner's position.
#[inline(always)]
fn plain_non_empty<'a>(s: &mut Scanner<'a>) -> Option<&'a str> {
    plain(s).filter(|raw| !raw.is_empty())
}

/// A string without escapes at the scanner's position. The readers keep it a `&str` and make
/// it a `Text` only where the message is built: a `Text` moved from a local into the message
/// is read with 16-byte loads over the separate stores of its tag and pointer just made, a
/// store-forwarding stall (as in the MessagePack readers).
#[inline(always)]
fn plain<'a>(s: &mut Scanner<'a>) -> Option<&'a str> {
    if s.peek_at(0) != b'"' {
        return None;
    }
    let value = s.string().ok()?;
    (!value.escaped()).then_some(value.raw)
}

/// `"invocationId":"…"` with a non-empty id, as every type but Invocation requires.
#[inline(always)]
fn plain_id<'a>(s: &mut Scanner<'a>) -> Option<&'a str> {
    eat(s, b"\"invocationId\":")?;
    plain_non_empty(s)
}

/// After `{"type":N,`: where the other properties start.
const AFTER_TYPE: usize = br#"{"type":1,"#.len();

/// The reader of the common shapes; `general` reads whatever it does not take. Built straight
/// into the returned `Result`, as the MessagePack readers are.
#[inline(always)]
fn common<'a>(
    record: &'a [u8],
    limits: &Limits,
    general: impl Fn(&'a [u8], &Limits) -> Result<Message<'a>, Error>,
) -> Result<Message<'a>, Error> {
    // `?` for this reader: a shape or value it does not take hands the record to `general`.
    macro_rules! or_general {
        ($option:expr) => {
            match $option {
                Some(value) => value,
                None => return general(record, limits),
            }
        };
    }
    // The envelope is nesting level 1; a payload's containers start at level 2.
    if limits.max_depth < 2 {
        return general(record, limits);
    }
    let ty = match record {
        br#"{"type":6}"# => return Ok(Parsed::Message(HubMessage::Ping)),
        [b'{', b'"', b't', b'y', b'p', b'e', b'"', b':', ty @ b'1'..=b'5', b',', ..] => *ty,
        _ => return general(record, limits),
    };
    let mut s = Scanner::new(record, limits.max_depth);
    s.pos = AFTER_TYPE;
    let headers = Headers::empty();
    let message = match ty {
        // {"type":1,("invocationId":"…",)?"target":"…","arguments":[…](,"streamIds":[…])?}, and
        // type 4 with the id.
        b'1' | b'4' => {
            let invocation_id = match eat(&mut s, b"\"invocationId\":") {
                Some(()) => {
                    let id = or_general!(plain(&mut s));
                    or_general!(eat(&mut s, b","));
                    Some(id)
                }
                None => None,
            };
            or_general!(eat(&mut s, b"\"target\":"));
            let target = or_general!(plain_non_empty(&mut s));
            or_general!(eat(&mut s, b",\"arguments\":"));
            let arguments = or_general!(read_arguments(&mut s, limits).ok());
            // Streams the caller uploads: .NET writes their ids last.
            let stream_ids = match s.peek_at(0) {
                b',' => {
                    or_general!(eat(&mut s, b",\"streamIds\":"));
                    stream_ids_of(Some(or_general!(read_stream_ids(&mut s, limits).ok())))
                }
                _ => StreamIds::empty(),
            };
            match (ty, invocation_id) {
                (b'1', invocation_id) => HubMessage::Invocation(Invocation {
                    headers,
                    invocation_id: invocation_id.map(Text::borrowed),
                    target: Text::borrowed(target),
                    arguments,
                    stream_ids,
                }),
                (_, Some(invocation_id)) if !invocation_id.is_empty() => {
                    HubMessage::StreamInvocation(StreamInvocation {
                        headers,
                        invocation_id: Text::borrowed(invocation_id),
                        target: Text::borrowed(target),
                        arguments,
                        stream_ids,
                    })
                }
                _ => return general(record, limits),
            }
        }
        // {"type":2,"invocationId":"…","item":…}
        b'2' => {
            let invocation_id = or_general!(plain_id(&mut s));
            or_general!(eat(&mut s, b",\"item\":"));
            let item = RawJson::validated(or_general!(s.raw_value(1).ok()));
            HubMessage::StreamItem(StreamItem { headers, invocation_id: Text::borrowed(invocation_id), item })
        }
        // {"type":3,"invocationId":"…"(,"result":…|,"error":"…")?}
        b'3' => {
            let invocation_id = or_general!(plain_id(&mut s));
            let outcome = if eat(&mut s, b",\"result\":").is_some() {
                Outcome::Result(RawJson::validated(or_general!(s.raw_value(1).ok())))
            } else if eat(&mut s, b",\"error\":").is_some() {
                Outcome::Error(Text::borrowed(or_general!(plain(&mut s))))
            } else {
                Outcome::Void
            };
            HubMessage::Completion(Completion { headers, invocation_id: Text::borrowed(invocation_id), outcome })
        }
        // {"type":5,"invocationId":"…"}
        _ => {
            let invocation_id = or_general!(plain_id(&mut s));
            HubMessage::CancelInvocation(CancelInvocation { headers, invocation_id: Text::borrowed(invocation_id) })
        }
    };
    // The closing brace ends the record.
    if s.pos + 1 != record.len() || eat(&mut s, b"}").is_none() {
        return general(record, limits);
    }
    Ok(Parsed::Message(message))
}

/// Parses one record of any shape, with .NET's error for whatever is wrong.
#[inline(never)]
pub(crate) fn parse_general<'a>(record: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let mut s = Scanner::new(record, limits.max_depth);
    expect_object(&mut s)?;
    let mut f = Fields::default();
    let mut first = true;
    while let Some(name) = s.next_property(first).map_err(reading)? {
        first = false;
        match key(&name, s.text()) {
            Key::Type => {
                let at = s.pos;
                let ty = integer(
                    &mut s,
                    "Expected 'type' to be of type Number.",
                    i32::MIN.into(),
                    i32::MAX.into(),
                    INT32_FORMAT,
                )?;
                f.message_type = Some(ty.ok_or_else(|| type_error("Expected 'type' to be of type Number.", at))?);
            }
            Key::InvocationId => {
                f.invocation_id = Some(string(&mut s, "Expected 'invocationId' to be of type String.")?)
            }
            Key::Target => f.target = Some(string(&mut s, "Expected 'target' to be of type String.")?),
            Key::Error => f.error = Some(string(&mut s, "Expected 'error' to be of type String.")?),
            Key::AllowReconnect => {
                f.allow_reconnect = match s.peek() {
                    b't' | b'f' => s.literal().map_err(reading)? == b't',
                    _ => return Err(mismatch(&s, type_error("Expected 'allowReconnect' to be true or false.", s.pos))),
                }
            }
            Key::SequenceId => {
                f.sequence_id =
                    integer(&mut s, "Expected 'sequenceId' to be of type Number.", i64::MIN, i64::MAX, INT64_FORMAT)?
            }
            Key::Arguments => f.arguments = Some(read_arguments(&mut s, limits)?),
            Key::Item => f.item = Some(RawJson::validated(s.raw_value(1).map_err(reading)?)),
            Key::Result => {
                f.result_at = name.at();
                f.result = Some(RawJson::validated(s.raw_value(1).map_err(reading)?));
            }
            Key::Headers => f.headers = Some(read_headers(&mut s, limits)?),
            Key::StreamIds => f.stream_ids = Some(read_stream_ids(&mut s, limits)?),
            Key::Other => s.skip_value(1).map_err(reading)?,
        }
    }
    // Anything after the object is ignored, as .NET's reader stops at its closing brace.
    let end = s.pos.saturating_sub(1);
    build(&f, s.text(), end)
}

fn headers_of(span: Option<Span<'_>>) -> Headers<'_> {
    match span {
        Some(s) if s.count > 0 => Headers::from_wire(s.inner, s.count, next_header),
        _ => Headers::empty(),
    }
}

fn stream_ids_of(span: Option<Span<'_>>) -> StreamIds<'_> {
    match span {
        Some(s) if s.count > 0 => StreamIds::from_wire(s.inner, s.count, next_string),
        _ => StreamIds::empty(),
    }
}

/// A non-empty id, as the .NET binders require (`string.IsNullOrEmpty`).
#[inline]
fn required_id<'a>(id: Option<Str<'a>>, record: &'a str, end: usize) -> Result<Text<'a>, Error> {
    match id {
        Some(id) if !id.raw.is_empty() => text(id, record),
        _ => Err(missing("invocationId", end)),
    }
}

/// A non-empty target.
#[inline]
fn required_target<'a>(target: Option<Str<'a>>, record: &'a str, end: usize) -> Result<Text<'a>, Error> {
    match target {
        Some(t) if !t.raw.is_empty() => text(t, record),
        _ => Err(missing("target", end)),
    }
}

#[inline(always)]
fn build<'a>(f: &Fields<'a>, record: &'a str, end: usize) -> Result<Parsed<HubMessage<'a, RawJson<'a>>>, Error> {
    let Some(message_type) = f.message_type else {
        return Err(missing("type", end));
    };
    let message = match message_type {
        1 => {
            let target = required_target(f.target, record, end)?;
            let Some(arguments) = f.arguments else {
                return Err(missing("arguments", end));
            };
            HubMessage::Invocation(Invocation {
                headers: headers_of(f.headers),
                invocation_id: f.invocation_id.map(|id| text(id, record)).transpose()?,
                target,
                arguments,
                stream_ids: stream_ids_of(f.stream_ids),
            })
        }
        4 => {
            if f.target.is_none() {
                return Err(missing("target", end));
            }
            let invocation_id = required_id(f.invocation_id, record, end)?;
            let Some(arguments) = f.arguments else {
                return Err(missing("arguments", end));
            };
            HubMessage::StreamInvocation(StreamInvocation {
                headers: headers_of(f.headers),
                invocation_id,
                target: required_target(f.target, record, end)?,
                arguments,
                stream_ids: stream_ids_of(f.stream_ids),
            })
        }
        2 => {
            let invocation_id = required_id(f.invocation_id, record, end)?;
            let Some(item) = f.item else {
                return Err(missing("item", end));
            };
            HubMessage::StreamItem(StreamItem { headers: headers_of(f.headers), invocation_id, item })
        }
        3 => {
            let invocation_id = required_id(f.invocation_id, record, end)?;
            let outcome = match (f.error, f.result) {
                (Some(_), Some(_)) => {
                    return Err(Error::new(
                        ErrorKind::Invalid,
                        "The 'error' and 'result' properties are mutually exclusive.",
                    )
                    .at(f.result_at))
                }
                (Some(error), None) => Outcome::Error(text(error, record)?),
                (None, Some(result)) => Outcome::Result(result),
                (None, None) => Outcome::Void,
            };
            HubMessage::Completion(Completion { headers: headers_of(f.headers), invocation_id, outcome })
        }
        5 => HubMessage::CancelInvocation(CancelInvocation {
            headers: headers_of(f.headers),
            invocation_id: required_id(f.invocation_id, record, end)?,
        }),
        6 => HubMessage::Ping,
        7 => HubMessage::Close(Close {
            error: f.error.map(|e| text(e, record)).transpose()?,
            allow_reconnect: f.allow_reconnect,
        }),
        8 => HubMessage::Ack { sequence_id: f.sequence_id.ok_or_else(|| missing("sequenceId", end))? },
        9 => HubMessage::Sequence { sequence_id: f.sequence_id.ok_or_else(|| missing("sequenceId", end))? },
        other => return Ok(Parsed::Skipped { message_type: other }),
    };
    Ok(Parsed::Message(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unread<'a>(_: &'a [u8], _: &Limits) -> Result<Message<'a>, Error> {
        Err(Error::new(ErrorKind::Invalid, "left to the general parser"))
    }

    #[test]
    fn the_common_shapes_are_read_straight_through_as_the_general_parser_reads_them() {
        let limits = Limits::default();
        for record in [
            r#"{"type":6}"#,
            r#"{"type":1,"target":"Send","arguments":[]}"#,
            r#"{"type":1,"target":"Send","arguments":["alice",{"a":[1,2.5e3,null]},true]}"#,
            r#"{"type":1,"invocationId":"","target":"Send","arguments":[1]}"#,
            r#"{"type":1,"invocationId":"7","target":"Send","arguments":[1]}"#,
            r#"{"type":4,"invocationId":"7","target":"Count","arguments":[10]}"#,
            r#"{"type":1,"target":"Send","arguments":[],"streamIds":[]}"#,
            r#"{"type":4,"invocationId":"7","target":"Upload","arguments":[1],"streamIds":["1","2"]}"#,
            r#"{"type":2,"invocationId":"7","item":{"x":"héllo"}}"#,
            r#"{"type":3,"invocationId":"7"}"#,
            r#"{"type":3,"invocationId":"7","result":42}"#,
            r#"{"type":3,"invocationId":"7","error":"boom"}"#,
            r#"{"type":5,"invocationId":"7"}"#,
        ] {
            let fast = common(record.as_bytes(), &limits, unread);
            assert!(fast.is_ok(), "{record}: {fast:?}");
            assert_eq!(fast, parse_general(record.as_bytes(), &limits), "{record}");
        }
    }

    #[test]
    fn other_shapes_go_to_the_general_parser() {
        let limits = Limits::default();
        for record in [
            r#"{ "type":6}"#,
            r#"{"type":6} "#,
            r#"{"type":1,"target":"Send","arguments":[] }"#,
            r#"{"target":"Send","type":1,"arguments":[]}"#,
            r#"{"type":1,"headers":{"a":"b"},"target":"Send","arguments":[]}"#,
            r#"{"type":1,"target":"Se\nd","arguments":[]}"#,
            r#"{"type":1,"target":"","arguments":[]}"#,
            r#"{"type":1,"target":"Send","arguments":[],"streamIds":[1]}"#,
            r#"{"type":1,"target":"Send","arguments":[],"streamIds":["1"],"x":1}"#,
            r#"{"type":1,"target":"Send","arguments":{}}"#,
            r#"{"type":1,"target":"Send","arguments":[1,]}"#,
            r#"{"type":4,"target":"Count","arguments":[10]}"#,
            r#"{"type":4,"invocationId":"","target":"Count","arguments":[10]}"#,
            r#"{"type":2,"invocationId":"","item":1}"#,
            r#"{"type":3,"invocationId":"7","error":"boom","result":1}"#,
            r#"{"type":3,"invocationId":null}"#,
            r#"{"type":5,"invocationId":"7"}}"#,
            r#"{"type":7}"#,
            r#"{"type":12,"x":1}"#,
        ] {
            assert_eq!(common(record.as_bytes(), &limits, unread), unread(&[], &limits), "{record}");
        }
        // Nesting limits that would refuse a payload container are left to the general parser.
        let shallow = Limits::default().with_max_depth(1);
        assert_eq!(common(br#"{"type":6}"#, &shallow, unread), unread(&[], &shallow));
    }
}
