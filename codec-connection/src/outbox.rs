//! The bytes waiting for the transport, handed out by
//! [`Connection::poll_transmit`](crate::Connection::poll_transmit) without a copy.

use signalr_codec_core::TransferFormat;

use crate::storage::Bytes;

/// Bytes to send on the transport, as one transport message (one WebSocket frame): whole hub
/// messages, in the format the frame must have.
///
/// The bytes belong to the connection; they stay valid until the next call on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit<'a> {
    /// Text or binary frame.
    pub format: TransferFormat,
    /// What to send.
    pub bytes: &'a [u8],
}

/// Output not yet handed to the transport.
#[derive(Debug, Default)]
pub(crate) struct Outbox<B> {
    pub(crate) buf: B,
    /// Bytes handed out by the last `poll`: dropped on the next write or poll.
    handed: usize,
    /// Bytes at the front that must go in a text frame whatever the protocol: the client's
    /// handshake request (the official clients send it as text).
    text_prefix: usize,
}

impl<B: Bytes> Outbox<B> {
    /// Drops what was handed out: the caller's borrow of it has ended.
    pub(crate) fn settle(&mut self) {
        if self.handed > 0 {
            self.buf.consume(self.handed);
            self.text_prefix = self.text_prefix.saturating_sub(self.handed);
            self.handed = 0;
        }
    }

    /// Marks everything written so far as text.
    pub(crate) fn mark_text(&mut self) {
        self.text_prefix = self.buf.len();
    }

    /// Drops everything not yet handed out (the transport is gone).
    pub(crate) fn clear(&mut self) {
        self.buf.truncate(0);
        self.handed = 0;
        self.text_prefix = 0;
    }

    /// Hands out the pending bytes.
    pub(crate) fn poll(&mut self, format: TransferFormat) -> Option<Transmit<'_>> {
        self.settle();
        if self.buf.is_empty() {
            return None;
        }
        let (format, n) =
            if self.text_prefix > 0 { (TransferFormat::Text, self.text_prefix) } else { (format, self.buf.len()) };
        self.handed = n;
        Some(Transmit { format, bytes: &self.buf.as_slice()[..n] })
    }
}
