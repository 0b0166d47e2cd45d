"""Argument checks shared by every public entry point of ``dlnotes`` and ``dlnotes.scratch``.

One rule for the whole package: a public function checks its arguments here,
before doing any work, and a bad one raises ``TypeError`` (wrong kind of
thing) or ``ValueError`` (right kind, value not accepted) whose message starts
with the argument's name and says what is accepted. Nothing else is allowed
to surface from bad input: no ``AttributeError`` from deep inside torch, no
silent broadcast, no nan.

Each check returns the value in its normalised form (``int``, ``float``,
``Path``, ``torch.device``), so a caller writes ``epochs = integer(epochs,
"epochs", minimum=1)`` and uses the result.
"""
from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import torch


def show(value, limit: int = 80) -> str:
    """A short description of ``value`` for an error message (tensors by dtype and shape, not content)."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} numpy array of shape {value.shape}"
    if isinstance(value, type):
        return f"the class {value.__module__}.{value.__qualname__}"
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real message
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[:limit - 3]}..."


def flag(value, name: str) -> bool:
    """``True`` or ``False`` only: ``0``, ``"yes"`` or ``None`` are refused, not guessed at."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


def integer(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (not a bool, not a float that happens to be whole) in [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {show(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer {_range(minimum, maximum)}, got {value}")
    return value


def number(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
           above: float | None = None, below: float | None = None, finite: bool = True) -> float:
    """A real number: ``minimum``/``maximum`` are inclusive bounds, ``above``/``below`` exclusive ones.

    nan is always refused (every comparison with it is False, so it would pass any bound unnoticed).
    """
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.requires_grad:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real number, got {show(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int too large for a float, e.g. 10**400
        raise ValueError(f"{name} must be a {'finite ' if finite else ''}number, got an integer of "
                         f"{len(str(abs(int(value))))} digits") from None
    if math.isnan(value) or (finite and math.isinf(value)):
        raise ValueError(f"{name} must be a {'finite ' if finite else ''}number, got {value}")
    low_ok = (minimum is None or value >= minimum) and (above is None or value > above)
    high_ok = (maximum is None or value <= maximum) and (below is None or value < below)
    if not (low_ok and high_ok):
        parts = [f">= {minimum}" if minimum is not None else None, f"> {above}" if above is not None else None,
                 f"<= {maximum}" if maximum is not None else None, f"< {below}" if below is not None else None]
        raise ValueError(f"{name} must be a number {' and '.join(p for p in parts if p)}, got {value}")
    return value


def _range(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"in [{minimum}, {maximum}]"
    return f">= {minimum}" if minimum is not None else f"<= {maximum}"


def one_of(value, name: str, choices: tuple):
    """One of a few fixed strings (or other constants), compared exactly."""
    try:
        ok = any(type(value) is type(c) and value == c for c in choices)
    except Exception:  # an object whose == raises
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {show(value)}")
    return value


def function(value, name: str, what: str):
    """A callable; ``what`` says which one, e.g. ``"(output, target) -> scalar tensor"``.

    A class is refused even though calling it is legal: ``loss=nn.MSELoss`` (no parentheses)
    would build a loss module from the model's output instead of computing a loss.
    """
    if isinstance(value, type):
        raise TypeError(f"{name} must be a callable {what}, got {show(value)}: create an instance, "
                        f"e.g. {value.__name__}()")
    if not callable(value):
        raise TypeError(f"{name} must be a callable {what}, got {show(value)}")
    return value


def instance(value, name: str, cls, what: str):
    """An instance of ``cls`` (a class or tuple of classes); ``what`` names it for the reader."""
    if isinstance(value, type) and isinstance(cls, type) and issubclass(value, cls):
        raise TypeError(f"{name} must be {what}, got {show(value)}: create an instance, e.g. {value.__name__}(...)")
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {what}, got {show(value)}")
    return value


def module(value, name: str = "model") -> torch.nn.Module:
    return instance(value, name, torch.nn.Module, "a torch.nn.Module")


def tensor(value, name: str, *, floating: bool = False, min_dim: int = 0, dims: tuple | None = None,
           nonempty: bool = False) -> torch.Tensor:
    """A ``torch.Tensor``; ``floating`` asks for a floating-point dtype, ``dims`` for one of these ``dim()``s."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor{' of floats' if floating else ''}, got {show(value)}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor (e.g. {name}.float()), got {show(value)}")
    if dims is not None and value.dim() not in dims:
        raise ValueError(f"{name} must have {' or '.join(map(str, dims))} dimensions, got {show(value)}")
    if value.dim() < min_dim:
        raise ValueError(f"{name} must have at least {min_dim} dimension(s), got {show(value)}")
    if nonempty and value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got {show(value)}")
    return value


def path(value, name: str) -> Path:
    if isinstance(value, bytes) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a str or path-like, got {show(value)}")
    text = os.fspath(value)
    if not text or "\x00" in text:
        raise ValueError(f"{name} must be a file name, got {show(value)}")
    return Path(text)


def device(value, name: str = "device") -> torch.device:
    """``None`` (the best this machine has), ``"cuda"``, ``"cuda:N"``, ``"mps"``, ``"cpu"`` or a ``torch.device``.

    The same rules and messages as :func:`dlnotes.device`, with the caller's argument name.
    """
    from dlnotes.devices import resolve  # devices imports nothing from here: no cycle at import time
    if value is not None and not isinstance(value, (str, torch.device)):
        raise TypeError(f"{name} must be None, a string such as 'cuda' or 'cpu', or a torch.device, "
                        f"got {show(value)}")
    if isinstance(value, torch.device):
        value = str(value)
    if value is not None and not value.strip():
        raise ValueError(f"{name}='' is not a device; accepted: None (the best here), 'cuda', 'cuda:N', 'mps', 'cpu'")
    return resolve(value, name)


# ---------------------------------------------------------------- fit, evaluate, predict: their arguments

RESERVED_LOG_KEYS = ("epoch", "loss", "lr", "time")
MEAN_REDUCTIONS = ("mean", "batchmean")  # batchmean: KLDivLoss's true per-sample mean
PER_BATCH_SCHEDULERS = ("OneCycleLR", "CyclicLR")  # built in steps, not epochs: torch's docs step them per batch
SCHEDULER_INTERVALS = ("epoch", "batch")


def _classification_losses() -> tuple:
    return (torch.nn.CrossEntropyLoss, torch.nn.NLLLoss)  # integer targets index the classes


def _same_shape_losses() -> tuple:
    nn = torch.nn  # losses that compare output and target element by element
    return (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.KLDivLoss,
            nn.PoissonNLLLoss, nn.SoftMarginLoss, nn.MultiLabelSoftMarginLoss)


def loss_function(loss, name: str = "loss"):
    """A callable ``(output, target) -> scalar`` whose value is a per-sample mean.

    ``reduction="sum"`` would be logged batch-size times too large (and averaged over batches of
    different sizes wrongly); ``"none"`` is not one number. Both are refused where they can be seen:
    on a loss module, or a ``functools.partial`` of a functional loss.
    """
    import functools
    function(loss, name, "(output, target) -> scalar tensor, e.g. nn.CrossEntropyLoss()")
    reduction = getattr(loss, "reduction", None)
    if reduction is None and isinstance(loss, functools.partial):
        reduction = loss.keywords.get("reduction")
    if reduction is not None and reduction not in MEAN_REDUCTIONS:
        raise ValueError(f"{name} has reduction={reduction!r}, but fit and evaluate report the mean loss per "
                         "sample: use reduction='mean' (the default). A 'sum' loss only scales the gradient "
                         "by the batch size; scale the learning rate instead.")
    return loss


def metrics(value, name: str = "metrics") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict of name -> callable, e.g. {{'accuracy': accuracy}}, got {show(value)}")
    for key, fn in value.items():
        if not isinstance(key, str) or not key or key in RESERVED_LOG_KEYS or key.startswith("val_"):
            raise ValueError(f"{name} names must be strings other than {RESERVED_LOG_KEYS} and not start with "
                             f"'val_' (fit adds that prefix), got {show(key)}")
        function(fn, f"{name}[{key!r}]", "(output, target) -> scalar tensor")
    return dict(value)


def _as_list(value, name: str, what: str) -> list:
    if isinstance(value, (str, bytes, dict, torch.Tensor, np.ndarray)):
        raise TypeError(f"{name} must be {what}, got {show(value)}")
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{name} must be {what}, got {show(value)}") from None


def callbacks(value, name: str = "callbacks") -> list:
    from dlnotes.callbacks import Callback
    if value is None:
        return []
    if isinstance(value, Callback):
        raise TypeError(f"{name} must be a list of Callback objects; wrap a single one: {name}=[cb]")
    value = _as_list(value, name, "a list of dlnotes Callback objects")
    for cb in value:
        instance(cb, name, Callback, "a list of dlnotes.callbacks.Callback objects")
    return value


def optimizer(value, model, name: str = "optimizer") -> torch.optim.Optimizer:
    instance(value, name, torch.optim.Optimizer, "a torch.optim.Optimizer, e.g. torch.optim.SGD(model.parameters(), lr=0.1)")
    own = {id(p) for p in model.parameters()}
    foreign = sum(id(p) not in own for group in value.param_groups for p in group["params"])
    if foreign:
        raise ValueError(f"{name} holds {foreign} parameter(s) that do not belong to model; build it from "
                         "this model, e.g. torch.optim.SGD(model.parameters(), lr=0.1), after creating the model")
    return value


def data(value, name: str):
    """An iterable of ``(x, y)`` batches: a TensorLoader, a DataLoader, a list of pairs."""
    from torch.utils.data import Dataset
    if isinstance(value, Dataset) and not hasattr(value, "__iter__"):
        raise TypeError(f"{name} is a Dataset, which yields single samples; wrap it in "
                        f"torch.utils.data.DataLoader({name}, batch_size=...) to get batches")
    if isinstance(value, (torch.Tensor, np.ndarray, str, bytes, dict, type)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (x, y) batches such as TensorLoader(x, y) or a "
                        f"DataLoader, got {show(value)}")
    try:
        n = len(value)
    except TypeError:  # an iterable without a length: checked once it has been iterated
        return value
    if n == 0:
        raise ValueError(f"{name} is empty: it yields no batch")
    return value


def scheduler(value, optimizer, *, interval, monitor, val, metric_names, steps_per_epoch, epochs):
    """Check a scheduler against the run; returns ``(interval, monitor)`` with the defaults filled in.

    ``interval``: ``"epoch"`` or ``"batch"``; ``None`` means per batch for OneCycleLR and CyclicLR (built
    in steps) and per epoch for the rest. ``monitor`` (ReduceLROnPlateau only): the log key it steps on,
    by default ``val_loss``; it must move in the direction of the scheduler's ``mode``.
    """
    from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

    from dlnotes.callbacks import direction
    if value is None:
        if interval is not None or monitor is not None:
            raise ValueError("scheduler_interval and scheduler_monitor need a scheduler; pass scheduler=...")
        return None, None
    instance(value, "scheduler", (LRScheduler, ReduceLROnPlateau), "a torch.optim.lr_scheduler object or None")
    if value.optimizer is not optimizer:
        raise ValueError("scheduler was built for another optimizer; build it from the optimizer passed to fit")
    kind = type(value).__name__
    if interval is None:
        interval = "batch" if kind in PER_BATCH_SCHEDULERS else "epoch"
    one_of(interval, "scheduler_interval", SCHEDULER_INTERVALS)
    if isinstance(value, ReduceLROnPlateau):
        if interval == "batch":
            raise ValueError("scheduler_interval='batch' does not suit ReduceLROnPlateau, which steps on a value "
                             "measured once per epoch; use 'epoch'")
        if monitor is None:
            if value.mode == "max":
                raise ValueError("scheduler is ReduceLROnPlateau(mode='max'), which lowers the rate when a value "
                                 "stops growing; say which one: scheduler_monitor='val_accuracy' (or another "
                                 "metric that grows)")
            monitor = "val_loss"
        if not isinstance(monitor, str):
            raise TypeError(f"scheduler_monitor must be a log key such as 'val_loss', got {show(monitor)}")
        keys = ["loss", *metric_names]
        keys += [f"val_{k}" for k in keys] if val is not None else []
        if monitor not in keys:
            hint = " (val_* keys need val data passed to fit)" if monitor.startswith("val_") and val is None else ""
            raise ValueError(f"scheduler_monitor={monitor!r} is not a key fit logs; available: {keys}{hint}")
        way = direction(monitor)
        if way is not None and way != value.mode:
            raise ValueError(f"scheduler_monitor={monitor!r} should {'grow' if way == 'max' else 'shrink'} as the "
                             f"model improves, but the scheduler is ReduceLROnPlateau(mode={value.mode!r}), which "
                             f"would lower the rate while it improves; build it with mode={way!r}")
    elif monitor is not None:
        raise ValueError(f"scheduler_monitor is only for ReduceLROnPlateau; {kind} does not read a value")
    total = getattr(value, "total_steps", None)  # OneCycleLR: stepping past it raises mid-training
    if total is not None and steps_per_epoch is not None:
        needed = epochs * (steps_per_epoch if interval == "batch" else 1)
        if total < needed:
            per = f"{epochs} epochs x {steps_per_epoch} batches" if interval == "batch" else f"{epochs} epochs"
            raise ValueError(f"scheduler is {kind} with total_steps={total}, but fit steps it {needed} times "
                             f"({per}); build it with epochs={epochs}, steps_per_epoch=len(train)"
                             + (" or pass scheduler_interval='batch'" if interval == "epoch" else ""))
    return interval, monitor


def generators(value, name: str = "generators") -> list:
    if isinstance(value, torch.Generator):
        return [value]
    value = _as_list(value, name, "a list of torch.Generator objects")
    for g in value:
        instance(g, name, torch.Generator, "a list of torch.Generator objects")
    return value


# ---------------------------------------------------------------- fit, evaluate, predict: what the data yields

def batch(value, name: str) -> tuple:
    """Every batch: an ``(x, y)`` pair of tensors with at least one sample (no host sync needed)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        what = f"{len(value)} items" if isinstance(value, (tuple, list)) else show(value)
        raise ValueError(f"{name} must yield (x, y) pairs, got a batch of {what}")
    from dlnotes import _structure  # here: _structure imports this module
    x, y = value
    _structure.check(x, name, "inputs")    # a tensor, or a tuple or dict of them for several inputs
    _structure.check(y, name, "targets")   # a tensor, or a dict of them for several outputs
    return x, y  # rows of x against rows of y: checked against the model's outputs, which says more


def inputs(model, x, name: str) -> None:
    """First batch: the inputs are tensors (or a tuple or dict of them) whose floating dtype matches the weights."""
    from dlnotes import _structure
    if not _structure.is_structure(x):
        raise TypeError(f"{name} must yield tensors (or a tuple or dict of tensors), got inputs that are {show(x)}")
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    for t in _structure.tensors(x):
        if weight is not None and t.is_floating_point() and t.dtype != weight.dtype:
            raise ValueError(f"{name} inputs are {t.dtype} but the model's weights are {weight.dtype}; convert "
                             "the data, e.g. x.float() (numpy arrays are float64 by default)")


def forward_failure(model, x, name: str, err: Exception) -> None:
    """The model raised on the first batch: say which data it failed on, and the fix when it is plain."""
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    if not isinstance(x, torch.Tensor):  # several inputs: integer codes are normal there (embeddings)
        from dlnotes import _structure
        raise ValueError(f"model failed on the first batch of {name}, whose inputs are {_structure.show_shapes(x)} "
                         f"({type(err).__name__}: {err}); a tuple of inputs is passed as model(*x), a dict as "
                         "model(**x): check that forward takes them, with these names") from err
    if weight is not None and not x.is_floating_point():
        raise TypeError(f"{name} inputs are {x.dtype} but the model's weights are {weight.dtype}, and the model "
                        f"failed on them ({type(err).__name__}: {err}). Convert the inputs: x.float() / 255 for "
                        "uint8 pixels, or load them with fashion_mnist(normalize='unit')") from err
    raise ValueError(f"model failed on the first batch of {name}, whose inputs are {show(x)} "
                     f"({type(err).__name__}: {err}); check that the data has the shape the model expects") from err


def outputs(out, y, loss, name: str) -> None:
    """First batch: catch the mistakes that would otherwise fail obscurely, or silently."""
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"model must return a tensor, got {show(out)}")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{name} must yield tensor targets, got {show(y)}")
    if out.dim() == 0 or y.dim() == 0 or out.shape[0] != y.shape[0]:
        raise ValueError(f"model output has shape {tuple(out.shape)} but {name} targets have shape "
                         f"{tuple(y.shape)}: their batch sizes (first dimensions) must match")
    if isinstance(loss, _classification_losses()):
        _class_targets(out, y, loss, name)
        return
    if isinstance(loss, _same_shape_losses()) and out.shape != y.shape:
        raise ValueError(f"model output has shape {tuple(out.shape)} but {name} targets have shape "
                         f"{tuple(y.shape)}; {type(loss).__name__} would broadcast them and average the wrong "
                         "pairs; use y.unsqueeze(1) or out.squeeze(1)")
    try:  # whatever the loss is, a broadcast that makes more pairs than either side holds averages wrong pairs
        broadcast = torch.broadcast_shapes(out.shape, y.shape)
    except RuntimeError:
        return
    if math.prod(broadcast) > max(out.numel(), y.numel()):
        raise ValueError(f"model output has shape {tuple(out.shape)} but {name} targets have shape "
                         f"{tuple(y.shape)}; a loss would broadcast them to {tuple(broadcast)} and average the "
                         "wrong pairs: make them match, e.g. y.unsqueeze(1) or out.squeeze(1)")


def _class_targets(out, y, loss, name: str) -> None:
    what = type(loss).__name__
    if out.dim() < 2 or out.shape[1] < 2:
        raise ValueError(f"{what} needs model outputs of shape (B, C) with C >= 2 class scores, got "
                         f"{tuple(out.shape)}; for two classes with one logit use nn.BCEWithLogitsLoss")
    if y.is_floating_point():
        if y.shape != out.shape:
            raise ValueError(f"{name} targets are {y.dtype} of shape {tuple(y.shape)}: class indices must be "
                             f"integers (y.long()); float targets are probabilities of the output's shape "
                             f"{tuple(out.shape)}")
        return
    expected = out.shape[:1] + out.shape[2:]
    if y.shape != expected:
        hint = " (use y.squeeze(1))" if y.shape == expected + (1,) or y.shape == (out.shape[0], 1) else ""
        raise ValueError(f"{name} targets have shape {tuple(y.shape)} but {what} on outputs {tuple(out.shape)} "
                         f"needs one class index per row, shape {tuple(expected)}{hint}")
    labels_in_range(out, y, loss, name)


def labels_in_range(out, y, loss, name: str) -> None:
    """Integer class labels in [0, C) (ignore_index excepted); one host sync: call it on the first batch, or
    after the loss has failed, to say why."""
    if y.is_floating_point() or out.dim() < 2:
        return
    classes = out.shape[1]
    labels = y[y != getattr(loss, "ignore_index", -100)]
    if labels.numel():
        low, high = torch.stack([labels.min(), labels.max()]).tolist()
        if low < 0 or high >= classes:
            raise ValueError(f"{name} labels must be in [0, {classes}) for {type(loss).__name__} on a model "
                             f"with {classes} outputs, got labels from {low} to {high}")


def loss_value(value, name: str = "loss", training: bool = False) -> torch.Tensor:
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        raise ValueError(f"{name} must return a scalar tensor (a mean, reduction='mean'), got {show(value)}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must return a real floating-point tensor, got {show(value)}")
    if training and not value.requires_grad:
        raise ValueError(f"{name} must return a tensor computed from the model's output, so that it has a "
                         f"gradient; got {show(value)} that does not require grad (a constant, or .item()/"
                         ".detach() inside the loss)")
    return value


def metric_value(value, name: str) -> torch.Tensor:
    """A metric's result as a 0-d tensor: a one-element tensor or a real number, nothing else."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1 or value.is_complex():
            raise ValueError(f"{name} must return a scalar, got {show(value)}")
        return value.reshape(())
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{name} must return a scalar tensor or a number, got {show(value)}")
    return torch.tensor(float(value))



def dimension(value, name: str, of: torch.Tensor, of_name: str) -> int:
    """An index of a dimension of the tensor ``of`` (the argument ``of_name``): an int in [-n, n - 1].

    A 0-d tensor counts as n = 1, as in torch (softmax and sums take dim 0 or -1 on it). The message
    names both arguments, since either may be the wrong one.
    """
    value = integer(value, name)
    n = max(of.dim(), 1)
    if not -n <= value < n:
        raise ValueError(f"{name} must be in [{-n}, {n - 1}] for {of_name} of shape {tuple(of.shape)}, "
                         f"got {value}")
    return value


def seed(value, name: str = "seed") -> int | None:
    """``None`` (fresh entropy) or an integer in [0, 2**32), the range NumPy's and torch's seeds accept."""
    return None if value is None else integer(value, name, minimum=0, maximum=2**32 - 1)


def search_space(value, name: str, *, distributions: bool = False) -> list[dict]:
    """A dict of ``name -> values`` or a non-empty list of such dicts, as scikit-learn's searches take.

    Values are non-empty sequences (list, tuple, 1-D array; a string is refused: it would be searched
    letter by letter) or, with ``distributions``, objects with an ``rvs`` method (``scipy.stats``).
    """
    grids = [value] if isinstance(value, dict) else value
    if not isinstance(grids, (list, tuple)) or not grids:
        raise TypeError(f"{name} must be a dict of name -> list of values, or a non-empty list of such dicts, "
                        f"got {show(value)}")
    accepted = "a non-empty list of values" + (" or a distribution with .rvs (scipy.stats)" if distributions else "")
    for grid in grids:
        if not isinstance(grid, dict):
            raise TypeError(f"{name} must hold dicts of name -> values, got {show(grid)}")
        for key, values in grid.items():
            if not isinstance(key, str):
                raise TypeError(f"{name}: every name must be a string, got {show(key)}")
            if distributions and hasattr(values, "rvs"):
                continue
            if isinstance(values, np.ndarray) and values.ndim != 1:
                raise ValueError(f"{name}[{key!r}] must be one-dimensional, got {show(values)}")
            if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, range, np.ndarray)):
                raise TypeError(f"{name}[{key!r}] must be {accepted}, got {show(values)}; "
                                f"wrap a single value in a list: [{show(values)}]")
            if len(values) == 0:
                raise ValueError(f"{name}[{key!r}] is empty: give it {accepted}")
    return list(grids)
