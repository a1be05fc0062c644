//! The list views behind [`Headers`](crate::Headers) and [`StreamIds`](crate::StreamIds):
//! kept in their wire form and decoded item by item, or given by the caller for writing.

use core::fmt;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// Decodes the next item at the front of `rest` and advances `rest` past it.
///
/// Called only on bytes the protocol already validated while parsing, so it returns `None`
/// only at the end of the list.
pub type DecodeItem<'a, T> = fn(rest: &mut &'a [u8]) -> Option<T>;

/// A list that stays in the frame's bytes: headers and stream ids are views, not copies.
///
/// A protocol validates the list while parsing the frame, then hands out this view; iterating
/// decodes one item at a time with the protocol's [`DecodeItem`] function.
#[derive(Clone, Copy)]
pub struct WireList<'a, T> {
    raw: &'a [u8],
    len: usize,
    decode: DecodeItem<'a, T>,
}

impl<'a, T> WireList<'a, T> {
    /// A view of `len` items encoded in `raw`, read with `decode`.
    pub const fn new(raw: &'a [u8], len: usize, decode: DecodeItem<'a, T>) -> Self {
        WireList { raw, len, decode }
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

/// How a caller-given element (`&str`, `(&str, &str)`) becomes a list item.
pub trait Given<'a>: 'a {
    /// The item type.
    type Item: Clone;
    /// Converts a borrowed element.
    fn item(&'a self) -> Self::Item;
}

/// A list of items: caller-given, wire view, or owned.
#[derive(Clone)]
pub(crate) enum List<'a, G: Given<'a>> {
    Given(&'a [G]),
    Wire(WireList<'a, G::Item>),
    #[cfg(feature = "alloc")]
    Owned(Vec<G::Item>),
}

impl<'a, G: Given<'a>> List<'a, G> {
    pub(crate) fn len(&self) -> usize {
        match self {
            List::Given(s) => s.len(),
            List::Wire(w) => w.len(),
            #[cfg(feature = "alloc")]
            List::Owned(v) => v.len(),
        }
    }

    pub(crate) fn iter(&self) -> ListIter<'a, '_, G> {
        ListIter(match self {
            List::Given(s) => IterRepr::Given(s.iter()),
            List::Wire(w) => IterRepr::Wire { rest: w.raw, remaining: w.len, decode: w.decode },
            #[cfg(feature = "alloc")]
            List::Owned(v) => IterRepr::Owned(v.iter()),
        })
    }

    pub(crate) fn eq(&self, other: &Self) -> bool
    where
        G::Item: PartialEq,
    {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Iterator over a list view.
pub struct ListIter<'a, 'l, G: Given<'a>>(IterRepr<'a, 'l, G>);

enum IterRepr<'a, 'l, G: Given<'a>> {
    Given(core::slice::Iter<'a, G>),
    Wire {
        rest: &'a [u8],
        remaining: usize,
        decode: DecodeItem<'a, G::Item>,
    },
    #[cfg(feature = "alloc")]
    Owned(core::slice::Iter<'l, G::Item>),
    #[cfg(not(feature = "alloc"))]
    #[allow(dead_code)]
    Unused(core::marker::PhantomData<&'l ()>),
}

impl<'a, G: Given<'a>> Iterator for ListIter<'a, '_, G> {
    type Item = G::Item;
    fn next(&mut self) -> Option<G::Item> {
        match &mut self.0 {
            IterRepr::Given(it) => it.next().map(G::item),
            IterRepr::Wire { rest, remaining, decode } => {
                if *remaining == 0 {
                    return None;
                }
                let item = decode(rest);
                *remaining = if item.is_some() { *remaining - 1 } else { 0 };
                item
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

impl<'a, G: Given<'a>> fmt::Debug for ListIter<'a, '_, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ListIter")
    }
}
