"""``tf.data.experimental``: the constants and helpers older code imports from here."""

from __future__ import annotations

from typing import Any

from .dataset import AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Dataset

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "assert_cardinality",
           "cardinality", "choose_from_datasets", "enumerate_dataset", "get_single_element",
           "sample_from_datasets", "scan", "shuffle_and_repeat", "take_while", "unbatch", "unique"]


def cardinality(dataset: Dataset) -> Any:
    """``dataset.cardinality()``."""
    return dataset.cardinality()


sample_from_datasets = Dataset.sample_from_datasets
choose_from_datasets = Dataset.choose_from_datasets


# The TF 1 spellings: functions returning a transformation for ``Dataset.apply``.
def scan(initial_state: Any, scan_func: Any) -> Any:
    """``lambda ds: ds.scan(initial_state, scan_func)``."""
    return lambda ds: ds.scan(initial_state, scan_func)


def take_while(predicate: Any) -> Any:
    """``lambda ds: ds.take_while(predicate)``."""
    return lambda ds: ds.take_while(predicate)


def unique() -> Any:
    """``lambda ds: ds.unique()``."""
    return lambda ds: ds.unique()


def unbatch() -> Any:
    """``lambda ds: ds.unbatch()``."""
    return lambda ds: ds.unbatch()


def enumerate_dataset(start: int = 0) -> Any:
    """``lambda ds: ds.enumerate(start)``."""
    return lambda ds: ds.enumerate(start)


def assert_cardinality(expected_cardinality: Any) -> Any:
    """``lambda ds: ds.assert_cardinality(expected_cardinality)``."""
    return lambda ds: ds.assert_cardinality(expected_cardinality)


def shuffle_and_repeat(buffer_size: Any, count: Any = None, seed: Any = None) -> Any:
    """``lambda ds: ds.shuffle(buffer_size, seed).repeat(count)``."""
    return lambda ds: ds.shuffle(buffer_size, seed).repeat(count)


def get_single_element(dataset: Dataset) -> Any:
    """``dataset.get_single_element()``."""
    return dataset.get_single_element()
