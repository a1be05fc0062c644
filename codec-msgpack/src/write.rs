//! Writing: the envelope byte for byte as .NET's `MessagePackHubProtocolWorker` writes it, in
//! two passes over one description of the message — a counting pass for the exact length (the
//! VarInt prefix comes first), then the writing pass.

use signalr_codec_core::ownership::Ownership;
use signalr_codec_core::{
    varint, Close, Completion, Encode, Error, ErrorKind, Headers, HubMessage, Outcome, Output, StreamIds,
};

use crate::MessagePackHubProtocol;
use signalr_codec_core::error::Arg;

/// A few bytes of stack for one MessagePack header.
///
/// The markers are written here, not through `rmp::encode`: rmp 0.8 declares `extern crate
/// alloc` unconditionally, which would force an allocator on every firmware that links this
/// crate; a unit test checks every form against rmp's.
pub(crate) struct Scratch {
    buf: [u8; 10],
    len: usize,
}

impl Scratch {
    pub(crate) const fn new() -> Self {
        Scratch { buf: [0; 10], len: 0 }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// A marker and the last `n` bytes of `value` in big-endian order.
    fn marker_be(&mut self, marker: u8, value: u64, n: usize) {
        self.push(&[marker]);
        self.push(&value.to_be_bytes()[8 - n..]);
    }

    /// A signed integer in the shortest form (positive values as unsigned), as
    /// MessagePack-CSharp's `Write(long)`.
    pub(crate) fn sint(&mut self, v: i64) {
        #[cfg(feature = "small")]
        self.sint_by_width(v);
        #[cfg(not(feature = "small"))]
        self.sint_by_range(v);
    }

    /// [`sint`](Self::sint) a range at a time.
    #[cfg_attr(feature = "small", allow(dead_code))]
    fn sint_by_range(&mut self, v: i64) {
        if v >= 0 {
            return self.uint(v as u64);
        }
        // Two's complement: the low bytes of the sign-extended value are the narrow form.
        let bits = v as u64;
        if v >= -32 {
            self.push(&[v as u8]);
        } else if v >= i64::from(i8::MIN) {
            self.marker_be(0xd0, bits, 1);
        } else if v >= i64::from(i16::MIN) {
            self.marker_be(0xd1, bits, 2);
        } else if v >= i64::from(i32::MIN) {
            self.marker_be(0xd2, bits, 4);
        } else {
            self.marker_be(0xd3, bits, 8);
        }
    }

    /// [`sint`](Self::sint) with `small`: the width worked out first, then one marker write
    /// (`uint 8`–`64` from 0xcc, `int 8`–`64` from 0xd0, the marker's low bits the width's
    /// logarithm). The same bytes: a test compares the two.
    #[cfg_attr(not(feature = "small"), allow(dead_code))]
    fn sint_by_width(&mut self, v: i64) {
        if (-32..0x80).contains(&v) {
            return self.push(&[v as u8]);
        }
        // A negative value fits `n` signed bytes when its complement fits `8n - 1` bits.
        let (base, magnitude, limits) = if v >= 0 {
            (0xcc, v as u64, [0xff, 0xffff, 0xffff_ffff])
        } else {
            (0xd0, !(v as u64), [0x7f, 0x7fff, 0x7fff_ffff])
        };
        let k = limits.iter().position(|&max| magnitude <= max).unwrap_or(3);
        self.marker_be(base + k as u8, v as u64, 1 << k);
    }

    /// An unsigned integer in the shortest form.
    pub(crate) fn uint(&mut self, v: u64) {
        if v < 0x80 {
            self.push(&[v as u8]);
        } else if v <= 0xff {
            self.marker_be(0xcc, v, 1);
        } else if v <= 0xffff {
            self.marker_be(0xcd, v, 2);
        } else if v <= 0xffff_ffff {
            self.marker_be(0xce, v, 4);
        } else {
            self.marker_be(0xcf, v, 8);
        }
    }

    pub(crate) fn bool(&mut self, v: bool) {
        self.push(&[if v { 0xc3 } else { 0xc2 }]);
    }

    /// Appends `bytes`; a header never outgrows the buffer.
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    /// The header of a string, binary, array or map of `len` items, written here rather than
    /// through `rmp::encode` (whose writer-and-closure plumbing cost more than the header on
    /// the hot path: every message has several). `fix` is the fix-format marker and how many
    /// items it holds; `markers` the 8-, 16- and 32-bit forms (0 where the format has none).
    fn len_header(&mut self, len: usize, fix: Option<(u8, u32)>, markers: [u8; 3]) -> Result<(), Error> {
        let len = too_long(len)?;
        // With `small`, the 8-, 16- or 32-bit form chosen first and written by one marker write.
        #[cfg(feature = "small")]
        if let Some((marker, _)) = fix.filter(|&(_, max)| len <= max) {
            self.push(&[marker | len as u8]);
        } else {
            let k = if markers[0] != 0 && len <= 0xff {
                0
            } else if len <= 0xffff {
                1
            } else {
                2
            };
            self.marker_be(markers[k], u64::from(len), 1 << k);
        }
        #[cfg(not(feature = "small"))]
        match (fix, markers) {
            (Some((marker, max)), _) if len <= max => self.push(&[marker | len as u8]),
            (_, [m8, ..]) if m8 != 0 && len <= 0xff => self.push(&[m8, len as u8]),
            (_, [_, m16, _]) if len <= 0xffff => {
                self.push(&[m16]);
                self.push(&(len as u16).to_be_bytes());
            }
            (_, [.., m32]) => {
                self.push(&[m32]);
                self.push(&len.to_be_bytes());
            }
        }
        Ok(())
    }

    pub(crate) fn str_len(&mut self, len: usize) -> Result<(), Error> {
        self.len_header(len, Some((0xa0, 31)), [0xd9, 0xda, 0xdb])
    }

    pub(crate) fn bin_len(&mut self, len: usize) -> Result<(), Error> {
        self.len_header(len, None, [0xc4, 0xc5, 0xc6])
    }

    pub(crate) fn array_len(&mut self, len: usize) -> Result<(), Error> {
        self.len_header(len, Some((0x90, 15)), [0, 0xdc, 0xdd])
    }

    pub(crate) fn map_len(&mut self, len: usize) -> Result<(), Error> {
        self.len_header(len, Some((0x80, 15)), [0, 0xde, 0xdf])
    }

    pub(crate) fn ext_meta(&mut self, len: usize, ty: i8) -> Result<(), Error> {
        let len = too_long(len)?;
        match len {
            1 => self.push(&[0xd4]),
            2 => self.push(&[0xd5]),
            4 => self.push(&[0xd6]),
            8 => self.push(&[0xd7]),
            16 => self.push(&[0xd8]),
            0..=0xff => self.marker_be(0xc7, u64::from(len), 1),
            0x100..=0xffff => self.marker_be(0xc8, u64::from(len), 2),
            _ => self.marker_be(0xc9, u64::from(len), 4),
        }
        self.push(&[ty as u8]);
        Ok(())
    }
}

fn too_long(len: usize) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| Error::new(ErrorKind::Limit, varint::TOO_LARGE))
}

/// Where the envelope goes: a byte counter, or the output.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn value<V: Encode<MessagePackHubProtocol>>(&mut self, p: &MessagePackHubProtocol, v: &V) -> Result<(), Error>;
}

#[cfg(not(feature = "small"))]
struct Counter(usize);

#[cfg(not(feature = "small"))]
impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }

    fn value<V: Encode<MessagePackHubProtocol>>(&mut self, p: &MessagePackHubProtocol, v: &V) -> Result<(), Error> {
        self.0 = self.0.checked_add(v.encoded_len(p)?).ok_or(Error::new(ErrorKind::Limit, varint::TOO_LARGE))?;
        Ok(())
    }
}

struct ToOutput<'o, O: Output + ?Sized>(&'o mut O);

impl<O: Output + ?Sized> Sink for ToOutput<'_, O> {
    fn put(&mut self, bytes: &[u8]) {
        self.0.put(bytes);
    }

    fn value<V: Encode<MessagePackHubProtocol>>(&mut self, p: &MessagePackHubProtocol, v: &V) -> Result<(), Error> {
        v.encode(p, self.0)
    }
}

fn header<S: Sink>(s: &mut S, f: impl FnOnce(&mut Scratch) -> Result<(), Error>) -> Result<(), Error> {
    let mut scratch = Scratch::new();
    f(&mut scratch)?;
    s.put(scratch.bytes());
    Ok(())
}

fn int<S: Sink>(s: &mut S, v: i64) {
    let mut scratch = Scratch::new();
    scratch.sint(v);
    s.put(scratch.bytes());
}

fn string<S: Sink>(s: &mut S, v: &str) -> Result<(), Error> {
    header(s, |h| h.str_len(v.len()))?;
    s.put(v.as_bytes());
    Ok(())
}

/// What the reader (as .NET's) refuses to read: an empty string where a value is required. The
/// writer refuses it with the reader's text, so that what it writes always reads back. Checked
/// in the counting pass, which runs before anything is written.
#[cold]
#[inline(never)]
pub(crate) fn null_or_empty(what: &'static str) -> Error {
    Error::template(ErrorKind::Invalid, &["Null or empty ", "."], [Arg::Str(what), Arg::Int(0)])
}

/// A string that must not be empty (.NET's reader: `ThrowIfNullOrEmpty`).
#[cfg_attr(not(feature = "small"), inline(always))]
fn required<S: Sink>(s: &mut S, v: &str, what: &'static str) -> Result<(), Error> {
    if v.is_empty() {
        return Err(null_or_empty(what));
    }
    string(s, v)
}

/// A string, or nil for `None` and (as .NET writes null-or-empty ids and Close errors) `""`.
fn string_or_nil<S: Sink>(s: &mut S, v: Option<&str>) -> Result<(), Error> {
    match v {
        Some(v) if !v.is_empty() => string(s, v),
        _ => {
            s.put(&[0xc0]);
            Ok(())
        }
    }
}

// Nearly every message has none: one byte here, inlined, and the list machinery (with its
// 500-byte stack frame, set up even for the empty case when it was one function) out of line
// (87 instructions less per small completion written). With `small`, one function (60 B less).
#[cfg_attr(not(feature = "small"), inline)]
fn headers<S: Sink>(s: &mut S, h: &Headers<'_, impl Ownership>) -> Result<(), Error> {
    // (With `small`, the list writer writes the empty map too.)
    if !cfg!(feature = "small") && h.is_empty() {
        s.put(&[0x80]);
        return Ok(());
    }
    header_list(s, h)
}

#[cfg_attr(not(feature = "small"), inline(never))]
#[cfg_attr(feature = "small", inline(always))]
fn header_list<S: Sink>(s: &mut S, h: &Headers<'_, impl Ownership>) -> Result<(), Error> {
    header(s, |x| x.map_len(h.len()))?;
    for (k, v) in h.iter() {
        required(s, &k, "key in header")?;
        required(s, &v, "value in header")?;
    }
    Ok(())
}

// As `headers`: the empty list inline, the rest out of line.
#[cfg_attr(not(feature = "small"), inline)]
fn stream_ids<S: Sink>(s: &mut S, ids: &StreamIds<'_, impl Ownership>) -> Result<(), Error> {
    if !cfg!(feature = "small") && ids.is_empty() {
        s.put(&[0x90]);
        return Ok(());
    }
    stream_id_list(s, ids)
}

#[cfg_attr(not(feature = "small"), inline(never))]
#[cfg_attr(feature = "small", inline(always))]
fn stream_id_list<S: Sink>(s: &mut S, ids: &StreamIds<'_, impl Ownership>) -> Result<(), Error> {
    header(s, |x| x.array_len(ids.len()))?;
    for id in ids.iter() {
        required(s, &id, "value in streamIds received")?;
    }
    Ok(())
}

/// The message body, into a counter or an output.
fn body<S: Sink, V: Encode<MessagePackHubProtocol>>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    s: &mut S,
) -> Result<(), Error> {
    match message {
        HubMessage::Invocation(m) => {
            s.put(&[0x96, 0x01]);
            headers(s, &m.headers)?;
            string_or_nil(s, m.invocation_id.as_deref())?;
            required(s, &m.target, "target for Invocation message")?;
            s.value(p, &m.arguments)?;
            stream_ids(s, &m.stream_ids)?;
        }
        HubMessage::StreamInvocation(m) => {
            s.put(&[0x96, 0x04]);
            headers(s, &m.headers)?;
            required(s, &m.invocation_id, "invocation ID for StreamInvocation message")?;
            required(s, &m.target, "target for StreamInvocation message")?;
            s.value(p, &m.arguments)?;
            stream_ids(s, &m.stream_ids)?;
        }
        HubMessage::StreamItem(m) => {
            s.put(&[0x94, 0x02]);
            headers(s, &m.headers)?;
            required(s, &m.invocation_id, "invocation ID for StreamItem message")?;
            s.value(p, &m.item)?;
        }
        HubMessage::Completion(Completion { headers: h, invocation_id, outcome }) => {
            let (len, kind) = match outcome {
                Outcome::Error(_) => (0x95, 1),
                Outcome::Void => (0x94, 2),
                Outcome::Result(_) => (0x95, 3),
            };
            s.put(&[len, 0x03]);
            headers(s, h)?;
            required(s, invocation_id, "invocation ID for Completion message")?;
            s.put(&[kind]);
            match outcome {
                Outcome::Error(e) => string(s, e)?,
                Outcome::Result(v) => s.value(p, v)?,
                Outcome::Void => {}
            }
        }
        HubMessage::CancelInvocation(m) => {
            s.put(&[0x93, 0x05]);
            headers(s, &m.headers)?;
            required(s, &m.invocation_id, "invocation ID for CancelInvocation message")?;
        }
        HubMessage::Ping => s.put(&PING_BODY),
        HubMessage::Close(Close { error, allow_reconnect }) => {
            s.put(&[0x93, 0x07]);
            string_or_nil(s, error.as_deref())?;
            let mut b = Scratch::new();
            b.bool(*allow_reconnect);
            s.put(b.bytes());
        }
        HubMessage::Ack { sequence_id } => {
            s.put(&[0x92, 0x08]);
            int(s, *sequence_id);
        }
        HubMessage::Sequence { sequence_id } => {
            s.put(&[0x92, 0x09]);
            int(s, *sequence_id);
        }
    }
    Ok(())
}

/// Length of the body alone.
pub(crate) fn body_len<V: Encode<MessagePackHubProtocol>>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
) -> Result<usize, Error> {
    #[cfg(not(feature = "small"))]
    {
        let mut c = Counter(0);
        body(p, message, &mut c)?;
        Ok(c.0)
    }
    // With `small`, the measuring pass is the writing pass into an output that only counts:
    // one copy of the writers (and of each payload's `encode`) serves both (1.3 KB less code).
    #[cfg(feature = "small")]
    {
        let mut counter = signalr_codec_core::CountingOutput::new();
        emit(p, message, &mut counter)?;
        Ok(counter.len())
    }
}

/// The body into `out`: through `dyn Output` with `small`, so that every output (and the
/// measuring pass) shares one copy of the writers.
#[inline(always)]
fn emit<V: Encode<MessagePackHubProtocol>, O: Output + ?Sized>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    out: &mut O,
) -> Result<(), Error> {
    #[cfg(not(feature = "small"))]
    return body(p, message, &mut ToOutput(out));
    // `&mut O` is a sized output (the core forwards it), so it can be a `dyn Output`.
    #[cfg(feature = "small")]
    return body(p, message, &mut ToOutput(&mut { out } as &mut dyn Output));
}

/// Length with the VarInt prefix.
pub(crate) fn framed_len<V: Encode<MessagePackHubProtocol>>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
) -> Result<usize, Error> {
    let len = body_len(p, message)?;
    let (_, prefix) = varint::prefix_for(len)?;
    Ok(prefix + len)
}

/// A Ping's body, `[6]`: the same every time.
const PING_BODY: [u8; 2] = [0x91, 0x06];

/// Writes the framed message after checking room; nothing is written when it does not fit.
pub(crate) fn write<V: Encode<MessagePackHubProtocol>, O: Output + ?Sized>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    out: &mut O,
) -> Result<usize, Error> {
    // A Ping is the same three bytes every time (prefix 2, body `[6]`), and the message sent
    // most often on an idle connection: written whole, into any output. (With `small`, through
    // the body like the others.)
    #[cfg(not(feature = "small"))]
    if let HubMessage::Ping = message {
        const PING: [u8; 3] = [PING_BODY.len() as u8, PING_BODY[0], PING_BODY[1]];
        if out.remaining() < PING.len() {
            return Err(Error::buffer_too_small(PING.len()));
        }
        out.put(&PING);
        return Ok(PING.len());
    }
    if let Some(start) = out.rewind_point() {
        return write_growing(p, message, out, start);
    }
    let len = body_len(p, message)?;
    let (prefix, n) = varint::prefix_for(len)?;
    let total = n + len;
    if out.remaining() < total {
        return Err(Error::buffer_too_small(total));
    }
    // Most bodies are under 128 bytes: a one-byte prefix, written without a variable-length copy
    // (with `small`, every prefix the same way).
    match prefix {
        [byte, ..] if n == 1 && !cfg!(feature = "small") => out.put(&[byte]),
        _ => out.put(&prefix[..n]),
    }
    emit(p, message, out)?;
    Ok(total)
}

/// Writes into an output that grows, in one pass: the length prefix comes first but is known
/// only at the end, so one byte is set aside for it (bodies under 128 bytes need no more) and
/// the body moved along when it needs more. On error the output is taken back to `start`.
fn write_growing<V: Encode<MessagePackHubProtocol>, O: Output + ?Sized>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    out: &mut O,
    start: usize,
) -> Result<usize, Error> {
    out.put(&[0]);
    let framed = emit(p, message, &mut *out);
    // Most bodies are under 128 bytes: the set-aside byte is the whole prefix.
    if let (Ok(()), [prefix, rest @ ..]) = (&framed, out.written_since(start)) {
        if rest.len() < 0x80 {
            *prefix = rest.len() as u8;
            return Ok(1 + rest.len());
        }
    }
    let framed = framed.and_then(|()| {
        let len = out.written_since(start).len() - 1;
        varint::prefix_for(len).map(|(prefix, n)| (prefix, n, len))
    });
    let (prefix, n, len) = match framed {
        Ok(framed) => framed,
        Err(e) => {
            out.rewind(start);
            return Err(e);
        }
    };
    if n > 1 {
        out.put(&prefix[..n - 1]);
        out.written_since(start).copy_within(1..1 + len, n);
    }
    out.written_since(start)[..n].copy_from_slice(&prefix[..n]);
    Ok(n + len)
}

/// Writes the body alone after checking room.
pub(crate) fn write_body<V: Encode<MessagePackHubProtocol>, O: Output + ?Sized>(
    p: &MessagePackHubProtocol,
    message: &HubMessage<'_, V, impl Ownership>,
    out: &mut O,
) -> Result<usize, Error> {
    let len = body_len(p, message)?;
    if out.remaining() < len {
        return Err(Error::buffer_too_small(len));
    }
    emit(p, message, out)?;
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortest_integers() {
        for (v, bytes) in [
            (0i64, &[0x00][..]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (146, &[0xcc, 0x92]),
            (256, &[0xcd, 0x01, 0x00]),
            (65536, &[0xce, 0x00, 0x01, 0x00, 0x00]),
            (1 << 32, &[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-129, &[0xd1, 0xff, 0x7f]),
            (-32769, &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (i64::MIN, &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ] {
            let mut s = Scratch::new();
            s.sint(v);
            assert_eq!(s.bytes(), bytes, "{v}");
        }
    }

    /// Runs an `rmp::encode` function into a small slice and reports how much it wrote.
    fn encode_into(buf: &mut [u8], f: impl FnOnce(&mut &mut [u8]) -> bool) -> usize {
        let total = buf.len();
        let mut w: &mut [u8] = buf;
        if f(&mut w) {
            total - w.len()
        } else {
            0
        }
    }

    #[test]
    fn numbers_booleans_and_ext_headers_match_rmp() {
        let mut edges = Vec::new();
        for base in [0i64, 32, 127, 128, 255, 256, 65535, 65536, 1 << 31, u32::MAX as i64, 1 << 32, i64::MAX] {
            for d in [-1, 0, 1] {
                let v = base.saturating_add(d);
                edges.extend([v, v.saturating_neg(), v.saturating_neg().saturating_sub(1)]);
            }
        }
        edges.push(i64::MIN);
        for v in edges {
            let mut s = Scratch::new();
            s.sint(v);
            let mut expected = [0u8; 10];
            let n = encode_into(&mut expected, |w| rmp::encode::write_sint(w, v).is_ok());
            assert_eq!(s.bytes(), &expected[..n], "sint {v}");
            // Both ways of choosing the width (the other one is `small`'s or the host's).
            let (mut by_width, mut by_range) = (Scratch::new(), Scratch::new());
            by_width.sint_by_width(v);
            by_range.sint_by_range(v);
            assert_eq!(by_width.bytes(), by_range.bytes(), "sint {v}");
            let u = v as u64;
            let mut s = Scratch::new();
            s.uint(u);
            let n = encode_into(&mut expected, |w| rmp::encode::write_uint(w, u).is_ok());
            assert_eq!(s.bytes(), &expected[..n], "uint {u}");
        }
        for v in [false, true] {
            let mut s = Scratch::new();
            s.bool(v);
            let mut expected = [0u8; 10];
            let n = encode_into(&mut expected, |w| rmp::encode::write_bool(w, v).is_ok());
            assert_eq!(s.bytes(), &expected[..n], "bool {v}");
        }
        for len in [0usize, 1, 2, 3, 4, 5, 8, 12, 16, 17, 255, 256, 65535, 65536, u32::MAX as usize] {
            for ty in [-1i8, 0, 5, i8::MIN, i8::MAX] {
                let mut s = Scratch::new();
                s.ext_meta(len, ty).unwrap();
                let mut expected = [0u8; 10];
                let n = encode_into(&mut expected, |w| rmp::encode::write_ext_meta(w, len as u32, ty).is_ok());
                assert_eq!(s.bytes(), &expected[..n], "ext {len} {ty}");
            }
        }
    }

    #[test]
    fn length_headers_match_rmp() {
        let lens = [0usize, 1, 15, 16, 31, 32, 255, 256, 65535, 65536, u32::MAX as usize];
        type Ours = fn(&mut Scratch, usize) -> Result<(), Error>;
        type Theirs = fn(&mut &mut [u8], u32) -> bool;
        let kinds: [(&str, Ours, Theirs); 4] = [
            ("str", Scratch::str_len, |w, n| rmp::encode::write_str_len(w, n).is_ok()),
            ("bin", Scratch::bin_len, |w, n| rmp::encode::write_bin_len(w, n).is_ok()),
            ("array", Scratch::array_len, |w, n| rmp::encode::write_array_len(w, n).is_ok()),
            ("map", Scratch::map_len, |w, n| rmp::encode::write_map_len(w, n).is_ok()),
        ];
        for (name, ours, theirs) in kinds {
            for len in lens {
                let mut s = Scratch::new();
                ours(&mut s, len).unwrap();
                let mut expected = [0u8; 10];
                let n = encode_into(&mut expected, |w| theirs(w, len as u32));
                assert_eq!(s.bytes(), &expected[..n], "{name} {len}");
            }
        }
    }

    #[test]
    fn string_headers() {
        for (len, bytes) in [
            (0usize, &[0xa0][..]),
            (31, &[0xbf]),
            (32, &[0xd9, 32]),
            (255, &[0xd9, 255]),
            (256, &[0xda, 1, 0]),
            (65536, &[0xdb, 0, 1, 0, 0]),
        ] {
            let mut s = Scratch::new();
            s.str_len(len).unwrap();
            assert_eq!(s.bytes(), bytes, "{len}");
        }
    }
}
