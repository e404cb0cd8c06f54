"""Weight constraints, as ``tf.keras.constraints``: ``NonNeg``, ``MaxNorm``, ``UnitNorm``, ``MinMaxNorm``.

A constraint maps a weight to its projection; Keras applies it after every
optimizer update. tapegrad variables carry no attributes, so the constraint of
each variable made by ``add_weight(constraint=...)`` is kept here
(:func:`register`), and :func:`apply_constraints` projects a list of variables
(``Model.fit``'s train step calls it after the update).
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Union

import tapegrad

__all__ = [
    "Constraint",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
    "apply_constraints",
    "constraint_of",
    "deserialize",
    "get",
    "register",
    "serialize",
]


def _norms(w: Any, axis: Any) -> Any:
    return tapegrad.sqrt(tapegrad.reduce_sum(tapegrad.square(w), axis=axis, keepdims=True))


_EPSILON = 1e-7


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight."""

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """A constraint made from :meth:`get_config`'s output."""
        return cls(**config)


class NonNeg(Constraint):
    """Negative entries become 0."""

    def __call__(self, w: Any) -> Any:
        return w * tapegrad.cast(w >= 0.0, w.dtype)


class MaxNorm(Constraint):
    """Rescale slices along ``axis`` whose L2 norm exceeds ``max_value``."""

    def __init__(self, max_value: float = 2.0, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        norms = _norms(w, self.axis)
        desired = tapegrad.clip_by_value(norms, 0.0, self.max_value)
        return w * (desired / (_EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    """Slices along ``axis`` get unit L2 norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        return w / (_EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Norms along ``axis`` move ``rate`` of the way into ``[min_value, max_value]``."""

    def __init__(
        self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> Any:
        norms = _norms(w, self.axis)
        desired = (
            self.rate * tapegrad.clip_by_value(norms, self.min_value, self.max_value)
            + (1 - self.rate) * norms
        )
        return w * (desired / (_EPSILON + norms))

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


non_neg = NonNeg
max_norm = MaxNorm
unit_norm = UnitNorm
min_max_norm = MinMaxNorm

_BY_NAME: dict[str, type[Constraint]] = {
    "non_neg": NonNeg,
    "max_norm": MaxNorm,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
    "NonNeg": NonNeg,
    "MaxNorm": MaxNorm,
    "UnitNorm": UnitNorm,
    "MinMaxNorm": MinMaxNorm,
}

ConstraintLike = Union[Constraint, str, dict[str, Any], Callable[[Any], Any], None]


def serialize(constraint: Constraint) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}``."""
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config: dict[str, Any]) -> Constraint:
    """Inverse of :func:`serialize`."""
    cls = _BY_NAME.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(f"Unknown constraint: {config.get('class_name')!r}")
    return cls.from_config(config.get("config", {}))


def get(identifier: ConstraintLike) -> Any:
    """A constraint from a name (``"non_neg"``), a config dict, a callable, or None."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")


# variable id -> (weak reference to the variable, constraint)
_REGISTRY: dict[int, tuple[Any, Any]] = {}


def register(variable: Any, constraint: Any) -> None:
    """Remember ``constraint`` for ``variable`` (until the variable dies)."""
    key = id(variable)

    def forget(_ref: weakref.ref[Any]) -> None:
        _REGISTRY.pop(key, None)

    _REGISTRY[key] = (weakref.ref(variable, forget), constraint)


def constraint_of(variable: Any) -> Any:
    """The constraint given to ``add_weight`` for ``variable``, or None."""
    entry = _REGISTRY.get(id(variable))
    if entry is None or entry[0]() is not variable:
        return None
    return entry[1]


def apply_constraints(variables: Any) -> None:
    """Project each variable that has a constraint: ``v.assign(constraint(v))``."""
    if not _REGISTRY:
        return
    for variable in variables:
        constraint = constraint_of(variable)
        if constraint is not None:
            variable.assign(constraint(variable))
