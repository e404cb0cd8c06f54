"""More eager assertions of ``tf.debugging``: comparisons, signs, ranks, dtypes and shapes.

Value checks raise ``InvalidArgumentError`` (TF's runtime check); rank, shape and
dtype checks raise ``ValueError``/``TypeError``, as TF's static checks do eagerly.
All return None when they hold.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import _core
from .array_extra import Assert
from .errors import InvalidArgumentError

__all__ = [
    "Assert",
    "assert_greater",
    "assert_greater_equal",
    "assert_integer",
    "assert_less",
    "assert_less_equal",
    "assert_negative",
    "assert_non_negative",
    "assert_non_positive",
    "assert_none_equal",
    "assert_positive",
    "assert_rank",
    "assert_rank_at_least",
    "assert_rank_in",
    "assert_same_float_dtype",
    "assert_scalar",
    "assert_shapes",
    "assert_type",
    "is_numeric_tensor",
]


def _value(x: Any) -> np.ndarray:
    return np.asarray(x.numpy() if _core.is_tensor(x) else x)


def _first(v: np.ndarray, n: int = 3) -> str:
    flat = v.reshape(-1)
    return f"First {min(n, flat.size)} elements of {{}}:\n{flat[:n]}"


def _compare(x: Any, y: Any, ok: Callable[[np.ndarray, np.ndarray], np.ndarray], symbol: str,
             message: str | None, summarize: int | None) -> None:
    xv, yv = _value(x), _value(y)
    try:
        np.broadcast_shapes(xv.shape, yv.shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Incompatible shapes: {list(xv.shape)} vs. {list(yv.shape)}"
        ) from None
    if np.all(ok(xv, yv)):
        return
    n = summarize or 3
    prefix = f"{message}\n" if message else ""
    raise InvalidArgumentError(
        f"{prefix}Condition x {symbol} y did not hold.\n{_first(xv, n).format('x')}\n"
        f"{_first(yv, n).format('y')}"
    )


def assert_greater(x: Any, y: Any, message: str | None = None, summarize: int | None = None,
                   name: str | None = None) -> None:
    """Raise unless ``x > y`` elementwise.

    Raises:
        InvalidArgumentError: some element fails, or the shapes do not broadcast.
    """
    _compare(x, y, np.greater, ">", message, summarize)


def assert_greater_equal(x: Any, y: Any, message: str | None = None, summarize: int | None = None,
                         name: str | None = None) -> None:
    """Raise unless ``x >= y`` elementwise.

    Raises:
        InvalidArgumentError: some element fails, or the shapes do not broadcast.
    """
    _compare(x, y, np.greater_equal, ">=", message, summarize)


def assert_less(x: Any, y: Any, message: str | None = None, summarize: int | None = None,
                name: str | None = None) -> None:
    """Raise unless ``x < y`` elementwise.

    Raises:
        InvalidArgumentError: some element fails, or the shapes do not broadcast.
    """
    _compare(x, y, np.less, "<", message, summarize)


def assert_less_equal(x: Any, y: Any, message: str | None = None, summarize: int | None = None,
                      name: str | None = None) -> None:
    """Raise unless ``x <= y`` elementwise.

    Raises:
        InvalidArgumentError: some element fails, or the shapes do not broadcast.
    """
    _compare(x, y, np.less_equal, "<=", message, summarize)


def assert_none_equal(x: Any, y: Any, message: str | None = None, summarize: int | None = None,
                      name: str | None = None) -> None:
    """Raise unless ``x != y`` elementwise.

    Raises:
        InvalidArgumentError: some element fails, or the shapes do not broadcast.
    """
    _compare(x, y, np.not_equal, "!=", message, summarize)


def assert_negative(x: Any, message: str | None = None, summarize: int | None = None,
                    name: str | None = None) -> None:
    """Raise unless every element is ``< 0``.

    Raises:
        InvalidArgumentError: some element is not negative.
    """
    _compare(x, 0, np.less, "<", message, summarize)


def assert_positive(x: Any, message: str | None = None, summarize: int | None = None,
                    name: str | None = None) -> None:
    """Raise unless every element is ``> 0``.

    Raises:
        InvalidArgumentError: some element is not positive.
    """
    _compare(x, 0, np.greater, ">", message, summarize)


def assert_non_negative(x: Any, message: str | None = None, summarize: int | None = None,
                        name: str | None = None) -> None:
    """Raise unless every element is ``>= 0``.

    Raises:
        InvalidArgumentError: some element is negative.
    """
    _compare(x, 0, np.greater_equal, ">=", message, summarize)


def assert_non_positive(x: Any, message: str | None = None, summarize: int | None = None,
                        name: str | None = None) -> None:
    """Raise unless every element is ``<= 0``.

    Raises:
        InvalidArgumentError: some element is positive.
    """
    _compare(x, 0, np.less_equal, "<=", message, summarize)


def _rank(x: Any) -> int:
    return len(x.shape) if hasattr(x, "shape") else np.ndim(x)


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in x.shape) if hasattr(x, "shape") else np.shape(x)


def assert_rank(x: Any, rank: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless ``x`` has rank ``rank``.

    Raises:
        ValueError: the rank differs.
    """
    r = int(_value(rank))
    if _rank(x) != r:
        prefix = f"{message} " if message else ""
        raise ValueError(
            f"{prefix}Tensor  must have rank {r}.  Received rank {_rank(x)}, shape {_shape(x)}"
        )


def assert_rank_at_least(x: Any, rank: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless ``x`` has rank ``rank`` or more.

    Raises:
        ValueError: the rank is smaller.
    """
    r = int(_value(rank))
    if _rank(x) < r:
        prefix = f"{message} " if message else ""
        raise ValueError(
            f"{prefix}Tensor  must have rank at least {r}.  Received rank {_rank(x)}, shape {_shape(x)}"
        )


def assert_rank_in(x: Any, ranks: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless the rank of ``x`` is one of ``ranks``.

    Raises:
        ValueError: it is not.
    """
    allowed = [int(_value(r)) for r in ranks]
    if _rank(x) not in allowed:
        prefix = f"{message} " if message else ""
        raise ValueError(
            f"{prefix}Tensor  must have rank in {tuple(allowed)}.  Received rank {_rank(x)}, "
            f"shape {_shape(x)}"
        )


def assert_integer(x: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless ``x`` has an integer dtype.

    Raises:
        TypeError: it does not.
    """
    t = x if _core.is_tensor(x) else _core.convert_to_tensor(x)
    if not t.dtype.is_integer:
        prefix = f"{message} " if message else ""
        raise TypeError(f"{prefix}Expected integer type but got {t.dtype!r}")


def assert_type(tensor: Any, tf_type: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless ``tensor`` has dtype ``tf_type``.

    Raises:
        TypeError: the dtype differs.
    """
    t = tensor if _core.is_tensor(tensor) else _core.convert_to_tensor(tensor)
    want = _core.as_dtype(tf_type)
    if not t.dtype == want:
        prefix = f"{message} " if message else ""
        raise TypeError(f"{prefix}tensor must be of type {want!r}; got {t.dtype!r}")


def assert_scalar(tensor: Any, message: str | None = None, name: str | None = None) -> None:
    """Raise unless ``tensor`` is 0-d.

    Raises:
        ValueError: it is not.
    """
    if _rank(tensor) != 0:
        prefix = f"{message} " if message else ""
        raise ValueError(f"{prefix}Expected scalar shape, saw shape: {_shape(tensor)}.")


def assert_same_float_dtype(tensors: Any = None, dtype: Any = None) -> Any:
    """The common float dtype of ``tensors`` (and ``dtype``); float32 when nothing is given.

    Raises:
        ValueError: the dtypes differ or are not floating point.
    """
    dtypes = [t.dtype for t in (tensors or []) if hasattr(t, "dtype")]
    if dtype is not None:
        dtypes.append(_core.as_dtype(dtype))
    if not dtypes:
        return _core.float32
    first = dtypes[0]
    for d in dtypes[1:]:
        if not d == first:
            raise ValueError(f"Expected {first!r}, got {d!r}.")
    if not first.is_floating:
        raise ValueError(f"Expected floating point type, got {first!r}.")
    return first


def assert_shapes(shapes: Any, data: Any = None, summarize: int | None = None,
                  message: str | None = None, name: str | None = None) -> None:
    """Raise unless every ``(tensor, spec)`` pair fits: a spec entry is an int, ``None``/``"."``
    (anything) or a symbol that must stand for the same size everywhere; a spec of ``()`` is a
    scalar; a leading ``"..."`` allows extra leading dimensions.

    Raises:
        ValueError: a rank or dimension does not fit.
    """
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    bound: dict[str, int] = {}
    prefix = f"{message} " if message else ""
    for tensor, spec in pairs:
        shape = _shape(tensor)
        spec = list(spec) if not isinstance(spec, str) else list(spec)
        if spec and spec[0] == "...":
            spec = spec[1:]
            shape = shape[len(shape) - len(spec):] if len(shape) >= len(spec) else shape
        if len(shape) != len(spec):
            raise ValueError(
                f"{prefix}Specified by tensor shapes: tensor must have rank {len(spec)}. "
                f"Received rank {len(shape)}, shape {shape}"
            )
        for dim, want in zip(shape, spec):
            if want is None or want == ".":
                continue
            if isinstance(want, str):
                have = bound.setdefault(want, dim)
                if have != dim:
                    raise ValueError(
                        f"{prefix}dimension '{want}' must have size {have}, got {dim} in shape {shape}"
                    )
            elif int(want) != dim:
                raise ValueError(f"{prefix}Expected dimension {int(want)}, got {dim} in shape {shape}")


def is_numeric_tensor(tensor: Any) -> bool:
    """True for a tensor of a numeric dtype (not bool)."""
    return bool(_core.is_tensor(tensor) and not tensor.dtype == _core.bool)
