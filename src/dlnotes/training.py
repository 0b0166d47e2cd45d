"""The training loop: :func:`fit`, :func:`evaluate`, :func:`predict`, and the :class:`History` they record.

The loop itself holds no policy (stopping, saving, logging are callbacks) and
avoids host syncs: losses and metrics are summed as tensors on the device and
read back once per epoch, so a GPU is never left waiting for Python.
"""
from __future__ import annotations

import math
import time
import warnings

import numpy as np
import torch
from torch import nn
from torch.optim.lr_scheduler import ReduceLROnPlateau

from dlnotes import _checks, _structure
from dlnotes._objective import Objective
from dlnotes.callbacks import ProgressBar
from dlnotes.checkpoints import CheckpointError, load_checkpoint, loader_generators, restore_rng

_NAN = float("nan")


class History:
    """What fit recorded, one entry per epoch: ``history.history["val_loss"][-1]``.

    Keys: ``epoch`` (from 1), ``loss``, each metric, ``val_loss`` and
    ``val_<metric>`` when there is val data, ``lr`` (used during the epoch; the
    first parameter group's), ``lr_<name>`` for each group when the optimizer has
    several (a group's ``"name"``, else its index), and ``time`` (wall seconds). A nan or inf loss marks divergence:
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
        if (not isinstance(data, dict) or not all(isinstance(v, (list, tuple)) for v in data.values())
                or len({len(v) for v in data.values()}) > 1):
            raise ValueError("data must be a dict of equally long lists, as returned by History.to_dict(), "
                             f"got {_checks.show(data)}")
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
        keys = (keys,) if isinstance(keys, str) else keys
        if not isinstance(keys, (tuple, list)) or not keys or not all(isinstance(k, str) for k in keys):
            raise TypeError(f"keys must be a log key or a tuple of them, e.g. ('loss', 'accuracy'), got {_checks.show(keys)}")
        if ax is not None:
            from matplotlib.axes import Axes
            _checks.instance(ax, "ax", Axes, "a matplotlib Axes or None")
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

    def __init__(self, *, model, optimizer, scheduler, scheduler_interval, scheduler_monitor, objective, train,
                 val, device, epochs, clip_grad_norm, on_nonfinite, generators):
        self.model, self.optimizer, self.scheduler = model, optimizer, scheduler
        self.scheduler_interval, self.scheduler_monitor = scheduler_interval, scheduler_monitor
        self.objective = objective  # the loss(es) and metrics, for one output or several named ones
        self.loss, self.metrics = objective.loss, objective.metrics
        self.train, self.val = train, val
        self.device, self.epochs = device, epochs
        self.clip_grad_norm, self.on_nonfinite = clip_grad_norm, on_nonfinite
        self.generators = generators  # the user's torch.Generators, saved in checkpoints and restored on resume
        self.history = History()
        self.start_epoch = 1
        self.stop_training = False
        self.resumed = None  # {"epoch", "monitor", "best"} of the checkpoint fit resumed from
        self.rng_state = None  # every generator's state, to restore just before the first resumed epoch
        self.checked = set()  # names of the loaders whose first batch was checked


# ---------------------------------------------------------------- one batch

def _forward(model, x, name: str, first: bool):
    if not first:
        return _structure.call(model, x)
    try:
        return _structure.call(model, x)
    except (RuntimeError, TypeError, ValueError, IndexError) as err:
        _checks.forward_failure(model, x, name, err)  # says which data, and the fix when it is plain


@torch.no_grad()
def _evaluation_sums(model, data, objective: Objective, dev, name: str, check: bool):
    """Per-sample sums of loss and metrics as one on-device tensor, and the sample count."""
    was_training = model.training
    model.eval()  # dropout off, batch norm uses its running statistics
    sums, n = None, 0
    try:
        for i, batch in enumerate(data, start=1):
            first = check and i == 1
            x, y = _checks.batch(batch, name)
            if first:
                _checks.inputs(model, x, name)
            x, y = _structure.to(x, dev), _structure.to(y, dev)
            out = _forward(model, x, name, first)
            if first:
                objective.check(out, y, name)
            batch_loss, parts = (None, []) if objective.loss is None else objective.loss_of(out, y, name, i)
            if first and objective.loss is not None:
                objective.check_loss(batch_loss, parts)
            rows = _structure.rows(y)
            values = objective.values(out, y, batch_loss, parts, dev) * rows
            sums = values if sums is None else sums + values
            n += rows
    finally:
        model.train(was_training)
    if n == 0:
        raise ValueError(f"{name} is empty: it yielded no batch")
    return sums, n


# ---------------------------------------------------------------- one epoch

def _nonfinite_message(batch_losses: list, epoch: int, value: float, batches: int | None) -> str:
    per_batch = torch.stack(batch_losses)  # (num_batches,) on the device
    bad = (~torch.isfinite(per_batch)).nonzero()
    if len(bad) == 0:
        where = f"epoch {epoch} (every batch loss was finite, their sum overflowed)"
    else:
        i = int(bad[0])
        value, where = float(per_batch[i]), f"epoch {epoch}, batch {i + 1}" + (f" of {batches}" if batches else "")
    return (f"loss became {value} at {where}: the learning rate is probably too high; lower it or set "
            "clip_grad_norm=1.0 (or check the train inputs for nan), or pass on_nonfinite='record' to record divergence")


def _train_epoch(trainer: Trainer, epoch: int, callbacks: list):
    """One pass over ``train``; returns the on-device sums, sample count, per-batch losses and whether
    a nan or inf loss ended it early.

    A nan or inf loss ends the epoch at once, not after training the rest of it on nan weights. Looking
    costs a host sync, so on a GPU it looks every 32 batches (a sync per batch would stall it), on the
    CPU after every batch (free there).
    """
    model, optimizer, dev, objective = trainer.model, trainer.optimizer, trainer.device, trainer.objective
    look_every = 1 if dev.type == "cpu" else 32
    check = "train" not in trainer.checked
    sums, n, batch_losses, diverged = None, 0, [], False
    for i, batch in enumerate(trainer.train, start=1):
        x, y = _checks.batch(batch, "train")
        if check:
            _checks.inputs(model, x, "train")
        x, y = _structure.to(x, dev), _structure.to(y, dev)  # no-op if already there
        out = _forward(model, x, "train", check)  # e.g. (B, 10) logits
        if check:
            objective.check(out, y, "train")
        batch_loss, parts = objective.loss_of(out, y, "train", i)  # parts: each named output's own loss
        if check:
            objective.check_loss(batch_loss, parts, training=True)
            trainer.checked.add("train")
            check = False
        optimizer.zero_grad(set_to_none=True)  # None frees the memory and skips a fill kernel
        batch_loss.backward()
        if trainer.clip_grad_norm is not None:
            nn.utils.clip_grad_norm_(model.parameters(), trainer.clip_grad_norm)
        optimizer.step()
        if trainer.scheduler_interval == "batch":
            trainer.scheduler.step()
        batch_loss = batch_loss.detach().reshape(())
        batch_losses.append(batch_loss)
        rows = _structure.rows(y)
        with torch.no_grad():
            values = objective.values(_structure.detach(out), y, batch_loss, parts, dev) * rows
        sums = values if sums is None else sums + values
        n += rows
        for cb in callbacks:
            cb.on_batch_end(trainer, epoch, i, batch_loss)
        if i % look_every == 0 and not torch.isfinite(torch.stack(batch_losses[-look_every:])).all():
            diverged = True
            break
    if n == 0:
        raise ValueError(f"train is empty: it yielded no batch in epoch {epoch}")
    return sums, n, batch_losses, diverged


def _length(data) -> int | None:
    try:
        return len(data)
    except TypeError:
        return None


def _diverged(trainer: Trainer, message: str) -> None:
    if trainer.on_nonfinite == "raise":
        raise FloatingPointError(message)
    warnings.warn(f"{message}. Training stopped (on_nonfinite='record').", RuntimeWarning, stacklevel=4)
    trainer.stop_training = True


def _group_rates(optimizer) -> dict:
    """``lr_<name>`` for each parameter group when there are several (``lr_0``, ``lr_1``, ... unnamed)."""
    groups = optimizer.param_groups
    if len(groups) < 2:
        return {}
    return {f"lr_{group.get('name', i)}": float(group["lr"]) for i, group in enumerate(groups)}


def _run_epoch(trainer: Trainer, epoch: int, callbacks: list) -> dict:
    """Train, validate, read the numbers once, step the scheduler; returns the epoch's logs."""
    start = time.perf_counter()
    lr = float(trainer.optimizer.param_groups[0]["lr"])  # the rate at the start of this epoch
    group_lrs = _group_rates(trainer.optimizer)
    sums, n, batch_losses, diverged = _train_epoch(trainer, epoch, callbacks)
    names = trainer.objective.names
    means = [sums / n]
    if trainer.val is not None and not diverged:  # validating nan weights would only give nan
        val_sums, val_n = _evaluation_sums(trainer.model, trainer.val, trainer.objective,
                                           trainer.device, "val", check="val" not in trainer.checked)
        trainer.checked.add("val")
        means.append(val_sums / val_n)
    values = torch.cat(means).tolist()  # the one host sync of the epoch
    if trainer.val is not None and diverged:
        values += [_NAN] * len(names)
    keys = names + ([f"val_{name}" for name in names] if trainer.val is not None else [])
    logs = dict(zip(keys, values))
    if not math.isfinite(logs["loss"]):
        _diverged(trainer, _nonfinite_message(batch_losses, epoch, logs["loss"], _length(trainer.train)))
    elif "val_loss" in logs and not math.isfinite(logs["val_loss"]):
        _diverged(trainer, f"val_loss became {logs['val_loss']} at epoch {epoch} while the training loss was "
                           f"finite ({logs['loss']:.6g}): check the val inputs and targets for nan or inf, "
                           "e.g. torch.isfinite(x_val).all()")
    if trainer.scheduler is not None and trainer.scheduler_interval == "epoch" and not trainer.stop_training:
        if isinstance(trainer.scheduler, ReduceLROnPlateau):
            trainer.scheduler.step(logs[trainer.scheduler_monitor])
        else:
            trainer.scheduler.step()
    logs["lr"] = lr
    logs.update(group_lrs)
    logs["time"] = time.perf_counter() - start
    return logs


# ---------------------------------------------------------------- resuming

def _load_checkpoint(path, trainer: Trainer) -> int:
    """Restore everything but the random generators from a ModelCheckpoint file; returns its epoch."""
    state = load_checkpoint(path, "resume_from")
    where = f"resume_from={str(path)!r}"
    for part, current in (("optimizer", trainer.optimizer), ("scheduler", trainer.scheduler)):
        saved = state.get(f"{part}_class")
        if (part in state) != (current is not None) or (saved and current is not None
                                                         and saved != type(current).__qualname__):
            have = f"{type(current).__name__}" if current is not None else "None"
            held = saved or ("a state" if part in state else "none")
            raise ValueError(f"{where} holds {part} {held} but {part}={have}; resume with the setup that was saved")
    generators = state["rng"].get("generators", []) if isinstance(state["rng"], dict) else []
    if len(generators) != len(trainer.generators):
        raise ValueError(f"{where} holds the state of {len(generators)} torch.Generator(s) but this run has "
                         f"{len(trainer.generators)} (the loader's and those passed as generators=); "
                         "resume with the same setup that was saved")
    try:
        trainer.model.load_state_dict(state["model"])
    except RuntimeError as err:
        raise ValueError(f"{where} holds the weights of another model: {err}") from None
    try:
        trainer.optimizer.load_state_dict(state["optimizer"])  # also moves its state to the parameters' device
        if trainer.scheduler is not None:
            trainer.scheduler.load_state_dict(state["scheduler"])
        if "train_loader" in state and hasattr(trainer.train, "load_state_dict"):
            trainer.train.load_state_dict(state["train_loader"])
        trainer.history = History.from_dict(state["history"])
    except (KeyError, ValueError, TypeError, RuntimeError) as err:
        raise CheckpointError(f"{where} does not fit this run's optimizer, scheduler or loader "
                              f"({type(err).__name__}: {err})") from None
    if state.get("kind") == "best":
        warnings.warn(f"{where} holds the best epoch ({state['epoch']}) of its run, not the last one, so training "
                      "resumes from there; to continue where the run stopped, resume from the checkpoint's "
                      "last_path (e.g. 'model.last.pt')", stacklevel=3)
    trainer.resumed = {"epoch": int(state["epoch"]), "monitor": state.get("monitor"), "best": state.get("best")}
    trainer.rng_state = state["rng"]
    return int(state["epoch"])


def _end_callbacks(callbacks: list, trainer: Trainer, failure: BaseException | None) -> None:
    """Every callback's on_fit_end runs, even when an earlier one raises (restoring weights, closing files)."""
    errors = []
    for cb in callbacks:
        try:
            cb.on_fit_end(trainer)
        except Exception as err:  # noqa: BLE001: re-raised below, after the others have run
            errors.append(err)
    if not errors:
        return
    if failure is not None:  # fit is already failing: its own error stays the one raised
        for err in errors:
            failure.add_note(f"also, a callback's on_fit_end raised {type(err).__name__}: {err}")
        return
    for err in errors[1:]:
        errors[0].add_note(f"also, a callback's on_fit_end raised {type(err).__name__}: {err}")
    raise errors[0]


# ---------------------------------------------------------------- the entry points

def fit(model: nn.Module, train, val=None, *, loss, optimizer: torch.optim.Optimizer, epochs: int,
        metrics: dict | None = None, callbacks=(), scheduler=None, scheduler_interval: str | None = None,
        scheduler_monitor: str | None = None, device=None, clip_grad_norm: float | None = None,
        on_nonfinite: str = "raise", resume_from=None, generators=(), progress: bool = True,
        loss_weights: dict | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; returns the :class:`History`.

    Several inputs: a batch's ``x`` may be a tuple of tensors, passed as ``model(*x)``, or a dict of
    named tensors, passed as ``model(**x)``. Several outputs: the model returns a dict of named
    outputs, ``y`` is a dict with the same names, ``loss`` a dict of a loss per output,
    ``loss_weights`` an optional dict of weights (1 by default) and ``metrics`` a dict of metrics per
    output, ``{"price": {"mae": mae}}``. The weighted sum is minimised and logged as ``loss``; each
    output's own loss as ``price_loss``, its metrics as ``price_mae`` (``val_price_mae`` on ``val``).

    ``train`` and ``val`` yield ``(x, y)`` batches (a :class:`~dlnotes.loader.TensorLoader` or a
    ``DataLoader``). ``loss`` is a per-sample mean (``reduction="sum"`` or ``"none"`` is refused).
    ``metrics`` maps names to ``(output, target) -> tensor``. The model moves to ``device`` (default
    :func:`dlnotes.device`).

    ``scheduler`` steps once per epoch, or once per batch with ``scheduler_interval="batch"`` (the
    default for OneCycleLR and CyclicLR, which count batches). ReduceLROnPlateau steps on
    ``scheduler_monitor`` (default ``val_loss``; required for ``mode="max"``, e.g. ``"val_accuracy"``).

    A nan or inf loss, in training or validation, raises ``FloatingPointError`` naming where, or with
    ``on_nonfinite="record"`` is recorded and ends training; training stops within the epoch it happens
    in, and a :class:`~dlnotes.callbacks.ModelCheckpoint` keeps the last good epoch.

    ``resume_from`` is a :class:`~dlnotes.callbacks.ModelCheckpoint` file: training continues after its
    epoch, up to ``epochs`` in total, exactly as if it had never stopped: the same batches and the same
    random numbers from torch (CPU and CUDA), NumPy and Python's ``random``, from the loader's own
    ``torch.Generator`` and from those listed in ``generators`` (say there any other generator your data
    pipeline or model draws from). A damaged or foreign file, or one saved with another model, optimizer
    or scheduler, is refused. ``progress`` adds a :class:`~dlnotes.callbacks.ProgressBar` unless
    ``callbacks`` has one (it stays quiet in CI logs).

    Bad arguments raise ``TypeError`` or ``ValueError`` naming the argument, before any training.
    """
    _checks.module(model)
    epochs = _checks.integer(epochs, "epochs", minimum=1)
    objective = Objective(loss, loss_weights, metrics)
    optimizer = _checks.optimizer(optimizer, model)
    callbacks = _checks.callbacks(callbacks)
    if _checks.flag(progress, "progress") and not any(isinstance(cb, ProgressBar) for cb in callbacks):
        callbacks.append(ProgressBar())
    _checks.data(train, "train")
    if val is not None:
        _checks.data(val, "val")
    steps_per_epoch = _length(train)
    scheduler_interval, scheduler_monitor = _checks.scheduler(
        scheduler, optimizer, interval=scheduler_interval, monitor=scheduler_monitor, val=val,
        metric_names=[n for n in objective.names if n != "loss"], steps_per_epoch=steps_per_epoch, epochs=epochs)
    if clip_grad_norm is not None:
        clip_grad_norm = _checks.number(clip_grad_norm, "clip_grad_norm", above=0)
    _checks.one_of(on_nonfinite, "on_nonfinite", ("raise", "record"))
    if resume_from is not None:
        _checks.path(resume_from, "resume_from")
    found = [g for data in (train, val) for g in loader_generators(data)]
    own = [g for g in _checks.generators(generators) if all(g is not f for f in found)]
    dev = _checks.device(device)
    model.to(dev)  # in place: the optimizer's parameters are still the model's
    trainer = Trainer(model=model, optimizer=optimizer, scheduler=scheduler, scheduler_interval=scheduler_interval,
                      scheduler_monitor=scheduler_monitor, objective=objective, train=train, val=val,
                      device=dev, epochs=epochs, clip_grad_norm=clip_grad_norm, on_nonfinite=on_nonfinite,
                      generators=found + own)
    if resume_from is not None:
        done = _load_checkpoint(resume_from, trainer)
        if done > epochs:
            raise ValueError(f"epochs={epochs} but resume_from={str(resume_from)!r} already holds {done} epochs; "
                             "epochs is the total, including those already done")
        trainer.start_epoch = done + 1
    was_training, failure = model.training, None
    try:
        for cb in callbacks:
            cb.on_fit_start(trainer)
        if resume_from is not None:
            restore_rng(trainer.rng_state, trainer.generators)  # last, so nothing draws before the next epoch
        for epoch in range(trainer.start_epoch, epochs + 1):
            if trainer.stop_training:  # a resumed run whose checkpoint was taken at the stopping epoch
                break
            model.train()  # before on_epoch_start, so a callback can keep parts in eval mode (a frozen BN)
            for cb in callbacks:
                cb.on_epoch_start(trainer, epoch)
            logs = _run_epoch(trainer, epoch, callbacks)
            trainer.history.append({"epoch": epoch, **logs})
            for cb in callbacks:
                cb.on_epoch_end(trainer, epoch, logs)
            if trainer.stop_training:
                break
    except BaseException as err:
        failure = err
        raise
    finally:
        model.train(was_training)
        _end_callbacks(callbacks, trainer, failure)
    return trainer.history


def _model_device(model: nn.Module) -> torch.device:
    weight = next(model.parameters(), None)
    return _checks.device(None) if weight is None else weight.device


def evaluate(model: nn.Module, data, *, loss=None, metrics: dict | None = None, device=None,
             loss_weights: dict | None = None) -> dict:
    """Mean loss and metrics over every sample of ``data``, in eval mode and without gradients.

    ``device`` defaults to where the model's weights are, so the model is not moved. Several inputs
    and outputs as in :func:`fit` (``loss``, ``loss_weights`` and ``metrics`` by output name).
    """
    _checks.module(model)
    objective = Objective(loss, loss_weights, metrics, loss_required=False)
    if not objective.names:
        raise ValueError("evaluate needs something to compute: pass loss, metrics or both")
    _checks.data(data, "data")
    dev = _model_device(model) if device is None else _checks.device(device)
    model.to(dev)
    sums, n = _evaluation_sums(model, data, objective, dev, "data", check=True)
    return dict(zip(objective.names, (sums / n).tolist()))


@torch.no_grad()
def predict(model: nn.Module, data_or_tensor, *, device=None, batch_size: int = 1024) -> torch.Tensor:
    """Model outputs for a tensor (cut into ``batch_size`` rows) or for the ``x`` of each batch, on the CPU.

    A batch's ``x`` may be a tuple or dict of input tensors (see :func:`fit`); a model that returns a dict
    of named outputs gets a dict of tensors back.
    """
    _checks.module(model)
    batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
    if isinstance(data_or_tensor, (torch.Tensor, np.ndarray)):
        x = torch.as_tensor(data_or_tensor) if not isinstance(data_or_tensor, np.ndarray) or \
            data_or_tensor.dtype.kind in "biuf" else None
        if x is None:
            raise TypeError(f"data_or_tensor must hold numbers, got {_checks.show(data_or_tensor)}")
        if x.dim() == 0 or x.shape[0] == 0:
            raise ValueError(f"data_or_tensor is empty or a scalar: shape {tuple(x.shape)}")
        batches = x.split(batch_size)  # views, (batch_size, ...) each
    else:
        _checks.data(data_or_tensor, "data_or_tensor")
        batches = (b[0] if isinstance(b, (tuple, list)) and b else b for b in data_or_tensor)
    dev = _model_device(model) if device is None else _checks.device(device)
    model.to(dev)
    was_training = model.training
    model.eval()
    outputs = []
    try:
        for i, x in enumerate(batches):
            if i == 0:
                _checks.inputs(model, x, "data_or_tensor")
            out = _forward(model, _structure.to(x, dev), "data_or_tensor", i == 0)
            if i == 0 and not (isinstance(out, torch.Tensor) or isinstance(out, dict) and out
                               and all(isinstance(o, torch.Tensor) for o in out.values())):
                raise TypeError(f"model must return a tensor or a dict of named output tensors, got "
                                f"{_checks.show(out)}")
            outputs.append(out)
    finally:
        model.train(was_training)
    if not outputs:
        raise ValueError("data_or_tensor is empty: it yielded no batch")
    if isinstance(outputs[0], dict):  # several named outputs: each concatenated on its own
        return {k: torch.cat([o[k] for o in outputs]).cpu() for k in outputs[0]}
    return torch.cat(outputs).cpu()  # one copy back, not one per batch
