//! One WebSocket connection: the client's frames in, this node's fan-out out, and the
//! heartbeat that drops a silent connection (and its presence) within 10 s, and a socket whose
//! credential expired or whose user was deactivated, changed role or had every session ended.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_ws::{CloseCode, CloseReason, Message, MessageStream, Session};
use futures_util::StreamExt;
use protocol::live::{Activity, ClientFrame, ServerFrame, Topic};

use crate::auth::CurrentUser;
use crate::context::AppContext;
use crate::error::AppError;
use crate::realtime::Realtime;
use crate::realtime::hub::Conn;
use crate::realtime::presence::{ONLINE_ROOM, Present};
use crate::tickets::access::Scope;

/// The server pings this often…
pub const PING_EVERY: Duration = Duration::from_secs(2);
/// …and drops a connection that has answered nothing for this long (checked every ping, so a
/// dead connection goes within PING_EVERY + DEAD_AFTER = 10 s).
pub const DEAD_AFTER: Duration = Duration::from_secs(8);
/// Presence entries are re-stored every this many pings (well inside their TTL).
const REFRESH_EVERY_PINGS: u32 = 2;
/// The account behind the socket is re-read every this many pings (every 10 s): a deactivated
/// user, a changed role or ended sessions close the socket even when nothing is published.
const RECHECK_EVERY_PINGS: u32 = 5;
/// Client frames are small JSON objects.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Frames refused in a row (over the rate) before the client is disconnected.
const REFUSED_BEFORE_CLOSE: u32 = 50;

/// A token bucket over the frames one socket sends: a typing indicator is a few frames a
/// second; a flood of subscribes (each a rights check against the database) is not.
struct FrameBudget {
    tokens: f64,
    per_second: f64,
    burst: f64,
    last: Instant,
    refused_in_a_row: u32,
}

impl FrameBudget {
    fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second);
        Self {
            tokens: per_second * 3.0,
            per_second,
            burst: per_second * 3.0,
            last: Instant::now(),
            refused_in_a_row: 0,
        }
    }

    /// Whether one more frame may be handled now.
    fn take(&mut self) -> bool {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.refused_in_a_row = 0;
            true
        } else {
            self.refused_in_a_row += 1;
            false
        }
    }
}

pub async fn run(ctx: AppContext, user: CurrentUser, scope: Scope, mut session: Session, stream: MessageStream) {
    let rt = ctx.realtime().clone();
    let (conn, mut outbox) = rt.hub().register(user, scope);
    tracing::debug!(conn = conn.id, user = conn.user.id, "socket opened");
    open(&ctx, &rt, &conn).await;
    let mut budget = FrameBudget::new(ctx.settings().limits.socket_frames_per_second);
    let mut stream = stream.max_frame_size(MAX_FRAME_BYTES);
    let mut tick = tokio::time::interval(PING_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    let mut pings: u32 = 0;
    let close: Option<CloseReason> = loop {
        tokio::select! {
            incoming = stream.next() => {
                last_heard = Instant::now();
                match incoming {
                    // Boxed: its database futures are large, and kept inline they would
                    // make every idle socket's task that large for its whole life.
                    Some(Ok(Message::Text(text))) if budget.take() => {
                        Box::pin(handle_frame(&ctx, &rt, &conn, &text)).await;
                    }
                    Some(Ok(Message::Text(_))) if budget.refused_in_a_row >= REFUSED_BEFORE_CLOSE => {
                        break Some(CloseReason {
                            code: CloseCode::Policy,
                            description: Some("too many frames".into()),
                        });
                    }
                    Some(Ok(Message::Text(_))) => conn.send_frame(&error(
                        "rate_limited",
                        "too many frames; slow down".into(),
                        None,
                    )),
                    Some(Ok(Message::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() {
                            break None;
                        }
                    }
                    Some(Ok(Message::Pong(_) | Message::Nop)) => {}
                    Some(Ok(Message::Binary(_) | Message::Continuation(_))) => conn.send_frame(&error(
                        "invalid_frame",
                        "frames are JSON text".into(),
                        None,
                    )),
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(e)) => {
                        break Some(CloseReason {
                            code: CloseCode::Protocol,
                            description: Some(format!("protocol error: {e}")),
                        });
                    }
                }
            }
            out = outbox.recv() => {
                let Some(text) = out else { break None };
                if session.text(text).await.is_err() {
                    break None;
                }
            }
            _ = tick.tick() => {
                if let Err(close) = heartbeat(&ctx, &rt, &conn, &mut session, last_heard, &mut pings).await {
                    break close;
                }
            }
            reason = conn.kicked() => {
                break Some(CloseReason {
                    code: CloseCode::Policy,
                    description: Some(reason),
                });
            }
        }
    };
    forget(&rt, &conn).await;
    let _ = session.close(close).await;
    tracing::debug!(conn = conn.id, "socket closed");
}

/// Opens a new socket: staff count as online, the hello frame goes out, and a socket past
/// the account's cap is kicked.
async fn open(ctx: &AppContext, rt: &Realtime, conn: &Conn) {
    if conn.user.is_staff() {
        // Counted as "online" while the socket lives: refreshed with the heartbeat and
        // removed on close like any presence entry.
        conn.set_presence(ONLINE_ROOM, Some(Activity::Viewing));
        store_presence(rt, conn, ONLINE_ROOM, Activity::Viewing).await;
        rt.hub().dashboard_dirty.notify_one();
    }
    conn.send_frame(&ServerFrame::Hello {
        user_id: conn.user.id,
        last_event_id: rt.hub().last_event_id(),
        heartbeat_secs: PING_EVERY.as_secs(),
        server_time: chrono::Utc::now(),
    });
    if rt.hub().connections_of(conn.user.id) > ctx.settings().limits.sockets_per_user {
        // The route refused most; this catches sockets opened at the same instant.
        conn.kick("too many live connections for this account");
    }
}

/// One heartbeat: closes a silent or expired socket, pings, and now and then rechecks the
/// account and refreshes presence. `Err` carries the close to send (`None`: the peer is gone).
async fn heartbeat(
    ctx: &AppContext,
    rt: &Realtime,
    conn: &Conn,
    session: &mut Session,
    last_heard: Instant,
    pings: &mut u32,
) -> Result<(), Option<CloseReason>> {
    if last_heard.elapsed() > DEAD_AFTER {
        return Err(Some(CloseReason {
            code: CloseCode::Away,
            description: Some("no answer to pings".into()),
        }));
    }
    if chrono::Utc::now().timestamp() >= conn.user.session_ends {
        return Err(Some(policy_close("the session expired; sign in again")));
    }
    if session.ping(b"").await.is_err() {
        return Err(None);
    }
    *pings = pings.wrapping_add(1);
    if pings.is_multiple_of(RECHECK_EVERY_PINGS) && !still_valid(ctx, conn).await {
        return Err(Some(policy_close("the account changed; sign in again")));
    }
    if pings.is_multiple_of(REFRESH_EVERY_PINGS) {
        refresh_presence(rt, conn).await;
    }
    Ok(())
}

/// Forgets a closed socket: its registration and every presence it held.
async fn forget(rt: &Realtime, conn: &Arc<Conn>) {
    rt.hub().unregister(conn);
    for (ticket_id, _) in conn.presences() {
        rt.presence().remove(ticket_id, &conn.holder).await;
        if ticket_id == ONLINE_ROOM {
            rt.hub().dashboard_dirty.notify_one();
        } else {
            rt.presence_changed(ticket_id).await;
        }
    }
}

fn policy_close(why: &str) -> CloseReason {
    CloseReason {
        code: CloseCode::Policy,
        description: Some(why.into()),
    }
}

/// Whether the socket's user is still who it was when it connected. A database hiccup keeps
/// the socket (the next check decides): closing every socket at once would only cause a
/// reconnect storm.
async fn still_valid(ctx: &AppContext, conn: &Conn) -> bool {
    match conn.user.still_valid(ctx).await {
        Ok(valid) => valid,
        Err(e) => {
            tracing::warn!(error = %e, conn = conn.id, "could not re-check a socket's user");
            true
        }
    }
}

/// The error code as it is spelled on the wire (`not_found`, `forbidden`…).
fn code_of(e: &AppError) -> String {
    serde_json::to_value(e.code())
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "internal".into())
}

fn error(code: &str, message: String, topic: Option<Topic>) -> ServerFrame {
    ServerFrame::Error {
        code: code.into(),
        message,
        topic,
    }
}

async fn refresh_presence(rt: &Realtime, conn: &Conn) {
    for (ticket_id, activity) in conn.presences() {
        store_presence(rt, conn, ticket_id, activity).await;
    }
}

/// Stores (or refreshes, restarting its TTL) this connection's entry on the ticket.
async fn store_presence(rt: &Realtime, conn: &Conn, ticket_id: i64, activity: Activity) {
    let entry = Present::new(conn.user.id, &conn.user.name, activity);
    rt.presence().set(ticket_id, &conn.holder, entry).await;
}

async fn handle_frame(ctx: &AppContext, rt: &Arc<Realtime>, conn: &Arc<Conn>, text: &str) {
    let frame = match serde_json::from_str::<ClientFrame>(text) {
        Ok(f) => f,
        Err(e) => {
            conn.send_frame(&error(
                "invalid_frame",
                format!("not a frame this server takes: {e}"),
                None,
            ));
            return;
        }
    };
    match frame {
        ClientFrame::Subscribe { topic } => match authorize(ctx, conn, topic).await {
            Ok(()) => {
                rt.hub().subscribe(conn, topic);
                conn.send_frame(&ServerFrame::Subscribed { topic });
                match topic {
                    Topic::Ticket(id) => rt.hub().push_presence(id, rt.presence(), Some(conn)).await,
                    Topic::Dashboard => rt.hub().dashboard_dirty.notify_one(),
                    Topic::Queue => {}
                }
            }
            Err(e) => conn.send_frame(&error(&code_of(&e), e.to_string(), Some(topic))),
        },
        ClientFrame::Unsubscribe { topic } => {
            rt.hub().unsubscribe(conn, topic);
            if let Topic::Ticket(id) = topic {
                leave(rt, conn, id).await;
            }
            conn.send_frame(&ServerFrame::Unsubscribed { topic });
        }
        ClientFrame::Presence { ticket_id, activity } => {
            if conn.is_customer() {
                conn.send_frame(&error("forbidden", "only staff share presence".into(), None));
            } else if !conn.subscribed(Topic::Ticket(ticket_id)) {
                conn.send_frame(&error(
                    "invalid_parameter",
                    format!("subscribe to ticket:{ticket_id} first"),
                    Some(Topic::Ticket(ticket_id)),
                ));
            } else {
                match activity {
                    Some(a) => announce(rt, conn, ticket_id, a).await,
                    None => leave(rt, conn, ticket_id).await,
                }
            }
        }
        ClientFrame::Ping { nonce } => conn.send_frame(&ServerFrame::Pong { nonce }),
    }
}

async fn announce(rt: &Realtime, conn: &Conn, ticket_id: i64, activity: Activity) {
    conn.set_presence(ticket_id, Some(activity));
    store_presence(rt, conn, ticket_id, activity).await;
    rt.presence_changed(ticket_id).await;
}

async fn leave(rt: &Realtime, conn: &Conn, ticket_id: i64) {
    if conn.presences().iter().any(|(t, _)| *t == ticket_id) {
        conn.set_presence(ticket_id, None);
        rt.presence().remove(ticket_id, &conn.holder).await;
        rt.presence_changed(ticket_id).await;
    }
}

/// The rights check of every subscription, against the database (rights may have changed
/// since the socket opened, so the socket's scope is refreshed too).
async fn authorize(ctx: &AppContext, conn: &Conn, topic: Topic) -> Result<(), AppError> {
    let scope = Scope::of(ctx.db(), ctx.settings(), &conn.user).await?;
    conn.set_scope(scope.clone());
    match topic {
        Topic::Queue => Ok(()),
        Topic::Dashboard => conn.user.require_admin(),
        Topic::Ticket(id) => scope.find_ticket(ctx.db(), id).await.map(|_| ()),
    }
}
