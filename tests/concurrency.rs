//! One client shared by 16 threads, 500 verified calls each, against the
//! simulator; no call fails and no thread is left behind. Alone in its file so
//! that no other test's threads are counted.
#![cfg(test)] // so clippy.toml's allow-*-in-tests cover the helpers too

mod common;

use std::time::{Duration, Instant};

use common::sim_and_api;
use smile_id::{JobStatusOptions, PartnerParams};

const THREADS: usize = 16;
const CALLS: usize = 500;

fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count())
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
        // The simulator's threads end when it is dropped; tiny_http lets idle pool
        // threads linger for 5 s before they exit.
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
