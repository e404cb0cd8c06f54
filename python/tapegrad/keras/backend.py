"""Global Keras state: unique layer names (``dense``, ``dense_1``, ...) and ``clear_session``."""

from __future__ import annotations

import functools
import re
import threading
from collections import defaultdict

__all__ = [
    "clear_session",
    "epsilon",
    "floatx",
    "set_epsilon",
    "set_floatx",
    "to_snake_case",
    "unique_object_name",
]

_LOCK = threading.Lock()
_NAME_COUNTS: defaultdict[str, int] = defaultdict(int)


@functools.lru_cache(maxsize=256)  # one entry per layer class: two regex passes per layer otherwise
def to_snake_case(name: str) -> str:
    """Keras' default-name rule: ``"Dense"`` -> ``"dense"``, ``"MyLayer"`` -> ``"my_layer"``."""
    intermediate = re.sub("(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    snake = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return snake if not snake.startswith("_") else "private" + snake


def unique_object_name(base: str) -> str:
    """``base`` the first time, then ``base_1``, ``base_2``, ... (as TF 1 / tf.keras 2 do)."""
    with _LOCK:
        count = _NAME_COUNTS[base]
        _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def clear_session() -> None:
    """Reset the layer-name counters, so the next ``Dense`` is named ``dense`` again."""
    with _LOCK:
        _NAME_COUNTS.clear()


_FLOATX = ["float32"]
_EPSILON = [1e-7]


def floatx() -> str:
    """The default float type of layer weights (``"float32"`` unless :func:`set_floatx` changed it)."""
    return _FLOATX[0]


def set_floatx(value: str) -> None:
    """Set the default float type of layer weights: ``"float32"`` or ``"float64"``.

    Raises:
        ValueError: another type (tapegrad has no float16/bfloat16 tensors).
    """
    name = getattr(value, "name", value)
    if name not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(
            f"Unknown `floatx` value: {value}. Expected one of {{'float16', 'bfloat16', 'float32', "
            "'float64'}"
        )
    if name not in ("float32", "float64"):
        raise ValueError(f"floatx {name!r} is not supported: tapegrad has float32 and float64 only")
    _FLOATX[0] = str(name)


def epsilon() -> float:
    """The fuzz factor Keras adds to avoid divisions by zero (``1e-7`` by default)."""
    return _EPSILON[0]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor :func:`epsilon` returns."""
    _EPSILON[0] = float(value)

# The Keras 2 backend functions (K.mean, K.batch_dot, ...) live in their own module.
from ._backend_ops import *  # noqa: E402,F403
from ._backend_ops import __all__ as _ops_names  # noqa: E402

__all__ += _ops_names
