"""``tf.linalg.LinearOperatorFullMatrix``: the dense operator, with the everyday methods.

Each method is the dense op on the wrapped matrix (``matmul``, ``solve``,
``det``, ``cholesky``, ...), so gradients flow to the matrix (a tensor or a
``tf.Variable``) through those ops' rules.
"""

from __future__ import annotations

from typing import Any

from . import _core
from ._core import Tensor, convert_to_tensor
from ._shape import TensorShape


class LinearOperatorFullMatrix:
    """A ``[..., M, N]`` matrix as a linear operator (TF's ``LinearOperatorFullMatrix``)."""

    def __init__(
        self,
        matrix: Any,
        is_non_singular: bool | None = None,
        is_self_adjoint: bool | None = None,
        is_positive_definite: bool | None = None,
        is_square: bool | None = None,
        name: str = "LinearOperatorFullMatrix",
    ) -> None:
        dense = convert_to_tensor(matrix)
        if len(dense.shape) < 2:
            raise ValueError(f"Argument `matrix` must have at least 2 dimensions. Received: {dense}.")
        if not dense.dtype.is_floating:
            raise TypeError(f"Argument `matrix` must have a float dtype; got {dense.dtype.name}.")
        m, n = int(dense.shape[-2]), int(dense.shape[-1])
        if is_square is False and m == n:
            raise ValueError("A square operator was declared `is_square=False`.")
        if is_positive_definite and is_non_singular is False:
            raise ValueError("A positive definite matrix is always non-singular.")
        self._matrix = matrix
        self._m, self._n = m, n
        self.is_non_singular = is_non_singular
        self.is_self_adjoint = is_self_adjoint
        self.is_positive_definite = is_positive_definite
        self.is_square = True if m == n else is_square
        self.name = name

    def _dense(self) -> Tensor:
        # Read the matrix on each use, so a Variable is watched and its current value used.
        return convert_to_tensor(self._matrix)

    @property
    def dtype(self) -> Any:
        """The matrix's dtype."""
        return self._dense().dtype

    @property
    def shape(self) -> TensorShape:
        """``[..., M, N]``."""
        return TensorShape(list(self._dense().shape))

    @property
    def batch_shape(self) -> TensorShape:
        """The leading dims."""
        return TensorShape(list(self._dense().shape)[:-2])

    @property
    def domain_dimension(self) -> int:
        """``N``, the size of the vectors the operator acts on."""
        return self._n

    @property
    def range_dimension(self) -> int:
        """``M``, the size of its results."""
        return self._m

    @property
    def tensor_rank(self) -> int:
        """The rank of the matrix tensor."""
        return len(self._dense().shape)

    def to_dense(self, name: str = "to_dense") -> Tensor:
        """The matrix."""
        return self._dense()

    def matmul(self, x: Any, adjoint: bool = False, adjoint_arg: bool = False, name: str = "matmul") -> Any:
        """``A @ x`` (``Aᵀ`` with ``adjoint``; ``xᵀ`` with ``adjoint_arg``); ``x`` may be an operator."""
        if isinstance(x, LinearOperatorFullMatrix):
            x = x.to_dense()
            product = _core.matmul(self._dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)
            return LinearOperatorFullMatrix(product)
        return _core.matmul(self._dense(), x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def __matmul__(self, x: Any) -> Any:
        return self.matmul(x)

    def matvec(self, x: Any, adjoint: bool = False, name: str = "matvec") -> Tensor:
        """``A @ x`` for vectors ``x: [..., N]``."""
        column = _core.expand_dims(convert_to_tensor(x, dtype=self.dtype), -1)
        return _core.squeeze(_core.matmul(self._dense(), column, adjoint_a=adjoint), -1)

    def solve(
        self, rhs: Any, adjoint: bool = False, adjoint_arg: bool = False, name: str = "solve"
    ) -> Tensor:
        """``X`` with ``A X = rhs`` (Cholesky when declared positive definite and self-adjoint)."""
        rhs = convert_to_tensor(rhs, dtype=self.dtype)
        if adjoint_arg:
            rank = len(rhs.shape)
            rhs = _core.transpose(rhs, perm=[*range(rank - 2), rank - 1, rank - 2])
        if self.is_positive_definite and self.is_self_adjoint:
            chol = _core.cholesky(self._dense())
            y = _core.matrix_triangular_solve(chol, rhs, lower=True)
            return _core.matrix_triangular_solve(chol, y, lower=True, adjoint=True)
        return _core.matrix_solve(self._dense(), rhs, adjoint=adjoint)

    def solvevec(self, rhs: Any, adjoint: bool = False, name: str = "solve") -> Tensor:
        """``x`` with ``A x = rhs`` for vectors ``rhs: [..., M]``."""
        column = _core.expand_dims(convert_to_tensor(rhs, dtype=self.dtype), -1)
        return _core.squeeze(self.solve(column, adjoint=adjoint), -1)

    def determinant(self, name: str = "det") -> Tensor:
        """``det(A)``."""
        return _core.matrix_determinant(self._dense())

    def log_abs_determinant(self, name: str = "log_abs_det") -> Tensor:
        """``log|det(A)|``."""
        return _core.log_matrix_determinant(self._dense())[1]

    def trace(self, name: str = "trace") -> Tensor:
        """The sum of the diagonal."""
        return _core.trace(self._dense())

    def diag_part(self, name: str = "diag_part") -> Tensor:
        """The main diagonal."""
        return _core.matrix_diag_part(self._dense())

    def cholesky(self, name: str = "cholesky") -> LinearOperatorFullMatrix:
        """The lower Cholesky factor, as an operator."""
        return LinearOperatorFullMatrix(_core.cholesky(self._dense()), is_non_singular=True)

    def inverse(self, name: str = "inverse") -> LinearOperatorFullMatrix:
        """``A⁻¹``, as an operator."""
        return LinearOperatorFullMatrix(_core.matrix_inverse(self._dense()), is_non_singular=True)

    def adjoint(self, name: str = "adjoint") -> LinearOperatorFullMatrix:
        """``Aᵀ``, as an operator."""
        x = self._dense()
        rank = len(x.shape)
        return LinearOperatorFullMatrix(
            _core.transpose(x, perm=[*range(rank - 2), rank - 1, rank - 2]),
            is_non_singular=self.is_non_singular,
            is_self_adjoint=self.is_self_adjoint,
            is_positive_definite=self.is_positive_definite,
        )

    H = property(adjoint)

    def eigvals(self, name: str = "eigvals") -> Tensor:
        """The eigenvalues of a self-adjoint operator, ascending."""
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        return _core.self_adjoint_eigvals(self._dense())

    def add_to_tensor(self, x: Any, name: str = "add_to_tensor") -> Tensor:
        """``A + x``."""
        return self._dense() + convert_to_tensor(x, dtype=self.dtype)

    def __repr__(self) -> str:
        return (
            f'<tf.linalg.LinearOperatorFullMatrix "{self.name}" has shape={list(self.shape)} '
            f"and dtype={self.dtype.name}>"
        )
