//! The gradient algorithm.
//!
//! Terminology: a *value* is a tensor a tape has seen (dense `ValueId`); a *node*
//! is a recorded op. Sources are the values we want gradients for; targets are
//! the values we differentiate.
//!
//! 1. **Snapshot.** Under the registry borrow, resolve targets and sources to
//!    value ids and copy out the nodes (op enums plus `Arc` clones of saved
//!    tensors: no tensor data is copied). A non-persistent tape hands its nodes
//!    over instead and is marked consumed. The borrow is then released, so rules
//!    may record on any tape — including this one when `gradient` is called
//!    inside a persistent tape's own context (TF records there too). Nodes those
//!    rules append are past the snapshot and are not visited.
//! 2. **Prune.** A forward sweep marks values that depend on a source; a reverse
//!    sweep marks values the targets depend on. A node runs only if its output
//!    is needed by a target and some input depends on a source (PyTorch's
//!    `exec_info`, TF's `PrepareBackprop`).
//! 3. **Run.** Seed each target with its output gradient (ones by default: a
//!    non-scalar target means the gradient of its sum), then visit nodes in
//!    reverse creation order — a reverse topological order for free — applying
//!    each rule and adding the results into a dense table indexed by value id.
//!    Contributions are added in that fixed order, so results are deterministic.
//!    A custom-gradient node (Note [Custom gradients] in `custom`) is the one
//!    with several outputs: it runs once, with all of their gradients.
//! 4. **Collect.** A source's gradient is its entry in the table; sources the
//!    targets never reach get `None`, or zeros if asked.

use smallvec::SmallVec;

use crate::autodiff::tape::{self, Node, TapeId, ValueId, with_tape};
use crate::autodiff::{accumulate, custom, fused, parallel, rules};
use crate::ops::Op;
use crate::variable::Variable;
use crate::{Error, Result, Tensor, ops};

/// Something to differentiate with respect to.
#[derive(Clone, Debug)]
pub enum Source {
    /// A tensor the tape watched or computed.
    Tensor(Tensor),
    /// A variable the tape watched (explicitly or by reading it).
    Variable(Variable),
}

impl Source {
    /// The value it stands for: the tensor, or the variable's current value.
    ///
    /// ```
    /// use tapegrad::autodiff::Source;
    /// use tapegrad::{Tensor, Variable};
    /// let v = Variable::new(Tensor::scalar(2.0f32), "v", true);
    /// assert_eq!(Source::Variable(v).value().to_scalar::<f32>(), Some(2.0));
    /// ```
    pub fn value(&self) -> Tensor {
        match self {
            Source::Tensor(t) => t.clone(),
            Source::Variable(v) => v.value(),
        }
    }

    /// The same tensor (by id) or the same variable: TF's test for a source
    /// that is also a target.
    fn is(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::Tensor(a), Source::Tensor(b)) => a.id() == b.id(),
            (Source::Variable(a), Source::Variable(b)) => a.id() == b.id(),
            _ => false,
        }
    }

    fn zeros(&self) -> Tensor {
        match self {
            Source::Tensor(t) => ops::zeros_like(t),
            Source::Variable(v) => ops::zeros_like(&v.value()),
        }
    }

    fn shape(&self) -> Vec<usize> {
        match self {
            Source::Tensor(t) => t.shape().to_vec(),
            Source::Variable(v) => v.shape(),
        }
    }

    fn dtype(&self) -> crate::DType {
        match self {
            Source::Tensor(t) => t.dtype(),
            Source::Variable(v) => v.dtype(),
        }
    }
}

/// What to return for a source the targets do not depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unconnected {
    /// `None`, TF's default.
    #[default]
    None,
    /// Zeros shaped like the source.
    Zero,
}

struct Snapshot {
    nodes: Vec<Node>,
    num_values: usize,
    targets: Vec<Option<ValueId>>,
    sources: Vec<Option<ValueId>>,
}

fn snapshot(tape: TapeId, targets: &[Source], sources: &[Source]) -> Result<Snapshot> {
    with_tape(tape, |t| {
        if t.consumed {
            return Err(Error::TapeConsumed);
        }
        // A variable, as target or source, is its handle's value (TF differentiates
        // with respect to the handle): `gradient(v, v)` meets itself there.
        let value_of = |s: &Source| match s {
            Source::Tensor(x) => t.index.get(&x.id()).copied(),
            Source::Variable(v) => t.var_index.get(&v.id()).copied(),
        };
        let targets = targets.iter().map(value_of).collect();
        let sources = sources.iter().map(value_of).collect();
        let num_values = t.num_values as usize;
        let nodes = if t.persistent {
            t.nodes.clone()
        } else {
            // Free the arena now; `watched_variables()` still answers afterwards, as in TF.
            t.consumed = true;
            t.index = Default::default();
            t.var_index = Default::default();
            std::mem::take(&mut t.nodes)
        };
        Ok(Snapshot { nodes, num_values, targets, sources })
    })
}

/// Computes d(sum of targets)/d(source) for each source. See the module docs.
pub(crate) fn gradient(
    tape: TapeId,
    targets: &[Source],
    sources: &[Source],
    output_gradients: Option<&[Option<Tensor>]>,
    unconnected: Unconnected,
) -> Result<Vec<Option<Tensor>>> {
    let mut passes = gradients(tape, targets, sources, &[output_gradients], unconnected)?;
    passes.pop().ok_or_else(|| Error::arg("gradient", "no backward pass ran"))
}

/// One backward pass per entry of `output_gradients` (each weighting the
/// targets as in [`gradient`]), all over one snapshot of the tape: what a
/// Jacobian needs, and it consumes a non-persistent tape only once (TF's
/// vectorised `jacobian` also works on one).
pub(crate) fn gradients(
    tape: TapeId,
    targets: &[Source],
    sources: &[Source],
    output_gradients: &[Option<&[Option<Tensor>]>],
    unconnected: Unconnected,
) -> Result<Vec<Vec<Option<Tensor>>>> {
    let target_values: Vec<Tensor> = targets.iter().map(Source::value).collect();
    for og in output_gradients {
        check_output_gradients(&target_values, *og)?;
    }
    // The whole pass flushes subnormals, on this thread as on the pool's, so the
    // sequential and parallel executors compute the same bits (and TF's values).
    let _flush = crate::denormal::FlushDenormals::new();
    let persistent = with_tape(tape, |t| Ok(t.persistent))?;
    let mut snap = snapshot(tape, targets, sources)?;
    let plan = Plan::new(&snap, sources);

    // Rules recorded on an outer tape must run in this thread's order; the
    // parallel executor is for the unrecorded fast path on big, wide graphs.
    let recording = tape::is_recording();
    let parallel = !recording && parallel::worth_it(&snap.nodes, &plan);
    let mut passes = Vec::with_capacity(output_gradients.len());
    for (k, og) in output_gradients.iter().enumerate() {
        let seeds = seeds(&target_values, &snap.targets, *og)?;
        // A non-persistent tape's nodes free what they saved during the last pass.
        let release = !persistent && k + 1 == output_gradients.len();
        let grads = if parallel {
            parallel::run(&snap.nodes, &plan, seeds)?
        } else {
            run_sequential(&mut snap.nodes, &plan, seeds, recording, release)?
        };
        if release {
            // Nothing reads the nodes again: free them before the results are built.
            snap.nodes = Vec::new();
        }
        let mut grads = collect(&snap, &plan, sources, &grads, unconnected)?;
        add_targets_that_are_sources(&mut grads, &snap, targets, &target_values, sources, *og)?;
        passes.push(grads);
    }
    Ok(passes)
}

/// A source that is itself a target gets that target's seed even when the tape
/// never saw it (TF's `sources_that_are_targets`: `gradient(x, x)` is ones for
/// an unwatched `x`, and `gradient([v, 2 * v], v)` is 3). A target the tape did
/// see was seeded in the table already, so only unseen ones are added here.
fn add_targets_that_are_sources(
    grads: &mut [Option<Tensor>],
    snap: &Snapshot,
    targets: &[Source],
    target_values: &[Tensor],
    sources: &[Source],
    output_gradients: Option<&[Option<Tensor>]>,
) -> Result<()> {
    for (j, (target, value)) in targets.iter().zip(target_values).enumerate() {
        if snap.targets[j].is_some() || !value.dtype().is_float() {
            continue;
        }
        for (grad, source) in grads.iter_mut().zip(sources) {
            if !source.is(target) {
                continue;
            }
            let seed = match output_gradients.and_then(|og| og[j].clone()) {
                Some(g) => ops::cast(&g, value.dtype())?,
                None => ops::ones_like(value),
            };
            *grad = Some(match grad.take() {
                Some(g) => ops::add(&g, &seed)?,
                None => seed,
            });
        }
    }
    Ok(())
}

/// Each target's output gradient, ones by default.
fn seeds(
    targets: &[Tensor],
    values: &[Option<ValueId>],
    output_gradients: Option<&[Option<Tensor>]>,
) -> Result<Vec<(ValueId, Tensor)>> {
    let mut seeds: Vec<(ValueId, Tensor)> = Vec::new();
    for (i, (t, v)) in targets.iter().zip(values).enumerate() {
        let Some(v) = *v else { continue };
        if !t.dtype().is_float() {
            continue;
        }
        let seed = match output_gradients.and_then(|og| og[i].clone()) {
            Some(g) => ops::cast(&g, t.dtype())?,
            None => ops::ones_like(t),
        };
        seeds.push((v, seed));
    }
    Ok(seeds)
}

/// Each source's gradient from the table (step 4 of the module docs).
fn collect(
    snap: &Snapshot,
    plan: &Plan,
    sources: &[Source],
    grads: &[Option<Tensor>],
    unconnected: Unconnected,
) -> Result<Vec<Option<Tensor>>> {
    snap.sources
        .iter()
        .zip(sources)
        .map(|(v, src)| {
            let g = v.and_then(|v| if plan.is_source[v as usize] { grads[v as usize].clone() } else { None });
            match (g, unconnected) {
                // A lazy gradient (Note [Lazy gradients]) becomes the full tensor here.
                (Some(g), _) => Some(materialise(g, &src.shape())).transpose(),
                (None, Unconnected::Zero) if src.dtype().is_float() => Ok(Some(src.zeros())),
                (None, _) => Ok(None),
            }
        })
        .collect::<Result<_>>()
}

/// A source's gradient as a full tensor of its shape, computed: a lazy
/// gradient is broadcast, a fused one (Note [Fusion]) evaluated here, inside
/// the pass, rather than on the caller's first read.
fn materialise(g: Tensor, shape: &[usize]) -> Result<Tensor> {
    let g = if g.shape() == shape { g } else { ops::broadcast_to(&g, shape)? };
    Ok(g.into_computed())
}

fn check_output_gradients(targets: &[Tensor], output_gradients: Option<&[Option<Tensor>]>) -> Result<()> {
    let Some(og) = output_gradients else { return Ok(()) };
    if og.len() != targets.len() {
        return Err(Error::arg(
            "gradient",
            format!("got {} output_gradients for {} targets; pass one per target", og.len(), targets.len()),
        ));
    }
    for (i, (g, t)) in og.iter().zip(targets).enumerate() {
        if let Some(g) = g {
            if g.shape() != t.shape() {
                return Err(Error::OutputGradientShape {
                    index: i,
                    got: g.shape().to_vec(),
                    expected: t.shape().to_vec(),
                });
            }
            // TF multiplies the seed into the first rule and fails there.
            if g.dtype() != t.dtype() {
                return Err(Error::DTypeMismatch { op: "gradient", lhs: g.dtype(), rhs: t.dtype() });
            }
        }
    }
    Ok(())
}

/// Which values and nodes the backward pass touches (step 2 of the module docs).
pub(crate) struct Plan {
    /// Values that depend on a source.
    pub from_source: Vec<bool>,
    /// Values asked for.
    pub is_source: Vec<bool>,
    /// Nodes that run.
    pub needed: Vec<bool>,
}

impl Plan {
    fn new(snap: &Snapshot, sources: &[Source]) -> Plan {
        let n = snap.num_values;
        let mut from_source = vec![false; n];
        let mut is_source = vec![false; n];
        for (s, src) in snap.sources.iter().zip(sources) {
            if let Some(v) = *s {
                // Integer sources get no gradient (TF warns and returns None).
                if src.dtype().is_float() {
                    from_source[v as usize] = true;
                    is_source[v as usize] = true;
                }
            }
        }
        for node in &snap.nodes {
            if node.inputs.iter().flatten().any(|&v| from_source[v as usize]) {
                for out in node.outputs() {
                    from_source[out as usize] = true;
                }
            }
        }
        let mut reach = vec![false; n];
        for v in snap.targets.iter().flatten() {
            reach[*v as usize] = true;
        }
        let mut needed = vec![false; snap.nodes.len()];
        for (i, node) in snap.nodes.iter().enumerate().rev() {
            if node.outputs().any(|out| reach[out as usize])
                && node.inputs.iter().flatten().any(|&v| from_source[v as usize])
            {
                needed[i] = true;
                for &v in node.inputs.iter().flatten() {
                    reach[v as usize] = true;
                }
            }
        }
        Plan { from_source, is_source, needed }
    }

    /// Per input of `node`: does its value want a gradient?
    pub fn needs(&self, node: &Node) -> SmallVec<[bool; 4]> {
        node.inputs.iter().map(|v| v.is_some_and(|v| self.from_source[v as usize])).collect()
    }
}

/// Reverse creation order on the calling thread: the order that defines every
/// sum's association (see `parallel`, which reproduces it bit for bit).
fn run_sequential(
    nodes: &mut [Node],
    plan: &Plan,
    seeds: Vec<(ValueId, Tensor)>,
    recording: bool,
    release: bool,
) -> Result<Vec<Option<Tensor>>> {
    let mut grads: Vec<Option<Tensor>> = vec![None; plan.from_source.len()];
    for (v, seed) in seeds {
        accumulate(&mut grads[v as usize], seed, recording)?;
    }
    let mut poll = crate::interrupt::Poll::new();
    for (i, node) in nodes.iter_mut().enumerate().rev() {
        if !plan.needed[i] {
            continue;
        }
        poll.tick()?;
        if let Op::Custom(op) = &node.op {
            run_custom(&op.clone(), node, plan, &mut grads, recording)?;
            if release {
                node.saved_inputs.clear();
            }
            continue;
        }
        let out = node.output as usize;
        // A source's own gradient must survive for collection; others are consumed.
        let g = if plan.is_source[out] { grads[out].clone() } else { grads[out].take() };
        let Some(g) = g else { continue };
        let needs = plan.needs(node);
        let fused = !recording && accumulate_into_input(node, &g, &needs, &mut grads);
        if !fused {
            let input_grads = rules::vjp(node, g, &needs, !recording).map_err(|e| in_backward(node, e))?;
            for ((v, gi), need) in node.inputs.iter().zip(input_grads).zip(&needs) {
                if let (Some(v), Some(gi), true) = (v, gi, need) {
                    accumulate(&mut grads[*v as usize], gi, recording)?;
                }
            }
        }
        if release {
            // A non-persistent tape never reads this node again: free what it saved now.
            node.saved_inputs.clear();
            node.saved_output = node.saved_output.ghost();
        }
    }
    Ok(grads)
}

/// A custom node (Note [Custom gradients] in `custom`): the user's callback gets
/// every output's gradient in one call. Its errors pass through unchanged (a
/// binding maps `CustomGradientFailed` back to the callback's own exception).
fn run_custom(
    op: &custom::CustomOp,
    node: &Node,
    plan: &Plan,
    grads: &mut [Option<Tensor>],
    recording: bool,
) -> Result<()> {
    let upstream: Vec<Option<Tensor>> = node
        .outputs()
        .map(|v| {
            let v = v as usize;
            if plan.is_source[v] { grads[v].clone() } else { grads[v].take() }
        })
        .collect();
    if upstream.iter().all(Option::is_none) {
        return Ok(());
    }
    let needs = plan.needs(node);
    let input_grads = custom::vjp(op, node, upstream, &needs)?;
    for ((v, gi), need) in node.inputs.iter().zip(input_grads).zip(&needs) {
        if let (Some(v), Some(gi), true) = (v, gi, need) {
            accumulate(&mut grads[*v as usize], gi, recording)?;
        }
    }
    Ok(())
}

/// A unary node whose input already holds an unshared gradient: its
/// contribution is added straight into it (`fused::accumulate`), one pass
/// instead of a rule's pass plus an addition's. The same sum in the same order
/// as the separate steps, so the same bits (the parallel executor, which keeps
/// the separate steps, agrees).
fn accumulate_into_input(node: &Node, g: &Tensor, needs: &[bool], grads: &mut [Option<Tensor>]) -> bool {
    let ([Some(v)], [true]) = (node.inputs.as_slice(), needs) else { return false };
    grads[*v as usize].as_mut().is_some_and(|acc| fused::accumulate(node, g, acc))
}

fn accumulate(slot: &mut Option<Tensor>, g: Tensor, recording: bool) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(prev) => accumulate::add(prev, g, recording)?,
    });
    Ok(())
}

pub(crate) fn in_backward(node: &Node, e: Error) -> Error {
    Error::arg("gradient", format!("the gradient of {} failed: {e}", node.op.name()))
}
