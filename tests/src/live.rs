//! A WebSocket client for the live tests (tokio-tungstenite, independent of the server's own
//! code), and second server nodes sharing one database and Redis.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::live::{ClientFrame, ServerFrame, Topic};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Live {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Frames received so far and not yet consumed by a `wait_for`.
    seen: Vec<ServerFrame>,
    pub user_id: i64,
}

/// Opens `/api/v1/ws` on `port` as a browser does: a one-time ticket bought with the access
/// token, then the socket with `?ticket=`. An error is what the server answered instead of
/// upgrading (a token the ticket endpoint refuses opens the socket without credentials).
pub async fn try_connect(port: u16, token: Option<&str>) -> Result<Live, tungstenite::Error> {
    let ticket = match token {
        Some(t) => {
            let api = crate::Api::new(format!("http://127.0.0.1:{port}"));
            let resp = api.url_ticket(t).await;
            if resp.status().is_success() {
                let ticket: protocol::UrlTicket = resp.json().await.expect("a ticket");
                Some(ticket.ticket)
            } else {
                None
            }
        }
        None => None,
    };
    try_connect_url(port, ticket.as_deref().map(|t| format!("ticket={t}"))).await
}

/// Opens `/api/v1/ws` on `port` with `query` (e.g. `ticket=…`) as the query string.
pub async fn try_connect_url(port: u16, query: Option<String>) -> Result<Live, tungstenite::Error> {
    let url = match query {
        Some(q) => format!("ws://127.0.0.1:{port}{}?{q}", protocol::live::WS_PATH),
        None => format!("ws://127.0.0.1:{port}{}", protocol::live::WS_PATH),
    };
    // tungstenite zero-fills its whole read buffer (128 KiB by default) on every read: with
    // thousands of sockets in a benchmark that was most of the clients' CPU. Frames here are
    // small; larger ones still arrive over several reads.
    let config = tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), true).await?;
    let mut live = Live {
        ws,
        seen: Vec::new(),
        user_id: 0,
    };
    live.user_id = live
        .wait_for("hello", Duration::from_secs(5), |f| match f {
            ServerFrame::Hello { user_id, .. } => Some(*user_id),
            _ => None,
        })
        .await;
    Ok(live)
}

pub async fn connect(port: u16, token: &str) -> Live {
    try_connect(port, Some(token))
        .await
        .unwrap_or_else(|e| panic!("opening the WebSocket on port {port}: {e}"))
}

impl Live {
    pub async fn send(&mut self, frame: &ClientFrame) {
        let text = serde_json::to_string(frame).expect("frame");
        self.send_text(&text).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_owned()))
            .await
            .expect("sending a frame");
    }

    /// Subscribes and waits for the answer: Ok on `subscribed`, the error frame's code otherwise.
    pub async fn subscribe(&mut self, topic: Topic) -> Result<(), String> {
        self.send(&ClientFrame::Subscribe { topic }).await;
        self.wait_for(
            &format!("the answer to subscribing {topic}"),
            Duration::from_secs(5),
            |f| match f {
                ServerFrame::Subscribed { topic: t } if *t == topic => Some(Ok(())),
                ServerFrame::Error {
                    code, topic: Some(t), ..
                } if *t == topic => Some(Err(code.clone())),
                _ => None,
            },
        )
        .await
    }

    pub async fn subscribe_ok(&mut self, topic: Topic) {
        if let Err(code) = self.subscribe(topic).await {
            panic!("subscribing {topic} was refused: {code}");
        }
    }

    /// The next frame off the socket, however long it takes (None once it closed). Frames
    /// queued by an earlier `wait_for` are not looked at: for clients that only stream.
    pub async fn next_frame(&mut self) -> Option<ServerFrame> {
        loop {
            match self.ws.next().await? {
                Ok(Message::Text(t)) => {
                    return Some(
                        serde_json::from_str(t.as_str()).unwrap_or_else(|e| panic!("undecodable frame {t}: {e}")),
                    );
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// The next frame off the socket arriving within `within`, or None.
    async fn recv(&mut self, within: Duration) -> Option<ServerFrame> {
        tokio::time::timeout(within, self.next_frame()).await.ok()?
    }

    /// Waits until a frame maps to `Some`, consuming it (frames that do not match stay queued).
    pub async fn wait_for<T>(
        &mut self,
        what: &str,
        within: Duration,
        pick: impl FnMut(&ServerFrame) -> Option<T>,
    ) -> T {
        match self.try_wait_for(within, pick).await {
            Some(v) => v,
            None => panic!(
                "no frame for {what} within {within:?}; unmatched frames: {:#?}",
                self.seen
            ),
        }
    }

    /// Like `wait_for`, but None when nothing matched in time.
    pub async fn try_wait_for<T>(
        &mut self,
        within: Duration,
        mut pick: impl FnMut(&ServerFrame) -> Option<T>,
    ) -> Option<T> {
        if let Some(i) = self.seen.iter().position(|f| pick(f).is_some()) {
            let f = self.seen.remove(i);
            return pick(&f);
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let f = self.recv(left).await?;
            if let Some(v) = pick(&f) {
                return Some(v);
            }
            self.seen.push(f);
        }
    }

    /// Reads (and queues) frames until none came for `quiet`: keeps an idle client answering
    /// the server's pings, as a browser does.
    pub async fn pump(&mut self, quiet: Duration) {
        while let Some(f) = self.recv(quiet).await {
            self.seen.push(f);
        }
    }

    /// Asserts that no frame matching `bad` arrives within `within` (nor is queued already).
    pub async fn expect_none(&mut self, what: &str, within: Duration, bad: impl Fn(&ServerFrame) -> bool) {
        if let Some(f) = self.seen.iter().find(|f| bad(f)) {
            panic!("{what}: got {f:#?}");
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return;
            }
            match self.recv(left).await {
                Some(f) if bad(&f) => panic!("{what}: got {f:#?}"),
                Some(f) => self.seen.push(f),
                None => return,
            }
        }
    }

    /// Whether the server closed the connection within `within` (frames before it are kept).
    pub async fn closed_within(&mut self, within: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next()).await.ok()?;
            match msg {
                None | Some(Err(_)) => return Some(String::new()),
                Some(Ok(Message::Close(reason))) => {
                    return Some(reason.map(|r| r.reason.to_string()).unwrap_or_default());
                }
                Some(Ok(Message::Text(t))) => {
                    if let Ok(f) = serde_json::from_str(t.as_str()) {
                        self.seen.push(f);
                    }
                }
                Some(Ok(_)) => {}
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }

    /// Drops the TCP connection without a close handshake (a cut network, as far as the
    /// server can tell, once it stops answering).
    pub fn abandon(self) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
        self.ws
    }
}
