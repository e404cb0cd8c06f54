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



class OutOfRangeError(ValueError):
    """An iterator was read past its end (``tf.errors.OutOfRangeError``; a ``ValueError`` like
    tapegrad's other op errors)."""


class DataLossError(ValueError):
    """Data was lost or corrupted, e.g. padding to a smaller size (``tf.errors.DataLossError``)."""


__all__ = ["DataLossError", "InvalidArgumentError", "OpError", "OutOfRangeError"]


class _StatusError(ValueError):
    """Base of the other ``tf.errors`` classes (all ``ValueError``s here, like the op errors)."""


class AbortedError(_StatusError):
    """``tf.errors.AbortedError``."""


class AlreadyExistsError(_StatusError):
    """``tf.errors.AlreadyExistsError``."""


class CancelledError(_StatusError):
    """``tf.errors.CancelledError``."""


class DeadlineExceededError(_StatusError):
    """``tf.errors.DeadlineExceededError``."""


class FailedPreconditionError(_StatusError):
    """``tf.errors.FailedPreconditionError`` (e.g. reading an uninitialised value)."""


class NotFoundError(_StatusError):
    """``tf.errors.NotFoundError``."""


class PermissionDeniedError(_StatusError):
    """``tf.errors.PermissionDeniedError``."""


class UnauthenticatedError(_StatusError):
    """``tf.errors.UnauthenticatedError``."""


class UnavailableError(_StatusError):
    """``tf.errors.UnavailableError``."""


class UnimplementedError(_StatusError):
    """``tf.errors.UnimplementedError``."""


class UnknownError(_StatusError):
    """``tf.errors.UnknownError``."""


class OperatorNotAllowedInGraphError(TypeError):
    """``tf.errors.OperatorNotAllowedInGraphError`` (never raised: tapegrad is eager)."""


# TF's status codes (``tf.errors.OK`` ... ``DATA_LOSS``).
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16

__all__ += [
    "ABORTED", "ALREADY_EXISTS", "AbortedError", "AlreadyExistsError", "CANCELLED", "CancelledError",
    "DATA_LOSS", "DEADLINE_EXCEEDED", "DeadlineExceededError", "FAILED_PRECONDITION",
    "FailedPreconditionError", "INTERNAL", "INVALID_ARGUMENT", "InternalError", "NOT_FOUND",
    "NotFoundError", "OK", "OUT_OF_RANGE", "OperatorNotAllowedInGraphError", "PERMISSION_DENIED",
    "PermissionDeniedError", "RESOURCE_EXHAUSTED", "ResourceExhaustedError", "UNAUTHENTICATED",
    "UNAVAILABLE", "UNIMPLEMENTED", "UNKNOWN", "UnauthenticatedError", "UnavailableError",
    "UnimplementedError", "UnknownError",
]


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

