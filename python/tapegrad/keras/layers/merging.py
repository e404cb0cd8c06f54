"""Merging layers: ``Concatenate``, ``Add``, ``Multiply``, ``Subtract``, ``Average``, ``Maximum``,
``Minimum``, ``Dot``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Callable

import tapegrad

from .base import Layer


def _check_merge_inputs(layer: Layer, inputs: Any) -> list[Any]:
    if not isinstance(inputs, (list, tuple)) or len(inputs) < 1:
        raise ValueError(
            f"A merge layer {type(layer).__name__} should be called on a list of inputs. "
            f"Received: inputs={inputs}"
        )
    return list(inputs)


def _broadcast_shapes(input_shape: Sequence[Any]) -> tuple[Any, ...]:
    """The broadcast of several static shapes, aligned from the right; ``None`` where unknown."""
    shapes = [tuple(s) for s in input_shape]
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + s for s in shapes]
    output = []
    for sizes in zip(*padded):
        known = {d for d in sizes if d is not None and d != 1}
        output.append(known.pop() if len(known) == 1 else (None if None in sizes else 1))
    return tuple(output)


class Concatenate(Layer):
    """Concatenate a list of tensors along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The first shape with the sizes along ``axis`` summed (``None`` if any is unknown)."""
        shapes = [list(s) for s in input_shape]
        output = shapes[0]
        sizes = [s[self.axis] for s in shapes]
        output[self.axis] = None if None in sizes else sum(sizes)
        return tuple(output)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``concat(inputs, axis)``."""
        return tapegrad.concat(_check_merge_inputs(self, inputs), axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Add(Layer):
    """The element-wise sum of a list of tensors (broadcasting as ``+`` does)."""

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The broadcast of the input shapes."""
        return _broadcast_shapes(input_shape)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs[0] + inputs[1] + ...``."""
        tensors = _check_merge_inputs(self, inputs)
        total = tensors[0]
        for tensor in tensors[1:]:
            total = total + tensor
        return total


def _check_compatible(layer: Layer, tensors: list[Any]) -> None:
    """Keras' elementwise-merge shape check: aligned from the right, sizes equal or 1."""
    shapes = [tuple(t.shape) for t in tensors]
    first = shapes[0]
    for other in shapes[1:]:
        for a, b in zip(first[::-1], other[::-1]):
            if a is not None and b is not None and a != b and a != 1 and b != 1:
                raise ValueError(
                    f'Layer "{layer.name}": inputs have incompatible shapes. '
                    f"Received shapes {first} and {other}"
                )


class _ElementwiseMerge(Layer):
    """A merge of a list of tensors by a pairwise, broadcasting operation folded left to right."""

    def _merge(self, first: Any, second: Any) -> Any:
        raise NotImplementedError

    def _finish(self, merged: Any, count: int) -> Any:
        return merged

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The broadcast of the input shapes (``None`` where a size is unknown)."""
        return _broadcast_shapes(input_shape)

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``op(op(inputs[0], inputs[1]), inputs[2]) ...``."""
        tensors = _check_merge_inputs(self, inputs)
        _check_compatible(self, tensors)
        merged = tensors[0]
        for tensor in tensors[1:]:
            merged = self._merge(merged, tensor)
        return self._finish(merged, len(tensors))


class Multiply(_ElementwiseMerge):
    """The element-wise product of a list of tensors."""

    def _merge(self, first: Any, second: Any) -> Any:
        return first * second


class Average(_ElementwiseMerge):
    """The element-wise mean of a list of tensors."""

    def _merge(self, first: Any, second: Any) -> Any:
        return first + second

    def _finish(self, merged: Any, count: int) -> Any:
        return merged / count


class Maximum(_ElementwiseMerge):
    """The element-wise maximum of a list of tensors."""

    def _merge(self, first: Any, second: Any) -> Any:
        return tapegrad.maximum(first, second)


class Minimum(_ElementwiseMerge):
    """The element-wise minimum of a list of tensors."""

    def _merge(self, first: Any, second: Any) -> Any:
        return tapegrad.minimum(first, second)


class Subtract(_ElementwiseMerge):
    """``inputs[0] - inputs[1]`` for exactly two tensors."""

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``inputs[0] - inputs[1]``."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        return super().call(inputs)

    def _merge(self, first: Any, second: Any) -> Any:
        return first - second


def _l2_normalize(x: Any, axis: int) -> Any:
    """``x * min(rsqrt(sum(x^2, axis)), 1 / 1e-7)`` (Keras' ``ops.normalize``)."""
    inv_norm = tapegrad.math.rsqrt(tapegrad.reduce_sum(tapegrad.square(x), axis=axis, keepdims=True))
    return x * tapegrad.minimum(inv_norm, tapegrad.cast(1e7, x.dtype))


def _move_axis(x: Any, source: int, destination: int) -> Any:
    rank = len(x.shape)
    order = [a for a in range(rank) if a != source]
    order.insert(destination % rank, source)
    return x if order == list(range(rank)) else tapegrad.transpose(x, order)


def batch_dot(x: Any, y: Any, axes: Sequence[int]) -> Any:
    """Keras' ``batch_dot``: for each sample, contract axis ``axes[0]`` of ``x`` with ``axes[1]`` of ``y``.

    The result has ``x``'s remaining axes then ``y``'s (batch axis once); a result
    of rank 1 gets a trailing axis of size 1.
    """
    x_shape, y_shape = tuple(x.shape), tuple(y.shape)
    x_rank, y_rank = len(x_shape), len(y_shape)
    a0, a1 = axes[0] % x_rank, axes[1] % y_rank
    if x_rank == 2:
        x, a0 = tapegrad.expand_dims(x, 1), a0 + 1
    if y_rank == 2:
        y = tapegrad.expand_dims(y, 2)
    x = _move_axis(x, a0, -1)  # (batch, x_rest..., k)
    y = _move_axis(y, a1, 1)  # (batch, k, y_rest...)
    x_mid = tuple(x.shape)[1:-1]
    y_trail = tuple(y.shape)[2:]
    k = int(x.shape[-1])
    x3 = tapegrad.reshape(x, (-1, math.prod(x_mid), k))
    y3 = tapegrad.reshape(y, (-1, k, math.prod(y_trail)))
    result = tapegrad.reshape(tapegrad.matmul(x3, y3), (-1, *x_mid, *y_trail))
    if x_rank == 2:
        result = tapegrad.squeeze(result, 1)
    elif y_rank == 2:
        result = tapegrad.squeeze(result, -1)
    if len(result.shape) == 1:
        result = tapegrad.expand_dims(result, -1)
    return result


class Dot(Layer):
    """The per-sample dot product of two tensors along ``axes`` (an int or a pair of ints).

    With ``normalize=True`` both are first L2-normalized along those axes, giving the
    cosine similarity.
    """

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _resolved_axes(self, x1: Any, x2: Any) -> list[int]:
        ranks = (len(x1.shape), len(x2.shape))
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [axis % rank if axis < 0 else axis for axis, rank in zip(pair, ranks)]

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """``batch_dot(x1, x2, axes)`` (of the L2-normalized inputs when ``normalize``)."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}")
        x1, x2 = inputs
        shape1, shape2 = tuple(x1.shape), tuple(x2.shape)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f'Layer "{self.name}": cannot do batch_dot on inputs with rank < 2. '
                f"Received inputs with shapes {shape1} and {shape2}."
            )
        axes = self._resolved_axes(x1, x2)
        if not (0 <= axes[0] < len(shape1) and 0 <= axes[1] < len(shape2)):
            raise ValueError(
                f'Layer "{self.name}": axes {self.axes} are out of bounds for inputs of shapes '
                f"{shape1} and {shape2}"
            )
        if 0 in axes:
            raise ValueError(
                f'Layer "{self.name}": Cannot perform batch_dot over axis 0. If your inputs are not batched, '
                "add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0)"
            )
        if shape1[0] != shape2[0]:
            raise ValueError(
                f'Layer "{self.name}": Cannot do batch_dot on inputs with different batch sizes. '
                f"Received inputs with shapes {shape1} and {shape2}."
            )
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                f'Layer "{self.name}": Incompatible input shapes: axis values '
                f"{shape1[axes[0]]} (at axis {axes[0]}) != "
                f"{shape2[axes[1]]} (at axis {axes[1]}). Full input shapes: {shape1}, {shape2}"
            )
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """``shape1`` without its contracted axis, then ``shape2`` without its batch and contracted axes."""
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        axes = [a % len(s) if a < 0 else a for a, s in zip(pair, (shape1, shape2))]
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output = shape1 + shape2
        return tuple(output + [1] if len(output) == 1 else output)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _functional(layer_class: type[Layer]) -> Callable[..., Any]:
    def merge(inputs: Any, **kwargs: Any) -> Any:
        return layer_class(**kwargs)(inputs)

    merge.__doc__ = f"``{layer_class.__name__}(**kwargs)(inputs)``."
    return merge


add = _functional(Add)
multiply = _functional(Multiply)
subtract = _functional(Subtract)
average = _functional(Average)
maximum = _functional(Maximum)
minimum = _functional(Minimum)
concatenate = _functional(Concatenate)


def dot(inputs: Any, axes: int | Sequence[int] = -1, **kwargs: Any) -> Any:
    """``Dot(axes, **kwargs)(inputs)``."""
    return Dot(axes=axes, **kwargs)(inputs)
