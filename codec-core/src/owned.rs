//! The heap storage of owned texts and lists, freed out of line.
//!
//! An [`Owning`](crate::ownership::Owning) message (a JSON one, or one made with
//! [`into_owned`](crate::HubMessage::into_owned)) has room for owned strings and lists, so it
//! is dropped through drop glue that checks for them. (A MessagePack message is
//! [`Borrowing`](crate::ownership::Borrowing): no room, no glue.) Inlined, a `Vec` of headers
//! made that glue a loop over its items, and a borrowed message paid for it: the glue saved and
//! restored five registers before it looked at the message's type. Here each allocation is
//! freed by one call that is never inlined, so the glue of a borrowed message is a few tag
//! checks: a MessagePack ping, when it was still an owning message, decoded in 122 instructions
//! instead of 138 (callgrind, `benches/instructions.py`).
//!
//! A `Drop` impl on a type generic over the items would also make the borrow checker require
//! the frame to outlive every message still in scope (drop check), which breaks loops that
//! reuse their input buffer. [`RawItems`] therefore keeps its items' type out of the type
//! that implements `Drop`: the items are freed through a function chosen when the list was
//! built.

#![allow(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::ManuallyDrop;

/// An owned string, freed by a call the drop glue does not inline.
pub struct OwnedStr(ManuallyDrop<Box<str>>);

impl OwnedStr {
    pub(crate) fn new(s: Box<str>) -> Self {
        OwnedStr(ManuallyDrop::new(s))
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Clone for OwnedStr {
    fn clone(&self) -> Self {
        OwnedStr::new(Box::from(self.as_str()))
    }
}

impl Drop for OwnedStr {
    #[inline(never)]
    fn drop(&mut self) {
        // SAFETY: the box is dropped once, here, and never used again.
        unsafe { ManuallyDrop::drop(&mut self.0) }
    }
}

/// A `Vec`'s parts with the function that frees them: an owned list, its items' type erased
/// (`ownership::OwnedList` puts it back). No type parameter, so its `Drop` impl puts no
/// drop-check requirement on the items' lifetimes. That is sound because the items are texts
/// and pairs of texts, whose drop frees their own heap strings and never reads borrowed data.
pub struct RawItems {
    ptr: *mut u8,
    len: usize,
    capacity: usize,
    free: unsafe fn(&mut RawItems),
}

// SAFETY: `RawItems` is the sole owner of its allocation; whether the items may cross threads is
// decided by `OwnedList<I, _>` through its `PhantomData<I>`.
unsafe impl Send for RawItems {}
// SAFETY: as above; shared access only reads the items (`RawItems::as_slice`).
unsafe impl Sync for RawItems {}

/// Rebuilds and drops the `Vec<I>` that `raw` was taken from.
///
/// # Safety
/// `raw` must come from [`RawItems::new::<I>`] and be freed at most once.
unsafe fn free<I>(raw: &mut RawItems) {
    // SAFETY: the parts are those of a `Vec<I>` given up in `RawItems::new`.
    drop(unsafe { Vec::from_raw_parts(raw.ptr.cast::<I>(), raw.len, raw.capacity) });
}

impl Drop for RawItems {
    #[inline(never)]
    fn drop(&mut self) {
        // SAFETY: `free` is the function matching the items' type, called once.
        unsafe { (self.free)(self) }
    }
}

impl RawItems {
    pub(crate) fn new<I>(items: Vec<I>) -> Self {
        let mut items = ManuallyDrop::new(items);
        RawItems { ptr: items.as_mut_ptr().cast::<u8>(), len: items.len(), capacity: items.capacity(), free: free::<I> }
    }

    /// # Safety
    /// `I` must be the type these items were built from ([`RawItems::new::<I>`]).
    #[inline]
    pub(crate) unsafe fn as_slice<I>(&self) -> &[I] {
        // SAFETY: `ptr` and `len` describe the initialised items of the `Vec<I>` this owns.
        unsafe { core::slice::from_raw_parts(self.ptr.cast::<I>(), self.len) }
    }

    /// # Safety
    /// As for [`as_slice`](RawItems::as_slice).
    pub(crate) unsafe fn clone_as<I: Clone>(&self) -> Self {
        // SAFETY: the caller's.
        RawItems::new(unsafe { self.as_slice::<I>() }.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;

    #[test]
    fn items_are_kept_cloned_and_freed() {
        let items = RawItems::new(vec![String::from("a"), String::from("bc")]);
        // SAFETY: built from `String`s.
        let copy = unsafe { items.clone_as::<String>() };
        drop(items);
        // SAFETY: as above.
        assert_eq!(unsafe { copy.as_slice::<String>() }, ["a", "bc"]);
        let empty = RawItems::new(Vec::<String>::new());
        // SAFETY: as above.
        assert!(unsafe { empty.as_slice::<String>() }.is_empty());
    }

    #[test]
    fn strings_are_kept_and_cloned() {
        let s = OwnedStr::new(Box::from("héllo"));
        let copy = s.clone();
        drop(s);
        assert_eq!(copy.as_str(), "héllo");
    }

    /// Through the public types: owned headers and stream ids are built, cloned, read and
    /// freed (Miri runs this in CI).
    #[test]
    fn owned_headers_and_stream_ids() {
        use crate::{Headers, StreamIds, Text};
        let name = String::from("traceparent");
        let headers = Headers::from_vec(vec![(Text::borrowed(&name), Text::from(String::from("00-ab-01")))]);
        let owned: Headers<'static> = headers.clone().into_owned();
        drop(headers);
        drop(name);
        assert_eq!(owned.clone().get("traceparent").as_deref(), Some("00-ab-01"));
        let ids = StreamIds::from_vec(vec![Text::borrowed("1"), Text::from(String::from("2"))]).into_owned();
        assert_eq!(ids.clone().iter().collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(StreamIds::from_vec(Vec::new()).len(), 0);
    }

    /// A message may stay in scope after its frame's buffer is reused: the owned storage puts no
    /// drop-check requirement on the frame (this test is that it compiles).
    #[test]
    fn borrowed_items_need_not_outlive_the_list() {
        let mut frame = String::from("id");
        let items = crate::ownership::OwnedList::new(vec![crate::Text::borrowed(frame.as_str())]);
        assert_eq!(items.as_slice()[0], "id");
        frame.clear();
        assert!(frame.is_empty());
    }
}
