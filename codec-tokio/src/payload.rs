//! [`Payload`]: a payload value that owns its bytes, in the protocol of its connection —
//! what a hub method receives (arguments, upload items, client results) and what it returns.
//!
//! Events of the sans-IO connection borrow its input buffer; a hub method runs later, on its
//! own task, so its arguments are copied once into a `Payload` and bound there. Results are
//! serialized once, for the protocol of the connection they go to. It is the connection's
//! owned value of either protocol, [`AnyValueBuf`](signalr_codec_connection::AnyValueBuf).

/// An owned raw value of either hub protocol.
///
/// ```
/// use signalr_codec_connection::AnyProtocol;
/// use signalr_codec_tokio::Payload;
/// let [json, msgpack] = AnyProtocol::all();
/// let p = Payload::serialize(&msgpack, &(1, "two")).unwrap();
/// let (a, b): (i64, String) = p.bind().unwrap();
/// assert_eq!((a, b.as_str()), (1, "two"));
/// assert_eq!(Payload::arguments(&json, &()).unwrap().to_string(), "[]");
/// ```
pub use signalr_codec_connection::AnyValueBuf as Payload;
