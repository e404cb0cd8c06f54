//! Fork safety: a child of `fork()` gets fresh threading state.
//!
//! `fork` copies only the calling thread. The pool's workers, the warm
//! spinners and any thread that held one of our locks do not exist in the
//! child, so the parent's pool would never run a job there (the child of a
//! `multiprocessing` fork pool hung in rayon's registry) and a lock held at
//! the moment of the fork would stay locked forever.
//!
//! Registered once with `pthread_atfork` (so every fork counts, from Python's
//! `os.fork`, `multiprocessing` or C code):
//! - *prepare* (parent, before the fork) takes the pool slot, the buffer
//!   cache and the warm-work slot, in that fixed order, so no other thread
//!   holds one of them across the fork;
//! - *parent* releases them;
//! - *child* resets what names parent threads (the pool is forgotten, not
//!   dropped: dropping would signal workers that are not there; the warm
//!   spinner count goes to zero, posted work is cleared), then releases them.
//!   The next parallel region in the child builds a fresh pool.

use std::cell::RefCell;
use std::sync::{Once, RwLockWriteGuard};

/// The locks held from *prepare* to *parent*/*child*, on the forking thread.
struct Held {
    pool: RwLockWriteGuard<'static, Option<std::sync::Arc<rayon::ThreadPool>>>,
    /// Held only for its lock.
    _cache: crate::kernels::alloc::CacheGuard,
    warm: super::warm::PostedGuard,
}

thread_local! {
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Installs the fork handlers (once per process; later calls do nothing).
pub fn install_fork_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        {
            unsafe extern "C" {
                fn pthread_atfork(
                    prepare: Option<extern "C" fn()>,
                    parent: Option<extern "C" fn()>,
                    child: Option<extern "C" fn()>,
                ) -> i32;
            }
            // SAFETY: the three handlers are `extern "C"` functions that never
            // unwind (no panicking calls: poisoned locks are taken back, the
            // RefCell is only borrowed here, one at a time); registering them
            // has no other precondition.
            let _ = unsafe { pthread_atfork(Some(prepare), Some(parent), Some(child)) };
        }
    });
}

extern "C" fn prepare() {
    let pool = super::POOL.write().unwrap_or_else(|e| e.into_inner());
    let cache = crate::kernels::alloc::hold_cache();
    let warm = super::warm::hold_posted();
    let _ = HELD.try_with(|h| {
        if let Ok(mut h) = h.try_borrow_mut() {
            *h = Some(Held { pool, _cache: cache, warm });
        }
    });
}

extern "C" fn parent() {
    let _ = HELD.try_with(|h| h.try_borrow_mut().map(|mut h| h.take()).ok().flatten());
}

extern "C" fn child() {
    let held = HELD.try_with(|h| h.try_borrow_mut().map(|mut h| h.take()).ok().flatten()).ok().flatten();
    if let Some(mut held) = held {
        // The parent's workers are gone: never touch (or drop) their pool.
        if let Some(old) = held.pool.take() {
            std::mem::forget(old);
        }
        super::SIZE.store(0, std::sync::atomic::Ordering::Relaxed);
        super::warm::reset_after_fork(&mut held.warm);
        drop(held);
    }
}
