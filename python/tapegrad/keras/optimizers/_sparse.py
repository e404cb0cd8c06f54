"""How Keras 3 (TF 2.21) optimizers read an ``IndexedSlices`` gradient.

Keras applies its sparse-aware ops to the slices: arithmetic with a dense slot
densifies them (rows at repeated indices are summed first), but
``ops.square(gradient)`` squares each slice *before* the sum. With repeated
indices ``[i, i]`` and values ``a, b``, Adam's, RMSprop's and Adagrad's
second-moment slots therefore receive ``a² + b²``, not ``(a + b)²``. The
optimizers here take the dense gradient and, for ``square(gradient)``, the
dense sum of squared slices computed by :func:`squared_slices`.
"""

from __future__ import annotations

from typing import Any

import tapegrad

from ...indexed_slices import IndexedSlices


def squared_slices(gradient: Any, dtype: Any) -> Any:
    """For ``IndexedSlices``, the dense sum of the squared slices (Keras' ``square(g)``
    followed by densifying); ``None`` for a dense gradient."""
    if not isinstance(gradient, IndexedSlices):
        return None
    values = tapegrad.cast(tapegrad.convert_to_tensor(gradient.values), dtype)
    squared = IndexedSlices(tapegrad.square(values), gradient.indices, gradient.dense_shape)
    return tapegrad.convert_to_tensor(squared)
