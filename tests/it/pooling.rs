//! Pooled connections against a real server on 127.0.0.1: kept alive when
//! the server allows it, never reused when the server sent bytes past an
//! answer, and recovered from when the server closed one after its answer
//! without saying so, also a millisecond after answering (what the check of
//! a connection taken from the pool is there for).

use std::sync::mpsc;
use std::time::Duration;

use crate::common::http::{Connection, HttpServer, Response};
use crate::common::{API_KEY, PARTNER_ID, signer};
use smile_id::testing::{complete_result, sign_json};
use smile_id::{JobStatusOptions, PartnerParams, Server, WebApi};

/// What the server does after each answer.
enum After {
    /// Waits for the next request on the same connection.
    KeepOpen,
    /// Closes the connection, without having said `Connection: close`.
    Close,
    /// Writes bytes nobody asked for right behind the answer, then waits.
    Junk,
    /// A millisecond later, does this to the connection (with no
    /// `Connection: close`) and says so on the channel.
    Late(fn(&mut Connection), mpsc::Sender<()>),
    /// Reads the next request on the connection and closes it unanswered,
    /// as a server does that closes a kept-alive connection just as the
    /// client reuses it.
    DropNext,
    /// As `DropNext`, but answers each first request 200 ms late, so that
    /// calls made together each open a connection of their own.
    SlowDropNext,
}

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

/// A server answering every request with a freshly signed, complete job
/// status for [`job`], then doing `after`.
fn server(after: After) -> HttpServer {
    HttpServer::start(move |mut connection| {
        let _ = connection
            .stream()
            .set_read_timeout(Some(Duration::from_secs(5)));
        while let Ok(Some(_)) = connection.read_request() {
            let body = format!(
                r#"{{"job_complete":true,"job_success":true,"result":{}}}"#,
                complete_result("user-1", "job-1")
            );
            let body = sign_json(&signer(), &body, time::Duration::ZERO).unwrap();
            let mut answer = Vec::new();
            let response = Response::new(200, body).with_header("Content-Type", "application/json");
            // One write for the answer and anything behind it.
            let mut buffer = Connection::new(std::io::Cursor::new(&mut answer));
            buffer.respond(&response).unwrap();
            if let After::Junk = &after {
                answer.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
            }
            if let After::SlowDropNext = &after {
                std::thread::sleep(Duration::from_millis(200));
            }
            if connection.write_raw(&answer).is_err() {
                return;
            }
            match &after {
                After::Close => return,
                After::DropNext | After::SlowDropNext => {
                    let _ = connection.read_request();
                    return;
                }
                After::Late(deed, done) => {
                    std::thread::sleep(Duration::from_millis(1));
                    deed(&mut connection);
                    let _ = done.send(());
                }
                After::KeepOpen | After::Junk => {}
            }
        }
    })
    .unwrap()
}

/// A client retrying `max_retries` times, 1 ms apart at first.
fn client(server: &HttpServer, max_retries: u32) -> WebApi {
    WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&format!("http://127.0.0.1:{}/v1", server.port())).unwrap())
        .max_retries(max_retries)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap()
}

/// Makes `n` calls back to back; each must be verified.
fn calls(api: &WebApi, n: usize) {
    for call in 0..n {
        let status = api
            .get_job_status(&job(), &JobStatusOptions::default())
            .unwrap_or_else(|err| panic!("call {call}: {err}"));
        assert!(status.job_complete);
    }
}

#[test]
fn back_to_back_calls_share_one_kept_alive_connection() {
    let server = server(After::KeepOpen);
    calls(&client(&server, 0), 10);
    assert_eq!(server.connections(), 1);
}

/// Whether the close reaches the client before its check of the connection
/// is a race (bare `ureq` loses it too, about one call in ten here); a lost
/// race is a broken exchange on the next call, which is sent again at once on
/// a new connection, with retries off too.
#[test]
fn a_connection_closed_after_its_answer_is_recovered_from() {
    let server = server(After::Close);
    calls(&client(&server, 0), 30);
    assert!(server.connections() >= 30);
}

/// A pooled connection that breaks before an answer (the server closed it
/// as it was reused) costs no retry and no wait: the request is sent again at
/// once on a new connection, also with retries off.
#[test]
fn a_pooled_connection_closed_as_it_is_reused_is_replaced_at_once() {
    let server = server(After::DropNext);
    calls(&client(&server, 0), 10);
    // One connection per answer; each dropped its second request.
    assert_eq!(server.connections(), 10);
}

/// The resend is for pooled connections only: a new connection that breaks
/// before an answer is a failure, retried (or not) by the retry policy.
#[test]
fn a_new_connection_that_breaks_is_not_resent() {
    let server = HttpServer::start(|mut connection| {
        let _ = connection.read_request();
    })
    .unwrap();
    let err = client(&server, 0)
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            smile_id::Error::Transport {
                kind: smile_id::TransportErrorKind::Protocol,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_connection_with_bytes_past_its_answer_is_not_reused() {
    // No retries: reusing the connection would read the junk as an answer.
    let server = server(After::Junk);
    calls(&client(&server, 0), 10);
    assert_eq!(server.connections(), 10);
}

/// Calls again as soon as the server has done its late deed to the last
/// call's connection (with no retries): each call must be answered by the
/// server's answer to it, whatever the server did after answering the
/// previous one. (On loopback, what the server sent has arrived when it says
/// so.)
fn calls_right_after_the_late_deed(deed: fn(&mut Connection)) {
    let (done, late) = mpsc::channel();
    let server = server(After::Late(deed, done));
    let api = client(&server, 0);
    for round in 0..10 {
        let result = api.get_job_status(&job(), &JobStatusOptions::default());
        assert!(result.is_ok(), "round {round}: {result:?}");
        late.recv_timeout(Duration::from_millis(1500)).unwrap();
    }
}

#[test]
fn a_connection_closed_just_after_its_answer_is_not_reused() {
    calls_right_after_the_late_deed(|conn| {
        let _ = conn.stream().shutdown(std::net::Shutdown::Both);
    });
}

#[test]
fn bytes_sent_just_after_an_answer_are_not_taken_for_the_next_answer() {
    calls_right_after_the_late_deed(|conn| {
        let _ = conn.write_raw(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
    });
}

/// After calls made together, the pool holds several idle connections; when
/// they all went stale together (a server restart, a load balancer's idle
/// timeout), the resend must not take the next stale one.
#[test]
fn the_resend_takes_a_new_connection_when_several_are_pooled() {
    let server = server(After::SlowDropNext);
    let api = client(&server, 0);
    // Four calls together: four connections, all pooled afterwards.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let api = api.clone();
            std::thread::spawn(move || calls(&api, 1))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Answers 200 ms late: the calls overlap, each on its own connection (at
    // least two, on a loaded machine).
    assert!(server.connections() >= 2, "{}", server.connections());
    // Every pooled connection drops its next request: the resend must not
    // use another of them.
    let result = api.get_job_status(&job(), &JobStatusOptions::default());
    assert!(
        result.is_ok(),
        "{result:?} after {} connections",
        server.connections()
    );
}

/// `ureq` reports an answer head cut short as it reports no answer at all:
/// on a pooled connection, either is sent again once, on a new connection
/// (job status is a read); never more than once per call.
#[test]
fn an_answer_head_cut_short_on_a_pooled_connection_is_resent_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let requests = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&requests);
    let server = HttpServer::start(move |mut connection| {
        let mut first = true;
        while let Ok(Some(_)) = connection.read_request() {
            seen.fetch_add(1, Ordering::SeqCst);
            if !first {
                let _ = connection.write_raw(b"HTTP/1.1 200 OK\r\nContent-Type: appl");
                return;
            }
            first = false;
            let body = format!(
                r#"{{"job_complete":true,"job_success":true,"result":{}}}"#,
                complete_result("user-1", "job-1")
            );
            let body = sign_json(&signer(), &body, time::Duration::ZERO).unwrap();
            let response = Response::new(200, body).with_header("Content-Type", "application/json");
            if connection.respond(&response).is_err() {
                return;
            }
        }
    })
    .unwrap();
    let api = client(&server, 0);
    calls(&api, 1);
    // Cut short on the pooled connection, answered on a new one.
    calls(&api, 1);
    assert_eq!(requests.load(Ordering::SeqCst), 3);
    assert_eq!(server.connections(), 2);
}
