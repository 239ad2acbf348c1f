//! One client shared by 16 threads, 500 verified calls each, against the
//! simulator; no call fails and no thread is left behind.

use std::time::{Duration, Instant};

use crate::common::sim_and_api;
use smile_id::{JobStatusOptions, PartnerParams};

const THREADS: usize = 16;
const CALLS: usize = 500;

/// This test's threads: those named as this thread is. An unnamed thread
/// starts with its creator's name (Linux copies `comm` on `clone`), so the
/// simulator's threads and theirs count, and the other tests running in this
/// binary at the same time (each on a thread named for itself) do not. 0 when
/// `/proc` cannot be read.
fn thread_count() -> usize {
    let name = |task: &std::path::Path| std::fs::read_to_string(task.join("comm")).ok();
    let Some(mine) = name("/proc/thread-self".as_ref()) else {
        return 0;
    };
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .filter(|task| name(&task.path()).as_ref() == Some(&mine))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn sixteen_threads_share_one_client() {
    let before = thread_count();
    {
        let (sim, api) = sim_and_api();
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let api = api.clone();
                std::thread::spawn(move || {
                    for n in 0..CALLS {
                        let job = PartnerParams::new(format!("user-{t}"), format!("job-{n}"));
                        let status = api
                            .get_job_status(&job, &JobStatusOptions::default())
                            .unwrap();
                        assert!(status.job_complete);
                        let params = status.result.unwrap().partner_params.unwrap();
                        assert_eq!((params.user_id, params.job_id), (job.user_id, job.job_id));
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        assert_eq!(sim.request_count(), THREADS * CALLS);
    }
    if before > 0 {
        // The simulator joins its threads when dropped, so this wait is only
        // a margin.
        let started = Instant::now();
        while thread_count() > before && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            thread_count() <= before,
            "{} threads, {before} before",
            thread_count()
        );
    }
}
