//! STARTTLS for the receiver: the configured PEM certificate chain and private key.

use std::sync::Arc;

use anyhow::Context;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// `None` when neither file is set; an error names a half-set pair or an unreadable file.
pub fn acceptor(cert_file: &str, key_file: &str) -> anyhow::Result<Option<TlsAcceptor>> {
    let (cert_file, key_file) = (cert_file.trim(), key_file.trim());
    match (cert_file.is_empty(), key_file.is_empty()) {
        (true, true) => return Ok(None),
        (false, false) => {}
        _ => anyhow::bail!("receiver.tls_cert_file and receiver.tls_key_file go together: set both or neither"),
    }
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .with_context(|| format!("reading receiver.tls_cert_file {cert_file}"))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("parsing receiver.tls_cert_file {cert_file}"))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "receiver.tls_cert_file {cert_file} holds no certificate"
    );
    let key =
        PrivateKeyDer::from_pem_file(key_file).with_context(|| format!("reading receiver.tls_key_file {key_file}"))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("receiver TLS certificate and key")?;
    Ok(Some(TlsAcceptor::from(Arc::new(config))))
}
