"""Checkpoint files: written atomically, verified before use, and complete enough to resume exactly.

What a file holds (all loadable with ``torch.load(path, weights_only=True)``):
``model``, ``optimizer`` (and its class name), ``scheduler`` (and its class
name), ``train_loader`` (a loader's shuffling state, if it has one),
``epoch``, ``history``, ``monitor``, ``best``, ``kind`` (``"last"``: the
latest epoch, to resume from; ``"best"``: the best epoch so far) and ``rng``:
the state of every random generator a run may draw from (torch's CPU and
CUDA generators, NumPy's and Python's global ones, and the user's own
``torch.Generator`` objects that fit was given or found in the loader).

What is guaranteed: a crash at any moment of a save leaves the previous file
or the new one, never half a file (write to a temporary file, fsync, rename);
a file that is truncated, damaged (every stored record carries a CRC-32,
checked on load), empty, or not a checkpoint at all is refused with a
:class:`CheckpointError` naming it, never loaded with changed content.
"""
from __future__ import annotations

import os
import random
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import torch

__all__ = ["CheckpointError", "load_checkpoint"]  # the rest serves ModelCheckpoint and fit

FORMAT = "dlnotes-checkpoint-1"
KINDS = ("last", "best")


class CheckpointError(ValueError):
    """A checkpoint file that cannot be used: missing, damaged, not a checkpoint, or saved by another setup."""


# ---------------------------------------------------------------- random generators

def _numpy_state() -> dict:
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    return {"name": name, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
            "has_gauss": int(has_gauss), "gauss": float(gauss)}


def _python_state() -> dict:
    version, internal, gauss_next = random.getstate()
    return {"version": version, "internal": torch.tensor(internal, dtype=torch.int64), "gauss_next": gauss_next}


def rng_state(generators=()) -> dict:
    """Every generator's state now: torch (CPU, CUDA), NumPy, Python, and each of ``generators``."""
    state = {"torch": torch.get_rng_state(),  # (5056,) uint8: dropout, DataLoader shuffling
             "numpy": _numpy_state(), "python": _python_state(),
             "generators": [g.get_state() for g in generators]}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()  # list of ByteTensors
    return state


def restore_rng(state, generators=()) -> None:
    """Put every generator back where ``state`` (from :func:`rng_state`) found it."""
    if isinstance(state, torch.Tensor):  # files written before NumPy and Python were saved too
        torch.set_rng_state(state)
        return
    torch.set_rng_state(state["torch"])
    cuda = state.get("cuda")
    if cuda is not None and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    numpy = state["numpy"]
    np.random.set_state((numpy["name"], numpy["keys"].numpy().astype(np.uint32), numpy["pos"],
                         numpy["has_gauss"], numpy["gauss"]))
    python = state["python"]
    random.setstate((python["version"], tuple(python["internal"].tolist()), python["gauss_next"]))
    for generator, saved in zip(generators, state["generators"]):
        generator.set_state(saved)


def loader_generators(loader) -> list[torch.Generator]:
    """The ``torch.Generator`` objects a ``DataLoader`` draws its order from (its own, its sampler's)."""
    found = []
    for owner in (loader, getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None),
                                                                     "sampler", None)):
        g = getattr(owner, "generator", None)
        if isinstance(g, torch.Generator) and all(g is not other for other in found):
            found.append(g)
    return found


# ---------------------------------------------------------------- writing

def stale_temporaries(path: Path) -> list[Path]:
    """Temporary files that saves to ``path`` left behind when a process was killed mid-write."""
    return sorted(path.parent.glob(f".{path.name}.*.tmp")) if path.parent.is_dir() else []


def check_writable(path: Path, name: str = "path") -> None:
    """Fail now, naming ``path``, if a checkpoint could not be written there (rather than after an epoch)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise ValueError(f"{name}={str(path)!r} cannot be written: {err.strerror or err}; "
                         "choose a folder you can write to") from None
    if path.is_dir():
        raise ValueError(f"{name}={str(path)!r} is a directory; give a file name such as 'model.pt'")


def atomic_save(obj, path: Path) -> None:
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
    except BaseException as err:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(err, OSError):  # name the checkpoint, not the hidden temporary file
            raise OSError(err.errno, f"could not save the checkpoint {str(path)!r}: {err.strerror or err}") from None
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


def checkpoint_state(trainer, epoch: int, monitor: str | None = None, best: float | None = None,
                     kind: str = "last") -> dict:
    """The dict ModelCheckpoint writes: only tensors, dicts, lists, numbers and strings."""
    state = {
        "format": FORMAT,
        "kind": kind,
        "epoch": int(epoch),
        "model": trainer.model.state_dict(),
        "optimizer": trainer.optimizer.state_dict(),
        "optimizer_class": type(trainer.optimizer).__qualname__,
        "history": trainer.history.to_dict(),
        "rng": rng_state(getattr(trainer, "generators", ())),
        "monitor": monitor,
        "best": None if best is None or not np.isfinite(best) else float(best),
    }
    if trainer.scheduler is not None:
        state["scheduler"] = trainer.scheduler.state_dict()
        state["scheduler_class"] = type(trainer.scheduler).__qualname__
    if hasattr(trainer.train, "state_dict"):
        state["train_loader"] = trainer.train.state_dict()
    return state


# ---------------------------------------------------------------- reading

def load_checkpoint(path, name: str = "path") -> dict:
    """Read and verify a checkpoint file, as ``fit(resume_from=path)`` does: the dict ModelCheckpoint saved.

    A missing file raises ``FileNotFoundError``; an empty, truncated, damaged or foreign one a
    :class:`CheckpointError`. Messages name the argument ``name`` (``fit`` passes ``"resume_from"``).
    """
    from dlnotes import _checks
    path = _checks.path(path, name)
    where = f"{name}={str(path)!r}"
    if not path.exists():
        raise FileNotFoundError(f"{where} does not exist")
    if not path.is_file():
        raise CheckpointError(f"{where} is not a file")
    size = path.stat().st_size
    if size == 0:
        raise CheckpointError(f"{where} is empty (0 bytes): the save never happened or the file was truncated")
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()  # reads every record and checks its CRC-32
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
        raise CheckpointError(f"{where} is not a readable checkpoint ({size} bytes; {err}): it is truncated, "
                              "damaged, or not a file written by ModelCheckpoint / torch.save") from None
    if damaged is not None:
        raise CheckpointError(f"{where} is damaged: record {damaged!r} fails its CRC-32 check, so some bytes "
                              "changed after it was written; resume from another copy")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001: any failure of a verified archive means it is not ours
        raise CheckpointError(f"{where} could not be loaded as a checkpoint ({type(err).__name__}: {err})") from None
    missing = {"epoch", "model", "optimizer", "history", "rng"} - set(state) if isinstance(state, dict) else None
    if missing is None or missing:
        what = f"it lacks {sorted(missing)}" if missing else f"it holds a {type(state).__name__}"
        raise CheckpointError(f"{where} is not a ModelCheckpoint file: {what}")
    return state
