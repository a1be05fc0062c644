//! A small validating JSON reader over bytes: no allocation, no recursion, bounded depth.
//!
//! The handshake is JSON for every hub protocol, so the core needs to read JSON without serde or
//! an allocator. Strings, numbers, literals and whole values are scanned by [`scan`], the one
//! JSON scanner of the workspace: the JSON hub protocol's envelope reader scans with it too.
//!
//! ```
//! use signalr_codec_core::json::JsonReader;
//! let mut r = JsonReader::new(br#"{"protocol":"json","version":1}"#, 64);
//! let mut obj = r.begin_object().unwrap();
//! while let Some(name) = r.next_property(&mut obj).unwrap() {
//!     if name.eq_str("protocol") {
//!         assert_eq!(r.read_string().unwrap().to_text().unwrap(), "json");
//!     } else {
//!         assert_eq!(r.raw_value().unwrap(), "1");
//!     }
//! }
//! ```

mod escape;
#[cfg(feature = "unicode-table")]
mod escape_table;
mod number;
#[doc(hidden)]
pub mod scan;

pub use escape::{escaped_len, string_len, write_escaped, write_member_name, write_string};
pub use number::{i64_len, write_i64, write_u64};

use core::fmt;

use crate::error::{Error, ErrorKind};
use crate::limits::MAX_SUPPORTED_DEPTH;
use crate::text::Text;

use scan::{Fail, FailKind, Scanner};

/// The kind of the next JSON token, named as System.Text.Json names token types in .NET errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// End of input.
    None,
    /// `{`
    Object,
    /// `}`
    EndObject,
    /// `[`
    Array,
    /// `]`
    EndArray,
    /// A string.
    String,
    /// A number.
    Number,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// Anything else (not valid JSON here).
    Invalid,
}

impl TokenType {
    /// The name .NET uses in `Unexpected JSON Token Type '{name}'`.
    pub const fn dotnet_name(self) -> &'static str {
        match self {
            TokenType::None => "None",
            TokenType::Object => "Object",
            TokenType::EndObject => "EndObject",
            TokenType::Array => "Array",
            TokenType::EndArray => "EndArray",
            TokenType::String => "String",
            TokenType::Number => "Number",
            TokenType::True => "True",
            TokenType::False => "False",
            TokenType::Null => "Null",
            TokenType::Invalid => "Invalid",
        }
    }
}

/// A JSON string as it appears in the input (between the quotes), validated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
    offset: usize,
}

impl<'a> JsonStr<'a> {
    /// The text between the quotes, escapes not decoded.
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// True when the string contains escapes (decoding it needs storage).
    pub const fn has_escapes(&self) -> bool {
        self.escaped
    }

    /// Offset of the opening quote in the input.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// The decoded string: borrowed when it has no escapes; otherwise owned (`alloc`), or inline
    /// when it fits [`INLINE_CAPACITY`](crate::text::INLINE_CAPACITY) without an allocator
    /// (feature `inline-text`). Errors on an unpaired surrogate escape, and on any escaped
    /// string with neither (`ErrorKind::Unsupported`).
    pub fn to_text(&self) -> Result<Text<'a>, Error> {
        if !self.escaped {
            return Ok(Text::borrowed(self.raw));
        }
        #[cfg(feature = "alloc")]
        {
            // Sized exactly by a first pass, so that the text's `Box<str>` takes the string
            // without a reallocation: one allocation per escaped string.
            let mut len = 0;
            for c in self.chars() {
                len += c.map_err(|e| e.at(self.offset))?.len_utf8();
            }
            let mut s = alloc::string::String::with_capacity(len);
            s.extend(self.chars().flatten());
            Ok(Text::owned(s))
        }
        #[cfg(all(not(feature = "alloc"), feature = "inline-text"))]
        return self.decode_inline();
        #[cfg(not(feature = "inline-text"))]
        Err(self.no_room())
    }

    /// The error for an escaped string with no room to decode it into (no allocator): the
    /// escapes are still checked to the end, so that invalid JSON stays a syntax error.
    #[cfg_attr(feature = "alloc", allow(dead_code))] // With `alloc`, called by tests only.
    fn no_room(&self) -> Error {
        match unescape(self.raw.as_bytes(), &mut |_| true) {
            Err(LoneSurrogate) => lone_surrogate().at(self.offset),
            Ok(_) => {
                Error::new(ErrorKind::Unsupported, "An escaped JSON string is too long to decode without an allocator.")
                    .at(self.offset)
            }
        }
    }

    /// [`to_text`](Self::to_text) of an escaped string without an allocator: decoded into the
    /// text's inline room.
    #[cfg(feature = "inline-text")]
    #[cfg_attr(feature = "alloc", allow(dead_code))] // Tested with `alloc` too.
    fn decode_inline(&self) -> Result<Text<'a>, Error> {
        let mut s = heapless::Vec::<u8, { crate::text::INLINE_CAPACITY }>::new();
        match unescape(self.raw.as_bytes(), &mut |piece| s.extend_from_slice(piece).is_ok()) {
            Ok(true) => {}
            Ok(false) => return Err(self.no_room()),
            Err(LoneSurrogate) => return Err(lone_surrogate().at(self.offset)),
        }
        // Valid UTF-8: the raw text's own bytes and whole encoded characters.
        let text = crate::text::to_str(&s).unwrap_or("");
        Ok(Text::inline(text).unwrap_or(Text::borrowed("")))
    }

    /// Compares the decoded string with `s`, without allocating.
    pub fn eq_str(&self, s: &str) -> bool {
        if !self.escaped {
            return self.raw == s;
        }
        // Compared as UTF-8 bytes, piece by piece as the escapes are decoded.
        let mut expected = s.as_bytes();
        let whole = unescape(self.raw.as_bytes(), &mut |piece| match expected.strip_prefix(piece) {
            Some(rest) => {
                expected = rest;
                true
            }
            None => false,
        });
        whole == Ok(true) && expected.is_empty()
    }

    /// The decoded characters (an unpaired surrogate escape is an error item).
    pub fn chars(&self) -> impl Iterator<Item = Result<char, Error>> + 'a {
        Unescape { rest: self.raw.as_bytes() }
    }
}

impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.raw)
    }
}

struct Unescape<'a> {
    rest: &'a [u8],
}

impl Iterator for Unescape<'_> {
    type Item = Result<char, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        let first = *self.rest.first()?;
        if first != b'\\' {
            // `raw` is valid UTF-8 and `rest` always starts on a character: the lead byte gives
            // the width. Decoded here rather than through `str` slicing and `Chars`, whose
            // boundary checks and panic path cost a device 400 bytes of flash.
            let width = match first {
                0..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let (bytes, rest) = self.rest.split_at_checked(width)?;
            let lead = u32::from(first) & if width == 1 { 0x7F } else { 0x7F >> width };
            let code = bytes[1..].iter().fold(lead, |code, &b| code << 6 | u32::from(b & 0x3F));
            self.rest = rest;
            return char::from_u32(code).map(Ok);
        }
        let (code, used) = decode_escape(self.rest);
        self.rest = self.rest.get(used..).unwrap_or_default();
        Some(
            code.map_err(|LoneSurrogate| lone_surrogate())
                .and_then(|code| char::from_u32(code).ok_or_else(lone_surrogate)),
        )
    }
}

/// An unpaired surrogate escape (`\\uD800` alone): no character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LoneSurrogate;

/// Decodes the escapes of validated string contents `raw`, handing the UTF-8 bytes to `emit`
/// a piece at a time: unescaped bytes as they are (the raw text is UTF-8 already, so nothing is
/// decoded), each escape as its encoded character. `Ok(false)` when `emit` refused a piece.
///
/// What [`JsonStr::eq_str`] and the inline [`JsonStr::to_text`] read with; [`JsonStr::chars`]
/// decodes the same characters one by one (a test compares them). Without decoding every raw
/// character into a `char` and back: 188 B less code on a device (`firmware/check codec`).
fn unescape(raw: &[u8], emit: &mut dyn FnMut(&[u8]) -> bool) -> Result<bool, LoneSurrogate> {
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b != b'\\' {
            if !emit(&[b]) {
                return Ok(false);
            }
            i += 1;
            continue;
        }
        let (code, used) = decode_escape(&raw[i..]);
        let code = code?;
        i += used;
        // UTF-8 by hand: `code` is a scalar value (`decode_escape` refuses surrogate halves).
        let (lead, n): (u32, usize) = match code {
            0..=0x7F => (0, 1),
            0x80..=0x7FF => (0xC0, 2),
            0x800..=0xFFFF => (0xE0, 3),
            _ => (0xF0, 4),
        };
        let mut utf8 = [0u8; 4];
        let mut rest = code;
        for k in (1..n).rev() {
            utf8[k] = 0x80 | (rest & 0x3F) as u8;
            rest >>= 6;
        }
        utf8[0] = (lead | rest) as u8;
        if !emit(&utf8[..n]) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The escape at the start of `rest` (a backslash, validated by the scanner): the code point it
/// stands for, or an unpaired surrogate half, and the bytes it takes (a surrogate pair is two
/// `\u` escapes, twelve bytes). What both unescapers decode escapes with.
fn decode_escape(rest: &[u8]) -> (Result<u32, LoneSurrogate>, usize) {
    let code = match rest.get(1).copied().unwrap_or(b'\\') {
        b'b' => 0x08,
        b'f' => 0x0C,
        b'n' => 0x0A,
        b'r' => 0x0D,
        b't' => 0x09,
        b'u' => {
            let hi = hex4(rest, 2);
            return match hi {
                0xDC00..=0xDFFF => (Err(LoneSurrogate), 6),
                0xD800..=0xDBFF => {
                    // The low half must follow as an escape of its own.
                    if rest.get(6..8) != Some(b"\\u") || rest.len() < 12 {
                        return (Err(LoneSurrogate), 6);
                    }
                    let lo = hex4(rest, 8);
                    if !(0xDC00..=0xDFFF).contains(&lo) {
                        return (Err(LoneSurrogate), 12);
                    }
                    (Ok(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)), 12)
                }
                _ => (Ok(hi), 6),
            };
        }
        // `"`, `\\` and `/` stand for themselves.
        other => u32::from(other),
    };
    (Ok(code), 2)
}

/// The four hex digits at `raw[at..]` (validated by the scanner), as a number: a digit's low
/// four bits, plus nine for a letter (`A`–`F` and `a`–`f` have bit 6 set, digits do not).
fn hex4(raw: &[u8], at: usize) -> u32 {
    raw.get(at..at + 4).unwrap_or_default().iter().fold(0, |v, &d| v << 4 | u32::from((d & 0x0F) + 9 * (d >> 6)))
}

fn lone_surrogate() -> Error {
    Error::new(ErrorKind::Syntax, "Invalid JSON: a \\u escape encodes an unpaired surrogate.")
}

/// Progress through an object: passed back to [`JsonReader::next_property`].
#[derive(Debug)]
pub struct ObjectState {
    first: bool,
}

/// Progress through an array: passed back to [`JsonReader::next_element`].
#[derive(Debug)]
pub struct ArrayState {
    first: bool,
}

/// A pull reader over one JSON text. Every method validates what it passes over.
#[derive(Debug, Clone)]
pub struct JsonReader<'a> {
    input: &'a [u8],
    /// The input, when it is known to be UTF-8 (made by [`from_text`](JsonReader::from_text)):
    /// spans are then sliced from it, not validated again.
    text: Option<&'a str>,
    pos: usize,
    depth: usize,
    max_depth: usize,
}

fn syntax(msg: &'static str, at: usize) -> Error {
    Error::new(ErrorKind::Syntax, msg).at(at)
}

const DEPTH_EXCEEDED: &str = "The JSON nesting depth exceeds the configured maximum.";

impl<'a> JsonReader<'a> {
    /// A reader over `input`, allowing `max_depth` nested containers (at most 256).
    pub fn new(input: &'a [u8], max_depth: usize) -> Self {
        JsonReader { input, text: None, pos: 0, depth: 0, max_depth: max_depth.min(MAX_SUPPORTED_DEPTH) }
    }

    /// A reader over text, as [`new`](JsonReader::new): the strings and values it hands out are
    /// slices of `input`, without checking their UTF-8 again.
    pub fn from_text(input: &'a str, max_depth: usize) -> Self {
        JsonReader { text: Some(input), ..JsonReader::new(input.as_bytes(), max_depth) }
    }

    /// `input[start..end]` as text: sliced from the text the reader was made with, or checked.
    #[inline]
    fn span(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        match self.text {
            // The scanner stops only on ASCII delimiters: always a character boundary.
            Some(text) => Ok(text.get(start..end).unwrap_or("")),
            None => utf8(self.input, start, end),
        }
    }

    /// The offset of the next unread byte.
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// The containers currently open.
    pub const fn depth(&self) -> usize {
        self.depth
    }

    /// The whole input.
    pub const fn input(&self) -> &'a [u8] {
        self.input
    }

    /// A scanner over the input at the current position.
    fn scanner(&self) -> Scanner<&'a [u8]> {
        let mut scanner = Scanner::over(self.input, self.max_depth);
        scanner.pos = self.pos;
        scanner
    }

    fn skip_ws(&mut self) {
        let mut scanner = self.scanner();
        scanner.peek();
        self.pos = scanner.pos;
    }

    /// The type of the next token, after whitespace (consumes only the whitespace).
    pub fn peek(&mut self) -> TokenType {
        self.skip_ws();
        match self.input.get(self.pos) {
            None => TokenType::None,
            Some(b'{') => TokenType::Object,
            Some(b'}') => TokenType::EndObject,
            Some(b'[') => TokenType::Array,
            Some(b']') => TokenType::EndArray,
            Some(b'"') => TokenType::String,
            Some(b'-' | b'0'..=b'9') => TokenType::Number,
            Some(b't') => TokenType::True,
            Some(b'f') => TokenType::False,
            Some(b'n') => TokenType::Null,
            Some(_) => TokenType::Invalid,
        }
    }

    /// True when only whitespace is left.
    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.input.len()
    }

    fn enter(&mut self) -> Result<(), Error> {
        if self.depth >= self.max_depth {
            return Err(Error::new(ErrorKind::Limit, DEPTH_EXCEEDED).at(self.pos));
        }
        self.depth += 1;
        Ok(())
    }

    /// Reads `{`.
    pub fn begin_object(&mut self) -> Result<ObjectState, Error> {
        if self.peek() != TokenType::Object {
            return Err(syntax("Invalid JSON: expected '{'.", self.pos));
        }
        self.enter()?;
        self.pos += 1;
        Ok(ObjectState { first: true })
    }

    /// Reads the next property name and its `:`, or the closing `}` (then `None`).
    pub fn next_property(&mut self, state: &mut ObjectState) -> Result<Option<JsonStr<'a>>, Error> {
        self.skip_ws();
        match self.input.get(self.pos) {
            Some(b'}') => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                return Ok(None);
            }
            Some(b',') if !state.first => {
                self.pos += 1;
                self.skip_ws();
            }
            Some(_) if state.first => {}
            Some(_) => return Err(syntax("Invalid JSON: expected ',' or '}' after a property value.", self.pos)),
            None => return Err(syntax("Invalid JSON: the input ends inside an object.", self.pos)),
        }
        state.first = false;
        if self.input.get(self.pos) != Some(&b'"') {
            return Err(syntax("Invalid JSON: expected a property name.", self.pos));
        }
        let name = self.read_string()?;
        self.skip_ws();
        if self.input.get(self.pos) != Some(&b':') {
            return Err(syntax("Invalid JSON: expected ':' after a property name.", self.pos));
        }
        self.pos += 1;
        Ok(Some(name))
    }

    /// Reads `[`.
    pub fn begin_array(&mut self) -> Result<ArrayState, Error> {
        if self.peek() != TokenType::Array {
            return Err(syntax("Invalid JSON: expected '['.", self.pos));
        }
        self.enter()?;
        self.pos += 1;
        Ok(ArrayState { first: true })
    }

    /// Moves to the next element (true) or reads the closing `]` (false).
    pub fn next_element(&mut self, state: &mut ArrayState) -> Result<bool, Error> {
        self.skip_ws();
        match self.input.get(self.pos) {
            Some(b']') => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                Ok(false)
            }
            Some(b',') if !state.first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if state.first => {
                state.first = false;
                Ok(true)
            }
            Some(_) => Err(syntax("Invalid JSON: expected ',' or ']' after an array element.", self.pos)),
            None => Err(syntax("Invalid JSON: the input ends inside an array.", self.pos)),
        }
    }

    /// Reads a string.
    pub fn read_string(&mut self) -> Result<JsonStr<'a>, Error> {
        if self.peek() != TokenType::String {
            return Err(syntax("Invalid JSON: expected a string.", self.pos));
        }
        let offset = self.pos;
        let start = self.pos + 1;
        let mut scanner = self.scanner();
        let string = scanner.string().map_err(|f| string_error(self.input, start, f))?;
        let raw = self.span(start, scanner.pos - 1)?;
        self.pos = scanner.pos;
        Ok(JsonStr { raw, escaped: string.escaped(), offset })
    }

    /// Reads a number, returning its text (validated against the JSON grammar).
    pub fn read_number(&mut self) -> Result<&'a str, Error> {
        if self.peek() != TokenType::Number {
            return Err(syntax("Invalid JSON: expected a number.", self.pos));
        }
        let start = self.pos;
        let mut scanner = self.scanner();
        // A malformed number is reported where it starts.
        let number = scanner.number().map_err(|_| syntax(MALFORMED_NUMBER, start))?;
        self.pos = scanner.pos;
        Ok(validated_str(number))
    }

    /// Reads an integer that must fit an `i64` (a fraction or exponent is a type error).
    pub fn read_i64(&mut self) -> Result<i64, Error> {
        let at = self.pos;
        let text = self.read_number()?;
        text.parse().map_err(|_| Error::new(ErrorKind::Type, "Expected an integer that fits in 64 bits.").at(at))
    }

    /// Reads `true` or `false`.
    pub fn read_bool(&mut self) -> Result<bool, Error> {
        match self.peek() {
            TokenType::True => self.literal(b"true").map(|_| true),
            TokenType::False => self.literal(b"false").map(|_| false),
            _ => Err(syntax("Invalid JSON: expected true or false.", self.pos)),
        }
    }

    /// Reads `null`.
    pub fn read_null(&mut self) -> Result<(), Error> {
        self.literal(b"null")
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), Error> {
        self.skip_ws();
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(syntax("Invalid JSON: unknown literal.", self.pos))
        }
    }

    /// Skips one value of any kind, validating it, and returns its exact text.
    pub fn raw_value(&mut self) -> Result<&'a str, Error> {
        self.skip_ws();
        let start = self.pos;
        let mut scanner = self.scanner();
        scanner.skip_value(self.depth).map_err(|f| scan_error(self.input, start, f))?;
        let raw = self.span(start, scanner.pos)?;
        self.pos = scanner.pos;
        Ok(raw)
    }

    /// Skips one value of any kind, validating it (iteratively: deep nesting costs no stack).
    pub fn skip_value(&mut self) -> Result<(), Error> {
        self.raw_value().map(|_| ())
    }
}

const MALFORMED_NUMBER: &str = "Invalid JSON: malformed number.";

/// The error for a string scan of `input` from `start` (after the opening quote) that failed.
#[cold]
#[inline(never)]
fn string_error(input: &[u8], start: usize, f: Fail) -> Error {
    if f.at() >= input.len() {
        if let Err(e) = utf8(input, start, input.len()) {
            return e;
        }
        return syntax("Invalid JSON: the input ends inside a string.", f.at());
    }
    scan_error(input, start, f)
}

/// The error for a scan of `input` from `start` that failed. The scanner says only where (and
/// whether the nesting was too deep); the text comes from what is there. Invalid UTF-8 before
/// that place comes first: the scanner passes bytes of 0x80 and above as they are.
#[cold]
#[inline(never)]
fn scan_error(input: &[u8], start: usize, f: Fail) -> Error {
    let at = f.at();
    if let Err(e) = utf8(input, start, at.min(input.len()).max(start)) {
        return e;
    }
    if f.kind() == FailKind::Depth {
        return Error::new(ErrorKind::Limit, DEPTH_EXCEEDED).at(at);
    }
    let text = match input.get(at) {
        None => "Invalid JSON: the input ends inside a value.",
        Some(b'\\') => match input.get(at + 1) {
            Some(b'u') if input.len() < at + 6 => "Invalid JSON: a \\u escape is cut short.",
            Some(b'u') => "Invalid JSON: a \\u escape needs four hex digits.",
            _ => "Invalid JSON: unknown escape in a string.",
        },
        Some(0x00..=0x1F) => "Invalid JSON: a control character in a string must be escaped.",
        Some(_) => "Invalid JSON: unexpected character.",
    };
    syntax(text, at)
}

/// `input[start..end]` as text, or the error at its first byte that is not UTF-8.
#[inline]
fn utf8(input: &[u8], start: usize, end: usize) -> Result<&str, Error> {
    crate::text::to_str(&input[start..end]).map_err(|valid| syntax(INVALID_UTF8, start + valid))
}

const INVALID_UTF8: &str = "Invalid JSON: a string is not valid UTF-8.";

/// Converts bytes the reader has validated as UTF-8.
fn validated_str(bytes: &[u8]) -> &str {
    crate::text::to_str(bytes).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(input: &str) -> Result<&str, Error> {
        let mut r = JsonReader::new(input.as_bytes(), 64);
        let raw = r.raw_value()?;
        if !r.at_end() {
            return Err(syntax("trailing input", r.position()));
        }
        Ok(raw)
    }

    #[test]
    fn skips_valid_values() {
        for ok in [
            "0",
            "-0.5e+10",
            "1E5",
            "\"a\\u00e9\\n\"",
            "\"héllo 😀\"",
            "[]",
            "{}",
            "[1,[2,{\"a\":[3,{}]}],\"x\"]",
            " { \"a\" : [ true , false , null ] } ",
            "\"0123456789abcdefghij\"",
        ] {
            assert_eq!(skip(ok).unwrap(), ok.trim(), "{ok}");
        }
    }

    #[test]
    fn rejects_invalid_values() {
        for bad in super::scan::tests::INVALID {
            assert!(skip(bad).is_err(), "{bad:?} accepted");
        }
        let mut bytes = b"\"ab".to_vec();
        bytes.extend_from_slice(&[0xC3, 0x28, b'"']);
        assert!(JsonReader::new(&bytes, 64).skip_value().is_err());
    }

    #[test]
    fn errors_name_the_problem_and_its_offset() {
        for (input, kind, text, at) in [
            (&b"\"ab"[..], ErrorKind::Syntax, "Invalid JSON: the input ends inside a value.", 3),
            (b"[1,\"a\\q\"]", ErrorKind::Syntax, "Invalid JSON: unknown escape in a string.", 5),
            (b"{\"a\" 1}", ErrorKind::Syntax, "Invalid JSON: unexpected character.", 5),
            (b"[\"\\u12\"]", ErrorKind::Syntax, "Invalid JSON: a \\u escape needs four hex digits.", 2),
            (b"[\"\\u12", ErrorKind::Syntax, "Invalid JSON: a \\u escape is cut short.", 2),
            (b"[\"a\tb\"]", ErrorKind::Syntax, "Invalid JSON: a control character in a string must be escaped.", 3),
            (b"[1 2]", ErrorKind::Syntax, "Invalid JSON: unexpected character.", 3),
            (b"[[[1]]]", ErrorKind::Limit, DEPTH_EXCEEDED, 2),
            // Invalid UTF-8 is reported at its first byte, before a syntax error after it.
            (b"[\"a\xC3\x28\"]", ErrorKind::Syntax, INVALID_UTF8, 3),
            (b"[\"a\xC3\x28\" 2]", ErrorKind::Syntax, INVALID_UTF8, 3),
            (b"[\"\xE2\"\"]", ErrorKind::Syntax, INVALID_UTF8, 2),
        ] {
            let e = JsonReader::new(input, 2).raw_value().unwrap_err();
            assert_eq!((e.kind(), e.message().to_string(), e.offset()), (kind, text.into(), Some(at)), "{input:?}");
        }
        let e = JsonReader::new(b"1.", 2).read_number().unwrap_err();
        assert_eq!((e.message().to_string(), e.offset()), ("Invalid JSON: malformed number.".into(), Some(0)));
        let e = JsonReader::new(b"\"ab", 2).read_string().unwrap_err();
        assert_eq!(
            (e.message().to_string(), e.offset()),
            ("Invalid JSON: the input ends inside a string.".into(), Some(3))
        );
        let e = JsonReader::new(b"\"\xF0\x9F\x98\"", 2).read_string().unwrap_err();
        assert_eq!((e.message().to_string(), e.offset()), (INVALID_UTF8.into(), Some(1)));
    }

    #[test]
    fn text_reads_as_bytes_do() {
        let input = "{\"a\\u0062\":[\"h\\u00e9llo\",\"é😀\",1.5e3,{\"b\":null}],\"c\":true}";
        let mut readers = [JsonReader::new(input.as_bytes(), 64), JsonReader::from_text(input, 64)];
        let mut read = readers.each_mut().map(|r| {
            let mut object = r.begin_object().unwrap();
            let mut seen = Vec::new();
            while let Some(name) = r.next_property(&mut object).unwrap() {
                seen.push((name.to_text().unwrap().to_string(), r.raw_value().unwrap()));
            }
            seen
        });
        assert_eq!(read[0], read[1]);
        let expected = [("ab", "[\"h\\u00e9llo\",\"é😀\",1.5e3,{\"b\":null}]"), ("c", "true")];
        assert_eq!(
            read[1].drain(..).map(|(n, v)| (n, v.to_string())).collect::<Vec<_>>(),
            expected.map(|(n, v)| (n.to_string(), v.to_string()))
        );
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(65) + &"]".repeat(65);
        let e = JsonReader::new(deep.as_bytes(), 64).skip_value().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(JsonReader::new(ok.as_bytes(), 64).skip_value().is_ok());
        let huge = "[".repeat(100_000);
        assert!(JsonReader::new(huge.as_bytes(), 256).skip_value().is_err());
    }

    #[test]
    fn unescapes_strings() {
        let mut r = JsonReader::new(br#""\u0064ummy \ud83d\ude00 \"q\" \/""#, 64);
        let s = r.read_string().unwrap();
        assert!(s.has_escapes());
        assert_eq!(s.to_text().unwrap(), "dummy 😀 \"q\" /");
        assert!(s.eq_str("dummy 😀 \"q\" /"));
        assert!(!s.eq_str("dummy"));
        let mut r = JsonReader::new(br#""\ud83d x""#, 64);
        assert!(r.read_string().unwrap().to_text().is_err());
    }

    #[test]
    fn unescaping_keeps_raw_characters_of_every_width() {
        // One, two, three and four UTF-8 bytes, raw, around escapes.
        let json = "\"a\\n\u{e9}\\t\u{20ac}\\u0041\u{1f600}z\"";
        let s = JsonReader::new(json.as_bytes(), 64).read_string().unwrap();
        let decoded = "a\n\u{e9}\t\u{20ac}A\u{1f600}z";
        assert_eq!(s.to_text().unwrap(), decoded);
        assert!(s.eq_str(decoded));
        assert!(!s.eq_str("a\n\u{e9}\t\u{20ac}A\u{1f600}")); // a prefix
        assert!(!s.eq_str("a\n\u{e9}\t\u{20ac}A\u{1f600}zz")); // longer
        assert!(!s.eq_str("a\n\u{e8}\t\u{20ac}A\u{1f600}z"));
    }

    /// The bytes `unescape` hands out, or its error.
    fn unescaped(raw: &str) -> Result<alloc::vec::Vec<u8>, LoneSurrogate> {
        let mut out = alloc::vec::Vec::new();
        unescape(raw.as_bytes(), &mut |piece| {
            out.extend_from_slice(piece);
            true
        })
        .map(|whole| {
            assert!(whole);
            out
        })
    }

    /// The characters `chars` decodes, as UTF-8, or whether it failed.
    fn by_chars(s: &JsonStr<'_>) -> Result<alloc::string::String, ()> {
        s.chars().map(|c| c.map_err(|_| ())).collect()
    }

    /// Every short escape, `\u` escapes of every width and surrogate pairs, and the unpaired
    /// halves: the byte unescaper and the character one agree.
    #[test]
    fn both_unescapers_agree() {
        let cases = [
            r#""plain""#,
            r#""\"\\\/\b\f\n\r\t""#,
            r#""\u0000\u0041\u00e9\u07FF\u0800\u20AC\uFFFF""#,
            r#""\ud83d\ude00 \uD800\uDC00 \uDBFF\uDFFF""#,
            r#""\ud83d x""#,
            r#""\ud83d\u0041""#,
            r#""\ude00""#,
            r#""x\ud83d""#,
            r#""\ud83d\\""#,
            "\"\u{e9}\\n\u{1f600}\"",
        ];
        for json in cases {
            let s = JsonReader::new(json.as_bytes(), 64).read_string().unwrap();
            match (unescaped(s.raw()), by_chars(&s)) {
                (Ok(bytes), Ok(text)) => assert_eq!(bytes, text.as_bytes(), "{json}"),
                (Err(LoneSurrogate), Err(())) => {}
                (a, b) => panic!("{json}: {a:?} / {b:?}"),
            }
        }
    }

    proptest::proptest! {
        /// Any text, written as .NET escapes it and with every character as a `\u` escape,
        /// reads back whole through both unescapers.
        #[test]
        fn any_text_unescapes_back(text: alloc::string::String) {
            let mut escaped = alloc::vec::Vec::from(*b"\"");
            write_escaped(&text, &mut escaped);
            escaped.push(b'"');
            let mut all = alloc::string::String::from("\"");
            for unit in text.encode_utf16() {
                all.push_str(&alloc::format!("\\u{unit:04x}"));
            }
            all.push('"');
            for json in [escaped.as_slice(), all.as_bytes()] {
                let s = JsonReader::new(json, 64).read_string().unwrap();
                proptest::prop_assert_eq!(unescaped(s.raw()).unwrap(), text.as_bytes());
                proptest::prop_assert!(s.eq_str(&text));
                proptest::prop_assert_eq!(by_chars(&s).unwrap(), text.clone());
            }
        }
    }

    /// Without an allocator an escaped string is decoded into the text's inline room: whole
    /// when it fits, `Unsupported` when it does not, an unpaired surrogate refused at the
    /// string's offset.
    #[test]
    #[cfg(feature = "inline-text")]
    fn escaped_strings_decode_inline_without_an_allocator() {
        let read = |json: &'static str| JsonReader::new(json.as_bytes(), 64).read_string().unwrap();
        assert_eq!(read(r#""\u0064ummy \ud83d\ude00""#).decode_inline().unwrap(), "dummy 😀");
        let fits = alloc::format!("\"\\n{}\"", "x".repeat(crate::text::INLINE_CAPACITY - 1));
        let s = JsonReader::new(fits.as_bytes(), 64).read_string().unwrap();
        assert_eq!(s.decode_inline().unwrap().len(), crate::text::INLINE_CAPACITY);
        let long = alloc::format!("\"\\n{}\"", "x".repeat(crate::text::INLINE_CAPACITY));
        let e = JsonReader::new(long.as_bytes(), 64).read_string().unwrap().decode_inline().unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Unsupported, Some(0)));
        let e = read(r#"  "x\ud83d""#).decode_inline().unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ErrorKind::Syntax, Some(2)));
        // Past the room, the escapes are still checked to the end.
        let late = alloc::format!("\"{}\\ud800\"", "x".repeat(crate::text::INLINE_CAPACITY + 1));
        let e = JsonReader::new(late.as_bytes(), 64).read_string().unwrap().decode_inline().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
    }
}
