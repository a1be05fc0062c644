//! [`HubOptions`]: a hub server's settings, named and defaulted as ASP.NET Core's `HubOptions`.

use std::time::Duration;

use signalr_codec_connection::{AnyProtocol, Config};
use signalr_codec_core::Limits;

/// A hub server's settings. The defaults are ASP.NET Core's.
///
/// ```
/// use std::time::Duration;
/// use signalr_codec_tokio::HubOptions;
/// let options = HubOptions::default().with_keep_alive_interval(Duration::from_secs(5));
/// assert_eq!(options.maximum_receive_message_size, Some(32 * 1024));
/// assert_eq!(options.client_timeout_interval, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HubOptions {
    /// Largest message a client may send, framing included (`MaximumReceiveMessageSize`,
    /// 32 KB; `None`: no limit).
    pub maximum_receive_message_size: Option<usize>,
    /// How long a client has to complete the handshake (`HandshakeTimeout`, 15 s).
    pub handshake_timeout: Duration,
    /// A Ping goes out after this long without sending (`KeepAliveInterval`, 15 s).
    pub keep_alive_interval: Duration,
    /// A client silent for this long is disconnected (`ClientTimeoutInterval`, 30 s).
    pub client_timeout_interval: Duration,
    /// Items of one upload stream buffered before reading pauses (`StreamBufferCapacity`, 10).
    pub stream_buffer_capacity: usize,
    /// Hub method calls of one client running at once (`MaximumParallelInvocationsPerClient`,
    /// 1).
    pub maximum_parallel_invocations_per_client: usize,
    /// Offer stateful reconnect to clients that ask (`AllowStatefulReconnects`, off).
    pub allow_stateful_reconnects: bool,
    /// Bytes of unacknowledged messages kept per connection (`StatefulReconnectBufferSize`,
    /// 100,000).
    pub stateful_reconnect_buffer_size: usize,
    /// Send exception details to clients (`EnableDetailedErrors`, off).
    pub enable_detailed_errors: bool,
}

impl Default for HubOptions {
    fn default() -> Self {
        let config = Config::server();
        HubOptions {
            maximum_receive_message_size: Limits::DEFAULT.max_message_size,
            handshake_timeout: config.handshake_timeout,
            keep_alive_interval: config.keep_alive_interval,
            client_timeout_interval: config.timeout,
            stream_buffer_capacity: 10,
            maximum_parallel_invocations_per_client: config.max_parallel_invocations,
            allow_stateful_reconnects: false,
            stateful_reconnect_buffer_size: config.reconnect_buffer_size,
            enable_detailed_errors: false,
        }
    }
}

impl HubOptions {
    /// With this message size limit.
    #[must_use]
    pub fn with_maximum_receive_message_size(mut self, bytes: Option<usize>) -> Self {
        self.maximum_receive_message_size = bytes;
        self
    }

    /// With this handshake timeout.
    #[must_use]
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// With this keep-alive interval.
    #[must_use]
    pub fn with_keep_alive_interval(mut self, interval: Duration) -> Self {
        self.keep_alive_interval = interval;
        self
    }

    /// With this client timeout.
    #[must_use]
    pub fn with_client_timeout_interval(mut self, timeout: Duration) -> Self {
        self.client_timeout_interval = timeout;
        self
    }

    /// With this upload-stream buffer.
    #[must_use]
    pub fn with_stream_buffer_capacity(mut self, items: usize) -> Self {
        self.stream_buffer_capacity = items;
        self
    }

    /// With this many parallel invocations per client.
    #[must_use]
    pub fn with_maximum_parallel_invocations_per_client(mut self, n: usize) -> Self {
        self.maximum_parallel_invocations_per_client = n;
        self
    }

    /// With stateful reconnect offered or not.
    #[must_use]
    pub fn with_stateful_reconnects(mut self, allow: bool) -> Self {
        self.allow_stateful_reconnects = allow;
        self
    }

    /// With this replay budget.
    #[must_use]
    pub fn with_stateful_reconnect_buffer_size(mut self, bytes: usize) -> Self {
        self.stateful_reconnect_buffer_size = bytes;
        self
    }

    /// With detailed errors on or off.
    #[must_use]
    pub fn with_detailed_errors(mut self, on: bool) -> Self {
        self.enable_detailed_errors = on;
        self
    }

    /// The protocols a server offers under these limits.
    pub(crate) fn protocols(&self) -> [AnyProtocol; 2] {
        let limits = Limits::DEFAULT.with_max_message_size(self.maximum_receive_message_size);
        AnyProtocol::all_with_limits(limits)
    }

    /// The connection configuration of one client; `stateful` when its transport negotiated it.
    pub(crate) fn config(&self, stateful: bool) -> Config {
        Config::server()
            .with_handshake_timeout(self.handshake_timeout)
            .with_keep_alive_interval(self.keep_alive_interval)
            .with_timeout(self.client_timeout_interval)
            .with_stream_buffer_capacity(Some(self.stream_buffer_capacity.max(1)))
            .with_max_parallel_invocations(self.maximum_parallel_invocations_per_client)
            .with_stateful_reconnect(stateful)
            .with_reconnect_buffer_size(self.stateful_reconnect_buffer_size)
            .with_detailed_errors(self.enable_detailed_errors)
    }
}
