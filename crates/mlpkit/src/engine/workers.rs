//! A small team of threads that runs one closure on every part of a piece of work.
//!
//! The fused engine ([`super`]) splits every matrix product of a training step
//! into as many parts as there are threads. A step of the tutorial networks takes well under a
//! millisecond, so handing work over must cost far less than that: the helpers wait by
//! spinning for a while (a microsecond or so to wake), and fall asleep on a condition variable
//! only when nothing has come for some time (between epochs, or after training).
//!
//! ```text
//! team.run(&|part| work_on(part));   // part 0 on the calling thread, 1.. on the helpers
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// The job of one round: `Team::run` borrows a closure as `&(dyn Fn(usize) + Sync)`, keeps
/// that reference in a local variable, and hands the helpers the address of the variable
/// (a thin pointer), valid while `run` waits for them.
type JobRef<'a> = &'a (dyn Fn(usize) + Sync);

struct Shared {
    /// Bumped once per round; helpers start work when it changes.
    round: AtomicU64,
    job: Mutex<Option<SendJob>>,
    /// Helpers that finished the current round.
    done: AtomicUsize,
    /// A helper's job panicked in this round.
    panicked: AtomicBool,
    stop: AtomicBool,
    sleepers: AtomicUsize,
    sleep: Mutex<()>,
    wake: Condvar,
}

#[derive(Clone, Copy)]
struct SendJob(*const ());
// SAFETY: the pointer is the address of a `JobRef` to a `Sync` closure; `Team::run` keeps both
// alive until every helper has finished with them, and helpers only read through it.
unsafe impl Send for SendJob {}

/// Threads that run the parts of one job at a time; see the module documentation.
pub(crate) struct Team {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
}

/// How many times a waiting thread polls with the processor's pause instruction before it
/// starts giving its core away between polls (a few microseconds).
const PAUSES: u32 = 200;
/// How many times a helper polls for work before it goes to sleep. Past [`PAUSES`], each poll
/// yields the core first (`sched_yield`), so that when there are more threads than free cores
/// the thread that still has work gets to run: spinning alone made 3 threads on 2 cores 4–14
/// times slower than 2 (`bench_train pools`, see `bench/README.md`).
const SPINS: u32 = 20_000;

/// One poll of a waiting thread: pause while the wait is young, then yield the core.
fn wait_a_little(polls: u32) {
    if polls < PAUSES {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

impl Team {
    /// A team of `threads` (the calling thread plus `threads − 1` helpers).
    pub(crate) fn new(threads: usize) -> Self {
        let shared = Arc::new(Shared {
            round: AtomicU64::new(0),
            job: Mutex::new(None),
            done: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            sleep: Mutex::new(()),
            wake: Condvar::new(),
        });
        let helpers = (1..threads.max(1))
            .map(|part| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("mlpkit-{part}"))
                    .spawn(move || helper(&shared, part))
                    .expect("cannot start a training thread")
            })
            .collect();
        Self { shared, helpers }
    }

    /// Number of parts each job is split into.
    pub(crate) fn threads(&self) -> usize {
        self.helpers.len() + 1
    }

    /// Runs `job(part)` for every part `0..threads()` at once and returns when all are done.
    ///
    /// It takes `&mut self`: one round at a time, so the job slot and the counters shared
    /// with the helpers belong to one caller.
    pub(crate) fn run(&mut self, job: &(dyn Fn(usize) + Sync)) {
        if self.helpers.is_empty() {
            job(0);
            return;
        }
        let s = &*self.shared;
        let slot: JobRef<'_> = job;
        let ptr = std::ptr::from_ref(&slot).cast::<()>();
        *s.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(SendJob(ptr));
        s.done.store(0, Ordering::SeqCst);
        s.round.fetch_add(1, Ordering::SeqCst);
        if s.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = s.sleep.lock().unwrap_or_else(|e| e.into_inner());
            s.wake.notify_all();
        }
        let mine = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(0)));
        let helpers = self.helpers.len();
        let mut polls = 0u32;
        while s.done.load(Ordering::Acquire) < helpers {
            polls = polls.saturating_add(1);
            wait_a_little(polls);
        }
        *s.job.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Err(p) = mine {
            std::panic::resume_unwind(p);
        }
        if s.panicked.swap(false, Ordering::SeqCst) {
            panic!("a training thread panicked (see the message above)");
        }
    }
}

fn helper(s: &Shared, part: usize) {
    let mut seen = 0u64;
    loop {
        let mut spins = 0u32;
        loop {
            if s.stop.load(Ordering::Acquire) {
                return;
            }
            if s.round.load(Ordering::Acquire) != seen {
                break;
            }
            spins += 1;
            if spins < SPINS {
                wait_a_little(spins);
                continue;
            }
            // Nothing for a while: sleep until the next round (or the end).
            let mut guard = s.sleep.lock().unwrap_or_else(|e| e.into_inner());
            s.sleepers.fetch_add(1, Ordering::SeqCst);
            while s.round.load(Ordering::SeqCst) == seen && !s.stop.load(Ordering::SeqCst) {
                guard = s.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            s.sleepers.fetch_sub(1, Ordering::SeqCst);
            spins = 0;
        }
        seen = s.round.load(Ordering::Acquire);
        let job = *s.job.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(SendJob(ptr)) = job {
            // SAFETY: `ptr` is the address of `run`'s `slot`, a `JobRef`, and `run` keeps the
            // slot and the closure alive until `done` counts this helper, which is after the
            // last use of `job` below.
            let job: JobRef<'_> = unsafe { *ptr.cast::<JobRef<'_>>() };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(part))).is_err() {
                s.panicked.store(true, Ordering::SeqCst);
            }
        }
        s.done.fetch_add(1, Ordering::Release);
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        {
            let _guard = self.shared.sleep.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.wake.notify_all();
        }
        for h in self.helpers.drain(..) {
            let _ = h.join();
        }
    }
}

/// The `part`-th of `parts` nearly equal pieces of `0..n`, with boundaries on multiples of
/// `align` (so that SIMD kernels see whole vectors), possibly empty.
pub(crate) fn part_range(
    n: usize,
    parts: usize,
    part: usize,
    align: usize,
) -> std::ops::Range<usize> {
    let chunk = n.div_ceil(parts).div_ceil(align) * align;
    let start = (part * chunk).min(n);
    let end = ((part + 1) * chunk).min(n);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_runs_once_per_round() {
        let mut team = Team::new(3);
        let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        for _ in 0..1000 {
            team.run(&|p| {
                hits[p].fetch_add(1, Ordering::Relaxed);
            });
        }
        let counts: Vec<usize> = hits.iter().map(|h| h.load(Ordering::Relaxed)).collect();
        assert_eq!(counts, vec![1000, 1000, 1000]);
    }

    #[test]
    fn helpers_wake_after_sleeping() {
        let mut team = Team::new(2);
        let sum = AtomicUsize::new(0);
        team.run(&|p| {
            sum.fetch_add(p + 1, Ordering::Relaxed);
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        team.run(&|p| {
            sum.fetch_add(p + 1, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 6);
    }

    #[test]
    fn every_part_runs_for_any_thread_count() {
        for threads in 1..4 {
            let mut team = Team::new(threads);
            assert_eq!(team.threads(), threads);
            let hits: Vec<AtomicUsize> = (0..threads).map(|_| AtomicUsize::new(0)).collect();
            for _ in 0..100 {
                team.run(&|p| {
                    hits[p].fetch_add(1, Ordering::Relaxed);
                });
            }
            assert!(
                hits.iter().all(|h| h.load(Ordering::Relaxed) == 100),
                "{threads}"
            );
        }
    }

    #[test]
    fn parts_cover_the_range_without_overlap() {
        for n in [0, 1, 7, 10, 100, 300, 784] {
            for parts in 1..4 {
                let ranges: Vec<_> = (0..parts).map(|p| part_range(n, parts, p, 8)).collect();
                let total: usize = ranges.iter().map(|r| r.len()).sum();
                assert_eq!(total, n, "n={n} parts={parts}");
                for w in ranges.windows(2) {
                    assert!(w[0].end <= w[1].start || w[1].is_empty());
                }
            }
        }
    }
}
