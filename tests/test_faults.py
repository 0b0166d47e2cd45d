"""The engine under bad input and faults: each case here once gave a silent wrong result, a crash, or an
error that did not say what to fix. Every test failed before its fix."""
import functools
import io
import random
import warnings
import zipfile

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from dlnotes import (ArrayDataset, Callback, CheckpointError, EarlyStopping, ModelCheckpoint, TensorBoard,
                     TensorLoader, accuracy, evaluate, fit, predict, seed_everything)
from dlnotes.callbacks import direction
from dlnotes.checkpoints import load_checkpoint

CPU = torch.device("cpu")


def data(n=96, features=5, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, features, generator=g)
    y = (x[:, :classes] + 0.3 * torch.randn(n, classes, generator=g)).argmax(dim=1)
    return x, y


def classifier(features=5, classes=3):
    return nn.Sequential(nn.Linear(features, 16), nn.ReLU(), nn.Linear(16, classes))


def regression(n=64):
    seed_everything(0)
    x = torch.randn(n, 4)
    y = x.sum(dim=1)  # (n,)
    net = nn.Linear(4, 1)  # (B, 1) output: the classic trap against (B,) targets
    return net, TensorLoader(x, y, batch_size=16), torch.optim.SGD(net.parameters(), lr=0.01)


def quick_fit(net=None, train=None, val=None, opt=None, **kwargs):
    seed_everything(0)
    if net is None:
        x, y = data()
        net = classifier()
        train = TensorLoader(x[:64], y[:64], batch_size=16)
        val = TensorLoader(x[64:], y[64:], batch_size=32) if val is None else val
    opt = opt or torch.optim.SGD(net.parameters(), lr=0.1)
    kwargs = {"loss": nn.CrossEntropyLoss(), "epochs": 2, "device": CPU, "progress": False, **kwargs}
    return fit(net, train, val, optimizer=opt, **kwargs)


# ---------------------------------------------------------------- silent wrong results

@pytest.mark.parametrize("loss", [nn.MSELoss(reduction="sum"), nn.MSELoss(reduction="none"),
                                  functools.partial(F.mse_loss, reduction="sum")])
def test_sum_and_none_reductions_are_refused(loss):
    seed_everything(0)
    net = nn.Linear(4, 1)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    with pytest.raises(ValueError, match="loss has reduction='(sum|none)'.*reduction='mean'"):
        fit(net, TensorLoader(x, y, batch_size=16), loss=loss, epochs=1, progress=False, device=CPU,
            optimizer=torch.optim.SGD(net.parameters(), lr=0.01))
    with pytest.raises(ValueError, match="loss has reduction"):
        evaluate(net, TensorLoader(x, y, batch_size=16), loss=loss)


def test_a_loss_returning_many_numbers_is_refused_by_evaluate_too():
    net = nn.Linear(4, 1)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    with pytest.raises(ValueError, match="loss must return a scalar"):
        evaluate(net, TensorLoader(x, y, batch_size=16), loss=lambda out, t: (out - t) ** 2)


def test_mean_reductions_are_accepted_and_logged_as_the_per_sample_mean():
    net, train, opt = regression()
    history = fit(net, TensorLoader(*train.tensors[:1], train.tensors[1].unsqueeze(1), batch_size=16),
                  loss=nn.MSELoss(), optimizer=opt, epochs=1, device=CPU, progress=False)
    assert history.history["loss"][0] > 0
    log_probs = torch.log_softmax(torch.randn(8, 3), dim=1)
    target = torch.softmax(torch.randn(8, 3), dim=1)
    result = evaluate(nn.LogSoftmax(dim=1), TensorLoader(log_probs, target, batch_size=4),
                      loss=nn.KLDivLoss(reduction="batchmean"))
    assert result["loss"] >= 0


@pytest.mark.parametrize("loss", [F.mse_loss, lambda out, y: ((out - y) ** 2).mean(), nn.PoissonNLLLoss(),
                                  nn.KLDivLoss(reduction="batchmean"), nn.MSELoss()],
                         ids=["F.mse_loss", "lambda", "PoissonNLLLoss", "KLDivLoss", "MSELoss"])
def test_a_broadcast_is_refused_whatever_the_loss(loss):
    net, train, opt = regression()
    with pytest.raises(ValueError, match=r"output has shape \(16, 1\) but train targets have shape \(16,\)"):
        fit(net, train, loss=loss, optimizer=opt, epochs=1, device=CPU, progress=False)


@pytest.mark.parametrize("key, mode", [("val_auc", "max"), ("val_f1", "max"), ("val_r2", "max"),
                                       ("val_precision", "max"), ("val_balanced_accuracy", "max"),
                                       ("val_loss", "min"), ("mae", "min"), ("val_mape", "min")])
def test_auto_mode_knows_which_way_metrics_go(key, mode):
    assert direction(key) == mode
    assert EarlyStopping(monitor=key).mode == mode


def test_plateau_scheduler_in_max_mode_steps_on_the_metric_that_grows():
    seed_everything(0)
    x, y = data()
    net = classifier()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=0)
    kwargs = dict(net=net, train=TensorLoader(x[:64], y[:64], batch_size=16), opt=opt, scheduler=plateau,
                  metrics={"accuracy": accuracy}, val=TensorLoader(x[64:], y[64:], batch_size=32))
    with pytest.raises(ValueError, match="mode='max'.*scheduler_monitor='val_accuracy'"):
        quick_fit(**kwargs)
    with pytest.raises(ValueError, match="scheduler_monitor='val_loss' should shrink.*mode='max'"):
        quick_fit(**kwargs, scheduler_monitor="val_loss")
    history = quick_fit(**kwargs, scheduler_monitor="val_accuracy", epochs=6)
    accuracies, rates = history.history["val_accuracy"], history.history["lr"]
    for before, after, rate, next_rate in zip(accuracies, accuracies[1:], rates[1:], rates[2:]):
        assert (next_rate < rate) == (after <= before)  # halved exactly when accuracy stopped growing


class NanValInputs:
    """A val loader whose inputs hold a nan from its second pass on (one bad sensor reading)."""

    def __init__(self, x, y):
        self.x, self.y, self.passes = x, y, 0

    def __len__(self):
        return 1

    def __iter__(self):
        self.passes += 1
        x = self.x.clone()
        if self.passes >= 2:
            x[0, 0] = float("nan")
        yield x, self.y


def test_nonfinite_val_loss_raises_and_never_overwrites_the_checkpoint(tmp_path):
    x, y = data()
    path = tmp_path / "model.pt"
    with pytest.raises(FloatingPointError, match="val_loss became nan at epoch 2 while the training loss was finite"):
        quick_fit(val=NanValInputs(x[64:], y[64:]), epochs=3, callbacks=[ModelCheckpoint(path)])
    assert load_checkpoint(path)["epoch"] == 1
    with pytest.warns(RuntimeWarning, match="val_loss became nan"):
        history = quick_fit(val=NanValInputs(x[64:], y[64:]), epochs=3, callbacks=[ModelCheckpoint(path)],
                            on_nonfinite="record")
    assert len(history) == 2 and load_checkpoint(path)["epoch"] == 1


class CountBatches(Callback):
    def __init__(self):
        self.batches = 0

    def on_batch_end(self, trainer, epoch, batch, loss):
        self.batches += 1


def test_a_loss_that_turns_nan_stops_the_epoch_at_once():
    calls = {"n": 0}

    def nan_at_third(out, y):
        calls["n"] += 1
        loss = F.cross_entropy(out, y)
        return loss * float("nan") if calls["n"] == 3 else loss

    seed_everything(0)
    x, y = data()
    counter = CountBatches()
    with pytest.warns(RuntimeWarning):
        quick_fit(train=TensorLoader(x, y, batch_size=8), net=classifier(), loss=nan_at_third, epochs=1,
                  callbacks=[counter], on_nonfinite="record")
    assert counter.batches == 3  # of 12: nothing trained on nan weights


class NoisyModel(nn.Module):
    """Augmentation inside the model from three sources: the user's generator, NumPy and Python's random."""

    def __init__(self, generator):
        super().__init__()
        self.net, self.generator = classifier(), generator

    def forward(self, x):
        if self.training:
            x = x + 0.1 * torch.randn(x.shape, generator=self.generator)
            x = x * float(np.random.uniform(0.9, 1.1)) + random.gauss(0, 0.05)
        return self.net(x)


def test_resume_is_exact_with_user_numpy_and_python_generators(tmp_path):
    x, y = data()

    def build(seed):
        seed_everything(seed)
        order, noise = torch.Generator().manual_seed(seed + 1), torch.Generator().manual_seed(seed + 2)
        net = NoisyModel(noise)
        train = DataLoader(ArrayDataset(x[:64], y[:64]), batch_size=16, shuffle=True, generator=order)
        return net, train, torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9), noise

    net, train, opt, noise = build(0)
    full = quick_fit(net=net, train=train, opt=opt, epochs=4, generators=[noise])
    path = tmp_path / "ckpt.pt"
    net, train, opt, noise = build(0)
    quick_fit(net=net, train=train, opt=opt, epochs=2, generators=[noise], callbacks=[ModelCheckpoint(path)])
    net2, train2, opt2, noise2 = build(7)  # every generator elsewhere: resume must put them all back
    resumed = quick_fit(net=net2, train=train2, opt=opt2, epochs=4, generators=[noise2], resume_from=path)
    assert resumed.history["loss"] == full.history["loss"]
    net3, train3, opt3, noise3 = build(0)  # the uninterrupted run again, to compare weights bit for bit
    quick_fit(net=net3, train=train3, opt=opt3, epochs=4, generators=[noise3])
    assert all(torch.equal(a, b) for a, b in zip(net3.state_dict().values(), net2.state_dict().values()))


def test_resume_needs_the_same_generators(tmp_path):
    path = tmp_path / "ckpt.pt"
    quick_fit(callbacks=[ModelCheckpoint(path)], generators=[torch.Generator()])
    with pytest.raises(ValueError, match="resume_from=.*1 torch.Generator.*this run has 0"):
        quick_fit(epochs=3, resume_from=path)


def _checkpoint(tmp_path):
    path = tmp_path / "ckpt.pt"
    quick_fit(callbacks=[ModelCheckpoint(path)])
    return path


def test_a_flipped_byte_inside_a_weight_is_refused(tmp_path):
    path = _checkpoint(tmp_path)
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        record = next(i for i in archive.infolist() if "/data/" in i.filename and i.file_size >= 64)
        name_length, extra_length = (int.from_bytes(raw[record.header_offset + k:record.header_offset + k + 2],
                                                    "little") for k in (26, 28))
        start = record.header_offset + 30 + name_length + extra_length  # the record's first data byte
    for offset in (0, record.file_size // 2, record.file_size - 1):
        damaged = bytearray(raw)
        damaged[start + offset] ^= 0x10
        path.write_bytes(bytes(damaged))
        with pytest.raises(CheckpointError, match=r"resume_from=.*damaged.*CRC-32"):
            quick_fit(epochs=3, resume_from=path)


def test_any_flipped_byte_is_refused_or_changes_nothing(tmp_path):
    path = _checkpoint(tmp_path)
    raw = path.read_bytes()
    original = load_checkpoint(path)
    rng = np.random.default_rng(0)
    for offset in rng.choice(len(raw), size=150, replace=False):
        damaged = bytearray(raw)
        damaged[offset] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(damaged))
        try:
            state = load_checkpoint(path)
        except CheckpointError:
            continue
        for key, value in original["model"].items():
            assert torch.equal(state["model"][key], value), f"byte {offset} changed {key} without a word"
        assert state["history"] == original["history"] and state["epoch"] == original["epoch"]


@pytest.mark.parametrize("content, match", [
    (b"", "is empty"),
    (b"epoch,loss\n1,0.5\n", "not a readable checkpoint"),
    ("truncated", "not a readable checkpoint"),
    ("list", "not a ModelCheckpoint file"),
    ("zip", "could not be loaded"),
])
def test_bad_checkpoint_files_get_errors_that_name_them(tmp_path, content, match):
    path = tmp_path / "bad.pt"
    if content == "truncated":
        content = _checkpoint(tmp_path).read_bytes()[:-100]
    elif content == "list":
        torch.save([1, 2, 3], path)
        content = path.read_bytes()
    elif content == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "not a checkpoint")
        content = buffer.getvalue()
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=f"resume_from=.*bad.pt.*{match}"):
        quick_fit(epochs=3, resume_from=path)


def test_single_logit_accuracy_is_refused_and_labels_are_checked():
    with pytest.raises(ValueError, match=r"C >= 2.*binary_accuracy"):
        accuracy(torch.randn(4, 1), torch.tensor([0, 1, 1, 0]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\), got values from 0 to 5"):
        accuracy(torch.randn(4, 3), torch.tensor([0, 1, 5, 0]))
    with pytest.raises(ValueError, match=r"class indices in \[0, 3\), got values from -1"):
        accuracy(torch.randn(4, 3), torch.tensor([0, -1, 2, 0]))


class FailsAtEnd(Callback):
    def on_fit_end(self, trainer):
        raise RuntimeError("a logger that cannot flush")


def test_a_callback_failing_at_the_end_does_not_skip_the_others(tmp_path):
    stop = EarlyStopping(patience=1, restore_best_weights=True)
    board = TensorBoard(tmp_path / "logs")
    seed_everything(0)
    x, y = data()
    net = classifier()
    train, val = TensorLoader(x[:64], y[:64], batch_size=16), TensorLoader(x[64:], y[64:], batch_size=32)
    with pytest.raises(RuntimeError, match="cannot flush"):
        quick_fit(net=net, train=train, val=val, epochs=6, callbacks=[FailsAtEnd(), stop, board],
                  opt=torch.optim.SGD(net.parameters(), lr=3.0))
    assert board.writer is None  # closed
    best = evaluate(net, val, loss=nn.CrossEntropyLoss())["loss"]
    assert best == pytest.approx(stop.best_, rel=1e-6)  # the best weights were put back


# ---------------------------------------------------------------- crashes

def test_resuming_with_another_optimizer_names_both(tmp_path):
    path = _checkpoint(tmp_path)
    seed_everything(0)
    net = classifier()
    with pytest.raises(ValueError, match="resume_from=.*holds optimizer SGD but optimizer=Adam"):
        x, y = data()
        quick_fit(net=net, train=TensorLoader(x, y, batch_size=16), opt=torch.optim.Adam(net.parameters()),
                  epochs=3, resume_from=path)


def test_resuming_with_another_model_names_it(tmp_path):
    path = _checkpoint(tmp_path)
    x, y = data(features=5)
    net = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    with pytest.raises(ValueError, match="resume_from=.*weights of another model"):
        quick_fit(net=net, train=TensorLoader(x, y, batch_size=16), epochs=3, resume_from=path)


# ---------------------------------------------------------------- errors that say what to fix

def test_uint8_pixels_say_how_to_convert():
    x = torch.randint(0, 256, (32, 5), dtype=torch.uint8)
    y = torch.randint(0, 3, (32,))
    net = classifier()
    with pytest.raises(TypeError, match=r"train inputs are torch.uint8.*float32.*x.float\(\) / 255"):
        quick_fit(net=net, train=TensorLoader(x, y, batch_size=16))
    with pytest.raises(TypeError, match=r"data inputs are torch.uint8"):
        evaluate(net, TensorLoader(x, y, batch_size=16), metrics={"accuracy": accuracy})
    with pytest.raises(TypeError, match=r"data_or_tensor inputs are torch.uint8"):
        predict(net, x)


def test_integer_inputs_stay_allowed_for_embeddings():
    x = torch.randint(0, 10, (32, 2))
    y = torch.randint(0, 3, (32,))
    net = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(8, 3))
    assert len(quick_fit(net=net, train=TensorLoader(x, y, batch_size=16))) == 2


@pytest.mark.parametrize("labels, match", [
    (lambda y: y.float(), r"class indices must be integers \(y.long\(\)\)"),
    (lambda y: y.unsqueeze(1), r"use y.squeeze\(1\)"),
])
def test_class_labels_of_the_wrong_kind(labels, match):
    x, y = data()
    with pytest.raises(ValueError, match=match):
        quick_fit(net=classifier(), train=TensorLoader(x, labels(y), batch_size=16))


def test_out_of_range_labels_after_the_first_batch_name_the_batch():
    x, y = data()
    y = y.clone()
    y[40] = 3  # batch 3 of 6
    with pytest.raises(ValueError, match=r"train batch 3 labels must be in \[0, 3\).*to 3"):
        quick_fit(net=classifier(), train=TensorLoader(x, y, batch_size=16))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"loss": nn.CrossEntropyLoss}, TypeError, r"loss must be a callable.*create an instance.*CrossEntropyLoss\(\)"),
    ({"device": "gpu"}, ValueError, r"device='gpu' is not a device; accepted"),
    ({"metrics": {"m": lambda out, y: None}}, TypeError, r"metrics\['m'\] must return a scalar tensor or a number"),
    ({"metrics": {"m": lambda out, y: "high"}}, TypeError, r"metrics\['m'\] must return"),
    ({"callbacks": "stop"}, TypeError, "callbacks must be a list"),
    ({"scheduler_monitor": "val_loss"}, ValueError, "need a scheduler"),
])
def test_confusing_errors_now_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        quick_fit(**kwargs)


def test_callbacks_none_means_no_callbacks():
    assert len(quick_fit(callbacks=None)) == 2


def test_device_names_are_checked_everywhere():
    x, y = data()
    with pytest.raises(ValueError, match="device='gpu'"):
        TensorLoader(x, y, device="gpu")
    with pytest.raises(ValueError, match="device='gpu'"):
        evaluate(classifier(), TensorLoader(x, y), metrics={"accuracy": accuracy}, device="gpu")
    with pytest.raises(ValueError, match="device='gpu'"):
        predict(classifier(), x, device="gpu")


def test_an_unwritable_checkpoint_path_fails_before_training(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    counter = CountBatches()
    with pytest.raises(ValueError, match=r"path=.*file.txt/model.pt' cannot be written"):
        quick_fit(callbacks=[ModelCheckpoint(blocker / "model.pt"), counter])
    assert counter.batches == 0


def test_leftovers_of_interrupted_saves_are_removed(tmp_path):
    leftover = tmp_path / ".model.pt.abc123.tmp"
    leftover.write_bytes(b"\0" * 1000)
    quick_fit(callbacks=[ModelCheckpoint(tmp_path / "model.pt")])
    assert not leftover.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]


# ---------------------------------------------------------------- what Keras and Lightning users expect

def test_one_cycle_steps_per_batch_as_torch_intends():
    seed_everything(0)
    x, y = data()
    net = classifier()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    train = TensorLoader(x, y, batch_size=16)  # 6 batches
    cycle = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=len(train))
    reference_opt = torch.optim.SGD(classifier().parameters(), lr=0.1, momentum=0.9)
    reference = torch.optim.lr_scheduler.OneCycleLR(reference_opt, max_lr=0.5, epochs=3, steps_per_epoch=6)
    expected = []
    for _ in range(3):
        expected.append(reference_opt.param_groups[0]["lr"])
        for _ in range(6):
            reference_opt.step()
            reference.step()
    history = quick_fit(net=net, train=train, opt=opt, scheduler=cycle, epochs=3)
    assert history.history["lr"] == pytest.approx(expected)
    assert cycle.last_epoch == 18


def test_one_cycle_built_for_too_few_steps_is_refused_before_training():
    x, y = data()
    net = classifier()
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    cycle = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
    with pytest.raises(ValueError, match=r"total_steps=10, but fit steps it 18 times \(3 epochs x 6 batches\)"):
        quick_fit(net=net, train=TensorLoader(x, y, batch_size=16), opt=opt, scheduler=cycle, epochs=3)


def test_save_best_only_keeps_a_last_checkpoint_to_resume_from(tmp_path):
    path = tmp_path / "best.pt"
    checkpoint = ModelCheckpoint(path, save_best_only=True)
    assert checkpoint.last_path == tmp_path / "best.last.pt"
    quick_fit(epochs=4, callbacks=[checkpoint], opt=None)
    last = load_checkpoint(checkpoint.last_path)
    assert last["epoch"] == 4 and last["kind"] == "last"
    assert load_checkpoint(path)["kind"] == "best"
    assert len(quick_fit(epochs=5, resume_from=checkpoint.last_path)) == 5
    best_epoch = load_checkpoint(path)["epoch"]
    if best_epoch < 4:
        with pytest.warns(UserWarning, match="holds the best epoch"):
            quick_fit(epochs=5, resume_from=path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quick_fit(epochs=5, resume_from=checkpoint.last_path)
