//! The invocation family: [`Invocation`], [`StreamInvocation`], [`StreamItem`] and
//! [`CancelInvocation`] — messages addressed by an invocation id and carrying headers.

use crate::headers::Headers;
use crate::ownership::{Ownership, Owning};
use crate::stream_ids::StreamIds;
use crate::text::Text;

/// Invocation (type 1): call `target` with `arguments`.
///
/// Without an invocation id the call is fire-and-forget; with one, exactly one
/// [`Completion`](crate::Completion) answers it.
///
/// `arguments` is the whole argument array as one payload value: raw and unparsed when read
/// (bind it on demand), anything the protocol can write as an array when written.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation<'a, V, O: Ownership = Owning> {
    /// Message headers (often empty).
    pub headers: Headers<'a, O>,
    /// The id a Completion will answer, or `None` for a non-blocking call.
    pub invocation_id: Option<Text<'a, O>>,
    /// The method to call.
    pub target: Text<'a, O>,
    /// The argument array.
    pub arguments: V,
    /// Ids of the upload streams that follow as StreamItem/Completion messages.
    pub stream_ids: StreamIds<'a, O>,
}

impl<'a, V> Invocation<'a, V> {
    /// A non-blocking invocation with no headers and no streams.
    pub fn new(target: impl Into<Text<'a>>, arguments: V) -> Self {
        Invocation {
            headers: Headers::empty(),
            invocation_id: None,
            target: target.into(),
            arguments,
            stream_ids: StreamIds::empty(),
        }
    }

    /// This invocation expecting a Completion for `id`.
    pub fn with_invocation_id(mut self, id: impl Into<Text<'a>>) -> Self {
        self.invocation_id = Some(id.into());
        self
    }
}

impl<V, O: Ownership> Invocation<'_, V, O> {
    /// True when no Completion is expected: no id, or (as .NET treats it) an empty one.
    pub fn is_non_blocking(&self) -> bool {
        match &self.invocation_id {
            None => true,
            Some(id) => id.is_empty(),
        }
    }
}

/// StreamInvocation (type 4): call a streaming method; StreamItems then a Completion answer it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInvocation<'a, V, O: Ownership = Owning> {
    /// Message headers.
    pub headers: Headers<'a, O>,
    /// The id the stream's items and Completion carry.
    pub invocation_id: Text<'a, O>,
    /// The streaming method to call.
    pub target: Text<'a, O>,
    /// The argument array.
    pub arguments: V,
    /// Ids of the upload streams the caller sends.
    pub stream_ids: StreamIds<'a, O>,
}

impl<'a, V> StreamInvocation<'a, V> {
    /// A stream invocation with no headers and no upload streams.
    pub fn new(invocation_id: impl Into<Text<'a>>, target: impl Into<Text<'a>>, arguments: V) -> Self {
        StreamInvocation {
            headers: Headers::empty(),
            invocation_id: invocation_id.into(),
            target: target.into(),
            arguments,
            stream_ids: StreamIds::empty(),
        }
    }
}

/// StreamItem (type 2): one item of a stream, server to client or an upload stream.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamItem<'a, V, O: Ownership = Owning> {
    /// Message headers.
    pub headers: Headers<'a, O>,
    /// The stream's invocation id (or upload stream id).
    pub invocation_id: Text<'a, O>,
    /// The item; may be null, never absent.
    pub item: V,
}

impl<'a, V> StreamItem<'a, V> {
    /// A stream item with no headers.
    pub fn new(invocation_id: impl Into<Text<'a>>, item: V) -> Self {
        StreamItem { headers: Headers::empty(), invocation_id: invocation_id.into(), item }
    }
}

/// CancelInvocation (type 5): stop the stream (or invocation) with this id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelInvocation<'a, O: Ownership = Owning> {
    /// Message headers.
    pub headers: Headers<'a, O>,
    /// The invocation to cancel.
    pub invocation_id: Text<'a, O>,
}

impl<'a> CancelInvocation<'a> {
    /// A cancellation with no headers.
    pub fn new(invocation_id: impl Into<Text<'a>>) -> Self {
        CancelInvocation { headers: Headers::empty(), invocation_id: invocation_id.into() }
    }
}
