"""``Model.summary()``: Keras' table of layers, output shapes and parameter counts."""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["print_summary"]


def _format_shape(layer: Any, node: Any = None) -> str:
    try:
        if node is not None:
            outputs = node.outputs
        elif layer._inbound_nodes:
            outputs = layer._inbound_nodes[-1].outputs
        else:
            return "?"
    except (AttributeError, IndexError):
        return "?"
    from .. import _nest

    flat = _nest.flatten(outputs) if _nest.is_nested(outputs) else [outputs]
    shapes = [
        str(tuple(t.shape)).replace(",)", ")") if len(t.shape) != 1 else str(tuple(t.shape)) for t in flat
    ]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _count(layer: Any) -> Any:
    return layer.count_params() if layer.built else 0


def _connections(node: Any) -> str:
    parts = []
    for tensor in node.input_tensors:
        layer, node_index, tensor_index = tensor._keras_history
        parts.append(f"{layer.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) if parts else "-"


def _wrap(text: str, width: int) -> list[str]:
    lines = []
    while len(text) > width:
        # Break after a comma or at a space (as Keras does), else mid-word.
        cut = text.rfind(", ", 0, width)
        cut = cut + 1 if cut > 0 else text.rfind(" ", 0, width + 1)
        cut = width if cut <= 0 else cut
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    lines.append(text)
    return lines


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Any = None,
    print_fn: Callable[..., Any] | None = None,
) -> None:
    """Print ``model``'s table: one row per layer (per call, for shared layers), then the totals."""
    emit = print_fn or print
    functional = bool(model.__dict__.get("_is_graph_network"))
    headers = ["Layer (type)", "Output Shape", "Param #"]
    if functional:
        headers.append("Connected to")
    line_length = line_length or (98 if functional else 65)
    fractions = positions or ([0.33, 0.55, 0.67, 1.0] if functional else [0.45, 0.85, 1.0])
    stops = [int(line_length * p) if p <= 1 else int(p) for p in fractions]
    widths = [stops[0]] + [b - a for a, b in zip(stops, stops[1:])]

    rows: list[list[str]] = []
    if functional:
        for node in model._nodes:
            layer = node.layer
            rows.append(
                [
                    f"{layer.name} ({type(layer).__name__})",
                    _format_shape(layer, node),
                    str(_count(layer)),
                    _connections(node),
                ]
            )
    else:
        for layer in model.layers:
            rows.append(
                [
                    f"{layer.name} ({type(layer).__name__})",
                    _format_shape(layer),
                    str(_count(layer)) if layer.built else "0 (unbuilt)",
                ]
            )

    def emit_row(cells: list[str]) -> None:
        wrapped = [_wrap(cell, max(w - 1, 8)) for cell, w in zip(cells, widths)]
        for i in range(max(len(w) for w in wrapped)):
            line = "".join((w[i] if i < len(w) else "").ljust(width) for w, width in zip(wrapped, widths))
            emit(line.rstrip())

    emit(f'Model: "{model.name}"')
    emit("_" * line_length)
    emit_row(headers)
    emit("=" * line_length)
    for i, row in enumerate(rows):
        emit_row(row)
        if i != len(rows) - 1:
            emit("")
    trainable = sum(int(_size(w)) for w in model.trainable_weights)
    total = sum(int(_size(w)) for w in model.weights)
    emit("=" * line_length)
    emit(f"Total params: {total:,}")
    emit(f"Trainable params: {trainable:,}")
    emit(f"Non-trainable params: {total - trainable:,}")
    emit("_" * line_length)


def _size(variable: Any) -> int:
    size = 1
    for d in variable.shape:
        size *= int(d)
    return size
