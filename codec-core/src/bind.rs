//! Binding payloads to serde types, the same way for every protocol: the `Bind` trait both
//! raw value types implement (feature `serde`), and .NET's binder texts. (Writing serde values
//! is [`Serialized`](crate::Serialized).)
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use signalr_codec_core::bind::{expected_arity, Bind};
//! assert_eq!(expected_arity::<(i64, String)>(), Some(2));
//! assert_eq!(expected_arity::<()>(), Some(0));
//! assert_eq!(expected_arity::<Vec<i64>>(), None); // any count
//!
//! // Generic over the protocol: `P::Value<'a>: Bind<'a>`.
//! fn add<'a, V: Bind<'a>>(arguments: &V) -> Result<i64, signalr_codec_core::Error> {
//!     let (a, b): (i64, i64) = arguments.bind()?;
//!     Ok(a + b)
//! }
//! # }
//! ```

#[cfg(feature = "serde")]
use core::fmt;

#[cfg(feature = "serde")]
use serde::de::{self, Deserialize, Visitor};

use crate::error::{Arg, Error, ErrorKind};

/// .NET's text (as its tests expect it) for arguments that do not bind to the target's types.
pub const BINDING_FAILED: &str =
    "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.";

/// `Invocation provides {provided} argument(s) but target expects {expected}.`
///
/// A template: the numbers are written only when the text is displayed, so binding pulls in no
/// `core::fmt` (a device binding arguments without an allocator pays nothing for the text).
pub fn arity_error(provided: usize, expected: usize) -> Error {
    Error::template(
        ErrorKind::Invalid,
        &["Invocation provides ", " argument(s) but target expects ", "."],
        [Arg::count(provided), Arg::count(expected)],
    )
}

#[cfg(feature = "serde")]
/// A raw payload value, bound to serde types on demand: `arguments` (an array), an `item` or a
/// `result`. Both protocols' raw values implement it, so code generic over the protocol binds
/// with `P::Value<'a>: Bind<'a>`.
pub trait Bind<'a>: Sized {
    /// The elements of an array value, raw.
    type Elements: Iterator<Item = Self>;

    /// Binds the whole value (an item, a result, one argument) to `T`.
    fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error>;

    /// The elements of an array value (nothing for any other value).
    fn elements(&self) -> Self::Elements;

    /// The number of elements of an array value (0 for any other value).
    fn count(&self) -> usize {
        self.elements().count()
    }

    /// Binds an argument array as .NET's invocation binder does: the count first, against what
    /// `T` expects (a tuple's length, a struct's fields, none for `()`;
    /// `Invocation provides {n} argument(s) but target expects {m}.`), then the values
    /// ([`BINDING_FAILED`]). `()` binds an empty array; `Vec<T>` takes any count.
    ///
    /// A value type whose reader already refuses a wrong count on its own may try that first
    /// and call [`bind_checked`] only to explain a failure.
    fn bind<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        bind_checked(self)
    }

    /// Binds the argument at `index` (0-based).
    fn argument<T: Deserialize<'a>>(&self, index: usize) -> Result<T, Error> {
        match self.elements().nth(index) {
            Some(value) => value.deserialize().map_err(|_| Error::new(ErrorKind::Type, BINDING_FAILED)),
            None => Err(arity_error(self.count(), index + 1)),
        }
    }
}

/// [`Bind::bind`]'s checks in order: the count against what `T` expects (.NET's arity text),
/// then the values ([`BINDING_FAILED`]).
#[cfg(feature = "serde")]
pub fn bind_checked<'a, B: Bind<'a>, T: Deserialize<'a>>(value: &B) -> Result<T, Error> {
    if let Some(expected) = expected_arity::<T>() {
        let provided = value.count();
        if provided != expected {
            return Err(arity_error(provided, expected));
        }
        if expected == 0 {
            // serde reads `()` (and unit structs) from a unit, not from an empty array;
            // `[T; 0]` and `struct Empty {}` read from the array itself.
            if let Ok(value) = T::deserialize(de::value::UnitDeserializer::<Probed>::new()) {
                return Ok(value);
            }
        }
    }
    value.deserialize().map_err(|_| Error::new(ErrorKind::Type, BINDING_FAILED))
}

#[cfg(feature = "serde")]
/// How many arguments `T` binds: a tuple's (or tuple struct's) length, a struct's field count,
/// 0 for `()` and unit structs; `None` for anything that takes a sequence of any length.
pub fn expected_arity<'de, T: Deserialize<'de>>() -> Option<usize> {
    match T::deserialize(Probe) {
        Err(Probed(arity)) => arity,
        Ok(_) => None,
    }
}

#[cfg(feature = "serde")]
/// A deserializer that answers nothing and only records what `T` asked for.
struct Probe;

#[cfg(feature = "serde")]
#[derive(Debug)]
struct Probed(Option<usize>);

#[cfg(feature = "serde")]
impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("probed")
    }
}

#[cfg(feature = "serde")]
impl de::Error for Probed {
    fn custom<M: fmt::Display>(_: M) -> Self {
        Probed(None)
    }
}

#[cfg(feature = "serde")]
impl core::error::Error for Probed {}

#[cfg(feature = "serde")]
impl<'de> de::Deserializer<'de> for Probe {
    type Error = Probed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed(None))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed(Some(0)))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value, Probed> {
        Err(Probed(Some(0)))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, _: V) -> Result<V::Value, Probed> {
        Err(Probed(Some(len)))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, len: usize, _: V) -> Result<V::Value, Probed> {
        Err(Probed(Some(len)))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        Err(Probed(Some(fields.len())))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        newtype_struct seq map enum identifier ignored_any
    }
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Point {
        x: i32,
        y: i32,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Pair(i32, i32);

    #[test]
    fn arity_follows_what_the_type_asks_for() {
        assert_eq!(expected_arity::<(i32,)>(), Some(1));
        assert_eq!(expected_arity::<(i32, &str, bool)>(), Some(3));
        assert_eq!(expected_arity::<Point>(), Some(2));
        assert_eq!(expected_arity::<Pair>(), Some(2));
        assert_eq!(expected_arity::<()>(), Some(0));
        assert_eq!(expected_arity::<[i32; 4]>(), Some(4));
        assert_eq!(expected_arity::<i32>(), None);
        assert_eq!(expected_arity::<Option<(i32,)>>(), None);
    }
}
