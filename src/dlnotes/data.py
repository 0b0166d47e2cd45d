"""Fashion-MNIST, read from the original IDX files and verified before use."""
from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

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


def read_idx(path: Path, sha256: str | None = None) -> np.ndarray:
    """Read one IDX file (gzipped or not) into an array, refusing corrupt data.

    With ``sha256`` the decompressed bytes must hash to it; the header's
    dimensions must always account for every byte of the file.
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
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
    if len(raw) != header + int(np.prod(shape)):
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
    n_val = round(val_size * n) if isinstance(val_size, float) else int(val_size)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def _normalization(normalize, x_train) -> tuple[float, float]:
    if isinstance(normalize, tuple):
        return float(normalize[0]), float(normalize[1])
    if normalize == "unit":
        return 0.0, 1.0
    if normalize == "half":
        return 0.5, 0.5
    unit = x_train.float() / 255  # "standard": statistics of the training part only
    return unit.mean().item(), unit.std().item()


def _check_options(normalize, val_size, seed, flatten) -> None:
    if not (normalize is None or normalize in NORMALIZATIONS
            or (isinstance(normalize, tuple) and len(normalize) == 2 and float(normalize[1]) > 0)):
        raise ValueError(f"normalize must be None, one of {NORMALIZATIONS} or a (mean, std) pair with std > 0, "
                         f"got {normalize!r}")
    if isinstance(val_size, bool) or not (
            (isinstance(val_size, int) and 0 <= val_size < 60000)
            or (isinstance(val_size, float) and 0.0 <= val_size < 1.0)):
        raise ValueError(f"val_size must be a count in [0, 60000) or a fraction in [0, 1), got {val_size!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not isinstance(flatten, bool):
        raise TypeError(f"flatten must be True or False, got {flatten!r}")


def fashion_mnist(root: str | os.PathLike | None = None, *, download: bool = False, normalize=None,
                  val_size: int | float = 0, seed: int = 0, flatten: bool = False) -> FashionMNIST:
    """Load the real Fashion-MNIST (60,000 training and 10,000 test images).

    ``normalize``: ``None`` keeps the stored uint8 pixels; otherwise pixels
    become float32 ``(x / 255 - mean) / std`` with ``"unit"`` (0, 1),
    ``"half"`` (0.5, 0.5), ``"standard"`` (the training part's own mean and
    std) or an explicit ``(mean, std)``. ``val_size`` (a count or a fraction)
    moves that many training images, drawn with ``seed``, into ``x_val``/
    ``y_val``. ``flatten`` gives images as rows of 784.

    Looks in ``root`` if given, else in the folder named by the environment
    variable ``DLNOTES_FASHION_MNIST``, else in Debian's
    ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``).
    Files may be gzipped or not, flat or in torchvision's ``FashionMNIST/raw``
    layout. With ``download=True`` missing files are fetched by torchvision
    into ``root`` (default ``~/.cache/dlnotes``); nothing is ever downloaded
    otherwise. Every file is checked against its SHA-256.
    """
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False, got {download!r}")
    _check_options(normalize, val_size, seed, flatten)
    folders = [Path(root)] if root is not None else (
        [Path(os.environ[ROOT_ENV])] if os.environ.get(ROOT_ENV) else [DEBIAN_DIR])
    missing = [name for name in SHA256 if _find(name, folders) is None]
    if missing and download:
        folders = [_download(Path(root) if root is not None else Path.home() / ".cache" / "dlnotes")]
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
