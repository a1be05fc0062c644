//! Framing: the byte examples of hub-protocol.md §2, the .NET acceptance rules, and the sans-IO
//! property — any split of the input yields the same frames.

use proptest::prelude::*;
use signalr_codec_core::frame::{Framer, Framing, LengthPrefixFramer, RecordFramer, Status};
use signalr_codec_core::{varint, ErrorKind, Limits};

/// Feeds `input` in the given pieces, the way a transport would: append, take every whole frame,
/// drop what was consumed.
fn feed<F: Framer>(framer: &mut F, input: &[u8], cuts: &[usize]) -> (Vec<Vec<u8>>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    let mut start = 0;
    let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(input.len())).collect();
    ends.sort_unstable();
    ends.push(input.len());
    for end in ends {
        if end < start {
            continue;
        }
        buf.extend_from_slice(&input[start..end]);
        start = end;
        while let Status::Complete(frame) = framer.next_frame(&buf).unwrap() {
            frames.push(buf[frame.body.clone()].to_vec());
            buf.drain(..frame.consumed);
        }
    }
    (frames, buf)
}

fn frame_all(framing: Framing, bodies: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for body in bodies {
        framing.write_framed(body, &mut out).unwrap();
    }
    out
}

/// Record bodies never contain 0x1E (JSON text cannot).
fn record_body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>().prop_filter("no separator", |b| *b != 0x1E), 0..200)
}

fn binary_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        // Bodies around the 1- and 2-byte prefix boundaries.
        proptest::collection::vec(any::<u8>(), 120..140),
        proptest::collection::vec(any::<u8>(), 16380..16390),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn record_frames_are_the_same_under_any_split(
        bodies in proptest::collection::vec(record_body(), 0..8),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
        tail in record_body(),
    ) {
        let mut input = frame_all(Framing::RecordSeparator, &bodies);
        input.extend_from_slice(&tail);
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        let (whole, whole_rest) = feed(&mut RecordFramer::new(Limits::unlimited()), &input, &[]);
        let (split, split_rest) = feed(&mut RecordFramer::new(Limits::unlimited()), &input, &cuts);
        prop_assert_eq!(&whole, &bodies);
        prop_assert_eq!(&split, &bodies);
        prop_assert_eq!(&whole_rest, &tail);
        prop_assert_eq!(&split_rest, &tail);
    }

    #[test]
    fn length_prefixed_frames_are_the_same_under_any_split(
        bodies in proptest::collection::vec(binary_body(), 0..6),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let input = frame_all(Framing::LengthPrefixed, &bodies);
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        let (whole, rest) = feed(&mut LengthPrefixFramer::new(Limits::unlimited()), &input, &[]);
        let (split, split_rest) = feed(&mut LengthPrefixFramer::new(Limits::unlimited()), &input, &cuts);
        prop_assert_eq!(&whole, &bodies);
        prop_assert_eq!(&split, &bodies);
        prop_assert!(rest.is_empty() && split_rest.is_empty());
    }

    #[test]
    fn one_byte_at_a_time_gives_the_same_frames(
        record_bodies in proptest::collection::vec(record_body(), 0..5),
        binary_bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..5),
    ) {
        let input = frame_all(Framing::RecordSeparator, &record_bodies);
        let every_byte: Vec<usize> = (0..input.len()).collect();
        prop_assert_eq!(feed(&mut RecordFramer::new(Limits::unlimited()), &input, &every_byte).0, record_bodies);

        let input = frame_all(Framing::LengthPrefixed, &binary_bodies);
        let every_byte: Vec<usize> = (0..input.len()).collect();
        prop_assert_eq!(feed(&mut LengthPrefixFramer::new(Limits::unlimited()), &input, &every_byte).0, binary_bodies);
    }

    #[test]
    fn varint_round_trips(value in 0..=varint::MAX_VALUE) {
        let mut out = [0; varint::MAX_LEN];
        let n = varint::encode(value, &mut out);
        prop_assert_eq!(n, varint::encoded_len(value));
        prop_assert_eq!(varint::decode(&out[..n]).unwrap(), Status::Complete((value, n)));
        // Any cut of the prefix is partial.
        for cut in 0..n {
            prop_assert_eq!(varint::decode(&out[..cut]).unwrap(), Status::Partial);
        }
    }

    #[test]
    fn varint_follows_the_dotnet_rule_for_every_prefix_length(bytes in proptest::collection::vec(any::<u8>(), 0..8)) {
        prop_assert_eq!(varint::decode(&bytes).map_err(|e| e.offset()), dotnet_rule(&bytes));
    }

    #[test]
    fn frames_within_the_limit_pass_and_larger_ones_fail(len in 0usize..300, limit in 1usize..300) {
        let body = vec![b'a'; len];
        let mut record = body.clone();
        record.push(0x1E);
        let result = RecordFramer::new(Limits::default().with_max_message_size(Some(limit))).next_frame(&record);
        // The limit counts the separator too.
        prop_assert_eq!(result.is_ok(), record.len() <= limit);

        let mut prefixed = Vec::new();
        Framing::LengthPrefixed.write_framed(&body, &mut prefixed).unwrap();
        let result = LengthPrefixFramer::new(Limits::default().with_max_message_size(Some(limit))).next_frame(&prefixed);
        prop_assert_eq!(result.is_ok(), prefixed.len() <= limit);
    }
}

/// .NET's `BinaryMessageParser` rule, written independently: read up to 5 bytes while the
/// continuation bit is set; a 5th byte above 7 (which includes one with the continuation bit)
/// is an error at that byte; running out first is "need more".
fn dotnet_rule(bytes: &[u8]) -> Result<Status<(u32, usize)>, Option<usize>> {
    let mut value: u64 = 0;
    for i in 0..5 {
        let Some(&b) = bytes.get(i) else { return Ok(Status::Partial) };
        if i == 4 && b > 7 {
            return Err(Some(4));
        }
        value |= u64::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(Status::Complete((value as u32, i + 1)));
        }
    }
    unreachable!("the fifth byte always decides")
}

#[test]
fn fact_sheet_record_examples() {
    let mut framer = RecordFramer::default();
    let mut frames = framer.frames(b"ABC\x1eXYZ\x1e123");
    assert_eq!(frames.next().unwrap().unwrap(), b"ABC");
    assert_eq!(frames.next().unwrap().unwrap(), b"XYZ");
    assert!(frames.next().is_none());
    assert_eq!(frames.remaining(), b"123");

    // Empty records are frames with empty bodies (the JSON layer rejects them). Unrelated
    // bytes, not the rest of the ones above: the framer must forget its scan first.
    framer.reset();
    let bodies: Vec<_> = framer.frames(b"\x1e\x1e").collect::<Result<_, _>>().unwrap();
    assert_eq!(bodies, [b"", b""]);
}

#[test]
fn fact_sheet_binary_examples() {
    let mut framer = LengthPrefixFramer::new(Limits::unlimited());
    for partial in [&b""[..], &[0x80], &[0x04, 0xAB, 0xCD, 0xEF], &[0x09, 0x00, 0x00], &[0xFF, 0xFF, 0xFF, 0xFF, 0x07]]
    {
        assert_eq!(framer.next_frame(partial).unwrap(), Status::Partial, "{partial:02x?}");
    }
    for bad in
        [&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF][..], &[0x80, 0x80, 0x80, 0x80, 0x08], &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]
    {
        let e = framer.next_frame(bad).unwrap_err();
        assert_eq!(e.message().to_string(), "Messages over 2GB in size are not supported.");
    }
    // A zero-length body and a non-minimal prefix are frames.
    let bodies: Vec<_> = framer.frames(&[0x00, 0x80, 0x00, 0x01, 0x2A]).collect::<Result<_, _>>().unwrap();
    assert_eq!(bodies, [&[][..], &[], &[0x2A]]);
    // 0x80 0x29 announces 5248 bytes.
    let mut input = vec![0x80, 0x29];
    input.extend(vec![7u8; 5248]);
    let bodies: Vec<_> = framer.frames(&input).collect::<Result<_, _>>().unwrap();
    assert_eq!(bodies[0].len(), 5248);
}

#[test]
fn the_dotnet_server_window_example() {
    // With N = len(record) + 1 the first two 70-byte records pass and a 72-byte one fails.
    let record = |n: usize| {
        let mut r = vec![b'x'; n - 1];
        r.push(0x1E);
        r
    };
    let mut input = record(70);
    input.extend(record(70));
    input.extend(record(72));
    let mut framer = RecordFramer::new(Limits::default().with_max_message_size(Some(71)));
    let mut frames = framer.frames(&input);
    assert!(frames.next().unwrap().is_ok());
    assert!(frames.next().unwrap().is_ok());
    let e = frames.next().unwrap().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.message().to_string(),
        "The maximum message size of 71B was exceeded. The message size can be configured in AddHubOptions."
    );
    assert_eq!(e.offset(), Some(140 + 71));
}

#[test]
fn a_2gb_announcement_fails_at_once_under_the_default_limit() {
    let mut framer = LengthPrefixFramer::default();
    let e = framer.next_frame(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07]).unwrap_err();
    assert_eq!(e.limit(), Some(32768));
}

#[test]
fn a_text_stream_without_separator_fails_as_soon_as_the_limit_is_passed() {
    let mut framer = RecordFramer::default();
    let mut buf = Vec::new();
    for i in 0..=32768 {
        buf.push(b'a');
        let result = framer.next_frame(&buf);
        if i < 32768 {
            assert_eq!(result.unwrap(), Status::Partial);
        } else {
            assert_eq!(result.unwrap_err().limit(), Some(32768));
        }
    }
}

#[test]
fn feeding_a_32k_record_one_byte_at_a_time_examines_each_byte_once() {
    let mut record = vec![b' '; 32 * 1024 - 1];
    record.push(0x1E);
    let mut framer = RecordFramer::default();
    let mut buf = Vec::with_capacity(record.len());
    let mut found = 0;
    for &b in &record {
        buf.push(b);
        if let Status::Complete(frame) = framer.next_frame(&buf).unwrap() {
            assert_eq!(frame.consumed, record.len());
            found += 1;
        }
    }
    assert_eq!(found, 1);
    // Linear: every byte examined exactly once (a rescan from the start would examine ~n²/2).
    assert_eq!(framer.bytes_examined(), record.len() as u64);
}

/// `next_body` and `next_frame` agree on every input, limit and framer: the same status, the
/// body `next_frame` points at, the same error, the same bytes examined.
fn bodies_agree_with_frames<F: Framer + Clone>(framer: F, buf: &[u8]) {
    let (mut by_frame, mut by_body) = (framer.clone(), framer);
    match (by_frame.next_frame(buf), by_body.next_body(buf)) {
        (Ok(Status::Complete(frame)), Ok(Status::Complete((body, consumed)))) => {
            assert_eq!((&buf[frame.body.clone()], frame.consumed), (body, consumed));
            assert_eq!(body.as_ptr() as usize - buf.as_ptr() as usize, frame.body.start, "a slice of the input");
        }
        (Ok(Status::Partial), Ok(Status::Partial)) => {}
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("next_frame {a:?}, next_body {b:?}"),
    }
    assert_eq!(by_frame.bytes_examined(), by_body.bytes_examined());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn next_body_is_next_frame_as_a_slice(
        buf in prop_oneof![proptest::collection::vec(any::<u8>(), 0..40), binary_body()],
        limit in proptest::option::of(0usize..300),
    ) {
        let limits = Limits::default().with_max_message_size(limit);
        bodies_agree_with_frames(LengthPrefixFramer::new(limits), &buf);
        bodies_agree_with_frames(RecordFramer::new(limits), &buf);
    }
}
