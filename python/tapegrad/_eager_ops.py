"""Graph-era names that mean something simple eagerly: ``py_function`` and ``numpy_function``
call Python at once, ``control_dependencies``/``init_scope``/``device`` are plain contexts,
``no_op``/``group`` do nothing, ``ensure_shape`` checks a shape.

Ops run in ``py_function``'s Python function are recorded like any others, so gradients
flow through it (as in TF); ``numpy_function`` leaves the tape (no gradient, as in TF).
"""

from __future__ import annotations

import builtins
import contextlib
import logging
from collections.abc import Iterator
from typing import Any, Callable

import numpy as np

from . import _core
from ._core import Tensor
from .errors import InvalidArgumentError
from .tensor_spec import PartialShape, TensorSpec

__all__ = [
    "control_dependencies",
    "device",
    "ensure_shape",
    "get_current_name_scope",
    "get_logger",
    "grad_pass_through",
    "group",
    "guarantee_const",
    "init_scope",
    "inside_function",
    "is_symbolic_tensor",
    "no_op",
    "numpy_function",
    "py_function",
    "tuple",
    "type_spec_from_value",
]


def _convert_outputs(out: Any, Tout: Any) -> Any:  # noqa: N803 - TF's argument name
    """``out`` as tensors of the ``Tout`` dtype(s) (a list for a list ``Tout``)."""
    if isinstance(Tout, (list, builtins.tuple)):
        if not isinstance(out, (list, builtins.tuple)):
            out = [out]
        if len(out) != len(Tout):
            raise ValueError(f"The function returned {len(out)} values but Tout has {len(Tout)}")
        return [_convert_outputs(o, t) for o, t in zip(out, Tout)]
    if Tout is None:
        return None
    dtype = _core.as_dtype(Tout)
    if _core.is_tensor(out):
        if not out.dtype == dtype:
            raise InvalidArgumentError(
                f"ValueError: Tensor conversion requested dtype {dtype.name} for Tensor with dtype "
                f"{out.dtype.name} [Op:EagerPyFunc]"
            )
        return out
    return _core.convert_to_tensor(np.asarray(out), dtype=dtype)


def py_function(func: Callable[..., Any] = None, inp: Any = None, Tout: Any = None,  # noqa: N803
                name: str | None = None) -> Any:
    """``func(*inp)`` called now, its results converted to ``Tout``; differentiable through
    the ops ``func`` runs."""
    args = [a if _core.is_tensor(a) else _core.convert_to_tensor(a) for a in (inp or [])]
    return _convert_outputs(func(*args), Tout)


def numpy_function(func: Callable[..., Any] = None, inp: Any = None, Tout: Any = None,  # noqa: N803
                   stateful: bool = True, name: str | None = None) -> Any:
    """``func`` called now on numpy values, its results converted to ``Tout`` (no gradient)."""
    args = [np.asarray(a.numpy()) if _core.is_tensor(a) else np.asarray(a) for a in (inp or [])]
    return _convert_outputs(func(*args), Tout)


def ensure_shape(x: Any, shape: Any, name: str | None = None) -> Tensor:
    """``x`` unchanged when its shape fits ``shape`` (``None`` dimensions match anything).

    Raises:
        InvalidArgumentError: it does not fit.
    """
    t = x if _core.is_tensor(x) else _core.convert_to_tensor(x)
    want = shape if isinstance(shape, PartialShape) else PartialShape(
        None if shape is None else list(shape))
    if not want.is_compatible_with(tuple(t.shape)):
        raise InvalidArgumentError(
            f"Shape of tensor x {list(t.shape)} is not compatible with expected shape "
            f"{want.as_list() if want.rank is not None else '<unknown>'}. [Op:EnsureShape]"
        )
    return _core.identity(t)


@contextlib.contextmanager
def control_dependencies(control_inputs: Any) -> Iterator[None]:
    """A no-op context: eager ops already run in program order."""
    yield None


@contextlib.contextmanager
def init_scope() -> Iterator[None]:
    """A no-op context: there is no graph to lift out of."""
    yield None


@contextlib.contextmanager
def device(device_name: Any) -> Iterator[None]:
    """A no-op context: tapegrad runs on the CPU."""
    yield None


def no_op(name: str | None = None) -> None:
    """Does nothing."""
    return None


def group(*inputs: Any, **kwargs: Any) -> None:
    """Does nothing (the inputs are already computed)."""
    return None


def tuple(tensors: Any, control_inputs: Any = None, name: str | None = None) -> list[Any]:  # noqa: A001
    """The tensors as a list (their values are already computed)."""
    return list(tensors)


def guarantee_const(input: Any, name: str | None = None) -> Tensor:  # noqa: A002
    """``identity``."""
    return _core.identity(input)


def get_current_name_scope() -> str:
    """The empty name scope (names do not affect eager ops)."""
    return ""


def inside_function() -> bool:
    """False: nothing is traced."""
    return False


def is_symbolic_tensor(tensor: Any) -> bool:
    """False: all tensors are eager."""
    return False


def type_spec_from_value(value: Any) -> TensorSpec:
    """The :class:`TensorSpec` of a tensor (or of what ``convert_to_tensor`` makes of ``value``)."""
    return TensorSpec.from_tensor(value)


def get_logger() -> logging.Logger:
    """The ``tensorflow`` logger."""
    return logging.getLogger("tensorflow")


def grad_pass_through(f: Callable[..., Any]) -> Callable[..., Any]:
    """``f`` whose gradient is the identity: each tensor argument receives the incoming gradient
    unchanged (a straight-through estimator); variables read inside ``f`` get none, as in TF."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = f(*args, **kwargs)
        if not _core.is_tensor(result):
            return result
        out = _core.stop_gradient(result)
        for a in args:
            if _core.is_tensor(a) or hasattr(a, "read_value"):
                a = a if _core.is_tensor(a) else a.read_value()
                if a.dtype == out.dtype and a.dtype.is_floating:
                    out = out + (a - _core.stop_gradient(a))
        return out

    return wrapped
