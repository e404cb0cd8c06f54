"""Symbolic tensors for the functional API: ``KerasTensor`` and the ops applied to them.

A ``KerasTensor`` stands for the value that will flow through a model; it has a
shape (``None`` for unknown dimensions, the batch first), a dtype and a history
(the layer and node that made it). Calling a layer on KerasTensors records a
node instead of computing; so does applying an operator (``a + b``, ``x[:, 0]``)
or a tf op (``tf.concat([a, b], -1)``, ``tf.reduce_mean(x, axis=1)``): those are
wrapped in a ``TFOpLambda`` layer, as tf.keras 2 does.

Shape inference runs the real computation on small placeholder tensors: every
unknown dimension is given the size 2 and then 3, and an output dimension that
changes between the two runs is unknown. This needs no per-op shape function
and gives the op's own errors for incompatible shapes.

The tf ops are Rust functions with no Python frame in front of them. They learn
to accept KerasTensors only once the first one is made (``install_dispatch``):
then each public op of ``tapegrad``, ``tapegrad.math``, ``tapegrad.nn`` and
``tapegrad.linalg`` is replaced by a wrapper that calls it and, only when it
fails on an argument that is a KerasTensor, records a ``TFOpLambda`` node.
Programs that never make a KerasTensor keep the unwrapped ops.
"""

from __future__ import annotations

import math
import threading
import types
from typing import Any, Callable

import tapegrad

from .. import _nest
from .._shape import TensorShape

__all__ = ["KerasTensor", "SymbolicShape", "install_dispatch", "is_keras_tensor"]

# The sizes unknown dimensions take in the two placeholder runs.
_PROBE_SIZES = (2, 3)


class SymbolicShape(TensorShape):
    """A ``TensorShape`` whose dimensions may be ``None`` (unknown until the model runs)."""

    def __new__(cls, dims: Any = ()) -> SymbolicShape:
        if isinstance(dims, int):
            dims = (dims,)
        return tuple.__new__(cls, (None if d is None else int(d) for d in dims))

    def num_elements(self) -> int | None:  # type: ignore[override]
        """The number of elements, or None when a dimension is unknown."""
        return None if None in self else math.prod(self)  # type: ignore[arg-type]

    def is_fully_defined(self) -> bool:
        """Whether every dimension is known."""
        return None not in self

    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return SymbolicShape(item) if isinstance(key, slice) else item

    def concatenate(self, other: Any) -> SymbolicShape:
        """This shape followed by ``other``."""
        return SymbolicShape(tuple(self) + tuple(other))

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"


class KerasTensor:
    """A symbolic stand-in for a tensor while a functional model is being defined.

    It has ``shape``, ``dtype`` and ``name``; operators and tf ops applied to it
    give new KerasTensors. It holds no value: ``numpy()`` or ``bool()`` raise.
    """

    # Make NumPy defer to our reflected operators (``array + kt``).
    __array_ufunc__ = None
    __array_priority__ = 100

    def __init__(
        self,
        shape: Any,
        dtype: Any = None,
        name: str | None = None,
        sparse: bool = False,
    ) -> None:
        install_dispatch()
        self.shape = SymbolicShape(shape)
        self.dtype = tapegrad.float32 if dtype is None else tapegrad.as_dtype(dtype)
        self.name = name
        self.sparse = sparse
        # (layer, node_index, tensor_index), as Keras' ``_keras_history``.
        self._keras_history: tuple[Any, int, int] | None = None
        self._keras_mask: Any = None

    # ------------------------------------------------------------- metadata
    @property
    def ndim(self) -> int:
        """The rank."""
        return len(self.shape)

    def get_shape(self) -> SymbolicShape:
        """``shape`` (TF 1 name)."""
        return self.shape

    @property
    def node(self) -> Any:
        """The node that produced this tensor."""
        if self._keras_history is None:
            return None
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __repr__(self) -> str:
        name = f", name={self.name}" if self.name else ""
        return f"<KerasTensor shape={tuple(self.shape)}, dtype={self.dtype.name}, sparse={self.sparse}{name}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a symbolic KerasTensor as a Python `bool` is not allowed: it has no value until the "
            "model runs. Use tf.cond or tf.where inside a layer's call instead."
        )

    def __iter__(self) -> Any:
        if not self.shape or self.shape[0] is None:
            raise TypeError(f"Cannot iterate over a KerasTensor with unknown first dimension: {self!r}")
        return iter([self[i] for i in range(self.shape[0])])

    def __len__(self) -> int:
        raise TypeError("KerasTensor has no len(): its batch dimension is unknown until the model runs")

    def numpy(self) -> Any:
        """Raises: a KerasTensor has no value."""
        raise ValueError(
            "A KerasTensor is a symbolic placeholder for a shape and dtype: it has no value. "
            "Call the model on real data to get numbers."
        )

    # ------------------------------------------------------------ operators
    def __add__(self, other: Any) -> Any:
        return _symbolic_op("__operators__.add", lambda a, b: a + b, (self, other), {})

    def __radd__(self, other: Any) -> Any:
        return _symbolic_op("__operators__.add", lambda a, b: a + b, (other, self), {})

    def __sub__(self, other: Any) -> Any:
        return _symbolic_op("math.subtract", lambda a, b: a - b, (self, other), {})

    def __rsub__(self, other: Any) -> Any:
        return _symbolic_op("math.subtract", lambda a, b: a - b, (other, self), {})

    def __mul__(self, other: Any) -> Any:
        return _symbolic_op("math.multiply", lambda a, b: a * b, (self, other), {})

    def __rmul__(self, other: Any) -> Any:
        return _symbolic_op("math.multiply", lambda a, b: a * b, (other, self), {})

    def __truediv__(self, other: Any) -> Any:
        return _symbolic_op("math.truediv", lambda a, b: a / b, (self, other), {})

    def __rtruediv__(self, other: Any) -> Any:
        return _symbolic_op("math.truediv", lambda a, b: a / b, (other, self), {})

    def __floordiv__(self, other: Any) -> Any:
        return _symbolic_op("math.floordiv", lambda a, b: a // b, (self, other), {})

    def __rfloordiv__(self, other: Any) -> Any:
        return _symbolic_op("math.floordiv", lambda a, b: a // b, (other, self), {})

    def __mod__(self, other: Any) -> Any:
        return _symbolic_op("math.floormod", lambda a, b: a % b, (self, other), {})

    def __pow__(self, other: Any) -> Any:
        return _symbolic_op("math.pow", lambda a, b: a**b, (self, other), {})

    def __rpow__(self, other: Any) -> Any:
        return _symbolic_op("math.pow", lambda a, b: a**b, (other, self), {})

    def __matmul__(self, other: Any) -> Any:
        return _symbolic_op("linalg.matmul", lambda a, b: a @ b, (self, other), {})

    def __rmatmul__(self, other: Any) -> Any:
        return _symbolic_op("linalg.matmul", lambda a, b: a @ b, (other, self), {})

    def __neg__(self) -> Any:
        return _symbolic_op("math.negative", lambda a: -a, (self,), {})

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return _symbolic_op("math.abs", abs, (self,), {})

    def __lt__(self, other: Any) -> Any:
        return _symbolic_op("math.less", lambda a, b: a < b, (self, other), {})

    def __le__(self, other: Any) -> Any:
        return _symbolic_op("math.less_equal", lambda a, b: a <= b, (self, other), {})

    def __gt__(self, other: Any) -> Any:
        return _symbolic_op("math.greater", lambda a, b: a > b, (self, other), {})

    def __ge__(self, other: Any) -> Any:
        return _symbolic_op("math.greater_equal", lambda a, b: a >= b, (self, other), {})

    def __and__(self, other: Any) -> Any:
        return _symbolic_op("math.logical_and", lambda a, b: a & b, (self, other), {})

    def __rand__(self, other: Any) -> Any:
        return _symbolic_op("math.logical_and", lambda a, b: a & b, (other, self), {})

    def __ror__(self, other: Any) -> Any:
        return _symbolic_op("math.logical_or", lambda a, b: a | b, (other, self), {})

    def __rmod__(self, other: Any) -> Any:
        return _symbolic_op("math.floormod", lambda a, b: a % b, (other, self), {})

    def __or__(self, other: Any) -> Any:
        return _symbolic_op("math.logical_or", lambda a, b: a | b, (self, other), {})

    def __invert__(self) -> Any:
        return _symbolic_op("math.logical_not", lambda a: ~a, (self,), {})

    def __getitem__(self, key: Any) -> Any:
        return _symbolic_op("__operators__.getitem", _getitem, (self, key), {})


def _getitem(value: Any, key: Any) -> Any:
    return value[key]


def is_keras_tensor(value: Any) -> bool:
    """Whether ``value`` is a symbolic :class:`KerasTensor`."""
    return isinstance(value, KerasTensor)


def _contains_keras_tensor(structure: Any) -> bool:
    return any(isinstance(leaf, KerasTensor) for leaf in _nest.flatten(structure))


# --------------------------------------------------------------- placeholders
def placeholder(kt: KerasTensor, probe: int) -> Any:
    """A real tensor of ``kt``'s dtype and shape, unknown dimensions set to ``_PROBE_SIZES[probe]``.

    Floats are ones (so ``log`` and division give finite values), booleans true, other
    dtypes zeros (so integer inputs are valid indices).
    """
    shape = tuple(_PROBE_SIZES[probe] if d is None else d for d in kt.shape)
    if kt.dtype.is_floating:
        value = tapegrad.ones(shape, dtype=kt.dtype)
    elif kt.dtype == tapegrad.bool:
        value = tapegrad.cast(tapegrad.ones(shape, dtype=tapegrad.int32), tapegrad.bool)
    else:
        value = tapegrad.zeros(shape, dtype=kt.dtype)
    if isinstance(kt._keras_mask, KerasTensor):
        from .layers.base import set_keras_mask

        set_keras_mask(value, placeholder(kt._keras_mask, probe))
    return value


def substitute(structure: Any, probe: int) -> Any:
    """``structure`` with every KerasTensor replaced by its placeholder of run ``probe``."""
    return _nest.map_structure(
        lambda v: placeholder(v, probe) if isinstance(v, KerasTensor) else v, structure
    )


def merge_probe_outputs(first: Any, second: Any, name: str) -> Any:
    """KerasTensors for the outputs of the two placeholder runs: dimensions that differ are unknown."""

    def merge(a: Any, b: Any) -> Any:
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            return a
        dims = [x if x == y else None for x, y in zip(tuple(a.shape), tuple(b.shape))]
        if len(tuple(a.shape)) != len(tuple(b.shape)):
            raise ValueError(
                f"{name}: the output rank depends on the batch size, which Keras cannot represent"
            )
        return KerasTensor(dims, dtype=a.dtype)

    return _nest.map_structure(merge, first, second)


# ------------------------------------------------------------- symbolic ops
def _symbolic_op(
    name: str, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """Record ``function(*args, **kwargs)`` as a ``TFOpLambda`` node; returns its KerasTensor outputs."""
    from .layers.tf_op import TFOpLambda

    return TFOpLambda(function, name=name)(*args, **kwargs)


_INSTALL_LOCK = threading.Lock()
_INSTALLED = False

# Names that must keep their plain behaviour on KerasTensors (conversion to a
# value is meaningless) or that are not ops.
_NOT_DISPATCHED = frozenset(
    {
        "constant",
        "convert_to_tensor",
        "is_tensor",
        "executing_eagerly",
        "executing_eagerly_outside_functions",
        "function",
        "print",
        "get_static_value",
        "custom_gradient",
        "enable_eager_execution",
        "as_dtype",
        "zeros",
        "ones",
        "fill",
        "eye",
        "range",
        "linspace",
        "cond",
        "while_loop",
        "switch_case",
        "foldl",
        "foldr",
        "scan",
        "map_fn",
        "vectorized_map",
    }
)


def _dispatching(qualified: str, op: Callable[..., Any]) -> Callable[..., Any]:
    def op_or_symbolic(*args: Any, **kwargs: Any) -> Any:
        try:
            return op(*args, **kwargs)
        except (TypeError, ValueError, AttributeError):
            if not (_contains_keras_tensor(args) or _contains_keras_tensor(kwargs)):
                raise
        return _symbolic_op(qualified, op, args, kwargs)

    op_or_symbolic.__name__ = getattr(op, "__name__", qualified)
    op_or_symbolic.__qualname__ = op_or_symbolic.__name__
    op_or_symbolic.__doc__ = getattr(op, "__doc__", None)
    op_or_symbolic.__wrapped__ = op  # type: ignore[attr-defined]
    return op_or_symbolic


def install_dispatch() -> None:
    """Let the public tf ops accept KerasTensors (done once, when the first KerasTensor is made)."""
    global _INSTALLED
    if _INSTALLED:
        return
    with _INSTALL_LOCK:
        if _INSTALLED:
            return
        modules = [
            (tapegrad, ""),
            (tapegrad.math, "math."),
            (tapegrad.nn, "nn."),
            (tapegrad.linalg, "linalg."),
        ]
        wrapped: dict[int, Callable[..., Any]] = {}
        for module, prefix in modules:
            for attr, value in list(vars(module).items()):
                if attr.startswith("_") or attr in _NOT_DISPATCHED:
                    continue
                if not isinstance(value, (types.BuiltinFunctionType, types.FunctionType)):
                    continue
                if isinstance(value, types.FunctionType) and value.__module__.startswith("tapegrad.keras"):
                    continue
                # One wrapper per function, so `tf.add is tf.math.add` stays true.
                replacement = wrapped.get(id(value))
                if replacement is None:
                    replacement = _dispatching(prefix + attr, value)
                    wrapped[id(value)] = replacement
                setattr(module, attr, replacement)
        from . import _operator_deferral

        _operator_deferral.install(KerasTensor)
        _INSTALLED = True
