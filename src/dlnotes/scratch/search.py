"""Grid, random and genetic hyper-parameter search, written to be read.

A search space is a dict of ``name -> values`` (or a list of such dicts, searched one after the
other), as scikit-learn's searches take it. :func:`grid_points` and :func:`random_points` give
exactly the points, in the same order, that scikit-learn's ``ParameterGrid`` and
``ParameterSampler`` give for the same space and seed: the tests check it.

>>> grid_points({"lr": [0.1, 0.01], "width": [64, 128]})
[{'lr': 0.1, 'width': 64}, {'lr': 0.1, 'width': 128}, {'lr': 0.01, 'width': 64}, {'lr': 0.01, 'width': 128}]
>>> random_points({"lr": [0.1, 0.01], "width": [64, 128]}, n_iter=2, seed=0)
[{'lr': 0.01, 'width': 64}, {'lr': 0.01, 'width': 128}]

:class:`GeneticSearch` is the course notes' genetic algorithm: a population of configurations,
fitness, selection of the best, roulette-wheel choice of parents, crossover and mutation.
"""
from __future__ import annotations

import itertools
import math
import warnings

import numpy as np

from dlnotes import _checks


def grid_points(grid) -> list[dict]:
    """Every combination of the values in ``grid``, the last name (in sorted order) varying fastest."""
    points = []
    for sub_grid in _checks.search_space(grid, "grid"):
        items = sorted(sub_grid.items())  # sorted by name, as scikit-learn does, so the order never depends on typing
        names = [name for name, _ in items]
        for values in itertools.product(*(values for _, values in items)):
            points.append(dict(zip(names, values)))
    return points


def _sample_without_replacement(n: int, k: int, rng: np.random.RandomState) -> list[int]:
    """k distinct indices of range(n), drawn with the same random numbers scikit-learn draws."""
    ratio = k / n
    if 0.01 < ratio < 0.99:  # a shuffle of all n, cut to k
        return [int(i) for i in rng.permutation(n)[:k]]
    if ratio < 0.2:  # a few of very many: draw, and draw again on a repeat
        chosen: list[int] = []
        while len(chosen) < k:
            j = int(rng.randint(n))
            if j not in chosen:
                chosen.append(j)
        return chosen
    chosen = list(range(k))  # (almost) all of them: reservoir sampling
    for i in range(k, n):
        j = int(rng.randint(0, i + 1))
        if j < k:
            chosen[j] = i
    return chosen


def random_points(distributions, n_iter: int, seed: int | None = None) -> list[dict]:
    """``n_iter`` points drawn from ``distributions``, a dict of name -> list of values or a
    ``scipy.stats`` distribution (anything with ``.rvs``), or a list of such dicts.

    When every entry is a list the points are drawn from the grid without replacement (at most all
    of it, with a warning); otherwise each point picks one of the dicts, then each value in name
    order: a list uniformly, a distribution by ``rvs``.
    """
    grids = _checks.search_space(distributions, "distributions", distributions=True)
    n_iter = _checks.integer(n_iter, "n_iter", minimum=1)
    rng = np.random.RandomState(_checks.seed(seed))
    if not any(hasattr(values, "rvs") for grid in grids for values in grid.values()):
        points = grid_points(grids)
        if n_iter > len(points):
            warnings.warn(f"n_iter={n_iter} is more than the {len(points)} points of the grid; "
                          f"drawing all {len(points)}", UserWarning, stacklevel=2)
            n_iter = len(points)
        return [points[i] for i in _sample_without_replacement(len(points), n_iter, rng)]
    points = []
    for _ in range(n_iter):
        grid = grids[rng.randint(len(grids))]
        point = {}
        for name, values in sorted(grid.items()):
            point[name] = values.rvs(random_state=rng) if hasattr(values, "rvs") else values[rng.randint(len(values))]
        points.append(point)
    return points


def roulette_wheel(fitness, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` indices drawn with replacement, index i with probability fitness[i] / sum(fitness)."""
    _checks.instance(rng, "rng", np.random.Generator, "a numpy Generator (np.random.default_rng(seed))")
    size = _checks.integer(size, "size", minimum=0)
    try:
        fitness = np.asarray(fitness, dtype=float)
    except (TypeError, ValueError):
        fitness = None
    if fitness is None or fitness.ndim != 1 or not len(fitness) or not np.isfinite(fitness).all() or (fitness < 0).any():
        raise ValueError("fitness must be a non-empty 1-D sequence of finite numbers >= 0, got "
                         f"{_checks.show(fitness)}")
    total = fitness.sum()
    p = fitness / total if total > 0 else np.full(len(fitness), 1 / len(fitness))  # all zero: a fair wheel
    return rng.choice(len(fitness), size=size, p=p)


class GeneticSearch:
    """The notes' genetic algorithm over a discrete ``space`` (dict of name -> non-empty list of values).

    A configuration is a chromosome, each hyper-parameter a gene. Each generation:

    1. every configuration is scored by ``fitness(params) -> float >= 0`` (higher is better; a
       configuration met before keeps its first score, so nothing is trained twice);
    2. selection: the ``survivors`` best are kept, the rest dropped;
    3. crossover: two parents are drawn from the survivors by roulette wheel (chance proportional to
       fitness) and a child takes each gene from one of them at random;
    4. mutation: each of the child's genes is redrawn from ``space`` with probability ``mutation``;

    until the population is full again. After :meth:`fit`: ``best_params_``, ``best_fitness_``,
    ``history_`` (a DataFrame: generation, fitness and the genes of every configuration scored) and
    ``evaluations_`` (calls of ``fitness``).
    """

    def __init__(self, space: dict, *, population: int = 8, survivors: int = 4, generations: int = 4,
                 mutation: float = 0.1, seed: int | None = 0):
        _checks.instance(space, "space", dict, "a dict of name -> non-empty list of values")
        (self.space,) = _checks.search_space(space, "space")
        if not self.space:
            raise ValueError("space is empty: give at least one hyper-parameter, e.g. {'lr': [0.1, 0.01]}")
        self.population = _checks.integer(population, "population", minimum=2)
        self.survivors = _checks.integer(survivors, "survivors", minimum=1)
        if self.survivors >= self.population:
            raise ValueError(f"survivors must be fewer than population, so that children are born; got "
                             f"survivors={self.survivors}, population={self.population}")
        self.generations = _checks.integer(generations, "generations", minimum=1)
        self.mutation = _checks.number(mutation, "mutation", minimum=0, maximum=1)
        self.seed = _checks.seed(seed)

    def _score(self, fitness, params: dict) -> float:
        value = fitness(params)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(value) or value < 0:
            raise ValueError(f"fitness must return a finite number >= 0 (roulette-wheel selection draws in "
                             f"proportion to it), got {_checks.show(value)} for {params}; for a loss, return "
                             "e.g. 1 / (1 + loss)")
        self.evaluations_ += 1
        return float(value)

    def fit(self, fitness) -> GeneticSearch:
        fitness = _checks.function(fitness, "fitness", "params -> number >= 0")
        rng = np.random.default_rng(self.seed)
        names = sorted(self.space)
        sizes = [len(self.space[name]) for name in names]

        def decode(genes: tuple) -> dict:
            return {name: self.space[name][g] for name, g in zip(names, genes)}

        def random_genes() -> tuple:
            return tuple(int(rng.integers(n)) for n in sizes)

        population = [random_genes() for _ in range(self.population)]
        scores: dict[tuple, float] = {}  # genes -> fitness, the memory that avoids training twice
        rows = []
        self.evaluations_ = 0
        for generation in range(1, self.generations + 1):
            for genes in population:                                        # 1. fitness
                if genes not in scores:
                    scores[genes] = self._score(fitness, decode(genes))
                rows.append({"generation": generation, "fitness": scores[genes], **decode(genes)})
            if generation == self.generations:
                break
            ranked = sorted(population, key=lambda genes: -scores[genes])
            kept = ranked[:self.survivors]                                  # 2. selection
            children = []
            while len(kept) + len(children) < self.population:
                mum, dad = (kept[i] for i in roulette_wheel([scores[g] for g in kept], 2, rng))  # 3. crossover
                child = tuple(m if rng.random() < 0.5 else d for m, d in zip(mum, dad))
                child = tuple(int(rng.integers(n)) if rng.random() < self.mutation else g  # 4. mutation
                              for g, n in zip(child, sizes))
                children.append(child)
            population = kept + children
        import pandas as pd  # lazily, as elsewhere in dlnotes
        self.history_ = pd.DataFrame(rows)
        best = max(scores, key=scores.get)
        self.best_params_, self.best_fitness_ = decode(best), scores[best]
        return self
