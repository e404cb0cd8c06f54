"""``keras.random``: Keras 3's random draws (``normal``, ``uniform``, ``truncated_normal``) and the
``SeedGenerator`` that gives each draw a new seed.

A draw with ``seed=None`` uses the global generator (``tf.random.set_seed``). A seeded draw is
stateless, as in Keras 3: an integer seed gives the same values each call, and a
:class:`SeedGenerator` hands out the next seed of its own sequence, so a model that owns one
draws different values each step yet repeats a run started from the same seed. Seeded draws
come from NumPy's generator (one-off sampling, never on a tape); the values are not Keras'.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tapegrad

__all__ = ["SeedGenerator", "normal", "truncated_normal", "uniform"]

# Seeds stay within int32, as TF's op seeds do.
_SEED_MODULUS = 2**31 - 1


class SeedGenerator:
    """A seed sequence: each draw that takes it as ``seed`` gets the next seed."""

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if seed is None:
            seed = int(tapegrad.random.uniform((), 0, _SEED_MODULUS, dtype=tapegrad.int64).numpy())
        if not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.name = name or "seed_generator"
        self._initial_seed = seed
        self._count = 0

    def next(self) -> int:
        """The next seed of the sequence."""
        self._count += 1
        # A multiplicative step keeps successive seeds far apart.
        return (self._initial_seed * 1_000_003 + self._count * 7_919) % _SEED_MODULUS

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}


def _generator(seed: Any) -> np.random.Generator | None:
    """NumPy's generator for a seeded draw (stateless, as Keras 3's); None for the global one."""
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng(seed.next())
    if isinstance(seed, int):
        return np.random.default_rng(seed)
    if seed is None:
        return None
    raise ValueError(f"Argument `seed` must be an integer, a SeedGenerator or None. Received: seed={seed!r}")


def _shape(shape: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in (shape.numpy() if tapegrad.is_tensor(shape) else shape))


def _dtype(dtype: Any) -> Any:
    return tapegrad.float32 if dtype is None else tapegrad.as_dtype(dtype)


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> Any:
    """Samples of a normal distribution."""
    generator = _generator(seed)
    if generator is None:
        return tapegrad.random.normal(_shape(shape), mean=mean, stddev=stddev, dtype=_dtype(dtype))
    values = generator.normal(mean, stddev, size=_shape(shape))
    return tapegrad.constant(values.astype(_dtype(dtype).as_numpy_dtype))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> Any:
    """Samples of a uniform distribution on ``[minval, maxval)``."""
    generator = _generator(seed)
    if generator is None:
        return tapegrad.random.uniform(_shape(shape), minval, maxval, dtype=_dtype(dtype))
    values = generator.uniform(minval, maxval, size=_shape(shape))
    return tapegrad.constant(values.astype(_dtype(dtype).as_numpy_dtype))


def truncated_normal(
    shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None
) -> Any:
    """Normal samples redrawn when more than two standard deviations from ``mean``."""
    generator = _generator(seed)
    if generator is None:
        return tapegrad.random.truncated_normal(_shape(shape), mean=mean, stddev=stddev, dtype=_dtype(dtype))
    values = generator.standard_normal(size=_shape(shape))
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = generator.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2
    return tapegrad.constant((mean + stddev * values).astype(_dtype(dtype).as_numpy_dtype))
