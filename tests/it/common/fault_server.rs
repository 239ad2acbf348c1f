//! A deliberately misbehaving HTTP server on 127.0.0.1: the simulator's
//! [`HttpServer`], one connection at a time, with one scripted behaviour per
//! connection. Every connection is closed after its behaviour, so each attempt
//! of the client opens a new one.
#![allow(dead_code)] // Each test binary uses only part of it.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::http::{Connection, HttpServer, Response};

/// What to do with one connection.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// Accept, then close without reading or writing.
    Close,
    /// Read the request, write half a status line and headers, then reset.
    ResetMidHeaders,
    /// Read the request, send headers promising a body, then say nothing
    /// until the client gives up.
    HeadersThenSilence,
    /// Read the request, send headers, then one byte of body per second.
    TricklePerSecond,
    /// Promise `Content-Length: 1000` and send 10 bytes, then close.
    ShortBody,
    /// Send a chunked body with an invalid chunk size.
    BadChunked,
    /// A whole response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

impl Behaviour {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Behaviour::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }
}

pub struct FaultServer {
    pub port: u16,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
    server: HttpServer,
}

impl FaultServer {
    /// Serves `script` one connection at a time; past its end the last
    /// behaviour repeats.
    pub fn start(script: Vec<Behaviour>) -> Self {
        assert!(!script.is_empty());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let next = AtomicUsize::new(0);
        let server = {
            let seen = seen.clone();
            HttpServer::start_sequential(move |connection| {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let behaviour = script.get(n).or(script.last()).unwrap().clone();
                serve(connection, behaviour, &seen);
            })
            .unwrap()
        };
        FaultServer {
            port: server.port(),
            seen,
            server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.server.connections()
    }

    /// Request bodies read so far.
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.seen.lock().unwrap().clone()
    }
}

/// Reads one request and records its body.
fn read_request(connection: &mut Connection, seen: &Mutex<Vec<Vec<u8>>>) -> Option<()> {
    connection
        .stream()
        .set_read_timeout(Some(Duration::from_secs(5)))
        .ok()?;
    let request = connection.read_request().ok()??;
    seen.lock().unwrap().push(request.body);
    Some(())
}

/// Waits until the client closes its end (or 10 s pass).
fn wait_for_client_close(connection: &mut Connection) {
    let stream = connection.stream();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .ok();
    let started = std::time::Instant::now();
    let mut byte = [0u8; 1];
    while started.elapsed() < Duration::from_secs(10) {
        match stream.read(&mut byte) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return,
        }
    }
}

fn serve(mut connection: Connection, behaviour: Behaviour, seen: &Mutex<Vec<Vec<u8>>>) {
    let c = &mut connection;
    match behaviour {
        Behaviour::Close => {}
        Behaviour::ResetMidHeaders => {
            // Leave the request unread: closing a socket with unread data makes
            // the kernel send a reset instead of a clean close.
            let mut peek = [0u8; 16];
            let _ = c.stream().peek(&mut peek);
            let _ = c.write_raw(b"HTTP/1.1 200 OK\r\nContent-Ty");
            std::thread::sleep(Duration::from_millis(20));
        }
        Behaviour::HeadersThenSilence => {
            if read_request(c, seen).is_some() {
                let _ = c.write_raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
                wait_for_client_close(c);
            }
        }
        Behaviour::TricklePerSecond => {
            if read_request(c, seen).is_some() {
                let _ = c.write_raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
                for _ in 0..10 {
                    if c.write_raw(b" ").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
        Behaviour::ShortBody => {
            if read_request(c, seen).is_some() {
                let _ = c.write_raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"job_comp");
            }
        }
        Behaviour::BadChunked => {
            if read_request(c, seen).is_some() {
                let _ = c.write_raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZZ\r\n{}\r\n0\r\n\r\n");
            }
        }
        Behaviour::Respond {
            status,
            headers,
            body,
        } => {
            if read_request(c, seen).is_some() {
                let response = headers
                    .into_iter()
                    .fold(Response::new(status, body).closing(), |r, (k, v)| {
                        r.with_header(k, v)
                    });
                let _ = c.respond(&response);
            }
        }
    }
}
