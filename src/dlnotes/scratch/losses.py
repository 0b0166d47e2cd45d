"""Loss functions from scratch, each a few lines of plain tensor operations.

Every function mirrors its ``torch.nn.functional`` namesake (same arguments,
same shapes, same ``reduction`` modes) so that a test can compare the two.
They are written to be read, not to be fast; autograd differentiates them.

Shape names in comments: ``N`` batch, ``C`` classes, ``*`` any extra
dimensions (pixels, time steps, ...).
"""
from __future__ import annotations

import torch
from torch import Tensor

REDUCTIONS = ("mean", "sum", "none")


# --- helpers ---------------------------------------------------------------

def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _check_same_shape(input: Tensor, target: Tensor) -> None:
    # torch would broadcast (with a warning); a silent broadcast is a classic bug.
    if input.shape != target.shape:
        raise ValueError(f"input and target must have the same shape, got input {tuple(input.shape)} "
                         f"and target {tuple(target.shape)}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """Turn per-element losses into the requested result."""
    _check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss  # "none": one loss per element


def _class_dim(input: Tensor) -> int:
    # torch's convention: (C,) has classes on dim 0, (N, C, *) on dim 1.
    return 0 if input.dim() == 1 else 1


# --- regression ------------------------------------------------------------

def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error (MAE): ``|input - target|``, reduced."""
    _check_reduction(reduction)
    _check_same_shape(input, target)
    loss = (input - target).abs()                    # (*) same shape as input
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target)**2``, reduced (no factor 1/2)."""
    _check_reduction(reduction)
    _check_same_shape(input, target)
    loss = (input - target) ** 2                     # (*)
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Quadratic ``0.5 x**2 / beta`` for ``|x| < beta``, linear ``|x| - 0.5 beta`` beyond.

    ``beta`` is the error size where the curve switches from quadratic to
    linear; both pieces meet there with value ``beta / 2`` and slope 1.
    ``beta = 0`` gives the L1 loss.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    error = (input - target).abs()                   # (*)
    if beta == 0:
        return _reduce(error, reduction)             # the quadratic zone has width 0
    quadratic = 0.5 * error ** 2 / beta              # small errors: like MSE, gentle gradient near 0
    linear = error - 0.5 * beta                      # large errors: like L1, gradient capped at 1
    loss = torch.where(error < beta, quadratic, linear)
    return _reduce(loss, reduction)


# --- classification with class indices / logits ----------------------------

def log_softmax(logits: Tensor, dim: int) -> Tensor:
    """``log(softmax(logits))`` without overflow, by the logsumexp trick.

    log softmax(z)_i = z_i - log sum_j exp(z_j)
                     = (z_i - m) - log sum_j exp(z_j - m)   for any m;
    with m = max_j z_j every exponent is <= 0, so exp never overflows and the
    largest term is exp(0) = 1, so the log never sees 0.
    """
    m = logits.max(dim=dim, keepdim=True).values                     # (N, 1, *)
    shifted = logits - m                                             # (N, C, *), all <= 0
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()  # (N, C, *)


def nll_loss(log_probs: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: minus the log-probability of the true class.

    ``log_probs``: (C,), (N, C) or (N, C, *) log-probabilities (e.g. from
    ``log_softmax``); ``target``: (), (N,) or (N, *) class indices in [0, C).
    """
    _check_reduction(reduction)
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise TypeError(f"target must hold integer class indices, got dtype {target.dtype}")
    dim = _class_dim(log_probs)
    if target.shape != log_probs.shape[:dim] + log_probs.shape[dim + 1:]:
        raise ValueError(f"target must have the shape of log_probs without its class dimension {dim}, "
                         f"got log_probs {tuple(log_probs.shape)} and target {tuple(target.shape)}")
    num_classes = log_probs.shape[dim]
    if target.numel() and (target.min() < 0 or target.max() >= num_classes):
        raise ValueError(f"target must hold class indices in [0, {num_classes}), "
                         f"got values from {target.min().item()} to {target.max().item()}")
    index = target.long().unsqueeze(dim)                  # (N, 1, *)
    picked = log_probs.gather(dim, index).squeeze(dim)    # (N, *): log p of the true class
    return _reduce(-picked, reduction)


def cross_entropy(logits: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Cross-entropy between ``softmax(logits)`` and the target.

    ``logits``: (C,), (N, C) or (N, C, *) raw scores. ``target``: either
    integer class indices of shape (), (N,) or (N, *), or float probabilities
    with the shape of ``logits`` (one-hot or soft labels).
    """
    _check_reduction(reduction)
    dim = _class_dim(logits)
    log_probs = log_softmax(logits, dim=dim)              # (N, C, *)
    if not target.is_floating_point():
        return nll_loss(log_probs, target, reduction=reduction)     # CrossEntropy = LogSoftmax + NLL
    _check_same_shape(logits, target)
    loss = -(target * log_probs).sum(dim=dim)             # (N, *): -sum_c y_c log q_c
    return _reduce(loss, reduction)


# --- binary classification ---------------------------------------------------

def binary_cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on probabilities, the textbook formula.

    ``-(y log p + (1 - y) log(1 - p))``. Deliberately naive: a probability
    that rounded to exactly 0 or 1 gives ``inf`` (torch's own version clamps
    each log at -100 instead). Prefer ``binary_cross_entropy_with_logits``.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    loss = -(target * input.log() + (1 - target) * (1 - input).log())   # (*)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits ``z``, with ``p = sigmoid(z)`` folded in.

    Algebra turns ``-(y log s(z) + (1 - y) log(1 - s(z)))`` into
    ``max(z, 0) - z y + log(1 + exp(-|z|))``: the exponent is never positive,
    so nothing overflows, and no probability is rounded to 0 or 1 first.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    z, y = input, target
    loss = z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))   # (*); log1p: exact for tiny exp
    return _reduce(loss, reduction)


# --- information theory: distributions along the last dimension -------------

def entropy(p: Tensor, *, reduction: str = "mean") -> Tensor:
    """Shannon entropy ``H(p) = -sum_i p_i log p_i`` in nats.

    ``p``: (C,) or (*, C), one distribution per row (last dimension). The
    reduction runs over the distributions: "none" gives shape (*).
    Terms with ``p_i = 0`` count as 0 (the limit of p log p).
    """
    _check_reduction(reduction)
    h = -torch.xlogy(p, p).sum(dim=-1)                # (*); xlogy(0, 0) = 0, not nan
    return _reduce(h, reduction)


def kl_divergence(p: Tensor, q: Tensor, *, reduction: str = "mean") -> Tensor:
    """Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` in nats.

    ``p`` (the true distribution) and ``q`` (the model's): (C,) or (*, C),
    one distribution per row. "none" gives one divergence per distribution,
    "mean" averages them (torch: ``F.kl_div(q.log(), p, reduction="batchmean")``
    for 2-D input; note torch's argument order, model first).
    """
    _check_reduction(reduction)
    _check_same_shape(p, q)
    kl = (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)   # (*): H(p, q) - H(p)
    return _reduce(kl, reduction)
