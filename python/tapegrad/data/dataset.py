"""``tf.data.Dataset``: input pipelines for eager training loops.

A dataset is a recipe: each ``iter(ds)`` runs it from the start (so ``shuffle``
reshuffles and ``repeat`` re-reads its input). Every dataset implements
``_host_iter()``, a Python generator of host elements (see :mod:`._structure`);
iteration turns each element into tapegrad tensors. Sizes are tracked as TF's
*cardinality*: a count, :data:`INFINITE_CARDINALITY` or :data:`UNKNOWN_CARDINALITY`.

Pipelines run on the calling thread, one element at a time: ``prefetch`` and
``num_parallel_calls`` are accepted and change nothing but speed in TF, so they are
no-ops here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from .. import _core
from ..errors import InvalidArgumentError, OutOfRangeError
from ..tensor_spec import PartialShape, TensorSpec
from . import _structure as st

__all__ = [
    "AUTOTUNE",
    "INFINITE_CARDINALITY",
    "UNKNOWN_CARDINALITY",
    "Dataset",
    "Iterator",
    "NumpyIterator",
    "Options",
]

#: ``tf.data.AUTOTUNE``: let the runtime pick a value (``num_parallel_calls``, ``buffer_size``).
AUTOTUNE = -1
#: ``cardinality()`` of a dataset that never ends.
INFINITE_CARDINALITY = -1
#: ``cardinality()`` of a dataset whose size is not known without iterating it.
UNKNOWN_CARDINALITY = -2

_UNSET: Any = object()


class Options:
    """``tf.data.Options``: accepted and kept; tapegrad's pipelines have nothing to tune."""

    def __init__(self) -> None:
        self.__dict__["_values"] = {}

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__["_values"]
        if name not in values:
            values[name] = Options()
        return values[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__["_values"][name] = value


class Iterator:  # noqa: F811  (tf.data.Iterator is a public name; shadows typing's on purpose)
    """An iterator over a dataset's elements as tapegrad tensors (TF's ``OwnedIterator``)."""

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._it = dataset._host_iter()

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        return st.to_tensors(next(self._it))

    def next(self) -> Any:
        """The next element (TF 1 spelling of ``next(it)``)."""
        return self.__next__()

    def get_next(self) -> Any:
        """The next element.

        Raises:
            tf.errors.OutOfRangeError: the dataset is exhausted ("End of sequence").
        """
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError("End of sequence [Op:IteratorGetNext]") from None

    @property
    def element_spec(self) -> Any:
        """The dataset's element spec."""
        return self._dataset.element_spec


class NumpyIterator:
    """What ``as_numpy_iterator`` returns: the elements as numpy values."""

    def __init__(self, dataset: Dataset) -> None:
        self._it = dataset._host_iter()

    def __iter__(self) -> NumpyIterator:
        return self

    def __next__(self) -> Any:
        return st.to_numpy(next(self._it))

    def next(self) -> Any:
        """The next element (TF 1 spelling of ``next(it)``)."""
        return self.__next__()


def _as_int(value: Any, what: str) -> int:
    """A Python int from an int, numpy integer or scalar integer tensor.

    Raises:
        TypeError: ``value`` is not an integer.
    """
    if _core.is_tensor(value):
        if not value.dtype.is_integer or value.shape.rank != 0:
            raise TypeError(f"`{what}` must be a scalar integer, got {value!r}")
        return int(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"`{what}` must be an integer, got {type(value).__name__}: {value!r}")
    return int(value)


def _count(value: Any, what: str) -> int:
    """An element count where None means -1 (all / forever)."""
    return -1 if value is None else _as_int(value, what)


class Dataset:
    """A sequence of elements (nested tuples/dicts of tensors) built from tensors, generators
    or other datasets (``tf.data.Dataset``)."""

    def __init__(self) -> None:
        self._spec: Any = _UNSET

    # ----------------------------------------------------------------- what subclasses define
    def _host_iter(self) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _cardinality(self) -> int:
        return UNKNOWN_CARDINALITY

    def _compute_spec(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _index_source(self) -> Any:
        """``(source, row indices)`` when this dataset's elements are rows of a
        ``from_tensor_slices`` source picked in some order (shuffle/take/skip/repeat of one),
        else None. ``batch`` then gathers each batch's rows with one fancy index."""
        return None

    # ----------------------------------------------------------------------- iteration & info
    def __iter__(self) -> Iterator:
        return Iterator(self)

    def as_numpy_iterator(self) -> NumpyIterator:
        """An iterator over the elements as numpy values (numpy scalars for 0-d components)."""
        return NumpyIterator(self)

    def as_numpy(self) -> Any:
        """Alias of :meth:`as_numpy_iterator`."""
        return self.as_numpy_iterator()

    @property
    def element_spec(self) -> Any:
        """The structure of ``TensorSpec``s of one element (unknown dimensions are ``None``)."""
        if self._spec is _UNSET:
            self._spec = self._compute_spec()
        return self._spec

    def cardinality(self) -> Any:
        """The number of elements as an int64 scalar tensor; ``INFINITE_CARDINALITY`` (-1) or
        ``UNKNOWN_CARDINALITY`` (-2) when not a known count."""
        return _core.constant(self._cardinality(), dtype=_core.int64)

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<_{type(self).__name__} element_spec={self.element_spec}>"

    # ------------------------------------------------------------------------------- sources
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> Dataset:
        """One element per slice of ``tensors`` along their first dimension.

        Raises:
            ValueError: a component is a scalar, or the components' first dimensions differ.
        """
        from ._sources import TensorSliceDataset

        return TensorSliceDataset(st.map_leaves(np.array, st.from_user_value(tensors)))

    @staticmethod
    def from_tensors(tensors: Any, name: str | None = None) -> Dataset:
        """A dataset of exactly one element, ``tensors``."""
        from ._sources import TensorDataset

        return TensorDataset(st.map_leaves(np.array, st.from_user_value(tensors)))

    @staticmethod
    def range(*args: Any, output_type: Any = None, name: str | None = None) -> Dataset:
        """``range(stop)``, ``range(start, stop[, step])`` as int64 (or ``output_type``) scalars.

        Raises:
            InvalidArgumentError: ``step`` is 0.
        """
        from ._sources import RangeDataset

        return RangeDataset(args, output_type)

    @staticmethod
    def from_generator(
        generator: Callable[..., Any],
        output_types: Any = None,
        output_shapes: Any = None,
        args: Any = None,
        output_signature: Any = None,
        name: str | None = None,
    ) -> Dataset:
        """The values a Python generator yields, checked against ``output_signature`` (or the
        older ``output_types``/``output_shapes``); ``generator(*args)`` is called per iteration.

        Raises:
            TypeError: no signature, or ``generator`` is not callable.
        """
        from ._sources import GeneratorDataset

        return GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*args: Any, datasets: Any = None, name: str | None = None) -> Dataset:
        """Elements of several datasets side by side, as a tuple (or the given dict/tuple
        structure of datasets); it ends with the shortest.

        Raises:
            TypeError: something other than datasets is given.
        """
        from ._transforms import ZipDataset

        if datasets is not None:
            if args:
                raise TypeError("Both `*args` and `datasets` cannot be set.")
            structure = datasets
        elif len(args) == 1:
            structure = args[0]
        else:
            structure = args
        if not args and datasets is None:
            raise TypeError("Must pass at least one dataset to `zip`.")
        return ZipDataset(structure)

    @staticmethod
    def sample_from_datasets(
        datasets: Any, weights: Any = None, seed: Any = None, stop_on_empty_dataset: bool = False,
        rerandomize_each_iteration: Any = None,
    ) -> Dataset:
        """Elements drawn from ``datasets`` at random with probabilities ``weights``."""
        from ._transforms import SampleDataset

        return SampleDataset(list(datasets), weights, seed, stop_on_empty_dataset)

    @staticmethod
    def choose_from_datasets(
        datasets: Any, choice_dataset: Dataset, stop_on_empty_dataset: bool = True
    ) -> Dataset:
        """Element ``i`` taken from ``datasets[choice_dataset[i]]``."""
        from ._transforms import ChooseDataset

        return ChooseDataset(list(datasets), choice_dataset, stop_on_empty_dataset)

    # ----------------------------------------------------------------------- transformations
    def map(
        self,
        map_func: Callable[..., Any],
        num_parallel_calls: Any = None,
        deterministic: Any = None,
        synchronous: Any = None,
        use_unbounded_threadpool: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """``map_func`` applied to every element (a tuple element is passed as separate arguments)."""
        from ._transforms import MapDataset

        return MapDataset(self, map_func)

    def filter(self, predicate: Callable[..., Any], name: str | None = None) -> Dataset:
        """The elements for which ``predicate`` returns a true scalar bool tensor.

        Raises:
            ValueError: ``predicate`` returns something other than a scalar bool.
        """
        from ._transforms import FilterDataset

        return FilterDataset(self, predicate)

    def batch(
        self,
        batch_size: Any,
        drop_remainder: bool = False,
        num_parallel_calls: Any = None,
        deterministic: Any = None,
        name: str | None = None,
    ) -> Dataset:
        """Consecutive elements stacked ``batch_size`` at a time; the last batch may be smaller
        unless ``drop_remainder``.

        Raises:
            InvalidArgumentError: ``batch_size`` is not positive; elements in one batch differ
                in shape.
        """
        from ._transforms import BatchDataset

        return BatchDataset(self, _as_int(batch_size, "batch_size"), bool(drop_remainder))

    def padded_batch(
        self,
        batch_size: Any,
        padded_shapes: Any = None,
        padding_values: Any = None,
        drop_remainder: bool = False,
        name: str | None = None,
    ) -> Dataset:
        """Like :meth:`batch`, padding each component to ``padded_shapes`` (a ``None`` or -1
        dimension, or no ``padded_shapes``, pads to the batch's largest) with ``padding_values``
        (default 0 / False).

        Raises:
            InvalidArgumentError: an element is larger than its padded shape.
        """
        from ._transforms import PaddedBatchDataset

        return PaddedBatchDataset(
            self, _as_int(batch_size, "batch_size"), padded_shapes, padding_values,
            bool(drop_remainder),
        )

    def unbatch(self, name: str | None = None) -> Dataset:
        """Each element split along its first dimension into separate elements.

        Raises:
            ValueError: a component is a scalar.
        """
        from ._transforms import UnbatchDataset

        return UnbatchDataset(self)

    def rebatch(self, batch_size: Any, drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """``unbatch()`` then ``batch(batch_size, drop_remainder)``."""
        return self.unbatch().batch(batch_size, drop_remainder)

    def shuffle(
        self,
        buffer_size: Any,
        seed: Any = None,
        reshuffle_each_iteration: Any = None,
        name: str | None = None,
    ) -> Dataset:
        """Elements in random order, drawn from a buffer of ``buffer_size`` elements (TF's
        algorithm: a uniformly chosen buffer slot is emitted and refilled from the input).

        A new order each iteration unless ``reshuffle_each_iteration=False``. Without ``seed``
        the order follows ``tf.random.set_seed``. Orders are not TF's (another generator).

        Raises:
            InvalidArgumentError: ``buffer_size`` is 0 or below -2.
        """
        from ._transforms import ShuffleDataset

        return ShuffleDataset(
            self, _as_int(buffer_size, "buffer_size"), seed,
            True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration),
        )

    def repeat(self, count: Any = None, name: str | None = None) -> Dataset:
        """The elements ``count`` times over (forever when ``count`` is None or -1)."""
        from ._transforms import RepeatDataset

        return RepeatDataset(self, _count(count, "count"))

    def take(self, count: Any, name: str | None = None) -> Dataset:
        """The first ``count`` elements (all of them when ``count`` is -1)."""
        from ._transforms import TakeDataset

        return TakeDataset(self, _count(count, "count"))

    def skip(self, count: Any, name: str | None = None) -> Dataset:
        """All but the first ``count`` elements (none when ``count`` is -1)."""
        from ._transforms import SkipDataset

        return SkipDataset(self, _count(count, "count"))

    def take_while(self, predicate: Callable[..., Any], name: str | None = None) -> Dataset:
        """Elements up to (not including) the first for which ``predicate`` is false."""
        from ._transforms import TakeWhileDataset

        return TakeWhileDataset(self, predicate)

    def prefetch(self, buffer_size: Any, name: str | None = None) -> Dataset:
        """The same elements (prefetching only overlaps work with the consumer in TF)."""
        from ._transforms import PassThroughDataset

        return PassThroughDataset(self, "PrefetchDataset")

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """The same elements, kept in memory after the first complete iteration (``filename``
        is ignored: the cache is always in memory)."""
        from ._transforms import CacheDataset

        return CacheDataset(self)

    def enumerate(self, start: Any = 0, name: str | None = None) -> Dataset:
        """``(index, element)`` pairs with an int64 index counting from ``start``."""
        from ._transforms import EnumerateDataset

        return EnumerateDataset(self, _as_int(start, "start"))

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        """This dataset's elements followed by ``dataset``'s.

        Raises:
            TypeError: the element structures or dtypes differ.
        """
        from ._transforms import ConcatenateDataset

        return ConcatenateDataset(self, dataset)

    def flat_map(self, map_func: Callable[..., Any], name: str | None = None) -> Dataset:
        """The elements of the datasets ``map_func`` returns for each element, one after another."""
        from ._transforms import InterleaveDataset

        return InterleaveDataset(self, map_func, 1, 1)

    def interleave(
        self,
        map_func: Callable[..., Any],
        cycle_length: Any = None,
        block_length: Any = None,
        num_parallel_calls: Any = None,
        deterministic: Any = None,
        name: str | None = None,
    ) -> Dataset:
        """The datasets ``map_func`` returns, ``cycle_length`` at a time, ``block_length``
        elements from each in turn (TF's deterministic order)."""
        from ._transforms import InterleaveDataset

        cycle = 1 if cycle_length is None else _as_int(cycle_length, "cycle_length")
        if cycle == AUTOTUNE:
            cycle = 16
        block = 1 if block_length is None else _as_int(block_length, "block_length")
        return InterleaveDataset(self, map_func, cycle, block)

    def shard(self, num_shards: Any, index: Any, name: str | None = None) -> Dataset:
        """Every ``num_shards``-th element starting at ``index``.

        Raises:
            InvalidArgumentError: ``num_shards`` is not positive or ``index`` is out of range.
        """
        from ._transforms import ShardDataset

        return ShardDataset(self, _as_int(num_shards, "num_shards"), _as_int(index, "index"))

    def scan(self, initial_state: Any, scan_func: Callable[..., Any], name: str | None = None) -> Dataset:
        """Outputs of ``scan_func(state, element) -> (new_state, output)``, threading the state."""
        from ._transforms import ScanDataset

        return ScanDataset(self, initial_state, scan_func)

    def unique(self, name: str | None = None) -> Dataset:
        """Each distinct (scalar int) element once, in order of first appearance."""
        from ._transforms import UniqueDataset

        return UniqueDataset(self)

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        """``transformation_func(self)``, which must return a dataset.

        Raises:
            TypeError: it returns something else.
        """
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError(
                "`transformation_func` must return a `tf.data.Dataset` object. "
                f"Got {type(out)}."
            )
        return out

    def with_options(self, options: Options, name: str | None = None) -> Dataset:
        """The same dataset (options tune TF's runtime only)."""
        return self

    def options(self) -> Options:
        """A fresh :class:`Options`."""
        return Options()

    def assert_cardinality(self, expected_cardinality: Any) -> Dataset:
        """The same dataset, now of the given cardinality."""
        from ._transforms import PassThroughDataset

        out = PassThroughDataset(self, "AssertCardinalityDataset")
        out._fixed_cardinality = _as_int(expected_cardinality, "expected_cardinality")
        return out

    # ---------------------------------------------------------------------------- reductions
    def reduce(
        self, initial_state: Any, reduce_func: Callable[[Any, Any], Any], name: str | None = None
    ) -> Any:
        """``reduce_func(state, element)`` folded over the elements from ``initial_state``;
        the element is one argument (a tuple is not unpacked here, as in TF)."""
        state = st.to_tensors(st.from_user_value(initial_state))
        for element in self._host_iter():
            out = reduce_func(state, st.to_tensors(element))
            state = st.to_tensors(st.from_function_output(out))
        return state

    def get_single_element(self, name: str | None = None) -> Any:
        """The only element.

        Raises:
            InvalidArgumentError: the dataset is empty or has more than one element.
        """
        it = self._host_iter()
        try:
            first = next(it)
        except StopIteration:
            raise InvalidArgumentError("Dataset was empty.") from None
        for _ in it:
            raise InvalidArgumentError("Dataset had more than one element.")
        return st.to_tensors(first)


def spec_with_batch_dim(spec: Any, dim: int | None) -> Any:
    """``spec`` with a leading dimension ``dim`` added to every component."""
    return st.map_leaves(
        lambda s: TensorSpec(PartialShape([dim]).concatenate(s.shape), s.dtype), spec
    )
