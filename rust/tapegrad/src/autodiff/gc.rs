//! What a tape holds that a garbage-collected host language can see.
//!
//! A tape's nodes may hold foreign objects: a custom gradient's callback is a
//! Python function in the binding, and that function may close over the tape
//! itself (tape -> node -> callback -> closure -> tape). Reference counting
//! alone never frees such a cycle, so a binding's collector needs to ask the
//! tape which callbacks it owns ([`GradientTape::for_each_owned_custom_gradient`])
//! and to break the cycle by dropping what the tape recorded
//! ([`GradientTape::clear_recorded`]).

use super::tape::REGISTRY;
use super::{CustomGradient, GradientTape};
use crate::ops::Op;

impl GradientTape {
    /// Calls `visit` with each custom-gradient callback this tape alone holds.
    ///
    /// A callback shared with another tape (a node recorded on two nested
    /// tapes) or held elsewhere is skipped: a collector must see each reference
    /// from exactly one owner. Visits nothing from a thread the tape does not
    /// belong to, or while the thread's tapes are busy (a collection that
    /// starts inside a tape operation): reporting fewer references is safe,
    /// it only leaves a cycle for a later collection.
    pub fn for_each_owned_custom_gradient(&self, mut visit: impl FnMut(&dyn CustomGradient)) {
        let _ = REGISTRY.try_with(|r| {
            let Ok(reg) = r.try_borrow() else { return };
            let Some(t) = reg.tapes.get(&self.id()) else { return };
            for node in &t.nodes {
                if let Op::Custom(c) = &node.op
                    && std::sync::Arc::strong_count(c) == 1
                    && let Some(g) = c.solely_owned_grad()
                {
                    visit(g);
                }
            }
        });
    }

    /// Drops everything this tape recorded (as a released tape would), so the
    /// callbacks it held are let go: how a collector breaks a cycle through
    /// the tape. The tape stays usable; gradients it is asked for afterwards
    /// see no recorded ops. The nodes are dropped after the thread's tapes
    /// are unlocked, since dropping a callback may run host code that uses them.
    pub fn clear_recorded(&self) {
        let taken = REGISTRY
            .try_with(|r| {
                let mut reg = r.try_borrow_mut().ok()?;
                let t = reg.tapes.get_mut(&self.id())?;
                t.index.clear();
                t.var_index.clear();
                Some(std::mem::take(&mut t.nodes))
            })
            .ok()
            .flatten();
        drop(taken);
    }
}
