"""Graph-optimizer switches with TensorFlow's names (``tf.config.optimizer``).

tapegrad has one optimization to switch: ``"fusion"``, the lazy fusion of
elementwise chains on large float32 tensors (on by default; the environment
variable ``TAPEGRAD_NO_FUSION`` turns it off at start). A fused chain is
computed in one pass when first read, with the same bits as op by op, so the
switch changes time and memory only. Other TF option names are accepted and
remembered, as TF's are, but change nothing here.
"""

from __future__ import annotations

from .. import _core

_options: dict[str, bool] = {}


def set_experimental_options(options: dict[str, bool]) -> None:
    """Sets optimizer options; ``{"fusion": False}`` turns lazy fusion off."""
    for key, value in dict(options).items():
        if key == "fusion":
            _core.set_fusion(bool(value))
        else:
            _options[str(key)] = bool(value)


def get_experimental_options() -> dict[str, bool]:
    """The options set so far, with ``"fusion"``'s current value."""
    return {**_options, "fusion": bool(_core.get_fusion())}
