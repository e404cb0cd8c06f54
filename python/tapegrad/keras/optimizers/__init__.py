"""Keras optimizers: ``SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` (Keras 3 update rules).

Every update is composed from tapegrad ops and variable assignments, following
TF 2.21's Keras 3 formulas step for step (including the float32 rounding order),
so a custom training loop gives TensorFlow's numbers:

>>> import tapegrad as tf
>>> w = tf.Variable([1.0, 2.0])
>>> opt = tf.keras.optimizers.SGD(learning_rate=0.1)
>>> _ = opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
>>> w.numpy().tolist()  # doctest: +SKIP
[0.9, 1.9]

Slot variables (momentums, velocities, ...) are created lazily the first time a
variable receives a gradient, and are keyed by the variable object itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Callable, Union

import tapegrad

from .. import backend
from . import schedules
from ._sparse import cast_gradient, densify, map_slices, map_values, squared_norm_terms
from .schedules import LearningRateSchedule

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]

LearningRateLike = Union[float, LearningRateSchedule, Callable[[], Any]]

# Keras 3 arguments tapegrad does not implement: accepted at their defaults only,
# so configs round-trip, and refused loudly otherwise.
_UNSUPPORTED_DEFAULTS: dict[str, Any] = {
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


def _sanitized_name(variable: Any) -> str:
    """``"dense/kernel:0"`` -> ``"dense_kernel_0"``, the prefix Keras gives slot variables."""
    return str(variable.name).replace("/", "_").replace(":", "_")


def _check_clip_args(clipnorm: Any, clipvalue: Any, global_clipnorm: Any) -> None:
    if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
            f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
        )


def _clip_by_norm(grad: Any, clip_norm: float) -> Any:
    """``grad * clip_norm / max(||grad||, clip_norm)``, as ``tf.clip_by_norm``."""
    l2sum = tapegrad.reduce_sum(tapegrad.square(grad), keepdims=True)
    positive = l2sum > 0
    # Two-sided where: sqrt is never evaluated at 0, so no NaN can leak in.
    l2norm = tapegrad.where(
        positive, tapegrad.sqrt(tapegrad.where(positive, l2sum, tapegrad.ones_like(l2sum))), l2sum
    )
    return grad * clip_norm / tapegrad.maximum(l2norm, clip_norm)


def _clip_by_global_norm(grads: list[Any], clip_norm: float) -> list[Any]:
    """Scale all gradients by ``clip_norm / max(global_norm, clip_norm)`` (NaN if the norm is not finite)."""
    # IndexedSlices count with their slice values (not the densified sum) and come out dense.
    squared = tapegrad.add_n([squared_norm_terms(g) for g in grads])
    use_norm = tapegrad.sqrt(squared)
    scale = clip_norm * tapegrad.minimum(1.0 / use_norm, 1.0 / clip_norm)
    scale = scale + (use_norm - use_norm)  # turns an inf/NaN norm into a NaN scale, as Keras does
    return [densify(g) * scale for g in grads]


class Optimizer:
    """Base class of the Keras optimizers.

    Subclasses list their slot names in :meth:`_slot_specs` and implement
    :meth:`update_step`; the base class handles gradient filtering, clipping, weight
    decay, the learning rate (a float variable or a schedule) and ``iterations``.
    """

    def __init__(
        self,
        learning_rate: LearningRateLike,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        self._reject_unsupported(kwargs)
        _check_clip_args(clipnorm, clipvalue, global_clipnorm)
        self.name = name or backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self._variables: list[Any] = []
        # id(variable) -> (variable, {slot name: slot variable}); the variable is kept
        # so that its id cannot be reused by another object while the entry lives.
        self._slots: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._iterations = self._track(
            tapegrad.Variable(0, dtype=tapegrad.int64, trainable=False, name=f"{self.name}/iteration")
        )
        self._learning_rate: Any = self._make_learning_rate(learning_rate)

    @staticmethod
    def _reject_unsupported(kwargs: dict[str, Any]) -> None:
        kwargs.pop("decay", None)  # ignored by Keras 3 too (it only warns)
        unknown = {k: v for k, v in kwargs.items() if k not in _UNSUPPORTED_DEFAULTS}
        if unknown:
            raise ValueError(f"Argument(s) not recognized: {unknown}")
        for key, value in kwargs.items():
            if value != _UNSUPPORTED_DEFAULTS[key]:
                raise NotImplementedError(f"tapegrad optimizers do not support {key}={value!r}")

    def _track(self, variable: Any) -> Any:
        self._variables.append(variable)
        return variable

    def _make_learning_rate(self, learning_rate: LearningRateLike) -> Any:
        if isinstance(learning_rate, LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        # Keras 3 insists on a Python float (an int such as 1 is refused).
        if not isinstance(learning_rate, float):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
                "or a callable (that takes in the current iteration value and returns the "
                f"corresponding learning rate value). Received instead: learning_rate={learning_rate}"
            )
        return self._track(
            tapegrad.Variable(
                learning_rate, dtype=tapegrad.float32, trainable=False, name=f"{self.name}/learning_rate"
            )
        )

    # --------------------------------------------------------------- properties
    @property
    def iterations(self) -> Any:
        """An int64 variable counting the ``apply_gradients`` calls made so far."""
        return self._iterations

    @property
    def variables(self) -> list[Any]:
        """``iterations``, the learning-rate variable (if any), then slot variables in creation order."""
        return list(self._variables)

    @property
    def learning_rate(self) -> Any:
        """The current learning rate: the float32 variable, or the schedule evaluated at ``iterations``."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, tapegrad.Variable):
            return self._learning_rate
        return self._learning_rate()

    @learning_rate.setter
    def learning_rate(self, value: LearningRateLike) -> None:
        if isinstance(value, LearningRateSchedule) or callable(value):
            self._replace_learning_rate(value)
        elif isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not settable. "
                "If you need the learning rate to be settable, you should instantiate the "
                "optimizer with a float `learning_rate` argument."
            )
        elif isinstance(self._learning_rate, tapegrad.Variable):
            self._learning_rate.assign(value)
        else:
            self._learning_rate = self._make_learning_rate(float(value))

    def _replace_learning_rate(self, value: Any) -> None:
        old = self._learning_rate
        self._variables = [v for v in self._variables if v is not old]
        self._learning_rate = value

    # ---------------------------------------------------------------- slots
    def _slot_specs(self) -> list[tuple[str, float]]:
        """``(slot name, initial value)`` for each slot a variable needs, in creation order."""
        return []

    def _slots_for(self, variable: Any) -> dict[str, Any]:
        entry = self._slots.get(id(variable))
        if entry is None:
            slots = {}
            for slot_name, initial in self._slot_specs():
                value = tapegrad.fill(tuple(variable.shape), tapegrad.cast(initial, variable.dtype))
                slots[slot_name] = self._track(
                    tapegrad.Variable(
                        value, trainable=False, name=f"{self.name}/{_sanitized_name(variable)}_{slot_name}"
                    )
                )
            entry = self._slots[id(variable)] = (variable, slots)
        return entry[1]

    def get_slot(self, variable: Any, slot_name: str) -> Any:
        """The slot variable ``slot_name`` (e.g. ``"momentum"``) of ``variable``."""
        entry = self._slots.get(id(variable))
        if entry is None or slot_name not in entry[1]:
            raise KeyError(f"{self.name}: no slot {slot_name!r} for variable {variable.name!r}")
        return entry[1][slot_name]

    def build(self, var_list: Iterable[Any]) -> None:
        """Create the slot variables of every variable in ``var_list`` now (else on first use)."""
        var_list = list(var_list)
        for variable in var_list:
            self._slots_for(variable)
        # What Keras 3's ``apply(grads)`` updates when it is given no variables.
        self.__dict__["_built_variables"] = var_list

    # ------------------------------------------------------------- applying
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> Any:
        """Apply one update for each ``(gradient, variable)`` pair; ``None`` gradients are skipped.

        Raises ``ValueError`` when every gradient is ``None``. Returns ``iterations``.
        """
        pairs = _check_pairs(grads_and_vars)
        if not pairs:
            return self._iterations
        grads = [g for g, _ in pairs if g is not None]
        if not grads:
            raise ValueError("No gradients provided for any variable.")
        missing = [v.name for g, v in pairs if g is None]
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. "
                "They are left unchanged: the loss does not depend on them, or they were read "
                "outside the GradientTape.",
                stacklevel=2,
            )
        variables = [v for g, v in pairs if g is not None]
        # IndexedSlices stay slices through clipping; `update_step` gets the dense
        # gradient and reads the slices (for per-slice terms) from `_sparse_gradient`.
        grads = self._clip_gradients([cast_gradient(g, v.dtype) for g, v in zip(grads, variables)])
        self._apply_weight_decay(variables)
        learning_rate = self.learning_rate
        try:
            for grad, variable in zip(grads, variables):
                self._sparse_gradient = grad if isinstance(grad, tapegrad.IndexedSlices) else None
                self.update_step(densify(grad), variable, tapegrad.cast(learning_rate, variable.dtype))
        finally:
            self._sparse_gradient = None
        self._iterations.assign_add(1)
        return self._iterations

    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Any] | None = None) -> Any:
        """Keras 3's form of :meth:`apply_gradients`: gradients and variables as two lists.

        Without ``trainable_variables`` the variables given to :meth:`build` are updated.
        """
        if trainable_variables is None:
            built = self.__dict__.get("_built_variables")
            if built is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a "
                    "list of variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = built
        grads, variables = list(grads), list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(
                f"{self.name}: got {len(grads)} gradients for {len(variables)} variables; "
                "pass one gradient per variable."
            )
        return self.apply_gradients(zip(grads, variables))

    def minimize(self, loss: Any, var_list: Any, tape: tapegrad.GradientTape | None = None) -> None:
        """Compute gradients of ``loss`` for ``var_list`` and apply them (tf.keras 2's API).

        ``loss`` is a zero-argument callable, or a tensor computed under ``tape``.
        ``var_list`` may be a callable returning the list (called after ``loss``).
        """
        if not callable(loss) and tape is None:
            raise ValueError(
                f"`tape` is required when a `Tensor` loss is passed. Received: loss={loss}, tape={tape}."
            )
        if callable(loss):
            tape = tapegrad.GradientTape() if tape is None else tape
            with tape:
                if not callable(var_list):
                    tape.watch(list(var_list))
                loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)  # type: ignore[union-attr]
        self.apply_gradients(zip(grads, var_list))

    def _clip_gradients(self, grads: list[Any]) -> list[Any]:
        """Keras' clipping; slices are clipped slice by slice (``tf.clip_by_norm`` /
        ``tf.clip_by_value`` on ``IndexedSlices``) and densified only by ``global_clipnorm``."""
        if self.clipnorm and self.clipnorm > 0:
            clipnorm = self.clipnorm
            return [map_values(lambda g: _clip_by_norm(g, clipnorm), g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return _clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            clipvalue = self.clipvalue
            return [map_values(lambda g: tapegrad.clip_by_value(g, -clipvalue, clipvalue), g) for g in grads]
        return grads

    def _apply_weight_decay(self, variables: list[Any]) -> None:
        """Decoupled decay ``var -= var * weight_decay * lr``, before the gradient step (Keras 3)."""
        if self.weight_decay is None:
            return
        learning_rate = self.learning_rate
        for variable in variables:
            lr = tapegrad.cast(learning_rate, variable.dtype)
            variable.assign(variable - variable * tapegrad.cast(self.weight_decay, variable.dtype) * lr)

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """Update ``variable`` (and its slots) from ``gradient``; subclasses implement it."""
        raise NotImplementedError

    def _square(self, gradient: Any) -> Any:
        """``square(gradient)`` in an update step, squared per slice for IndexedSlices (see ``_sparse``)."""
        return self._per_slice(tapegrad.square, gradient)

    def _per_slice(self, fn: Callable[..., Any], gradient: Any, *operands: Any) -> Any:
        """Keras' ``fn(gradient, *operands)`` in an update step: for an IndexedSlices gradient,
        ``fn`` of each slice and the operands' rows at its index, summed (see ``_sparse``).

        ``gradient`` must be the gradient ``update_step`` received; ``fn`` must be element-wise.
        """
        return map_slices(fn, getattr(self, "_sparse_gradient", None), gradient, *operands)

    # --------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as Keras 3 lists them."""
        if isinstance(self._learning_rate, LearningRateSchedule):
            learning_rate: Any = schedules.serialize(self._learning_rate)
        elif isinstance(self._learning_rate, tapegrad.Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            **_UNSUPPORTED_DEFAULTS,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Optimizer:
        """Rebuild an optimizer (without its state) from :meth:`get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _check_pairs(grads_and_vars: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    pairs = []
    for pair in grads_and_vars:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"apply_gradients expects (gradient, variable) pairs, got {pair!r}")
        if not isinstance(pair[1], tapegrad.Variable):
            raise TypeError(
                f"apply_gradients: the second element of each pair must be a tapegrad.Variable, "
                f"got {type(pair[1]).__name__}"
            )
        pairs.append((pair[0], pair[1]))
    return pairs


class SGD(Optimizer):
    """Gradient descent, optionally with (Nesterov) momentum.

    With momentum ``m = momentum * m - lr * g`` and ``var += m`` (Nesterov:
    ``var += momentum * m - lr * g``); without it ``var -= lr * g``.
    """

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("momentum", 0.0)] if self.momentum != 0 else []

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One SGD step (Keras 3's ``SGD.update_step``)."""
        if self.momentum == 0:
            variable.assign_sub(gradient * learning_rate)
            return
        m = self._slots_for(variable)["momentum"]
        momentum = tapegrad.cast(self.momentum, variable.dtype)
        m.assign(m * momentum - gradient * learning_rate)
        if self.nesterov:
            variable.assign_add(m * momentum - gradient * learning_rate)
        else:
            variable.assign_add(m)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam with Keras 3's update: the bias correction is folded into the step size.

    ``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``,
    ``var -= alpha * m / (sqrt(v) + epsilon)`` (``v`` replaced by its running max if ``amsgrad``).
    """

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _slot_specs(self) -> list[tuple[str, float]]:
        specs = [("momentum", 0.0), ("velocity", 0.0)]
        return [*specs, ("velocity_hat", 0.0)] if self.amsgrad else specs

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Adam step (Keras 3's ``Adam.update_step``)."""
        slots = self._slots_for(variable)
        m, v = slots["momentum"], slots["velocity"]
        local_step = tapegrad.cast(self._iterations + 1, variable.dtype)
        beta_1_power = tapegrad.pow(tapegrad.cast(self.beta_1, variable.dtype), local_step)
        beta_2_power = tapegrad.pow(tapegrad.cast(self.beta_2, variable.dtype), local_step)
        alpha = learning_rate * tapegrad.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((self._square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = slots["velocity_hat"]
            v_hat.assign(tapegrad.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (tapegrad.sqrt(v) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay: ``var -= var * weight_decay * lr`` before each Adam step."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop: ``v = rho * v + (1 - rho) * g^2``, ``var -= lr * g / sqrt(v + epsilon)``.

    ``centered`` subtracts the squared running mean of ``g`` from ``v``; ``momentum``
    accumulates the increments.
    """

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_specs(self) -> list[tuple[str, float]]:
        specs = [("velocity", 0.0)]
        if self.momentum > 0:
            specs.append(("momentum", 0.0))
        if self.centered:
            specs.append(("average_gradient", 0.0))
        return specs

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One RMSprop step (Keras 3's ``RMSprop.update_step``)."""
        slots = self._slots_for(variable)
        velocity = slots["velocity"]
        rho = self.rho
        velocity.assign(rho * velocity + (1 - rho) * self._square(gradient))
        if self.centered:
            average = slots["average_gradient"]
            average.assign(rho * average + (1 - rho) * gradient)
            denominator = velocity - tapegrad.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (learning_rate * gradient) / tapegrad.sqrt(denominator)
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }


class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2``, ``var -= lr * g / sqrt(acc + epsilon)``; ``acc`` starts at
    ``initial_accumulator_value``."""

    def __init__(
        self,
        learning_rate: LearningRateLike = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_specs(self) -> list[tuple[str, float]]:
        return [("accumulator", self.initial_accumulator_value)]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        """One Adagrad step (Keras 3's ``Adagrad.update_step``)."""
        accumulator = self._slots_for(variable)["accumulator"]
        accumulator.assign_add(self._square(gradient))
        variable.assign_sub((learning_rate * gradient) / tapegrad.sqrt(accumulator + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }


_BY_NAME: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
}

OptimizerLike = Union[str, Optimizer, dict, None]


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """A Keras-style config dict for ``optimizer``."""
    return {
        "module": "keras.optimizers",
        "class_name": type(optimizer).__name__,
        "config": optimizer.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> Optimizer:
    """Rebuild an optimizer from :func:`serialize`'s output."""
    name = str(config.get("class_name", "")).lower()
    if name not in _BY_NAME:
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    return _BY_NAME[name].from_config(config.get("config", {}))


def get(identifier: OptimizerLike) -> Optimizer:
    """Resolve ``"adam"`` / ``"Adam"`` (a fresh instance with defaults), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()].from_config({})
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


# More optimizers, one module each; registered for `get("nadam")` and serialization.
from . import legacy  # noqa: E402  (tf.keras 2's `optimizers.legacy` names)
from .adadelta import Adadelta  # noqa: E402
from .adafactor import Adafactor  # noqa: E402
from .adamax import Adamax  # noqa: E402
from .ftrl import Ftrl  # noqa: E402
from .lamb import Lamb  # noqa: E402
from .lion import Lion  # noqa: E402
from .nadam import Nadam  # noqa: E402

_BY_NAME.update(
    {
        "nadam": Nadam,
        "adamax": Adamax,
        "adadelta": Adadelta,
        "adafactor": Adafactor,
        "lion": Lion,
        "ftrl": Ftrl,
        "lamb": Lamb,
    }
)
__all__ += ["Adadelta", "Adafactor", "Adamax", "Ftrl", "Lamb", "Lion", "Nadam", "legacy"]
