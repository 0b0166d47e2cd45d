import math
import os
import sys
import types

import pytest
import torch
from torch import nn

from dlnotes import (BatchLosses, Callback, EarlyStopping, History, ModelCheckpoint, ProgressBar, TensorBoard, TensorLoader, accuracy, fit,
                     read_scalars, seed_everything)
from dlnotes import callbacks as callbacks_module

CPU = torch.device("cpu")




def fake_trainer():
    """What callbacks read from fit's trainer, without running fit."""
    model = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train = TensorLoader(torch.zeros(8, 2), torch.zeros(8, 1), batch_size=4, shuffle=True)
    return types.SimpleNamespace(model=model, optimizer=optimizer, scheduler=None, train=train, val=None,
                                 history=History(), epochs=10, start_epoch=1, stop_training=False, resumed=None)


def drive(callback, values, monitor="val_loss", trainer=None):
    """Feed scripted monitor values, one per epoch, until the callback stops training; returns the trainer."""
    trainer = trainer or fake_trainer()
    callback.on_fit_start(trainer)
    for epoch, value in enumerate(values, start=1):
        with torch.no_grad():
            trainer.model.weight.fill_(epoch)  # weights tagged with their epoch
        logs = {"loss": 1.0, monitor: value}
        trainer.history.append({"epoch": epoch, **logs})
        callback.on_epoch_end(trainer, epoch, logs)
        if trainer.stop_training:
            break
    callback.on_fit_end(trainer)
    return trainer


def test_early_stopping_min_delta_and_patience():
    stop = EarlyStopping(min_delta=0.02, patience=2)
    # 0.9 and 0.85 beat the best by more than 0.02; 0.86 does not, nor does 0.849 (< 0.85 but by only 0.001)
    drive(stop, [1.0, 0.9, 0.85, 0.86, 0.849, 0.1])
    assert (stop.best_, stop.best_epoch_, stop.stopped_epoch_) == (0.85, 3, 5)


def test_early_stopping_patience_zero_and_equal_values():
    stop = EarlyStopping(patience=0)
    drive(stop, [1.0, 1.0, 0.5])  # an equal value is no improvement, even with min_delta=0
    assert (stop.best_epoch_, stop.stopped_epoch_) == (1, 2)


def test_early_stopping_never_stops_while_improving_and_ignores_nan():
    stop = EarlyStopping(patience=1)
    trainer = drive(stop, [5.0, 4.0, 3.0, 2.0])
    assert stop.stopped_epoch_ is None and not trainer.stop_training and stop.best_ == 2.0
    stop = EarlyStopping(patience=1)
    drive(stop, [5.0, float("nan"), 1.0])
    assert (stop.best_, stop.stopped_epoch_) == (5.0, 2)


@pytest.mark.parametrize("monitor, mode", [("val_accuracy", "auto"), ("val_f1", "max")])
def test_early_stopping_maximises_accuracy(monitor, mode):
    stop = EarlyStopping(monitor=monitor, mode=mode, patience=1)
    drive(stop, [0.5, 0.7, 0.6, 0.9], monitor=monitor)
    assert (stop.mode, stop.best_, stop.best_epoch_, stop.stopped_epoch_) == ("max", 0.7, 2, 3)


def test_restore_best_weights():
    stop = EarlyStopping(patience=2, restore_best_weights=True)
    trainer = drive(stop, [3.0, 1.0, 2.0, 2.5, 0.1])
    assert stop.stopped_epoch_ == 4 and torch.all(trainer.model.weight == 2)  # epoch 2's weights, not 4's
    plain = EarlyStopping(patience=2)
    trainer = drive(plain, [3.0, 1.0, 2.0, 2.5])
    assert torch.all(trainer.model.weight == 4)


def test_early_stopping_is_reset_between_fits():
    stop = EarlyStopping(patience=1)
    drive(stop, [1.0, 2.0])
    drive(stop, [9.0, 8.0])
    assert (stop.best_, stop.best_epoch_, stop.stopped_epoch_) == (8.0, 2, None)


def test_early_stopping_in_fit():
    seed_everything(0)
    x, y = torch.randn(40, 3), torch.randint(0, 2, (40,))
    net = nn.Linear(3, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.0)  # nothing changes: val_loss never improves
    stop = EarlyStopping(patience=2)
    history = fit(net, TensorLoader(x, y), TensorLoader(x, y), loss=nn.CrossEntropyLoss(), optimizer=opt,
                  epochs=10, callbacks=[stop], device=CPU)
    assert len(history) == 3 and stop.stopped_epoch_ == 3


def test_early_stopping_unknown_monitor_lists_keys():
    with pytest.raises(ValueError, match=r"monitor='val_los'.*available: \['loss', 'val_loss'\]"):
        drive(EarlyStopping(monitor="val_los", mode="min"), [1.0])


def test_auto_mode_refuses_to_guess_an_unknown_name():
    with pytest.raises(ValueError, match=r"mode='auto' cannot tell whether monitor='val_los'"):
        EarlyStopping(monitor="val_los")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"patience": -1}, ValueError, "patience"),
    ({"patience": 1.5}, TypeError, "patience"),
    ({"min_delta": -0.1}, ValueError, "min_delta"),
    ({"min_delta": float("nan")}, ValueError, "min_delta"),
    ({"mode": "lowest"}, ValueError, "mode"),
    ({"monitor": 3}, TypeError, "monitor"),
    ({"restore_best_weights": "yes"}, TypeError, "restore_best_weights"),
])
def test_early_stopping_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        EarlyStopping(**kwargs)


def test_checkpoint_contents_load_with_weights_only(tmp_path):
    path = tmp_path / "sub" / "ckpt.pt"
    trainer = drive(ModelCheckpoint(path), [2.0, 1.0])
    state = torch.load(path, weights_only=True)
    assert state["epoch"] == 2 and state["best"] == 1.0 and state["monitor"] == "val_loss"
    assert torch.all(state["model"]["weight"] == 2)
    assert state["history"] == {"epoch": [1, 2], "loss": [1.0, 1.0], "val_loss": [2.0, 1.0]}
    assert state["train_loader"]["generator"].dtype == torch.uint8
    assert torch.equal(state["rng"]["torch"], torch.get_rng_state())
    assert set(state) >= {"optimizer", "model"} and "scheduler" not in state
    assert os.listdir(path.parent) == ["ckpt.pt"]
    assert trainer.stop_training is False


def test_checkpoint_save_best_only(tmp_path):
    path = tmp_path / "best.pt"
    check = ModelCheckpoint(path, save_best_only=True)
    trainer = fake_trainer()
    drive(check, [2.0, 1.0, 1.5, float("nan")], trainer=trainer)
    assert torch.load(path, weights_only=True)["epoch"] == 2
    acc = ModelCheckpoint(tmp_path / "acc.pt", monitor="val_accuracy", save_best_only=True)
    drive(acc, [0.5, 0.7, 0.6], monitor="val_accuracy")
    assert torch.load(tmp_path / "acc.pt", weights_only=True)["best"] == 0.7


def test_checkpoint_without_val_saves_every_epoch_but_best_only_needs_the_monitor(tmp_path):
    drive(ModelCheckpoint(tmp_path / "a.pt"), [1.0, 2.0], monitor="other")
    state = torch.load(tmp_path / "a.pt", weights_only=True)
    assert state["epoch"] == 2 and state["best"] is None
    with pytest.raises(ValueError, match=r"ModelCheckpoint\(monitor='val_loss'\).*available"):
        drive(ModelCheckpoint(tmp_path / "b.pt", save_best_only=True), [1.0], monitor="other")


def test_checkpoint_skips_a_diverged_epoch(tmp_path):
    trainer = fake_trainer()
    check = ModelCheckpoint(tmp_path / "c.pt")
    check.on_fit_start(trainer)
    check.on_epoch_end(trainer, 1, {"loss": 1.0, "val_loss": 1.0})
    check.on_epoch_end(trainer, 2, {"loss": float("inf"), "val_loss": 0.5})
    assert torch.load(tmp_path / "c.pt", weights_only=True)["epoch"] == 1


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    trainer = fake_trainer()
    check = ModelCheckpoint(path)
    check.on_fit_start(trainer)
    check.on_epoch_end(trainer, 1, {"loss": 1.0, "val_loss": 1.0})
    real_save = torch.save

    def crash_midway(obj, f, *args, **kwargs):
        real_save(obj, f)
        f.seek(f.tell() // 2)
        f.truncate()  # half a file is on disk...
        raise OSError("disk full")  # ...when the process dies

    monkeypatch.setattr(torch, "save", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        check.on_epoch_end(trainer, 2, {"loss": 1.0, "val_loss": 0.5})
    assert torch.load(path, weights_only=True)["epoch"] == 1  # the previous checkpoint is intact
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # and no temporary file is left behind


@pytest.mark.parametrize("kwargs, error, match", [
    ({"path": 3}, TypeError, "path"),
    ({"path": "."}, ValueError, "path"),
    ({"path": "x.pt", "mode": "up"}, ValueError, "mode"),
    ({"path": "x.pt", "save_best_only": 1}, TypeError, "save_best_only"),
])
def test_checkpoint_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ModelCheckpoint(**kwargs)


def small_fit(callbacks, epochs=2):
    seed_everything(0)
    x, y = torch.randn(32, 3), torch.randint(0, 2, (32,))
    net = nn.Linear(3, 2)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    return fit(net, TensorLoader(x, y, batch_size=8), TensorLoader(x, y), loss=nn.CrossEntropyLoss(),
               optimizer=opt, epochs=epochs, metrics={"accuracy": accuracy}, callbacks=callbacks, device=CPU)


def test_tensorboard_writes_event_files(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    board = TensorBoard(tmp_path / "runs")
    small_fit([board])
    assert board.writer is None  # closed at fit end
    events = list((tmp_path / "runs").glob("events.out.tfevents.*"))
    assert len(events) == 1
    tags = EventAccumulator(str(events[0])).Reload().Tags()["scalars"]
    assert set(tags) == {"loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr", "time"}
    with pytest.raises(TypeError, match="log_dir"):
        TensorBoard(None)


def test_read_scalars_gives_back_what_fit_logged(tmp_path):
    history = small_fit([TensorBoard(tmp_path / "runs")])
    scalars = read_scalars(tmp_path / "runs")
    assert list(scalars.columns) == ["tag", "step", "value"]
    val_loss = scalars[scalars.tag == "loss/val"]
    assert val_loss.step.tolist() == history.history["epoch"]
    assert val_loss.value.tolist() == pytest.approx(history.history["val_loss"], rel=1e-6)  # stored as float32


def test_read_scalars_names_the_folder_without_event_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="log_dir=.*no TensorBoard event file"):
        read_scalars(tmp_path)
    with pytest.raises(TypeError, match="log_dir"):
        read_scalars(3)


def test_batch_losses_records_every_batch_and_averages_to_the_epoch_loss():
    seed_everything(0)
    recorder = BatchLosses()
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    model = nn.Linear(3, 1)
    history = fit(model, TensorLoader(x, y, batch_size=8, shuffle=True), loss=nn.MSELoss(),
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=3, device=CPU, progress=False,
                  callbacks=[recorder])
    assert recorder.epochs_ == [1] * 4 + [2] * 4 + [3] * 4
    for epoch, loss in zip(history.history["epoch"], history.history["loss"]):
        batch = [v for v, e in zip(recorder.losses_, recorder.epochs_) if e == epoch]
        assert sum(batch) / len(batch) == pytest.approx(loss, rel=1e-5)  # equal batches: mean of means


def test_progress_bar_is_quiet_in_ci(monkeypatch, capsys):
    monkeypatch.setenv("CI", "true")
    bar = ProgressBar()
    small_fit([bar])
    assert capsys.readouterr().out == ""


def test_progress_bar_shows_epochs_and_metrics(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    small_fit([ProgressBar(disable=False, mininterval=0)], epochs=3)
    out = capsys.readouterr().out
    assert "3/3" in out and "val_accuracy=" in out and "epoch" in out


def test_progress_bar_automatic_without_tty_or_ipywidgets(monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # "import ipywidgets" now fails
    small_fit([ProgressBar()])  # captured stdout is no TTY: tqdm hides the bar
    assert capsys.readouterr().out == ""
    kernel = types.SimpleNamespace(config={"IPKernelApp": {}})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel))
    assert callbacks_module._in_notebook()
    small_fit([ProgressBar(mininterval=0)])  # in a notebook the text bar is shown, widgets or not
    assert "2/2" in capsys.readouterr().out


def test_progress_bar_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mininterval"):
        ProgressBar(mininterval=-1)
    with pytest.raises(TypeError, match="disable"):
        ProgressBar(disable="auto")


def test_early_stopping_replays_a_resumed_history():
    values = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98]  # best at epoch 2; patience 3 stops at epoch 5
    full = drive(EarlyStopping(patience=3), values)
    assert (full.history.history["epoch"][-1], len(full.history)) == (5, 5)

    trainer = fake_trainer()  # a run resumed from the checkpoint of epoch 3
    for epoch, value in enumerate(values[:3], start=1):
        trainer.history.append({"epoch": epoch, "loss": 1.0, "val_loss": value})
    trainer.resumed = {"epoch": 3, "monitor": "val_loss", "best": None}
    stopper = EarlyStopping(patience=3)
    stopper.on_fit_start(trainer)
    assert (stopper.best_, stopper.best_epoch_, stopper.wait_) == (0.9, 2, 1)
    for epoch in (4, 5):
        stopper.on_epoch_end(trainer, epoch, {"loss": 1.0, "val_loss": values[epoch - 1]})
    assert trainer.stop_training and stopper.stopped_epoch_ == 5


def test_early_stopping_resumed_at_its_stopping_epoch_trains_no_further():
    trainer = fake_trainer()
    for epoch, value in enumerate([1.0, 2.0, 3.0], start=1):
        trainer.history.append({"epoch": epoch, "loss": 1.0, "val_loss": value})
    trainer.resumed = {"epoch": 3, "monitor": "val_loss", "best": None}
    stopper = EarlyStopping(patience=2)
    stopper.on_fit_start(trainer)
    assert trainer.stop_training and stopper.stopped_epoch_ == 3


def test_early_stopping_warns_when_the_best_weights_are_not_in_the_checkpoint():
    trainer = fake_trainer()
    for epoch, value in enumerate([1.0, 2.0], start=1):
        trainer.history.append({"epoch": epoch, "loss": 1.0, "val_loss": value})
    trainer.resumed = {"epoch": 2, "monitor": "val_loss", "best": None}
    with pytest.warns(UserWarning, match="best epoch so far, 1, came before the checkpoint's epoch 2"):
        EarlyStopping(patience=5, restore_best_weights=True).on_fit_start(trainer)
    trainer.history.history["val_loss"][-1] = 0.5  # now the checkpoint's epoch is the best: no warning
    stopper = EarlyStopping(patience=5, restore_best_weights=True)
    stopper.on_fit_start(trainer)
    assert stopper.best_epoch_ == 2 and stopper._best_weights is not None
    with pytest.raises(ValueError, match="monitor='val_accuracy'.*resumed history has no such key"):
        EarlyStopping(monitor="val_accuracy").on_fit_start(trainer)


def test_fit_resumed_with_early_stopping_stops_where_the_uninterrupted_run_did(tmp_path):
    class Crash(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                raise KeyboardInterrupt

    def run(callbacks, resume_from=None):
        seed_everything(0)
        x, y = torch.randn(32, 3), torch.randn(32, 1)
        net = nn.Linear(3, 1)
        return fit(net, TensorLoader(x, y, batch_size=8, shuffle=True), TensorLoader(x, y), loss=nn.MSELoss(),
                   optimizer=torch.optim.SGD(net.parameters(), lr=0.05), epochs=10, callbacks=callbacks,
                   device=CPU, progress=False, resume_from=resume_from)

    # min_delta so large that only epoch 1 counts as an improvement: patience 3 stops at epoch 4.
    stopper = lambda: EarlyStopping(min_delta=1e9, patience=3)  # noqa: E731
    full = run([stopper(), ModelCheckpoint(tmp_path / "full.pt")])
    assert full.history["epoch"] == [1, 2, 3, 4]
    with pytest.raises(KeyboardInterrupt):
        run([stopper(), ModelCheckpoint(tmp_path / "cut.pt"), Crash()])
    resumed = run([stopper(), ModelCheckpoint(tmp_path / "cut.pt")], resume_from=tmp_path / "cut.pt")
    assert resumed.history == full.history | {"time": resumed.history["time"]}
    # Resumed from the stopping epoch's checkpoint: nothing left to train.
    assert run([stopper()], resume_from=tmp_path / "full.pt").history["epoch"] == [1, 2, 3, 4]


def test_resumed_checkpoint_keeps_its_best_value(tmp_path):
    path = tmp_path / "best.pt"
    small_fit([ModelCheckpoint(path, save_best_only=True)], epochs=2)
    best = torch.load(path, weights_only=True)["best"]
    check = ModelCheckpoint(path, save_best_only=True)
    trainer = fake_trainer()
    trainer.resumed = {"epoch": 2, "monitor": "val_loss", "best": best}
    check.on_fit_start(trainer)
    assert check.best_ == best and math.isfinite(best)
