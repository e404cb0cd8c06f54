//! Output allocation for kernels, with a small cache of recently freed large buffers.
//!
//! A fresh multi-megabyte `Vec` is a fresh `mmap` in glibc: every 4 KiB page of
//! it page-faults (and is zeroed by the kernel) on first write, which costs about
//! as much as the arithmetic of a memory-bound kernel. Most workloads allocate the
//! same few sizes over and over (one step of a training loop looks like the last),
//! so buffers of at least [`MIN_BYTES`] are handed back here when their last
//! [`Tensor`](crate::Tensor) drops and reused by the next kernel asking for the
//! same dtype and length, already faulted in.
//!
//! Bounded and peak-neutral: at most [`MAX_ENTRIES`] buffers and [`MAX_BYTES`]
//! bytes are kept, and a request that finds no match first frees the whole cache,
//! so cached buffers never sit next to a new allocation (peak memory stays what it
//! would be without the cache). Fresh large allocations are advised as huge-page
//! candidates on Linux, which cuts their page faults by up to 512×.

use std::sync::Mutex;

use crate::{Buffer, Element};

/// Buffers smaller than this are left to the allocator (glibc reuses them itself).
pub(crate) const MIN_BYTES: usize = 1 << 20;
/// At most this many buffers are cached.
const MAX_ENTRIES: usize = 4;
/// At most this many bytes are cached.
const MAX_BYTES: usize = 256 << 20;

pub(crate) struct Cache {
    /// Oldest first.
    bufs: Vec<Buffer>,
    bytes: usize,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache { bufs: Vec::new(), bytes: 0 });

fn lock() -> std::sync::MutexGuard<'static, Cache> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The cache's lock, held across a `fork` (see `threading::fork`).
pub(crate) type CacheGuard = std::sync::MutexGuard<'static, Cache>;

/// Locks the cache until the guard drops (the fork handlers' *prepare*).
pub(crate) fn hold_cache() -> CacheGuard {
    lock()
}

fn nbytes(b: &Buffer) -> usize {
    b.len() * b.dtype().size_in_bytes()
}

/// An element type kernels allocate outputs of.
pub(crate) trait Pooled: Element + Default {
    /// The vector inside `b` if it holds this type, else `b` back.
    fn unwrap_buffer(b: Buffer) -> std::result::Result<Vec<Self>, Buffer>;
}

macro_rules! impl_pooled {
    ($t:ty, $v:ident) => {
        impl Pooled for $t {
            fn unwrap_buffer(b: Buffer) -> std::result::Result<Vec<Self>, Buffer> {
                match b {
                    Buffer::$v(v) => Ok(v),
                    other => Err(other),
                }
            }
        }
    };
}
impl_pooled!(f32, F32);
impl_pooled!(f64, F64);
impl_pooled!(i32, I32);
impl_pooled!(i64, I64);
impl_pooled!(bool, Bool);

/// A vector of length `n` whose contents are unspecified (but valid values of
/// `T`): the caller overwrites every element.
pub(crate) fn alloc<T: Pooled>(n: usize) -> Vec<T> {
    let bytes = n * std::mem::size_of::<T>();
    if bytes < MIN_BYTES {
        return vec![T::default(); n];
    }
    let stale = {
        let mut c = lock();
        if let Some(i) = c.bufs.iter().position(|b| b.dtype() == T::DTYPE && b.len() == n) {
            let b = c.bufs.remove(i);
            c.bytes -= bytes;
            if let Ok(v) = T::unwrap_buffer(b) {
                return v;
            }
            Vec::new()
        } else {
            // A miss: free everything cached before allocating (outside the lock).
            c.bytes = 0;
            std::mem::take(&mut c.bufs)
        }
    };
    drop(stale);
    // Zeroed allocation: for large sizes this is a fresh mapping, zeroed lazily by the OS.
    let v = vec![T::default(); n];
    advise_huge(v.as_ptr().cast(), bytes);
    v
}

/// Offers a buffer whose last owner is going away to the cache (the drop hook
/// of [`Tensor`](crate::Tensor)). Small buffers are left alone.
pub(crate) fn recycle(buf: &mut Buffer) {
    let bytes = nbytes(buf);
    if !(MIN_BYTES..=MAX_BYTES).contains(&bytes) {
        return;
    }
    let b = std::mem::replace(buf, Buffer::Bool(Vec::new()));
    let mut evicted = Vec::new();
    {
        let mut c = lock();
        c.bytes += bytes;
        c.bufs.push(b);
        while c.bufs.len() > MAX_ENTRIES || c.bytes > MAX_BYTES {
            let old = c.bufs.remove(0);
            c.bytes -= nbytes(&old);
            evicted.push(old);
        }
    }
    // Freed outside the lock.
    drop(evicted);
}

/// Frees every cached buffer.
pub fn release_cache() {
    let bufs = {
        let mut c = lock();
        c.bytes = 0;
        std::mem::take(&mut c.bufs)
    };
    drop(bufs);
}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *const u8, bytes: usize) {
    const MADV_HUGEPAGE: i32 = 14;
    const HUGE: usize = 2 << 20;
    unsafe extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    if bytes < 2 * HUGE {
        return;
    }
    // Only whole huge pages inside the allocation.
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + bytes) / HUGE * HUGE;
    if end > start {
        // SAFETY: `[start, end)` lies inside a live allocation this thread owns;
        // MADV_HUGEPAGE only changes how the kernel backs those pages, never their
        // contents or validity, and failure (e.g. THP disabled) is harmless.
        let _ = unsafe { madvise(start as *mut std::ffi::c_void, end - start, MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *const u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuses_matching_buffers_and_flushes_on_miss() {
        // Other tests allocate concurrently, so only check what this test controls.
        let n = (MIN_BYTES / 4) + 3;
        let mut b = Buffer::F32(vec![7.0; n]);
        recycle(&mut b);
        assert!(b.is_empty());
        let v: Vec<f32> = alloc(n);
        assert_eq!(v.len(), n);
        let small: Vec<f64> = alloc(10);
        assert_eq!(small, vec![0.0; 10]);
        let mut big = Buffer::I64(vec![1; MAX_BYTES / 8 + 1]);
        recycle(&mut big);
        assert_eq!(big.len(), MAX_BYTES / 8 + 1, "over the cap: left alone");
        release_cache();
    }
}
