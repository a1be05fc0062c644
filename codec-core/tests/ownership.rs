//! `Borrowing` messages: nothing to drop, texts as small as a `&str`, and `owning()` keeping
//! every field of every message type.

use core::mem::{needs_drop, size_of};
use signalr_codec_core::ownership::{Borrowing, Owning};
use signalr_codec_core::{
    CancelInvocation, Close, Completion, Headers, HubMessage, Invocation, Outcome, Parsed, StreamIds, StreamInvocation,
    StreamItem, Text,
};

#[test]
fn borrowing_messages_have_nothing_to_drop() {
    assert!(!needs_drop::<Text<'static, Borrowing>>());
    assert!(!needs_drop::<Headers<'static, Borrowing>>());
    assert!(!needs_drop::<StreamIds<'static, Borrowing>>());
    assert!(!needs_drop::<Parsed<HubMessage<'static, &str, Borrowing>>>());
    // Owning ones may hold a `Box<str>` (with `alloc`, on in these tests).
    assert!(needs_drop::<HubMessage<'static, &str, Owning>>());
}

#[test]
fn a_borrowing_text_is_a_bare_str() {
    assert_eq!(size_of::<Text<'static, Borrowing>>(), size_of::<&str>());
    assert_eq!(size_of::<Option<Text<'static, Borrowing>>>(), size_of::<&str>());
    assert!(size_of::<HubMessage<'static, &str, Borrowing>>() < size_of::<HubMessage<'static, &str>>());
}

/// Every message type, borrowing: what `owning()` must give back field for field.
fn borrowing<'a>(
    frame: &'a str,
    headers: Headers<'a, Borrowing>,
    ids: StreamIds<'a, Borrowing>,
) -> Vec<HubMessage<'a, &'a str, Borrowing>> {
    let t = |s: &'a str| Text::<Borrowing>::from_frame(s);
    vec![
        HubMessage::Invocation(Invocation {
            headers: headers.clone(),
            invocation_id: Some(t(&frame[..1])),
            target: t(&frame[1..3]),
            arguments: "[1]",
            stream_ids: ids.clone(),
        }),
        HubMessage::StreamInvocation(StreamInvocation {
            headers: headers.clone(),
            invocation_id: t(&frame[..1]),
            target: t(&frame[1..3]),
            arguments: "[]",
            stream_ids: ids,
        }),
        HubMessage::StreamItem(StreamItem { headers: headers.clone(), invocation_id: t(&frame[..1]), item: "2" }),
        HubMessage::Completion(Completion {
            headers: headers.clone(),
            invocation_id: t(&frame[..1]),
            outcome: Outcome::Error(t(&frame[3..])),
        }),
        HubMessage::Completion(Completion {
            headers: Headers::none(),
            invocation_id: t(&frame[..1]),
            outcome: Outcome::Result("3"),
        }),
        HubMessage::CancelInvocation(CancelInvocation { headers, invocation_id: t(&frame[..1]) }),
        HubMessage::Ping,
        HubMessage::Close(Close { error: Some(t(&frame[3..])), allow_reconnect: true }),
        HubMessage::Ack { sequence_id: 4 },
        HubMessage::Sequence { sequence_id: 5 },
    ]
}

#[test]
fn owning_keeps_every_field_and_copies_nothing() {
    let frame = String::from("7Gooops");
    let pairs = [("k", "v")];
    let ids = ["s"];
    let owning_expected: Vec<HubMessage<'_, &str>> = vec![
        HubMessage::Invocation(Invocation {
            headers: Headers::from_pairs(&pairs),
            invocation_id: Some("7".into()),
            target: "Go".into(),
            arguments: "[1]",
            stream_ids: StreamIds::from_slice(&ids),
        }),
        HubMessage::StreamInvocation(StreamInvocation {
            headers: Headers::from_pairs(&pairs),
            invocation_id: "7".into(),
            target: "Go".into(),
            arguments: "[]",
            stream_ids: StreamIds::from_slice(&ids),
        }),
        HubMessage::StreamItem(StreamItem {
            headers: Headers::from_pairs(&pairs),
            invocation_id: "7".into(),
            item: "2",
        }),
        HubMessage::Completion(Completion {
            headers: Headers::from_pairs(&pairs),
            invocation_id: "7".into(),
            outcome: Outcome::Error("oops".into()),
        }),
        HubMessage::Completion(Completion::result("7", "3")),
        HubMessage::CancelInvocation(CancelInvocation {
            headers: Headers::from_pairs(&pairs),
            invocation_id: "7".into(),
        }),
        HubMessage::Ping,
        HubMessage::Close(Close { error: Some("oops".into()), allow_reconnect: true }),
        HubMessage::Ack { sequence_id: 4 },
        HubMessage::Sequence { sequence_id: 5 },
    ];
    // Headers and stream ids as parsers build them: views over the wire.
    let header_wire = b"kv";
    let headers = Headers::<Borrowing>::from_wire(header_wire, 1, |rest| {
        let (k, v) = (core::str::from_utf8(&rest[..1]).ok()?, core::str::from_utf8(&rest[1..2]).ok()?);
        *rest = &rest[2..];
        Some((Text::borrowed(k), Text::borrowed(v)))
    });
    let id_wire = b"s";
    let ids = StreamIds::<Borrowing>::from_wire(id_wire, 1, |rest| {
        let id = core::str::from_utf8(&rest[..1]).ok()?;
        *rest = &rest[1..];
        Some(Text::borrowed(id))
    });
    for (message, expected) in borrowing(&frame, headers, ids).into_iter().zip(&owning_expected) {
        let owning = message.clone().owning();
        assert_eq!(&owning, expected);
        // Still borrowed from the frame: nothing was copied.
        if let Some(id) = owning.invocation_id() {
            assert_eq!(id.as_borrowed().map(str::as_ptr), Some(frame.as_ptr()));
        }
        let converted: HubMessage<'_, &str> = message.into();
        assert_eq!(&converted, expected);
    }
}
