"""Callbacks: the policies (stop early, save, log, show progress) kept out of the loop.

:func:`~dlnotes.training.fit` calls each hook on every callback in order and
knows nothing else. A hook receives the ``trainer``, whose attributes are
``model``, ``optimizer``, ``scheduler``, ``train``, ``val``, ``device``,
``history``, ``epochs``, ``start_epoch`` and ``stop_training``; setting
``trainer.stop_training = True`` ends training after the current epoch.
Epochs are counted from 1, like the ``epoch`` column of the history.
"""
from __future__ import annotations

import copy
import math
import os
import sys
import tempfile
import warnings
from numbers import Integral, Real
from pathlib import Path

import torch
from tqdm import tqdm

_MODES = ("auto", "min", "max")


def _resolve_mode(monitor, mode) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"monitor must be a log key such as 'val_loss', got {monitor!r}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    if mode == "auto":  # as in Keras: accuracies grow, everything else (losses, errors) shrinks
        return "max" if "acc" in monitor else "min"
    return mode


def _monitored(logs: dict, monitor: str, owner: str) -> float:
    if monitor not in logs:
        raise ValueError(f"{owner}(monitor={monitor!r}): no such key in the epoch logs; "
                         f"available: {sorted(logs)} (val_* keys need val data passed to fit)")
    return float(logs[monitor])


class Callback:
    """Base class: every hook does nothing; override the ones you need."""

    def on_fit_start(self, trainer) -> None:
        pass

    def on_epoch_start(self, trainer, epoch: int) -> None:
        pass

    def on_batch_end(self, trainer, epoch: int, batch: int, loss: torch.Tensor) -> None:
        """``batch`` counts from 1; ``loss`` is a detached 0-d tensor on the device
        (calling ``.item()`` on it waits for the GPU: avoid it in every batch)."""

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        """``logs`` maps ``"loss"``, ``"val_loss"``, metric names, ``"lr"``, ``"time"`` to floats."""

    def on_fit_end(self, trainer) -> None:
        """Runs even when fit raises, so files and progress bars get closed."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` consecutive epochs (Keras semantics).

    An improvement must beat the best value so far by more than ``min_delta``
    (absolute). ``mode="auto"`` maximises a monitor whose name contains "acc"
    and minimises anything else. With ``restore_best_weights`` the model gets
    back the weights of its best epoch when fit ends. After fit: ``best_``,
    ``best_epoch_`` and ``stopped_epoch_`` (``None`` if it never stopped).
    After ``fit(..., resume_from=path)`` it replays the resumed history, so the
    run stops at the epoch an uninterrupted run would have stopped at.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 5,
                 mode: str = "auto", restore_best_weights: bool = False):
        self.mode = _resolve_mode(monitor, mode)
        if isinstance(min_delta, bool) or not isinstance(min_delta, Real) or not min_delta >= 0:
            raise ValueError(f"min_delta must be a number >= 0 (an absolute change), got {min_delta!r}")
        if isinstance(patience, bool) or not isinstance(patience, Integral) or patience < 0:
            raise ValueError(f"patience must be an integer >= 0 (epochs without improvement), got {patience!r}")
        if not isinstance(restore_best_weights, bool):
            raise TypeError(f"restore_best_weights must be True or False, got {restore_best_weights!r}")
        self.monitor, self.min_delta, self.patience = monitor, float(min_delta), int(patience)
        self.restore_best_weights = restore_best_weights
        self._reset()

    def _reset(self) -> None:
        self.best_ = math.inf if self.mode == "min" else -math.inf
        self.best_epoch_ = self.stopped_epoch_ = None
        self.wait_ = 0
        self._best_weights = None

    def _improved(self, value: float) -> bool:
        # NaN compares False: a diverged epoch never counts as an improvement.
        if self.mode == "min":
            return value < self.best_ - self.min_delta
        return value > self.best_ + self.min_delta

    def on_fit_start(self, trainer) -> None:
        self._reset()
        resumed = getattr(trainer, "resumed", None)
        if resumed:
            self._replay(trainer, resumed["epoch"])

    def _replay(self, trainer, checkpoint_epoch: int) -> None:
        # After fit(resume_from=...), the counters are a function of the monitored values so far,
        # and the resumed history holds them all: replaying it makes the resumed run stop where
        # the uninterrupted one would have.
        logs = trainer.history.history
        if self.monitor not in logs:
            raise ValueError(f"EarlyStopping(monitor={self.monitor!r}): the resumed history has no such key; "
                             f"available: {sorted(logs)}")
        for epoch, value in zip(logs["epoch"], logs[self.monitor]):
            self._update(trainer, epoch, float(value))
        if self.restore_best_weights and self.best_epoch_ is not None:
            if self.best_epoch_ == checkpoint_epoch:  # the model holds the checkpoint's, that is the best, weights
                self._best_weights = copy.deepcopy(trainer.model.state_dict())
            else:
                warnings.warn(f"EarlyStopping(restore_best_weights=True): the best epoch so far, {self.best_epoch_}, "
                              f"came before the checkpoint's epoch {checkpoint_epoch}, and the checkpoint holds only "
                              "the latest weights; unless a later epoch does better, training ends with the last "
                              "epoch's weights. ModelCheckpoint(save_best_only=True) keeps the best ones on disk.",
                              stacklevel=2)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self._update(trainer, epoch, _monitored(logs, self.monitor, "EarlyStopping")) and self.restore_best_weights:
            # A deep copy: state_dict() returns views that the next step would overwrite.
            self._best_weights = copy.deepcopy(trainer.model.state_dict())

    def _update(self, trainer, epoch: int, value: float) -> bool:
        """Count one epoch's value; returns whether it improved."""
        if self._improved(value):
            self.best_, self.best_epoch_, self.wait_ = value, epoch, 0
            return True
        self.wait_ += 1
        if self.wait_ >= self.patience:
            self.stopped_epoch_ = epoch
            trainer.stop_training = True
        return False

    def on_fit_end(self, trainer) -> None:
        if self.restore_best_weights and self._best_weights is not None:
            trainer.model.load_state_dict(self._best_weights)


def _atomic_save(obj, path: Path) -> None:
    """``torch.save`` to a temporary file beside ``path``, fsync, then rename over it.

    ``os.replace`` is atomic within a directory, so a crash at any moment
    leaves either the old checkpoint or the new one, never half a file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable; not possible on every platform
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def checkpoint_state(trainer, epoch: int, monitor: str | None = None, best: float | None = None) -> dict:
    """The dict ModelCheckpoint writes: only tensors, dicts, lists, numbers and strings."""
    state = {
        "epoch": int(epoch),
        "model": trainer.model.state_dict(),
        "optimizer": trainer.optimizer.state_dict(),
        "history": trainer.history.to_dict(),
        "rng": torch.get_rng_state(),  # (5056,) uint8: dropout, DataLoader shuffling
        "monitor": monitor,
        "best": None if best is None or math.isinf(best) else float(best),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda_rng"] = torch.cuda.get_rng_state_all()  # list of ByteTensors
    if trainer.scheduler is not None:
        state["scheduler"] = trainer.scheduler.state_dict()
    if hasattr(trainer.train, "state_dict"):
        state["train_loader"] = trainer.train.state_dict()
    return state


class ModelCheckpoint(Callback):
    """Save everything needed to resume training to ``path`` after each epoch.

    The file holds ``model``, ``optimizer``, ``scheduler`` (if any),
    ``train_loader`` (the loader's shuffling state, if it has one), ``rng``
    (torch's CPU generator), ``epoch``, ``history``, ``monitor`` and ``best``,
    all loadable with ``torch.load(path, weights_only=True)``; pass ``path`` to
    ``fit(..., resume_from=path)`` to continue. With ``save_best_only`` the
    file is only rewritten when ``monitor`` improves, and an epoch whose loss
    is nan or inf is never saved. Writes are atomic.
    """

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or path-like, got {type(path).__name__}")
        self.path = Path(path)
        if self.path.is_dir():
            raise ValueError(f"path={str(path)!r} is a directory; give a file name such as 'model.pt'")
        self.mode = _resolve_mode(monitor, mode)
        if not isinstance(save_best_only, bool):
            raise TypeError(f"save_best_only must be True or False, got {save_best_only!r}")
        self.monitor, self.save_best_only = monitor, save_best_only
        self.best_ = math.inf if self.mode == "min" else -math.inf

    def on_fit_start(self, trainer) -> None:
        self.best_ = math.inf if self.mode == "min" else -math.inf
        resumed = getattr(trainer, "resumed", None)  # carry the best value across a resume
        if resumed and resumed.get("monitor") == self.monitor and resumed.get("best") is not None:
            self.best_ = float(resumed["best"])

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if not math.isfinite(logs.get("loss", 0.0)):
            return  # a diverged epoch (on_nonfinite="record") must not overwrite a good checkpoint
        if self.monitor in logs or self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            improved = value < self.best_ if self.mode == "min" else value > self.best_
            if improved:
                self.best_ = value
            if self.save_best_only and not improved:
                return
        _atomic_save(checkpoint_state(trainer, epoch, self.monitor, self.best_), self.path)


def _tag(key: str) -> str:
    # "val_accuracy" -> "accuracy/val": TensorBoard then draws train and val in one chart.
    if key in ("lr", "time"):
        return key
    if key.startswith("val_"):
        return f"{key[4:]}/val"
    return f"{key}/train"


class TensorBoard(Callback):
    """Write each epoch's logs to ``log_dir`` as TensorBoard scalars (``loss/train``, ``loss/val``, ``lr``...)."""

    def __init__(self, log_dir: str | os.PathLike):
        if not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"log_dir must be a str or path-like, got {type(log_dir).__name__}")
        self.log_dir = str(log_dir)
        self.writer = None

    def on_fit_start(self, trainer) -> None:
        from torch.utils.tensorboard import SummaryWriter  # needs the tensorboard package: import only when used
        self.writer = SummaryWriter(self.log_dir)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        for key, value in logs.items():
            if key != "epoch":
                self.writer.add_scalar(_tag(key), value, global_step=epoch)
        self.writer.flush()  # so a live TensorBoard sees each epoch as it ends

    def on_fit_end(self, trainer) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def read_scalars(log_dir: str | os.PathLike):
    """Read back the scalars a :class:`TensorBoard` callback wrote: a DataFrame with one row per
    ``(tag, step)`` and columns ``tag``, ``step``, ``value``, in the order they were logged.

    For pages that show logged curves as a figure, where the TensorBoard UI cannot be embedded.
    """
    if not isinstance(log_dir, (str, os.PathLike)):
        raise TypeError(f"log_dir must be a str or path-like, got {type(log_dir).__name__}")
    if not Path(log_dir).is_dir() or not any(Path(log_dir).glob("events.out.tfevents.*")):
        raise FileNotFoundError(f"log_dir={str(log_dir)!r} holds no TensorBoard event file "
                                "(events.out.tfevents.*); pass the folder given to TensorBoard(log_dir)")
    import pandas as pd
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0})  # 0: keep every point
    events.Reload()
    rows = [(tag, e.step, e.value) for tag in events.Tags()["scalars"] for e in events.Scalars(tag)]
    return pd.DataFrame(rows, columns=["tag", "step", "value"])


class BatchLosses(Callback):
    """Record the training loss of every batch: ``losses_`` is a list of floats, one per batch,
    and ``epochs_`` the epoch each came from. Per-epoch means hide the oscillations ("heartbeats")
    that a too-high learning rate or too-small batches cause; these curves show them.

    The losses stay on the device until the end of each epoch, so recording costs no host sync per batch.
    """

    def __init__(self):
        self.losses_, self.epochs_ = [], []
        self._pending = []

    def on_batch_end(self, trainer, epoch: int, batch: int, loss: torch.Tensor) -> None:
        self._pending.append(loss)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self._flush(epoch)

    def on_fit_end(self, trainer) -> None:
        if self._pending:  # an epoch cut short by an error
            self._flush(self.epochs_[-1] + 1 if self.epochs_ else trainer.start_epoch)

    def _flush(self, epoch: int) -> None:
        if self._pending:
            values = torch.stack(self._pending).cpu().tolist()
            self.losses_.extend(values)
            self.epochs_.extend([epoch] * len(values))
            self._pending = []


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where stdout is not a TTY but a bar still renders)."""
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
        return shell is not None and "IPKernelApp" in shell.config
    except Exception:  # an odd or half-imported IPython: behave as a terminal
        return False


class ProgressBar(Callback):
    """One tqdm bar per fit, one step per epoch, showing the latest loss and metrics.

    Plain ``tqdm.tqdm`` on ``sys.stdout``: text, so it needs no ipywidgets and
    reads the same in a terminal and in an executed notebook. ``disable=None``
    shows it in a terminal or notebook and hides it when the environment
    variable ``CI`` is set or stdout is redirected to a file (CI logs).
    """

    def __init__(self, mininterval: float = 0.5, disable: bool | None = None):
        if isinstance(mininterval, bool) or not isinstance(mininterval, Real) or not mininterval >= 0:
            raise ValueError(f"mininterval must be a number of seconds >= 0, got {mininterval!r}")
        if disable not in (None, True, False):
            raise TypeError(f"disable must be None (automatic), True or False, got {disable!r}")
        self.mininterval, self.disable = float(mininterval), disable
        self.bar = None

    def _disabled(self) -> bool | None:
        if self.disable is not None:
            return self.disable
        if os.environ.get("CI"):
            return True
        return False if _in_notebook() else None  # None: tqdm hides itself when stdout is not a TTY

    def on_fit_start(self, trainer) -> None:
        done = trainer.start_epoch - 1  # a resumed fit starts part-way
        self.bar = tqdm(total=trainer.epochs, initial=done, unit="epoch", file=sys.stdout,
                        mininterval=self.mininterval, disable=self._disabled(), dynamic_ncols=True)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        shown = {k: f"{v:.4g}" for k, v in logs.items() if k not in ("epoch", "lr", "time")}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.update(1)

    def on_fit_end(self, trainer) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
