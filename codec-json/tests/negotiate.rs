//! The negotiate response, with the cases of .NET's `NegotiateProtocolTests`.

use signalr_codec_core::{ErrorKind, SliceOutput, TransferFormat};
use signalr_codec_json::negotiate::{AvailableTransport, NegotiateResponse, ASPNET_SIGNALR_SERVER};

/// `ParsingNegotiateResponseMessageSuccessForValid`: json, connectionId, transports, url,
/// accessToken, version, connectionToken.
#[test]
fn valid_responses() {
    type Case = (
        &'static str,
        Option<&'static str>,
        Option<&'static [&'static str]>,
        Option<&'static str>,
        Option<&'static str>,
        i32,
        Option<&'static str>,
    );
    let cases: &[Case] = &[
        (r#"{"connectionId":"123","availableTransports":[]}"#, Some("123"), Some(&[]), None, None, 0, None),
        (r#"{"connectionId":"","availableTransports":[]}"#, Some(""), Some(&[]), None, None, 0, None),
        (r#"{"url": "http://foo.com/chat"}"#, None, None, Some("http://foo.com/chat"), None, 0, None),
        (
            r#"{"url": "http://foo.com/chat", "accessToken": "token"}"#,
            None,
            None,
            Some("http://foo.com/chat"),
            Some("token"),
            0,
            None,
        ),
        (
            r#"{"connectionId":"123","availableTransports":[{"transport":"test","transferFormats":[]}]}"#,
            Some("123"),
            Some(&["test"]),
            None,
            None,
            0,
            None,
        ),
        (
            r#"{"connectionId":"123","availableTransports":[{"\u0074ransport":"test","transferFormats":[]}]}"#,
            Some("123"),
            Some(&["test"]),
            None,
            None,
            0,
            None,
        ),
        (
            r#"{"negotiateVersion":123,"connectionId":"123","connectionToken":"789","availableTransports":[{"\u0074ransport":"test","transferFormats":[]}]}"#,
            Some("123"),
            Some(&["test"]),
            None,
            None,
            123,
            Some("789"),
        ),
        (
            r#"{"negotiateVersion":123,"negotiateVersion":321, "connectionToken":"789","connectionId":"123","availableTransports":[]}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            321,
            Some("789"),
        ),
        (
            r#"{"ignore":123,"negotiateVersion":123, "connectionToken":"789","connectionId":"123","availableTransports":[]}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            123,
            Some("789"),
        ),
        (
            r#"{"connectionId":"123","availableTransports":[],"negotiateVersion":123, "connectionToken":"789"}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            123,
            Some("789"),
        ),
        (
            r#"{"connectionId":"123","connectionToken":"789","availableTransports":[]}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            0,
            Some("789"),
        ),
        (
            r#"{"connectionToken":"789","connectionId":"123","availableTransports":[],"negotiateVersion":123}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            123,
            Some("789"),
        ),
        (
            r#"{"connectionToken":"789","connectionId":"123","availableTransports":[],"negotiateVersion":123, "connectionToken":"987"}"#,
            Some("123"),
            Some(&[]),
            None,
            None,
            123,
            Some("987"),
        ),
    ];
    for &(json, id, transports, url, token, version, connection_token) in cases {
        let r = NegotiateResponse::parse(json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(r.connection_id.as_deref(), id, "{json}");
        assert_eq!(r.url.as_deref(), url, "{json}");
        assert_eq!(r.access_token.as_deref(), token, "{json}");
        assert_eq!(r.negotiate_version, version, "{json}");
        assert_eq!(r.connection_token.as_deref(), connection_token, "{json}");
        let names: Option<Vec<&str>> =
            r.available_transports.as_ref().map(|t| t.iter().map(|t| t.transport.as_str()).collect());
        assert_eq!(names.as_deref(), transports, "{json}");
    }
}

/// `ParsingNegotiateResponseMessageThrowsForInvalid` and `ParsingAspNetSignalRResponseThrowsError`.
#[test]
fn invalid_responses() {
    let cases = [
        ("null", "Unexpected JSON Token Type 'Null'. Expected a JSON Object."),
        ("[]", "Unexpected JSON Token Type 'Array'. Expected a JSON Object."),
        (r#"{"availableTransports":[]}"#, "Missing required property 'connectionId'."),
        (r#"{"connectionId":123,"availableTransports":[]}"#, "Expected 'connectionId' to be of type String."),
        (
            r#"{"connectionId":"123","availableTransports":null}"#,
            "Unexpected JSON Token Type 'Null'. Expected a JSON Array.",
        ),
        (
            r#"{"connectionId":"123","availableTransports":[{"transferFormats":[]}]}"#,
            "Missing required property 'transport'.",
        ),
        (
            r#"{"connectionId":"123","availableTransports":[{"transport":"test"}]}"#,
            "Missing required property 'transferFormats'.",
        ),
        (
            r#"{"connectionId":"123","negotiateVersion":123,"availableTransports":[]}"#,
            "Missing required property 'connectionToken'.",
        ),
        (
            r#"{"Url":"/signalr","ConnectionToken":"X97dw3uxW4NPPggQsYVcNcyQcuz4w2","ConnectionId":"05265228-1e2c-46c5-82a1-6a5bcc3f0143","KeepAliveTimeout":10.0,"DisconnectTimeout":5.0,"TryWebSockets":true,"ProtocolVersion":"1.5","TransportConnectTimeout":30.0,"LongPollDelay":0.0}"#,
            ASPNET_SIGNALR_SERVER,
        ),
        (
            r#"{"connectionId":"1","availableTransports":[{"transport":"t","transferFormats":[1]}]}"#,
            "Unexpected token 'Number' when reading transfer formats JSON.",
        ),
        (
            r#"{"connectionId":"1","availableTransports":[],"useStatefulReconnect":1}"#,
            "Expected 'useStatefulReconnect' to be true or false.",
        ),
        (
            r#"{"connectionId":"1","availableTransports":[],"negotiateVersion":"1"}"#,
            "Expected 'negotiateVersion' to be of type Number.",
        ),
        (r#"{"connectionId":"1","availableTransports":[]"#, "Invalid negotiation response received."),
        ("", "Invalid negotiation response received."),
    ];
    for (json, text) in cases {
        let err = NegotiateResponse::parse(json.as_bytes()).expect_err(json);
        assert_eq!(err.message().to_string(), text, "{json}");
    }
    let err = NegotiateResponse::parse(br#"{"ProtocolVersion":"1.5"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}

#[test]
fn redirects_errors_and_stateful_reconnect() {
    let r = NegotiateResponse::parse(br#"{"error":"Negotiate version 0 is not supported."}"#).unwrap();
    assert_eq!(r.error.as_deref(), Some("Negotiate version 0 is not supported."));
    assert_eq!(r.available_transports, None);
    let r = NegotiateResponse::parse(
        br#"{"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"a","connectionToken":"b","availableTransports":[{"transport":"ServerSentEvents","transferFormats":["Text"]},5,{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}"#,
    )
    .unwrap();
    assert!(r.use_stateful_reconnect);
    assert_eq!(r.transport_id(), Some("b"));
    let transports = r.available_transports.as_ref().unwrap();
    assert_eq!(transports.len(), 2);
    assert!(!transports[0].supports(TransferFormat::Binary));
    assert!(transports[1].supports(TransferFormat::Binary));
    // Written back byte for byte (the non-object entry is dropped).
    assert_eq!(
        String::from_utf8(r.to_vec()).unwrap(),
        r#"{"useStatefulReconnect":true,"negotiateVersion":1,"connectionId":"a","connectionToken":"b","availableTransports":[{"transport":"ServerSentEvents","transferFormats":["Text"]},{"transport":"WebSockets","transferFormats":["Text","Binary"]}]}"#
    );
    let v0 = NegotiateResponse::parse(br#"{"connectionId":"abc","availableTransports":[]}"#).unwrap();
    assert_eq!(v0.transport_id(), Some("abc"));
}

/// `WriteNegotiateResponseWithNullAvailableTransports` and the writer's omissions.
#[test]
fn writes_like_dotnet() {
    assert_eq!(NegotiateResponse::default().to_vec(), br#"{"negotiateVersion":0,"availableTransports":[]}"#);
    let error = NegotiateResponse::error("Negotiate failed.");
    assert_eq!(error.to_vec(), br#"{"error":"Negotiate failed."}"#);
    let redirect = NegotiateResponse::redirect("https://example.com/hub", Some("tok".into()));
    assert_eq!(
        redirect.to_vec(),
        br#"{"negotiateVersion":0,"url":"https://example.com/hub","accessToken":"tok","availableTransports":[]}"#
    );
    // Version 0 does not write the token.
    let v0 = NegotiateResponse::connection(0, "id", "secret", vec![AvailableTransport::long_polling()]);
    assert_eq!(
        v0.to_vec(),
        br#"{"negotiateVersion":0,"connectionId":"id","availableTransports":[{"transport":"LongPolling","transferFormats":["Text","Binary"]}]}"#
    );
    let v1 = NegotiateResponse::connection(
        1,
        "id",
        "secret",
        vec![AvailableTransport::web_sockets(), AvailableTransport::server_sent_events()],
    );
    let bytes = v1.to_vec();
    assert_eq!(bytes.len(), v1.encoded_len());
    assert_eq!(NegotiateResponse::parse(&bytes).unwrap(), v1);
    let mut small = [0u8; 10];
    let err = v1.write(&mut SliceOutput::new(&mut small)).unwrap_err();
    assert_eq!(err.needed(), Some(bytes.len()));
    assert_eq!(small, [0u8; 10]);
}
