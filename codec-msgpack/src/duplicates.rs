//! The repeated-key check on MessagePack headers, in O(n log n) key comparisons.
//!
//! .NET reads headers with `Dictionary.Add`, which throws on a repeated key (`An item with the
//! same key has already been added. Key: …`), so a repeated header name ends the connection
//! there: the reader must find the first header (in wire order) whose key an earlier one has.
//!
//! Comparing each key with every earlier one is quadratic, which `Limits::unlimited()` (used by
//! `signalr-codec inspect`) turns into seconds for a few thousand headers. Instead the key
//! offsets are sorted (by key, then position) and equal neighbours compared: O(n log n)
//! comparisons and no hashing an attacker could flood. The offsets need room: a 256-entry array
//! on the stack (the default `max_headers` is 256, so a default decode allocates nothing), or,
//! for more headers and with `alloc`, one vector of one offset per header — the headers were
//! walked first, so its size is bounded by bytes present, never by a length field. Without an
//! allocator, headers are checked a block of 32 at a time (each block kept sorted as it is read,
//! every key binary-searched among the block's earlier keys before it goes in, then the later
//! keys binary-searched in it): O(n²/32 · log 32), still bounded by `max_headers`, with 128
//! bytes of stack and none of the standard library's sort (about 2 KB of code on a device).
//! With `small` as well, each key is compared with every earlier one (`pairwise`): n²/2
//! comparisons, the same bound and 384 B less code (`firmware/check codec`).

use crate::read::Cursor;

/// Up to this many keys, comparing every pair is cheaper than sorting.
const PAIRWISE: usize = 8;
/// Key offsets sorted at once on the stack: 256 with an allocator (a default decode sorts
/// once), 32 without (a device keeps 128 bytes of stack for it, not 1 KB).
#[cfg_attr(all(feature = "small", not(feature = "alloc")), allow(dead_code))]
const BLOCK: usize = if cfg!(feature = "alloc") { 256 } else { 32 };

#[cfg(test)]
std::thread_local! {
    /// Key comparisons made on this thread (tests count work, not time).
    pub(crate) static COMPARISONS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

#[inline(always)]
fn counted() {
    #[cfg(test)]
    COMPARISONS.with(|c| c.set(c.get() + 1));
}

/// The key of the header whose key string starts at `offset` in `raw` (validated already).
fn key_at(raw: &[u8], offset: usize) -> &[u8] {
    let mut c = Cursor::new(&raw[offset..]);
    c.read_str().ok().flatten().map_or(&[][..], str::as_bytes)
}

/// Offsets of the keys of the next `count` headers at `cursor` (at most `out.len()`), into
/// `out`; returns how many were stored.
fn collect(cursor: &mut Cursor<'_>, count: usize, out: &mut [usize]) -> usize {
    let mut n = 0;
    while n < count.min(out.len()) {
        out[n] = cursor.pos();
        // Validated headers: both reads succeed.
        let _ = cursor.read_str();
        let _ = cursor.read_str();
        n += 1;
    }
    n
}

/// The first header, in wire order, among the `count` (validated) headers encoded in `raw`,
/// whose key an earlier header already has: the offset of its key in `raw`.
pub(crate) fn first_repeated_key(raw: &[u8], count: usize) -> Option<usize> {
    if count < 2 {
        return None;
    }
    // With `small`, the blocks alone (one block holds a few keys as well): 260 B less code on
    // the codec-alone firmware (`firmware/check codec`).
    if !cfg!(feature = "small") && count <= PAIRWISE {
        let mut offsets = [0usize; PAIRWISE];
        let n = collect(&mut Cursor::new(raw), count, &mut offsets);
        for j in 1..n {
            let key = key_at(raw, offsets[j]);
            for &earlier in &offsets[..j] {
                counted();
                if key_at(raw, earlier) == key {
                    return Some(offsets[j]);
                }
            }
        }
        return None;
    }
    #[cfg(feature = "alloc")]
    if count > BLOCK {
        let mut offsets = alloc::vec![0usize; count];
        return in_blocks(raw, count, &mut offsets);
    }
    #[cfg(feature = "alloc")]
    return in_blocks(raw, count, &mut [0usize; BLOCK]);
    #[cfg(all(not(feature = "alloc"), not(feature = "small")))]
    return in_blocks_kept_sorted(raw, count, &mut [0usize; BLOCK]);
    #[cfg(all(not(feature = "alloc"), feature = "small"))]
    pairwise(raw, count)
}

/// With `small` and no allocator: each key compared with every earlier one, the earlier ones
/// read again from the start for each. Without an allocator the blocks are quadratic too
/// (n²/32 · log 32 comparisons against n²/2 here, both bounded by `max_headers`: 32,640 at
/// the default 256); this costs no stack and 384 B less code than the sorted blocks
/// (`firmware/check codec`).
#[cfg(any(test, all(not(feature = "alloc"), feature = "small")))]
pub(crate) fn pairwise(raw: &[u8], count: usize) -> Option<usize> {
    let mut later = Cursor::new(raw);
    let _ = next_key(&mut later);
    for j in 1..count {
        let at = later.pos();
        let key = next_key(&mut later);
        let mut earlier = Cursor::new(raw);
        for _ in 0..j {
            counted();
            if next_key(&mut earlier) == key {
                return Some(at);
            }
        }
    }
    None
}

/// The key at the cursor, which moves past its header (key and value, validated).
fn next_key<'a>(cursor: &mut Cursor<'a>) -> &'a [u8] {
    let key = cursor.read_str().ok().flatten().map_or(&[][..], str::as_bytes);
    let _ = cursor.read_str();
    key
}

/// Where `key` is among the keys at the offsets of the sorted `block`, or where it would go.
#[cfg_attr(all(feature = "small", not(feature = "alloc")), allow(dead_code))]
fn find(raw: &[u8], block: &[usize], key: &[u8]) -> Result<usize, usize> {
    block.binary_search_by(|&probe| {
        counted();
        key_at(raw, probe).cmp(key)
    })
}

/// [`in_blocks`] without an allocator: each block is kept sorted as it is read, every key
/// looked up among the block's earlier keys before it goes in, so that a repeat inside the
/// block is found at its own place in wire order; then the keys after the block are looked up
/// in it. One binary search serves both, with no sort and no pass over neighbours (about
/// 300 B less code on a device than sorting each block by insertion, `firmware/check codec`);
/// the comparisons stay O(n²/32 · log 32).
#[cfg(any(test, all(not(feature = "alloc"), not(feature = "small"))))]
pub(crate) fn in_blocks_kept_sorted(raw: &[u8], count: usize, scratch: &mut [usize]) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut cursor = Cursor::new(raw);
    let mut done = 0;
    while done < count {
        let mut n = 0;
        while n < scratch.len() && done < count {
            let at = cursor.pos();
            // Keys after the best repeat so far cannot give an earlier one.
            if best.is_some_and(|b| at >= b) {
                return best;
            }
            let key = next_key(&mut cursor);
            done += 1;
            match find(raw, &scratch[..n], key) {
                // Every key before this one was looked up already, in this block or by the
                // blocks before it: this is the first repeat.
                Ok(_) => return Some(at),
                Err(slot) => {
                    scratch.copy_within(slot..n, slot + 1);
                    scratch[slot] = at;
                    n += 1;
                }
            }
        }
        // The keys after the block, in order, looked up in it: the first one found is this
        // block's earliest cross-block repeat.
        let mut later = cursor;
        for _ in done..count {
            let at = later.pos();
            if best.is_some_and(|b| at >= b) {
                break;
            }
            if find(raw, &scratch[..n], next_key(&mut later)).is_ok() {
                best = Some(at);
                break;
            }
        }
    }
    best
}

/// The check with `scratch` for room: one sort when it holds every key, else block by block.
#[cfg(any(test, feature = "alloc"))]
pub(crate) fn in_blocks(raw: &[u8], count: usize, scratch: &mut [usize]) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut cursor = Cursor::new(raw);
    let mut done = 0;
    while done < count {
        // Keys after the best repeat so far cannot give an earlier one.
        let block_start = cursor.pos();
        if best.is_some_and(|b| block_start >= b) {
            break;
        }
        let n = collect(&mut cursor, count - done, scratch);
        done += n;
        let block = &mut scratch[..n];
        let order = |&a: &usize, &b: &usize| {
            counted();
            key_at(raw, a).cmp(key_at(raw, b)).then(a.cmp(&b))
        };
        block.sort_unstable_by(order);
        // Within the block: in each run of equal keys (ordered by position), the second one is
        // the first repeat of that key.
        for pair in block.windows(2) {
            counted();
            if key_at(raw, pair[0]) == key_at(raw, pair[1]) {
                best = Some(best.map_or(pair[1], |b| b.min(pair[1])));
            }
        }
        // The keys after the block, in order, looked up in it: the first one found is this
        // block's earliest cross-block repeat.
        let mut later = cursor;
        for _ in done..count {
            let at = later.pos();
            if best.is_some_and(|b| at >= b) {
                break;
            }
            if find(raw, block, next_key(&mut later)).is_ok() {
                best = Some(at);
                break;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MessagePack headers `count` × (key, "v") from `keys`.
    fn encode(keys: &[String]) -> std::vec::Vec<u8> {
        let mut raw = std::vec::Vec::new();
        for k in keys {
            rmp::encode::write_str(&mut raw, k).unwrap();
            rmp::encode::write_str(&mut raw, "v").unwrap();
        }
        raw
    }

    /// The first repeat by comparing every pair: the oracle.
    fn naive(keys: &[String]) -> Option<usize> {
        (1..keys.len()).find(|&j| keys[..j].contains(&keys[j]))
    }

    fn offset_of(keys: &[String], index: usize) -> usize {
        encode(&keys[..index]).len()
    }

    /// A small deterministic generator: keys from a tiny alphabet repeat often.
    fn keys(seed: u64, n: usize, alphabet: u64) -> std::vec::Vec<String> {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                std::format!("k{}", (x >> 33) % alphabet)
            })
            .collect()
    }

    #[test]
    fn finds_the_first_repeat_in_wire_order_whatever_the_block_size() {
        for seed in 0..200 {
            let n = 1 + (seed as usize * 7) % 90;
            let ks = keys(seed, n, 40 + seed % 200);
            let raw = encode(&ks);
            let expected = naive(&ks).map(|i| offset_of(&ks, i));
            assert_eq!(first_repeated_key(&raw, n), expected, "seed {seed}");
            for block in [1, 2, 3, 5, 16, 128] {
                let mut scratch = std::vec![0usize; block];
                assert_eq!(in_blocks(&raw, n, &mut scratch), expected, "seed {seed}, block {block}");
                assert_eq!(in_blocks_kept_sorted(&raw, n, &mut scratch), expected, "seed {seed}, block {block}");
            }
            assert_eq!(pairwise(&raw, n), expected, "seed {seed}");
        }
    }

    fn comparisons(f: impl FnOnce()) -> u64 {
        let before = COMPARISONS.with(|c| c.get());
        f();
        COMPARISONS.with(|c| c.get()) - before
    }

    #[test]
    fn distinct_keys_cost_n_log_n_comparisons() {
        for n in [1_000usize, 4_000, 8_000, 32_000] {
            let ks: std::vec::Vec<String> = (0..n).map(|i| std::format!("header-{i}")).collect();
            let raw = encode(&ks);
            let work = comparisons(|| assert_eq!(first_repeated_key(&raw, n), None));
            let log2 = usize::BITS - n.leading_zeros();
            // A sort makes about n·log2(n) comparisons; a pairwise scan n²/2 (32 M at 8,000).
            assert!(work <= (3 * n as u64) * u64::from(log2), "{n} headers: {work} comparisons");
        }
    }

    #[test]
    fn parsing_many_headers_is_n_log_n() {
        use signalr_codec_core::{HubProtocol, Limits};
        let protocol = crate::MessagePackHubProtocol::with_limits(Limits::unlimited());
        let mut work = std::vec::Vec::new();
        for n in [4_000usize, 8_000] {
            // [1, {header-0: v, …}, nil, "t", []]
            let ks: std::vec::Vec<String> = (0..n).map(|i| std::format!("header-{i}")).collect();
            let mut body = std::vec![0x95, 0x01];
            rmp::encode::write_map_len(&mut body, n as u32).unwrap();
            body.extend_from_slice(&encode(&ks));
            body.extend_from_slice(&[0xc0, 0xa1, b't', 0x90]);
            work.push(comparisons(|| assert!(protocol.parse(&body).is_ok())));
            // The last key repeated: found, and reported at the repeat.
            let mut repeated = ks.clone();
            repeated[n - 1] = ks[0].clone();
            let mut body = std::vec![0x95, 0x01];
            rmp::encode::write_map_len(&mut body, n as u32).unwrap();
            body.extend_from_slice(&encode(&repeated));
            body.extend_from_slice(&[0xc0, 0xa1, b't', 0x90]);
            let e = protocol.parse(&body).unwrap_err();
            assert_eq!(e.message().to_string(), "An item with the same key has already been added. Key: header-0");
            assert_eq!(e.offset(), Some(2 + 3 + offset_of(&repeated, n - 1)));
        }
        // Doubling the count about doubles the work (n log n: ×2.17); a pairwise scan was ×4.
        std::eprintln!("4,000 then 8,000 headers: {work:?} comparisons");
        assert!(work[1] < work[0] * 5 / 2, "4,000 then 8,000 headers: {work:?} comparisons");
        assert!(work[1] < 8_000 * 14 * 3, "{work:?}");
    }
}
