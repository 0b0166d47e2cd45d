"""Dropout from scratch: inverted dropout, as ``nn.Dropout`` computes it on the CPU.

In training, each element is kept with probability 1 - p and scaled by 1 / (1 - p), or set to 0::

    mask = torch.empty_like(x).bernoulli_(1 - p)   # 1 with probability 1 - p, else 0
    out  = x * (mask / (1 - p))

so the expected value of every output equals its input, E[out] = x, and nothing needs to change at
test time: in evaluation mode dropout is the identity. (The original paper scaled at test time
instead, multiplying the weights by 1 - p; "inverted" dropout moves that scaling to training.)

PyTorch draws its CPU mask the same way, from the same generator, so with the same seed the two
drop the same elements: the tests check it. (On a GPU torch uses a fused kernel with its own use of
the random numbers: the same distribution, other masks.)

>>> _ = torch.manual_seed(0)
>>> dropout(torch.ones(8), p=0.5)
tensor([0., 0., 2., 0., 0., 0., 2., 2.])
"""
from __future__ import annotations

import torch
from torch import nn

from dlnotes._checks import flag, number, tensor


def dropout(x: torch.Tensor, p: float = 0.5, training: bool = True) -> torch.Tensor:
    """Zero each element of ``x`` with probability ``p`` in [0, 1] and scale the rest by 1 / (1 - p);
    the identity when ``training`` is False (or p is 0). ``x`` is a floating-point tensor."""
    tensor(x, "x", floating=True)
    p = number(p, "p", minimum=0, maximum=1)
    training = flag(training, "training")
    if not training or p == 0:
        return x
    if p == 1:  # every element dropped: 0 / 0 avoided, as torch does
        return x * 0
    mask = torch.empty_like(x).bernoulli_(1 - p)  # same shape as x, 1 = keep
    return x * (mask / (1 - p))  # scale the mask first, as torch does: the same rounding


class Dropout(nn.Module):
    """The layer: :func:`dropout` in training mode (``model.train()``), the identity after ``model.eval()``.

    ``p`` in [0, 1] is the probability of dropping an element, as in ``nn.Dropout(p)``.
    """

    def __init__(self, p: float = 0.5):
        super().__init__()
        self.p = number(p, "p", minimum=0, maximum=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
