//! The connection's clock: tokio's monotonic time as the milliseconds the sans-IO connection
//! takes. (Tokio's clock, so tests that pause time drive the connection's timers too.)

use signalr_codec_connection::Instant;

/// Milliseconds since the connection started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: tokio::time::Instant,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Clock { start: tokio::time::Instant::now() }
    }

    /// Now, for the connection.
    pub(crate) fn now(&self) -> Instant {
        Instant::from_millis(self.start.elapsed().as_millis() as u64)
    }

    /// A connection deadline as a tokio instant.
    pub(crate) fn deadline(&self, at: Instant) -> tokio::time::Instant {
        self.start + std::time::Duration::from_millis(at.as_millis())
    }
}
