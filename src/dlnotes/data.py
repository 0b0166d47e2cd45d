"""Fashion-MNIST, read from the original IDX files and verified before use.

:func:`fashion_mnist` loads the whole data set (see its docstring for what each
argument accepts); :func:`read_idx` reads one IDX file. A missing, truncated or
corrupt data file raises :class:`DataFileError`; a bad argument raises
``TypeError`` (wrong kind of thing) or ``ValueError`` (value not accepted)
naming the argument.
"""
from __future__ import annotations

import gzip
import hashlib
import math
import os
import re
import zlib
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

import numpy as np
import torch

from dlnotes._checks import flag, integer, number, path as path_arg, show
from dlnotes._record import file_read

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
ROOT_ENV = "DLNOTES_FASHION_MNIST"
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# SHA-256 of the *decompressed* IDX files: the same whether a file arrives
# gzipped by Debian, by the original site, or already unpacked by torchvision.
SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

HOW_TO_FIX = ("Reinstall the Debian files with `sudo apt-get install --reinstall dataset-fashion-mnist`, "
              "or delete the file and call fashion_mnist(download=True) to fetch a fresh copy.")


class DataFileError(RuntimeError):
    """A data file is missing, truncated or not the file it claims to be."""


NORMALIZATIONS = ("unit", "half", "standard")


@dataclass(frozen=True)
class FashionMNIST:
    """The images with integer labels and class names.

    As stored: uint8 of shape (N, 28, 28). With ``normalize``: float32, and
    ``mean``/``std`` say what was subtracted and divided (on the 0-1 scale).
    """
    x_train: torch.Tensor  # (60000 - n_val, 28, 28) or (…, 784)
    y_train: torch.Tensor  # (60000 - n_val,) int64
    x_test: torch.Tensor   # (10000, 28, 28) or (10000, 784)
    y_test: torch.Tensor   # (10000,) int64
    x_val: torch.Tensor | None = None  # (n_val, 28, 28) or (n_val, 784)
    y_val: torch.Tensor | None = None
    classes: tuple[str, ...] = CLASSES
    mean: float | None = None
    std: float | None = None


def _find(name: str, folders: list[Path]) -> Path | None:
    for folder in folders:
        for candidate in (folder / f"{name}.gz", folder / name,
                          folder / "FashionMNIST" / "raw" / name, folder / "FashionMNIST" / "raw" / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def read_idx(path: str | os.PathLike, sha256: str | None = None) -> np.ndarray:
    """Read one IDX file (gzipped if its name ends in ``.gz``) into a uint8 array, refusing corrupt data.

    ``path``: a str or path-like naming an existing file (else ``FileNotFoundError``).
    ``sha256``: ``None`` or the 64 hex digits the decompressed bytes must hash to.
    The header's dimensions must always account for every byte of the file;
    corrupt or truncated content raises :class:`DataFileError`.
    """
    path = path_arg(path, "path")
    if sha256 is not None:
        if not isinstance(sha256, str):
            raise TypeError(f"sha256 must be None or a string of 64 hex digits, got {show(sha256)}")
        if not re.fullmatch("[0-9a-fA-F]{64}", sha256):
            raise ValueError(f"sha256 must be None or a string of 64 hex digits, got {show(sha256)}")
        sha256 = sha256.lower()
    if not path.is_file():
        raise FileNotFoundError(f"path must name an existing IDX file, got {str(path)!r}")
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        file_read(path)  # the site build keys a lesson's cached run on the files it read
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        raise DataFileError(f"{path} is truncated or not a valid gzip file ({err}). {HOW_TO_FIX}") from None
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise DataFileError(f"{path} does not have the expected SHA-256 {sha256[:12]}…: "
                            f"the file is truncated or corrupt. {HOW_TO_FIX}")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataFileError(f"{path} is not an unsigned-byte IDX file (bad magic number). {HOW_TO_FIX}")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != header + math.prod(shape):
        raise DataFileError(f"{path} holds {len(raw) - header} data bytes but its header promises shape {shape}: "
                            f"the file is truncated. {HOW_TO_FIX}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _download(root: Path) -> Path:
    from torchvision.datasets import FashionMNIST as TorchvisionFashionMNIST
    TorchvisionFashionMNIST(str(root), train=True, download=True)
    TorchvisionFashionMNIST(str(root), train=False, download=True)
    return root


def _split(x, y, val_size, seed):
    n = len(y)
    n_val = round(val_size * n) if isinstance(val_size, float) else val_size
    if not 0 < n_val < n:
        raise ValueError(f"val_size must move at least one of the {n} training images to validation and leave "
                         f"at least one for training, got {val_size} ({n_val} images)")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def _normalization(normalize, x_train) -> tuple[float, float]:
    if isinstance(normalize, tuple):
        return normalize
    if normalize == "unit":
        return 0.0, 1.0
    if normalize == "half":
        return 0.5, 0.5
    unit = x_train.float() / 255  # "standard": statistics of the training part only
    return unit.mean().item(), unit.std().item()


def _check_normalize(normalize):
    """None, a name in NORMALIZATIONS, or a (mean, std) pair of finite numbers with std > 0 (as floats)."""
    accepted = f"None, one of {', '.join(map(repr, NORMALIZATIONS))} or a (mean, std) pair"
    if normalize is None or (isinstance(normalize, str) and normalize in NORMALIZATIONS):
        return normalize
    if isinstance(normalize, str):
        raise ValueError(f"normalize must be {accepted}, got {show(normalize)}")
    if not isinstance(normalize, (tuple, list)):
        raise TypeError(f"normalize must be {accepted}, got {show(normalize)}")
    if len(normalize) != 2:
        raise ValueError(f"normalize must be a (mean, std) pair, got {len(normalize)} values: {show(normalize)}")
    return number(normalize[0], "normalize mean"), number(normalize[1], "normalize std", above=0)


def _check_val_size(val_size):
    """A count in [0, 60000) (int) or a fraction in [0, 1) (float)."""
    if isinstance(val_size, Integral) and not isinstance(val_size, (bool, np.bool_)):
        return integer(val_size, "val_size (a count of images)", minimum=0, maximum=59_999)
    try:
        return number(val_size, "val_size (a fraction)", minimum=0, below=1)
    except TypeError:
        raise TypeError(f"val_size must be a count in [0, 60000) or a fraction in [0, 1), "
                        f"got {show(val_size)}") from None


def fashion_mnist(root: str | os.PathLike | None = None, *, download: bool = False, normalize=None,
                  val_size: int | float = 0, seed: int = 0, flatten: bool = False) -> FashionMNIST:
    """Load the real Fashion-MNIST (60,000 training and 10,000 test images).

    ``normalize``: ``None`` keeps the stored uint8 pixels; otherwise pixels
    become float32 ``(x / 255 - mean) / std`` with ``"unit"`` (0, 1),
    ``"half"`` (0.5, 0.5), ``"standard"`` (the training part's own mean and
    std) or an explicit ``(mean, std)`` pair of finite numbers, ``std > 0``.
    ``val_size`` (an integer count in [0, 60000) or a float fraction in
    [0, 1); 0 for none) moves that many training images, drawn with ``seed``
    (an integer in [0, 2**32)), into ``x_val``/``y_val``; a fraction must
    round to at least one image. ``flatten`` (True or False) gives images
    as rows of 784. ``root``: ``None`` or a str or path-like folder;
    ``download``: True or False.

    Looks in ``root`` if given, else in the folder named by the environment
    variable ``DLNOTES_FASHION_MNIST``, else in Debian's
    ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``).
    Files may be gzipped or not, flat or in torchvision's ``FashionMNIST/raw``
    layout. With ``download=True`` missing files are fetched by torchvision
    into ``root`` (default ``~/.cache/dlnotes``); nothing is ever downloaded
    otherwise. Every file is checked against its SHA-256.
    """
    root = None if root is None else path_arg(root, "root")
    download, flatten = flag(download, "download"), flag(flatten, "flatten")
    normalize, val_size = _check_normalize(normalize), _check_val_size(val_size)
    seed = integer(seed, "seed", minimum=0, maximum=2**32 - 1)
    folders = [root] if root is not None else (
        [Path(os.environ[ROOT_ENV])] if os.environ.get(ROOT_ENV) else [DEBIAN_DIR])
    missing = [name for name in SHA256 if _find(name, folders) is None]
    if missing and download:
        folders = [_download(root if root is not None else Path.home() / ".cache" / "dlnotes")]
        missing = [name for name in SHA256 if _find(name, folders) is None]
    if missing:
        where = ", ".join(str(f) for f in folders)
        raise DataFileError(
            f"Fashion-MNIST file(s) {', '.join(missing)} not found in {where}. Install them with "
            f"`sudo apt-get install dataset-fashion-mnist`, point {ROOT_ENV} (or root=) at a folder holding "
            f"the four IDX files, or call fashion_mnist(download=True) when online.")
    arrays = {name: read_idx(_find(name, folders), SHA256[name]) for name in SHA256}
    as_tensor = lambda a, dtype: torch.from_numpy(a.copy()).to(dtype)  # noqa: E731 (copy: frombuffer is read-only)
    x_train = as_tensor(arrays["train-images-idx3-ubyte"], torch.uint8)  # (60000, 28, 28)
    y_train = as_tensor(arrays["train-labels-idx1-ubyte"], torch.int64)  # (60000,)
    x_test = as_tensor(arrays["t10k-images-idx3-ubyte"], torch.uint8)    # (10000, 28, 28)
    y_test = as_tensor(arrays["t10k-labels-idx1-ubyte"], torch.int64)    # (10000,)
    x_val = y_val = None
    if val_size:
        x_train, y_train, x_val, y_val = _split(x_train, y_train, val_size, seed)
    mean = std = None
    if normalize is not None:
        mean, std = _normalization(normalize, x_train)
        x_train, x_test, x_val = ((x.float() / 255 - mean) / std if x is not None else None
                                  for x in (x_train, x_test, x_val))
    if flatten:
        x_train, x_test, x_val = (x.flatten(1) if x is not None else None for x in (x_train, x_test, x_val))
    return FashionMNIST(x_train, y_train, x_test, y_test, x_val, y_val, mean=mean, std=std)
