"""Input checks shared by the layer families, with Keras 3's ``InputSpec`` messages.

A layer that expects a given rank or a given size along some axis calls
:func:`check_input` at the start of ``call``; the ``ValueError`` names the layer,
what it expected and the shape it received, word for word as Keras says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def input_shape_of(inputs: Any) -> tuple[Any, ...]:
    """The static shape of a tensor (or shape-like) as a tuple of ints / ``None``."""
    shape = getattr(inputs, "shape", inputs)
    return tuple(None if d is None else int(d) for d in shape)


def check_input(
    layer: Any,
    inputs: Any,
    *,
    ndim: int | None = None,
    min_ndim: int | None = None,
    axes: Mapping[int, int | None] | None = None,
    input_index: int = 0,
) -> tuple[Any, ...]:
    """Raise ``ValueError`` unless ``inputs`` has rank ``ndim`` (at least ``min_ndim``) and the
    sizes in ``axes`` (``{axis: size}``); returns the shape."""
    shape = input_shape_of(inputs)
    rank = len(shape)
    prefix = f"Input {input_index} of layer '{layer.name}' is incompatible with the layer: "
    if ndim is not None and rank != ndim:
        raise ValueError(f"{prefix}expected ndim={ndim}, found ndim={rank}. Full shape received: {shape}")
    if min_ndim is not None and rank < min_ndim:
        raise ValueError(
            f"{prefix}expected min_ndim={min_ndim}, found ndim={rank}. Full shape received: {shape}"
        )
    for axis, size in (axes or {}).items():
        if size is None:
            continue
        if not -rank <= axis < rank or shape[axis] not in (size, None):
            raise ValueError(
                f"{prefix}expected axis {axis} of input shape to have value {size}, "
                f"but received input with shape {shape}"
            )
    return shape


def normalize_axis(layer: Any, axis: int, rank: int) -> int:
    """``axis`` in ``[0, rank)``; ``ValueError`` naming the layer when it is out of bounds."""
    if not -rank <= axis < rank:
        raise ValueError(
            f'Layer "{layer.name}": axis {axis} is out of bounds for an input of rank {rank}. '
            f"Received: axis={axis}"
        )
    return axis % rank


def serialize_initializer(initializer: Any) -> Any:
    """Keras' config form of an initializer: ``{"module", "class_name", "config", ...}``."""
    if initializer is None:
        return None
    get_config = getattr(initializer, "get_config", None)
    return {
        "module": "keras.initializers",
        "class_name": type(initializer).__name__,
        "config": get_config() if callable(get_config) else {},
        "registered_name": None,
    }


def get_initializer(identifier: Any) -> Any:
    """``initializers.get``, also accepting the dict form :func:`serialize_initializer` writes."""
    from .. import initializers

    if isinstance(identifier, dict) and "class_name" in identifier:
        template: Any = initializers.get(identifier["class_name"])
        return type(template)(**identifier.get("config", {}))
    return initializers.get(identifier)


def serialize_regularizer(regularizer: Any) -> Any:
    """Keras' config form of a weight regularizer (``None`` stays ``None``)."""
    from .. import regularizers

    if isinstance(regularizer, regularizers.Regularizer):
        return regularizers.serialize(regularizer)
    return regularizer


def serialize_constraint(constraint: Any) -> Any:
    """Keras' config form of a weight constraint (``None`` stays ``None``)."""
    from .. import constraints

    if isinstance(constraint, constraints.Constraint):
        return constraints.serialize(constraint)
    return constraint


def get_regularizer(identifier: Any) -> Any:
    """``regularizers.get``: a name, a config dict, a callable or ``None``."""
    from .. import regularizers

    return regularizers.get(identifier)


def get_constraint(identifier: Any) -> Any:
    """``constraints.get``: a name, a config dict, a callable or ``None``."""
    from .. import constraints

    return constraints.get(identifier)
