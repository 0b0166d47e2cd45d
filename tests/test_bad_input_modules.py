"""Generated bad input against data, tabular, inspect, plots and schedules. See tests/badinput.py for the
property: each argument, filled with junk while the others stay good, either works or raises a documented
error that names it. test_bad_input.py checks that TABLE here covers these modules' public functions."""
from __future__ import annotations

import gzip
import hashlib
import math
import os

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given
from torch import nn
from torch.optim.lr_scheduler import StepLR

from badinput import DOCUMENTED, check, junk, tensors, users
from dlnotes import data, tabular
from dlnotes.data import DataFileError, fashion_mnist, read_idx
from dlnotes.inspect import activation_statistics, gradient_norms, parameter_count
from dlnotes.plots import derivative_curve, plot_contour_paths, plot_curves, plot_trace_1d, plot_with_derivative
from dlnotes.schedules import learning_rates, warmup_cosine
from dlnotes.search import TrialPruning, create_study, fit_objective, load_objective, open_storage, work
from dlnotes.tabular import TabularData, TabularMeta, diamonds, diamonds_csv, diamonds_frame
from dlnotes.transfer import freeze, load_backbone, parameter_groups, unfreeze

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402: after choosing the backend

FILES = {}  # the tiny Fashion-MNIST folder, filled in by the module fixture below


def _idx_bytes(array: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape) \
        + array.astype(np.uint8).tobytes()


@pytest.fixture(autouse=True, scope="module")
def tiny_data_in_a_throwaway_folder(tmp_path_factory):
    """Four tiny IDX files (6 train, 4 test images) with their hashes patched in, as in test_data.py, also
    where root=None looks; the diamonds table read once; one torch thread; and the working directory a
    folder of its own, where junk paths land."""
    folder = tmp_path_factory.mktemp("fashion")
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28)), "train-labels-idx1-ubyte": np.arange(6),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (4, 28, 28)), "t10k-labels-idx1-ubyte": np.arange(4)}
    hashes = {}
    for name, array in arrays.items():
        raw = _idx_bytes(array)
        hashes[name] = hashlib.sha256(raw).hexdigest()
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
    FILES.update(root=folder, hashes=hashes)
    frame = diamonds_frame()
    here, threads = os.getcwd(), torch.get_num_threads()
    torch.set_num_threads(1)
    os.chdir(tmp_path_factory.mktemp("junk"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "SHA256", hashes)
        patch.setenv(data.ROOT_ENV, str(folder))  # root=None reads the tiny files too
        patch.setattr(tabular, "diamonds_frame", lambda: frame)  # diamonds() reads it once, not per example
        yield
    os.chdir(here)
    torch.set_num_threads(threads)


# ---------------------------------------------------------------- good values for every argument

def fashion_kwargs():
    return dict(root=FILES["root"], download=False, normalize="half", val_size=2, seed=1, flatten=False)


def read_idx_kwargs():
    name = "t10k-labels-idx1-ubyte"
    return dict(path=FILES["root"] / f"{name}.gz", sha256=FILES["hashes"][name])


def diamonds_kwargs():
    return dict(target="price", log_target=False, val_size=0.15, test_size=0.15, seed=0, device=None,
                dtype=torch.float32)


def units_kwargs():
    meta = TabularMeta(numeric=(), categorical=(), categories={}, cardinalities=(), onehot_names=(), target="price",
                       target_mean=7.8, target_std=1.0, log_target=True)
    return dict(self=TabularData(None, None, None, meta), y_scaled=torch.randn(3))


def stats_kwargs():
    torch.manual_seed(0)
    return dict(model=nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2), nn.Sigmoid()), x=torch.randn(2, 4),
                layer_types=(nn.Tanh, nn.Sigmoid), saturation=0.99)


def quadratic(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def contour_kwargs():
    return dict(f=quadratic, paths={"GD": [[-1.0, 0.5], [-0.5, 0.2]]}, x_range=(-2, 1), y_range=(-1, 1), ax=None,
                levels=5, num=11, styles={"GD": {"color": "red"}})


def curves_kwargs():
    return dict(x=[1, 2, 3], curves={"a": [1.0, 0.5, 0.25], "b": np.array([2.0, 1.0, 0.5])}, ax=None, xlabel="x",
                ylabel=None, title=None, logx=False, logy=True)


def warmup_kwargs():
    return dict(optimizer=torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1), warmup_epochs=2,
                total_epochs=5, eta_min=0.01)


def two_part_net():
    from collections import OrderedDict
    return nn.Sequential(OrderedDict(features=nn.Sequential(nn.Linear(3, 4), nn.ReLU()), head=nn.Linear(4, 2)))


def backbone_kwargs():
    """A ModelCheckpoint file of a two-part net, written once into the module's working folder."""
    if "backbone" not in FILES:
        from dlnotes import ModelCheckpoint, fit
        net = two_part_net()
        path = os.path.abspath("backbone.pt")
        fit(net, [(torch.randn(4, 3), torch.tensor([0, 1, 0, 1]))], loss=nn.CrossEntropyLoss(), epochs=1,
            optimizer=torch.optim.SGD(net.parameters(), lr=0.1), callbacks=[ModelCheckpoint(path, monitor="loss")],
            device="cpu", progress=False)
        FILES["backbone"] = path
    return {"model": two_part_net(), "path": FILES["backbone"], "part": "features"}


# function -> (good keyword arguments, the arguments to fill with junk)
TABLE = {
    freeze: (lambda: {"model": two_part_net(), "parts": "features"}, ["model", "parts"]),
    unfreeze: (lambda: {"model": two_part_net(), "parts": ["features", "head"]}, ["model", "parts"]),
    parameter_groups: (lambda: {"model": two_part_net(), "lrs": {"features": 0.01, "head": 0.1}}, ["model", "lrs"]),
    load_backbone: (backbone_kwargs, ["model", "path", "part"]),
    fashion_mnist: (fashion_kwargs, ["root", "download", "normalize", "val_size", "seed", "flatten"]),
    read_idx: (read_idx_kwargs, ["path", "sha256"]),
    diamonds_csv: (dict, []),
    diamonds_frame: (lambda: {"path": None}, ["path"]),
    diamonds: (diamonds_kwargs, ["target", "log_target", "val_size", "test_size", "seed", "device", "dtype"]),
    TabularData.to_original_units: (units_kwargs, ["y_scaled"]),
    parameter_count: (lambda: {"model": nn.Linear(3, 2), "trainable": True}, ["model", "trainable"]),
    activation_statistics: (stats_kwargs, ["model", "x", "layer_types", "saturation"]),
    gradient_norms: (lambda: {"model": nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)),
                              "x": torch.randn(5, 3), "y": torch.tensor([0, 1, 0, 1, 1]), "loss": None,
                              "layer_types": nn.Linear}, ["model", "x", "y", "loss", "layer_types"]),
    derivative_curve: (lambda: {"fn": torch.tanh, "x_range": (-2, 2), "num": 11}, ["fn", "x_range", "num"]),
    plot_with_derivative: (lambda: {"fn": torch.sigmoid, "x_range": (-2, 2), "ax": None, "label": "sigmoid"},
                           ["fn", "x_range", "ax", "label"]),
    plot_curves: (curves_kwargs, ["x", "curves", "ax", "xlabel", "ylabel", "title", "logx", "logy"]),
    plot_trace_1d: (lambda: {"f": lambda x: x[0] ** 2, "path": [2.0, 1.0], "x_range": None, "ax": None,
                             "label": "GD", "num": 11}, ["f", "path", "x_range", "ax", "label", "num"]),
    plot_contour_paths: (contour_kwargs, ["f", "paths", "x_range", "y_range", "ax", "levels", "num", "styles"]),
    learning_rates: (lambda: {"make_scheduler": lambda opt: StepLR(opt, step_size=2), "epochs": 3, "lr": 0.1},
                     ["make_scheduler", "epochs", "lr"]),
    warmup_cosine: (warmup_kwargs, ["optimizer", "warmup_epochs", "total_epochs", "eta_min"]),
    TrialPruning: (lambda: {"trial": create_study(pruner="none").ask(), "monitor": "val_loss"}, ["trial", "monitor"]),
    fit_objective: (lambda: {"build": lambda trial: {}, "monitor": "val_accuracy"}, ["build", "monitor"]),
    open_storage: (lambda: {"storage": "sqlite:///:memory:", "heartbeat_interval": 2, "grace_period": None, "max_retry": 1},
                   ["storage", "heartbeat_interval", "grace_period", "max_retry"]),
    create_study: (lambda: {"study_name": "s", "storage": None, "direction": "maximize", "sampler": "random",
                            "pruner": "halving", "seed": 0}, ["study_name", "storage", "direction", "sampler", "pruner",
                                                              "seed"]),
    work: (lambda: {"study": create_study(sampler="random"), "objective": lambda trial: trial.suggest_float("x", 0, 1),
                    "trials": 2, "budget": None, "timeout": None}, ["study", "objective", "trials", "budget", "timeout"]),
    load_objective: (lambda: {"objective": "dlnotes.search:work"}, ["objective"]),
}
# Besides TypeError and ValueError: a missing data folder names root= in its DataFileError; a path that is
# not there is a FileNotFoundError; a device this machine lacks is a RuntimeError naming the argument.
ALLOWED = {load_backbone: DOCUMENTED + (FileNotFoundError,), fashion_mnist: DOCUMENTED + (DataFileError,), read_idx: DOCUMENTED + (FileNotFoundError,),
           diamonds: DOCUMENTED + (RuntimeError,), open_storage: DOCUMENTED + (ConnectionError,),
           create_study: DOCUMENTED + (ConnectionError,), load_objective: DOCUMENTED + (FileNotFoundError, ImportError)}
# Arguments whose large values are long runs, not bad input: work(trials=2**64) would run for ever.
LONG_RUNS = {(work, "trials")}
# Arguments that take the user's own function: what that function raises reaches the user unchanged.
USER_FUNCTIONS = {(work, "objective")}
# A path accepted as a path, then not found: the DataFileError speaks of the file, not the argument.
ACCEPTED_THEN_MISSING = {diamonds_frame: (DataFileError,)}
CASES = [(fn, name) for fn, (_, names) in TABLE.items() for name in names]
TENSOR_ARGUMENTS = {"x", "y_scaled", "path", "levels", "saturation", "lr", "eta_min"}
JUNK, TENSORS = junk(), tensors()  # built once: building the recursive strategy per example costs more than using it


def _call(fn, name, value):
    if (fn, name) in LONG_RUNS and isinstance(value, (int, float)) and value > 100:
        return None
    kwargs = TABLE[fn][0]()
    kwargs[name] = users(value) if (fn, name) in USER_FUNCTIONS else value

    def call():
        try:
            return fn(**kwargs)
        except ACCEPTED_THEN_MISSING.get(fn, ()):
            return None
        finally:
            plt.close("all")

    return check(call, name, ALLOWED.get(fn, DOCUMENTED))


def _id(fn, name):
    return f"{fn.__qualname__}-{name}"


@pytest.mark.parametrize("fn, name", CASES, ids=[_id(*c) for c in CASES])
@given(value=JUNK)
def test_junk_gets_a_documented_error_naming_the_argument(fn, name, value):
    _call(fn, name, value)


TENSOR_CASES = [c for c in CASES if c[1] in TENSOR_ARGUMENTS]


@pytest.mark.parametrize("fn, name", TENSOR_CASES, ids=[_id(*c) for c in TENSOR_CASES])
@given(value=TENSORS)
def test_odd_tensors_get_a_documented_error_naming_the_argument(fn, name, value):
    _call(fn, name, value)


# Leaves that junk() rarely reaches at the top level (it mostly nests them): each one, in every argument.
ODD = [None, True, -1, 2**64, math.nan, "", "a", b"x", object(), int, str, nn.Module, nn.MSELoss, nn.Linear(2, 2),
       torch.Tensor, torch.float32, torch.device("cpu"), Ellipsis, print, range(3), {1: [1.0]}, torch.tensor([1j]),
       np.array(["a"]), lambda *args, **kwargs: None]


@pytest.mark.parametrize("fn, name", CASES, ids=[_id(*c) for c in CASES])
def test_odd_objects_get_a_documented_error_naming_the_argument(fn, name):
    for value in ODD:
        _call(fn, name, value)


@pytest.mark.parametrize("fn", list(TABLE), ids=[fn.__qualname__ for fn in TABLE])
def test_the_good_values_are_good(fn):
    """The junk above is only meaningful if the other arguments' values work."""
    kwargs = TABLE[fn][0]()
    try:
        assert fn(**kwargs) is not None
    finally:
        plt.close("all")
