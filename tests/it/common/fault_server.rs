//! A deliberately misbehaving HTTP server on 127.0.0.1: a raw `TcpListener`
//! with one scripted behaviour per connection. Every connection is closed after
//! its behaviour, so each attempt of the client opens a new one.
#![allow(dead_code)] // Each test binary uses only part of it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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
    connections: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultServer {
    /// Serves `script` one connection at a time; past its end the last
    /// behaviour repeats.
    pub fn start(script: Vec<Behaviour>) -> Self {
        assert!(!script.is_empty());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, connections, stop) = (seen.clone(), connections.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0usize;
                // Bounded: the server stops when dropped, and after 60 s at most.
                let started = std::time::Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).unwrap();
                            *connections.lock().unwrap() += 1;
                            let behaviour = script.get(n).or(script.last()).unwrap().clone();
                            n += 1;
                            serve(stream, behaviour, &seen);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FaultServer {
            port,
            seen,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    /// Request bodies read so far.
    pub fn bodies(&self) -> Vec<Vec<u8>> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request (headers and a Content-Length body) and records its body.
fn read_request(stream: &mut TcpStream, seen: &Mutex<Vec<Vec<u8>>>) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < header_end + length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    seen.lock().unwrap().push(buf[header_end..].to_vec());
    Some(())
}

/// Waits until the client closes its end (or 10 s pass).
fn wait_for_client_close(stream: &mut TcpStream) {
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

fn serve(mut stream: TcpStream, behaviour: Behaviour, seen: &Mutex<Vec<Vec<u8>>>) {
    match behaviour {
        Behaviour::Close => {}
        Behaviour::ResetMidHeaders => {
            // Leave the request unread: closing a socket with unread data makes
            // the kernel send a reset instead of a clean close.
            let mut peek = [0u8; 16];
            let _ = stream.peek(&mut peek);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Ty");
            std::thread::sleep(Duration::from_millis(20));
        }
        Behaviour::HeadersThenSilence => {
            if read_request(&mut stream, seen).is_some() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
                wait_for_client_close(&mut stream);
            }
        }
        Behaviour::TricklePerSecond => {
            if read_request(&mut stream, seen).is_some() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n");
                for _ in 0..10 {
                    if stream.write_all(b" ").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
        Behaviour::ShortBody => {
            if read_request(&mut stream, seen).is_some() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n{\"job_comp");
            }
        }
        Behaviour::BadChunked => {
            if read_request(&mut stream, seen).is_some() {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZZZ\r\n{}\r\n0\r\n\r\n");
            }
        }
        Behaviour::Respond {
            status,
            headers,
            body,
        } => {
            if read_request(&mut stream, seen).is_some() {
                let mut head = format!(
                    "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        }
    }
    let _ = stream.flush();
}
