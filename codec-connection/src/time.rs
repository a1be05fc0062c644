//! [`Instant`]: time as the caller hands it in. The connection has no clock of its own.

use core::ops::Add;
use core::time::Duration;

/// A point in time, in milliseconds since an origin the caller chooses (boot, the Unix epoch,
/// when the process started).
///
/// The connection only compares instants and adds intervals to them, so any monotonic
/// millisecond counter works: `tokio::time::Instant` measured from a fixed start, a
/// microcontroller's tick counter, or a fake clock in a test.
///
/// ```
/// use core::time::Duration;
/// use signalr_codec_connection::Instant;
/// let t = Instant::from_millis(1_000);
/// assert_eq!((t + Duration::from_secs(15)).as_millis(), 16_000);
/// assert_eq!(Instant::from_millis(16_000).saturating_since(t), Duration::from_secs(15));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The instant `millis` milliseconds after the origin.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at the end of time rather than overflowing: an interval of `Duration::MAX`
    /// means "never".
    // With `small`, one copy: inlined, its u128 arithmetic took 480 bytes of a device's flash
    // over the connection's nine deadlines.
    #[cfg_attr(feature = "small", inline(never))]
    fn add(self, d: Duration) -> Instant {
        let millis = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        Instant(self.0.saturating_add(millis))
    }
}
