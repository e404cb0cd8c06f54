//! The one thread pool every parallel kernel and backward pass runs on.
//!
//! rayon's global pool can be sized only once per process, but TF's
//! `config.threading.set_intra_op_parallelism_threads(n)` may be called at any
//! time, so tapegrad owns its pool and rebuilds it on change (DESIGN §6.6). The
//! size comes from, in order: the last [`set_num_threads`], the
//! `TAPEGRAD_NUM_THREADS` environment variable, the number of cores.
//!
//! Between parallel regions some workers stay awake for a moment and take part
//! in the caller's next one (`warm`, [`for_each_piece`]).
//!
//! Results never depend on the size (kernels split work into fixed-size chunks
//! and combine partials in chunk order), so changing it changes speed only.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::{Error, Result};

mod fork;
mod warm;

pub use fork::install_fork_handlers;

static POOL: RwLock<Option<Arc<ThreadPool>>> = RwLock::new(None);
/// The pool's size, readable without a lock (0 = not built yet).
static SIZE: AtomicUsize = AtomicUsize::new(0);

fn default_threads() -> usize {
    std::env::var("TAPEGRAD_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

fn build(n: usize) -> Result<Arc<ThreadPool>> {
    ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("tapegrad-{i}"))
        // TF's pool threads flush subnormals too (see `denormal`).
        .start_handler(|_| crate::denormal::flush_forever())
        .build()
        .map(Arc::new)
        .map_err(|e| Error::arg("set_num_threads", format!("could not start {n} threads: {e}")))
}

/// Locks `m`, taking the data back if a panicking thread poisoned the lock:
/// every value tapegrad guards stays valid across a panic (a panic is turned
/// into an error at the binding), so poisoning must not wedge later calls.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The pool, built on first use.
pub fn pool() -> Result<Arc<ThreadPool>> {
    if let Some(p) = POOL.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
        return Ok(p.clone());
    }
    let mut slot = POOL.write().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = slot.as_ref() {
        return Ok(p.clone());
    }
    install_fork_handlers();
    let p = build(default_threads())?;
    SIZE.store(p.current_num_threads(), Ordering::Relaxed);
    *slot = Some(p.clone());
    Ok(p)
}

/// Sets the number of threads (0 = back to the default). Takes effect for the
/// next parallel region; running ones finish on the old pool.
///
/// ```
/// tapegrad::threading::set_num_threads(2).unwrap();
/// assert_eq!(tapegrad::threading::num_threads(), 2);
/// tapegrad::threading::set_num_threads(0).unwrap();
/// ```
pub fn set_num_threads(n: usize) -> Result<()> {
    let n = if n == 0 { default_threads() } else { n };
    install_fork_handlers();
    let p = build(n)?;
    SIZE.store(p.current_num_threads(), Ordering::Relaxed);
    *POOL.write().unwrap_or_else(|e| e.into_inner()) = Some(p);
    Ok(())
}

/// The number of threads parallel work uses.
pub fn num_threads() -> usize {
    pool().map(|p| p.current_num_threads()).unwrap_or(1)
}

/// True when the pool has one thread: kernels then run their chunks inline on
/// the caller instead of handing them to the pool's one worker, a wake-up that
/// costs more than a 100k-element kernel (see `kernels::parallel`).
pub fn single_threaded() -> bool {
    match SIZE.load(Ordering::Relaxed) {
        0 => num_threads() == 1,
        n => n == 1,
    }
}

/// Runs `f` inside the pool, so rayon calls in it (and gemm's
/// `Parallelism::Rayon`) use tapegrad's threads. Runs `f` on the calling thread
/// if the pool cannot be built (a single-threaded machine still computes).
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    // Already on a pool's worker (ours, or one a caller chose with its own
    // `install`): stay there rather than hop pools.
    if rayon::current_thread_index().is_some() {
        return f();
    }
    match pool() {
        Ok(p) => {
            let r = p.install(f);
            warm::region_ended(&p);
            r
        }
        Err(_) => f(),
    }
}

/// Runs `piece(0)`, ..., `piece(count - 1)` in parallel, each once, all
/// finished on return.
///
/// From outside the pool, while workers are still awake from recent work (see
/// `warm`), the calling thread computes pieces too and the awake workers claim
/// the others: no worker has to be woken, which on small VMs cost more than a
/// whole piece of a split GEMM. Otherwise it is rayon's parallel loop. Every
/// thread running pieces flushes subnormals (as the pool's threads do), so the
/// bits never depend on who runs what.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// let sum = AtomicUsize::new(0);
/// tapegrad::threading::for_each_piece(4, |p| {
///     sum.fetch_add(p + 1, Ordering::Relaxed);
/// });
/// assert_eq!(sum.into_inner(), 10);
/// ```
pub fn for_each_piece(count: usize, piece: impl Fn(usize) + Sync + Send) {
    use rayon::prelude::*;
    if count <= 1 || single_threaded() {
        let _flush = crate::denormal::FlushDenormals::new();
        (0..count).for_each(piece);
    } else if rayon::current_thread_index().is_some() {
        // On a worker already: its pool's other workers take the rest.
        (0..count).into_par_iter().for_each(piece);
    } else {
        let _flush = crate::denormal::FlushDenormals::new();
        if !warm::share(count, &piece) {
            install(|| (0..count).into_par_iter().for_each(&piece));
        }
    }
}

/// The number of threads parallel work started here would use: the current
/// pool's on one of its workers, else [`num_threads`].
pub(crate) fn threads_here() -> usize {
    if rayon::current_thread_index().is_some() { rayon::current_num_threads() } else { num_threads() }
}
