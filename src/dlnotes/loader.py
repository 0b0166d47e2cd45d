"""Mini-batches from tensors that already sit in memory.

``torch.utils.data.DataLoader`` fetches one sample at a time in Python and then
stacks them: fine for images read from disk, but for a dataset that fits in
memory (Fashion-MNIST's training images: 47 MB as uint8, 188 MB as float32) that per-sample work costs more than
the model. :class:`TensorLoader` keeps whole tensors on the device and cuts a
batch with one indexing operation. :class:`ArrayDataset` is the map-style
counterpart, for when a ``DataLoader`` is wanted anyway (workers, samplers).
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import Dataset

from dlnotes import _checks


def _as_tensors(arrays, name: str) -> tuple[torch.Tensor, ...]:
    """numpy arrays or tensors -> tensors (sharing memory where possible), checked to align."""
    if not arrays:
        raise ValueError(f"{name} needs at least one array or tensor, got none")
    tensors = []
    for i, a in enumerate(arrays):
        try:
            t = torch.as_tensor(a)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"{name}[{i}] must be a tensor or numpy array, got {type(a).__name__} ({err})") from None
        if t.dim() == 0:
            raise ValueError(f"{name}[{i}] is a scalar; every tensor needs a first (sample) dimension")
        tensors.append(t)
    lengths = {t.shape[0] for t in tensors}
    if len(lengths) > 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise ValueError(f"{name} must all have the same first dimension (one row per sample), got shapes {shapes}")
    if tensors[0].shape[0] == 0:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise ValueError(f"{name} is empty: the tensors have shapes {shapes}, with no sample")
    return tuple(tensors)


def _flatten(parts) -> tuple[list, list]:
    """Positional arguments, each an array or a tuple or dict of arrays -> (flat list, how to rebuild)."""
    flat, spec = [], []
    for i, part in enumerate(parts):
        if isinstance(part, dict):
            if not part or not all(isinstance(k, str) for k in part):
                raise TypeError(f"tensors[{i}] must be an array, or a tuple or dict (str keys) of arrays, "
                                f"got {_checks.show(part)}")
            spec.append(("dict", list(part)))
            flat += list(part.values())
        elif isinstance(part, (tuple, list)) and part and all(isinstance(e, (torch.Tensor, np.ndarray)) for e in part):
            spec.append(("tuple", len(part)))
            flat += list(part)
        else:
            spec.append(("tensor", 1))
            flat.append(part)
    return flat, spec


def _rebuild(flat: list, spec: list) -> tuple:
    out, i = [], 0
    for kind, what in spec:
        if kind == "tensor":
            out.append(flat[i])
            i += 1
        elif kind == "tuple":
            out.append(tuple(flat[i:i + what]))
            i += what
        else:
            out.append(dict(zip(what, flat[i:i + len(what)])))
            i += len(what)
    return tuple(out)


class TensorLoader:
    """Shuffled mini-batches cut from whole tensors, with no per-sample Python work.

    Each positional argument is a tensor (or numpy array), or a tuple or dict of them for a model with
    several inputs or outputs: ``TensorLoader((x_wide, x_deep), y)`` yields ``((wide, deep), y)``
    batches, ``TensorLoader({"wide": w, "deep": d}, {"price": p, "aux": a})`` dicts of the same names.

    >>> x, y = torch.randn(100, 784), torch.randint(0, 10, (100,))
    >>> loader = TensorLoader(x, y, batch_size=32, shuffle=True)
    >>> *_, (last_x, last_y) = loader
    >>> len(loader), tuple(last_x.shape)
    (4, (4, 784))

    The order is a permutation drawn from ``generator`` (a CPU
    ``torch.Generator``) and then moved to the device, so a seed gives the same
    batches on the CPU, CUDA or MPS. With ``shuffle`` and no ``generator``, one
    is created and seeded from torch's global generator, so
    :func:`~dlnotes.seed_everything` makes the order repeatable.
    """

    def __init__(self, *tensors, batch_size: int = 256, shuffle: bool = False, drop_last: bool = False,
                 generator: torch.Generator | None = None, device: torch.device | str | None = None):
        flat, self._spec = _flatten(tensors)
        tensors = _as_tensors(flat, "tensors")
        self.batch_size = _checks.integer(batch_size, "batch_size", minimum=1)
        self.shuffle = _checks.flag(shuffle, "shuffle")
        self.drop_last = _checks.flag(drop_last, "drop_last")
        n = tensors[0].shape[0]
        if drop_last and n < self.batch_size:
            raise ValueError(f"batch_size={batch_size} is larger than the {n} samples, so drop_last=True "
                             "would leave no batch; lower batch_size or set drop_last=False")
        if generator is not None:
            if not isinstance(generator, torch.Generator) or generator.device.type != "cpu":
                raise TypeError(f"generator must be a CPU torch.Generator or None, got {generator!r}")
        elif shuffle:
            # Seeded from the global generator: seed_everything() then fixes the order.
            seed = int(torch.empty((), dtype=torch.int64).random_())
            generator = torch.Generator().manual_seed(seed)
        self.generator = generator
        # device=None keeps each tensor where it is; otherwise copy once, now, not per batch.
        self.tensors = tensors if device is None else tuple(t.to(_checks.device(device)) for t in tensors)
        self.device = self.tensors[0].device

    @property
    def dataset_size(self) -> int:
        """Number of samples (rows), whether or not ``drop_last`` skips some."""
        return self.tensors[0].shape[0]

    def __len__(self) -> int:
        """Number of batches per epoch."""
        if self.drop_last:
            return self.dataset_size // self.batch_size
        return math.ceil(self.dataset_size / self.batch_size)

    def __iter__(self):
        n, bs = self.dataset_size, self.batch_size
        stop = len(self) * bs  # with drop_last, the tail that fills no batch is skipped
        if not self.shuffle:
            for start in range(0, stop, bs):
                yield _rebuild([t[start:start + bs] for t in self.tensors], self._spec)  # views: no copy
            return
        # Drawn on the CPU whatever the device: same seed, same batches everywhere.
        order = torch.randperm(n, generator=self.generator).to(self.device)  # (N,)
        for start in range(0, stop, bs):
            index = order[start:start + bs]  # (B,)
            # one gather per tensor; faster than t[index]
            yield _rebuild([t.index_select(0, index) for t in self.tensors], self._spec)

    def to(self, device: torch.device | str) -> TensorLoader:
        """A new loader over the same data on ``device``; its generator is a copy (same future order)."""
        device = _checks.device(device)
        generator = None
        if self.generator is not None:
            generator = torch.Generator()
            generator.set_state(self.generator.get_state())
        return TensorLoader(*_rebuild(list(self.tensors), self._spec), batch_size=self.batch_size,
                            shuffle=self.shuffle, drop_last=self.drop_last, generator=generator, device=device)

    def state_dict(self) -> dict:
        """The shuffling state, for a checkpoint: ``{"generator": ByteTensor}`` (empty if unshuffled)."""
        return {} if self.generator is None else {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Continue shuffling exactly where the loader that saved ``state`` stopped."""
        if not isinstance(state, dict) or set(state) - {"generator"} or not isinstance(
                state.get("generator", torch.empty(0, dtype=torch.uint8)), torch.Tensor):
            raise TypeError(f"state must be a dict from TensorLoader.state_dict(), got {_checks.show(state)}")
        if "generator" in state:
            if self.generator is None:
                self.generator = torch.Generator()
            self.generator.set_state(state["generator"])

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return (f"TensorLoader({shapes}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last}, device={str(self.device)!r})")


class ArrayDataset(Dataset):
    """A map-style dataset over aligned arrays: ``dataset[i]`` is ``(x[i], y[i], ...)``.

    Accepts numpy arrays or tensors (dtypes are kept: numpy's default float64
    stays float64). Wrap it in ``torch.utils.data.DataLoader`` to get the same
    batches as a :class:`TensorLoader`, one sample at a time.
    """

    def __init__(self, *arrays):
        self.tensors = _as_tensors(arrays, "arrays")

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index) -> tuple[torch.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"ArrayDataset({shapes})"
