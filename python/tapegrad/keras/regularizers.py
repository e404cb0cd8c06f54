"""Weight and activity regularizers, as ``tf.keras.regularizers``: ``L1``, ``L2``, ``L1L2``,
``OrthogonalRegularizer``.

A regularizer maps a tensor to a scalar penalty; layers add it to their
``losses`` (``kernel_regularizer=L2(1e-4)``, ``activity_regularizer="l1"``).
"""

from __future__ import annotations

from typing import Any, Callable, Union

import tapegrad

__all__ = ["L1", "L1L2", "L2", "OrthogonalRegularizer", "Regularizer", "deserialize", "get", "serialize"]


def _check_penalty(value: Any, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"Value for argument `{name}` should be a finite number. Received: {name}={value}"
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"Value for argument `{name}` should be a finite number. Received: {name}={value}")
    return value


class Regularizer:
    """Base class: subclasses implement ``__call__(x) -> scalar`` and ``get_config``."""

    def __call__(self, x: Any) -> Any:
        return tapegrad.constant(0.0, dtype=x.dtype)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """A regularizer made from :meth:`get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)``."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check_penalty(l1, "l1")
        self.l2 = _check_penalty(l2, "l2")

    def __call__(self, x: Any) -> Any:
        penalty = tapegrad.constant(0.0, dtype=x.dtype)
        if self.l1:
            penalty = penalty + self.l1 * tapegrad.reduce_sum(tapegrad.abs(x))
        if self.l2:
            penalty = penalty + self.l2 * tapegrad.reduce_sum(tapegrad.square(x))
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1: float = 0.01, **kwargs: Any) -> None:
        self.l1 = _check_penalty(kwargs.pop("l", l1), "l1")

    def __call__(self, x: Any) -> Any:
        return self.l1 * tapegrad.reduce_sum(tapegrad.abs(x))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``."""

    def __init__(self, l2: float = 0.01, **kwargs: Any) -> None:
        self.l2 = _check_penalty(kwargs.pop("l", l2), "l2")

    def __call__(self, x: Any) -> Any:
        return self.l2 * tapegrad.reduce_sum(tapegrad.square(x))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """``factor * mean(|offdiag(N N^T)|)`` for ``N`` the L2-normalized rows (``mode="rows"``) or columns."""

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        if mode not in ("rows", "columns"):
            raise ValueError(
                "Invalid value for argument `mode`. Expected one of {'rows', 'columns'}. "
                f"Received: mode={mode}"
            )
        self.factor = _check_penalty(factor, "factor")
        self.mode = mode

    def __call__(self, x: Any) -> Any:
        if len(x.shape) != 2:
            raise ValueError(
                f"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape={tuple(x.shape)}"
            )
        if self.mode == "columns":
            x = tapegrad.transpose(x)
        norms = tapegrad.sqrt(
            tapegrad.maximum(tapegrad.reduce_sum(tapegrad.square(x), axis=1, keepdims=True), 1e-12)
        )
        normalized = x / norms
        product = tapegrad.matmul(normalized, normalized, transpose_b=True)
        size = int(product.shape[0])
        off_diagonal = product * (1.0 - tapegrad.eye(size, dtype=x.dtype))
        return self.factor * tapegrad.reduce_sum(tapegrad.abs(off_diagonal)) / (size * (size - 1))

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "mode": self.mode}


l1 = L1
l2 = L2
l1_l2 = L1L2
orthogonal_regularizer = OrthogonalRegularizer

_BY_NAME: dict[str, type[Regularizer]] = {
    "l1": L1,
    "l2": L2,
    "l1_l2": L1L2,
    "l1l2": L1L2,
    "orthogonal_regularizer": OrthogonalRegularizer,
    "L1": L1,
    "L2": L2,
    "L1L2": L1L2,
    "OrthogonalRegularizer": OrthogonalRegularizer,
}

RegularizerLike = Union[Regularizer, str, dict[str, Any], Callable[[Any], Any], None]


def serialize(regularizer: Regularizer) -> dict[str, Any]:
    """``{"class_name": ..., "config": ...}``."""
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


def deserialize(config: dict[str, Any]) -> Regularizer:
    """Inverse of :func:`serialize`."""
    cls = _BY_NAME.get(config.get("class_name", ""))
    if cls is None:
        raise ValueError(f"Unknown regularizer: {config.get('class_name')!r}")
    return cls.from_config(config.get("config", {}))


def get(identifier: RegularizerLike) -> Any:
    """A regularizer from a name (``"l2"``), a config dict, a callable, or None."""
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
        return cls()
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
