"""``tapegrad.linalg``: the parts of ``tf.linalg`` tapegrad has."""

from __future__ import annotations

from ._clip_ops import global_norm
from ._core import eye, matmul, norm, tensordot, transpose
from ._einsum import einsum

matrix_transpose = transpose

__all__ = ["einsum", "eye", "global_norm", "matmul", "matrix_transpose", "norm", "tensordot", "transpose"]
