//! The list views behind [`Headers`](crate::Headers) and [`StreamIds`](crate::StreamIds):
//! kept in their wire form and decoded item by item, or given by the caller for writing.

use core::fmt;
use core::marker::PhantomData;

use crate::ownership::{OwnedList, Ownership, Owning};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// The kind of item a [`WireList`] holds, as a family over the frame's lifetime.
///
/// Keeping the item type behind this family (instead of a type with the frame's lifetime baked
/// in) is what keeps messages covariant: a message borrowed for `'long` can be used where one
/// borrowed for `'short` is expected.
pub trait WireItem {
    /// The decoded item, borrowing from a frame that lives for `'x`.
    type Item<'x>;
}

/// Decodes the next item at the front of `rest` and advances `rest` past it.
///
/// Called only on bytes the protocol already validated while parsing, so it returns `None`
/// only at the end of the list.
pub type DecodeItem<K> = for<'x> fn(rest: &mut &'x [u8]) -> Option<<K as WireItem>::Item<'x>>;

/// A list that stays in the frame's bytes: headers and stream ids are views, not copies.
///
/// A protocol validates the list while parsing the frame, then hands out this view; iterating
/// decodes one item at a time with the protocol's [`DecodeItem`] function.
pub struct WireList<'a, K: WireItem> {
    raw: &'a [u8],
    len: usize,
    decode: DecodeItem<K>,
    kind: PhantomData<fn() -> K>,
}

impl<K: WireItem> Clone for WireList<'_, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: WireItem> Copy for WireList<'_, K> {}

impl<'a, K: WireItem> WireList<'a, K> {
    /// A view of `len` items encoded in `raw`, read with `decode`.
    pub const fn new(raw: &'a [u8], len: usize, decode: DecodeItem<K>) -> Self {
        WireList { raw, len, decode, kind: PhantomData }
    }

    /// The encoded items, exactly as they appear in the frame.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Number of items.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True when there are no items.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A caller-given element (`&str`, `(&str, &str)`) as a list item.
pub(crate) trait Given<I> {
    fn item(&self) -> I;
}

/// A list of items: caller-given (`G`), wire view (items of kind `K`), or owned (`I`, only
/// with [`Owning`](crate::ownership::Owning) and `alloc`).
pub(crate) enum List<'a, G, I, K: WireItem, O: Ownership> {
    Given(&'a [G]),
    Wire(WireList<'a, K>),
    #[cfg_attr(not(feature = "alloc"), allow(dead_code))]
    Owned(OwnedList<I, O>),
}

#[cfg(feature = "alloc")]
impl<G, I, K: WireItem> List<'_, G, I, K, Owning> {
    pub(crate) fn owned(items: Vec<I>) -> Self {
        List::Owned(OwnedList::new(items))
    }
}

impl<G, I: Clone, K: WireItem, O: Ownership> Clone for List<'_, G, I, K, O> {
    fn clone(&self) -> Self {
        match self {
            List::Given(s) => List::Given(s),
            List::Wire(w) => List::Wire(*w),
            List::Owned(items) => List::Owned(items.clone()),
        }
    }
}

impl<'a, G, I, K: WireItem, O: Ownership> List<'a, G, I, K, O> {
    /// The same list as an [`Owning`] one: moved, nothing copied.
    pub(crate) fn owning(self) -> List<'a, G, I, K, Owning> {
        match self {
            List::Given(s) => List::Given(s),
            List::Wire(w) => List::Wire(w),
            List::Owned(items) => List::Owned(items.owning()),
        }
    }
}

impl<'a, G: Given<I>, I: Clone, K: WireItem, O: Ownership> List<'a, G, I, K, O>
where
    K::Item<'a>: Into<I>,
{
    pub(crate) fn len(&self) -> usize {
        match self {
            List::Given(s) => s.len(),
            List::Wire(w) => w.len(),
            List::Owned(items) => items.as_slice().len(),
        }
    }

    pub(crate) fn iter(&self) -> ListIter<'a, '_, G, I, K> {
        ListIter(match self {
            List::Given(s) => IterRepr::Given(s.iter()),
            List::Wire(w) => IterRepr::Wire { rest: w.raw, remaining: w.len, decode: w.decode },
            #[cfg(feature = "alloc")]
            List::Owned(items) => IterRepr::Owned(items.as_slice().iter()),
            // Without `alloc` nothing is owned: no owned form to iterate (and to carry code for).
            #[cfg(not(feature = "alloc"))]
            List::Owned(_) => IterRepr::Given([].iter()),
        })
    }

    pub(crate) fn eq<P: Ownership>(&self, other: &List<'a, G, I, K, P>) -> bool
    where
        I: PartialEq,
    {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Iterator over a list view, in wire order.
pub struct ListIter<'a, 'l, G, I, K: WireItem>(IterRepr<'a, 'l, G, I, K>);

enum IterRepr<'a, 'l, G, I, K: WireItem> {
    Given(core::slice::Iter<'a, G>),
    Wire {
        rest: &'a [u8],
        remaining: usize,
        decode: DecodeItem<K>,
    },
    #[cfg(feature = "alloc")]
    Owned(core::slice::Iter<'l, I>),
    #[cfg(not(feature = "alloc"))]
    #[allow(dead_code)]
    Unused(PhantomData<&'l I>),
}

impl<'a, G: Given<I>, I: Clone, K: WireItem> Iterator for ListIter<'a, '_, G, I, K>
where
    K::Item<'a>: Into<I>,
{
    type Item = I;
    // With `small`, a call: inlined, each loop over a list carried its own copy of the three
    // forms and their moves (the headers and stream-id writers: 108 B, `firmware/check codec`).
    #[cfg_attr(feature = "small", inline(never))]
    fn next(&mut self) -> Option<I> {
        match &mut self.0 {
            IterRepr::Given(it) => it.next().map(G::item),
            IterRepr::Wire { rest, remaining, decode } => {
                if *remaining == 0 {
                    return None;
                }
                let item = decode(rest);
                *remaining = if item.is_some() { *remaining - 1 } else { 0 };
                item.map(Into::into)
            }
            #[cfg(feature = "alloc")]
            IterRepr::Owned(it) => it.next().cloned(),
            #[cfg(not(feature = "alloc"))]
            IterRepr::Unused(_) => None,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Given(it) => it.size_hint(),
            IterRepr::Wire { remaining, .. } => (0, Some(*remaining)),
            #[cfg(feature = "alloc")]
            IterRepr::Owned(it) => it.size_hint(),
            #[cfg(not(feature = "alloc"))]
            IterRepr::Unused(_) => (0, Some(0)),
        }
    }
}

impl<G, I, K: WireItem> fmt::Debug for ListIter<'_, '_, G, I, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ListIter")
    }
}

impl<K: WireItem> fmt::Debug for WireList<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WireList").field("len", &self.len).field("raw", &self.raw).finish()
    }
}
