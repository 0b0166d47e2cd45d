"""Transfer learning: reuse part of a trained network in a new one.

Parts are named by the prefix of their parameters' names, as ``model.named_parameters()`` gives
them: in ``nn.Sequential(OrderedDict(features=..., head=...))`` the backbone is ``"features"``.

- :func:`load_backbone` copies a part out of a :class:`~dlnotes.callbacks.ModelCheckpoint` file
  into a new model, and refuses a file whose part does not fit, naming each mismatch;
- :func:`freeze` and :func:`unfreeze` switch ``requires_grad`` of a part (a linear probe trains
  the new head alone on a frozen backbone);
- :func:`parameter_groups` gives each part its own learning rate, e.g. a smaller one for a
  pre-trained backbone being fine-tuned; ``fit`` logs each group's rate as ``lr_<name>``.

>>> from collections import OrderedDict
>>> net = nn.Sequential(OrderedDict(features=nn.Linear(4, 3), head=nn.Linear(3, 2)))
>>> freeze(net, "features")
['features.bias', 'features.weight']
>>> [group["name"] for group in parameter_groups(net, {"head": 0.1})]
['head']
"""
from __future__ import annotations

import torch
from torch import nn

from dlnotes import _checks
from dlnotes.checkpoints import CheckpointError, load_checkpoint

__all__ = ["freeze", "load_backbone", "parameter_groups", "unfreeze"]


def _prefixes(value, name: str) -> tuple[str, ...]:
    """One prefix or several, as a tuple of non-empty strings."""
    values = (value,) if isinstance(value, str) else value
    if not isinstance(values, (tuple, list)) or not values or not all(isinstance(v, str) and v for v in values):
        raise TypeError(f"{name} must be a part's name such as 'features', or a list of them, got {_checks.show(value)}")
    return tuple(values)


def _in_part(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith(prefix + ".")


def _parts(keys) -> list[str]:
    """The top-level names among ``keys``: what a user can pass as a prefix."""
    return sorted({key.split(".")[0] for key in keys})


def _matching(model: nn.Module, prefixes: tuple[str, ...], name: str) -> dict[str, nn.Parameter]:
    params = dict(model.named_parameters())
    for prefix in prefixes:
        if not any(_in_part(key, prefix) for key in params):
            raise ValueError(f"{name}={prefix!r} matches no parameter of the model; its parts are {_parts(params)}")
    return {key: p for key, p in params.items() if any(_in_part(key, prefix) for prefix in prefixes)}


def _switch(model, parts, trainable: bool, name: str) -> list[str]:
    _checks.module(model)
    chosen = dict(model.named_parameters()) if parts is None else _matching(model, _prefixes(parts, name), name)
    for p in chosen.values():
        p.requires_grad_(trainable)
    return sorted(chosen)


def freeze(model: nn.Module, parts=None) -> list[str]:
    """Stop training the parameters of ``parts`` (a name or a list; None: all); returns their names.

    Frozen parameters get no gradient, so an optimizer built from ``parameter_groups`` leaves them
    out. Batch-norm running statistics are buffers, not parameters: they still update in
    ``model.train()`` mode.
    """
    return _switch(model, parts, False, "parts")


def unfreeze(model: nn.Module, parts=None) -> list[str]:
    """Train the parameters of ``parts`` again (None: all); returns their names."""
    return _switch(model, parts, True, "parts")


def parameter_groups(model: nn.Module, lrs: dict) -> list[dict]:
    """Optimizer parameter groups, one per part: ``{"features": 1e-4, "head": 1e-2}``.

    Each group is ``{"name": part, "params": [...], "lr": rate}`` with the part's trainable
    parameters, ready for ``torch.optim.SGD(parameter_groups(model, lrs), ...)``. Every trainable
    parameter must belong to exactly one part: one left out would silently never train.
    """
    _checks.module(model)
    if not isinstance(lrs, dict) or not lrs:
        raise TypeError(f"lrs must be a dict of learning rates by part, e.g. {{'features': 1e-4, 'head': 1e-2}}, "
                        f"got {_checks.show(lrs)}")
    groups, claimed = [], {}
    for part, lr in lrs.items():
        _prefixes(part, "lrs")
        lr = _checks.number(lr, f"lrs[{part!r}]", minimum=0)
        trainable = {key: p for key, p in _matching(model, (part,), "lrs").items() if p.requires_grad}
        if not trainable:
            raise ValueError(f"lrs names {part!r}, whose parameters are all frozen; unfreeze it or leave it out")
        for key in trainable:
            if key in claimed:
                raise ValueError(f"lrs gives {key!r} two rates, through parts {claimed[key]!r} and {part!r}")
            claimed[key] = part
        groups.append({"name": part, "params": list(trainable.values()), "lr": lr})
    left_out = [key for key, p in model.named_parameters() if p.requires_grad and key not in claimed]
    if left_out:
        raise ValueError(f"lrs leaves out trainable parameters {left_out}, which would never train; "
                         f"give their part a rate or freeze it (parts: {_parts(dict(model.named_parameters()))})")
    return groups


def load_backbone(model: nn.Module, path, part: str = "features") -> list[str]:
    """Copy the parameters and buffers of ``part`` from a ModelCheckpoint file into ``model``.

    The file is verified as ``fit(resume_from=...)`` verifies it. ``model`` must have the same
    part, tensor for tensor with the same shapes; anything else raises a ``ValueError`` that lists
    each mismatch (a missing, an extra or a differently shaped tensor), and nothing is copied.
    The rest of ``model`` (a new head) is left as it is. Returns the names copied.
    """
    _checks.module(model)
    _prefixes(part, "part")
    saved = load_checkpoint(path, "path")["model"]
    where = f"path={str(path)!r}"
    theirs = {key: t for key, t in saved.items() if _in_part(key, part)}
    if not theirs:
        raise CheckpointError(f"{where} holds no part {part!r}; its parts are {_parts(saved)}")
    state = model.state_dict()
    ours = {key: t for key, t in state.items() if _in_part(key, part)}
    problems = [f"{key}: saved {tuple(t.shape)}, model {tuple(ours[key].shape)}"
                for key, t in theirs.items() if key in ours and ours[key].shape != t.shape]
    problems += [f"{key}: in the file, not in the model" for key in theirs if key not in ours]
    problems += [f"{key}: in the model, not in the file" for key in ours if key not in theirs]
    if problems:
        raise ValueError(f"{where}: part {part!r} does not fit the model, so nothing was loaded:\n  "
                         + "\n  ".join(problems) + "\nbuild the model's backbone as it was when it was saved")
    with torch.no_grad():
        for key, t in theirs.items():
            state[key].copy_(t)  # state_dict tensors share storage with the model's own
    return sorted(theirs)
