"""The functional API: nodes that record layer calls on KerasTensors, and ``Functional`` models.

Calling a layer on KerasTensors (see ``keras_tensor.py``) builds it, infers the
output shapes by running it on placeholders, and appends a :class:`Node` to the
layer's ``_inbound_nodes``; each output KerasTensor remembers
``(layer, node_index, tensor_index)`` in ``_keras_history``. So the graph is the
set of nodes reachable backwards from a model's outputs, as in Keras.

``keras.Model(inputs, outputs)`` walks that graph once (``map_graph``): it finds
the nodes between the inputs and the outputs, orders them so every node comes
after the nodes that feed it (Keras' depth order: the deepest first), and checks
that every tensor can be computed from the inputs. Calling the model runs the
nodes in that order on real tensors, passing ``training`` to the layers that
take it and ``mask`` to those that support masking.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import tapegrad

from .. import _nest
from .keras_tensor import KerasTensor, merge_probe_outputs, substitute

__all__ = ["Node", "map_graph", "symbolic_call"]


class Node:
    """One call of a layer on KerasTensors: its arguments and its outputs."""

    def __init__(
        self, layer: Any, call_args: tuple[Any, ...], call_kwargs: dict[str, Any], outputs: Any
    ) -> None:
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [
            v for v in _nest.flatten((call_args, call_kwargs)) if isinstance(v, KerasTensor)
        ]
        self.output_tensors = [v for v in _nest.flatten(outputs) if isinstance(v, KerasTensor)]
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, tensor_index)
        for tensor in self.input_tensors:
            if tensor._keras_history is not None:
                tensor._keras_history[0]._outbound_nodes.append(self)

    @property
    def parent_nodes(self) -> list[Node]:
        """The nodes that made this node's inputs."""
        return [t.node for t in self.input_tensors if t._keras_history is not None]

    @property
    def is_input(self) -> bool:
        """Whether this is the node of an ``InputLayer``."""
        return not self.input_tensors

    def __repr__(self) -> str:
        return f"<Node layer={self.layer.name!r}, inputs={len(self.input_tensors)}>"


def _has_unknown_dims(tensors: list[KerasTensor]) -> bool:
    return any(None in t.shape for t in tensors)


def symbolic_call(layer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``layer`` on arguments holding KerasTensors: build it, infer the outputs, record a node."""
    tensors = [v for v in _nest.flatten((args, kwargs)) if isinstance(v, KerasTensor)]
    if args:
        layer._assert_input_compatibility(args[0])
        if not layer.built:
            with layer._call_scope():
                layer._maybe_build(args[0])
    # Keras only passes `training` to layers that take it; `None` means "as at inference".
    first = layer(*substitute(args, 0), **substitute(kwargs, 0))
    if _has_unknown_dims(tensors):
        second = layer(*substitute(args, 1), **substitute(kwargs, 1))
    else:
        second = first
    layer._forget_call_losses()
    outputs = merge_probe_outputs(first, second, f"Layer {layer.name!r}")
    _carry_masks(first, second, outputs)
    Node(layer, args, kwargs, outputs)
    return outputs


def _carry_masks(first: Any, second: Any, outputs: Any) -> None:
    """Give output KerasTensors a symbolic ``_keras_mask`` where the placeholder run made one."""
    from .layers.base import get_keras_mask

    flat = [
        (a, b, kt) for a, b, kt in zip(_nest.flatten(first), _nest.flatten(second), _nest.flatten(outputs))
    ]
    for a, b, kt in flat:
        mask_a, mask_b = get_keras_mask(a), get_keras_mask(b)
        if isinstance(kt, KerasTensor) and mask_a is not None and mask_b is not None:
            kt._keras_mask = merge_probe_outputs(mask_a, mask_b, "mask")


# ----------------------------------------------------------------- graph
def map_graph(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """The nodes that compute ``outputs`` from ``inputs``, each after the nodes it depends on.

    Raises ValueError naming the tensor and layer when an output needs a value
    that does not come from ``inputs`` (a disconnected graph).
    """
    input_ids = {id(t) for t in inputs}
    ordered: list[Node] = []  # post-order: every node after its parents
    seen: set[int] = set()

    def visit(tensor: KerasTensor, consumer: Any) -> None:
        if tensor._keras_history is None:
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} at layer "
                f'"{getattr(consumer, "name", "?")}": it was not made by a Keras layer or Input.'
            )
        node = tensor.node
        if id(tensor) in input_ids:
            # A model input: its producer never runs (an InputLayer is listed, others are not).
            if node.is_input and id(node) not in seen:
                seen.add(id(node))
                ordered.append(node)
            return
        if id(node) in seen:
            return
        if node.is_input:
            names = [t._keras_history[0].name for t in inputs if t._keras_history is not None]
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} at layer "
                f'"{getattr(consumer, "name", "?")}". The inputs of the model are {names}; pass this '
                "Input in `inputs` too."
            )
        seen.add(id(node))
        for parent in node.input_tensors:
            visit(parent, node.layer)
        ordered.append(node)

    for tensor in outputs:
        visit(tensor, None)

    # Keras' order: a node's depth is one more than the deepest node it feeds; nodes
    # run from the deepest to depth 0 (stable within a depth). `ordered` has every
    # node after its parents, so reversed it has every node after its consumers.
    in_graph = {id(node) for node in ordered}
    depth: dict[int, int] = {}
    for node in reversed(ordered):
        d = depth.setdefault(id(node), 0)
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                depth[id(parent)] = max(depth.get(id(parent), 0), d + 1)
    position = {id(node): i for i, node in enumerate(ordered)}
    return sorted(ordered, key=lambda n: (-depth[id(n)], position[id(n)]))


def _flatten_inputs(model: Any, inputs: Any) -> list[Any]:
    """The model's input values in the order of ``model.inputs``."""
    structure = model._input_structure
    if isinstance(inputs, Mapping):
        if isinstance(structure, Mapping):
            missing = [k for k in structure if k not in inputs]
            if missing:
                raise ValueError(
                    f'Layer "{model.name}" expects inputs with keys {sorted(structure)}, missing {missing}.'
                )
            return [inputs[k] for k in _nest_keys(structure)]
        names = [t.name for t in model.inputs]
        if all(name in inputs for name in names):
            return [inputs[name] for name in names]
    flat = _nest.flatten(inputs) if _nest.is_nested(inputs) else [inputs]
    if len(flat) != len(model.inputs):
        raise ValueError(
            f'Layer "{model.name}" expects {len(model.inputs)} input(s), '
            f"but it received {len(flat)} input tensors. "
            f"Inputs received: {_brief(flat)}"
        )
    return flat


def _nest_keys(mapping: Mapping[Any, Any]) -> list[Any]:
    try:
        return sorted(mapping)
    except TypeError:
        return list(mapping)


def _brief(values: list[Any]) -> str:
    return (
        "[" + ", ".join(f"<{type(v).__name__} shape={tuple(getattr(v, 'shape', ()))}>" for v in values) + "]"
    )


def _conform(value: Any, spec: KerasTensor, model_name: str, index: int) -> Any:
    """``value`` as a tensor of the input's dtype, checked against the input's shape."""
    if isinstance(value, KerasTensor):
        return value
    if not isinstance(value, (tapegrad.Tensor, tapegrad.Variable)):
        value = tapegrad.convert_to_tensor(np.asarray(value))
    if value.dtype != spec.dtype and (value.dtype.is_floating or spec.dtype.is_floating):
        value = tapegrad.cast(value, spec.dtype)
    shape = tuple(value.shape)
    expected = tuple(spec.shape)
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape)):
        raise ValueError(
            f'Input {index} of layer "{model_name}" is incompatible with the layer: '
            f"expected shape={expected}, found shape={shape}"
        )
    return value


def _resolve(structure: Any, values: dict[int, Any]) -> Any:
    return _nest.map_structure(lambda v: values[id(v)] if isinstance(v, KerasTensor) else v, structure)


# ----------------------------------------------------------------- model
class _FunctionalMixin:
    """The behaviour of a model defined by its inputs and outputs (mixed into ``Model``)."""

    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        flat_inputs = _nest.flatten(inputs) if _nest.is_nested(inputs) else [inputs]
        flat_outputs = _nest.flatten(outputs) if _nest.is_nested(outputs) else [outputs]
        for kind, tensors in (("inputs", flat_inputs), ("outputs", flat_outputs)):
            for t in tensors:
                if not isinstance(t, KerasTensor):
                    raise ValueError(
                        f"All `{kind}` values of a functional model must be KerasTensors "
                        "(made by keras.Input "
                        f"and layer calls). Received: {kind}={t!r} (of type {type(t).__name__})"
                    )
        object.__setattr__(self, "_input_structure", inputs)
        object.__setattr__(self, "_output_structure", outputs)
        object.__setattr__(self, "_graph_inputs", flat_inputs)
        object.__setattr__(self, "_graph_outputs", flat_outputs)
        nodes = map_graph(flat_inputs, flat_outputs)
        object.__setattr__(self, "_nodes", nodes)
        for node in nodes:
            if node.layer is not self:
                self._track_layer(node.layer)  # type: ignore[attr-defined]
        self.built = True

    @property
    def inputs(self) -> list[KerasTensor]:
        """The model's input KerasTensors, flattened."""
        return list(self.__dict__.get("_graph_inputs") or [])

    @property
    def outputs(self) -> list[KerasTensor]:
        """The model's output KerasTensors, flattened."""
        return list(self.__dict__.get("_graph_outputs") or [])

    @property
    def input(self) -> Any:
        """The input structure the model was made with."""
        return self.__dict__.get("_input_structure")

    @property
    def output(self) -> Any:
        """The output structure the model was made with."""
        return self.__dict__.get("_output_structure")

    def _run_graph(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        from .layers.base import accepts_training

        model_inputs = self.inputs
        flat = _flatten_inputs(self, inputs)  # type: ignore[arg-type]
        values: dict[int, Any] = {}
        for i, (spec, value) in enumerate(zip(model_inputs, flat)):
            values[id(spec)] = _conform(value, spec, self.name, i)  # type: ignore[attr-defined]
        if mask is not None:
            masks = _nest.flatten(mask) if _nest.is_nested(mask) else [mask]
            for spec, m in zip(model_inputs, masks):
                if m is not None:
                    _set_mask(values[id(spec)], m)
        for node in self._nodes:  # type: ignore[attr-defined]
            if node.is_input:
                continue
            args = _resolve(node.call_args, values)
            kwargs = _resolve(node.call_kwargs, values)
            layer = node.layer
            if training is not None and "training" not in kwargs and accepts_training(layer):
                kwargs["training"] = training
            outputs = layer(*args, **kwargs)
            flat_out = _nest.flatten(outputs) if _nest.is_nested(outputs) else [outputs]
            for kt, value in zip(node.output_tensors, flat_out):
                values[id(kt)] = value
        return _resolve(self._output_structure, values)  # type: ignore[attr-defined]


def _set_mask(value: Any, mask: Any) -> None:
    from .layers.base import set_keras_mask

    set_keras_mask(value, mask)
