//! The arena tape and the thread-local stack of active tapes.
//!
//! # Note \[Recording\]
//! Each tape is an arena: `nodes` is a `Vec<Node>` in creation order, which is
//! already a topological order, so the backward pass is a reverse scan with no
//! sort, no visited set and no recursion. Values (tensors the tape has seen) get
//! dense `ValueId`s; `index` maps the process-wide `TensorId` to them, and
//! `var_index` maps watched variables to the `ValueId` of their handle.
//!
//! An op is recorded on every active, non-paused tape on which at least one of
//! its inputs has a `ValueId` (TF's `ShouldRecord`), and only after its forward
//! kernel succeeded, so a failed op leaves every tape untouched. Outputs that are
//! not float (comparisons, argmax, casts to int) are never recorded.
//!
//! Tapes are thread-local, as in TensorFlow ("not thread-safe"): recording needs
//! no lock, and the per-op cost with no active tape is one thread-local read.

use std::cell::{Cell, RefCell};

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use crate::ops::Op;
use crate::variable::{VarId, Variable};
use crate::{Error, Result, Tensor, TensorId};

/// Dense index of a value on one tape.
pub type ValueId = u32;

/// Identity of a tape within its thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TapeId(pub u64);

/// One recorded op: what ran, which tape values it read and wrote, and the
/// tensors its gradient rule needs (shared, never copied).
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub op: Op,
    /// Tape value of each input, `None` for inputs the tape never saw (constants).
    pub inputs: SmallVec<[Option<ValueId>; 2]>,
    pub output: ValueId,
    /// Outputs after the first, for the one op with several (`Op::Custom`);
    /// empty, and allocation-free, for every other op.
    pub extra_outputs: Box<[ValueId]>,
    /// The input tensors, in order; shape-only ghosts where the rule reads no data.
    pub saved_inputs: SmallVec<[Tensor; 2]>,
    /// The output tensor, or its ghost.
    pub saved_output: Tensor,
}

/// Everything one tape holds.
#[derive(Debug, Default)]
pub(crate) struct TapeData {
    pub persistent: bool,
    pub watch_accessed_variables: bool,
    pub nodes: Vec<Node>,
    pub num_values: u32,
    pub index: FxHashMap<TensorId, ValueId>,
    pub var_index: FxHashMap<VarId, ValueId>,
    pub watched_vars: Vec<Variable>,
    /// Values that are variable handles: the variable's current value when watched
    /// (used for `unconnected_gradients=ZERO` shapes).
    pub consumed: bool,
    pub paused: u32,
}

impl Node {
    /// Every output value, the first one first.
    pub fn outputs(&self) -> impl Iterator<Item = ValueId> + '_ {
        std::iter::once(self.output).chain(self.extra_outputs.iter().copied())
    }
}

impl TapeData {
    fn new_value(&mut self) -> ValueId {
        let v = self.num_values;
        self.num_values += 1;
        v
    }

    /// Watches a tensor: gives it a value id if it has none.
    pub fn watch_tensor(&mut self, t: &Tensor) {
        if !self.index.contains_key(&t.id()) {
            let v = self.new_value();
            self.index.insert(t.id(), v);
        }
    }

    /// Watches a variable: gives its handle a value id if it has none.
    pub fn watch_variable(&mut self, var: &Variable) {
        if !self.var_index.contains_key(&var.id()) {
            let v = self.new_value();
            self.var_index.insert(var.id(), v);
            self.watched_vars.push(var.clone());
        }
    }

    /// Forgets everything recorded (TF's `reset`), keeping the options.
    pub fn clear(&mut self) {
        self.nodes = Vec::new();
        self.num_values = 0;
        self.index = FxHashMap::default();
        self.var_index = FxHashMap::default();
        self.watched_vars = Vec::new();
    }
}

#[derive(Default)]
pub(crate) struct Registry {
    next_id: u64,
    pub tapes: FxHashMap<TapeId, TapeData>,
    /// Active tapes, innermost last.
    pub active: Vec<TapeId>,
    /// Live variable watchers (see [`VariableWatcher`]), each with the trainable
    /// variables read since it started, in first-read order.
    watchers: Vec<(u64, Vec<Variable>)>,
}

thread_local! {
    pub(crate) static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    /// Number of tapes that are active and not paused: the one read every op pays.
    static RECORDING: Cell<usize> = const { Cell::new(0) };
    /// Number of live variable watchers: the one read every variable read pays.
    static WATCHING: Cell<usize> = const { Cell::new(0) };
}

/// True if any tape on this thread is recording. One thread-local read.
#[inline]
pub fn is_recording() -> bool {
    RECORDING.with(|c| c.get()) > 0
}

fn refresh_recording(reg: &Registry) {
    let n = reg.active.iter().filter(|id| reg.tapes.get(id).is_some_and(|t| t.paused == 0)).count();
    RECORDING.with(|c| c.set(n));
    WATCHING.with(|c| c.set(reg.watchers.len()));
}

pub(crate) fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    REGISTRY.with(|r| {
        let mut reg = r.borrow_mut();
        let out = f(&mut reg);
        refresh_recording(&reg);
        out
    })
}

pub(crate) fn with_tape<R>(id: TapeId, f: impl FnOnce(&mut TapeData) -> Result<R>) -> Result<R> {
    with_registry(|reg| match reg.tapes.get_mut(&id) {
        Some(t) => f(t),
        None => Err(Error::TapeMisuse(
            "this tape was released or belongs to another thread; tapes are thread-local".into(),
        )),
    })
}

pub(crate) fn create(persistent: bool, watch_accessed_variables: bool) -> TapeId {
    with_registry(|reg| {
        reg.next_id += 1;
        let id = TapeId(reg.next_id);
        reg.tapes.insert(id, TapeData { persistent, watch_accessed_variables, ..Default::default() });
        id
    })
}

pub(crate) fn release(id: TapeId) {
    // `try_with`: a tape dropped during thread teardown has nothing left to free.
    // The tape's data is dropped after the registry is unlocked: it may hold
    // foreign callbacks whose drop runs code that releases other tapes.
    let taken = REGISTRY.try_with(|r| {
        let mut reg = r.try_borrow_mut().ok()?;
        let t = reg.tapes.remove(&id);
        reg.active.retain(|a| *a != id);
        refresh_recording(&reg);
        t
    });
    drop(taken);
}

/// Records `op` (already computed: `output` from `inputs`) on every active tape
/// that has seen one of the inputs. Called by every differentiable op.
#[inline]
pub(crate) fn record(op: Op, inputs: &[&Tensor], output: &Tensor) {
    if !is_recording() || !output.dtype().is_float() {
        return;
    }
    record_slow(op, inputs, output);
}

/// Calls `record_on` for every active, recording tape of this thread that has
/// seen one of `inputs`, with the inputs' value ids there (TF's `ShouldRecord`).
fn on_tapes_that_saw(
    inputs: &[&Tensor],
    mut record_on: impl FnMut(&mut TapeData, SmallVec<[Option<ValueId>; 2]>),
) {
    REGISTRY.with(|r| {
        let Ok(mut reg) = r.try_borrow_mut() else { return };
        let reg = &mut *reg;
        for tape_id in reg.active.iter() {
            let Some(tape) = reg.tapes.get_mut(tape_id) else { continue };
            if tape.paused > 0 || tape.consumed {
                continue;
            }
            let ids: SmallVec<[Option<ValueId>; 2]> =
                inputs.iter().map(|t| tape.index.get(&t.id()).copied()).collect();
            if ids.iter().all(Option::is_none) {
                continue;
            }
            record_on(tape, ids);
        }
    });
}

#[cold]
fn record_slow(op: Op, inputs: &[&Tensor], output: &Tensor) {
    on_tapes_that_saw(inputs, |tape, ids| {
        let out = tape.new_value();
        tape.index.insert(output.id(), out);
        let saved_inputs = inputs
            .iter()
            .enumerate()
            .map(|(i, t)| if op.needs_input(i) { (*t).clone() } else { t.ghost() })
            .collect();
        let saved_output = if op.needs_output() { output.clone() } else { output.ghost() };
        tape.nodes.push(Node {
            op: op.clone(),
            inputs: ids,
            output: out,
            extra_outputs: Box::default(),
            saved_inputs,
            saved_output,
        });
    });
}

/// Records a read of `var` that produced `read` (a fresh id over the variable's
/// value): on each recording tape that watches the variable — or, with
/// `watch_accessed_variables`, auto-watches a trainable one — as an identity
/// from the variable's handle value.
pub(crate) fn record_variable_read(var: &Variable, value: &Tensor, read: &Tensor) {
    if !read.dtype().is_float() {
        return;
    }
    REGISTRY.with(|r| {
        let Ok(mut reg) = r.try_borrow_mut() else { return };
        let reg = &mut *reg;
        for tape_id in reg.active.iter() {
            let Some(tape) = reg.tapes.get_mut(tape_id) else { continue };
            if tape.paused > 0 || tape.consumed {
                continue;
            }
            if !tape.var_index.contains_key(&var.id()) {
                if !(tape.watch_accessed_variables && var.trainable()) {
                    continue;
                }
                tape.watch_variable(var);
            }
            let Some(&handle) = tape.var_index.get(&var.id()) else { continue };
            let out = tape.new_value();
            tape.index.insert(read.id(), out);
            tape.nodes.push(Node {
                op: Op::Identity,
                inputs: SmallVec::from_elem(Some(handle), 1),
                output: out,
                extra_outputs: Box::default(),
                // Identity's rule needs shapes only: keep no reference to the value.
                saved_inputs: SmallVec::from_elem(value.ghost(), 1),
                saved_output: read.ghost(),
            });
        }
    });
}

/// True if some recording tape would record a read of `var`: lets
/// [`Variable::read`] skip minting a fresh id when nothing watches it.
pub(crate) fn any_tape_reads(var: &Variable) -> bool {
    if !is_recording() {
        return false;
    }
    REGISTRY.with(|r| {
        let Ok(reg) = r.try_borrow() else { return false };
        reg.active.iter().any(|id| {
            reg.tapes.get(id).is_some_and(|t| {
                t.paused == 0
                    && !t.consumed
                    && (t.var_index.contains_key(&var.id())
                        || (t.watch_accessed_variables && var.trainable()))
            })
        })
    })
}

/// Records a custom-gradient op (see `autodiff::custom`): `outputs` (fresh ids,
/// already computed) from `inputs`, on every active tape that has seen one of
/// the inputs. Non-float outputs get a value slot, so the node knows where each
/// output's gradient lives, but no index entry: nothing downstream of them is
/// recorded and their gradient is always zeros.
pub(crate) fn record_custom(op: &Op, inputs: &[&Tensor], outputs: &[Tensor]) {
    if !is_recording() || outputs.is_empty() {
        return;
    }
    on_tapes_that_saw(inputs, |tape, ids| {
        let outs: SmallVec<[ValueId; 2]> = outputs
            .iter()
            .map(|o| {
                let v = tape.new_value();
                if o.dtype().is_float() {
                    tape.index.insert(o.id(), v);
                }
                v
            })
            .collect();
        tape.nodes.push(Node {
            op: op.clone(),
            inputs: ids,
            output: outs[0],
            extra_outputs: outs[1..].into(),
            saved_inputs: inputs.iter().map(|t| t.ghost()).collect(),
            saved_output: outputs[0].ghost(),
        });
    });
}

/// Collects the trainable variables read on this thread while it lives (TF's
/// `VariableWatcher`, which `custom_gradient` uses to find the variables a
/// function reads). Watchers nest; each sees every read made in its lifetime.
///
/// ```
/// use tapegrad::autodiff::VariableWatcher;
/// use tapegrad::{Tensor, Variable};
/// let w = Variable::new(Tensor::scalar(1.0f32), "w", true);
/// let frozen = Variable::new(Tensor::scalar(2.0f32), "frozen", false);
/// let watcher = VariableWatcher::new();
/// let _ = (w.read(), frozen.read(), w.read());
/// let seen = watcher.watched_variables();
/// assert_eq!(seen.len(), 1); // trainable ones only, each once
/// assert_eq!(seen[0].id(), w.id());
/// ```
#[derive(Debug)]
pub struct VariableWatcher {
    id: u64,
    /// Thread-local: dropping it elsewhere would unregister another thread's watcher.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl VariableWatcher {
    /// Starts watching variable reads on this thread.
    #[allow(clippy::new_without_default)] // starting to watch is an action, not a default value
    pub fn new() -> VariableWatcher {
        let id = with_registry(|reg| {
            reg.next_id += 1;
            reg.watchers.push((reg.next_id, Vec::new()));
            reg.next_id
        });
        VariableWatcher { id, _not_send: std::marker::PhantomData }
    }

    /// The trainable variables read so far, in first-read order.
    pub fn watched_variables(&self) -> Vec<Variable> {
        with_registry(|reg| {
            reg.watchers.iter().find(|(id, _)| *id == self.id).map(|(_, v)| v.clone()).unwrap_or_default()
        })
    }
}

impl Drop for VariableWatcher {
    fn drop(&mut self) {
        let _ = REGISTRY.try_with(|r| {
            if let Ok(mut reg) = r.try_borrow_mut() {
                reg.watchers.retain(|(id, _)| *id != self.id);
                refresh_recording(&reg);
            }
        });
    }
}

/// Tells every live [`VariableWatcher`] that `var` was read (trainable ones only, as TF).
#[inline]
pub(crate) fn variable_accessed(var: &Variable) {
    if WATCHING.with(|c| c.get()) == 0 || !var.trainable() {
        return;
    }
    REGISTRY.with(|r| {
        let Ok(mut reg) = r.try_borrow_mut() else { return };
        for (_, seen) in reg.watchers.iter_mut() {
            if !seen.iter().any(|v| v.id() == var.id()) {
                seen.push(var.clone());
            }
        }
    });
}
