"""Attention layers: ``MultiHeadAttention``, ``Attention`` (Luong, dot product) and
``AdditiveAttention`` (Bahdanau), written with einsum/matmul/softmax ops.

``MultiHeadAttention`` keeps Keras' weight layout: ``query/kernel`` ``(dim, heads, key_dim)``,
``query/bias`` ``(heads, key_dim)``, likewise ``key`` and ``value``, then
``attention_output/kernel`` ``(heads, value_dim, out_dim)`` and ``attention_output/bias``.
Masked scores get ``-1e9`` added before the softmax and masked weights are zeroed after it
(Keras' ``Softmax`` with a mask).
"""

from __future__ import annotations

import math
from typing import Any

import tapegrad

from .. import initializers
from .base import Layer

_LARGE_NEGATIVE = -1e9


def _causal_mask(q_len: int, v_len: int) -> Any:
    """``[1, q_len, v_len]`` booleans, true where query ``i`` may see value ``j`` (``j <= i``)."""
    rows = tapegrad.reshape(tapegrad.range(q_len), (q_len, 1))
    cols = tapegrad.reshape(tapegrad.range(v_len), (1, v_len))
    return tapegrad.expand_dims(tapegrad.greater_equal(rows, cols), 0)


def _as_bool(mask: Any) -> Any:
    mask = tapegrad.convert_to_tensor(mask)
    return mask if mask.dtype == tapegrad.bool else tapegrad.not_equal(mask, tapegrad.zeros_like(mask))


def _masked_softmax(scores: Any, mask: Any) -> Any:
    """Softmax over the last axis; ``mask`` (broadcastable booleans) drops entries."""
    if mask is None:
        return tapegrad.nn.softmax(scores, axis=-1)
    keep = tapegrad.cast(mask, scores.dtype)
    weights = tapegrad.nn.softmax(scores + (1.0 - keep) * _LARGE_NEGATIVE, axis=-1)
    return weights * keep


def _dropout(x: Any, rate: float, training: bool | None) -> Any:
    if not training or rate <= 0.0:
        return x
    keep = tapegrad.cast(tapegrad.random.uniform(tuple(x.shape), dtype=x.dtype) >= rate, x.dtype)
    return x * keep * (1.0 / (1.0 - rate))


class _ProjectionDense(Layer):
    """Keras' ``EinsumDense`` as MultiHeadAttention uses it: ``einsum(equation, x, kernel) + bias``."""

    def __init__(self, equation: str, kernel_shape: tuple[int, ...], bias_shape: tuple[int, ...] | None,
                 kernel_initializer: Any, bias_initializer: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.equation = equation
        self.kernel_shape = kernel_shape
        self.bias_shape = bias_shape
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer
        self.kernel: Any = None
        self.bias: Any = None

    def build(self, input_shape: Any) -> None:
        self.kernel = self.add_weight("kernel", self.kernel_shape, initializer=self.kernel_initializer)
        if self.bias_shape is not None:
            self.bias = self.add_weight("bias", self.bias_shape, initializer=self.bias_initializer)
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        out = tapegrad.einsum(self.equation, inputs, self.kernel)
        return out if self.bias is None else out + self.bias


class MultiHeadAttention(Layer):
    """Multi-head attention (Keras' layer, 3-D inputs ``(batch, time, dim)``, attention over time).

    ``layer(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None, use_causal_mask=False)``; ``attention_mask`` is ``(batch, T_q, T_v)``
    booleans (true = attend). Returns ``(batch, T_q, out_dim)`` and, if asked, the attention
    weights ``(batch, heads, T_q, T_v)``.
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
        kernel_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        **kwargs: Any,
    ) -> None:
        for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                    "kernel_constraint", "bias_constraint", "seed", "flash_attention"):
            kwargs.pop(key, None)
        super().__init__(**kwargs)
        if attention_axes not in (None, 1, (1,), [1]):
            raise NotImplementedError("MultiHeadAttention: only attention over axis 1 (time) is supported")
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape = output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._query_dense: Any = None
        self._key_dense: Any = None
        self._value_dense: Any = None
        self._output_dense: Any = None

    def _projection(self, name: str, dim: int, size: int) -> _ProjectionDense:
        h = self.num_heads
        return _ProjectionDense(
            "abc,cde->abde", (dim, h, size), (h, size) if self.use_bias else None,
            self.kernel_initializer, self.bias_initializer, name=name, dtype=self._dtype,
        )

    def _build_from(self, query: Any, value: Any, key: Any) -> None:
        q_dim, v_dim, k_dim = int(query.shape[-1]), int(value.shape[-1]), int(key.shape[-1])
        if self._output_shape is None:
            out_dim = q_dim
        elif isinstance(self._output_shape, int):
            out_dim = self._output_shape
        else:
            shape = tuple(self._output_shape)
            if len(shape) != 1:
                raise NotImplementedError("MultiHeadAttention: output_shape must be one dimension")
            out_dim = int(shape[0])
        self._query_dense = self._projection("query", q_dim, self.key_dim)
        self._key_dense = self._projection("key", k_dim, self.key_dim)
        self._value_dense = self._projection("value", v_dim, self.value_dim)
        self._output_dense = _ProjectionDense(
            "abcd,cde->abe", (self.num_heads, self.value_dim, out_dim), (out_dim,) if self.use_bias else None,
            self.kernel_initializer, self.bias_initializer, name="attention_output", dtype=self._dtype,
        )
        # Build in Keras' order so weights list as query, key, value, attention_output.
        self._query_dense(query)
        self._key_dense(key)
        self._value_dense(value)
        self._output_dense(tapegrad.zeros((1, 1, self.num_heads, self.value_dim), dtype=query.dtype))
        self.built = True

    def __call__(self, query: Any, value: Any = None, key: Any = None, **kwargs: Any) -> Any:
        if value is None:
            raise TypeError("MultiHeadAttention.__call__() missing 1 required positional argument: 'value'")
        q_mask = getattr(query, "_keras_mask", None)
        v_mask = getattr(value, "_keras_mask", None)
        query, value = self._convert_inputs(query), self._convert_inputs(value)
        key = value if key is None else self._convert_inputs(key)
        with self._call_scope():
            if not self.built:
                self._build_from(query, value, key)
            return self.call(query, value, key, query_mask=q_mask, value_mask=v_mask, **kwargs)

    def call(  # type: ignore[override]
        self,
        query: Any,
        value: Any,
        key: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: bool | None = None,
        use_causal_mask: bool = False,
        query_mask: Any = None,
        value_mask: Any = None,
    ) -> Any:
        """Scaled dot-product attention over ``num_heads`` projections; see the class docstring."""
        key = value if key is None else key
        for name, t in (("query", query), ("value", value), ("key", key)):
            if len(t.shape) != 3:
                raise ValueError(
                    f"{self.name}: {name} must be (batch, time, dim); got shape {tuple(t.shape)}"
                )
        q = self._query_dense(query) * (1.0 / math.sqrt(float(self.key_dim)))
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = tapegrad.einsum("aecd,abcd->acbe", k, q)
        mask = self._combined_mask(query, value, attention_mask, use_causal_mask, query_mask, value_mask)
        if mask is not None:
            mask = tapegrad.expand_dims(mask, 1)  # over heads
        weights = _masked_softmax(scores, mask)
        dropped = _dropout(weights, self.dropout, training)
        context = tapegrad.einsum("acbe,aecd->abcd", dropped, v)
        output = self._output_dense(context)
        if return_attention_scores:
            return output, weights
        return output

    @staticmethod
    def _combined_mask(query: Any, value: Any, attention_mask: Any, causal: bool,
                       query_mask: Any, value_mask: Any) -> Any:
        mask = None
        if query_mask is not None:
            mask = tapegrad.expand_dims(_as_bool(query_mask), -1)
        if value_mask is not None:
            vm = tapegrad.expand_dims(_as_bool(value_mask), -2)
            mask = vm if mask is None else tapegrad.logical_and(mask, vm)
        if causal:
            cm = _causal_mask(int(query.shape[1]), int(value.shape[1]))
            mask = cm if mask is None else tapegrad.logical_and(mask, cm)
        if attention_mask is not None:
            am = _as_bool(attention_mask)
            mask = am if mask is None else tapegrad.logical_and(mask, am)
        return mask

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
        }


class _BaseDenseAttention(Layer):
    """Shared call of ``Attention`` and ``AdditiveAttention``: ``inputs = [query, value(, key)]``."""

    def __init__(self, dropout: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("causal", None)
        super().__init__(**kwargs)
        self.dropout = float(dropout)

    def _scores(self, query: Any, key: Any) -> Any:
        raise NotImplementedError

    def call(  # type: ignore[override]
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        """``softmax(scores(query, key)) @ value``, masked; optionally also the weights."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(
                f"{type(self).__name__} layer must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: inputs={inputs}."
            )
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = v_mask = None
        if mask is not None:
            q_mask, v_mask = mask[0], mask[1]
        scores = self._scores(query, key)
        scores_mask = None
        if v_mask is not None:
            scores_mask = tapegrad.expand_dims(_as_bool(v_mask), -2)
        if use_causal_mask:
            cm = _causal_mask(int(scores.shape[-2]), int(scores.shape[-1]))
            scores_mask = cm if scores_mask is None else tapegrad.logical_and(scores_mask, cm)
        if scores_mask is not None:
            scores = scores - 1e9 * tapegrad.cast(tapegrad.logical_not(scores_mask), scores.dtype)
        weights = tapegrad.nn.softmax(scores, axis=-1)
        result = tapegrad.matmul(_dropout(weights, self.dropout, training), value)
        if q_mask is not None:
            result = result * tapegrad.cast(tapegrad.expand_dims(_as_bool(q_mask), -1), result.dtype)
        if return_attention_scores:
            return result, weights
        return result


class Attention(_BaseDenseAttention):
    """Luong-style attention: ``scores = query @ keyᵀ`` (times a learned ``scale`` with
    ``use_scale``); ``score_mode="concat"`` uses ``sum(tanh(query + key))`` instead."""

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. "
                             f"Received: score_mode={score_mode}")
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.scale: Any = None
        self.concat_score_weight: Any = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            self.scale = self.add_weight("scale", (), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), initializer="ones")
        self.built = True

    def _scores(self, query: Any, key: Any) -> Any:
        if self.score_mode == "dot":
            scores = tapegrad.matmul(query, key, transpose_b=True)
            return scores if self.scale is None else scores * self.scale
        q = tapegrad.expand_dims(query, -2)
        k = tapegrad.expand_dims(key, -3)
        inner = q + k if self.scale is None else self.scale * (q + k)
        return self.concat_score_weight * tapegrad.reduce_sum(tapegrad.tanh(inner), axis=-1)


class AdditiveAttention(_BaseDenseAttention):
    """Bahdanau-style attention: ``scores = sum(scale * tanh(query + key), -1)``."""

    def __init__(self, use_scale: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.use_scale = bool(use_scale)
        self.scale: Any = None

    def build(self, input_shape: Any) -> None:
        if self.use_scale:
            dim = int(tuple(input_shape[1])[-1])
            self.scale = self.add_weight("scale", (dim,), initializer="glorot_uniform")
        self.built = True

    def _scores(self, query: Any, key: Any) -> Any:
        t = tapegrad.tanh(tapegrad.expand_dims(query, -2) + tapegrad.expand_dims(key, -3))
        if self.scale is not None:
            t = t * self.scale
        return tapegrad.reduce_sum(t, axis=-1)
