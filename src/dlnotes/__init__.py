"""dlnotes: the small library behind the executable deep-learning lessons."""
from dlnotes.callbacks import BatchLosses, Callback, EarlyStopping, ModelCheckpoint, ProgressBar, TensorBoard, read_scalars
from dlnotes.checkpoints import CheckpointError
from dlnotes.data import DataFileError, FashionMNIST, fashion_mnist
from dlnotes.devices import device, device_name, seed_everything
from dlnotes.inspect import activation_statistics, parameter_count
from dlnotes.loader import ArrayDataset, TensorLoader
from dlnotes.metrics import accuracy, binary_accuracy, mae, mse
from dlnotes.tabular import TabularData, TabularMeta, TabularSplit, diamonds, diamonds_frame
from dlnotes.training import History, evaluate, fit, predict

__all__ = [
    "ArrayDataset", "BatchLosses", "Callback", "CheckpointError", "DataFileError", "EarlyStopping", "FashionMNIST", "History", "ModelCheckpoint",
    "ProgressBar", "TabularData", "TabularMeta", "TabularSplit", "TensorBoard", "TensorLoader", "accuracy", "activation_statistics", "binary_accuracy", "device", "device_name", "evaluate",
    "diamonds", "diamonds_frame", "fashion_mnist", "fit", "mae", "mse", "parameter_count", "predict", "read_scalars", "seed_everything",
]
__version__ = "0.1.0"
