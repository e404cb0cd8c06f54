"""``tapegrad.Variable``: the Rust variable, plus a registry that lets the tape
hand back the very objects users created (``tape.watched_variables()[0] is v``)."""

from __future__ import annotations

import weakref
from typing import Any

from . import _core

__all__ = ["Variable"]

_LIVE: weakref.WeakValueDictionary[int, Variable] = weakref.WeakValueDictionary()


class Variable(_core.Variable):
    """A named, mutable tensor value that tapes watch when it is read (TF's ``tf.Variable``).

    ``Variable(initial_value, trainable=True, name=None, dtype=None)``; ``name`` reads
    back with TF's ``':0'`` suffix. Every operator works on it as on a tensor and
    returns a Tensor; ``assign``, ``assign_add`` and ``assign_sub`` update it in place.

    >>> import tapegrad as tf
    >>> v = tf.Variable(1.0, name="v")
    >>> v.name, float(v.assign_add(2.0))
    ('v:0', 3.0)
    """

    __slots__ = ()
    __module__ = "tapegrad"

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = True,
        name: str | None = None,
        dtype: Any = None,
        shape: Any = None,
        **kwargs: Any,
    ) -> None:
        # The Rust __new__ built the variable from these arguments; only register it.
        # (Named here so that help() and type checkers show tf.Variable's signature.)
        _LIVE[self._id] = self


def canonical(v: _core.Variable) -> _core.Variable:
    """The user's own ``Variable`` object for ``v``'s underlying variable, if it is alive."""
    return _LIVE.get(v._id, v)
