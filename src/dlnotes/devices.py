"""Where tensors live, and how to make a run repeatable."""
from __future__ import annotations

import os
import platform
import random

import numpy as np
import torch

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
    choice = prefer if prefer is not None else os.environ.get(DEVICE_ENV, "").strip()
    if not choice:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    source = "prefer" if prefer is not None else DEVICE_ENV
    kind = choice.split(":")[0].lower()
    if kind not in _ACCEPTED:
        raise ValueError(f"{source}={choice!r} is not a device; accepted: 'cuda', 'cuda:N', 'mps', 'cpu'")
    if kind == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"{source}={choice!r} but torch sees no CUDA device here; use 'cpu' or unset {DEVICE_ENV}")
    if kind == "mps" and not _mps_available():
        raise RuntimeError(f"{source}={choice!r} but MPS is not available here; use 'cpu' or unset {DEVICE_ENV}")
    return torch.device(choice.lower())


def device_name(dev: torch.device | str | None = None) -> str:
    """A human name for a device, e.g. ``'CUDA: NVIDIA H100'`` or ``'CPU: x86_64, 2 threads'``."""
    dev = torch.device(dev) if dev is not None else device()
    if dev.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(dev)}"
    if dev.type == "mps":
        return f"MPS: {platform.machine()}"
    cpu = platform.processor() or platform.machine()
    return f"CPU: {cpu}, {torch.get_num_threads()} threads"


def seed_everything(seed: int) -> int:
    """Seed Python's, NumPy's and torch's (CPU and CUDA) generators; returns ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32), got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed
