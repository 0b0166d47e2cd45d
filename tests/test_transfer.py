"""dlnotes.transfer: freezing, parameter groups with their rates logged by fit, and a backbone loaded from a
ModelCheckpoint file into a new model, refused part by part when it does not fit."""
from collections import OrderedDict

import pytest
import torch
from torch import nn

from dlnotes import CheckpointError, ModelCheckpoint, fit
from dlnotes.transfer import freeze, load_backbone, parameter_groups, unfreeze


def net(width=4, classes=2, seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(OrderedDict(features=nn.Sequential(nn.Linear(3, width), nn.BatchNorm1d(width), nn.ReLU()),
                                     head=nn.Linear(width, classes)))


def batches(n=4):
    g = torch.Generator().manual_seed(1)
    return [(torch.randn(8, 3, generator=g), torch.randint(0, 2, (8,), generator=g)) for _ in range(n)]


def trained_file(tmp_path, **kwargs):
    model = net(**kwargs)
    path = tmp_path / "pretrained.pt"
    fit(model, batches(), loss=nn.CrossEntropyLoss(), epochs=2, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        callbacks=[ModelCheckpoint(path, monitor="loss")], device="cpu", progress=False)
    return model, path


def test_a_frozen_part_does_not_move_and_the_head_does():
    model = net()
    assert freeze(model, "features") == ["features.0.bias", "features.0.weight", "features.1.bias",
                                          "features.1.weight"]
    before = {k: v.clone() for k, v in model.named_parameters()}
    optimizer = torch.optim.SGD(parameter_groups(model, {"head": 0.1}), lr=0.1)
    fit(model, batches(), loss=nn.CrossEntropyLoss(), epochs=1, optimizer=optimizer, device="cpu", progress=False)
    for key, value in model.named_parameters():
        assert torch.equal(value, before[key]) == key.startswith("features"), key
    assert unfreeze(model) == sorted(before)
    assert all(p.requires_grad for p in model.parameters())


def test_fit_logs_each_groups_rate():
    model = net()
    optimizer = torch.optim.SGD(parameter_groups(model, {"features": 0.001, "head": 0.1}), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    history = fit(model, batches(), loss=nn.CrossEntropyLoss(), epochs=2, optimizer=optimizer, scheduler=scheduler,
                  device="cpu", progress=False).history
    assert history["lr_features"] == pytest.approx([0.001, 0.0005])
    assert history["lr_head"] == pytest.approx([0.1, 0.05])
    assert history["lr"] == history["lr_features"]  # the first group's, as before


def test_one_group_logs_lr_only():
    model = net()
    history = fit(model, batches(), loss=nn.CrossEntropyLoss(), epochs=1, device="cpu", progress=False,
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1)).history
    assert not [key for key in history if key.startswith("lr_")]


def test_parameter_groups_refuse_gaps_overlaps_and_unknown_parts():
    with pytest.raises(ValueError, match=r"leaves out trainable parameters \['head.weight', 'head.bias'\]"):
        parameter_groups(net(), {"features": 0.1})
    with pytest.raises(ValueError, match="two rates"):
        parameter_groups(net(), {"features": 0.1, "features.0": 0.01, "head": 0.1})
    with pytest.raises(ValueError, match=r"lrs='body' matches no parameter of the model; its parts are \['features', "
                                         r"'head'\]"):
        parameter_groups(net(), {"body": 0.1, "head": 0.1})
    frozen = net()
    freeze(frozen, "features")
    with pytest.raises(ValueError, match="all frozen"):
        parameter_groups(frozen, {"features": 0.1, "head": 0.1})
    with pytest.raises(ValueError, match=r"lrs\['head'\]"):
        parameter_groups(net(), {"features": 0.1, "head": -1.0})


def test_the_backbone_and_its_buffers_load_and_the_head_stays(tmp_path):
    trained, path = trained_file(tmp_path)
    fresh = net(classes=5, seed=3)
    head = fresh.head.weight.clone()
    loaded = load_backbone(fresh, path)
    assert loaded == ["features.0.bias", "features.0.weight", "features.1.bias", "features.1.num_batches_tracked",
                      "features.1.running_mean", "features.1.running_var", "features.1.weight"]
    for key, value in trained.features.state_dict().items():
        assert torch.equal(fresh.features.state_dict()[key], value), key
    assert torch.equal(fresh.head.weight, head)


def test_a_backbone_that_does_not_fit_is_refused_and_nothing_changes(tmp_path):
    _, path = trained_file(tmp_path, width=4)
    wider = net(width=6)
    before = {k: v.clone() for k, v in wider.state_dict().items()}
    with pytest.raises(ValueError, match=r"features.0.weight: saved \(4, 3\), model \(6, 3\)") as caught:
        load_backbone(wider, path)
    assert "nothing was loaded" in str(caught.value)
    assert all(torch.equal(v, before[k]) for k, v in wider.state_dict().items())
    other = nn.Sequential(OrderedDict(features=nn.Sequential(nn.Linear(3, 4)), head=nn.Linear(4, 2)))
    with pytest.raises(ValueError, match="features.1.weight: in the file, not in the model"):
        load_backbone(other, path)
    with pytest.raises(CheckpointError, match=r"holds no part 'body'; its parts are \['features', 'head'\]"):
        load_backbone(net(), path, part="body")


def test_a_damaged_or_missing_file_is_refused(tmp_path):
    _, path = trained_file(tmp_path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="path="):
        load_backbone(net(), path)
    with pytest.raises(FileNotFoundError):
        load_backbone(net(), tmp_path / "missing.pt")


def test_a_callback_can_keep_a_frozen_backbone_in_eval_mode():
    from dlnotes import Callback

    class FrozenStatistics(Callback):
        def on_epoch_start(self, trainer, epoch):
            trainer.model.features.eval()  # after fit's model.train(), so it holds for the epoch

    model = net()
    freeze(model, "features")
    before = model.features[1].running_mean.clone()
    fit(model, batches(), loss=nn.CrossEntropyLoss(), epochs=2, device="cpu", progress=False,
        optimizer=torch.optim.SGD(parameter_groups(model, {"head": 0.1}), lr=0.1), callbacks=[FrozenStatistics()])
    assert torch.equal(model.features[1].running_mean, before)
    assert model.training  # fit leaves the model as it found it
