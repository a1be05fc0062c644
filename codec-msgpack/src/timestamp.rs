//! [`Timestamp`]: the MessagePack timestamp extension (type −1), which .NET uses for `DateTime`
//! and the JS client for `Date`.

use core::fmt;

/// A point in time as the MessagePack timestamp extension (type −1) carries it: seconds since the
/// Unix epoch (1970-01-01T00:00:00Z, negative before it) plus nanoseconds (`0..1_000_000_000`).
///
/// All three wire widths are read: 32-bit (`d6 ff` + seconds), 64-bit (`d7 ff` + 30-bit
/// nanoseconds and 34-bit seconds) and 96-bit (`c7 0c ff` + nanoseconds + signed seconds).
/// Writing picks the shortest form that holds the value, as MessagePack-CSharp and the JS client
/// do. There is no time zone: .NET converts `DateTimeKind.Local` values to UTC before writing and
/// reads back UTC.
///
/// ```
/// use signalr_codec_msgpack::{RawValue, Timestamp};
/// // 2018-04-09T00:00:00Z as .NET writes a DateTime.
/// let raw = RawValue::new(&[0xd6, 0xff, 0x5a, 0xca, 0xad, 0x00]).unwrap();
/// let ts = raw.as_timestamp().unwrap();
/// assert_eq!(ts, Timestamp::from_seconds(1_523_232_000));
///
/// let mut buf = [0u8; 15];
/// let n = ts.write_ext(&mut buf).unwrap();
/// assert_eq!(&buf[..n], raw.as_bytes());
/// ```
///
/// With the `serde` feature, `Timestamp` is `Serialize` and `Deserialize`. In a binary format
/// (`is_human_readable() == false`, as rmp-serde) it uses rmp-serde's extension convention (a
/// newtype struct named `_ExtStruct` holding `(i8, bytes)`), so with rmp-serde it reads and
/// writes the real extension type −1 and can be a field of your own structs. In human-readable
/// formats (JSON) it is a struct `{"seconds": …, "nanoseconds": …}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (negative before it).
    pub seconds: i64,
    /// Nanoseconds within the second, `0..1_000_000_000`.
    pub nanoseconds: u32,
}

/// Nanoseconds in a second: the exclusive upper bound of [`Timestamp::nanoseconds`].
pub const NANOS_PER_SECOND: u32 = 1_000_000_000;

impl Timestamp {
    /// The MessagePack extension type of timestamps.
    pub const EXT_TYPE: i8 = -1;
    /// The Unix epoch.
    pub const UNIX_EPOCH: Timestamp = Timestamp { seconds: 0, nanoseconds: 0 };

    /// A timestamp, or `None` when `nanoseconds` is not below one second.
    pub const fn new(seconds: i64, nanoseconds: u32) -> Option<Self> {
        if nanoseconds < NANOS_PER_SECOND {
            Some(Timestamp { seconds, nanoseconds })
        } else {
            None
        }
    }

    /// A whole number of seconds since the epoch.
    pub const fn from_seconds(seconds: i64) -> Self {
        Timestamp { seconds, nanoseconds: 0 }
    }

    /// Decodes the data of a timestamp extension (4, 8 or 12 bytes, without the extension
    /// header). `None` for another length or nanoseconds out of range.
    pub fn from_ext_data(data: &[u8]) -> Option<Self> {
        match *data {
            [a, b, c, d] => Some(Timestamp::from_seconds(i64::from(u32::from_be_bytes([a, b, c, d])))),
            [a, b, c, d, e, f, g, h] => {
                let v = u64::from_be_bytes([a, b, c, d, e, f, g, h]);
                Timestamp::new((v & 0x3_FFFF_FFFF) as i64, (v >> 34) as u32)
            }
            [a, b, c, d, e, f, g, h, i, j, k, l] => {
                let nanos = u32::from_be_bytes([a, b, c, d]);
                Timestamp::new(i64::from_be_bytes([e, f, g, h, i, j, k, l]), nanos)
            }
            _ => None,
        }
    }

    /// The extension data in the shortest form that holds this value, and its length (4, 8 or
    /// 12).
    pub fn to_ext_data(&self) -> ([u8; 12], usize) {
        let mut out = [0u8; 12];
        if self.seconds >= 0 && (self.seconds >> 34) == 0 {
            let seconds = self.seconds as u64;
            if self.nanoseconds == 0 && seconds <= u64::from(u32::MAX) {
                out[..4].copy_from_slice(&(seconds as u32).to_be_bytes());
                return (out, 4);
            }
            let v = (u64::from(self.nanoseconds) << 34) | seconds;
            out[..8].copy_from_slice(&v.to_be_bytes());
            return (out, 8);
        }
        out[..4].copy_from_slice(&self.nanoseconds.to_be_bytes());
        out[4..].copy_from_slice(&self.seconds.to_be_bytes());
        (out, 12)
    }

    /// Bytes [`write_ext`](Self::write_ext) writes: 6, 10 or 15.
    pub fn ext_len(&self) -> usize {
        match self.to_ext_data().1 {
            4 => 6,
            8 => 10,
            _ => 15,
        }
    }

    /// Writes the whole extension value (`d6 ff …`, `d7 ff …` or `c7 0c ff …`) into `out`,
    /// returning its length; `None` when `out` is too small (nothing is written then).
    pub fn write_ext(&self, out: &mut [u8]) -> Option<usize> {
        let (data, n) = self.to_ext_data();
        let header: &[u8] = match n {
            4 => &[0xd6, 0xff],
            8 => &[0xd7, 0xff],
            _ => &[0xc7, 0x0c, 0xff],
        };
        let total = header.len() + n;
        let out = out.get_mut(..total)?;
        out[..header.len()].copy_from_slice(header);
        out[header.len()..].copy_from_slice(&data[..n]);
        Some(total)
    }

    /// The timestamp as a `SystemTime`.
    #[cfg(feature = "std")]
    pub fn to_system_time(&self) -> Option<std::time::SystemTime> {
        use std::time::{Duration, UNIX_EPOCH};
        if self.seconds >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(self.seconds as u64, self.nanoseconds))
        } else {
            let back = Duration::from_secs(self.seconds.unsigned_abs());
            UNIX_EPOCH.checked_sub(back)?.checked_add(Duration::from_nanos(u64::from(self.nanoseconds)))
        }
    }

    /// A `SystemTime` as a timestamp.
    #[cfg(feature = "std")]
    pub fn from_system_time(time: std::time::SystemTime) -> Option<Self> {
        use std::time::UNIX_EPOCH;
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp::new(i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
            Err(e) => {
                let d = e.duration();
                let mut seconds = -i64::try_from(d.as_secs()).ok()?;
                let mut nanos = d.subsec_nanos();
                if nanos > 0 {
                    seconds = seconds.checked_sub(1)?;
                    nanos = NANOS_PER_SECOND - nanos;
                }
                Timestamp::new(seconds, nanos)
            }
        }
    }
}

impl fmt::Display for Timestamp {
    /// `seconds.nanoseconds` since the epoch, e.g. `1523232000.000000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.seconds, self.nanoseconds)
    }
}

#[cfg(feature = "serde")]
mod serde_impl {
    use core::fmt;

    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{SerializeStruct, SerializeTuple, Serializer};
    use serde::{Deserialize, Serialize};

    use super::Timestamp;

    /// rmp-serde's name for "this newtype struct is an extension value `(i8, bytes)`".
    const EXT_STRUCT: &str = "_ExtStruct";

    struct ExtBytes<'b>(&'b [u8]);

    impl Serialize for ExtBytes<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }

    struct ExtTuple<'b>(&'b [u8]);

    impl Serialize for ExtTuple<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut t = s.serialize_tuple(2)?;
            t.serialize_element(&Timestamp::EXT_TYPE)?;
            t.serialize_element(&ExtBytes(self.0))?;
            t.end()
        }
    }

    impl Serialize for Timestamp {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            if s.is_human_readable() {
                let mut st = s.serialize_struct("Timestamp", 2)?;
                st.serialize_field("seconds", &self.seconds)?;
                st.serialize_field("nanoseconds", &self.nanoseconds)?;
                st.end()
            } else {
                let (data, n) = self.to_ext_data();
                s.serialize_newtype_struct(EXT_STRUCT, &ExtTuple(&data[..n]))
            }
        }
    }

    /// Up to 12 bytes of extension data, copied without an allocator.
    struct ExtData {
        data: [u8; 12],
        len: usize,
    }

    impl<'de> Deserialize<'de> for ExtData {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = ExtData;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("timestamp extension data (4, 8 or 12 bytes)")
                }
                fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ExtData, E> {
                    let mut data = [0u8; 12];
                    let slot = data.get_mut(..v.len()).ok_or_else(|| E::invalid_length(v.len(), &self))?;
                    slot.copy_from_slice(v);
                    Ok(ExtData { data, len: v.len() })
                }
            }
            d.deserialize_bytes(V)
        }
    }

    struct ExtVisitor;

    impl<'de> Visitor<'de> for ExtVisitor {
        type Value = Timestamp;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a MessagePack timestamp (extension type -1)")
        }

        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Timestamp, D::Error> {
            d.deserialize_tuple(2, self)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Timestamp, A::Error> {
            let ty: i8 = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
            let data: ExtData = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?;
            if ty != Timestamp::EXT_TYPE {
                return Err(de::Error::invalid_value(de::Unexpected::Signed(i64::from(ty)), &self));
            }
            Timestamp::from_ext_data(&data.data[..data.len])
                .ok_or_else(|| de::Error::invalid_length(data.len, &"4, 8 or 12 bytes with nanoseconds below 10^9"))
        }
    }

    /// The human-readable form: `{"seconds": i64, "nanoseconds": u32}` (or a 2-element sequence).
    struct ReadableVisitor;

    enum Field {
        Seconds,
        Nanoseconds,
        Other,
    }

    impl<'de> Deserialize<'de> for Field {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Field;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("`seconds` or `nanoseconds`")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Field, E> {
                    Ok(match v {
                        "seconds" => Field::Seconds,
                        "nanoseconds" => Field::Nanoseconds,
                        _ => Field::Other,
                    })
                }
            }
            d.deserialize_identifier(V)
        }
    }

    impl<'de> Visitor<'de> for ReadableVisitor {
        type Value = Timestamp;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a timestamp {seconds, nanoseconds}")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Timestamp, A::Error> {
            let seconds: i64 = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
            let nanos: u32 = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?;
            Timestamp::new(seconds, nanos).ok_or_else(|| de::Error::custom("nanoseconds must be below 1000000000"))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Timestamp, A::Error> {
            let mut seconds = None;
            let mut nanos = None;
            while let Some(key) = map.next_key::<Field>()? {
                match key {
                    Field::Seconds => seconds = Some(map.next_value::<i64>()?),
                    Field::Nanoseconds => nanos = Some(map.next_value::<u32>()?),
                    Field::Other => {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
            }
            let seconds = seconds.ok_or_else(|| de::Error::missing_field("seconds"))?;
            let nanos = nanos.ok_or_else(|| de::Error::missing_field("nanoseconds"))?;
            Timestamp::new(seconds, nanos).ok_or_else(|| de::Error::custom("nanoseconds must be below 1000000000"))
        }
    }

    impl<'de> Deserialize<'de> for Timestamp {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            if d.is_human_readable() {
                d.deserialize_struct("Timestamp", &["seconds", "nanoseconds"], ReadableVisitor)
            } else {
                d.deserialize_newtype_struct(EXT_STRUCT, ExtVisitor)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_widths() {
        // 32-bit.
        assert_eq!(Timestamp::from_ext_data(&[0x5a, 0xca, 0xad, 0x00]), Some(Timestamp::from_seconds(1_523_232_000)));
        // 64-bit: 1 ns, 1 s.
        let v: u64 = (1u64 << 34) | 1;
        assert_eq!(Timestamp::from_ext_data(&v.to_be_bytes()), Timestamp::new(1, 1));
        // 96-bit: -1 s, 500 ns.
        let mut d = [0u8; 12];
        d[..4].copy_from_slice(&500u32.to_be_bytes());
        d[4..].copy_from_slice(&(-1i64).to_be_bytes());
        assert_eq!(Timestamp::from_ext_data(&d), Timestamp::new(-1, 500));
        assert_eq!(Timestamp::from_ext_data(&[1, 2, 3]), None);
        for ts in [
            Timestamp::from_seconds(0),
            Timestamp::from_seconds(u32::MAX.into()),
            Timestamp::from_seconds(u32::MAX as i64 + 1),
            Timestamp::new(5, 999_999_999).unwrap(),
            Timestamp::new((1 << 34) - 1, 1).unwrap(),
            Timestamp::from_seconds(1 << 34),
            Timestamp::new(-5, 3).unwrap(),
            Timestamp::new(i64::MIN, 0).unwrap(),
        ] {
            let (data, n) = ts.to_ext_data();
            assert_eq!(Timestamp::from_ext_data(&data[..n]), Some(ts), "{ts}");
        }
        assert_eq!(Timestamp::from_seconds(7).to_ext_data().1, 4);
        assert_eq!(Timestamp::new(7, 1).unwrap().to_ext_data().1, 8);
        assert_eq!(Timestamp::from_seconds(-7).to_ext_data().1, 12);
    }
}
