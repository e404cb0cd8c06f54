"""Error classes name their public module, so tracebacks and reprs show where to import them."""

import importlib

import pytest
from _backend import tf


def test_invalid_argument_error_lives_in_an_importable_module():
    cls = tf.errors.InvalidArgumentError
    module = importlib.import_module(cls.__module__)
    assert getattr(module, cls.__name__) is cls
    assert repr(cls) == f"<class '{cls.__module__}.InvalidArgumentError'>"


def test_raised_error_is_the_public_class():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(tf.zeros((2, 3)), (4, 2))
    assert type(info.value) is tf.errors.InvalidArgumentError
    assert type(info.value).__module__ != "_core"
