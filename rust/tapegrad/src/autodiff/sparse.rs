//! Sparse gradients: TF's `IndexedSlices` for sources read only through gathers.
//!
//! In TensorFlow the gradient of `gather(params, indices)` (axis 0, no batch
//! dims) is `IndexedSlices(values=g, indices, dense_shape)`, and a source whose
//! every use on the path to the targets is such a gather (possibly behind
//! identities, which is how a variable is read) gets its gradient in that form,
//! the gathers' slices concatenated. Any other use makes it dense.
//!
//! # Algorithm
//! The backward pass itself stays dense. Before it runs, [`slice_plan`] looks at
//! the tape: for each source, the set `R` of its value and of identities of it,
//! and every node that reaches a target and reads a value of `R`. If all of
//! those are identities or gathers along axis 0 reading `R` as their params,
//! the gathers' outputs are added to the pass as extra sources, so the pass
//! hands back the gradient `g` arriving at each gather, which is exactly the
//! slices' values (reshaped to `[n] + params.shape[1:]`). The dense gradient of
//! such a source is computed and dropped; it costs one scatter per gather.

use crate::autodiff::backward::{Source, Unconnected};
use crate::autodiff::tape::{self, TapeData, ValueId};
use crate::autodiff::{AsTarget, GradientTape};
use crate::ops::{self, Op};
use crate::{DType, Result, Tensor};

/// A gradient as slices of a dense tensor (TF's `IndexedSlices`): row
/// `indices[i]` of the dense gradient gets `values[i]` added (indices repeat).
#[derive(Clone, Debug)]
pub struct Slices {
    /// `[n] + dense_shape[1:]`.
    pub values: Tensor,
    /// `[n]` integer row indices.
    pub indices: Tensor,
    /// The dense tensor's shape.
    pub dense_shape: Vec<usize>,
}

/// A source's gradient: dense, or slices when the source was only gathered.
#[derive(Clone, Debug)]
pub enum SourceGradient {
    /// A tensor of the source's shape.
    Dense(Tensor),
    /// Rows of it (TF's `IndexedSlices`).
    Slices(Slices),
}

/// One gather of a source: its output (as a tape value), indices and params shape.
struct Gathered {
    output: Tensor,
    indices: Tensor,
    params_shape: Vec<usize>,
}

fn value_of(t: &TapeData, s: &Source) -> Option<ValueId> {
    match s {
        Source::Tensor(x) => t.index.get(&x.id()).copied(),
        Source::Variable(v) => t.var_index.get(&v.id()).copied(),
    }
}

/// For each source, the gathers whose slices make up its whole gradient, or
/// nothing when it is (also) used otherwise. See the module docs.
fn slice_plan(t: &TapeData, targets: &[Source], sources: &[Source]) -> Vec<Vec<Gathered>> {
    let n = t.num_values as usize;
    let mut reach = vec![false; n];
    let mut is_target = vec![false; n];
    for v in targets.iter().filter_map(|s| value_of(t, s)) {
        reach[v as usize] = true;
        is_target[v as usize] = true;
    }
    let mut live = vec![false; t.nodes.len()];
    for (i, node) in t.nodes.iter().enumerate().rev() {
        if node.outputs().any(|o| reach[o as usize]) {
            live[i] = true;
            for v in node.inputs.iter().flatten() {
                reach[*v as usize] = true;
            }
        }
    }
    sources
        .iter()
        .map(|s| {
            let Some(sv) = value_of(t, s) else { return Vec::new() };
            let mut in_r = vec![false; n];
            in_r[sv as usize] = true;
            let mut gathers = Vec::new();
            for (node, _) in t.nodes.iter().zip(&live).filter(|(_, live)| **live) {
                let reads: Vec<usize> = node
                    .inputs
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_some_and(|v| in_r[v as usize]))
                    .map(|(i, _)| i)
                    .collect();
                if reads.is_empty() {
                    continue;
                }
                match (&node.op, reads.as_slice()) {
                    (Op::Identity, [0]) => in_r[node.output as usize] = true,
                    (Op::Gather { axis: 0 }, [0]) => gathers.push(Gathered {
                        output: node.saved_output.clone(),
                        indices: node.saved_inputs[1].clone(),
                        params_shape: node.saved_inputs[0].shape().to_vec(),
                    }),
                    _ => return Vec::new(),
                }
            }
            if in_r.iter().zip(&is_target).any(|(r, t)| *r && *t) {
                return Vec::new();
            }
            gathers
        })
        .collect()
}

/// The slices of one source from its gathers' output gradients (`None` where a
/// gather's output got none), or `None` if none got any.
fn slices_of(gathered: &[Gathered], grads: &[Option<Tensor>]) -> Result<Option<Slices>> {
    let mut values = Vec::new();
    let mut indices = Vec::new();
    let index_dtype =
        if gathered.iter().all(|g| g.indices.dtype() == DType::I32) { DType::I32 } else { DType::I64 };
    for (g, grad) in gathered.iter().zip(grads) {
        let Some(grad) = grad else { continue };
        let count = g.indices.numel();
        let mut shape: Vec<i64> = vec![count as i64];
        shape.extend(g.params_shape.iter().skip(1).map(|&d| d as i64));
        values.push(ops::reshape(grad, &shape)?);
        indices.push(ops::cast(&ops::reshape(&g.indices, &[count as i64])?, index_dtype)?);
    }
    let Some(first) = gathered.first() else { return Ok(None) };
    let dense_shape = first.params_shape.clone();
    Ok(match values.len() {
        0 => None,
        1 => Some(Slices { values: values.remove(0), indices: indices.remove(0), dense_shape }),
        _ => {
            Some(Slices { values: ops::concat(&values, 0)?, indices: ops::concat(&indices, 0)?, dense_shape })
        }
    })
}

impl GradientTape {
    /// [`GradientTape::gradient_with`], except that a source used only through
    /// gathers along axis 0 gets [`SourceGradient::Slices`] (TF's
    /// `IndexedSlices`); see the module docs of `autodiff::sparse`.
    ///
    /// ```
    /// use tapegrad::autodiff::{GradientTape, Source, SourceGradient, Unconnected};
    /// use tapegrad::{Tensor, Variable, ops};
    /// let w = Variable::new(Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3])?, "w", true);
    /// let idx = Tensor::from_vec(vec![2i32, 2], &[2])?;
    /// let tape = GradientTape::new(false, true);
    /// let y = tape.record(|| ops::reduce_sum(&ops::gather(&w.read(), &idx, 0)?, None, false))??;
    /// let g = tape.gradient_slices(&[y], &[Source::Variable(w)], None, Unconnected::None)?;
    /// let Some(SourceGradient::Slices(s)) = &g[0] else { panic!() };
    /// assert_eq!(s.indices.as_slice::<i32>(), Some(&[2, 2][..]));
    /// assert_eq!(s.dense_shape, vec![3]);
    /// # Ok::<(), tapegrad::Error>(())
    /// ```
    pub fn gradient_slices<T: AsTarget>(
        &self,
        targets: &[T],
        sources: &[Source],
        output_gradients: Option<&[Option<Tensor>]>,
        unconnected: Unconnected,
    ) -> Result<Vec<Option<SourceGradient>>> {
        let as_sources: Vec<Source> = targets.iter().map(AsTarget::as_target).collect();
        let plan = tape::with_tape(self.id(), |t| {
            Ok(if t.consumed { Vec::new() } else { slice_plan(t, &as_sources, sources) })
        })?;
        let mut all: Vec<Source> = sources.to_vec();
        for g in plan.iter().flatten() {
            all.push(Source::Tensor(g.output.clone()));
        }
        let grads = self.gradient_with(&as_sources, &all, output_gradients, unconnected)?;
        let (own, mut extra) = (&grads[..sources.len()], &grads[sources.len()..]);
        let mut out = Vec::with_capacity(sources.len());
        for (i, g) in own.iter().enumerate() {
            let gathered = plan.get(i).map(Vec::as_slice).unwrap_or_default();
            let (mine, rest) = extra.split_at(gathered.len());
            extra = rest;
            out.push(match slices_of(gathered, mine)? {
                Some(s) => Some(SourceGradient::Slices(s)),
                None => g.clone().map(SourceGradient::Dense),
            });
        }
        Ok(out)
    }
}
