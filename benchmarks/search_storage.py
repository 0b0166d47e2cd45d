#!/usr/bin/env python
"""Optuna storages for parallel workers on one machine: journal file against SQLite (and PostgreSQL).

Each configuration runs ``--trials`` trials in all, split over 1 or 2 worker processes sharing one
study, with two objectives: ``instant`` (returns at once: the time is the storage's own cost per
trial) and ``sleep`` (sleeps ``--sleep`` seconds: a stand-in for training that leaves the CPU free,
so the speed-up of two workers measures only how well the storage lets them overlap). Workers are
started first and released together by a file, so Python's and Optuna's import times are not
counted. Printed: trials per second, and each row's ratio to the baseline measured in the same run,
the journal file with one worker.

    .venv/bin/python benchmarks/search_storage.py
    .venv/bin/python benchmarks/search_storage.py --trials 200 --postgresql postgresql://user@host:5432/db
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

def storage(url: str):
    from optuna.storages import JournalStorage, RDBStorage
    from optuna.storages.journal import JournalFileBackend
    if url.startswith("journal:"):
        return JournalStorage(JournalFileBackend(url[len("journal:"):]))
    return RDBStorage(url.replace("postgresql://", "postgresql+psycopg://", 1))


# A worker: opens the study the parent created, waits for the go file, runs its trials.
WORKER = r"""
import json, os, sys, time
from pathlib import Path
import optuna
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from search_storage import storage
optuna.logging.set_verbosity(optuna.logging.ERROR)
_here, url, study_name, trials, objective_name, sleep, ready, go, seed = sys.argv[1:]
study = optuna.load_study(study_name=study_name, storage=storage(url),
                          sampler=optuna.samplers.RandomSampler(seed=int(seed)))
def objective(trial):
    x = trial.suggest_float("x", -10, 10)
    if objective_name == "sleep":
        time.sleep(float(sleep))
    return x * x
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.005)
start = time.time()
study.optimize(objective, n_trials=int(trials))
print(json.dumps({"start": start, "end": time.time()}))
"""


def run(url: str, study: str, workers: int, trials: int, objective: str, sleep: float, folder: Path) -> float:
    """Trials per second of ``workers`` processes running ``trials`` trials in all on one study."""
    import optuna
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    optuna.create_study(study_name=study, storage=storage(url))  # once, before the workers: no race for the tables
    go = folder / f"{study}.go"
    ready = [folder / f"{study}.ready{i}" for i in range(workers)]
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, __file__, url, study, str(trials // workers), objective,
                                   str(sleep), str(ready[i]), str(go), str(i)],
                                  stdout=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
                 for i in range(workers)]
    while not all(r.exists() for r in ready):
        if any(p.poll() not in (None, 0) for p in processes):
            raise RuntimeError(f"a worker on {url} failed to start")
        time.sleep(0.01)
    go.touch()
    spans = []
    for p in processes:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"a worker on {url} failed")
        spans.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = max(s["end"] for s in spans) - min(s["start"] for s in spans)
    return trials // workers * workers / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100, help="trials per configuration, all workers together")
    parser.add_argument("--sleep", type=float, default=0.05, help="seconds each trial of the sleep objective sleeps")
    parser.add_argument("--postgresql", help="also measure this PostgreSQL URL (its studies are left there)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.trials} trials per row; sleep objective {args.sleep} s per trial")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        storages = {"journal file": lambda name: f"journal:{folder}/{name}.log",
                    "SQLite": lambda name: f"sqlite:///{folder}/{name}.db"}
        if args.postgresql:
            storages["PostgreSQL"] = lambda name: args.postgresql
        rows, stamp = [], int(time.time())
        for objective in ("instant", "sleep"):
            for label, url in storages.items():
                for workers in (1, 2):
                    name = f"{objective}-{label.split()[0].lower()}-{workers}-{stamp}"
                    rows.append((objective, label, workers,
                                 run(url(name), name, workers, args.trials, objective, args.sleep, folder)))
    print(f"{'objective':10s} {'storage':13s} {'workers':>7s} {'trials/s':>9s}  ratio to the journal file, 1 worker")
    for objective, label, workers, rate in rows:
        base = next(r for o, s, w, r in rows if o == objective and s == "journal file" and w == 1)
        print(f"{objective:10s} {label:13s} {workers:7d} {rate:9.1f}  {rate / base:5.2f}")


if __name__ == "__main__":
    main()
