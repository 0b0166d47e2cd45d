"""The training loop: :func:`fit`, :func:`evaluate`, :func:`predict`, and the :class:`History` they record.

The loop itself holds no policy (stopping, saving, logging are callbacks) and
avoids host syncs: losses and metrics are summed as tensors on the device and
read back once per epoch, so a GPU is never left waiting for Python.
"""
from __future__ import annotations

import math
import os
import time
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from torch.utils.data import Dataset

from dlnotes.callbacks import Callback, ProgressBar
from dlnotes.devices import device as default_device

_RESERVED = ("epoch", "loss", "lr", "time")
_CLASSIFICATION_LOSSES = (nn.CrossEntropyLoss, nn.NLLLoss)  # integer targets index the classes
_ELEMENTWISE_LOSSES = (nn.MSELoss, nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss)  # would broadcast silently
_NAN = float("nan")


class History:
    """What fit recorded, one entry per epoch: ``history.history["val_loss"][-1]``.

    Keys: ``epoch`` (from 1), ``loss``, each metric, ``val_loss`` and
    ``val_<metric>`` when there is val data, ``lr`` (used during the epoch)
    and ``time`` (wall seconds). A nan or inf loss marks divergence:
    see :attr:`diverged_at`.
    """

    def __init__(self):
        self.history: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.history.get("epoch", ()))

    def append(self, logs: dict) -> None:
        """Add one epoch; a key missing on one side is padded with nan so columns stay aligned."""
        n = len(self)
        for key in logs:
            self.history.setdefault(key, [_NAN] * n)
        for key, values in self.history.items():
            values.append(logs.get(key, _NAN))

    @property
    def diverged_at(self) -> int | None:
        """The first epoch whose training loss was nan or inf, or ``None``."""
        for epoch, loss in zip(self.history.get("epoch", ()), self.history.get("loss", ())):
            if not math.isfinite(loss):
                return epoch
        return None

    def to_dict(self) -> dict[str, list]:
        """Plain dict of lists (a copy), loadable by ``torch.load(..., weights_only=True)``."""
        return {key: list(values) for key, values in self.history.items()}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        if not isinstance(data, dict) or len({len(v) for v in data.values()}) > 1:
            raise ValueError("data must be a dict of equally long lists, as returned by History.to_dict()")
        history = cls()
        history.history = {str(key): list(values) for key, values in data.items()}
        return history

    def to_frame(self):
        """A pandas DataFrame, one row per epoch, indexed by ``epoch``."""
        import pandas as pd  # lazily: importing pandas costs half a second
        frame = pd.DataFrame(self.history)
        return frame.set_index("epoch") if "epoch" in frame else frame

    def plot(self, keys=("loss",), ax=None):
        """Draw each key (train, solid) and its ``val_`` twin (dashed, same colour); returns the axes."""
        import matplotlib.pyplot as plt  # lazily: only notebooks that plot pay for it
        keys = (keys,) if isinstance(keys, str) else tuple(keys)
        unknown = [k for k in keys if k not in self.history]
        if unknown:
            raise ValueError(f"keys {unknown} are not in the history; available: {sorted(self.history)}")
        if ax is None:
            _, ax = plt.subplots()
        epochs = self.history.get("epoch", range(1, len(self) + 1))
        for key in keys:
            twin = f"val_{key}"
            has_val = twin in self.history
            (line,) = ax.plot(epochs, self.history[key], marker=".", label=f"train {key}" if has_val else key)
            if has_val:
                ax.plot(epochs, self.history[twin], marker=".", ls="--", color=line.get_color(), label=f"val {key}")
        ax.set_xlabel("epoch")
        ax.legend()
        return ax

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, keys={list(self.history)})"


class Trainer:
    """What callbacks see during :func:`fit` (set ``stop_training = True`` to stop after this epoch)."""

    def __init__(self, *, model, optimizer, scheduler, loss, metrics, train, val, device, epochs,
                 clip_grad_norm, on_nonfinite):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.loss, self.metrics, self.train, self.val = loss, metrics, train, val
        self.device, self.epochs = device, epochs
        self.clip_grad_norm, self.on_nonfinite = clip_grad_norm, on_nonfinite
        self.history = History()
        self.start_epoch = 1
        self.stop_training = False
        self.resumed = None  # {"epoch", "monitor", "best"} of the checkpoint fit resumed from
        self.rng_state = None  # (CPU, CUDA) generator states to restore just before the first epoch
        self.checked = set()  # names of the loaders whose first batch was checked


# ---------------------------------------------------------------- argument checks

def _check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")


def _check_data(data, name: str) -> None:
    if isinstance(data, Dataset) and not hasattr(data, "__iter__"):
        raise TypeError(f"{name} is a Dataset, which yields single samples; wrap it in "
                        f"torch.utils.data.DataLoader({name}, batch_size=...) to get batches")
    if isinstance(data, (torch.Tensor, np.ndarray)) or not hasattr(data, "__iter__"):
        raise TypeError(f"{name} must be an iterable of (x, y) batches such as TensorLoader(x, y) or a "
                        f"DataLoader, got {type(data).__name__}")
    try:
        n = len(data)
    except TypeError:  # an iterable without a length: checked once it has been iterated
        return
    if n == 0:
        raise ValueError(f"{name} is empty: it yields no batch")


def _check_metrics(metrics) -> dict:
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise TypeError(f"metrics must be a dict of name -> callable, e.g. {{'accuracy': accuracy}}, "
                        f"got {type(metrics).__name__}")
    for name, fn in metrics.items():
        if not isinstance(name, str) or name in _RESERVED or name.startswith("val_"):
            raise ValueError(f"metrics names must be strings other than {_RESERVED} and not start with 'val_' "
                             f"(fit adds that prefix), got {name!r}")
        if not callable(fn):
            raise TypeError(f"metrics[{name!r}] must be a callable (output, target) -> tensor, got {fn!r}")
    return dict(metrics)


def _check_optimizer(optimizer, model) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    own = {id(p) for p in model.parameters()}
    foreign = sum(id(p) not in own for group in optimizer.param_groups for p in group["params"])
    if foreign:
        raise ValueError(f"optimizer holds {foreign} parameter(s) that do not belong to model; build it from "
                         "this model, e.g. torch.optim.SGD(model.parameters(), lr=0.1), after creating the model")


def _check_scheduler(scheduler, optimizer, val) -> None:
    if scheduler is None:
        return
    if not isinstance(scheduler, (LRScheduler, ReduceLROnPlateau)):
        raise TypeError(f"scheduler must be a torch.optim.lr_scheduler object or None, got {type(scheduler).__name__}")
    if scheduler.optimizer is not optimizer:
        raise ValueError("scheduler was built for another optimizer; build it from the optimizer passed to fit")
    if isinstance(scheduler, ReduceLROnPlateau) and val is None:
        raise ValueError("scheduler=ReduceLROnPlateau steps on val_loss, so fit needs val data; pass val")


def _check_callbacks(callbacks) -> list:
    if isinstance(callbacks, Callback):
        raise TypeError("callbacks must be a list of Callback objects; wrap a single one: callbacks=[cb]")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must hold dlnotes.callbacks.Callback objects, got {type(cb).__name__}")
    return callbacks


def _unpack(batch, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        what = f"{len(batch)} items" if isinstance(batch, (tuple, list)) else type(batch).__name__
        raise ValueError(f"{name} must yield (x, y) pairs, got a batch of {what}")
    return batch[0], batch[1]


def _check_inputs(model, x, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must yield tensors, got inputs of type {type(x).__name__}")
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    if weight is not None and x.is_floating_point() and x.dtype != weight.dtype:
        raise ValueError(f"{name} inputs are {x.dtype} but the model's weights are {weight.dtype}; convert the "
                         "data, e.g. x.float() (numpy arrays are float64 by default)")


def _check_outputs(out, y, loss, name: str) -> None:
    """Catch at the first batch the mistakes that would otherwise fail obscurely, or silently."""
    if not isinstance(out, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(f"model must return a tensor and {name} must yield tensor targets, "
                        f"got {type(out).__name__} and {type(y).__name__}")
    if out.dim() == 0 or y.dim() == 0 or out.shape[0] != y.shape[0]:
        raise ValueError(f"model output has shape {tuple(out.shape)} but {name} targets have shape "
                         f"{tuple(y.shape)}: their batch sizes (first dimensions) must match")
    if isinstance(loss, _CLASSIFICATION_LOSSES) and not y.is_floating_point():
        if out.dim() < 2:
            raise ValueError(f"{type(loss).__name__} needs model outputs of shape (B, C), got {tuple(out.shape)}")
        classes = out.shape[1]
        labels = y[y != loss.ignore_index]
        if labels.numel():
            low, high = torch.stack([labels.min(), labels.max()]).tolist()  # one sync, first batch only
            if low < 0 or high >= classes:
                raise ValueError(f"{name} labels must be in [0, {classes}) for {type(loss).__name__} on a model "
                                 f"with {classes} outputs, got labels from {low} to {high}")
    if isinstance(loss, _ELEMENTWISE_LOSSES) and out.shape != y.shape:
        raise ValueError(f"model output has shape {tuple(out.shape)} but {name} targets have shape "
                         f"{tuple(y.shape)}; {type(loss).__name__} would broadcast them and average the wrong "
                         "pairs; use y.unsqueeze(1) or out.squeeze(1)")


# ---------------------------------------------------------------- the loop

def _batch_values(out, y, batch_loss, metrics, dev) -> torch.Tensor:
    """(1 + len(metrics),) float32 on the device: this batch's mean loss and metrics."""
    values = [] if batch_loss is None else [batch_loss]
    for name, fn in metrics.items():
        value = torch.as_tensor(fn(out, y), device=dev)
        if value.numel() != 1:
            raise ValueError(f"metrics[{name!r}] must return a scalar, got shape {tuple(value.shape)}")
        values.append(value.reshape(()))
    return torch.stack([v.detach().to(torch.float32) for v in values])


@torch.no_grad()
def _evaluation_sums(model, data, loss, metrics, dev, name: str, check: bool):
    """Per-sample sums of loss and metrics as one on-device tensor, and the sample count."""
    was_training = model.training
    model.eval()  # dropout off, batch norm uses its running statistics
    sums, n = None, 0
    try:
        for i, batch in enumerate(data):
            x, y = _unpack(batch, name)
            x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
            if check and i == 0:
                _check_inputs(model, x, name)
            out = model(x)
            if check and i == 0:
                _check_outputs(out, y, loss, name)
            batch_loss = None if loss is None else loss(out, y)
            values = _batch_values(out, y, batch_loss, metrics, dev) * y.shape[0]
            sums = values if sums is None else sums + values
            n += y.shape[0]
    finally:
        model.train(was_training)
    if n == 0:
        raise ValueError(f"{name} is empty: it yielded no batch")
    return sums, n


def _nonfinite_message(batch_losses: list, epoch: int, value: float) -> str:
    per_batch = torch.stack(batch_losses)  # (num_batches,) on the device
    bad = (~torch.isfinite(per_batch)).nonzero()
    if len(bad) == 0:
        where = f"epoch {epoch} (every batch loss was finite, their sum overflowed)"
    else:
        i = int(bad[0])
        value, where = float(per_batch[i]), f"epoch {epoch}, batch {i + 1} of {len(batch_losses)}"
    return (f"loss became {value} at {where}: the learning rate is probably too high; lower it or set "
            "clip_grad_norm=1.0 (or check the inputs for nan), or pass on_nonfinite='record' to record divergence")


def _train_epoch(trainer: Trainer, epoch: int, callbacks: list):
    """One pass over ``train``; returns the on-device sums, sample count and per-batch losses."""
    model, optimizer, dev, metrics = trainer.model, trainer.optimizer, trainer.device, trainer.metrics
    check = "train" not in trainer.checked
    model.train()
    sums, n, batch_losses = None, 0, []
    for i, batch in enumerate(trainer.train, start=1):
        x, y = _unpack(batch, "train")
        x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)  # no-op if already there
        if check:
            _check_inputs(model, x, "train")
        out = model(x)  # e.g. (B, 10) logits
        if check:
            _check_outputs(out, y, trainer.loss, "train")
        batch_loss = trainer.loss(out, y)
        if check and (not isinstance(batch_loss, torch.Tensor) or batch_loss.numel() != 1):
            raise ValueError("loss must return a scalar tensor (reduction='mean'), got "
                             f"{tuple(batch_loss.shape) if isinstance(batch_loss, torch.Tensor) else batch_loss!r}")
        check = False
        trainer.checked.add("train")
        optimizer.zero_grad(set_to_none=True)  # None frees the memory and skips a fill kernel
        batch_loss.backward()
        if trainer.clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), trainer.clip_grad_norm)
        optimizer.step()
        batch_loss = batch_loss.detach().reshape(())
        batch_losses.append(batch_loss)
        with torch.no_grad():
            values = _batch_values(out.detach(), y, batch_loss, metrics, dev) * y.shape[0]
        sums = values if sums is None else sums + values
        n += y.shape[0]
        for cb in callbacks:
            cb.on_batch_end(trainer, epoch, i, batch_loss)
    if n == 0:
        raise ValueError(f"train is empty: it yielded no batch in epoch {epoch}")
    return sums, n, batch_losses


def _run_epoch(trainer: Trainer, epoch: int, callbacks: list) -> dict:
    """Train, validate, read the numbers once, step the scheduler; returns the epoch's logs."""
    start = time.perf_counter()
    lr = float(trainer.optimizer.param_groups[0]["lr"])  # the rate used during this epoch
    sums, n, batch_losses = _train_epoch(trainer, epoch, callbacks)
    names = ["loss", *trainer.metrics]
    means = [sums / n]
    if trainer.val is not None:
        val_sums, val_n = _evaluation_sums(trainer.model, trainer.val, trainer.loss, trainer.metrics,
                                           trainer.device, "val", check="val" not in trainer.checked)
        trainer.checked.add("val")
        names += [f"val_{name}" for name in names]
        means.append(val_sums / val_n)
    values = torch.cat(means).tolist()  # the one host sync of the epoch
    logs = dict(zip(names, values))
    if not math.isfinite(logs["loss"]):
        message = _nonfinite_message(batch_losses, epoch, logs["loss"])
        if trainer.on_nonfinite == "raise":
            raise FloatingPointError(message)
        warnings.warn(f"{message}. Training stopped (on_nonfinite='record').", RuntimeWarning, stacklevel=3)
        trainer.stop_training = True
    if trainer.scheduler is not None:
        if isinstance(trainer.scheduler, ReduceLROnPlateau):
            trainer.scheduler.step(logs["val_loss"])
        else:
            trainer.scheduler.step()
    logs["lr"] = lr
    logs["time"] = time.perf_counter() - start
    return logs


def _load_checkpoint(path, trainer: Trainer) -> int:
    """Restore everything but the RNG from a ModelCheckpoint file; returns its epoch."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"resume_from must be a path or None, got {type(path).__name__}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"resume_from={str(path)!r} does not exist")
    state = torch.load(path, map_location="cpu", weights_only=True)
    missing = {"epoch", "model", "optimizer", "history", "rng"} - set(state)
    if missing:
        raise ValueError(f"resume_from={str(path)!r} is not a ModelCheckpoint file: it lacks {sorted(missing)}")
    if ("scheduler" in state) != (trainer.scheduler is not None):
        saved = "holds" if "scheduler" in state else "holds no"
        raise ValueError(f"resume_from={str(path)!r} {saved} scheduler state but scheduler={trainer.scheduler!r}; "
                         "resume with the same setup that was saved")
    trainer.model.load_state_dict(state["model"])
    trainer.optimizer.load_state_dict(state["optimizer"])  # also moves its state to the parameters' device
    if trainer.scheduler is not None:
        trainer.scheduler.load_state_dict(state["scheduler"])
    if "train_loader" in state and hasattr(trainer.train, "load_state_dict"):
        trainer.train.load_state_dict(state["train_loader"])
    trainer.history = History.from_dict(state["history"])
    trainer.resumed = {"epoch": int(state["epoch"]), "monitor": state.get("monitor"), "best": state.get("best")}
    trainer.rng_state = (state["rng"], state.get("cuda_rng"))
    return int(state["epoch"])


def _restore_rng(trainer: Trainer) -> None:
    cpu, cuda = trainer.rng_state
    torch.set_rng_state(cpu)
    if cuda is not None and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


def fit(model: nn.Module, train, val=None, *, loss, optimizer: torch.optim.Optimizer, epochs: int,
        metrics: dict | None = None, callbacks=(), scheduler=None, device=None, clip_grad_norm: float | None = None,
        on_nonfinite: str = "raise", resume_from=None, progress: bool = True) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; returns the :class:`History`.

    ``train`` and ``val`` yield ``(x, y)`` batches (a :class:`~dlnotes.loader.TensorLoader` or a
    ``DataLoader``). ``metrics`` maps names to ``(output, target) -> tensor``. The model moves to
    ``device`` (default :func:`dlnotes.device`); ``scheduler`` steps once per epoch (on val_loss
    for ReduceLROnPlateau). A nan or inf loss raises ``FloatingPointError`` naming the epoch and
    batch, or with ``on_nonfinite="record"`` is recorded and ends training. ``resume_from`` is a
    :class:`~dlnotes.callbacks.ModelCheckpoint` file: training continues after its epoch, up to
    ``epochs`` in total, exactly as if it had never stopped (same batches, same random numbers).
    ``progress`` adds a :class:`~dlnotes.callbacks.ProgressBar` unless ``callbacks`` has one
    (it stays quiet in CI logs).
    """
    _check_model(model)
    epochs = _check_positive_int(epochs, "epochs")
    if not callable(loss):
        raise TypeError(f"loss must be a callable (output, target) -> scalar tensor, got {loss!r}")
    _check_optimizer(optimizer, model)
    metrics = _check_metrics(metrics)
    callbacks = _check_callbacks(callbacks)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    if progress and not any(isinstance(cb, ProgressBar) for cb in callbacks):
        callbacks.append(ProgressBar())
    _check_scheduler(scheduler, optimizer, val)
    if clip_grad_norm is not None and (isinstance(clip_grad_norm, bool) or not isinstance(clip_grad_norm, Real)
                                       or not clip_grad_norm > 0):
        raise ValueError(f"clip_grad_norm must be a positive number or None, got {clip_grad_norm!r}")
    if on_nonfinite not in ("raise", "record"):
        raise ValueError(f"on_nonfinite must be 'raise' or 'record', got {on_nonfinite!r}")
    _check_data(train, "train")
    if val is not None:
        _check_data(val, "val")
    dev = default_device() if device is None else torch.device(device)
    model.to(dev)  # in place: the optimizer's parameters are still the model's
    trainer = Trainer(model=model, optimizer=optimizer, scheduler=scheduler, loss=loss, metrics=metrics,
                      train=train, val=val, device=dev, epochs=epochs, clip_grad_norm=clip_grad_norm,
                      on_nonfinite=on_nonfinite)
    if resume_from is not None:
        done = _load_checkpoint(resume_from, trainer)
        if done > epochs:
            raise ValueError(f"epochs={epochs} but resume_from={str(resume_from)!r} already holds {done} epochs; "
                             "epochs is the total, including those already done")
        trainer.start_epoch = done + 1
    was_training = model.training
    try:
        for cb in callbacks:
            cb.on_fit_start(trainer)
        if resume_from is not None:
            _restore_rng(trainer)  # last, so nothing draws from it before the next epoch
        for epoch in range(trainer.start_epoch, epochs + 1):
            if trainer.stop_training:  # a resumed run whose checkpoint was taken at the stopping epoch
                break
            for cb in callbacks:
                cb.on_epoch_start(trainer, epoch)
            logs = _run_epoch(trainer, epoch, callbacks)
            trainer.history.append({"epoch": epoch, **logs})
            for cb in callbacks:
                cb.on_epoch_end(trainer, epoch, logs)
            if trainer.stop_training:
                break
    finally:
        model.train(was_training)
        for cb in callbacks:
            cb.on_fit_end(trainer)
    return trainer.history


def _model_device(model: nn.Module) -> torch.device:
    weight = next(model.parameters(), None)
    return default_device() if weight is None else weight.device


def evaluate(model: nn.Module, data, *, loss=None, metrics: dict | None = None, device=None) -> dict:
    """Mean loss and metrics over every sample of ``data``, in eval mode and without gradients.

    ``device`` defaults to where the model's weights are, so the model is not moved.
    """
    _check_model(model)
    metrics = _check_metrics(metrics)
    if loss is not None and not callable(loss):
        raise TypeError(f"loss must be a callable or None, got {loss!r}")
    if loss is None and not metrics:
        raise ValueError("evaluate needs something to compute: pass loss, metrics or both")
    _check_data(data, "data")
    dev = _model_device(model) if device is None else torch.device(device)
    model.to(dev)
    sums, n = _evaluation_sums(model, data, loss, metrics, dev, "data", check=True)
    names = (["loss"] if loss is not None else []) + list(metrics)
    return dict(zip(names, (sums / n).tolist()))


@torch.no_grad()
def predict(model: nn.Module, data_or_tensor, *, device=None, batch_size: int = 1024) -> torch.Tensor:
    """Model outputs for a tensor (cut into ``batch_size`` rows) or for the ``x`` of each batch, on the CPU."""
    _check_model(model)
    batch_size = _check_positive_int(batch_size, "batch_size")
    if isinstance(data_or_tensor, (torch.Tensor, np.ndarray)):
        x = torch.as_tensor(data_or_tensor)
        if x.dim() == 0 or x.shape[0] == 0:
            raise ValueError(f"data_or_tensor is empty or a scalar: shape {tuple(x.shape)}")
        batches = x.split(batch_size)  # views, (batch_size, ...) each
    else:
        _check_data(data_or_tensor, "data_or_tensor")
        batches = (b[0] if isinstance(b, (tuple, list)) else b for b in data_or_tensor)
    dev = _model_device(model) if device is None else torch.device(device)
    model.to(dev)
    was_training = model.training
    model.eval()
    try:
        outputs = [model(x.to(dev, non_blocking=True)) for x in batches]
    finally:
        model.train(was_training)
    if not outputs:
        raise ValueError("data_or_tensor is empty: it yielded no batch")
    return torch.cat(outputs).cpu()  # one copy back, not one per batch
