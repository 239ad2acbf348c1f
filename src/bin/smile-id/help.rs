//! The `--help` and `--version` texts.

pub const VERSION: &str = concat!("smile-id ", env!("CARGO_PKG_VERSION"), "\n");

pub const MAIN: &str = "\
smile-id: look up Smile ID jobs, verified (signature, freshness, job), and decide what they mean

Usage:
  smile-id status USER_ID JOB_ID [--history] [--image-links] [--json]
  smile-id wait USER_ID JOB_ID [--timeout DURATION] [--interval DURATION]
  smile-id verify-callback < body.json
  smile-id simulate [--addr 127.0.0.1:PORT]
  smile-id COMMAND --help

Settings come from the environment, as for WebApi::from_env:
  SMILE_ID_PARTNER_ID  your partner id (required)
  SMILE_ID_API_KEY     the API key for that server (required; never printed)
  SMILE_ID_SERVER      0/sandbox (default), 1/production, or a base URL ending in /v1
`smile-id simulate` prints a set of these that talks to it.

Exit status:
  0  approved
  1  rejected
  2  usage or configuration error (bad arguments, SMILE_ID_* missing or wrong,
     a 4xx such as a wrong key, an address in use)
  3  transient failure (network, timeout, HTTP 408, 429, 500, 502-504) or wait timeout: try again later
  4  refused answer: forged signature, stale timestamp, another job, malformed
  5  provisional: under human review, or partly complete: do not approve yet
  6  failed: the job could not be completed (e.g. ID authority unavailable)
  7  pending: the job is not complete yet (status)
";

pub const STATUS: &str = "\
smile-id status: one verified job status lookup

Usage: smile-id status USER_ID JOB_ID [--history] [--image-links] [--json]

Prints the one-line summary (verdict, state, codes, job; no personal data),
or with --json the verified JSON (every field, personal data included, but
without its signature, which is a credential).

Options:
  --history      ask for the job's history too
  --image-links  ask for links to the job's images too
  --json         print the verified JSON instead of the summary
  -h, --help     this help

Exit status: 0 approved, 1 rejected, 5 provisional, 6 failed, 7 pending;
2 usage or configuration, 3 transient failure, 4 refused answer
(see smile-id --help).
";

pub const WAIT: &str = "\
smile-id wait: poll until the job is complete

Usage: smile-id wait USER_ID JOB_ID [--timeout DURATION] [--interval DURATION]

Every poll is a fresh, verified lookup. One progress line per poll goes to
stderr (the completing poll too), then the summary to stdout. Transient
failures are tolerated until the timeout; a refused answer ends the wait.

Options:
  --timeout DURATION   how long to wait in all (default 120s; at most 1 day)
  --interval DURATION  the wait after the first poll, growing 1.5x up to 10s
                       (default 2s; at least 100ms)
  -h, --help           this help
DURATION: 90, 90s, 1.5s, 500ms, 5m, 1h.

Exit status: 0 approved, 1 rejected, 5 provisional, 6 failed;
3 not complete before the timeout (or transient failure);
2 usage or configuration, 4 refused answer (see smile-id --help).
";

pub const VERIFY_CALLBACK: &str = "\
smile-id verify-callback: verify a callback body and print its verdict

Usage: smile-id verify-callback < body.json

Reads the body Smile ID POSTed to your callback URL on stdin (pipe or file,
not a terminal), checks its signature with SMILE_ID_PARTNER_ID and
SMILE_ID_API_KEY and its timestamp's freshness, and prints the verdict and
the one-line result. A callback may arrive more than once: act on it
idempotently (key on the job id).

Options:
  -h, --help  this help

Exit status: 0 approved, 1 rejected, 5 provisional (also: a code without a
known category), 6 failed; 4 refused (forged, stale or malformed);
2 usage or configuration (see smile-id --help).
";

pub const SIMULATE: &str = "\
smile-id simulate: serve a local Smile ID job status simulator

Usage: smile-id simulate [--addr 127.0.0.1:PORT]

Serves POST /v1/job_status in the foreground until interrupted (Ctrl-C),
checking each request's signature and answering signed responses, as the
official SDKs (Python, Node, ...) and this crate expect. First prints, on
stdout, the settings to use, ready to paste into a shell or an env file:
  SMILE_ID_SERVER=http://127.0.0.1:PORT/v1
  SMILE_ID_PARTNER_ID=...
  SMILE_ID_API_KEY=...   (a fixed test key, not a secret)

The job id chooses the outcome (any case):
  contains pending      still running; pending-N: for its first N requests,
                        then as the rest of the id says (job-pending-2-rejected)
  contains approved, provisional, rejected or failed
                        that outcome (the first of them in the id)
  anything else         approved

Options:
  --addr ADDR  a loopback address and port (default 127.0.0.1:0: any free port)
  -h, --help   this help

Exit status: 2 when the address is not loopback or cannot be bound (in use:
choose another port, or 0).
";
