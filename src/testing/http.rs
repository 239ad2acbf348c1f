//! A small HTTP/1.1 server, std only: what the
//! [`Simulator`](super::Simulator) is built on. Not public: the crate's
//! integration tests compile this same file as `tests/it/common/http.rs`'s
//! module (with `#[path]`) to serve answers of their own, well-formed or not.
//!
//! The server accepts connections and hands each to a handler as a
//! [`Connection`], which reads requests ([`Connection::read_request`], with
//! `Content-Length` bodies and bounded sizes) and writes answers
//! ([`Connection::respond`]) or any bytes at all ([`Connection::write_raw`]),
//! e.g. a truncated body or a bad chunk; a `Connection` works over any other
//! stream too, such as a TLS session. The server stops when dropped.
// The simulator uses part of this file and the integration tests the rest.
#![allow(dead_code)]

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest request head (request line and headers) read, in bytes.
pub const MAX_HEAD: usize = 64 * 1024;
/// The longest request body read, in bytes.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// How long the accepting thread sleeps when no connection is waiting.
const ACCEPT_POLL: Duration = Duration::from_millis(5);

/// A request a server received.
///
/// Its body may hold a signature, so `Debug` shows only the body's length.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The path (the request target as sent), e.g. `"/v1/job_status"`.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

impl ReceivedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An answer for [`Connection::respond`]; `Content-Length` is added.
///
/// Its body may hold a signature, so `Debug` shows only the body's length.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status, e.g. 200.
    pub status: u16,
    /// Headers to send besides `Content-Length`, e.g.
    /// `("Content-Type", "application/json")`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Whether to send `Connection: close` (the caller then closes it).
    pub close: bool,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .field("close", &self.close)
            .finish()
    }
}

impl Response {
    /// A response with `status` and `body`, no other header, keeping the
    /// connection open.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
            close: false,
        }
    }

    /// This response with header `name: value` added.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// This response with `Connection: close`.
    #[must_use]
    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }
}

/// One connection: an accepted socket handed to the server's handler, or any
/// other byte stream wrapped with [`Connection::new`] (e.g. a TLS session over
/// one). Dropping it closes the connection.
pub struct Connection<S = TcpStream> {
    stream: S,
    /// Bytes read past the end of the last request.
    buffered: Vec<u8>,
}

impl<S> fmt::Debug for Connection<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("buffered", &self.buffered.len())
            .finish_non_exhaustive()
    }
}

impl<S> Connection<S> {
    /// Reads and writes HTTP over `stream`.
    pub fn new(stream: S) -> Self {
        Connection {
            stream,
            buffered: Vec::new(),
        }
    }

    /// The stream, e.g. to set a read timeout, peek, or wait for the client
    /// to close.
    pub fn stream(&mut self) -> &mut S {
        &mut self.stream
    }

    /// The stream back, e.g. to wrap it in TLS. Bytes already read from it
    /// but not yet returned as a request are dropped.
    pub fn into_inner(self) -> S {
        self.stream
    }
}

impl<S: Read + Write> Connection<S> {
    /// Reads the next request: its head, then a `Content-Length` body.
    /// `Ok(None)` when the client closed the connection before sending one.
    /// Answers `Expect: 100-continue` before reading the body.
    ///
    /// # Errors
    ///
    /// A read error (a timeout you set included); [`io::ErrorKind::InvalidData`]
    /// for a malformed head, a head over [`MAX_HEAD`] bytes, a body over
    /// [`MAX_BODY`] bytes or a `Transfer-Encoding` (not supported); and
    /// [`io::ErrorKind::UnexpectedEof`] when the connection closes mid-request.
    pub fn read_request(&mut self) -> io::Result<Option<ReceivedRequest>> {
        let head_end = loop {
            if let Some(at) = find_head_end(&self.buffered) {
                break at;
            }
            if self.buffered.len() > MAX_HEAD {
                return Err(invalid("request head too long"));
            }
            if self.fill()? == 0 {
                if self.buffered.is_empty() {
                    return Ok(None);
                }
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        };
        let head: Vec<u8> = self.buffered.drain(..head_end).collect();
        let mut request = parse_head(&head)?;
        if request.header("transfer-encoding").is_some() {
            return Err(invalid("request transfer-encoding not supported"));
        }
        let length = match request.header("content-length") {
            None => 0,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| invalid("bad content-length"))?,
        };
        if length > MAX_BODY {
            return Err(invalid("request body too long"));
        }
        let expects_continue = request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        if expects_continue && self.buffered.len() < length {
            self.write_raw(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        while self.buffered.len() < length {
            if self.fill()? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        request.body = self.buffered.drain(..length).collect();
        Ok(Some(request))
    }

    /// Writes `response`: status line, `Content-Length`, its headers
    /// (`Connection: close` when [`Response::close`]), and body.
    ///
    /// # Errors
    ///
    /// The write error.
    pub fn respond(&mut self, response: &Response) -> io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\n",
            response.status,
            reason_phrase(response.status),
            response.body.len()
        );
        if response.close {
            head.push_str("Connection: close\r\n");
        }
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&response.body);
        self.write_raw(&bytes)
    }

    /// Writes `bytes` as they are, e.g. half a status line.
    ///
    /// # Errors
    ///
    /// The write error.
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Reads more bytes into the buffer; how many (0 at the end).
    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk)?;
        self.buffered
            .extend_from_slice(chunk.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Where the head ends (after its blank line), if it has.
fn find_head_end(buffered: &[u8]) -> Option<usize> {
    buffered
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4)
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

/// The request line and headers; the body is left empty.
fn parse_head(head: &[u8]) -> io::Result<ReceivedRequest> {
    let head = std::str::from_utf8(head).map_err(|_| invalid("request head is not UTF-8"))?;
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(path), Some(version)) = (
        request_line.next(),
        request_line.next(),
        request_line.next(),
    ) else {
        return Err(invalid("bad request line"));
    };
    if method.is_empty() || !version.starts_with("HTTP/1.") {
        return Err(invalid("bad request line"));
    }
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').ok_or_else(|| invalid("bad header"))?;
            Ok((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect::<io::Result<_>>()?;
    Ok(ReceivedRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        headers,
        body: Vec::new(),
    })
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Locks `m`, poisoned or not (no lock here guards an invariant a panic breaks).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A connection served on its own thread: the thread, and a second handle on
/// its socket (taken when the handler returns) to shut it down on drop.
type Served = (Arc<Mutex<Option<TcpStream>>>, JoinHandle<()>);

/// An HTTP server on `127.0.0.1`; see the [module docs](self).
pub struct HttpServer {
    local: SocketAddr,
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    served: Arc<Mutex<Vec<Served>>>,
}

impl fmt::Debug for HttpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpServer")
            .field("port", &self.port)
            .field("connections", &self.connections())
            .finish()
    }
}

impl HttpServer {
    /// Starts a server on an ephemeral port of `127.0.0.1` that serves each
    /// connection on a thread of its own with `handler`. On drop, open
    /// connections are shut down and their threads joined.
    ///
    /// # Errors
    ///
    /// When no port can be opened.
    pub fn start<H>(handler: H) -> io::Result<Self>
    where
        H: Fn(Connection) + Send + Sync + 'static,
    {
        Self::listen(SocketAddr::from(([127, 0, 0, 1], 0)), handler, true)
    }

    /// [`start`](Self::start) on `addr` (port 0 for an ephemeral one).
    ///
    /// # Errors
    ///
    /// When `addr` cannot be bound (e.g. [`io::ErrorKind::AddrInUse`]).
    pub fn start_at<H>(addr: SocketAddr, handler: H) -> io::Result<Self>
    where
        H: Fn(Connection) + Send + Sync + 'static,
    {
        Self::listen(addr, handler, true)
    }

    /// Starts a server that serves one connection at a time, on the accepting
    /// thread: the next is accepted when `handler` returns. On drop, the
    /// connection being served is finished first.
    ///
    /// # Errors
    ///
    /// When no port can be opened.
    pub fn start_sequential<H>(handler: H) -> io::Result<Self>
    where
        H: Fn(Connection) + Send + Sync + 'static,
    {
        Self::listen(SocketAddr::from(([127, 0, 0, 1], 0)), handler, false)
    }

    fn listen<H>(addr: SocketAddr, handler: H, threaded: bool) -> io::Result<Self>
    where
        H: Fn(Connection) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let port = local.port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let acceptor = {
            let (accepted, stop, served) = (
                Arc::clone(&accepted),
                Arc::clone(&stop),
                Arc::clone(&served),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok((stream, _)) = listener.accept() else {
                        std::thread::sleep(ACCEPT_POLL);
                        continue;
                    };
                    if stream.set_nonblocking(false).is_err() {
                        continue;
                    }
                    accepted.fetch_add(1, Ordering::Relaxed);
                    if threaded {
                        serve_on_thread(stream, &handler, &served);
                    } else {
                        handler(Connection::new(stream));
                    }
                }
            })
        };
        Ok(HttpServer {
            local,
            port,
            accepted,
            stop,
            acceptor: Some(acceptor),
            served,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// How many connections it has accepted so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// Serves `stream` on a new thread, remembered in `served` (finished ones are
/// forgotten first).
fn serve_on_thread<H>(stream: TcpStream, handler: &Arc<H>, served: &Mutex<Vec<Served>>)
where
    H: Fn(Connection) + Send + Sync + 'static,
{
    let slot = Arc::new(Mutex::new(stream.try_clone().ok()));
    let (handler, thread_slot) = (Arc::clone(handler), Arc::clone(&slot));
    let thread = std::thread::spawn(move || {
        handler(Connection::new(stream));
        // The handler's handle is closed; closing this one closes the socket.
        drop(lock(&thread_slot).take());
    });
    let mut served = lock(served);
    served.retain(|(_, thread)| !thread.is_finished());
    served.push((slot, thread));
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let served = std::mem::take(&mut *lock(&self.served));
        for (slot, thread) in served {
            if let Some(stream) = lock(&slot).as_ref() {
                let _ = stream.shutdown(Shutdown::Both);
            }
            let _ = thread.join();
        }
    }
}
