//! Frames made ready before a throughput measurement and sent back to back, so the
//! mock costs next to nothing per frame (`examples/mock_alpaca.rs blast`).

use super::{codec, Command, MockAlpaca};
use futures_util::SinkExt;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// Frames ready to send, and whether they are msgpack.
pub struct Prepared(pub(super) Arc<Vec<(Message, bool)>>);

impl MockAlpaca {
    /// Frames (JSON arrays) made ready to send, converted to msgpack now when
    /// `msgpack`, for [`MockAlpaca::push_prepared`].
    pub fn prepare(frames: &[String], msgpack: bool) -> Prepared {
        Prepared(Arc::new(
            frames
                .iter()
                .map(|f| (codec::server_frame(f, msgpack), msgpack))
                .collect(),
        ))
    }

    /// Sends prepared frames back to back with one flush, to sessions of their
    /// encoding.
    pub fn push_prepared(&self, frames: &Prepared) {
        self.broadcast(Command::PushPrepared(Arc::clone(&frames.0)));
    }
}

/// The session's side: every frame of its encoding, then one flush.
pub(super) async fn send_all(
    ws: &mut WebSocketStream<TcpStream>,
    frames: &[(Message, bool)],
    msgpack: bool,
) -> Result<(), WsError> {
    for (m, is_msgpack) in frames {
        if *is_msgpack == msgpack {
            ws.feed(m.clone()).await?;
        }
    }
    ws.flush().await
}
