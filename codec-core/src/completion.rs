//! [`Completion`] (type 3) and its [`Outcome`]: void, a result (possibly null), or an error.

use crate::headers::Headers;
use crate::ownership::{Ownership, Owning};
use crate::text::Text;

/// Completion (type 3): the end of an invocation or stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion<'a, V, O: Ownership = Owning> {
    /// Message headers.
    pub headers: Headers<'a, O>,
    /// The invocation (or stream) this completes.
    pub invocation_id: Text<'a, O>,
    /// How it ended.
    pub outcome: Outcome<'a, V, O>,
}

/// How an invocation ended.
///
/// A null result is `Result` holding the protocol's null value: it is not `Void`. The wire
/// keeps the two apart (JSON `"result":null` vs. no `result`; MessagePack kind 3 + nil vs. kind 2).
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<'a, V, O: Ownership = Owning> {
    /// Completed without a value (void method, or the end of a stream).
    Void,
    /// Completed with a value, which may be null.
    Result(V),
    /// Failed with this error text.
    Error(Text<'a, O>),
}

impl<'a, V> Completion<'a, V> {
    /// A void completion.
    pub fn void(invocation_id: impl Into<Text<'a>>) -> Self {
        Completion { headers: Headers::empty(), invocation_id: invocation_id.into(), outcome: Outcome::Void }
    }

    /// A completion carrying a result value.
    pub fn result(invocation_id: impl Into<Text<'a>>, result: V) -> Self {
        Completion { headers: Headers::empty(), invocation_id: invocation_id.into(), outcome: Outcome::Result(result) }
    }

    /// A failed completion.
    pub fn error(invocation_id: impl Into<Text<'a>>, error: impl Into<Text<'a>>) -> Self {
        Completion {
            headers: Headers::empty(),
            invocation_id: invocation_id.into(),
            outcome: Outcome::Error(error.into()),
        }
    }
}

impl<'a, V, O: Ownership> Outcome<'a, V, O> {
    /// The result value, if there is one.
    pub fn result(&self) -> Option<&V> {
        match self {
            Outcome::Result(v) => Some(v),
            _ => None,
        }
    }

    /// The error text, if the invocation failed.
    pub fn error(&self) -> Option<&Text<'a, O>> {
        match self {
            Outcome::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Converts the result value.
    pub fn map<W>(self, f: impl FnOnce(V) -> W) -> Outcome<'a, W, O> {
        match self {
            Outcome::Void => Outcome::Void,
            Outcome::Result(v) => Outcome::Result(f(v)),
            Outcome::Error(e) => Outcome::Error(e),
        }
    }
}
