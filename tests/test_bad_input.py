"""Generated bad input against the engine's public functions: training, callbacks, loaders, metrics, devices,
checkpoints. See tests/badinput.py for the property; test_bad_input_modules.py and test_bad_input_scratch.py
cover the other modules, and the last test here checks that together they cover every public function."""
from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
from pathlib import Path

import matplotlib
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

import dlnotes
from badinput import DOCUMENTED, check, junk, tensors
from dlnotes import (ArrayDataset, Augmented, BatchLosses, Callback, LayerStats, WeightAveraging, random_affine, CheckpointError, EarlyStopping, History, ModelCheckpoint,
                     ProgressBar, TensorBoard, TensorLoader, accuracy, binary_accuracy, device, device_name, evaluate,
                     fit, mae, mse, predict, read_scalars, seed_everything)
from dlnotes.checkpoints import load_checkpoint
from dlnotes.sybil_markdown import count_collected_blocks, count_python_fences

matplotlib.use("Agg")
CPU = torch.device("cpu")
WITH_DEVICE = DOCUMENTED + (RuntimeError,)  # a device this machine lacks: RuntimeError naming the argument
FIT = WITH_DEVICE + (FloatingPointError, FileNotFoundError)  # a diverging run; a resume_from that is not there


def _small():
    seed_everything(0)
    x, y = torch.randn(12, 5), torch.randint(0, 3, (12,))
    net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    return net, x, y


def fit_kwargs():
    net, x, y = _small()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    return dict(model=net, train=TensorLoader(x, y, batch_size=6), val=TensorLoader(x, y, batch_size=6),
                loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=1, device=CPU, progress=False)


def evaluate_kwargs():
    net, x, y = _small()
    return dict(model=net, data=TensorLoader(x, y, batch_size=6), loss=nn.CrossEntropyLoss(),
                metrics={"accuracy": accuracy}, device=CPU)


def predict_kwargs():
    net, x, _ = _small()
    return dict(model=net, data_or_tensor=x, device=CPU, batch_size=5)


def loader_kwargs():
    return dict(tensors=(torch.randn(7, 2), torch.arange(7)), batch_size=3, shuffle=True, drop_last=False,
                generator=None, device=None)


def make_loader(tensors, **kwargs):
    return TensorLoader(*tensors, **kwargs) if isinstance(tensors, tuple) else TensorLoader(tensors, **kwargs)


def make_dataset(arrays):
    return ArrayDataset(*arrays) if isinstance(arrays, tuple) else ArrayDataset(arrays)


def loader_to(device):
    return TensorLoader(torch.randn(4, 2), batch_size=2).to(device)


def loader_load_state_dict(state):
    return TensorLoader(torch.randn(4, 2), batch_size=2, shuffle=True).load_state_dict(state)


def history_from_dict(data):
    return History.from_dict(data)


def history_plot(keys, ax):
    history = History.from_dict({"epoch": [1, 2], "loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    try:
        return history.plot(keys, ax)
    finally:
        matplotlib.pyplot.close("all")


def logits_kwargs():
    return dict(logits=torch.randn(4, 3), y=torch.tensor([0, 2, 1, 1]))


def pair_kwargs():
    return dict(pred=torch.randn(4, 2), y=torch.randn(4, 2))


def no_args():
    return {}


# function -> (good keyword arguments, the arguments to fill with junk, the exceptions it documents)
TABLE = {
    fit: (fit_kwargs, ["model", "train", "val", "loss", "optimizer", "epochs", "metrics", "callbacks", "scheduler",
                       "scheduler_interval", "scheduler_monitor", "device", "clip_grad_norm", "on_nonfinite",
                       "resume_from", "generators", "progress", "loss_weights"], FIT),
    evaluate: (evaluate_kwargs, ["model", "data", "loss", "metrics", "device", "loss_weights"], WITH_DEVICE),
    predict: (predict_kwargs, ["model", "data_or_tensor", "device", "batch_size"], WITH_DEVICE),
    history_from_dict: (lambda: {"data": {"epoch": [1]}}, ["data"], DOCUMENTED),
    history_plot: (lambda: {"keys": "loss", "ax": None}, ["keys", "ax"], DOCUMENTED),
    make_loader: (loader_kwargs, ["tensors", "batch_size", "shuffle", "drop_last", "generator", "device"],
                  WITH_DEVICE),
    make_dataset: (lambda: {"arrays": (torch.randn(3, 2),)}, ["arrays"], DOCUMENTED),
    loader_to: (lambda: {"device": "cpu"}, ["device"], WITH_DEVICE),
    loader_load_state_dict: (lambda: {"state": {}}, ["state"], DOCUMENTED),
    EarlyStopping: (lambda: {"monitor": "val_loss"}, ["monitor", "min_delta", "patience", "mode",
                                                      "restore_best_weights"], DOCUMENTED),
    ModelCheckpoint: (lambda: {"path": "never-written.pt"}, ["path", "monitor", "mode", "save_best_only",
                                                             "last_path"], DOCUMENTED),
    ProgressBar: (no_args, ["mininterval", "disable"], DOCUMENTED),
    TensorBoard: (lambda: {"log_dir": "never-written"}, ["log_dir"], DOCUMENTED),
    read_scalars: (lambda: {"log_dir": "missing"}, ["log_dir"], DOCUMENTED + (FileNotFoundError,)),
    accuracy: (logits_kwargs, ["logits", "y"], DOCUMENTED),
    binary_accuracy: (lambda: {"logits": torch.randn(4), "y": torch.tensor([0, 1, 1, 0]), "threshold": 0.0},
                      ["logits", "y", "threshold"], DOCUMENTED),
    mae: (pair_kwargs, ["pred", "y"], DOCUMENTED),
    mse: (pair_kwargs, ["pred", "y"], DOCUMENTED),
    device: (no_args, ["prefer"], WITH_DEVICE),
    device_name: (no_args, ["dev"], WITH_DEVICE),
    seed_everything: (lambda: {"seed": 0}, ["seed"], DOCUMENTED),
    load_checkpoint: (lambda: {"path": "missing.pt"}, ["path"], DOCUMENTED + (FileNotFoundError,)),
    count_python_fences: (lambda: {"text": ""}, ["text"], DOCUMENTED),
    count_collected_blocks: (lambda: {"path": Path("docs/index.md")}, ["path"], DOCUMENTED + (FileNotFoundError,)),
    BatchLosses: (no_args, [], DOCUMENTED),
    LayerStats: (lambda: {"every": 2, "layer_types": None}, ["every", "layer_types"], DOCUMENTED),
    WeightAveraging: (lambda: {"decay": None, "start_epoch": 1, "update_bn": True},
                      ["decay", "start_epoch", "update_bn"], DOCUMENTED),
    random_affine: (lambda: {"x": torch.randn(2, 1, 4, 4), "degrees": 10.0, "translate": 0.1, "scale": (0.9, 1.1),
                             "flip": 0.5, "fill": 0.0, "generator": None},
                    ["x", "degrees", "translate", "scale", "flip", "fill", "generator"], DOCUMENTED),
    Augmented: (lambda: {"loader": TensorLoader(torch.randn(4, 16), torch.arange(4), batch_size=2),
                         "transform": lambda b: b, "image_shape": (1, 4, 4)},
                ["loader", "transform", "image_shape"], DOCUMENTED),
    Callback: (no_args, [], DOCUMENTED),
}
CASES = [(fn, name) for fn, (_, names, _) in TABLE.items() for name in names]
TENSOR_ARGUMENTS = {"logits", "y", "pred", "data_or_tensor", "threshold"}


def _bounded(name, value):
    """Junk that is valid but would run for ages (epochs=2**64) is not bad input; leave it out."""
    return not (name == "epochs" and isinstance(value, int) and value > 3)


def _call(fn, name, value):
    kwargs = TABLE[fn][0]()
    kwargs[name] = value
    return check(lambda: fn(**kwargs), name, TABLE[fn][2])


@pytest.fixture(autouse=True, scope="module")
def in_a_throwaway_folder(tmp_path_factory):
    """Junk strings become paths: let any file they name land in a folder of their own."""
    here = os.getcwd()
    docs = Path(here, "docs", "index.md")
    os.chdir(tmp_path_factory.mktemp("junk"))
    TABLE[count_collected_blocks] = (lambda: {"path": docs}, *TABLE[count_collected_blocks][1:])
    yield
    os.chdir(here)


@pytest.mark.parametrize("fn, name", CASES, ids=[f"{getattr(f, '__name__', f)}-{n}" for f, n in CASES])
@given(data=st.data())
def test_junk_gets_a_documented_error_naming_the_argument(fn, name, data):
    value = data.draw(junk().filter(lambda v: _bounded(name, v)), label=name)
    _call(fn, name, value)


@pytest.mark.parametrize("fn, name", [c for c in CASES if c[1] in TENSOR_ARGUMENTS])
@given(data=st.data())
def test_odd_tensors_get_a_documented_error_naming_the_argument(fn, name, data):
    _call(fn, name, data.draw(tensors(), label=name))


@st.composite
def batches(draw):
    """A loader as a list of (x, y) batches of any dtype and shape: what a learner's own pipeline may yield."""
    return draw(st.lists(st.tuples(tensors(max_side=6), tensors(max_side=6)), min_size=1, max_size=3))


@pytest.mark.parametrize("name", ["train", "val"])
@given(value=batches())
def test_odd_batches_get_a_documented_error_naming_the_loader(name, value):
    _call(fit, name, value)


@given(value=batches())
def test_odd_batches_in_evaluate(value):
    _call(evaluate, "data", value)


def _public_callables():
    """Every function and class a learner can import from dlnotes (modules' names without a leading _)."""
    found = {}
    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(dlnotes.__path__, "dlnotes.")
               if not m.name.rsplit(".", 1)[-1].startswith("_")]
    for module in modules:
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


# Not entry points: return types (frozen dataclasses built by fashion_mnist() and diamonds()), exceptions,
# the object callbacks receive, and the Sybil parser classes that conftest.py builds.
NOT_ENTRY_POINTS = {"dlnotes.data.FashionMNIST", "dlnotes.data.DataFileError", "dlnotes.tabular.TabularSplit",
                    "dlnotes.tabular.TabularMeta", "dlnotes.tabular.TabularData", "dlnotes.training.Trainer",
                    "dlnotes.checkpoints.CheckpointError", "dlnotes.sybil_markdown.FirstWordCodeBlockParser",
                    "dlnotes.sybil_markdown.PythonBlockParser", "dlnotes.sybil_markdown.parsers",
                    "dlnotes.callbacks.direction",
                    "dlnotes.search.main"}  # the command line: argparse's errors, tested in test_search.py


def test_every_public_function_is_in_a_bad_input_suite():
    import test_bad_input_modules
    import test_bad_input_scratch
    covered = set(TABLE) | {History, TensorLoader, ArrayDataset}  # the last three through wrappers above
    covered |= set(test_bad_input_modules.TABLE) | set(test_bad_input_scratch.TABLE)
    covered_names = {f"{getattr(f, '__module__', '')}.{getattr(f, '__qualname__', '')}" for f in covered}
    missing = [name for name, obj in _public_callables().items()
               if name not in NOT_ENTRY_POINTS and obj not in covered and name not in covered_names]
    assert not missing, f"public functions that no bad-input suite calls: {missing}"


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)  # bad input, as documented
