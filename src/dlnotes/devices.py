"""Where tensors live, and how to make a run repeatable."""
from __future__ import annotations

import os
import platform
import random

import numpy as np
import torch

from dlnotes import _checks

__all__ = ["DEVICE_ENV", "device", "device_name", "seed_everything"]  # resolve() serves dlnotes._checks

DEVICE_ENV = "DLNOTES_DEVICE"
_ACCEPTED = ("cuda", "mps", "cpu")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps and mps.is_available())


def device(prefer: str | None = None) -> torch.device:
    """The device lessons train on: CUDA, else Apple's MPS, else the CPU.

    ``prefer`` (or the environment variable ``DLNOTES_DEVICE``) forces one of
    ``"cuda"``, ``"mps"`` or ``"cpu"`` (``"cuda:1"`` also works); asking for one
    this machine lacks is an error rather than a silent fallback.
    """
    if prefer is not None and not isinstance(prefer, str):
        raise TypeError(f"prefer must be None or a string such as 'cuda' or 'cpu', got {type(prefer).__name__}")
    return resolve(prefer, "prefer")


def resolve(choice: str | None, source: str) -> torch.device:
    """``choice`` as a device this machine has; errors name ``source`` (the argument that gave it).

    ``None`` or an empty string: ``DLNOTES_DEVICE`` if set, else the best device present.
    """
    if not choice:
        choice, source = os.environ.get(DEVICE_ENV, "").strip(), DEVICE_ENV
    if not choice:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    kind, _, index = choice.strip().lower().partition(":")
    if kind not in _ACCEPTED or (index and (kind != "cuda" or not index.isdigit())):
        raise ValueError(f"{source}={choice!r} is not a device; accepted: 'cuda', 'cuda:N', 'mps', 'cpu'")
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"{source}={choice!r} but torch sees no CUDA device here; use 'cpu' or unset {DEVICE_ENV}")
    if kind == "cuda" and index and int(index) >= torch.cuda.device_count():
        raise RuntimeError(f"{source}={choice!r} but torch sees {torch.cuda.device_count()} CUDA device(s), "
                           f"numbered from 0")
    if kind == "mps" and not _mps_available():
        raise RuntimeError(f"{source}={choice!r} but MPS is not available here; use 'cpu' or unset {DEVICE_ENV}")
    return torch.device(f"{kind}:{index}" if index else kind)


def device_name(dev: torch.device | str | None = None) -> str:
    """A human name for a device, e.g. ``'CUDA: NVIDIA H100'`` or ``'CPU: x86_64, 2 threads'``."""
    dev = _checks.device(dev, "dev")
    if dev.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(dev)}"
    if dev.type == "mps":
        return f"MPS: {platform.machine()}"
    cpu = platform.processor() or platform.machine()
    threads = torch.get_num_threads()
    return f"CPU: {cpu}, {threads} thread{'' if threads == 1 else 's'}"


def seed_everything(seed: int) -> int:
    """Seed Python's, NumPy's and torch's (CPU and CUDA) generators; returns ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed
