"""Sampled losses of ``tf.nn`` (``sampled_softmax_loss``, ``nce_loss``) and their helpers.

Both follow TF's ``_compute_sampled_logits``: the true classes' and the sampled
classes' rows of ``weights``/``biases`` are gathered (so gradients reach exactly those
rows), sampled classes that equal a true label of the row are pushed to ``-FLOAT_MAX``
(``remove_accidental_hits``), and ``log Q`` (the sampler's expected counts) is
subtracted. Sampling itself is :mod:`.random_extra`'s log-uniform sampler unless
``sampled_values`` is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .random_extra import (
    all_candidate_sampler,
    fixed_unigram_candidate_sampler,
    log_uniform_candidate_sampler,
)

__all__ = [
    "all_candidate_sampler",
    "collapse_repeated",
    "compute_accidental_hits",
    "fixed_unigram_candidate_sampler",
    "nce_loss",
    "sampled_softmax_loss",
]

_FLOAT_MAX = float(np.finfo(np.float32).max)


def _t(x: Any) -> Tensor:
    return x if _core.is_tensor(x) else _core.convert_to_tensor(x)


def _labels(labels: Any, num_true: int) -> np.ndarray:
    v = np.asarray(labels.numpy() if _core.is_tensor(labels) else labels).astype(np.int64)
    return v.reshape(-1, num_true)


def compute_accidental_hits(true_classes: Any, sampled_candidates: Any, num_true: int,
                            seed: Any = None, name: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """Where a sampled class equals one of a row's true classes: ``(row indices (int32), sampled
    positions (int64), weights -FLOAT_MAX (float32))``. Candidates are assumed distinct (as the
    samplers make them); for a repeated one only its last position is reported, as in TF."""
    tc = _labels(true_classes, num_true)
    sampled = np.asarray(_t(sampled_candidates).numpy()).astype(np.int64).reshape(-1)
    position = {int(c): j for j, c in enumerate(sampled)}
    hits = [(i, position[int(c)]) for i, row in enumerate(tc) for c in row if int(c) in position]
    rows = np.array([h[0] for h in hits], dtype=np.int64)
    cols = np.array([h[1] for h in hits], dtype=np.int64)
    return (_core.constant(rows.astype(np.int32)), _core.constant(cols.astype(np.int64)),
            _core.constant(np.full(rows.shape, -_FLOAT_MAX, np.float32)))


def _sampled_logits(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
                    num_classes: int, num_true: int, sampled_values: Any,
                    subtract_log_q: bool, remove_accidental_hits: bool, seed: Any
                    ) -> tuple[Tensor, Tensor]:
    if isinstance(weights, (list, tuple)):
        weights = _core.concat(list(weights), 0) if len(weights) > 1 else weights[0]
    w, b, x = _t(weights), _t(biases), _t(inputs)
    tc = _labels(labels, num_true)
    if sampled_values is None:
        sampled_values = log_uniform_candidate_sampler(tc, num_true, num_sampled, True, num_classes,
                                                       seed=seed)
    sampled, true_expected, sampled_expected = sampled_values
    sampled_np = np.asarray(_t(sampled).numpy()).astype(np.int64).reshape(-1)
    batch = tc.shape[0]
    all_ids = _core.constant(np.concatenate([tc.reshape(-1), sampled_np]))
    all_w = _core.gather(w, all_ids)
    all_b = _core.gather(b, all_ids)
    n_true = batch * num_true
    dim = int(w.shape[1])
    true_w = _core.reshape(all_w[:n_true], [batch, num_true, dim])
    sampled_w = all_w[n_true:]
    sampled_logits = _core.matmul(x, sampled_w, transpose_b=True) + all_b[n_true:]
    true_logits = _core.reduce_sum(_core.expand_dims(x, 1) * true_w, -1) + _core.reshape(
        all_b[:n_true], [batch, num_true])
    if remove_accidental_hits:
        hit = (sampled_np[None, :, None] == tc[:, None, :]).any(-1)
        penalty = np.where(hit, -_FLOAT_MAX, 0.0).astype(x.dtype.as_numpy_dtype)
        sampled_logits = sampled_logits + _core.constant(penalty)
    if subtract_log_q:
        true_logits = true_logits - _core.log(_core.cast(_t(true_expected), x.dtype))
        sampled_logits = sampled_logits - _core.log(_core.cast(_t(sampled_expected), x.dtype))
    logits = _core.concat([true_logits, sampled_logits], 1)
    targets = _core.concat([_core.ones_like(true_logits) / float(num_true),
                            _core.zeros_like(sampled_logits)], 1)
    return logits, targets


def sampled_softmax_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
                         num_classes: int, num_true: int = 1, sampled_values: Any = None,
                         remove_accidental_hits: bool = True, seed: Any = None,
                         name: str = "sampled_softmax_loss") -> Tensor:
    """Softmax cross-entropy over the true class(es) and ``num_sampled`` sampled classes
    (per example, shape ``[batch]``): a cheap training estimate of the full softmax loss."""
    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                                      num_true, sampled_values, True, remove_accidental_hits, seed)
    return _core.softmax_cross_entropy_with_logits(labels=targets, logits=logits)


def nce_loss(weights: Any, biases: Any, labels: Any, inputs: Any, num_sampled: int,
             num_classes: int, num_true: int = 1, sampled_values: Any = None,
             remove_accidental_hits: bool = False, name: str = "nce_loss") -> Tensor:
    """Noise-contrastive estimation: logistic losses of the true and sampled classes, summed
    per example (shape ``[batch]``)."""
    from .nn import sigmoid_cross_entropy_with_logits

    logits, targets = _sampled_logits(weights, biases, labels, inputs, num_sampled, num_classes,
                                      num_true, sampled_values, True, remove_accidental_hits, None)
    return _core.reduce_sum(sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), 1)


def collapse_repeated(labels: Any, seq_length: Any, name: str | None = None) -> tuple[Tensor, Tensor]:
    """Each row of ``labels`` with runs of a repeated label merged into one (zero-padded), and
    the new lengths."""
    lab = _t(labels)
    v = np.asarray(lab.numpy())
    lens = np.asarray(_t(seq_length).numpy()).astype(np.int64).reshape(-1)
    out = np.zeros_like(v)
    new_lens = np.zeros_like(lens)
    for i, row in enumerate(v):
        seq = row[: lens[i]]
        keep = [x for j, x in enumerate(seq) if j == 0 or x != seq[j - 1]]
        out[i, : len(keep)] = keep
        new_lens[i] = len(keep)
    width = int(new_lens.max(initial=0))
    seq_t = _t(seq_length)
    return (_core.constant(out[:, :width], dtype=lab.dtype),
            _core.constant(new_lens.astype(seq_t.dtype.as_numpy_dtype), dtype=seq_t.dtype))
