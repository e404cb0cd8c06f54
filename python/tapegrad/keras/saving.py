"""``Model.save_weights`` / ``load_weights``: Keras 3's ``.weights.h5`` layout, or a ``.npz``.

The layout is Keras 3's: every layer is a group named after its class in snake
case (``dense``, ``dense_1`` for the second Dense under the same parent,
``sequential``, ``input_layer``), holding ``vars/0``, ``vars/1``... (the layer's
own variables, trainable first, in creation order; the ``vars`` group carries
the layer's name as an attribute) and ``layers/<child>`` for its sub-layers. The
model itself is the root (``/vars``, ``/layers/...``); the optimizer's variables
(``iterations``, learning rate, slots in creation order) are under
``/optimizer/vars``, so training resumes exactly where it stopped. A ``.npz``
file holds the same arrays under the same paths (``"layers/dense/vars/0"``) and
needs only NumPy. h5py is optional (``pip install tapegrad[h5]``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import backend

__all__ = ["load_weights", "save_weights"]


def _format(filepath: str) -> str:
    if filepath.endswith(".npz"):
        return "npz"
    if filepath.endswith(".h5"):
        return "h5"
    raise ValueError(
        "The filename must end in `.weights.h5` (Keras' layout, needs h5py) or `.npz` (NumPy only). "
        f"Received: filepath={filepath}"
    )


def _h5py() -> Any:
    try:
        import h5py
    except ImportError:
        raise ImportError(
            "Saving or loading `.weights.h5` files needs h5py: `pip install h5py` "
            "(or `pip install tapegrad[h5]`), or use a `.npz` filename instead."
        ) from None
    return h5py


def _own_variables(layer: Any) -> list[Any]:
    return [*layer.__dict__.get("_trainable_weights", []), *layer.__dict__.get("_non_trainable_weights", [])]


def _children(layer: Any) -> list[Any]:
    from .layers.tf_op import TFOpLambda
    from .models import Model

    if isinstance(layer, Model):
        return list(layer.layers)
    return [child for child in layer.__dict__.get("_layers", []) if not isinstance(child, TFOpLambda)]


def _walk(layer: Any, path: str) -> Iterator[tuple[str, Any]]:
    """``(path, layer)`` for ``layer`` and every sub-layer, depth first, with Keras 3's group names."""
    yield path, layer
    counts: defaultdict[str, int] = defaultdict(int)
    for child in _children(layer):
        base = backend.to_snake_case(type(child).__name__)
        index = counts[base]
        counts[base] += 1
        name = base if index == 0 else f"{base}_{index}"
        yield from _walk(child, f"{path}layers/{name}/")


def _collect(model: Any) -> list[tuple[str, str, list[Any]]]:
    """``(group path, layer name, own variables)`` for the model's layers, then the optimizer."""
    groups = [(f"{path}vars", layer.name, _own_variables(layer)) for path, layer in _walk(model, "")]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None:
        if hasattr(optimizer, "build"):
            optimizer.build(model.trainable_variables)
        groups.append(("optimizer/vars", getattr(optimizer, "name", "optimizer"), list(optimizer.variables)))
    return groups


def save_weights(model: Any, filepath: Any, overwrite: bool = True) -> None:
    """Write every weight of ``model`` (and its optimizer's state) to ``filepath``."""
    filepath = os.fspath(filepath)
    kind = _format(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath} exists and overwrite=False")
    groups = _collect(model)
    if kind == "npz":
        # Any values: NumPy's stub would read a key named allow_pickle as that flag.
        arrays: dict[str, Any] = {}
        for group, _name, variables in groups:
            for i, variable in enumerate(variables):
                arrays[f"{group}/{i}"] = np.asarray(variable.numpy())
        with open(filepath, "wb") as handle:
            np.savez(handle, **arrays)
        return
    h5py = _h5py()
    with h5py.File(filepath, "w") as file:
        for group, name, variables in groups:
            node = file.require_group(group)
            node.attrs["name"] = name
            for i, variable in enumerate(variables):
                node.create_dataset(str(i), data=np.asarray(variable.numpy()))


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False) -> None:
    """Assign the weights stored in ``filepath`` to ``model`` (and its optimizer, if both have one)."""
    filepath = os.fspath(filepath)
    kind = _format(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath}")
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built: build it (call it on data, or give it an Input) before "
            "load_weights, so that its weights exist."
        )
    if kind == "npz":
        with np.load(filepath) as data:
            stored = {key: data[key] for key in data.files}
        _assign_all(model, lambda group, i: stored.get(f"{group}/{i}"), skip_mismatch)
        return
    h5py = _h5py()
    with h5py.File(filepath, "r") as file:

        def read(group: str, i: int) -> Any:
            key = f"{group}/{i}"
            return np.asarray(file[key]) if key in file else None

        _assign_all(model, read, skip_mismatch)


def _assign_all(model: Any, read: Any, skip_mismatch: bool) -> None:
    for group, name, variables in _collect(model):
        optimizer = group.startswith("optimizer/")
        for i, variable in enumerate(variables):
            value = read(group, i)
            if value is None:
                if optimizer or skip_mismatch:
                    continue  # a file saved before training has no optimizer state
                raise ValueError(
                    f"Layer {name!r} expected {len(variables)} variables, "
                    f"but the file has none at {group}/{i}."
                )
            if tuple(value.shape) != tuple(variable.shape):
                if skip_mismatch:
                    continue
                raise ValueError(
                    f"Layer {name!r} weight {i} has shape {tuple(variable.shape)}, "
                    "but the saved value has shape "
                    f"{tuple(value.shape)} ({group}/{i})."
                )
            variable.assign(value.astype(variable.dtype.name, copy=False))
