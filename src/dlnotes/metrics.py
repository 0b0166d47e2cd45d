"""Metrics: plain callables ``(output, target) -> 0-d tensor``, a mean over the batch.

They return tensors, not floats, so the training loop can sum them on the
device (weighted by batch size) and read the total once per epoch instead of
waiting for the GPU after every batch.
"""
from __future__ import annotations

import torch


def _check_same_shape(pred: torch.Tensor, y: torch.Tensor) -> None:
    # (B, 1) against (B,) would broadcast to (B, B) and give a plausible, wrong number.
    if pred.shape != y.shape:
        raise ValueError(f"pred has shape {tuple(pred.shape)} but y has shape {tuple(y.shape)}; they must match "
                         "(for a (B, 1) output and (B,) targets use pred.squeeze(1) or y.unsqueeze(1))")


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction of rows whose largest logit is at the true class: ``logits`` (B, C), ``y`` (B,) integers."""
    if logits.dim() < 2:
        raise ValueError(f"logits must have shape (B, C) with one score per class, got {tuple(logits.shape)}")
    if y.shape != logits.shape[:1] + logits.shape[2:]:
        raise ValueError(f"y must hold one class index per row of logits {tuple(logits.shape)}, "
                         f"got shape {tuple(y.shape)}")
    return (logits.argmax(dim=1) == y).float().mean()  # () float


def mae(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute error; ``pred`` and ``y`` must have the same shape."""
    _check_same_shape(pred, y)
    return (pred - y).abs().mean()


def mse(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean squared error; ``pred`` and ``y`` must have the same shape."""
    _check_same_shape(pred, y)
    return (pred - y).square().mean()
