import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from dlnotes import tabular
from dlnotes.data import DataFileError
from dlnotes.tabular import N_ROWS, diamonds, diamonds_frame

HEADER = '"carat","cut","color","clarity","depth","table","price","x","y","z"\n'
ROW = '0.23,"Ideal","E","SI2",61.5,55,326,3.95,3.98,2.43\n'
CUT = ROW[:ROW.index("61.5")]  # a last line cut short, before its numbers


@pytest.fixture(scope="module")
def data():
    return diamonds()


@pytest.fixture(scope="module")
def log_data():
    return diamonds(log_target=True, seed=1)


def test_raw_frame():
    frame = diamonds_frame()
    assert frame.shape == (N_ROWS, 10)
    assert frame["cut"].cat.ordered and frame["cut"].min() == "Fair"
    assert ((frame[["x", "y", "z"]] == 0).any(axis=1)).sum() == 20  # kept, not dropped


def test_rows_add_up_and_do_not_leak(data):
    parts = [data.train.rows.numpy(), data.val.rows.numpy(), data.test.rows.numpy()]
    assert sum(len(p) for p in parts) == N_ROWS
    assert len(np.unique(np.concatenate(parts))) == N_ROWS  # disjoint, and every row used
    assert len(data.val) == pytest.approx(0.15 * N_ROWS, abs=2)
    assert len(data.test) == pytest.approx(0.15 * N_ROWS, abs=2)


def test_shapes_and_dtypes(data):
    n, meta = len(data.train), data.meta
    assert data.train.x_num.shape == (n, len(meta.numeric)) == (n, 6)
    assert data.train.x_cat.shape == (n, 3) and data.train.x_cat.dtype == torch.int64
    assert data.train.x_onehot.shape == (n, len(meta.numeric) + sum(meta.cardinalities))
    assert len(meta.onehot_names) == data.train.x_onehot.shape[1]
    assert meta.cardinalities == tuple(len(meta.categories[c]) for c in meta.categorical) == (5, 7, 8)
    assert data.train.y.shape == (n,) and data.train.y.dtype == torch.float32
    assert torch.equal(data.train.x_onehot[:, :6], data.train.x_num)
    assert torch.all(data.train.x_onehot[:, 6:].sum(dim=1) == 3)  # one hot column per feature


def test_codes_within_cardinality(data):
    for part in (data.train, data.val, data.test):
        for j, k in enumerate(data.meta.cardinalities):
            assert 0 <= part.x_cat[:, j].min() and part.x_cat[:, j].max() < k


def test_codes_match_the_frame(data):
    frame = diamonds_frame()
    first = frame.iloc[int(data.train.rows[0])]
    names = [data.meta.categories[c][int(code)] for c, code in zip(data.meta.categorical, data.train.x_cat[0])]
    assert names == [first["cut"], first["color"], first["clarity"]]


def test_statistics_come_from_training_rows_only(data):
    train_mean = data.train.x_num.double().mean(dim=0)
    assert torch.allclose(train_mean, torch.zeros(6, dtype=torch.float64), atol=1e-5)
    assert torch.all(data.test.x_num.double().mean(dim=0).abs() > 1e-6)
    assert abs(float(data.train.y.double().mean())) < 1e-5
    assert float(data.test.y.double().mean()) != 0.0

    frame = diamonds_frame()
    train = frame.iloc[data.train.rows.numpy()]
    scaler = StandardScaler().fit(train[list(data.meta.numeric)])
    expected = scaler.transform(frame.iloc[data.test.rows.numpy()][list(data.meta.numeric)])
    assert np.allclose(data.test.x_num.numpy(), expected, atol=1e-5)
    assert data.meta.target_mean == pytest.approx(train["price"].mean())
    assert data.meta.target_std == pytest.approx(train["price"].std(ddof=0))


@pytest.mark.parametrize("fixture", ["data", "log_data"])
def test_to_original_units_inverts(fixture, request):
    data = request.getfixturevalue(fixture)
    price = diamonds_frame()["price"].to_numpy()[data.test.rows.numpy()]
    dollars = data.to_original_units(data.test.y.double())
    assert isinstance(dollars, torch.Tensor)
    assert np.allclose(dollars.numpy(), price, rtol=1e-5)
    assert np.allclose(data.to_original_units(data.test.y.double().numpy()), price, rtol=1e-5)
    assert data.meta.log_target == (fixture == "log_data")


def test_log_target_scales_the_log(log_data):
    data = log_data
    train_price = diamonds_frame()["price"].to_numpy()[data.train.rows.numpy()]
    assert data.meta.target_mean == pytest.approx(np.log(train_price).mean())


def test_same_seed_same_split_other_seed_other_split(data, log_data):
    again = diamonds()
    assert torch.equal(again.train.rows, data.train.rows)
    assert torch.equal(again.test.x_onehot, data.test.x_onehot)
    assert not torch.equal(log_data.train.rows, data.train.rows)  # seed=1


def test_other_target_becomes_a_label_and_price_a_feature():
    data = diamonds(target="carat")
    assert "price" in data.meta.numeric and "carat" not in data.meta.numeric


@pytest.mark.parametrize("kwargs, error, name", [
    ({"target": "cost"}, ValueError, "target"),
    ({"target": "cut"}, ValueError, "target"),
    ({"val_size": 0}, ValueError, "val_size"),
    ({"val_size": 1.0}, ValueError, "val_size"),
    ({"val_size": "0.1"}, TypeError, "val_size"),
    ({"test_size": -0.1}, ValueError, "test_size"),
    ({"test_size": True}, TypeError, "test_size"),
    ({"val_size": 0.5, "test_size": 0.5}, ValueError, "val_size \\+ test_size"),
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"dtype": torch.int64}, ValueError, "dtype"),
    ({"dtype": "float32"}, TypeError, "dtype"),
    ({"target": "z", "log_target": True}, ValueError, "log_target"),
])
def test_bad_arguments(kwargs, error, name):
    with pytest.raises(error, match=name):
        diamonds(**kwargs)


def test_fixture_csv_reads(tmp_path):
    path = tmp_path / "diamonds.csv"
    path.write_text(HEADER + ROW * N_ROWS)
    frame = diamonds_frame(path=path)
    assert len(frame) == N_ROWS and frame["clarity"].iloc[0] == "SI2"


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match="(?s)nowhere.csv does not exist.*pip install plotnine"):
        diamonds_frame(path=tmp_path / "nowhere.csv")


def test_plotnine_not_installed(monkeypatch):
    monkeypatch.setattr(tabular.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataFileError, match="pip install plotnine"):
        diamonds_frame()


@pytest.mark.parametrize("text, message", [
    (HEADER + ROW * 10, "holds 10 rows instead of 53940"),
    (HEADER + ROW * N_ROWS + CUT, "holds 53941 rows"),
    (HEADER + ROW * (N_ROWS - 1) + CUT, "missing or unexpected values in columns \\['depth'"),  # cut mid-line
    (HEADER + ROW * (N_ROWS - 1) + ROW[:20], "not a readable CSV"),  # cut inside a quoted string
    (HEADER + ROW.replace("61.5", "deep") * N_ROWS, "missing or unexpected values in columns \\['depth'\\]"),
    (HEADER + ROW.replace("Ideal", "Perfect") * N_ROWS, "missing or unexpected values in columns \\['cut'\\]"),
    (HEADER.replace("price", "cost") + ROW, "has columns"),
    ("", "not a readable CSV"),
])
def test_truncated_or_wrong_file(tmp_path, text, message):
    path = tmp_path / "diamonds.csv"
    path.write_text(text)
    with pytest.raises(DataFileError, match=f"(?s){message}.*pip install plotnine"):
        diamonds_frame(path=path)


# ---------- bad input found by test_bad_input_modules.py (each failed before the checks went through _checks)


def test_log_target_must_be_a_bool():
    with pytest.raises(TypeError, match="log_target must be True or False"):
        diamonds(log_target="no")  # a truthy string silently took the log


@pytest.mark.parametrize("test_size", [0.4999, 0.4999999])  # 5 training rows; none (sklearn's error)
def test_val_and_test_size_must_leave_training_rows(test_size):
    with pytest.raises(ValueError, match="val_size \\+ test_size must leave at least 100"):
        diamonds(val_size=0.5, test_size=test_size)


@pytest.mark.parametrize("device, error", [("gpu", ValueError), (0, TypeError)])
def test_device_is_checked_before_any_work(device, error):
    with pytest.raises(error, match="device"):  # was torch's error, after the whole preprocessing
        diamonds(device=device)


def test_diamonds_frame_path_of_the_wrong_type():
    with pytest.raises(TypeError, match="path must be a str or path-like"):
        diamonds_frame(path=[])


def scaled(log_target=True):
    meta = tabular.TabularMeta(numeric=(), categorical=(), categories={}, cardinalities=(), onehot_names=(),
                               target="price", target_mean=1.0, target_std=2.0, log_target=log_target)
    return tabular.TabularData(None, None, None, meta)


@pytest.mark.parametrize("y_scaled", [None, "1", [1.0], True, torch.tensor([1, 2]), torch.tensor([1j]),
                                      np.array(["a"]), np.array([True])])
def test_to_original_units_refuses_what_is_not_real_numbers(y_scaled):
    with pytest.raises(TypeError, match="y_scaled"):
        scaled().to_original_units(y_scaled)


def test_to_original_units_takes_a_number():
    assert scaled(log_target=False).to_original_units(0.5) == 2.0
    assert scaled().to_original_units(np.float32(-0.5)) == pytest.approx(1.0)


def test_crossed_codes_name_the_pairs_of_their_rows():
    data = tabular.diamonds()
    frame = tabular.diamonds_frame()
    meta, split = data.meta, data.test
    assert meta.crosses == ("cut x color", "color x clarity", "cut x clarity")
    assert meta.cross_cardinalities == tuple(len(v) + 1 for v in meta.cross_vocabularies.values())
    for j, (a, b) in enumerate(tabular.CROSSES):
        words = meta.cross_vocabularies[meta.crosses[j]]
        for row, code in zip(split.rows[:50].tolist(), split.x_cross[:50, j].tolist()):
            assert words[code - 1] == f"{frame[a].iloc[row]} & {frame[b].iloc[row]}"


def test_a_pair_never_seen_in_training_gets_code_zero():
    import pandas as pd
    cats = {name: pd.Categorical(values, categories=tabular.CATEGORIES[name]) for name, values in
            {"cut": ["Fair", "Fair", "Ideal"], "color": ["D", "E", "D"], "clarity": ["I1", "I1", "IF"]}.items()}
    frame = pd.DataFrame(cats)
    codes, vocabularies = tabular._crosses(frame, train_rows=np.array([0, 1]))  # row 2 is not training
    assert vocabularies["cut x color"] == ("Fair & D", "Fair & E")
    assert codes[:, 0].tolist() == [1, 2, 0] and codes[2].tolist() == [0, 0, 0]
