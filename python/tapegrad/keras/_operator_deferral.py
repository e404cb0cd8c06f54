"""Let ``tensor <op> keras_tensor`` reach the KerasTensor's reflected operator.

Python calls ``type(right).__radd__`` only when ``type(left).__add__`` returns
``NotImplemented``. The extension's ``Tensor`` and ``Variable`` operators raise
``TypeError`` for an operand they cannot convert instead, so
``tf.constant(1.0) + keras.Input((3,))`` would fail where TensorFlow (whose
operator wrappers catch the conversion error and return ``NotImplemented``)
gives a KerasTensor. :func:`install` wraps the arithmetic and logical operators of
both classes once, when the first KerasTensor is made, so programs that never build a
functional model keep the extension's operators untouched. The wrapper only acts
when the extension raised ``TypeError`` and the other operand is a KerasTensor:
every other result and error is the extension's own.

Cost: once installed, each such operator call goes through one Python frame and
the extension's slot wrapper (a few hundred nanoseconds more per ``a + b``).
Returning ``NotImplemented`` from the extension's operators when the operand
cannot be converted would make this module unnecessary.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import tapegrad

__all__ = ["install"]

# The forward operators TF's operator wrapper lets fall back to the right operand (its comparisons
# raise instead, and so do these).
_BINARY_OPERATORS = (
    "__add__",
    "__sub__",
    "__mul__",
    "__truediv__",
    "__floordiv__",
    "__mod__",
    "__pow__",
    "__matmul__",
    "__and__",
    "__or__",
)

_installed = False
_lock = threading.Lock()


def _deferring(operator: Callable[[Any, Any], Any], keras_tensor_type: type) -> Callable[[Any, Any], Any]:
    def deferring_operator(self: Any, other: Any) -> Any:
        try:
            return operator(self, other)
        except TypeError:
            if isinstance(other, keras_tensor_type):
                return NotImplemented
            raise

    deferring_operator.__name__ = getattr(operator, "__name__", "operator")
    deferring_operator.__doc__ = getattr(operator, "__doc__", None)
    return deferring_operator


def install(keras_tensor_type: type) -> None:
    """Make ``Tensor``'s and ``Variable``'s binary operators defer to ``keras_tensor_type`` (once)."""
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        tensor_type = type(tapegrad.constant(0.0))
        # The extension's Variable class (a base of the public ``tf.Variable``) defines its own operators.
        variable_types = [cls for cls in tapegrad.Variable.__mro__ if "__add__" in vars(cls)]
        for cls in dict.fromkeys([tensor_type, *variable_types]):
            for name in _BINARY_OPERATORS:
                operator = vars(cls).get(name)
                if operator is not None:
                    setattr(cls, name, _deferring(operator, keras_tensor_type))
        _installed = True
