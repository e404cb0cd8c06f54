"""Recurrent Keras layers: ``SimpleRNN``, ``LSTM``, ``GRU``, their cells, and the generic ``RNN(cell)``.

Two ways to run a sequence:

* **fused** (the default whenever it applies): the input projection of every
  step is one matrix product, then the whole time loop runs in Rust as one
  recorded op (``_core.recurrent_sequence``) with a fused backward pass. It
  applies to ``SimpleRNNCell``/``LSTMCell``/``GRUCell`` with Keras' default
  activations (``tanh`` / ``sigmoid``) and no ``recurrent_dropout`` while
  training (input ``dropout`` is applied to the inputs before the projection,
  as Keras' cells do: one mask for all steps).
* **step by step** (any other cell, activation or ``recurrent_dropout``): the
  cell's ``call`` for each step with ordinary ops, Keras' ``backend.rnn`` loop.

Masking follows Keras: at a masked step the state is carried unchanged and the
output repeats the previous one. The mask comes from ``call(..., mask=m)`` or
from ``inputs._keras_mask`` (set by mask-producing layers such as
``Embedding(mask_zero=True)``).

Weights are named as in tf.keras 2: ``lstm/lstm_cell/kernel:0``,
``lstm/lstm_cell/recurrent_kernel:0``, ``lstm/lstm_cell/bias:0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tapegrad

from ... import _core
from .. import activations, initializers
from .base import Layer

_Shape = Sequence[Any]


def _float_mask(mask: Any, dtype: Any) -> Any:
    """A ``[batch, time]`` mask as 0/1 floats of ``dtype``."""
    mask = tapegrad.convert_to_tensor(mask)
    if mask.dtype != tapegrad.bool:
        mask = tapegrad.not_equal(mask, tapegrad.zeros_like(mask))
    return tapegrad.cast(mask, dtype)


def _dropout_mask(shape: Sequence[int], rate: float, dtype: Any) -> Any:
    """Inverted-dropout multipliers: 0 with probability ``rate``, else ``1 / (1 - rate)``."""
    noise = tapegrad.random.uniform(tuple(shape), dtype=dtype)
    return tapegrad.cast(noise >= rate, dtype) * (1.0 / (1.0 - rate))


class _Cell(Layer):
    """Shared construction of the three Keras cells (kernel, recurrent kernel, bias, dropout)."""

    _gates = 1
    _fused_name = ""

    def __init__(
        self,
        units: int,
        activation: activations.ActivationLike = "tanh",
        recurrent_activation: activations.ActivationLike = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: initializers.InitializerLike = "glorot_uniform",
        recurrent_initializer: initializers.InitializerLike = "orthogonal",
        bias_initializer: initializers.InitializerLike = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs: Any,
    ) -> None:
        for key in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint", "implementation"):
            kwargs.pop(key, None)
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units`, expected a positive integer, got {units}."
            )
        self.units = int(units)
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.kernel: Any = None
        self.recurrent_kernel: Any = None
        self.bias: Any = None

    @property
    def state_size(self) -> Any:
        """Sizes of the states carried between steps."""
        return self.units

    @property
    def output_size(self) -> int:
        """Size of one step's output."""
        return self.units

    def _bias_shape(self) -> tuple[int, ...]:
        return (self._gates * self.units,)

    def _bias_initial_value(self, shape: tuple[int, ...], dtype: Any) -> Any:
        init = self.bias_initializer or initializers.Zeros()
        return init(shape, dtype=dtype)

    def build(self, input_shape: Any) -> None:
        """Create ``kernel`` ``(input_dim, G*units)``, ``recurrent_kernel`` ``(units, G*units)``, ``bias``."""
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"{type(self).__name__}: the last dimension of the inputs must be known")
        gh = self._gates * self.units
        self.kernel = self.add_weight("kernel", (int(input_dim), gh), initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, gh), initializer=self.recurrent_initializer
        )
        if self.use_bias:
            shape = self._bias_shape()
            self.bias = self.add_weight(
                "bias", shape, initializer=lambda s, dtype=None: self._bias_initial_value(tuple(s), dtype)
            )
        self.built = True

    def get_initial_state(
        self, inputs: Any = None, batch_size: int | None = None, dtype: Any = None
    ) -> list[Any]:
        """Zero states for a batch."""
        if batch_size is None:
            batch_size = int(inputs.shape[0])
        dtype = dtype or self.dtype
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        return [tapegrad.zeros((batch_size, int(s)), dtype=dtype) for s in sizes]

    def _default_activations(self) -> bool:
        return self.activation is activations.tanh and self.recurrent_activation is activations.sigmoid

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
        }


class SimpleRNNCell(_Cell):
    """``h = activation(x @ kernel + h₋₁ @ recurrent_kernel + bias)``."""

    def __init__(self, units: int, activation: activations.ActivationLike = "tanh", **kwargs: Any) -> None:
        super().__init__(units, activation=activation, **kwargs)

    def _default_activations(self) -> bool:
        return self.activation is activations.tanh

    def call(  # type: ignore[override]
        self, inputs: Any, states: Any, training: bool | None = None
    ) -> tuple[Any, list[Any]]:
        """One step: ``(h, [h])``."""
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        z = tapegrad.matmul(inputs, self.kernel)
        if self.bias is not None:
            z = z + self.bias
        h = self.activation(z + tapegrad.matmul(h_prev, self.recurrent_kernel))
        return h, [h]


class LSTMCell(_Cell):
    """Keras' LSTM cell: gates ``i, f, c, o`` in the kernels' columns, states ``[h, c]``."""

    _gates = 4

    def __init__(self, units: int, unit_forget_bias: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> Any:
        return [self.units, self.units]

    def _bias_initial_value(self, shape: tuple[int, ...], dtype: Any) -> Any:
        value = super()._bias_initial_value(shape, dtype)
        if not self.unit_forget_bias:
            return value
        n = self.units
        # Keras: the forget gate's bias starts at one.
        return tapegrad.concat(
            [value[:n], tapegrad.ones((n,), dtype=value.dtype), value[2 * n:]], axis=0
        )

    def call(  # type: ignore[override]
        self, inputs: Any, states: Any, training: bool | None = None
    ) -> tuple[Any, list[Any]]:
        """One step: ``(h, [h, c])``."""
        h_prev, c_prev = states[0], states[1]
        z = tapegrad.matmul(inputs, self.kernel) + tapegrad.matmul(h_prev, self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        n = self.units
        i = self.recurrent_activation(z[:, :n])
        f = self.recurrent_activation(z[:, n:2 * n])
        g = self.activation(z[:, 2 * n:3 * n])
        o = self.recurrent_activation(z[:, 3 * n:])
        c = f * c_prev + i * g
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """Keras' GRU cell: gates ``z, r, h``; ``reset_after`` (default) applies the reset gate after the
    recurrent product and keeps a separate recurrent bias (``bias`` is ``(2, 3*units)``)."""

    _gates = 3

    def __init__(self, units: int, reset_after: bool = True, **kwargs: Any) -> None:
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self) -> tuple[int, ...]:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(  # type: ignore[override]
        self, inputs: Any, states: Any, training: bool | None = None
    ) -> tuple[Any, list[Any]]:
        """One step: ``(h, [h])``."""
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        n = self.units
        x = tapegrad.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = x + (self.bias[0] if self.reset_after else self.bias)
        if self.reset_after:
            rec = tapegrad.matmul(h_prev, self.recurrent_kernel)
            if self.bias is not None:
                rec = rec + self.bias[1]
            z = self.recurrent_activation(x[:, :n] + rec[:, :n])
            r = self.recurrent_activation(x[:, n:2 * n] + rec[:, n:2 * n])
            hh = self.activation(x[:, 2 * n:] + r * rec[:, 2 * n:])
        else:
            rec = tapegrad.matmul(h_prev, self.recurrent_kernel[:, :2 * n])
            z = self.recurrent_activation(x[:, :n] + rec[:, :n])
            r = self.recurrent_activation(x[:, n:2 * n] + rec[:, n:])
            hh = self.activation(x[:, 2 * n:] + tapegrad.matmul(r * h_prev, self.recurrent_kernel[:, 2 * n:]))
        h = z * h_prev + (1.0 - z) * hh
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "reset_after": self.reset_after}


class RNN(Layer):
    """Runs a cell over the time axis of ``(batch, time, features)`` inputs (Keras' ``RNN``).

    ``return_sequences`` returns every step's output (else the last), ``return_state``
    appends the final states, ``go_backwards`` reads the sequence from the end (and returns
    the outputs in that order, as Keras does). ``call(inputs, mask=None, training=None,
    initial_state=None)``.
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        time_major: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if stateful:
            raise NotImplementedError(f"{type(self).__name__}: stateful=True is not supported")
        if time_major:
            raise NotImplementedError(f"{type(self).__name__}: time_major=True is not supported")
        if isinstance(cell, (list, tuple)):
            raise NotImplementedError("RNN: a list of cells (StackedRNNCells) is not supported")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)

    # ---------------------------------------------------------------- weights
    def build(self, input_shape: Any) -> None:
        """Build the cell from one step's input shape ``(batch, features)``."""
        shape = tuple(input_shape)
        if len(shape) != 3:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim=3, "
                f"found ndim={len(shape)}. Full shape received: {shape}"
            )
        if not self.cell.built:
            with self.cell._name_scope:
                self.cell.build((shape[0], shape[2]))
            self.cell.built = True
        self.built = True

    @property
    def states_count(self) -> int:
        size = getattr(self.cell, "state_size", None)
        return len(size) if isinstance(size, (list, tuple)) else 1

    # ---------------------------------------------------------------- calling
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("mask") is None and not args:
            # A mask-producing layer may have attached one to its output.
            mask = getattr(inputs, "_keras_mask", None)
            if mask is not None:
                kwargs["mask"] = mask
        return super().__call__(inputs, *args, **kwargs)

    def call(  # type: ignore[override]
        self,
        inputs: Any,
        mask: Any = None,
        training: bool | None = None,
        initial_state: Any = None,
    ) -> Any:
        """Run the sequence; see the class docstring for what is returned."""
        if len(inputs.shape) != 3:
            raise ValueError(
                f"Input 0 of layer \"{self.name}\" is incompatible with the layer: expected ndim=3, "
                f"found ndim={len(inputs.shape)}. Full shape received: {tuple(inputs.shape)}"
            )
        batch, steps = int(inputs.shape[0]), int(inputs.shape[1])
        if steps == 0:
            raise ValueError(f"{self.name}: the inputs have no time steps: shape {tuple(inputs.shape)}")
        states = self._initial_states(inputs, initial_state, batch)
        fmask = None if mask is None else _float_mask(mask, inputs.dtype)
        if fmask is not None and tuple(fmask.shape) != (batch, steps):
            raise ValueError(
                f"{self.name}: the mask must be (batch, time) = {(batch, steps)}, got {tuple(fmask.shape)}"
            )
        if self._can_fuse(training):
            outputs, last, final = self._run_fused(inputs, states, fmask, training)
            if fmask is not None and initial_state is not None:
                # Keras repeats the previous *output* at a masked step, zeros before the first
                # step taken, while the state carries the (here non-zero) initial state.
                order = tapegrad.reverse(fmask, [1]) if self.go_backwards else fmask
                seen = tapegrad.cast(tapegrad.cumsum(order, axis=1) > 0.0, inputs.dtype)
                outputs = outputs * tapegrad.expand_dims(seen, -1)
                last = outputs[:, -1]
        else:
            outputs, last, final = self._run_steps(inputs, states, fmask, training)
        if self.zero_output_for_mask and fmask is not None and self.return_sequences:
            order = tapegrad.reverse(fmask, [1]) if self.go_backwards else fmask
            outputs = outputs * tapegrad.expand_dims(order, -1)
        result = outputs if self.return_sequences else last
        if self.return_state:
            return [result, *final]
        return result

    def _initial_states(self, inputs: Any, initial_state: Any, batch: int) -> list[Any]:
        if initial_state is None:
            getter = getattr(self.cell, "get_initial_state", None)
            if getter is not None:
                return list(getter(inputs=inputs, batch_size=batch, dtype=inputs.dtype))
            sizes = self.cell.state_size
            sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
            return [tapegrad.zeros((batch, int(s)), dtype=inputs.dtype) for s in sizes]
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self.states_count:
            raise ValueError(
                f"Layer {self.name} expects {self.states_count} state(s), but it received "
                f"{len(states)} initial state(s)."
            )
        return [tapegrad.cast(tapegrad.convert_to_tensor(s), inputs.dtype) for s in states]

    def _can_fuse(self, training: bool | None) -> bool:
        cell = self.cell
        if type(cell) not in (SimpleRNNCell, LSTMCell, GRUCell) or not cell._default_activations():
            return False
        return not (training and 0.0 < cell.recurrent_dropout < 1.0)

    def _run_fused(
        self, inputs: Any, states: list[Any], fmask: Any, training: bool | None
    ) -> tuple[Any, Any, list[Any]]:
        cell = self.cell
        n = cell.units
        batch, steps, features = (int(d) for d in inputs.shape)
        if training and 0.0 < cell.dropout < 1.0:
            keep = _dropout_mask((batch, 1, features), cell.dropout, inputs.dtype)
            inputs = inputs * keep
        flat = tapegrad.reshape(inputs, (batch * steps, features))
        xp = tapegrad.matmul(flat, cell.kernel)
        recurrent_bias = None
        if cell.bias is not None:
            if isinstance(cell, GRUCell) and cell.reset_after:
                xp = xp + cell.bias[0]
                recurrent_bias = cell.bias[1]
            else:
                xp = xp + cell.bias
        elif isinstance(cell, GRUCell) and cell.reset_after:
            recurrent_bias = tapegrad.zeros((3 * n,), dtype=inputs.dtype)
        xp = tapegrad.reshape(xp, (batch, steps, cell._gates * n))
        kind = {SimpleRNNCell: "simple_rnn", LSTMCell: "lstm", GRUCell: "gru"}[type(cell)]
        packed = _core.recurrent_sequence(
            kind,
            xp,
            cell.recurrent_kernel,
            states[0],
            initial_c=states[1] if kind == "lstm" else None,
            recurrent_bias=recurrent_bias,
            mask=fmask,
            go_backwards=self.go_backwards,
            reset_after=bool(getattr(cell, "reset_after", True)),
        )
        outputs = packed[:, :, :n]
        last = packed[:, -1, :n]
        final = [last, packed[:, -1, n:2 * n]] if kind == "lstm" else [last]
        return outputs, last, final

    def _run_steps(
        self, inputs: Any, states: list[Any], fmask: Any, training: bool | None
    ) -> tuple[Any, Any, list[Any]]:
        cell = self.cell
        batch, steps, features = (int(d) for d in inputs.shape)
        dropout = float(getattr(cell, "dropout", 0.0) or 0.0)
        rec_dropout = float(getattr(cell, "recurrent_dropout", 0.0) or 0.0)
        in_keep = None
        if training and 0 < dropout < 1:
            in_keep = _dropout_mask((batch, features), dropout, inputs.dtype)
        rec_keep = None
        if training and 0 < rec_dropout < 1:
            rec_keep = _dropout_mask((batch, int(states[0].shape[-1])), rec_dropout, inputs.dtype)
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs: list[Any] = []
        prev_output: Any = None
        kwargs = {"training": training} if _takes_training(cell) else {}
        for t in order:
            x_t = inputs[:, t]
            if in_keep is not None:
                x_t = x_t * in_keep
            step_states = list(states)
            if rec_keep is not None:
                step_states[0] = step_states[0] * rec_keep
            out, new_states = cell.call(x_t, step_states if len(step_states) > 1 else step_states, **kwargs)
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            if fmask is not None:
                m = fmask[:, t:t + 1]
                if prev_output is None:
                    prev_output = tapegrad.zeros_like(out)
                out = m * out + (1.0 - m) * prev_output
                new_states = [m * s_new + (1.0 - m) * s_old for s_new, s_old in zip(new_states, states)]
            states = new_states
            prev_output = out
            outputs.append(out)
        return tapegrad.stack(outputs, axis=1), outputs[-1], states

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
        }


def _takes_training(cell: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return False
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


_RNN_KWARGS = frozenset({
    "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "time_major",
    "zero_output_for_mask", "name", "trainable", "dtype", "input_shape", "batch_input_shape",
    "input_dim", "autocast",
})


class _FusedRNN(RNN):
    """A Keras recurrent layer that owns its cell (``SimpleRNN``, ``LSTM``, ``GRU``)."""

    _cell_class: Any = SimpleRNNCell
    _cell_name = ""

    def __init__(self, units: int, **kwargs: Any) -> None:
        self._ctor_kwargs = {"units": units, **kwargs}
        layer_kwargs = {k: v for k, v in kwargs.items() if k in _RNN_KWARGS}
        cell_kwargs = {k: v for k, v in kwargs.items() if k not in _RNN_KWARGS}
        cell = self._cell_class(units, name=self._cell_name, dtype=kwargs.get("dtype"), **cell_kwargs)
        super().__init__(cell, **layer_kwargs)

    @property
    def units(self) -> int:
        """Number of units of the cell."""
        return int(self.cell.units)

    def _clone(self, name: str, go_backwards: bool) -> _FusedRNN:
        """A new, unbuilt layer with the same arguments (used by ``Bidirectional``)."""
        kwargs = {**self._ctor_kwargs, "name": name, "go_backwards": go_backwards}
        return type(self)(**kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**self.cell.get_config(), **super().get_config()}


class SimpleRNN(_FusedRNN):
    """A fully connected RNN: ``h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``."""

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"


class LSTM(_FusedRNN):
    """Long short-term memory (Keras' LSTM: sigmoid gates, ``unit_forget_bias``); states ``[h, c]``."""

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"


class GRU(_FusedRNN):
    """Gated recurrent unit (Keras' GRU; ``reset_after=True`` by default); state ``[h]``."""

    _cell_class = GRUCell
    _cell_name = "gru_cell"
