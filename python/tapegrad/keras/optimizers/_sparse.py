"""How Keras 3 (TF 2.21) optimizers read an ``IndexedSlices`` gradient.

Keras hands the slices to its sparse-aware ops. Arithmetic that mixes them with a
dense slot densifies them (rows at repeated indices are summed first), and
multiplying or dividing them by a dense tensor is linear, so neither changes the
result. But element-wise ops that are not linear -- ``square``, ``abs`` -- act on
each slice *before* the sum: with repeated indices ``[i, i]`` and values ``a, b``
a second-moment slot receives ``a² + b²``, not ``(a + b)²``, and Adamax's norm
``|a| + |b|``, not ``|a + b|``. The optimizers here take the dense gradient and
ask :func:`map_slices` for such per-slice terms.

Clipping follows ``tf.clip_by_norm`` / ``tf.clip_by_value`` on slices: the norm
is that of the slice values and the clipped gradient stays slices (each slice
clipped on its own); Keras' ``global_clipnorm`` also takes the norm of the slice
values but returns dense gradients (``slices * scale`` densifies).
"""

from __future__ import annotations

from typing import Any, Callable

import tapegrad

from ...indexed_slices import IndexedSlices


def cast_gradient(gradient: Any, dtype: Any) -> Any:
    """``gradient`` cast to ``dtype``; ``IndexedSlices`` stay slices (their values cast)."""
    if isinstance(gradient, IndexedSlices):
        values = tapegrad.cast(tapegrad.convert_to_tensor(gradient.values), dtype)
        return IndexedSlices(values, gradient.indices, gradient.dense_shape)
    return tapegrad.cast(tapegrad.convert_to_tensor(gradient), dtype)


def densify(gradient: Any) -> Any:
    """The dense tensor of ``gradient`` (rows at repeated indices summed)."""
    if isinstance(gradient, IndexedSlices):
        return gradient.__tapegrad_tensor__()
    return tapegrad.convert_to_tensor(gradient)


def map_values(fn: Callable[[Any], Any], gradient: Any) -> Any:
    """``fn`` applied to the values of slices (keeping them slices), or to a dense gradient."""
    if isinstance(gradient, IndexedSlices):
        return IndexedSlices(fn(gradient.values), gradient.indices, gradient.dense_shape)
    return fn(gradient)


def squared_norm_terms(gradient: Any) -> Any:
    """``sum(square(values))`` of slices, ``sum(square(gradient))`` of a dense gradient."""
    values = gradient.values if isinstance(gradient, IndexedSlices) else gradient
    return tapegrad.reduce_sum(tapegrad.square(values))


def map_slices(fn: Callable[..., Any], slices: IndexedSlices | None, gradient: Any, *operands: Any) -> Any:
    """Keras' ``fn(gradient, *operands)`` for a gradient that may be slices, densified.

    For ``slices``, ``fn`` receives the slice values and the rows of each dense
    operand at the slice indices (Keras gathers them so), and the results are summed
    into a dense tensor; for a dense gradient (``slices`` None) it is ``fn(gradient,
    *operands)``.
    """
    if slices is None:
        return fn(gradient, *operands)
    rows = [tapegrad.gather(operand, slices.indices) for operand in operands]
    return densify(IndexedSlices(fn(slices.values, *rows), slices.indices, slices.dense_shape))
