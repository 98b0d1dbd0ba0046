//! ClamAV client for the inbound antivirus check (`scan.clamd_socket`): talks to a clamd (Debian's
//! clamav-daemon; scripts/clamd.sh runs a private one for tests) over its Unix socket or TCP port.
//!
//! Owns the clamd wire protocol and nothing else: parsing the configured endpoint, the
//! `zINSTREAM` exchange (the bytes in chunks of a big-endian u32 length and the data, ended by a
//! zero-length chunk), `zPING`, reading the NUL-terminated reply and telling apart a clean
//! stream, a detection (with its signature name) and a failure. What a detection or a failure
//! means for the mail (reject, quarantine, let through) is the caller's policy.
//!
//! Failures come in two kinds: [`ScanError::Unavailable`] when clamd cannot be reached, does not
//! answer within the timeout or hangs up without a reply (worth trying again later),
//! [`ScanError::Protocol`] when it answered something other than a verdict — an `... ERROR`
//! reply such as `INSTREAM size limit exceeded. ERROR` (the mail is over clamd's
//! `StreamMaxLength`), or a reply we do not know. clamd closes the connection as soon as a stream
//! is over its limit, while we may still be sending: its reply is read even when sending failed,
//! and a connection it closed mid-stream without a readable reply (possible over TCP) counts as
//! that same limit, a protocol failure.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

/// Bytes per INSTREAM chunk (clamd accepts any size up to its StreamMaxLength).
const CHUNK_SIZE: usize = 64 * 1024;
/// A reply longer than this is not from clamd (its longest is an error message).
const MAX_REPLY: usize = 4096;

/// Where clamd listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Its local socket (`LocalSocket` in clamd.conf), an absolute path.
    Unix(PathBuf),
    /// Its TCP listener (`TCPSocket`/`TCPAddr`), as `host:port`.
    Tcp(String),
}

impl Endpoint {
    /// `tcp://host:port` or `host:port` (IPv6 as `[::1]:3310`) is TCP; an absolute path,
    /// optionally as `unix:///path`, is the Unix socket.
    pub fn parse(s: &str) -> Result<Endpoint, String> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("unix://") {
            return Self::unix(path).ok_or_else(|| format!("clamd socket {s:?}: unix:// needs an absolute path"));
        }
        if let Some(addr) = s.strip_prefix("tcp://") {
            return Self::tcp(addr).ok_or_else(|| format!("clamd address {s:?}: tcp:// needs host:port"));
        }
        if let Some(endpoint) = Self::unix(s) {
            return Ok(endpoint);
        }
        Self::tcp(s).ok_or_else(|| format!("clamd endpoint {s:?} is neither an absolute socket path nor host:port"))
    }

    fn unix(path: &str) -> Option<Endpoint> {
        path.starts_with('/').then(|| Endpoint::Unix(PathBuf::from(path)))
    }

    fn tcp(addr: &str) -> Option<Endpoint> {
        let (host, port) = addr.rsplit_once(':')?;
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            inner.strip_suffix(']').is_some_and(|ip| !ip.is_empty())
        } else {
            !host.is_empty() && !host.contains(['/', ':', ' '])
        };
        let port_ok = port.parse::<u16>().is_ok_and(|p| p != 0);
        (host_ok && port_ok).then(|| Endpoint::Tcp(addr.to_owned()))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// What clamd found in the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// `signature` is the name clamd reported, e.g. `Win.Test.EICAR_HDB-1`.
    Infected {
        signature: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// clamd is not there (socket missing, connection refused or lost) or did not answer in time.
    #[error("clamd unavailable: {0}")]
    Unavailable(String),
    /// clamd answered, but not with a verdict (an ERROR reply such as its stream size limit, or
    /// something unexpected).
    #[error("clamd error: {0}")]
    Protocol(String),
}

/// Scans `bytes` (a whole message, or one part of it) with INSTREAM; connecting, sending and the
/// reply all within `timeout`.
pub async fn scan(endpoint: &Endpoint, bytes: &[u8], timeout: Duration) -> Result<Verdict, ScanError> {
    let started = Instant::now();
    let reply = within(endpoint, timeout, instream(endpoint, bytes)).await?;
    let verdict = parse_scan_reply(&reply);
    tracing::debug!(%endpoint, bytes = bytes.len(), elapsed = ?started.elapsed(), ?verdict, "clamd scan");
    verdict
}

/// Checks that clamd answers (`zPING` → `PONG`) within `timeout`.
pub async fn ping(endpoint: &Endpoint, timeout: Duration) -> Result<(), ScanError> {
    let reply = within(endpoint, timeout, async {
        let mut conn = connect(endpoint).await?;
        conn.write_all(b"zPING\0")
            .await
            .map_err(|e| ScanError::Unavailable(format!("sending PING to {endpoint}: {e}")))?;
        read_reply(&mut conn, endpoint).await
    })
    .await?;
    if reply == "PONG" {
        Ok(())
    } else {
        Err(ScanError::Protocol(format!(
            "unexpected reply to PING from {endpoint}: {reply:?}"
        )))
    }
}

async fn within<T>(
    endpoint: &Endpoint,
    timeout: Duration,
    exchange: impl Future<Output = Result<T, ScanError>>,
) -> Result<T, ScanError> {
    tokio::time::timeout(timeout, exchange).await.unwrap_or_else(|_| {
        Err(ScanError::Unavailable(format!(
            "no answer from {endpoint} within {timeout:?}"
        )))
    })
}

trait Conn: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Conn for T {}

async fn connect(endpoint: &Endpoint) -> Result<Box<dyn Conn>, ScanError> {
    let unavailable = |e: std::io::Error| ScanError::Unavailable(format!("connecting to {endpoint}: {e}"));
    match endpoint {
        Endpoint::Unix(path) => Ok(Box::new(UnixStream::connect(path).await.map_err(unavailable)?)),
        Endpoint::Tcp(addr) => {
            let stream = TcpStream::connect(addr.as_str()).await.map_err(unavailable)?;
            // The small last chunk and the terminator must not wait for an ACK (Nagle).
            stream.set_nodelay(true).map_err(unavailable)?;
            Ok(Box::new(stream))
        }
    }
}

/// Sends the stream and returns clamd's reply (without its NUL).
async fn instream(endpoint: &Endpoint, bytes: &[u8]) -> Result<String, ScanError> {
    let mut conn = connect(endpoint).await?;
    let sent = send_instream(&mut conn, bytes).await;
    // Read even when sending failed: clamd says why it stopped reading (its size limit) and closes.
    let reply = read_reply(&mut conn, endpoint).await;
    match (sent, reply) {
        (_, Ok(reply)) if !reply.is_empty() => Ok(reply),
        // E.g. clamd shutting down with the scan under way.
        (Ok(()), Ok(_)) => Err(ScanError::Unavailable(format!(
            "{endpoint} closed the connection without a reply"
        ))),
        (Ok(()), Err(e)) => Err(e),
        (Err(e), _) => Err(send_failed(endpoint, bytes.len(), &e)),
    }
}

/// Sending failed and clamd gave no reply. Closed by clamd mid-stream (over TCP its size-limit
/// reply can be lost to the reset): most likely its StreamMaxLength, which retrying won't fix.
fn send_failed(endpoint: &Endpoint, len: usize, e: &std::io::Error) -> ScanError {
    use std::io::ErrorKind::{BrokenPipe, ConnectionReset};
    if matches!(e.kind(), BrokenPipe | ConnectionReset) {
        ScanError::Protocol(format!(
            "{endpoint} closed the connection while receiving {len} bytes (over its StreamMaxLength?): {e}"
        ))
    } else {
        ScanError::Unavailable(format!("sending the stream to {endpoint}: {e}"))
    }
}

/// `zINSTREAM\0`, then each chunk as its length (u32, big-endian) and its bytes, then a
/// zero-length chunk. One write per chunk.
async fn send_instream(conn: &mut (impl AsyncWrite + Unpin), bytes: &[u8]) -> std::io::Result<()> {
    conn.write_all(b"zINSTREAM\0").await?;
    let mut frame = Vec::with_capacity(CHUNK_SIZE + 8);
    let mut chunks = bytes.chunks(CHUNK_SIZE).peekable();
    loop {
        frame.clear();
        if let Some(chunk) = chunks.next() {
            // A chunk is at most CHUNK_SIZE (64 KiB): its length fits a u32.
            frame.extend_from_slice(&(chunk.len() as u32).to_be_bytes());
            frame.extend_from_slice(chunk);
        }
        let last = chunks.peek().is_none();
        if last {
            frame.extend_from_slice(&0u32.to_be_bytes());
        }
        conn.write_all(&frame).await?;
        if last {
            return conn.flush().await;
        }
    }
}

/// Reads up to the NUL that ends a reply (or until clamd closes the connection).
async fn read_reply(conn: &mut (impl AsyncRead + Unpin), endpoint: &Endpoint) -> Result<String, ScanError> {
    let mut reply = Vec::new();
    let mut buf = [0u8; 512];
    loop {
        let n = conn
            .read(&mut buf)
            .await
            .map_err(|e| ScanError::Unavailable(format!("reading the reply from {endpoint}: {e}")))?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if let Some(end) = reply.iter().position(|&b| b == 0) {
            reply.truncate(end);
            break;
        }
        if reply.len() > MAX_REPLY {
            return Err(ScanError::Protocol(format!(
                "{endpoint} sent over {MAX_REPLY} bytes without a NUL"
            )));
        }
    }
    Ok(String::from_utf8_lossy(&reply).trim().to_owned())
}

/// `stream: OK`, `stream: <signature> FOUND`, `... ERROR` (e.g. `INSTREAM size limit exceeded.
/// ERROR`, with no `stream:`), anything else is not a verdict.
fn parse_scan_reply(reply: &str) -> Result<Verdict, ScanError> {
    let reply = reply.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if reply == "ERROR" || reply.ends_with(" ERROR") {
        return Err(ScanError::Protocol(reply.to_owned()));
    }
    let Some(result) = reply.strip_prefix("stream:").map(str::trim_start) else {
        return Err(ScanError::Protocol(format!("unexpected reply: {reply:?}")));
    };
    if result == "OK" {
        return Ok(Verdict::Clean);
    }
    match result.strip_suffix(" FOUND").map(str::trim) {
        Some(signature) if !signature.is_empty() => Ok(Verdict::Infected {
            signature: signature.to_owned(),
        }),
        _ => Err(ScanError::Protocol(format!("unexpected reply: {reply:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::atomic::{AtomicU32, Ordering};

    use tokio::net::{TcpListener, UnixListener};

    use super::*;

    const T: Duration = Duration::from_secs(5);

    /// A fresh directory for one test's socket (no tempfile crate here).
    fn temp_dir() -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "maildesk-clamd-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// What a fake clamd got: the command, and the chunks up to (not including) the terminator.
    #[derive(Debug, Default)]
    struct Received {
        command: Vec<u8>,
        chunks: Vec<Vec<u8>>,
        terminated: bool,
    }

    async fn read_command(conn: &mut (impl AsyncRead + Unpin)) -> Vec<u8> {
        let mut command = Vec::new();
        loop {
            let b = conn.read_u8().await.unwrap();
            if b == 0 {
                return command;
            }
            command.push(b);
        }
    }

    /// Reads INSTREAM chunks; stops after `max_chunks` data chunks (to play a size limit).
    async fn read_chunks(conn: &mut (impl AsyncRead + Unpin), got: &mut Received, max_chunks: usize) {
        while got.chunks.len() < max_chunks {
            let Ok(len) = conn.read_u32().await else { return };
            if len == 0 {
                got.terminated = true;
                return;
            }
            let mut chunk = vec![0; len as usize];
            conn.read_exact(&mut chunk).await.unwrap();
            got.chunks.push(chunk);
        }
    }

    #[derive(Debug, Clone, Copy)]
    enum Answer {
        /// This reply, with its NUL.
        Reply(&'static str),
        /// None: keep the connection open, say nothing.
        Hang,
        /// None: close the connection.
        Close,
    }

    /// Serves one connection like clamd: reads the command (and an INSTREAM's chunks, at most
    /// `max_chunks`), then answers.
    async fn serve_one(mut conn: impl AsyncRead + AsyncWrite + Unpin, answer: Answer, max_chunks: usize) -> Received {
        let mut got = Received {
            command: read_command(&mut conn).await,
            ..Received::default()
        };
        if got.command == b"zINSTREAM" {
            read_chunks(&mut conn, &mut got, max_chunks).await;
        }
        match answer {
            Answer::Reply(reply) => {
                let _ = conn.write_all(format!("{reply}\0").as_bytes()).await;
            }
            Answer::Hang => tokio::time::sleep(Duration::from_secs(3600)).await,
            Answer::Close => {}
        }
        got
    }

    fn fake_unix(dir: &Path, answer: Answer, max_chunks: usize) -> (Endpoint, tokio::task::JoinHandle<Received>) {
        let path = dir.join("clamd.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = tokio::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            serve_one(conn, answer, max_chunks).await
        });
        (Endpoint::Unix(path), server)
    }

    #[test]
    fn parses_replies() {
        assert_eq!(parse_scan_reply("stream: OK"), Ok(Verdict::Clean));
        assert_eq!(parse_scan_reply("stream: OK\0"), Ok(Verdict::Clean));
        assert_eq!(
            parse_scan_reply("stream: Eicar-Signature FOUND\0"),
            Ok(Verdict::Infected {
                signature: "Eicar-Signature".into()
            })
        );
        assert_eq!(
            parse_scan_reply("stream: Some Odd Name.UNOFFICIAL FOUND"),
            Ok(Verdict::Infected {
                signature: "Some Odd Name.UNOFFICIAL".into()
            })
        );
        assert_eq!(
            parse_scan_reply("INSTREAM size limit exceeded. ERROR"),
            Err(ScanError::Protocol("INSTREAM size limit exceeded. ERROR".into()))
        );
        assert!(matches!(
            parse_scan_reply("stream: Can't allocate memory ERROR"),
            Err(ScanError::Protocol(_))
        ));
        for garbage in [
            "",
            "PONG",
            "stream:",
            "stream: FOUND",
            "stream:  FOUND",
            "UNKNOWN COMMAND",
            "stream: OKAY",
        ] {
            assert!(
                matches!(parse_scan_reply(garbage), Err(ScanError::Protocol(_))),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn parses_endpoints() {
        let unix = |p: &str| Ok(Endpoint::Unix(PathBuf::from(p)));
        let tcp = |a: &str| Ok(Endpoint::Tcp(a.to_owned()));
        assert_eq!(Endpoint::parse("/run/clamav/clamd.ctl"), unix("/run/clamav/clamd.ctl"));
        assert_eq!(Endpoint::parse(" unix:///tmp/clamd.sock "), unix("/tmp/clamd.sock"));
        assert_eq!(Endpoint::parse("127.0.0.1:3310"), tcp("127.0.0.1:3310"));
        assert_eq!(
            Endpoint::parse("tcp://clamav.internal:3310"),
            tcp("clamav.internal:3310")
        );
        assert_eq!(Endpoint::parse("tcp://[::1]:3310"), tcp("[::1]:3310"));
        for bad in [
            "",
            "clamd.sock",
            "unix://relative.sock",
            "localhost",
            "tcp://localhost",
            "localhost:0",
            "localhost:99999",
            ":3310",
            "tcp:///tmp/x",
            "::1:3310",
            "[]:3310",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Endpoint::Unix("/a/b".into()).to_string(), "unix:///a/b");
        assert_eq!(Endpoint::Tcp("h:1".into()).to_string(), "tcp://h:1");
    }

    #[tokio::test]
    async fn streams_in_chunks_and_reads_the_verdict() {
        let dir = temp_dir();
        let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let (endpoint, server) = fake_unix(&dir, Answer::Reply("stream: Some Odd Name FOUND"), usize::MAX);
        let verdict = scan(&endpoint, &input, T).await;
        assert_eq!(
            verdict,
            Ok(Verdict::Infected {
                signature: "Some Odd Name".into()
            })
        );
        let got = server.await.unwrap();
        assert_eq!(got.command, b"zINSTREAM");
        assert!(got.terminated, "no zero-length chunk");
        assert_eq!(got.chunks.len(), 4);
        assert!(got.chunks.iter().all(|c| !c.is_empty() && c.len() <= CHUNK_SIZE));
        assert_eq!(got.chunks.concat(), input);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn empty_input_is_just_the_terminator() {
        let dir = temp_dir();
        let (endpoint, server) = fake_unix(&dir, Answer::Reply("stream: OK"), usize::MAX);
        assert_eq!(scan(&endpoint, b"", T).await, Ok(Verdict::Clean));
        let got = server.await.unwrap();
        assert!(got.terminated && got.chunks.is_empty());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn scans_over_tcp() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = Endpoint::Tcp(listener.local_addr().unwrap().to_string());
        let server = tokio::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            serve_one(conn, Answer::Reply("stream: OK"), usize::MAX).await
        });
        assert_eq!(scan(&endpoint, b"hello", T).await, Ok(Verdict::Clean));
        assert_eq!(server.await.unwrap().chunks, vec![b"hello".to_vec()]);
    }

    #[tokio::test]
    async fn a_size_limit_reply_mid_stream_is_a_protocol_error() {
        let dir = temp_dir();
        // clamd stops reading, answers and closes while we are still sending.
        let (endpoint, server) = fake_unix(&dir, Answer::Reply("INSTREAM size limit exceeded. ERROR"), 1);
        let input = vec![b'x'; 4 * 1024 * 1024];
        let result = scan(&endpoint, &input, T).await;
        assert_eq!(
            result,
            Err(ScanError::Protocol("INSTREAM size limit exceeded. ERROR".into()))
        );
        assert_eq!(server.await.unwrap().chunks.len(), 1);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_silent_server_is_unavailable_within_the_timeout() {
        let dir = temp_dir();
        let (endpoint, server) = fake_unix(&dir, Answer::Hang, usize::MAX);
        let started = Instant::now();
        let result = scan(&endpoint, b"some mail", Duration::from_millis(300)).await;
        assert!(matches!(result, Err(ScanError::Unavailable(_))), "{result:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        server.abort();
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_missing_socket_or_closed_port_is_unavailable() {
        let dir = temp_dir();
        let missing = Endpoint::Unix(dir.join("nobody-here.sock"));
        assert!(matches!(scan(&missing, b"x", T).await, Err(ScanError::Unavailable(_))));
        assert!(matches!(ping(&missing, T).await, Err(ScanError::Unavailable(_))));
        // A port that was just free: nothing listens on it.
        let port = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let closed = Endpoint::Tcp(format!("127.0.0.1:{port}"));
        assert!(matches!(scan(&closed, b"x", T).await, Err(ScanError::Unavailable(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn closed_without_a_reply() {
        let dir = temp_dir();
        // After the whole stream: clamd went away (e.g. stopping), try again later.
        let (endpoint, _server) = fake_unix(&dir, Answer::Close, usize::MAX);
        let result = scan(&endpoint, b"some mail", T).await;
        assert!(matches!(result, Err(ScanError::Unavailable(_))), "{result:?}");
        std::fs::remove_file(dir.join("clamd.sock")).unwrap();
        // In the middle of the stream, with no reply: taken for its size limit.
        let (endpoint, _server) = fake_unix(&dir, Answer::Close, 1);
        let result = scan(&endpoint, &vec![b'x'; 4 * 1024 * 1024], T).await;
        assert!(
            matches!(&result, Err(ScanError::Protocol(m)) if m.contains("StreamMaxLength")),
            "{result:?}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn pings() {
        let dir = temp_dir();
        let (endpoint, server) = fake_unix(&dir, Answer::Reply("PONG"), usize::MAX);
        assert_eq!(ping(&endpoint, T).await, Ok(()));
        assert_eq!(server.await.unwrap().command, b"zPING");
        std::fs::remove_file(dir.join("clamd.sock")).unwrap();
        let (endpoint, _server) = fake_unix(&dir, Answer::Reply("UNKNOWN COMMAND"), usize::MAX);
        assert!(matches!(ping(&endpoint, T).await, Err(ScanError::Protocol(_))));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
