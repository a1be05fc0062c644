//! The test hub: the methods the official JavaScript client and our own client are checked
//! against (their names are the contract). Shared by the example server and the tests.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use futures_util::stream::{self, Stream};
use serde::Serialize;
use signalr_codec_tokio::{Context, Hub, HubError, HubOptions, UploadStream};

/// What the hub itself counts per connection (the connection counts the rest).
#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    cancelled: u64,
    items_before_cancel: u64,
    drop_calls: u64,
}

fn counters() -> &'static Mutex<HashMap<String, Counters>> {
    static COUNTERS: OnceLock<Mutex<HashMap<String, Counters>>> = OnceLock::new();
    COUNTERS.get_or_init(Default::default)
}

fn count(ctx: &Context, f: impl FnOnce(&mut Counters)) {
    f(counters().lock().unwrap().entry(ctx.connection_id().to_owned()).or_default());
}

/// The server's view of one connection, as `Stats()` returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    protocol: &'static str,
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

/// Notes how far a `Counter` stream got when it is dropped before its end (cancelled).
struct CancelWatch {
    ctx: Context,
    yielded: u64,
    finished: bool,
}

impl CancelWatch {
    /// The stream reached its end: not a cancellation.
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for CancelWatch {
    fn drop(&mut self) {
        if !self.finished {
            let yielded = self.yielded;
            count(&self.ctx, |c| {
                c.cancelled += 1;
                c.items_before_cancel = yielded;
            });
        }
    }
}

fn counter(ctx: Context, count: i64, delay_ms: u64) -> impl Stream<Item = Result<i64, HubError>> {
    let watch = CancelWatch { ctx, yielded: 0, finished: false };
    stream::unfold((0, watch), move |(i, mut watch)| async move {
        if i >= count {
            watch.finish();
            return None;
        }
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        watch.yielded += 1;
        Some((Ok(i), (i + 1, watch)))
    })
}

/// The test hub with `options`.
pub fn hub(options: HubOptions) -> Hub {
    Hub::new(options)
        .method("Echo", |_, (text,): (String,)| async move { Ok(text) })
        .method("Add", |_, (a, b): (i64, i64)| async move { a.checked_add(b).ok_or(HubError::new("overflow")) })
        .stream("Counter", |ctx, (n, delay_ms): (i64, u64)| counter(ctx, n, delay_ms))
        .upload("Sum", |_, (): (), mut items: UploadStream<i64>| async move {
            let mut sum = 0i64;
            while let Some(item) = items.next().await {
                sum = sum.wrapping_add(item?);
            }
            Ok(sum)
        })
        .method("Throw", |_, (message,): (String,)| async move { Err::<(), _>(HubError::new(message)) })
        .method("Notify", |ctx: Context, (text,): (String,)| async move {
            ctx.send_caller("Notified", &(text,)).await.map_err(|e| HubError::new(e.message().to_string()))
        })
        .method("CloseMe", |ctx: Context, (reason,): (String,)| async move {
            ctx.close(Some(format!("Connection closed with an error. HubException: {reason}"))).await;
            Ok(())
        })
        .method("DropTransport", |ctx: Context, (): ()| async move {
            count(&ctx, |c| c.drop_calls += 1);
            // The transport goes first: the completion is written while detached, so with
            // stateful reconnect it waits in the replay buffer for the client to come back.
            ctx.abort_transport().await;
            Ok("dropped")
        })
        .method("Stats", |ctx: Context, (): ()| async move {
            let connection = ctx.stats().await;
            let mine = counters().lock().unwrap().get(ctx.connection_id()).copied().unwrap_or_default();
            Ok(Stats {
                protocol: connection.protocol,
                handshake_version: connection.handshake_version,
                stateful: connection.stateful,
                pings_sent: connection.pings_sent,
                pings_received: connection.pings_received,
                cancelled: mine.cancelled,
                items_before_cancel: mine.items_before_cancel,
                drop_calls: mine.drop_calls,
                reattached: connection.reattached,
                server_unacked: connection.server_unacked,
            })
        })
}
