"""Convolution and pooling from scratch: every output is a dot product of a window with a filter.

A window is a ``C x F x F`` block of the (padded) input. ``Tensor.unfold`` cuts them out without
copying, one per output position, and one ``einsum`` takes every window's dot product with every
filter; pooling takes each window's max or mean instead. Autograd differentiates both, and the tests
check outputs and gradients against ``F.conv2d``, ``F.max_pool2d`` and ``F.avg_pool2d``.

>>> x = torch.arange(16.0).reshape(1, 1, 4, 4)   # (B, C, H, W)
>>> conv2d(x, torch.ones(1, 1, 2, 2), stride=2)  # sums of the four 2 x 2 blocks
tensor([[[[10., 18.],
          [42., 50.]]]])
>>> conv_output_size(32, kernel_size=5)          # the notes' 32 x 32 image and 5 x 5 filter
28
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from dlnotes._checks import integer, tensor


def _geometry(kernel_size, stride, padding) -> tuple[int, int, int]:
    kernel_size = integer(kernel_size, "kernel_size", minimum=1)
    stride = integer(stride, "stride", minimum=1)
    padding = integer(padding, "padding", minimum=0)
    return kernel_size, stride, padding


def _pool_geometry(kernel_size, stride, padding) -> tuple[int, int, int]:
    """Pooling's arguments: ``stride`` None means ``kernel_size``; padding at most half the window, as torch."""
    kernel_size, stride, padding = _geometry(kernel_size, kernel_size if stride is None else stride, padding)
    if padding > kernel_size // 2:
        raise ValueError(f"padding={padding} must be at most half of kernel_size={kernel_size}, as in PyTorch")
    return kernel_size, stride, padding


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Output width of a convolution or pooling: floor((W - F + 2P) / S) + 1, as PyTorch computes it.

    When (W - F + 2P) / S is not a whole number, the last windows would run off the input and are
    dropped: the rightmost input columns are never read. A filter larger than the padded input is
    refused (PyTorch raises too).
    """
    size = integer(size, "size", minimum=1)
    kernel_size, stride, padding = _geometry(kernel_size, stride, padding)
    if kernel_size > size + 2 * padding:
        raise ValueError(f"kernel_size={kernel_size} is larger than the padded input, size + 2 * padding = "
                         f"{size + 2 * padding}; use a smaller kernel or more padding")
    return (size - kernel_size + 2 * padding) // stride + 1


def receptive_field(layers) -> int:
    """How many input pixels (along one side) one output of a stack of layers sees.

    ``layers`` lists ``(kernel_size, stride)`` from the input up. Each layer widens the field by
    ``(kernel_size - 1)`` times the product of the strides below it.
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a list of (kernel_size, stride) pairs, e.g. [(3, 1), (2, 2)], got {layers!r}")
    field, jump = 1, 1
    for layer in layers:
        if not isinstance(layer, (tuple, list)) or len(layer) != 2:
            raise TypeError(f"layers must hold (kernel_size, stride) pairs, e.g. [(3, 1), (2, 2)], got {layer!r}")
        kernel_size, stride, _ = _geometry(layer[0], layer[1], 0)
        field += (kernel_size - 1) * jump
        jump *= stride
    return field


def _windows(x: torch.Tensor, kernel_size: int, stride: int, padding: int, pad_value: float = 0.0) -> torch.Tensor:
    """Every ``kernel_size x kernel_size`` window of the padded input: (B, C, H', W', F, F)."""
    tensor(x, "x", floating=True, dims=(4,), nonempty=True)
    conv_output_size(x.shape[2], kernel_size, stride, padding)  # refuses a kernel larger than the input
    conv_output_size(x.shape[3], kernel_size, stride, padding)
    x = F.pad(x, (padding,) * 4, value=pad_value)                    # (B, C, H + 2P, W + 2P)
    return x.unfold(2, kernel_size, stride).unfold(3, kernel_size, stride)  # (B, C, H', W', F, F)


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride: int = 1,
           padding: int = 0) -> torch.Tensor:
    """``F.conv2d(x, weight, bias, stride, padding)`` as dot products.

    ``x`` is (B, C, H, W); ``weight`` is (O, C, F, F), one ``C x F x F`` filter per output channel;
    ``bias`` is (O,) or None. Returns (B, O, H', W') with H' = conv_output_size(H, F, stride, padding).
    """
    tensor(weight, "weight", floating=True, dims=(4,), nonempty=True)
    if weight.shape[2] != weight.shape[3]:
        raise ValueError(f"weight must hold square filters (O, C, F, F), got shape {tuple(weight.shape)}")
    if bias is not None:
        tensor(bias, "bias", floating=True, dims=(1,))
        if bias.shape[0] != weight.shape[0]:
            raise ValueError(f"bias must have one entry per filter ({weight.shape[0]}), got {bias.shape[0]}")
    _, stride, padding = _geometry(weight.shape[2], stride, padding)
    tensor(x, "x", floating=True, dims=(4,), nonempty=True)
    if x.shape[1] != weight.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but each filter in weight has {weight.shape[1]}: a filter "
                         "spans every input channel, so weight must be (out_channels, x.shape[1], F, F)")
    if x.dtype != weight.dtype:
        raise TypeError(f"x is {x.dtype} but weight is {weight.dtype}; convert one, e.g. x.to(weight.dtype)")
    windows = _windows(x, weight.shape[2], stride, padding)      # (B, C, H', W', F, F)
    out = torch.einsum("bchwij,ocij->bohw", windows, weight)     # (B, O, H', W'): one dot product each
    return out if bias is None else out + bias.view(1, -1, 1, 1)


def max_pool2d(x: torch.Tensor, kernel_size: int, stride: int | None = None, padding: int = 0) -> torch.Tensor:
    """``F.max_pool2d``: the largest value of each window, channel by channel. ``stride`` defaults to
    ``kernel_size`` (windows side by side); padding counts as minus infinity, so it is never the max."""
    kernel_size, stride, padding = _pool_geometry(kernel_size, stride, padding)
    return _windows(x, kernel_size, stride, padding, -torch.inf).amax(dim=(-2, -1))  # (B, C, H', W')


def avg_pool2d(x: torch.Tensor, kernel_size: int, stride: int | None = None, padding: int = 0) -> torch.Tensor:
    """``F.avg_pool2d``: the mean of each window, channel by channel; padding counts as zeros in the
    mean (PyTorch's default, ``count_include_pad=True``). ``stride`` defaults to ``kernel_size``."""
    kernel_size, stride, padding = _pool_geometry(kernel_size, stride, padding)
    return _windows(x, kernel_size, stride, padding).mean(dim=(-2, -1))  # (B, C, H', W')
