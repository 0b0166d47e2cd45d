"""dlnotes: the small library behind the executable deep-learning lessons."""
from dlnotes.data import DataFileError, FashionMNIST, fashion_mnist
from dlnotes.devices import device, device_name, seed_everything

__all__ = ["DataFileError", "FashionMNIST", "device", "device_name", "fashion_mnist", "seed_everything"]
__version__ = "0.1.0"
