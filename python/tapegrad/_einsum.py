"""``tf.einsum`` as a composition of transpose, reshape, gather, reduce_sum, multiply and matmul.

The equation is resolved into one label per operand dimension (ellipsis dims get
private labels, aligned from the right and broadcast like TensorFlow's). Each
operand then has repeated labels collapsed to their diagonal (a ``gather``) and
labels used nowhere else summed out; operands are contracted left to right, each
pair with one batched ``matmul`` (or a broadcasting ``multiply`` when nothing is
contracted); the last result is summed and transposed into the output order.
Every step is a recorded op, so gradients of any order flow to all operands.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .errors import InvalidArgumentError

__all__ = ["einsum"]

_LETTERS = set(string.ascii_letters)
# Private labels for ellipsis dims: outside the letters an equation may use.
_ELLIPSIS_BASE = 0x2460


class _Operand:
    """A tensor and the label of each of its dims."""

    def __init__(self, value: Any, labels: list[str]) -> None:
        self.value = value
        self.labels = labels

    def sizes(self) -> dict[str, int]:
        return {lab: int(d) for lab, d in zip(self.labels, self.value.shape)}


def _parse(equation: str, n_inputs: int) -> tuple[list[str], str | None]:
    """Split ``equation`` into input subscripts and the output subscript (None if implicit)."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a string, got {type(equation).__name__}")
    eq = "".join(equation.split())
    if eq.count("->") > 1:
        raise ValueError(f"einsum: equation {equation!r} has more than one '->'")
    lhs, out = eq.split("->") if "->" in eq else (eq, None)
    specs = lhs.split(",")
    if len(specs) != n_inputs:
        raise ValueError(f'Got {n_inputs} inputs for equation "{equation}", expecting {len(specs)}')
    for spec in [*specs, *([out] if out is not None else [])]:
        rest = spec.replace("...", "", 1)
        bad = set(rest) - _LETTERS
        if bad:
            raise ValueError(f"einsum: invalid subscript character(s) {sorted(bad)} in {equation!r}")
    return specs, out


def _expand_ellipsis(specs: list[str], values: list[Any]) -> tuple[list[list[str]], list[str]]:
    """Labels per operand dim, with ``...`` replaced by private right-aligned labels.

    Returns the labels and the ellipsis labels of the broadcast result.
    """
    counts = []
    for i, (spec, v) in enumerate(zip(specs, values)):
        letters = len(spec.replace("...", ""))
        rank = len(v.shape)
        if "..." in spec:
            if rank < letters:
                raise InvalidArgumentError(
                    f"Expected input {i} to have rank at least {letters} but got: {rank}"
                )
            counts.append(rank - letters)
        else:
            if rank != letters:
                raise InvalidArgumentError(f"Expected input {i} to have rank {letters} but got: {rank}")
            counts.append(0)
    n_ell = max(counts, default=0)
    ell = [chr(_ELLIPSIS_BASE + j) for j in range(n_ell)]
    labels = []
    for spec, c in zip(specs, counts):
        head, _, tail = spec.partition("...")
        labels.append([*head, *ell[n_ell - c :], *tail] if "..." in spec else list(spec))
    return labels, ell


def _label_sizes(operands: list[_Operand], ell: list[str]) -> dict[str, int]:
    """The size of every label; ellipsis labels broadcast (size 1 stretches), letters must agree."""
    sizes: dict[str, int] = {}
    for _i, op in enumerate(operands):
        for axis, (lab, d) in enumerate(zip(op.labels, op.value.shape)):
            d = int(d)
            known = sizes.get(lab)
            if known is None or known == d:
                sizes[lab] = d
            elif lab in ell and 1 in (known, d):
                sizes[lab] = max(known, d)
            else:
                raise InvalidArgumentError(
                    f"Expected dimension {known} at axis {axis} of the input shaped "
                    f"{[int(s) for s in op.value.shape]} but got dimension {d}"
                )
    return sizes


def _output_labels(out: str | None, operands: list[_Operand], ell: list[str], equation: str) -> list[str]:
    """The output labels: explicit, or TF's implicit rule (ellipsis, then letters used once, sorted)."""
    if out is None:
        counts: dict[str, int] = {}
        for op in operands:
            for lab in op.labels:
                if lab not in ell:
                    counts[lab] = counts.get(lab, 0) + 1
        return [*ell, *sorted(lab for lab, c in counts.items() if c == 1)]
    head, dots, tail = out.partition("...")
    if not dots and ell:
        raise InvalidArgumentError(
            f"Output contains {len(ell)} broadcasting dimension(s) but no ellipsis (...) was found "
            "in the output subscripts."
        )
    labels = [*head, *ell, *tail]
    seen: set[str] = set()
    present = {lab for op in operands for lab in op.labels} | set(ell)
    for lab in labels:
        if lab in seen:
            raise ValueError(f"Output subscripts contain a label appearing more than once: {equation}")
        if lab not in present:
            raise ValueError(
                f"Output subscripts contain the label {lab} not present in the input subscripts."
            )
        seen.add(lab)
    return labels


def _transpose_to(op: _Operand, order: list[str]) -> Any:
    """``op.value`` with its dims permuted into ``order`` (no op recorded if already so)."""
    perm = [op.labels.index(lab) for lab in order]
    return op.value if perm == list(range(len(perm))) else _core.transpose(op.value, perm)


def _take_diagonals(op: _Operand) -> _Operand:
    """Collapse each label repeated within one operand to its diagonal (``'ii->i'``)."""
    while True:
        repeated = next((lab for lab in op.labels if op.labels.count(lab) > 1), None)
        if repeated is None:
            return op
        n = op.sizes()[repeated]
        k = op.labels.count(repeated)
        others = [lab for lab in op.labels if lab != repeated]
        axes = [i for i, lab in enumerate(op.labels) if lab != repeated]
        axes += [i for i, lab in enumerate(op.labels) if lab == repeated]
        moved = op.value if axes == list(range(len(axes))) else _core.transpose(op.value, axes)
        other_shape = [int(moved.shape[i]) for i in range(len(others))]
        flat = _core.reshape(moved, [*other_shape, n**k])
        # Diagonal positions of a k-fold repeated axis of size n in the flattened block.
        step = sum(n**j for j in range(k))
        diag = _core.constant(np.arange(n, dtype=np.int64) * step, dtype=_core.int64)
        op = _Operand(_core.gather(flat, diag, axis=len(others)), [*others, repeated])


def _sum_out(op: _Operand, keep: set[str]) -> _Operand:
    """Sum over ``op``'s labels not in ``keep``."""
    axes = [i for i, lab in enumerate(op.labels) if lab not in keep]
    if not axes:
        return op
    return _Operand(_core.reduce_sum(op.value, axes), [lab for lab in op.labels if lab in keep])


def _drop_stretched(op: _Operand, sizes: dict[str, int]) -> _Operand:
    """Squeeze size-1 ellipsis dims that broadcast against a larger size elsewhere."""
    axes = [i for i, (lab, d) in enumerate(zip(op.labels, op.value.shape)) if int(d) == 1 and sizes[lab] > 1]
    if not axes:
        return op
    return _Operand(_core.squeeze(op.value, axes), [lab for i, lab in enumerate(op.labels) if i not in axes])


def _prod(sizes: dict[str, int], labels: list[str]) -> int:
    return int(np.prod([sizes[lab] for lab in labels], dtype=np.int64))


def _contract(a: _Operand, b: _Operand, keep: set[str], sizes: dict[str, int]) -> _Operand:
    """Contract two operands, keeping the labels in ``keep`` (needed by the output or later operands)."""
    a = _sum_out(a, keep | set(b.labels))
    b = _sum_out(b, keep | set(a.labels))
    batch = [lab for lab in a.labels if lab in b.labels and lab in keep]
    summed = [lab for lab in a.labels if lab in b.labels and lab not in keep]
    a_only = [lab for lab in a.labels if lab not in b.labels]
    b_only = [lab for lab in b.labels if lab not in a.labels]
    out_labels = [*batch, *a_only, *b_only]
    out_shape = [sizes[lab] for lab in out_labels]
    if not summed:
        # Nothing contracted: a broadcasting product is exact and needs no reshapes.
        av = _core.reshape(
            _transpose_to(a, [*batch, *a_only]), [*out_shape[: len(batch) + len(a_only)], *[1] * len(b_only)]
        )
        bv = _core.reshape(
            _transpose_to(b, [*batch, *b_only]),
            [*out_shape[: len(batch)], *[1] * len(a_only), *out_shape[len(batch) + len(a_only) :]],
        )
        return _Operand(_core.multiply(av, bv), out_labels)
    m, k, n = _prod(sizes, a_only), _prod(sizes, summed), _prod(sizes, b_only)
    lead = [_prod(sizes, batch)] if batch else []
    av = _core.reshape(_transpose_to(a, [*batch, *a_only, *summed]), [*lead, m, k])
    bv = _core.reshape(_transpose_to(b, [*batch, *summed, *b_only]), [*lead, k, n])
    if av.dtype.is_floating:
        product = _core.matmul(av, bv)
    else:
        # matmul is float-only; integers (never differentiated) take a broadcast product and sum.
        product = _core.reduce_sum(_core.expand_dims(av, -1) * _core.expand_dims(bv, -3), -2)
    return _Operand(_core.reshape(product, out_shape), out_labels)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """TF's ``einsum(equation, *inputs)``: a tensor contraction in Einstein notation.

    Supports explicit (``'ij,jk->ik'``) and implicit (``'ij,jk'``) outputs,
    transposes, batch dims, sums (``'i,i->'``), outer products, broadcasting
    ellipses (``'...ij,...jk->...ik'``) and repeated labels within one operand
    (traces ``'ii->'`` and diagonals ``'ii->i'``). Gradients flow to every input.

    Raises:
        ValueError: a malformed equation, a wrong number of inputs, or a bad output label.
        InvalidArgumentError: ranks or dimension sizes that do not fit the equation.
    """
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}")
    values = [x if _core.is_tensor(x) else _core.convert_to_tensor(x) for x in inputs]
    dtypes = {v.dtype for v in values}
    if len(dtypes) > 1:
        raise InvalidArgumentError(
            f"einsum: inputs must share one dtype, got {sorted(d.name for d in dtypes)}"
        )
    specs, out = _parse(equation, len(values))
    labels, ell = _expand_ellipsis(specs, values)
    operands = [_Operand(v, lab) for v, lab in zip(values, labels)]
    sizes = _label_sizes(operands, ell)
    out_labels = _output_labels(out, operands, ell, equation)
    operands = [_take_diagonals(_drop_stretched(op, sizes)) for op in operands]
    while len(operands) > 1:
        later = {lab for op in operands[2:] for lab in op.labels}
        operands = [_contract(operands[0], operands[1], later | set(out_labels), sizes), *operands[2:]]
    result = _sum_out(operands[0], set(out_labels))
    # Output labels no operand kept are stretched ellipsis dims of size 1 everywhere.
    missing = [lab for lab in out_labels if lab not in result.labels]
    if missing:
        shape = [*[int(d) for d in result.value.shape], *[1] * len(missing)]
        result = _Operand(_core.reshape(result.value, shape), [*result.labels, *missing])
    out_value = _transpose_to(result, out_labels)
    # A pure relabelling ('ij->ij') must still return a new tensor, never an input variable.
    return _core.identity(out_value) if any(out_value is v for v in values) else out_value
