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

from dlnotes._checks import dimension, number, one_of, show, tensor

REDUCTIONS = ("mean", "sum", "none")


# --- helpers ---------------------------------------------------------------

def _check_pair(input, target, names: tuple[str, str] = ("input", "target"), min_dim: int = 0) -> None:
    """Two floating-point tensors of one shape and one dtype, as every loss comparing them element by element needs."""
    a, b = names
    tensor(input, a, floating=True, min_dim=min_dim)
    tensor(target, b, floating=True, min_dim=min_dim)
    # torch would broadcast (with a warning); a silent broadcast is a classic bug.
    if input.shape != target.shape:
        raise ValueError(f"{a} and {b} must have the same shape, got {a} {tuple(input.shape)} "
                         f"and {b} {tuple(target.shape)}")
    if input.dtype != target.dtype:  # torch computes in the wider dtype, then fails in backward
        raise TypeError(f"{b} must have the dtype of {a} ({input.dtype}), got {show(target)}: "
                        f"convert one, e.g. {b}.to({a}.dtype)")
    _check_same_device(input, target, names)


def _check_same_device(input: Tensor, target: Tensor, names: tuple[str, str]) -> None:
    if input.device != target.device:  # a model on the GPU, its targets still on the CPU
        raise ValueError(f"{names[1]} must be on the device of {names[0]} ({input.device}), got {target.device}: "
                         f"move it, e.g. {names[1]}.to({names[0]}.device)")


def _check_probabilities(p: Tensor, name: str) -> None:
    outside = p.detach()[~((p >= 0) & (p <= 1))]  # nan fails both comparisons, so it is caught too
    if outside.numel():
        raise ValueError(f"{name} must hold probabilities in [0, 1], got {outside.numel()} value(s) outside, "
                         f"e.g. {outside[0].item()}")


def _check_class_indices(target, scores: Tensor, scores_name: str) -> None:
    """Integer class indices, one per entry of ``scores`` without its class dimension, each in [0, C)."""
    tensor(target, "target")
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise TypeError(f"target must hold integer class indices, got {show(target)}")
    _check_same_device(scores, target, (scores_name, "target"))
    dim = _class_dim(scores)
    if target.shape != scores.shape[:dim] + scores.shape[dim + 1:]:
        raise ValueError(f"target must have the shape of {scores_name} without its class dimension {dim}, "
                         f"got {scores_name} {tuple(scores.shape)} and target {tuple(target.shape)}")
    num_classes = scores.shape[dim]
    if target.numel() and (target.min() < 0 or target.max() >= num_classes):
        raise ValueError(f"target must hold class indices in [0, {num_classes}) for {scores_name} of shape "
                         f"{tuple(scores.shape)}, got values from {target.min().item()} to {target.max().item()}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """Turn per-element losses into the requested result (``reduction`` already checked)."""
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
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(input, target)
    loss = (input - target).abs()                    # (*) same shape as input
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: ``(input - target)**2``, reduced (no factor 1/2)."""
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(input, target)
    loss = (input - target) ** 2                     # (*)
    return _reduce(loss, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Quadratic ``0.5 x**2 / beta`` for ``|x| < beta``, linear ``|x| - 0.5 beta`` beyond.

    ``beta`` is the error size where the curve switches from quadratic to
    linear; both pieces meet there with value ``beta / 2`` and slope 1.
    ``beta = 0`` gives the L1 loss.
    """
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(input, target)
    beta = number(beta, "beta", minimum=0)  # nan or inf would make every loss nan
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
    tensor(logits, "logits", floating=True)
    dim = dimension(dim, "dim", logits, "logits")  # for a 0-d tensor: 0 or -1, as in torch
    if logits.numel() == 0:
        return logits.clone()  # nothing to normalise (and max() refuses an empty dimension)
    m = logits.max(dim=dim, keepdim=True).values                     # (N, 1, *)
    shifted = logits - m                                             # (N, C, *), all <= 0
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()  # (N, C, *)


def nll_loss(log_probs: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: minus the log-probability of the true class.

    ``log_probs``: (C,), (N, C) or (N, C, *) log-probabilities (e.g. from
    ``log_softmax``); ``target``: (), (N,) or (N, *) class indices in [0, C).
    """
    one_of(reduction, "reduction", REDUCTIONS)
    tensor(log_probs, "log_probs", floating=True, min_dim=1)
    _check_class_indices(target, log_probs, "log_probs")
    dim = _class_dim(log_probs)
    index = target.long().unsqueeze(dim)                  # (N, 1, *)
    picked = log_probs.gather(dim, index).squeeze(dim)    # (N, *): log p of the true class
    return _reduce(-picked, reduction)


def cross_entropy(logits: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Cross-entropy between ``softmax(logits)`` and the target.

    ``logits``: (C,), (N, C) or (N, C, *) raw scores. ``target``: either
    integer class indices of shape (), (N,) or (N, *), or float probabilities
    with the shape of ``logits`` (one-hot or soft labels).
    """
    one_of(reduction, "reduction", REDUCTIONS)
    tensor(logits, "logits", floating=True, min_dim=1)
    tensor(target, "target")
    if not target.is_floating_point():
        _check_class_indices(target, logits, "logits")
    elif target.shape != logits.shape:
        raise ValueError(f"target of floats must hold probabilities with the shape of logits "
                         f"{tuple(logits.shape)}, got {show(target)}; class indices must be integers "
                         f"(e.g. target.long())")
    else:
        _check_pair(logits, target, ("logits", "target"))
        _check_probabilities(target, "target")
    dim = _class_dim(logits)
    log_probs = log_softmax(logits, dim=dim)              # (N, C, *)
    if not target.is_floating_point():
        return nll_loss(log_probs, target, reduction=reduction)     # CrossEntropy = LogSoftmax + NLL
    loss = -(target * log_probs).sum(dim=dim)             # (N, *): -sum_c y_c log q_c
    return _reduce(loss, reduction)


# --- binary classification ---------------------------------------------------

def binary_cross_entropy(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on probabilities, the textbook formula.

    ``-(y log p + (1 - y) log(1 - p))``. Deliberately naive: a probability
    that rounded to exactly 0 or 1 gives ``inf`` (torch's own version clamps
    each log at -100 instead). Prefer ``binary_cross_entropy_with_logits``.
    """
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(input, target)
    _check_probabilities(input, "input")    # as torch: outside [0, 1] a log is nan
    _check_probabilities(target, "target")  # torch does not check; a "label" of 2 means nothing
    loss = -(target * input.log() + (1 - target) * (1 - input).log())   # (*)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits ``z``, with ``p = sigmoid(z)`` folded in.

    Algebra turns ``-(y log s(z) + (1 - y) log(1 - s(z)))`` into
    ``max(z, 0) - z y + log(1 + exp(-|z|))``: the exponent is never positive,
    so nothing overflows, and no probability is rounded to 0 or 1 first.
    """
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(input, target)
    _check_probabilities(target, "target")
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
    one_of(reduction, "reduction", REDUCTIONS)
    tensor(p, "p", floating=True, min_dim=1)
    _check_probabilities(p, "p")  # a negative p would make p log p nan
    h = -torch.xlogy(p, p).sum(dim=-1)                # (*); xlogy(0, 0) = 0, not nan
    return _reduce(h, reduction)


def kl_divergence(p: Tensor, q: Tensor, *, reduction: str = "mean") -> Tensor:
    """Kullback-Leibler divergence ``KL(p || q) = sum_i p_i log(p_i / q_i)`` in nats.

    ``p`` (the true distribution) and ``q`` (the model's): (C,) or (*, C),
    one distribution per row. "none" gives one divergence per distribution,
    "mean" averages them (torch: ``F.kl_div(q.log(), p, reduction="batchmean")``
    for 2-D input; note torch's argument order, model first).
    """
    one_of(reduction, "reduction", REDUCTIONS)
    _check_pair(p, q, ("p", "q"), min_dim=1)
    _check_probabilities(p, "p")
    _check_probabilities(q, "q")
    kl = (torch.xlogy(p, p) - torch.xlogy(p, q)).sum(dim=-1)   # (*): H(p, q) - H(p)
    return _reduce(kl, reduction)
