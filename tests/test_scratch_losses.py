"""The from-scratch losses equal torch.nn.functional's, shape by shape and reduction by reduction."""
import re

import pytest
import torch
import torch.nn.functional as F

from dlnotes.scratch import losses as scratch

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = [(7,), (5, 3), (4, 3, 6), (2, 3, 4, 5)]          # any shape: element-wise losses
CLASS_SHAPES = [(4,), (6, 4), (5, 4, 3), (2, 4, 3, 5)]    # (C,), (N, C), (N, C, d1), (N, C, d1, d2)
DIST_SHAPES = [(4,), (6, 4), (3, 5, 4)]                   # distributions along the last dimension
TOL = dict(rtol=1e-6, atol=1e-6)


def gen(seed):
    return torch.Generator().manual_seed(seed)


def randn(shape, seed):
    return torch.randn(shape, generator=gen(seed), dtype=torch.float64)


def class_targets(shape, seed):
    """Class indices for logits of ``shape``: the shape without its class dimension."""
    dim = 0 if len(shape) == 1 else 1
    num_classes = shape[dim]
    return torch.randint(num_classes, shape[:dim] + shape[dim + 1:], generator=gen(seed))


def distributions(shape, seed):
    return torch.softmax(2 * randn(shape, seed), dim=-1)


def assert_close(ours, theirs):
    assert ours.shape == theirs.shape
    torch.testing.assert_close(ours, theirs, **TOL)


# --- element-wise losses ----------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss"])
def test_regression_losses_match_torch(name, shape, reduction):
    x, y = randn(shape, 0), randn(shape, 1)
    assert_close(getattr(scratch, name)(x, y, reduction=reduction), getattr(F, name)(x, y, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0])
def test_smooth_l1_matches_torch(beta, shape, reduction):
    x, y = 2 * randn(shape, 2), randn(shape, 3)     # errors on both sides of every beta
    assert_close(scratch.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
                 F.smooth_l1_loss(x, y, reduction=reduction, beta=beta))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_matches_torch(shape, reduction):
    p = torch.sigmoid(randn(shape, 4))
    y = torch.rand(shape, generator=gen(5), dtype=torch.float64)   # soft targets in [0, 1] are allowed
    assert_close(scratch.binary_cross_entropy(p, y, reduction=reduction),
                 F.binary_cross_entropy(p, y, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_binary_cross_entropy_with_logits_matches_torch(shape, reduction):
    z = 30 * randn(shape, 6)                        # large logits: the stable form must hold up
    y = (torch.rand(shape, generator=gen(7)) < 0.5).double()
    assert_close(scratch.binary_cross_entropy_with_logits(z, y, reduction=reduction),
                 F.binary_cross_entropy_with_logits(z, y, reduction=reduction))


# --- classification -----------------------------------------------------------

@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_log_softmax_matches_torch_and_survives_huge_logits(shape):
    dim = 0 if len(shape) == 1 else 1
    z = randn(shape, 8)
    assert_close(scratch.log_softmax(z, dim=dim), F.log_softmax(z, dim=dim))
    assert_close(scratch.log_softmax(z + 1e4, dim=dim), F.log_softmax(z, dim=dim))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_nll_loss_matches_torch(shape, reduction):
    dim = 0 if len(shape) == 1 else 1
    log_probs, target = F.log_softmax(randn(shape, 9), dim=dim), class_targets(shape, 10)
    assert_close(scratch.nll_loss(log_probs, target, reduction=reduction),
                 F.nll_loss(log_probs, target, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_with_class_indices_matches_torch(shape, reduction):
    logits, target = 3 * randn(shape, 11), class_targets(shape, 12)
    assert_close(scratch.cross_entropy(logits, target, reduction=reduction),
                 F.cross_entropy(logits, target, reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_with_probability_targets_matches_torch(shape, reduction):
    dim = 0 if len(shape) == 1 else 1
    logits, target = 3 * randn(shape, 13), torch.softmax(randn(shape, 14), dim=dim)
    assert_close(scratch.cross_entropy(logits, target, reduction=reduction),
                 F.cross_entropy(logits, target, reduction=reduction))


def test_one_hot_targets_give_the_same_cross_entropy_as_indices():
    logits, target = randn((6, 4), 15), class_targets((6, 4), 16)
    one_hot = F.one_hot(target, 4).double()
    assert_close(scratch.cross_entropy(logits, one_hot), scratch.cross_entropy(logits, target))


def test_cross_entropy_survives_huge_logits():
    logits = torch.tensor([[1000.0, 998.0, 994.0]], dtype=torch.float64)
    loss = scratch.cross_entropy(logits, torch.tensor([0]))
    assert torch.isfinite(loss)
    assert_close(loss, F.cross_entropy(logits, torch.tensor([0])))


# --- information theory ---------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", DIST_SHAPES)
def test_entropy_matches_torch_distributions(shape, reduction):
    p = distributions(shape, 17)
    h = torch.distributions.Categorical(probs=p).entropy()       # (*), one per distribution
    expected = {"mean": h.mean(), "sum": h.sum(), "none": h}[reduction]
    assert_close(scratch.entropy(p, reduction=reduction), expected)


def test_entropy_treats_zero_probabilities_as_zero_terms():
    p = torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64)
    assert_close(scratch.entropy(p), torch.log(torch.tensor(2.0, dtype=torch.float64)))


@pytest.mark.parametrize("shape", DIST_SHAPES)
def test_kl_divergence_matches_torch_kl_div(shape):
    p, q = distributions(shape, 18), distributions(shape, 19)
    # torch's order is kl_div(input=log q, target=p) and its reductions run over elements:
    # "none" is p_i log(p_i / q_i) per element, so KL per distribution is its sum over the last dim.
    assert_close(scratch.kl_divergence(p, q, reduction="none"), F.kl_div(q.log(), p, reduction="none").sum(-1))
    assert_close(scratch.kl_divergence(p, q, reduction="sum"), F.kl_div(q.log(), p, reduction="sum"))
    num_distributions = p.numel() // p.shape[-1]
    assert_close(scratch.kl_divergence(p, q, reduction="mean"),
                 F.kl_div(q.log(), p, reduction="sum") / num_distributions)
    if p.dim() == 2:  # "batchmean" divides by the first dimension: the per-distribution mean for (N, C)
        assert_close(scratch.kl_divergence(p, q, reduction="mean"), F.kl_div(q.log(), p, reduction="batchmean"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_is_entropy_plus_kl(reduction):
    p, q = distributions((6, 4), 20), distributions((6, 4), 21)
    h_pq = scratch.cross_entropy(q.log(), p, reduction=reduction)   # log q are valid logits of q
    assert_close(h_pq, scratch.entropy(p, reduction=reduction) + scratch.kl_divergence(p, q, reduction=reduction))
    assert (scratch.kl_divergence(p, q, reduction="none") >= 0).all()
    assert_close(scratch.kl_divergence(p, p, reduction="sum"), torch.tensor(0.0, dtype=torch.float64))


# --- gradients and argument checks -------------------------------------------------

def test_gradients_match_torch():
    z = randn((5, 3), 22).requires_grad_()
    target = class_targets((5, 3), 23)
    scratch.cross_entropy(z, target).backward()
    ours, z.grad = z.grad, None
    F.cross_entropy(z, target).backward()
    assert_close(ours, z.grad)


CALLS = {
    "l1_loss": lambda r: scratch.l1_loss(torch.zeros(2), torch.ones(2), reduction=r),
    "mse_loss": lambda r: scratch.mse_loss(torch.zeros(2), torch.ones(2), reduction=r),
    "smooth_l1_loss": lambda r: scratch.smooth_l1_loss(torch.zeros(2), torch.ones(2), reduction=r),
    "nll_loss": lambda r: scratch.nll_loss(torch.zeros(2, 3), torch.tensor([0, 1]), reduction=r),
    "cross_entropy": lambda r: scratch.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), reduction=r),
    "binary_cross_entropy": lambda r: scratch.binary_cross_entropy(torch.full((2,), 0.5), torch.ones(2),
                                                                   reduction=r),
    "binary_cross_entropy_with_logits": lambda r: scratch.binary_cross_entropy_with_logits(
        torch.zeros(2), torch.ones(2), reduction=r),
    "entropy": lambda r: scratch.entropy(torch.full((3,), 1 / 3), reduction=r),
    "kl_divergence": lambda r: scratch.kl_divergence(torch.full((3,), 1 / 3), torch.full((3,), 1 / 3),
                                                     reduction=r),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bad_reduction_is_refused_with_the_accepted_values(name):
    CALLS[name]("mean")  # the call itself is fine
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        CALLS[name]("avg")


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="beta must be a number >= 0"):
        scratch.smooth_l1_loss(torch.zeros(2), torch.ones(2), beta=-1.0)
    with pytest.raises(ValueError, match="same shape"):
        scratch.mse_loss(torch.zeros(3), torch.zeros(3, 1))
    with pytest.raises(TypeError, match="integer class indices"):
        scratch.nll_loss(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\)"):
        scratch.nll_loss(torch.zeros(2, 3), torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="without its class dimension"):
        scratch.nll_loss(torch.zeros(2, 3), torch.tensor([0, 1, 2]))


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan"), float("inf")])
def test_binary_cross_entropy_refuses_input_outside_0_1_as_torch_does(bad):
    p, y = torch.tensor([0.5, bad], dtype=torch.float64), torch.tensor([1.0, 0.0], dtype=torch.float64)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(p, y)
    with pytest.raises(ValueError, match=r"input must hold probabilities in \[0, 1\]"):
        scratch.binary_cross_entropy(p, y)  # used to return nan


@pytest.mark.parametrize("target, error, words", [
    ([1.0, 0.0], TypeError, "target must be a torch.Tensor"),
    (torch.tensor([[1.0, 0.0]], dtype=torch.float64), ValueError, "same shape"),
    (torch.tensor([1.0, 2.0], dtype=torch.float64), ValueError, r"target must hold probabilities in \[0, 1\]"),
])
def test_binary_cross_entropy_target_must_be_probabilities_of_the_same_shape(target, error, words):
    with pytest.raises(error, match=words):
        scratch.binary_cross_entropy(torch.tensor([0.5, 0.5], dtype=torch.float64), target)


@pytest.mark.parametrize("beta, error", [(float("nan"), ValueError), (float("inf"), ValueError),
                                         (-1.0, ValueError), ("1", TypeError), (None, TypeError)])
def test_smooth_l1_beta_must_be_a_finite_number_at_least_0(beta, error):
    with pytest.raises(error, match="beta must be a"):
        scratch.smooth_l1_loss(torch.zeros(2), torch.ones(2), beta=beta)  # nan used to give a nan loss


@pytest.mark.parametrize("call, error, words", [
    (lambda: scratch.mse_loss([0.0], torch.zeros(1)), TypeError, "input must be a torch.Tensor of floats"),
    (lambda: scratch.mse_loss(torch.zeros(2), torch.zeros(2, dtype=torch.long)), TypeError,
     "target must be a floating-point tensor"),
    (lambda: scratch.mse_loss(torch.zeros(2), torch.zeros(2, dtype=torch.float64)), TypeError,
     "target must have the dtype of input (torch.float32), got a torch.float64 tensor"),
    (lambda: scratch.l1_loss(torch.zeros(2, dtype=torch.complex64), torch.zeros(2)), TypeError, "input must be"),
    (lambda: scratch.l1_loss(torch.zeros(2), torch.zeros(2), reduction=None), ValueError, "reduction must be one of"),
    (lambda: scratch.log_softmax(torch.zeros(3), dim=1), ValueError, "dim must be in [-1, 0] for logits of shape (3,)"),
    (lambda: scratch.log_softmax(torch.zeros(3), dim="0"), TypeError, "dim must be an integer, got '0'"),
    (lambda: scratch.log_softmax(torch.tensor([1, 2]), dim=0), TypeError, "logits must be a floating-point tensor"),
    (lambda: scratch.nll_loss(torch.zeros(()), torch.tensor(0)), ValueError, "log_probs must have at least 1"),
    (lambda: scratch.nll_loss(torch.zeros(2, 3), [0, 1]), TypeError, "target must be a torch.Tensor"),
    (lambda: scratch.nll_loss(torch.zeros(2, 3), torch.tensor([True, False])), TypeError, "integer class indices"),
    (lambda: scratch.cross_entropy(torch.zeros(3, 2), torch.tensor([0, 1])), ValueError,
     "target must have the shape of logits without its class dimension 1, got logits (3, 2) and target (2,)"),
    (lambda: scratch.cross_entropy(torch.zeros(2, 3), torch.tensor([0.0, 2.0])), ValueError,
     "class indices must be integers (e.g. target.long())"),
    (lambda: scratch.cross_entropy(torch.zeros(2, 3), torch.full((2, 3), -0.5)), ValueError,
     "target must hold probabilities in [0, 1]"),
    (lambda: scratch.binary_cross_entropy_with_logits(torch.zeros(2), torch.tensor([0.0, float("nan")])),
     ValueError, "target must hold probabilities in [0, 1]"),
    (lambda: scratch.entropy(torch.tensor([-0.5, 1.5])), ValueError, "p must hold probabilities in [0, 1]"),
    (lambda: scratch.entropy(torch.tensor(1.0)), ValueError, "p must have at least 1 dimension"),
    (lambda: scratch.kl_divergence(torch.full((3,), 1 / 3), torch.tensor([0.5, 0.6, -0.1])), ValueError,
     "q must hold probabilities in [0, 1]"),
    (lambda: scratch.kl_divergence(torch.full((3,), 1 / 3), torch.full((4,), 0.25)), ValueError,
     "p and q must have the same shape"),
    (lambda: scratch.mse_loss(torch.zeros(2), torch.zeros(2, device="meta")), ValueError,
     "target must be on the device of input (cpu), got meta: move it, e.g. target.to(input.device)"),
    (lambda: scratch.cross_entropy(torch.zeros(2, 3), torch.zeros(2, dtype=torch.long, device="meta")), ValueError,
     "target must be on the device of logits (cpu), got meta"),
    (lambda: scratch.kl_divergence(torch.full((3,), 1 / 3), torch.full((3,), 1 / 3, device="meta")), ValueError,
     "q must be on the device of p (cpu)"),
])
def test_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


@pytest.mark.parametrize("shape, dim", [((0,), 0), ((2, 0), 1), ((0, 3), 1)], ids=str)
def test_log_softmax_of_an_empty_tensor_is_empty_as_in_torch(shape, dim):
    z = torch.zeros(shape, dtype=torch.float64)
    assert torch.equal(scratch.log_softmax(z, dim), F.log_softmax(z, dim))  # max() of an empty dim used to raise
