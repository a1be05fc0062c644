//! [`Headers`]: the string → string map carried by invocation-family messages (types 1–5).

use core::fmt;

use crate::list::{DecodeItem, Given, List, ListIter, WireItem, WireList};
use crate::ownership::{Ownership, Owning};
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
pub struct Headers<'a, O: Ownership = Owning>(List<'a, (&'a str, &'a str), Header<'a>, WireHeader, O>);

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

    /// Headers held in a vector.
    #[cfg(feature = "alloc")]
    pub fn from_vec(headers: Vec<Header<'a>>) -> Self {
        Headers(List::owned(headers))
    }
}

impl<'a, O: Ownership> Headers<'a, O> {
    /// No headers, of either [`Ownership`] (what protocol parsers build; [`Headers::empty`]
    /// elsewhere).
    pub const fn none() -> Self {
        Headers(List::Given(&[]))
    }

    /// Headers still in their wire form (used by protocol parsers): `len` items
    /// encoded in `raw`, which the parser has validated, read one at a time with `decode`.
    pub const fn from_wire(raw: &'a [u8], len: usize, decode: DecodeItem<WireHeader>) -> Self {
        Headers(List::Wire(WireList::<WireHeader>::new(raw, len, decode)))
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

    /// The same headers as [`Owning`] ones: moved, nothing copied.
    pub fn owning(self) -> Headers<'a> {
        Headers(self.0.owning())
    }

    /// Headers with no borrow left.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> Headers<'static> {
        Headers(List::owned(self.iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }
}

impl<O: Ownership> Default for Headers<'_, O> {
    fn default() -> Self {
        Headers::none()
    }
}

impl<'a, O: Ownership, P: Ownership> PartialEq<Headers<'a, P>> for Headers<'a, O> {
    fn eq(&self, other: &Headers<'a, P>) -> bool {
        self.0.eq(&other.0)
    }
}
impl<O: Ownership> Eq for Headers<'_, O> {}

impl<O: Ownership> fmt::Debug for Headers<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
