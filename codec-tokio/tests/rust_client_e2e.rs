//! The Rust client against this crate's server running the test hub (the one the JavaScript
//! client is checked against), on 127.0.0.1, in both protocols.

#![cfg(all(feature = "client", feature = "server"))]

#[path = "../examples/test-hub/hub.rs"]
mod hub;

use std::time::Duration;

use futures_util::StreamExt;
use serde::Deserialize;
use signalr_codec_tokio::client::{ClientError, CONNECTION_CLOSED};
use signalr_codec_tokio::{Client, ClientOptions, HubOptions};
use tokio::net::TcpListener;
use tokio::time::timeout;

/// Every test ends within this.
const LIMIT: Duration = Duration::from_secs(20);

/// What the hub's `Stats()` returns (its fields, in its order).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Stats {
    protocol: String,
    handshake_version: i32,
    stateful: bool,
    pings_sent: u64,
    pings_received: u64,
    cancelled: u64,
    items_before_cancel: u64,
    drop_calls: u64,
    reattached: u64,
    server_unacked: u64,
}

/// Serves the test hub at `/hub`; returns its URL.
async fn serve(options: HubOptions) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hub", listener.local_addr().unwrap());
    tokio::spawn(async move { hub::hub(options).serve(listener, "/hub").await });
    url
}

fn protocols() -> [ClientOptions; 2] {
    [ClientOptions::json(), ClientOptions::messagepack()]
}

async fn bounded<T>(what: impl std::future::Future<Output = T>) -> T {
    timeout(LIMIT, what).await.expect("the test finished in time")
}

fn hub_exception(method: &str, message: &str) -> ClientError {
    ClientError::Hub(format!("An unexpected error occurred invoking '{method}' on the server. HubException: {message}"))
}

#[tokio::test]
async fn methods_in_both_protocols() {
    bounded(async {
        let url = serve(HubOptions::default()).await;
        for options in protocols() {
            let client = Client::connect(&url, options).await.unwrap();
            assert!(client.connection_id().is_some());

            assert_eq!(client.invoke::<String>("Echo", ("hé ✓",)).await.unwrap(), "hé ✓");
            assert_eq!(client.invoke::<i64>("Add", (40, 2)).await.unwrap(), 42);
            // Method names match case-insensitively on the server.
            assert_eq!(client.invoke::<i64>("add", (1, 1)).await.unwrap(), 2);
            assert_eq!(client.invoke::<i64>("Add", (i64::MAX, 1)).await.unwrap_err(), hub_exception("Add", "overflow"));
            assert_eq!(
                client.invoke::<()>("Throw", ("no luck",)).await.unwrap_err(),
                hub_exception("Throw", "no luck")
            );

            let items: Vec<i64> = client.stream::<i64>("Counter", (5, 0)).map(Result::unwrap).collect().await;
            assert_eq!(items, [0, 1, 2, 3, 4]);

            let sum: i64 = client.invoke_with_upload("Sum", (), futures_util::stream::iter(1..=100i64)).await.unwrap();
            assert_eq!(sum, 5050);

            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            client.on("Notified", move |args| {
                let (text,): (String,) = args.bind().unwrap();
                tx.send(text).unwrap();
            });
            client.invoke::<()>("Notify", ("ping me",)).await.unwrap();
            assert_eq!(rx.recv().await.unwrap(), "ping me");

            let stats: Stats = client.invoke("Stats", ()).await.unwrap();
            assert_eq!(stats.protocol, client.handshake().protocol);
            assert_eq!(stats.handshake_version, 1);
            assert!(!stats.stateful);
            // The Ping the client sends right after the handshake.
            assert!(stats.pings_received >= 1, "{stats:?}");

            client.close().await;
            assert_eq!(client.closed().await, None);
        }
    })
    .await;
}

#[tokio::test]
async fn dropping_a_stream_cancels_it_on_the_server() {
    bounded(async {
        let url = serve(HubOptions::default()).await;
        for options in protocols() {
            let client = Client::connect(&url, options).await.unwrap();
            let mut counter = client.stream::<i64>("Counter", (1_000, 20));
            assert_eq!(counter.next().await.unwrap().unwrap(), 0);
            assert_eq!(counter.next().await.unwrap().unwrap(), 1);
            drop(counter);
            let stats = loop {
                let stats: Stats = client.invoke("Stats", ()).await.unwrap();
                if stats.cancelled > 0 {
                    break stats;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            assert_eq!(stats.cancelled, 1);
            assert!((2..=3).contains(&stats.items_before_cancel), "{stats:?}");
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn close_me_closes_with_the_servers_error() {
    bounded(async {
        let url = serve(HubOptions::default()).await;
        for options in protocols() {
            let client = Client::connect(&url, options).await.unwrap();
            let reason = "Server returned an error on close: Connection closed with an error. HubException: enough";
            // The server closes before it answers: the call fails with the close error.
            let e = client.invoke::<()>("CloseMe", ("enough",)).await.unwrap_err();
            assert_eq!(e, ClientError::Closed(reason.into()));
            assert_eq!(client.closed().await.as_deref(), Some(reason));
            assert_eq!(client.invoke::<i64>("Add", (1, 2)).await.unwrap_err(), ClientError::Closed(reason.into()));
        }
    })
    .await;
}

#[tokio::test]
async fn drop_transport_with_stateful_reconnect() {
    bounded(async {
        let url = serve(HubOptions::default().with_stateful_reconnects(true)).await;
        for options in protocols() {
            let options = options.with_stateful_reconnect(true).with_reconnect(5, Duration::from_millis(50));
            let client = Client::connect(&url, options).await.unwrap();
            assert!(client.handshake().stateful_reconnect);
            assert_eq!(client.invoke::<String>("DropTransport", ()).await.unwrap(), "dropped");
            assert_eq!(client.stats().resumed, 1);
            let stats: Stats = client.invoke("Stats", ()).await.unwrap();
            assert_eq!(stats.handshake_version, 2);
            assert!(stats.stateful);
            assert_eq!(stats.drop_calls, 1);
            assert_eq!(stats.reattached, 1);
            // Calls go on over the new socket, streams included.
            let items: Vec<i64> = client.stream::<i64>("Counter", (3, 0)).map(Result::unwrap).collect().await;
            assert_eq!(items, [0, 1, 2]);
            client.close().await;
            assert_eq!(client.closed().await, None);
        }
    })
    .await;
}

#[tokio::test]
async fn drop_transport_without_stateful_reconnect_fails_the_call() {
    bounded(async {
        // The server offers it; this client does not ask.
        let url = serve(HubOptions::default().with_stateful_reconnects(true)).await;
        for options in protocols() {
            let client = Client::connect(&url, options).await.unwrap();
            assert!(!client.handshake().stateful_reconnect);
            let e = client.invoke::<String>("DropTransport", ()).await.unwrap_err();
            assert_eq!(e, ClientError::Closed(CONNECTION_CLOSED.into()));
            assert!(client.closed().await.is_some());
        }
    })
    .await;
}

#[tokio::test]
async fn keep_alive_both_ways() {
    bounded(async {
        let url = serve(HubOptions::default().with_keep_alive_interval(Duration::from_millis(50))).await;
        for options in protocols() {
            let options = options
                .with_keep_alive_interval(Duration::from_millis(50))
                .with_server_timeout(Duration::from_millis(500));
            let client = Client::connect(&url, options).await.unwrap();
            tokio::time::sleep(Duration::from_millis(700)).await;
            // Past the server timeout with no call: the server's Pings kept the client open.
            assert!(!client.is_closed());
            assert!(client.stats().pings_received >= 3, "{:?}", client.stats());
            let stats: Stats = client.invoke("Stats", ()).await.unwrap();
            assert!(stats.pings_received >= 3, "{stats:?}");
            client.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn large_messages_up_to_the_clients_limit() {
    bounded(async {
        let url = serve(HubOptions::default().with_maximum_receive_message_size(Some(1 << 20))).await;
        for options in protocols() {
            // Larger than the server's 32 KB default and the connection's 64 KiB receive
            // buffer: the client's default limit takes it.
            let client = Client::connect(&url, options.clone()).await.unwrap();
            let text = "ü".repeat(100_000);
            assert_eq!(client.invoke::<String>("Echo", (&text,)).await.unwrap(), text);
            client.close().await;

            // Over a limit set lower, the answer fails the connection.
            let client = Client::connect(&url, options.with_maximum_receive_message_size(50_000)).await.unwrap();
            let e = client.invoke::<String>("Echo", ("x".repeat(60_000),)).await.unwrap_err();
            let text =
                "The maximum message size of 50000B was exceeded. The message size can be configured in AddHubOptions.";
            assert_eq!(e, ClientError::Closed(text.into()));
            assert_eq!(client.closed().await.as_deref(), Some(text));
        }
    })
    .await;
}
