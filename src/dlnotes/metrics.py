"""Metrics: plain callables ``(output, target) -> 0-d tensor``, a mean over the batch.

They return tensors, not floats, so the training loop can sum them on the
device (weighted by batch size) and read the total once per epoch instead of
waiting for the GPU after every batch.
"""
from __future__ import annotations

import torch

from dlnotes import _checks


def _check_same_shape(pred: torch.Tensor, y: torch.Tensor) -> None:
    _checks.tensor(pred, "pred")
    _checks.tensor(y, "y")
    # (B, 1) against (B,) would broadcast to (B, B) and give a plausible, wrong number.
    if pred.shape != y.shape:
        raise ValueError(f"pred has shape {tuple(pred.shape)} but y has shape {tuple(y.shape)}; they must match "
                         "(for a (B, 1) output and (B,) targets use pred.squeeze(1) or y.unsqueeze(1))")


def _check_labels(y: torch.Tensor, classes: int) -> None:
    """Labels in [0, classes): checked at once on the CPU; on a GPU without waiting for it (an
    asynchronous device assert), since a metric runs on every batch."""
    inside = ((y >= 0) & (y < classes)).all()
    if y.device.type == "cpu":
        if not inside:
            raise ValueError(f"y must hold class indices in [0, {classes}), got values from "
                             f"{y.min().item()} to {y.max().item()}")
    else:
        torch._assert_async(inside, f"y must hold class indices in [0, {classes})")


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction of rows whose largest logit is at the true class: ``logits`` (B, C), ``y`` (B,) integers.

    A single logit per row, shape (B, 1), is refused: its argmax is always class 0. Use
    :func:`binary_accuracy` for a one-logit binary classifier.
    """
    _checks.tensor(logits, "logits", floating=True)
    _checks.tensor(y, "y")
    if logits.dim() < 2 or logits.shape[1] < 2:
        raise ValueError(f"logits must have shape (B, C) with C >= 2 scores per row, got {tuple(logits.shape)}"
                         + ("; for one logit per row use binary_accuracy" if logits.dim() == 2 else ""))
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"y must hold integer class indices, got {_checks.show(y)}")
    if y.shape != logits.shape[:1] + logits.shape[2:]:
        raise ValueError(f"y must hold one class index per row of logits {tuple(logits.shape)}, "
                         f"got shape {tuple(y.shape)}")
    if y.numel() == 0:
        raise ValueError("logits and y hold no rows; accuracy of nothing is undefined")
    _check_labels(y, logits.shape[1])
    return (logits.argmax(dim=1) == y).float().mean()  # () float


def binary_accuracy(logits: torch.Tensor, y: torch.Tensor, threshold: float = 0.0) -> torch.Tensor:
    """Fraction of rows where ``logits > threshold`` matches the 0/1 label: ``logits`` (B,) or (B, 1),
    ``y`` the same shape (integers, bools or floats holding 0 and 1). ``threshold`` 0 for logits;
    use 0.5 for probabilities."""
    _checks.tensor(logits, "logits", floating=True)
    _checks.tensor(y, "y")
    threshold = _checks.number(threshold, "threshold")
    if logits.dim() not in (1, 2) or (logits.dim() == 2 and logits.shape[1] != 1):
        raise ValueError(f"logits must have shape (B,) or (B, 1), one logit per row, got {tuple(logits.shape)}")
    if y.shape != logits.shape:
        raise ValueError(f"y must have the shape of logits {tuple(logits.shape)}, got {tuple(y.shape)}")
    if y.numel() == 0:
        raise ValueError("logits and y hold no rows; accuracy of nothing is undefined")
    _check_labels(y.long() if y.dtype == torch.bool else y, 2)
    if y.is_floating_point() and y.device.type == "cpu" and not ((y == 0) | (y == 1)).all():
        raise ValueError("y must hold labels 0 and 1, got other values")
    return ((logits > threshold) == (y > 0.5)).float().mean()  # () float


def mae(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute error; ``pred`` and ``y`` must have the same shape."""
    _check_same_shape(pred, y)
    return (pred - y).abs().mean()


def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error; ``pred`` and ``y`` must have the same shape."""
    _check_same_shape(pred, y)
    return (pred - y).square().mean()
