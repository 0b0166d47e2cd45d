"""dlnotes.scratch.conv against torch: conv2d, max_pool2d and avg_pool2d give F's outputs and gradients,
and the size formula and receptive fields agree with what torch layers do."""
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from dlnotes.scratch.conv import avg_pool2d, conv2d, conv_output_size, max_pool2d, receptive_field


def randn(*shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@given(batch=st.integers(1, 3), channels=st.integers(1, 3), out=st.integers(1, 4), size=st.integers(1, 9),
       kernel=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 2), with_bias=st.booleans())
@settings(max_examples=60, deadline=None)
def test_conv2d_matches_torch_in_output_and_gradients(batch, channels, out, size, kernel, stride, padding, with_bias):
    if kernel > size + 2 * padding:
        with pytest.raises(ValueError, match="kernel_size"):
            conv2d(randn(batch, channels, size, size), randn(out, channels, kernel, kernel), stride=stride,
                   padding=padding)
        return
    inputs = [randn(batch, channels, size, size, seed=1), randn(out, channels, kernel, kernel, seed=2)]
    inputs.append(randn(out, seed=3) if with_bias else None)
    grads = []
    for function in (conv2d, F.conv2d):
        leaves = [t.clone().requires_grad_() if t is not None else None for t in inputs]
        y = function(leaves[0], leaves[1], leaves[2], stride=stride, padding=padding)
        y.backward(randn(*y.shape, seed=4))
        grads.append([y] + [t.grad for t in leaves if t is not None])
    for ours, theirs in zip(*grads):
        torch.testing.assert_close(ours, theirs)


@pytest.mark.parametrize("pool, theirs", [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)])
@given(size=st.integers(2, 9), kernel=st.integers(1, 4), stride=st.one_of(st.none(), st.integers(1, 3)),
       padding=st.integers(0, 2))
@settings(max_examples=40, deadline=None)
def test_pooling_matches_torch_in_output_and_gradients(pool, theirs, size, kernel, stride, padding):
    if padding > kernel // 2 or kernel > size + 2 * padding:
        with pytest.raises(ValueError):
            pool(randn(2, 3, size, size), kernel, stride, padding)
        return
    x = randn(2, 3, size, size, seed=5)
    results = []
    for function in (pool, theirs):
        leaf = x.clone().requires_grad_()
        y = function(leaf, kernel, stride, padding)
        y.backward(randn(*y.shape, seed=6))
        results.append((y, leaf.grad))
    torch.testing.assert_close(results[0], results[1])


def test_rectangular_inputs_and_float32():
    x, w = randn(2, 3, 7, 10).float(), randn(4, 3, 3, 3).float()
    torch.testing.assert_close(conv2d(x, w, stride=2, padding=1), F.conv2d(x, w, stride=2, padding=1))
    torch.testing.assert_close(max_pool2d(x, 2), F.max_pool2d(x, 2))


@given(size=st.integers(1, 40), kernel=st.integers(1, 7), stride=st.integers(1, 4), padding=st.integers(0, 3))
@settings(max_examples=80, deadline=None)
def test_output_size_is_what_a_torch_layer_gives(size, kernel, stride, padding):
    layer = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
    if kernel > size + 2 * padding:
        with pytest.raises(ValueError, match="kernel_size"):
            conv_output_size(size, kernel, stride, padding)
        return
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == conv_output_size(size, kernel, stride, padding)


def test_same_padding_keeps_the_size_for_odd_kernels():
    for kernel in (3, 5, 7):  # the notes: padding 1, 2, 3
        assert conv_output_size(28, kernel, padding=(kernel - 1) // 2) == 28


def test_receptive_field_is_what_a_gradient_reaches():
    layers = [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]
    # average pooling: a max would pass the gradient to one pixel of each window only
    net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 3), nn.AvgPool2d(2), nn.Conv2d(1, 1, 3))
    x = torch.randn(1, 1, 40, 40, requires_grad=True)
    net(x)[0, 0, 0, 0].backward()
    rows = (x.grad[0, 0].abs().sum(dim=1) > 0).nonzero()
    assert rows.max().item() - rows.min().item() + 1 == receptive_field(layers) == 18


def test_bad_shapes_are_refused_by_name():
    with pytest.raises(ValueError, match="x has 2 channels"):
        conv2d(randn(1, 2, 5, 5), randn(3, 1, 3, 3))
    with pytest.raises(ValueError, match="bias must have one entry per filter"):
        conv2d(randn(1, 1, 5, 5), randn(3, 1, 3, 3), randn(2))
    with pytest.raises(ValueError, match="x must have 4 dimensions"):
        conv2d(randn(1, 5, 5), randn(3, 1, 3, 3))
    with pytest.raises(TypeError, match="weight is torch.float32"):
        conv2d(randn(1, 1, 5, 5), randn(3, 1, 3, 3).float())
    with pytest.raises(TypeError, match="layers must hold"):
        receptive_field([3, 1])
