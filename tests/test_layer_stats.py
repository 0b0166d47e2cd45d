"""dlnotes.LayerStats and dlnotes.gradient_norms: what they record matches a direct computation."""
import pytest
import torch
from torch import nn

import dlnotes


def data(n=96, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 5, generator=g), torch.randint(0, 3, (n,), generator=g)


def net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))


def test_gradient_norms_equal_a_direct_backward_and_leave_grads_alone():
    x, y = data()
    model = net()
    model[0].weight.grad = torch.full_like(model[0].weight, 7.0)  # in the middle of training
    table = dlnotes.gradient_norms(model, x, y)
    assert (model[0].weight.grad == 7.0).all() and model[2].weight.grad is None

    direct = net()
    nn.CrossEntropyLoss()(direct(x), y).backward()
    expected = [direct[i].weight.grad.norm().item() for i in (0, 2, 4)]
    assert table["grad_norm"].tolist() == pytest.approx(expected, rel=1e-6)
    assert table["name"].tolist() == ["0", "2", "4"] and table.index.tolist() == [1, 2, 3]
    assert table["weight_norm"].tolist() == pytest.approx([direct[i].weight.norm().item() for i in (0, 2, 4)])


def test_layer_stats_records_what_a_hand_loop_sees():
    x, y = data()
    stats = dlnotes.LayerStats(every=2)
    model = net()
    dlnotes.fit(model, dlnotes.TensorLoader(x, y, batch_size=32), dlnotes.TensorLoader(x, y, batch_size=48),
                loss=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=2,
                callbacks=[stats], progress=False, device="cpu", clip_grad_norm=0.5)
    table = stats.stats_
    assert list(table.columns) == dlnotes.LayerStats.COLUMNS
    # 3 batches an epoch, 6 in all: steps 1, 3, 5 recorded, 3 layers each; validation batches never.
    assert table["step"].tolist() == [1] * 3 + [3] * 3 + [5] * 3
    assert table["epoch"].tolist() == [1] * 6 + [2] * 3 and table["batch"].tolist() == [1] * 3 + [3] * 3 + [2] * 3

    # The same first batch by hand: same model, same data, same clipping.
    hand = net()
    xb, yb = x[:32], y[:32]
    inputs = {}
    def keep(i):
        def hook(module, inp, out):
            inputs[i] = (inp[0], out)  # returns None: the output is left as it is
        return hook
    handles = [hand[i].register_forward_hook(keep(i)) for i in (0, 2, 4)]
    nn.CrossEntropyLoss()(hand(xb), yb).backward()
    for h in handles:
        h.remove()
    nn.utils.clip_grad_norm_(hand.parameters(), 0.5)
    first = table[table["step"] == 1]
    assert first["grad_norm"].tolist() == pytest.approx([hand[i].weight.grad.norm().item() for i in (0, 2, 4)],
                                                        rel=1e-5)
    assert first["input_std"].tolist() == pytest.approx([inputs[i][0].std().item() for i in (0, 2, 4)], rel=1e-5)
    assert first["output_mean"].tolist() == pytest.approx([inputs[i][1].mean().item() for i in (0, 2, 4)],
                                                          rel=1e-4, abs=1e-7)
    # Hooks are gone after fit: a later forward pass records nothing.
    model(x)
    assert len(stats.stats_) == 9 and not any(m._forward_hooks for m in model.modules())


def test_layer_stats_refuses_a_model_without_such_layers():
    x, y = data()
    model = nn.Sequential(nn.Linear(5, 3))
    with pytest.raises(ValueError, match="layer_types"):
        dlnotes.fit(model, dlnotes.TensorLoader(x, y, batch_size=32),
                    loss=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                    epochs=1, callbacks=[dlnotes.LayerStats(layer_types=nn.Conv2d)], progress=False, device="cpu")
