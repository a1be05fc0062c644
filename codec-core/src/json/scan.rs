//! The JSON scanner both JSON readers use: where a string, a number, a literal or a whole value
//! ends, validating the grammar on the way. Not API: public (and hidden from the docs) so that
//! the JSON hub protocol's envelope reader (`signalr-codec-json`) scans with the same code as
//! [`JsonReader`](super::JsonReader); it may change in any release.
//!
//! A [`Scanner`] is a position in a [`Source`]: a `&str` (the envelope reader, which checks the
//! record's UTF-8 once, up front) or a `&[u8]` ([`JsonReader`](super::JsonReader), which checks
//! the UTF-8 of each span it hands out). Its methods are generic, so each reader gets the
//! scanner compiled into its own crate, as if it were its own code. Failures are a [`Fail`]: a
//! kind and an offset in one word, so that results stay small; the readers turn them into
//! their own errors only when one happens. Nothing here allocates or recurses: nesting is
//! tracked with a bit per level (up to [`MAX_SUPPORTED_DEPTH`]), so hostile nesting costs no
//! stack.
//!
//! Strings are scanned for quotes, backslashes and control characters only, a word (eight bytes on a 64-bit host) at a
//! time; bytes of 0x80 and above pass as they are.

use crate::limits::MAX_SUPPORTED_DEPTH;

/// Why scanning stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailKind {
    /// Malformed JSON (or the record ends early).
    Syntax,
    /// Nested deeper than allowed.
    Depth,
}

/// A scanning failure and where it happened, in one word (offset and kind packed, so that
/// results stay small and copy cheaply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail(usize);

impl Fail {
    #[inline(always)]
    pub const fn new(kind: FailKind, at: usize) -> Self {
        Fail(at << 1 | matches!(kind, FailKind::Depth) as usize)
    }

    /// Where.
    #[inline]
    pub const fn at(self) -> usize {
        self.0 >> 1
    }

    /// Why.
    #[inline]
    pub const fn kind(self) -> FailKind {
        if self.0 & 1 == 1 {
            FailKind::Depth
        } else {
            FailKind::Syntax
        }
    }
}

pub type Scan<T> = Result<T, Fail>;

#[cold]
#[inline(never)]
fn syntax(at: usize) -> Fail {
    Fail::new(FailKind::Syntax, at)
}

/// What a [`Scanner`] reads: bytes, and how it hands out a span of them.
pub trait Source<'a>: Copy {
    /// A span of the source: `&str` for a `&str`, `&[u8]` for bytes.
    type Slice: Copy;

    /// Speed over size: the string scan and the property-name read are inlined where they run
    /// (the envelope reader, on every message), rather than called as one copy (the pull
    /// reader, once per handshake, also on firmware that counts its flash).
    const INLINE: bool;

    /// The bytes.
    fn bytes(self) -> &'a [u8];

    /// The bytes `start..end` (empty when out of range).
    fn slice(self, start: usize, end: usize) -> Self::Slice;
}

impl<'a> Source<'a> for &'a str {
    type Slice = &'a str;
    const INLINE: bool = true;

    #[inline(always)]
    fn bytes(self) -> &'a [u8] {
        self.as_bytes()
    }

    /// (Always on ASCII delimiters, so on character boundaries.)
    #[inline(always)]
    fn slice(self, start: usize, end: usize) -> &'a str {
        self.get(start..end).unwrap_or("")
    }
}

impl<'a> Source<'a> for &'a [u8] {
    type Slice = &'a [u8];
    const INLINE: bool = false;

    #[inline(always)]
    fn bytes(self) -> &'a [u8] {
        self
    }

    #[inline(always)]
    fn slice(self, start: usize, end: usize) -> &'a [u8] {
        self.get(start..end).unwrap_or(&[])
    }
}

/// A string as it appears in the input (between its quotes).
#[derive(Debug, Clone, Copy)]
pub struct Str<T> {
    /// The text between the quotes, escapes not decoded.
    pub raw: T,
    /// The offset of the opening quote, shifted left once; the low bit: has escapes. (No bool
    /// field: no padding, so copies of results holding it stay cheap.)
    meta: usize,
}

impl<T> Str<T> {
    /// True when it contains a backslash escape.
    #[inline(always)]
    pub const fn escaped(&self) -> bool {
        self.meta & 1 == 1
    }

    /// Offset of the opening quote.
    #[inline(always)]
    pub const fn at(&self) -> usize {
        self.meta >> 1
    }
}

/// Bytes in a machine word: plain string bytes are skipped a word at a time. A `usize`, not a
/// `u64`: on a 32-bit device each 64-bit operation is two; on a 64-bit host the two are the
/// same.
const WORD: usize = core::mem::size_of::<usize>();
const LO: usize = usize::MAX / 255;
const HI: usize = LO * 0x80;

/// The index of the first byte of `w` (in memory order) that is `"`, `\` or a control
/// character (bytes of 0x80 and above pass), if any. Exact: the tests below report false
/// positives only above a real hit, never below one, and never a false negative.
#[inline(always)]
fn first_special(w: usize) -> Option<usize> {
    let bits = special_bits(w) & HI;
    (bits != 0).then(|| (bits.trailing_zeros() / 8) as usize)
}

/// [`first_special`] before its final test: the high bit of each byte that may be special, so
/// several words can be tested at once by or-ing their bits.
#[inline(always)]
fn special_bits(w: usize) -> usize {
    let q = w ^ (LO * b'"' as usize);
    let b = w ^ (LO * b'\\' as usize);
    let control = w.wrapping_sub(LO * 0x20) & !w;
    let quote = q.wrapping_sub(LO) & !q;
    let backslash = b.wrapping_sub(LO) & !b;
    control | quote | backslash
}

/// Skips plain string bytes from `i`, 32 at a time and then a word at a time; returns where
/// the first special byte is (or where the input's last few bytes begin).
#[inline(never)]
fn skip_plain_run(bytes: &[u8], mut i: usize) -> usize {
    while let Some(block) = bytes.get(i..).and_then(|rest| rest.first_chunk::<32>()) {
        if block_has_special(block) {
            break;
        }
        i += 32;
    }
    while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<WORD>()) {
        if let Some(at) = first_special(usize::from_le_bytes(word)) {
            return i + at;
        }
        i += WORD;
    }
    i
}

/// True when one of the 32 bytes of `block` may be special: its words tested with one branch.
#[inline(always)]
fn block_has_special(block: &[u8; 32]) -> bool {
    let mut bits = 0;
    let mut k = 0;
    while k < block.len() {
        let mut w = [0u8; WORD];
        w.copy_from_slice(&block[k..k + WORD]);
        bits |= special_bits(usize::from_le_bytes(w));
        k += WORD;
    }
    bits & HI != 0
}

/// A byte that ends a run of plain string bytes.
const fn special_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
}
static SPECIAL: [bool; 256] = special_table();

/// Is `b` JSON whitespace?
#[inline(always)]
pub const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The scanner: a position in a [`Source`].
#[derive(Clone)]
pub struct Scanner<S> {
    src: S,
    /// The offset of the next byte to read.
    pub pos: usize,
    max_depth: usize,
}

impl<'a> Scanner<&'a str> {
    /// A scanner over the valid UTF-8 prefix of `record`.
    pub fn new(record: &'a [u8], max_depth: usize) -> Self {
        let text = match crate::text::to_str(record) {
            Ok(text) => text,
            // Only what lies before the first invalid byte can be read; whatever the object
            // needs beyond it is a syntax error where the valid text ends.
            Err(valid) => crate::text::to_str(&record[..valid]).unwrap_or(""),
        };
        Scanner::over(text, max_depth)
    }

    /// The record's text (its valid UTF-8 prefix).
    pub fn text(&self) -> &'a str {
        self.src
    }
}

impl<'a, S: Source<'a>> Scanner<S> {
    /// A scanner at the start of `src`, allowing `max_depth` nested containers (at most
    /// [`MAX_SUPPORTED_DEPTH`]).
    #[inline]
    pub fn over(src: S, max_depth: usize) -> Self {
        Scanner { src, pos: 0, max_depth: max_depth.min(MAX_SUPPORTED_DEPTH) }
    }

    #[inline(always)]
    fn bytes(&self) -> &'a [u8] {
        self.src.bytes()
    }

    /// The source's bytes `start..end` (empty when out of range).
    #[inline(always)]
    pub fn slice(&self, start: usize, end: usize) -> S::Slice {
        self.src.slice(start, end)
    }

    /// The byte `n` places after the current position, without skipping whitespace; 0 past the
    /// end.
    #[inline(always)]
    pub fn peek_at(&self, n: usize) -> u8 {
        self.bytes().get(self.pos + n).copied().unwrap_or(0)
    }

    /// Skips whitespace and returns the next byte (0 at the end), without consuming it. (With
    /// `small`, a call where the readers use it: it runs at every token.)
    #[cfg_attr(not(feature = "small"), inline(always))]
    pub fn peek(&mut self) -> u8 {
        let bytes = self.bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !is_ws(b) {
                return b;
            }
            self.pos += 1;
        }
        0
    }

    /// Consumes `b` (after whitespace) or fails.
    #[inline(always)]
    pub fn expect(&mut self, b: u8) -> Scan<()> {
        if self.peek() == b {
            self.pos += 1;
            Ok(())
        } else {
            Err(syntax(self.pos))
        }
    }

    /// Reads a string; the scanner is on its opening quote (after whitespace).
    #[inline]
    pub fn string(&mut self) -> Scan<Str<S::Slice>> {
        let at = self.pos;
        let start = at + 1;
        let (end, escaped) = self.string_end(start)?;
        self.pos = end + 1;
        Ok(Str { raw: self.slice(start, end), meta: at << 1 | escaped as usize })
    }

    /// Finds the closing quote of a string whose content starts at `i`; validates escapes and
    /// rejects raw control characters. Inlined, or one copy (see [`Source::INLINE`]).
    #[inline(always)]
    fn string_end(&self, i: usize) -> Scan<(usize, bool)> {
        if S::INLINE {
            self.scan_string(i)
        } else {
            self.scan_string_once(i)
        }
    }

    /// [`scan_string`](Self::scan_string), out of line.
    #[inline(never)]
    fn scan_string_once(&self, i: usize) -> Scan<(usize, bool)> {
        self.scan_string(i)
    }

    #[inline(always)]
    fn scan_string(&self, mut i: usize) -> Scan<(usize, bool)> {
        let bytes = self.bytes();
        let mut escaped = false;
        loop {
            // Up to four words here, a word of plain bytes at a time; a run longer than that goes
            // out of line, 32 bytes a step: the short strings most messages hold (names, ids)
            // pay for nothing more than before, long ones (text, base64) go four times faster.
            // (One copy, for size, scans the whole run a word at a time: see `Source::INLINE`.)
            let mut plain = 0;
            // (With `small`, the byte loop below alone: 68 B less code on a device.)
            while !cfg!(feature = "small") && (plain < 4 || !S::INLINE) {
                let Some(chunk) = bytes.get(i..i + WORD) else { break };
                let mut word = [0u8; WORD];
                word.copy_from_slice(chunk);
                if let Some(at) = first_special(usize::from_le_bytes(word)) {
                    // The byte the test flagged first, not a byte loop up to it: most strings
                    // end in their first or second word.
                    i += at;
                    break;
                }
                i += WORD;
                plain += 1;
            }
            if S::INLINE && plain == 4 {
                i = skip_plain_run(bytes, i);
            }
            while let Some(&b) = bytes.get(i) {
                // A table lookup where speed counts; three comparisons, and no 256-byte table
                // in flash, for the one copy a device links.
                let special = if S::INLINE { SPECIAL[b as usize] } else { b < 0x20 || b == b'"' || b == b'\\' };
                if special {
                    break;
                }
                i += 1;
            }
            match bytes.get(i) {
                Some(b'"') => return Ok((i, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    i = self.escape(i)?;
                }
                _ => return Err(syntax(i)),
            }
        }
    }

    /// Validates the escape at `i` (a backslash); returns the index after it.
    #[cold]
    fn escape(&self, i: usize) -> Scan<usize> {
        let bytes = self.bytes();
        match bytes.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
            Some(b'u') => match bytes.get(i + 2..i + 6) {
                Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(i + 6),
                _ => Err(syntax(i)),
            },
            _ => Err(syntax(i)),
        }
    }

    /// Reads a number (the scanner is on its first byte); returns its text.
    #[inline]
    pub fn number(&mut self) -> Scan<S::Slice> {
        let start = self.pos;
        self.skip_number()?;
        Ok(self.slice(start, self.pos))
    }

    /// Steps over a number (the scanner is on its first byte), validating it. Skipping a value
    /// wants no text: cutting a `&str` checks both ends for character boundaries, a third of
    /// the scan of a short number.
    #[inline]
    pub fn skip_number(&mut self) -> Scan<()> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut i = start;
        let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                i += 1;
                while digit(i) {
                    i += 1;
                }
            }
            _ => return Err(syntax(start)),
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            if !digit(i) {
                return Err(syntax(i));
            }
            while digit(i) {
                i += 1;
            }
        }
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(bytes.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digit(i) {
                return Err(syntax(i));
            }
            while digit(i) {
                i += 1;
            }
        }
        self.pos = i;
        Ok(())
    }

    /// Reads `true`, `false` or `null` (the scanner is on its first byte).
    #[inline]
    pub fn literal(&mut self) -> Scan<u8> {
        let first = self.bytes().get(self.pos).copied().unwrap_or(0);
        let word: &[u8] = match first {
            b't' => b"true",
            b'f' => b"false",
            b'n' => b"null",
            _ => return Err(syntax(self.pos)),
        };
        if self.bytes().get(self.pos..).is_some_and(|rest| rest.starts_with(word)) {
            self.pos += word.len();
            Ok(first)
        } else {
            Err(syntax(self.pos))
        }
    }

    /// Reads one scalar token (string, number or literal) without keeping it: .NET's reader
    /// reads a token before it checks its type, so a malformed token is a syntax error first.
    pub fn check_token(&mut self) -> Scan<()> {
        match self.peek() {
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.skip_number(),
            b't' | b'f' | b'n' => self.literal().map(|_| ()),
            b'{' | b'[' => Ok(()),
            _ => Err(syntax(self.pos)),
        }
    }

    /// Skips one value of any kind, validating it. `depth` is the number of containers already
    /// open around it (the envelope counts).
    pub fn skip_value(&mut self, depth: usize) -> Scan<()> {
        // A scalar here; a container in a function of its own, so that skipping the scalars
        // most arguments are pays for none of the container walk's registers. (One function
        // for size: see `Source::INLINE`.)
        if !S::INLINE {
            return self.skip_nested(depth);
        }
        match self.peek() {
            b'"' => {
                let (end, _) = self.string_end(self.pos + 1)?;
                self.pos = end + 1;
                Ok(())
            }
            b'-' | b'0'..=b'9' => self.skip_number(),
            b't' | b'f' | b'n' => self.literal().map(|_| ()),
            _ => self.skip_nested(depth),
        }
    }

    /// [`skip_value`](Self::skip_value) for a value that may nest (and for what is no value,
    /// to fail as the walk does).
    #[inline(never)]
    fn skip_nested(&mut self, depth: usize) -> Scan<()> {
        // One bit per open container inside the value: 1 = object, 0 = array. In words of the
        // machine's width (a 64-bit shift is a library call on a 32-bit device).
        const BITS: usize = usize::BITS as usize;
        let mut kinds = [0usize; MAX_SUPPORTED_DEPTH / BITS];
        let mut level = 0usize;
        loop {
            // A value.
            match self.peek() {
                b'"' => {
                    let (end, _) = self.string_end(self.pos + 1)?;
                    self.pos = end + 1;
                }
                b'-' | b'0'..=b'9' => {
                    self.skip_number()?;
                }
                b't' | b'f' | b'n' => {
                    self.literal()?;
                }
                open @ (b'{' | b'[') => {
                    if depth + level >= self.max_depth {
                        return Err(Fail::new(FailKind::Depth, self.pos));
                    }
                    self.pos += 1;
                    let object = open == b'{';
                    let close = if object { b'}' } else { b']' };
                    if self.peek() == close {
                        self.pos += 1;
                    } else {
                        let bit = 1usize << (level % BITS);
                        if object {
                            kinds[level / BITS] |= bit;
                            self.first_key()?;
                        } else {
                            kinds[level / BITS] &= !bit;
                        }
                        level += 1;
                        continue;
                    }
                }
                _ => return Err(syntax(self.pos)),
            }
            // After a value: the next element, or close containers.
            loop {
                if level == 0 {
                    return Ok(());
                }
                let in_object = kinds[(level - 1) / BITS] & (1usize << ((level - 1) % BITS)) != 0;
                match self.peek() {
                    b',' => {
                        self.pos += 1;
                        if in_object {
                            if S::INLINE {
                                self.key()?;
                            } else {
                                self.first_key()?;
                            }
                        }
                        break;
                    }
                    b'}' if in_object => {
                        self.pos += 1;
                        level -= 1;
                    }
                    b']' if !in_object => {
                        self.pos += 1;
                        level -= 1;
                    }
                    _ => return Err(syntax(self.pos)),
                }
            }
        }
    }

    /// Inside an object being skipped: its first property name and colon (out of line: the
    /// same as [`key`](Self::key), kept out of `skip_value` so that a value without objects
    /// pays nothing for it); every property name where [`Source::INLINE`] is false.
    #[inline(never)]
    fn first_key(&mut self) -> Scan<()> {
        self.key()
    }

    /// Inside an object being skipped: a property name and its colon. (Inlined where it runs
    /// for every property after the first, when [`Source::INLINE`].)
    #[inline(always)]
    fn key(&mut self) -> Scan<()> {
        if self.peek() != b'"' {
            return Err(syntax(self.pos));
        }
        let (end, _) = self.string_end(self.pos + 1)?;
        self.pos = end + 1;
        self.expect(b':')
    }

    /// Skips one value and returns its exact text.
    #[inline]
    pub fn raw_value(&mut self, depth: usize) -> Scan<S::Slice> {
        self.peek();
        let start = self.pos;
        self.skip_value(depth)?;
        Ok(self.slice(start, self.pos))
    }

    /// After a property value: `,` then the next name (`Some`), or `}` (`None`).
    #[inline]
    pub fn next_property(&mut self, first: bool) -> Scan<Option<Str<S::Slice>>> {
        let b = self.peek();
        if b == b'}' {
            self.pos += 1;
            return Ok(None);
        }
        if !first {
            if b != b',' {
                return Err(syntax(self.pos));
            }
            self.pos += 1;
            if self.peek() != b'"' {
                return Err(syntax(self.pos));
            }
        } else if b != b'"' {
            return Err(syntax(self.pos));
        }
        let name = self.string()?;
        self.expect(b':')?;
        Ok(Some(name))
    }

    /// The maximum nesting depth.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn skip(input: &str) -> Scan<&str> {
        let mut s = Scanner::new(input.as_bytes(), 64);
        let raw = s.raw_value(0)?;
        if s.peek() != 0 {
            return Err(Fail::new(FailKind::Syntax, s.pos));
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
            "\"héllo 😀 and some more text\"",
            "[]",
            "{}",
            "[1,[2,{\"a\":[3,{}]}],\"x\"]",
            " { \"a\" : [ true , false , null ] } ",
            "\"0123456789abcdefghij\\\"0123456789\"",
        ] {
            assert_eq!(skip(ok).unwrap(), ok.trim(), "{ok}");
        }
    }

    /// Strings of every length up to past three 32-byte blocks, with the byte that matters at
    /// every position: the word and block tests must never step over it.
    #[test]
    fn long_strings_find_every_special_byte() {
        use alloc::format;
        for len in 0..110 {
            let plain = "a".repeat(len);
            let text = format!("\"{plain}\"");
            assert_eq!(skip(&text).unwrap(), text, "{len}");
            for at in 0..=len {
                let (head, tail) = plain.split_at(at);
                let escaped = format!("\"{head}\\n{tail}\"");
                assert_eq!(skip(&escaped).unwrap(), escaped, "{len} {at}");
                let quoted = format!("\"{head}\\\"{tail}\"");
                assert_eq!(skip(&quoted).unwrap(), quoted, "{len} {at}");
                let control = format!("\"{head}\u{1}{tail}\"");
                assert_eq!(skip(&control).unwrap_err().at(), 1 + at, "{len} {at}");
                let early = format!("\"{head}\",{tail}");
                let mut s = Scanner::new(early.as_bytes(), 64);
                assert_eq!(s.raw_value(0).unwrap(), &early[..at + 2], "{len} {at}");
            }
        }
    }

    /// Where a byte-at-a-time reading of the string after the opening quote at 0 ends: the
    /// closing quote's index, or the index of the first byte a string cannot hold.
    fn string_end_by_bytes(text: &[u8]) -> Result<usize, usize> {
        let mut i = 1;
        while let Some(&b) = text.get(i) {
            match b {
                b'"' => return Ok(i),
                b'\\' => match text.get(i + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') if text.get(i + 2..i + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) => i += 6,
                    _ => return Err(i),
                },
                0x00..=0x1f => return Err(i),
                _ => i += 1,
            }
        }
        Err(i)
    }

    proptest::proptest! {
        /// Strings of plain, multi-byte, control, quote and backslash pieces in any order: the
        /// word-at-a-time scan (which takes the first byte its bit tests flag) ends where a
        /// byte-at-a-time reading does, or fails on the same byte.
        #[test]
        fn strings_end_where_a_byte_reading_ends(
            pieces in proptest::collection::vec(
                proptest::sample::select(&["a", "~", " ", "\u{e9}", "\u{1f600}", "\u{7f}", "\\\"", "\\\\", "\\n", "\\u00e9", "\u{1}", "\u{1f}", "\"", "\\"][..]),
                0..80,
            )
        ) {
            let text = alloc::format!("\"{}\"", pieces.concat());
            let mut scanner = Scanner::new(text.as_bytes(), 64);
            let scanned = scanner.string().map(|_| scanner.pos - 1).map_err(|f| f.at());
            proptest::prop_assert_eq!(scanned, string_end_by_bytes(text.as_bytes()), "{:?}", text);
        }
    }

    /// Text every JSON reader must refuse (the core's `JsonReader` tests use it too).
    pub(crate) const INVALID: &[&str] = &[
        "",
        "01",
        "-",
        "1.",
        "1e",
        ".5",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\"}",
        "[1 2]",
        "{1:2}",
        "\"\\x\"",
        "\"\\u12\"",
        "\"a\nb\"",
        "\"abc",
        "tru",
        "nul",
        "[",
        "{\"a\":",
        "[1}",
        "{\"a\":1]",
        "'a'",
        "\"0123456789\u{1}0123\"",
    ];

    #[test]
    fn rejects_invalid_values() {
        for bad in INVALID {
            assert!(skip(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(65) + &"]".repeat(65);
        assert_eq!(skip(&deep).unwrap_err().kind(), FailKind::Depth);
        let ok = "[".repeat(64) + &"]".repeat(64);
        assert!(skip(&ok).is_ok());
        let huge = "[".repeat(100_000);
        assert!(Scanner::new(huge.as_bytes(), 1000).skip_value(0).is_err());
    }

    #[test]
    fn invalid_utf8_ends_the_text() {
        let mut bytes = b"\"ab".to_vec();
        bytes.extend_from_slice(&[0xC3, 0x28, b'"']);
        assert!(Scanner::new(&bytes, 64).skip_value(0).is_err());
        let mut ok = b"[1] ".to_vec();
        ok.push(0xFF);
        let mut s = Scanner::new(&ok, 64);
        assert_eq!(s.raw_value(0).unwrap(), "[1]");
    }

    #[test]
    fn bytes_scan_as_text_does() {
        let input =
            " [1, {\"a\" : [true, null]}, \"x\\\"y\", \"h\u{e9}llo \u{1f600}, and more than eight bytes\"] tail";
        let mut text = Scanner::new(input.as_bytes(), 64);
        let mut bytes = Scanner::over(input.as_bytes(), 64);
        assert_eq!(text.raw_value(0).unwrap().as_bytes(), bytes.raw_value(0).unwrap());
        assert_eq!(text.pos, bytes.pos);
        assert_eq!(text.pos, input.len() - " tail".len());
    }

    #[test]
    fn depth_counts_the_containers_around() {
        assert!(Scanner::over(&b"[[]]"[..], 64).skip_value(62).is_ok());
        assert_eq!(Scanner::over(&b"[[]]"[..], 64).skip_value(63).unwrap_err().kind(), FailKind::Depth);
    }
}
