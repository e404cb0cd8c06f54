"""``keras.Input`` and ``InputLayer``: where a functional model's symbolic tensors start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from .. import backend
from ..keras_tensor import KerasTensor
from .base import Layer

__all__ = ["Input", "InputLayer"]


def _check_shape(shape: Any, where: str) -> tuple[int | None, ...]:
    if shape is None:
        return ()
    if isinstance(shape, int):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"{where}: `shape` must be a tuple of integers or None, got {shape!r}") from None
    for d in dims:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 0):
            raise ValueError(f"{where}: `shape` must hold non-negative integers or None, got {shape!r}")
    return dims


class InputLayer(Layer):
    """The layer that owns a model input: it has no weights and one output, its ``KerasTensor``.

    ``InputLayer(shape=(3,))`` stands for batches of shape ``(batch, 3)``;
    ``batch_size`` fixes the batch dimension.
    """

    def __init__(
        self,
        shape: Sequence[int | None] | None = None,
        batch_size: int | None = None,
        dtype: Any = None,
        sparse: bool = False,
        batch_shape: Sequence[int | None] | None = None,
        input_tensor: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        # tf.keras 2 spellings.
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        kwargs.pop("ragged", None)
        if name is None:
            name = backend.unique_object_name("input_layer")
        super().__init__(name=name, dtype=dtype, **kwargs)
        if sparse:
            raise NotImplementedError("InputLayer(sparse=True): tapegrad has no sparse tensors")
        if shape is not None and batch_shape is not None:
            raise ValueError(
                "You cannot pass both `shape` and `batch_shape` at the same time. "
                f"Received: shape={shape}, batch_shape={batch_shape}"
            )
        if batch_shape is not None:
            full = _check_shape(batch_shape, "InputLayer")
        else:
            full = (batch_size, *_check_shape(shape, "InputLayer"))
        self._batch_shape = full
        self.sparse = False
        self.built = True
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(
                    f"InputLayer: `input_tensor` must be a KerasTensor, got {type(input_tensor).__name__}"
                )
            output = input_tensor
        else:
            output = KerasTensor(full, dtype=self.dtype, name=name)
        from ..functional import Node

        Node(self, call_args=(), call_kwargs={}, outputs=output)

    @property
    def batch_shape(self) -> tuple[int | None, ...]:
        """The input's shape, batch dimension first."""
        return self._batch_shape

    @property
    def dtype(self) -> Any:
        return tapegrad.float32 if self._dtype is None else tapegrad.as_dtype(self._dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "batch_shape": self._batch_shape,
            "dtype": self.dtype.name,
            "sparse": False,
            "name": self.name,
        }


def Input(  # noqa: N802  (Keras' name)
    shape: Sequence[int | None] | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    sparse: bool | None = None,
    batch_shape: Sequence[int | None] | None = None,
    tensor: Any = None,
    **kwargs: Any,
) -> KerasTensor:
    """A symbolic input of a functional model: ``x = keras.Input(shape=(784,))``.

    ``shape`` excludes the batch dimension (``None`` entries are unknown sizes);
    the result is a :class:`KerasTensor` of shape ``(batch_size, *shape)``.
    """
    if "batch_input_shape" in kwargs:
        batch_shape = kwargs.pop("batch_input_shape")
    kwargs.pop("ragged", None)
    if kwargs:
        raise TypeError(f"Input: keyword argument(s) not understood: {sorted(kwargs)}")
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError("Please provide to Input a `shape` or a `tensor` or a `batch_shape` argument.")
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=bool(sparse),
        batch_shape=batch_shape,
        input_tensor=tensor,
        name=name,
    )
    return layer._inbound_nodes[0].outputs  # type: ignore[no-any-return]
