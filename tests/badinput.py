"""Generated bad input for the property-based tests (``test_bad_input*.py``).

The property every public function must have: given any value for one
argument (and good values for the rest), it either works or raises one of
its documented exceptions, ``TypeError`` and ``ValueError`` unless it says
otherwise, with a message that names the argument. No ``AttributeError``
from deep inside torch, no ``KeyError``, no crash without a name.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

DOCUMENTED = (TypeError, ValueError)

_DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64, torch.int32, torch.uint8, torch.bool,
           torch.complex64]
_SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, math.nan, math.inf, -math.inf]


@st.composite
def tensors(draw, dtypes=_DTYPES, max_dim: int = 3, max_side: int = 3):
    """Small tensors of any dtype and shape (0-d and empty included), sometimes holding nan or inf."""
    dtype = draw(st.sampled_from(dtypes))
    shape = tuple(draw(st.lists(st.integers(0, max_side), max_size=max_dim)))
    t = torch.randn(shape, generator=torch.Generator().manual_seed(draw(st.integers(0, 2**16))), dtype=torch.float64)
    if t.numel() and draw(st.booleans()):
        t.view(-1)[draw(st.integers(0, t.numel() - 1))] = draw(st.sampled_from(_SPECIAL))
    if dtype.is_floating_point:
        t = t.to(dtype)  # 1e300 becomes inf in float32: still a value a learner may meet
    elif dtype.is_complex:
        t = t.to(dtype)
    elif dtype == torch.bool:
        t = t.nan_to_num() > 0
    else:
        t = (t.nan_to_num(0, 1e3, -1e3) * 3).to(torch.int64).clamp(-5, 300).to(dtype) if dtype != torch.uint8 \
            else (t.nan_to_num(0, 1, 0).abs() * 50).clamp(0, 255).to(dtype)
    if t.dim() >= 2 and draw(st.booleans()):
        t = t.transpose(0, 1)  # non-contiguous
    return t


class UserError(Exception):
    """What a user's own function raises: it must reach the user unchanged, not be swallowed or renamed."""


def users(value, classes: bool = False):
    """``value``, or if it is a function, one whose own failures are UserErrors, so that ``check`` can tell
    them from the library's: what a user's function raises reaches the user unchanged. Classes stay as
    they are (a library refuses them where it wants an instance) unless ``classes``."""
    if not callable(value) or (isinstance(value, type) and not classes):
        return value

    def call(*args, **kwargs):
        try:
            return value(*args, **kwargs)
        except Exception as err:
            raise UserError(f"{type(err).__name__}: {err}") from err
    return call


def _raising(*args, **kwargs):
    raise UserError("a user's function that fails")


def scalars():
    return st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.just(2**64), st.just(-(2**64)),
                     st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(_SPECIAL),
                     st.text(max_size=4), st.binary(max_size=3), st.just(np.float32(0.5)), st.just(np.int64(2)))


def junk():
    """Anything at all: scalars, strings, containers, tensors, arrays, classes, odd objects and functions."""
    leaf = st.one_of(
        scalars(),
        tensors(),
        tensors().map(lambda t: t.numpy() if t.dtype != torch.bfloat16 else t),
        st.sampled_from([object(), int, float, str, nn.Module, nn.MSELoss, nn.Linear(2, 2), torch.Tensor,
                         torch.device("cpu"), torch.float32, Ellipsis, print, range(3), iter([1, 2])]),
        st.just(_raising),
    )
    return st.recursive(leaf, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.tuples(inner, inner), st.dictionaries(st.text(max_size=3), inner, max_size=2),
        inner.map(lambda v: (lambda *a, **k: v)),  # a callable that returns junk
    ), max_leaves=4)


def check(call, name: str, allowed: tuple = DOCUMENTED):
    """Run ``call()``: success is fine; an exception must be one of ``allowed`` and name ``name``."""
    try:
        return call()
    except UserError:
        return None  # the user's own error, passed on unchanged: documented behaviour
    except allowed as err:
        message = str(err)
        assert name in message, f"{type(err).__name__} does not name the argument {name!r}: {message}"
    except Exception as err:  # noqa: BLE001: the point is to see anything else
        raise AssertionError(f"undocumented {type(err).__name__} for bad {name}: {err}") from err
    return None
