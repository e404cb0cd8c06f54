"""Datasets made from other datasets: map, filter, batch, shuffle, repeat, zip and friends.

Cardinalities follow TF's kernels (``*DatasetOp::CardinalityInternal``): an unknown
input usually gives an unknown result, an infinite one an infinite result.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from .. import _core
from ..errors import DataLossError, InvalidArgumentError
from ..tensor_spec import PartialShape, TensorSpec
from . import _structure as st
from .dataset import (
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    spec_with_batch_dim,
)

INF, UNKNOWN = INFINITE_CARDINALITY, UNKNOWN_CARDINALITY


class _Unary(Dataset):
    """A dataset with one input whose cardinality and spec it keeps unless it says otherwise."""

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__()
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a tf.data.Dataset, got {type(input_dataset).__name__}")
        self._input = input_dataset

    def _cardinality(self) -> int:
        return self._input._cardinality()

    def _compute_spec(self) -> Any:
        return self._input.element_spec


class PassThroughDataset(_Unary):
    """The input's elements unchanged (``prefetch``, ``assert_cardinality``)."""

    _fixed_cardinality: int | None = None

    def __init__(self, input_dataset: Dataset, kind: str) -> None:
        super().__init__(input_dataset)
        self._kind = kind

    def _cardinality(self) -> int:
        if self._fixed_cardinality is not None:
            return self._fixed_cardinality
        return self._input._cardinality()

    def _host_iter(self) -> Iterator[Any]:
        return self._input._host_iter()

    def _index_source(self) -> Any:
        return self._input._index_source()

    def __repr__(self) -> str:
        return f"<_{self._kind} element_spec={self.element_spec}>"


def _function_output(fn: Callable[..., Any], element: Any) -> Any:
    return st.from_function_output(st.call_function(fn, element))


class MapDataset(_Unary):
    """``map_func`` applied to each element."""

    def __init__(self, input_dataset: Dataset, map_func: Callable[..., Any]) -> None:
        super().__init__(input_dataset)
        if not callable(map_func):
            raise TypeError(f"`map_func` must be callable, got {map_func!r}")
        self._fn = map_func

    def _compute_spec(self) -> Any:
        # TF traces the function; eagerly, its output on the first element gives the structure.
        for element in self._input._host_iter():
            return st.spec_of(_function_output(self._fn, element))
        return self._input.element_spec

    def _host_iter(self) -> Iterator[Any]:
        fn = self._fn
        for element in self._input._host_iter():
            yield _function_output(fn, element)


def _predicate_value(fn: Callable[..., Any], element: Any) -> bool:
    """The boolean a ``filter``/``take_while`` predicate returned.

    Raises:
        ValueError: it is not a scalar bool (TF's message).
    """
    out = st.call_function(fn, element)
    value = st.to_host(out) if not isinstance(out, (bool, np.bool_)) else np.asarray(out)
    if value.dtype != np.bool_ or value.ndim != 0:
        spec = TensorSpec(value.shape, _core.as_dtype(st.host_dtype(value.dtype).name))
        raise ValueError(
            "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "
            f"return type is {spec}."
        )
    return bool(value)


class FilterDataset(_Unary):
    """The elements for which a predicate holds."""

    def __init__(self, input_dataset: Dataset, predicate: Callable[..., Any]) -> None:
        super().__init__(input_dataset)
        self._fn = predicate

    def _cardinality(self) -> int:
        return UNKNOWN

    def _host_iter(self) -> Iterator[Any]:
        fn = self._fn
        for element in self._input._host_iter():
            if _predicate_value(fn, element):
                yield element


class TakeWhileDataset(FilterDataset):
    """The elements before the first for which a predicate fails."""

    def _host_iter(self) -> Iterator[Any]:
        fn = self._fn
        for element in self._input._host_iter():
            if not _predicate_value(fn, element):
                return
            yield element


def _stack(elements: list[Any]) -> Any:
    """Elements of one structure stacked component by component.

    Raises:
        InvalidArgumentError: a component's shape differs between elements.
    """
    first = elements[0]
    flat = [st.flatten(e) for e in elements]
    out = []
    for c in range(len(flat[0])):
        parts = [f[c] for f in flat]
        shape0 = parts[0].shape
        for j, p in enumerate(parts):
            if p.shape != shape0:
                raise InvalidArgumentError(
                    "Cannot add tensor to the batch: number of elements does not match. Shapes "
                    f"are: [tensor]: {list(shape0)}, [batch]: {list(p.shape)} (component {c}, "
                    f"element {j} of the batch)"
                )
        out.append(np.stack(parts))
    return st.pack(first, out)


def _batched(n: int, size: int, drop: bool) -> int:
    if n in (INF, UNKNOWN):
        return n
    return n // size if drop else -(-n // size)


class BatchDataset(_Unary):
    """Consecutive elements stacked into batches."""

    def __init__(self, input_dataset: Dataset, batch_size: int, drop_remainder: bool) -> None:
        super().__init__(input_dataset)
        if batch_size <= 0:
            raise InvalidArgumentError("Batch size must be greater than zero.")
        self._size = batch_size
        self._drop = drop_remainder

    def _cardinality(self) -> int:
        return _batched(self._input._cardinality(), self._size, self._drop)

    def _compute_spec(self) -> Any:
        return spec_with_batch_dim(self._input.element_spec, self._size if self._drop else None)

    def _host_iter(self) -> Iterator[Any]:
        from ._sources import TensorSliceDataset

        size, drop, source = self._size, self._drop, self._input
        if isinstance(source, TensorSliceDataset):
            # Slicing the source's arrays directly: one copy per batch instead of one per row.
            n = source._n
            stop = n - n % size if drop else n
            for start in range(0, stop, size):
                yield source._rows(start, min(start + size, n))
            return
        indexed = source._index_source()
        if indexed is not None:
            rows, indices = indexed
            while True:
                chunk = list(itertools.islice(indices, size))
                if not chunk or (drop and len(chunk) < size):
                    return
                yield rows._gather(np.asarray(chunk, dtype=np.int64))
        batch: list[Any] = []
        for element in source._host_iter():
            batch.append(element)
            if len(batch) == size:
                yield _stack(batch)
                batch = []
        if batch and not drop:
            yield _stack(batch)


def _padded_shape_list(padded_shapes: Any, spec_structure: Any) -> list[Any]:
    """``padded_shapes`` flattened like the element (None for "pad to the batch's largest")."""
    if padded_shapes is None:
        return [None] * len(st.flatten(spec_structure))
    shapes = st.flatten(_shape_leaves(padded_shapes)) if st.is_structure(spec_structure) else [
        _shape_leaves(padded_shapes)
    ]
    return [PartialShape(None if s is None else list(s)) for s in shapes]


def _shape_leaves(structure: Any) -> Any:
    """A ``padded_shapes`` structure where each shape (list, tuple, TensorShape, tensor) is a leaf."""
    class _Shape:
        def __init__(self, dims: Any) -> None:
            self.dims = dims

        def __iter__(self) -> Any:
            return iter(self.dims)

    def walk(s: Any) -> Any:
        if isinstance(s, dict):
            return {k: walk(v) for k, v in s.items()}
        if isinstance(s, tuple) and any(isinstance(c, (tuple, list, dict)) or _is_shape(c) for c in s):
            if all(isinstance(c, (int, type(None))) for c in s):
                return _Shape(list(s))
            return type(s)(*(walk(c) for c in s)) if hasattr(type(s), "_fields") else tuple(
                walk(c) for c in s
            )
        if _core.is_tensor(s):
            return _Shape([int(d) for d in s.numpy().reshape(-1)])
        if isinstance(s, (list, tuple)) or _is_shape(s):
            return _Shape(list(s))
        if isinstance(s, int):
            return _Shape([s])
        return s

    out = walk(structure)
    return out


def _is_shape(value: Any) -> bool:
    return isinstance(value, PartialShape) or type(value).__name__ == "TensorShape"


class PaddedBatchDataset(BatchDataset):
    """Batches whose components are padded to a common shape."""

    def __init__(
        self,
        input_dataset: Dataset,
        batch_size: int,
        padded_shapes: Any,
        padding_values: Any,
        drop_remainder: bool,
    ) -> None:
        super().__init__(input_dataset, batch_size, drop_remainder)
        self._padded_shapes = padded_shapes
        self._padding_values = padding_values

    def _targets(self) -> list[Any]:
        return _padded_shape_list(self._padded_shapes, self._input.element_spec)

    def _compute_spec(self) -> Any:
        spec = self._input.element_spec
        targets = self._targets()
        flat = st.flatten(spec)
        padded = []
        for s, t in zip(flat, targets):
            shape = PartialShape([None] * len(s.shape)) if t is None else t
            padded.append(TensorSpec(shape, s.dtype))
        return spec_with_batch_dim(st.pack(spec, padded), self._size if self._drop else None)

    def _pad_values(self, count: int) -> list[Any]:
        values = self._padding_values
        if values is None:
            return [None] * count
        if st.is_structure(values):
            return st.flatten(values)
        return [values] * count

    def _pad(self, elements: list[Any]) -> Any:
        first = elements[0]
        flat = [st.flatten(e) for e in elements]
        targets = self._targets()
        pads = self._pad_values(len(flat[0]))
        out = []
        for c in range(len(flat[0])):
            parts = [f[c] for f in flat]
            rank = parts[0].ndim
            for p in parts:
                if p.ndim != rank:
                    raise InvalidArgumentError(
                        f"padded_batch: component {c} has ranks {rank} and {p.ndim} in one batch"
                    )
            biggest = [max(p.shape[d] for p in parts) for d in range(rank)]
            target = targets[c]
            if target is not None and target.rank is not None:
                if len(target) != rank:
                    raise ValueError(
                        f"The padded shape {target} is not compatible with the shape "
                        f"{PartialShape(parts[0].shape)} of the corresponding input component."
                    )
                dims = [b if t is None else t for t, b in zip(target, biggest)]
            else:
                dims = biggest
            if any(b > d for b, d in zip(biggest, dims)):
                raise DataLossError("Attempted to pad to a smaller size than the input element.")
            pad = pads[c]
            fill = 0 if pad is None else st.to_host(pad, _core.as_dtype(parts[0].dtype.name))
            batch = np.full([len(parts), *dims], fill, dtype=parts[0].dtype)
            for j, p in enumerate(parts):
                batch[(j, *(slice(0, s) for s in p.shape))] = p
            out.append(batch)
        return st.pack(first, out)

    def _host_iter(self) -> Iterator[Any]:
        batch: list[Any] = []
        for element in self._input._host_iter():
            batch.append(element)
            if len(batch) == self._size:
                yield self._pad(batch)
                batch = []
        if batch and not self._drop:
            yield self._pad(batch)


class UnbatchDataset(_Unary):
    """Each element split along its first dimension."""

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__(input_dataset)
        for s in st.flatten(input_dataset.element_spec):
            if s.shape.rank == 0:
                raise ValueError("Cannot unbatch an input with scalar components.")

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INF if n == INF else UNKNOWN

    def _compute_spec(self) -> Any:
        return st.map_leaves(lambda s: TensorSpec(s.shape[1:], s.dtype), self._input.element_spec)

    def _host_iter(self) -> Iterator[Any]:
        for element in self._input._host_iter():
            leaves = st.flatten(element)
            n = leaves[0].shape[0]
            for leaf in leaves[1:]:
                if leaf.shape[0] != n:
                    raise InvalidArgumentError(
                        "Input element must have the same batch size in each component. "
                        f"Component 0 had size {n} but component had size {leaf.shape[0]}."
                    )
            for i in range(n):
                yield st.pack(element, [leaf[i, ...] for leaf in leaves])


def _draw_seed() -> int:
    """A seed from tapegrad's random stream, so ``tf.random.set_seed`` fixes shuffle orders."""
    u = _core.random_uniform([2], dtype=_core.float64).numpy()
    return int(u[0] * 2**31) * 2**31 + int(u[1] * 2**31)


class ShuffleDataset(_Unary):
    """The input's elements drawn at random from a buffer (TF's ``ShuffleDataset`` algorithm)."""

    def __init__(self, input_dataset: Dataset, buffer_size: int, seed: Any, reshuffle: bool) -> None:
        super().__init__(input_dataset)
        if buffer_size == 0 or buffer_size < UNKNOWN:
            raise InvalidArgumentError(
                "buffer_size must be greater than zero or UNKNOWN_CARDINALITY"
            )
        self._buffer_size = buffer_size
        self._seed = _draw_seed() if seed is None else int(seed)
        self._reshuffle = reshuffle
        self._epoch = 0

    def _rng(self) -> np.random.Generator:
        if self._reshuffle:
            rng = np.random.default_rng([self._seed & (2**63 - 1), self._epoch])
            self._epoch += 1
            return rng
        return np.random.default_rng(self._seed & (2**63 - 1))

    def _size(self) -> int:
        # AUTOTUNE / UNKNOWN_CARDINALITY: a buffer as large as the input.
        return 2**62 if self._buffer_size < 0 else self._buffer_size

    def _index_source(self) -> Any:
        indexed = self._input._index_source()
        if indexed is None:
            return None
        rows, indices = indexed
        return rows, _shuffled(indices, self._size(), self._rng())

    def _host_iter(self) -> Iterator[Any]:
        indexed = self._index_source()
        if indexed is not None:
            rows, indices = indexed
            return (rows._row(i) for i in indices)
        return _shuffled(self._input._host_iter(), self._size(), self._rng())


def _shuffled(it: Iterator[Any], size: int, rng: np.random.Generator) -> Iterator[Any]:
    """Emit a uniformly chosen slot of a buffer of up to ``size`` elements, refill it from ``it``."""
    buf: list[Any] = []
    for element in it:
        buf.append(element)
        if len(buf) >= size:
            break
    while buf:
        i = int(rng.integers(len(buf)))
        out = buf[i]
        try:
            buf[i] = next(it)
        except StopIteration:
            buf[i] = buf[-1]
            buf.pop()
        yield out


class RepeatDataset(_Unary):
    """The input ``count`` times (forever when -1)."""

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INF
        if self._count == 0:
            return 0
        if n in (INF, UNKNOWN):
            return n
        return n * self._count

    def _index_source(self) -> Any:
        first = self._input._index_source()
        if first is None:
            return None
        rows = first[0]

        def indices() -> Iterator[int]:
            epochs = itertools.count() if self._count < 0 else range(self._count)
            for k in epochs:
                empty = True
                for i in (first[1] if k == 0 else self._input._index_source()[1]):
                    empty = False
                    yield i
                if empty:
                    return

        return rows, indices()

    def _host_iter(self) -> Iterator[Any]:
        epochs = itertools.count() if self._count < 0 else range(self._count)
        for _ in epochs:
            empty = True
            for element in self._input._host_iter():
                empty = False
                yield element
            if empty:  # an empty input repeated forever is still empty (not a hang)
                return


class TakeDataset(_Unary):
    """The first ``count`` elements."""

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n == UNKNOWN:
            return UNKNOWN
        if self._count < 0:
            return n
        if n == INF:
            return self._count
        return min(n, self._count)

    def _index_source(self) -> Any:
        indexed = self._input._index_source()
        if indexed is None or self._count < 0:
            return indexed
        return indexed[0], itertools.islice(indexed[1], self._count)

    def _host_iter(self) -> Iterator[Any]:
        if self._count < 0:
            return self._input._host_iter()
        return itertools.islice(self._input._host_iter(), self._count)


class SkipDataset(_Unary):
    """All but the first ``count`` elements."""

    def __init__(self, input_dataset: Dataset, count: int) -> None:
        super().__init__(input_dataset)
        self._count = count

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n in (INF, UNKNOWN):
            return n
        if self._count < 0:
            return 0
        return max(0, n - self._count)

    def _index_source(self) -> Any:
        indexed = self._input._index_source()
        if indexed is None:
            return None
        if self._count < 0:
            return indexed[0], iter(())
        return indexed[0], itertools.islice(indexed[1], self._count, None)

    def _host_iter(self) -> Iterator[Any]:
        if self._count < 0:
            return iter(())
        return itertools.islice(self._input._host_iter(), self._count, None)


class CacheDataset(_Unary):
    """The input's elements, replayed from memory once one iteration has completed."""

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__(input_dataset)
        self._cache: list[Any] | None = None

    def _host_iter(self) -> Iterator[Any]:
        if self._cache is not None:
            yield from self._cache
            return
        seen = []
        for element in self._input._host_iter():
            seen.append(element)
            yield element
        self._cache = seen


class EnumerateDataset(_Unary):
    """``(index, element)`` pairs."""

    def __init__(self, input_dataset: Dataset, start: int) -> None:
        super().__init__(input_dataset)
        self._start = start

    def _compute_spec(self) -> Any:
        return (TensorSpec((), _core.int64), self._input.element_spec)

    def _host_iter(self) -> Iterator[Any]:
        for i, element in enumerate(self._input._host_iter(), self._start):
            yield (np.array(i, dtype=np.int64), element)


class ZipDataset(Dataset):
    """Elements of several datasets side by side, in the given structure of datasets."""

    def __init__(self, structure: Any) -> None:
        super().__init__()
        datasets = st.flatten(structure) if isinstance(structure, (tuple, dict)) else [structure]
        for d in datasets:
            if not isinstance(d, Dataset):
                raise TypeError(
                    "Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                    f"`tf.data.Dataset` objects. Python `list` is not supported and you should "
                    f"use `tuple` instead. Got {type(d).__name__}."
                )
        self._structure = structure
        self._datasets = datasets

    def _cardinality(self) -> int:
        result = INF
        for d in self._datasets:
            n = d._cardinality()
            if n == UNKNOWN:
                return UNKNOWN
            if n != INF and (result == INF or n < result):
                result = n
        return result

    def _compute_spec(self) -> Any:
        return st.pack(self._structure, [d.element_spec for d in self._datasets])

    def _host_iter(self) -> Iterator[Any]:
        for parts in zip(*(d._host_iter() for d in self._datasets)):
            yield st.pack(self._structure, list(parts))


def _same_structure(a: Any, b: Any) -> bool:
    if st.is_structure(a) != st.is_structure(b):
        return False
    if not st.is_structure(a):
        return True
    if isinstance(a, dict) != isinstance(b, dict) or len(a) != len(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same_structure(a[k], b[k]) for k in a)
    return all(_same_structure(x, y) for x, y in zip(a, b))


class ConcatenateDataset(Dataset):
    """One dataset's elements, then another's."""

    def __init__(self, first: Dataset, second: Dataset) -> None:
        super().__init__()
        if not isinstance(second, Dataset):
            raise TypeError(f"`dataset` must be a tf.data.Dataset, got {type(second).__name__}")
        a, b = first.element_spec, second.element_spec
        flat_a, flat_b = st.flatten(a), st.flatten(b)
        if not _same_structure(a, b) or any(
            not x.dtype == y.dtype for x, y in zip(flat_a, flat_b)
        ):
            raise TypeError(f"Incompatible dataset elements:\n  {a} vs.   {b}")
        self._first, self._second = first, second
        self._spec = st.pack(
            a, [x.most_specific_compatible_type(y) for x, y in zip(flat_a, flat_b)]
        )

    def _cardinality(self) -> int:
        n1, n2 = self._first._cardinality(), self._second._cardinality()
        if UNKNOWN in (n1, n2):
            return UNKNOWN
        if INF in (n1, n2):
            return INF
        return n1 + n2

    def _compute_spec(self) -> Any:  # pragma: no cover - set in __init__
        return self._spec

    def _host_iter(self) -> Iterator[Any]:
        yield from self._first._host_iter()
        yield from self._second._host_iter()


def _as_dataset(value: Any, what: str) -> Dataset:
    if not isinstance(value, Dataset):
        raise TypeError(f"`{what}` must return a `tf.data.Dataset`, got {type(value).__name__}")
    return value


class InterleaveDataset(_Unary):
    """Elements of the datasets ``map_func`` returns: ``cycle_length`` open at a time,
    ``block_length`` elements from each in turn (``flat_map`` is ``cycle_length=1``)."""

    def __init__(self, input_dataset: Dataset, map_func: Callable[..., Any], cycle: int,
                 block: int) -> None:
        super().__init__(input_dataset)
        if cycle <= 0:
            raise InvalidArgumentError("cycle_length must be greater than zero.")
        if block <= 0:
            raise InvalidArgumentError("block_length must be greater than zero.")
        self._fn, self._cycle, self._block = map_func, cycle, block

    def _cardinality(self) -> int:
        return UNKNOWN

    def _compute_spec(self) -> Any:
        for element in self._input._host_iter():
            return _as_dataset(st.call_function(self._fn, element), "map_func").element_spec
        return self._input.element_spec

    def _host_iter(self) -> Iterator[Any]:
        inputs = self._input._host_iter()
        open_its: list[Iterator[Any] | None] = []
        exhausted_input = False

        def open_next() -> Iterator[Any] | None:
            nonlocal exhausted_input
            if exhausted_input:
                return None
            try:
                element = next(inputs)
            except StopIteration:
                exhausted_input = True
                return None
            return _as_dataset(st.call_function(self._fn, element), "map_func")._host_iter()

        while len(open_its) < self._cycle:
            it = open_next()
            if it is None:
                break
            open_its.append(it)
        i = 0
        while any(it is not None for it in open_its):
            it = open_its[i]
            if it is not None:
                for _ in range(self._block):
                    try:
                        yield next(it)
                    except StopIteration:
                        open_its[i] = open_next()
                        break
            i = (i + 1) % len(open_its)


class ShardDataset(_Unary):
    """Every ``num_shards``-th element from ``index``."""

    def __init__(self, input_dataset: Dataset, num_shards: int, index: int) -> None:
        super().__init__(input_dataset)
        if num_shards <= 0:
            raise InvalidArgumentError("Number of shards must be greater than zero (currently "
                                       f"num_shards = {num_shards}).")
        if not 0 <= index < num_shards:
            raise InvalidArgumentError(
                f"Index must be between 0 and {num_shards - 1} (currently index = {index})."
            )
        self._n, self._index = num_shards, index

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if n in (INF, UNKNOWN):
            return n
        return n // self._n + (1 if self._index < n % self._n else 0)

    def _host_iter(self) -> Iterator[Any]:
        return itertools.islice(self._input._host_iter(), self._index, None, self._n)


class ScanDataset(_Unary):
    """Outputs of a stateful ``scan_func(state, element) -> (state, output)``."""

    def __init__(self, input_dataset: Dataset, initial_state: Any,
                 scan_func: Callable[..., Any]) -> None:
        super().__init__(input_dataset)
        self._initial = st.from_user_value(initial_state)
        self._fn = scan_func

    def _step(self, state: Any, element: Any) -> tuple[Any, Any]:
        out = self._fn(st.to_tensors(state), *_args(element))
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("The scan function must return a pair comprising the new state and "
                            "the output value.")
        return st.from_user_value(_tuple(out[0])), st.from_function_output(out[1])

    def _compute_spec(self) -> Any:
        for element in self._input._host_iter():
            return st.spec_of(self._step(self._initial, element)[1])
        return self._input.element_spec

    def _host_iter(self) -> Iterator[Any]:
        state = self._initial
        for element in self._input._host_iter():
            state, out = self._step(state, element)
            yield out


def _args(element: Any) -> tuple[Any, ...]:
    tensors = st.to_tensors(element)
    return tensors if type(tensors) is tuple else (tensors,)


def _tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class UniqueDataset(_Unary):
    """Each distinct element once."""

    def __init__(self, input_dataset: Dataset) -> None:
        super().__init__(input_dataset)
        spec = input_dataset.element_spec
        if st.is_structure(spec) or spec.shape.rank != 0 or spec.dtype.is_floating:
            raise TypeError("Unique transformation only supports datasets of scalar int32, "
                            f"int64 or string elements; got {spec}.")

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        return INF if n == INF else UNKNOWN

    def _host_iter(self) -> Iterator[Any]:
        seen: set[Any] = set()
        for element in self._input._host_iter():
            key = element.item()
            if key not in seen:
                seen.add(key)
                yield element


class SampleDataset(Dataset):
    """Elements drawn from several datasets with given probabilities."""

    def __init__(self, datasets: list[Dataset], weights: Any, seed: Any, stop: bool) -> None:
        super().__init__()
        if not datasets:
            raise ValueError("Invalid `datasets`. `datasets` should not be empty.")
        self._datasets = datasets
        w = np.ones(len(datasets)) if weights is None else np.asarray(
            weights.numpy() if _core.is_tensor(weights) else weights, dtype=np.float64
        )
        if w.shape != (len(datasets),):
            raise ValueError("`weights` must have one entry per dataset")
        self._weights = w / w.sum()
        self._seed = _draw_seed() if seed is None else int(seed)
        self._stop = stop
        self._epoch = 0

    def _compute_spec(self) -> Any:
        return self._datasets[0].element_spec

    def _host_iter(self) -> Iterator[Any]:
        rng = np.random.default_rng([self._seed & (2**63 - 1), self._epoch])
        self._epoch += 1
        its: list[Iterator[Any] | None] = [d._host_iter() for d in self._datasets]
        w = self._weights.copy()
        while w.sum() > 0:
            i = int(rng.choice(len(its), p=w / w.sum()))
            it = its[i]
            try:
                yield next(it)  # type: ignore[arg-type]
            except StopIteration:
                if self._stop:
                    return
                its[i] = None
                w[i] = 0.0


class ChooseDataset(Dataset):
    """Element ``k`` from ``datasets[choice[k]]``."""

    def __init__(self, datasets: list[Dataset], choice: Dataset, stop: bool) -> None:
        super().__init__()
        self._datasets, self._choice, self._stop = datasets, choice, stop

    def _compute_spec(self) -> Any:
        return self._datasets[0].element_spec

    def _host_iter(self) -> Iterator[Any]:
        its = [d._host_iter() for d in self._datasets]
        done = [False] * len(its)
        for c in self._choice._host_iter():
            i = int(c)
            if not 0 <= i < len(its):
                raise InvalidArgumentError(
                    f"choice_dataset value {i} out of range [0, {len(its)})"
                )
            if done[i]:
                continue
            try:
                yield next(its[i])
            except StopIteration:
                if self._stop:
                    return
                done[i] = True
