"""Several inputs and several outputs through TensorLoader, fit, evaluate and predict."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import dlnotes


class TwoInTwoOut(nn.Module):
    """forward(wide, deep) -> {"price": (B,), "kind": (B, 3)}."""

    def __init__(self):
        super().__init__()
        self.wide = nn.Linear(4, 1)
        self.deep = nn.Sequential(nn.Linear(3, 8), nn.ReLU())
        self.price = nn.Linear(8, 1)
        self.kind = nn.Linear(8, 3)

    def forward(self, wide, deep):
        h = self.deep(deep)                                                   # (B, 8)
        return {"price": (self.wide(wide) + self.price(h)).squeeze(1),       # (B,)
                "kind": self.kind(h)}                                         # (B, 3)


def data(n=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    wide, deep = torch.randn(n, 4, generator=g), torch.randn(n, 3, generator=g)
    return wide, deep, {"price": torch.randn(n, generator=g), "kind": torch.randint(0, 3, (n,), generator=g)}


LOSS = {"price": nn.MSELoss(), "kind": nn.CrossEntropyLoss()}
METRICS = {"price": {"mae": dlnotes.mae}, "kind": {"accuracy": dlnotes.accuracy}}


def model(seed=0):
    torch.manual_seed(seed)
    return TwoInTwoOut()


def test_the_loader_yields_the_structure_it_was_given():
    wide, deep, y = data(10)
    loader = dlnotes.TensorLoader((wide, deep), y, batch_size=4)
    (w, d), target = next(iter(loader))
    assert torch.equal(w, wide[:4]) and torch.equal(d, deep[:4]) and set(target) == {"price", "kind"}
    named = dlnotes.TensorLoader({"wide": wide, "deep": deep}, y, batch_size=4, shuffle=True,
                                 generator=torch.Generator().manual_seed(0))
    x, target = next(iter(named))
    rows = [int((wide == row).all(1).nonzero()) for row in x["wide"]]  # the same rows in every tensor
    assert torch.equal(x["deep"], deep[rows]) and torch.equal(target["price"], y["price"][rows])
    assert len(named.to("cpu")) == 3


def test_fit_minimises_the_weighted_sum_and_logs_each_output():
    wide, deep, y = data()
    train = dlnotes.TensorLoader((wide, deep), y, batch_size=16)
    net = model()
    history = dlnotes.fit(net, train, train, loss=LOSS, loss_weights={"kind": 0.5}, metrics=METRICS,
                          optimizer=torch.optim.SGD(net.parameters(), lr=0.05), epochs=2, progress=False,
                          device="cpu")
    logs = history.to_frame()
    for key in ("loss", "price_loss", "kind_loss", "price_mae", "kind_accuracy"):
        assert key in logs and f"val_{key}" in logs
    row = logs.iloc[-1]
    assert row["val_loss"] == pytest.approx(row["val_price_loss"] + 0.5 * row["val_kind_loss"], rel=1e-5)
    # The same numbers by hand, from the trained model on all the data at once.
    with torch.no_grad():
        out = net(wide, deep)
    assert row["val_price_loss"] == pytest.approx(F.mse_loss(out["price"], y["price"]).item(), rel=1e-5)
    assert row["val_kind_accuracy"] == pytest.approx(dlnotes.accuracy(out["kind"], y["kind"]).item(), rel=1e-6)


def test_the_weighted_sum_is_what_the_optimizer_minimises():
    wide, deep, y = data(16)
    net, twin = model(), model()
    dlnotes.fit(net, dlnotes.TensorLoader((wide, deep), y, batch_size=16), loss=LOSS,
                loss_weights={"price": 2.0, "kind": 0.25}, optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
                epochs=1, progress=False, device="cpu")
    opt = torch.optim.SGD(twin.parameters(), lr=0.1)
    out = twin(wide, deep)
    (2.0 * F.mse_loss(out["price"], y["price"]) + 0.25 * F.cross_entropy(out["kind"], y["kind"])).backward()
    opt.step()
    for a, b in zip(net.parameters(), twin.parameters()):
        torch.testing.assert_close(a, b)


def test_dict_inputs_are_keyword_arguments_and_evaluate_and_predict_follow():
    wide, deep, y = data()
    loader = dlnotes.TensorLoader({"deep": deep, "wide": wide}, y, batch_size=20)
    net = model()
    scores = dlnotes.evaluate(net, loader, loss=LOSS, metrics=METRICS)
    assert list(scores) == ["loss", "price_loss", "kind_loss", "price_mae", "kind_accuracy"]
    out = dlnotes.predict(net, loader)
    assert set(out) == {"price", "kind"} and out["kind"].shape == (64, 3)
    torch.testing.assert_close(out["price"], net(wide, deep)["price"].detach())
    assert dlnotes.evaluate(net, loader, metrics=METRICS)["price_mae"] == pytest.approx(scores["price_mae"])


@pytest.mark.parametrize("change, error, words", [
    (dict(loss={"price": nn.MSELoss()}, metrics=None), ValueError, r"missing \[\].*not in loss \['kind'\]"),
    (dict(loss={"price": nn.MSELoss()}), ValueError, r"metrics names outputs \['kind'\]"),
    (dict(loss={**LOSS, "extra": nn.MSELoss()}), ValueError, r"missing \['extra'\]"),
    (dict(loss_weights={"prize": 1.0}), ValueError, r"loss_weights names outputs \['prize'\]"),
    (dict(loss_weights={"price": -1.0}), ValueError, r"loss_weights\['price'\]"),
    (dict(metrics={"price": dlnotes.mae}), TypeError, "metrics must be a dict of output name"),
    (dict(metrics={"cost": {"mae": dlnotes.mae}}), ValueError, r"metrics names outputs \['cost'\]"),
    (dict(loss=nn.MSELoss(), loss_weights={"price": 1.0}), ValueError, "loss_weights is for a model with several"),
])
def test_mismatched_names_are_errors_that_say_what_differs(change, error, words):
    wide, deep, y = data()
    net = model()
    kwargs = dict(loss=LOSS, metrics=METRICS, optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=1,
                  progress=False, device="cpu") | change
    with pytest.raises(error, match=words):
        dlnotes.fit(net, dlnotes.TensorLoader((wide, deep), y, batch_size=16), **kwargs)


def test_a_target_shape_that_would_broadcast_is_named_by_output():
    wide, deep, y = data()
    y = {**y, "price": y["price"].unsqueeze(1)}  # (B, 1) against the model's (B,)
    net = model()
    with pytest.raises(ValueError, match=r"train\['price'\] targets have shape \(16, 1\)"):
        dlnotes.fit(net, dlnotes.TensorLoader((wide, deep), y, batch_size=16), loss=LOSS,
                    optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=1, progress=False, device="cpu")


def test_inputs_a_forward_does_not_take_are_named():
    wide, deep, y = data()
    net = model()
    with pytest.raises(ValueError, match=r"model\(\*\*x\)"):
        dlnotes.fit(net, dlnotes.TensorLoader({"wide": wide, "dep": deep}, y, batch_size=16), loss=LOSS,
                    optimizer=torch.optim.SGD(net.parameters(), lr=0.1), epochs=1, progress=False, device="cpu")


def test_ragged_inputs_are_refused():
    wide, deep, y = data()
    with pytest.raises(ValueError, match="same first dimension"):
        dlnotes.TensorLoader((wide, deep[:10]), y)
