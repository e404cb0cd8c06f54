//! The branch-parallel backward executor.
//!
//! # Note [Deterministic parallel backward]
//! The sequential executor (`backward::run_sequential`) defines the result: it
//! visits nodes in reverse creation order and adds each input gradient into its
//! value's slot at once, so a value's gradient is the left fold of its
//! contributions ordered by (target seed first, then consumer node descending,
//! then input position ascending). This executor runs independent nodes
//! concurrently on the pool — dependency counts plus a ready queue, as PyTorch's
//! engine — but it never adds contributions as they arrive: each one is parked
//! with its (node, position) key, and when a value's last contribution lands
//! the parked ones are sorted into that canonical order and folded. Every add
//! then sees the same operands in the same order as the sequential run, and
//! kernels split work into fixed-size chunks, so gradients are bit-identical
//! whatever the number of threads.
//!
//! # Note [When it runs]
//! Only when no tape is recording (nothing must observe the rules' op order) and
//! the graph is big enough for a task per node to pay (see [`worth_it`]). Rules
//! run on pool threads, where no tape is active, so the ops they call never try
//! to record.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use smallvec::SmallVec;

use crate::autodiff::backward::{Plan, in_backward};
use crate::autodiff::tape::{Node, ValueId};
use crate::autodiff::{accumulate, rules};
use crate::ops::Op;
use crate::{Error, Result, Tensor};

/// Average output elements per node below which a task per node costs more than it saves.
const MIN_AVG_ELEMS: usize = 1 << 14;
/// Fewer needed nodes than this run sequentially.
const MIN_NODES: usize = 8;

/// Available parallelism (work over span, see [`work_and_span`]) below which
/// the graph is treated as a chain.
const MIN_PARALLELISM: f64 = 1.5;

/// True if the parallel executor should run this graph.
pub(crate) fn worth_it(nodes: &[Node], plan: &Plan) -> bool {
    if crate::threading::num_threads() < 2 {
        return false;
    }
    let (count, elems) =
        nodes.iter().zip(&plan.needed).filter(|(_, n)| **n).fold((0usize, 0usize), |(c, e), (node, _)| {
            (c + 1, e + node.saved_output.shape().iter().product::<usize>())
        });
    if count < MIN_NODES || elems / count.max(1) < MIN_AVG_ELEMS {
        return false;
    }
    // A custom gradient's callback must run on the calling thread, in graph
    // order (a Python one records on this thread's tapes and needs its
    // interpreter). It is also the only op with several outputs, which this
    // executor does not track.
    if nodes.iter().zip(&plan.needed).any(|(node, &n)| n && matches!(node.op, Op::Custom(_))) {
        return false;
    }
    // A chain (an MLP's backward: each layer waits for the next) gains nothing
    // from a task per node, and its big kernels run faster from the calling
    // thread, which takes part in their parallel loops (`threading::for_each_piece`).
    let (work, span) = work_and_span(nodes, plan);
    work as f64 >= MIN_PARALLELISM * span as f64
}

/// The backward pass's total work and its span (the costliest chain of nodes
/// each waiting for the one before), each node costing the elements it touches.
/// Their ratio bounds the speed-up any number of threads can give.
fn work_and_span(nodes: &[Node], plan: &Plan) -> (usize, usize) {
    let numel = |t: &Tensor| t.shape().iter().product::<usize>();
    // Per value: the latest finish of the nodes its gradient waits for.
    let mut ready = vec![0usize; plan.from_source.len()];
    let (mut work, mut span) = (0usize, 0usize);
    for (node, _) in nodes.iter().zip(&plan.needed).rev().filter(|(_, n)| **n) {
        let cost = numel(&node.saved_output) + node.saved_inputs.iter().map(numel).sum::<usize>();
        let finish = ready[node.output as usize] + cost;
        for &v in node.inputs.iter().flatten() {
            ready[v as usize] = ready[v as usize].max(finish);
        }
        work += cost;
        span = span.max(finish);
    }
    (work, span)
}

/// Canonical position of a contribution: seeds first, then by consumer node
/// descending, then by input position.
type Key = (std::cmp::Reverse<usize>, usize);

/// Contributions to one value waiting for its last one, each with its [`Key`].
type Parked = Mutex<SmallVec<[(Key, Tensor); 2]>>;

struct Shared<'a> {
    nodes: &'a [Node],
    plan: &'a Plan,
    /// Needed consumer edges of each value still to deliver.
    pending: Vec<AtomicUsize>,
    /// Contributions parked until the value is complete.
    parked: Vec<Parked>,
    /// Final gradients of source values.
    done: Vec<Mutex<Option<Tensor>>>,
    /// The node producing each value, if it runs.
    producer: Vec<Option<usize>>,
    error: Mutex<Option<Error>>,
    failed: AtomicBool,
}

impl Shared<'_> {
    fn fold(&self, v: usize) -> Result<Option<Tensor>> {
        let mut parts = std::mem::take(&mut *self.parked[v].lock().unwrap_or_else(|e| e.into_inner()));
        parts.sort_by_key(|(k, _)| *k);
        let mut acc: Option<Tensor> = None;
        for (_, g) in parts {
            acc = Some(match acc {
                None => g,
                Some(prev) => accumulate::add(prev, g, false)?,
            });
        }
        Ok(acc)
    }

    fn fail(&self, e: Error) {
        self.failed.store(true, Ordering::SeqCst);
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(e);
        }
    }
}

/// Runs the backward pass of `nodes` on the pool; returns the gradient table.
pub(crate) fn run(nodes: &[Node], plan: &Plan, seeds: Vec<(ValueId, Tensor)>) -> Result<Vec<Option<Tensor>>> {
    let nv = plan.from_source.len();
    let mut pending = vec![0usize; nv];
    let mut producer = vec![None; nv];
    for (i, node) in nodes.iter().enumerate() {
        if !plan.needed[i] {
            continue;
        }
        producer[node.output as usize] = Some(i);
        for &v in node.inputs.iter().flatten() {
            if plan.from_source[v as usize] {
                pending[v as usize] += 1;
            }
        }
    }
    let shared = Shared {
        nodes,
        plan,
        pending: pending.iter().map(|&p| AtomicUsize::new(p)).collect(),
        parked: (0..nv).map(|_| Mutex::new(SmallVec::new())).collect(),
        done: (0..nv).map(|_| Mutex::new(None)).collect(),
        producer,
        error: Mutex::new(None),
        failed: AtomicBool::new(false),
    };
    for (v, seed) in seeds {
        shared.parked[v as usize]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(((std::cmp::Reverse(usize::MAX), 0), seed));
    }
    let ready: Vec<usize> =
        (0..nodes.len()).filter(|&i| plan.needed[i] && pending[nodes[i].output as usize] == 0).collect();
    crate::threading::install(|| {
        rayon::scope(|s| {
            for i in ready {
                let sh = &shared;
                s.spawn(move |s| run_node(sh, s, i));
            }
        })
    });
    if let Some(e) = shared.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(e);
    }
    // Sources whose producer did not run (leaves, or intermediates nothing upstream needs).
    let mut grads: Vec<Option<Tensor>> = Vec::with_capacity(nv);
    for v in 0..nv {
        let done = shared.done[v].lock().unwrap_or_else(|e| e.into_inner()).take();
        grads.push(match done {
            Some(g) => Some(g),
            None if plan.is_source[v] => shared.fold(v)?,
            None => None,
        });
    }
    Ok(grads)
}

fn run_node<'s>(sh: &'s Shared<'s>, s: &rayon::Scope<'s>, i: usize) {
    if sh.failed.load(Ordering::SeqCst) {
        return;
    }
    let node = &sh.nodes[i];
    let out = node.output as usize;
    let result = (|| -> Result<SmallVec<[Option<Tensor>; 2]>> {
        let Some(g) = sh.fold(out)? else {
            return Ok(node.inputs.iter().map(|_| None).collect());
        };
        if sh.plan.is_source[out] {
            *sh.done[out].lock().unwrap_or_else(|e| e.into_inner()) = Some(g.clone());
        }
        let needs = sh.plan.needs(node);
        rules::vjp(node, g, &needs, true).map_err(|e| in_backward(node, e))
    })();
    let input_grads = match result {
        Ok(g) => g,
        Err(e) => return sh.fail(e),
    };
    for (pos, (v, gi)) in node.inputs.iter().zip(input_grads).enumerate() {
        let Some(v) = *v else { continue };
        let v = v as usize;
        if !sh.plan.from_source[v] {
            continue;
        }
        if let Some(gi) = gi {
            sh.parked[v].lock().unwrap_or_else(|e| e.into_inner()).push(((std::cmp::Reverse(i), pos), gi));
        }
        // The last edge into `v` releases its producer.
        if sh.pending[v].fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(p) = sh.producer[v] {
                s.spawn(move |s| run_node(sh, s, p));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node `output = f(inputs)` on 1,000-element values.
    fn node(inputs: &[ValueId], output: ValueId) -> Node {
        let t = crate::ops::zeros(&[1000], crate::DType::F32);
        Node {
            op: Op::Identity,
            inputs: inputs.iter().map(|&v| Some(v)).collect(),
            output,
            extra_outputs: Box::default(),
            saved_inputs: inputs.iter().map(|_| t.clone()).collect(),
            saved_output: t,
        }
    }

    fn plan(nodes: &[Node], values: usize) -> Plan {
        Plan {
            from_source: vec![true; values],
            is_source: vec![false; values],
            needed: vec![true; nodes.len()],
        }
    }

    #[test]
    fn a_chain_has_no_parallelism_and_branches_have_one_per_branch() {
        // 0 -> 1 -> 2 -> ... -> 8: each node waits for the next one's gradient.
        let chain: Vec<Node> = (0..8).map(|i| node(&[i], i + 1)).collect();
        let (work, span) = work_and_span(&chain, &plan(&chain, 9));
        assert_eq!((work, span), (16_000, 16_000));
        // Four branches of two nodes from value 0, then one node summing them.
        let mut wide = Vec::new();
        for b in 0..4u32 {
            wide.push(node(&[0], 1 + 2 * b));
            wide.push(node(&[1 + 2 * b], 2 + 2 * b));
        }
        wide.push(node(&[2, 4, 6, 8], 9));
        let (work, span) = work_and_span(&wide, &plan(&wide, 10));
        // Sum node 5,000 elements; each branch 2 x 2,000.
        assert_eq!((work, span), (5_000 + 8 * 2_000, 5_000 + 2 * 2_000));
        assert!(work as f64 >= MIN_PARALLELISM * span as f64);
    }
}
