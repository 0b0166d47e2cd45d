"""Batch normalisation from scratch: the forward pass, the backward pass derived by hand, and a layer.

For a batch ``x`` of shape (N, D), each feature (column) is normalised with the batch's own mean and
*biased* variance (divided by N), then scaled and shifted by the learned γ (``weight``) and β (``bias``)::

    mu   = x.mean(0)                       # (D,)
    var  = ((x - mu) ** 2).mean(0)         # (D,)  biased: this is what normalises
    xhat = (x - mu) / sqrt(var + eps)      # (N, D)
    out  = gamma * xhat + beta             # (N, D)

The backward pass, derived as in CS231n (write ``dxhat = dout * gamma``; every x_i reaches the loss
through xhat_i directly, through mu and through var)::

    dx = (1 / (N * sqrt(var + eps))) * (N * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))

:class:`BatchNorm1d` is a layer with the interface, parameters and buffers of ``nn.BatchNorm1d``. In
training mode it normalises with the batch statistics and updates the running statistics with PyTorch's
convention, ``running = (1 - momentum) * running + momentum * batch`` (Keras writes the same update with
``momentum`` as the weight of the *old* value: its 0.99 is PyTorch's 0.01). The running variance stores
the *unbiased* batch variance (divided by N - 1), as PyTorch does. In evaluation mode it normalises with
the running statistics, so one example's output no longer depends on the rest of its batch.

>>> x = torch.tensor([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]])  # (N=3, D=2)
>>> out, _ = batchnorm_forward(x, torch.ones(2), torch.zeros(2))
>>> out.mean(0).abs().max() < 1e-6, out.var(0, unbiased=False)
(tensor(True), tensor([1.0000, 1.0000]))
"""
from __future__ import annotations

import torch
from torch import nn

from dlnotes._checks import integer, number, show, tensor


def _check_batch(x, name: str, features: int | None = None, training: bool = True) -> torch.Tensor:
    tensor(x, name, floating=True, dims=(2,))
    if features is not None and x.shape[1] != features:
        raise ValueError(f"{name} must have {features} features (shape (N, {features})), got {show(x)}")
    if training and x.shape[0] < 2:  # a batch of one has variance 0: every output would be beta
        raise ValueError(f"{name} must hold at least 2 examples in training mode (batch statistics of one "
                         f"example are meaningless), got {show(x)}; call .eval() to use the running statistics")
    return x


def batchnorm_forward(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5):
    """Normalise the (N, D) batch ``x`` with its own statistics; returns ``(out, cache)``.

    ``gamma`` and ``beta`` are (D,) tensors; ``eps`` > 0 keeps the division finite. ``cache`` holds what
    :func:`batchnorm_backward` needs, and the batch's ``mean`` and biased ``var`` (the layer updates its
    running statistics from them).
    """
    _check_batch(x, "x")
    d = x.shape[1]
    for name, value in (("gamma", gamma), ("beta", beta)):
        tensor(value, name, floating=True, dims=(1,))
        if value.shape[0] != d:
            raise ValueError(f"{name} must have shape ({d},) for x of shape {tuple(x.shape)}, got {show(value)}")
    eps = number(eps, "eps", above=0)
    mu = x.mean(0)                                  # (D,)
    var = ((x - mu) ** 2).mean(0)                   # (D,) biased
    inv_std = 1.0 / torch.sqrt(var + eps)           # (D,)
    xhat = (x - mu) * inv_std                       # (N, D)
    out = gamma * xhat + beta                       # (N, D)
    return out, {"xhat": xhat, "gamma": gamma, "inv_std": inv_std, "mean": mu, "var": var}


def batchnorm_backward(dout: torch.Tensor, cache: dict):
    """The gradients ``(dx, dgamma, dbeta)`` of the loss, given ``dout`` = ∂loss/∂out, shape (N, D)."""
    tensor(dout, "dout", floating=True, dims=(2,))
    if not isinstance(cache, dict) or not {"xhat", "gamma", "inv_std"} <= set(cache):
        raise TypeError(f"cache must be the dict batchnorm_forward returned, got {show(cache)}")
    xhat, gamma, inv_std = cache["xhat"], cache["gamma"], cache["inv_std"]
    if dout.shape != xhat.shape:
        raise ValueError(f"dout must have the shape of the forward output {tuple(xhat.shape)}, got {show(dout)}")
    n = dout.shape[0]
    dbeta = dout.sum(0)                             # (D,)
    dgamma = (dout * xhat).sum(0)                   # (D,)
    dxhat = dout * gamma                            # (N, D)
    dx = inv_std / n * (n * dxhat - dxhat.sum(0) - xhat * (dxhat * xhat).sum(0))  # (N, D)
    return dx, dgamma, dbeta


class _BatchNormFunction(torch.autograd.Function):
    """Autograd runs :func:`batchnorm_backward` instead of differentiating the forward pass itself."""

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        out, cache = batchnorm_forward(x, gamma, beta, eps)
        ctx.save_for_backward(cache["xhat"], gamma, cache["inv_std"])
        return out, cache["mean"], cache["var"]

    @staticmethod
    def backward(ctx, dout, _dmean, _dvar):
        xhat, gamma, inv_std = ctx.saved_tensors
        dx, dgamma, dbeta = batchnorm_backward(dout, {"xhat": xhat, "gamma": gamma, "inv_std": inv_std})
        return dx, dgamma, dbeta, None


class BatchNorm1d(nn.Module):
    """Batch normalisation of (N, ``num_features``) inputs, as ``nn.BatchNorm1d(num_features, eps, momentum)``.

    ``momentum`` in (0, 1], or None for a cumulative average of all batches seen (as in PyTorch).
    Parameters ``weight`` (γ, ones) and ``bias`` (β, zeros); buffers ``running_mean`` (zeros),
    ``running_var`` (ones) and ``num_batches_tracked``, so ``load_state_dict`` moves weights between this
    layer and PyTorch's.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1):
        super().__init__()
        self.num_features = integer(num_features, "num_features", minimum=1, maximum=2**31 - 1)
        self.eps = number(eps, "eps", above=0)
        self.momentum = None if momentum is None else number(momentum, "momentum", above=0, maximum=1)
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_batch(x, "x", self.num_features, training=self.training)
        if not self.training:
            return (x - self.running_mean) / torch.sqrt(self.running_var + self.eps) * self.weight + self.bias
        out, mean, var = _BatchNormFunction.apply(x, self.weight, self.bias, self.eps)
        with torch.no_grad():
            self.num_batches_tracked += 1
            m = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
            n = x.shape[0]
            self.running_mean.mul_(1 - m).add_(m * mean)
            self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))  # stored unbiased
        return out

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
