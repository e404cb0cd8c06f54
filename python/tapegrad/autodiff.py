"""``tf.autodiff``: forward-mode ``ForwardAccumulator`` (and ``GradientTape``).

# Algorithm: JVPs by the double-VJP trick
A forward-mode rule table would be a second table of rules to keep in step with
the reverse-mode one (and with ``custom_gradient``'s user rules, which TF also
has to transpose). Instead the accumulator records the computation on a
persistent tape and obtains a Jacobian-vector product from two reverse passes
over the *existing* rule table:

    g(u) = Jᵀ u            (one recorded backward pass, linear in a dummy u)
    J t  = ∂/∂u ⟨g(u), t⟩  (the gradient of that linear function of u)

Both passes are ordinary recorded backward passes, so every op with a
differentiable gradient rule (all of ours, custom gradients included) gets a
JVP, and the result is itself recorded on enclosing tapes: reverse-over-forward
(a ``GradientTape`` around the accumulator) and forward-over-reverse (a
``GradientTape`` inside it, whose gradient the accumulator differentiates: the
Hessian-vector products of TF's advanced-autodiff guide) both work. The cost is
two backward passes per :meth:`ForwardAccumulator.jvp` call instead of TF's
tangents carried along with each op; values are the same. TF itself falls back
on this trick for ops without a forward rule.
"""

from __future__ import annotations

from typing import Any

from . import _core, _nest
from .tape import GradientTape, UnconnectedGradients

__all__ = ["ForwardAccumulator", "GradientTape"]


class ForwardAccumulator:
    """Computes Jacobian-vector products of what is computed from ``primals``
    while it is active (TF's ``tf.autodiff.ForwardAccumulator``).

    >>> import tapegrad as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> with tf.autodiff.ForwardAccumulator(x, tf.constant([1.0, 0.0])) as acc:
    ...     y = x * x
    >>> acc.jvp(y).numpy().tolist()
    [2.0, 0.0]
    """

    def __init__(self, primals: Any, tangents: Any) -> None:
        self._tape = GradientTape(persistent=True)
        self._primals: list[Any] = []
        self._tangents: list[Any] = []
        self._pending = (primals, tangents)
        self._add(primals, tangents)

    def _add(self, primals: Any, tangents: Any) -> None:
        flat_p = _nest.flatten(primals)
        flat_t = _nest.flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError(
                f"primals and tangents must have the same structure: got {len(flat_p)} primals and "
                f"{len(flat_t)} tangents"
            )
        for p, t in zip(flat_p, flat_t):
            if not isinstance(p, (_core.Tensor, _core.Variable)):
                p = _core.convert_to_tensor(p)
            t = _core.convert_to_tensor(t, dtype_hint=p.dtype)
            if list(t.shape) != list(p.shape):
                raise ValueError(
                    f"Tangent {list(t.shape)} is incompatible with primal {list(p.shape)}: shapes must match"
                )
            if t.dtype != p.dtype:
                raise TypeError(f"Tangent dtype {t.dtype} does not match primal dtype {p.dtype}")
            if not p.dtype.is_floating:
                continue
            self._primals.append(p)
            self._tangents.append(t)

    def __enter__(self) -> ForwardAccumulator:
        self._tape.__enter__()
        self._tape.watch(self._primals)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._tape.__exit__(*exc_info)

    def watch(self, primals: Any, tangents: Any) -> None:
        """Also compute JVPs along ``tangents`` for ``primals`` (both nested structures)."""
        before = len(self._primals)
        self._add(primals, tangents)
        self._tape.watch(self._primals[before:])

    #: TF's (private) name for :meth:`watch`.
    _watch = watch

    def jvp(self, primals: Any, unconnected_gradients: Any = UnconnectedGradients.NONE) -> Any:
        """The JVP of each tensor in the nested structure ``primals``: the derivative of
        its computation along the tangents. ``None`` (or zeros with
        ``unconnected_gradients='zero'``) where it does not depend on any watched primal."""
        zero = UnconnectedGradients(unconnected_gradients) is UnconnectedGradients.ZERO
        flat = _nest.flatten(primals)
        return _nest.pack_sequence_as(primals, [self._jvp_one(y, zero) for y in flat])

    def _jvp_one(self, y: Any, zero: bool) -> Any:
        for p, t in zip(self._primals, self._tangents):
            if y is p:
                return t
        y_t = y if isinstance(y, (_core.Tensor, _core.Variable)) else _core.convert_to_tensor(y)
        if not y_t.dtype.is_floating or not self._primals:
            return _core.zeros_like(y_t) if zero else None
        # g(u) = Jᵀu, recorded with u watched; then J t = d⟨g(u), t⟩/du.
        u = _core.zeros_like(y_t)
        with GradientTape() as inner:
            inner.watch(u)
            grads = self._tape._tape.gradient([y_t], self._primals, [u], False)
            terms = [
                _core.reduce_sum(_core.multiply(g, t)) for g, t in zip(grads, self._tangents) if g is not None
            ]
            total = _core.add_n(terms) if terms else None
        out = None if total is None else inner._tape.gradient([total], [u], None, zero)[0]
        if out is None and zero:
            return _core.zeros_like(y_t)
        return out
