"""Convolution layers: ``Conv1D``, ``Conv2D``, ``Conv2DTranspose``, ``DepthwiseConv2D``,
``SeparableConv2D``, with Keras 3's defaults, weight names and errors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from ... import _conv_ops
from .. import activations, initializers
from .base import Layer


def normalize_tuple(value: Any, n: int, name: str) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints as an ``n``-tuple (Keras's ``standardize_tuple``)."""
    if isinstance(value, int):
        items: tuple[int, ...] = (value,) * n
    else:
        try:
            items = tuple(int(v) for v in value)
        except TypeError:
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {value!r}"
            ) from None
        if len(items) != n:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value!r}")
    if any(v <= 0 for v in items):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} positive integers. Received: {value!r}"
        )
    return items


def normalize_padding(value: Any, allowed: Sequence[str] = ("valid", "same")) -> str:
    """``padding`` lower-cased, checked against ``allowed``."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be a list/tuple or one of {set(allowed)}. Received: {value}"
        )
    return str(padding)


def normalize_data_format(value: str | None) -> str:
    """``"channels_last"`` (the default) or ``"channels_first"``."""
    fmt = "channels_last" if value is None else str(value).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
            f"Received: {value}"
        )
    return fmt


def conv_output_length(
    length: int | None, kernel: int, padding: str, stride: int, dilation: int
) -> int | None:
    """The output length of a convolution along one dim (Keras's ``compute_conv_output_shape``)."""
    if length is None:
        return None
    eff = (kernel - 1) * dilation + 1
    if padding == "same":
        return (length + stride - 1) // stride
    if padding == "causal":
        return (length + stride - 1) // stride
    return (length - eff) // stride + 1


def deconv_output_length(
    length: int | None, kernel: int, padding: str, output_padding: int | None, stride: int, dilation: int
) -> int | None:
    """The output length of a transposed convolution (Keras's ``deconv_output_length``)."""
    if length is None:
        return None
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(kernel - stride, 0)
        return length * stride
    pad = kernel // 2 if padding == "same" else 0
    return (length - 1) * stride + kernel - 2 * pad + output_padding


def check_rank(layer: Layer, shape: Sequence[Any], rank: int) -> None:
    """Keras's ``InputSpec(min_ndim=rank)`` check, with its message."""
    if len(shape) < rank:
        raise ValueError(
            f"Input 0 of layer '{layer.name}' is incompatible with the layer: expected min_ndim={rank}, "
            f"found ndim={len(shape)}. Full shape received: {tuple(shape)}"
        )


class _Conv(Layer):
    """The shared part of ``Conv1D`` and ``Conv2D``: arguments, weights, config."""

    _rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: activations.ActivationLike = None,
        use_bias: bool = True,
        kernel_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        n = self._rank
        if filters is not None and int(filters) <= 0:
            raise ValueError(
                "Invalid value for argument `filters`. Expected a strictly positive value. "
                f"Received filters={filters}."
            )
        self.filters = int(filters)
        self.groups = int(groups)
        if self.groups <= 0 or self.filters % self.groups != 0:
            raise ValueError(
                f"The number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={groups}, filters={filters}."
            )
        self.kernel_size = normalize_tuple(kernel_size, n, "kernel_size")
        self.strides = normalize_tuple(strides, n, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, n, "dilation_rate")
        allowed = ("valid", "same", "causal") if n == 1 else ("valid", "same")
        self.padding = normalize_padding(padding, allowed)
        self.data_format = normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        for arg, value in (
            ("kernel_regularizer", kernel_regularizer),
            ("bias_regularizer", bias_regularizer),
            ("activity_regularizer", activity_regularizer),
            ("kernel_constraint", kernel_constraint),
            ("bias_constraint", bias_constraint),
        ):
            if value is not None:
                raise NotImplementedError(f"{type(self).__name__}: {arg} is not supported by tapegrad")
        self.kernel: Any = None
        self.bias: Any = None
        self._in_channels: int | None = None

    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def _spatial(self, shape: Sequence[Any]) -> list[Any]:
        return list(shape[1:-1]) if self.data_format == "channels_last" else list(shape[2:])

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The output's shape for ``input_shape`` (``None`` dims stay ``None``)."""
        spatial = [
            conv_output_length(None if d is None else int(d), k, self.padding, s, r)
            for d, k, s, r in zip(
                self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate
            )
        ]
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``kernel_size + (in_channels / groups, filters)`` and ``bias`` ``(filters,)``."""
        check_rank(self, input_shape, self._rank + 2)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the channel dimension must be known")
        channels = int(channels)
        if channels % self.groups != 0:
            raise ValueError(
                f"The number of input channels must be evenly divisible by the number of groups. "
                f"Received groups={self.groups}, but the input has {channels} channels "
                f"(full input shape is {tuple(input_shape)})."
            )
        out = self.compute_output_shape(input_shape)
        spatial = self._spatial(out)
        if any(d is not None and d <= 0 for d in spatial):
            raise ValueError(
                "Computed output size would be zero or negative. "
                f"Received `inputs shape={tuple(input_shape)}`, "
                f"`kernel shape={(*self.kernel_size, channels // self.groups, self.filters)}`, "
                f"`dilation_rate={list(self.dilation_rate)}`, `strides={self.strides}`, "
                f"`padding={self.padding}`."
            )
        self._in_channels = channels
        self.kernel = self.add_weight(
            "kernel",
            (*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer)
        self.built = True

    def _check_input(self, inputs: Any) -> None:
        shape = tuple(inputs.shape)
        check_rank(self, shape, self._rank + 2)
        channels = shape[self._channel_axis()]
        if self._in_channels is not None and int(channels) != self._in_channels:
            axis = self._channel_axis()
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: "
                f"expected axis {axis} of input "
                f"shape to have value {self._in_channels}, but received input with shape {shape}"
            )

    def _finish(self, outputs: Any) -> Any:
        if self.bias is not None:
            fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
            if self._rank == 1:
                fmt = "NWC" if self.data_format == "channels_last" else "NCW"
            outputs = tapegrad.nn.bias_add(outputs, self.bias, data_format=fmt)
        return self.activation(outputs)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }


class Conv2D(_Conv):
    """2-D convolution ``activation(conv2d(inputs, kernel) + bias)``, kernel ``(kh, kw, in / groups, out)``.

    Inputs ``(batch, h, w, channels)`` (``data_format="channels_first"``: ``(batch, channels, h, w)``).
    """

    _rank = 2

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The convolution, plus bias, through the activation."""
        self._check_input(inputs)
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        y = _conv_ops.conv2d(inputs, self.kernel, self.strides, self.padding.upper(), fmt, self.dilation_rate)
        return self._finish(y)


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)``; ``padding="causal"`` pads on the left only."""

    _rank = 1

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The convolution, plus bias, through the activation."""
        self._check_input(inputs)
        fmt = "NWC" if self.data_format == "channels_last" else "NCW"
        padding: Any = self.padding.upper()
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            padding = [[0, 0], [left, 0], [0, 0]] if fmt == "NWC" else [[0, 0], [0, 0], [left, 0]]
        y = _conv_ops.conv1d(inputs, self.kernel, self.strides, padding, fmt, self.dilation_rate)
        return self._finish(y)


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution (the gradient of ``Conv2D``): kernel ``(kh, kw, filters, in_channels)``."""

    _rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, **kwargs)
        self.output_padding = (
            None if output_padding is None else normalize_tuple(output_padding, 2, "output_padding")
        )
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(
                        f"Strides {self.strides} must be greater than output padding {self.output_padding}."
                    )

    def compute_output_shape(self, input_shape: Sequence[Any]) -> tuple[Any, ...]:
        """The output's shape for ``input_shape``."""
        pads = self.output_padding or (None, None)
        spatial = [
            deconv_output_length(None if d is None else int(d), k, self.padding, p, s, r)
            for d, k, p, s, r in zip(
                self._spatial(input_shape), self.kernel_size, pads, self.strides, self.dilation_rate
            )
        ]
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(kh, kw, filters, in_channels)`` and ``bias`` ``(filters,)``."""
        check_rank(self, input_shape, 4)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"Conv2DTranspose {self.name!r}: the channel dimension must be known")
        self._in_channels = int(channels)
        self.kernel = self.add_weight(
            "kernel",
            (*self.kernel_size, self.filters, self._in_channels),
            initializer=self.kernel_initializer,
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer)
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The transposed convolution, plus bias, through the activation."""
        self._check_input(inputs)
        out = self.compute_output_shape(tuple(int(d) for d in inputs.shape))
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        # Keras's TF backend: output_padding only changes the output shape; SAME/VALID
        # padding is resolved against that shape, as tf.nn.conv_transpose does.
        padding = self.padding.upper()
        y = _conv_ops.conv2d_transpose(
            inputs, self.kernel, out, self.strides, padding, fmt, self.dilation_rate
        )
        return self._finish(y)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("groups", None)
        return {**config, "output_padding": self.output_padding}


class DepthwiseConv2D(_Conv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (kernel ``(kh, kw, in, m)``)."""

    _rank = 2

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: activations.ActivationLike = None,
        use_bias: bool = True,
        depthwise_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            1,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        if int(depth_multiplier) <= 0:
            raise ValueError(f"Invalid value for argument `depth_multiplier`. Received: {depth_multiplier}")
        self.depth_multiplier = int(depth_multiplier)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(kh, kw, in_channels, multiplier)`` and ``bias`` ``(in · multiplier,)``."""
        check_rank(self, input_shape, 4)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"DepthwiseConv2D {self.name!r}: the channel dimension must be known")
        self._in_channels = int(channels)
        self.filters = self._in_channels * self.depth_multiplier
        self.kernel = self.add_weight(
            "kernel",
            (*self.kernel_size, self._in_channels, self.depth_multiplier),
            initializer=self.kernel_initializer,
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer)
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The depthwise convolution, plus bias, through the activation."""
        self._check_input(inputs)
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        y = _conv_ops.depthwise_conv2d(
            inputs, self.kernel, self.strides, self.padding.upper(), fmt, self.dilation_rate
        )
        return self._finish(y)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("filters", "groups"):
            config.pop(key, None)
        return {**config, "depth_multiplier": self.depth_multiplier}


class SeparableConv2D(_Conv):
    """A depthwise convolution then a 1x1 convolution to ``filters`` channels."""

    _rank = 2

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: activations.ActivationLike = None,
        use_bias: bool = True,
        depthwise_initializer: initializers.InitializerLike = "glorot_uniform",
        pointwise_initializer: initializers.InitializerLike = "glorot_uniform",
        bias_initializer: initializers.InitializerLike = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_kernel: Any = None
        self.pointwise_kernel: Any = None

    def build(self, input_shape: Any) -> None:
        """Create ``depthwise_kernel``, ``pointwise_kernel`` ``(1, 1, in · m, filters)`` and ``bias``."""
        check_rank(self, input_shape, 4)
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(f"SeparableConv2D {self.name!r}: the channel dimension must be known")
        self._in_channels = int(channels)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel",
            (*self.kernel_size, self._in_channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
        )
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel",
            (1, 1, self._in_channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
        )
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer)
        self.built = True

    def call(self, inputs: Any) -> Any:  # type: ignore[override]
        """The separable convolution, plus bias, through the activation."""
        self._check_input(inputs)
        fmt = "NHWC" if self.data_format == "channels_last" else "NCHW"
        y = _conv_ops.separable_conv2d(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            self.strides,
            self.padding.upper(),
            fmt,
            self.dilation_rate,
        )
        return self._finish(y)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("groups", None)
        return {**config, "depth_multiplier": self.depth_multiplier}


__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"]
