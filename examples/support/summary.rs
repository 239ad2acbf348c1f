#![allow(dead_code)] // Each example uses only part of this module.
//! Printing a job status for people; shared by the examples.

use smile_id::JobStatus;

/// Prints a readable summary of a verified job status.
pub fn print(status: &JobStatus) {
    let state = match (status.job_complete, status.job_success) {
        (true, true) => "complete, successful",
        (true, false) => "complete, NOT successful",
        (false, _) => "still running",
    };
    println!("job status: {state}");
    println!(
        "  verified: signature ok, timestamp {} within tolerance",
        status.timestamp_str()
    );
    if let Some(code) = &status.code {
        println!("  status code: {code}");
    }
    if let Some(message) = &status.result_message {
        println!("  result: {message}");
    }
    if let Some(result) = &status.result {
        if let Some(code) = &result.result_code {
            let meaning = result.result_code_meaning().unwrap_or("(unknown code)");
            println!("  result code: {code} - {meaning}");
        }
        if let Some(text) = &result.result_text {
            println!("  result text: {text}");
        }
        if let Some(kind) = &result.result_type {
            println!("  result type: {kind}");
        }
        if let Some(id) = &result.smile_job_id {
            println!("  smile job id: {id}");
        }
        if let Some(confidence) = result.confidence_value {
            println!("  confidence: {confidence}");
        }
        if !result.actions.is_empty() {
            println!("  actions:");
            for (name, outcome) in result.actions.iter() {
                println!("    {name}: {outcome}");
            }
        }
        if !result.extra.is_empty() {
            let keys: Vec<&str> = result.extra.iter().map(|(k, _)| k).collect();
            println!("  other result fields: {}", keys.join(", "));
        }
    }
    println!("  history entries: {}", status.history.len());
    if let Some(links) = &status.image_links {
        if let Some(selfie) = &links.selfie_image {
            println!("  selfie image: {selfie}");
        }
    }
}

/// Prints an error and its chain of causes to stderr.
pub fn print_error(err: &smile_id::Error) {
    eprintln!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
