"""``tf.nn`` convolutions and pooling: argument handling over the NHWC core ops.

TF's forms of ``strides``/``dilations`` (an int, or a list of 1, N or N+2 ints), ``padding``
(``"SAME"``, ``"VALID"`` or an explicit list of pairs) and ``data_format`` (channels last or
first) are normalised here; the core runs 2-D NHWC kernels only. Channels-first inputs are
transposed around the op and 1-D ops insert a height of 1, both recorded (differentiable), as
TF's own ``conv1d`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _core
from ._core import Tensor

_PAIR = tuple[int, int]


def _tensor(x: Any, dtype: Any = None) -> Any:
    if _core.is_tensor(x) or isinstance(x, _core.Variable):
        return x
    return _core.convert_to_tensor(x, dtype=dtype)


def _dims(op: str, value: Any, n: int, name: str, channels_last: bool = True) -> tuple[int, ...]:
    """``value`` (an int or a list of 1, n or n+2 ints) as n spatial ints (TF's ``_get_sequence``)."""
    if value is None:
        return (1,) * n
    if isinstance(value, int) or (hasattr(value, "__index__") and not isinstance(value, (list, tuple))):
        return (int(value),) * n
    items = [int(v) for v in value]
    if len(items) == 1:
        return (items[0],) * n
    if len(items) == n:
        return tuple(items)
    if len(items) == n + 2:
        return tuple(items[1:-1]) if channels_last else tuple(items[2:])
    raise ValueError(f"{op}: {name} should be of length 1, {n} or {n + 2}. Received: {name}={value!r}")


def _padding(op: str, padding: Any, n: int, channels_last: bool = True) -> tuple[str, list[_PAIR] | None]:
    """``(mode, explicit pairs)`` from TF's ``padding`` argument."""
    if isinstance(padding, str):
        mode = padding.upper()
        if mode not in ("SAME", "VALID"):
            raise ValueError(f"{op}: padding must be 'SAME', 'VALID' or a list of pairs, got {padding!r}")
        return mode, None
    try:
        pairs = [(int(p[0]), int(p[1])) for p in padding]
    except (TypeError, IndexError, ValueError):
        raise ValueError(
            f"{op}: padding must be 'SAME', 'VALID' or a list of pairs, got {padding!r}"
        ) from None
    if len(pairs) != n + 2:
        raise ValueError(f"{op}: explicit padding needs {n + 2} (before, after) pairs, got {padding!r}")
    outer = [pairs[0], pairs[-1]] if channels_last else pairs[:2]
    spatial = pairs[1:-1] if channels_last else pairs[2:]
    if any(p != (0, 0) for p in outer):
        raise ValueError(f"{op}: explicit padding of the batch and channel dims must be 0, got {padding!r}")
    if any(a < 0 or b < 0 for a, b in spatial):
        raise ValueError(f"{op}: explicit padding must be non-negative, got {padding!r}")
    return "EXPLICIT", spatial


def _channels_last(op: str, data_format: str | None, n: int) -> bool:
    if data_format is None:
        return True
    fmt = data_format.upper()
    if fmt in ("NHWC", "NWC", "NDHWC", "CHANNELS_LAST"):
        return True
    if fmt in ("NCHW", "NCW", "NCDHW", "CHANNELS_FIRST"):
        return False
    raise ValueError(f"{op}: data_format must be NHWC or NCHW (NWC or NCW in 1-D), got {data_format!r}")


def _to_nhwc(x: Any) -> Any:
    return _core.transpose(x, [0, 2, 3, 1])


def _to_nchw(x: Any) -> Any:
    return _core.transpose(x, [0, 3, 1, 2])


def _check_rank(op: str, x: Any, rank: int, what: str = "input") -> None:
    if len(x.shape) != rank:
        raise ValueError(
            f"{op}: {what} must be {rank}-dimensional, got shape {tuple(x.shape)} (rank {len(x.shape)})"
        )


def conv2d(
    input: Any,
    filters: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """2-D convolution of ``input`` ``[n, h, w, c]`` by ``filters`` ``[kh, kw, c / groups, out]``.

    ``data_format="NCHW"`` takes and returns channels-first tensors. Grouped when ``c`` is a
    multiple of the filter's input depth, as TF.

    Raises:
        InvalidArgumentError: mismatched channels, a window that does not fit, a bad shape.
        ValueError: a bad ``padding``, ``strides`` or ``data_format`` argument.
    """
    op = "conv2d"
    last = _channels_last(op, data_format, 2)
    x = _tensor(input)
    f = _tensor(filters, x.dtype)
    _check_rank(op, x, 4)
    _check_rank(op, f, 4, "filters")
    s = _dims(op, strides, 2, "strides", last)
    d = _dims(op, dilations, 2, "dilations", last)
    mode, explicit = _padding(op, padding, 2, last)
    if not last:
        x = _to_nhwc(x)
    y = _core.conv2d_nhwc(x, f, s, d, mode, explicit)
    return y if last else _to_nchw(y)


def conv2d_transpose(
    input: Any,
    filters: Any,
    output_shape: Any,
    strides: Any,
    padding: Any = "SAME",
    data_format: str = "NHWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """The transpose (gradient) of ``conv2d``: ``filters`` ``[kh, kw, out, in]``, output ``output_shape``.

    Raises:
        InvalidArgumentError: ``input``'s shape is not what ``conv2d`` of ``output_shape`` gives.
    """
    op = "conv2d_transpose"
    last = _channels_last(op, data_format, 2)
    x = _tensor(input)
    f = _tensor(filters, x.dtype)
    _check_rank(op, x, 4)
    _check_rank(op, f, 4, "filters")
    shape = [int(v) for v in (output_shape.numpy() if hasattr(output_shape, "numpy") else output_shape)]
    if len(shape) != 4:
        raise ValueError(f"{op}: output_shape must have 4 elements, got {output_shape!r}")
    s = _dims(op, strides, 2, "strides", last)
    d = _dims(op, dilations, 2, "dilations", last)
    mode, explicit = _padding(op, padding, 2, last)
    if not last:
        x = _to_nhwc(x)
        shape = [shape[0], shape[2], shape[3], shape[1]]
    y = _core.conv2d_backprop_input_nhwc(shape, f, x, s, d, mode, explicit)
    return y if last else _to_nchw(y)


def conv1d(
    input: Any,
    filters: Any,
    stride: Any,
    padding: Any,
    data_format: str = "NWC",
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """1-D convolution of ``input`` ``[n, w, c]`` by ``filters`` ``[kw, c, out]`` (a 2-D one of height 1)."""
    op = "conv1d"
    last = _channels_last(op, data_format, 1)
    x = _tensor(input)
    f = _tensor(filters, x.dtype)
    _check_rank(op, x, 3)
    _check_rank(op, f, 3, "filters")
    s = _dims(op, stride, 1, "stride", last)
    d = _dims(op, dilations, 1, "dilations", last)
    mode, explicit = _padding(op, padding, 1, last)
    if not last:
        x = _core.transpose(x, [0, 2, 1])
    x4 = _core.expand_dims(x, 1)
    f4 = _core.expand_dims(f, 0)
    pads = None if explicit is None else [(0, 0), explicit[0]]
    y = _core.conv2d_nhwc(x4, f4, (1, s[0]), (1, d[0]), mode, pads)
    y = _core.squeeze(y, [1])
    return y if last else _core.transpose(y, [0, 2, 1])


def convolution(
    input: Any,
    filters: Any,
    strides: Any = None,
    padding: Any = "VALID",
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """``conv1d`` or ``conv2d`` by the rank of ``input`` (3 or 4)."""
    x = _tensor(input)
    rank = len(x.shape)
    if rank == 3:
        return conv1d(
            x, filters, strides if strides is not None else 1, padding, data_format or "NWC", dilations
        )
    if rank == 4:
        return conv2d(
            x, filters, strides if strides is not None else 1, padding, data_format or "NHWC", dilations
        )
    raise ValueError(
        f"convolution: input must be 3- or 4-dimensional (1-D or 2-D), got shape {tuple(x.shape)}"
    )


def depthwise_conv2d(
    input: Any,
    filter: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """Each input channel convolved with its own ``filter[:, :, c, :]`` (``[kh, kw, c, multiplier]``).

    Output channel ``c * multiplier + m``; computed as a grouped convolution with ``c`` groups.
    """
    op = "depthwise_conv2d"
    last = _channels_last(op, data_format, 2)
    x = _tensor(input)
    f = _tensor(filter, x.dtype)
    _check_rank(op, x, 4)
    _check_rank(op, f, 4, "filter")
    channels = int(x.shape[3] if last else x.shape[1])
    kh, kw, fc, mult = (int(v) for v in f.shape)
    if fc != channels:
        raise _core.InvalidArgumentError(
            f"{op}: input depth {channels} does not match the filter's depth {fc} "
            f"(input shape {tuple(x.shape)}, filter shape {tuple(f.shape)})"
        )
    grouped = _core.reshape(f, [kh, kw, 1, fc * mult])
    return conv2d(x, grouped, strides, padding, "NHWC" if last else "NCHW", dilations)


def separable_conv2d(
    input: Any,
    depthwise_filter: Any,
    pointwise_filter: Any,
    strides: Any,
    padding: Any,
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """A depthwise convolution followed by a 1x1 ``pointwise_filter`` ``[1, 1, c * m, out]``."""
    fmt = "NHWC" if _channels_last("separable_conv2d", data_format, 2) else "NCHW"
    depth = depthwise_conv2d(input, depthwise_filter, strides, padding, fmt, dilations)
    return conv2d(depth, pointwise_filter, 1, "VALID", fmt)


def _pool2d(kind: str, input: Any, ksize: Any, strides: Any, padding: Any, data_format: str | None) -> Tensor:
    op = f"{kind}_pool2d"
    last = _channels_last(op, data_format, 2)
    x = _tensor(input)
    _check_rank(op, x, 4)
    k = _dims(op, ksize, 2, "ksize", last)
    s = _dims(op, strides, 2, "strides", last)
    if kind == "avg" and not isinstance(padding, str):
        raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
    mode, explicit = _padding(op, padding, 2, last)
    if not last:
        x = _to_nhwc(x)
    if kind == "max":
        y = _core.max_pool2d_nhwc(x, k, s, mode, explicit)
    else:
        y = _core.avg_pool2d_nhwc(x, k, s, mode)
    return y if last else _to_nchw(y)


def _pool1d(kind: str, input: Any, ksize: Any, strides: Any, padding: Any, data_format: str | None) -> Tensor:
    op = f"{kind}_pool1d"
    last = _channels_last(op, data_format, 1)
    x = _tensor(input)
    _check_rank(op, x, 3)
    k = _dims(op, ksize, 1, "ksize", last)
    s = _dims(op, strides, 1, "strides", last)
    if not isinstance(padding, str):
        mode, explicit = _padding(op, padding, 1, last)
        padding = [(0, 0), (0, 0), explicit[0] if explicit else (0, 0), (0, 0)]
    if not last:
        x = _core.transpose(x, [0, 2, 1])
    y = _pool2d(kind, _core.expand_dims(x, 1), (1, k[0]), (1, s[0]), padding, "NHWC")
    y = _core.squeeze(y, [1])
    return y if last else _core.transpose(y, [0, 2, 1])


def max_pool2d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC", name: str | None = None
) -> Tensor:
    """Max over each ``ksize`` window of ``input`` ``[n, h, w, c]`` (padding never wins)."""
    return _pool2d("max", input, ksize, strides, padding, data_format)


def avg_pool2d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NHWC", name: str | None = None
) -> Tensor:
    """Mean over each ``ksize`` window of ``input`` ``[n, h, w, c]``; padding is not counted."""
    return _pool2d("avg", input, ksize, strides, padding, data_format)


def max_pool1d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC", name: str | None = None
) -> Tensor:
    """Max over each window of ``input`` ``[n, w, c]``."""
    return _pool1d("max", input, ksize, strides, padding, data_format)


def avg_pool1d(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: str = "NWC", name: str | None = None
) -> Tensor:
    """Mean over each window of ``input`` ``[n, w, c]``."""
    return _pool1d("avg", input, ksize, strides, padding, data_format)


def _pool_nd(kind: str, input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any) -> Tensor:
    x = _tensor(input)
    rank = len(x.shape)
    if rank == 3:
        return _pool1d(kind, x, ksize, strides, padding, data_format)
    if rank == 4:
        return _pool2d(kind, x, ksize, strides, padding, data_format)
    raise ValueError(f"{kind}_pool: input must be 3- or 4-dimensional, got shape {tuple(x.shape)}")


def max_pool(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any = None, name: str | None = None
) -> Tensor:
    """``max_pool1d`` or ``max_pool2d`` by the rank of ``input``."""
    return _pool_nd("max", input, ksize, strides, padding, data_format)


def avg_pool(
    input: Any, ksize: Any, strides: Any, padding: Any, data_format: Any = None, name: str | None = None
) -> Tensor:
    """``avg_pool1d`` or ``avg_pool2d`` by the rank of ``input``."""
    return _pool_nd("avg", input, ksize, strides, padding, data_format)


def pool(
    input: Any,
    window_shape: Sequence[int],
    pooling_type: str,
    strides: Any = None,
    padding: str = "VALID",
    data_format: str | None = None,
    dilations: Any = None,
    name: str | None = None,
) -> Tensor:
    """``"MAX"`` or ``"AVG"`` pooling with ``window_shape`` over 1 or 2 spatial dims."""
    kind = {"MAX": "max", "AVG": "avg"}.get(str(pooling_type).upper())
    if kind is None:
        raise ValueError(f"pool: pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    if dilations is not None and any(
        int(v) != 1 for v in (dilations if isinstance(dilations, Sequence) else [dilations])
    ):
        raise NotImplementedError("pool: dilated pooling is not supported by tapegrad")
    window = list(window_shape)
    return _pool_nd(kind, input, window, strides if strides is not None else 1, padding, data_format)


__all__ = [
    "avg_pool",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv2d_transpose",
    "convolution",
    "depthwise_conv2d",
    "max_pool",
    "max_pool1d",
    "max_pool2d",
    "pool",
    "separable_conv2d",
]
