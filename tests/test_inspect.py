import math

import pytest
import torch
from torch import nn

from dlnotes.inspect import activation_statistics, parameter_count


def mlp(sizes, activation=nn.Tanh):
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(fan_in, fan_out), activation()]
    return nn.Sequential(*layers[:-1])  # no activation after the output layer


# ---------- parameter_count


@pytest.mark.parametrize("sizes", [(784, 300, 100, 10), (3, 3, 2, 2), (5, 1), (10, 7, 7, 7, 1)])
def test_parameter_count_equals_the_formula(sizes):
    expected = sum(fan_in * fan_out + fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))
    model = mlp(sizes)
    assert parameter_count(model) == expected
    assert parameter_count(model) == sum(p.numel() for p in model.parameters())


def test_parameter_count_of_the_784_300_100_10_mlp():
    assert parameter_count(mlp((784, 300, 100, 10))) == 266_610


def test_frozen_parameters_are_not_trainable():
    model = mlp((784, 300, 100, 10))
    model[0].requires_grad_(False)
    assert parameter_count(model) == 266_610 - (784 * 300 + 300)
    assert parameter_count(model, trainable=False) == 266_610


def test_a_shared_layer_counts_once():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert parameter_count(model) == 20


def test_layers_without_bias_and_buffers():
    model = nn.Sequential(nn.Linear(6, 5, bias=False), nn.BatchNorm1d(5))
    # 30 weights + BN's gamma and beta (5 each); running mean/var are buffers, not parameters.
    assert parameter_count(model) == 40


def test_parameter_count_rejects_bad_arguments():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        parameter_count([torch.zeros(3)])
    with pytest.raises(TypeError, match="trainable"):
        parameter_count(nn.Linear(2, 2), trainable="yes")
    with pytest.raises(ValueError, match="lazy"):
        parameter_count(nn.LazyLinear(3))


# ---------- activation_statistics


def hooks_left(model):
    return sum(len(m._forward_hooks) for m in model.modules())


def test_one_row_per_activation_layer_in_order():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 2), nn.Sigmoid())
    stats = activation_statistics(model, torch.randn(16, 8))
    assert list(stats.index) == [1, 2, 3] and stats.index.name == "layer"
    assert list(stats["name"]) == ["1", "3", "5"]
    assert list(stats["type"]) == ["Tanh", "ReLU", "Sigmoid"]
    assert list(stats.columns) == ["name", "type", "mean", "std", "zero_fraction", "saturated_fraction"]


def test_statistics_match_a_manual_computation():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(10, 50), nn.Tanh(), nn.Linear(50, 50), nn.ReLU(), nn.Linear(50, 20),
                          nn.Sigmoid())
    with torch.no_grad():
        model[0].weight.mul_(8)  # large weights: some tanh outputs saturate
        model[4].weight.mul_(30)
    x = torch.randn(64, 10)
    with torch.no_grad():
        a1 = model[1](model[0](x))
        a2 = model[3](model[2](a1))
        a3 = model[5](model[4](a2))
    stats = activation_statistics(model, x)
    for row, a in zip(stats.itertuples(), (a1, a2, a3)):
        assert row.mean == pytest.approx(a.mean().item(), abs=1e-6)
        assert row.std == pytest.approx(a.std().item(), rel=1e-5)
        assert row.zero_fraction == pytest.approx((a == 0).float().mean().item())
    assert stats.loc[1, "saturated_fraction"] == pytest.approx((a1.abs() > 0.99).float().mean().item())
    assert 0 < stats.loc[1, "saturated_fraction"] < 1
    assert math.isnan(stats.loc[2, "saturated_fraction"])  # ReLU does not saturate
    assert 0 < stats.loc[2, "zero_fraction"] < 1  # about half the ReLU outputs are exactly 0
    sigmoid_saturated = ((a3 > 0.99) | (a3 < 0.01)).float().mean().item()
    assert stats.loc[3, "saturated_fraction"] == pytest.approx(sigmoid_saturated)
    assert sigmoid_saturated > 0


def test_hooks_are_removed_after_the_call():
    model = mlp((5, 4, 4, 3))
    activation_statistics(model, torch.randn(2, 5))
    assert hooks_left(model) == 0
    model(torch.randn(2, 5))  # and the model still works


def test_hooks_are_removed_when_the_forward_pass_fails():
    model = mlp((5, 4, 4, 3))
    with pytest.raises(ValueError, match="x must be a batch that model accepts.*mat1 and mat2"):
        activation_statistics(model, torch.randn(2, 7))  # wrong input width
    assert hooks_left(model) == 0


def test_existing_hooks_are_left_alone():
    model = mlp((5, 4, 3))
    seen = []
    model[1].register_forward_hook(lambda m, i, o: seen.append(o.shape))
    activation_statistics(model, torch.randn(2, 5))
    assert hooks_left(model) == 1 and seen == [torch.Size([2, 4])]


def test_a_module_called_twice_gives_two_rows():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2, self.act = nn.Linear(3, 3), nn.Linear(3, 3), nn.ReLU()

        def forward(self, x):
            return self.act(self.fc2(self.act(self.fc1(x))))

    stats = activation_statistics(Twice(), torch.randn(4, 3))
    assert list(stats["name"]) == ["act", "act (call 2)"]


def test_linear_layers_give_pre_activations():
    torch.manual_seed(0)
    model = mlp((4, 3, 2))
    x = torch.randn(5, 4)
    stats = activation_statistics(model, x, layer_types=nn.Linear)
    assert list(stats["type"]) == ["Linear", "Linear"]
    assert stats.loc[1, "mean"] == pytest.approx(model[0](x).mean().item(), abs=1e-6)


def test_collapsed_signal_is_all_zeros():
    model = mlp((6, 5, 5, 2), activation=nn.ReLU)
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
    stats = activation_statistics(model, torch.randn(3, 6))
    assert (stats["zero_fraction"] == 1).all() and (stats["std"] == 0).all()


def test_no_autograd_graph_and_mode_unchanged():
    model = mlp((4, 3, 2))
    model.eval()
    activation_statistics(model, torch.randn(2, 4))
    assert not model.training
    assert all(p.grad is None for p in model.parameters())


def test_activation_statistics_rejects_bad_arguments():
    model = mlp((4, 3, 2))
    with pytest.raises(TypeError, match="model must be"):
        activation_statistics("net", torch.randn(2, 4))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        activation_statistics(model, [[0.0] * 4])
    with pytest.raises(TypeError, match="layer_types"):
        activation_statistics(model, torch.randn(2, 4), layer_types=("Tanh",))
    with pytest.raises(TypeError, match="layer_types"):
        activation_statistics(model, torch.randn(2, 4), layer_types=())
    with pytest.raises(ValueError, match="no layer of layer_types"):
        activation_statistics(model, torch.randn(2, 4), layer_types=nn.Conv2d)
    with pytest.raises(ValueError, match="saturation"):
        activation_statistics(model, torch.randn(2, 4), saturation=1.5)


def test_a_bare_activation_and_a_single_output():
    stats = activation_statistics(nn.Tanh(), torch.tensor([[3.0]]))  # the model itself is the layer
    assert list(stats["name"]) == ["Tanh"]
    assert stats.loc[1, "mean"] == pytest.approx(math.tanh(3.0)) and math.isnan(stats.loc[1, "std"])
    assert stats.loc[1, "saturated_fraction"] == 1.0


# ---------- bad input found by test_bad_input_modules.py (each failed before the checks went through _checks)


@pytest.mark.parametrize("x", [torch.tensor(1.5), torch.ones(2, 4, dtype=torch.int64), torch.ones(2, 4, 3)])
def test_an_x_the_model_cannot_take_names_x(x):
    model = mlp((4, 3, 2))
    with pytest.raises(ValueError, match="x must be a batch that model accepts") as info:
        activation_statistics(model, x)  # was torch's RuntimeError from inside the model
    assert isinstance(info.value.__cause__, RuntimeError) and hooks_left(model) == 0


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="x must not be empty"):
        activation_statistics(mlp((4, 3, 2)), torch.empty(0, 4))  # silently gave a row of nan


def test_the_model_s_own_errors_pass_unchanged():
    class Refuses(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.Tanh()

        def forward(self, x):
            raise KeyError("my own error")

    with pytest.raises(KeyError, match="my own error"):
        activation_statistics(Refuses(), torch.randn(2, 3))


@pytest.mark.parametrize("saturation, error", [(True, TypeError), ("0.9", TypeError), (float("nan"), ValueError),
                                               (0.5, ValueError)])
def test_saturation_is_a_number_in_the_open_interval(saturation, error):
    with pytest.raises(error, match="saturation must be a"):
        activation_statistics(mlp((4, 3, 2)), torch.randn(2, 4), saturation=saturation)


def test_model_given_as_a_class_says_to_create_an_instance():
    with pytest.raises(TypeError, match="create an instance"):
        parameter_count(nn.Linear)


def test_a_layer_that_returns_a_tuple_is_named():
    model = nn.Sequential(nn.LSTM(3, 2, batch_first=True))
    with pytest.raises(TypeError, match="layer_types must select layers that return tensors, but layer '0' returned"):
        activation_statistics(model, torch.randn(2, 4, 3), layer_types=nn.LSTM)
    assert hooks_left(model) == 0
