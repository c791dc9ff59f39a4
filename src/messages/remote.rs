//! What the link to a remote tapewatch (`tapewatch attach`) tells the screen: where
//! it is attached, whether frames are flowing, the round trip, and why not.

use std::time::Instant;

/// The link's state, for the attached screen's header.
#[derive(Clone, Debug, PartialEq)]
pub enum RemoteState {
    /// Connected and receiving frames.
    Live,
    /// The link is down; the screen shows the last snapshot, marked stale.
    /// `retry_at` is when the next attempt starts (`None` while one is under way).
    Reconnecting {
        attempt: u32,
        retry_at: Option<Instant>,
    },
    /// The server refused us (a wrong token, no stream endpoint): retrying cannot
    /// help, so the link stays down with the reason.
    Stopped(String),
}

/// The link as the screen shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteStatus {
    /// `host:port` as the URL named it.
    pub host: String,
    pub state: RemoteState,
    /// The last answered ping's round trip, in milliseconds.
    pub rtt_ms: Option<u64>,
    /// Why the link last went down.
    pub last_error: Option<String>,
    /// Times the link came back after going down.
    pub reconnects: u64,
}

impl RemoteStatus {
    pub fn new(host: impl Into<String>) -> RemoteStatus {
        RemoteStatus {
            host: host.into(),
            state: RemoteState::Live,
            rtt_ms: None,
            last_error: None,
            reconnects: 0,
        }
    }

    pub fn is_live(&self) -> bool {
        self.state == RemoteState::Live
    }
}
