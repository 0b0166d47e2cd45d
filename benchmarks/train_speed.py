#!/usr/bin/env python
"""Training speed: the seed notes' loop against ``dlnotes.fit``, and both against the compute bound.

Same model (784-300-100-10 ReLU MLP, same initial weights), same optimiser
(SGD, lr 0.01, momentum 0.9, as in the seed notes), same loss (cross-entropy),
same data (the 60,000 Fashion-MNIST training images, normalised with mean
0.2860 and std 0.3530), on ``dlnotes.device()`` (set ``DLNOTES_DEVICE`` to
force one):

* the seeds' loop: torchvision's ``FashionMNIST`` with ``ToTensor`` and
  ``Normalize`` in a ``DataLoader(shuffle=True, num_workers=0)``, and a plain
  Python loop (zero_grad, forward, loss, backward, step, ``loss.item()``
  summed every step);
* dlnotes: ``fashion_mnist(normalize="standard", flatten=True)`` in a
  ``TensorLoader`` on the device, trained by ``fit``.

Each loop runs 1 warm-up epoch and ``--epochs`` timed epochs (median
reported), then is scored on the 10,000 test images. The compute bound is the
epoch's FLOPs divided by the throughput of a 2048x2048 float32 matmul measured
in the same run. The last line printed compares the two loops at batch 256.

    .venv/bin/python benchmarks/train_speed.py --batch-sizes 256
    .venv/bin/python benchmarks/train_speed.py --quick            # 10,000 images: a smoke test
    DLNOTES_DEVICE=cpu .venv/bin/python benchmarks/train_speed.py --json results.json
"""
from __future__ import annotations

import argparse
import datetime
import gzip
import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

import dlnotes

DEFAULT_SEEDS = 3  # accuracy is compared as a mean over seeds: one seed's differs by its shuffling alone
LR, MOMENTUM = 0.01, 0.9  # the seed notes' SGD settings
SEEDS_MEAN, SEEDS_STD = 0.2860, 0.3530  # the seeds' Normalize constants (dlnotes computes the same, unrounded)
NUM_WORKERS = 0  # the seeds' DataLoader: batches are built in the training process
QUICK_SAMPLES = 10_000
TEST_BATCH = 1000
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")

# Multiply-adds of one forward pass for one image (weights only; biases, ReLU and
# the loss are O(400) and ignored): 784*300 + 300*100 + 100*10 = 266,200.
MACS_PER_SAMPLE = 784 * 300 + 300 * 100 + 100 * 10


def epoch_flops(samples: int) -> int:
    """FLOPs of one training epoch: 3 * 2 * N * 266,200.

    2 FLOPs per multiply-add; forward 1x, backward 2x (one matmul for the weight
    gradient, one for the input gradient). This is the usual convention and the
    one the targets use; autograd skips the first layer's input gradient, so
    the exact count is 2 * N * (3 * 266,200 - 784 * 300), 0.71 times this
    (see :func:`exact_epoch_flops`).
    """
    return 3 * 2 * samples * MACS_PER_SAMPLE


def exact_epoch_flops(samples: int) -> int:
    """FLOPs of the matmuls autograd actually runs: no input gradient for the first layer."""
    return 2 * samples * (3 * MACS_PER_SAMPLE - 784 * 300)


def mlp(flatten: bool) -> nn.Sequential:
    """The seeds' MLP; ``flatten`` adds the parameter-free ``nn.Flatten`` for (B, 1, 28, 28) images."""
    layers = [nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10)]
    return nn.Sequential(*([nn.Flatten()] if flatten else []), *layers)


def sync(dev: torch.device) -> None:
    """Wait for queued kernels, so that a wall-clock time covers the work and not just its launch."""
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    elif dev.type == "mps":
        torch.mps.synchronize()


def matmul_seconds(dev: torch.device, n: int = 2048, repeats: int = 10) -> float:
    """Median wall time of one n x n float32 matmul on ``dev`` (2 n^3 FLOPs)."""
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(n, n, generator=gen).to(dev)
    b = torch.randn(n, n, generator=gen).to(dev)
    out = torch.empty(n, n, device=dev)
    for _ in range(3):  # warm-up: thread pool, cuBLAS handles, clocks
        torch.mm(a, b, out=out)
    sync(dev)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b, out=out)
        sync(dev)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def layer_matmuls_seconds(dev: torch.device, batch_size: int, samples: int, repeats: int = 3) -> float:
    """Wall time of one epoch's matmuls alone, at the MLP's own shapes: the floor for any loop.

    Per step, the 3 forward matmuls, the 3 weight-gradient ones and the 2 input-gradient ones
    autograd runs (none for the first layer), on preallocated tensors: no autograd, no
    elementwise work, no optimizer. Median of ``repeats`` epochs after one warm-up.
    """
    gen = torch.Generator().manual_seed(2)
    shapes = [(784, 300), (300, 100), (100, 10)]  # (in, out) per layer
    weights = [torch.randn(o, i, generator=gen).to(dev) for i, o in shapes]           # (out, in)
    inputs = [torch.randn(batch_size, i, generator=gen).to(dev) for i, _ in shapes]   # (B, in)
    grads = [torch.randn(batch_size, o, generator=gen).to(dev) for _, o in shapes]    # (B, out)
    outs = [torch.empty(batch_size, o, device=dev) for _, o in shapes]
    weight_grads = [torch.empty(o, i, device=dev) for i, o in shapes]
    input_grads = [torch.empty(batch_size, i, device=dev) for i, _ in shapes]
    steps = math.ceil(samples / batch_size)
    times = []
    for _ in range(1 + repeats):
        sync(dev)
        start = time.perf_counter()
        for _ in range(steps):
            for k in range(3):
                torch.mm(inputs[k], weights[k].t(), out=outs[k])             # forward: (B, out)
                torch.mm(grads[k].t(), inputs[k], out=weight_grads[k])       # dW: (out, in)
                if k > 0:
                    torch.mm(grads[k], weights[k], out=input_grads[k])       # dX: (B, in)
        sync(dev)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def prepare_torchvision_root(tmp: Path) -> Path:
    """Debian's gzipped IDX files, decompressed where torchvision's download=False looks: ROOT/FashionMNIST/raw/."""
    raw = tmp / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in RAW_FILES:
        with gzip.open(DEBIAN_DIR / f"{name}.gz", "rb") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp


# ---------------------------------------------------------------- the seeds' loop

def run_seeds(root: Path, batch_size: int, epochs: int, dev: torch.device, samples: int | None, seed: int) -> dict:
    """The seed notes' loop, as written there; 1 warm-up + ``epochs`` timed epochs, then test accuracy."""
    from torchvision import datasets, transforms
    from torch.utils.data import DataLoader, Subset

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((SEEDS_MEAN,), (SEEDS_STD,))])
    train_set = datasets.FashionMNIST(str(root), train=True, transform=transform, download=False)
    test_set = datasets.FashionMNIST(str(root), train=False, transform=transform, download=False)
    if samples is not None:
        train_set = Subset(train_set, range(samples))
    dlnotes.seed_everything(seed)
    model = mlp(flatten=True).to(dev)  # same initial weights as the dlnotes run: same seed, same layers
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=NUM_WORKERS)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

    times, losses = [], []
    for _ in range(1 + epochs):
        sync(dev)
        start = time.perf_counter()
        model.train()
        running_loss = 0.0
        for images, labels in train_loader:
            images, labels = images.to(dev), labels.to(dev)
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()  # one host sync per step, as in the seeds
        sync(dev)
        times.append(time.perf_counter() - start)
        losses.append(running_loss / len(train_loader))

    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in DataLoader(test_set, batch_size=TEST_BATCH, num_workers=NUM_WORKERS):
            images, labels = images.to(dev), labels.to(dev)
            correct += (model(images).argmax(1) == labels).sum().item()
            total += labels.numel()
    return {"epoch_times": times[1:], "warmup_time": times[0], "seconds_per_epoch": statistics.median(times[1:]),
            "train_loss": losses[-1], "test_accuracy": correct / total}


# ---------------------------------------------------------------- dlnotes.fit

def run_dlnotes(data, batch_size: int, epochs: int, dev: torch.device, samples: int | None,
                compile_model: bool, seed: int, fused: bool = False) -> dict:
    """``dlnotes.fit`` on a ``TensorLoader`` on the device; epoch times from ``History``."""
    x, y = (data.x_train, data.y_train) if samples is None else (data.x_train[:samples], data.y_train[:samples])
    dlnotes.seed_everything(seed)
    model = mlp(flatten=False)  # rows of 784 already; same parameters as the seeds' model
    loader = dlnotes.TensorLoader(x, y, batch_size=batch_size, shuffle=True, device=dev)
    # fused: one kernel updates every parameter (same SGD with momentum, same numbers up to rounding);
    # off by default, so both loops use the optimizer exactly as the seeds build it.
    optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, fused=fused or None)
    trained = model
    if compile_model:
        # Worth trying on CUDA, where the MLP is launch-bound: Inductor fuses bias+ReLU and
        # the backward's elementwise kernels. The first (warm-up) epoch pays for compiling,
        # including a second graph for the short last batch.
        trained = torch.compile(model)
    history = dlnotes.fit(trained, loader, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=1 + epochs,
                          device=dev)
    times = history.history["time"]
    test = dlnotes.TensorLoader(data.x_test, data.y_test, batch_size=TEST_BATCH, device=dev)
    scores = dlnotes.evaluate(model, test, metrics={"accuracy": dlnotes.accuracy})
    result = {"epoch_times": times[1:], "warmup_time": times[0], "seconds_per_epoch": statistics.median(times[1:]),
              "train_loss": history.history["loss"][-1], "test_accuracy": scores["accuracy"],
              "compiled": compile_model, "fused_optimizer": fused}
    if compile_model:  # the compiled module must compute what the eager one does, with the trained weights
        with torch.no_grad():
            xb = test.tensors[0][:batch_size]
            torch.testing.assert_close(trained(xb), model(xb), rtol=1e-4, atol=1e-4)
    return result


def over_seeds(runs: list[dict]) -> dict:
    """One loop's runs (one per seed): median epoch time over all timed epochs, mean and spread of accuracy."""
    times = [t for run in runs for t in run["epoch_times"]]
    accuracies = [run["test_accuracy"] for run in runs]
    return {"runs": runs, "seconds_per_epoch": statistics.median(times), "test_accuracies": accuracies,
            "test_accuracy": statistics.mean(accuracies),
            "test_accuracy_std": statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0}


# ---------------------------------------------------------------- report

def comparison_line(r: dict) -> str:
    s, d = r["seeds"], r["dlnotes"]
    seeds = len(d["runs"])
    spread = (f" ± {d['test_accuracy_std']:.3f}", f" ± {s['test_accuracy_std']:.3f}") if seeds > 1 else ("", "")
    return (f"batch {r['batch_size']}: dlnotes.fit {r['speedup']:.1f}x faster than the seeds' loop "
            f"({d['seconds_per_epoch']:.3g} s vs {s['seconds_per_epoch']:.3g} s per epoch), "
            f"{r['dlnotes_over_bound']:.2f}x the compute bound, "
            f"accuracy {d['test_accuracy']:.3f}{spread[0]} vs {s['test_accuracy']:.3f}{spread[1]}"
            + (f" (mean over {seeds} seeds, difference {100 * r['accuracy_gap']:+.2f} points)" if seeds > 1 else ""))


def print_table(results: list[dict]) -> None:
    header = ("batch", "seeds s/ep", "dlnotes s/ep", "ratio", "bound s/ep", "dlnotes/bound", "acc seeds (mean)",
              "acc dlnotes (mean)")
    rows = [(str(r["batch_size"]), f"{r['seeds']['seconds_per_epoch']:.3f}", f"{r['dlnotes']['seconds_per_epoch']:.3f}",
             f"{r['speedup']:.1f}x", f"{r['bound_seconds']:.3f}", f"{r['dlnotes_over_bound']:.2f}x",
             f"{r['seeds']['test_accuracy']:.4f}", f"{r['dlnotes']['test_accuracy']:.4f}") for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = lambda cells: "  ".join(c.rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        print(line(row))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after 1 warm-up epoch (default 3)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[64, 256], metavar="B",
                        help="batch sizes to compare (default 64 256); batch 256 is reported last")
    parser.add_argument("--quick", action="store_true",
                        help=f"train on the first {QUICK_SAMPLES:,} images only (a smoke test, not a measurement)")
    parser.add_argument("--compile", action="store_true",
                        help="torch.compile the model for dlnotes.fit (checked against eager after training)")
    parser.add_argument("--fused", action="store_true",
                        help="give dlnotes.fit torch's fused SGD (one kernel for all parameters); the seeds' loop "
                             "keeps the default")
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, metavar="K",
                        help=f"train each loop with seeds 0..K-1 (default {DEFAULT_SEEDS}): accuracies are "
                             "compared as means, times are the median over every timed epoch")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if any(b < 1 for b in args.batch_sizes):
        parser.error("--batch-sizes must be positive")
    # Batch 256 last, so the last line printed is its comparison.
    batch_sizes = sorted(dict.fromkeys(args.batch_sizes), key=lambda b: (b == 256, args.batch_sizes.index(b)))

    dev = dlnotes.device()
    samples = QUICK_SAMPLES if args.quick else None
    n_train = samples or 60_000
    meta = {
        "date": datetime.date.today().isoformat(),
        "device": dlnotes.device_name(dev),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu_cores": os.cpu_count(),
        "cpu_cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "dataloader_num_workers": NUM_WORKERS,
        "optimizer": f"SGD(lr={LR}, momentum={MOMENTUM})",
        "train_samples": n_train,
        "warmup_epochs": 1,
        "timed_epochs": args.epochs,
        "seeds": list(range(args.seeds)),
        "quick": args.quick,
        "compile": args.compile,
        "fused_optimizer": args.fused,
        "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    print(f"device {meta['device']} | torch {meta['torch']} | {meta['date']} | "
          f"{meta['cpu_cores']} CPU cores ({meta['cpu_cores_usable']} usable), torch threads {meta['torch_threads']}")
    print(f"784-300-100-10 ReLU MLP, SGD(lr={LR}, momentum={MOMENTUM}), cross-entropy, {n_train:,} training images"
          f"{' (--quick: a smoke test, not a measurement)' if args.quick else ''}; "
          f"1 warm-up + {args.epochs} timed epochs per seed, seeds 0-{args.seeds - 1}, median epoch reported; "
          f"seeds' DataLoader num_workers={NUM_WORKERS}")

    load = meta["load_average_at_start"]
    if dev.type == "cpu" and load is not None and load > 0.5:
        print(f"warning: the 1-minute load average is {load:.1f} before starting: the CPU has been busy, and "
              "times measured while other processes run are not a clean measurement")

    matmul_before = matmul_seconds(dev)
    layers_before = {b: layer_matmuls_seconds(dev, b, n_train) for b in batch_sizes}
    data = dlnotes.fashion_mnist(normalize="standard", flatten=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="fashion-mnist-") as tmp:
        root = prepare_torchvision_root(Path(tmp))
        for batch_size in batch_sizes:
            seeds_runs, dlnotes_runs = [], []
            for seed in range(args.seeds):
                print(f"batch {batch_size}, seed {seed}: seeds' loop ...", end=" ", flush=True)
                seeds_runs.append(run_seeds(root, batch_size, args.epochs, dev, samples, seed))
                print(f"{seeds_runs[-1]['seconds_per_epoch']:.3f} s/epoch; dlnotes.fit ...", end=" ", flush=True)
                dlnotes_runs.append(run_dlnotes(data, batch_size, args.epochs, dev, samples, args.compile, seed,
                                                 args.fused))
                print(f"{dlnotes_runs[-1]['seconds_per_epoch']:.3f} s/epoch; test accuracy "
                      f"{seeds_runs[-1]['test_accuracy']:.4f} vs {dlnotes_runs[-1]['test_accuracy']:.4f}", flush=True)
            results.append({"batch_size": batch_size, "seeds": over_seeds(seeds_runs),
                            "dlnotes": over_seeds(dlnotes_runs)})
    matmul_after = matmul_seconds(dev)
    for r in results:  # like the 2048^3 matmul: measured before and after the runs, the faster one kept
        after = layer_matmuls_seconds(dev, r["batch_size"], n_train)
        r["layer_matmuls_seconds_before_after"] = [layers_before[r["batch_size"]], after]
        r["layer_matmuls_seconds"] = min(layers_before[r["batch_size"]], after)

    # The bound is optimistic by design: the faster of the two matmul medians, and a 2048^3
    # matmul runs closer to peak than the MLP's (B x 784) @ (784 x 300) ones can.
    matmul = min(matmul_before, matmul_after)
    throughput = 2 * 2048 ** 3 / matmul  # FLOP/s
    meta["load_average_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    meta["matmul_2048_seconds"] = {"before": matmul_before, "after": matmul_after}
    meta["matmul_gflops"] = throughput / 1e9
    meta["epoch_gflop"] = epoch_flops(n_train) / 1e9
    meta["epoch_gflop_exact"] = exact_epoch_flops(n_train) / 1e9
    for r in results:
        r["bound_seconds"] = epoch_flops(n_train) / throughput
        r["bound_seconds_exact_flops"] = exact_epoch_flops(n_train) / throughput
        r["speedup"] = r["seeds"]["seconds_per_epoch"] / r["dlnotes"]["seconds_per_epoch"]
        r["dlnotes_over_bound"] = r["dlnotes"]["seconds_per_epoch"] / r["bound_seconds"]
        r["dlnotes_over_bound_exact_flops"] = r["dlnotes"]["seconds_per_epoch"] / r["bound_seconds_exact_flops"]
        r["layer_matmuls_over_bound"] = r["layer_matmuls_seconds"] / r["bound_seconds"]
        r["accuracy_gap"] = r["dlnotes"]["test_accuracy"] - r["seeds"]["test_accuracy"]

    print()
    print(f"compute bound: {meta['epoch_gflop']:.1f} GFLOP per epoch (3 x 2 x N x 266,200) at "
          f"{meta['matmul_gflops']:.0f} GFLOP/s (2048^3 float32 matmul: median {matmul_before * 1e3:.1f} ms before, "
          f"{matmul_after * 1e3:.1f} ms after the runs, faster one used)")
    print(f"(autograd skips the first layer's input gradient: {meta['epoch_gflop_exact']:.1f} GFLOP exactly, "
          + ", ".join(f"batch {r['batch_size']} at {r['dlnotes_over_bound_exact_flops']:.2f}x that bound"
                      for r in results) + ")")
    print("(the MLP's own matmuls alone, no autograd, elementwise work or optimizer: "
          + ", ".join(f"batch {r['batch_size']} {r['layer_matmuls_seconds']:.3f} s per epoch, "
                      f"{r['layer_matmuls_over_bound']:.2f}x the bound" for r in results) + ")")
    print()
    print_table(results)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
        print(f"\nwrote {args.json}")
    print()
    for r in results:
        print(comparison_line(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
