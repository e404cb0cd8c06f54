"""``tapegrad.Variable``: the Rust variable, plus a registry that lets the tape
hand back the very objects users created (``tape.watched_variables()[0] is v``)."""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

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

    # ------------------------------------------------------ sparse updates
    # In place and unrecorded, like assign: each computes the new value with the
    # scatter ops and assigns it.
    def _scatter_rows(self, op: Any, sparse_delta: Any) -> Variable:
        idx = np.asarray(
            sparse_delta.indices.numpy() if _core.is_tensor(sparse_delta.indices) else sparse_delta.indices
        )
        self.assign(op(self.read_value(), idx[..., None], sparse_delta.values))
        return self

    def scatter_update(
        self, sparse_delta: Any, use_locking: bool = False, name: str | None = None
    ) -> Variable:
        """Replace the rows ``sparse_delta.indices`` with ``sparse_delta.values`` (an IndexedSlices)."""
        from ._scatter_ops import tensor_scatter_nd_update

        return self._scatter_rows(tensor_scatter_nd_update, sparse_delta)

    def scatter_add(self, sparse_delta: Any, use_locking: bool = False, name: str | None = None) -> Variable:
        """Add ``sparse_delta.values`` to the rows ``sparse_delta.indices`` (repeated rows sum)."""
        from ._scatter_ops import tensor_scatter_nd_add

        return self._scatter_rows(tensor_scatter_nd_add, sparse_delta)

    def scatter_sub(self, sparse_delta: Any, use_locking: bool = False, name: str | None = None) -> Variable:
        """Subtract ``sparse_delta.values`` from the rows ``sparse_delta.indices``."""
        from ._scatter_ops import tensor_scatter_nd_sub

        return self._scatter_rows(tensor_scatter_nd_sub, sparse_delta)

    def scatter_nd_update(self, indices: Any, updates: Any, name: str | None = None) -> Variable:
        """Replace the entries or slices at the index vectors ``indices`` with ``updates``."""
        from ._scatter_ops import tensor_scatter_nd_update

        self.assign(tensor_scatter_nd_update(self.read_value(), indices, updates))
        return self

    def scatter_nd_add(self, indices: Any, updates: Any, name: str | None = None) -> Variable:
        """Add ``updates`` at the index vectors ``indices``."""
        from ._scatter_ops import tensor_scatter_nd_add

        self.assign(tensor_scatter_nd_add(self.read_value(), indices, updates))
        return self

    def scatter_nd_sub(self, indices: Any, updates: Any, name: str | None = None) -> Variable:
        """Subtract ``updates`` at the index vectors ``indices``."""
        from ._scatter_ops import tensor_scatter_nd_sub

        self.assign(tensor_scatter_nd_sub(self.read_value(), indices, updates))
        return self

    # ---------------------------------------------------- sliced assignment
    def __getitem__(self, key: Any) -> Any:
        """``v[key]`` is a (recorded) read of the slice; as in TF it also has ``assign``,
        which writes that slice of ``v`` in place (the value broadcasts to the slice)."""
        sliced = _core.Variable.__getitem__(self, key)
        var = self

        def assign(
            value: Any, use_locking: bool = False, name: str | None = None, read_value: bool = True
        ) -> Any:
            return var._assign_slice(key, value)

        sliced.assign = assign
        return sliced

    def _assign_slice(self, key: Any, value: Any) -> Variable:
        current = np.array(self.numpy(), copy=True)
        np_key = _numpy_key(key)
        new = np.asarray(_core.convert_to_tensor(value, dtype_hint=self.dtype).numpy())
        try:
            current[np_key] = np.broadcast_to(new, np.shape(current[np_key])).astype(current.dtype)
        except ValueError as e:
            raise ValueError(
                f"Cannot assign a value of shape {list(new.shape)} to the slice {key!r} of shape "
                f"{list(np.shape(current[np_key]))} of variable {self.name}"
            ) from e
        self.assign(current)
        return self


def _numpy_key(key: Any) -> Any:
    """A slice key with tensors (ints, bounds) replaced by Python ints."""

    def one(k: Any) -> Any:
        if _core.is_tensor(k):
            return int(k)
        if isinstance(k, slice):
            return slice(*(None if v is None else int(v) for v in (k.start, k.stop, k.step)))
        return k

    return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)


def canonical(v: _core.Variable) -> _core.Variable:
    """The user's own ``Variable`` object for ``v``'s underlying variable, if it is alive."""
    return _LIVE.get(v._id, v)
