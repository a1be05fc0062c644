//! [`Limits`]: the bounds a parser enforces before it reserves memory or walks further.

/// The .NET server's default `MaximumReceiveMessageSize`: 32 KiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 32 * 1024;
/// The .NET `JsonSerializerOptions.MaxDepth` default: 64 nested containers, the envelope included.
pub const DEFAULT_MAX_DEPTH: usize = 64;
/// The largest depth a parser can track (its nesting stack is a fixed 256-bit set).
pub const MAX_SUPPORTED_DEPTH: usize = 256;

/// Bounds on what a peer may send.
///
/// The message size counts the framing bytes (a JSON record with its 0x1E, a MessagePack body with
/// its length prefix), exactly as the .NET server's receive loop does. Counts bound arguments,
/// headers and stream ids per message.
///
/// ```
/// use signalr_codec_core::Limits;
/// let limits = Limits::default().with_max_message_size(Some(64 * 1024)).with_max_depth(32);
/// assert_eq!(limits.max_message_size, Some(65536));
/// assert_eq!(Limits::default().max_message_size, Some(32768));
/// assert_eq!(Limits::unlimited().max_message_size, None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Largest frame, framing bytes included; `None`: no limit (as .NET's `null`).
    pub max_message_size: Option<usize>,
    /// Deepest nesting of JSON containers (or MessagePack arrays/maps) in a message.
    pub max_depth: usize,
    /// Most arguments in one invocation.
    pub max_arguments: usize,
    /// Most headers on one message.
    pub max_headers: usize,
    /// Most stream ids on one invocation.
    pub max_stream_ids: usize,
}

impl Limits {
    /// The defaults: 32 KiB messages, depth 64, 1024 arguments, 256 headers, 256 stream ids.
    pub const DEFAULT: Limits = Limits {
        max_message_size: Some(DEFAULT_MAX_MESSAGE_SIZE),
        max_depth: DEFAULT_MAX_DEPTH,
        max_arguments: 1024,
        max_headers: 256,
        max_stream_ids: 256,
    };

    /// No size or count limit; the depth stays bounded by [`MAX_SUPPORTED_DEPTH`].
    pub const fn unlimited() -> Self {
        Limits {
            max_message_size: None,
            max_depth: MAX_SUPPORTED_DEPTH,
            max_arguments: usize::MAX,
            max_headers: usize::MAX,
            max_stream_ids: usize::MAX,
        }
    }

    /// With this maximum message size (`None`: unlimited).
    #[must_use]
    pub const fn with_max_message_size(mut self, size: Option<usize>) -> Self {
        self.max_message_size = size;
        self
    }

    /// With this maximum depth (at most [`MAX_SUPPORTED_DEPTH`]).
    #[must_use]
    pub const fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = if depth > MAX_SUPPORTED_DEPTH { MAX_SUPPORTED_DEPTH } else { depth };
        self
    }

    /// With this maximum number of arguments.
    #[must_use]
    pub const fn with_max_arguments(mut self, count: usize) -> Self {
        self.max_arguments = count;
        self
    }

    /// With this maximum number of headers.
    #[must_use]
    pub const fn with_max_headers(mut self, count: usize) -> Self {
        self.max_headers = count;
        self
    }

    /// With this maximum number of stream ids.
    #[must_use]
    pub const fn with_max_stream_ids(mut self, count: usize) -> Self {
        self.max_stream_ids = count;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
