//! `HubDecoder::decode` and `HubDecoder::messages` cost work linear in the stream however it is
//! split: 32 KiB fed one byte at a time, under the decoder's contract (drop what was consumed,
//! pass the rest again with the new bytes), examines what the same bytes fed whole examine.
//! The work is counted (`HubDecoder::bytes_examined`), not timed.

use signalr_codec_core::frame::Status;
use signalr_codec_core::limits::DEFAULT_MAX_MESSAGE_SIZE;
use signalr_codec_core::varint::MAX_LEN;
use signalr_codec_core::{HubDecoder, HubMessage, MessageType, Parsed};
use signalr_codec_msgpack::MessagePackHubProtocol as Protocol;

/// A 32 KiB invocation, then two small messages.
fn stream() -> Vec<u8> {
    // [1, {}, nil, "t", [bin 32 of 32,753 bytes]]: a body of 32 KiB - 3 behind a 3-byte prefix.
    let bin = DEFAULT_MAX_MESSAGE_SIZE - 3 - 12;
    let mut body = vec![0x95, 0x01, 0x80, 0xc0, 0xa1, b't', 0x91, 0xc6];
    body.extend_from_slice(&(bin as u32).to_be_bytes());
    body.extend(std::iter::repeat_n(0x2a, bin));
    let (prefix, n) = signalr_codec_core::varint::prefix_for(body.len()).unwrap();
    let mut stream = prefix[..n].to_vec();
    stream.extend_from_slice(&body);
    assert_eq!(stream.len(), DEFAULT_MAX_MESSAGE_SIZE);
    stream.extend_from_slice(&[0x02, 0x91, 0x06, 0x03, 0x92, 0x07, 0xc0]);
    stream
}

fn kind<V, O: signalr_codec_core::ownership::Ownership>(parsed: &Parsed<HubMessage<'_, V, O>>) -> Option<MessageType> {
    match parsed {
        Parsed::Message(m) => Some(m.message_type()),
        Parsed::Skipped { .. } => None,
    }
}

/// The message types `decode` finds in `stream` fed `chunk` bytes at a time, the decoder's
/// work and the calls made.
fn decode_in_chunks(stream: &[u8], chunk: usize) -> (Vec<Option<MessageType>>, u64, usize) {
    let mut decoder = HubDecoder::new(Protocol::default());
    let (mut kinds, mut buf, mut calls) = (Vec::new(), Vec::new(), 0);
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            calls += 1;
            match decoder.decode(&buf).unwrap() {
                Status::Complete((parsed, consumed)) => {
                    kinds.push(kind(&parsed));
                    buf.drain(..consumed);
                }
                Status::Partial => break,
            }
        }
    }
    assert!(buf.is_empty());
    (kinds, decoder.bytes_examined(), calls)
}

/// The same through `messages`, called again after each new chunk.
fn messages_in_chunks(stream: &[u8], chunk: usize) -> (Vec<Option<MessageType>>, u64, usize) {
    let mut decoder = HubDecoder::new(Protocol::default());
    let (mut kinds, mut buf, mut calls) = (Vec::new(), Vec::new(), 0);
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        calls += 1;
        let mut messages = decoder.messages(&buf);
        for parsed in messages.by_ref() {
            kinds.push(kind(&parsed.unwrap()));
            calls += 1;
        }
        let consumed = messages.consumed();
        buf.drain(..consumed);
    }
    assert!(buf.is_empty());
    (kinds, decoder.bytes_examined(), calls)
}

#[test]
fn decode_fed_32_kib_one_byte_at_a_time_costs_what_it_costs_whole() {
    let stream = stream();
    let (expected, whole, _) = decode_in_chunks(&stream, stream.len());
    assert_eq!(expected.len(), 3);
    let (kinds, split, calls) = decode_in_chunks(&stream, 1);
    assert_eq!(kinds, expected);
    // Each body parsed once; the framer reads at most the 5-byte prefix again per call.
    assert!(split <= whole + (MAX_LEN * calls) as u64, "{split} > {whole} + 5 × {calls}");
}

#[test]
fn messages_called_again_on_each_new_byte_of_32_kib_costs_what_it_costs_whole() {
    let stream = stream();
    let (expected, whole, _) = messages_in_chunks(&stream, stream.len());
    assert_eq!(expected.len(), 3);
    let (kinds, split, calls) = messages_in_chunks(&stream, 1);
    assert_eq!(kinds, expected);
    // Each body parsed once; the framer reads at most the 5-byte prefix again per call.
    assert!(split <= whole + (MAX_LEN * calls) as u64, "{split} > {whole} + 5 × {calls}");
}
