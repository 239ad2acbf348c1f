//! The command line, parsed by hand: four subcommands with a few options
//! each do not justify a parser dependency (see CHANGELOG).

use std::net::SocketAddr;
use std::time::Duration;

/// What to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// `--help` (of the program, or of one subcommand), or no argument.
    Help(&'static str),
    /// `--version`.
    Version,
    /// `status USER_ID JOB_ID`.
    Status {
        user_id: String,
        job_id: String,
        history: bool,
        image_links: bool,
        json: bool,
    },
    /// `wait USER_ID JOB_ID`.
    Wait {
        user_id: String,
        job_id: String,
        timeout: Duration,
        interval: Duration,
    },
    /// `verify-callback`.
    VerifyCallback,
    /// `simulate`.
    Simulate { addr: SocketAddr },
}

/// The default `--timeout` of `wait`: `PollPolicy`'s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The default `--interval` of `wait`: `PollPolicy`'s.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(2);

/// Parses the arguments after the program name. The error is a message
/// saying what to do.
pub fn parse(args: Vec<String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    // Help is exit status 0, which also means "approved": it is given only
    // when asked for alone, so no job id (`-h`, say) can turn a lookup into
    // a success.
    let Some(name) = args.next() else {
        return Err(
            "no command: use status, wait, verify-callback or simulate (see smile-id --help)"
                .to_owned(),
        );
    };
    let help = match name.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help(crate::help::MAIN)),
        "-V" | "--version" => return Ok(Command::Version),
        "status" => crate::help::STATUS,
        "wait" => crate::help::WAIT,
        "verify-callback" => crate::help::VERIFY_CALLBACK,
        "simulate" => crate::help::SIMULATE,
        other => {
            return Err(format!(
                "unknown command {other:?}: use status, wait, verify-callback or simulate (see smile-id --help)"
            ));
        }
    };
    let mut positional = Vec::new();
    let mut flags = Vec::new();
    let mut values: Vec<(String, String)> = Vec::new();
    let takes_value = ["--timeout", "--interval", "--addr"];
    let mut only_positional = false;
    while let Some(arg) = args.next() {
        if only_positional || !arg.starts_with('-') || arg == "-" {
            positional.push(arg);
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        if arg == "-h" || arg == "--help" {
            if positional.is_empty() && flags.is_empty() && values.is_empty() && args.len() == 0 {
                return Ok(Command::Help(help));
            }
            return Err(format!(
                "{arg} goes alone: smile-id {name} --help (a job id starting with - goes after --)"
            ));
        }
        let (option, inline) = match arg.split_once('=') {
            Some((option, value)) => (option.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        if takes_value.contains(&option.as_str()) {
            let value = match inline {
                Some(value) => value,
                None => args.next().ok_or_else(|| {
                    format!("{option} needs a value (see smile-id {name} --help)")
                })?,
            };
            values.push((option, value));
        } else if inline.is_some() {
            return Err(format!(
                "{option} takes no value (see smile-id {name} --help)"
            ));
        } else {
            flags.push(option);
        }
    }
    let allowed: (&[&str], &[&str]) = match name.as_str() {
        "status" => (&["--history", "--image-links", "--json"], &[]),
        "wait" => (&[], &["--timeout", "--interval"]),
        "simulate" => (&[], &["--addr"]),
        _ => (&[], &[]),
    };
    if let Some(flag) = flags.iter().find(|f| !allowed.0.contains(&f.as_str())) {
        return Err(unknown(&name, flag));
    }
    if let Some((option, _)) = values
        .iter()
        .find(|(o, _)| !allowed.1.contains(&o.as_str()))
    {
        return Err(unknown(&name, option));
    }
    let value = |option: &str| {
        values
            .iter()
            .rev()
            .find(|(o, _)| o == option)
            .map(|(_, v)| v.as_str())
    };
    let flag = |f: &str| flags.iter().any(|g| g == f);
    let ids = |positional: Vec<String>| -> Result<(String, String), String> {
        match <[String; 2]>::try_from(positional) {
            Ok([user_id, job_id]) if !user_id.trim().is_empty() && !job_id.trim().is_empty() => {
                Ok((user_id, job_id))
            }
            Ok(_) => Err(format!(
                "USER_ID and JOB_ID must not be empty (see smile-id {name} --help)"
            )),
            Err(got) => Err(format!(
                "{name} takes USER_ID and JOB_ID, got {} argument{} (see smile-id {name} --help)",
                got.len(),
                if got.len() == 1 { "" } else { "s" }
            )),
        }
    };
    let none = |positional: &[String]| match positional.first() {
        Some(extra) => Err(format!(
            "{name} takes no argument, got {extra:?} (see smile-id {name} --help)"
        )),
        None => Ok(()),
    };
    Ok(match name.as_str() {
        "status" => {
            let (user_id, job_id) = ids(positional)?;
            Command::Status {
                user_id,
                job_id,
                history: flag("--history"),
                image_links: flag("--image-links"),
                json: flag("--json"),
            }
        }
        "wait" => {
            let (user_id, job_id) = ids(positional)?;
            let duration = |option: &str, default: Duration| match value(option) {
                None => Ok(default),
                Some(text) => parse_duration(text)
                    .map_err(|why| format!("{option} {text:?}: {why}, e.g. 90s, 5m, 500ms or 1h")),
            };
            Command::Wait {
                user_id,
                job_id,
                timeout: match duration("--timeout", DEFAULT_TIMEOUT)? {
                    zero if zero < Duration::from_millis(100) => {
                        return Err(format!(
                            "--timeout {zero:?} leaves no time for a poll: give at least 100ms, e.g. 90s"
                        ));
                    }
                    timeout => timeout,
                },
                interval: duration("--interval", DEFAULT_INTERVAL)?,
            }
        }
        "verify-callback" => {
            none(&positional)?;
            Command::VerifyCallback
        }
        _ => {
            none(&positional)?;
            let addr = match value("--addr") {
                None => SocketAddr::from(([127, 0, 0, 1], 0)),
                Some(text) => text.parse::<SocketAddr>().map_err(|_| {
                    format!("--addr {text:?} is not an address and port, e.g. 127.0.0.1:8787 (port 0: any free port)")
                })?,
            };
            Command::Simulate { addr }
        }
    })
}

fn unknown(command: &str, option: &str) -> String {
    format!("{command} has no option {option} (see smile-id {command} --help)")
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
        parse(args.split_whitespace().map(str::to_owned).collect())
    }

    #[test]
    fn status_options() {
        assert_eq!(
            parse_str("status u j --json --history").unwrap(),
            Command::Status {
                user_id: "u".into(),
                job_id: "j".into(),
                history: true,
                image_links: false,
                json: true
            }
        );
        assert!(
            matches!(parse_str("status -- -u -j"), Ok(Command::Status { user_id, .. }) if user_id == "-u")
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
        assert!(matches!(parse_str("status --help"), Ok(Command::Help(_))));
        // Exit status 0 means "approved": no command is a usage error, and
        // help mixed into a lookup too.
        assert!(parse_str("").unwrap_err().contains("no command"));
        assert!(
            parse_str("status u j -h")
                .unwrap_err()
                .contains("goes alone")
        );
        assert!(parse_str("frobnicate").is_err());
    }

    #[test]
    fn wait_and_simulate_values() {
        let Command::Wait {
            timeout, interval, ..
        } = parse_str("wait u j --timeout=5m --interval 250ms").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (timeout, interval),
            (Duration::from_secs(300), Duration::from_millis(250))
        );
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
