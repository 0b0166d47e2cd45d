"""Inputs, targets and outputs that are one tensor, a tuple of tensors or a dict of named tensors.

A model with several inputs gets a tuple as positional arguments, ``model(*x)``, and a dict as keyword
arguments, ``model(**x)`` (so the names are those of its ``forward``). One level of nesting only.
"""
from __future__ import annotations

import torch

from dlnotes import _checks


def tensors(value) -> list[torch.Tensor]:
    """The tensors of a structure, in order (a dict in its key order)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, dict):
        return list(value.values())
    return list(value)


def is_structure(value) -> bool:
    """A tensor, or a non-empty tuple/list of tensors, or a non-empty dict of str -> tensor."""
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (tuple, list)):
        return bool(value) and all(isinstance(t, torch.Tensor) for t in value)
    if isinstance(value, dict):
        return bool(value) and all(isinstance(k, str) and isinstance(t, torch.Tensor) for k, t in value.items())
    return False


def show_shapes(value) -> str:
    if isinstance(value, torch.Tensor):
        return str(tuple(value.shape))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {tuple(t.shape)}" for k, t in value.items()) + "}"
    return "(" + ", ".join(str(tuple(t.shape)) for t in value) + ")"


def rows(value) -> int:
    """The batch size: the first dimension (the same for every tensor, as batch() checked)."""
    return tensors(value)[0].shape[0]


def to(value, device: torch.device):
    if isinstance(value, torch.Tensor):
        return value.to(device, non_blocking=True)  # a no-op if already there
    if isinstance(value, dict):
        return {k: t.to(device, non_blocking=True) for k, t in value.items()}
    return tuple(t.to(device, non_blocking=True) for t in value)


def detach(value):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, dict):
        return {k: t.detach() for k, t in value.items()}
    return tuple(t.detach() for t in value)


def call(model, x):
    """``model(x)``, ``model(*x)`` for a tuple of inputs, ``model(**x)`` for a dict of named inputs."""
    if isinstance(x, torch.Tensor):
        return model(x)
    if isinstance(x, dict):
        return model(**x)
    return model(*x)


def check(value, name: str, what: str) -> None:
    """A batch's inputs or targets: a structure of tensors that all have the same number of rows (>= 1)."""
    if not is_structure(value):
        raise TypeError(f"{name} must yield tensors (or a tuple or dict of tensors), got {what} that are "
                        f"{_checks.show(value)}")
    parts = tensors(value)
    for t in parts:
        if t.dim() == 0 or t.shape[0] == 0:
            raise ValueError(f"{name} yielded a batch with no samples: {what} are {show_shapes(value)}")
    if len({t.shape[0] for t in parts}) > 1:
        raise ValueError(f"{name} yielded {what} whose tensors have different numbers of rows: "
                         f"{show_shapes(value)}; every tensor of a batch needs one row per sample")
