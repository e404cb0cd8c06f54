"""Special functions (``lgamma``, ``digamma``, ``erfc``, ``erfinv``, ``ndtri``...) composed of
differentiable ops, so first, second and higher derivatives come from the tape.

Algorithm notes. Everything is evaluated in float64 and cast back, so float32 results
are correctly rounded in practice.

* ``lgamma``: Lanczos' approximation (g = 7, 9 terms; relative error about 1e-15) for
  ``x >= 0.5`` and the reflection ``lgamma(x) = log(pi / |sin(pi x)|) - lgamma(1 - x)`` below;
  ``+inf`` at the poles (0, -1, -2, ...), as TF.
* ``digamma``: the recurrence ``psi(x) = psi(x + 10) - sum 1/(x + k)`` and the asymptotic
  series at ``x + 10 >= 10.5`` (error below 1e-15), reflection ``psi(1 - x) - pi / tan(pi x)``
  for ``x < 0.5``.
* ``erfc``: ``1 - erf(x)`` below 3 (relative error under 1e-11 there), the continued fraction
  ``exp(-x^2) / (sqrt(pi) (x + 1/2 / (x + 1 / (x + 3/2 / ...))))`` with 60 terms above.
* ``erfinv``: a starting point refined to full precision off the tape, then two Newton steps
  on the tape: each Newton step carries one more order of derivative exactly (the derivative
  of the last step is ``1 / erf'(x)``), so first and second derivatives are right.

In every ``where``, the branch not taken is fed a safe value so that its gradient is 0,
not NaN (a NaN in the unused branch would poison the gradient, as in TF).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor

__all__ = ["digamma", "erfc", "erfcinv", "erfinv", "lbeta", "lgamma", "ndtri"]

_LANCZOS_G = 7.0
_LANCZOS = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
]
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _float_input(x: Any, op: str) -> tuple[Tensor, Any]:
    """``x`` as a float64 tensor and the dtype to cast the result back to.

    Raises:
        TypeError: ``x`` is not floating point (TF accepts only float types for these ops).
    """
    t = x if _core.is_tensor(x) else _core.convert_to_tensor(x)
    if not t.dtype.is_floating:
        raise TypeError(
            f"Value passed to parameter 'x' has DataType {t.dtype.name} not in list of allowed "
            f"values: float32, float64 (op {op})"
        )
    return (t if t.dtype == _core.float64 else _core.cast(t, _core.float64)), t.dtype


def _back(y: Tensor, dtype: Any) -> Tensor:
    return y if dtype == _core.float64 else _core.cast(y, dtype)


def _full(like: Tensor, value: float) -> Tensor:
    return _core.fill(_core.shape(like), _core.constant(value, dtype=like.dtype))


def _lanczos_lgamma(x: Tensor) -> Tensor:
    """``lgamma(x)`` for ``x >= 0.5``."""
    z = x - 1.0
    a = _full(z, _LANCZOS[0])
    for i in range(1, len(_LANCZOS)):
        a = a + _LANCZOS[i] / (z + float(i))
    t = z + (_LANCZOS_G + 0.5)
    return _HALF_LOG_2PI + (z + 0.5) * _core.log(t) - t + _core.log(a)


def _is_pole(x: Tensor) -> Tensor:
    """True at 0, -1, -2, ... (poles of gamma and digamma)."""
    return _core.logical_and(x <= 0.0, _core.equal(x, _core.floor(x)))


def _lgamma64(x: Tensor) -> Tensor:
    high = x >= 0.5
    x_high = _core.where(high, x, 1.0 - x)  # >= 0.5 in both branches
    direct = _lanczos_lgamma(x_high)
    pole = _is_pole(x)
    x_low = _core.where(_core.logical_or(high, pole), _full(x, 0.25), x)
    reflected = math.log(math.pi) - _core.log(_core.abs(_core.sin(math.pi * x_low))) - direct
    out = _core.where(high, direct, reflected)
    return _core.where(pole, _full(x, math.inf), out)


def lgamma(x: Any, name: str | None = None) -> Tensor:
    """``log |Gamma(x)|`` elementwise; ``+inf`` at 0, -1, -2, ... (``tf.math.lgamma``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Lgamma")
    return _back(_lgamma64(x64), dtype)


_DIGAMMA_SHIFT = 10
# psi(y) ~ log y - 1/(2y) - sum B_2k / (2k y^2k)
_DIGAMMA_SERIES = [1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12]


def _digamma_high(x: Tensor) -> Tensor:
    """``psi(x)`` for ``x >= 0.5``."""
    acc = _core.zeros_like(x)
    for k in range(_DIGAMMA_SHIFT):
        acc = acc + 1.0 / (x + float(k))
    y = x + float(_DIGAMMA_SHIFT)
    inv2 = 1.0 / (y * y)
    series = _full(y, _DIGAMMA_SERIES[-1])
    for c in reversed(_DIGAMMA_SERIES[:-1]):
        series = c + inv2 * series
    return _core.log(y) - 0.5 / y - inv2 * series - acc


def digamma(x: Any, name: str | None = None) -> Tensor:
    """``psi(x) = d/dx lgamma(x)`` elementwise; NaN at 0, -1, -2, ... (``tf.math.digamma``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Digamma")
    high = x64 >= 0.5
    x_high = _core.where(high, x64, 1.0 - x64)
    direct = _digamma_high(x_high)
    pole = _is_pole(x64)
    x_low = _core.where(_core.logical_or(high, pole), _full(x64, 0.25), x64)
    reflected = direct - math.pi / _core.tan(math.pi * x_low)
    out = _core.where(high, direct, reflected)
    return _back(_core.where(pole, _full(x64, math.nan), out), dtype)


_ERFC_SWITCH = 3.0
_ERFC_TERMS = 60


def _erfc64(x: Tensor) -> Tensor:
    low = x < _ERFC_SWITCH
    direct = 1.0 - _core.erf(_core.where(low, x, _full(x, 0.0)))
    xs = _core.where(low, _full(x, _ERFC_SWITCH), x)
    t = xs
    for n in range(_ERFC_TERMS, 0, -1):
        t = xs + (0.5 * n) / t
    tail = _core.exp(-xs * xs) / (math.sqrt(math.pi) * t)
    return _core.where(low, direct, tail)


def erfc(x: Any, name: str | None = None) -> Tensor:
    """``1 - erf(x)`` elementwise, accurate for large ``x`` too (``tf.math.erfc``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Erfc")
    return _back(_erfc64(x64), dtype)


def _erfinv_start(y: np.ndarray) -> np.ndarray:
    """Giles' single-precision ``erfinv`` approximation, then Newton steps in numpy (off the tape)."""
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws = np.where(small, w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0)
    ps = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
          -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]
    pl = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
          -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]
    p = np.where(small, ps[0], pl[0])
    for a, b in zip(ps[1:], pl[1:]):
        p = np.where(small, a, b) + p * ws
    x = p * y
    for _ in range(3):
        err = np.asarray(_core.erf(_core.constant(x)).numpy()) - y
        x = x - err / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


def _erfinv64(y: Tensor) -> Tensor:
    inside = _core.abs(y) < 1.0
    ys = _core.where(inside, y, _core.zeros_like(y))
    x = _core.constant(_erfinv_start(np.asarray(ys.numpy())))
    for _ in range(2):  # on the tape: each step makes one more derivative order exact
        x = x - (_core.erf(x) - ys) / ((2.0 / math.sqrt(math.pi)) * _core.exp(-x * x))
    edge = _core.where(_core.equal(_core.abs(y), 1.0), _core.sign(y) * math.inf, _full(y, math.nan))
    return _core.where(inside, x, edge)


def erfinv(x: Any, name: str | None = None) -> Tensor:
    """The inverse of ``erf`` on ``(-1, 1)``; ``±inf`` at ``±1``, NaN outside (``tf.math.erfinv``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Erfinv")
    return _back(_erfinv64(x64), dtype)


def ndtri(x: Any, name: str | None = None) -> Tensor:
    """The standard normal quantile function ``sqrt(2) erfinv(2x - 1)`` (``tf.math.ndtri``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Ndtri")
    return _back(math.sqrt(2.0) * _erfinv64(2.0 * x64 - 1.0), dtype)


def erfcinv(x: Any, name: str | None = None) -> Tensor:
    """The inverse of ``erfc`` on ``(0, 2)``: ``-ndtri(x / 2) / sqrt(2)`` (``tf.math.erfcinv``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Erfcinv")
    return _back(-_erfinv64(x64 - 1.0), dtype)


def lbeta(x: Any, name: str | None = None) -> Tensor:
    """``log |B(x)|`` over the last axis: ``sum(lgamma(x)) - lgamma(sum(x))`` (``tf.math.lbeta``).

    Raises:
        TypeError: ``x`` is not float32 or float64.
    """
    x64, dtype = _float_input(x, "Lbeta")
    return _back(
        _core.reduce_sum(_lgamma64(x64), -1) - _lgamma64(_core.reduce_sum(x64, -1)), dtype
    )
