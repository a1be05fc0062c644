//! Parsing one frame body as .NET's `MessagePackHubProtocolWorker` does: fields by position, the
//! declared array length consulted only for optional tails, the .NET error texts.

use signalr_codec_core::{
    CancelInvocation, Close, Completion, Error, ErrorKind, Headers, HubMessage, Invocation, Limits, MessageType,
    Outcome, Parsed, StreamIds, StreamInvocation, StreamItem, Text,
};

use crate::read::{Cursor, Fail, END_OF_STREAM};
use crate::value::RawValue;
use signalr_codec_core::error::Arg;
use signalr_codec_core::ownership::Borrowing;

/// A parsed frame.
pub(crate) type Message<'a> = Parsed<HubMessage<'a, RawValue<'a>, Borrowing>>;

/// The envelope array is nesting level 1; headers, arguments and payload values sit inside it.
const ENVELOPE_DEPTH: usize = 1;

/// `Reading '{field}' as {type} failed.` and friends, located at `at`.
#[cold]
#[inline(never)]
fn reading(kind: ErrorKind, field: &'static str, ty: &'static str, at: usize) -> Error {
    Error::template(kind, &["Reading '", "' as ", " failed."], [Arg::Str(field), Arg::Str(ty)]).at(at)
}

#[cold]
#[inline(never)]
fn null_or_empty(what: &'static str, at: usize) -> Error {
    crate::write::null_or_empty(what).at(at)
}

#[cold]
#[inline(never)]
fn limit(what: &'static str, max: usize, at: usize) -> Error {
    Error::template(
        ErrorKind::Limit,
        &["The message has more ", " than the configured maximum (", ")."],
        [Arg::Str(what), Arg::count(max)],
    )
    .at(at)
}

/// `Deserializing object of the `Object` type for '{field}' failed.`: what .NET reports for a
/// payload value it cannot read, bound as an untyped object.
#[cold]
#[inline(never)]
fn payload_error(field: &'static str, fail: Fail, at: usize) -> Error {
    match fail {
        Fail::Depth => fail.plain_error().at(at),
        _ => Error::template(
            fail.kind(),
            &["Deserializing object of the `Object` type for '", "' failed."],
            [Arg::Str(field), Arg::Int(0)],
        )
        .at(at),
    }
}

/// The general parser stopped: the error waits in [`Parser::error`]. A unit, so that each `?`
/// on the way out moves nothing (moving the error through every `?` of the general parser was
/// 0.9 KB of a device's code).
struct Stopped;

/// What the general parser's steps return.
type Step<T> = Result<T, Stopped>;

struct Parser<'a, 'l> {
    c: Cursor<'a>,
    limits: &'l Limits,
    /// Why parsing stopped, once it has.
    error: Option<Error>,
}

impl<'a> Parser<'a, '_> {
    /// Keeps `error` as the reason parsing stopped.
    #[cold]
    #[inline(never)]
    fn stop(&mut self, error: Error) -> Stopped {
        self.error = Some(error);
        Stopped
    }

    #[cfg_attr(not(feature = "small"), inline(always))]
    fn int32(&mut self, field: &'static str) -> Step<i32> {
        let at = self.c.pos();
        self.c.read_i32().map_err(|f| self.stop(reading(f.kind(), field, "Int32", at)))
    }

    #[cfg_attr(not(feature = "small"), inline(always))]
    fn int64(&mut self, field: &'static str) -> Step<i64> {
        let at = self.c.pos();
        self.c.read_i64().map_err(|f| self.stop(reading(f.kind(), field, "Int64", at)))
    }

    #[cfg_attr(not(feature = "small"), inline(always))]
    fn string(&mut self, field: &'static str) -> Step<Option<&'a str>> {
        let at = self.c.pos();
        self.c.read_str().map_err(|f| self.stop(reading(f.kind(), field, "String", at)))
    }

    /// A string that must be neither nil nor empty (.NET's `ThrowIfNullOrEmpty`).
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn required(&mut self, field: &'static str, what: &'static str) -> Step<&'a str> {
        let at = self.c.pos();
        match self.string(field)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.stop(null_or_empty(what, at))),
        }
    }

    #[cfg_attr(not(feature = "small"), inline(always))]
    fn headers(&mut self) -> Step<Headers<'a, Borrowing>> {
        // The official clients send an empty map unless the caller set headers. (With `small`,
        // looked for in `headers_or_error`: one copy less.)
        if !cfg!(feature = "small") && self.c.peek() == Some(0x80) {
            self.c.advance(1);
            return Ok(Headers::none());
        }
        self.headers_with_entries()
    }

    #[inline(never)]
    fn headers_with_entries(&mut self) -> Step<Headers<'a, Borrowing>> {
        self.headers_or_error().map_err(|e| self.stop(e))
    }

    #[inline(always)]
    fn headers_or_error(&mut self) -> Result<Headers<'a, Borrowing>, Error> {
        if cfg!(feature = "small") && self.c.peek() == Some(0x80) {
            self.c.advance(1);
            return Ok(Headers::none());
        }
        let at = self.c.pos();
        let count = self
            .c
            .read_map_len()
            .map_err(|f| Error::new(f.kind(), "Reading map length for 'headers' failed.").at(at))?
            as usize;
        if count > self.limits.max_headers {
            return Err(limit("headers", self.limits.max_headers, at));
        }
        if ENVELOPE_DEPTH + 1 > self.limits.max_depth {
            return Err(Fail::Depth.plain_error().at(at));
        }
        let start = self.c.pos();
        // Every header is read before repeated keys are looked for (in one pass, see
        // `duplicates`). .NET adds each header to its dictionary as it reads it, so a repeat
        // before the header where reading fails is the error .NET reports.
        let mut failure = None;
        for i in 0..count {
            if let Err(e) = self.header(i) {
                failure = Some((i, e));
                break;
            }
        }
        let valid = failure.as_ref().map_or(count, |(i, _)| *i);
        let walked = &self.c.rest_from(start)[..self.c.pos() - start];
        if let Some(key_at) = crate::duplicates::first_repeated_key(walked, valid) {
            let key = Cursor::new(&walked[key_at..]).read_str().ok().flatten().unwrap_or("");
            return Err(Error::concatenated(
                ErrorKind::Invalid,
                &["An item with the same key has already been added. Key: ", key],
            )
            .at(start + key_at));
        }
        if let Some((_, e)) = failure {
            return Err(e);
        }
        let raw = &self.c.rest_from(start)[..self.c.pos() - start];
        Ok(Headers::from_wire(raw, count, decode_header))
    }

    /// One header, `i`th of the map: a non-empty key and value.
    fn header(&mut self, i: usize) -> Result<(), Error> {
        let key_at = self.c.pos();
        let key = self.c.read_str().map_err(|f| {
            Error::template(f.kind(), &["Reading 'headers[", "].Key' as String failed."], [Arg::count(i), Arg::Int(0)])
                .at(key_at)
        })?;
        if !matches!(key, Some(k) if !k.is_empty()) {
            return Err(null_or_empty("key in header", key_at));
        }
        let value_at = self.c.pos();
        let value = self.c.read_str().map_err(|f| {
            Error::template(
                f.kind(),
                &["Reading 'headers[", "].Value' as String failed."],
                [Arg::count(i), Arg::Int(0)],
            )
            .at(value_at)
        })?;
        if !matches!(value, Some(v) if !v.is_empty()) {
            return Err(null_or_empty("value in header", value_at));
        }
        Ok(())
    }

    fn stream_ids(&mut self) -> Step<StreamIds<'a, Borrowing>> {
        self.stream_ids_or_error().map_err(|e| self.stop(e))
    }

    #[inline(always)]
    fn stream_ids_or_error(&mut self) -> Result<StreamIds<'a, Borrowing>, Error> {
        let at = self.c.pos();
        let count = self
            .c
            .read_array_len()
            .map_err(|f| Error::new(f.kind(), "Reading array length for 'streamIds' failed.").at(at))?
            as usize;
        if count > self.limits.max_stream_ids {
            return Err(limit("stream ids", self.limits.max_stream_ids, at));
        }
        if ENVELOPE_DEPTH + 1 > self.limits.max_depth {
            return Err(Fail::Depth.plain_error().at(at));
        }
        let start = self.c.pos();
        for i in 0..count {
            let id_at = self.c.pos();
            // .NET reads stream ids with the reader's own `ReadString`, unwrapped: its texts are
            // MessagePack-CSharp's.
            match self.c.read_str() {
                Ok(Some(s)) if !s.is_empty() => {}
                Ok(_) => return Err(null_or_empty("value in streamIds received", id_at)),
                Err(Fail::Utf8) => {
                    return Err(Error::template(
                        ErrorKind::Invalid,
                        &["Reading 'streamIds[", "]' as String failed."],
                        [Arg::count(i), Arg::Int(0)],
                    )
                    .at(id_at))
                }
                Err(f) => return Err(f.plain_error().at(id_at)),
            }
        }
        let raw = &self.c.rest_from(start)[..self.c.pos() - start];
        Ok(StreamIds::from_wire(raw, count, decode_stream_id))
    }

    /// A payload value (`item`, `result`), kept raw.
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn payload(&mut self, field: &'static str) -> Step<RawValue<'a>> {
        let at = self.c.pos();
        match self.c.skip_value(ENVELOPE_DEPTH, self.limits.max_depth) {
            Ok(value) => Ok(RawValue::trusted(value)),
            Err(f) => Err(self.stop(payload_error(field, f, at))),
        }
    }

    /// The count of an `array 16`/`array 32` header at the cursor, which stays where it is.
    #[inline(never)]
    fn long_array_len(mut probe: Cursor<'a>, at: usize) -> Result<usize, Error> {
        probe
            .read_array_len()
            .map(|count| count as usize)
            .map_err(|f| Error::new(f.kind(), "Reading array length for 'arguments' failed.").at(at))
    }

    /// The argument array, and whether it was one (only then does .NET go on to the stream ids).
    #[cfg_attr(not(feature = "small"), inline(always))]
    fn arguments(&mut self) -> Step<(RawValue<'a>, bool)> {
        let at = self.c.pos();
        let Some(first) = self.c.peek() else {
            // .NET: a binding failure (`Reading array length for 'arguments' failed.`).
            return Ok((RawValue::missing(), false));
        };
        let count = match first {
            0x90..=0x9f => Some(usize::from(first & 0x0f)),
            0xdc | 0xdd => Some(Self::long_array_len(self.c, at).map_err(|e| self.stop(e))?),
            _ => None,
        };
        if let Some(count) = count {
            if count > self.limits.max_arguments {
                return Err(self.stop(limit("arguments", self.limits.max_arguments, at)));
            }
        }
        let is_array = count.is_some();
        let value = self.payload("argument")?;
        Ok((value, is_array))
    }
}

/// Reads the next (already validated) header of a wire list.
fn decode_header<'a>(rest: &mut &'a [u8]) -> Option<(Text<'a>, Text<'a>)> {
    // Two strings, read as stream ids are (the list was validated: both are there).
    Some((decode_stream_id(rest)?, decode_stream_id(rest)?))
}

/// Reads the next (already validated) stream id of a wire list.
fn decode_stream_id<'a>(rest: &mut &'a [u8]) -> Option<Text<'a>> {
    let mut c = Cursor::new(rest);
    let id = c.read_str().ok()??;
    *rest = c.rest();
    Some(Text::borrowed(id))
}

/// Parses one frame body.
///
/// The frames the official clients send for the frequent messages — every MessagePack header
/// one byte long, no hub headers, ASCII ids and method names — go to a reader for their type
/// that takes them straight through with the position in a register. Any other shape (a
/// non-ASCII target included: its UTF-8 check would be a call), and anything wrong, goes to
/// [`parse_general`], which reads the frame again and reports what .NET would; either way the
/// answer is the same (the `msgpack_parse` fuzz target checks it on every input).
///
/// One small reader per type, each building its message straight into the returned `Result`:
/// merged into one function, every type's fields meet in a shared tail that goes through the
/// stack (measured: about 40 instructions a message more).
///
/// With the `small` feature every frame but a ping goes to [`parse_general`]: the readers of
/// the common shapes are left out (same answers, about 4 KB less code, slower decoding).
#[cfg(feature = "small")]
pub(crate) fn parse<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    match body {
        [0x91, 0x06, ..] if limits.max_depth >= ENVELOPE_DEPTH => Ok(Parsed::Message(HubMessage::Ping)),
        _ => parse_general(body, limits),
    }
}

/// Parses one frame body: see the `small` variant's documentation above.
#[cfg(not(feature = "small"))]
pub(crate) fn parse<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    // [envelope, type, headers = {}, ...]; the readers allow a payload array inside the
    // envelope (level 2).
    if let [envelope, kind, 0x80, ..] = *body {
        if limits.max_depth > ENVELOPE_DEPTH {
            return match (kind, envelope) {
                (0x01, 0x95 | 0x96) => invocation::<false>(body, limits),
                (0x02, 0x94) => stream_item(body, limits),
                (0x03, 0x94 | 0x95) => completion(body, limits),
                (0x04, 0x95 | 0x96) => invocation::<true>(body, limits),
                (0x05, 0x93) => cancel_invocation(body, limits),
                _ => parse_general(body, limits),
            };
        }
    }
    match body {
        [0x91, 0x06, ..] if limits.max_depth >= ENVELOPE_DEPTH => Ok(Parsed::Message(HubMessage::Ping)),
        _ => parse_general(body, limits),
    }
}

#[cfg(not(feature = "small"))]
/// `?` for the readers of the common shapes: a shape or value they do not take hands the frame
/// to the general parser.
macro_rules! common {
    ($option:expr, $body:expr, $limits:expr) => {
        match $option {
            Some(value) => value,
            None => return parse_general($body, $limits),
        }
    };
}

#[cfg(not(feature = "small"))]
/// Where the fields after the headers start in the common shapes: `[type, {}, ...]`.
const FIELDS: usize = 3;

#[cfg(not(feature = "small"))]
/// A fixstr (`0xa0..=0xbf`) at `pos`: the string and where it ends.
#[inline(always)]
fn fixstr(body: &[u8], pos: usize) -> Option<(&str, usize)> {
    let len = match *body.get(pos)? {
        b @ 0xa0..=0xbf => usize::from(b & 0x1f),
        _ => return None,
    };
    let end = pos + 1 + len;
    // ASCII only: anything else goes to the general parser, so that no call (and no register
    // saved around one) sits on this path.
    let bytes = body.get(pos + 1..end)?;
    Some((signalr_codec_core::text::ascii(bytes)?, end))
}

#[cfg(not(feature = "small"))]
/// A non-empty fixstr at `pos`.
#[inline(always)]
fn required_fixstr(body: &[u8], pos: usize) -> Option<(&str, usize)> {
    fixstr(body, pos).filter(|(s, _)| !s.is_empty())
}

#[cfg(not(feature = "small"))]
/// A valid payload at `pos`: the raw value and where it ends.
#[inline(always)]
fn flat_payload<'a>(body: &'a [u8], pos: usize, limits: &Limits) -> Option<(RawValue<'a>, usize)> {
    let end = match crate::read::skip_flat(body, pos, ENVELOPE_DEPTH, limits.max_depth) {
        Some(end) => end,
        None => crate::read::skip_value(body, pos, ENVELOPE_DEPTH, limits.max_depth).ok()?,
    };
    Some((RawValue::trusted(&body[pos..end]), end))
}

#[cfg(not(feature = "small"))]
/// A fixarray of arguments at `pos`, within the argument limit.
#[inline(always)]
fn arguments<'a>(body: &'a [u8], pos: usize, limits: &Limits) -> Option<(RawValue<'a>, usize)> {
    match *body.get(pos)? {
        b @ 0x90..=0x9f if usize::from(b & 0x0f) <= limits.max_arguments => flat_payload(body, pos, limits),
        _ => None,
    }
}

#[cfg(not(feature = "small"))]
/// The invocation id and target of `[type, {}, invocationId, target, ...]`: the id may be nil or
/// empty (a non-blocking invocation) only when `optional_id`.
#[inline(always)]
fn id_and_target(body: &[u8], optional_id: bool) -> Option<(Option<&str>, &str, usize)> {
    let (invocation_id, pos) = match *body.get(FIELDS)? {
        0xc0 if optional_id => (None, FIELDS + 1),
        _ => match fixstr(body, FIELDS)? {
            ("", end) if optional_id => (None, end),
            ("", _) => return None,
            (id, end) => (Some(id), end),
        },
    };
    let (target, pos) = required_fixstr(body, pos)?;
    Some((invocation_id, target, pos))
}

#[cfg(not(feature = "small"))]
/// The stream ids of a 6-element invocation, or none for the 5-element form.
#[inline(always)]
fn trailing_stream_ids<'a>(body: &'a [u8], pos: usize, limits: &Limits) -> Option<StreamIds<'a, Borrowing>> {
    match body[0] {
        0x95 => Some(StreamIds::none()),
        _ => stream_ids(body, pos, limits),
    }
}

#[cfg(not(feature = "small"))]
/// `[1, {}, invocationId | nil, target, arguments, streamIds?]`, and with `STREAM`
/// `[4, {}, invocationId, target, arguments, streamIds?]`: one reader each after
/// monomorphisation, like the other types.
#[inline(never)]
fn invocation<'a, const STREAM: bool>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let (invocation_id, target, pos) = common!(id_and_target(body, !STREAM), body, limits);
    let (arguments, pos) = common!(arguments(body, pos, limits), body, limits);
    let stream_ids = common!(trailing_stream_ids(body, pos, limits), body, limits);
    let headers = Headers::none();
    Ok(Parsed::Message(match (STREAM, invocation_id) {
        (false, invocation_id) => HubMessage::Invocation(Invocation {
            headers,
            invocation_id: invocation_id.map(Text::from_frame),
            target: Text::from_frame(target),
            arguments,
            stream_ids,
        }),
        // `id_and_target` refuses a missing id for a stream invocation.
        (true, Some(invocation_id)) => HubMessage::StreamInvocation(StreamInvocation {
            headers,
            invocation_id: Text::from_frame(invocation_id),
            target: Text::from_frame(target),
            arguments,
            stream_ids,
        }),
        (true, None) => return parse_general(body, limits),
    }))
}

#[cfg(not(feature = "small"))]
/// `[2, {}, invocationId, item]`
#[inline(never)]
fn stream_item<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let (invocation_id, pos) = common!(required_fixstr(body, FIELDS), body, limits);
    let (item, _) = common!(flat_payload(body, pos, limits), body, limits);
    Ok(Parsed::Message(HubMessage::StreamItem(StreamItem {
        headers: Headers::none(),
        invocation_id: Text::from_frame(invocation_id),
        item,
    })))
}

#[cfg(not(feature = "small"))]
/// `[3, {}, invocationId, resultKind, result?]`
#[inline(never)]
fn completion<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let (invocation_id, pos) = common!(required_fixstr(body, FIELDS), body, limits);
    let outcome = match (body[0], body.get(pos)) {
        (0x94, Some(0x02)) => Outcome::Void,
        (0x95, Some(0x01)) => Outcome::Error(Text::from_frame(common!(required_fixstr(body, pos + 1), body, limits).0)),
        (0x95, Some(0x03)) => Outcome::Result(common!(flat_payload(body, pos + 1, limits), body, limits).0),
        _ => return parse_general(body, limits),
    };
    Ok(Parsed::Message(HubMessage::Completion(Completion {
        headers: Headers::none(),
        invocation_id: Text::from_frame(invocation_id),
        outcome,
    })))
}

#[cfg(not(feature = "small"))]
/// `[5, {}, invocationId]`
#[inline(never)]
fn cancel_invocation<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let (invocation_id, _) = common!(required_fixstr(body, FIELDS), body, limits);
    Ok(Parsed::Message(HubMessage::CancelInvocation(CancelInvocation {
        headers: Headers::none(),
        invocation_id: Text::from_frame(invocation_id),
    })))
}

#[cfg(not(feature = "small"))]
/// A fixarray of non-empty fixstr stream ids at `pos`.
#[inline(always)]
fn stream_ids<'a>(body: &'a [u8], pos: usize, limits: &Limits) -> Option<StreamIds<'a, Borrowing>> {
    let count = match *body.get(pos)? {
        // What the official clients send when the caller streams nothing.
        0x90 => return Some(StreamIds::none()),
        b @ 0x91..=0x9f => usize::from(b & 0x0f),
        _ => return None,
    };
    if count > limits.max_stream_ids {
        return None;
    }
    let mut end = pos + 1;
    for _ in 0..count {
        end = required_fixstr(body, end)?.1;
    }
    Some(StreamIds::from_wire(&body[pos + 1..end], count, decode_stream_id))
}

/// Parses one frame body of any shape, with .NET's error for whatever is wrong.
#[inline(never)]
pub(crate) fn parse_general<'a>(body: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
    let mut p = Parser { c: Cursor::new(body), limits, error: None };
    match p.message() {
        Ok(message) => Ok(message),
        // Every stop keeps its error; the fallback is never taken.
        Err(Stopped) => Err(p.error.take().unwrap_or_else(|| Error::new(ErrorKind::Invalid, END_OF_STREAM))),
    }
}

impl<'a> Parser<'a, '_> {
    /// The frame's message, or a stop with the error kept.
    #[inline(always)]
    fn message(&mut self) -> Step<Message<'a>> {
        if self.c.rest().is_empty() {
            // .NET fails reading the array header of an empty body.
            return Err(self.stop(Error::new(ErrorKind::Invalid, END_OF_STREAM).at(0)));
        }
        let item_count = match self.c.read_array_len() {
            Ok(count) => count,
            Err(f) => return Err(self.stop(f.plain_error().at(0))),
        };
        if ENVELOPE_DEPTH > self.limits.max_depth {
            return Err(self.stop(Fail::Depth.plain_error().at(0)));
        }
        let message_type = self.int32("messageType")?;
        let Some(kind) = MessageType::from_id(i64::from(message_type)) else {
            // Future protocol changes can add message types: skipped, not an error.
            return Ok(Parsed::Skipped { message_type: i64::from(message_type) });
        };
        if kind == MessageType::Ping {
            // Returned on its own: through the shared tail below, a ping would pay for storing
            // every field of the largest message.
            return Ok(Parsed::Message(HubMessage::Ping));
        }
        // Built straight into the result: a `let` first costs a copy of the whole message.
        Ok(Parsed::Message(match kind {
            MessageType::Invocation => {
                let headers = self.headers()?;
                // nil or "" means a non-blocking invocation.
                let invocation_id = self.string("invocationId")?.filter(|s| !s.is_empty()).map(Text::from_frame);
                let target = self.required("target", "target for Invocation message")?;
                let (arguments, is_array) = self.arguments()?;
                // Old clients send 5 elements; .NET reads the stream ids only after arguments bound.
                let stream_ids = if item_count > 5 && is_array { self.stream_ids()? } else { StreamIds::none() };
                HubMessage::Invocation(Invocation {
                    headers,
                    invocation_id,
                    target: Text::from_frame(target),
                    arguments,
                    stream_ids,
                })
            }
            MessageType::StreamInvocation => {
                let headers = self.headers()?;
                let invocation_id = self.required("invocationId", "invocation ID for StreamInvocation message")?;
                let target = self.required("target", "target for StreamInvocation message")?;
                let (arguments, is_array) = self.arguments()?;
                let stream_ids = if item_count > 5 && is_array { self.stream_ids()? } else { StreamIds::none() };
                HubMessage::StreamInvocation(StreamInvocation {
                    headers,
                    invocation_id: Text::from_frame(invocation_id),
                    target: Text::from_frame(target),
                    arguments,
                    stream_ids,
                })
            }
            MessageType::StreamItem => {
                let headers = self.headers()?;
                let invocation_id = self.required("invocationId", "invocation ID for StreamItem message")?;
                let item = self.payload("item")?;
                HubMessage::StreamItem(StreamItem { headers, invocation_id: Text::from_frame(invocation_id), item })
            }
            MessageType::Completion => {
                let headers = self.headers()?;
                let invocation_id = self.required("invocationId", "invocation ID for Completion message")?;
                let kind_at = self.c.pos();
                let outcome = match self.int32("resultKind")? {
                    // A nil error leaves .NET's message with neither error nor result: void.
                    1 => self.string("error")?.map_or(Outcome::Void, |e| Outcome::Error(Text::from_frame(e))),
                    2 => Outcome::Void,
                    3 => Outcome::Result(self.payload("argument")?),
                    _ => {
                        return Err(
                            self.stop(Error::new(ErrorKind::Invalid, "Invalid invocation result kind.").at(kind_at))
                        )
                    }
                };
                HubMessage::Completion(Completion { headers, invocation_id: Text::from_frame(invocation_id), outcome })
            }
            MessageType::CancelInvocation => {
                let headers = self.headers()?;
                let invocation_id = self.required("invocationId", "invocation ID for CancelInvocation message")?;
                HubMessage::CancelInvocation(CancelInvocation {
                    headers,
                    invocation_id: Text::from_frame(invocation_id),
                })
            }
            MessageType::Ping => HubMessage::Ping, // returned above
            MessageType::Close => {
                // An empty string is still an error.
                let error = self.string("error")?.map(Text::from_frame);
                let at = self.c.pos();
                let allow_reconnect = if item_count > 2 {
                    self.c.read_bool().map_err(|f| self.stop(reading(f.kind(), "allowReconnect", "Boolean", at)))?
                } else {
                    false
                };
                HubMessage::Close(Close { error, allow_reconnect })
            }
            MessageType::Ack => HubMessage::Ack { sequence_id: self.int64("sequenceId")? },
            MessageType::Sequence => HubMessage::Sequence { sequence_id: self.int64("sequenceId")? },
        }))
    }
}
