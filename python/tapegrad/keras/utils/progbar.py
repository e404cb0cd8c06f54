"""``keras.utils.Progbar``: the progress bar ``fit`` prints with ``verbose=1`` (and the
one-line epoch summary of ``verbose=2``), in Keras 3's format::

    32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy: 0.9062 - loss: 0.3010

On a terminal the line is redrawn in place (with Keras' colours); when the output
is a file or a pipe only the finished line is written, so logs stay readable.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["Progbar"]

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _interactive() -> bool:
    stream = sys.stdout
    return (
        bool(getattr(stream, "isatty", lambda: False)())
        or "ipykernel" in sys.modules
        or ("PYCHARM_HOSTED" in os.environ)
    )


def _format_value(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _format_step_time(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


class Progbar:
    """A progress bar over ``target`` steps (``None`` when unknown).

    ``update(current, values)`` moves it to step ``current``; ``values`` are
    ``(name, value)`` pairs, averaged over the steps seen unless the name is in
    ``stateful_metrics`` (then shown as given, as ``fit`` does for metric results).
    ``verbose=2`` prints only the final line.
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Provide only one of `stateful_metrics` and `stateless_metrics`.")
        self.target = target
        self.width = int(width)
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self._dynamic = _interactive()
        self._values: dict[str, list[float]] = {}
        self._order: list[str] = []
        self._seen = 0
        self._start = time.time()
        self._last_update = 0.0
        self._after_first_step: float | None = None
        self._prev_width = 0

    def _is_stateless(self, name: str) -> bool:
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in (self.stateless_metrics or set())

    def _step_time(self, current: int, now: float) -> float:
        if not current:
            return 0.0
        if self._after_first_step is not None and current > 1:
            per_step = (now - self._after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._after_first_step = now
        return per_step

    def update(
        self, current: int, values: Iterable[tuple[str, Any]] | None = None, finalize: bool | None = None
    ) -> None:
        """Show step ``current`` with ``values`` (``(name, value)`` pairs)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            value = float(np.mean(np.asarray(value)))
            if name not in self._order:
                self._order.append(name)
            if self._is_stateless(name) and not finalize:
                weight = max(current - self._seen, 1)
                total = self._values.setdefault(name, [0.0, 0.0])
                total[0] += value * weight
                total[1] += weight
            elif self._is_stateless(name):
                self._values[name] = [value, 1.0]
            else:
                self._values[name] = [value, 1.0]
        self._seen = current
        now = time.time()
        per_step = self._step_time(current, now)
        metrics = "".join(
            f" - {name}: {_format_value(self._values[name][0] / max(self._values[name][1], 1.0))}"
            for name in self._order
        )
        if self.verbose == 1:
            if not finalize and (now - self._last_update < self.interval or not self._dynamic):
                return
            self._last_update = now
            print(
                self._line(current, now, per_step, finalize, metrics),
                end="\n" if finalize else "",
                flush=True,
            )
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            print(
                f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s - "
                f"{_format_step_time(per_step, self.unit_name)}{metrics}",
                flush=True,
            )

    def _line(self, current: int, now: float, per_step: float, finalize: bool, metrics: str) -> str:
        color = self._dynamic
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            filled = min(int(self.width * current / self.target), self.width)
            if color:
                done, todo = "━" * filled, "━" * (self.width - filled)
                bar = f"{_BOLD}{count}{_RESET} {_GREEN}{done}{_RESET}{_GREY}{todo}{_RESET}"
            else:
                bar = (
                    f"{count} {'━' * self.width}"
                    if finalize
                    else f"{count} {'━' * filled}{'─' * (self.width - filled)}"
                )
        else:
            bar = f"{current:7d}/Unknown"
        if self.target and not finalize:
            eta = per_step * (self.target - current)
            if eta > 3600:
                clock = f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                clock = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                clock = f"{int(eta)}s"
        else:
            clock = f"{now - self._start:.0f}s"
        clock = f"{_BOLD}{clock}{_RESET}" if color else clock
        line = f"{bar} {clock} {_format_step_time(per_step, self.unit_name)}{metrics}"
        if not self._dynamic:
            return line
        visible = len(line) - (line.count("\x1b[") * 4 if color else 0)
        padding = " " * max(self._prev_width - visible, 0)
        self._prev_width = visible
        return "\r" + line + padding

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advance by ``n`` steps."""
        self.update(self._seen + n, values)
