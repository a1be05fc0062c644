//! [`Headers`]: the string → string map carried by invocation-family messages (types 1–5).

use core::fmt;

use crate::list::{DecodeItem, Given, List, ListIter, WireItem, WireList};
use crate::text::Text;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// One header: name and value.
pub type Header<'a> = (Text<'a>, Text<'a>);

impl<'a> Given<Header<'a>> for (&'a str, &'a str) {
    fn item(&self) -> Header<'a> {
        (Text::borrowed(self.0), Text::borrowed(self.1))
    }
}

/// The item kind of a headers [`WireList`]: name/value pairs.
#[derive(Debug)]
pub enum WireHeader {}

impl WireItem for WireHeader {
    type Item<'x> = Header<'x>;
}

/// The headers of a message: a view over the frame when parsed, the caller's pairs when written.
///
/// ```
/// use signalr_codec_core::Headers;
/// let pairs = [("traceparent", "00-abc-01")];
/// let headers = Headers::from_pairs(&pairs);
/// assert_eq!(headers.get("traceparent").as_deref(), Some("00-abc-01"));
/// assert_eq!(headers.len(), 1);
/// ```
#[derive(Clone)]
pub struct Headers<'a>(List<'a, (&'a str, &'a str), Header<'a>, WireHeader>);

/// Iterator over [`Headers`], in wire order.
pub type HeaderIter<'a, 'h> = ListIter<'a, 'h, (&'a str, &'a str), Header<'a>, WireHeader>;

impl<'a> Headers<'a> {
    /// No headers.
    pub const fn empty() -> Self {
        Headers(List::Given(&[]))
    }

    /// Headers given as name/value pairs, for writing.
    pub const fn from_pairs(pairs: &'a [(&'a str, &'a str)]) -> Self {
        Headers(List::Given(pairs))
    }

    /// Headers still in their wire form (used by protocol parsers): `len` items
    /// encoded in `raw`, which the parser has validated, read one at a time with `decode`.
    pub const fn from_wire(raw: &'a [u8], len: usize, decode: DecodeItem<WireHeader>) -> Self {
        Headers(List::Wire(WireList::<WireHeader>::new(raw, len, decode)))
    }

    /// Headers held in a vector.
    #[cfg(feature = "alloc")]
    pub fn from_vec(headers: Vec<Header<'a>>) -> Self {
        Headers(List::owned(headers))
    }

    /// Number of headers (as on the wire: a repeated name counts each time).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over the headers in wire order.
    pub fn iter(&self) -> HeaderIter<'a, '_> {
        self.0.iter()
    }

    /// The value of the last header named `name` (a repeated name: the last one wins, as in .NET).
    pub fn get(&self, name: &str) -> Option<Text<'a>> {
        self.iter().filter(|(k, _)| k.as_str() == name).last().map(|(_, v)| v)
    }

    /// Headers with no borrow left.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> Headers<'static> {
        Headers(List::owned(self.iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

impl Default for Headers<'_> {
    fn default() -> Self {
        Headers::empty()
    }
}

impl PartialEq for Headers<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq(&other.0)
    }
}
impl Eq for Headers<'_> {}

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
