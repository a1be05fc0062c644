//! [`Ownership`]: whether a message's texts and lists may own heap memory.
//!
//! Every message type takes it as its last type parameter, [`Owning`] by default. A message
//! that may own something (an escaped JSON string decoded on the heap, a message made with
//! [`into_owned`](crate::HubMessage::into_owned), a `String` given to a writer) is dropped
//! through drop glue that looks for what it owns: a call and a jump table on the message type,
//! for every message (21 of the 122 instructions a MessagePack ping decoded in as an owning
//! message: 101 as a borrowing one, `benches/instructions.py`). A MessagePack frame never
//! needs any of that (its strings are never escaped), so its parser hands out [`Borrowing`]
//! messages: their owned forms are uninhabited, so they have no drop glue at all, and dropping
//! one costs nothing.
//!
//! The two read the same: a `Text<'a, Borrowing>` derefs to `&str` like any text, and
//! [`HubMessage::owning`](crate::HubMessage::owning) turns a borrowing message into an owning
//! one (moving its fields, copying nothing) where code wants one type for both.
//!
//! ```
//! use signalr_codec_core::ownership::Borrowing;
//! use signalr_codec_core::{HubMessage, Text};
//! // A borrowing message owns nothing, so dropping it runs no code.
//! assert!(!core::mem::needs_drop::<HubMessage<'static, &str, Borrowing>>());
//! assert!(core::mem::needs_drop::<HubMessage<'static, &str>>() == cfg!(feature = "alloc"));
//! let target: Text<'_, Borrowing> = Text::from_frame("Send");
//! assert_eq!(target, "Send");
//! ```

// The owned lists' items are read through their erased storage: see `OwnedList`.
#![allow(unsafe_code)]

use core::fmt;
use core::marker::PhantomData;

#[cfg(feature = "alloc")]
use crate::owned::{OwnedStr, RawItems};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

mod sealed {
    pub trait Sealed {}
}

/// Whether texts and lists may own heap memory: [`Owning`] or [`Borrowing`].
///
/// Sealed: the message types rely on these two alone.
pub trait Ownership: sealed::Sealed + fmt::Debug + Clone + Copy + PartialEq + Eq + 'static {
    /// An owned string (uninhabited for [`Borrowing`], and without `alloc`).
    #[doc(hidden)]
    type Str: Clone;
    /// A string held in place (uninhabited for [`Borrowing`], and without `inline-text`).
    #[doc(hidden)]
    type Inline: Copy;
    /// An owned list, its items' type erased (uninhabited for [`Borrowing`], and without
    /// `alloc`). Erased so that no projection names the items: a list's items borrow the
    /// frame, and a projection would make every message invariant in the frame's lifetime.
    #[doc(hidden)]
    type RawItems;

    #[doc(hidden)]
    fn str(s: &Self::Str) -> &str;
    #[doc(hidden)]
    fn inline_str(s: &Self::Inline) -> &str;
    /// The same inline string, as an [`Owning`] text holds it.
    #[doc(hidden)]
    fn owning_inline(s: Self::Inline) -> <Owning as Ownership>::Inline;
    /// # Safety
    /// `raw` must hold items of type `I`.
    #[doc(hidden)]
    unsafe fn items<I>(raw: &Self::RawItems) -> &[I];
    /// # Safety
    /// As for [`items`](Ownership::items).
    #[doc(hidden)]
    unsafe fn clone_items<I: Clone>(raw: &Self::RawItems) -> Self::RawItems;
    /// The same string, as an [`Owning`] text holds it.
    #[doc(hidden)]
    fn owning_str(s: Self::Str) -> <Owning as Ownership>::Str;
    /// The same list, as an [`Owning`] list holds it.
    #[doc(hidden)]
    fn owning_items(raw: Self::RawItems) -> <Owning as Ownership>::RawItems;
}

/// Texts and lists may own heap memory (with `alloc`): the default of every message type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owning {}

/// Texts and lists only ever borrow (or, with `inline-text`, hold a short text inline): what
/// the MessagePack parser hands out. No drop glue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Borrowing {}

impl sealed::Sealed for Owning {}
impl sealed::Sealed for Borrowing {}

/// An owned string or list that cannot exist.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum Never {}

impl Ownership for Borrowing {
    type Str = Never;
    type Inline = Never;
    type RawItems = Never;

    #[inline(always)]
    fn str(s: &Never) -> &str {
        match *s {}
    }
    #[inline(always)]
    fn inline_str(s: &Never) -> &str {
        match *s {}
    }
    #[inline(always)]
    fn owning_inline(s: Never) -> <Owning as Ownership>::Inline {
        match s {}
    }
    #[inline(always)]
    unsafe fn items<I>(raw: &Never) -> &[I] {
        match *raw {}
    }
    #[inline(always)]
    unsafe fn clone_items<I: Clone>(raw: &Never) -> Never {
        match *raw {}
    }
    #[inline(always)]
    fn owning_str(s: Never) -> <Owning as Ownership>::Str {
        match s {}
    }
    #[inline(always)]
    fn owning_items(raw: Never) -> <Owning as Ownership>::RawItems {
        match raw {}
    }
}

#[cfg(feature = "alloc")]
impl Ownership for Owning {
    type Str = OwnedStr;
    // `alloc` implies `inline-text`.
    type Inline = InlineStr;
    type RawItems = RawItems;

    #[inline(always)]
    fn str(s: &OwnedStr) -> &str {
        s.as_str()
    }
    #[inline(always)]
    fn inline_str(s: &InlineStr) -> &str {
        s.as_str()
    }
    #[inline(always)]
    fn owning_inline(s: InlineStr) -> InlineStr {
        s
    }
    #[inline(always)]
    unsafe fn items<I>(raw: &RawItems) -> &[I] {
        // SAFETY: the caller's.
        unsafe { raw.as_slice::<I>() }
    }
    #[inline(always)]
    unsafe fn clone_items<I: Clone>(raw: &RawItems) -> RawItems {
        // SAFETY: the caller's.
        unsafe { raw.clone_as::<I>() }
    }
    #[inline(always)]
    fn owning_str(s: OwnedStr) -> OwnedStr {
        s
    }
    #[inline(always)]
    fn owning_items(raw: RawItems) -> RawItems {
        raw
    }
}

// Without an allocator nothing can be owned: an `Owning` message is as free to drop as a
// `Borrowing` one.
#[cfg(not(feature = "alloc"))]
impl Ownership for Owning {
    type Str = Never;
    #[cfg(feature = "inline-text")]
    type Inline = InlineStr;
    #[cfg(not(feature = "inline-text"))]
    type Inline = Never;
    type RawItems = Never;

    #[inline(always)]
    fn str(s: &Never) -> &str {
        match *s {}
    }
    #[cfg(feature = "inline-text")]
    #[inline(always)]
    fn inline_str(s: &InlineStr) -> &str {
        s.as_str()
    }
    #[cfg(not(feature = "inline-text"))]
    #[inline(always)]
    fn inline_str(s: &Never) -> &str {
        match *s {}
    }
    #[inline(always)]
    fn owning_inline(s: Self::Inline) -> Self::Inline {
        s
    }
    #[inline(always)]
    unsafe fn items<I>(raw: &Never) -> &[I] {
        match *raw {}
    }
    #[inline(always)]
    unsafe fn clone_items<I: Clone>(raw: &Never) -> Never {
        match *raw {}
    }
    #[inline(always)]
    fn owning_str(s: Never) -> Never {
        s
    }
    #[inline(always)]
    fn owning_items(raw: Never) -> Never {
        raw
    }
}

/// An owned list of `I` in an [`Owning`] message (uninhabited otherwise).
///
/// Its items' type is kept beside the erased storage, where variance and auto traits follow
/// it as they would a `Vec<I>`'s, and it is the only type that reads the storage: every
/// `OwnedList<I, _>` was built from a `Vec<I>`, which is what makes reading it as `[I]` sound.
pub(crate) struct OwnedList<I, O: Ownership> {
    raw: O::RawItems,
    items: PhantomData<I>,
}

impl<I> OwnedList<I, Owning> {
    #[cfg(feature = "alloc")]
    pub(crate) fn new(items: Vec<I>) -> Self {
        OwnedList { raw: RawItems::new(items), items: PhantomData }
    }
}

impl<I, O: Ownership> OwnedList<I, O> {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[I] {
        // SAFETY: `raw` was built from a `Vec<I>` (`new`, `clone`, `owning`).
        unsafe { O::items::<I>(&self.raw) }
    }

    #[inline]
    pub(crate) fn owning(self) -> OwnedList<I, Owning> {
        OwnedList { raw: O::owning_items(self.raw), items: PhantomData }
    }
}

impl<I: Clone, O: Ownership> Clone for OwnedList<I, O> {
    fn clone(&self) -> Self {
        // SAFETY: as in `as_slice`.
        OwnedList { raw: unsafe { O::clone_items::<I>(&self.raw) }, items: PhantomData }
    }
}

/// A string of at most [`INLINE_CAPACITY`](crate::text::INLINE_CAPACITY) bytes, held in place
/// (an [`Owning`] text's inline form). `Copy`, so a text holding one needs no drop glue (a
/// `heapless::String` has a `Drop` impl, which made every message "need drop" although dropping
/// one ran no code).
#[cfg(feature = "inline-text")]
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct InlineStr {
    len: u8,
    bytes: [u8; crate::text::INLINE_CAPACITY],
}

#[cfg(feature = "inline-text")]
impl InlineStr {
    pub(crate) fn new(s: &str) -> Option<Self> {
        let mut bytes = [0; crate::text::INLINE_CAPACITY];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(InlineStr { len: s.len() as u8, bytes })
    }

    #[inline]
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: `new` copied a `&str` of `len <= INLINE_CAPACITY` bytes into `bytes`, which
        // never change: the first `len` bytes are in bounds and UTF-8 (no bounds check here,
        // whose panic path a device would carry).
        unsafe {
            core::str::from_utf8_unchecked(core::slice::from_raw_parts(self.bytes.as_ptr(), usize::from(self.len)))
        }
    }
}
