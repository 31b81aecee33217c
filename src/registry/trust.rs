//! The CAs a registry's certificate is checked against: the system's store
//! (or `SSL_CERT_FILE` / `SSL_CERT_DIR`), loaded once per process, by the
//! first TLS handshake that shows a certificate.
//!
//! Parsing the store costs 3–5 ms of CPU, more than checking a small site.
//! A loopback registry that speaks plain HTTP never needs it (the HTTPS probe
//! fails before any certificate is shown). Loading it on a background thread
//! at start was measured too: on two cores it slowed such builds by 1 ms,
//! and against an HTTPS registry (ECR: seconds of AWS calls) 4 ms once is
//! noise. The checks themselves are rustls's own WebPKI verifier, unchanged.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// A rustls client config whose server certificates are checked against
/// the system's CAs, loaded at the first handshake that shows one.
pub fn client_config() -> rustls::ClientConfig {
    let provider = Arc::new(crypto::ring::default_provider());
    let verifier = Arc::new(LazyWebPki { provider: provider.clone(), inner: OnceLock::new() });
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        // Not dangerous: every check is delegated to WebPkiServerVerifier.
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

#[derive(Debug)]
struct LazyWebPki {
    provider: Arc<CryptoProvider>,
    inner: OnceLock<Result<Arc<WebPkiServerVerifier>, String>>,
}

impl LazyWebPki {
    /// The verifier, built by whichever caller comes first; the others wait.
    fn verifier(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.inner.get_or_init(|| load(self.provider.clone())).as_ref().map_err(|e| rustls::Error::General(e.clone()))
    }
}

fn load(provider: Arc<CryptoProvider>) -> Result<Arc<WebPkiServerVerifier>, String> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found.errors.first().map(|e| format!(": {e}")).unwrap_or_default();
        return Err(format!(
            "no trusted CA certificate found to check the registry's certificate against{why} \
             (set SSL_CERT_FILE to a CA bundle)"
        ));
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| format!("trusted CA certificates: {e}"))
}

impl ServerCertVerifier for LazyWebPki {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier()?.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nothing is read until a certificate is checked; then the system
    /// store on this machine loads, once.
    #[test]
    fn the_store_loads_on_first_use() {
        let lazy = LazyWebPki { provider: Arc::new(crypto::ring::default_provider()), inner: OnceLock::new() };
        assert!(lazy.inner.get().is_none());
        let first = Arc::as_ptr(lazy.verifier().expect("the system CA store loads"));
        assert!(lazy.inner.get().is_some());
        assert_eq!(Arc::as_ptr(lazy.verifier().unwrap()), first, "loaded once");
    }
}
