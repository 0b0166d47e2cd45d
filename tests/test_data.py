"""fashion_mnist(): reading, verification and the errors that say how to fix things.

Small IDX files made here stand in for the real ones; their hashes are
patched in so the verification path is the real one.
"""
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from dlnotes import data
from dlnotes.data import DataFileError, fashion_mnist, read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def fixture_dir(tmp_path, monkeypatch):
    """Four tiny gzipped IDX files (6 train, 4 test images of 28×28) with their hashes patched in."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(6) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (4, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(4),
    }
    hashes = {}
    for name, array in arrays.items():
        raw = idx_bytes(array)
        hashes[name] = hashlib.sha256(raw).hexdigest()
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(raw))
    monkeypatch.setattr(data, "SHA256", hashes)
    monkeypatch.delenv(data.ROOT_ENV, raising=False)
    return tmp_path


def test_reads_fixture_files(fixture_dir):
    ds = fashion_mnist(fixture_dir)
    assert ds.x_train.shape == (6, 28, 28) and str(ds.x_train.dtype) == "torch.uint8"
    assert ds.y_train.tolist() == [0, 1, 2, 3, 4, 5] and str(ds.y_train.dtype) == "torch.int64"
    assert ds.x_test.shape == (4, 28, 28) and len(ds.classes) == 10


def test_reads_uncompressed_torchvision_layout(fixture_dir):
    raw_dir = fixture_dir / "tv" / "FashionMNIST" / "raw"
    raw_dir.mkdir(parents=True)
    for gz in fixture_dir.glob("*.gz"):
        (raw_dir / gz.stem).write_bytes(gzip.decompress(gz.read_bytes()))
    assert fashion_mnist(fixture_dir / "tv").x_test.shape == (4, 28, 28)


def test_environment_variable_names_the_folder(fixture_dir, monkeypatch):
    monkeypatch.setenv(data.ROOT_ENV, str(fixture_dir))
    assert len(fashion_mnist().y_test) == 4


def test_truncated_gzip_is_refused_naming_the_file(fixture_dir):
    path = fixture_dir / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataFileError, match=r"train-images-idx3-ubyte\.gz.*truncated.*apt-get install --reinstall"):
        fashion_mnist(fixture_dir)


def test_corrupt_content_is_refused_by_its_hash(fixture_dir):
    path = fixture_dir / "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[-1] ^= 0xFF
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DataFileError, match=r"t10k-labels-idx1-ubyte\.gz.*SHA-256.*download=True"):
        fashion_mnist(fixture_dir)


def test_header_must_account_for_every_byte(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(idx_bytes(np.zeros((3, 2), np.uint8))[:-1])
    with pytest.raises(DataFileError, match="truncated"):
        read_idx(path)


def test_missing_files_name_the_apt_package_and_the_download_option(tmp_path, monkeypatch):
    monkeypatch.delenv(data.ROOT_ENV, raising=False)
    with pytest.raises(DataFileError, match=r"apt-get install dataset-fashion-mnist.*download=True"):
        fashion_mnist(tmp_path)


def test_download_must_be_a_bool(fixture_dir):
    with pytest.raises(TypeError, match="download"):
        fashion_mnist(fixture_dir, download="yes")


@pytest.mark.skipif(not data.DEBIAN_DIR.exists(), reason="dataset-fashion-mnist is not installed")
def test_the_real_debian_files():
    ds = fashion_mnist()
    assert ds.x_train.shape == (60000, 28, 28) and ds.x_test.shape == (10000, 28, 28)
    assert ds.y_train.bincount().tolist() == [6000] * 10
    assert abs(ds.x_train.float().mean().item() / 255 - 0.286) < 1e-3


def test_normalizations(fixture_dir):
    raw = fashion_mnist(fixture_dir)
    unit = fashion_mnist(fixture_dir, normalize="unit")
    assert unit.x_train.dtype.is_floating_point and torch_close(unit.x_train, raw.x_train.float() / 255)
    half = fashion_mnist(fixture_dir, normalize="half")
    assert half.x_test.min() >= -1 and half.x_test.max() <= 1 and (half.mean, half.std) == (0.5, 0.5)
    std = fashion_mnist(fixture_dir, normalize="standard", flatten=True)
    assert abs(std.x_train.mean().item()) < 1e-5 and abs(std.x_train.std().item() - 1) < 1e-4
    assert std.x_train.shape == (6, 784)


def test_validation_split_is_fixed_by_its_seed(fixture_dir):
    a = fashion_mnist(fixture_dir, val_size=2, seed=1)
    assert len(a.y_train) == 4 and len(a.y_val) == 2
    assert sorted(a.y_train.tolist() + a.y_val.tolist()) == list(range(6))
    assert fashion_mnist(fixture_dir, val_size=2, seed=1).y_val.tolist() == a.y_val.tolist()
    assert len(fashion_mnist(fixture_dir, val_size=0.5).y_val) == 3


def test_standard_statistics_come_from_the_training_part_only(fixture_dir):
    ds = fashion_mnist(fixture_dir, normalize="standard", val_size=3)
    assert abs(ds.x_train.mean().item()) < 1e-5 and abs(ds.x_val.mean().item()) > 1e-3


@pytest.mark.parametrize("kwargs, name", [({"normalize": "zscore"}, "normalize"), ({"normalize": (0.5, 0)}, "normalize"),
                                          ({"val_size": 1.0}, "val_size"), ({"val_size": -1}, "val_size"),
                                          ({"seed": 1.5}, "seed"), ({"flatten": 1}, "flatten")])
def test_bad_options_name_the_argument(fixture_dir, kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        fashion_mnist(fixture_dir, **kwargs)


def torch_close(a, b):
    import torch
    return torch.allclose(a, b)


# ---------- bad input found by test_bad_input_modules.py (each failed before the checks went through _checks)


def test_root_of_the_wrong_type_names_root(fixture_dir):
    with pytest.raises(TypeError, match="root must be a str or path-like"):
        fashion_mnist([])


@pytest.mark.parametrize("normalize, error", [((float("nan"), 1.0), ValueError),  # silently gave nan pixels
                                              ((0.5, ""), TypeError), ((0.5, None), TypeError),
                                              ([0.5, float("inf")], ValueError), ((0.5,), ValueError),
                                              (0.5, TypeError)])
def test_normalize_pair_must_hold_two_finite_numbers(fixture_dir, normalize, error):
    with pytest.raises(error, match="normalize"):
        fashion_mnist(fixture_dir, normalize=normalize)


def test_normalize_pair_may_be_a_list(fixture_dir):
    assert fashion_mnist(fixture_dir, normalize=[0.5, 0.25]).std == 0.25


@pytest.mark.parametrize("val_size", [0.9999999, 0.01, 6])  # all six training images, or none of them
def test_val_size_must_leave_images_in_both_parts(fixture_dir, val_size):
    with pytest.raises(ValueError, match="val_size must move at least one"):
        fashion_mnist(fixture_dir, val_size=val_size)


def test_seed_must_fit_a_generator(fixture_dir):
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
        fashion_mnist(fixture_dir, val_size=2, seed=2**64)  # was torch's RuntimeError: Overflow


@pytest.mark.parametrize("path, error", [(None, TypeError), (b"x", TypeError), (".", FileNotFoundError),
                                         ("missing", FileNotFoundError)])
def test_read_idx_names_a_bad_path(tmp_path, monkeypatch, path, error):
    monkeypatch.chdir(tmp_path)  # "." is a folder: it was an IsADirectoryError
    with pytest.raises(error, match="path must"):
        read_idx(path)


@pytest.mark.parametrize("sha256, error", [(5, TypeError), ([], TypeError), ("abc", ValueError)])
def test_read_idx_names_a_bad_sha256(fixture_dir, sha256, error):
    with pytest.raises(error, match="sha256 must be None or a string of 64 hex digits"):
        read_idx(fixture_dir / "t10k-labels-idx1-ubyte.gz", sha256)


def test_read_idx_takes_an_upper_case_hash(fixture_dir):
    name = "t10k-labels-idx1-ubyte"
    assert read_idx(fixture_dir / f"{name}.gz", data.SHA256[name].upper()).tolist() == [0, 1, 2, 3]
