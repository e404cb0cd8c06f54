"""The Keras ``Layer`` base class: weight tracking, build on first call, input conversion.

Variable names follow TF 1 / tf.keras 2: a layer's weights are created inside the
layer's name scope, so the first ``Dense`` owns ``dense/kernel:0`` and
``dense/bias:0``, the second ``dense_1/kernel:0``, and a layer built inside a
subclassed model's call gets ``my_model/dense/kernel:0``.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

import tapegrad

from ... import _nest
from ...module import Module, NameScope, innermost_name_scope, scoped_name
from .. import backend, initializers
from ..keras_tensor import KerasTensor

_LAYER_KWARGS = frozenset(
    {"input_shape", "batch_input_shape", "input_dim", "autocast", "batch_size", "activity_regularizer"}
)

# Attribute values that can hold no layer or variable: __setattr__ skips looking
# inside them (a Dense sets a dozen such attributes while it is made).
_PLAIN_TYPES = frozenset({int, float, str, bool, bytes, type(None)})

_ADD_WEIGHT_KERAS3 = (
    "shape",
    "initializer",
    "dtype",
    "trainable",
    "autocast",
    "regularizer",
    "constraint",
    "aggregation",
    "overwrite_with_gradient",
    "name",
)
_ADD_WEIGHT_KERAS2 = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint")
_ADD_WEIGHT_KEYWORDS = frozenset(
    {
        *_ADD_WEIGHT_KERAS3,
        *_ADD_WEIGHT_KERAS2,
        "use_resource",
        "synchronization",
        "partitioner",
        "caching_device",
    }
)


def _regularizers() -> Any:
    from .. import regularizers

    return regularizers


def _constraints() -> Any:
    from .. import constraints

    return constraints


def _is_variable(value: Any) -> bool:
    return isinstance(value, tapegrad.Variable)


def _is_floating(dtype: Any) -> bool:
    flag = getattr(dtype, "is_floating", None)
    if flag is not None:
        return bool(flag)
    return "float" in str(getattr(dtype, "name", dtype))


def _dedup(values: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for value in values:
        if id(value) not in seen:
            seen.add(id(value))
            out.append(value)
    return out


def _shape_of(value: Any) -> Any:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else None


_ACCEPTS_TRAINING: dict[Any, bool] = {}


def accepts_training(layer: Any) -> bool:
    """Whether ``layer.call`` takes a ``training`` argument (or ``**kwargs``); decided once per class."""
    explicit = getattr(type(layer), "_call_takes_training", None)
    if explicit is not None:
        return bool(explicit)
    call = getattr(type(layer), "call", None)
    known = _ACCEPTS_TRAINING.get(call)
    if known is None:
        try:
            parameters = inspect.signature(layer.call).parameters
            known = "training" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        except (TypeError, ValueError):
            known = False
        _ACCEPTS_TRAINING[call] = known
    return known


def _class_flags(layer: Any) -> tuple[bool, bool, bool]:
    """``(call takes mask, call takes training, the class overrides compute_mask)``, once per class."""
    takes_mask, _ = _call_parameters(layer)
    flags = (takes_mask, accepts_training(layer), type(layer).compute_mask is not Layer.compute_mask)
    _CLASS_FLAGS[type(layer)] = flags
    return flags


_CLASS_FLAGS: dict[type, tuple[bool, bool, bool]] = {}


def _call_parameters(layer: Any) -> tuple[bool, bool]:
    """Whether ``layer.call`` takes ``mask`` and ``training`` (decided once per class)."""
    call = getattr(type(layer), "call", None)
    known = _CALL_PARAMETERS.get(call)
    if known is None:
        try:
            parameters = inspect.signature(layer.call).parameters
        except (TypeError, ValueError):
            parameters = {}  # type: ignore[assignment]
        known = ("mask" in parameters, "training" in parameters)
        _CALL_PARAMETERS[call] = known
    return known


_CALL_PARAMETERS: dict[Any, tuple[bool, bool]] = {}


# ------------------------------------------------------------------ masks
# Keras keeps a layer's output mask in ``tensor._keras_mask``. tapegrad tensors
# have no ``__dict__`` (a slot per tensor would cost every op), so masks live in
# this table keyed by ``id`` and dropped when the tensor dies.
_MASKS: dict[int, tuple[Any, Any]] = {}


def set_keras_mask(tensor: Any, mask: Any) -> None:
    """Attach ``mask`` (or None to remove it) to ``tensor``, as Keras' ``_keras_mask``."""
    if isinstance(tensor, KerasTensor):
        tensor._keras_mask = mask
        return
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return

    def forget(_ref: weakref.ref[Any]) -> None:
        _MASKS.pop(key, None)

    try:
        ref = weakref.ref(tensor, forget)
    except TypeError:
        return
    _MASKS[key] = (ref, mask)


def get_keras_mask(tensor: Any) -> Any:
    """The mask attached to ``tensor`` by a masking layer (``Embedding(mask_zero=True)``...), or None."""
    if isinstance(tensor, KerasTensor):
        return tensor._keras_mask
    entry = _MASKS.get(id(tensor))
    if entry is None or entry[0]() is not tensor:
        return None
    return entry[1]


# --------------------------------------------------------- call context
class _CallContext(threading.local):
    """The ``training`` value of the outermost layer call in progress (Keras' call context)."""

    def __init__(self) -> None:
        self.depth = 0
        self.training: Any = None


_CONTEXT = _CallContext()


def _has_keras_tensor(inputs: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    if type(inputs) is KerasTensor:
        return True
    if _nest.is_nested(inputs) and any(isinstance(v, KerasTensor) for v in _nest.flatten(inputs)):
        return True
    if args and any(isinstance(v, KerasTensor) for v in _nest.flatten(args)):
        return True
    return bool(kwargs) and any(isinstance(v, KerasTensor) for v in _nest.flatten(kwargs))


class InputSpec:
    """What a layer accepts: ``ndim``/``min_ndim``/``max_ndim`` and known sizes of some ``axes``."""

    def __init__(
        self,
        dtype: Any = None,
        shape: Sequence[int | None] | None = None,
        ndim: int | None = None,
        max_ndim: int | None = None,
        min_ndim: int | None = None,
        axes: dict[int, int] | None = None,
        allow_last_axis_squeeze: bool = False,
        name: str | None = None,
    ) -> None:
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def __repr__(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return "InputSpec(" + ", ".join(parts) + ")"


def check_input_spec(layer_name: str, specs: Any, inputs: Any) -> None:
    """Raise ValueError naming the layer and both shapes when ``inputs`` do not fit ``specs``."""
    if specs is None:
        return
    if type(specs) is InputSpec and type(inputs) is tapegrad.Tensor and specs.shape is None:
        # The common case (one tensor, rank and axis sizes): no lists made.
        shape: tuple[Any, ...] = inputs.shape
        rank = len(shape)
        if (
            (specs.ndim is None or rank == specs.ndim)
            and (specs.min_ndim is None or rank >= specs.min_ndim)
            and (specs.max_ndim is None or rank <= specs.max_ndim)
            and all(-rank <= a < rank and shape[a] == n for a, n in specs.axes.items())
        ):
            return
    spec_list = list(specs) if isinstance(specs, (list, tuple)) else [specs]
    input_list = _nest.flatten(inputs) if _nest.is_nested(inputs) else [inputs]
    if len(spec_list) > 1 and len(input_list) != len(spec_list):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(spec_list)} input(s), '
            f"but it received {len(input_list)} input tensors."
        )
    for index, (spec, value) in enumerate(zip(spec_list, input_list)):
        if spec is None or not hasattr(value, "shape"):
            continue
        shape = tuple(value.shape)
        rank = len(shape)
        prefix = f'Input {index} of layer "{layer_name}" is incompatible with the layer: '
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(
                f"{prefix}expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(
                f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={rank}. Full shape received: {shape}"
            )
        for axis, size in spec.axes.items():
            if size is None or -rank > axis or axis >= rank:
                continue
            if shape[axis] not in (size, None):
                raise ValueError(
                    f"{prefix}expected axis {axis} of input shape to have value {size}, "
                    f"but received input with shape {shape}"
                )
        if spec.shape is not None:
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and expected != got:
                    raise ValueError(f"{prefix}expected shape={spec.shape}, found shape={shape}")


class Layer(Module):
    """Base class of Keras layers: subclasses override ``build`` and ``call``.

    ``layer(inputs)`` converts NumPy/Python inputs to tensors (floats become the
    layer's dtype), calls ``build(input_shape)`` the first time, then ``call``.
    Weights made with :meth:`add_weight` (or assigned as attributes) and the
    weights of sub-layers assigned as attributes are tracked in creation order.
    """

    _trainable_weights: list[Any]
    _non_trainable_weights: list[Any]
    _layers: list[Layer]
    _inbound_nodes: list[Any]
    _outbound_nodes: list[Any]
    _losses: list[Any]
    _input_spec: Any
    _activity_regularizer: Any

    def __init__(
        self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        unknown = set(kwargs) - _LAYER_KWARGS
        if unknown:
            raise TypeError(f"Keyword argument(s) not understood: {sorted(unknown)}")
        # Bookkeeping first: __setattr__ below relies on it.
        object.__setattr__(self, "_trainable_weights", [])
        object.__setattr__(self, "_non_trainable_weights", [])
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_inbound_nodes", [])
        object.__setattr__(self, "_outbound_nodes", [])
        object.__setattr__(self, "_losses", [])
        object.__setattr__(self, "_input_spec", None)
        if name is None:
            name = backend.unique_object_name(backend.to_snake_case(type(self).__name__))
        self._name = name
        self._name_scope = NameScope(name)
        self._trainable = trainable
        self._dtype = dtype
        self._autocast = kwargs.get("autocast", True)
        self.built = False
        self._batch_input_shape: tuple[Any, ...] | None = None
        self.supports_masking = False
        object.__setattr__(self, "_activity_regularizer", None)
        if kwargs.get("activity_regularizer") is not None:
            self.activity_regularizer = kwargs["activity_regularizer"]
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs:
            self._batch_input_shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        elif "input_dim" in kwargs:
            self._batch_input_shape = (None, kwargs["input_dim"])

    # ----------------------------------------------------------------- tracking
    def __setattr__(self, key: str, value: Any) -> None:
        if type(value) not in _PLAIN_TYPES and not key.startswith("__"):
            for leaf in _nest.flatten(value):
                if isinstance(leaf, Layer) and leaf is not self:
                    self._track_layer(leaf)
                elif _is_variable(leaf):
                    self._track_variable(leaf)
        object.__setattr__(self, key, value)

    def _tracking(self, attr: str) -> list[Any]:
        try:
            return self.__dict__[attr]  # type: ignore[no-any-return]
        except KeyError:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning layers or variables"
            ) from None

    def _track_layer(self, layer: Layer) -> None:
        layers = self._tracking("_layers")
        if all(layer is not known for known in layers):
            layers.append(layer)

    def _track_variable(self, variable: Any) -> None:
        trainable = bool(getattr(variable, "trainable", True))
        target = self._tracking("_trainable_weights" if trainable else "_non_trainable_weights")
        if all(variable is not known for known in self.__dict__.get("_trainable_weights", [])) and all(
            variable is not known for known in self.__dict__.get("_non_trainable_weights", [])
        ):
            target.append(variable)

    # --------------------------------------------------------------- properties
    @property
    def dtype(self) -> Any:
        """The dtype of the layer's weights and (float) inputs; ``tapegrad.float32`` by default."""
        return tapegrad.float32 if self._dtype is None else self._dtype

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained; setting it also sets every sub-layer's."""
        return bool(self._trainable)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def trainable_weights(self) -> list[Any]:
        """Trainable variables: this layer's in creation order, then each sub-layer's."""
        if not self.trainable:
            return []
        children = [w for layer in self._layers for w in layer.trainable_weights]
        return _dedup([*self._trainable_weights, *children])

    @property
    def non_trainable_weights(self) -> list[Any]:
        """Variables that are not trained (all of them when ``trainable`` is False)."""
        if self.trainable:
            children = [w for layer in self._layers for w in layer.non_trainable_weights]
            return _dedup([*self._non_trainable_weights, *children])
        children = [w for layer in self._layers for w in layer.weights]
        return _dedup([*self._trainable_weights, *self._non_trainable_weights, *children])

    @property
    def weights(self) -> list[Any]:
        """All variables: ``trainable_weights + non_trainable_weights``."""
        return _dedup([*self.trainable_weights, *self.non_trainable_weights])

    @property
    def variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`weights`."""
        return self.weights

    @property
    def trainable_variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list[Any]:  # type: ignore[override]
        """Alias of :attr:`non_trainable_weights`."""
        return self.non_trainable_weights

    # ------------------------------------------------------------------ weights
    def add_weight(self, *args: Any, **kwargs: Any) -> Any:
        """Create, track and return a ``tapegrad.Variable`` named ``<scope>/<layer>/<name>:0``.

        Keras 3's keywords: ``add_weight(shape=None, initializer=None, dtype=None,
        trainable=True, regularizer=None, constraint=None, name=None)``; positional
        arguments follow Keras 3 (``shape, initializer, dtype, ...``) or, when the
        first one is a string, tf.keras 2 (``name, shape, dtype, initializer,
        regularizer, trainable, constraint``). ``shape`` defaults to a scalar, the
        initializer to Glorot-uniform for floats and zeros otherwise.
        """
        order = _ADD_WEIGHT_KERAS2 if args and isinstance(args[0], str) else _ADD_WEIGHT_KERAS3
        if len(args) > len(order):
            raise TypeError(
                f"add_weight() takes at most {len(order)} positional arguments ({len(args)} given)"
            )
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument '{key}'")
            kwargs[key] = value
        unknown = set(kwargs) - _ADD_WEIGHT_KEYWORDS
        if unknown:
            raise TypeError(f"add_weight() got unexpected keyword argument(s) {sorted(unknown)}")
        shape = kwargs.get("shape")
        dtype = kwargs.get("dtype")
        trainable = kwargs.get("trainable")
        trainable = True if trainable is None else bool(trainable)
        name = kwargs.get("name") or "variable"
        dtype = self.dtype if dtype is None else tapegrad.as_dtype(dtype)
        init = initializers.get(kwargs.get("initializer"))
        if init is None:
            init = initializers.GlorotUniform() if _is_floating(dtype) else initializers.Zeros()
        try:
            shape = () if shape is None else tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            raise ValueError(
                f"Layer {self.name!r}: add_weight needs a fully known `shape`, "
                f"got shape={kwargs.get('shape')!r}"
            ) from None
        scope = contextlib.nullcontext() if innermost_name_scope() is self._name_scope else self._name_scope
        with scope:
            value = init(shape, dtype=dtype) if callable(init) else init
            variable = tapegrad.Variable(value, trainable=trainable, name=scoped_name(name), dtype=dtype)
        self._track_variable(variable)
        regularizer = _regularizers().get(kwargs.get("regularizer"))
        if regularizer is not None:
            self.__dict__.setdefault("_weight_regularizers", []).append((variable, regularizer))
        constraint = _constraints().get(kwargs.get("constraint"))
        if constraint is not None:
            _constraints().register(variable, constraint)
        return variable

    # ------------------------------------------------------------------- losses
    def add_loss(self, loss: Any) -> None:
        """Add a loss tensor (or a zero-argument callable) to :attr:`losses`, as ``call`` does for
        activity regularization; cleared when the outermost layer call starts."""
        self.__dict__["_losses"].append(loss)

    def _clear_losses(self) -> None:
        self.__dict__["_losses"].clear()
        for layer in self._layers:
            layer._clear_losses()

    def _forget_call_losses(self) -> None:
        """Drop losses added while shapes were inferred on placeholders."""
        self._clear_losses()

    def _own_losses(self) -> list[Any]:
        out = [
            loss() if callable(loss) and not isinstance(loss, tapegrad.Tensor) else loss
            for loss in self._losses
        ]
        for layer in self._layers:
            out.extend(layer._own_losses())
        return out

    def _all_weight_regularizers(self) -> dict[int, Any]:
        found = {id(v): r for v, r in self.__dict__.get("_weight_regularizers", [])}
        for layer in self._layers:
            found.update(layer._all_weight_regularizers())
        return found

    @property
    def losses(self) -> list[Any]:
        """Losses added by ``add_loss`` during the last call (this layer's and its sub-layers'),
        then the weight regularization penalties of the trainable weights, computed now."""
        losses = self._own_losses()
        regularizers = self._all_weight_regularizers()
        if regularizers:
            for variable in self.trainable_weights:
                regularizer = regularizers.get(id(variable))
                if regularizer is not None:
                    losses.append(regularizer(variable))
        return losses

    @property
    def activity_regularizer(self) -> Any:
        """A regularizer applied to the layer's outputs, its penalty added to :attr:`losses`."""
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value: Any) -> None:
        object.__setattr__(self, "_activity_regularizer", _regularizers().get(value))

    def get_weights(self) -> list[np.ndarray]:
        """The values of :attr:`weights` as NumPy arrays."""
        return [np.array(w.numpy()) for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Assign NumPy values to :attr:`weights`, in order (shapes must match)."""
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list of length '
                f"{len(weights)}, but the layer was expecting {len(variables)} weights."
            )
        for variable, value in zip(variables, weights):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(variable.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(variable.shape)} is not compatible with provided "
                    f"weight shape {tuple(value.shape)}."
                )
            variable.assign(value.astype(variable.dtype.name, copy=False))

    def count_params(self) -> int:
        """Total number of scalars in :attr:`weights`."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't built. "
                "You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(_shape_of(w))) for w in self.weights))

    # ----------------------------------------------------------------- calling
    def build(self, input_shape: Any) -> None:
        """Create the layer's weights; called once, before the first ``call``."""
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The forward computation; the default returns ``inputs`` unchanged."""
        return inputs

    def _call_scope(self) -> contextlib.AbstractContextManager[Any]:
        return self._name_scope

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if _has_keras_tensor(inputs, args, kwargs):
            from ..functional import symbolic_call

            return symbolic_call(self, (inputs, *args), kwargs)
        if type(inputs) is not tapegrad.Tensor or (self._autocast and inputs.dtype != self.dtype):
            inputs = self._convert_inputs(inputs)
        flags = _CLASS_FLAGS.get(type(self)) or _class_flags(self)
        takes_mask, takes_training, masks_outputs = flags
        # An explicit `training` reaches the sub-layers even when this call does not take it.
        explicit_training = kwargs.get("training")
        if takes_training:
            # Keras' rule: an explicit `training` wins, then the outer call's, then the default.
            if kwargs.get("training") is None:
                if _CONTEXT.training is not None:
                    kwargs["training"] = _CONTEXT.training
                else:
                    kwargs.pop("training", None)
        elif "training" in kwargs:
            # Keras passes `training` only to a `call` that takes it (or **kwargs).
            del kwargs["training"]
        mask = kwargs.pop("mask", None) if "mask" in kwargs else None
        masking = takes_mask or masks_outputs or self.supports_masking
        if masking and mask is None and _MASKS:
            mask = self._input_masks(inputs)
        if takes_mask and mask is not None:
            kwargs["mask"] = mask
        saved_training = _CONTEXT.training
        if _CONTEXT.depth == 0 and (self._losses or self._layers):
            self._clear_losses()
        if explicit_training is not None:
            _CONTEXT.training = explicit_training
        _CONTEXT.depth += 1
        try:
            if self._input_spec is not None:
                check_input_spec(self.name, self._input_spec, inputs)
            with self._call_scope():
                if not self.built:
                    self._maybe_build(inputs)
                outputs = self.call(inputs, *args, **kwargs)
            if self._activity_regularizer is not None:
                # Keras divides the penalty by the batch size.
                for out in _nest.flatten(outputs):
                    batch = int(out.shape[0]) if len(out.shape) else 1
                    self.add_loss(self._activity_regularizer(out) / max(batch, 1))
        finally:
            _CONTEXT.depth -= 1
            _CONTEXT.training = saved_training
        if masks_outputs or (self.supports_masking and mask is not None):
            self._attach_output_mask(inputs, outputs, mask)
        return outputs

    # ------------------------------------------------------------------ masks
    def _input_masks(self, inputs: Any) -> Any:
        if _nest.is_nested(inputs):
            masks = [get_keras_mask(v) for v in _nest.flatten(inputs)]
            return None if all(m is None for m in masks) else _nest.pack_sequence_as(inputs, masks)
        return get_keras_mask(inputs)

    def _attach_output_mask(self, inputs: Any, outputs: Any, mask: Any) -> None:
        out_mask = self.compute_mask(inputs, mask)
        if _nest.is_nested(outputs):
            flat = _nest.flatten(outputs)
            masks = _nest.flatten(out_mask) if _nest.is_nested(out_mask) else [out_mask] * len(flat)
            for value, m in zip(flat, masks):
                set_keras_mask(value, m)
        else:
            set_keras_mask(outputs, out_mask)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs: the input mask when the layer supports masking, else None."""
        if not self.__dict__.get("supports_masking"):
            return None
        return mask

    # ------------------------------------------------------------ input spec
    @property
    def input_spec(self) -> Any:
        """An ``InputSpec`` (or a list of them) the inputs are checked against, or None."""
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value: Any) -> None:
        object.__setattr__(self, "_input_spec", value)

    def _assert_input_compatibility(self, inputs: Any) -> None:
        check_input_spec(self.name, self._input_spec, inputs)

    # ------------------------------------------------------------ graph views
    def _single_node(self, what: str) -> Any:
        nodes = self._inbound_nodes
        if not nodes:
            raise AttributeError(
                f"The layer {self.name!r} has never been called on a symbolic input "
                f"and thus has no defined {what}."
            )
        return nodes[0]  # Keras 3: the first call's, also for a shared layer

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's first call in a functional graph."""
        node = self._single_node("input")
        return node.call_args[0] if node.call_args else node.outputs

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's first call in a functional graph."""
        return self._single_node("output").outputs

    def get_input_at(self, node_index: int) -> Any:
        """The symbolic input of the layer's ``node_index``-th call."""
        node = self._inbound_nodes[node_index]
        return node.call_args[0] if node.call_args else node.outputs

    def get_output_at(self, node_index: int) -> Any:
        """The symbolic output of the layer's ``node_index``-th call."""
        return self._inbound_nodes[node_index].outputs

    @property
    def input_shape(self) -> Any:
        """The shape of :attr:`input` (a tuple, or a list for several inputs)."""
        return _nest.map_structure(lambda t: tuple(t.shape), self.input)

    @property
    def output_shape(self) -> Any:
        """The shape of :attr:`output` (a tuple, or a list for several outputs)."""
        return _nest.map_structure(lambda t: tuple(t.shape), self.output)

    def _maybe_build(self, inputs: Any) -> None:
        if not self.built:
            self.build(_nest.map_structure(_shape_of, inputs))
            self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        """NumPy arrays and Python numbers become tensors; floats are cast to the layer's dtype."""
        if (
            isinstance(inputs, (list, tuple))
            and inputs
            and all(isinstance(leaf, (int, float, np.number)) for leaf in _nest.flatten(inputs))
        ):
            inputs = np.asarray(inputs)
        return _nest.map_structure(self._convert_leaf, inputs)

    def _convert_leaf(self, value: Any) -> Any:
        if isinstance(value, (np.ndarray, np.number, int, float)) and not isinstance(value, bool):
            value = tapegrad.convert_to_tensor(value)
        elif not isinstance(value, tapegrad.Tensor):
            return value
        if self._autocast and _is_floating(value.dtype) and value.dtype != self.dtype:
            value = tapegrad.cast(value, self.dtype)
        return value

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` (``None`` for unknown sizes), found by running the layer
        on placeholder inputs when a subclass does not say."""
        from ..functional import symbolic_call

        def spec(shape: Any) -> Any:
            return KerasTensor(shape, dtype=self.dtype)

        nested = (
            isinstance(input_shape, (list, tuple))
            and input_shape
            and isinstance(input_shape[0], (list, tuple))
        )
        inputs = [spec(s) for s in input_shape] if nested else spec(input_shape)
        outputs = symbolic_call(self, (inputs,), {})
        self._inbound_nodes.pop()
        return _nest.map_structure(lambda t: tuple(t.shape), outputs)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a dict (``from_config(get_config())`` makes an equal layer)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self._dtype is not None:
            config["dtype"] = tapegrad.as_dtype(self._dtype).name
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """A new layer made from :meth:`get_config`'s output."""
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\nException "
                f"encountered: {error}"
            ) from None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"
