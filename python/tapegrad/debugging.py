"""``tf.debugging``: eager assertions that raise ``InvalidArgumentError`` when they fail."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .errors import InvalidArgumentError

__all__ = ["assert_all_finite", "assert_equal", "assert_near", "check_numerics"]


def _value(x: Any) -> np.ndarray:
    return np.asarray(x.numpy() if _core.is_tensor(x) else x)


def _broadcast(x: np.ndarray, y: np.ndarray, op: str) -> None:
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        shapes = f"{list(x.shape)} vs. {list(y.shape)}"
        raise InvalidArgumentError(f"{op}: Incompatible shapes: {shapes}") from None


def _fail(message: str | None, default: str, x: np.ndarray, y: np.ndarray) -> None:
    prefix = f"{message}\n" if message else ""
    raise InvalidArgumentError(f"{prefix}{default}\nx = {x!r:.400}\ny = {y!r:.400}")


def assert_equal(
    x: Any, y: Any, message: str | None = None, summarize: int | None = None, name: str | None = None
) -> None:
    """Raise unless ``x == y`` elementwise (with broadcasting).

    Raises:
        InvalidArgumentError: some elements differ.
        InvalidArgumentError: also when the shapes do not broadcast.
    """
    xv, yv = _value(x), _value(y)
    _broadcast(xv, yv, "assert_equal")
    if not np.all(xv == yv):
        _fail(message, "Condition x == y did not hold.", xv, yv)


def assert_near(
    x: Any,
    y: Any,
    rtol: Any = None,
    atol: Any = None,
    message: str | None = None,
    summarize: int | None = None,
    name: str | None = None,
) -> None:
    """Raise unless ``|x - y| <= atol + rtol·|y|`` elementwise.

    The default tolerances are ``10·eps`` of the dtype, as in TF.

    Raises:
        InvalidArgumentError: some elements are not close.
    """
    xv, yv = _value(x), _value(y)
    _broadcast(xv, yv, "assert_near")
    eps = np.finfo(xv.dtype).eps if xv.dtype.kind == "f" else 0.0
    rtol = 10 * eps if rtol is None else float(_value(rtol))
    atol = 10 * eps if atol is None else float(_value(atol))
    if not np.all(np.abs(xv - yv) <= atol + rtol * np.abs(yv)):
        _fail(message, f"x and y not equal to tolerance rtol = {rtol}, atol = {atol}", xv, yv)


def check_numerics(tensor: Any, message: str, name: str | None = None) -> Tensor:
    """``tensor`` unchanged (an identity, so gradients pass) if it has no NaN or Inf.

    Raises:
        InvalidArgumentError: ``tensor`` has a NaN or an infinity.
    """
    t = tensor if _core.is_tensor(tensor) else _core.convert_to_tensor(tensor)
    v = _value(t)
    if v.dtype.kind == "f":
        if np.isnan(v).any():
            raise InvalidArgumentError(f"{message} : Tensor had NaN values")
        if np.isinf(v).any():
            raise InvalidArgumentError(f"{message} : Tensor had Inf values")
    return _core.identity(t)


def assert_all_finite(x: Any, message: str, name: str | None = None) -> Tensor:
    """TF 2's ``debugging.assert_all_finite``: :func:`check_numerics` under its other name."""
    return check_numerics(x, message)

# More assertions live in their own module.
from .debugging_extra import *  # noqa: E402,F403
from .debugging_extra import __all__ as _extra_names  # noqa: E402

__all__ += _extra_names
