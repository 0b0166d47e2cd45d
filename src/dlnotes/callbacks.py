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
import warnings
from pathlib import Path

import torch
from tqdm import tqdm

from dlnotes import _checks
from dlnotes.checkpoints import atomic_save as save
from dlnotes.checkpoints import check_writable, checkpoint_state, stale_temporaries

_MODES = ("auto", "min", "max")
# Words in a log key that say which way is better. A key is split on "_" and each word looked up, so
# "val_balanced_accuracy" grows and "val_mape" shrinks; a key with no such word, or words of both kinds,
# is ambiguous, and mode="auto" refuses to guess.
_GROWS = ("acc", "accuracy", "auc", "f1", "fbeta", "r2", "precision", "recall", "iou", "dice", "map", "ap",
          "ndcg", "score", "top1", "top5")
_SHRINKS = ("loss", "mae", "mse", "rmse", "mape", "error", "err", "nll", "perplexity", "ppl", "distance")


def direction(key: str) -> str | None:
    """``"max"`` for a log key that grows as a model improves (``val_accuracy``, ``val_auc``), ``"min"``
    for one that shrinks (``val_loss``, ``mae``), ``None`` when its name does not say."""
    words = [w for w in key.lower().removeprefix("val_").replace("-", "_").split("_") if w]
    grows = any(w in _GROWS or w.startswith("acc") for w in words)
    shrinks = any(w in _SHRINKS for w in words)
    if grows == shrinks:
        return None
    return "max" if grows else "min"


def _resolve_mode(monitor, mode) -> str:
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"monitor must be a log key such as 'val_loss', got {_checks.show(monitor)}")
    _checks.one_of(mode, "mode", _MODES)
    if mode == "auto":  # as in Keras, from the name, but never a guess: an unknown name must say its mode
        resolved = direction(monitor)
        if resolved is None:
            raise ValueError(f"mode='auto' cannot tell whether monitor={monitor!r} should grow or shrink; "
                             "pass mode='max' (accuracies, AUC, F1, R²) or mode='min' (losses, errors)")
        return resolved
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
        """Runs after ``model.train()``: a part put in eval mode here (``model.features.eval()``, to keep
        a frozen backbone's batch-norm statistics) stays so for the epoch."""

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
        min_delta = _checks.number(min_delta, "min_delta", minimum=0)  # an absolute change
        patience = _checks.integer(patience, "patience", minimum=0)  # epochs without improvement
        self.monitor, self.min_delta, self.patience = monitor, min_delta, patience
        self.restore_best_weights = _checks.flag(restore_best_weights, "restore_best_weights")
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


def _finite(logs: dict, *keys) -> bool:
    return all(math.isfinite(logs[k]) for k in keys if k in logs and isinstance(logs[k], (int, float)))


class ModelCheckpoint(Callback):
    """Save everything needed to resume training after each epoch (see :mod:`dlnotes.checkpoints`).

    Pass ``path`` to ``fit(..., resume_from=path)`` to continue exactly where
    the run stopped. With ``save_best_only`` two files are kept: ``path``
    holds the best epoch so far by ``monitor`` (to use the model), and
    ``last_path`` (default: ``path`` with ``.last`` before its suffix, e.g.
    ``model.last.pt``) the latest epoch (to resume from), so a resumed run
    never rolls back to the best epoch. An epoch whose ``loss``, ``val_loss``
    or monitored value is nan or inf is never saved, so a diverged run keeps
    its last good checkpoint. Writes are atomic; a path that cannot be
    written is reported when fit starts, not after the first epoch, and
    temporary files that an interrupted save left behind are removed then.
    """

    def __init__(self, path: str | os.PathLike, monitor: str = "val_loss", mode: str = "auto",
                 save_best_only: bool = False, last_path: str | os.PathLike | None = None):
        self.path = _checks.path(path, "path")
        if self.path.is_dir():
            raise ValueError(f"path={str(path)!r} is a directory; give a file name such as 'model.pt'")
        self.mode = _resolve_mode(monitor, mode)
        self.monitor, self.save_best_only = monitor, _checks.flag(save_best_only, "save_best_only")
        if last_path is not None and not save_best_only:
            raise ValueError("last_path is only used with save_best_only=True (otherwise path is the last epoch)")
        if save_best_only:
            self.last_path = (_checks.path(last_path, "last_path") if last_path is not None
                              else self.path.with_name(f"{self.path.stem}.last{self.path.suffix or '.pt'}"))
            if self.last_path == self.path:
                raise ValueError(f"last_path must differ from path, both are {str(path)!r}")
        else:
            self.last_path = self.path
        self.best_ = math.inf if self.mode == "min" else -math.inf

    def on_fit_start(self, trainer) -> None:
        for target, name in ((self.path, "path"), (self.last_path, "last_path")):
            check_writable(target, name)
            for leftover in stale_temporaries(target):  # from a process killed in the middle of a save
                leftover.unlink(missing_ok=True)
        self.best_ = math.inf if self.mode == "min" else -math.inf
        resumed = getattr(trainer, "resumed", None)  # carry the best value across a resume
        if resumed and resumed.get("monitor") == self.monitor and resumed.get("best") is not None:
            self.best_ = float(resumed["best"])

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if not _finite(logs, "loss", "val_loss", self.monitor):
            return  # a diverged epoch (on_nonfinite="record") must not overwrite a good checkpoint
        improved = False
        if self.monitor in logs or self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            improved = value < self.best_ if self.mode == "min" else value > self.best_
            if improved:
                self.best_ = value
        if self.save_best_only:
            save(checkpoint_state(trainer, epoch, self.monitor, self.best_, kind="last"), self.last_path)
            if improved:
                save(checkpoint_state(trainer, epoch, self.monitor, self.best_, kind="best"), self.path)
            return
        save(checkpoint_state(trainer, epoch, self.monitor, self.best_), self.path)


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
        self.log_dir = str(_checks.path(log_dir, "log_dir"))
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
    _checks.path(log_dir, "log_dir")
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
        self.mininterval = _checks.number(mininterval, "mininterval", minimum=0)  # seconds
        self.disable = None if disable is None else _checks.flag(disable, "disable")  # None: automatic
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


class LayerStats(Callback):
    """Record, layer by layer, what the gradients and activations do during training.

    Every ``every``-th training batch (the 1st, the 1 + every-th, ...; counted across epochs), for each
    layer of ``layer_types`` that has a ``weight``: ``grad_norm`` (Frobenius norm of the weight's
    gradient as the optimizer used it, after any clipping), ``weight_norm`` (after the step), and the
    mean and standard deviation of the layer's input and output on that batch. Evaluation batches are
    not recorded. After :func:`~dlnotes.training.fit`, ``stats_`` is a DataFrame with one row per
    recorded batch and layer: ``epoch, batch, step, layer, name, grad_norm, weight_norm, input_mean,
    input_std, output_mean, output_std`` (``layer`` counts 1, 2, ... in ``named_modules`` order).

    The numbers stay on the device until the end of each epoch: no host sync per recorded batch.

    Accepted: ``every`` an integer >= 1; ``layer_types`` an ``nn.Module`` subclass or a non-empty tuple
    of them (default ``nn.Linear``).
    """

    COLUMNS = ["epoch", "batch", "step", "layer", "name", "grad_norm", "weight_norm",
               "input_mean", "input_std", "output_mean", "output_std"]

    def __init__(self, every: int = 1, layer_types=None):
        from torch import nn

        from dlnotes.inspect import _check_layer_types
        self.every = _checks.integer(every, "every", minimum=1)
        self.layer_types = _check_layer_types(nn.Linear if layer_types is None else layer_types)
        self._rows, self._pending, self._handles, self._step = [], [], [], 0
        self.stats_ = self._frame()

    def _frame(self):
        import pandas as pd
        return pd.DataFrame(self._rows, columns=self.COLUMNS)

    def _recording(self) -> bool:
        return self._step % self.every == 0  # _step batches done: the next one is number _step + 1

    def on_fit_start(self, trainer) -> None:
        from dlnotes.inspect import _weighted_layers
        self._layers = _weighted_layers(trainer.model, self.layer_types)
        self._activations = {}

        def record(index):
            def hook(layer, inputs, output):
                # Only training batches (evaluation runs without autograd), only those being recorded.
                if not torch.is_grad_enabled() or not self._recording():
                    return
                a, b = inputs[0].detach().float(), output.detach().float()
                self._activations[index] = torch.stack([a.mean(), a.std(), b.mean(), b.std()])
            return hook
        self._handles = [m.register_forward_hook(record(i)) for i, (_, m) in enumerate(self._layers)]

    def on_batch_end(self, trainer, epoch: int, batch: int, loss: torch.Tensor) -> None:
        if self._recording():
            nan = torch.tensor(float("nan"), device=loss.device)
            for i, (name, m) in enumerate(self._layers):
                grad = m.weight.grad.norm() if m.weight.grad is not None else nan
                acts = self._activations.get(i, nan.repeat(4)).to(loss.device)
                self._pending.append(((epoch, batch, self._step + 1, i + 1, name),
                                      torch.cat([torch.stack([grad, m.weight.detach().norm()]), acts])))
            self._activations = {}
        self._step += 1

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        self._flush()

    def on_fit_end(self, trainer) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._flush()

    def _flush(self) -> None:
        if self._pending:
            values = torch.stack([v for _, v in self._pending]).cpu().tolist()  # (records, 6)
            self._rows += [[*keys, *numbers] for (keys, _), numbers in zip(self._pending, values)]
            self._pending = []
        self.stats_ = self._frame()


class WeightAveraging(Callback):
    """Average the weights along the training path: Polyak / SWA averaging, or an exponential moving average.

    With ``decay=None``, an equal-weight average of the weights at the end of every epoch from
    ``start_epoch`` on (stochastic weight averaging, Izmailov et al. 2018). With ``decay`` in (0, 1), an
    exponential moving average updated after every batch from ``start_epoch`` on,
    ``avg = decay * avg + (1 - decay) * weights`` (its buffers, e.g. batch-norm statistics, averaged
    the same way). Both through ``torch.optim.swa_utils.AveragedModel``.

    An equal-weight average of weights does not come with matching batch-norm statistics: when the
    model has batch-norm layers, ``update_bn=True`` recomputes them at the end with one pass over the
    training data (``torch.optim.swa_utils.update_bn``).

    After :func:`~dlnotes.training.fit`, ``averaged_model_`` is the averaged network (an ``nn.Module``
    to evaluate like any other, e.g. with :func:`~dlnotes.training.evaluate`) and ``n_averaged_`` the
    number of weight snapshots in it.

    Accepted: ``decay`` None or a number in (0, 1); ``start_epoch`` an integer >= 1; ``update_bn`` True
    or False.
    """

    def __init__(self, decay: float | None = None, start_epoch: int = 1, update_bn: bool = True):
        self.decay = None if decay is None else _checks.number(decay, "decay", above=0, below=1)
        self.start_epoch = _checks.integer(start_epoch, "start_epoch", minimum=1)
        self.update_bn = _checks.flag(update_bn, "update_bn")
        self.averaged_model_, self.n_averaged_ = None, 0

    def on_fit_start(self, trainer) -> None:
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
        if self.decay is None:
            self.averaged_model_ = AveragedModel(trainer.model)
        else:
            self.averaged_model_ = AveragedModel(trainer.model, multi_avg_fn=get_ema_multi_avg_fn(self.decay),
                                                 use_buffers=True)
        self.n_averaged_ = 0

    def _update(self, trainer) -> None:
        self.averaged_model_.update_parameters(trainer.model)
        self.n_averaged_ += 1

    def on_batch_end(self, trainer, epoch: int, batch: int, loss: torch.Tensor) -> None:
        if self.decay is not None and epoch >= self.start_epoch:
            self._update(trainer)

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        if self.decay is None and epoch >= self.start_epoch:
            self._update(trainer)

    def on_fit_end(self, trainer) -> None:
        if self.averaged_model_ is None:  # fit failed before on_fit_start reached this callback
            return
        from torch.nn.modules.batchnorm import _BatchNorm
        from torch.optim.swa_utils import update_bn
        has_bn = any(isinstance(m, _BatchNorm) for m in self.averaged_model_.modules())
        if self.decay is None and self.update_bn and has_bn and self.n_averaged_:
            update_bn(trainer.train, self.averaged_model_, device=trainer.device)
        self.averaged_model_.eval()
