"""Dataset elements: nested structures of host (numpy) arrays.

A dataset holds its elements as nested tuples, namedtuples and dicts of numpy arrays
whose dtypes tapegrad has (float32, float64, int32, int64, bool), and turns them into
tapegrad tensors only where the user sees them: when iterating, and when calling a
user function (``map``, ``filter``, ``reduce``...). Batching and slicing then stay in
numpy, and nothing a dataset does is recorded on a gradient tape (as in TF, where
input pipelines run outside the tape).

As in ``tf.data``, a *list* is not a structure: a list given to ``from_tensor_slices``
is one tensor (``[[1, 2], [3, 4]]`` is a 2x2 matrix), and a list returned by a
``map`` function becomes a tuple.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

from .. import _core, _nest
from ..tensor_spec import TensorSpec

__all__ = [
    "call_function",
    "flatten",
    "from_function_output",
    "from_user_value",
    "host_dtype",
    "is_structure",
    "map_leaves",
    "pack",
    "spec_of",
    "to_numpy",
    "to_tensors",
]

#: numpy dtypes tapegrad has no tensor type for, mapped to the nearest that holds their values
#: (``uint8`` images become int32; ``tf.cast(x, tf.float32) / 255`` then works unchanged).
_WIDENED = {
    np.dtype(np.float16): np.dtype(np.float32),
    np.dtype(np.int8): np.dtype(np.int32),
    np.dtype(np.int16): np.dtype(np.int32),
    np.dtype(np.uint8): np.dtype(np.int32),
    np.dtype(np.uint16): np.dtype(np.int32),
    np.dtype(np.uint32): np.dtype(np.int64),
    np.dtype(np.uint64): np.dtype(np.int64),
}
_SUPPORTED = {np.dtype(t) for t in (np.float32, np.float64, np.int32, np.int64, np.bool_)}


def is_structure(value: Any) -> bool:
    """True for the containers tf.data nests through: tuples (namedtuples too) and mappings."""
    return isinstance(value, (tuple, Mapping))


def flatten(element: Any) -> list[Any]:
    """The leaves of an element (mappings in sorted-key order, as ``tf.nest``)."""
    return _nest.flatten(element) if is_structure(element) else [element]


def pack(structure: Any, leaves: list[Any]) -> Any:
    """``leaves`` rebuilt in the shape of ``structure``."""
    return _nest.pack_sequence_as(structure, leaves) if is_structure(structure) else leaves[0]


def map_leaves(fn: Callable[[Any], Any], element: Any) -> Any:
    """``fn`` applied to every leaf of an element, keeping its structure."""
    kind = type(element)
    if kind is tuple:  # the common cases, without the general rebuild
        return tuple([map_leaves(fn, c) for c in element])
    if kind is dict:
        return {k: map_leaves(fn, v) for k, v in element.items()}
    if not is_structure(element):
        return fn(element)
    return _nest.pack_sequence_as(element, [fn(leaf) for leaf in _nest.flatten(element)])


def host_dtype(dtype: np.dtype[Any], what: str = "value") -> np.dtype[Any]:
    """The numpy dtype a dataset stores for values of ``dtype``.

    Raises:
        TypeError: strings, objects and complex numbers (tapegrad has no such tensors).
    """
    dtype = np.dtype(dtype)
    if dtype in _SUPPORTED:
        return dtype
    widened = _WIDENED.get(dtype)
    if widened is None:
        raise TypeError(
            f"tf.data: cannot hold a {what} of numpy dtype {dtype}; tapegrad tensors are "
            "float32, float64, int32, int64 or bool"
        )
    return widened


def to_host(value: Any, dtype: Any = None) -> np.ndarray[Any, Any]:
    """One leaf as a host array with TF's dtype rules (Python floats float32, numpy keeps its dtype)."""
    if type(value) is np.ndarray and dtype is None and value.dtype in _SUPPORTED:
        return value
    if _core.is_tensor(value) and dtype is None:
        return np.asarray(value.numpy())
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
        if dtype is not None:
            return np.asarray(arr, dtype=_core.as_dtype(dtype).as_numpy_dtype)
        return np.asarray(arr, dtype=host_dtype(arr.dtype))
    if dtype is None and isinstance(value, list) and value and all(
        isinstance(v, (np.ndarray, np.generic)) for v in _list_leaves(value)
    ):
        # A list of numpy values keeps their dtype (TF packs them), unlike Python numbers.
        arr = np.asarray(value)
        return np.asarray(arr, dtype=host_dtype(arr.dtype))
    t = _core.convert_to_tensor(value, dtype=dtype)
    return np.asarray(t.numpy())


def _list_leaves(value: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in value:
        out.extend(_list_leaves(v) if isinstance(v, list) else [v])
    return out


def from_user_value(value: Any) -> Any:
    """A user-given element (``from_tensor_slices``/``from_tensors``) as host arrays.

    Tuples and dicts are structures; a list is one tensor, as TF converts it.
    """
    if isinstance(value, Mapping):
        return _rebuild(value, {k: from_user_value(v) for k, v in value.items()})
    if isinstance(value, tuple):
        return _rebuild(value, [from_user_value(v) for v in value])
    if value is None:
        raise TypeError("tf.data: None is not a valid dataset element component")
    return to_host(value)


def from_function_output(value: Any) -> Any:
    """What a user function returned, as a host element: a returned list becomes a tuple (as
    tf.data does at the top level); below it, lists are tensors."""
    if isinstance(value, list):
        value = tuple(value)
    if value is None:
        raise TypeError("tf.data: a dataset function returned None, which is not a valid element")
    return from_user_value(value)


def _rebuild(instance: Any, children: Any) -> Any:
    """A container of ``instance``'s kind holding ``children`` (a list, or a dict for mappings)."""
    if isinstance(instance, Mapping):
        try:
            out = type(instance)()
        except TypeError:
            out = {}
        for k in instance:
            out[k] = children[k]
        return out
    if type(instance) is tuple:
        return tuple(children)
    if hasattr(type(instance), "_fields"):
        return type(instance)(*children)
    return type(instance)(children)


def to_tensors(element: Any) -> Any:
    """A host element as tapegrad tensors (what iteration yields; host dtypes are tensor dtypes)."""
    return map_leaves(_leaf_tensor, element)


def _leaf_tensor(arr: Any) -> Any:
    # A numpy scalar would convert by Python rules (float64 -> float32); an array keeps its dtype.
    return _core.constant(arr if type(arr) is np.ndarray else np.asarray(arr))


def _leaf_numpy(arr: np.ndarray[Any, Any]) -> Any:
    return arr[()] if arr.ndim == 0 else arr.copy()


def to_numpy(element: Any) -> Any:
    """A host element as ``as_numpy_iterator`` yields it: arrays, and numpy scalars for 0-d."""
    return map_leaves(_leaf_numpy, element)


def spec_of(element: Any) -> Any:
    """The ``TensorSpec`` structure of a host element."""
    return map_leaves(lambda a: TensorSpec(a.shape, _core.as_dtype(a.dtype.name)), element)


def call_function(fn: Callable[..., Any], element: Any) -> Any:
    """``fn`` called on an element's tensors, unpacking a plain tuple into arguments as TF does."""
    tensors = to_tensors(element)
    if type(tensors) is tuple:
        return fn(*tensors)
    return fn(tensors)
