import random

import numpy as np
import pytest
import torch

from dlnotes import device, device_name, seed_everything


def test_default_is_cuda_else_mps_else_cpu(monkeypatch):
    monkeypatch.delenv("DLNOTES_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert device().type == expected


def test_environment_variable_forces_a_device(monkeypatch):
    monkeypatch.setenv("DLNOTES_DEVICE", "cpu")
    assert device() == torch.device("cpu")


@pytest.mark.parametrize("bad", ["gpu", "tpu", "cpuu"])
def test_unknown_device_names_what_is_accepted(bad, monkeypatch):
    monkeypatch.setenv("DLNOTES_DEVICE", bad)
    with pytest.raises(ValueError, match=r"DLNOTES_DEVICE.*accepted: 'cuda'"):
        device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_missing_cuda_is_an_error_not_a_fallback():
    with pytest.raises(RuntimeError, match="no CUDA device"):
        device("cuda")


def test_device_name_is_readable():
    assert device_name("cpu").startswith("CPU: ")


def test_device_name_counts_threads_in_english():
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert device_name("cpu").endswith(", 1 thread")
        torch.set_num_threads(2)
        assert device_name("cpu").endswith(", 2 threads")
    finally:
        torch.set_num_threads(threads)


def test_seed_everything_repeats_all_three_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()
    seed_everything(3)
    first = draw()
    seed_everything(3)
    assert draw() == first


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "1", True])
def test_seed_must_be_a_32_bit_integer(bad):
    with pytest.raises(ValueError, match="seed"):
        seed_everything(bad)
