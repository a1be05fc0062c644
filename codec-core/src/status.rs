//! [`Status`]: what a push parser (framers, the VarInt reader, the handshake) answers.

/// The outcome of a push parser: done, or needs more input (which is not an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status<T> {
    /// A whole item was found.
    Complete(T),
    /// The input ends inside an item: nothing was consumed; call again with more bytes appended.
    Partial,
}

impl<T> Status<T> {
    /// The item, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }

    /// True for [`Status::Partial`].
    pub const fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }

    /// Converts the item.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(t) => Status::Complete(f(t)),
            Status::Partial => Status::Partial,
        }
    }
}
