"""More of ``tf.random``: categorical, shuffle, gamma and Poisson draws, the stateless
(seed-determined) family, ``Generator`` objects and candidate samplers.

Draws come from numpy generators. Stateful ops take their numpy seed from tapegrad's
own random stream, so ``tf.random.set_seed`` (and an op-level ``seed``) makes them
repeatable, as in TF. Stateless ops are pure functions of their ``seed`` pair (numpy's
Philox keyed by it). The numbers are not TF's: TF's Philox streams are not
reproduced, only the distributions, shapes, dtypes and determinism contracts.

Sampling is not differentiable, as in TF, except where TF reparameterises: ``gamma``
divides a unit-rate draw by ``beta`` on the tape (the gradient for ``alpha``, which TF
gets from the implicit reparameterisation, is not provided).
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .errors import InvalidArgumentError

__all__ = [
    "Algorithm",
    "Generator",
    "all_candidate_sampler",
    "categorical",
    "create_rng_state",
    "fixed_unigram_candidate_sampler",
    "fold_in",
    "gamma",
    "get_global_generator",
    "log_uniform_candidate_sampler",
    "poisson",
    "set_global_generator",
    "shuffle",
    "split",
    "stateless_binomial",
    "stateless_categorical",
    "stateless_gamma",
    "stateless_normal",
    "stateless_parameterized_truncated_normal",
    "stateless_poisson",
    "stateless_truncated_normal",
    "stateless_uniform",
    "uniform_candidate_sampler",
]


class Algorithm(enum.Enum):
    """Random-number algorithms (``tf.random.Algorithm``); numpy's Philox serves all of them."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _t(x: Any, dtype: Any = None) -> Tensor:
    if _core.is_tensor(x) and dtype is None:
        return x
    return _core.convert_to_tensor(x, dtype=dtype)


def _shape(shape: Any) -> list[int]:
    if _core.is_tensor(shape):
        return [int(d) for d in shape.numpy().reshape(-1)]
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(d) for d in shape]


def _stateful_rng(seed: Any) -> np.random.Generator:
    """A numpy generator seeded from tapegrad's random stream (so ``set_seed`` fixes it)."""
    u = _core.random_uniform([2], dtype=_core.float64, seed=seed).numpy()
    return np.random.default_rng([int(u[0] * 2**52), int(u[1] * 2**52)])


def _seed_pair(seed: Any, op: str) -> list[int]:
    """The two ints of a stateless ``seed``.

    Raises:
        ValueError: ``seed`` is not a shape-[2] integer.
    """
    v = np.asarray(seed.numpy() if _core.is_tensor(seed) else seed)
    if v.shape != (2,) or v.dtype.kind not in "iu":
        raise ValueError(f"{op}: seed must have shape [2] and an integer dtype, got {v!r}")
    return [int(x) & (2**64 - 1) for x in v]


def _stateless_rng(seed: Any, op: str) -> np.random.Generator:
    s = _seed_pair(seed, op)
    return np.random.Generator(np.random.Philox(key=s[0] | (s[1] << 64)))


def _float_dtype(dtype: Any) -> Any:
    d = _core.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"Invalid dtype {d!r}: expected a floating point type")
    return d


def _out(values: np.ndarray, dtype: Any) -> Tensor:
    d = _core.as_dtype(dtype)
    return _core.constant(np.asarray(values).astype(d.as_numpy_dtype), dtype=d)


# ------------------------------------------------------------------------------- stateful
def _categorical(rng: np.random.Generator, logits: Any, num_samples: Any, dtype: Any) -> Tensor:
    lg = np.asarray(_t(logits).numpy(), dtype=np.float64)
    if lg.ndim != 2:
        raise InvalidArgumentError(f"logits should be a matrix, got shape {list(lg.shape)}")
    n = int(num_samples)
    gumbel = -np.log(-np.log(rng.uniform(np.finfo(np.float64).tiny, 1.0, size=(lg.shape[0], n, lg.shape[1]))))
    samples = np.argmax(lg[:, None, :] + gumbel, axis=-1)
    return _out(samples, _core.int64 if dtype is None else dtype)


def categorical(logits: Any, num_samples: Any, dtype: Any = None, seed: Any = None,
                name: str | None = None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (int64 ``[batch, num_samples]``).

    Raises:
        InvalidArgumentError: ``logits`` is not 2-D.
    """
    return _categorical(_stateful_rng(seed), logits, num_samples, dtype)


def shuffle(value: Any, seed: Any = None, name: str | None = None) -> Tensor:
    """``value`` with its first dimension randomly permuted."""
    x = _t(value)
    if len(x.shape) == 0:
        return _core.identity(x)
    perm = _stateful_rng(seed).permutation(int(x.shape[0]))
    return _core.gather(x, _core.constant(perm.astype(np.int64)))


def _gamma(rng: np.random.Generator, shape: Any, alpha: Any, beta: Any, dtype: Any) -> Tensor:
    d = _float_dtype(dtype)
    a = _t(alpha, d if not _core.is_tensor(alpha) else None)
    av = np.asarray(a.numpy(), dtype=np.float64)
    out_shape = _shape(shape) + list(av.shape if beta is None else np.broadcast_shapes(
        av.shape, np.shape(beta.numpy() if _core.is_tensor(beta) else beta)))
    unit = rng.standard_gamma(np.broadcast_to(av, out_shape[len(_shape(shape)):]) if av.ndim
                              else av, size=out_shape)
    sample = _out(unit, d)
    if beta is None:
        return sample
    return sample / _t(beta, d if not _core.is_tensor(beta) else None)


def gamma(shape: Any, alpha: Any, beta: Any = None, dtype: Any = _core.float32, seed: Any = None,
          name: str | None = None) -> Tensor:
    """Gamma draws of shape ``shape + broadcast(alpha, beta).shape`` (rate ``beta``, default 1)."""
    return _gamma(_stateful_rng(seed), shape, alpha, beta, dtype)


def _poisson(rng: np.random.Generator, shape: Any, lam: Any, dtype: Any) -> Tensor:
    lv = np.asarray(lam.numpy() if _core.is_tensor(lam) else lam, dtype=np.float64)
    out_shape = _shape(shape) + list(lv.shape)
    return _out(rng.poisson(np.broadcast_to(lv, out_shape), size=out_shape), dtype)


def poisson(shape: Any, lam: Any, dtype: Any = _core.float32, seed: Any = None,
            name: str | None = None) -> Tensor:
    """Poisson draws of shape ``shape + lam.shape``."""
    return _poisson(_stateful_rng(seed), shape, lam, dtype)


# ------------------------------------------------------------------------------- stateless
def _uniform(rng: np.random.Generator, shape: Any, minval: Any, maxval: Any, dtype: Any) -> Tensor:
    d = _core.as_dtype(dtype)
    size = _shape(shape)
    if d.is_integer:
        if minval is None or maxval is None:
            raise ValueError(
                f"For integer dtype {d!r}, minval and maxval must be both `None` or both non-`None`."
            )
        lo, hi = int(minval), int(maxval)
        if lo >= hi:
            raise InvalidArgumentError(f"Need minval < maxval: {lo} >= {hi}")
        return _out(rng.integers(lo, hi, size=size), d)
    lo = 0.0 if minval is None else np.asarray(minval.numpy() if _core.is_tensor(minval) else minval)
    hi = 1.0 if maxval is None else np.asarray(maxval.numpy() if _core.is_tensor(maxval) else maxval)
    return _out(lo + (hi - lo) * rng.random(size=size), d)


def stateless_uniform(shape: Any, seed: Any, minval: Any = 0, maxval: Any = None,
                      dtype: Any = _core.float32, name: str | None = None, alg: Any = "auto_select"
                      ) -> Tensor:
    """Uniform draws in ``[minval, maxval)`` determined by ``seed`` (a shape-[2] int tensor).

    Raises:
        ValueError: a bad ``seed``, or an integer dtype without both bounds.
    """
    d = _core.as_dtype(dtype)
    if d.is_integer and minval == 0 and maxval is None:
        minval = None
    return _uniform(_stateless_rng(seed, "stateless_uniform"), shape, minval, maxval, d)


def stateless_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0,
                     dtype: Any = _core.float32, name: str | None = None, alg: Any = "auto_select"
                     ) -> Tensor:
    """Normal draws determined by ``seed``."""
    z = _stateless_rng(seed, "stateless_normal").standard_normal(size=_shape(shape))
    return _out(np.asarray(mean) + np.asarray(stddev) * z, _float_dtype(dtype))


def _truncated(rng: np.random.Generator, size: list[int], lo: Any = -2.0, hi: Any = 2.0) -> np.ndarray:
    lo_b, hi_b = np.broadcast_to(lo, size), np.broadcast_to(hi, size)
    z = rng.standard_normal(size=size)
    bad = (z < lo_b) | (z > hi_b)
    while bad.any():
        z[bad] = rng.standard_normal(size=int(bad.sum()))
        bad = (z < lo_b) | (z > hi_b)
    return z


def stateless_truncated_normal(shape: Any, seed: Any, mean: Any = 0.0, stddev: Any = 1.0,
                               dtype: Any = _core.float32, name: str | None = None,
                               alg: Any = "auto_select") -> Tensor:
    """Normal draws within two standard deviations of ``mean``, determined by ``seed``."""
    z = _truncated(_stateless_rng(seed, "stateless_truncated_normal"), _shape(shape))
    return _out(np.asarray(mean) + np.asarray(stddev) * z, _float_dtype(dtype))


def stateless_parameterized_truncated_normal(shape: Any, seed: Any, means: Any = 0.0,
                                             stddevs: Any = 1.0, minvals: Any = -2.0,
                                             maxvals: Any = 2.0, name: str | None = None) -> Tensor:
    """Normal draws of mean ``means`` and deviation ``stddevs`` cut to ``[minvals, maxvals]``."""
    def arr(v: Any) -> np.ndarray:
        return np.asarray(v.numpy() if _core.is_tensor(v) else v, dtype=np.float64)

    m, s = arr(means), arr(stddevs)
    size = _shape(shape)
    z = _truncated(_stateless_rng(seed, "stateless_parameterized_truncated_normal"), size,
                   (arr(minvals) - m) / s, (arr(maxvals) - m) / s)
    dtype = _t(means).dtype if _core.is_tensor(means) else _core.float32
    return _out(m + s * z, dtype)


def stateless_categorical(logits: Any, num_samples: Any, seed: Any, dtype: Any = _core.int64,
                          name: str | None = None) -> Tensor:
    """:func:`categorical`, determined by ``seed``."""
    return _categorical(_stateless_rng(seed, "stateless_categorical"), logits, num_samples, dtype)


def stateless_binomial(shape: Any, seed: Any, counts: Any, probs: Any, output_dtype: Any = _core.int32,
                       name: str | None = None) -> Tensor:
    """Binomial draws (``counts`` trials of probability ``probs``), determined by ``seed``."""
    def arr(v: Any) -> np.ndarray:
        return np.asarray(v.numpy() if _core.is_tensor(v) else v)

    size = _shape(shape)
    n = np.broadcast_to(arr(counts), size)
    p = np.broadcast_to(arr(probs), size)
    return _out(_stateless_rng(seed, "stateless_binomial").binomial(n.astype(np.int64), p), output_dtype)


def stateless_gamma(shape: Any, seed: Any, alpha: Any, beta: Any = None, dtype: Any = _core.float32,
                    name: str | None = None) -> Tensor:
    """:func:`gamma` draws determined by ``seed`` (output shape ``shape``)."""
    d = _float_dtype(dtype)
    size = _shape(shape)
    av = np.broadcast_to(np.asarray(alpha.numpy() if _core.is_tensor(alpha) else alpha, np.float64), size)
    unit = _out(_stateless_rng(seed, "stateless_gamma").standard_gamma(av), d)
    return unit if beta is None else unit / _t(beta, d if not _core.is_tensor(beta) else None)


def stateless_poisson(shape: Any, seed: Any, lam: Any, dtype: Any = _core.int32,
                      name: str | None = None) -> Tensor:
    """Poisson draws determined by ``seed`` (output shape ``shape``)."""
    size = _shape(shape)
    lv = np.broadcast_to(np.asarray(lam.numpy() if _core.is_tensor(lam) else lam, np.float64), size)
    return _out(_stateless_rng(seed, "stateless_poisson").poisson(lv), dtype)


def create_rng_state(seed: int, alg: Any) -> np.ndarray:
    """The initial state for a :class:`Generator` (``[seed, 0, 0]`` as int64)."""
    return np.array([int(seed) & (2**63 - 1), 0, 0], dtype=np.int64)


def fold_in(seed: Any, data: Any, alg: Any = "auto_select") -> Tensor:
    """A new stateless seed derived from ``seed`` and the integer ``data``."""
    s = _seed_pair(seed, "fold_in")
    rng = np.random.Generator(np.random.Philox(key=s[0] | (s[1] << 64), counter=int(data) & (2**64 - 1)))
    dtype = seed.dtype if _core.is_tensor(seed) else _core.int64
    return _out(rng.integers(-(2**31), 2**31, size=2), dtype)


def split(seed: Any, num: int = 2, alg: Any = "auto_select") -> Tensor:
    """``num`` new stateless seeds (``[num, 2]``) derived from ``seed``."""
    rng = _stateless_rng(seed, "split")
    dtype = seed.dtype if _core.is_tensor(seed) else _core.int64
    return _out(rng.integers(-(2**31), 2**31, size=(int(num), 2)), dtype)


# ------------------------------------------------------------------------------- Generator
class Generator:
    """A random-number generator object (``tf.random.Generator``): its own stream, independent
    of the global seed, advanced by every draw. ``state`` is an int64 tensor
    ``[seed, draws, 0]``."""

    def __init__(self, copy_from: Generator | None = None, state: Any = None, alg: Any = None) -> None:
        if copy_from is not None:
            self._seed, self._count = copy_from._seed, copy_from._count
        elif state is not None:
            st = np.asarray(state.numpy() if _core.is_tensor(state) else state, dtype=np.int64).reshape(-1)
            self._seed, self._count = int(st[0]), int(st[1]) if st.size > 1 else 0
        else:
            self._seed, self._count = int(np.random.SeedSequence().entropy % 2**63), 0
        self.algorithm = Algorithm.PHILOX

    @classmethod
    def from_seed(cls, seed: Any, alg: Any = None) -> Generator:
        """A generator whose stream is fixed by ``seed``."""
        return cls(state=[int(seed), 0, 0])

    @classmethod
    def from_non_deterministic_state(cls, alg: Any = None) -> Generator:
        """A generator seeded from the operating system's entropy."""
        return cls()

    @classmethod
    def from_key_counter(cls, key: Any, counter: Any, alg: Any = None) -> Generator:
        """A generator from a key and a counter."""
        c = np.asarray(counter).reshape(-1)
        return cls(state=[int(np.asarray(key).reshape(-1)[0]), int(c[0]) if c.size else 0, 0])

    def reset_from_seed(self, seed: Any) -> None:
        """Restart the stream from ``seed``."""
        self._seed, self._count = int(seed), 0

    @property
    def state(self) -> Tensor:
        """``[seed, draws, 0]`` as int64."""
        return _core.constant(np.array([self._seed, self._count, 0], dtype=np.int64))

    @property
    def key(self) -> Tensor:
        """The stream's key."""
        return _core.constant(np.array([self._seed], dtype=np.int64))

    def skip(self, delta: int) -> None:
        """Advance the stream as if ``delta`` draws had been made."""
        self._count += int(delta)

    def _rng(self) -> np.random.Generator:
        self._count += 1
        return np.random.Generator(np.random.Philox(key=self._seed & (2**64 - 1),
                                                    counter=self._count & (2**64 - 1)))

    def normal(self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = _core.float32,
               name: str | None = None) -> Tensor:
        """Normal draws."""
        return _out(np.asarray(mean) + np.asarray(stddev) * self._rng().standard_normal(_shape(shape)),
                    _float_dtype(dtype))

    def truncated_normal(self, shape: Any, mean: Any = 0.0, stddev: Any = 1.0,
                         dtype: Any = _core.float32, name: str | None = None) -> Tensor:
        """Normal draws within two standard deviations."""
        z = _truncated(self._rng(), _shape(shape))
        return _out(np.asarray(mean) + np.asarray(stddev) * z, _float_dtype(dtype))

    def uniform(self, shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = _core.float32,
                name: str | None = None) -> Tensor:
        """Uniform draws in ``[minval, maxval)``.

        Raises:
            ValueError: an integer dtype without both bounds.
        """
        d = _core.as_dtype(dtype)
        if d.is_integer and minval == 0 and maxval is None:
            minval = None
        return _uniform(self._rng(), shape, minval, maxval, d)

    def uniform_full_int(self, shape: Any, dtype: Any = _core.int64, name: str | None = None) -> Tensor:
        """Integers over the dtype's whole range."""
        d = _core.as_dtype(dtype)
        info = np.iinfo(d.as_numpy_dtype)
        return _out(self._rng().integers(info.min, info.max, size=_shape(shape), endpoint=True), d)

    def binomial(self, shape: Any, counts: Any, probs: Any, dtype: Any = _core.int32,
                 name: str | None = None) -> Tensor:
        """Binomial draws."""
        size = _shape(shape)
        n = np.broadcast_to(np.asarray(counts), size).astype(np.int64)
        return _out(self._rng().binomial(n, np.broadcast_to(np.asarray(probs), size)), dtype)

    def make_seeds(self, count: int = 1) -> Tensor:
        """``count`` seeds for stateless ops, as an int64 ``[2, count]`` tensor."""
        return _out(self._rng().integers(-(2**63), 2**63 - 1, size=(2, int(count))), _core.int64)

    def split(self, count: int = 1) -> list[Generator]:
        """``count`` new independent generators."""
        seeds = self._rng().integers(0, 2**63 - 1, size=int(count))
        return [Generator.from_seed(int(s)) for s in seeds]


_GLOBAL: list[Generator | None] = [None]


def get_global_generator() -> Generator:
    """The process-wide :class:`Generator` (created on first use)."""
    if _GLOBAL[0] is None:
        _GLOBAL[0] = Generator.from_non_deterministic_state()
    return _GLOBAL[0]


def set_global_generator(generator: Generator) -> None:
    """Replace the process-wide :class:`Generator`."""
    _GLOBAL[0] = generator


# ----------------------------------------------------------------------- candidate samplers
def _sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool, range_max: int,
             seed: Any, probs: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
    """Draw ``num_sampled`` classes from ``probs`` (without repeats if ``unique``) and the
    expected counts of the true and sampled classes (TF's formulas)."""
    tc = np.asarray(true_classes.numpy() if _core.is_tensor(true_classes) else true_classes, np.int64)
    if tc.ndim != 2 or tc.shape[1] != num_true:
        raise InvalidArgumentError(
            f"true_classes must be a matrix with num_true = {num_true} columns, got {list(tc.shape)}"
        )
    if unique and num_sampled > int(np.count_nonzero(probs)):
        raise InvalidArgumentError(
            "Sampler used without replacement can't sample more than the classes it can draw "
            f"({int(np.count_nonzero(probs))} of range_max = {range_max})"
        )
    rng = _stateful_rng(seed)
    if unique:
        picked: list[int] = []
        seen: set[int] = set()
        tries = 0
        while len(picked) < num_sampled:
            k = int(rng.choice(range_max, p=probs))
            tries += 1
            if k not in seen:
                seen.add(k)
                picked.append(k)
        sampled = np.array(picked, dtype=np.int64)

        def expected(p: np.ndarray) -> np.ndarray:
            return -np.expm1(tries * np.log1p(-np.minimum(p, 1 - 1e-12)))
    else:
        sampled = rng.choice(range_max, size=num_sampled, p=probs).astype(np.int64)

        def expected(p: np.ndarray) -> np.ndarray:
            return num_sampled * p
    true_p = probs[np.clip(tc, 0, range_max - 1)]
    return (_core.constant(sampled), _out(expected(true_p), _core.float32),
            _out(expected(probs[sampled]), _core.float32))


def log_uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                                  range_max: int, seed: Any = None, name: str | None = None
                                  ) -> tuple[Tensor, Tensor, Tensor]:
    """Negative classes drawn with Zipf's law ``P(k) = log((k+2)/(k+1)) / log(range_max+1)``:
    ``(sampled_candidates, true_expected_count, sampled_expected_count)``."""
    k = np.arange(range_max, dtype=np.float64)
    probs = (np.log(k + 2) - np.log(k + 1)) / np.log(range_max + 1)
    return _sampler(true_classes, num_true, num_sampled, unique, range_max, seed, probs / probs.sum())


def uniform_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                              range_max: int, seed: Any = None, name: str | None = None
                              ) -> tuple[Tensor, Tensor, Tensor]:
    """Negative classes drawn uniformly from ``[0, range_max)``."""
    probs = np.full(range_max, 1.0 / range_max)
    return _sampler(true_classes, num_true, num_sampled, unique, range_max, seed, probs)


def all_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                          seed: Any = None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Every class ``0 .. num_sampled-1``, each with expected count 1."""
    tc = np.asarray(true_classes.numpy() if _core.is_tensor(true_classes) else true_classes)
    return (_core.constant(np.arange(num_sampled, dtype=np.int64)),
            _out(np.ones(tc.shape), _core.float32), _out(np.ones(num_sampled), _core.float32))


def fixed_unigram_candidate_sampler(true_classes: Any, num_true: int, num_sampled: int, unique: bool,
                                    range_max: int, vocab_file: str = "", distortion: float = 1.0,
                                    num_reserved_ids: int = 0, num_shards: int = 1, shard: int = 0,
                                    unigrams: Any = (), seed: Any = None, name: str | None = None
                                    ) -> tuple[Tensor, Tensor, Tensor]:
    """Negative classes drawn with probability proportional to ``unigrams ** distortion`` (the
    first ``num_reserved_ids`` classes never drawn).

    Raises:
        ValueError: ``vocab_file`` is given (files are not read), or the counts do not cover
            ``range_max`` classes.
    """
    if vocab_file:
        raise ValueError("fixed_unigram_candidate_sampler: vocab_file is not supported; pass unigrams")
    if num_shards != 1:
        raise ValueError("fixed_unigram_candidate_sampler: sharding is not supported")
    counts = np.concatenate([np.zeros(int(num_reserved_ids)), np.asarray(unigrams, np.float64)])
    if counts.size != range_max:
        raise ValueError(
            f"len(unigrams) + num_reserved_ids = {counts.size} must equal range_max = {range_max}"
        )
    weights = counts ** float(distortion)
    return _sampler(true_classes, num_true, num_sampled, unique, range_max, seed, weights / weights.sum())
