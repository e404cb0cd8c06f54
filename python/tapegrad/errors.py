"""TensorFlow's exception names (``tf.errors``)."""

from __future__ import annotations

from . import _core
from ._core import InvalidArgumentError, ResourceExhaustedError

#: Raised by ops given an argument they cannot use (a ``ValueError``).
InvalidArgumentError = InvalidArgumentError

#: Raised when memory for a result cannot be allocated (also a ``MemoryError``).
ResourceExhaustedError = ResourceExhaustedError


class InternalError(Exception):
    """A bug inside tapegrad: a Rust panic caught at the binding (TF's ``InternalError``).

    An ``Exception``, so ``except Exception`` catches it; the message is the
    panic's. No instance attributes (``__slots__ = ()``): the class PyO3 raises
    for panics is rebased under this one, which needs the same object layout.
    """

    __slots__ = ()

#: TF's base class; tapegrad's op errors are ``ValueError``s.
OpError = ValueError


def _rebase_panics() -> None:
    """Make the class PyO3 raises for a caught Rust panic an ``InternalError``.

    PyO3's ``PanicException`` derives from ``BaseException``, so ``except
    Exception`` misses it. Rebasing it (once, at import) under ``InternalError``
    turns every panic that reaches Python into an ``InternalError`` (and so an
    ``Exception``) without a wrapper around each op.
    """
    panic_type = _core._panic_exception_type()
    if not issubclass(panic_type, InternalError):
        panic_type.__bases__ = (InternalError,)


_rebase_panics()

__all__ = ["InternalError", "InvalidArgumentError", "OpError", "ResourceExhaustedError"]
