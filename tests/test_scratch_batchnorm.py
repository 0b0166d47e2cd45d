"""dlnotes.scratch.batchnorm against autograd and nn.BatchNorm1d: outputs, gradients, running statistics."""
import pytest
import torch
from torch import nn

from dlnotes.scratch.batchnorm import BatchNorm1d, batchnorm_backward, batchnorm_forward


def randn(*shape, seed=0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("n, d", [(2, 1), (5, 3), (64, 7)])
def test_the_hand_derived_backward_equals_autograd(n, d):
    x, gamma, beta = randn(n, d).mul(3).add(1).requires_grad_(), randn(d, seed=1).requires_grad_(), randn(d, seed=2)
    beta.requires_grad_()
    out, cache = batchnorm_forward(x, gamma, beta)
    dout = randn(n, d, seed=3)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    out.backward(dout)
    for mine, auto in ((dx, x.grad), (dgamma, gamma.grad), (dbeta, beta.grad)):
        torch.testing.assert_close(mine, auto, rtol=1e-10, atol=1e-12)


def test_the_forward_normalises_with_the_biased_variance():
    x = randn(6, 4) * 5 + 2
    out, cache = batchnorm_forward(x, torch.ones(4, dtype=torch.float64), torch.zeros(4, dtype=torch.float64), eps=0.0 + 1e-12)
    torch.testing.assert_close(out.mean(0), torch.zeros(4, dtype=torch.float64), atol=1e-12, rtol=0)
    torch.testing.assert_close(out.var(0, unbiased=False), torch.ones(4, dtype=torch.float64), atol=1e-9, rtol=0)
    torch.testing.assert_close(cache["var"], x.var(0, unbiased=False))


@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, None])
def test_the_layer_matches_nn_batchnorm1d_over_several_steps_and_in_both_modes(momentum):
    torch.manual_seed(0)
    mine, theirs = BatchNorm1d(5, eps=1e-3, momentum=momentum).double(), \
        nn.BatchNorm1d(5, eps=1e-3, momentum=momentum).double()
    with torch.no_grad():  # the same non-trivial gamma and beta in both
        theirs.weight.copy_(randn(5, seed=7))
        theirs.bias.copy_(randn(5, seed=8))
    mine.load_state_dict(theirs.state_dict())
    opt_mine = torch.optim.SGD(mine.parameters(), lr=0.1)
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for step in range(4):
        x = (randn(8 + step, 5, seed=10 + step) * (step + 1) + step).requires_grad_()
        x2 = x.detach().clone().requires_grad_()
        target = randn(8 + step, 5, seed=20 + step)
        losses = []
        for layer, inp, opt in ((mine, x, opt_mine), (theirs, x2, opt_theirs)):
            opt.zero_grad()
            out = layer(inp)
            loss = ((out - target) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(out)
        torch.testing.assert_close(losses[0], losses[1], rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(x.grad, x2.grad, rtol=1e-10, atol=1e-12)
        for name in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked"):
            torch.testing.assert_close(getattr(mine, name), getattr(theirs, name), rtol=1e-10, atol=1e-12)
    mine.eval(), theirs.eval()
    x = randn(3, 5, seed=99)
    torch.testing.assert_close(mine(x), theirs(x), rtol=1e-10, atol=1e-12)
    one = randn(1, 5, seed=98)  # a single example is fine in evaluation mode
    torch.testing.assert_close(mine(one), theirs(one), rtol=1e-10, atol=1e-12)


def test_the_running_variance_is_unbiased():
    layer = BatchNorm1d(2, momentum=1.0).double()
    x = randn(4, 2)
    layer(x)
    torch.testing.assert_close(layer.running_var, x.var(0, unbiased=True))
    torch.testing.assert_close(layer.running_mean, x.mean(0))


def test_bad_batches_are_refused_by_name():
    layer = BatchNorm1d(3)
    with pytest.raises(ValueError, match="x must hold at least 2 examples"):
        layer(torch.randn(1, 3))
    with pytest.raises(ValueError, match="x must have 3 features"):
        layer(torch.randn(4, 2))
    with pytest.raises(ValueError, match="x must have 2 dimensions"):
        layer(torch.randn(4, 3, 2))
    with pytest.raises(ValueError, match="gamma must have shape"):
        batchnorm_forward(torch.randn(4, 3), torch.ones(2), torch.zeros(3))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=0.0)
    with pytest.raises(ValueError, match="dout must have the shape"):
        batchnorm_backward(torch.randn(2, 3), batchnorm_forward(torch.randn(4, 3), torch.ones(3), torch.zeros(3))[1])


def test_the_layer_trains_a_network_as_torchs_does():
    import dlnotes
    x, y = torch.randn(128, 6, generator=torch.Generator().manual_seed(0)), torch.arange(128) % 3
    results = []
    for norm in (BatchNorm1d, nn.BatchNorm1d):
        torch.manual_seed(1)
        net = nn.Sequential(nn.Linear(6, 16), norm(16), nn.ReLU(), nn.Linear(16, 3))
        history = dlnotes.fit(net, dlnotes.TensorLoader(x, y, batch_size=32), loss=nn.CrossEntropyLoss(),
                              optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=3, progress=False,
                              device="cpu")
        results.append(history.to_frame()["loss"].tolist())
    assert results[0] == pytest.approx(results[1], rel=1e-5)
