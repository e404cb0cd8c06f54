//! Keeping pool workers awake between parallel regions, and letting the
//! awake ones share the calling thread's work.
//!
//! An eager training step alternates parallel regions (a GEMM, a large kernel)
//! with stretches of Python and small single-threaded ops lasting tens of
//! microseconds. rayon parks an idle worker after a few dozen `yield`s, and on
//! the 2-core VMs we measure on, waking it again took 16-100 µs -- and up to
//! ~250 µs once the idle vCPU had halted: a 64x784x512 product at 2 threads
//! took 307 µs back-to-back but 566 µs with 1 ms of Python between calls, no
//! faster than at 1 thread. OpenBLAS (numpy) spins its threads for a long
//! while after each call, and OpenMP runtimes for 200 ms by default (Intel's
//! `KMP_BLOCKTIME`); that is why numpy's MLP step scaled to 2 threads where
//! ours did not.
//!
//! So after each parallel region up to `threads - 1` workers spin for
//! [`KEEP_WARM`] (or `TAPEGRAD_KEEP_WARM_US`) past the latest region's end (the caller's core is the last
//! one), then park as usual. While they spin they run anything that reaches
//! the pool, and they help with work the caller posts through [`share`]: the
//! caller computes pieces itself and the spinners claim the rest from a shared
//! counter, with no rayon job injected. (Injecting one -- `in_place_scope` --
//! also wakes a parked worker, a third thread on two cores; measured slower
//! than not spinning at all.)
//!
//! Results do not change: which thread computes a piece never changes its bits.
//! The cost is bounded CPU time on otherwise idle cores.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::{ThreadPool, Yield};

/// How long workers stay awake after the latest parallel region ends: long
/// enough to bridge the Python between an MLP step's GEMMs and between steps,
/// short next to the 200 ms OpenMP runtimes spin by default. The
/// `TAPEGRAD_KEEP_WARM_US` environment variable overrides it (0 turns spinning
/// off, as `OMP_WAIT_POLICY=passive` does: for many processes sharing cores).
pub(crate) const KEEP_WARM: Duration = Duration::from_millis(2);

fn keep_warm() -> Duration {
    static SET: OnceLock<Duration> = OnceLock::new();
    *SET.get_or_init(|| {
        std::env::var("TAPEGRAD_KEEP_WARM_US")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(KEEP_WARM, Duration::from_micros)
    })
}

/// When the latest region ended, how many workers spin, and the work posted
/// for them.
struct Warmth {
    /// Nanoseconds since [`epoch`] at which the latest parallel region ended.
    last_region_end: AtomicU64,
    /// Workers spinning now (over every pool: an old pool's spinners run out too).
    spinning: AtomicUsize,
    /// True while `posted` holds work (read on every spin, so no lock there).
    has_work: AtomicBool,
    posted: Mutex<Option<Arc<Shared>>>,
}

impl Warmth {
    const fn new() -> Warmth {
        Warmth {
            last_region_end: AtomicU64::new(0),
            spinning: AtomicUsize::new(0),
            has_work: AtomicBool::new(false),
            posted: Mutex::new(None),
        }
    }
}

static WARMTH: Warmth = Warmth::new();

/// The posted-work slot's lock, held across a `fork` (see `threading::fork`).
pub(crate) type PostedGuard = std::sync::MutexGuard<'static, Option<Arc<Shared>>>;

/// Locks the posted-work slot until the guard drops (the fork handlers' *prepare*).
pub(crate) fn hold_posted() -> PostedGuard {
    super::lock(&WARMTH.posted)
}

/// In a fork's child: no worker spins there and no work is posted (the
/// threads that would run or wait for it were not copied).
pub(crate) fn reset_after_fork(posted: &mut PostedGuard) {
    if let Some(old) = posted.take() {
        // Its closure pointer belongs to a thread the child does not have.
        std::mem::forget(old);
    }
    WARMTH.has_work.store(false, Ordering::Release);
    WARMTH.spinning.store(0, Ordering::Release);
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    u64::try_from(epoch().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// How many workers of a `threads`-thread pool should spin: all but the
/// caller's core, and never more than the machine has other cores for (a pool
/// larger than the machine must not starve the Python thread).
fn spinners_for(threads: usize) -> usize {
    threads.min(cores()).saturating_sub(1)
}

/// The machine's cores, read once: `available_parallelism` reads cgroup files
/// and the affinity mask, too slow to ask at the end of every parallel region.
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Called when a parallel region on `pool` has ended: extends the awake window
/// and, if no worker is spinning yet, sets `threads - 1` of them spinning.
pub(crate) fn region_ended(pool: &ThreadPool) {
    WARMTH.region_ended(pool, keep_warm());
}

/// Runs `piece(0..count)` on the calling thread and the spinning workers, if
/// any spin now; false (nothing run) if none does. Each piece runs once, and
/// all have finished when this returns.
pub(crate) fn share(count: usize, piece: &(dyn Fn(usize) + Sync)) -> bool {
    WARMTH.share(count, piece)
}

impl Warmth {
    fn region_ended(&'static self, pool: &ThreadPool, window: Duration) {
        self.last_region_end.store(now_nanos(), Ordering::Relaxed);
        let want = spinners_for(pool.current_num_threads());
        if want == 0
            || window.is_zero()
            || self.spinning.compare_exchange(0, want, Ordering::AcqRel, Ordering::Relaxed).is_err()
        {
            return;
        }
        // A broadcast job runs on each worker's own queue, which no other worker
        // steals from, so no spinner ever ends up running inside another.
        pool.spawn_broadcast(move |ctx| {
            if ctx.index() < want {
                self.spin(window);
                self.spinning.fetch_sub(1, Ordering::AcqRel);
            }
        });
    }

    /// Helps with posted work and runs whatever reaches the pool until `window`
    /// has passed since the latest region ended.
    fn spin(&self, window: Duration) {
        let window = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        loop {
            if self.has_work.load(Ordering::Acquire) {
                let work = super::lock(&self.posted).clone();
                if work.is_some_and(|w| w.help()) {
                    continue;
                }
            }
            if rayon::yield_now() == Some(Yield::Executed) {
                continue;
            }
            let last = self.last_region_end.load(Ordering::Relaxed);
            if now_nanos().saturating_sub(last) > window {
                return;
            }
            for _ in 0..32 {
                std::hint::spin_loop();
            }
        }
    }

    fn share(&self, count: usize, piece: &(dyn Fn(usize) + Sync)) -> bool {
        if self.spinning.load(Ordering::Acquire) == 0 {
            return false;
        }
        let work = Arc::new(Shared::new(count, &raw const piece));
        {
            let mut slot = super::lock(&self.posted);
            if slot.is_some() {
                // Another thread's work is posted: run ours the usual way.
                return false;
            }
            // Keep the spinners from running out while they help.
            self.last_region_end.store(now_nanos(), Ordering::Relaxed);
            *slot = Some(work.clone());
            self.has_work.store(true, Ordering::Release);
        }
        let _ = work.help();
        // Pieces a spinner claimed may still run: `piece` must outlive them.
        let mut waited = 0u32;
        while work.done.load(Ordering::Acquire) < count {
            waited = waited.saturating_add(1);
            if waited < 1 << 16 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        {
            let mut slot = super::lock(&self.posted);
            self.has_work.store(false, Ordering::Release);
            *slot = None;
        }
        self.last_region_end.store(now_nanos(), Ordering::Relaxed);
        if let Some(payload) = super::lock(&work.panicked).take() {
            resume_unwind(payload);
        }
        true
    }
}

/// Work posted by [`share`]: pieces `0..count`, claimed in order by whoever
/// takes the next index.
pub(crate) struct Shared {
    /// Points at `share`'s `piece` argument (a `&(dyn Fn(usize) + Sync)`),
    /// its lifetime erased; see the SAFETY notes in `help`.
    piece: *const (),
    count: usize,
    next: AtomicUsize,
    done: AtomicUsize,
    panicked: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

// SAFETY: `piece` leads to a `dyn Fn(usize) + Sync` closure, which any thread
// may call through a shared reference; it is only dereferenced as `help` explains.
unsafe impl Send for Shared {}
// SAFETY: as above; every other field is thread-safe.
unsafe impl Sync for Shared {}

impl Shared {
    /// `piece` must point at a live `&(dyn Fn(usize) + Sync)` (see `help`).
    fn new(count: usize, piece: *const &(dyn Fn(usize) + Sync)) -> Shared {
        Shared {
            piece: piece.cast(),
            count,
            next: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            panicked: Mutex::new(None),
        }
    }

    /// Claims and runs pieces until none is left; true if it ran any.
    fn help(&self) -> bool {
        let mut ran = false;
        loop {
            let i = self.next.fetch_add(1, Ordering::AcqRel);
            if i >= self.count {
                return ran;
            }
            ran = true;
            // SAFETY: `piece` points at `share`'s argument, and a piece index below
            // `count` was claimed: `share` does not return (so the reference and
            // the closure behind it stay alive) until `done` counts this piece.
            let piece = unsafe { *self.piece.cast::<&(dyn Fn(usize) + Sync)>() };
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| piece(i))) {
                super::lock(&self.panicked).get_or_insert(payload);
            }
            self.done.fetch_add(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private_warmth() -> &'static Warmth {
        // Its own state, so tests running beside these do not touch it.
        Box::leak(Box::new(Warmth::new()))
    }

    #[test]
    fn spinners_leave_the_callers_core_free() {
        assert_eq!(spinners_for(1), 0);
        let cores = cores();
        assert_eq!(spinners_for(cores), cores - 1);
        assert_eq!(spinners_for(cores * 4), cores - 1);
    }

    #[test]
    fn shared_work_runs_each_piece_once_then_spinners_stop() {
        let warmth = private_warmth();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        // No spinner yet: nothing is shared.
        assert!(!warmth.share(4, &|_| {}));
        warmth.region_ended(&pool, Duration::from_millis(50));
        let runs: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
        let piece = |i: usize| {
            runs[i].fetch_add(1, Ordering::Relaxed);
        };
        if spinners_for(2) > 0 {
            assert!(warmth.share(runs.len(), &piece));
            assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
        }
        // Rayon work still reaches the pool while a worker spins.
        assert_eq!(pool.install(|| 21 * 2), 42);
        let deadline = Instant::now() + Duration::from_secs(30);
        while warmth.spinning.load(Ordering::Acquire) != 0 {
            assert!(Instant::now() < deadline, "spinners never stopped");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_panicking_piece_panics_the_caller_after_every_piece_ran() {
        let warmth = private_warmth();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        warmth.region_ended(&pool, Duration::from_millis(50));
        if spinners_for(2) == 0 {
            return;
        }
        let runs = AtomicUsize::new(0);
        let r = catch_unwind(AssertUnwindSafe(|| {
            warmth.share(8, &|i| {
                runs.fetch_add(1, Ordering::Relaxed);
                assert_ne!(i, 3, "piece 3 fails");
            })
        }));
        assert!(r.is_err());
        assert_eq!(runs.load(Ordering::Relaxed), 8);
        assert!(!warmth.has_work.load(Ordering::Acquire));
    }
}
