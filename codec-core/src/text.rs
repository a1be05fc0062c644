//! [`Text`]: a string borrowed from the frame whenever the wire allows it.

use core::fmt;
use core::ops::Deref;

#[cfg(feature = "alloc")]
use crate::owned::OwnedStr;
use crate::ownership::{Borrowing, Ownership, Owning};
#[cfg(feature = "alloc")]
use alloc::{boxed::Box, string::String};

/// Capacity of the inline form (feature `inline-text`, on with `alloc`) used for unescaped
/// strings when no allocator is available.
pub const INLINE_CAPACITY: usize = 22;

/// A string read from (or to be written to) the wire.
///
/// Decoding borrows every string straight from the frame. The exception is a JSON string
/// containing escapes: its decoded form differs from its bytes, so it is stored owned (with
/// `alloc`) or, without an allocator, inline when it is at most [`INLINE_CAPACITY`] bytes
/// (feature `inline-text`). Without either, a text is only ever borrowed: it is a `&str` and
/// nothing more (8 bytes on a 32-bit device instead of 24), and an escaped JSON string cannot
/// be decoded (`ErrorKind::Unsupported`).
///
/// `O` says whether the text may own its string: [`Owning`] (the default) or [`Borrowing`],
/// which MessagePack frames are parsed into (see [`ownership`](crate::ownership)).
///
/// ```
/// use signalr_codec_core::Text;
/// let t = Text::from("SendMessage");
/// assert_eq!(t, "SendMessage");
/// assert!(t.is_borrowed());
/// ```
#[derive(Clone)]
pub struct Text<'a, O: Ownership = Owning>(Repr<'a, O>);

// 24 bytes, the size of a `&str` plus a tag: the inline form counts its length in one byte and
// the owned form is a `Box<str>` (a `String` would add a capacity word), freed out of line
// (see `owned`). A `Borrowing` text has neither (both uninhabited): it is a bare `&str`, 16
// bytes with no tag, and reading it tests nothing. Every parsed message holds several texts,
// and the whole message is moved into the caller's hands on every decode.
#[derive(Clone)]
enum Repr<'a, O: Ownership> {
    Borrowed(&'a str),
    /// Uninhabited for `Borrowing` texts and without `inline-text`.
    #[cfg_attr(not(feature = "inline-text"), allow(dead_code))]
    Inline(O::Inline),
    /// Uninhabited for `Borrowing` texts and without `alloc`.
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    Owned(O::Str),
}

impl<'a> Text<'a> {
    /// A text borrowing `s`.
    #[inline]
    pub const fn borrowed(s: &'a str) -> Self {
        Text(Repr::Borrowed(s))
    }

    /// A text stored inline, if `s` fits in [`INLINE_CAPACITY`] bytes.
    #[cfg(feature = "inline-text")]
    pub fn inline(s: &str) -> Option<Text<'static>> {
        crate::ownership::InlineStr::new(s).map(|s| Text(Repr::Inline(s)))
    }

    /// An owned text.
    #[cfg(feature = "alloc")]
    pub fn owned(s: impl Into<Box<str>>) -> Text<'static> {
        Text(Repr::Owned(OwnedStr::new(s.into())))
    }
}

impl<'a, O: Ownership> Text<'a, O> {
    /// A text borrowing `s`, of either [`Ownership`]: what protocol parsers build (where the
    /// message's type says which), [`Text::borrowed`] elsewhere.
    #[inline]
    pub const fn from_frame(s: &'a str) -> Self {
        Text(Repr::Borrowed(s))
    }

    /// The string.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Borrowed(s) => s,
            Repr::Inline(s) => O::inline_str(s),
            Repr::Owned(s) => O::str(s),
        }
    }

    /// The string, if the text points into the input (nothing was copied), with the input's
    /// lifetime.
    ///
    /// ```
    /// use signalr_codec_core::Text;
    /// let frame = String::from("SendMessage");
    /// assert_eq!(Text::borrowed(&frame).as_borrowed(), Some("SendMessage"));
    /// assert_eq!(Text::inline("SendMessage").unwrap().as_borrowed(), None);
    /// ```
    #[inline]
    pub fn as_borrowed(&self) -> Option<&'a str> {
        match self.0 {
            Repr::Borrowed(s) => Some(s),
            _ => None,
        }
    }

    /// True when the text points into the input (nothing was copied).
    #[inline]
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Repr::Borrowed(_))
    }

    /// The same text as an [`Owning`] one: moved, nothing copied.
    #[inline]
    // Without `alloc` the owned form (and without `inline-text` the inline one) cannot exist,
    // and the compiler knows it.
    #[cfg_attr(not(feature = "alloc"), allow(unreachable_code))]
    pub fn owning(self) -> Text<'a> {
        Text(match self.0 {
            Repr::Borrowed(s) => Repr::Borrowed(s),
            Repr::Inline(s) => Repr::Inline(O::owning_inline(s)),
            Repr::Owned(s) => Repr::Owned(O::owning_str(s)),
        })
    }

    /// The text with no borrow left: copies a borrowed string.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> Text<'static> {
        match self.0 {
            Repr::Borrowed(s) => Text(Repr::Owned(OwnedStr::new(Box::from(s)))),
            Repr::Inline(s) => Text(Repr::Inline(O::owning_inline(s))),
            Repr::Owned(s) => Text(Repr::Owned(O::owning_str(s))),
        }
    }
}

impl<'a> From<Text<'a, Borrowing>> for Text<'a> {
    #[inline]
    fn from(text: Text<'a, Borrowing>) -> Self {
        text.owning()
    }
}

impl<O: Ownership> Deref for Text<'_, O> {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<O: Ownership> AsRef<str> for Text<'_, O> {
    #[inline]
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::borrowed(s)
    }
}

#[cfg(feature = "alloc")]
/// An owned string is a text of any lifetime, so it mixes with borrowed ones: a message built
/// from a borrowed id and a formatted `String` error has the id's lifetime.
///
/// ```
/// use signalr_codec_core::{Completion, Text};
/// let id = String::from("7");
/// let done: Completion<'_, ()> = Completion::error(id.as_str(), format!("failed at {}", 3));
/// assert_eq!(done.outcome.error().map(Text::as_str), Some("failed at 3"));
/// ```
impl<'a> From<String> for Text<'a> {
    fn from(s: String) -> Self {
        Text(Repr::Owned(OwnedStr::new(s.into_boxed_str())))
    }
}

impl<'b, O: Ownership, P: Ownership> PartialEq<Text<'b, P>> for Text<'_, O> {
    #[inline]
    fn eq(&self, other: &Text<'b, P>) -> bool {
        self.as_str() == other.as_str()
    }
}
impl<O: Ownership> Eq for Text<'_, O> {}

impl<O: Ownership> PartialEq<str> for Text<'_, O> {
    #[inline]
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<O: Ownership> PartialEq<&str> for Text<'_, O> {
    #[inline]
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<O: Ownership> core::hash::Hash for Text<'_, O> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl<O: Ownership> fmt::Debug for Text<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<O: Ownership> fmt::Display for Text<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// [`<[u8]>::is_ascii`](slice::is_ascii), with up to 16 bytes checked by two overlapping word
/// loads rather than a loop.
#[inline(always)]
fn is_ascii(bytes: &[u8]) -> bool {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    match bytes.len() {
        0..=3 => bytes.iter().all(u8::is_ascii),
        4..=7 => match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            (Some(head), Some(tail)) => (u32::from_le_bytes(*head) | u32::from_le_bytes(*tail)) & HIGH_BITS as u32 == 0,
            _ => false,
        },
        8..=16 => match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(head), Some(tail)) => (u64::from_le_bytes(*head) | u64::from_le_bytes(*tail)) & HIGH_BITS == 0,
            _ => false,
        },
        #[cfg(target_arch = "x86_64")]
        _ => is_ascii_long(bytes),
        #[cfg(not(target_arch = "x86_64"))]
        _ => bytes.is_ascii(),
    }
}

/// Bytes in a machine word.
#[cfg(target_arch = "x86_64")]
const WORD: usize = core::mem::size_of::<usize>();

/// Bytes in one block of [`is_ascii_long`]: four machine words.
#[cfg(target_arch = "x86_64")]
const BLOCK: usize = 4 * WORD;

/// Whether any byte of `bytes` (whole machine words) has its high bit set.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_high_bit(bytes: &[u8]) -> bool {
    const HIGH_BITS: usize = usize::from_ne_bytes([0x80; WORD]);
    let any =
        bytes.chunks_exact(WORD).fold(0, |acc, word| acc | usize::from_ne_bytes(word.try_into().unwrap_or([0; WORD])));
    any & HIGH_BITS != 0
}

/// [`is_ascii`] past 16 bytes on x86-64. The standard library's version (Rust 1.9x) takes
/// 64-byte blocks with SSE2, then tests up to 63 trailing bytes one at a time: most of the time
/// spent checking a 100-byte JSON record (perf, `decode/json`). Here it takes the whole blocks
/// and the rest goes by blocks of four words, the last one ending at the last byte (overlapping
/// the one before). Elsewhere the standard library goes a word at a time, and a device keeps
/// its smaller code.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn is_ascii_long(bytes: &[u8]) -> bool {
    let whole = bytes.len() / 64 * 64;
    let (blocks, rest) = bytes.split_at(whole);
    if whole > 0 && !blocks.is_ascii() {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    match bytes.len().checked_sub(BLOCK) {
        // 33 to 63 bytes left: the first block of them, and the last.
        Some(last) if rest.len() > BLOCK => !has_high_bit(&rest[..BLOCK]) && !has_high_bit(&bytes[last..]),
        Some(last) => !has_high_bit(&bytes[last..]),
        // Shorter than a block (17 to 31 bytes, the only length it is called with below a
        // block): two overlapping halves.
        None => match bytes.len().checked_sub(16) {
            Some(tail) => !has_high_bit(&bytes[..16]) && !has_high_bit(&bytes[tail..]),
            None => bytes.is_ascii(),
        },
    }
}

/// `bytes` as a `&str`, as [`core::str::from_utf8`] gives it, faster for short ASCII input.
///
/// Method names, ids and header keys are short and nearly always ASCII. `core::str::from_utf8`
/// checks inputs under 16 bytes one byte at a time; two overlapping word loads check them here,
/// and ASCII needs no second walk. The protocol crates borrow every string of a frame through
/// this function, by way of [`to_str`].
///
/// ```
/// use signalr_codec_core::text::from_utf8;
/// assert_eq!(from_utf8(b"SendMessage"), Ok("SendMessage"));
/// assert_eq!(from_utf8("h\u{e9}llo".as_bytes()), Ok("h\u{e9}llo"));
/// assert_eq!(from_utf8(b"\xff").unwrap_err().valid_up_to(), 0);
/// ```
#[inline(always)]
#[allow(unsafe_code)]
pub fn from_utf8(bytes: &[u8]) -> Result<&str, core::str::Utf8Error> {
    if is_ascii(bytes) {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
    } else {
        core::str::from_utf8(bytes)
    }
}

/// `bytes` as a `&str` when every byte is ASCII, `None` otherwise: the check a fast path makes
/// before handing anything else to a full [`from_utf8`] (one or two word loads up to 16 bytes).
///
/// ```
/// use signalr_codec_core::text::ascii;
/// assert_eq!(ascii(b"SendMessage"), Some("SendMessage"));
/// assert_eq!(ascii("h\u{e9}llo".as_bytes()), None);
/// ```
#[inline(always)]
#[allow(unsafe_code)]
pub fn ascii(bytes: &[u8]) -> Option<&str> {
    // SAFETY: every ASCII byte sequence is valid UTF-8.
    is_ascii(bytes).then(|| unsafe { core::str::from_utf8_unchecked(bytes) })
}

/// `bytes` as a `&str`, as [`from_utf8`] checks them; the error is where the valid prefix ends
/// ([`Utf8Error::valid_up_to`](core::str::Utf8Error::valid_up_to)). What the crates check every
/// string with.
///
/// With the `small` feature, a byte-at-a-time check instead of the standard library's (a
/// 256-byte table and a word-at-a-time loop): about 500 bytes less code on a device
/// (`firmware/check codec`), slower on long non-ASCII strings.
///
/// ```
/// use signalr_codec_core::text::to_str;
/// assert_eq!(to_str(b"SendMessage"), Ok("SendMessage"));
/// assert_eq!(to_str(b"ok \xc3("), Err(3));
/// ```
#[inline(always)]
pub fn to_str(bytes: &[u8]) -> Result<&str, usize> {
    #[cfg(not(feature = "small"))]
    return from_utf8(bytes).map_err(|e| e.valid_up_to());
    #[cfg(feature = "small")]
    return to_str_compact(bytes);
}

/// [`to_str`] with the `small` feature: every sequence checked against the table of well-formed
/// byte sequences (Unicode, table 3-7), one byte at a time.
#[cfg_attr(not(feature = "small"), allow(dead_code))]
#[inline(never)]
#[allow(unsafe_code)]
fn to_str_compact(bytes: &[u8]) -> Result<&str, usize> {
    let mut i = 0;
    while let Some(&lead) = bytes.get(i) {
        if lead < 0x80 {
            i += 1;
            continue;
        }
        // The sequence's length and the range of its second byte; later bytes are 80..=BF.
        // (Comparisons rather than a `match` of ranges: half the code.)
        let (width, low, high) = if !(0xC2..=0xF4).contains(&lead) {
            return Err(i);
        } else if lead < 0xE0 {
            (2, 0x80, 0xBF)
        } else if lead < 0xF0 {
            (3, if lead == 0xE0 { 0xA0 } else { 0x80 }, if lead == 0xED { 0x9F } else { 0xBF })
        } else {
            (4, if lead == 0xF0 { 0x90 } else { 0x80 }, if lead == 0xF4 { 0x8F } else { 0xBF })
        };
        if bytes.get(i + 1).is_none_or(|b| !(low..=high).contains(b)) {
            return Err(i);
        }
        for k in 2..width {
            if bytes.get(i + k).is_none_or(|b| b & 0xC0 != 0x80) {
                return Err(i);
            }
        }
        i += width;
    }
    // SAFETY: every sequence was checked above to be well-formed UTF-8.
    Ok(unsafe { core::str::from_utf8_unchecked(bytes) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "inline-text")]
    fn inline_holds_short_strings_only() {
        assert_eq!(Text::inline("dummy").unwrap(), "dummy");
        assert!(Text::inline(&"x".repeat(INLINE_CAPACITY + 1)).is_none());
    }

    #[test]
    fn from_utf8_agrees_with_core() {
        let cases: [&[u8]; 8] = [
            b"",
            b"SendMessage",
            b"a slightly longer ascii method name",
            "h\u{e9}llo".as_bytes(),
            "\u{1f600} emoji".as_bytes(),
            b"\xff",
            b"ascii then \xc3",
            b"\xed\xa0\x80",
        ];
        for bytes in cases {
            assert_eq!(from_utf8(bytes), core::str::from_utf8(bytes), "{bytes:02x?}");
        }
    }

    /// What the standard library answers, in `to_str`'s terms.
    fn core_to_str(bytes: &[u8]) -> Result<&str, usize> {
        core::str::from_utf8(bytes).map_err(|e| e.valid_up_to())
    }

    /// Every lead byte with every second byte, and third and fourth bytes at the edges of the
    /// continuation range (80..=BF) and just outside it, after a prefix and before a suffix,
    /// cut at every length: the compact check agrees with the standard library on each.
    #[test]
    fn the_compact_check_agrees_with_core_on_every_sequence() {
        let edges = [0x7F, 0x80, 0xBF, 0xC0];
        // Under Miri (CI runs these tests there for the `unsafe`), every pair would take an
        // hour: the edges of the lead bytes' classes and of the second bytes' ranges stand for
        // the rest.
        let (leads, seconds): (Vec<u8>, Vec<u8>) = if cfg!(miri) {
            (
                Vec::from([0x00, 0x7F, 0x80, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED, 0xEE, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF]),
                Vec::from([0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF]),
            )
        } else {
            ((0..=255u8).collect(), (0..=255u8).collect())
        };
        for &lead in &leads {
            for &second in &seconds {
                for third in edges {
                    for fourth in edges {
                        let bytes = [b'a', lead, second, third, fourth, b'z'];
                        for end in 2..=bytes.len() {
                            let b = &bytes[..end];
                            assert_eq!(to_str_compact(b), core_to_str(b), "{b:02x?}");
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn from_utf8_agrees_with_core_on_any_bytes(bytes: Vec<u8>) {
            proptest::prop_assert_eq!(from_utf8(&bytes), core::str::from_utf8(&bytes));
            proptest::prop_assert_eq!(to_str(&bytes), core_to_str(&bytes));
            proptest::prop_assert_eq!(to_str_compact(&bytes), core_to_str(&bytes));
        }

        #[test]
        fn the_compact_check_agrees_with_core_on_text(text: String, cut: usize) {
            let bytes = text.as_bytes();
            let b = &bytes[..cut % (bytes.len() + 1)];
            proptest::prop_assert_eq!(to_str_compact(b), core_to_str(b));
        }

        #[test]
        fn is_ascii_agrees_with_core(ascii in "[ -~]{0,100}", at: usize, high in 0x80u8..) {
            let mut bytes = ascii.into_bytes();
            proptest::prop_assert!(is_ascii(&bytes));
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = high;
                proptest::prop_assert!(!is_ascii(&bytes));
            }
        }

        #[test]
        fn ascii_is_the_str_of_ascii_bytes_only(bytes: Vec<u8>) {
            let expected = bytes.is_ascii().then(|| core::str::from_utf8(&bytes).ok()).flatten();
            proptest::prop_assert_eq!(ascii(&bytes), expected);
        }
    }

    #[test]
    fn a_text_is_as_small_as_a_tagged_str() {
        // Messages are moved by value on every decode: keep every form of a text in 24 bytes.
        assert_eq!(core::mem::size_of::<Text<'_>>(), 24);
        assert_eq!(core::mem::size_of::<Option<Text<'_>>>(), 24);
    }

    #[test]
    #[cfg(feature = "inline-text")]
    fn equality_ignores_representation() {
        let a = Text::borrowed("abc");
        let b = Text::inline("abc").unwrap();
        assert_eq!(a, b);
        assert!(a.is_borrowed() && !b.is_borrowed());
    }
}
