//! Cooperative interruption of long computations (Ctrl-C).
//!
//! The core knows nothing of signals: a host installs one check with
//! [`set_interrupt_check`] (the Python binding's takes the GIL for a moment and
//! runs Python's signal handlers, so `KeyboardInterrupt` is raised there), and
//! long loops -- the sequential backward pass, node by node -- call
//! `Poll::tick`. A tick is a counter increment; every few ticks it reads the
//! clock, and it calls the host's check at most once per [`INTERVAL`]. A check
//! that fails stops the loop with its error. A persistent tape's backward pass
//! works on a copy of the recorded nodes, so an interrupted pass leaves the tape
//! as it was.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::Result;

/// How often, at most, the host's check runs during one long loop: short
/// enough that an interrupt lands within ~100 ms, long enough to cost nothing.
pub const INTERVAL: Duration = Duration::from_millis(20);

/// Ticks between two reads of the clock.
const TICKS_PER_CLOCK_READ: u32 = 4;

static CHECK: OnceLock<fn() -> Result<()>> = OnceLock::new();

/// Installs the host's interrupt check (once per process; later calls are ignored).
///
/// ```
/// tapegrad::interrupt::set_interrupt_check(|| Ok(()));
/// ```
pub fn set_interrupt_check(check: fn() -> Result<()>) {
    let _ = CHECK.set(check);
}

/// The polling state of one long loop.
#[derive(Debug)]
pub(crate) struct Poll {
    ticks: u32,
    next_check: Option<Instant>,
}

impl Poll {
    /// A poll whose first check may run [`INTERVAL`] from now.
    pub(crate) fn new() -> Poll {
        Poll { ticks: 0, next_check: None }
    }

    /// Called once per unit of work; the host's error if it says to stop.
    #[inline]
    pub(crate) fn tick(&mut self) -> Result<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks % TICKS_PER_CLOCK_READ != 0 {
            return Ok(());
        }
        let Some(check) = CHECK.get() else { return Ok(()) };
        let now = Instant::now();
        match self.next_check {
            None => {
                self.next_check = Some(now + INTERVAL);
                Ok(())
            }
            Some(t) if now < t => Ok(()),
            Some(_) => {
                self.next_check = Some(now + INTERVAL);
                check()
            }
        }
    }
}
