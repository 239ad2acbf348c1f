//! HTTPS against a loopback server with a private CA (`fixtures/tls/`):
//! trusted through `root_certificates_pem`, refused without it.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::http::{Connection, HttpServer, Response};
use crate::common::{API_KEY, PARTNER_ID, fixture_path, signer};
use smile_id::testing::{complete_result, sign_json};
use smile_id::{Error, JobStatusOptions, PartnerParams, Server, TransportErrorKind, WebApi};

fn pem(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(&format!("tls/{name}"))).unwrap()
}

fn server_config() -> Arc<rustls::ServerConfig> {
    let certs: Vec<rustls::pki_types::CertificateDer<'static>> =
        ureq::tls::parse_pem(&pem("server.pem"))
            .filter_map(|item| match item.unwrap() {
                ureq::tls::PemItem::Certificate(c) => Some(c.der().to_vec().into()),
                _ => None,
            })
            .collect();
    let key = ureq::tls::parse_pem(&pem("server.key"))
        .find_map(|item| match item.unwrap() {
            ureq::tls::PemItem::PrivateKey(k) => Some(k.der().to_vec()),
            _ => None,
        })
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(key).unwrap();
    // The one provider compiled in (ring) is the default: no deprecated
    // provider constructor is needed.
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

/// An HTTPS server on 127.0.0.1 (the test HTTP server, one connection at a
/// time, with TLS over each) answering every request with a signed, complete
/// job status and closing; counts the TCP connections it accepted, and keeps
/// each answered connection's handshake kind (full or resumed).
struct TlsServer {
    http: HttpServer,
    handshakes: Arc<Mutex<Vec<Option<rustls::HandshakeKind>>>>,
}

impl TlsServer {
    fn start() -> Self {
        let config = server_config();
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&handshakes);
        let http = HttpServer::start_sequential(move |connection| {
            let tcp = connection.into_inner();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(config.clone()).unwrap();
            let mut tls = Connection::new(rustls::StreamOwned::new(conn, tcp));
            // Read the request; a failed handshake ends here.
            let Ok(Some(_)) = tls.read_request() else {
                return;
            };
            seen.lock()
                .unwrap()
                .push(tls.stream().conn.handshake_kind());
            let body = format!(
                r#"{{"job_complete":true,"job_success":true,"result":{}}}"#,
                complete_result("user-1", "job-1")
            );
            let body = sign_json(&signer(), &body, time::Duration::ZERO).unwrap();
            let response = Response::new(200, body)
                .with_header("Content-Type", "application/json")
                .closing();
            let _ = tls.respond(&response);
            let stream = tls.stream();
            stream.conn.send_close_notify();
            let _ = stream.flush();
        })
        .unwrap();
        TlsServer { http, handshakes }
    }

    fn connections(&self) -> usize {
        self.http.connections()
    }

    fn handshakes(&self) -> Vec<Option<rustls::HandshakeKind>> {
        self.handshakes.lock().unwrap().clone()
    }

    fn server(&self) -> Server {
        Server::custom(&format!("https://127.0.0.1:{}/v1", self.http.port())).unwrap()
    }
}

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

#[test]
fn a_private_ca_is_trusted_through_root_certificates_pem() {
    let server = TlsServer::start();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.server())
        .root_certificates_pem(&pem("ca.pem"))
        .build()
        .unwrap();
    let status = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap();
    assert!(status.job_complete && status.job_success);
    assert_eq!(server.connections(), 1);
}

#[track_caller]
fn assert_tls(err: &Error) {
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_unknown_ca_is_a_tls_error_and_is_not_retried() {
    let server = TlsServer::start();
    // The default roots (Mozilla's) do not include the test CA.
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.server())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap_err();
    assert_tls(&err);
    assert!(!format!("{err:?}").contains(API_KEY));
    assert_eq!(
        server.connections(),
        1,
        "a certificate failure is not retried"
    );
    assert!(!err.is_transient());

    // Nor does a wait poll through it until its deadline.
    let policy = smile_id::PollPolicy {
        timeout: Duration::from_secs(20),
        ..smile_id::PollPolicy::default()
    };
    let started = std::time::Instant::now();
    let err = api
        .wait_for_job(&job(), &JobStatusOptions::default(), &policy)
        .unwrap_err();
    assert_tls(&err);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.connections(), 2);
}

#[test]
fn bad_root_certificates_are_invalid_input() {
    for bad in [
        &b""[..],
        b"not pem",
        b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n",
    ] {
        let err = WebApi::builder(PARTNER_ID, API_KEY)
            .root_certificates_pem(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "root_certificates_pem",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
    }
    // A key alone is no certificate.
    let err = WebApi::builder(PARTNER_ID, API_KEY)
        .root_certificates_pem(&pem("server.key"))
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
}

/// Every call sets its own deadline, a request-level `ureq` configuration,
/// for which `ureq`'s rustls connector would build a new rustls config per
/// connection and never resume a session. Against a server that closes
/// every connection, the second and later handshakes are resumed.
#[test]
fn new_tls_connections_resume_the_session() {
    let server = TlsServer::start();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.server())
        .root_certificates_pem(&pem("ca.pem"))
        .build()
        .unwrap();
    for _ in 0..3 {
        api.get_job_status(&job(), &JobStatusOptions::default())
            .unwrap();
    }
    let kinds = server.handshakes();
    assert_eq!(kinds.len(), 3);
    assert_eq!(kinds[0], Some(rustls::HandshakeKind::Full), "{kinds:?}");
    assert!(
        kinds[1..]
            .iter()
            .all(|k| *k == Some(rustls::HandshakeKind::Resumed)),
        "{kinds:?}"
    );
}
