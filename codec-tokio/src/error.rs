//! [`HubError`]: a hub method's failure, sent to the caller as .NET words it.

use std::fmt;

/// A hub method failed with a message meant for the caller, as .NET's `HubException`: the
/// caller receives `An unexpected error occurred invoking '{method}' on the server.
/// HubException: {message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubError {
    message: String,
}

impl HubError {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        HubError { message: message.into() }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for HubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HubException: {}", self.message)
    }
}

impl std::error::Error for HubError {}

impl From<String> for HubError {
    fn from(message: String) -> Self {
        HubError { message }
    }
}

impl From<&str> for HubError {
    fn from(message: &str) -> Self {
        HubError { message: message.into() }
    }
}
