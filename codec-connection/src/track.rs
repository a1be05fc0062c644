//! Invocation and stream bookkeeping: the ids this side issued and awaits answers for, and the
//! peer's invocations, streams and upload streams this side must answer or route.

use core::fmt;

use crate::storage::{IdText, Table};

/// A call this side made that awaits an answer: the number on the wire as its invocation id.
///
/// Ids are numbered as the official clients number them: decimal strings of one counter from
/// `"0"`, shared by invocations, stream invocations and upload streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// An upload stream this side sends: its id is on the wire like a [`CallId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UploadId(pub u64);

/// What answers one of the peer's invocations: a blocking invocation, a stream invocation, or
/// (on a client) a call from the server that expects a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvocationHandle(pub(crate) u32);

/// One of the peer's upload streams (an entry of an invocation's `streamIds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamHandle(pub(crate) u32);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for UploadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The upload streams of one incoming invocation, in `streamIds` order.
///
/// Their handles are consecutive, so the set needs no storage of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Uploads {
    pub(crate) first: u32,
    pub(crate) count: u32,
}

impl Uploads {
    /// How many upload streams the invocation announced.
    pub const fn len(&self) -> usize {
        self.count as usize
    }

    /// True when it announced none.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The handle of the `index`-th stream id.
    pub fn get(&self, index: usize) -> Option<StreamHandle> {
        (index < self.len()).then(|| StreamHandle(self.first.wrapping_add(index as u32)))
    }

    /// The handles, in `streamIds` order.
    pub fn iter(&self) -> impl Iterator<Item = StreamHandle> + '_ {
        (0..self.count).map(|i| StreamHandle(self.first.wrapping_add(i)))
    }
}

/// What a call of this side waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// A Completion.
    Invocation,
    /// StreamItems, then a Completion.
    Stream,
    /// Nothing: an upload stream this side sends; tracked so it can be ended once.
    Upload,
}

/// An entry of this side's call table.
#[derive(Debug, Clone, Copy)]
pub struct Call {
    pub(crate) id: u64,
    pub(crate) kind: CallKind,
}

/// What the peer started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeerKind {
    /// A blocking invocation (or a call from the server awaiting a client result).
    Invocation,
    /// A stream invocation this side serves.
    Stream,
    /// An upload stream the peer sends.
    Upload,
}

/// An entry of the peer table. Finished entries stay as free slots and are reused, keeping the
/// capacity of their id text: once warm, tracking allocates nothing.
#[derive(Debug, Default)]
pub struct PeerEntry<I> {
    pub(crate) active: bool,
    pub(crate) kind: Option<PeerKind>,
    pub(crate) handle: u32,
    pub(crate) id: I,
    /// Upload streams: items handed out and not yet released.
    pub(crate) buffered: usize,
}

/// Finds this side's call `id` of one of `kinds`.
pub(crate) fn find_call<T: Table<Call>>(calls: &T, id: u64, kinds: &[CallKind]) -> Option<usize> {
    calls.entries().iter().position(|c| c.id == id && kinds.contains(&c.kind))
}

/// The number on the wire, if `id` is one this side could have issued (canonical decimal).
pub(crate) fn parse_call_id(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.is_empty() || b.len() > 20 || (b.len() > 1 && b[0] == b'0') || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    id.parse().ok()
}

/// Finds the active peer entry of `kind` whose id is `id`.
pub(crate) fn find_peer_id<I: IdText, T: Table<PeerEntry<I>>>(peer: &T, kind: PeerKind, id: &str) -> Option<usize> {
    peer.entries().iter().position(|e| e.active && e.kind == Some(kind) && e.id.as_str() == id)
}

/// Finds the active peer entry of one of `kinds` with `handle`.
pub(crate) fn find_peer_handle<I: IdText, T: Table<PeerEntry<I>>>(
    peer: &T,
    kinds: &[PeerKind],
    handle: u32,
) -> Option<usize> {
    peer.entries().iter().position(|e| e.active && e.handle == handle && e.kind.is_some_and(|k| kinds.contains(&k)))
}

/// Why an entry could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TrackError {
    /// The table (or the configured bound) is full.
    Full,
    /// The id does not fit the storage's id text.
    IdTooLong,
}

/// Adds an active entry, reusing a free slot when there is one.
#[cfg_attr(not(feature = "small"), inline(always))]
pub(crate) fn track_peer<I: IdText, T: Table<PeerEntry<I>>>(
    peer: &mut T,
    kind: PeerKind,
    id: &str,
    handle: u32,
) -> Result<(), TrackError> {
    let slot = match peer.entries().iter().position(|e| !e.active) {
        Some(i) => i,
        None => {
            peer.push(PeerEntry::default()).map_err(|_| TrackError::Full)?;
            peer.entries().len() - 1
        }
    };
    let entry = &mut peer.entries_mut()[slot];
    if !entry.id.set(id) {
        return Err(TrackError::IdTooLong);
    }
    entry.active = true;
    entry.kind = Some(kind);
    entry.handle = handle;
    entry.buffered = 0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_are_canonical_decimals() {
        assert_eq!(parse_call_id("0"), Some(0));
        assert_eq!(parse_call_id("42"), Some(42));
        assert_eq!(parse_call_id("042"), None);
        assert_eq!(parse_call_id(""), None);
        assert_eq!(parse_call_id("-1"), None);
        assert_eq!(parse_call_id("99999999999999999999"), None);
        assert_eq!(parse_call_id("18446744073709551615"), Some(u64::MAX));
    }

    #[test]
    fn finished_slots_are_reused() {
        let mut peer: heapless::Vec<PeerEntry<heapless::String<4>>, 2> = heapless::Vec::new();
        track_peer(&mut peer, PeerKind::Invocation, "a", 1).unwrap();
        track_peer(&mut peer, PeerKind::Upload, "b", 2).unwrap();
        assert_eq!(track_peer(&mut peer, PeerKind::Upload, "c", 3), Err(TrackError::Full));
        peer[0].active = false;
        track_peer(&mut peer, PeerKind::Upload, "c", 3).unwrap();
        assert_eq!(find_peer_id(&peer, PeerKind::Upload, "c"), Some(0));
        assert_eq!(find_peer_handle(&peer, &[PeerKind::Upload], 2), Some(1));
        assert_eq!(track_peer(&mut peer, PeerKind::Upload, "toolong", 4), Err(TrackError::Full));
        peer[1].active = false;
        assert_eq!(track_peer(&mut peer, PeerKind::Upload, "toolong", 4), Err(TrackError::IdTooLong));
    }
}
