//! Binding payloads without reading them twice.
//!
//! A [`RawJson`](crate::RawJson) always holds valid JSON: decoding validated it. Binding it with
//! serde_json would validate it all again; this deserializer reads it as what it is, valid:
//! a string without escapes ends at the next quote, found with `memchr` and handed to the
//! target borrowed, integers are read as serde_json reads them, objects and arrays are walked
//! for their members. (Decoding and binding the benchmarks' `large_arguments`, two long strings,
//! went from 1.36× serde_json's time to 0.61×: `paired -- bind json` in `benches/`.) Floats and strings with escapes, where serde_json's
//! exact reading matters (`float_roundtrip`, `\u` pairs), go to serde_json, one value at a
//! time.
//!
//! It is a fast path and nothing more: it hands the target only what serde_json would hand it
//! for the same text and the same request, and declines (an error) whatever it does not mirror
//! exactly: enums, 128-bit integers, map keys read as anything but strings, a request that does
//! not fit the value. Any failure, declined or real, is bound again by serde_json on the whole
//! value, which gives the value or the exact error (and .NET's arity text) as before.

use memchr::memchr2;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Error;
use signalr_codec_core::json::scan::{is_ws, Scanner};
use signalr_codec_core::limits::MAX_SUPPORTED_DEPTH;

use crate::raw::RAW_TOKEN;

/// serde_json's nesting limit: it refuses a 128th level of nested containers.
const SERDE_JSON_MAX_NESTING: usize = 127;

/// Binds `text` (one valid JSON value, without surrounding whitespace) to `T`, if the fast path
/// can; `None` when it declines or the binding fails (the caller binds again with serde_json,
/// for the value or the exact error).
pub(crate) fn bind<'a, T: de::Deserialize<'a>>(text: &'a str) -> Option<T> {
    let mut cursor = Cursor { text, pos: 0, depth: 0 };
    let value = T::deserialize(Value(&mut cursor)).ok()?;
    // serde_json refuses text after the value (its `end`); the value is all of `text`.
    (cursor.skip_ws() == text.len()).then_some(value)
}

/// What the fast path answers when it does not answer: the caller binds with serde_json.
fn decline() -> Error {
    de::Error::custom("")
}

/// A position in the valid JSON text, and the containers open around it.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn skip_ws(&mut self) -> usize {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(|&b| is_ws(b)) {
            self.pos += 1;
        }
        self.pos
    }

    /// The next byte after whitespace (0 at the end), not consumed.
    #[inline(always)]
    fn peek(&mut self) -> u8 {
        let at = self.skip_ws();
        self.text.as_bytes().get(at).copied().unwrap_or(0)
    }

    /// Consumes `b` (after whitespace), or declines.
    #[inline(always)]
    fn eat(&mut self, b: u8) -> Result<(), Error> {
        if self.peek() != b {
            return Err(decline());
        }
        self.pos += 1;
        Ok(())
    }

    /// The string at the cursor (on its opening quote): its text between the quotes and
    /// whether it has escapes; the cursor moves past it.
    #[inline(always)]
    fn string(&mut self) -> Result<(&'a str, bool), Error> {
        let start = self.pos + 1;
        let (end, escaped) = string_end(self.text.as_bytes(), start).ok_or_else(decline)?;
        self.pos = end + 1;
        Ok((&self.text[start..end], escaped))
    }

    /// The text of the value at the cursor, which moves past it.
    fn skip_value(&mut self) -> Result<&'a str, Error> {
        let mut scanner = Scanner::over(self.text, MAX_SUPPORTED_DEPTH);
        scanner.pos = self.skip_ws();
        let start = scanner.pos;
        scanner.skip_value(self.depth).map_err(|_| decline())?;
        self.pos = scanner.pos;
        Ok(&self.text[start..scanner.pos])
    }

    /// Steps to the next element or member of the container being read: false at its `close`
    /// bracket (not consumed: the container's reader checks it), past the comma otherwise.
    #[inline(always)]
    fn next_item(&mut self, close: u8, first: &mut bool) -> Result<bool, Error> {
        match self.peek() {
            b if b == close => return Ok(false),
            b',' if !*first => self.pos += 1,
            _ if *first => {}
            _ => return Err(decline()),
        }
        *first = false;
        Ok(true)
    }

    /// Enters an array or object (its opening bracket at the cursor), as serde_json counts
    /// nesting.
    fn enter(&mut self) -> Result<(), Error> {
        if self.depth >= SERDE_JSON_MAX_NESTING {
            return Err(decline());
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }
}

/// The value at the cursor, as a serde `Deserializer`.
struct Value<'a, 'c>(&'c mut Cursor<'a>);

impl<'a> Value<'a, '_> {
    /// A string at the cursor: borrowed when it has no escapes, read by serde_json (which
    /// unescapes it as it would) otherwise, with the same request.
    fn string<V: Visitor<'a>>(
        self,
        visitor: V,
        plain: impl FnOnce(&'a str, V) -> Result<V::Value, Error>,
        escaped: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'a>>, V) -> Result<V::Value, Error>,
    ) -> Result<V::Value, Error> {
        let at = self.0.pos;
        match self.0.string()? {
            (text, false) => plain(text, visitor),
            (_, true) => serde_json_value(&self.0.text[at..self.0.pos], |de| escaped(de, visitor)),
        }
    }

    /// A number at the cursor, handed over as serde_json hands every number whatever was asked
    /// (`visit_u64`, `visit_i64`, or its float reading, `visit_f64`): the visitor checks the
    /// range.
    /// `single`: an `f32` was asked for, which serde_json parses in single precision.
    fn number<V: Visitor<'a>>(self, visitor: V, single: bool) -> Result<V::Value, Error> {
        let at = self.0.pos;
        let (end, integer) = number(self.0.text.as_bytes(), at);
        self.0.pos = end;
        match integer {
            Some(Integer::U64(n)) => visitor.visit_u64(n),
            Some(Integer::I64(n)) => visitor.visit_i64(n),
            None if single => serde_json_value(&self.0.text[at..end], |de| de.deserialize_f32(visitor)),
            None => serde_json_value(&self.0.text[at..end], |de| de.deserialize_f64(visitor)),
        }
    }

    fn seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.enter()?;
        let value = visitor.visit_seq(Elements { cursor: self.0, first: true })?;
        // serde_json refuses elements the visitor left unread (its `end_seq`); so does this.
        self.0.eat(b']')?;
        self.0.depth -= 1;
        Ok(value)
    }

    fn map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.enter()?;
        let value = visitor.visit_map(Members { cursor: self.0, first: true })?;
        self.0.eat(b'}')?;
        self.0.depth -= 1;
        Ok(value)
    }
}

/// One value, read by serde_json alone, as it reads it inside a larger one.
fn serde_json_value<'a, T>(
    text: &'a str,
    read: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'a>>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = read(&mut de)?;
    de.end()?;
    Ok(value)
}

/// serde_json reads every number request the same way (its `deserialize_number`).
macro_rules! numbers {
    ($($method:ident: $single:literal)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
                match self.0.peek() {
                    b'-' | b'0'..=b'9' => self.number(visitor, $single),
                    _ => Err(decline()),
                }
            }
        )*
    };
}

impl<'a> Deserializer<'a> for Value<'a, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.peek() {
            b'"' => self.string(visitor, |s, v| v.visit_borrowed_str(s), |de, v| de.deserialize_any(v)),
            b'-' | b'0'..=b'9' => self.number(visitor, false),
            b'[' => self.seq(visitor),
            b'{' => self.map(visitor),
            b't' | b'f' => self.deserialize_bool(visitor),
            b'n' => self.deserialize_unit(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        let rest = &self.0.text[self.0.skip_ws()..];
        if rest.starts_with("true") {
            self.0.pos += 4;
            visitor.visit_bool(true)
        } else if rest.starts_with("false") {
            self.0.pos += 5;
            visitor.visit_bool(false)
        } else {
            Err(decline())
        }
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.peek() {
            b'"' => self.string(visitor, |s, v| v.visit_borrowed_str(s), |de, v| de.deserialize_str(v)),
            _ => Err(decline()),
        }
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.peek() {
            b'"' => self.string(visitor, |s, v| v.visit_borrowed_bytes(s.as_bytes()), |de, v| de.deserialize_bytes(v)),
            b'[' => self.seq(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.text[self.0.skip_ws()..].starts_with("null") {
            self.0.pos += 4;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        if !self.0.text[self.0.skip_ws()..].starts_with("null") {
            return Err(decline());
        }
        self.0.pos += 4;
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, name: &'static str, visitor: V) -> Result<V::Value, Error> {
        // serde_json's raw values are serde_json's to read.
        if name == RAW_TOKEN {
            return Err(decline());
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.peek() {
            b'[' => self.seq(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.peek() {
            b'{' => self.map(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // serde_json reads a struct from an object or from an array.
        match self.0.peek() {
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            _ => Err(decline()),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.skip_value()?;
        visitor.visit_unit()
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_i128<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_u128<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    numbers! {
        deserialize_i8: false deserialize_i16: false deserialize_i32: false deserialize_i64: false
        deserialize_u8: false deserialize_u16: false deserialize_u32: false deserialize_u64: false
        deserialize_f32: true deserialize_f64: false
    }
}

/// The elements of an array.
struct Elements<'a, 'c> {
    cursor: &'c mut Cursor<'a>,
    first: bool,
}

impl<'a> SeqAccess<'a> for Elements<'a, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'a>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if !self.cursor.next_item(b']', &mut self.first)? {
            return Ok(None);
        }
        seed.deserialize(Value(self.cursor)).map(Some)
    }
}

/// The members of an object.
struct Members<'a, 'c> {
    cursor: &'c mut Cursor<'a>,
    first: bool,
}

impl<'a> MapAccess<'a> for Members<'a, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if !self.cursor.next_item(b'}', &mut self.first)? {
            return Ok(None);
        }
        if self.cursor.peek() != b'"' {
            return Err(decline());
        }
        let key = match self.cursor.string()? {
            (key, false) => key,
            // An escaped name: serde_json's to read (rare; the whole value goes to it).
            (_, true) => return Err(decline()),
        };
        self.cursor.eat(b':')?;
        seed.deserialize(Key(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(Value(self.cursor))
    }
}

/// Number requests on a member name: serde_json parses the name's text; declined.
macro_rules! key_numbers {
    ($($method:ident)*) => {
        $(
            fn $method<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
                Err(decline())
            }
        )*
    };
}

/// An object's member name without escapes. serde_json hands names to string and identifier
/// requests borrowed, and reads other requests (numbers, bools) from the name's text: those
/// are declined.
struct Key<'a>(&'a str);

impl<'a> Deserializer<'a> for Key<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_bool<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_option<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _: &'static str, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    fn deserialize_char<V: Visitor<'a>>(self, _: V) -> Result<V::Value, Error> {
        Err(decline())
    }

    key_numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32 deserialize_f64
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        unit unit_struct seq tuple tuple_struct map struct
    }
}

/// An integer as serde_json hands it to a visitor.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Integer {
    U64(u64),
    I64(i64),
}

/// The closing quote of the string whose text starts at `start`, and whether it has escapes.
/// (The text is valid JSON: no control characters to look for.)
#[inline(always)]
fn string_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    // Most strings are short (member names, ids, tags, names): up to two words of eight bytes
    // are looked at here, which costs less than setting up the vectorized search (a member
    // name of exactly eight bytes, `quantity`, went to memchr for its closing quote alone).
    let mut at = start;
    for _ in 0..2 {
        let Some(&word) = bytes.get(at..).and_then(|b| b.first_chunk::<8>()) else { break };
        let word = u64::from_le_bytes(word);
        let hits = has_byte(word, b'"') | has_byte(word, b'\\');
        if hits != 0 {
            // The lowest flag is exact (the trick's false flags only sit above a true one).
            let at = at + (hits.trailing_zeros() / 8) as usize;
            return match bytes[at] {
                b'"' => Some((at, false)),
                _ => string_end_escaped(bytes, at),
            };
        }
        at += 8;
    }
    string_end_escaped(bytes, at)
}

/// The high bit of each byte of `word` that equals `b` is set (and possibly of bytes above the
/// first such byte).
const fn has_byte(word: u64, b: u8) -> u64 {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    let x = word ^ (ONES * b as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The closing quote from `from` on, with `memchr`; escapes at or after `from` are reported.
fn string_end_escaped(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut i = from;
    let mut escaped = false;
    loop {
        let found = i + memchr2(b'"', b'\\', bytes.get(i..)?)?;
        if bytes[found] == b'"' {
            return Some((found, escaped));
        }
        // `\"`, `\\`, `\uXXXX`, …: the byte after the backslash is never the string's end.
        escaped = true;
        i = found + 2;
    }
}

/// The end of the number at `at` (valid JSON), and the number as serde_json hands it to a
/// visitor when it is an integer: `u64` when not negative, `i64` otherwise. `None` for a
/// float, and for integers serde_json reads as floats: `-0`, and those beyond `u64` or below
/// `i64::MIN`.
fn number(bytes: &[u8], at: usize) -> (usize, Option<Integer>) {
    let negative = bytes.get(at) == Some(&b'-');
    let start = at + usize::from(negative);
    let mut i = start;
    let mut magnitude = 0u64;
    while let Some(&b) = bytes.get(i) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        // Wraps only past 19 digits, which are refused below.
        magnitude = magnitude.wrapping_mul(10).wrapping_add(u64::from(digit));
        i += 1;
    }
    let digits = i - start;
    let mut float = false;
    while bytes.get(i).is_some_and(|b| matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'0'..=b'9')) {
        float = true;
        i += 1;
    }
    let integer = match (float || digits == 0 || digits > 19, negative) {
        (true, _) => None,
        (false, false) => Some(Integer::U64(magnitude)),
        (false, true) if magnitude == 0 => None,
        (false, true) => 0i64.checked_sub_unsigned(magnitude).map(Integer::I64),
    };
    (i, integer)
}

#[cfg(test)]
mod tests {
    //! The fast path against serde_json, its oracle: whenever it answers, it answers what
    //! serde_json answers for the same text and target, and it never answers where serde_json
    //! fails.

    use std::collections::BTreeMap;
    use std::string::{String, ToString};
    use std::vec::Vec;

    use proptest::prelude::*;
    use serde::Deserialize;
    use serde_json::Value as Json;

    use super::bind;

    /// What the fast path gives, checked against serde_json; true when it answered.
    fn agrees<'a, T: Deserialize<'a> + PartialEq + core::fmt::Debug>(text: &'a str) -> bool {
        let fast = bind::<T>(text);
        let exact = serde_json::from_str::<T>(text).ok();
        if let Some(fast) = &fast {
            assert_eq!(Some(fast), exact.as_ref(), "{text}");
        }
        fast.is_some()
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Item<'a> {
        id: u64,
        #[serde(borrow)]
        name: &'a str,
        price: f64,
        tags: Vec<String>,
        note: Option<String>,
    }

    /// A struct whose members the generated objects may have, with any values.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Shape<'a> {
        #[serde(borrow)]
        name: Option<&'a str>,
        id: Option<i64>,
        #[serde(default)]
        tags: Vec<String>,
        price: Option<f32>,
        note: Option<Json>,
    }

    #[test]
    fn the_benchmark_shapes_are_answered_here() {
        assert!(agrees::<(&str, &str)>(r#"["alice","hello there"]"#));
        assert!(agrees::<(i32, &str, f32)>(r#"[42,"string",3.5]"#));
        assert!(agrees::<(i32, &str, f32, bool, i32, &str, &str, i64)>(
            r#"[1,"string",2,true,9,"BQQDAgE=","c",-9223372036854775808]"#
        ));
        assert!(agrees::<(&str, Vec<Item>)>(
            r#"["v2",[{"id":1,"name":"a","price":0.99,"tags":["x"],"note":null},{"id":2,"name":"b","price":2,"tags":[],"note":"n\u00e9"}]]"#
        ));
        assert!(agrees::<[u8; 0]>("[]"));
        assert!(agrees::<Vec<Option<i64>>>("[1,null,-2]"));
        assert!(agrees::<BTreeMap<String, Vec<u8>>>(r#"{"a":[1,2],"b":[3]}"#));
        assert!(agrees::<BTreeMap<&str, &[u8]>>(r#"{"b":"xyz"}"#));
    }

    #[test]
    fn numbers_are_read_as_serde_json_reads_them() {
        for n in [
            "0",
            "-0",
            "1e5",
            "1.0",
            "-1.5e-3",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "-9223372036854775808",
            "-9223372036854775809",
            "12345678901234567890",
            "1234567890123456789",
            "-1234567890123456789",
            "255",
            "256",
            "-129",
            "3.4028236e38",
        ] {
            let text = format!("[{n}]");
            agrees::<(u8,)>(&text);
            agrees::<(i8,)>(&text);
            agrees::<(u64,)>(&text);
            agrees::<(i64,)>(&text);
            agrees::<(f32,)>(&text);
            agrees::<(f64,)>(&text);
            agrees::<(Json,)>(&text);
            agrees::<(Option<u32>,)>(&text);
        }
    }

    #[test]
    fn what_serde_json_refuses_is_not_answered() {
        // Arity, types, nesting beyond serde_json's limit, duplicate fields, text after the value.
        assert!(!agrees::<(i32,)>("[1,2]"));
        assert!(!agrees::<(i32, i32)>("[1]"));
        assert!(!agrees::<(i32,)>(r#"["1"]"#));
        assert!(!agrees::<(&str,)>(r#"["a\nb"]"#)); // escaped: borrowed &str impossible
        assert!(agrees::<(String,)>(r#"["a\nb"]"#));
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(agrees::<Json>(&deep(127)));
        assert!(!agrees::<Json>(&deep(128)));
        assert!(!agrees::<Item>(r#"{"id":1,"id":2,"name":"a","price":1,"tags":[],"note":null}"#));
    }

    fn json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            any::<u64>().prop_map(Json::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
            ".{0,12}".prop_map(Json::String),
            "[a-z\"\\\\/\u{1}-\u{1f}é😀]{0,8}".prop_map(Json::String),
            // Long enough for every path of the closing-quote search: the first word, the
            // second, and memchr after them, with an escape or a quote anywhere.
            "[a-z ]{0,40}".prop_map(Json::String),
            "[a-z]{0,20}[\"\\\\\n][a-z]{0,20}".prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                prop::collection::btree_map("(name|id|tags|price|note|[a-z\u{e9}\"]{0,3})", inner, 0..6)
                    .prop_map(|m| Json::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_is_read_as_serde_json_reads_it(value in json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            agrees::<Json>(&text);
            agrees::<Vec<Json>>(&text);
            agrees::<(Json, Json)>(&text);
            agrees::<(i64, String, f64)>(&text);
            agrees::<(Option<&str>, Vec<u8>, bool)>(&text);
            agrees::<BTreeMap<String, Json>>(&text);
            agrees::<BTreeMap<&str, Option<i32>>>(&text);
            agrees::<Vec<Vec<u16>>>(&text);
            agrees::<(char,)>(&text);
            agrees::<serde::de::IgnoredAny>(&text);
            agrees::<Shape>(&text);
            agrees::<Vec<Shape>>(&text);
            // Only an escaped member name is declined (serde_json reads it).
            if !text.contains('\\') {
                prop_assert!(bind::<Json>(&text).is_some());
            }
            let _ = value.to_string();
        }
    }
}
