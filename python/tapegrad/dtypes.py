"""``tf.dtypes``: the element types and the functions that convert between them."""

from __future__ import annotations

from ._core import DType, as_dtype, bool, cast, float32, float64, int32, int64

#: TF's alias for float64.
double = float64

__all__ = ["DType", "as_dtype", "bool", "cast", "double", "float32", "float64", "int32", "int64"]

from .array_extra import saturate_cast  # noqa: E402

__all__ += ["saturate_cast"]
