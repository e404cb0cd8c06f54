"""``keras.utils.PyDataset`` (tf.keras 2's ``Sequence``): a dataset defined by ``__len__`` and
``__getitem__``, one batch per index; ``fit`` calls ``on_epoch_end`` after each epoch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["PyDataset", "Sequence"]


class PyDataset:
    """Subclass it: ``__len__`` is the number of batches, ``__getitem__(i)`` returns batch ``i``
    as ``x``, ``(x, y)`` or ``(x, y, sample_weight)``. ``workers``/``use_multiprocessing``/
    ``max_queue_size`` are accepted and ignored (batches are made in the calling thread)."""

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ (the number of batches)")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__ (batch `index`)")

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self)):
            yield self[index]

    def on_epoch_end(self) -> None:
        """Called by ``fit`` at the end of every epoch (shuffle here, if you like)."""

    @property
    def num_batches(self) -> int:
        """``len(self)``."""
        return len(self)


#: tf.keras 2's name.
Sequence = PyDataset
