//! [`Text`]: a string borrowed from the frame whenever the wire allows it.

use core::fmt;
use core::ops::Deref;

#[cfg(feature = "alloc")]
use alloc::string::String;

/// Capacity of the inline form used for unescaped strings when no allocator is available.
pub const INLINE_CAPACITY: usize = 22;

/// A string read from (or to be written to) the wire.
///
/// Decoding borrows every string straight from the frame. The exception is a JSON string
/// containing escapes: its decoded form differs from its bytes, so it is stored owned (with
/// `alloc`) or, without an allocator, inline when it is at most [`INLINE_CAPACITY`] bytes.
///
/// ```
/// use signalr_codec_core::Text;
/// let t = Text::from("SendMessage");
/// assert_eq!(t, "SendMessage");
/// assert!(t.is_borrowed());
/// ```
#[derive(Clone)]
pub struct Text<'a>(Repr<'a>);

#[derive(Clone)]
enum Repr<'a> {
    Borrowed(&'a str),
    Inline(heapless::String<INLINE_CAPACITY>),
    #[cfg(feature = "alloc")]
    Owned(String),
}

impl<'a> Text<'a> {
    /// A text borrowing `s`.
    pub const fn borrowed(s: &'a str) -> Self {
        Text(Repr::Borrowed(s))
    }

    /// A text stored inline, if `s` fits in [`INLINE_CAPACITY`] bytes.
    pub fn inline(s: &str) -> Option<Text<'static>> {
        heapless::String::try_from(s).ok().map(|s| Text(Repr::Inline(s)))
    }

    /// An owned text.
    #[cfg(feature = "alloc")]
    pub fn owned(s: String) -> Text<'static> {
        Text(Repr::Owned(s))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Borrowed(s) => s,
            Repr::Inline(s) => s.as_str(),
            #[cfg(feature = "alloc")]
            Repr::Owned(s) => s.as_str(),
        }
    }

    /// True when the text points into the input (nothing was copied).
    pub fn is_borrowed(&self) -> bool {
        matches!(self.0, Repr::Borrowed(_))
    }

    /// The text with no borrow left: copies a borrowed string.
    #[cfg(feature = "alloc")]
    pub fn into_owned(self) -> Text<'static> {
        match self.0 {
            Repr::Borrowed(s) => Text(Repr::Owned(String::from(s))),
            Repr::Inline(s) => Text(Repr::Inline(s)),
            Repr::Owned(s) => Text(Repr::Owned(s)),
        }
    }
}

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text::borrowed(s)
    }
}

#[cfg(feature = "alloc")]
impl From<String> for Text<'static> {
    fn from(s: String) -> Self {
        Text::owned(s)
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for Text<'_> {}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl core::hash::Hash for Text<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_holds_short_strings_only() {
        assert_eq!(Text::inline("dummy").unwrap(), "dummy");
        assert!(Text::inline(&"x".repeat(INLINE_CAPACITY + 1)).is_none());
    }

    #[test]
    fn equality_ignores_representation() {
        let a = Text::borrowed("abc");
        let b = Text::inline("abc").unwrap();
        assert_eq!(a, b);
        assert!(a.is_borrowed() && !b.is_borrowed());
    }
}
