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


@dataclass(frozen=True)
class FashionMNIST:
    """The 70,000 images as uint8 tensors, with integer labels and class names."""
    x_train: torch.Tensor  # (60000, 28, 28) uint8
    y_train: torch.Tensor  # (60000,) int64
    x_test: torch.Tensor   # (10000, 28, 28) uint8
    y_test: torch.Tensor   # (10000,) int64
    classes: tuple[str, ...] = CLASSES


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


def fashion_mnist(root: str | os.PathLike | None = None, *, download: bool = False) -> FashionMNIST:
    """Load the real Fashion-MNIST (60,000 training and 10,000 test images).

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
    return FashionMNIST(
        x_train=as_tensor(arrays["train-images-idx3-ubyte"], torch.uint8),
        y_train=as_tensor(arrays["train-labels-idx1-ubyte"], torch.int64),
        x_test=as_tensor(arrays["t10k-images-idx3-ubyte"], torch.uint8),
        y_test=as_tensor(arrays["t10k-labels-idx1-ubyte"], torch.int64),
    )
