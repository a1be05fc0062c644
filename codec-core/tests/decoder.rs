//! The generic decoder, driven by a toy protocol: one byte of type, then a raw payload.

use signalr_codec_core::frame::{Framing, LengthPrefixFramer, Status};
use signalr_codec_core::ownership::{Ownership, Owning};
use signalr_codec_core::{
    Encode, Error, ErrorKind, HubMessage, HubProtocol, Invocation, Limits, MessageType, Output, Parsed, TransferFormat,
};

/// Body: `[type]` for Ping, `[1, payload…]` for a non-blocking invocation of "t", `[0xEE, ..]`
/// is invalid at its second byte, any other type is unknown.
#[derive(Debug, Clone, Default)]
struct Toy {
    limits: Limits,
}

struct Raw<'a>(&'a [u8]);

impl Encode<Toy> for Raw<'_> {
    fn encoded_len(&self, _: &Toy) -> Result<usize, Error> {
        Ok(self.0.len())
    }
    fn encode<O: Output + ?Sized>(&self, _: &Toy, out: &mut O) -> Result<(), Error> {
        out.put(self.0);
        Ok(())
    }
}

/// A payload is written back as it came (`HubProtocol::Value` must be `Encode`).
impl Encode<Toy> for [u8] {
    fn encoded_len(&self, _: &Toy) -> Result<usize, Error> {
        Ok(self.len())
    }
    fn encode<O: Output + ?Sized>(&self, _: &Toy, out: &mut O) -> Result<(), Error> {
        out.put(self);
        Ok(())
    }
}

impl HubProtocol for Toy {
    type Value<'a> = &'a [u8];
    type Framer = LengthPrefixFramer;
    type Ownership = Owning;

    fn name(&self) -> &'static str {
        "toy"
    }
    fn version(&self) -> i32 {
        2
    }
    fn transfer_format(&self) -> TransferFormat {
        TransferFormat::Binary
    }
    fn limits(&self) -> &Limits {
        &self.limits
    }
    fn framer(&self) -> LengthPrefixFramer {
        LengthPrefixFramer::new(self.limits)
    }

    fn parse<'a>(&self, frame: &'a [u8]) -> Result<Parsed<HubMessage<'a, &'a [u8]>>, Error> {
        match frame.first() {
            None => Err(Error::new(ErrorKind::Invalid, "empty").at(0)),
            Some(6) => Ok(Parsed::Message(HubMessage::Ping)),
            Some(1) => Ok(Parsed::Message(HubMessage::Invocation(Invocation::new("t", &frame[1..])))),
            Some(0xEE) => Err(Error::new(ErrorKind::Invalid, "bad").at(1)),
            Some(&t) => Ok(Parsed::Skipped { message_type: i64::from(t) }),
        }
    }

    fn encoded_len<V: Encode<Self>, Own: Ownership>(&self, message: &HubMessage<'_, V, Own>) -> Result<usize, Error> {
        let body = match message {
            HubMessage::Ping => 1,
            HubMessage::Invocation(m) => 1 + m.arguments.encoded_len(self)?,
            _ => return Err(Error::new(ErrorKind::Unsupported, "toy")),
        };
        Ok(body + Framing::LengthPrefixed.overhead(body))
    }

    fn write<V: Encode<Self>, Own: Ownership, O: Output + ?Sized>(
        &self,
        message: &HubMessage<'_, V, Own>,
        out: &mut O,
    ) -> Result<usize, Error> {
        let len = self.encoded_len(message)?;
        if out.remaining() < len {
            return Err(Error::buffer_too_small(len));
        }
        let mut body = Vec::new();
        match message {
            HubMessage::Ping => body.push(6),
            HubMessage::Invocation(m) => {
                body.push(1);
                m.arguments.encode(self, &mut body)?;
            }
            _ => unreachable!("rejected by encoded_len"),
        }
        Framing::LengthPrefixed.write_framed(&body, out)
    }
}

fn stream() -> Vec<u8> {
    let toy = Toy::default();
    let mut out = Vec::new();
    toy.write(&HubMessage::Ping::<Raw<'_>>, &mut out).unwrap();
    toy.write(&HubMessage::Invocation(Invocation::new("t", Raw(b"abc"))), &mut out).unwrap();
    out.extend_from_slice(&[0x02, 99, 0]); // unknown type 99
    out.extend_from_slice(&[0x01, 6]);
    out
}

#[test]
fn decodes_messages_and_reports_skipped_types_with_their_size() {
    let mut decoder = signalr_codec_core::HubDecoder::new(Toy::default());
    let input = stream();
    let mut pos = 0;
    let mut seen = Vec::new();
    while let Status::Complete((parsed, consumed)) = decoder.decode(&input[pos..]).unwrap() {
        seen.push((parsed.clone().map_message_type(), consumed));
        pos += consumed;
    }
    assert_eq!(pos, input.len());
    assert_eq!(
        seen,
        [(Ok(MessageType::Ping), 2), (Ok(MessageType::Invocation), 5), (Err(99), 3), (Ok(MessageType::Ping), 2),]
    );
}

#[test]
fn everything_before_an_error_is_delivered_and_the_offset_points_into_the_stream() {
    let mut input = stream();
    let error_frame_at = input.len();
    input.extend_from_slice(&[0x02, 0xEE, 0x00, 0x01, 6]);
    let mut decoder = signalr_codec_core::HubDecoder::new(Toy::default());
    let mut messages = decoder.messages(&input);
    let delivered: Vec<_> = messages.by_ref().take_while(Result::is_ok).collect();
    assert_eq!(delivered.len(), 4);
    assert_eq!(messages.consumed(), error_frame_at);
    assert!(messages.next().is_none());

    let mut messages = decoder.messages(&input);
    let err = messages.find_map(Result::err).unwrap();
    // The bad byte is the second body byte of the frame: frame start + 1 (prefix) + 1.
    assert_eq!(err.offset(), Some(error_frame_at + 2));
    assert_eq!(err.kind(), ErrorKind::Invalid);
}

#[test]
fn a_partial_frame_is_left_unconsumed() {
    let input = stream();
    let cut = &input[..input.len() - 1];
    let mut decoder = signalr_codec_core::HubDecoder::new(Toy::default());
    let mut messages = decoder.messages(cut);
    assert_eq!(messages.by_ref().count(), 3);
    assert_eq!(messages.remaining(), &[0x01]);
}

trait TypeOf {
    fn map_message_type(self) -> Result<MessageType, i64>;
}

impl<V> TypeOf for Parsed<HubMessage<'_, V>> {
    fn map_message_type(self) -> Result<MessageType, i64> {
        match self {
            Parsed::Message(m) => Ok(m.message_type()),
            Parsed::Skipped { message_type } => Err(message_type),
        }
    }
}
