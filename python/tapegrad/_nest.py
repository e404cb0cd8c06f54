"""Flatten and rebuild nested structures, following ``tf.nest``.

A *structure* is an arbitrarily nested combination of lists, tuples (namedtuples
included) and mappings (dicts); everything else, ``None`` and tensors included, is
a *leaf*. Mappings are visited in sorted-key order, exactly like ``tf.nest``, and
rebuilt with their original key order and type. This module imports nothing from
the rest of tapegrad, so ``tape.py`` can use it without import cycles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Callable

__all__ = ["flatten", "is_nested", "map_structure", "pack_sequence_as"]


# Whether values of a type are structures, decided once per type: ``isinstance``
# against the ``Mapping`` ABC costs about a microsecond for a leaf such as a tensor,
# and ``GradientTape.gradient`` asks for every target and source.
_NESTED_BY_TYPE: dict[type, bool] = {list: True, tuple: True, dict: True}


def is_nested(structure: Any) -> bool:
    """Return True if ``structure`` is a list, tuple or mapping (not a leaf)."""
    kind = type(structure)
    nested = _NESTED_BY_TYPE.get(kind)
    if nested is None:
        nested = _NESTED_BY_TYPE[kind] = isinstance(structure, (list, tuple, Mapping))
    return nested


def _is_flat_sequence(structure: Any) -> bool:
    """A plain list or tuple of leaves (the common case, taken without recursion)."""
    kind = type(structure)
    return (kind is list or kind is tuple) and not any(is_nested(c) for c in structure)


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _sorted_keys(mapping: Mapping[Any, Any]) -> list[Any]:
    """Keys in sorted order, as ``tf.nest`` visits them.

    Keys that cannot be compared with each other (``{1: a, "x": b}``) fall back to
    insertion order; flattening and packing use this same function, so the two
    always agree.
    """
    keys = list(mapping)
    try:
        return sorted(keys)
    except TypeError:
        return keys


def _children(structure: Any) -> list[Any]:
    """The direct children of a nested value, in traversal order."""
    if isinstance(structure, Mapping):
        return [structure[k] for k in _sorted_keys(structure)]
    return list(structure)


def _yield_leaves(structure: Any) -> Iterator[Any]:
    if is_nested(structure):
        for child in _children(structure):
            yield from _yield_leaves(child)
    else:
        yield structure


def flatten(structure: Any) -> list[Any]:
    """Return the leaves of ``structure`` as a flat list.

    >>> flatten([1, (2, {"b": 4, "a": 3}), None])
    [1, 2, 3, 4, None]
    >>> flatten(5)
    [5]
    """
    if not is_nested(structure):
        return [structure]
    if _is_flat_sequence(structure):
        return list(structure)
    return list(_yield_leaves(structure))


def _rebuild(instance: Any, children: list[Any]) -> Any:
    """Build a container of the same kind as ``instance`` from its new ``children``."""
    if isinstance(instance, Mapping):
        by_key = dict(zip(_sorted_keys(instance), children))
        if isinstance(instance, defaultdict):
            result: Any = defaultdict(instance.default_factory)
        else:
            try:
                result = type(instance)()
            except TypeError:
                result = {}
        for key in instance:
            result[key] = by_key[key]
        return result
    if _is_namedtuple(instance):
        return type(instance)(*children)
    if isinstance(instance, tuple):
        return tuple(children) if type(instance) is tuple else type(instance)(children)
    if isinstance(instance, list):
        return children if type(instance) is list else type(instance)(children)
    raise TypeError(f"cannot rebuild a structure of type {type(instance).__name__}")


def _pack(structure: Any, flat: Sequence[Any], index: int) -> tuple[Any, int]:
    if not is_nested(structure):
        return flat[index], index + 1
    children = []
    for child in _children(structure):
        packed, index = _pack(child, flat, index)
        children.append(packed)
    return _rebuild(structure, children), index


def pack_sequence_as(structure: Any, flat_sequence: Sequence[Any]) -> Any:
    """Return ``flat_sequence`` arranged in the shape of ``structure``.

    The inverse of :func:`flatten`: ``pack_sequence_as(s, flatten(s))`` equals ``s``.

    >>> pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3])
    {'b': [2, 3], 'a': 1}

    Raises:
        ValueError: if ``flat_sequence`` does not hold exactly as many items as
            ``structure`` has leaves.
    """
    flat = list(flat_sequence)
    if not is_nested(structure) and len(flat) == 1:
        return flat[0]
    if _is_flat_sequence(structure) and len(flat) == len(structure):
        return flat if type(structure) is list else tuple(flat)
    expected = len(flatten(structure))
    if len(flat) != expected:
        raise ValueError(
            f"pack_sequence_as: structure has {expected} leaves but flat_sequence has "
            f"{len(flat)} items; structure: {structure!r:.200}"
        )
    packed, _ = _pack(structure, flat, 0)
    return packed


def map_structure(func: Callable[..., Any], *structures: Any) -> Any:
    """Apply ``func`` to corresponding leaves of ``structures``; keep the first one's shape.

    >>> map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)])
    [11, (22, 33)]
    """
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    flats = [flatten(s) for s in structures]
    if any(len(f) != len(flats[0]) for f in flats):
        raise ValueError("map_structure: structures have different numbers of leaves")
    return pack_sequence_as(structures[0], [func(*leaves) for leaves in zip(*flats)])
