"""dlnotes.scratch.dropout against nn.Dropout: the same mask from the same random numbers, the mean
kept, the identity in evaluation mode."""
import pytest
import torch
from torch import nn

from dlnotes.scratch.dropout import Dropout, dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(7,), (16, 33), (2, 3, 5, 5)])
def test_the_same_seed_drops_the_same_elements_as_torch(p, shape):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(0)
    ours = Dropout(p)(x)
    torch.manual_seed(0)
    theirs = nn.Dropout(p)(x)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_the_gradient_is_the_mask_scaled_as_torchs():
    x = torch.randn(50, 20, generator=torch.Generator().manual_seed(2))
    grads = []
    for layer in (Dropout(0.3), nn.Dropout(0.3)):
        torch.manual_seed(5)
        xi = x.clone().requires_grad_()
        layer(xi).sum().backward()
        grads.append(xi.grad)
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=0)
    assert grads[0].unique().tolist() == pytest.approx([0.0, 1 / 0.7])


def test_the_expected_output_equals_the_input():
    torch.manual_seed(0)
    x = torch.full((400_000,), 3.0, dtype=torch.float64)
    out = dropout(x, p=0.4)
    assert (out == 0).double().mean().item() == pytest.approx(0.4, abs=0.005)
    assert out.mean().item() == pytest.approx(3.0, abs=0.03)  # 4 standard errors of the mean


def test_evaluation_mode_and_the_edges_are_the_identity_or_zero():
    x = torch.randn(10)
    layer = Dropout(0.5).eval()
    assert layer(x) is x and dropout(x, p=0.0) is x and dropout(x, 0.7, training=False) is x
    torch.testing.assert_close(dropout(x, p=1.0), nn.functional.dropout(x, p=1.0))


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="p must be a number >= 0 and <= 1"):
        Dropout(1.5)
    with pytest.raises(TypeError, match="x must be a floating-point tensor"):
        dropout(torch.ones(3, dtype=torch.long))
    with pytest.raises(TypeError, match="training must be True or False"):
        dropout(torch.ones(3), training=1)
