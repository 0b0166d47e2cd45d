"""Tabular regression: the 53,940 diamonds, read from the CSV inside the plotnine wheel.

Nothing is downloaded: ``pip install plotnine`` puts ``plotnine/data/diamonds.csv``
on disk, and we read that file directly, without importing plotnine (which
would pull in matplotlib, statsmodels and half a second of start-up).

A missing or corrupt file raises :class:`~dlnotes.data.DataFileError`; a bad
argument raises ``TypeError`` (wrong kind of thing) or ``ValueError`` (value
not accepted) naming the argument and what it accepts.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from dlnotes import _checks
from dlnotes._record import file_read
from dlnotes.data import DataFileError

N_ROWS = 53_940
COLUMNS = ("carat", "cut", "color", "clarity", "depth", "table", "price", "x", "y", "z")
NUMERIC = ("carat", "depth", "table", "price", "x", "y", "z")  # any of these can be the target
MIN_TRAIN_ROWS = 100  # val_size + test_size must leave at least this many rows to fit the scaling on
# Ordered from worst to best cut / clarity; colour from D (colourless, best) to J, as in ggplot2.
CATEGORIES = {
    "cut": ("Fair", "Good", "Very Good", "Premium", "Ideal"),
    "color": ("D", "E", "F", "G", "H", "I", "J"),
    "clarity": ("I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"),
}
HOW_TO_FIX = ("The file ships inside the plotnine wheel: install or repair it with `pip install plotnine` "
              "(add --force-reinstall if plotnine is already installed).")


def diamonds_csv() -> Path:
    """Where plotnine keeps ``diamonds.csv``, found without importing plotnine."""
    spec = importlib.util.find_spec("plotnine")
    if spec is None or not spec.submodule_search_locations:
        raise DataFileError("plotnine is not installed, and the diamonds table ships inside it. "
                            "Install it with `pip install plotnine`.")
    return Path(spec.submodule_search_locations[0]) / "data" / "diamonds.csv"


def diamonds_frame(*, path: str | Path | None = None) -> pd.DataFrame:
    """The raw diamonds table: 53,940 rows, 10 columns, ``cut``/``color``/``clarity`` as ordered categoricals.

    ``path`` (``None`` or a str or path-like) defaults to the CSV inside plotnine; the file is checked (columns,
    row count, category values, no missing numbers) and a missing or
    truncated file raises :class:`~dlnotes.data.DataFileError`.

    The data are kept as published: 20 rows have a zero ``x``, ``y`` or ``z``
    (a size not measured), a few have implausible sizes (``y`` = 58.9 mm) and
    146 rows are exact duplicates of another row.
    """
    path = diamonds_csv() if path is None else _checks.path(path, "path")
    if not path.is_file():
        raise DataFileError(f"{path} does not exist. {HOW_TO_FIX}")
    try:
        frame = pd.read_csv(path)
        file_read(path)  # the site build keys a lesson's cached run on the files it read
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataFileError(f"{path} is not a readable CSV file ({err}). {HOW_TO_FIX}") from None
    if tuple(frame.columns) != COLUMNS:
        raise DataFileError(f"{path} has columns {list(frame.columns)}, expected {list(COLUMNS)}. {HOW_TO_FIX}")
    if len(frame) != N_ROWS:
        raise DataFileError(f"{path} holds {len(frame)} rows instead of {N_ROWS}: "
                            f"the file is truncated or not the diamonds table. {HOW_TO_FIX}")
    bad = [c for c in NUMERIC if not pd.api.types.is_numeric_dtype(frame[c]) or frame[c].isna().any()]
    bad += [c for c, categories in CATEGORIES.items() if not frame[c].isin(categories).all()]
    if bad:
        raise DataFileError(f"{path} has missing or unexpected values in columns {bad}: "
                            f"the file is truncated or corrupt. {HOW_TO_FIX}")
    for column, categories in CATEGORIES.items():
        frame[column] = pd.Categorical(frame[column], categories=categories, ordered=True)
    return frame


@dataclass(frozen=True)
class TabularSplit:
    """One split, as tensors; ``N`` rows."""
    x_num: torch.Tensor     # (N, 6) standardised numeric features
    x_cat: torch.Tensor     # (N, 3) int64 category codes, one column per categorical feature
    x_onehot: torch.Tensor  # (N, 6 + 20) standardised numeric features, then the one-hot columns
    y: torch.Tensor         # (N,) standardised target
    rows: torch.Tensor      # (N,) int64 row numbers in diamonds_frame()
    x_cross: torch.Tensor | None = None  # (N, 3) int64 codes of the crossed pairs of categories (0: unseen)

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class TabularMeta:
    """What the columns of a :class:`TabularSplit` mean."""
    numeric: tuple[str, ...]                  # names of the x_num columns
    categorical: tuple[str, ...]              # names of the x_cat columns
    categories: dict[str, tuple[str, ...]]    # code i of a feature is categories[feature][i]
    cardinalities: tuple[int, ...]            # number of categories, per x_cat column
    onehot_names: tuple[str, ...]             # names of the x_onehot columns
    target: str
    target_mean: float                        # of the (log-)target over the training rows
    target_std: float
    log_target: bool
    crosses: tuple[str, ...] = ()                          # names of the x_cross columns, "cut x color", ...
    cross_vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code i >= 1 of a cross
    cross_cardinalities: tuple[int, ...] = ()               # vocabulary size + 1 (code 0), per x_cross column


@dataclass(frozen=True)
class TabularData:
    """Train / validation / test splits, preprocessed with statistics of the training rows only."""
    train: TabularSplit
    val: TabularSplit
    test: TabularSplit
    meta: TabularMeta

    def to_original_units(self, y_scaled):
        """Undo the target's standardisation (and logarithm): model outputs back to dollars for ``price``.

        Takes and returns a floating-point tensor or NumPy array (or a real number, returned as a float).
        """
        if (isinstance(y_scaled, torch.Tensor) and not y_scaled.is_floating_point()
                or isinstance(y_scaled, np.ndarray) and y_scaled.dtype.kind != "f"):
            raise TypeError(f"y_scaled must be a floating-point tensor or NumPy array (model outputs), "
                            f"got {_checks.show(y_scaled)}")
        if not isinstance(y_scaled, (torch.Tensor, np.ndarray)):
            y_scaled = _checks.number(y_scaled, "y_scaled (a tensor, a NumPy array or a number)", finite=False)
        y = y_scaled * self.meta.target_std + self.meta.target_mean
        if self.meta.log_target:
            y = torch.exp(y) if isinstance(y, torch.Tensor) else np.exp(y)
        return y


CROSSES = (("cut", "color"), ("color", "clarity"), ("cut", "clarity"))


def _crosses(frame, train_rows: np.ndarray) -> tuple[np.ndarray, dict[str, tuple[str, ...]]]:
    """Integer codes of each crossed pair of categories, for a wide (linear) part that memorises them.

    The vocabulary of a cross is the pairs that occur in the training rows, in the order of the categories
    (code 1, 2, ...); a pair never seen in training gets code 0, so validation and test rows cannot add
    words. (The full products have 35, 56 and 40 pairs.) Returns (N, 3) codes and the vocabularies.
    """
    columns, vocabularies = [], {}
    for a, b in CROSSES:
        pair = frame[a].cat.codes.to_numpy() * len(CATEGORIES[b]) + frame[b].cat.codes.to_numpy()  # (N,)
        seen = np.unique(pair[train_rows])                      # sorted: the categories' order
        lookup = np.zeros(len(CATEGORIES[a]) * len(CATEGORIES[b]), dtype=np.int64)
        lookup[seen] = np.arange(1, len(seen) + 1)
        columns.append(lookup[pair])
        vocabularies[f"{a} x {b}"] = tuple(f"{CATEGORIES[a][i // len(CATEGORIES[b])]} & "
                                           f"{CATEGORIES[b][i % len(CATEGORIES[b])]}" for i in seen)
    return np.stack(columns, axis=1), vocabularies


def diamonds(*, target: str = "price", log_target: bool = False, val_size: float = 0.15,
             test_size: float = 0.15, seed: int = 0, device=None,
             dtype: torch.dtype = torch.float32) -> TabularData:
    """The diamonds table split into train / validation / test and preprocessed for a network.

    The split is deterministic for a ``seed``. A ColumnTransformer fitted on the
    training rows only standardises the numeric features and one-hot encodes
    ``cut``, ``color`` and ``clarity``; the same three also come as integer
    codes (in their natural order) for embeddings, and their crossed pairs
    (cut × color, color × clarity, cut × clarity) as codes into a vocabulary
    of the pairs seen in the training rows (``x_cross``, 0 for a pair never
    seen there), for a wide part. The target, after
    ``log`` when ``log_target``, is standardised with the training mean and
    standard deviation; :meth:`TabularData.to_original_units` undoes both.
    ``target`` may be any numeric column; the others become features.
    Zero sizes in ``x``, ``y``, ``z`` are kept (see :func:`diamonds_frame`).

    Accepted: ``target`` one of :data:`NUMERIC`; ``log_target`` True or False;
    ``val_size`` and ``test_size`` numbers in (0, 1) that leave at least
    :data:`MIN_TRAIN_ROWS` rows for training; ``seed`` an integer in [0, 2**32);
    ``device`` None (the CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"`` or a
    ``torch.device``; ``dtype`` a floating-point torch dtype.
    """
    _checks.one_of(target, "target", NUMERIC)
    log_target = _checks.flag(log_target, "log_target")
    val_size = _checks.number(val_size, "val_size", above=0, below=1)
    test_size = _checks.number(test_size, "test_size", above=0, below=1)
    if (1 - val_size - test_size) * N_ROWS < MIN_TRAIN_ROWS:
        raise ValueError(f"val_size + test_size must leave at least {MIN_TRAIN_ROWS} of the {N_ROWS} rows for "
                         f"training (a sum below 1), got {val_size} + {test_size}.")
    seed = _checks.integer(seed, "seed", minimum=0, maximum=2**32 - 1)
    device = None if device is None else _checks.device(device, "device")
    _checks.instance(dtype, "dtype", torch.dtype, "a floating-point torch dtype such as torch.float32")
    if not dtype.is_floating_point:
        raise ValueError(f"dtype must be a floating-point torch dtype such as torch.float32, got {dtype}.")

    # Imported here, not at the top: `import dlnotes` starts every lesson, and most never need scikit-learn.
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = diamonds_frame()
    y_all = frame[target].to_numpy(dtype=np.float64)
    if log_target:
        if (y_all <= 0).any():
            raise ValueError(f"log_target=True needs a positive target, but {target!r} "
                             f"has {(y_all <= 0).sum()} values <= 0.")
        y_all = np.log(y_all)

    rows = np.arange(len(frame))
    rest, test_rows = train_test_split(rows, test_size=test_size, random_state=seed)
    train_rows, val_rows = train_test_split(rest, test_size=val_size / (1 - test_size), random_state=seed)

    numeric = tuple(c for c in NUMERIC if c != target)
    categorical = tuple(CATEGORIES)
    pipeline = ColumnTransformer(
        [("num", StandardScaler(), list(numeric)),
         ("cat", OneHotEncoder(categories=[list(CATEGORIES[c]) for c in categorical], sparse_output=False),
          list(categorical))],
        verbose_feature_names_out=False,
    ).fit(frame.iloc[train_rows])
    mean, std = float(y_all[train_rows].mean()), float(y_all[train_rows].std())
    codes = np.stack([frame[c].cat.codes.to_numpy() for c in categorical], axis=1)
    crossed, vocabularies = _crosses(frame, train_rows)

    def split(part: np.ndarray) -> TabularSplit:
        onehot = torch.as_tensor(pipeline.transform(frame.iloc[part]), dtype=dtype, device=device)
        return TabularSplit(
            x_num=onehot[:, :len(numeric)].clone(),
            x_cat=torch.as_tensor(codes[part], dtype=torch.int64, device=device),
            x_onehot=onehot,
            y=torch.as_tensor((y_all[part] - mean) / std, dtype=dtype, device=device),
            rows=torch.as_tensor(part, dtype=torch.int64, device=device),
            x_cross=torch.as_tensor(crossed[part], dtype=torch.int64, device=device),
        )

    meta = TabularMeta(
        numeric=numeric, categorical=categorical, categories=dict(CATEGORIES),
        cardinalities=tuple(len(CATEGORIES[c]) for c in categorical),
        onehot_names=tuple(pipeline.get_feature_names_out()),
        target=target, target_mean=mean, target_std=std, log_target=log_target,
        crosses=tuple(vocabularies), cross_vocabularies=vocabularies,
        cross_cardinalities=tuple(len(v) + 1 for v in vocabularies.values()),
    )
    return TabularData(split(train_rows), split(val_rows), split(test_rows), meta)
