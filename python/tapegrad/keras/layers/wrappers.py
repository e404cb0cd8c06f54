"""Layer wrappers: ``Bidirectional`` (a recurrent layer run both ways) and ``TimeDistributed``.

Weight names follow tf.keras 2: ``bidirectional/forward_lstm/lstm_cell/kernel:0`` and
``bidirectional/backward_lstm/...``.
"""

from __future__ import annotations

from typing import Any

import tapegrad

from .base import Layer

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards, merging their outputs.

    ``merge_mode`` is ``"concat"`` (default), ``"sum"``, ``"mul"``, ``"ave"`` or ``None``
    (a list of both outputs). With ``return_sequences`` the backward outputs are reversed
    back into input order before merging, as Keras does. With ``return_state`` the forward
    layer's final states follow the output, then the backward layer's.
    """

    def __init__(self, layer: Any, merge_mode: str | None = "concat", backward_layer: Any = None,
                 **kwargs: Any) -> None:
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        if not isinstance(layer, Layer) or not hasattr(layer, "return_sequences"):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance "
                f"(a recurrent layer). Received: {layer}"
            )
        super().__init__(**kwargs)
        self.merge_mode = merge_mode
        self.forward_layer = layer._clone("forward_" + layer.name, layer.go_backwards)
        if backward_layer is None:
            self.backward_layer = layer._clone("backward_" + layer.name, not layer.go_backwards)
        else:
            if backward_layer.go_backwards == layer.go_backwards:
                raise ValueError(
                    "Forward layer and backward layer should have different `go_backwards` value. "
                    f"Received: forward_layer.go_backwards {layer.go_backwards}, "
                    f"backward_layer.go_backwards={backward_layer.go_backwards}"
                )
            self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def call(  # type: ignore[override]
        self, inputs: Any, mask: Any = None, training: bool | None = None, initial_state: Any = None
    ) -> Any:
        """Both directions, merged; see the class docstring."""
        if mask is None:
            mask = getattr(inputs, "_keras_mask", None)
        f_state = b_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            f_state, b_state = states[:half], states[half:]
        y = self.forward_layer(inputs, mask=mask, training=training, initial_state=f_state)
        y_rev = self.backward_layer(inputs, mask=mask, training=training, initial_state=b_state)
        states: list[Any] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = tapegrad.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output: Any = tapegrad.concat([y, y_rev], axis=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2.0
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if isinstance(output, list):
                return output + states
            return [output, *states]
        return output

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "merge_mode": self.merge_mode}


class TimeDistributed(Layer):
    """Applies a layer to every time step (axis 1) of its inputs: ``(batch, time, ...)``."""

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:  # type: ignore[override]
        """Folds time into the batch, applies the layer, unfolds."""
        shape = tuple(int(d) for d in inputs.shape)
        if len(shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                f"received: {shape}"
            )
        batch, steps = shape[0], shape[1]
        flat = tapegrad.reshape(inputs, (batch * steps, *shape[2:]))
        kwargs = {"training": training} if training is not None else {}
        y = self.layer(flat, **kwargs)
        y_shape = tuple(int(d) for d in y.shape)
        return tapegrad.reshape(y, (batch, steps, *y_shape[1:]))
