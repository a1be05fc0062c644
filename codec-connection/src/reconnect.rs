//! Stateful reconnect (hub-protocol.md §10): numbering counted messages (types 1–5) each way,
//! the replay buffer of what the peer has not acknowledged, and the receiving side's
//! duplicate filter after a Sequence.

use signalr_codec_core::frame::Framing;
#[cfg(feature = "stateful-reconnect")]
use signalr_codec_core::frame::{Status, RECORD_SEPARATOR};
#[cfg(feature = "stateful-reconnect")]
use signalr_codec_core::varint;

use crate::config::Config;
use crate::storage::Bytes;
use crate::time::Instant;

/// Whether this connection offers (client) or accepts (server) stateful reconnect: when its
/// `Config` asks for it and the build has it (feature `stateful-reconnect`). Without the
/// feature a connection never negotiates it, whatever its `Config` says.
pub(crate) const fn wanted(config: &Config) -> bool {
    config.stateful_reconnect && cfg!(feature = "stateful-reconnect")
}

/// The replay buffer a connection that negotiated stateful reconnect starts with.
#[cfg(feature = "stateful-reconnect")]
pub(crate) fn replay_buffer<B: Bytes>(framing: Framing) -> Option<Replay<B>> {
    Some(Replay::new(framing))
}

/// Without the feature there is no replay buffer: [`Replay`] has no values, so every path that
/// holds one (`Some(replay)`) is unreachable and the compiler leaves it out of the binary.
#[cfg(not(feature = "stateful-reconnect"))]
pub(crate) fn replay_buffer<B: Bytes>(_framing: Framing) -> Option<Replay<B>> {
    None
}

/// The sending side: the counted messages not yet acknowledged, framed as they were sent.
///
/// Messages are stored back to back exactly as written, so replaying is one copy and dropping
/// acknowledged ones needs only their framing to find where each ends.
#[cfg(feature = "stateful-reconnect")]
#[derive(Debug)]
pub(crate) struct Replay<B> {
    bytes: B,
    framing: Framing,
    /// Id of the oldest buffered message (= `next_id` when empty).
    first_id: i64,
    /// Id the next counted message gets.
    next_id: i64,
}

#[cfg(feature = "stateful-reconnect")]
impl<B: Bytes> Replay<B> {
    pub(crate) fn new(framing: Framing) -> Self {
        Replay { bytes: B::default(), framing, first_id: 1, next_id: 1 }
    }

    /// Bytes buffered.
    pub(crate) fn buffered(&self) -> usize {
        self.bytes.len()
    }

    /// Messages buffered.
    pub(crate) fn count(&self) -> u64 {
        (self.next_id - self.first_id) as u64
    }

    /// Bytes that still fit (a fixed buffer's room).
    pub(crate) fn spare(&self) -> usize {
        self.bytes.spare()
    }

    /// Numbers one counted message written to the transport's output; its bytes come later, with
    /// [`keep`](Self::keep).
    pub(crate) fn numbered(&mut self) {
        self.next_id += 1;
    }

    /// Keeps the framed bytes of messages already [`numbered`](Self::numbered), oldest first;
    /// false when they do not fit.
    pub(crate) fn keep(&mut self, framed: &[u8]) -> bool {
        self.bytes.append(framed)
    }

    /// Writes one counted message straight into the buffer (no transport is attached), with
    /// `write`; on error nothing is kept.
    pub(crate) fn write_with<E>(&mut self, write: impl FnOnce(&mut B) -> Result<usize, E>) -> Result<(), E> {
        let start = self.bytes.len();
        match write(&mut self.bytes) {
            Ok(_) => {
                self.next_id += 1;
                Ok(())
            }
            Err(e) => {
                self.bytes.truncate(start);
                Err(e)
            }
        }
    }

    /// The peer has every message up to `sequence_id`: drops them. Ids beyond what was sent
    /// are treated as "everything".
    pub(crate) fn ack(&mut self, sequence_id: i64) {
        let upto = sequence_id.saturating_add(1).min(self.next_id);
        if upto == self.next_id {
            // Everything sent is acknowledged (a peer that keeps up): nothing to walk.
            self.bytes.truncate(0);
            self.first_id = upto;
            return;
        }
        let mut end = 0;
        while self.first_id < upto {
            end += frame_len(self.framing, &self.bytes.as_slice()[end..]);
            self.first_id += 1;
        }
        self.bytes.consume(end);
    }

    /// The Sequence to send on a new transport: the id of the oldest message replayed, or the
    /// next id when nothing waits (as .NET and the JS client do, hub-protocol.md §14.1).
    pub(crate) fn sequence_id(&self) -> i64 {
        self.first_id
    }

    /// The messages to replay, framed, oldest first.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }
}

/// A replay buffer that cannot exist: the build without stateful reconnect. Its methods are
/// those of the real one, and none can be called.
#[cfg(not(feature = "stateful-reconnect"))]
#[derive(Debug)]
pub(crate) enum Replay<B> {
    #[allow(dead_code)] // Never built: that is the point.
    Never(core::convert::Infallible, core::marker::PhantomData<B>),
}

#[cfg(not(feature = "stateful-reconnect"))]
impl<B: Bytes> Replay<B> {
    fn never(&self) -> ! {
        match *self {
            Replay::Never(never, _) => match never {},
        }
    }

    pub(crate) fn buffered(&self) -> usize {
        self.never()
    }

    pub(crate) fn count(&self) -> u64 {
        self.never()
    }

    pub(crate) fn spare(&self) -> usize {
        self.never()
    }

    pub(crate) fn numbered(&mut self) {
        self.never()
    }

    pub(crate) fn keep(&mut self, _framed: &[u8]) -> bool {
        self.never()
    }

    pub(crate) fn write_with<E>(&mut self, _write: impl FnOnce(&mut B) -> Result<usize, E>) -> Result<(), E> {
        self.never()
    }

    pub(crate) fn ack(&mut self, _sequence_id: i64) {
        self.never()
    }

    pub(crate) fn sequence_id(&self) -> i64 {
        self.never()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.never()
    }
}

/// Length of the frame at the front of `bytes`, which this side wrote itself.
#[cfg(feature = "stateful-reconnect")]
fn frame_len(framing: Framing, bytes: &[u8]) -> usize {
    match framing {
        Framing::RecordSeparator => memchr::memchr(RECORD_SEPARATOR, bytes).map_or(bytes.len(), |i| i + 1),
        Framing::LengthPrefixed => match varint::decode(bytes) {
            Ok(Status::Complete((len, prefix))) => (prefix + len as usize).min(bytes.len()),
            _ => bytes.len(),
        },
    }
}

/// The receiving side: which counted message comes next, which were already processed, and
/// what was last acknowledged.
#[cfg(feature = "stateful-reconnect")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inbound {
    /// Highest counted id processed (0: none yet).
    latest: i64,
    /// The id the next counted message arriving has.
    next: i64,
    /// The `latest` last sent in an Ack.
    acked: i64,
    /// After a transport change, counted messages are dropped until the peer's Sequence says
    /// where its replay starts (as the JS client does).
    awaiting_sequence: bool,
}

/// What to do with an arriving counted message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrival {
    /// New: process it.
    New,
    /// Already processed before the transport changed, or arriving before the Sequence:
    /// drop it.
    Skip,
}

/// `Sequence ID greater than amount of messages we've received.`
#[cfg(feature = "stateful-reconnect")]
pub(crate) const SEQUENCE_TOO_HIGH: &str = "Sequence ID greater than amount of messages we've received.";

#[cfg(feature = "stateful-reconnect")]
impl Inbound {
    pub(crate) const fn new() -> Self {
        Inbound { latest: 0, next: 1, acked: 0, awaiting_sequence: false }
    }

    /// Numbers an arriving counted message.
    pub(crate) fn arrive(&mut self) -> Arrival {
        if self.awaiting_sequence {
            return Arrival::Skip;
        }
        let id = self.next;
        self.next += 1;
        if id <= self.latest {
            return Arrival::Skip;
        }
        self.latest = id;
        Arrival::New
    }

    /// The peer's Sequence: its next counted message has `sequence_id`. An id past the next
    /// one expected would skip messages: fatal.
    pub(crate) fn sequence(&mut self, sequence_id: i64) -> Result<(), &'static str> {
        if sequence_id > self.latest.saturating_add(1) {
            return Err(SEQUENCE_TOO_HIGH);
        }
        self.next = sequence_id;
        self.awaiting_sequence = false;
        Ok(())
    }

    /// The transport changed: wait for the peer's Sequence, and acknowledge again on the new
    /// transport. The last Ack may have been lost with the old one; the peer would then keep
    /// its replay buffer full, send nothing new, and so never be acknowledged again.
    pub(crate) fn transport_changed(&mut self) {
        self.awaiting_sequence = true;
        self.acked = 0;
    }

    /// The id to acknowledge, if anything arrived since the last Ack.
    pub(crate) fn ack_due(&self) -> Option<i64> {
        (self.latest > self.acked).then_some(self.latest)
    }

    /// An Ack for `latest` was sent.
    pub(crate) fn acked(&mut self, id: i64) {
        self.acked = id;
    }
}

/// Without stateful reconnect nothing is numbered: every message is new and none is
/// acknowledged (a connection only calls these with a replay buffer, which it never has).
#[cfg(not(feature = "stateful-reconnect"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Inbound;

#[cfg(not(feature = "stateful-reconnect"))]
impl Inbound {
    pub(crate) const fn new() -> Self {
        Inbound
    }

    pub(crate) fn arrive(&mut self) -> Arrival {
        Arrival::New
    }

    pub(crate) fn sequence(&mut self, _sequence_id: i64) -> Result<(), &'static str> {
        Ok(())
    }

    pub(crate) fn transport_changed(&mut self) {}

    pub(crate) fn ack_due(&self) -> Option<i64> {
        None
    }

    pub(crate) fn acked(&mut self, _id: i64) {}
}

/// When the next Ack is due: set by the first counted message received since the last Ack.
/// Without stateful reconnect it is never set, and holds nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AckDue(#[cfg(feature = "stateful-reconnect")] Option<Instant>);

impl AckDue {
    #[cfg(feature = "stateful-reconnect")]
    pub(crate) const NONE: AckDue = AckDue(None);
    #[cfg(not(feature = "stateful-reconnect"))]
    pub(crate) const NONE: AckDue = AckDue();

    #[inline]
    pub(crate) fn get(self) -> Option<Instant> {
        #[cfg(feature = "stateful-reconnect")]
        return self.0;
        #[cfg(not(feature = "stateful-reconnect"))]
        return None;
    }

    #[inline]
    pub(crate) fn set(&mut self, at: Instant) {
        #[cfg(feature = "stateful-reconnect")]
        {
            self.0 = Some(at);
        }
        #[cfg(not(feature = "stateful-reconnect"))]
        let _ = at;
    }

    #[inline]
    pub(crate) fn clear(&mut self) {
        *self = AckDue::NONE;
    }
}

#[cfg(all(test, feature = "stateful-reconnect"))]
mod tests {
    use super::*;

    type Buf = heapless::Vec<u8, 64>;

    #[test]
    fn acked_messages_are_dropped_and_the_sequence_follows() {
        let mut replay = Replay::<Buf>::new(Framing::LengthPrefixed);
        assert_eq!(replay.sequence_id(), 1);
        for message in [&[0x02, 0x91, 0x06][..], &[0x03, 0x92, 0x08, 0x01], &[0x02, 0x91, 0x06]] {
            replay.numbered();
            assert!(replay.keep(message));
        }
        assert_eq!((replay.count(), replay.buffered()), (3, 10));
        replay.ack(1);
        assert_eq!((replay.sequence_id(), replay.count(), replay.bytes()), (2, 2, &[3, 0x92, 8, 1, 2, 0x91, 6][..]));
        replay.ack(1); // an old Ack again changes nothing
        assert_eq!(replay.count(), 2);
        replay.ack(99); // more than was sent: everything
        assert_eq!((replay.sequence_id(), replay.count(), replay.buffered()), (4, 0, 0));
    }

    #[test]
    fn records_are_split_at_the_separator() {
        let mut replay = Replay::<Buf>::new(Framing::RecordSeparator);
        replay.numbered();
        replay.numbered();
        assert!(replay.keep(b"{\"type\":6}\x1e{}\x1e"));
        replay.ack(1);
        assert_eq!(replay.bytes(), b"{}\x1e");
    }

    #[test]
    fn duplicates_after_a_sequence_are_skipped_and_skip_ahead_is_fatal() {
        let mut inbound = Inbound::new();
        assert_eq!(inbound.arrive(), Arrival::New); // 1
        assert_eq!(inbound.arrive(), Arrival::New); // 2
        assert_eq!(inbound.ack_due(), Some(2));
        inbound.acked(2);
        assert_eq!(inbound.ack_due(), None);
        inbound.transport_changed();
        assert_eq!(inbound.arrive(), Arrival::Skip); // before the Sequence
        inbound.sequence(2).unwrap(); // the peer replays from 2
        assert_eq!(inbound.arrive(), Arrival::Skip); // 2 again
        assert_eq!(inbound.arrive(), Arrival::New); // 3
        assert_eq!(inbound.sequence(5), Err(SEQUENCE_TOO_HIGH));
        assert!(inbound.sequence(4).is_ok());
    }
}
