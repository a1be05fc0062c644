//! [`RawJson`]: a payload value kept as the exact JSON text it arrived as, bound on demand.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::value::RawValue;
use signalr_codec_core::json::{ArrayState, JsonReader};
use signalr_codec_core::limits::MAX_SUPPORTED_DEPTH;
use signalr_codec_core::{Bind, Error, ErrorKind};

/// The name serde_json gives the struct a raw value serializes as; serde_json (with `raw_value`)
/// and this crate's serializer then write the text as is.
pub(crate) const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// A JSON value as raw text, borrowed from the frame it was parsed from: the `arguments`,
/// `item` and `result` of a parsed message.
///
/// Nothing is decoded until you ask: [`deserialize`](RawJson::deserialize) binds the value into
/// any `serde::Deserialize` type (strings borrowed from the frame where they have no escapes),
/// and for the argument array [`len`](RawJson::len), [`iter`](RawJson::iter),
/// [`argument`](RawJson::argument) and [`bind`](RawJson::bind) work on
/// the raw elements without allocating.
///
/// A `RawJson` always holds exactly one valid JSON value, so writing it back (forwarding, or
/// "encode once, send to many") is a copy.
///
/// ```
/// use signalr_codec_json::RawJson;
/// let args = RawJson::new(r#"["alice", 42, {"x": 1}]"#)?;
/// assert_eq!(args.len(), 3);
/// let (name, n): (&str, i32) = (args.argument(0)?, args.argument(1)?);
/// assert_eq!((name, n), ("alice", 42));
/// assert_eq!(args.iter().nth(2).unwrap().get(), r#"{"x": 1}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RawJson<'a>(&'a str);

impl<'a> RawJson<'a> {
    /// `null`.
    pub const NULL: RawJson<'static> = RawJson("null");
    /// `[]`: an empty argument list.
    pub const EMPTY_ARRAY: RawJson<'static> = RawJson("[]");

    /// Checks that `json` is exactly one JSON value (surrounding whitespace allowed and dropped)
    /// and wraps it.
    ///
    /// ```
    /// use signalr_codec_json::RawJson;
    /// assert_eq!(RawJson::new(" [1, 2] ").unwrap().get(), "[1, 2]");
    /// assert!(RawJson::new("[1, 2").is_err());
    /// assert!(RawJson::new("1 2").is_err());
    /// ```
    pub fn new(json: &'a str) -> Result<Self, Error> {
        let mut reader = JsonReader::from_text(json, MAX_SUPPORTED_DEPTH);
        let raw = reader.raw_value()?;
        if !reader.at_end() {
            return Err(Error::new(ErrorKind::Syntax, "Invalid JSON: text after the value.").at(reader.position()));
        }
        Ok(RawJson(raw))
    }

    /// Wraps text the parser has already validated.
    pub(crate) const fn validated(json: &'a str) -> Self {
        RawJson(json)
    }

    /// Wraps a serde_json raw value (already valid JSON: no check).
    pub fn from_raw_value(raw: &'a RawValue) -> Self {
        RawJson(raw.get().trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')))
    }

    /// The JSON text.
    pub const fn get(&self) -> &'a str {
        self.0
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.0 == "null"
    }

    /// True when the value is an array (as `arguments` always is).
    pub fn is_array(&self) -> bool {
        self.0.starts_with('[')
    }

    /// Binds the value (an item, a result, one argument) to a serde type, borrowing strings from
    /// the frame where `T` allows. On failure the text is serde_json's, with kind `type`.
    ///
    /// ```
    /// use signalr_codec_json::RawJson;
    /// #[derive(serde::Deserialize)]
    /// struct Point { x: i32, y: i32 }
    /// let p: Point = RawJson::new(r#"{"x":1,"y":2}"#)?.deserialize()?;
    /// assert_eq!((p.x, p.y), (1, 2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        // The text is valid JSON: read as such first (`crate::bind`), by serde_json when that
        // declines or fails (for the exact error).
        #[cfg(not(feature = "small"))]
        if let Some(value) = crate::bind::bind(self.0) {
            return Ok(value);
        }
        serde_json::from_str(self.0).map_err(|e| Error::formatted(ErrorKind::Type, format_args!("{e}")))
    }

    /// Binds an argument array as .NET's binder does ([`Bind::bind`]): into a tuple or a struct
    /// (the count must match: `Invocation provides {n} argument(s) but target expects {m}.`),
    /// `()` for none, or a `Vec` of any length.
    ///
    /// ```
    /// use signalr_codec_json::RawJson;
    /// let (user, text): (&str, String) = RawJson::new(r#"["alice","hi \"there\""]"#)?.bind()?;
    /// assert_eq!((user, text.as_str()), ("alice", "hi \"there\""));
    /// assert!(RawJson::new("[]")?.bind::<()>().is_ok());
    /// let e = RawJson::new("[1,2]")?.bind::<(i64,)>().unwrap_err();
    /// assert_eq!(e.message().to_string(), "Invocation provides 2 argument(s) but target expects 1.");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        Bind::bind(self)
    }

    /// Binds the argument at `index` (0-based) of an array value.
    ///
    /// ```
    /// use signalr_codec_json::RawJson;
    /// let args = RawJson::new(r#"[1,"two",3.5]"#)?;
    /// assert_eq!(args.argument::<f64>(2)?, 3.5);
    /// assert!(args.argument::<i32>(3).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn argument<T: Deserialize<'a>>(&self, index: usize) -> Result<T, Error> {
        Bind::argument(self, index)
    }

    /// The elements of an array value, each as raw JSON (nothing for any other value).
    pub fn iter(&self) -> Elements<'a> {
        let mut reader = JsonReader::from_text(self.0, MAX_SUPPORTED_DEPTH);
        let state = if self.is_array() { reader.begin_array().ok() } else { None };
        Elements { reader, state }
    }

    /// The number of elements of an array value (0 for any other value). Walks the text, no
    /// allocation.
    pub fn len(&self) -> usize {
        let mut reader = JsonReader::from_text(self.0, MAX_SUPPORTED_DEPTH);
        if !self.is_array() {
            return 0;
        }
        let Ok(mut state) = reader.begin_array() else {
            return 0;
        };
        let mut count = 0;
        while let Ok(true) = reader.next_element(&mut state) {
            if reader.skip_value().is_err() {
                break;
            }
            count += 1;
        }
        count
    }

    /// True for an empty array (or a value that is not an array).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the number of arguments as a .NET hub does before binding, with its error text:
    /// `Invocation provides {n} argument(s) but target expects {m}.`
    ///
    /// ```
    /// use signalr_codec_json::RawJson;
    /// let args = RawJson::new("[1,2,3]")?;
    /// assert!(args.check_argument_count(3).is_ok());
    /// let err = args.check_argument_count(2).unwrap_err();
    /// assert_eq!(err.message().to_string(), "Invocation provides 3 argument(s) but target expects 2.");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_argument_count(&self, expected: usize) -> Result<(), Error> {
        let provided = self.len();
        if provided == expected {
            Ok(())
        } else {
            Err(Error::formatted(
                ErrorKind::Invalid,
                format_args!("Invocation provides {provided} argument(s) but target expects {expected}."),
            ))
        }
    }

    /// The value as a serde_json [`RawValue`]. serde_json checks the text again (no allocation).
    pub fn to_raw_value(&self) -> Result<&'a RawValue, serde_json::Error> {
        serde_json::from_str(self.0)
    }

    /// An owned copy.
    pub fn to_owned_json(&self) -> RawJsonBuf {
        RawJsonBuf(Box::from(self.0))
    }
}

impl<'a> Bind<'a> for RawJson<'a> {
    type Elements = Elements<'a>;

    fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        RawJson::deserialize(self)
    }

    fn elements(&self) -> Elements<'a> {
        self.iter()
    }

    fn count(&self) -> usize {
        self.len()
    }

    /// One pass for the common case: the binder for valid JSON (`crate::bind`: strings,
    /// integers and containers read without serde_json, floats and escaped strings handed to
    /// it one at a time), then, when that declines, serde_json on the whole array. Both refuse a tuple or a struct read from
    /// an array with too few or too many elements by themselves, so the elements are counted (a
    /// second scan of the whole array) only to explain a failure with .NET's arity text.
    fn bind<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        #[cfg(not(feature = "small"))]
        if let Some(value) = crate::bind::bind(self.0) {
            return Ok(value);
        }
        if let Ok(value) = serde_json::from_str(self.0) {
            return Ok(value);
        }
        signalr_codec_core::bind::bind_checked(self)
    }
}

impl fmt::Debug for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", self.0)
    }
}

impl fmt::Display for RawJson<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl<'a> From<&'a RawValue> for RawJson<'a> {
    fn from(raw: &'a RawValue) -> Self {
        RawJson::from_raw_value(raw)
    }
}

impl<'a> IntoIterator for RawJson<'a> {
    type Item = RawJson<'a>;
    type IntoIter = Elements<'a>;
    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &RawJson<'a> {
    type Item = RawJson<'a>;
    type IntoIter = Elements<'a>;
    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

/// Serializes as the raw text (with serde_json, and with this crate's writer); other
/// serializers see what serde_json's `RawValue` shows them.
impl Serialize for RawJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct(RAW_TOKEN, 1)?;
        s.serialize_field(RAW_TOKEN, self.0)?;
        s.end()
    }
}

/// Borrows the raw text of a value from a serde_json deserializer, e.g. to keep one argument raw:
/// `let (name, rest): (&str, RawJson) = args.bind()?`.
impl<'de: 'a, 'a> Deserialize<'de> for RawJson<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(RawJson::from_raw_value)
    }
}

/// Iterator over the elements of an array [`RawJson`]; see [`RawJson::iter`].
#[derive(Debug)]
pub struct Elements<'a> {
    reader: JsonReader<'a>,
    state: Option<ArrayState>,
}

impl<'a> Iterator for Elements<'a> {
    type Item = RawJson<'a>;

    fn next(&mut self) -> Option<RawJson<'a>> {
        let state = self.state.as_mut()?;
        match self.reader.next_element(state) {
            Ok(true) => match self.reader.raw_value() {
                Ok(raw) => Some(RawJson(raw)),
                Err(_) => {
                    self.state = None;
                    None
                }
            },
            _ => {
                self.state = None;
                None
            }
        }
    }
}

impl core::iter::FusedIterator for Elements<'_> {}

/// An owned [`RawJson`]: one valid JSON value as text, for messages that outlive their frame.
///
/// ```
/// use signalr_codec_json::{RawJson, RawJsonBuf};
/// let owned: RawJsonBuf = RawJson::new("[1,2]")?.to_owned_json();
/// assert_eq!(owned.as_raw().len(), 2);
/// assert_eq!(RawJsonBuf::new(String::from("{}"))?.get(), "{}");
/// # Ok::<(), signalr_codec_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJsonBuf(Box<str>);

impl RawJsonBuf {
    /// Checks that `json` is exactly one JSON value and takes it.
    pub fn new(json: String) -> Result<Self, Error> {
        let raw = RawJson::new(&json)?;
        if raw.get().len() == json.len() {
            Ok(RawJsonBuf(json.into_boxed_str()))
        } else {
            Ok(raw.to_owned_json())
        }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }

    /// Borrows it as a [`RawJson`].
    pub fn as_raw(&self) -> RawJson<'_> {
        RawJson(&self.0)
    }

    /// The text.
    pub fn into_string(self) -> String {
        String::from(self.0)
    }
}

impl fmt::Debug for RawJsonBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJsonBuf({})", self.0)
    }
}

impl signalr_codec_core::ToOwnedValue for RawJson<'_> {
    type Owned = RawJsonBuf;

    fn to_owned_value(&self) -> RawJsonBuf {
        self.to_owned_json()
    }
}

impl From<RawJson<'_>> for RawJsonBuf {
    fn from(raw: RawJson<'_>) -> Self {
        raw.to_owned_json()
    }
}

impl Serialize for RawJsonBuf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_raw().serialize(serializer)
    }
}
