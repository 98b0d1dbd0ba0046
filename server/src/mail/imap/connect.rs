//! Connecting to a mailbox's IMAP server: TCP, then TLS (implicit on connect, or STARTTLS), or
//! plain text on a loopback address only; the greeting, the login, and the capabilities that
//! decide how we fetch and acknowledge.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::imap_proto::{Response, Status};
use async_imap::{Client, Session};
use entity::mailbox;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use protocol::MailAuth;

use super::FetchError;
use crate::context::AppContext;
use crate::crypto;
use crate::egress::{self, Egress};
use crate::keys::Keys;
use crate::mail::oauth::sasl::Mechanism;
use crate::net::is_loopback;

/// How the connection is secured (`mailboxes.imap_tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    Implicit,
    /// Plain connect, then `STARTTLS` before anything else (port 143); refused if not offered.
    Starttls,
    /// No encryption: only to a loopback address.
    None,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "implicit" => Some(Self::Implicit),
            "starttls" => Some(Self::Starttls),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Self::Implicit => 993,
            Self::Starttls | Self::None => 143,
        }
    }
}

/// How a connection signs in. An OAuth token is fetched only for the connection
/// ([`Endpoint::authorized`]).
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Password(String),
    OAuth {
        mechanism: Mechanism,
        /// Empty until [`Endpoint::authorized`] fetched it.
        token: String,
    },
}

/// Where and as whom to log in. The password is decrypted only for the connection.
#[derive(Clone)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: String,
    /// Kept out of `Debug`; POP3 (`mail::pop3`) signs in with it too.
    pub(crate) credential: Credential,
    /// The mailbox whose OAuth grant gives the token.
    pub(crate) mailbox_id: Option<i64>,
    /// Which addresses the host may resolve to: a mailbox's host is the admin's choice, so
    /// `security.allow_private_networks` applies to it.
    pub egress: Egress,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// An endpoint the operator gave (the benchmark, tests): any address. Mailboxes go through
    /// [`Endpoint::of_mailbox`].
    pub fn new(host: &str, port: u16, tls: TlsMode, username: &str, password: &str) -> Self {
        Self {
            host: host.to_owned(),
            port,
            tls,
            username: username.to_owned(),
            credential: Credential::Password(password.to_owned()),
            mailbox_id: None,
            egress: Egress::Anywhere,
        }
    }

    /// The endpoint of a mailbox row, with its password decrypted (an OAuth token is fetched
    /// by [`Endpoint::authorized`]). Incomplete or unsafe settings are an
    /// [`FetchError::Imap`]: they are the mailbox's problem, shown in its `last_error`.
    pub fn of_mailbox(keys: &Keys, egress: Egress, m: &mailbox::Model) -> Result<Self, FetchError> {
        let host = m.imap_host.as_deref().map(str::trim).filter(|h| !h.is_empty());
        let Some(host) = host else {
            return Err(FetchError::Imap("no IMAP server is configured".into()));
        };
        let tls = TlsMode::parse(&m.imap_tls)
            .ok_or_else(|| FetchError::Imap(format!("imap_tls {:?} is not implicit, starttls or none", m.imap_tls)))?;
        let port = match m.imap_port {
            None => tls.default_port(),
            Some(p) => u16::try_from(p)
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| FetchError::Imap(format!("imap_port {p} is not a port")))?,
        };
        let explicit = m.imap_username.as_deref().filter(|u| !u.is_empty());
        let (username, credential) = match Mechanism::of(MailAuth::parse(&m.imap_auth)) {
            // The user name defaults to the connected account (filled in by `authorized`).
            Some(mechanism) => (
                explicit.unwrap_or_default(),
                Credential::OAuth {
                    mechanism,
                    token: String::new(),
                },
            ),
            None => {
                let password = match &m.imap_password_enc {
                    Some(enc) => crypto::decrypt(keys, enc)
                        .map_err(|e| FetchError::imap("reading the stored IMAP password", e))?,
                    None => return Err(FetchError::Imap("no IMAP password is stored".into())),
                };
                (explicit.unwrap_or(&m.address), Credential::Password(password))
            }
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            tls,
            username: username.to_owned(),
            credential,
            mailbox_id: Some(m.id),
            egress,
        })
    }

    /// Ready to sign in: for OAuth, with a live token of the mailbox's grant (refreshed if need
    /// be) and, without a user name of its own, the connected account as the user.
    pub async fn authorized(mut self, ctx: &AppContext) -> Result<Self, FetchError> {
        if let (Credential::OAuth { token, .. }, Some(id)) = (&mut self.credential, self.mailbox_id) {
            let bearer = crate::mail::oauth::tokens::bearer(ctx, id).await?;
            *token = bearer.token;
            if self.username.is_empty() {
                self.username = bearer.account;
            }
        }
        Ok(self)
    }

    /// What a change of which means reconnecting (a refreshed OAuth token is not one).
    pub fn fingerprint(&self) -> String {
        let secret = match &self.credential {
            Credential::Password(p) => crate::blobs::BlobStore::sha256(p.as_bytes()),
            Credential::OAuth { mechanism, .. } => format!("oauth:{}", mechanism.name()),
        };
        format!("{:?}|{}|{}|{}|{secret}", self.tls, self.host, self.port, self.username)
    }
}

/// Signs in with an OAuth mechanism over IMAP `AUTHENTICATE`, keeping the server's error
/// challenge (a JSON status) for the error message.
struct OAuthAuthenticator {
    first: Option<String>,
    abort: &'static str,
    refusal: Arc<std::sync::Mutex<Option<String>>>,
}

impl async_imap::Authenticator for OAuthAuthenticator {
    type Response = String;

    fn process(&mut self, challenge: &[u8]) -> String {
        match self.first.take() {
            Some(initial) => initial,
            None => {
                *self.refusal.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(String::from_utf8_lossy(challenge).into_owned());
                self.abort.to_owned()
            }
        }
    }
}

/// The byte stream under the IMAP client: plain TCP or TLS over TCP.
pub enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain(_) => "Transport::Plain",
            Self::Tls(_) => "Transport::Tls",
        })
    }
}

impl AsyncRead for Transport {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

pub type ImapSession = Session<Transport>;

/// What the server offers that changes how we work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capabilities {
    pub idle: bool,
    /// `UID EXPUNGE`: expunge only our own message.
    pub uidplus: bool,
    /// `UID MOVE`.
    pub moves: bool,
}

/// A logged-in session and what its server can do.
pub struct Connection {
    pub session: ImapSession,
    pub caps: Capabilities,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("caps", &self.caps)
            .finish_non_exhaustive()
    }
}

/// The trusted roots: Mozilla's (webpki-roots) plus the system store, which is where a private
/// CA goes (`update-ca-certificates`, or `SSL_CERT_FILE` / `SSL_CERT_DIR`).
fn default_roots() -> RootCertStore {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::debug!(error = %e, "reading the system certificate store");
    }
    let (added, ignored) = roots.add_parsable_certificates(native.certs);
    tracing::debug!(added, ignored, "system certificates added to the IMAP TLS roots");
    roots
}

fn build_config(roots: RootCertStore) -> Result<Arc<ClientConfig>, FetchError> {
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map(|b| Arc::new(b.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|e| FetchError::imap("setting up TLS", e))
}

/// The TLS client configuration every mailbox connection uses (built once).
pub fn tls_config() -> Result<Arc<ClientConfig>, FetchError> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| build_config(default_roots()).map_err(|e| e.to_string()))
        .clone()
        .map_err(FetchError::Imap)
}

/// The default roots plus the CA certificates in `pem` (for a server with a private CA).
pub fn tls_config_trusting(pem: &[u8]) -> Result<Arc<ClientConfig>, FetchError> {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    let mut roots = default_roots();
    let mut added = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| FetchError::imap("reading the CA certificates", e))?;
        roots
            .add(cert)
            .map_err(|e| FetchError::imap("adding a CA certificate", e))?;
        added += 1;
    }
    if added == 0 {
        return Err(FetchError::Imap("no CA certificate found in the PEM data".into()));
    }
    build_config(roots)
}

pub(crate) async fn tls_wrap(tcp: TcpStream, host: &str, config: Arc<ClientConfig>) -> Result<Transport, FetchError> {
    let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())
        .map_err(|e| FetchError::imap(&format!("{host} is not a valid TLS server name"), e))?;
    let tls = TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| FetchError::imap(&format!("TLS handshake with {host}"), e))?;
    Ok(Transport::Tls(Box::new(tls)))
}

/// Reads the server greeting: `* OK` (or `* PREAUTH`) goes on, `* BYE` is refused.
async fn greeting(client: &mut Client<Transport>) -> Result<(), FetchError> {
    let response = client
        .read_response()
        .await
        .map_err(|e| FetchError::imap("reading the server greeting", e))?
        .ok_or_else(|| FetchError::Imap("the server closed the connection before greeting".into()))?;
    match response.parsed() {
        Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        } => Ok(()),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(FetchError::Imap(format!(
            "the server refused the connection: {}",
            outcome.information.as_deref().unwrap_or("BYE")
        ))),
        other => Err(FetchError::Imap(format!("unexpected server greeting: {other:?}"))),
    }
}

/// Connects, secures, logs in and reads the capabilities, all within `timeout`.
pub async fn connect(endpoint: &Endpoint, timeout: Duration) -> Result<Connection, FetchError> {
    connect_with(endpoint, timeout, None).await
}

/// [`connect`] with a TLS configuration of its own (`None`: the default one).
pub async fn connect_with(
    endpoint: &Endpoint,
    timeout: Duration,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Connection, FetchError> {
    let at = format!("{}:{}", endpoint.host, endpoint.port);
    match tokio::time::timeout(timeout, connect_inner(endpoint, tls)).await {
        Ok(r) => r.map_err(|e| match e {
            FetchError::Imap(msg) => FetchError::Imap(format!("{at}: {msg}")),
            other => other,
        }),
        Err(_) => Err(FetchError::Imap(format!(
            "{at}: no answer within {} s",
            timeout.as_secs()
        ))),
    }
}

async fn connect_inner(endpoint: &Endpoint, tls: Option<Arc<ClientConfig>>) -> Result<Connection, FetchError> {
    if endpoint.tls == TlsMode::None && !is_loopback(&endpoint.host) {
        return Err(FetchError::Imap(format!(
            "refusing to send the password unencrypted to {}: imap_tls none is only allowed for a loopback host \
             (localhost, 127.0.0.0/8, ::1); use implicit or starttls",
            endpoint.host
        )));
    }
    let tls = match (endpoint.tls, tls) {
        (TlsMode::None, _) => None,
        (_, Some(config)) => Some(config),
        (_, None) => Some(tls_config()?),
    };
    let host = endpoint.host.trim_start_matches('[').trim_end_matches(']');
    let tcp = egress::connect_tcp(host, endpoint.port, endpoint.egress)
        .await
        .map_err(|e| FetchError::imap("connecting", e))?;
    let _ = tcp.set_nodelay(true);
    let client = match (endpoint.tls, tls) {
        (TlsMode::Implicit, Some(config)) => {
            let mut c = Client::new(tls_wrap(tcp, &endpoint.host, config).await?);
            greeting(&mut c).await?;
            c
        }
        (TlsMode::Starttls, Some(config)) => {
            let mut c = Client::new(Transport::Plain(tcp));
            greeting(&mut c).await?;
            c.run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| FetchError::imap("the server refused STARTTLS (imap_tls is starttls)", e))?;
            let Transport::Plain(tcp) = c.into_inner() else {
                return Err(FetchError::Imap("STARTTLS on a connection that is already TLS".into()));
            };
            // No greeting after STARTTLS: the server waits for our next command.
            Client::new(tls_wrap(tcp, &endpoint.host, config).await?)
        }
        (TlsMode::None, _) => {
            let mut c = Client::new(Transport::Plain(tcp));
            greeting(&mut c).await?;
            c
        }
        (TlsMode::Implicit | TlsMode::Starttls, None) => {
            return Err(FetchError::Imap(
                "no TLS configuration for an encrypted connection".into(),
            ));
        }
    };
    let mut session = sign_in(client, endpoint, host).await?;
    let caps = session
        .capabilities()
        .await
        .map_err(|e| FetchError::imap("reading the capabilities", e))?;
    let caps = Capabilities {
        idle: caps.has_str("IDLE"),
        uidplus: caps.has_str("UIDPLUS"),
        moves: caps.has_str("MOVE"),
    };
    Ok(Connection { session, caps })
}

/// Logs in with the endpoint's password, or signs in with its OAuth token (SASL); `host` is the
/// bare host name the OAuth mechanisms quote.
async fn sign_in(client: Client<Transport>, endpoint: &Endpoint, host: &str) -> Result<ImapSession, FetchError> {
    match &endpoint.credential {
        Credential::Password(password) => client
            .login(&endpoint.username, password)
            .await
            .map_err(|(e, _)| FetchError::imap(&format!("logging in as {}", endpoint.username), e)),
        Credential::OAuth { mechanism, token } => {
            let refusal = Arc::new(std::sync::Mutex::new(None));
            let authenticator = OAuthAuthenticator {
                first: Some(mechanism.initial_response(&endpoint.username, token, host, endpoint.port)),
                abort: mechanism.abort_response(),
                refusal: refusal.clone(),
            };
            client
                .authenticate(mechanism.name(), authenticator)
                .await
                .map_err(|(e, _)| {
                    let said = refusal.lock().unwrap_or_else(|p| p.into_inner()).take();
                    FetchError::Imap(format!(
                        "signing in as {} with {}: {e}{}",
                        endpoint.username,
                        mechanism.name(),
                        said.map(|s| format!(" (server said {s})")).unwrap_or_default()
                    ))
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn plain_text_to_a_remote_host_is_refused_before_connecting() {
        let ep = Endpoint::new("imap.example.com", 143, TlsMode::None, "u", "p");
        let err = connect(&ep, Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains("only allowed for a loopback host"), "{err}");
        assert!(err.counts_against_mailbox());
    }

    #[tokio::test]
    async fn a_closed_port_is_a_clear_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let ep = Endpoint::new("127.0.0.1", port, TlsMode::None, "u", "p");
        let err = connect(&ep, Duration::from_secs(5)).await.unwrap_err();
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}: connecting")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn starttls_refused_by_the_server_is_an_error_not_a_plain_login() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            s.write_all(b"* OK ready\r\n").await.unwrap();
            let mut buf = [0u8; 256];
            let n = s.read(&mut buf).await.unwrap();
            let line = String::from_utf8_lossy(&buf[..n]).to_string();
            let tag = line.split(' ').next().unwrap_or("A1").to_owned();
            s.write_all(format!("{tag} BAD STARTTLS not supported\r\n").as_bytes())
                .await
                .unwrap();
            // Anything after this would be the password in clear: there must be nothing.
            let n = s.read(&mut buf).await.unwrap_or(0);
            (line, n)
        });
        let ep = Endpoint::new("127.0.0.1", port, TlsMode::Starttls, "u", "p");
        let err = connect(&ep, Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains("STARTTLS"), "{err}");
        let (line, after) = server.await.unwrap();
        assert!(line.contains("STARTTLS"), "{line}");
        assert_eq!(after, 0, "nothing may be sent after a refused STARTTLS");
    }

    #[tokio::test]
    async fn implicit_tls_to_a_plain_server_fails_cleanly() {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let _ = s.write_all(b"* OK plain text server\r\n").await;
        });
        let ep = Endpoint::new("localhost", port, TlsMode::Implicit, "u", "p");
        let err = connect(&ep, Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains("TLS handshake"), "{err}");
    }
}
