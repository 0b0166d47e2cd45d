"""How many lessons should the site build execute at once? Sequential against parallel, measured here.

Runs the same lessons with DLNOTES_JOBS=1 (each kernel with every core's threads) and with 2..N at once
(cores split between kernels), each from an empty cache, and prints wall times and the ratio to the
sequential run measured in the same session. Usage:

    .venv/bin/python benchmarks/lesson_jobs.py [LESSON ...] [--jobs 1 2]
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = ["coin_likelihood", "computational_graphs", "finite_differences", "initialisation", "optimizer_traces",
         "cross_entropy_vs_mse"]


def load_hook():
    spec = importlib.util.spec_from_file_location("lessons_hook", ROOT / "hooks" / "lessons.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("lessons", nargs="*", default=QUICK, help="lesson names (default: six quick ones)")
    parser.add_argument("--jobs", nargs="+", type=int, default=[1, 2], help="lessons at once to compare")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    hook = load_hook()
    paths = [ROOT / "lessons" / f"{name}.py" for name in args.lessons]
    times = {}
    for jobs in args.jobs:
        with tempfile.TemporaryDirectory() as cache:
            hook.CACHE = Path(cache)
            start = time.perf_counter()
            hook.executed_lessons(paths, jobs=jobs)
            times[jobs] = time.perf_counter() - start
        print(f"jobs={jobs}: {times[jobs]:6.1f} s for {len(paths)} lessons", flush=True)
    base = times[args.jobs[0]]
    for jobs, seconds in times.items():
        print(f"jobs={jobs}: {base / seconds:.2f}x the speed of jobs={args.jobs[0]}")


if __name__ == "__main__":
    main()
