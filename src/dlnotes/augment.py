"""Data augmentation on whole batches, on the device the batch is on, with new random numbers per image.

torchvision's v2 transforms accept a batch (B, C, H, W), but draw *one* set of random parameters for
the whole batch: every image of it is flipped, or none is. Augmentation wants each image transformed
on its own. :func:`random_affine` draws per-image parameters (a few numbers each) and moves all
images at once through one ``affine_grid`` + ``grid_sample``: flips, shifts, rotations and zooms in
one resampling, on the CPU, CUDA or MPS, with no round trip through PIL.

:class:`Augmented` wraps a loader so that :func:`~dlnotes.training.fit` trains on augmented batches;
validation and test loaders stay as they are.

>>> x = torch.arange(9.0).reshape(1, 1, 3, 3)  # (B, C, H, W)
>>> random_affine(x, flip=1.0)[0, 0]            # every image mirrored left to right
tensor([[2., 1., 0.],
        [5., 4., 3.],
        [8., 7., 6.]])
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from dlnotes import _checks


def _range(value, name: str, minimum: float, maximum: float | None = None) -> tuple[float, float]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be a number or a pair (low, high), got {_checks.show(value)}")
        low, high = (_checks.number(v, f"{name}[{i}]", minimum=minimum, maximum=maximum) for i, v in enumerate(value))
        if low > high:
            raise ValueError(f"{name} must be a pair (low, high) with low <= high, got {_checks.show(value)}")
        return low, high
    return (_checks.number(value, name, minimum=minimum, maximum=maximum),) * 2


def _uniform(low: float, high: float, n: int, generator) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)  # (n,)


def random_affine(x: torch.Tensor, *, degrees: float = 0.0, translate: float = 0.0, scale=1.0,
                  flip: float = 0.0, fill: float = 0.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """Each image of the batch ``x`` (B, C, H, W) mirrored, shifted, rotated and zoomed at random, independently.

    Per image: mirrored left to right with probability ``flip`` in [0, 1]; rotated by an angle uniform
    in [-degrees, degrees] (``degrees`` >= 0); zoomed by a factor uniform in ``scale`` (a number > 0, or a
    pair (low, high)); shifted by up to ``translate`` (in [0, 1]) of its width and height, uniformly in
    each direction. Pixels that come from outside the image take the value ``fill`` (for standardised
    Fashion-MNIST, the value of a black pixel after standardisation). Bilinear interpolation; a shift by
    whole pixels, a flip and the identity are exact. Random numbers come from ``generator`` (a CPU
    ``torch.Generator``) or torch's global one. Returns a new tensor of the shape, dtype and device of ``x``.
    """
    _checks.tensor(x, "x", floating=True, dims=(4,), nonempty=True)
    degrees = _checks.number(degrees, "degrees", minimum=0, maximum=360)
    translate = _checks.number(translate, "translate", minimum=0, maximum=1)
    low, high = _range(scale, "scale", minimum=1e-3, maximum=1e3)
    flip = _checks.number(flip, "flip", minimum=0, maximum=1)
    fill = _checks.number(fill, "fill")
    if generator is not None and (not isinstance(generator, torch.Generator) or generator.device.type != "cpu"):
        raise TypeError(f"generator must be a CPU torch.Generator or None, got {_checks.show(generator)}")
    b, _, h, w = x.shape
    angle = _uniform(-degrees, degrees, b, generator) * math.pi / 180   # (B,)
    zoom = _uniform(low, high, b, generator)                            # (B,)
    mirror = 1 - 2 * (torch.rand(b, generator=generator, dtype=torch.float64) < flip).double()  # (B,) ±1
    shift = _uniform(-translate, translate, 2 * b, generator).view(b, 2) * torch.tensor([w, h])  # (B, 2) pixels
    # Where an output pixel is taken from, in pixel units about the centre: undo the shift, then the
    # rotation, zoom and mirror: source = (R S M)^-1 (out - shift).
    cos, sin = torch.cos(angle), torch.sin(angle)
    forward = torch.stack([torch.stack([cos * zoom * mirror, -sin * zoom], -1),
                           torch.stack([sin * zoom * mirror, cos * zoom], -1)], -2)  # (B, 2, 2)
    inverse = torch.linalg.inv(forward)                                            # (B, 2, 2)
    # grid_sample's coordinates run from -1 to 1 across each axis: pixels -> normalised is diag(2/w, 2/h).
    to_unit = torch.diag(torch.tensor([2.0 / w, 2.0 / h], dtype=torch.float64))
    to_pixels = torch.diag(torch.tensor([w / 2.0, h / 2.0], dtype=torch.float64))
    matrix = to_unit @ inverse @ to_pixels                                         # (B, 2, 2)
    offset = -(to_unit @ inverse @ shift.unsqueeze(-1))                            # (B, 2, 1)
    theta = torch.cat([matrix, offset], -1).to(x.device, x.dtype)                 # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)               # (B, H, W, 2)
    out = F.grid_sample(x - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return out + fill


class Augmented:
    """A loader whose batches come out augmented: ``transform(x)`` on every input batch, targets unchanged.

    ``loader`` yields ``(x, y)`` batches (a :class:`~dlnotes.loader.TensorLoader` or a ``DataLoader``);
    ``transform`` maps a batch to a batch of the same shape, e.g.
    ``functools.partial(random_affine, translate=0.1, flip=0.5)``. Flattened images ``(B, C*H*W)`` are
    viewed as ``image_shape`` (C, H, W) for the transform and flattened again. The transform runs where
    the batch is: put the loader's data on the GPU and the augmentation runs there too. ``len()`` is the
    loader's; for an exact resume from a checkpoint, give ``fit`` the transform's generator in
    ``generators=``.
    """

    def __init__(self, loader, transform, image_shape: tuple[int, ...] | None = None):
        if not hasattr(loader, "__iter__"):
            raise TypeError(f"loader must yield (x, y) batches, got {_checks.show(loader)}")
        self.loader = loader
        self.transform = _checks.function(transform, "transform", "batch -> batch of the same shape")
        if image_shape is not None:
            _checks.instance(image_shape, "image_shape", tuple, "a tuple such as (1, 28, 28)")
            if not image_shape or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                                          for n in image_shape):
                raise ValueError(f"image_shape must be a tuple of positive integers such as (1, 28, 28), "
                                 f"got {_checks.show(image_shape)}")
        self.image_shape = image_shape

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            x, y = _checks.batch(batch, "loader")  # an (x, y) pair of tensors, or an error naming loader
            shaped = x if self.image_shape is None else x.view(x.shape[0], *self.image_shape)
            out = self.transform(shaped)
            if not isinstance(out, torch.Tensor) or out.shape != shaped.shape:
                raise ValueError(f"transform must return a batch of the shape it was given, {tuple(shaped.shape)}; "
                                 f"got {_checks.show(out)}")
            yield (out if self.image_shape is None else out.reshape(x.shape)), y
