import math
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from dlnotes import (ArrayDataset, Callback, History, ModelCheckpoint, TensorLoader, accuracy, evaluate, fit, mae,
                     mse, predict, seed_everything)

matplotlib.use("Agg")
CPU = torch.device("cpu")




def data(n=96, features=5, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, features, generator=g)
    y = (x[:, :classes] + 0.3 * torch.randn(n, classes, generator=g)).argmax(dim=1)  # (n,) in [0, classes)
    return x, y


def model(features=5, classes=3, dropout=0.0):
    return nn.Sequential(nn.Linear(features, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, classes))


def setup(seed=0, dropout=0.0, shuffle=False, lr=0.1):
    seed_everything(seed)
    x, y = data()
    net = model(dropout=dropout)
    train = TensorLoader(x[:64], y[:64], batch_size=16, shuffle=shuffle)
    val = TensorLoader(x[64:], y[64:], batch_size=32)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    return net, train, val, opt


def run(net, train, val, opt, **kwargs):
    kwargs = {"loss": nn.CrossEntropyLoss(), "epochs": 3, "device": CPU, **kwargs}
    return fit(net, train, val, optimizer=opt, **kwargs)


def test_fit_records_history_and_learns():
    net, train, val, opt = setup()
    history = run(net, train, val, opt, epochs=5, metrics={"accuracy": accuracy})
    assert isinstance(history, History) and len(history) == 5
    assert list(history.history) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert history.history["epoch"] == [1, 2, 3, 4, 5] and history.history["lr"] == [0.1] * 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(isinstance(v, float) and 0 <= v <= 1 for v in history.history["val_accuracy"])
    assert history.diverged_at is None
    frame = history.to_frame()
    assert frame.index.name == "epoch" and list(frame.index) == [1, 2, 3, 4, 5]
    ax = history.plot(("loss", "accuracy"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "train loss", "val loss", "train accuracy", "val accuracy"]
    with pytest.raises(ValueError, match="keys"):
        history.plot("f1")
    again = History.from_dict(history.to_dict())
    assert again.history == history.history and again.history is not history.history


def test_tensor_loader_and_dataloader_give_the_same_fit():
    x, y = data()
    results = []
    for make in (lambda: TensorLoader(x, y, batch_size=10),
                 lambda: DataLoader(ArrayDataset(x, y), batch_size=10, shuffle=False)):
        seed_everything(1)
        net = model()
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        history = fit(net, make(), make(), loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=3, device=CPU,
                      metrics={"accuracy": accuracy})
        results.append((net.state_dict(), history.history))
    (w1, h1), (w2, h2) = results
    assert all(torch.equal(w1[k], w2[k]) for k in w1)
    assert h1["loss"] == h2["loss"] and h1["val_accuracy"] == h2["val_accuracy"]


@pytest.mark.parametrize("kind", ["tensor_loader", "dataloader"])
def test_resume_equals_an_uninterrupted_run(tmp_path, kind):
    def build(seed):
        seed_everything(seed)
        x, y = data()
        net = model(dropout=0.2)  # dropout draws from the global RNG: resume must restore it
        if kind == "tensor_loader":
            train = TensorLoader(x[:64], y[:64], batch_size=16, shuffle=True)
        else:
            train = DataLoader(ArrayDataset(x[:64], y[:64]), batch_size=16, shuffle=True)
        opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        val = TensorLoader(x[64:], y[64:], batch_size=32)
        return net, train, val, opt, sched

    net, train, val, opt, sched = build(0)
    full = run(net, train, val, opt, scheduler=sched, epochs=6)

    path = tmp_path / "ckpt.pt"
    net1, train1, val1, opt1, sched1 = build(0)
    run(net1, train1, val1, opt1, scheduler=sched1, epochs=3, callbacks=[ModelCheckpoint(path)])
    net2, train2, val2, opt2, sched2 = build(99)  # different initial weights and RNG: all must be overwritten
    resumed = run(net2, train2, val2, opt2, scheduler=sched2, epochs=6, resume_from=path)

    assert all(torch.equal(v, net2.state_dict()[k]) for k, v in net.state_dict().items())
    assert resumed.history["loss"] == full.history["loss"]
    assert resumed.history["val_loss"] == full.history["val_loss"]
    assert resumed.history["lr"] == full.history["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert resumed.history["epoch"] == [1, 2, 3, 4, 5, 6]


def test_resume_rejects_bad_files_and_epochs(tmp_path):
    path = tmp_path / "ckpt.pt"
    net, train, val, opt = setup()
    run(net, train, val, opt, epochs=3, callbacks=[ModelCheckpoint(path)])
    with pytest.raises(ValueError, match="epochs=2"):
        run(net, train, val, opt, epochs=2, resume_from=path)
    assert len(run(net, train, val, opt, epochs=3, resume_from=path)) == 3  # nothing left to do
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
    with pytest.raises(ValueError, match="scheduler"):
        run(net, train, val, opt, epochs=4, scheduler=sched, resume_from=path)
    with pytest.raises(FileNotFoundError, match="resume_from"):
        run(net, train, val, opt, resume_from=tmp_path / "missing.pt")
    torch.save({"model": {}}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="resume_from.*lacks"):
        run(net, train, val, opt, resume_from=tmp_path / "other.pt")


class NanAt(nn.Module):
    """Cross-entropy that turns nan at one scripted call, to know exactly where divergence starts."""

    def __init__(self, call):
        super().__init__()
        self.call, self.calls, self.inner = call, 0, nn.CrossEntropyLoss()

    def forward(self, out, y):
        self.calls += 1
        loss = self.inner(out, y)
        return loss * float("nan") if self.calls == self.call else loss


def test_nonfinite_loss_names_epoch_and_batch():
    net, train, val, opt = setup()
    # Per epoch, 4 train batches then 1 val batch use the same loss: call 8 is epoch 2, batch 3.
    loss = NanAt(call=4 + 1 + 3)
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch 2, batch 3 of 4: .*learning rate"):
        run(net, train, val, opt, loss=loss)


def test_huge_learning_rate_raises_floating_point_error():
    x = torch.randn(64, 5)
    y = x @ torch.full((5, 1), 100.0)
    net = nn.Linear(5, 1)
    opt = torch.optim.SGD(net.parameters(), lr=1e6)
    with pytest.raises(FloatingPointError, match=r"loss became (nan|inf) at epoch \d+, batch \d+ of 4.*clip_grad_norm"):
        fit(net, TensorLoader(x, y, batch_size=16), loss=nn.MSELoss(), optimizer=opt, epochs=20, device=CPU)


def test_record_mode_keeps_the_nan_and_stops():
    net, train, val, opt = setup()
    with pytest.warns(RuntimeWarning, match="epoch 2, batch 3 of 4"):
        history = run(net, train, val, opt, loss=NanAt(call=8), epochs=5, on_nonfinite="record")
    assert len(history) == 2 and math.isnan(history.history["loss"][-1])
    assert history.diverged_at == 2


class Recorder(Callback):
    def __init__(self, stop_at=None):
        self.calls, self.stop_at = [], stop_at

    def on_fit_start(self, trainer):
        self.calls.append("fit_start")

    def on_epoch_start(self, trainer, epoch):
        self.calls.append(f"epoch_start {epoch}")

    def on_batch_end(self, trainer, epoch, batch, loss):
        assert loss.dim() == 0 and not loss.requires_grad
        self.calls.append(f"batch {epoch}.{batch}")

    def on_epoch_end(self, trainer, epoch, logs):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")
        if epoch == self.stop_at:
            trainer.stop_training = True

    def on_fit_end(self, trainer):
        self.calls.append("fit_end")


def test_callback_hooks_order_and_stop_training():
    net, train, val, opt = setup()
    recorder = Recorder(stop_at=2)
    history = run(net, train, None, opt, epochs=5, callbacks=[recorder])
    assert len(history) == 2
    keys = "['loss', 'lr', 'time']"
    assert recorder.calls == ["fit_start", "epoch_start 1", "batch 1.1", "batch 1.2", "batch 1.3", "batch 1.4",
                              f"epoch_end 1 {keys}", "epoch_start 2", "batch 2.1", "batch 2.2", "batch 2.3",
                              "batch 2.4", f"epoch_end 2 {keys}", "fit_end"]


def test_train_and_eval_modes_and_mode_is_restored():
    modes = []

    class Spy(nn.Module):
        def forward(self, x):
            modes.append(self.training)
            return x

    net, train, val, opt = setup()
    net.append(Spy())
    net.eval()
    run(net, train, val, opt, epochs=1)
    assert modes == [True] * 4 + [False] and not net.training


def test_one_host_sync_per_epoch(monkeypatch):
    counts = {"item": 0, "tolist": 0}
    item, tolist = torch.Tensor.item, torch.Tensor.tolist

    def counting(name, fn):
        def wrapper(self, *args):
            counts[name] += 1
            return fn(self, *args)
        return wrapper

    net, train, val, opt = setup()
    monkeypatch.setattr(torch.Tensor, "item", counting("item", item))
    monkeypatch.setattr(torch.Tensor, "tolist", counting("tolist", tolist))
    run(net, train, val, opt, epochs=4, metrics={"accuracy": accuracy})
    # one read-back per epoch, plus the label-range check of the first train and first val batch
    assert counts == {"item": 0, "tolist": 4 + 2}


def test_schedulers_and_clipping():
    net, train, val, opt = setup()
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5, threshold=10.0)
    history = run(net, train, val, opt, epochs=3, scheduler=plateau, clip_grad_norm=1.0)
    assert history.history["lr"] == [0.1, 0.05, 0.025]  # threshold=10: never "improves"


def test_evaluate_and_predict():
    net, train, val, opt = setup()
    run(net, train, val, opt, epochs=2)
    x, y = data()
    with torch.no_grad():
        net.eval()
        out = net(x[64:])
    result = evaluate(net, val, loss=nn.CrossEntropyLoss(), metrics={"accuracy": accuracy})
    assert result["loss"] == pytest.approx(nn.functional.cross_entropy(out, y[64:]).item(), rel=1e-5)
    assert result["accuracy"] == pytest.approx(accuracy(out, y[64:]).item())
    assert torch.allclose(predict(net, x[64:], batch_size=5), out)
    assert torch.allclose(predict(net, val), out)
    assert torch.allclose(predict(net, x[64:].numpy()), out)
    assert predict(net, x).device == CPU and predict(net, x).shape == (96, 3)


def test_metrics():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1, 1])).item() == 0.75
    assert accuracy(logits, torch.tensor([0, 1, 1, 1])).dtype == torch.float32
    pred, y = torch.tensor([1.0, 2.0, 4.0]), torch.tensor([1.0, 3.0, 2.0])
    assert mae(pred, y).item() == 1.0 and mse(pred, y).item() == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match=r"pred has shape \(3, 1\) but y has shape \(3,\)"):
        mse(pred[:, None], y)
    with pytest.raises(ValueError, match="logits"):
        accuracy(pred, y)
    with pytest.raises(ValueError, match="y must"):
        accuracy(logits, torch.tensor([0, 1]))


def test_metrics_are_weighted_by_batch_size():
    x = torch.zeros(5, 2)
    y = torch.tensor([0, 0, 0, 1, 1])  # batches [0, 0, 0, 1] and [1]: accuracy of an always-0 model is 3/5
    net = nn.Linear(2, 2)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.copy_(torch.tensor([1.0, 0.0]))
    result = evaluate(net, TensorLoader(x, y, batch_size=4), metrics={"accuracy": accuracy})
    assert result["accuracy"] == pytest.approx(0.6)


def bad(**changes):
    """fit arguments with one change, for the validation tests."""
    net, train, val, opt = setup()
    kwargs = {"model": net, "train": train, "val": val, "loss": nn.CrossEntropyLoss(), "optimizer": opt,
              "epochs": 1, "device": CPU}
    kwargs.update(changes)
    return kwargs


x_, y_ = data()
other_model = model()


@pytest.mark.parametrize("changes, error, match", [
    ({"model": "net"}, TypeError, "model"),
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 2.5}, TypeError, "epochs"),
    ({"epochs": True}, TypeError, "epochs"),
    ({"loss": "cross_entropy"}, TypeError, "loss"),
    ({"optimizer": "sgd"}, TypeError, "optimizer"),
    ({"optimizer": torch.optim.SGD(other_model.parameters(), lr=0.1)}, ValueError, "optimizer.*model"),
    ({"metrics": [accuracy]}, TypeError, "metrics"),
    ({"metrics": {"val_acc": accuracy}}, ValueError, "metrics"),
    ({"metrics": {"acc": 3}}, TypeError, "metrics"),
    ({"callbacks": Recorder()}, TypeError, "callbacks"),
    ({"callbacks": [print]}, TypeError, "callbacks"),
    ({"scheduler": "step"}, TypeError, "scheduler"),
    ({"scheduler": torch.optim.lr_scheduler.StepLR(torch.optim.SGD(other_model.parameters(), lr=1), 1)},
     ValueError, "scheduler"),
    ({"clip_grad_norm": 0}, ValueError, "clip_grad_norm"),
    ({"on_nonfinite": "ignore"}, ValueError, "on_nonfinite"),
    ({"train": []}, ValueError, "train is empty"),
    ({"train": iter([])}, ValueError, "train is empty"),
    ({"train": x_}, TypeError, "train"),
    ({"train": ArrayDataset(x_, y_)}, TypeError, "train.*DataLoader"),
    ({"val": []}, ValueError, "val is empty"),
    ({"train": [(x_, y_, y_)]}, ValueError, r"train must yield \(x, y\) pairs"),
    ({"train": TensorLoader(x_, y_ + 1)}, ValueError, r"train labels must be in \[0, 3\).*from 1 to 3"),
    ({"train": TensorLoader(x_, y_ - 1)}, ValueError, r"train labels must be in \[0, 3\)"),
    ({"val": TensorLoader(x_, y_ * 2)}, ValueError, r"val labels must be in \[0, 3\)"),
    ({"train": [(x_[:8], y_[:4])]}, ValueError, r"shape \(8, 3\).*train targets have shape \(4,\)"),
    ({"train": TensorLoader(x_.double(), y_)}, ValueError, "train inputs are torch.float64"),
    ({"loss": nn.MSELoss(), "train": TensorLoader(x_, y_.float()), "val": None}, ValueError, "broadcast"),
    ({"loss": nn.CrossEntropyLoss(reduction="none")}, ValueError, "loss has reduction='none'"),
    ({"scheduler": "plateau", "val": None}, ValueError, "val"),
    ({"resume_from": 3}, TypeError, "resume_from"),
])
def test_fit_rejects_bad_input(changes, error, match):
    kwargs = bad(**changes)
    if kwargs.get("scheduler") == "plateau":
        kwargs["scheduler"] = torch.optim.lr_scheduler.ReduceLROnPlateau(kwargs["optimizer"])
    with pytest.raises(error, match=match):
        fit(**kwargs)


def test_evaluate_and_predict_reject_bad_input():
    net, train, val, _ = setup()
    with pytest.raises(ValueError, match="loss, metrics"):
        evaluate(net, val)
    with pytest.raises(TypeError, match="loss"):
        evaluate(net, val, loss="mse")
    with pytest.raises(TypeError, match="data"):
        evaluate(net, x_, loss=nn.CrossEntropyLoss())
    with pytest.raises(ValueError, match="batch_size"):
        predict(net, x_, batch_size=0)
    with pytest.raises(ValueError, match="data_or_tensor"):
        predict(net, torch.zeros(0, 5))
    with pytest.raises(ValueError, match="data_or_tensor"):
        predict(net, [])


def test_no_warnings_in_a_plain_fit():
    net, train, val, opt = setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(net, train, val, opt, epochs=1, metrics={"accuracy": accuracy})


def test_arraydataset_float64_numpy_needs_conversion():
    x, y = data()
    loader = DataLoader(ArrayDataset(x.numpy().astype(np.float64), y.numpy()), batch_size=16)
    net, _, _, opt = setup()
    with pytest.raises(ValueError, match=r"train inputs are torch.float64.*\.float\(\)"):
        fit(net, loader, loss=nn.CrossEntropyLoss(), optimizer=opt, epochs=1, device=CPU)


def test_fit_adds_one_progress_bar_unless_asked_not_to(monkeypatch):
    import dlnotes.training as training
    seen = []
    monkeypatch.setattr(training.ProgressBar, "on_fit_start", lambda self, trainer: seen.append(self))
    monkeypatch.setattr(training.ProgressBar, "on_epoch_end", lambda *a: None)
    x, y = torch.randn(8, 3), torch.randint(0, 2, (8,))
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    run = lambda **kw: training.fit(model, training_loader(x, y), loss=torch.nn.CrossEntropyLoss(),  # noqa: E731
                                    optimizer=opt, epochs=1, device="cpu", **kw)
    run()
    run(progress=False)
    mine = training.ProgressBar(disable=True)
    run(callbacks=[mine])
    assert len(seen) == 2 and seen[1] is mine
    with pytest.raises(TypeError, match="progress"):
        run(progress="yes")


def training_loader(x, y):
    from dlnotes import TensorLoader
    return TensorLoader(x, y, batch_size=4)
