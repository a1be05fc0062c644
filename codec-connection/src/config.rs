//! [`Config`]: the intervals, budgets and switches of a connection, with .NET's defaults.

use core::time::Duration;

/// How a connection behaves. [`Config::server`] and [`Config::client`] give the defaults of the
/// ASP.NET Core server's `HubOptions` and of the official clients; every value can be changed
/// with the `with_*` methods.
///
/// ```
/// use core::time::Duration;
/// use signalr_codec_connection::Config;
/// let config = Config::server()
///     .with_keep_alive_interval(Duration::from_secs(5))
///     .with_stateful_reconnect(true);
/// assert_eq!(config.timeout, Duration::from_secs(30));
/// assert_eq!(config.reconnect_buffer_size, 100_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// How long the handshake may take: the server refuses with `Handshake was canceled.`, the
    /// client fails with `The handshake timed out after {n} seconds.` (`HandshakeTimeout`,
    /// 15 s).
    pub handshake_timeout: Duration,
    /// A Ping goes out when nothing else was sent for this long (`KeepAliveInterval`, 15 s).
    pub keep_alive_interval: Duration,
    /// The connection fails when nothing was received for this long: the server's
    /// `ClientTimeoutInterval` and the clients' server timeout (30 s).
    pub timeout: Duration,
    /// Stateful reconnect (Ack and Sequence). On a server: this connection's transport
    /// negotiated it (`useStatefulReconnect`), so it is used when the client's handshake asks
    /// for version 2 or more. On a client: ask for it (the handshake then says version 2, else
    /// 1, as the official clients do). Off by default, as in .NET. Ignored when the crate is
    /// built without its `stateful-reconnect` feature: the connection then never negotiates it.
    pub stateful_reconnect: bool,
    /// Bytes of unacknowledged messages kept for replay before sends are held back
    /// (`StatefulReconnectBufferSize`, 100,000).
    pub reconnect_buffer_size: usize,
    /// How soon an Ack follows the first counted message received since the last one (1 s, as
    /// .NET's timer and the JS client).
    pub ack_interval: Duration,
    /// Server: blocking invocations handed out and not yet completed at once; further messages
    /// wait, unread, until one completes (`MaximumParallelInvocationsPerClient`, 1).
    pub max_parallel_invocations: usize,
    /// Items of one upload stream handed out and not yet released with
    /// [`Connection::release_upload_items`](crate::Connection::release_upload_items) before
    /// reading pauses (`StreamBufferCapacity`, 10). `None`: no back-pressure.
    pub stream_buffer_capacity: Option<usize>,
    /// Invocations, streams and upload streams of the peer's tracked at once; one more fails
    /// the connection (a bound on memory that .NET leaves open; 1,024).
    pub max_tracked: usize,
    /// Bytes of input held unprocessed; [`handle_input`](crate::Connection::handle_input)
    /// takes no more until events were polled (64 KiB, and never less than one message).
    pub receive_buffer_size: usize,
    /// Server: the transport carries binary (WebSockets, long polling; not Server-Sent Events).
    pub binary_transport: bool,
    /// Server: add the error's type and text to handshake refusals and Close errors, as .NET's
    /// `EnableDetailedErrors` (off).
    pub detailed_errors: bool,
    /// Client: send one Ping right after the handshake, as the JS client does (on).
    pub ping_after_handshake: bool,
}

const SECONDS_15: Duration = Duration::from_secs(15);
const SECONDS_30: Duration = Duration::from_secs(30);

impl Config {
    /// The defaults of an ASP.NET Core server.
    pub const fn server() -> Self {
        Config {
            handshake_timeout: SECONDS_15,
            keep_alive_interval: SECONDS_15,
            timeout: SECONDS_30,
            stateful_reconnect: false,
            reconnect_buffer_size: 100_000,
            ack_interval: Duration::from_secs(1),
            max_parallel_invocations: 1,
            stream_buffer_capacity: Some(10),
            max_tracked: 1024,
            receive_buffer_size: 64 * 1024,
            binary_transport: true,
            detailed_errors: false,
            ping_after_handshake: false,
        }
    }

    /// The defaults of the official clients.
    pub const fn client() -> Self {
        Config { ping_after_handshake: true, ..Config::server() }
    }

    /// With this handshake timeout.
    #[must_use]
    pub const fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// With this keep-alive interval.
    #[must_use]
    pub const fn with_keep_alive_interval(mut self, interval: Duration) -> Self {
        self.keep_alive_interval = interval;
        self
    }

    /// With this peer timeout.
    #[must_use]
    pub const fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// With stateful reconnect offered (client) or negotiated (server).
    #[must_use]
    pub const fn with_stateful_reconnect(mut self, on: bool) -> Self {
        self.stateful_reconnect = on;
        self
    }

    /// With this replay budget in bytes.
    #[must_use]
    pub const fn with_reconnect_buffer_size(mut self, bytes: usize) -> Self {
        self.reconnect_buffer_size = bytes;
        self
    }

    /// With this Ack delay.
    #[must_use]
    pub const fn with_ack_interval(mut self, interval: Duration) -> Self {
        self.ack_interval = interval;
        self
    }

    /// With at most `n` (at least 1) blocking invocations in progress.
    #[must_use]
    pub const fn with_max_parallel_invocations(mut self, n: usize) -> Self {
        self.max_parallel_invocations = if n == 0 { 1 } else { n };
        self
    }

    /// With this upload-stream item budget (`None`: unbounded).
    #[must_use]
    pub const fn with_stream_buffer_capacity(mut self, items: Option<usize>) -> Self {
        self.stream_buffer_capacity = items;
        self
    }

    /// Tracking at most `n` of the peer's invocations and streams at once.
    #[must_use]
    pub const fn with_max_tracked(mut self, n: usize) -> Self {
        self.max_tracked = n;
        self
    }

    /// Holding at most this many unprocessed input bytes.
    #[must_use]
    pub const fn with_receive_buffer_size(mut self, bytes: usize) -> Self {
        self.receive_buffer_size = bytes;
        self
    }

    /// Server: whether the transport carries binary frames.
    #[must_use]
    pub const fn with_binary_transport(mut self, binary: bool) -> Self {
        self.binary_transport = binary;
        self
    }

    /// Server: with .NET's detailed errors.
    #[must_use]
    pub const fn with_detailed_errors(mut self, on: bool) -> Self {
        self.detailed_errors = on;
        self
    }

    /// Client: whether to send a Ping right after the handshake.
    #[must_use]
    pub const fn with_ping_after_handshake(mut self, on: bool) -> Self {
        self.ping_after_handshake = on;
        self
    }
}

impl Default for Config {
    /// [`Config::server`].
    fn default() -> Self {
        Config::server()
    }
}
