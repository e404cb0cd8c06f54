"""TensorFlow's exception names (``tf.errors``)."""

from __future__ import annotations

from ._core import InvalidArgumentError

#: Raised by ops given an argument they cannot use (a ``ValueError``).
InvalidArgumentError = InvalidArgumentError

#: TF's base class; tapegrad's op errors are ``ValueError``s.
OpError = ValueError



class OutOfRangeError(ValueError):
    """An iterator was read past its end (``tf.errors.OutOfRangeError``; a ``ValueError`` like
    tapegrad's other op errors)."""


class DataLossError(ValueError):
    """Data was lost or corrupted, e.g. padding to a smaller size (``tf.errors.DataLossError``)."""


__all__ = ["DataLossError", "InvalidArgumentError", "OpError", "OutOfRangeError"]
