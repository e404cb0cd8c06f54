"""Datasets that make elements: slices of tensors, one tensor, a range, a Python generator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from .. import _core
from ..errors import InvalidArgumentError
from ..tensor_spec import PartialShape, TensorSpec
from . import _structure as st
from .dataset import Dataset

__all__ = ["GeneratorDataset", "RangeDataset", "TensorDataset", "TensorSliceDataset"]


class TensorSliceDataset(Dataset):
    """One element per row (first-dimension slice) of every component."""

    def __init__(self, element: Any) -> None:
        super().__init__()
        leaves = st.flatten(element)
        n = None
        for leaf in leaves:
            if leaf.ndim == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1")
            if n is None:
                n = leaf.shape[0]
            elif leaf.shape[0] != n:
                raise ValueError(f"Dimensions {n} and {leaf.shape[0]} are not compatible")
        self._element = element
        self._leaves = leaves
        self._n = 0 if n is None else int(n)

    def _cardinality(self) -> int:
        return self._n

    def _compute_spec(self) -> Any:
        return st.map_leaves(
            lambda a: TensorSpec(a.shape[1:], _core.as_dtype(a.dtype.name)), self._element
        )

    def _rows(self, start: int, stop: int) -> Any:
        """Rows ``start:stop`` of every component as one batched host element."""
        return st.pack(self._element, [leaf[start:stop] for leaf in self._leaves])

    def _gather(self, rows: np.ndarray[Any, Any]) -> Any:
        """The given rows of every component as one batched host element."""
        return st.pack(self._element, [leaf[rows] for leaf in self._leaves])

    def _row(self, i: int) -> Any:
        """Row ``i`` as one element."""
        return st.pack(self._element, [leaf[i, ...] for leaf in self._leaves])

    def _index_source(self) -> Any:
        return self, iter(range(self._n))

    def _host_iter(self) -> Iterator[Any]:
        element, leaves = self._element, self._leaves
        if len(leaves) == 1 and not st.is_structure(element):
            leaf = leaves[0]
            for i in range(self._n):
                yield leaf[i, ...]  # `[i, ...]` keeps a 0-d array where `[i]` gives a numpy scalar
            return
        for i in range(self._n):
            yield st.pack(element, [leaf[i, ...] for leaf in leaves])


class TensorDataset(Dataset):
    """Exactly one element."""

    def __init__(self, element: Any) -> None:
        super().__init__()
        self._element = element

    def _cardinality(self) -> int:
        return 1

    def _compute_spec(self) -> Any:
        return st.spec_of(self._element)

    def _host_iter(self) -> Iterator[Any]:
        yield self._element


class RangeDataset(Dataset):
    """``range(start, stop, step)`` as scalars of ``output_type`` (int64 by default)."""

    def __init__(self, args: tuple[Any, ...], output_type: Any) -> None:
        super().__init__()
        from .dataset import _as_int

        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to Dataset.range: {args!r}")
        ints = [_as_int(a, "range argument") for a in args]
        start, stop, step = (0, ints[0], 1) if len(ints) == 1 else (ints + [1])[:3]
        if step == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        self._range = range(start, stop, step)
        self._dtype = _core.int64 if output_type is None else _core.as_dtype(output_type)
        self._np = np.dtype(self._dtype.as_numpy_dtype)

    def _cardinality(self) -> int:
        return len(self._range)

    def _compute_spec(self) -> Any:
        return TensorSpec((), self._dtype)

    def _host_iter(self) -> Iterator[Any]:
        dtype = self._np
        for i in self._range:
            yield np.array(i, dtype=dtype)


def _signature(output_types: Any, output_shapes: Any, output_signature: Any) -> Any:
    """The ``TensorSpec`` structure a generator's values must match."""
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError(
                "The `output_types` and `output_shapes` arguments must not be set when "
                "`output_signature` is set."
            )

        def check(spec: Any) -> Any:
            if not isinstance(spec, TensorSpec):
                raise TypeError(
                    "`output_signature` must contain objects that are subclass of "
                    f"`tf.TypeSpec` but found {type(spec)} which is not."
                )
            return spec

        return st.map_leaves(check, _tuples(output_signature))
    if output_types is None:
        raise TypeError("`output_signature` must be set (or the deprecated `output_types`).")
    types = _tuples(output_types)
    if output_shapes is None:
        return st.map_leaves(lambda t: TensorSpec(None, t), types)
    shapes = _shape_structure(output_shapes, types)
    flat_types = st.flatten(types)
    return st.pack(types, [TensorSpec(s, t) for t, s in zip(flat_types, shapes)])


def _tuples(structure: Any) -> Any:
    """Lists inside a signature structure read as tuples."""
    if isinstance(structure, list):
        return tuple(_tuples(s) for s in structure)
    if isinstance(structure, tuple) and not hasattr(type(structure), "_fields"):
        return tuple(_tuples(s) for s in structure)
    if isinstance(structure, dict):
        return {k: _tuples(v) for k, v in structure.items()}
    return structure


def _shape_structure(shapes: Any, types: Any) -> list[Any]:
    """``output_shapes`` flattened in the order of ``types``' leaves (a shape is a list/tuple of dims)."""
    if not st.is_structure(types):
        return [shapes]
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _shape_structure(shapes[k], types[k])]
    out: list[Any] = []
    for t, s in zip(types, shapes):
        out.extend(_shape_structure(s, t))
    return out


class GeneratorDataset(Dataset):
    """The values of ``generator(*args)``, checked against a ``TensorSpec`` structure."""

    def __init__(
        self,
        generator: Callable[..., Any],
        output_types: Any,
        output_shapes: Any,
        args: Any,
        output_signature: Any,
    ) -> None:
        super().__init__()
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        self._generator = generator
        self._args = tuple(st.to_numpy(st.from_user_value(a)) for a in (args or ()))
        self._spec = _signature(output_types, output_shapes, output_signature)

    def _compute_spec(self) -> Any:  # pragma: no cover - the spec is given
        return self._spec

    def _host_iter(self) -> Iterator[Any]:
        spec = self._spec
        flat_specs = st.flatten(spec)
        for value in self._generator(*self._args):
            try:
                leaves = _flatten_up_to(spec, value)
            except (ValueError, TypeError, KeyError):
                raise TypeError(
                    "`generator` yielded an element that did not match the expected structure. "
                    f"The expected structure was {spec}, but the yielded element was {value!r:.200}."
                ) from None
            yield st.pack(spec, [_convert(v, s) for v, s in zip(leaves, flat_specs)])


def _flatten_up_to(spec: Any, value: Any) -> list[Any]:
    """``value``'s parts matching ``spec``'s leaves (a list may stand for a tuple).

    Raises:
        ValueError, TypeError, KeyError: ``value`` does not have ``spec``'s structure.
    """
    if not st.is_structure(spec):
        return [value]
    if isinstance(spec, dict):
        return [leaf for k in sorted(spec) for leaf in _flatten_up_to(spec[k], value[k])]
    if not isinstance(value, (tuple, list)) or len(value) != len(spec):
        raise ValueError("structure mismatch")
    return [leaf for s, v in zip(spec, value) for leaf in _flatten_up_to(s, v)]


def _convert(value: Any, spec: TensorSpec) -> np.ndarray[Any, Any]:
    """One yielded value as a host array of ``spec``'s dtype and a compatible shape.

    Raises:
        InvalidArgumentError: the value cannot be converted, or its shape does not fit.
    """
    try:
        if _core.is_tensor(value):
            value = value.numpy()
        arr = np.asarray(value, dtype=spec.dtype.as_numpy_dtype)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            "TypeError: `generator` yielded an element that could not be converted to the "
            f"expected type. The expected type was {spec.dtype.name}, but the yielded element "
            f"was {value!r:.200}."
        ) from None
    if not spec.shape.is_compatible_with(arr.shape):
        raise InvalidArgumentError(
            f"TypeError: `generator` yielded an element of shape {PartialShape(arr.shape)} where "
            f"an element of shape {spec.shape} was expected."
        )
    return arr
