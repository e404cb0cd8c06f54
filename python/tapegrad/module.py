"""``tapegrad.Module``: a container of variables and sub-modules, like ``tf.Module``.

``variables``, ``trainable_variables`` and ``submodules`` are found by walking the
instance's attributes in sorted-name order, descending into lists, tuples and dicts
(``tapegrad._nest``) and then into the sub-modules found, exactly as TensorFlow does.

Name scopes are kept in a small thread-local stack owned by this module: a Keras
layer that creates a variable inside ``with module.name_scope:`` gets the name
``"module/dense/kernel:0"``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from typing import Any, Callable, TypeVar

from . import _nest

__all__ = ["Module", "NameScope", "camel_to_snake", "current_name_scope", "scoped_name"]

_F = TypeVar("_F", bound=Callable[..., Any])

_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def camel_to_snake(value: str) -> str:
    """``"MyDenseModule"`` -> ``"my_dense_module"`` (TensorFlow's rule for default names)."""
    return _CAMEL_TO_SNAKE.sub(r"_\1", value).lower()


class _ScopeStack(threading.local):
    def __init__(self) -> None:
        self.scopes: list[NameScope] = []


_SCOPES = _ScopeStack()


def current_name_scope() -> str:
    """The active name scope as ``"outer/inner"``, or ``""`` outside every scope."""
    return "/".join(scope.name for scope in _SCOPES.scopes)


def innermost_name_scope() -> NameScope | None:
    """The innermost active :class:`NameScope`, or None outside every scope."""
    return _SCOPES.scopes[-1] if _SCOPES.scopes else None


def scoped_name(name: str) -> str:
    """``name`` prefixed with the active name scope (``"outer/inner/name"``)."""
    prefix = current_name_scope()
    return f"{prefix}/{name}" if prefix else name


class NameScope:
    """A re-enterable context manager that pushes ``name`` on the name-scope stack."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> str:
        _SCOPES.scopes.append(self)
        return current_name_scope() + "/"

    def __exit__(self, *exc_info: object) -> None:
        _SCOPES.scopes.pop()

    def __repr__(self) -> str:
        return f"NameScope({self.name!r})"


def _is_variable(value: Any) -> bool:
    import tapegrad

    return isinstance(value, tapegrad.Variable)


def _is_trainable_variable(value: Any) -> bool:
    return _is_variable(value) and bool(getattr(value, "trainable", True))


class Module:
    """Base class for objects that own variables, mirroring ``tf.Module``.

    ```python
    >>> import tapegrad as tf
    >>> class Affine(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable(2.0, name="w")
    ...         self.b = tf.Variable(1.0, name="b", trainable=False)
    >>> [v.name for v in Affine().trainable_variables]
    ['w:0']

    ```
    """

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = camel_to_snake(type(self).__name__)
        elif not _VALID_NAME.match(name):
            raise ValueError(
                f"{name!r} is not a valid module name: use letters, digits, '_', '.' and '-', "
                "starting with a letter or '_'"
            )
        self._name = name
        self._name_scope = NameScope(name)

    @property
    def name(self) -> str:
        """The module's name, given at construction or derived from the class name."""
        return self._name

    @property
    def name_scope(self) -> NameScope:
        """A context manager that opens this module's name scope."""
        return self._name_scope

    @property
    def variables(self) -> tuple[Any, ...]:
        """Every ``tapegrad.Variable`` owned by this module and its sub-modules."""
        return tuple(self._flatten(_is_variable))

    @property
    def trainable_variables(self) -> tuple[Any, ...]:
        """The trainable subset of :attr:`variables`, in the same order."""
        return tuple(self._flatten(_is_trainable_variable))

    @property
    def non_trainable_variables(self) -> tuple[Any, ...]:
        """The non-trainable subset of :attr:`variables`, in the same order."""
        return tuple(self._flatten(lambda v: _is_variable(v) and not _is_trainable_variable(v)))

    @property
    def submodules(self) -> tuple[Module, ...]:
        """Every module reachable from this one (not including itself), outer ones first."""
        return tuple(self._flatten(lambda v: isinstance(v, Module)))

    def _flatten(self, predicate: Callable[[Any], bool]) -> Iterator[Any]:
        """Yield the values below this module that satisfy ``predicate``, each once."""
        return _walk(self, predicate, seen={id(self)}, stack=[])

    @classmethod
    def with_name_scope(cls, method: _F) -> _F:
        """Decorator: run ``method`` inside ``self.name_scope``."""

        @functools.wraps(method)
        def wrapper(self: Module, *args: Any, **kwargs: Any) -> Any:
            with self.name_scope:
                return method(self, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} name={self.name!r}>"


def _walk(
    module: Module, predicate: Callable[[Any], bool], seen: set[int], stack: list[int]
) -> Iterator[Any]:
    """TensorFlow's ``_flatten_module``: attributes sorted by name, then sub-modules in found order."""
    recursive = id(module) not in stack
    submodules: list[Module] = []
    attributes = vars(module)
    for key in sorted(attributes):
        for leaf in _nest.flatten(attributes[key]):
            if id(leaf) in seen:
                continue
            seen.add(id(leaf))
            if predicate(leaf):
                yield leaf
            if recursive and isinstance(leaf, Module):
                submodules.append(leaf)
    stack.append(id(module))
    for sub in submodules:
        yield from _walk(sub, predicate, seen, stack)
    stack.pop()
