"""dlnotes: the small library behind the executable deep-learning lessons.

Names are loaded lazily (PEP 562 module ``__getattr__``): ``from dlnotes import fit``
imports ``dlnotes.training`` and what it needs, not every module of the package. A
lesson then loads only what it uses, so the site build can tell which lessons an
edit to a module affects, and ``import dlnotes`` stays quick.
"""
from __future__ import annotations

import importlib

# name -> the module that defines it
_EXPORTS = {
    "Augmented": "augment", "random_affine": "augment",
    "BatchLosses": "callbacks", "Callback": "callbacks", "LayerStats": "callbacks",
    "WeightAveraging": "callbacks", "EarlyStopping": "callbacks", "ModelCheckpoint": "callbacks",
    "ProgressBar": "callbacks", "TensorBoard": "callbacks", "read_scalars": "callbacks",
    "CheckpointError": "checkpoints",
    "DataFileError": "data", "FashionMNIST": "data", "fashion_mnist": "data",
    "device": "devices", "device_name": "devices", "seed_everything": "devices",
    "activation_statistics": "inspect", "gradient_norms": "inspect", "parameter_count": "inspect",
    "ArrayDataset": "loader", "TensorLoader": "loader",
    "accuracy": "metrics", "binary_accuracy": "metrics", "mae": "metrics", "mse": "metrics",
    "TabularData": "tabular", "TabularMeta": "tabular", "TabularSplit": "tabular", "diamonds": "tabular",
    "diamonds_frame": "tabular",
    "freeze": "transfer", "load_backbone": "transfer", "parameter_groups": "transfer", "unfreeze": "transfer",
    "History": "training", "evaluate": "training", "fit": "training", "predict": "training",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'dlnotes' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"dlnotes.{_EXPORTS[name]}"), name)
    globals()[name] = value  # the next lookup is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
