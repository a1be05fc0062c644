//! serde binding (feature `serde`): [`RawValue::deserialize`], argument tuples
//! ([`Arguments::bind`]) and [`Serialized`], a payload written from any `T: Serialize` by
//! [`crate::ser`]. Values bind through the crate's own no-alloc deserializer ([`crate::de`]),
//! which reads what rmp-serde reads, in one pass over the bytes.

use serde::{Deserialize, Serialize};
use signalr_codec_core::{Bind, Error, ErrorKind, Output};

use crate::value::ArrayIter;

use crate::value::{Arguments, RawValue, BINDING_FAILED};
use crate::MessagePackHubProtocol;

impl<'a> RawValue<'a> {
    /// Binds the value to a serde type, borrowing strings and bytes from the frame where `T`
    /// allows, without an allocator, through [`de::from_raw`](crate::de::from_raw) (which reads
    /// what rmp-serde reads).
    ///
    /// On failure the error text is .NET's,
    /// ``Deserializing object of the `{Type}` type for 'argument' failed.`` (.NET uses the field
    /// name `argument` for arguments and results; see
    /// [`deserialize_field`](Self::deserialize_field) for `item`).
    ///
    /// MessagePack maps bind to structs by member name (.NET writes PascalCase names: use
    /// `#[serde(rename_all = "PascalCase")]`), .NET enums arrive as strings, `bin` binds to
    /// `&[u8]`/`serde_bytes`, the timestamp extension to [`Timestamp`](crate::Timestamp).
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// let raw = RawValue::new(&[0x92, 0x2a, 0xa3, b'a', b'b', b'c']).unwrap();
    /// let (n, s): (i32, &str) = raw.deserialize().unwrap();
    /// assert_eq!((n, s), (42, "abc"));
    /// let e = raw.deserialize::<String>().unwrap_err();
    /// assert_eq!(e.to_string(), "Deserializing object of the `String` type for 'argument' failed.");
    /// ```
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        self.deserialize_field("argument")
    }

    /// [`deserialize`](Self::deserialize), naming `field` in the error text (.NET uses `item` for
    /// stream items).
    pub fn deserialize_field<T: Deserialize<'a>>(&self, field: &str) -> Result<T, Error> {
        crate::de::from_raw_field(*self, field)
    }
}

/// Argument lists that bind to a tuple of serde types: `()`, `(A,)`, `(A, B)`, … up to 12.
pub trait FromArguments<'a>: Sized {
    /// How many arguments the tuple takes.
    const ARITY: usize;
    /// Binds each argument in order.
    fn from_arguments(args: &Arguments<'a>) -> Result<Self, Error>;
}

macro_rules! tuple_from_arguments {
    ($n:expr; $($t:ident),*) => {
        impl<'a, $($t: Deserialize<'a>),*> FromArguments<'a> for ($($t,)*) {
            const ARITY: usize = $n;
            #[allow(unused_variables, unused_mut, non_snake_case)]
            fn from_arguments(args: &Arguments<'a>) -> Result<Self, Error> {
                let mut it = args.iter();
                $(
                    let $t: $t = it
                        .next()
                        .ok_or_else(|| Error::new(ErrorKind::Type, BINDING_FAILED))?
                        .deserialize()
                        .map_err(|_| Error::new(ErrorKind::Type, BINDING_FAILED))?;
                )*
                Ok(($($t,)*))
            }
        }
    };
}

tuple_from_arguments!(0;);
tuple_from_arguments!(1; A);
tuple_from_arguments!(2; A, B);
tuple_from_arguments!(3; A, B, C);
tuple_from_arguments!(4; A, B, C, D);
tuple_from_arguments!(5; A, B, C, D, E);
tuple_from_arguments!(6; A, B, C, D, E, F);
tuple_from_arguments!(7; A, B, C, D, E, F, G);
tuple_from_arguments!(8; A, B, C, D, E, F, G, H);
tuple_from_arguments!(9; A, B, C, D, E, F, G, H, I);
tuple_from_arguments!(10; A, B, C, D, E, F, G, H, I, J);
tuple_from_arguments!(11; A, B, C, D, E, F, G, H, I, J, K);
tuple_from_arguments!(12; A, B, C, D, E, F, G, H, I, J, K, L);

impl<'a> Bind<'a> for RawValue<'a> {
    type Elements = ArrayIter<'a>;

    fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        RawValue::deserialize(self)
    }

    fn elements(&self) -> ArrayIter<'a> {
        // An empty array, for values that are not arrays.
        self.as_array().unwrap_or_else(|_| ArrayIter::empty())
    }

    fn count(&self) -> usize {
        self.as_array().map_or(0, |items| items.len())
    }
}

impl<'a> RawValue<'a> {
    /// Binds an argument array as .NET's binder does ([`Bind::bind`]): into a tuple or a struct
    /// (the count must match), `()` for none, or a `Vec` of any length.
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// let args = RawValue::new(&[0x92, 0x2a, 0xa1, b'x']).unwrap();
    /// let (n, s): (i64, &str) = args.bind().unwrap();
    /// assert_eq!((n, s), (42, "x"));
    /// let e = args.bind::<(i64,)>().unwrap_err();
    /// assert_eq!(e.to_string(), "Invocation provides 2 argument(s) but target expects 1.");
    /// ```
    pub fn bind<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        Bind::bind(self)
    }

    /// Binds the argument at `index` (0-based) of an array value.
    pub fn argument<T: Deserialize<'a>>(&self, index: usize) -> Result<T, Error> {
        Bind::argument(self, index)
    }
}

impl<'a> Arguments<'a> {
    /// Binds the arguments to a tuple, as .NET's invocation binder does: first the count
    /// (`Invocation provides {n} argument(s) but target expects {m}.`), then each value
    /// (`Error binding arguments. Make sure that the types of the provided values match the types
    /// of the hub method being invoked.`).
    ///
    /// ```
    /// use signalr_codec_msgpack::RawValue;
    /// let args = RawValue::new(&[0x92, 0x2a, 0xa1, b'x']).unwrap().arguments().unwrap();
    /// let (n, s): (i64, String) = args.bind().unwrap();
    /// assert_eq!((n, s.as_str()), (42, "x"));
    /// let e = args.bind::<(String,)>().unwrap_err();
    /// assert_eq!(e.to_string(), "Invocation provides 2 argument(s) but target expects 1.");
    /// ```
    pub fn bind<T: FromArguments<'a>>(&self) -> Result<T, Error> {
        self.expect_len(T::ARITY)?;
        T::from_arguments(self)
    }
}

/// [`Serialized`](signalr_codec_core::Serialized) values are written straight into the output by the crate's own serializer
/// ([`crate::ser`]), without an allocator: the bytes rmp-serde's `write_named` writes.
///
/// Serialized as .NET's default MessagePack options expect: structs as maps keyed by field name
/// (rename to PascalCase to match .NET members), unit enum variants as strings, integers in the
/// shortest form, `f32` as `float 32`, `f64` as `float 64`, `Option::None`/`()` as nil,
/// [`Timestamp`](crate::Timestamp) as extension −1. Use `serde_bytes` (or a `RawValue`) for `bin`:
/// a plain `Vec<u8>` is an array of integers. See [`crate::ser`] for the whole mapping and for
/// sequences and maps of unknown length.
///
/// Cost: into a `Vec` or a `BytesMut` the value is serialized once, straight into the output
/// (the length prefix is filled in after the body). Into a buffer of fixed room it is
/// serialized twice: once into a byte counter to check room, then into the output. Nothing is
/// allocated. For a value sent many times, encode it once into a buffer and send a [`RawValue`].
///
/// ```
/// use signalr_codec_core::{HubMessage, StreamItem};
/// use signalr_codec_msgpack::{MessagePackHubProtocol, Serialized};
/// let protocol = MessagePackHubProtocol::new();
/// let msg = HubMessage::StreamItem(StreamItem::new("xyz", Serialized(42)));
/// let mut buf = [0u8; 16];
/// let n = protocol.write_to_slice(&msg, &mut buf).unwrap();
/// assert_eq!(buf[..n], [0x08, 0x94, 0x02, 0x80, 0xa3, b'x', b'y', b'z', 0x2a]);
/// ```
impl signalr_codec_core::SerdePayloads for MessagePackHubProtocol {
    fn serialized_len<T: Serialize + ?Sized>(&self, value: &T) -> Result<usize, Error> {
        crate::ser::serialized_len(value)
    }

    fn write_serialized<T: Serialize + ?Sized, O: Output + ?Sized>(&self, value: &T, out: &mut O) -> Result<(), Error> {
        // The writer already counted this value and checked room; write it in one pass. A
        // `Serialize` that writes more the second time than it counted is refused.
        let room = out.remaining();
        if crate::ser::write(value, out)? > room {
            return Err(Error::new(
                ErrorKind::Invalid,
                "Serializing a payload value failed: it wrote more than when it was measured.",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::de::short_type_name;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name::<String>(), "String");
        assert_eq!(short_type_name::<Vec<String>>(), "Vec");
        assert_eq!(short_type_name::<i32>(), "i32");
    }
}
