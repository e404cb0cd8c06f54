//! Functions with user-defined gradients: TF's `tf.custom_gradient`.
//!
//! # Note [Custom gradients]
//! The forward function runs with tapes recording as usual (TF does not stop
//! them: ops recorded there are what lets a gradient that closes over, say,
//! `exp(x)` be differentiated again). [`record`] then gives each output a fresh
//! id (an identity sharing the data) and records **one** node, `Op::Custom`,
//! from the inputs to those fresh outputs on every active tape that has seen an
//! input. Gradients of the fresh outputs can only flow through that node, so
//! the forward ops' own rules are bypassed.
//!
//! The node is the only one with several outputs (`Node::extra_outputs`): the
//! callback sees every output's gradient in one call, as TF's does. One node
//! per output, each calling the callback with zeros for the other outputs,
//! would give the same sum only for a callback that is linear in its upstream
//! gradients — a VJP is, but user callbacks need not be (gradient clipping by
//! norm is not), and their side effects would run once per output.
//!
//! In the backward pass the callback runs on the calling thread, in graph
//! order (the parallel executor declines graphs with a custom node): a Python
//! callback must record its ops on this thread's tapes, so that an outer tape
//! can differentiate through it.

use std::sync::Arc;

use crate::autodiff::tape::{self, Node};
use crate::{Error, Result, Tensor, ops};

/// A user-defined vector-Jacobian product: the gradient rule of one
/// [`record`]ed call.
///
/// `vjp` gets one upstream gradient per output of the call, shaped like that
/// output (zeros where none flowed), and returns one gradient per input, `None`
/// for "no gradient". Ops it runs are recorded on any tape active during the
/// backward pass, so nested tapes differentiate through it.
pub trait CustomGradient: Send + Sync + std::fmt::Debug {
    /// Gradients of the inputs from the gradients of the outputs.
    fn vjp(&self, upstream: &[Tensor]) -> Result<Vec<Option<Tensor>>>;

    /// The callback as `Any`, for a binding that needs its own type back (a
    /// Python binding reports the Python function it holds to the garbage
    /// collector). `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// What an `Op::Custom` node holds: the callback, a name for messages, and the
/// outputs' shapes and dtypes (for zero upstream gradients).
#[derive(Debug)]
pub struct CustomOp {
    name: String,
    grad: Arc<dyn CustomGradient>,
    /// Data-free stand-ins for the outputs (shape and dtype only).
    outputs: Vec<Tensor>,
}

impl CustomOp {
    /// The name given to [`record`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The callback, if this op is its only holder: what a tape may report to
    /// a garbage collector as its own (see `GradientTape::for_each_owned_custom_gradient`).
    pub(crate) fn solely_owned_grad(&self) -> Option<&dyn CustomGradient> {
        (Arc::strong_count(&self.grad) == 1).then_some(&*self.grad)
    }
}

/// Each recorded call is its own op: equal only to itself.
impl PartialEq for CustomOp {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Records `outputs = f(inputs)` with `grad` as its gradient rule (Note
/// [Custom gradients]) and returns the outputs to hand back to the caller:
/// identities of `outputs` (fresh ids over the same data).
///
/// As in TF, the identities are recorded as ordinary ops first, and the custom
/// node then takes over as their producer on the tapes that have seen an
/// input. A tape that has seen none of the inputs but does know an output
/// (because `f` closed over a tensor it watches) keeps the identity, and
/// differentiates through `f`'s own ops.
///
/// ```
/// use std::sync::Arc;
/// use tapegrad::autodiff::{CustomGradient, GradientTape, Source, custom};
/// use tapegrad::{Result, Tensor, ops};
///
/// /// d/dx of "x²" claimed to be 10·upstream.
/// #[derive(Debug)]
/// struct Ten;
/// impl CustomGradient for Ten {
///     fn vjp(&self, up: &[Tensor]) -> Result<Vec<Option<Tensor>>> {
///         Ok(vec![Some(ops::mul(&up[0], &Tensor::scalar(10.0f32))?)])
///     }
/// }
///
/// let x = Tensor::scalar(3.0f32);
/// let tape = GradientTape::new(false, true);
/// let y = tape.record(|| -> Result<Tensor> {
///     tape.watch(&x);
///     let y = ops::mul(&x, &x)?;
///     Ok(custom::record("square", &[&x], &[y], Arc::new(Ten)).remove(0))
/// })??;
/// assert_eq!(y.to_scalar::<f32>(), Some(9.0));
/// let g = tape.gradient(&[y], &[Source::Tensor(x)])?;
/// assert_eq!(g[0].as_ref().unwrap().to_scalar::<f32>(), Some(10.0));
/// # Ok::<(), tapegrad::Error>(())
/// ```
pub fn record(
    name: impl Into<String>,
    inputs: &[&Tensor],
    outputs: &[Tensor],
    grad: Arc<dyn CustomGradient>,
) -> Vec<Tensor> {
    let fresh: Vec<Tensor> =
        outputs.iter().map(|o| ops::identity(o).unwrap_or_else(|_| o.detached())).collect();
    if tape::is_recording() && !fresh.is_empty() {
        let op = crate::ops::Op::Custom(Arc::new(CustomOp {
            name: name.into(),
            grad,
            outputs: fresh.iter().map(Tensor::ghost).collect(),
        }));
        tape::record_custom(&op, inputs, &fresh);
    }
    fresh
}

/// Runs a custom node's callback: `upstream[i]` is output `i`'s gradient, if
/// any flowed (possibly lazy: smaller, standing for its broadcast). Returns one
/// gradient per input, `None` where the callback gave none or `needs` is false,
/// each of its input's dtype and shape.
pub(crate) fn vjp(
    op: &CustomOp,
    node: &Node,
    upstream: Vec<Option<Tensor>>,
    needs: &[bool],
) -> Result<Vec<Option<Tensor>>> {
    let upstream = upstream
        .into_iter()
        .zip(&op.outputs)
        .map(|(g, out)| match g {
            // The callback sees full tensors of each output's shape.
            Some(g) if g.shape() == out.shape() => Ok(g),
            Some(g) => ops::broadcast_to(&g, out.shape()),
            None => Ok(ops::zeros(out.shape(), out.dtype())),
        })
        .collect::<Result<Vec<_>>>()?;
    let grads = op.grad.vjp(&upstream)?;
    if grads.len() != node.saved_inputs.len() {
        return Err(Error::arg(
            "gradient",
            format!(
                "the custom gradient of {} returned {} gradients for {} inputs; return one per input",
                op.name,
                grads.len(),
                node.saved_inputs.len()
            ),
        ));
    }
    grads
        .into_iter()
        .zip(&node.saved_inputs)
        .zip(needs)
        .map(|((g, x), &need)| match g {
            Some(g) if need => {
                if g.dtype() != x.dtype() {
                    return Err(Error::arg(
                        "gradient",
                        format!(
                            "the custom gradient of {} returned a {} gradient for a {} input",
                            op.name,
                            g.dtype(),
                            x.dtype()
                        ),
                    ));
                }
                if g.shape() == x.shape() {
                    return Ok(Some(g));
                }
                // TF passes a misshapen gradient on unchecked; one that broadcasts
                // to its input is taken as that broadcast, anything else is an error here.
                ops::broadcast_to(&g, x.shape()).map(Some).map_err(|_| {
                    Error::shape(
                        "gradient",
                        format!(
                            "the custom gradient of {} returned a gradient of shape {:?} for an input of shape {:?}",
                            op.name,
                            g.shape(),
                            x.shape()
                        ),
                    )
                })
            }
            _ => Ok(None),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::autodiff::{GradientTape, Source};
    use crate::error::SharedError;

    /// A gradient rule from a closure.
    struct FnGrad<F>(F);

    impl<F> std::fmt::Debug for FnGrad<F> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("FnGrad")
        }
    }

    impl<F: Fn(&[Tensor]) -> Result<Vec<Option<Tensor>>> + Send + Sync> CustomGradient for FnGrad<F> {
        fn vjp(&self, upstream: &[Tensor]) -> Result<Vec<Option<Tensor>>> {
            (self.0)(upstream)
        }
    }

    fn grad(
        f: impl Fn(&[Tensor]) -> Result<Vec<Option<Tensor>>> + Send + Sync + 'static,
    ) -> Arc<dyn CustomGradient> {
        Arc::new(FnGrad(f))
    }

    fn scalar(t: &Option<Tensor>) -> Option<f64> {
        t.as_ref().and_then(|t| t.to_scalar::<f64>())
    }

    /// `log(1 + exp(x))` with the stable gradient `1 - 1/(1 + e)` written over
    /// the forward's `e = exp(x)`: TF's docs example.
    fn log1pexp(x: &Tensor) -> Result<Tensor> {
        let e = ops::exp(x)?;
        let y = ops::log(&ops::add(&Tensor::scalar(1.0f64), &e)?)?;
        let rule = grad(move |up| {
            let one = Tensor::scalar(1.0f64);
            let s = ops::sub(&one, &ops::div(&one, &ops::add(&one, &e)?)?)?;
            Ok(vec![Some(ops::mul(&up[0], &s)?)])
        });
        Ok(record("log1pexp", &[x], &[y], rule).remove(0))
    }

    #[test]
    fn first_order_uses_the_custom_rule() -> Result<()> {
        let x = Tensor::scalar(100.0f64);
        let tape = GradientTape::new(false, true);
        let y = tape.record(|| {
            tape.watch(&x);
            log1pexp(&x)
        })??;
        let g = tape.gradient(&[y], &[Source::Tensor(x)])?;
        // The automatic gradient would be exp(100)/(1 + exp(100)) = inf/inf = nan.
        assert_eq!(scalar(&g[0]), Some(1.0));
        Ok(())
    }

    #[test]
    fn second_order_differentiates_through_the_callback() -> Result<()> {
        let x = Tensor::scalar(0.5f64);
        let outer = GradientTape::new(false, true);
        let inner = GradientTape::new(false, true);
        let dy = outer.record(|| -> Result<Tensor> {
            let y = inner.record(|| {
                inner.watch(&x);
                log1pexp(&x)
            })??;
            inner.gradient(&[y], &[Source::Tensor(x.clone())])?.remove(0).ok_or(Error::TapeConsumed)
        })??;
        let d2 = outer.gradient(std::slice::from_ref(&dy), &[Source::Tensor(x.clone())])?;
        let s = 1.0 / (1.0 + (-0.5f64).exp()); // sigmoid(x)
        assert!((scalar(&Some(dy)).unwrap_or(0.0) - s).abs() < 1e-12);
        assert!((scalar(&d2[0]).unwrap_or(0.0) - s * (1.0 - s)).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn several_outputs_reach_one_call_with_zeros_for_missing_upstreams() -> Result<()> {
        let calls = Arc::new(AtomicUsize::new(0));
        let x = Tensor::from_vec(vec![1.0f64, 2.0], &[2])?;
        let tape = GradientTape::new(true, true);
        let (a, b) = tape.record(|| -> Result<(Tensor, Tensor)> {
            tape.watch(&x);
            let (a, b) = (ops::mul(&x, &Tensor::scalar(2.0f64))?, ops::mul(&x, &Tensor::scalar(3.0f64))?);
            let seen = calls.clone();
            let rule = grad(move |up| {
                seen.fetch_add(1, Ordering::SeqCst);
                let da = ops::mul(&up[0], &Tensor::scalar(2.0f64))?;
                Ok(vec![Some(ops::add(&da, &ops::mul(&up[1], &Tensor::scalar(3.0f64))?)?)])
            });
            let mut out = record("two", &[&x], &[a, b], rule);
            Ok((out.remove(0), out.remove(0)))
        })??;
        let both = tape.gradient(&[a.clone(), b], &[Source::Tensor(x.clone())])?;
        assert_eq!(both[0].as_ref().and_then(|g| g.as_slice::<f64>()), Some(&[5.0, 5.0][..]));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let only_a = tape.gradient(&[a], &[Source::Tensor(x)])?;
        assert_eq!(only_a[0].as_ref().and_then(|g| g.as_slice::<f64>()), Some(&[2.0, 2.0][..]));
        Ok(())
    }

    #[test]
    fn a_failing_callback_surfaces_as_the_typed_error_and_the_tape_survives() -> Result<()> {
        let x = Tensor::scalar(1.0f64);
        let tape = GradientTape::new(true, true);
        let (y, z) = tape.record(|| -> Result<(Tensor, Tensor)> {
            tape.watch(&x);
            let rule = grad(|_| {
                Err(Error::CustomGradientFailed {
                    name: "boom".into(),
                    source: SharedError::new(std::io::Error::other("kaboom")),
                })
            });
            let y = record("boom", &[&x], &[ops::identity(&x)?], rule).remove(0);
            Ok((y, ops::mul(&x, &x)?))
        })??;
        let err = tape.gradient(&[y], &[Source::Tensor(x.clone())]).err();
        let Some(Error::CustomGradientFailed { name, source }) = err else {
            return Err(Error::arg("test", format!("expected CustomGradientFailed, got {err:?}")));
        };
        assert_eq!(name, "boom");
        assert_eq!(source.downcast_ref::<std::io::Error>().map(|e| e.to_string()).as_deref(), Some("kaboom"));
        // A persistent tape is left as it was.
        assert_eq!(scalar(&tape.gradient(&[z], &[Source::Tensor(x)])?[0]), Some(2.0));
        Ok(())
    }

    #[test]
    fn a_tape_that_saw_no_input_differentiates_through_the_forward_ops() -> Result<()> {
        // f(x) = x·w with w closed over; the tape watches w only, as TF's would.
        let (x, w) = (Tensor::scalar(3.0f64), Tensor::scalar(5.0f64));
        let tape = GradientTape::new(false, true);
        let y = tape.record(|| -> Result<Tensor> {
            tape.watch(&w);
            let y = ops::mul(&x, &w)?;
            Ok(record("scale", &[&x], &[y], grad(|_| Ok(vec![None]))).remove(0))
        })??;
        assert_eq!(scalar(&tape.gradient(&[y], &[Source::Tensor(w)])?[0]), Some(3.0));
        Ok(())
    }

    #[test]
    fn a_wrong_number_of_gradients_is_an_error() -> Result<()> {
        let x = Tensor::scalar(1.0f64);
        let tape = GradientTape::new(false, true);
        let y = tape.record(|| -> Result<Tensor> {
            tape.watch(&x);
            Ok(record("two_grads", &[&x], &[ops::identity(&x)?], grad(|up| Ok(vec![Some(up[0].clone()); 2])))
                .remove(0))
        })??;
        let err = tape.gradient(&[y], &[Source::Tensor(x)]).err();
        assert!(matches!(err, Some(Error::InvalidArgument { .. })), "{err:?}");
        Ok(())
    }
}
