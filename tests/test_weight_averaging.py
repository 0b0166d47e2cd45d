"""dlnotes.WeightAveraging: the averages equal those computed by hand from the weights along the path."""
import copy

import pytest
import torch
from torch import nn

import dlnotes


class Snapshots(dlnotes.Callback):
    """The weights after every batch and at the end of every epoch."""

    def __init__(self):
        self.batches, self.epochs = [], {}

    def on_batch_end(self, trainer, epoch, batch, loss):
        self.batches.append((epoch, [p.detach().clone() for p in trainer.model.parameters()]))

    def on_epoch_end(self, trainer, epoch, logs):
        self.epochs[epoch] = [p.detach().clone() for p in trainer.model.parameters()]


def run(model, averaging, epochs=3):
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(64, 4, generator=g), torch.randint(0, 3, (64,), generator=g)
    snapshots = Snapshots()
    dlnotes.fit(model, dlnotes.TensorLoader(x, y, batch_size=16), loss=nn.CrossEntropyLoss(),
                optimizer=torch.optim.SGD(model.parameters(), lr=0.2), epochs=epochs,
                callbacks=[snapshots, averaging], progress=False, device="cpu")
    return snapshots, x


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def test_swa_is_the_mean_of_the_end_of_epoch_weights_from_start_epoch():
    averaging = dlnotes.WeightAveraging(start_epoch=2)
    snapshots, _ = run(mlp(), averaging)
    assert averaging.n_averaged_ == 2
    for i, p in enumerate(averaging.averaged_model_.module.parameters()):
        torch.testing.assert_close(p, (snapshots.epochs[2][i] + snapshots.epochs[3][i]) / 2)


def test_ema_follows_its_recursion_after_every_batch():
    averaging = dlnotes.WeightAveraging(decay=0.9)
    snapshots, _ = run(mlp(), averaging, epochs=2)
    expected = None
    for _, weights in snapshots.batches:
        expected = [w.clone() for w in weights] if expected is None else \
            [0.9 * e + 0.1 * w for e, w in zip(expected, weights)]
    assert averaging.n_averaged_ == len(snapshots.batches) == 8
    for p, e in zip(averaging.averaged_model_.module.parameters(), expected):
        torch.testing.assert_close(p, e)


def test_batch_norm_statistics_are_recomputed_for_the_averaged_weights():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    averaging = dlnotes.WeightAveraging()
    _, x = run(model, averaging)
    averaged = averaging.averaged_model_.module
    with torch.no_grad():
        h = averaged[0](x)  # (64, 8): what the BN layer sees, with the averaged first layer
    # update_bn averages the four batch means (cumulative average): their mean is the data's mean.
    torch.testing.assert_close(averaged[1].running_mean, h.mean(0), rtol=1e-5, atol=1e-6)
    assert not averaging.averaged_model_.training


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(decay=1.0), ValueError, "decay must be a number > 0 and < 1"),
    (dict(start_epoch=0), ValueError, "start_epoch must be an integer >= 1"),
    (dict(update_bn="yes"), TypeError, "update_bn must be True or False"),
])
def test_bad_arguments_are_refused_by_name(kwargs, error, words):
    with pytest.raises(error, match=words):
        dlnotes.WeightAveraging(**kwargs)



def test_a_fit_that_fails_before_averaging_starts_reports_only_its_own_error():
    class Broken(dlnotes.Callback):
        def on_fit_start(self, trainer):
            raise RuntimeError("broken callback")
    model = mlp()
    with pytest.raises(RuntimeError, match="broken callback") as info:
        dlnotes.fit(model, dlnotes.TensorLoader(torch.randn(8, 4), torch.zeros(8, dtype=torch.long), batch_size=4),
                    loss=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(model.parameters(), lr=0.1), epochs=1,
                    callbacks=[Broken(), dlnotes.WeightAveraging()], progress=False, device="cpu")
    assert not getattr(info.value, "__notes__", None)  # no second error from WeightAveraging.on_fit_end
