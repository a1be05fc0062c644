//! JSON string escaping exactly as .NET's `JavaScriptEncoder.UnsafeRelaxedJsonEscaping` does it
//! (the encoder the SignalR JSON hub protocol and the negotiate writer use).
//!
//! "Relaxed" only stops HTML-sensitive characters (`<`, `>`, `&`, `'`, `+`, …) from being escaped.
//! .NET still escapes:
//!
//! - `"` and `\` as `\"` and `\\`; `\b`, `\t`, `\n`, `\f`, `\r` in their short forms;
//! - every other control character (C0, DEL and C1) as `\u00XX`;
//! - every non-ASCII BMP code point outside the Unicode categories letters, marks, numbers,
//!   punctuation, symbols and format characters: non-breaking and other spaces (U+00A0, U+2000…),
//!   the line and paragraph separators U+2028/U+2029, private-use and unassigned code points;
//! - **every** code point above U+FFFF (emoji included), as a UTF-16 surrogate pair
//!   `\uD83D\uDE00`.
//!
//! Hex digits are upper case, as .NET writes them. Everything else (ASCII text, accented letters,
//! Hebrew, CJK, …) is written as UTF-8.
//!
//! The table of escaped BMP code points is generated from the Unicode 14.0 character database;
//! code points assigned by later Unicode versions are escaped here and may not be by a .NET build
//! using newer data (a handful of rarely used characters).
//!
//! The table (1.4 KB) comes with the `unicode-table` feature (on by default and with `std`).
//! Without it every non-ASCII character is escaped: the same string for any JSON reader, but
//! not .NET's bytes for text outside ASCII. A device whose JSON is ASCII (a handshake request
//! naming its protocol) writes exactly what .NET writes either way.

use crate::output::Output;

#[cfg(feature = "unicode-table")]
use super::escape_table::ESCAPED_BMP;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// What one ASCII byte becomes: 0 = itself, b'u' = `\u00XX`, otherwise the short escape letter.
const fn ascii_escape(b: u8) -> u8 {
    match b {
        0x08 => b'b',
        0x09 => b't',
        0x0A => b'n',
        0x0C => b'f',
        0x0D => b'r',
        b'"' => b'"',
        b'\\' => b'\\',
        0x00..=0x1F | 0x7F => b'u',
        _ => 0,
    }
}

/// [`ascii_escape`] for every ASCII byte: one load where speed counts.
const fn ascii_table() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = ascii_escape(i as u8);
        i += 1;
    }
    t
}
static ASCII: [u8; 128] = ascii_table();

/// True when .NET writes the BMP code point `cp` (≥ U+0080) as an escape (always without the
/// table).
#[cfg(not(feature = "unicode-table"))]
fn escaped_bmp(_: u32) -> bool {
    true
}

/// True when .NET writes the BMP code point `cp` (≥ U+0080) as an escape.
#[cfg(feature = "unicode-table")]
fn escaped_bmp(cp: u32) -> bool {
    let cp = cp as u16;
    ESCAPED_BMP
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                core::cmp::Ordering::Less
            } else if lo > cp {
                core::cmp::Ordering::Greater
            } else {
                core::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Decodes the UTF-8 sequence starting at `bytes[i]` (a lead byte ≥ 0x80 of valid UTF-8).
#[cfg_attr(feature = "small", allow(dead_code))]
fn decode(bytes: &[u8], i: usize) -> (u32, usize) {
    let b = |k: usize| u32::from(bytes.get(i + k).copied().unwrap_or(0x80) & 0x3F);
    let lead = u32::from(bytes[i]);
    if lead < 0xE0 {
        (((lead & 0x1F) << 6) | b(1), 2)
    } else if lead < 0xF0 {
        (((lead & 0x0F) << 12) | (b(1) << 6) | b(2), 3)
    } else {
        (((lead & 0x07) << 18) | (b(1) << 12) | (b(2) << 6) | b(3), 4)
    }
}

fn put_u_escape<O: Output + ?Sized>(unit: u32, out: &mut O) {
    out.put(&[
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xF) as usize],
        HEX[(unit >> 8 & 0xF) as usize],
        HEX[(unit >> 4 & 0xF) as usize],
        HEX[(unit & 0xF) as usize],
    ]);
}

/// One piece of an escaped string: a run written as is, or one escape.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "small", allow(dead_code))]
enum Piece<'s> {
    /// Bytes written unchanged.
    Run(&'s [u8]),
    /// `\` + letter.
    Short(u8),
    /// `\uXXXX`.
    Unit(u32),
    /// `\uXXXX\uXXXX` (a code point above U+FFFF as a surrogate pair).
    Pair(u32, u32),
}

#[cfg(not(feature = "small"))]
impl Piece<'_> {
    const fn len(self) -> usize {
        match self {
            Piece::Run(run) => run.len(),
            Piece::Short(_) => 2,
            Piece::Unit(_) => 6,
            Piece::Pair(..) => 12,
        }
    }
}

/// Bytes in a machine word: the plain-ASCII test goes a word at a time. A `usize`, not a
/// `u64`: on a 32-bit device each 64-bit operation is two (with `u64` words, the firmware's
/// handshake request took 120 bytes more, `firmware/check codec`); on a 64-bit host the two
/// are the same.
const WORD: usize = core::mem::size_of::<usize>();

/// True when one of the bytes of `word` may need escaping: a control character, `"`, `\`,
/// DEL, or any byte of a non-ASCII character. Exact for "any of them", so a `false` lets a
/// word of plain ASCII bytes through at once.
#[inline]
const fn needs_a_look(word: usize) -> bool {
    const ONES: usize = usize::MAX / 255;
    const HIGH: usize = ONES * 0x80;
    // A byte of `x` is zero or a byte below `n` (n ≤ 0x80): the high bit of (x - n) & !x.
    const fn below(x: usize, n: u8) -> usize {
        x.wrapping_sub(ONES * n as usize) & !x
    }
    let control = below(word, 0x20);
    let quote = below(word ^ (ONES * b'"' as usize), 1);
    let backslash = below(word ^ (ONES * b'\\' as usize), 1);
    let delete = below(word ^ (ONES * 0x7F), 1);
    (control | quote | backslash | delete | word) & HIGH != 0
}

/// Splits `s` into runs and escapes, in order.
#[inline]
#[cfg_attr(feature = "small", allow(dead_code))]
fn scan<'s>(s: &'s str, mut emit: impl FnMut(Piece<'s>)) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Plain ASCII, the common case, goes a word at a time (with `small`, by the byte loop
        // below alone).
        #[cfg(not(feature = "small"))]
        while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<WORD>()) {
            if needs_a_look(usize::from_le_bytes(word)) {
                break;
            }
            i += WORD;
        }
        // The rest of a plain run byte by byte, in a loop of its own: short strings (names,
        // ids) are all tail, and going back to the word test after each byte doubled their cost.
        while bytes.get(i).is_some_and(|&b| b < 0x80 && ASCII[b as usize] == 0) {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        let (piece, width) = if b < 0x80 {
            match ASCII[b as usize] {
                b'u' => (Piece::Unit(u32::from(b)), 1),
                e => (Piece::Short(e), 1),
            }
        } else {
            let (cp, width) = decode(bytes, i);
            if cp >= 0x10000 {
                let v = cp - 0x10000;
                (Piece::Pair(0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)), width)
            } else if escaped_bmp(cp) {
                (Piece::Unit(cp), width)
            } else {
                i += width;
                continue;
            }
        };
        if start < i {
            emit(Piece::Run(&bytes[start..i]));
        }
        emit(piece);
        i += width;
        start = i;
    }
    if start < bytes.len() {
        emit(Piece::Run(&bytes[start..]));
    }
}

/// Writes the contents of `s` escaped as .NET does, without the quotes.
pub fn write_escaped<O: Output + ?Sized>(s: &str, out: &mut O) {
    #[cfg(feature = "small")]
    return write_escaped_by_character(s, out);
    #[cfg(not(feature = "small"))]
    scan(s, |piece| match piece {
        Piece::Run(run) => out.put(run),
        Piece::Short(c) => out.put(&[b'\\', c]),
        Piece::Unit(u) => put_u_escape(u, out),
        Piece::Pair(hi, lo) => {
            put_u_escape(hi, out);
            put_u_escape(lo, out);
        }
    });
}

/// [`write_escaped`] with `small`: each character written or escaped on its own, with no runs
/// and no word-at-a-time test (the scan's run bookkeeping, its pieces and their closure were
/// 700 B of a device's flash, `firmware/check codec`). The same bytes: a test compares the two.
#[cfg_attr(not(feature = "small"), allow(dead_code))]
fn write_escaped_by_character<O: Output + ?Sized>(s: &str, out: &mut O) {
    let mut utf8 = [0u8; 4];
    for c in s.chars() {
        let cp = u32::from(c);
        if cp < 0x80 {
            // Worked out rather than looked up: the table is 128 bytes of a device's flash.
            match ascii_escape(cp as u8) {
                0 => out.put(&[cp as u8]),
                b'u' => put_u_escape(cp, out),
                letter => out.put(&[b'\\', letter]),
            }
        } else if cp >= 0x10000 {
            let v = cp - 0x10000;
            put_u_escape(0xD800 + (v >> 10), out);
            put_u_escape(0xDC00 + (v & 0x3FF), out);
        } else if escaped_bmp(cp) {
            put_u_escape(cp, out);
        } else {
            out.put(c.encode_utf8(&mut utf8).as_bytes());
        }
    }
}

/// The length [`write_escaped`] produces for `s`.
pub fn escaped_len(s: &str) -> usize {
    // With `small`, measured by writing into a counter: one copy of the scan serves both (the
    // handshake request is the only string a MessagePack device writes as JSON).
    #[cfg(feature = "small")]
    {
        let mut count = crate::output::CountingOutput::new();
        write_escaped(s, &mut count);
        count.len()
    }
    #[cfg(not(feature = "small"))]
    {
        let mut len = 0;
        scan(s, |piece| len += piece.len());
        len
    }
}

/// True when no byte of `s` needs escaping (plain ASCII without quotes, backslashes or
/// control characters): the common case, tested a word at a time.
#[inline]
fn is_plain(s: &str) -> bool {
    let mut words = s.as_bytes().chunks_exact(WORD);
    for word in &mut words {
        let mut w = [0u8; WORD];
        w.copy_from_slice(word);
        if needs_a_look(usize::from_le_bytes(w)) {
            return false;
        }
    }
    words.remainder().iter().all(|&b| b < 0x80 && ASCII[b as usize] == 0)
}

/// Writes `s` as a JSON string, quotes included, escaped as .NET does.
pub fn write_string<O: Output + ?Sized>(s: &str, out: &mut O) {
    out.put(b"\"");
    // Most strings (names, ids, text) need no escape: one test, one copy. (Not with `small`:
    // the scan writes a plain string as one run anyway.)
    if !cfg!(feature = "small") && is_plain(s) {
        out.put(s.as_bytes());
    } else {
        write_escaped(s, out);
    }
    out.put(b"\"");
}

/// Writes an object member's name and its colon, `"name":`, after a `,` when `after_another`
/// member: for a plain name (every serde field name, nearly) three puts where the comma, the
/// string and the colon written one by one took five.
pub fn write_member_name<O: Output + ?Sized>(name: &str, after_another: bool, out: &mut O) {
    if is_plain(name) {
        out.put(if after_another { b",\"" } else { b"\"" });
        out.put(name.as_bytes());
    } else {
        if after_another {
            out.put(b",");
        }
        out.put(b"\"");
        write_escaped(name, out);
    }
    out.put(b"\":");
}

/// The length [`write_string`] produces for `s`.
pub fn string_len(s: &str) -> usize {
    escaped_len(s) + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn esc(s: &str) -> String {
        let mut out = Vec::new();
        write_string(s, &mut out);
        assert_eq!(out.len(), string_len(s), "{s:?}");
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn member_names_are_strings_with_their_separators() {
        for (name, after, expected) in [
            ("id", false, "\"id\":"),
            ("id", true, ",\"id\":"),
            ("a\"b", true, ",\"a\\\"b\":"),
            ("é", false, "\"é\":"),
            ("", true, ",\"\":"),
        ] {
            let mut out = Vec::new();
            write_member_name(name, after, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{name:?}");
        }
    }

    #[test]
    fn ascii_like_dotnet() {
        assert_eq!(esc("a\"b\\c\nd\r\t\u{8}\u{c}"), r#""a\"b\\c\nd\r\t\b\f""#);
        assert_eq!(esc("\u{0}\u{1f}\u{7f}"), r#""\u0000\u001F\u007F""#);
        assert_eq!(esc("<>&'+`/"), r#""<>&'+`/""#);
    }

    #[test]
    fn non_ascii_like_dotnet() {
        assert_eq!(esc("é מחרוזת 中文"), "\"é מחרוזת 中文\"");
        assert_eq!(esc("\u{80}\u{9f}\u{a0}\u{ad}"), "\"\\u0080\\u009F\\u00A0\u{ad}\"");
        assert_eq!(esc("\u{2028}\u{2029}\u{3000}\u{e000}\u{fffe}"), r#""\u2028\u2029\u3000\uE000\uFFFE""#);
        assert_eq!(esc("😀"), r#""\uD83D\uDE00""#);
        assert_eq!(esc("a😀b"), r#""a\uD83D\uDE00b""#);
        assert_eq!(esc("\u{10ffff}"), r#""\uDBFF\uDFFF""#);
    }

    /// Every byte that needs a look is seen at each of the eight positions of a word, next to
    /// runs long enough for the eight-byte skip.
    #[test]
    fn escapes_at_every_position_of_a_word() {
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", "\u{a0}", "😀"] {
            for at in 0..17 {
                let s = format!("{}{special}{}", "a".repeat(at), "b".repeat(17 - at));
                let escaped = esc(&s);
                let expected =
                    format!("{}{}{}", "a".repeat(at), &esc(special)[1..esc(special).len() - 1], "b".repeat(17 - at));
                assert_eq!(escaped, format!("\"{expected}\""), "{s:?}");
            }
        }
        for plain in [" ", "!", "#", "[", "]", "~", "0", "z"] {
            let s = plain.repeat(40);
            assert_eq!(esc(&s), format!("\"{s}\""));
        }
    }

    /// The scan of runs and escapes (without `small`).
    fn by_runs(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        scan(s, |piece| match piece {
            Piece::Run(run) => out.extend_from_slice(run),
            Piece::Short(c) => out.extend_from_slice(&[b'\\', c]),
            Piece::Unit(u) => put_u_escape(u, &mut out),
            Piece::Pair(hi, lo) => {
                put_u_escape(hi, &mut out);
                put_u_escape(lo, &mut out);
            }
        });
        out
    }

    /// The character loop (with `small`).
    fn by_characters(s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        write_escaped_by_character(s, &mut out);
        out
    }

    #[test]
    fn both_escapers_write_the_same_bytes_for_every_character_class() {
        for s in [
            "",
            "plain",
            "\"q\\",
            "\u{0}\u{1f}\u{7f}\u{80}\u{9f}\u{a0}\u{ad}",
            "é מחרוזת 中文",
            "\u{2028}\u{fffe}",
            "😀a\u{10ffff}",
        ] {
            assert_eq!(by_characters(s), by_runs(s), "{s:?}");
        }
        for c in (0..0x3000u32).chain(0xd7f0..0xe010).chain(0xfff0..0x10010).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(by_characters(&s), by_runs(&s), "U+{:04X}", u32::from(c));
        }
    }

    proptest::proptest! {
        #[test]
        fn both_escapers_write_the_same_bytes(s: String) {
            proptest::prop_assert_eq!(by_characters(&s), by_runs(&s));
        }
    }
}
