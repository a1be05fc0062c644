//! [`Output`]: where writers put bytes — a caller's `&mut [u8]`, a `Vec<u8>`, a `BytesMut`, or
//! any `bytes::BufMut`.
//!
//! Into an output of fixed room, writers compute a message's exact length first and check
//! [`Output::remaining`] before they write anything: a buffer that is too small gets
//! [`ErrorKind::BufferTooSmall`](crate::ErrorKind::BufferTooSmall) with the size needed, and
//! nothing is written. Into one that grows (a `Vec`, a `BytesMut`: [`Output::rewind_point`]
//! says so), they write in one pass and take back what they wrote if the message fails half
//! way: measuring a serde payload means serializing it, so this halves the work for it, with
//! the same outcome (all of the message, or nothing).

/// A byte sink with a known amount of room.
pub trait Output {
    /// How many more bytes fit (`usize::MAX` for growable buffers).
    fn remaining(&self) -> usize;
    /// Appends `bytes`. Writers call it only after checking [`remaining`](Output::remaining);
    /// a fixed-size output that is nevertheless too small keeps what fits and drops the rest.
    fn put(&mut self, bytes: &[u8]);

    /// For outputs that grow as they are written to, where a writer may come back to: the
    /// length written so far. Writers then skip measuring, write in one pass, and
    /// [`rewind`](Output::rewind) to this point if the message fails. `None` (the default) for
    /// outputs of fixed room.
    #[inline]
    fn rewind_point(&self) -> Option<usize> {
        None
    }

    /// Drops what was written after `point` (from [`rewind_point`](Output::rewind_point)).
    #[inline]
    fn rewind(&mut self, point: usize) {
        let _ = point;
    }

    /// The bytes written after `point` (from [`rewind_point`](Output::rewind_point)), to fill in
    /// what is known only at the end (a length prefix). Empty for outputs of fixed room.
    #[inline]
    fn written_since(&mut self, point: usize) -> &mut [u8] {
        let _ = point;
        &mut []
    }
}

/// Writing into a caller's fixed buffer, front to back.
///
/// ```
/// use signalr_codec_core::{Output, SliceOutput};
/// let mut buf = [0u8; 8];
/// let mut out = SliceOutput::new(&mut buf);
/// out.put(b"{}\x1e");
/// assert_eq!(out.written(), b"{}\x1e");
/// assert_eq!(out.remaining(), 5);
/// ```
#[derive(Debug)]
pub struct SliceOutput<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceOutput<'a> {
    /// An empty output over `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceOutput { buf, len: 0 }
    }

    /// The bytes written so far.
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// How many bytes were written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Output for SliceOutput<'_> {
    #[inline]
    fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.remaining());
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }
}

#[cfg(feature = "alloc")]
impl Output for alloc::vec::Vec<u8> {
    #[inline]
    fn remaining(&self) -> usize {
        isize::MAX as usize - self.len()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn rewind_point(&self) -> Option<usize> {
        Some(self.len())
    }

    #[inline]
    fn rewind(&mut self, point: usize) {
        self.truncate(point);
    }

    #[inline]
    fn written_since(&mut self, point: usize) -> &mut [u8] {
        &mut self[point..]
    }
}

#[cfg(feature = "bytes")]
impl Output for bytes::BytesMut {
    #[inline]
    fn remaining(&self) -> usize {
        bytes::BufMut::remaining_mut(self)
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline]
    fn rewind_point(&self) -> Option<usize> {
        Some(self.len())
    }

    #[inline]
    fn rewind(&mut self, point: usize) {
        self.truncate(point);
    }

    #[inline]
    fn written_since(&mut self, point: usize) -> &mut [u8] {
        &mut self[point..]
    }
}

/// Any [`bytes::BufMut`] as an [`Output`].
///
/// ```
/// use signalr_codec_core::{BufMutOutput, Output};
/// let mut storage = [0u8; 4];
/// let mut slice: &mut [u8] = &mut storage;
/// BufMutOutput(&mut slice).put(b"ab");
/// assert_eq!(&storage[..2], b"ab");
/// ```
#[cfg(feature = "bytes")]
#[derive(Debug)]
pub struct BufMutOutput<'a, B: bytes::BufMut>(pub &'a mut B);

#[cfg(feature = "bytes")]
impl<B: bytes::BufMut> Output for BufMutOutput<'_, B> {
    #[inline]
    fn remaining(&self) -> usize {
        self.0.remaining_mut()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.0.remaining_mut());
        self.0.put_slice(&bytes[..n]);
    }
}

/// An output that stores nothing and counts the bytes put into it: a value's exact length from
/// the same writer that writes it.
///
/// ```
/// use signalr_codec_core::{CountingOutput, Output};
/// let mut count = CountingOutput::new();
/// count.put(b"{}");
/// count.put(&[0x1e]);
/// assert_eq!(count.len(), 3);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingOutput(usize);

impl CountingOutput {
    /// Nothing counted yet.
    pub const fn new() -> Self {
        CountingOutput(0)
    }

    /// Bytes put so far.
    pub const fn len(&self) -> usize {
        self.0
    }

    /// True when nothing was put.
    pub const fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

impl Output for CountingOutput {
    #[inline]
    fn remaining(&self) -> usize {
        usize::MAX - self.0
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

impl<O: Output + ?Sized> Output for &mut O {
    #[inline]
    fn remaining(&self) -> usize {
        (**self).remaining()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes)
    }

    #[inline]
    fn rewind_point(&self) -> Option<usize> {
        (**self).rewind_point()
    }

    #[inline]
    fn rewind(&mut self, point: usize) {
        (**self).rewind(point)
    }

    #[inline]
    fn written_since(&mut self, point: usize) -> &mut [u8] {
        (**self).written_since(point)
    }
}
