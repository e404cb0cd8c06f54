"""``tf.nest``: flatten, map and rebuild nested structures of lists, tuples and dicts.

The traversal itself lives in :mod:`tapegrad._nest` (shared with the tape); this
module adds TensorFlow's public signatures and ``assert_same_structure``.
"""

from __future__ import annotations

from typing import Any, Callable

from . import _nest
from ._nest import is_nested

__all__ = ["assert_same_structure", "flatten", "is_nested", "map_structure", "pack_sequence_as"]


def flatten(structure: Any, expand_composites: bool = False) -> list[Any]:
    """The leaves of ``structure`` in ``tf.nest`` order (dicts by sorted key); a leaf gives ``[leaf]``."""
    return _nest.flatten(structure)


def pack_sequence_as(structure: Any, flat_sequence: Any, expand_composites: bool = False) -> Any:
    """``flat_sequence`` rebuilt in the shape of ``structure`` (the inverse of :func:`flatten`).

    Raises:
        ValueError: the number of items differs from the number of leaves.
    """
    return _nest.pack_sequence_as(structure, flat_sequence)


def assert_same_structure(
    nest1: Any, nest2: Any, check_types: bool = True, expand_composites: bool = False
) -> None:
    """Raise unless ``nest1`` and ``nest2`` nest the same way (their leaves may differ).

    Raises:
        ValueError: the structures differ in nesting, length or dict keys.
        TypeError: with ``check_types``, a container's type differs (list vs tuple, ...).
    """
    if is_nested(nest1) != is_nested(nest2):
        raise ValueError(
            "The two structures don't have the same nested structure.\n\n"
            f"First structure: {nest1!r:.200}\n\nSecond structure: {nest2!r:.200}"
        )
    if not is_nested(nest1):
        return
    if check_types and type(nest1) is not type(nest2):
        raise TypeError(
            "The two structures don't have the same sequence type. Input structure has type "
            f"{type(nest1)}, while shallow structure has type {type(nest2)}."
        )
    if isinstance(nest1, dict) and isinstance(nest2, dict) and set(nest1) != set(nest2):
        raise ValueError(
            f"The two dictionaries don't have the same set of keys: {sorted(nest1)} vs {sorted(nest2)}"
        )
    c1, c2 = _nest._children(nest1), _nest._children(nest2)
    if len(c1) != len(c2):
        raise ValueError(
            "The two structures don't have the same number of elements. "
            f"First structure: {nest1!r:.200}, second structure: {nest2!r:.200}"
        )
    for a, b in zip(c1, c2):
        assert_same_structure(a, b, check_types)


def map_structure(func: Callable[..., Any], *structure: Any, **kwargs: Any) -> Any:
    """``func`` applied to corresponding leaves of the ``structure`` arguments, in the first one's shape.

    Keyword arguments: ``check_types`` (default True) and ``expand_composites`` (ignored).

    Raises:
        ValueError / TypeError: the structures differ (see :func:`assert_same_structure`).
    """
    check_types = kwargs.pop("check_types", True)
    kwargs.pop("expand_composites", None)
    if kwargs:
        raise ValueError(
            f"Only valid keyword arguments are `check_types` and `expand_composites`, got {sorted(kwargs)}"
        )
    if not callable(func):
        raise TypeError(f"func must be callable, got: {func!r}")
    if not structure:
        raise ValueError("Must provide at least one structure")
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types)
    return _nest.map_structure(func, *structure)
