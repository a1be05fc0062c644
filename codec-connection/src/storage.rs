//! Where a connection keeps its bytes and its bookkeeping: growable ([`Heap`], with `alloc`) or
//! fixed at compile time ([`Fixed`], for devices without an allocator).
//!
//! A connection holds three byte buffers — input not yet processed, output not yet handed to the
//! transport, and (with stateful reconnect) the replay buffer of unacknowledged messages — and
//! two small tables: the calls it made that await an answer, and what the peer started that it
//! must answer or route (invocations, streams, upload streams). [`Store`] names the five types.

use core::fmt;

/// Byte storage: a queue that grows at the back and is consumed from the front.
pub trait Bytes: Default {
    /// The bytes held.
    fn as_slice(&self) -> &[u8];
    /// How many more bytes fit.
    fn spare(&self) -> usize;
    /// Appends all of `data`, or nothing when it does not fit (returns false).
    fn append(&mut self, data: &[u8]) -> bool;
    /// Drops the first `n` bytes.
    fn consume(&mut self, n: usize);
    /// Keeps only the first `len` bytes.
    fn truncate(&mut self, len: usize);

    /// True when [`spare`](Self::spare) never runs out (a `Vec`): messages are then written in
    /// one pass, a serde payload serialized once instead of measured first. Such a buffer must
    /// also give its bytes back mutably ([`as_mut_slice`](Self::as_mut_slice)).
    #[inline]
    fn grows(&self) -> bool {
        false
    }

    /// The bytes held, mutably (for a length prefix filled in after the body). Only called
    /// when [`grows`](Self::grows) is true; the default gives nothing.
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut []
    }

    /// Number of bytes held.
    #[inline]
    fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// True when nothing is held.
    #[inline]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(feature = "alloc")]
impl Bytes for alloc::vec::Vec<u8> {
    #[inline]
    fn as_slice(&self) -> &[u8] {
        self
    }

    #[inline]
    fn spare(&self) -> usize {
        isize::MAX as usize - self.len()
    }

    #[inline]
    fn append(&mut self, data: &[u8]) -> bool {
        self.extend_from_slice(data);
        true
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        self.drain(..n);
    }

    #[inline]
    fn truncate(&mut self, len: usize) {
        alloc::vec::Vec::truncate(self, len);
    }

    #[inline]
    fn grows(&self) -> bool {
        true
    }

    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
}

impl<const N: usize> Bytes for heapless::Vec<u8, N> {
    #[inline]
    fn as_slice(&self) -> &[u8] {
        self
    }

    #[inline]
    fn spare(&self) -> usize {
        N - self.len()
    }

    #[inline]
    fn append(&mut self, data: &[u8]) -> bool {
        self.extend_from_slice(data).is_ok()
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        let len = self.len();
        self.copy_within(n..len, 0);
        heapless::Vec::truncate(self, len - n);
    }

    #[inline]
    fn truncate(&mut self, len: usize) {
        heapless::Vec::truncate(self, len);
    }
}

/// A small table of entries that are looked up by scanning (connections track a handful of
/// calls at a time, where a scan beats hashing and needs no allocator).
pub trait Table<T>: Default {
    /// The entries.
    fn entries(&self) -> &[T];
    /// The entries, mutable.
    fn entries_mut(&mut self) -> &mut [T];
    /// Adds an entry; gives it back when the table is full.
    fn push(&mut self, entry: T) -> Result<(), T>;
    /// Removes entry `index`, moving the last one into its place.
    fn swap_remove(&mut self, index: usize) -> T;
    /// How many more entries fit.
    fn room(&self) -> usize;
}

#[cfg(feature = "alloc")]
impl<T> Table<T> for alloc::vec::Vec<T> {
    #[inline]
    fn entries(&self) -> &[T] {
        self
    }

    #[inline]
    fn entries_mut(&mut self) -> &mut [T] {
        self
    }

    #[inline]
    fn push(&mut self, entry: T) -> Result<(), T> {
        alloc::vec::Vec::push(self, entry);
        Ok(())
    }

    #[inline]
    fn swap_remove(&mut self, index: usize) -> T {
        alloc::vec::Vec::swap_remove(self, index)
    }

    #[inline]
    fn room(&self) -> usize {
        usize::MAX
    }
}

impl<T, const N: usize> Table<T> for heapless::Vec<T, N> {
    #[inline]
    fn entries(&self) -> &[T] {
        self
    }

    #[inline]
    fn entries_mut(&mut self) -> &mut [T] {
        self
    }

    #[inline]
    fn push(&mut self, entry: T) -> Result<(), T> {
        heapless::Vec::push(self, entry)
    }

    #[inline]
    fn swap_remove(&mut self, index: usize) -> T {
        heapless::Vec::swap_remove(self, index)
    }

    #[inline]
    fn room(&self) -> usize {
        N - self.len()
    }
}

/// A copy of an id the peer chose (an invocation id, an upload stream id), kept to answer it.
pub trait IdText: Default + fmt::Debug {
    /// Replaces the text; false when it does not fit.
    fn set(&mut self, id: &str) -> bool;
    /// The text.
    fn as_str(&self) -> &str;
}

/// A peer id kept by [`Heap`] storage: up to 24 bytes in place (the official clients' ids are
/// short decimal numbers), longer ones on the heap.
///
/// Copied into a `String`, every id took a call to `memcpy` for a length the compiler cannot
/// see; in place, an id of at most 24 bytes is copied by fixed-size moves that overlap.
#[cfg(feature = "alloc")]
#[derive(Debug, Default)]
pub struct HeapId {
    short: [u8; HeapId::SHORT],
    /// Bytes of `short` in use, or `LONG` when the id is in `long`.
    len: u8,
    long: alloc::string::String,
}

#[cfg(feature = "alloc")]
impl HeapId {
    const SHORT: usize = 24;
    const LONG: u8 = u8::MAX;

    /// The head and the tail of `id`, `W` bytes each, into `short`: the tail overwrites what
    /// the head wrote past `id.len() - W`.
    #[inline(always)]
    fn overlapping<const W: usize>(short: &mut [u8; Self::SHORT], id: &[u8]) {
        let n = id.len();
        short[..W].copy_from_slice(&id[..W]);
        short[n - W..n].copy_from_slice(&id[n - W..]);
    }
}

#[cfg(feature = "alloc")]
impl IdText for HeapId {
    #[inline]
    fn set(&mut self, id: &str) -> bool {
        let bytes = id.as_bytes();
        let n = bytes.len();
        match n {
            0 => {}
            1..=3 => {
                self.short[0] = bytes[0];
                self.short[n / 2] = bytes[n / 2];
                self.short[n - 1] = bytes[n - 1];
            }
            4..=7 => Self::overlapping::<4>(&mut self.short, bytes),
            8..=15 => Self::overlapping::<8>(&mut self.short, bytes),
            16..=24 => Self::overlapping::<16>(&mut self.short, bytes),
            _ => {
                // Reuses the capacity of an earlier long id: no allocation once warm.
                self.long.clear();
                self.long.push_str(id);
                self.len = Self::LONG;
                return true;
            }
        }
        self.len = n as u8;
        true
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self.short.get(..usize::from(self.len)) {
            // Copied whole from a `str`.
            Some(bytes) => signalr_codec_core::text::from_utf8(bytes).unwrap_or_default(),
            None => &self.long,
        }
    }
}

impl<const N: usize> IdText for heapless::String<N> {
    #[inline]
    fn set(&mut self, id: &str) -> bool {
        self.clear();
        self.push_str(id).is_ok()
    }

    #[inline]
    fn as_str(&self) -> &str {
        self
    }
}

/// The storage types of a connection.
pub trait Store {
    /// Byte buffers: input, output and replay.
    type Bytes: Bytes;
    /// A copied peer id.
    type Id: IdText;
    /// The calls this side made that await a Completion (or stream items).
    type Calls: Table<crate::track::Call>;
    /// What the peer started that this side answers or routes.
    type Peer: Table<crate::track::PeerEntry<Self::Id>>;
}

/// Growable storage: buffers and tables on the heap, grown as needed up to the configured
/// limits and then reused (no allocation per message once warm). Needs the `alloc` feature.
#[derive(Debug, Clone, Copy, Default)]
pub struct Heap;

#[cfg(feature = "alloc")]
impl Store for Heap {
    type Bytes = alloc::vec::Vec<u8>;
    type Id = HeapId;
    type Calls = alloc::vec::Vec<crate::track::Call>;
    type Peer = alloc::vec::Vec<crate::track::PeerEntry<HeapId>>;
}

/// Storage fixed at compile time, for devices without an allocator: every buffer holds `BYTES`
/// bytes, at most `CALLS` calls of this side and `PEER` entries of the peer's are tracked, and a
/// peer id is kept in at most `ID` bytes (longer ids are refused).
///
/// `BYTES` bounds one message in each direction and, with stateful reconnect, the replay buffer.
///
/// ```
/// use signalr_codec_connection::{Config, Connection, Fixed, Instant};
/// use signalr_codec_msgpack::MessagePackHubProtocol;
/// type Device = Fixed<512, 4, 2, 16>;
/// let conn: Connection<MessagePackHubProtocol, Device> =
///     Connection::client_in(MessagePackHubProtocol::new(), Config::client(), Instant::from_millis(0));
/// assert!(!conn.is_closed());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixed<const BYTES: usize, const CALLS: usize, const PEER: usize, const ID: usize>;

impl<const BYTES: usize, const CALLS: usize, const PEER: usize, const ID: usize> Store
    for Fixed<BYTES, CALLS, PEER, ID>
{
    type Bytes = heapless::Vec<u8, BYTES>;
    type Id = heapless::String<ID>;
    type Calls = heapless::Vec<crate::track::Call, CALLS>;
    type Peer = heapless::Vec<crate::track::PeerEntry<heapless::String<ID>>, PEER>;
}

/// Writes into a [`Bytes`] as a codec [`Output`](signalr_codec_core::Output).
pub(crate) struct Sink<'a, B>(pub(crate) &'a mut B);

impl<B: Bytes> signalr_codec_core::Output for Sink<'_, B> {
    #[inline]
    fn remaining(&self) -> usize {
        self.0.spare()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        // Writers check `remaining` before putting anything (or the buffer grows), so this
        // always fits.
        let _ = self.0.append(bytes);
    }

    #[inline]
    fn rewind_point(&self) -> Option<usize> {
        self.0.grows().then(|| self.0.len())
    }

    #[inline]
    fn rewind(&mut self, point: usize) {
        self.0.truncate(point);
    }

    #[inline]
    fn written_since(&mut self, point: usize) -> &mut [u8] {
        self.0.as_mut_slice().get_mut(point..).unwrap_or_default()
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::{HeapId, IdText};
    use alloc::string::String;

    /// Every length up to past the in-place room, after ids of other lengths (a shorter id
    /// must not show what a longer one left), ASCII and not.
    #[test]
    fn heap_ids_of_every_length_come_back_whole() {
        let mut kept = HeapId::default();
        let texts = ["0123456789abcdefghijklmnopqrstuvwxyz-_", "éééééééééééééééééééé", "a😀b😀c😀d😀e😀"];
        for text in texts {
            let mut ids: alloc::vec::Vec<&str> =
                (0..=text.len()).filter(|&n| text.is_char_boundary(n)).map(|n| &text[..n]).collect();
            // Long, short, long again: both places reused.
            ids.extend(ids.clone().into_iter().rev());
            for id in ids {
                assert!(kept.set(id));
                assert_eq!(kept.as_str(), id, "{} bytes", id.len());
            }
        }
        let long = String::from("x").repeat(100);
        assert!(kept.set(&long));
        assert_eq!(kept.as_str(), long);
        assert!(kept.set("7"));
        assert_eq!(kept.as_str(), "7");
    }
}
