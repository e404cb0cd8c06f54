"""``space_to_batch_nd`` / ``batch_to_space`` and their helper, built from ``pad``, ``reshape``,
``transpose`` and slicing (so gradients and second derivatives come from those ops).

``space_to_batch_nd``: pad the M spatial dimensions, split each into ``(size / b, b)``,
move the block factors in front of the batch and merge them into it; ``batch_to_space``
undoes this and then crops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .array_ops import int_values
from .errors import InvalidArgumentError

__all__ = ["batch_to_space", "required_space_to_batch_paddings", "space_to_batch",
           "space_to_batch_nd"]


def _t(x: Any) -> Tensor:
    return x if _core.is_tensor(x) else _core.convert_to_tensor(x)


def _block_and_pairs(x: Tensor, block_shape: Any, pairs: Any, what: str, op: str
                     ) -> tuple[list[int], np.ndarray, list[int]]:
    block = [int(b) for b in int_values(block_shape, f"{op} block_shape").reshape(-1)]
    m = len(block)
    p = int_values(pairs, f"{op} {what}").reshape(-1, 2) if m else np.zeros((0, 2), np.int64)
    shape = [int(d) for d in x.shape]
    if p.shape != (m, 2):
        raise InvalidArgumentError(f"{op}: {what} should have shape [{m}, 2] instead of {list(p.shape)}")
    if any(b < 1 for b in block):
        raise InvalidArgumentError(f"{op}: all values in block_shape must be positive, got {block}")
    if (p < 0).any():
        raise InvalidArgumentError(f"{op}: all values in {what} must be non-negative, got {p.tolist()}")
    if len(shape) < m + 1:
        raise InvalidArgumentError(
            f"{op}: input rank should be >= {m + 1} instead of {len(shape)}"
        )
    return block, p, shape


def space_to_batch_nd(input: Any, block_shape: Any, paddings: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Zero-pads the spatial dimensions and moves ``block_shape`` blocks of them into the batch.

    Raises:
        InvalidArgumentError: a padded spatial size is not a multiple of its block size.
    """
    x = _t(input)
    block, pads, shape = _block_and_pairs(x, block_shape, paddings, "paddings", "SpaceToBatchND")
    m = len(block)
    rest = shape[m + 1:]
    full = [[0, 0], *pads.tolist(), *([[0, 0]] * len(rest))]
    padded = _core.pad(x, full) if pads.any() else x
    sizes = [shape[1 + i] + int(pads[i].sum()) for i in range(m)]
    for i, (s, b) in enumerate(zip(sizes, block)):
        if s % b:
            raise InvalidArgumentError(
                f"padded_shape[{i}]={s} is not divisible by block_shape[{i}]={b}"
            )
    split = [shape[0]]
    for s, b in zip(sizes, block):
        split += [s // b, b]
    y = _core.reshape(padded, split + rest)
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    perm += list(range(1 + 2 * m, 1 + 2 * m + len(rest)))
    y = _core.transpose(y, perm)
    return _core.reshape(y, [shape[0] * int(np.prod(block))] + [s // b for s, b in zip(sizes, block)] + rest)


def space_to_batch(input: Any, block_shape: Any, paddings: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """:func:`space_to_batch_nd` (TF 2's ``space_to_batch`` takes the same arguments)."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input: Any, block_shape: Any, crops: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """Moves blocks of the batch back into the spatial dimensions, then crops them.

    Raises:
        InvalidArgumentError: the batch is not a multiple of the block count, or the crops are
            larger than the result.
    """
    x = _t(input)
    block, crop, shape = _block_and_pairs(x, block_shape, crops, "crops", "BatchToSpaceND")
    m = len(block)
    rest = shape[m + 1:]
    nblocks = int(np.prod(block))
    if shape[0] % nblocks:
        raise InvalidArgumentError(
            f"Input batch dimension ({shape[0]}) is not divisible by product of block sizes ({nblocks})"
        )
    batch = shape[0] // nblocks
    y = _core.reshape(x, block + [batch] + shape[1:])
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, 2 * m + 1 + len(rest)))
    y = _core.transpose(y, perm)
    full = [shape[1 + i] * block[i] for i in range(m)]
    y = _core.reshape(y, [batch] + full + rest)
    index: list[Any] = [slice(None)]
    for i in range(m):
        lo, hi = int(crop[i, 0]), int(crop[i, 1])
        if lo + hi > full[i]:
            raise InvalidArgumentError(f"crops must not exceed the block-expanded size, got {crop.tolist()}")
        index.append(slice(lo, full[i] - hi))
    return y[tuple(index)] if crop.any() else y


def required_space_to_batch_paddings(input_shape: Any, block_shape: Any, base_paddings: Any = None,
                                     name: str | None = None) -> tuple[Tensor, Tensor]:
    """``(paddings, crops)`` that make each padded spatial size a multiple of its block size."""
    shape = int_values(input_shape, "input_shape").reshape(-1)
    block = int_values(block_shape, "block_shape").reshape(-1)
    base = np.zeros((block.size, 2), np.int64) if base_paddings is None else int_values(
        base_paddings, "base_paddings").reshape(-1, 2)
    full = shape + base[:, 0] + base[:, 1]
    extra = (block - full % block) % block
    paddings = np.stack([base[:, 0], base[:, 1] + extra], 1)
    crops = np.stack([np.zeros_like(extra), extra], 1)
    return (_core.constant(paddings.astype(np.int32)), _core.constant(crops.astype(np.int32)))
