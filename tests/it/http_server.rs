//! The tests' HTTP server (`src/testing/http.rs`) on its own: what it reads, what it writes, and
//! that malformed or oversized requests are errors for the handler, never a
//! panic or an unbounded read.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::http::{HttpServer, MAX_HEAD, Response};

/// A server that echoes each request's method, path and body, and reports
/// how each `read_request` ended (`Ok` as "request"/"closed", `Err` as its kind).
fn echo_server() -> (HttpServer, mpsc::Receiver<Result<&'static str, ErrorKind>>) {
    let (tx, rx) = mpsc::channel();
    let server = HttpServer::start(move |mut connection| {
        loop {
            let request = match connection.read_request() {
                Ok(Some(request)) => request,
                Ok(None) => {
                    let _ = tx.send(Ok("closed"));
                    return;
                }
                Err(err) => {
                    let _ = tx.send(Err(err.kind()));
                    return;
                }
            };
            let _ = tx.send(Ok("request"));
            let mut body = format!("{} {} ", request.method, request.path).into_bytes();
            body.extend_from_slice(&request.body);
            let response = Response::new(200, body).with_header("X-Echo", "yes");
            if connection.respond(&response).is_err() {
                return;
            }
        }
    })
    .unwrap();
    (server, rx)
}

fn connect(server: &HttpServer) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection.
fn read_all(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn outcome(
    rx: &mpsc::Receiver<Result<&'static str, ErrorKind>>,
) -> Result<&'static str, ErrorKind> {
    rx.recv_timeout(Duration::from_secs(5)).unwrap()
}

#[test]
fn answers_pipelined_requests_on_one_connection() {
    let (server, rx) = echo_server();
    let mut stream = connect(&server);
    stream
        .write_all(
            b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b?q=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let answer = read_all(&mut stream);
    assert!(
        answer
            .starts_with("HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Echo: yes\r\n\r\nPOST /a abc"),
        "{answer}"
    );
    assert!(answer.ends_with("GET /b?q=1 "), "{answer}");
    assert_eq!(outcome(&rx), Ok("request"));
    assert_eq!(outcome(&rx), Ok("request"));
    assert_eq!(outcome(&rx), Ok("closed"));
    assert_eq!(server.connections(), 1);
}

#[test]
fn answers_expect_continue_before_the_body() {
    let (server, rx) = echo_server();
    let mut stream = connect(&server);
    stream
        .write_all(b"POST /c HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        .unwrap();
    let mut interim = [0u8; 25];
    stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream.write_all(b"ok").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    assert!(read_all(&mut stream).ends_with("POST /c ok"));
    assert_eq!(outcome(&rx), Ok("request"));
}

#[test]
fn malformed_requests_are_errors_for_the_handler() {
    let cases: [&[u8]; 6] = [
        b"NONSENSE\r\n\r\n",
        b"GET / SPDY/3\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: many\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: \xff\xfe\r\n\r\n",
    ];
    for case in cases {
        let (server, rx) = echo_server();
        let mut stream = connect(&server);
        stream.write_all(case).unwrap();
        assert_eq!(
            outcome(&rx),
            Err(ErrorKind::InvalidData),
            "{}",
            String::from_utf8_lossy(case)
        );
        assert_eq!(read_all(&mut stream), "");
    }
}

#[test]
fn reads_are_bounded() {
    // A head that never ends: refused once it passes MAX_HEAD, not read on.
    let (server, rx) = echo_server();
    let mut stream = connect(&server);
    let line = format!("X-Filler: {}\r\n", "a".repeat(1000));
    let _ = stream.write_all(b"GET / HTTP/1.1\r\n");
    for _ in 0..=MAX_HEAD / line.len() + 1 {
        if stream.write_all(line.as_bytes()).is_err() {
            break;
        }
    }
    assert_eq!(outcome(&rx), Err(ErrorKind::InvalidData));

    // A body announced larger than MAX_BODY is refused before it is read.
    let (server, rx) = echo_server();
    let mut stream = connect(&server);
    stream
        .write_all(b"POST / HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n")
        .unwrap();
    assert_eq!(outcome(&rx), Err(ErrorKind::InvalidData));
    drop(server);
}

#[test]
fn a_request_cut_short_is_unexpected_eof() {
    for partial in [
        &b"GET / HTTP/1.1\r\nHost"[..],
        b"POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nabc",
    ] {
        let (server, rx) = echo_server();
        let mut stream = connect(&server);
        stream.write_all(partial).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        assert_eq!(outcome(&rx), Err(ErrorKind::UnexpectedEof));
        drop(server);
    }
}

#[test]
fn closing_responses_say_so_and_drop_ends_idle_connections() {
    let server = HttpServer::start(|mut connection| {
        while let Ok(Some(_)) = connection.read_request() {
            if connection
                .respond(&Response::new(404, "gone").closing())
                .is_err()
            {
                return;
            }
        }
    })
    .unwrap();
    let mut stream = connect(&server);
    stream.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let expected = b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\ngone";
    let mut answer = vec![0u8; expected.len()];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&answer),
        String::from_utf8_lossy(expected)
    );
    // The handler is still waiting for a next request on this connection:
    // dropping the server shuts it down and joins its thread.
    drop(server);
    assert_eq!(read_all(&mut stream), "");
}
