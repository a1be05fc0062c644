//! The client side of the test hub: connects, calls every kind of method, and prints what came
//! back. Start the server first:
//!
//! ```sh
//! cargo run --release --example test-hub -- 127.0.0.1:5000
//! cargo run --release --example client -- http://127.0.0.1:5000/hub [json|messagepack]
//! ```

use std::time::Duration;

use futures_util::StreamExt;
use signalr_codec_tokio::{Client, ClientOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| "http://127.0.0.1:5000/hub".into());
    let options = match args.next().as_deref() {
        Some("messagepack") => ClientOptions::messagepack(),
        _ => ClientOptions::json(),
    };
    // Stateful reconnect when the server offers it: a dropped transport is resumed.
    let client = Client::connect(&url, options.with_stateful_reconnect(true)).await?;
    println!("connected: {:?}", client.handshake());

    let echoed: String = client.invoke("Echo", ("hello 👋",)).await?;
    println!("Echo: {echoed}");
    let sum: i64 = client.invoke("Add", (40, 2)).await?;
    println!("Add(40, 2): {sum}");

    let counted: Vec<i64> =
        client.stream::<i64>("Counter", (5, 10)).filter_map(|i| async move { i.ok() }).collect().await;
    println!("Counter(5, 10): {counted:?}");

    let total: i64 = client.invoke_with_upload("Sum", (), futures_util::stream::iter([1i64, 2, 3, 4])).await?;
    println!("Sum([1, 2, 3, 4]): {total}");

    match client.invoke::<()>("Throw", ("on purpose",)).await {
        Ok(()) => println!("Throw: no error?"),
        Err(e) => println!("Throw: {e}"),
    }

    let (tx, mut notified) = tokio::sync::mpsc::unbounded_channel();
    client.on("Notified", move |args| {
        if let Ok((text,)) = args.bind::<(String,)>() {
            let _ = tx.send(text);
        }
    });
    client.send("Notify", ("ping from the client",)).await?;
    if let Ok(Some(text)) = tokio::time::timeout(Duration::from_secs(5), notified.recv()).await {
        println!("Notified: {text}");
    }

    let dropped: String = client.invoke("DropTransport", ()).await?;
    println!("DropTransport: {dropped} (answered after the transport was resumed)");
    let stats: serde_json::Value = client.invoke("Stats", ()).await?;
    println!("Stats: {stats}");

    client.close().await;
    Ok(())
}
