import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from dlnotes import ArrayDataset, TensorLoader, seed_everything




@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 120), batch_size=st.integers(1, 50), shuffle=st.booleans(), drop_last=st.booleans(),
       seed=st.integers(0, 2**31))
def test_every_epoch_visits_each_sample_once(n, batch_size, shuffle, drop_last, seed):
    index = torch.arange(n)
    if drop_last and n < batch_size:
        with pytest.raises(ValueError, match="batch_size"):
            TensorLoader(index, batch_size=batch_size, drop_last=True)
        return
    loader = TensorLoader(index, index * 10, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                          generator=torch.Generator().manual_seed(seed))
    for _ in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        seen = torch.cat([i for i, _ in batches])
        assert all(torch.equal(i * 10, j) for i, j in batches)  # rows stay aligned across tensors
        assert all(len(i) == batch_size for i, _ in batches[:-1])
        if drop_last:
            assert len(seen) == (n // batch_size) * batch_size and len(batches[-1][0]) == batch_size
            assert len(torch.unique(seen)) == len(seen)  # no repeats
        else:
            assert torch.equal(seen.sort().values, index)  # each sample exactly once
        if not shuffle:
            assert torch.equal(seen, index[:len(seen)])


def test_seed_everything_makes_the_order_repeatable():
    def first_epoch():
        seed_everything(3)
        return torch.cat([b for (b,) in TensorLoader(torch.arange(50), batch_size=7, shuffle=True)])

    a, b = first_epoch(), first_epoch()
    assert torch.equal(a, b) and not torch.equal(a, torch.arange(50))


def test_epochs_differ_and_state_dict_resumes_the_order():
    loader = TensorLoader(torch.arange(40), batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(0))
    first = torch.cat([b for (b,) in loader])
    state = loader.state_dict()
    second = torch.cat([b for (b,) in loader])
    assert not torch.equal(first, second)
    other = TensorLoader(torch.arange(40), batch_size=8, shuffle=True, generator=torch.Generator().manual_seed(9))
    other.load_state_dict(state)
    assert torch.equal(torch.cat([b for (b,) in other]), second)
    assert TensorLoader(torch.arange(3)).state_dict() == {}


def test_to_copies_the_generator_and_keeps_settings():
    loader = TensorLoader(torch.arange(30), torch.ones(30, 2), batch_size=4, shuffle=True, drop_last=True)
    moved = loader.to("cpu")
    assert moved is not loader and moved.generator is not loader.generator
    assert (moved.batch_size, moved.shuffle, moved.drop_last, len(moved)) == (4, True, True, 7)
    assert moved.dataset_size == 30 and moved.device == torch.device("cpu")
    assert all(torch.equal(a, b) for (a, _), (b, _) in zip(loader, moved))  # same future order
    assert "batch_size=4" in repr(loader)


def test_numpy_inputs_and_unshuffled_defaults():
    loader = TensorLoader(np.zeros((10, 3), dtype=np.float32), np.arange(10), batch_size=4)
    assert loader.generator is None and len(loader) == 3
    assert [len(y) for _, y in loader] == [4, 4, 2]


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((), {}, ValueError, "tensors"),
    ((torch.zeros(3), torch.zeros(4)), {}, ValueError, r"tensors.*\(3,\), \(4,\)"),
    ((torch.zeros(0, 2), torch.zeros(0)), {}, ValueError, "empty"),
    ((torch.tensor(1.0),), {}, ValueError, "tensors"),
    (("abc",), {}, TypeError, "tensors"),
    ((torch.zeros(3),), {"batch_size": 0}, ValueError, "batch_size"),
    ((torch.zeros(3),), {"batch_size": 2.5}, TypeError, "batch_size"),
    ((torch.zeros(3),), {"batch_size": True}, TypeError, "batch_size"),
    ((torch.zeros(3),), {"shuffle": "yes"}, TypeError, "shuffle"),
    ((torch.zeros(3),), {"drop_last": 1}, TypeError, "drop_last"),
    ((torch.zeros(3),), {"generator": 42}, TypeError, "generator"),
    ((torch.zeros(3),), {"batch_size": 4, "drop_last": True}, ValueError, "batch_size"),
])
def test_tensor_loader_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        TensorLoader(*args, **kwargs)


def test_load_state_dict_rejects_non_dict():
    with pytest.raises(TypeError, match="state"):
        TensorLoader(torch.zeros(3)).load_state_dict([1])


def test_array_dataset_matches_tensor_loader():
    x, y = np.random.default_rng(0).normal(size=(23, 4)).astype(np.float32), np.arange(23)
    data = ArrayDataset(x, torch.as_tensor(y))
    assert len(data) == 23 and isinstance(data[5], tuple)
    assert torch.equal(data[5][0], torch.as_tensor(x[5])) and int(data[5][1]) == 5
    pairs = zip(DataLoader(data, batch_size=5), TensorLoader(x, y, batch_size=5))
    assert all(torch.equal(a, c) and torch.equal(b, d) for (a, b), (c, d) in pairs)
    assert "ArrayDataset((23, 4), (23,))" == repr(data)


@pytest.mark.parametrize("arrays, match", [
    ((), "arrays"),
    ((np.zeros(3), np.zeros(2)), r"arrays.*\(3,\), \(2,\)"),
    ((np.zeros((0, 2)),), "empty"),
])
def test_array_dataset_rejects_bad_input(arrays, match):
    with pytest.raises(ValueError, match=match):
        ArrayDataset(*arrays)
