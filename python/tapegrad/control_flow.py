"""Eager control flow with TensorFlow's signatures: ``cond``, ``while_loop``, ``map_fn`` and friends.

tapegrad executes eagerly, so (as TensorFlow does in eager mode) each construct
simply runs its Python callables; every op they apply is recorded on the active
tapes, so gradients flow through the branch taken and through every loop
iteration. Per-element results are combined with ``stack``, which is
differentiable too.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import _core, _nest, nest
from .errors import InvalidArgumentError

__all__ = ["cond", "foldl", "foldr", "map_fn", "scan", "switch_case", "vectorized_map", "while_loop"]


def _require_callable(fn: Any, what: str, caller: str) -> None:
    if fn is None:
        raise TypeError(f"{caller}(): '{what}' argument required")
    if not callable(fn):
        raise TypeError(f"'{what}' must be callable.")


def _truth(pred: Any) -> bool:
    """The Python truth value of a predicate (a bool or a one-element boolean tensor)."""
    if _core.is_tensor(pred):
        value = np.asarray(pred.numpy())
        if value.size != 1:
            raise ValueError(f"The predicate must be a scalar, got a tensor of shape {list(value.shape)}")
        return bool(value.reshape(()))
    return bool(pred)


def cond(
    pred: Any,
    true_fn: Callable[[], Any] | None = None,
    false_fn: Callable[[], Any] | None = None,
    name: str | None = None,
) -> Any:
    """TF's ``cond``: ``true_fn()`` if ``pred`` else ``false_fn()``, returned unchanged.

    Only the branch taken runs, so only it is recorded and differentiated.
    """
    _require_callable(true_fn, "true_fn", "cond")
    _require_callable(false_fn, "false_fn", "cond")
    return true_fn() if _truth(pred) else false_fn()  # type: ignore[misc]


def switch_case(
    branch_index: Any, branch_fns: Any, default: Callable[[], Any] | None = None, name: str = "switch_case"
) -> Any:
    """TF's ``switch_case``: run ``branch_fns[branch_index]`` (a list, or a dict of int keys).

    An index with no branch runs ``default``, or the last branch when there is none.
    """
    index = int(np.asarray(branch_index.numpy() if _core.is_tensor(branch_index) else branch_index))
    if isinstance(branch_fns, dict):
        fns = dict(branch_fns)
    elif all(isinstance(f, tuple) for f in branch_fns):  # a list of (index, fn) pairs
        fns = dict(branch_fns)
    else:
        fns = dict(enumerate(branch_fns))
    if not fns:
        raise ValueError("Must provide at least one item in branch_fns")
    fallback = default if default is not None else fns[max(fns)]
    return fns.get(index, fallback)()


def _to_tensor(x: Any) -> Any:
    """Leaves of a loop result become tensors (as TF converts them); tensors pass through,
    and so do TensorArrays (TF carries them as loop variables)."""
    from .tensor_array import TensorArray

    if _core.is_tensor(x) or x is None or isinstance(x, TensorArray):
        return x
    return _core.convert_to_tensor(x)


def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    maximum_iterations: Any = None,
    name: str | None = None,
) -> Any:
    """TF's ``while_loop``: repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``.

    ``loop_vars`` is a list or tuple (possibly nested); ``cond`` and ``body`` get its
    items as arguments and ``body`` returns the same structure. Stops after
    ``maximum_iterations`` iterations if given. Returns the final loop variables,
    leaves converted to tensors, in the structure ``body`` returned.

    Raises:
        ValueError: ``loop_vars`` is empty, or ``body`` changes the structure.
        TypeError: ``cond`` or ``body`` is not callable.
    """
    _require_callable(cond, "cond", "while_loop")
    _require_callable(body, "body", "while_loop")
    if not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    if not isinstance(loop_vars, (list, tuple)):
        raise TypeError(f"'loop_vars' must be a list or tuple, got {type(loop_vars).__name__}")
    limit = None
    if maximum_iterations is not None:
        value = np.asarray(
            maximum_iterations.numpy() if _core.is_tensor(maximum_iterations) else maximum_iterations
        )
        if value.ndim != 0:
            raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: {list(value.shape)}")
        limit = int(value)
    structure = list(loop_vars)
    iterations = 0
    while (limit is None or iterations < limit) and _truth(cond(*loop_vars)):
        loop_vars = body(*loop_vars)
        if not isinstance(loop_vars, (list, tuple)):
            loop_vars = (loop_vars,)
        nest.assert_same_structure(structure, list(loop_vars), check_types=False)
        iterations += 1
    return _nest.map_structure(_to_tensor, loop_vars)


def _unstacked_elems(elems: Any, caller: str) -> tuple[list[Any], int]:
    """The leaves of ``elems`` as tensors split along axis 0, and their common length."""
    leaves = [_core.convert_to_tensor(x) if not _core.is_tensor(x) else x for x in _nest.flatten(elems)]
    if not leaves:
        raise ValueError(f"{caller}: elems must contain at least one tensor")
    for leaf in leaves:
        if len(leaf.shape) == 0:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = int(leaves[0].shape[0])
    for leaf in leaves[1:]:
        if int(leaf.shape[0]) != n:
            raise ValueError(f"Dimensions {n} and {int(leaf.shape[0])} are not compatible")
    return [_core.unstack(leaf, num=n) if n else [] for leaf in leaves], n


def _stack_results(results: list[Any]) -> Any:
    """Stack per-element results (same structure each) leaf by leaf along a new axis 0."""
    flats = [_nest.flatten(r) for r in results]
    stacked = [_core.stack([_to_tensor(x) for x in column]) for column in zip(*flats)]
    return _nest.pack_sequence_as(results[0], stacked)


def _empty_like_signature(signature: Any, elems_leaves: list[Any], elems: Any) -> Any:
    """Outputs for zero elements: length-0 tensors shaped after ``fn_output_signature`` (or ``elems``)."""
    if signature is None:
        return _nest.pack_sequence_as(elems, [_core.zeros([0], dtype=leaf.dtype) for leaf in elems_leaves])

    def empty(spec: Any) -> Any:
        dtype = getattr(spec, "dtype", spec)
        shape = [int(d) for d in getattr(spec, "shape", ())]
        return _core.zeros([0, *shape], dtype=_core.as_dtype(dtype))

    return _nest.map_structure(empty, signature)


def map_fn(
    fn: Callable[[Any], Any],
    elems: Any,
    dtype: Any = None,
    parallel_iterations: int | None = None,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    name: str | None = None,
    fn_output_signature: Any = None,
) -> Any:
    """TF's ``map_fn``: apply ``fn`` to each slice along axis 0 of ``elems`` and stack the results.

    ``elems`` may be a structure of tensors (all with the same first dim); ``fn``
    receives one slice in that structure and may return any structure of tensors.
    ``fn_output_signature`` (or the TF 1 ``dtype``) is only needed for zero elements.
    Gradients flow to ``elems`` and to anything ``fn`` closes over.
    """
    _require_callable(fn, "fn", "map_fn")
    signature = fn_output_signature if fn_output_signature is not None else dtype
    slices, n = _unstacked_elems(elems, "map_fn")
    if n == 0:
        return _empty_like_signature(signature, [s for s in _nest.flatten(elems)], elems)
    results = [fn(_nest.pack_sequence_as(elems, [column[i] for column in slices])) for i in range(n)]
    return _stack_results(results)


def vectorized_map(
    fn: Callable[[Any], Any], elems: Any, fallback_to_while_loop: bool = True, warn: bool = True
) -> Any:
    """TF's ``vectorized_map``: the same values as :func:`map_fn` (tapegrad runs it element by element)."""
    return map_fn(fn, elems)


def _scan_steps(
    fn: Callable[[Any, Any], Any], elems: Any, initializer: Any, reverse: bool, caller: str
) -> tuple[list[Any], Any]:
    """Run ``acc = fn(acc, x)`` over the slices of ``elems``; return every accumulator and the last.

    Without an initializer the first slice (last when ``reverse``) is the start value
    and is itself the first accumulator, as in TensorFlow.
    """
    _require_callable(fn, "fn", caller)
    slices, n = _unstacked_elems(elems, caller)
    order = list(range(n))[::-1] if reverse else list(range(n))
    accs: list[Any] = []

    def element(i: int) -> Any:
        return _nest.pack_sequence_as(elems, [column[i] for column in slices])

    if initializer is None:
        if n == 0:
            raise InvalidArgumentError(f"{caller}: Tried to read from index 0 but array size is: 0")
        acc = element(order[0])
        accs.append(acc)
        order = order[1:]
    else:
        acc = _nest.map_structure(_to_tensor, initializer)
    for i in order:
        acc = fn(acc, element(i))
        accs.append(acc)
    return accs, acc


def scan(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    reverse: bool = False,
    name: str | None = None,
) -> Any:
    """TF's ``scan``: the stacked running accumulators ``acc_i = fn(acc_{i-1}, elems[i])``.

    With ``reverse=True`` it scans from the last element; results keep the order of
    ``elems``. The output has the structure of ``initializer`` (or of ``elems``).
    """
    accs, _ = _scan_steps(fn, elems, initializer, reverse, "scan")
    if not accs:
        leaves = [_to_tensor(x) for x in _nest.flatten(initializer)]
        return _nest.pack_sequence_as(
            initializer, [_core.zeros([0, *x.shape], dtype=x.dtype) for x in leaves]
        )
    return _stack_results(accs[::-1] if reverse else accs)


def foldl(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
) -> Any:
    """TF's ``foldl``: ``fn(...fn(fn(initializer, elems[0]), elems[1])..., elems[-1])``."""
    return _scan_steps(fn, elems, initializer, False, "foldl")[1]


def foldr(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
) -> Any:
    """TF's ``foldr``: folds from the last element to the first."""
    return _scan_steps(fn, elems, initializer, True, "foldr")[1]
