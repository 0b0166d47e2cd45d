"""Hyper-parameter search with Optuna, on top of :func:`~dlnotes.training.fit`.

* :func:`fit_objective` turns a training run into an Optuna objective: the trial picks the
  hyper-parameters, :class:`TrialPruning` reports the monitored validation metric after every epoch
  and stops a trial the pruner judges hopeless.
* :func:`open_storage` and :func:`create_study` give a study that several processes share: in
  memory, Optuna's journal file, SQLite or PostgreSQL. On a database a heartbeat marks the trials of
  a worker that died as failed, and they are run again by the next worker to ask for a trial.
* ``python -m dlnotes.search`` starts one such worker from the command line::

    python -m dlnotes.search --storage sqlite:///search.db --study mlp --objective search_mlp.py:objective \\
        --direction maximize --budget 40

  Start it in two terminals (or on two machines, with a PostgreSQL URL) and the two share the study.

The from-scratch grid, random and genetic searches are in :mod:`dlnotes.scratch.search`.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import math
import os
import sys
import time
from pathlib import Path

import optuna
from optuna.storages import JournalStorage, RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from dlnotes import _checks
from dlnotes.callbacks import Callback, _monitored, _resolve_mode
from dlnotes.training import fit

SAMPLERS = ("tpe", "random")
PRUNERS = ("median", "halving", "none")
DIRECTIONS = ("minimize", "maximize")
_STORAGE_FORMS = ("None (in memory), 'journal:PATH' (Optuna's journal file), 'sqlite:///PATH' "
                  "or 'postgresql://USER:PASSWORD@HOST:PORT/DATABASE'")


class TrialPruning(Callback):
    """Report ``monitor`` to an Optuna ``trial`` after every epoch; raise ``optuna.TrialPruned`` when
    the study's pruner says the trial cannot catch up. ``fit(..., callbacks=[TrialPruning(trial)])``."""

    def __init__(self, trial: optuna.trial.Trial, monitor: str = "val_loss"):
        self.trial = _checks.instance(trial, "trial", optuna.trial.Trial, "an optuna.trial.Trial")
        _resolve_mode(monitor, "auto")  # refuses a name that does not say whether it should grow or shrink
        self.monitor = monitor

    def on_epoch_end(self, trainer, epoch: int, logs: dict) -> None:
        value = _monitored(logs, self.monitor, "TrialPruning")
        if math.isfinite(value):  # a diverged epoch is not a value the pruner can compare
            self.trial.report(value, step=epoch)
        if self.trial.should_prune():
            self.trial.set_user_attr("epochs", epoch)  # what the trial cost, as fit_objective records it
            raise optuna.TrialPruned(f"pruned after epoch {epoch}: {self.monitor} = {value:.4g}")


def fit_objective(build, *, monitor: str = "val_loss"):
    """An Optuna objective that trains with :func:`fit`.

    ``build(trial)`` asks the trial for hyper-parameters and returns fit's arguments as a dict
    (``model``, ``train``, ``val``, ``loss``, ``optimizer``, ``epochs``, ...). The objective trains
    with :class:`TrialPruning` added, and returns the best value of ``monitor`` over the epochs (the
    model a :class:`~dlnotes.callbacks.ModelCheckpoint` on ``monitor`` would keep). A run that
    diverges stops there (``on_nonfinite="record"``); if no epoch gave a finite value, the trial fails.
    The study's direction must match ``monitor``: maximize for ``val_accuracy``, minimize for ``val_loss``.
    """
    build = _checks.function(build, "build", "trial -> dict of fit's arguments")
    mode = _resolve_mode(monitor, "auto")

    def objective(trial: optuna.trial.Trial) -> float:
        wanted = "maximize" if mode == "max" else "minimize"
        if trial.study.direction.name.lower() != wanted:
            raise ValueError(f"monitor={monitor!r} should be {wanted}d but the study is to "
                             f"{trial.study.direction.name.lower()}: create it with direction={wanted!r}")
        kwargs = build(trial)
        if not isinstance(kwargs, dict) or "val" not in kwargs:
            raise TypeError("build(trial) must return a dict of fit's arguments including val (the data "
                            f"{monitor!r} is measured on), got {_checks.show(kwargs)}")
        kwargs = {"progress": False, "on_nonfinite": "record", **kwargs}
        kwargs["callbacks"] = [*_checks.callbacks(kwargs.get("callbacks", ())), TrialPruning(trial, monitor)]
        history = fit(**kwargs)
        values = [v for v in history.history.get(monitor, ()) if math.isfinite(v)]
        trial.set_user_attr("epochs", len(history))
        if not values:
            raise FloatingPointError(f"no epoch gave a finite {monitor} (diverged at epoch {history.diverged_at})")
        return max(values) if mode == "max" else min(values)

    return objective


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not even parseable: nothing recognisable to hide
        return url


# Workers started together on a new database race to create its tables; the losers fail with one of
# these. The tables exist by then, so opening the storage again succeeds.
_CREATION_RACES = ("already exists", "UNIQUE constraint", "duplicate key", "database is locked")


def open_storage(storage: str | None = None, *, heartbeat_interval: int | None = None,
                 grace_period: int | None = None, max_retry: int = 3):
    """The Optuna storage behind the URL ``storage``: one of {forms}.

    On a database (SQLite, PostgreSQL) ``heartbeat_interval`` (seconds) turns on Optuna's heartbeat:
    a running trial whose worker sent none for ``grace_period`` seconds (default twice the interval)
    is marked failed by the next worker to ask for a trial, and a copy with the same parameters is
    queued, at most ``max_retry`` times. The journal file has no heartbeat in Optuna 5.
    A URL that cannot be reached raises ``ConnectionError`` naming it (password hidden).
    """
    if heartbeat_interval is not None:
        heartbeat_interval = _checks.integer(heartbeat_interval, "heartbeat_interval", minimum=1)
    if grace_period is not None:
        grace_period = _checks.integer(grace_period, "grace_period", minimum=1)
    max_retry = _checks.integer(max_retry, "max_retry", minimum=0)
    if storage is None:
        return None
    if not isinstance(storage, str):
        raise TypeError(f"storage must be {_STORAGE_FORMS}, got {_checks.show(storage)}")
    url = storage
    scheme = url.split(":", 1)[0].lower()
    if scheme == "journal":
        if heartbeat_interval is not None:
            raise ValueError("heartbeat_interval: Optuna's journal file has no heartbeat; use an SQLite or "
                             "PostgreSQL storage for workers that may die mid-trial")
        path = Path(url[len("journal:"):])
        if not path.name or not path.parent.is_dir():
            raise ValueError(f"storage {url!r}: the journal file must be in an existing folder, e.g. 'journal:search.log'")
        return JournalStorage(JournalFileBackend(str(path)))
    if scheme not in ("sqlite", "postgresql", "postgresql+psycopg"):
        raise ValueError(f"storage must be {_STORAGE_FORMS}, got {_hide_password(url)!r}")
    engine_kwargs = {}
    if scheme.startswith("postgresql"):
        url = "postgresql+psycopg" + url[len(scheme):]   # psycopg 3, not SQLAlchemy's default psycopg2
        engine_kwargs = {"connect_args": {"connect_timeout": 10}}
    retry = RetryHeartbeatStaleTrialCallback(max_retry=max_retry) if heartbeat_interval else None
    for attempt in range(5):
        try:
            return RDBStorage(url, engine_kwargs=engine_kwargs, heartbeat_interval=heartbeat_interval,
                              grace_period=grace_period, heartbeat_stale_trial_callback=retry)
        except Exception as err:  # sqlalchemy's OperationalError and friends, whose text says what went wrong
            text = f"{err} {err.__cause__}"
            if attempt < 4 and any(race in text for race in _CREATION_RACES):
                time.sleep(0.2 * (attempt + 1))
                continue
            reason = str(err).strip().splitlines()[0]
            raise ConnectionError(f"storage {_hide_password(url)!r} cannot be reached: {reason}") from None


open_storage.__doc__ = open_storage.__doc__.format(forms=_STORAGE_FORMS)


def _sampler(sampler, seed):
    if isinstance(sampler, optuna.samplers.BaseSampler):
        return sampler
    _checks.one_of(sampler, "sampler", SAMPLERS)
    if sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def _pruner(pruner):
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    _checks.one_of(pruner, "pruner", PRUNERS)
    if pruner == "median":  # stop a trial worse than the median of earlier trials at the same epoch
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if pruner == "halving":  # keep the best third at epochs 1, 3, 9, ...
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()


def create_study(study_name: str | None = None, *, storage=None, direction: str = "minimize",
                 sampler="tpe", pruner="median", seed: int | None = None, **storage_kwargs) -> optuna.Study:
    """Create the study ``study_name`` in ``storage``, or load it if it exists (so every worker calls this).

    ``storage``: a URL (see :func:`open_storage`, which takes ``storage_kwargs``), an Optuna storage,
    or None for memory. ``sampler``: ``"tpe"``, ``"random"`` or an Optuna sampler; ``pruner``:
    ``"median"``, ``"halving"``, ``"none"`` or an Optuna pruner; ``seed`` seeds the sampler (give two
    workers different seeds, or they propose the same parameters).
    """
    if study_name is not None and (not isinstance(study_name, str) or not study_name):
        raise TypeError(f"study_name must be a non-empty string or None, got {_checks.show(study_name)}")
    _checks.one_of(direction, "direction", DIRECTIONS)
    sampler, pruner = _sampler(sampler, _checks.seed(seed)), _pruner(pruner)
    if storage is None or isinstance(storage, str):
        storage = open_storage(storage, **storage_kwargs)
    elif not isinstance(storage, optuna.storages.BaseStorage):
        raise TypeError(f"storage must be {_STORAGE_FORMS} or an Optuna storage, got {_checks.show(storage)}")
    elif storage_kwargs:
        raise TypeError(f"storage is an Optuna storage already: {sorted(storage_kwargs)} apply only to a URL")
    study = optuna.create_study(storage=storage, study_name=study_name, direction=direction, sampler=sampler,
                                pruner=pruner, load_if_exists=True)
    if study.direction.name.lower() != direction:
        raise ValueError(f"direction={direction!r}, but the study {study_name!r} in this storage was created "
                         f"to {study.direction.name.lower()}")
    return study


FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)


def work(study: optuna.Study, objective, *, trials: int | None = None, budget: int | None = None,
         timeout: float | None = None) -> int:
    """Run trials of ``study`` in this process until it has run ``trials`` of its own, or the study
    holds ``budget`` finished (complete or pruned) trials from all its workers, or ``timeout`` seconds
    passed; returns how many trials this process finished. Two workers may each start a trial when
    one is missing, so a shared budget can be passed by at most one trial per extra worker.
    """
    _checks.instance(study, "study", optuna.Study, "an optuna.Study (see create_study)")
    objective = _checks.function(objective, "objective", "trial -> float")
    if trials is None and budget is None and timeout is None:
        raise ValueError("give trials, budget or timeout: without one a worker never stops")
    if trials is not None:
        trials = _checks.integer(trials, "trials", minimum=1)
    callbacks = []
    if budget is not None:
        budget = _checks.integer(budget, "budget", minimum=1)
        if len(study.get_trials(deepcopy=False, states=FINISHED)) >= budget:
            return 0
        callbacks.append(optuna.study.MaxTrialsCallback(budget, states=FINISHED))
    if timeout is not None:
        timeout = _checks.number(timeout, "timeout", above=0)
    mine = []
    callbacks.append(lambda study, trial: mine.append(trial.number))
    study.optimize(objective, n_trials=trials, timeout=timeout, callbacks=callbacks)
    return len(mine)


def load_objective(objective: str):
    """The function named by ``"path/to/file.py:name"`` or ``"package.module:name"``."""
    if not isinstance(objective, str) or objective.count(":") != 1 or not all(objective.split(":")):
        raise ValueError("objective must be 'FILE.py:FUNCTION' or 'MODULE:FUNCTION', "
                         f"got {_checks.show(objective)}")
    where, name = objective.split(":")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise FileNotFoundError(f"objective {objective!r}: no file {str(path)!r}")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.path.insert(0, str(path.resolve().parent))  # so the file can import its neighbours
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as err:
            raise ImportError(f"objective {objective!r}: cannot import {where}: {err}") from err
    if not callable(getattr(module, name, None)):
        raise ValueError(f"objective {objective!r}: {where} has no function {name!r}")
    return getattr(module, name)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dlnotes.search",
        description="Run one worker of an Optuna study; start several, here or on other machines, on one storage.")
    parser.add_argument("--storage", required=True, help=f"where the study lives: {_STORAGE_FORMS}")
    parser.add_argument("--study", required=True, help="the study's name (created by the first worker)")
    parser.add_argument("--objective", required=True, help="FILE.py:FUNCTION or MODULE:FUNCTION, trial -> float")
    parser.add_argument("--direction", default="minimize", choices=DIRECTIONS)
    parser.add_argument("--sampler", default="tpe", choices=SAMPLERS)
    parser.add_argument("--pruner", default="median", choices=PRUNERS)
    parser.add_argument("--trials", type=int, help="trials this worker runs")
    parser.add_argument("--budget", type=int, help="stop when the study holds this many finished trials")
    parser.add_argument("--timeout", type=float, help="stop starting trials after this many seconds")
    parser.add_argument("--seed", type=int, help="the sampler's seed (a different one per worker)")
    parser.add_argument("--heartbeat", type=int, default=10,
                        help="seconds between heartbeats on a database; 0 turns them off (default 10)")
    parser.add_argument("--grace", type=int, help="seconds without a heartbeat before a trial is failed "
                        "and retried (default twice --heartbeat)")
    parser.add_argument("--max-retry", type=int, default=3, help="runs of a failed trial's copy (default 3)")
    return parser


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        objective = load_objective(args.objective)
        storage_kwargs = {}
        if args.heartbeat and not args.storage.startswith("journal:"):
            storage_kwargs = {"heartbeat_interval": args.heartbeat, "grace_period": args.grace,
                              "max_retry": args.max_retry}
        study = create_study(args.study, storage=args.storage, direction=args.direction, sampler=args.sampler,
                             pruner=args.pruner, seed=args.seed, **storage_kwargs)
        done = work(study, objective, trials=args.trials, budget=args.budget, timeout=args.timeout)
    except (TypeError, ValueError, ConnectionError, FileNotFoundError, ImportError) as err:
        parser.error(str(err))
    counts = {state.name.lower(): len(study.get_trials(deepcopy=False, states=(state,))) for state in TrialState}
    print(f"worker {os.getpid()}: {done} trials finished here; study {args.study!r}: "
          + ", ".join(f"{n} {state}" for state, n in counts.items() if n), flush=True)
    try:
        print(f"best value {study.best_value:.6g} with {study.best_params}", flush=True)
    except ValueError:  # no complete trial yet
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
