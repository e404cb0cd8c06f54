"""Global Keras state: unique layer names (``dense``, ``dense_1``, ...) and ``clear_session``."""

from __future__ import annotations

import functools
import re
import threading
from collections import defaultdict

__all__ = ["clear_session", "floatx", "to_snake_case", "unique_object_name"]

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


def floatx() -> str:
    """The default float type of layer weights: ``"float32"``."""
    return "float32"
