//! [`StreamIds`]: the ids of the upload streams an invocation sends (`streamIds`).

use core::fmt;

use crate::list::{DecodeItem, Given, List, ListIter, WireItem, WireList};
use crate::ownership::{Ownership, Owning};
use crate::text::Text;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

impl<'a> Given<Text<'a>> for &'a str {
    fn item(&self) -> Text<'a> {
        Text::borrowed(self)
    }
}

/// The item kind of a stream-ids [`WireList`]: strings.
#[derive(Debug)]
pub enum WireStreamId {}

impl WireItem for WireStreamId {
    type Item<'x> = Text<'x>;
}

/// The stream ids of an Invocation or StreamInvocation: a view over the frame when parsed,
/// the caller's strings when written.
///
/// ```
/// use signalr_codec_core::StreamIds;
/// let ids = ["1", "2"];
/// let stream_ids = StreamIds::from_slice(&ids);
/// assert_eq!(stream_ids.iter().collect::<Vec<_>>(), ["1", "2"]);
/// ```
#[derive(Clone)]
pub struct StreamIds<'a, O: Ownership = Owning>(List<'a, &'a str, Text<'a>, WireStreamId, O>);

/// Iterator over [`StreamIds`], in wire order.
pub type StreamIdIter<'a, 'l> = ListIter<'a, 'l, &'a str, Text<'a>, WireStreamId>;

impl<'a> StreamIds<'a> {
    /// No stream ids.
    pub const fn empty() -> Self {
        StreamIds(List::Given(&[]))
    }

    /// Stream ids given as strings, for writing.
    pub const fn from_slice(ids: &'a [&'a str]) -> Self {
        StreamIds(List::Given(ids))
    }

    /// Stream ids held in a vector.
    #[cfg(feature = "alloc")]
    pub fn from_vec(ids: Vec<Text<'a>>) -> Self {
        StreamIds(List::owned(ids))
    }
}

impl<'a, O: Ownership> StreamIds<'a, O> {
    /// No stream ids, of either [`Ownership`] (what protocol parsers build;
    /// [`StreamIds::empty`] elsewhere).
    pub const fn none() -> Self {
        StreamIds(List::Given(&[]))
    }

    /// Stream ids still in their wire form (used by protocol parsers): `len` items
    /// encoded in `raw`, which the parser has validated, read one at a time with `decode`.
    pub const fn from_wire(raw: &'a [u8], len: usize, decode: DecodeItem<WireStreamId>) -> Self {
        StreamIds(List::Wire(WireList::<WireStreamId>::new(raw, len, decode)))
    }

    /// Number of stream ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterates over the ids in wire order.
    pub fn iter(&self) -> StreamIdIter<'a, '_> {
        self.0.iter()
    }

    /// The same stream ids as [`Owning`] ones: moved, nothing copied.
    pub fn owning(self) -> StreamIds<'a> {
        StreamIds(self.0.owning())
    }

    /// Stream ids with no borrow left.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> StreamIds<'static> {
        StreamIds(List::owned(self.iter().map(Text::into_owned).collect()))
    }
}

impl<O: Ownership> Default for StreamIds<'_, O> {
    fn default() -> Self {
        StreamIds::none()
    }
}

impl<'a, O: Ownership, P: Ownership> PartialEq<StreamIds<'a, P>> for StreamIds<'a, O> {
    fn eq(&self, other: &StreamIds<'a, P>) -> bool {
        self.0.eq(&other.0)
    }
}
impl<O: Ownership> Eq for StreamIds<'_, O> {}

impl<O: Ownership> fmt::Debug for StreamIds<'_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}
