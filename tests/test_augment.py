"""dlnotes.augment: per-image random transforms, exact where they should be, and the loader wrapper."""
import functools

import pytest
import torch

import dlnotes
from dlnotes.augment import Augmented, random_affine


def images(b=6, seed=0):
    return torch.randn(b, 2, 8, 8, generator=torch.Generator().manual_seed(seed))


def test_nothing_asked_is_the_identity_and_a_flip_is_exact():
    x = images()
    torch.testing.assert_close(random_affine(x), x, rtol=0, atol=1e-6)
    torch.testing.assert_close(random_affine(x, flip=1.0), x.flip(-1), rtol=0, atol=1e-6)


def test_whole_pixel_shifts_move_the_content_and_fill_the_edge():
    x = images(1)
    theta_shift = torch.tensor([2.0, -1.0])  # right by 2, up by 1, in pixels

    def shifted(img):
        out = torch.full_like(img, 7.0)
        out[..., 0:7, 2:8] = img[..., 1:8, 0:6]
        return out

    from dlnotes import augment
    real = augment._uniform

    def fixed(low, high, n, generator):
        if n == 2:  # the shift's draw: (dx, dy) as fractions of the size
            return theta_shift.double() / 8
        return torch.full((n,), low if low == high else 0.0, dtype=torch.float64)
    augment._uniform = fixed
    try:
        out = random_affine(x, translate=0.5, fill=7.0)
    finally:
        augment._uniform = real
    torch.testing.assert_close(out, shifted(x), rtol=0, atol=1e-5)


def test_each_image_gets_its_own_draw():
    x = images(64).abs() + 1  # no pixel equals the fill
    out = random_affine(x, flip=0.5, generator=torch.Generator().manual_seed(0))
    flipped = [torch.allclose(o, i.flip(-1), atol=1e-5) for o, i in zip(out, x)]
    kept = [torch.allclose(o, i, atol=1e-5) for o, i in zip(out, x)]
    assert all(f or k for f, k in zip(flipped, kept)) and 16 < sum(flipped) < 48


def test_the_same_generator_seed_gives_the_same_batch():
    x = images()
    a = random_affine(x, degrees=20, translate=0.1, scale=(0.9, 1.1), flip=0.5, generator=torch.Generator().manual_seed(1))
    b = random_affine(x, degrees=20, translate=0.1, scale=(0.9, 1.1), flip=0.5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.equal(a, x)


def test_a_rotation_by_90_degrees_is_a_transpose_flip():
    x = images(1)
    from dlnotes import augment
    real = augment._uniform
    augment._uniform = lambda low, high, n, generator: torch.full((n,), high if n == 1 and high == 90 else
                                                                  (low if low == high else 0.0), dtype=torch.float64)
    try:
        out = random_affine(x, degrees=90)
    finally:
        augment._uniform = real
    assert any(torch.allclose(out, torch.rot90(x, k, dims=(-2, -1)), atol=1e-5) for k in (1, -1))


def test_augmented_loader_transforms_flat_batches_and_keeps_targets():
    x, y = torch.randn(10, 1 * 4 * 4), torch.arange(10)
    loader = Augmented(dlnotes.TensorLoader(x, y, batch_size=4), functools.partial(random_affine, flip=1.0),
                       image_shape=(1, 4, 4))
    assert len(loader) == 3
    xs, ys = zip(*loader)
    torch.testing.assert_close(torch.cat(xs), x.view(10, 1, 4, 4).flip(-1).reshape(10, 16), rtol=0, atol=1e-6)
    assert torch.equal(torch.cat(ys), y)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(degrees=-1), ValueError, "degrees"), (dict(translate=2), ValueError, "translate"),
    (dict(scale=(1.2, 0.8)), ValueError, "scale"), (dict(flip=1.5), ValueError, "flip"),
    (dict(generator=3), TypeError, "generator"),
])
def test_bad_arguments_are_refused_by_name(kwargs, error, words):
    with pytest.raises(error, match=words):
        random_affine(images(), **kwargs)
    with pytest.raises(ValueError, match="x must have 4 dimensions"):
        random_affine(torch.randn(3, 8, 8))


def test_a_transform_that_changes_the_shape_is_refused():
    loader = Augmented(dlnotes.TensorLoader(torch.randn(4, 16), torch.arange(4), batch_size=2),
                       lambda b: b[:, :, :2], image_shape=(1, 4, 4))
    with pytest.raises(ValueError, match="transform must return a batch of the shape"):
        list(loader)
