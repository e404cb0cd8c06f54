"""Small real datasets shipped with tapegrad, for demos and tests.

``load_digits()``: the 1,797 8x8 images of handwritten digits from the UCI ML
"Optical Recognition of Handwritten Digits" test set, as bundled with
scikit-learn (``digits.csv.gz``; BSD 3-Clause licence, see ``DIGITS_LICENSE.txt``
beside it).
"""

from __future__ import annotations

import gzip
import os

import numpy as np

__all__ = ["load_digits"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)``: ``images`` float32 ``(1797, 64)`` with pixel counts 0..16 (row-major 8x8),
    ``labels`` int64 ``(1797,)`` in 0..9."""
    with gzip.open(os.path.join(_HERE, "digits.csv.gz"), "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    return table[:, :-1], table[:, -1].astype(np.int64)
