"""Turning ``fit``/``evaluate``/``predict`` inputs into batches.

Two kinds of input, as in Keras:

* arrays (NumPy arrays, tensors, lists or dicts of them) with ``y`` and
  ``sample_weight`` alongside: sliced into batches of ``batch_size`` (32 by
  default), shuffled each epoch when asked;
* an iterable of batches (a ``tf.data.Dataset``, a generator, a list of tuples),
  each ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``: taken as they come;
  ``steps_per_epoch`` limits an epoch and continues the same iterator next epoch
  (a generator can be consumed only once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np

import tapegrad

from .. import _nest

__all__ = ["DataHandler", "is_array_like", "unpack_x_y_sample_weight"]


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: {data}"
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The inverse of :func:`unpack_x_y_sample_weight`."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_array_leaf(value: Any) -> bool:
    return isinstance(value, (np.ndarray, tapegrad.Tensor, tapegrad.Variable)) or (
        hasattr(value, "__array__") and hasattr(value, "shape") and not isinstance(value, Iterator)
    )


def is_array_like(x: Any) -> bool:
    """Whether ``x`` is an array, a tensor, or a list/tuple/dict of them (rather than a dataset)."""
    if x is None:
        return False
    if _is_array_leaf(x):
        return True
    if isinstance(x, Mapping):
        return bool(x) and all(is_array_like(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        if x and all(_is_array_leaf(v) or isinstance(v, (list, tuple, Mapping)) for v in x):
            return all(is_array_like(v) for v in x)
        # A plain Python list of numbers is array data too.
        return bool(x) and all(isinstance(v, (int, float, np.number, list)) for v in x)
    return False


def _to_numpy(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (tapegrad.Tensor, tapegrad.Variable)):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _as_arrays(structure: Any) -> Any:
    if structure is None:
        return None
    if (
        isinstance(structure, (list, tuple))
        and structure
        and all(isinstance(v, (int, float, np.number)) for v in structure)
    ):
        return np.asarray(structure)
    return _nest.map_structure(_to_numpy, structure)


def _num_samples(name: str, structure: Any) -> list[int]:
    return [int(leaf.shape[0]) if leaf.ndim else 1 for leaf in _nest.flatten(structure) if leaf is not None]


def _take(structure: Any, index: Any) -> Any:
    return _nest.map_structure(lambda a: None if a is None else a[index], structure)


def class_weights_to_sample_weights(y: Any, class_weight: Mapping[int, float]) -> np.ndarray:
    """One weight per sample: ``class_weight[label]`` (labels are ints or one-hot rows)."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(axis=-1)
    labels = labels.reshape(labels.shape[0], -1)[:, 0] if labels.ndim > 1 else labels
    labels = labels.astype(np.int64)
    table = np.array(
        [class_weight.get(int(c), 1.0) for c in range(int(labels.max(initial=0)) + 1)], np.float32
    )
    return table[labels]


class DataHandler:
    """Yields the batches of each epoch for ``fit``, ``evaluate`` and ``predict``."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        shuffle: bool = False,
        class_weight: Mapping[int, float] | None = None,
        for_predict: bool = False,
    ) -> None:
        self.steps_per_epoch = steps_per_epoch
        self._iterator: Iterator[Any] | None = None
        self.class_weight = class_weight
        if is_array_like(x):
            self.arrays = True
            self.x = _as_arrays(x)
            self.y = _as_arrays(y)
            self.sample_weight = _as_arrays(sample_weight)
            sizes = {
                "x": _num_samples("x", self.x),
                "y": _num_samples("y", self.y) if self.y is not None else [],
                "sample_weight": _num_samples("sample_weight", self.sample_weight)
                if self.sample_weight is not None
                else [],
            }
            all_sizes = {n for values in sizes.values() for n in values}
            if len(all_sizes) > 1:
                detail = "\n".join(f"'{k}' sizes: {', '.join(map(str, v))}" for k, v in sizes.items() if v)
                raise ValueError(
                    "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples "
                    f"(x, y and sample_weight need one entry per sample).\n{detail}"
                )
            self.num_samples = all_sizes.pop() if all_sizes else 0
            if class_weight is not None and self.y is not None:
                if _nest.is_nested(self.y):
                    raise ValueError("`class_weight` is only supported for models with a single output.")
                weights = class_weights_to_sample_weights(self.y, class_weight)
                self.sample_weight = weights if self.sample_weight is None else self.sample_weight * weights
            self.batch_size = 32 if batch_size is None else int(batch_size)
            if self.batch_size <= 0:
                raise ValueError(f"batch_size must be a positive integer, got {batch_size}")
            self.shuffle = bool(shuffle) and shuffle != "batch"
            batches = math.ceil(self.num_samples / self.batch_size) if self.num_samples else 0
            # The number of batches an epoch has; None for an iterable of unknown length.
            self.steps: int | None = (
                batches if steps_per_epoch is None else min(int(steps_per_epoch), batches)
            )
        else:
            if y is not None:
                raise ValueError(
                    "`y` argument is not supported when using a dataset or generator as input: "
                    "it must yield (x, y) batches itself."
                )
            if sample_weight is not None:
                raise ValueError(
                    "`sample_weight` argument is not supported when using a dataset or generator as input: "
                    "it must yield (x, y, sample_weight) batches itself."
                )
            if not isinstance(x, Iterable):
                raise ValueError(
                    f"Unrecognized data type: x={x!r} (of type {type(x).__name__}). "
                    "Pass NumPy arrays, tensors, "
                    "lists or dicts of them, or an iterable of batches such as a tf.data.Dataset."
                )
            self.arrays = False
            self.source = x
            # A PyDataset's batches come in shuffled order when fit shuffles, as in Keras.
            self.shuffle_batches = bool(shuffle) and hasattr(x, "__getitem__") and hasattr(x, "on_epoch_end")
            self.steps = _known_length(x) if steps_per_epoch is None else steps_per_epoch
        self.for_predict = for_predict

    def epoch(self) -> Iterator[Any]:
        """The batches of one epoch, each a tuple ``(x, y, sample_weight)``-like as Keras packs them."""
        if self.arrays:
            order = np.random.permutation(self.num_samples) if self.shuffle else None
            assert self.steps is not None  # arrays always have a known number of batches
            for step in range(self.steps):
                start = step * self.batch_size
                stop = min(start + self.batch_size, self.num_samples)
                index = order[start:stop] if order is not None else slice(start, stop)
                batch = pack_x_y_sample_weight(
                    _to_tensors(_take(self.x, index)),
                    _to_tensors(_take(self.y, index)) if self.y is not None else None,
                    _to_tensors(_take(self.sample_weight, index)) if self.sample_weight is not None else None,
                )
                yield batch
            return
        if self.steps_per_epoch is None:
            if self.shuffle_batches:
                # A PyDataset (checked in __init__): indexable, with a length.
                indexed = cast("Sequence[Any]", self.source)
                batches: Any = (indexed[int(i)] for i in np.random.permutation(len(indexed)))
            else:
                batches = self.source
            for batch in batches:
                yield self._weighted(batch)
            self._end_epoch()
            return
        for _ in range(int(self.steps_per_epoch)):
            if self._iterator is None:
                self._iterator = iter(self.source)
            try:
                batch = next(self._iterator)
            except StopIteration:
                # A re-iterable source starts over; a one-shot generator is done.
                self._iterator = iter(self.source)
                if self._iterator is self.source:
                    return
                try:
                    batch = next(self._iterator)
                except StopIteration:
                    return
            yield self._weighted(batch)
        self._end_epoch()

    def _end_epoch(self) -> None:
        # keras.utils.PyDataset (and tf.keras 2's Sequence) hears about each finished epoch.
        hook = getattr(self.source, "on_epoch_end", None)
        if callable(hook):
            hook()

    def _weighted(self, batch: Any) -> Any:
        if self.class_weight is None:
            return batch
        x, y, sw = unpack_x_y_sample_weight(batch)
        if y is None:
            return batch
        weights = class_weights_to_sample_weights(_to_numpy(y), self.class_weight)
        if sw is not None:
            weights = weights * _to_numpy(sw)
        return (x, y, tapegrad.constant(weights))


def _known_length(x: Any) -> int | None:
    cardinality = getattr(x, "cardinality", None)
    if callable(cardinality):
        try:
            value = int(cardinality())
            return value if value >= 0 else None
        except (TypeError, ValueError):
            return None
    try:
        return len(x)
    except TypeError:
        return None


def _to_tensors(structure: Any) -> Any:
    def convert(a: Any) -> Any:
        if a is None:
            return None
        if a.dtype == np.float64:
            a = a.astype(np.float32)  # Keras feeds float64 arrays as floatx
        return tapegrad.constant(a)

    return _nest.map_structure(convert, structure)


def split_validation(x: Any, y: Any, sample_weight: Any, validation_split: float) -> tuple[Any, Any]:
    """The last ``validation_split`` of the samples for validation (not shuffled first), as Keras does."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1), got {validation_split}")
    if not is_array_like(x):
        raise ValueError(
            "`validation_split` is only supported for NumPy arrays and tensors; for a dataset pass "
            "`validation_data` instead."
        )
    xs, ys, ws = _as_arrays(x), _as_arrays(y), _as_arrays(sample_weight)
    total = _num_samples("x", xs)[0]
    split_at = int(math.floor(total * (1.0 - validation_split)))
    if split_at == 0 or split_at == total:
        raise ValueError(
            f"Training data contains {total} samples, which is not sufficient to split it into a validation "
            f"and training set as specified by `validation_split={validation_split}`."
        )
    head, tail = slice(0, split_at), slice(split_at, total)
    train = (
        _take(xs, head),
        None if ys is None else _take(ys, head),
        None if ws is None else _take(ws, head),
    )
    val = (_take(xs, tail), None if ys is None else _take(ys, tail), None if ws is None else _take(ws, tail))
    return train, val
