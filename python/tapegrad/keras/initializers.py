"""Weight initializers, as in ``tf.keras.initializers``.

An initializer is called as ``init(shape, dtype=None)`` and returns a tensor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Callable, Union

import numpy as np

import tapegrad

from ..module import camel_to_snake

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "get",
]

Shape = Sequence[int]


def _dtype(dtype: Any) -> Any:
    return tapegrad.float32 if dtype is None else dtype


def compute_fans(shape: Shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``, as Keras computes them.

    For a dense kernel ``(in, out)`` that is ``(in, out)``; for a convolution kernel
    ``(*spatial, in, out)`` both are multiplied by the receptive field size.
    """
    dims = [int(d) for d in shape]
    if not dims:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    if len(dims) == 2:
        return dims[0], dims[1]
    receptive_field = math.prod(dims[:-2])
    return dims[-2] * receptive_field, dims[-1] * receptive_field


class Initializer:
    """Base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict."""
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.zeros(tuple(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.ones(tuple(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.ones(tuple(shape), dtype=_dtype(dtype)) * self.value

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class RandomUniform(Initializer):
    """Uniform on ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        self.minval = minval
        self.maxval = maxval
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.random.uniform(
            tuple(shape), self.minval, self.maxval, dtype=_dtype(dtype), seed=self.seed
        )

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Normal with the given ``mean`` and ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.random.normal(
            tuple(shape), mean=self.mean, stddev=self.stddev, dtype=_dtype(dtype), seed=self.seed
        )

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class GlorotUniform(Initializer):
    """Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / (fan_in + fan_out))`` (Xavier)."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        fan_in, fan_out = compute_fans(shape)
        limit = math.sqrt(6.0 / max(1, fan_in + fan_out))
        return tapegrad.random.uniform(tuple(shape), -limit, limit, dtype=_dtype(dtype), seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class TruncatedNormal(Initializer):
    """Normal with ``mean`` and ``stddev``, redrawn where more than two stddevs from the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        return tapegrad.random.truncated_normal(
            tuple(shape), mean=self.mean, stddev=self.stddev, dtype=_dtype(dtype), seed=self.seed
        )

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

# Stddev of a unit normal truncated to [-2, 2]: dividing by it makes the truncated
# samples' stddev the requested one (Keras' constant).
_TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(Initializer):
    """Samples scaled to the weight's fans: variance ``scale / n`` with ``n`` given by ``mode``.

    ``mode`` is ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``; ``distribution`` is
    ``"truncated_normal"``, ``"untruncated_normal"`` or ``"uniform"`` (on ``[-limit, limit)``
    with ``limit = sqrt(3 * scale / n)``).
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
    ) -> None:
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in _MODES:
            raise ValueError(
                f"Invalid `mode` argument: expected one of {list(_MODES)}. Received: mode={mode}"
            )
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"  # the old name, still accepted by Keras
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: expected one of {list(_DISTRIBUTIONS)}. "
                f"Received: distribution={distribution}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        shape, dtype, seed = tuple(shape), _dtype(dtype), self.seed
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return tapegrad.random.truncated_normal(shape, mean=0.0, stddev=stddev, dtype=dtype, seed=seed)
        if self.distribution == "untruncated_normal":
            return tapegrad.random.normal(shape, mean=0.0, stddev=math.sqrt(scale), dtype=dtype, seed=seed)
        limit = math.sqrt(3.0 * scale)
        return tapegrad.random.uniform(shape, -limit, limit, dtype=dtype, seed=seed)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variance_scaling_preset(
    class_name: str, scale: float, mode: str, distribution: str, doc: str
) -> type[VarianceScaling]:
    """A ``VarianceScaling`` subclass with fixed arguments, whose constructor takes only ``seed``."""

    def __init__(self: VarianceScaling, seed: int | None = None) -> None:
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self: VarianceScaling) -> dict[str, Any]:
        return {"seed": self.seed}

    namespace = {"__init__": __init__, "get_config": get_config, "__doc__": doc, "__module__": __name__}
    return type(class_name, (VarianceScaling,), namespace)


GlorotNormal = _variance_scaling_preset(
    "GlorotNormal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "Truncated normal with ``stddev = sqrt(2 / (fan_in + fan_out))`` (Xavier normal).",
)
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal", "Truncated normal with ``stddev = sqrt(2 / fan_in)``."
)
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform", "Uniform on ``[-limit, limit)``, ``limit = sqrt(6 / fan_in)``."
)
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal", "Truncated normal with ``stddev = sqrt(1 / fan_in)``."
)
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform", "Uniform on ``[-limit, limit)``, ``limit = sqrt(3 / fan_in)``."
)


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        return self.gain * tapegrad.eye(int(shape[0]), int(shape[1]), dtype=_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class Orthogonal(Initializer):
    """A random orthogonal matrix (Q of the QR of a normal sample) times ``gain``.

    Shapes of rank > 2 are flattened to ``(prod(shape[:-1]), shape[-1])``.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        self.gain = gain
        self.seed = seed

    def __call__(self, shape: Shape, dtype: Any = None) -> Any:
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={tuple(shape)} of rank {len(shape)}."
            )
        rows, cols = math.prod(int(d) for d in shape[:-1]), int(shape[-1])
        flat = (max(rows, cols), min(rows, cols))
        sample = tapegrad.random.normal(flat, dtype=tapegrad.float32, seed=self.seed)
        # A one-off factorization at initialization (not on any tape): NumPy's QR is fine here.
        q, r = np.linalg.qr(np.asarray(sample.numpy(), dtype=np.float64))
        q = q * np.sign(np.diag(r))  # makes the distribution uniform over orthogonal matrices
        if rows < cols:
            q = q.T
        value = tapegrad.constant(self.gain * q.reshape(tuple(int(d) for d in shape)).astype(np.float32))
        return tapegrad.cast(value, _dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


# snake_case names, as accepted by Keras for strings.
_BY_NAME: dict[str, type[Initializer]] = {
    "zeros": Zeros,
    "ones": Ones,
    "constant": Constant,
    "random_uniform": RandomUniform,
    "random_normal": RandomNormal,
    "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal,
    "he_normal": HeNormal,
    "he_uniform": HeUniform,
    "lecun_normal": LecunNormal,
    "lecun_uniform": LecunUniform,
    "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling,
    "identity": Identity,
    "orthogonal": Orthogonal,
    # Keras' short aliases
    "uniform": RandomUniform,
    "normal": RandomNormal,
}

InitializerLike = Union[str, Initializer, Callable[..., Any], None]


def get(identifier: InitializerLike) -> Callable[..., Any] | None:
    """Resolve ``"glorot_uniform"``, ``"GlorotUniform"``, a class, an instance or a callable.

    ``None`` returns ``None``; an unknown name raises ``ValueError``.
    """
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in _BY_NAME else camel_to_snake(identifier)
        if key in _BY_NAME:
            return _BY_NAME[key]()
        known = ", ".join(sorted(_BY_NAME))
        raise ValueError(f"Unknown initializer: {identifier!r}. Known names: {known}")
    raise TypeError(f"Could not interpret initializer identifier: {identifier!r}")
