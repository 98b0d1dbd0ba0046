//! The encrypted connection modes against the private Dovecot, whose certificate comes from a
//! throw-away CA: implicit TLS and STARTTLS work when the CA is trusted, and an untrusted
//! certificate is a clear error, never a fallback to plain text.

use std::time::Duration;

use maildesk::mail::imap::connect::{self, Endpoint, TlsMode, Transport};
use maildesk_tests::imap::{PASSWORD, dovecot_env, dovecot_port, unique_user};

fn tls_setup() -> (u16, u16, Vec<u8>) {
    let port = dovecot_port();
    let env = dovecot_env();
    let tls_port = env.get("MAILDESK_DOVECOT_TLS_PORT").and_then(|p| p.parse().ok()).unwrap_or_else(|| {
        panic!("the private Dovecot runs without TLS (is openssl installed?); restart it: bash scripts/dovecot.sh stop && bash scripts/dovecot.sh")
    });
    let ca = std::fs::read(&env["MAILDESK_DOVECOT_CA"]).expect("reading the test CA");
    (port, tls_port, ca)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_and_starttls_log_in_over_tls() {
    let (port, tls_port, ca) = tls_setup();
    let config = connect::tls_config_trusting(&ca).unwrap();
    let user = unique_user("tls");
    for (mode, port) in [(TlsMode::Implicit, tls_port), (TlsMode::Starttls, port)] {
        let ep = Endpoint::new("localhost", port, mode, &user, PASSWORD);
        let mut conn = connect::connect_with(&ep, Duration::from_secs(10), Some(config.clone()))
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(
            matches!(conn.session.as_mut(), Transport::Tls(_)),
            "{mode:?} must be encrypted"
        );
        assert!(
            conn.caps.idle && conn.caps.uidplus && conn.caps.moves,
            "{mode:?}: {:?}",
            conn.caps
        );
        let inbox = conn.session.select("INBOX").await.unwrap();
        assert!(inbox.uid_validity.is_some());
        conn.session.logout().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_is_refused_in_both_modes() {
    let (port, tls_port, _) = tls_setup();
    let user = unique_user("tls");
    for (mode, port) in [(TlsMode::Implicit, tls_port), (TlsMode::Starttls, port)] {
        // The default roots (Mozilla + system) do not know the throw-away CA.
        let ep = Endpoint::new("localhost", port, mode, &user, PASSWORD);
        let err = connect::connect(&ep, Duration::from_secs(10)).await.unwrap_err();
        let msg = err.to_string();
        eprintln!("{mode:?} with an untrusted certificate: {msg}");
        assert!(
            msg.contains("TLS handshake") && msg.contains("certificate"),
            "{mode:?}: {msg}"
        );
        assert!(err.counts_against_mailbox());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_must_match_the_host_name() {
    let (_, tls_port, ca) = tls_setup();
    let config = connect::tls_config_trusting(&ca).unwrap();
    // On Linux 0.0.0.0 reaches the local listener, but it is not a name the certificate is for.
    let ep = Endpoint::new("0.0.0.0", tls_port, TlsMode::Implicit, &unique_user("tls"), PASSWORD);
    let err = connect::connect_with(&ep, Duration::from_secs(5), Some(config))
        .await
        .unwrap_err();
    eprintln!("wrong name: {err}");
    assert!(err.to_string().contains("certificate"), "{err}");
}
