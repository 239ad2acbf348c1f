//! The command line, parsed by hand: four subcommands with a few options
//! each do not justify a parser dependency (see CHANGELOG).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::time::Duration;

use smile_id::{JobStatusOptions, PartnerParams, PollPolicy};

use crate::help;

/// What to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Text for stdout, then exit 0: `--help` (of the program or of one
    /// subcommand) or `--version`.
    Print(&'static str),
    /// `status USER_ID JOB_ID`; `json`: the verified JSON, not the summary.
    Status {
        job: PartnerParams,
        options: JobStatusOptions,
        json: bool,
    },
    /// `wait USER_ID JOB_ID`.
    Wait {
        job: PartnerParams,
        policy: PollPolicy,
    },
    /// `verify-callback`.
    VerifyCallback,
    /// `simulate`.
    Simulate { addr: SocketAddr },
}

const COMMANDS: &str = "use status, wait, verify-callback or simulate (see smile-id --help)";

/// Parses the arguments after the program name. The error is a message
/// saying what to do.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let args: Result<Vec<String>, _> = args.into_iter().map(OsString::into_string).collect();
    let mut args = args
        .map_err(|_| "arguments must be valid Unicode")?
        .into_iter();
    let Some(name) = args.next() else {
        return Err(format!("no command: {COMMANDS}"));
    };
    // Help and version are exit status 0, which also means "approved": they
    // are given only when asked for alone, so no job id (`-h`, say) can turn
    // a lookup into a success. Otherwise: the subcommand's help, flags, and
    // options that take a value.
    let (help, flags, options): (_, &[&str], &[&str]) = match name.as_str() {
        "-h" | "--help" | "help" | "-V" | "--version" if !args.as_slice().is_empty() => {
            return Err(format!(
                "{name} goes alone: smile-id --help, or smile-id COMMAND --help"
            ));
        }
        "-h" | "--help" | "help" => return Ok(Command::Print(help::MAIN)),
        "-V" | "--version" => return Ok(Command::Print(help::VERSION)),
        "status" => (help::STATUS, &["--history", "--image-links", "--json"], &[]),
        "wait" => (help::WAIT, &[], &["--timeout", "--interval"]),
        "verify-callback" => (help::VERIFY_CALLBACK, &[], &[]),
        "simulate" => (help::SIMULATE, &[], &["--addr"]),
        other => return Err(format!("unknown command {other:?}: {COMMANDS}")),
    };
    let see = format!("(see smile-id {name} --help)");
    // Alone, as above.
    if let [only] = args.as_slice()
        && (only == "-h" || only == "--help")
    {
        return Ok(Command::Print(help));
    }
    let mut words = Vec::new();
    // The flags and options given, in order, with their values.
    let mut given: Vec<(&str, Option<String>)> = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--" {
            words.extend(args.by_ref());
        } else if !arg.starts_with('-') || arg == "-" {
            words.push(arg);
        } else if arg == "-h" || arg == "--help" {
            return Err(format!(
                "{arg} goes alone: smile-id {name} --help (a job id starting with - goes after --)"
            ));
        } else {
            let (option, inline) = match arg.split_once('=') {
                Some((option, value)) => (option, Some(value.to_owned())),
                None => (arg.as_str(), None),
            };
            if let Some(&flag) = flags.iter().find(|f| **f == option) {
                if inline.is_some() {
                    return Err(format!("{option} takes no value {see}"));
                }
                given.push((flag, None));
            } else if let Some(&option) = options.iter().find(|o| **o == option) {
                let value = inline.or_else(|| args.next());
                let value = value.ok_or_else(|| format!("{option} needs a value {see}"))?;
                given.push((option, Some(value)));
            } else {
                return Err(format!("{name} has no option {option} {see}"));
            }
        }
    }
    let flag = |name: &str| given.iter().any(|(n, _)| *n == name);
    // The last value given wins.
    let value = |name: &str| {
        given
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    };
    let job = |words: Vec<String>| match <[String; 2]>::try_from(words) {
        Ok([user_id, job_id]) if !user_id.trim().is_empty() && !job_id.trim().is_empty() => {
            Ok(PartnerParams::new(user_id, job_id))
        }
        Ok(_) => Err(format!("USER_ID and JOB_ID must not be empty {see}")),
        Err(got) => Err(format!(
            "{name} takes USER_ID and JOB_ID, got {} argument{} {see}",
            got.len(),
            if got.len() == 1 { "" } else { "s" }
        )),
    };
    if let (Some(extra), "verify-callback" | "simulate") = (words.first(), name.as_str()) {
        return Err(format!("{name} takes no argument, got {extra:?} {see}"));
    }
    Ok(match name.as_str() {
        "status" => Command::Status {
            job: job(words)?,
            options: JobStatusOptions {
                return_history: flag("--history"),
                return_image_links: flag("--image-links"),
            },
            json: flag("--json"),
        },
        "wait" => {
            let job = job(words)?;
            let defaults = PollPolicy::default();
            let duration = |option: &str, default: Duration| match value(option) {
                None => Ok(default),
                Some(text) => parse_duration(text)
                    .map_err(|why| format!("{option} {text:?}: {why}, e.g. 90s, 5m, 500ms or 1h")),
            };
            let timeout = duration("--timeout", defaults.timeout)?;
            if timeout < Duration::from_millis(100) {
                return Err(format!(
                    "--timeout {:?} leaves no time for a poll: give at least 100ms, e.g. 90s",
                    value("--timeout").unwrap_or_default()
                ));
            }
            let initial_interval = duration("--interval", defaults.initial_interval)?;
            Command::Wait {
                job,
                policy: PollPolicy {
                    timeout,
                    initial_interval,
                    ..defaults
                },
            }
        }
        "verify-callback" => Command::VerifyCallback,
        _ => Command::Simulate {
            addr: match value("--addr") {
                None => SocketAddr::from(([127, 0, 0, 1], 0)),
                Some(text) => text.parse().map_err(|_| {
                    format!("--addr {text:?} is not an address and port, e.g. 127.0.0.1:8787 (port 0: any free port)")
                })?,
            },
        },
    })
}

/// `90`, `90s`, `1.5s`, `500ms`, `5m` or `1h`: a whole or decimal number and
/// a unit (seconds when none); at most a day.
pub fn parse_duration(text: &str) -> Result<Duration, &'static str> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit_secs = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err("unknown unit (use ms, s, m or h)"),
    };
    let number: f64 = number.parse().map_err(|_| "not a number")?;
    let secs = number * unit_secs;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err("must be at most a day");
    }
    Duration::try_from_secs_f64(secs).map_err(|_| "not a duration")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(args: &str) -> Result<Command, String> {
        parse(args.split_whitespace().map(OsString::from))
    }

    #[test]
    fn status_options() {
        assert_eq!(
            parse_str("status u j --json --history").unwrap(),
            Command::Status {
                job: PartnerParams::new("u", "j"),
                options: JobStatusOptions {
                    return_history: true,
                    return_image_links: false
                },
                json: true
            }
        );
        assert!(
            matches!(parse_str("status -- -u -j"), Ok(Command::Status { job, .. }) if job == PartnerParams::new("-u", "-j"))
        );
        assert!(
            parse_str("status u")
                .unwrap_err()
                .contains("got 1 argument ")
        );
        assert!(parse_str("status u j k").is_err());
        assert!(
            parse_str("status u j --jsn")
                .unwrap_err()
                .contains("no option --jsn")
        );
        assert!(parse_str("status u j --json=1").is_err());
        assert_eq!(
            parse_str("status --help").unwrap(),
            Command::Print(help::STATUS)
        );
        assert!(parse_str("status u j --history=1").is_err());
        assert!(
            parse_str("status u j --timeout 5")
                .unwrap_err()
                .contains("status has no option --timeout")
        );
        // Exit status 0 means "approved": no command is a usage error, and
        // help mixed into a lookup too.
        assert!(parse_str("").unwrap_err().contains("no command"));
        assert!(
            parse_str("status u j -h")
                .unwrap_err()
                .contains("goes alone")
        );
        assert!(parse_str("frobnicate").is_err());
        // A timeout too short to poll is quoted as given.
        assert!(
            parse_str("wait u j --timeout 0")
                .unwrap_err()
                .starts_with("--timeout \"0\" leaves no time")
        );
        for alone in ["--help status", "help status u j", "--version u"] {
            assert!(
                parse_str(alone).unwrap_err().contains("goes alone"),
                "{alone}"
            );
        }
        assert_eq!(
            parse_str("--version").unwrap(),
            Command::Print(help::VERSION)
        );
    }

    #[test]
    fn wait_and_simulate_values() {
        assert_eq!(
            parse_str("wait u j --timeout=5m --interval 250ms").unwrap(),
            Command::Wait {
                job: PartnerParams::new("u", "j"),
                policy: PollPolicy {
                    timeout: Duration::from_secs(300),
                    initial_interval: Duration::from_millis(250),
                    ..PollPolicy::default()
                }
            }
        );
        // The last value given wins.
        assert!(matches!(
            parse_str("wait u j --timeout 1s --timeout 2s"),
            Ok(Command::Wait { policy, .. }) if policy.timeout == Duration::from_secs(2)
        ));
        assert!(
            parse_str("wait u j --timeout 0")
                .unwrap_err()
                .contains("at least 100ms"),
            "a zero timeout is a usage error"
        );
        assert!(
            parse_str("wait u j --timeout")
                .unwrap_err()
                .contains("needs a value")
        );
        assert!(parse_str("wait u j --addr 127.0.0.1:1").is_err());
        assert_eq!(
            parse_str("simulate --addr 127.0.0.1:8787").unwrap(),
            Command::Simulate {
                addr: "127.0.0.1:8787".parse().unwrap()
            }
        );
        assert!(parse_str("simulate --addr localhost").is_err());
    }

    #[test]
    fn durations() {
        for (text, want) in [
            ("90", 90_000),
            ("1.5s", 1_500),
            ("500ms", 500),
            ("2m", 120_000),
            ("1h", 3_600_000),
            ("0", 0),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(want)),
                "{text}"
            );
        }
        for bad in [
            "",
            "s",
            "-1",
            "1d",
            "NaN",
            "inf",
            "1e9",
            "99999999999999999999h",
            "25h",
            "1.2.3",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
