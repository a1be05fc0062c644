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
//! Strings are scanned for quotes, backslashes and control characters only; bytes of 0x80 and
//! above pass as they are. The envelope reader's copy scans 16 bytes at a time with SSE2 on
//! x86_64 (a word at a time elsewhere); the other copy a word at a time, or with `small` a byte
//! at a time. Every walk keeps its position in a local, not in the scanner, and writes it back
//! once.

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

/// Bytes in a machine word: off x86_64 (and in the compact copy) plain string bytes are skipped
/// a word at a time. A `usize`, not a `u64`: on a 32-bit device each 64-bit operation is two;
/// on a 64-bit host the two are the same. (No word scan with `small`.)
#[cfg(not(feature = "small"))]
const WORD: usize = core::mem::size_of::<usize>();
#[cfg(not(feature = "small"))]
const LO: usize = usize::MAX / 255;
#[cfg(not(feature = "small"))]
const HI: usize = LO * 0x80;

/// The index of the first byte of `w` (in memory order) that is `"`, `\` or a control
/// character (bytes of 0x80 and above pass), if any. Exact: the tests below report false
/// positives only above a real hit, never below one, and never a false negative.
#[cfg(not(feature = "small"))]
#[inline(always)]
fn first_special(w: usize) -> Option<usize> {
    let bits = special_bits(w) & HI;
    (bits != 0).then(|| (bits.trailing_zeros() / 8) as usize)
}

/// [`first_special`] before its final test: the high bit of each byte that may be special, so
/// several words can be tested at once by or-ing their bits.
#[cfg(not(feature = "small"))]
#[inline(always)]
fn special_bits(w: usize) -> usize {
    let q = w ^ (LO * b'"' as usize);
    let b = w ^ (LO * b'\\' as usize);
    let control = w.wrapping_sub(LO * 0x20) & !w;
    let quote = q.wrapping_sub(LO) & !q;
    let backslash = b.wrapping_sub(LO) & !b;
    control | quote | backslash
}

/// Where the run of plain string bytes from `i` ends: the first `"`, `\` or control
/// character, or the end of the input. The fast scan, inlined where it runs (see
/// [`Source::INLINE`]): the short strings most messages hold (names, ids, keys) end in the
/// first block, read inline; a longer run (text, base64) goes out of line, several blocks a
/// step. On x86_64 a block is 16 bytes read with SSE2, elsewhere up to four words.
#[inline(always)]
fn plain_end(bytes: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "x86_64", not(feature = "small")))]
    if let Some(block) = bytes.get(i..).and_then(|rest| rest.first_chunk::<16>()) {
        let mask = sse2::special_mask(block);
        if mask != 0 {
            return i + mask.trailing_zeros() as usize;
        }
        match sse2::skip_plain_blocks(bytes, i + 16) {
            (end, true) => return end,
            (end, false) => i = end,
        }
    }
    #[cfg(not(any(target_arch = "x86_64", feature = "small")))]
    {
        let mut words = 0;
        while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<WORD>()) {
            if let Some(at) = first_special(usize::from_le_bytes(word)) {
                // The byte the test flagged first, not a byte loop up to it.
                return i + at;
            }
            i += WORD;
            words += 1;
            if words == 4 {
                i = skip_plain_run(bytes, i);
                break;
            }
        }
    }
    // The input's last bytes (and, with `small`, every byte).
    while bytes.get(i).is_some_and(|&b| !SPECIAL[b as usize]) {
        i += 1;
    }
    i
}

/// [`plain_end`] for size, in one copy: a word at a time; with `small` a byte at a time, with
/// three comparisons rather than a 256-byte table in flash (68 B less code on a device).
#[inline(always)]
fn plain_end_compact(bytes: &[u8], mut i: usize) -> usize {
    #[cfg(not(feature = "small"))]
    while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<WORD>()) {
        if let Some(at) = first_special(usize::from_le_bytes(word)) {
            return i + at;
        }
        i += WORD;
    }
    while bytes.get(i).is_some_and(|&b| !(b < 0x20 || b == b'"' || b == b'\\')) {
        i += 1;
    }
    i
}

/// Skips plain string bytes from `i`, 32 at a time and then a word at a time; returns where
/// the first special byte is (or where the input's last few bytes begin).
#[cfg(not(any(target_arch = "x86_64", feature = "small")))]
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
#[cfg(not(any(target_arch = "x86_64", feature = "small")))]
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

/// The SSE2 string scan: a string's bytes 16 at a time. (x86_64 only, where SSE2 is always
/// there; other targets scan a word at a time.)
#[cfg(all(target_arch = "x86_64", not(feature = "small")))]
#[allow(unsafe_code)]
mod sse2 {
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    /// 0xFF in each of the 16 bytes at `at` that is `"`, `\` or a control character, 0
    /// elsewhere.
    ///
    /// # Safety
    ///
    /// The 16 bytes from `at` must be readable (any alignment).
    #[inline(always)]
    unsafe fn special(at: *const u8) -> __m128i {
        // SAFETY: SSE2 is part of every x86_64 target (the module's `cfg`); the caller vouches
        // for the 16 bytes, and `loadu` allows any alignment.
        unsafe {
            let v = _mm_loadu_si128(at.cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // A control character is a byte that the unsigned minimum with 0x1F leaves alone.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            _mm_or_si128(_mm_or_si128(quote, backslash), control)
        }
    }

    /// One bit per byte of `block` (bit k for byte k) that is `"`, `\` or a control character.
    #[inline(always)]
    pub(super) fn special_mask(block: &[u8; 16]) -> u32 {
        // SAFETY: `block` is 16 bytes.
        unsafe { _mm_movemask_epi8(special(block.as_ptr())) as u32 }
    }

    /// One bit per byte of `block` (bit k for byte k) that is `"`, `\` or a control character.
    #[inline(always)]
    pub(super) fn special_mask_64(block: &[u8; 64]) -> u64 {
        let at = block.as_ptr();
        // SAFETY: the four blocks of 16 are the 64 bytes of `block`.
        let [a, b, c, d] = [0, 16, 32, 48].map(|k| unsafe { _mm_movemask_epi8(special(at.add(k))) as u16 as u64 });
        a | b << 16 | c << 32 | d << 48
    }

    /// True when one of the 64 bytes of `block` is `"`, `\` or a control character: four
    /// blocks tested with one branch.
    #[inline(always)]
    pub(super) fn special_in_64(block: &[u8; 64]) -> bool {
        let at = block.as_ptr();
        // SAFETY: the four blocks of 16 are the 64 bytes of `block`.
        unsafe {
            let [a, b, c, d] = [0, 16, 32, 48].map(|k| special(at.add(k)));
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0
        }
    }

    /// Skips plain string bytes from `i`, 64 at a time and then 16 at a time; returns where the
    /// first special byte is and `true`, or where the last 15 bytes or fewer begin and `false`.
    #[inline(never)]
    pub(super) fn skip_plain_blocks(bytes: &[u8], mut i: usize) -> (usize, bool) {
        while let Some(block) = bytes.get(i..).and_then(|rest| rest.first_chunk::<64>()) {
            if special_in_64(block) {
                break;
            }
            i += 64;
        }
        while let Some(block) = bytes.get(i..).and_then(|rest| rest.first_chunk::<16>()) {
            let mask = special_mask(block);
            if mask != 0 {
                return (i + mask.trailing_zeros() as usize, true);
            }
            i += 16;
        }
        (i, false)
    }
}

/// The strings' special bytes (`"`, `\`, control characters) of 64 bytes of the input, found
/// once for every string in them. The walk over a value reads its keys and strings through
/// one: a string's end is then a shift and a bit count away from where it starts, where a block
/// read and compared at each string put the load and the comparisons on the path from one token
/// to the next (the walk runs one token at a time, each starting where the last one ended).
#[cfg(all(target_arch = "x86_64", not(feature = "small")))]
#[derive(Clone, Copy)]
struct Window {
    /// Where the 64 bytes start, as an offset in the input. Before the first, `usize::MAX - 63`:
    /// every position is then 64 or more past it (wrapping), outside.
    base: usize,
    /// Bit k: byte `base + k` is special.
    mask: u64,
}

/// Without SSE2 (or with `small`), nothing: strings are scanned where they start.
#[cfg(not(all(target_arch = "x86_64", not(feature = "small"))))]
#[derive(Clone, Copy)]
struct Window;

impl Window {
    #[cfg(all(target_arch = "x86_64", not(feature = "small")))]
    const EMPTY: Window = Window { base: usize::MAX - 63, mask: 0 };
    #[cfg(not(all(target_arch = "x86_64", not(feature = "small"))))]
    const EMPTY: Window = Window;

    /// [`plain_end`] through the window, moved forward as the scan needs.
    #[cfg(all(target_arch = "x86_64", not(feature = "small")))]
    #[inline(always)]
    fn plain_end(&mut self, bytes: &[u8], mut i: usize) -> usize {
        loop {
            let offset = i.wrapping_sub(self.base);
            if offset < 64 {
                let rest = self.mask >> offset;
                if rest != 0 {
                    return i + rest.trailing_zeros() as usize;
                }
                i = self.base + 64;
            }
            if i >= bytes.len() {
                return i;
            }
            // The 64 bytes from `i`, or the input's last 64 (which hold `i`). (Measured against
            // windows at multiples of 64 from the input's start, at cache lines, and each after
            // the last: from `i` reaches furthest, and was the fastest.)
            let Some(last) = bytes.len().checked_sub(64) else {
                // An input shorter than a window.
                return plain_end(bytes, i);
            };
            let base = i.min(last);
            let Some(block) = bytes.get(base..).and_then(|rest| rest.first_chunk::<64>()) else {
                return plain_end(bytes, i);
            };
            *self = Window { base, mask: sse2::special_mask_64(block) };
        }
    }

    /// [`plain_end`].
    #[cfg(not(all(target_arch = "x86_64", not(feature = "small"))))]
    #[inline(always)]
    fn plain_end(&mut self, bytes: &[u8], i: usize) -> usize {
        plain_end(bytes, i)
    }
}

/// The byte at `i`; 0 past the end (where no token starts, as on a NUL byte).
#[inline(always)]
fn byte_at(bytes: &[u8], i: usize) -> u8 {
    bytes.get(i).copied().unwrap_or(0)
}

/// The position of the first byte from `i` that is not whitespace. (With `small`, a call: it
/// runs at every token.)
#[cfg_attr(not(feature = "small"), inline(always))]
fn ws_end(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(|&b| is_ws(b)) {
        i += 1;
    }
    i
}

/// The end of the number that starts at `start`, validated. (With `small`, one copy for the
/// walk and the readers: 12 B less code in the codec-alone firmware than inlined.)
#[cfg_attr(not(feature = "small"), inline)]
#[cfg_attr(feature = "small", inline(never))]
fn number_end(bytes: &[u8], start: usize) -> Scan<usize> {
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
    Ok(i)
}

/// The end of the `true`, `false` or `null` that starts at `start`. Four bytes compared at
/// once, and `false`'s fifth: no call to compare, and no branch between `true` and `false`.
/// (One copy with `small`, as [`number_end`].)
#[cfg_attr(not(feature = "small"), inline)]
#[cfg_attr(feature = "small", inline(never))]
fn literal_end(bytes: &[u8], start: usize) -> Scan<usize> {
    let rest = bytes.get(start..).unwrap_or_default();
    let len = match rest.first_chunk::<4>() {
        Some(b"true" | b"null") => 4,
        Some(b"fals") if rest.get(4) == Some(&b'e') => 5,
        _ => return Err(syntax(start)),
    };
    Ok(start + len)
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
        self.pos = ws_end(self.bytes(), self.pos);
        byte_at(self.bytes(), self.pos)
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

    /// [`string_end`](Self::string_end) for the walk: through `window` where the scan is
    /// inlined.
    #[inline(always)]
    fn walk_string_end(&self, window: &mut Window, i: usize) -> Scan<usize> {
        if !S::INLINE {
            return self.scan_string_once(i).map(|(end, _)| end);
        }
        let bytes = self.bytes();
        self.string_end_by(i, |i| window.plain_end(bytes, i)).map(|(end, _)| end)
    }

    #[inline(always)]
    fn scan_string(&self, i: usize) -> Scan<(usize, bool)> {
        let bytes = self.bytes();
        self.string_end_by(i, |i| if S::INLINE { plain_end(bytes, i) } else { plain_end_compact(bytes, i) })
    }

    /// A string's scan from `i` (after its opening quote): `plain` finds where each run of plain
    /// bytes ends, and escapes are validated here. Returns the closing quote's index and whether
    /// there were escapes.
    #[inline(always)]
    fn string_end_by(&self, mut i: usize, mut plain: impl FnMut(usize) -> usize) -> Scan<(usize, bool)> {
        let bytes = self.bytes();
        let mut escaped = false;
        loop {
            i = plain(i);
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
        self.pos = number_end(self.bytes(), self.pos)?;
        Ok(())
    }

    /// Reads `true`, `false` or `null` (the scanner is on its first byte).
    #[inline]
    pub fn literal(&mut self) -> Scan<u8> {
        let first = self.peek_at(0);
        self.pos = literal_end(self.bytes(), self.pos)?;
        Ok(first)
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
        self.pos = self.nested_end(self.pos, depth)?;
        Ok(())
    }

    /// The walk of [`skip_nested`](Self::skip_nested), from `pos` to the end of the value. The
    /// position lives in a register, not in the scanner: written back after every token, it
    /// went through memory, and a store and the load after it sat on the path from one token
    /// to the next.
    #[inline(always)]
    fn nested_end(&self, mut pos: usize, depth: usize) -> Scan<usize> {
        // One bit per open container inside the value: 1 = object, 0 = array. In words of the
        // machine's width (a 64-bit shift is a library call on a 32-bit device).
        const BITS: usize = usize::BITS as usize;
        let bytes = self.bytes();
        let mut kinds = [0usize; MAX_SUPPORTED_DEPTH / BITS];
        let mut level = 0usize;
        let mut window = Window::EMPTY;
        loop {
            // A value.
            pos = ws_end(bytes, pos);
            match byte_at(bytes, pos) {
                b'"' => pos = self.walk_string_end(&mut window, pos + 1)? + 1,
                b'-' | b'0'..=b'9' => pos = number_end(bytes, pos)?,
                b't' | b'f' | b'n' => pos = literal_end(bytes, pos)?,
                open @ (b'{' | b'[') => {
                    if depth + level >= self.max_depth {
                        return Err(Fail::new(FailKind::Depth, pos));
                    }
                    pos = ws_end(bytes, pos + 1);
                    let object = open == b'{';
                    let close = if object { b'}' } else { b']' };
                    if byte_at(bytes, pos) == close {
                        pos += 1;
                    } else {
                        let bit = 1usize << (level % BITS);
                        if object {
                            kinds[level / BITS] |= bit;
                            pos = self.first_key_end(&mut window, pos)?;
                        } else {
                            kinds[level / BITS] &= !bit;
                        }
                        level += 1;
                        continue;
                    }
                }
                _ => return Err(syntax(pos)),
            }
            // After a value: the next element, or close containers.
            loop {
                if level == 0 {
                    return Ok(pos);
                }
                let in_object = kinds[(level - 1) / BITS] & (1usize << ((level - 1) % BITS)) != 0;
                pos = ws_end(bytes, pos);
                match byte_at(bytes, pos) {
                    b',' => {
                        pos += 1;
                        if in_object {
                            pos = if S::INLINE {
                                self.key_end(&mut window, pos)?
                            } else {
                                self.first_key_end(&mut window, pos)?
                            };
                        }
                        break;
                    }
                    b'}' if in_object => {
                        pos += 1;
                        level -= 1;
                    }
                    b']' if !in_object => {
                        pos += 1;
                        level -= 1;
                    }
                    _ => return Err(syntax(pos)),
                }
            }
        }
    }

    /// Inside an object being skipped: its first property name and colon, from `pos`; returns
    /// the position after the colon. Out of line: the same as [`key_end`](Self::key_end), kept
    /// out of `skip_value` so that a value without objects pays nothing for it; every property
    /// name where [`Source::INLINE`] is false.
    #[inline(never)]
    fn first_key_end(&self, window: &mut Window, pos: usize) -> Scan<usize> {
        self.key_end(window, pos)
    }

    /// Inside an object being skipped: a property name and its colon, from `pos`; returns the
    /// position after the colon. (Inlined where it runs for every property after the first,
    /// when [`Source::INLINE`].)
    #[inline(always)]
    fn key_end(&self, window: &mut Window, pos: usize) -> Scan<usize> {
        let bytes = self.bytes();
        let pos = ws_end(bytes, pos);
        if byte_at(bytes, pos) != b'"' {
            return Err(syntax(pos));
        }
        let end = self.walk_string_end(window, pos + 1)?;
        let pos = ws_end(bytes, end + 1);
        if byte_at(bytes, pos) != b':' {
            return Err(syntax(pos));
        }
        Ok(pos + 1)
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

    /// Strings of every length up to past the first block, two 64-byte steps, the 16-byte
    /// blocks after them and the last bytes (and on other targets, four words and the 32-byte
    /// steps), with the byte that matters at every position: no block test may step over it.
    #[test]
    fn long_strings_find_every_special_byte() {
        use alloc::{format, vec::Vec};
        // Under Miri (which runs the SSE2 code too), the lengths at the edges only.
        let lengths: Vec<usize> =
            if cfg!(miri) { [0, 1, 15, 16, 17, 80, 81, 97, 145].to_vec() } else { (0..200).collect() };
        for len in lengths {
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

    /// Strings inside containers (read through the walk's 64-byte window), moved across every
    /// offset of the window by a string before them, in records shorter and longer than a
    /// window: a quote, an escape and a control character at every position are found, and a
    /// string running into the record's end fails there.
    #[test]
    fn strings_in_containers_find_every_special_byte() {
        use alloc::{format, vec::Vec};
        let shifts: Vec<usize> = if cfg!(miri) { [0, 1, 48, 63, 64].to_vec() } else { (0..130).collect() };
        let lengths: &[usize] = if cfg!(miri) { &[0, 17, 64] } else { &[0, 1, 15, 16, 17, 40, 63, 64, 65] };
        for &shift in &shifts {
            let pad = "p".repeat(shift);
            for &len in lengths {
                let plain = "a".repeat(len);
                for at in 0..=len {
                    let (head, tail) = plain.split_at(at);
                    for value in [format!("\"{head}\\n{tail}\""), format!("\"{head}\\\"{tail}\"")] {
                        let array = format!("[\"{pad}\",{value},0]");
                        assert_eq!(skip(&array).unwrap(), array, "{shift} {len} {at}");
                        let object = format!("{{\"{pad}\":{value},{value}:{{}}}}");
                        assert_eq!(skip(&object).unwrap(), object, "{shift} {len} {at}");
                    }
                    let control = format!("[\"{pad}\",\"{head}\u{1}{tail}\"]");
                    assert_eq!(skip(&control).unwrap_err().at(), shift + 5 + at, "{shift} {len} {at}");
                }
                let open = format!("[\"{pad}\",\"{plain}");
                assert_eq!(skip(&open).unwrap_err().at(), open.len(), "{shift} {len}");
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

    /// Any sequence of values, keys and string pieces (valid or not) in arrays and objects:
    /// the walk over text (strings through its 64-byte window) ends, or fails, where the walk
    /// over bytes (strings scanned where they start, a word at a time) does.
    fn token() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(
            &[
                "[",
                "]",
                "{",
                "}",
                ",",
                ":",
                "\"",
                "a",
                "0",
                "-1.5e3",
                "true",
                "null",
                " ",
                "\\\"",
                "\\n",
                "\\u00e9",
                "\u{1}",
                "\u{e9}",
                "\"key\":",
                "\"a longer string of plain text\"",
            ][..],
        )
    }

    proptest::proptest! {
        #[test]
        fn text_walk_agrees_with_the_byte_walk(tokens in proptest::collection::vec(token(), 1..120)) {
            let input = alloc::format!("[{}", tokens.concat());
            let mut text = Scanner::new(input.as_bytes(), 64);
            let mut bytes = Scanner::over(input.as_bytes(), 64);
            let by_text = text.skip_value(0).map(|()| text.pos);
            let by_bytes = bytes.skip_value(0).map(|()| bytes.pos);
            proptest::prop_assert_eq!(by_text, by_bytes, "{:?}", input);
        }
    }

    /// A valid JSON value: strings of plain text, escapes and multi-byte characters, of any
    /// length, nested in arrays and objects.
    fn json_value() -> impl proptest::strategy::Strategy<Value = alloc::string::String> {
        use alloc::{format, string::String, vec::Vec};
        use proptest::prelude::*;
        let piece = proptest::sample::select(
            &["a", "plain text ", "\\\"", "\\\\", "\\n", "\\u00e9", "\u{e9}", "\u{1f600}"][..],
        );
        let string = proptest::collection::vec(piece, 0..40).prop_map(|p| format!("\"{}\"", p.concat()));
        let leaf = prop_oneof![
            string.clone(),
            Just(String::from("-12.5e1")),
            Just(String::from("true")),
            Just(String::from("null"))
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec((string.clone(), inner), 0..8).prop_map(|v| {
                    let members: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    proptest::proptest! {
        /// Valid values of any shape and length are walked to their end over text (strings
        /// through the window) and over bytes alike.
        #[test]
        fn valid_values_are_walked_to_their_end(value in json_value()) {
            let input = alloc::format!("[{value}] tail");
            let end = input.len() - " tail".len();
            let mut text = Scanner::new(input.as_bytes(), 64);
            let mut bytes = Scanner::over(input.as_bytes(), 64);
            proptest::prop_assert_eq!(text.skip_value(0).map(|()| text.pos), Ok(end), "{:?}", input);
            proptest::prop_assert_eq!(bytes.skip_value(0).map(|()| bytes.pos), Ok(end), "{:?}", input);
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
