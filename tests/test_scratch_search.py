"""The from-scratch searchers against scikit-learn's, and the genetic algorithm's parts."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.model_selection import ParameterGrid, ParameterSampler

from dlnotes.scratch.search import GeneticSearch, grid_points, random_points, roulette_wheel

names = st.sampled_from(["lr", "width", "depth", "dropout", "batch_size", "activation"])
values = st.lists(st.one_of(st.integers(-5, 5), st.floats(0, 1), st.sampled_from(["relu", "tanh"])),
                  min_size=1, max_size=6)
grids = st.dictionaries(names, values, min_size=1, max_size=4)
spaces = st.one_of(grids, st.lists(grids, min_size=1, max_size=3))


@settings(max_examples=150, deadline=None)
@given(spaces)
def test_grid_points_enumerate_exactly_what_parameter_grid_does(space):
    assert grid_points(space) == list(ParameterGrid(space))


@settings(max_examples=300, deadline=None)
@given(spaces, st.integers(1, 400), st.integers(0, 2**32 - 1))
def test_random_points_from_lists_sample_exactly_what_parameter_sampler_does(space, n_iter, seed):
    # grids of 1 to 1296 points, so every branch of scikit-learn's sampling without replacement
    # (tracking selection, permutation, reservoir) is taken
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert random_points(space, n_iter, seed) == list(ParameterSampler(space, n_iter, random_state=seed))


@pytest.mark.parametrize("n_iter", [1, 3, 60, 99, 100])  # ratios 0.01, 0.03, 0.6, 0.99, 1 of a 100-point grid
def test_random_points_at_the_edges_of_each_sampling_method(n_iter):
    space = {"a": list(range(10)), "b": list(range(10))}
    for seed in range(20):
        assert random_points(space, n_iter, seed) == list(ParameterSampler(space, n_iter, random_state=seed))


def test_random_points_from_distributions_sample_exactly_what_parameter_sampler_does():
    space = [{"lr": stats.loguniform(1e-4, 1), "width": [32, 64, 128], "dropout": stats.uniform(0, 0.5)},
             {"lr": stats.loguniform(1e-3, 1e-1), "depth": stats.randint(1, 5)}]
    for seed in range(10):
        ours, theirs = random_points(space, 25, seed), list(ParameterSampler(space, 25, random_state=seed))
        assert ours == theirs
    assert random_points(space[0], 5, 3) == list(ParameterSampler(space[0], 5, random_state=3))


def test_more_points_asked_than_the_grid_has_warns_and_gives_all():
    with pytest.warns(UserWarning, match="n_iter=7 is more than the 4 points"):
        points = random_points({"a": [1, 2], "b": [3, 4]}, 7, seed=0)
    assert sorted(map(str, points)) == sorted(map(str, grid_points({"a": [1, 2], "b": [3, 4]})))


@pytest.mark.parametrize("space, message", [
    ({"lr": []}, r"grid\['lr'\] is empty"),
    ({"lr": 0.1}, r"grid\['lr'\] must be a non-empty list of values, got 0.1; wrap a single value in a list"),
    ({"act": "relu"}, r"grid\['act'\] must be"),
    ([], "grid must be a dict"),
    ({1: [1, 2]}, "every name must be a string"),
    ([{"a": [1]}, 3], "grid must hold dicts"),
    ({"a": np.zeros((2, 2))}, "must be one-dimensional"),
])
def test_grid_points_refuse_bad_spaces_naming_them(space, message):
    with pytest.raises((TypeError, ValueError), match=message):
        grid_points(space)


def test_random_points_refuse_bad_arguments_naming_them():
    with pytest.raises(TypeError, match=r"distributions\['lr'\] must be a non-empty list of values or a distribution"):
        random_points({"lr": 0.1}, 3)
    with pytest.raises(ValueError, match="n_iter must be an integer >= 1, got 0"):
        random_points({"lr": [0.1]}, 0)
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\], got -1"):
        random_points({"lr": [0.1]}, 1, seed=-1)


def test_roulette_wheel_draws_in_proportion_to_fitness():
    rng = np.random.default_rng(0)
    fitness = np.array([1.0, 2.0, 3.0, 0.0])
    counts = np.bincount(roulette_wheel(fitness, 60_000, rng), minlength=4)
    expected = 60_000 * fitness / fitness.sum()
    assert counts[3] == 0
    assert stats.chisquare(counts[:3], expected[:3]).pvalue > 1e-3
    assert set(roulette_wheel(np.zeros(3), 300, rng)) == {0, 1, 2}  # all zero: a fair wheel


def peak(params):
    """A fitness with one best configuration, (x, y) = (7, 2)."""
    return 100.0 - (params["x"] - 7) ** 2 - 3 * (params["y"] - 2) ** 2


def test_genetic_search_finds_the_peak_and_scores_each_configuration_once():
    calls = []
    search = GeneticSearch({"x": list(range(10)), "y": list(range(5))}, population=10, survivors=4,
                           generations=12, mutation=0.2, seed=0)
    assert search.fit(lambda p: calls.append(p) or peak(p)) is search
    assert search.best_params_ == {"x": 7, "y": 2} and search.best_fitness_ == 100.0
    assert search.evaluations_ == len(calls) == len({(p["x"], p["y"]) for p in calls}) < 50  # of 10 x 12 slots
    assert len(search.history_) == 10 * 12
    assert list(search.history_.columns) == ["generation", "fitness", "x", "y"]
    by_generation = search.history_.groupby("generation")["fitness"].max()
    assert by_generation.is_monotonic_increasing  # the survivors carry the best forward


def test_genetic_search_is_reproducible_from_its_seed_and_differs_across_seeds():
    space = {"x": list(range(10)), "y": list(range(5))}
    runs = [GeneticSearch(space, generations=3, seed=s).fit(peak).history_ for s in (1, 1, 2)]
    assert runs[0].equals(runs[1]) and not runs[0].equals(runs[2])


def test_mutation_zero_only_recombines_the_first_generation_genes():
    search = GeneticSearch({"x": list(range(50)), "y": list(range(50))}, population=4, survivors=2,
                           generations=6, mutation=0.0, seed=3).fit(lambda p: p["x"] + p["y"])
    first = search.history_[search.history_.generation == 1]
    assert set(search.history_.x) <= set(first.x) and set(search.history_.y) <= set(first.y)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"space": {}}, ValueError, "space is empty"),
    ({"space": [{"x": [1]}]}, TypeError, "space must be a dict"),
    ({"space": {"x": []}}, ValueError, r"space\['x'\] is empty"),
    ({"population": 1}, ValueError, "population must be an integer >= 2"),
    ({"survivors": 8}, ValueError, r"survivors must be fewer than population.*survivors=8, population=8"),
    ({"mutation": 1.5}, ValueError, r"mutation must be"),
    ({"generations": 0}, ValueError, "generations must be an integer >= 1"),
])
def test_genetic_search_refuses_bad_arguments_naming_them(kwargs, error, message):
    kwargs = {"space": {"x": [1, 2]}, **kwargs}
    with pytest.raises(error, match=message):
        GeneticSearch(**kwargs)


@pytest.mark.parametrize("value", [-1.0, float("nan"), "good", None, True])
def test_genetic_search_refuses_a_fitness_it_cannot_spin_a_wheel_with(value):
    with pytest.raises(ValueError, match="fitness must return a finite number >= 0"):
        GeneticSearch({"x": [1, 2]}).fit(lambda p: value)
    with pytest.raises(TypeError, match="fitness must be a callable"):
        GeneticSearch({"x": [1, 2]}).fit(3)
