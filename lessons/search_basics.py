# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] lang="en"
# # Hyper-parameter search: noise, a learning-rate sweep, grid, random and genetic search
#
# A hyper-parameter is a setting that training does not learn: the learning
# rate, the batch size, the width of a layer, the weight decay. The course
# notes list ways to choose them (grid search, random search, a genetic
# algorithm, Bayesian optimisation, coarse-to-fine) and make two claims this
# lesson measures: **C10**, *too small a learning rate is slow, too large
# diverges*, and **C11**, *random search beats grid search at the same budget
# when one hyper-parameter matters little*. The lesson
#
# 1. trains one configuration many times to see how much the result moves
#    from run to run, and whether the initial weights or the order of the
#    mini-batches move it (this sets how large a difference must be before it
#    means anything);
# 2. sweeps the learning rate of plain SGD from $10^{-4}$ to 10 (claim C10);
# 3. trains a lattice of 12 learning rates × 3 weight decays once, and lets
#    grid search and random search, each with 9 trials, pick points of it,
#    a thousand random searches against the grid (claim C11), with a control
#    where the second hyper-parameter (momentum) matters;
# 4. runs the notes' genetic algorithm on the same lattice and compares it
#    with random search at the same number of evaluations.
#
# **The problem** (the Optuna lesson uses the same data and split):
# Fashion-MNIST, the first 6,000 training images to train on and 2,000 *validation* images to score
# each configuration. The validation images are held out of the training
# file; a search never looks at the test set, because the configuration it
# picks is fitted to the images it is scored on. The model is an MLP
# 784 → 64 (ReLU) → 10, trained with SGD in batches of 64 for 3 epochs; one
# run takes well under a second on one CPU thread. On the CPU build, 133
# training runs in all: 8 seeds for section 1, 3 seeds per learning rate in
# section 2, 2 seeds per lattice point in section 3 (1 seed for the control).
# The methods themselves (and Bayesian optimisation) are on the page
# [Hyper-parameter search](../hyperparameter_search.md).

# %% [markdown] lang="zh"
# # 超参数搜索：随机波动、学习率扫描、网格搜索、随机搜索与遗传算法
#
# 超参数是训练过程不会去学习的设置：学习率、批量大小、层的宽度、权重衰减等。课程笔记列出了选择超参数的几种方法（网格搜索、随机搜索、遗传算法、贝叶斯优化、由粗到细的搜索），并提出了两个论断，本实验要对它们做测量：**C10**，*学习率太小训练很慢，太大则会发散*；**C11**，*当某个超参数影响不大时，在相同预算下随机搜索优于网格搜索*。本实验：
#
# 1. 把同一个配置训练多次，看结果在不同运行之间变化多少，以及这种变化来自初始权重还是小批量的顺序（由此确定两个结果相差多少才有意义）；
# 2. 把普通 SGD 的学习率从 $10^{-4}$ 扫描到 10（论断 C10）；
# 3. 把 12 个学习率 × 3 个权重衰减组成的格点各训练一次，让网格搜索和随机搜索（各 9 次试验）从中挑选，用一千次随机搜索与网格搜索比较（论断 C11），并设置一个对照：第二个超参数（动量）影响很大的情形；
# 4. 在同一组格点上运行笔记中的遗传算法，并与评估次数相同的随机搜索比较。
#
# **问题设置**（Optuna 实验使用相同的数据和划分）：Fashion-MNIST，用前 6,000 张训练图片训练，用 2,000 张*验证*图片给每个配置打分。验证图片是从训练文件中留出的；搜索绝不能看测试集，因为它挑出的配置正是针对打分所用的图片调出来的。模型是 784 → 64（ReLU）→ 10 的多层感知机，用 SGD、批量大小 64 训练 3 轮；在单个 CPU 线程上一次训练不到一秒。在 CPU 上构建本站时一共训练 133 次：第 1 节 8 个种子，第 2 节每个学习率 3 个种子，第 3 节每个格点 2 个种子（对照实验 1 个种子）。各种方法本身（以及贝叶斯优化）见页面[超参数搜索](../hyperparameter_search.md)。

# %%
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import LogNorm
from torch import nn

import dlnotes
from dlnotes import TensorLoader, accuracy, fit
from dlnotes.scratch.search import GeneticSearch, grid_points, random_points

start_time = time.perf_counter()
device = dlnotes.device()
plt.rcParams.update({"font.size": 10, "legend.fontsize": 10})
warnings.filterwarnings("ignore", message="loss became", category=RuntimeWarning)  # divergence is recorded below

data = dlnotes.fashion_mnist(normalize="standard", flatten=True, val_size=10000, seed=0)
x_train, y_train = data.x_train[:6000], data.y_train[:6000]   # the images the model learns from
x_val, y_val = data.x_val[:2000], data.y_val[:2000]           # held out of the training file: the search's yardstick
val_loader = TensorLoader(x_val, y_val, batch_size=2000, device=device)
HIDDEN, BATCH, EPOCHS = 64, 64, 3
print(f"running on {dlnotes.device_name(device)}: {len(x_train)} training and {len(x_val)} validation images, "
      f"MLP 784-{HIDDEN}-10, SGD, batch {BATCH}, {EPOCHS} epochs")


def lr_value(exponent: float) -> float:
    """10**exponent rounded to 3 significant digits, so that one rate is the same float everywhere."""
    return float(f"{10 ** exponent:.3g}")


RUNS = {}  # (lr, init seed, order seed, weight decay, momentum) -> History: no configuration is trained twice


def train(lr, seed=0, order_seed=None, weight_decay=0.0, momentum=0.0, cache=True):
    """Train the common problem once; ``seed`` fixes the initial weights, ``order_seed`` the batch order."""
    order_seed = seed if order_seed is None else order_seed
    key = (lr, seed, order_seed, weight_decay, momentum)
    if cache and key in RUNS:
        return RUNS[key]
    dlnotes.seed_everything(seed)  # the initial weights
    model = nn.Sequential(nn.Linear(784, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 10))
    order = torch.Generator().manual_seed(order_seed)  # the order of the mini-batches, epoch after epoch
    train_loader = TensorLoader(x_train, y_train, batch_size=BATCH, shuffle=True, generator=order, device=device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    history = fit(model, train_loader, val_loader, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=EPOCHS,
                  metrics={"accuracy": accuracy}, device=device, progress=False, on_nonfinite="record")
    if cache:
        RUNS[key] = history
    return history


def val_accuracy(history) -> float:
    """Validation accuracy after the last epoch; a run whose loss became nan scores 0.1 (chance), not nan."""
    value = history.history["val_accuracy"][-1]
    return value if np.isfinite(value) else 0.1


t = time.perf_counter()
train(0.1, seed=0)
print(f"one training run (the first, with warm-up): {time.perf_counter() - t:.2f} s")

# %% [markdown] lang="en"
# ## 1. Why repeated runs differ
#
# Train the same configuration (learning rate 0.1, no momentum, no weight
# decay) eight times. Two random things change from run to run: the initial
# weights, drawn when the model is built (`dlnotes.seed_everything(seed)`
# fixes them), and the order in which the mini-batches come (the
# `torch.Generator` given to the `TensorLoader` fixes it). To find which of
# them moves the result, the cell trains three sets of eight runs: both
# change with the seed; only the initial weights change (the order of seed 0
# every time); only the order changes (the weights of seed 0 every time).
# Finally it trains seed 0 a second time from scratch.

# %% [markdown] lang="zh"
# ## 1. 为什么重复运行的结果不同
#
# 把同一个配置（学习率 0.1，无动量，无权重衰减）训练八次。每次运行之间有两样随机的东西会变：一是构建模型时抽取的初始权重（由 `dlnotes.seed_everything(seed)` 固定），二是小批量出现的顺序（由传给 `TensorLoader` 的 `torch.Generator` 固定）。为了弄清是哪一个在影响结果，下面的单元格训练三组、每组八次：两者都随种子变化；只变初始权重（每次都用种子 0 的顺序）；只变顺序（每次都用种子 0 的初始权重）。最后再从头把种子 0 训练一遍。

# %%
BASE_LR, N_SEEDS = 0.1, 8
sources = {
    "init and order": [val_accuracy(train(BASE_LR, seed=s, order_seed=s)) for s in range(N_SEEDS)],
    "init only": [val_accuracy(train(BASE_LR, seed=s, order_seed=0)) for s in range(N_SEEDS)],
    "order only": [val_accuracy(train(BASE_LR, seed=0, order_seed=s)) for s in range(N_SEEDS)],
}
for name, values in sources.items():
    print(f"{name:15s} varies: validation accuracy {np.mean(values):.4f} ± {np.std(values, ddof=1):.4f} "
          f"(min {min(values):.4f}, max {max(values):.4f}; {N_SEEDS} seeds)")
again = val_accuracy(train(BASE_LR, seed=0, order_seed=0, cache=False))
print(f"seed 0 trained a second time: {again:.4f} (first time {sources['init and order'][0]:.4f}); "
      f"identical: {again == sources['init and order'][0]}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.2))
for i, (name, values) in enumerate(sources.items()):
    ax.plot(values, [i] * N_SEEDS, "o", alpha=0.6, color=f"C{i}")
    ax.errorbar(np.mean(values), i + 0.3, xerr=np.std(values, ddof=1), fmt="s", color=f"C{i}", capsize=4)
ax.set_yticks(range(3), [f"{name} varies" for name in sources])
ax.set_ylim(-0.5, 2.8)
ax.set_xlabel(f"validation accuracy after {EPOCHS} epochs")
ax.set_title(f"lr = {BASE_LR}, {N_SEEDS} runs per row (square: mean ± std)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# On this machine the same seeds give the same number to the last digit: on
# the CPU, training is deterministic. Change the seed and the accuracy moves
# by a couple of points. In this run almost all of that came from the order
# of the mini-batches; the initial weights alone moved it much less (the
# printed standard deviations). Why the order matters so much more here is
# a guess we did not test: at learning rate 0.1 plain SGD takes large steps,
# so where the weights stand after the last few batches depends on which
# images those batches held. The sweep of section 2 supports it only weakly
# (3 seeds per rate): among the rates that train well, the spread is
# smallest at the smallest of them, 0.01.
#
# On a GPU there is a third source: some CUDA kernels (scatter-add,
# some convolution algorithms, atomic additions in backward passes) add
# floating-point numbers in an order that changes between runs, so even the
# same seeds can give slightly different weights. `torch.use_deterministic_algorithms(True)`
# (with `CUBLAS_WORKSPACE_CONFIG=:4096:8`) makes PyTorch pick deterministic
# kernels or raise an error where none exists. This lesson ran on the CPU,
# where the question does not arise.
#
# What this means for a search: a single run of a configuration is a noisy
# measurement of it. The cell below turns the spread into a yardstick.

# %% [markdown] lang="zh"
# 在这台机器上，相同的种子给出的数字完全一致，连最后一位都相同：在 CPU 上训练是确定性的。换一个种子，准确率就会变动一两个百分点。本次运行中，这种变动几乎全部来自小批量的顺序；只变初始权重时，变动小得多（见打印出的标准差）。为什么在这里顺序的影响大得多，是一个我们没有检验的猜测：学习率为 0.1 时，普通 SGD 的步子很大，所以权重在最后几个批次之后停在哪里，取决于这几个批次里恰好是哪些图片。第 2 节的扫描结果对这个猜测的支持很弱（每个学习率只有 3 个种子）：在能训练好的学习率中，离散程度在其中最小的 0.01 处最小。
#
# 在 GPU 上还有第三个来源：有些 CUDA 算子（scatter-add、某些卷积算法、反向传播中的原子加法）对浮点数求和的顺序每次运行都不一样，所以即使种子相同，权重也可能略有不同。`torch.use_deterministic_algorithms(True)`（再配合 `CUBLAS_WORKSPACE_CONFIG=:4096:8`）会让 PyTorch 选用确定性的算子，没有确定性实现时则直接报错。本实验在 CPU 上运行，不存在这个问题。
#
# 这对搜索意味着什么：一个配置的单次运行只是对它的一次带噪声的测量。下面的单元格把这种离散程度变成一把尺子。

# %%
sigma = np.std(sources["init and order"], ddof=1)
print(f"run-to-run std of one configuration: sigma = {sigma:.4f}")
print(f"std of the difference of two single runs: sqrt(2) * sigma = {np.sqrt(2) * sigma:.4f}; "
      f"twice that: {2 * np.sqrt(2) * sigma:.4f}")
print(f"std of a mean of 2 runs: sigma / sqrt(2) = {sigma / np.sqrt(2):.4f}")
p = np.mean(sources["init and order"])
print(f"sampling error of an accuracy of {p:.3f} measured on {len(y_val)} images: "
      f"sqrt(p(1-p)/n) = {np.sqrt(p * (1 - p) / len(y_val)):.4f}")

# %% [markdown] lang="en"
# Two configurations trained once each differ by noise alone with a standard
# deviation of $\sqrt 2\,\sigma$; a difference smaller than about twice that
# (the second line) says nothing about which configuration is better. Means
# over several seeds shrink the yardstick by $\sqrt n$. This $\sigma$ belongs
# to learning rate 0.1; in section 2 it is smaller at 0.01. The
# last line is a different error: even a perfectly repeatable model's
# accuracy on 2,000 validation images estimates its accuracy on new images
# only to within about one point (one standard deviation). When a search
# keeps the best of many noisy scores, it also keeps their luck: the best
# score it reports is biased upwards.

# %% [markdown] lang="zh"
# 两个配置各训练一次，仅噪声就会让它们的差值有 $\sqrt 2\,\sigma$ 的标准差；差值小于它的两倍左右（第二行）时，说明不了哪个配置更好。对多个种子取平均，这把尺子会缩小为原来的 $1/\sqrt n$。这里的 $\sigma$ 属于学习率 0.1；在第 2 节中，学习率为 0.01 时它更小。最后一行是另一种误差：即使一个模型完全可以复现，它在 2,000 张验证图片上的准确率，作为对新图片准确率的估计，也有大约一个百分点的误差（一个标准差）。搜索从许多带噪声的分数中留下最好的那个时，也一并留下了它们的运气：搜索报告的最好分数是偏高的。

# %% [markdown] lang="en"
# ## 2. A learning-rate sweep (claim C10)
#
# The course notes (000) sum up their learning-rate search as: with a small
# learning rate training is slow, with a suitable one it reaches a good
# result, and with too large a one it "explodes". Here is the sweep: plain
# SGD (no momentum), nine learning rates from $10^{-4}$ to 10, every decade
# and every half decade between 0.01 and 10, three seeds each. A loss that
# becomes nan or inf ends the run (`on_nonfinite="record"`), and
# `history.diverged_at` says in which epoch; such a run scores the chance
# accuracy 0.1. The uniform guess over 10 classes has a cross-entropy of
# $\ln 10 \approx 2.30$, which is where every run starts.

# %% [markdown] lang="zh"
# ## 2. 学习率扫描（论断 C10）
#
# 课程笔记（000）这样总结他们的学习率搜索：学习率较小时训练速度较慢，学习率合适时能达到较好的效果，学习率太大就“爆炸”了。下面就是这样一次扫描：普通 SGD（无动量），九个学习率，从 $10^{-4}$ 到 10，每个数量级取一个值，0.01 到 10 之间再每半个数量级取一个值，每个学习率 3 个种子。损失一旦变成 nan 或 inf，训练就结束（`on_nonfinite="record"`），`history.diverged_at` 会给出发生在哪一轮；这样的运行按随机猜测的准确率 0.1 计分。在 10 个类别上均匀猜测的交叉熵是 $\ln 10 \approx 2.30$，每次训练都从这里出发。

# %%
SWEEP = [lr_value(e) for e in (-4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1)]
SWEEP_SEEDS = (0, 1, 2)
sweep = {(lr, s): train(lr, seed=s) for lr in SWEEP for s in SWEEP_SEEDS}
sweep_acc = {lr: [val_accuracy(sweep[lr, s]) for s in SWEEP_SEEDS] for lr in SWEEP}
print(f"{'lr':>7s} {'val accuracy':>17s} {'loss, epoch 1':>14s} {'epoch 3':>10s} {'fall in epoch 3':>16s}  nan at epoch")
for lr in SWEEP:
    losses = np.array([sweep[lr, s].history["loss"] + [np.nan] * (EPOCHS - len(sweep[lr, s])) for s in SWEEP_SEEDS])
    accs = sweep_acc[lr]
    print(f"{lr:7g} {np.mean(accs):8.4f} ± {np.std(accs, ddof=1):.4f} {np.mean(losses[:, 0]):14.4g} "
          f"{np.mean(losses[:, -1]):10.4g} {np.mean(losses[:, -2] - losses[:, -1]):16.4g}  "
          f"{[sweep[lr, s].diverged_at for s in SWEEP_SEEDS]}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
cmap, norm = plt.get_cmap("viridis"), LogNorm(min(SWEEP), max(SWEEP))
CAP = 8  # losses above it (lr 3.16: millions) are drawn at the top as triangles, so the others stay readable
for lr in SWEEP:
    epochs, loss = np.array(sweep[lr, 0].history["epoch"]), np.array(sweep[lr, 0].history["loss"])
    shown = np.isfinite(loss) & (loss <= CAP)
    left.plot(epochs[shown], loss[shown], marker="o", color=cmap(norm(lr)))
    above, nan = np.isfinite(loss) & (loss > CAP), ~np.isfinite(loss)
    left.plot(epochs[above], [CAP] * above.sum(), marker="^", ms=9, color=cmap(norm(lr)), ls="none")
    left.plot(epochs[nan], [CAP] * nan.sum(), marker="x", ms=10, mew=2, color=cmap(norm(lr)), ls="none")
left.axhline(np.log(10), color="grey", ls=":", lw=1)
left.set_yscale("log")
left.set_ylim(0.3, CAP * 1.3)
left.set_xticks(range(1, EPOCHS + 1))
left.set_xlabel("epoch")
left.set_ylabel("training loss (seed 0)")
left.set_title(f"dotted: ln 10; ▲ loss > {CAP}; x: nan", fontsize=10)
fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=left, label="learning rate")
for s in SWEEP_SEEDS:
    right.plot(SWEEP, [sweep_acc[lr][s] for lr in SWEEP], ".", color="grey", alpha=0.6)
right.errorbar(SWEEP, [np.mean(sweep_acc[lr]) for lr in SWEEP], yerr=[np.std(sweep_acc[lr], ddof=1) for lr in SWEEP],
               marker="o", capsize=3)
right.axhline(0.1, color="grey", ls=":", lw=1)
right.set_xscale("log")
right.set_xlabel("learning rate")
right.set_ylabel("validation accuracy")
right.set_title("mean ± std of 3 seeds (dots: seeds)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# Reading the table and the figure (values from this run): the three
# smallest rates are *slow*, not broken. At $10^{-4}$ the loss has hardly
# left 2.30 after three epochs; at $10^{-3}$ and 0.01 it still falls by
# about 0.2 in the last epoch; more epochs would carry them further. From
# 0.0316 to 0.1 the runs reach the best accuracies of the sweep, about 0.79
# to 0.80, and 0.316 is already a few points lower. At 1 the first-epoch
# loss is *above* the 2.30 of the uniform guess and the accuracy stays near
# chance; at 3.16 the loss reaches millions in the first epoch and is still
# in the hundreds after the third; at 10 it becomes nan within the first
# epoch in every seed.

# %% [markdown] lang="zh"
# 解读上表和上图（数值取自本次运行）：最小的三个学习率是*慢*，而不是坏了。学习率为 $10^{-4}$ 时，训练三轮后损失几乎还停在 2.30；学习率为 $10^{-3}$ 和 0.01 时，最后一轮损失仍下降约 0.2；多训练几轮，它们还会继续进步。学习率从 0.0316 到 0.1，训练达到了这次扫描中最好的准确率，约 0.79 到 0.80，而 0.316 已经低了几个百分点。学习率为 1 时，第一轮的损失*高于*均匀猜测的 2.30，准确率停留在随机猜测附近；3.16 时第一轮损失达到数百万，第三轮后仍有几百；10 时每个种子都在第一轮内变成 nan。

# %% [markdown] lang="en" claim="C10" verdict="holds" statement="With a small learning rate training is slow, with a suitable one it reaches a good result, and with too large a one it explodes."
# !!! note "Verdict on claim C10"
#     **Holds**, with a narrow band between "right" and "explodes". Plain SGD,
#     batch 64, 3 epochs on 6,000 images, validation accuracy as mean ± std
#     over 3 seeds on the CPU build:
#
#     * **Too small (slow):** $10^{-4}$ gives 0.17 ± 0.05, $10^{-3}$
#       0.59 ± 0.02 and 0.01 0.755 ± 0.004, with the training loss still
#       falling at the end (by about 0.03, 0.19 and 0.16 in the last epoch):
#       these runs are unfinished, not stuck.
#     * **Right:** 0.0316 (0.79 ± 0.01) and 0.1 (0.80 ± 0.01) cannot be told
#       apart with 3 seeds; 0.316 is lower (0.76 ± 0.01).
#     * **Fails, then diverges:** at 1 the loss of the first epoch is above
#       its starting value $\ln 10$ and the accuracy is 0.15 ± 0.05, near
#       chance, although the loss stays finite; at 3.16 the loss blows up
#       (hundreds after 3 epochs) and at 10 it becomes nan in the first epoch
#       for all 3 seeds.
#
#     The good band is about half a decade wide, and training fails only one
#     decade above the best rate. The boundaries hold for this training length
#     and batch size: a longer run moves "too small" down, and momentum or
#     a larger batch moves the whole curve sideways (section 3 shows momentum
#     doing so).

# %% [markdown] lang="zh" claim="C10" verdict="holds" statement="学习率较小时训练速度较慢，学习率合适时能达到较好的效果，学习率太大就会爆炸。"
# !!! note "论断 C10 的结论"
#     **成立**，但“合适”与“爆炸”之间的区间很窄。普通 SGD，批量大小 64，在 6,000 张图片上训练 3 轮，验证准确率为本站在 CPU 上构建时 3 个种子的均值 ± 标准差：
#
#     * **太小（慢）：** $10^{-4}$ 得到 0.17 ± 0.05，$10^{-3}$ 得到 0.59 ± 0.02，0.01 得到 0.755 ± 0.004，而训练损失到最后仍在下降（最后一轮分别下降约 0.03、0.19 和 0.16）：这些运行只是没有练完，而不是卡住了。
#     * **合适：** 0.0316（0.79 ± 0.01）与 0.1（0.80 ± 0.01）在 3 个种子下无法区分；0.316 更低（0.76 ± 0.01）。
#     * **先失效，再发散：** 学习率为 1 时，第一轮的损失高于起点 $\ln 10$，准确率为 0.15 ± 0.05，接近随机猜测，但损失仍是有限值；3.16 时损失爆炸（3 轮后达到几百）；10 时 3 个种子都在第一轮内变成 nan。
#
#     好的区间大约只有半个数量级宽，比最佳学习率大一个数量级训练就失败了。这些边界只对这样的训练时长和批量大小成立：训练更久，“太小”的边界会下移；动量或更大的批量会让整条曲线左右平移（第 3 节可以看到动量的这种作用）。

# %% [markdown] lang="en"
# ## 3. Grid against random search at the same budget (claim C11)
#
# The CS231n-style notes (004) argue: with 9 trials, a grid gives each of
# two hyper-parameters only 3 values, while random search "is very unlikely
# to pick the same value twice" and so tries 9 values of each; if one of
# them matters much more than the other, random search explores the
# important one more widely and finds a good configuration in fewer trials.
#
# To test this at a budget that fits, every point of a lattice is trained
# once per seed, and the searches only *read* the table: 12 learning rates a
# quarter of a decade apart, from 0.00316 to 1.78, times 3 weight decays
# (0, 0.001, 0.01), each point the mean validation accuracy of 2 seeds. The
# same two seeds (initial weights and batch order) are used at every point,
# so neighbouring points differ by their hyper-parameters, not by luck.
# Weight decay is the candidate for "matters little": the cell measures it.
# The control is a lattice where the second hyper-parameter is SGD momentum
# (0, 0.5, 0.9), which changes the step size a lot; for lack of time it is
# trained with seed 0 only. Every lattice point is an independent run, so
# such a search parallelises perfectly (the notes suggest running the loops
# in parallel); here they ran one after another on one thread.

# %% [markdown] lang="zh"
# ## 3. 相同预算下的网格搜索与随机搜索（论断 C11）
#
# CS231n 风格的笔记（004）是这样论证的：9 次试验时，网格搜索只能给两个超参数各取 3 个值，而随机搜索“多次选中同一个值的可能性微乎其微”，因此每个超参数都试了 9 个值；如果其中一个超参数比另一个重要得多，随机搜索就能更广泛地探索重要的那个，用更少的试验找到好的配置。
#
# 为了在有限的时间内检验这一点，我们把一组格点上的每个点对每个种子各训练一次，搜索只是*查表*：12 个学习率，相邻两个相差四分之一个数量级，从 0.00316 到 1.78，乘以 3 个权重衰减（0、0.001、0.01），每个点取 2 个种子的平均验证准确率。每个点都使用同样的两个种子（初始权重和批量顺序），所以相邻格点的差别来自超参数，而不是运气。权重衰减是“影响不大”的候选：下面的单元格会测量它。对照实验的格点把第二个超参数换成 SGD 的动量（0、0.5、0.9），它会大幅改变步长；由于时间所限，对照只用种子 0 训练。每个格点都是一次独立的训练，所以这样的搜索可以完全并行（笔记也建议把多层循环并行化）；这里它们在一个线程上依次运行。

# %%
LATTICE_LRS = [lr_value(e) for e in np.arange(-2.5, 0.5, 0.25)]  # 12 rates, a quarter of a decade apart
DECAYS, MOMENTA, LATTICE_SEEDS = [0.0, 0.001, 0.01], [0.0, 0.5, 0.9], (0, 1)
print("lattice learning rates:", LATTICE_LRS)
acc_wd = np.array([[[val_accuracy(train(lr, seed=s, weight_decay=wd)) for s in LATTICE_SEEDS] for lr in LATTICE_LRS]
                   for wd in DECAYS])  # (decays, rates, seeds)
table_wd = acc_wd.mean(-1)             # (decays, rates): the mean of 2 seeds
table_mom = np.array([[val_accuracy(train(lr, seed=0, momentum=m)) for lr in LATTICE_LRS]
                      for m in MOMENTA])  # (momenta, rates), seed 0
print(f"{len(RUNS)} distinct training runs so far, {time.perf_counter() - start_time:.0f} s")
for name, table, values in (("weight decay", table_wd, DECAYS), ("momentum", table_mom, MOMENTA)):
    best = table.max(1)  # the best over the learning rates, for each value of the second hyper-parameter
    print(f"{name:12s} best over lr: {', '.join(f'{v:g}: {b:.4f}' for v, b in zip(values, best))} "
          f"(range {best.max() - best.min():.4f}); at the best lr of each: "
          f"{[LATTICE_LRS[i] for i in table.argmax(1)]}")
    at_lr = table.max(0) - table.min(0)  # at each learning rate, the range over the second hyper-parameter
    print(f"{'':12s} range over {name} at a fixed lr: median {np.median(at_lr):.4f}; "
          f"range over lr at a fixed {name}: median {np.median(table.max(1) - table.min(1)):.4f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, table, values, name in ((axes[0], table_wd, DECAYS, "weight decay"), (axes[1], table_mom, MOMENTA, "momentum")):
    for i, value in enumerate(values):
        ax.plot(LATTICE_LRS, table[i], marker="o", ms=4, label=f"{name} {value:g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.legend(loc="lower left")
axes[0].set_ylabel("validation accuracy")
axes[0].set_title("mean of 2 seeds", fontsize=10)
axes[1].set_title("control, seed 0 only", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# Weight decay matters little here: the three curves of the left panel lie
# on top of each other, and the best accuracy over the learning rates hardly
# changes with it (the printed range), while the learning rate moves the
# accuracy from chance to the best. Momentum matters a great deal at a fixed
# learning rate: it multiplies the step, roughly by $1/(1-\mu)$, so its
# curves are roughly the same hill shifted to smaller rates, and with
# $\mu = 0.9$ the accuracy already falls steeply at 0.178. Its best accuracy
# over the learning rates, though, changes by less than a point (printed
# above; one seed, well inside the noise of section 1): with the learning
# rate chosen well, momentum barely matters here either.
#
# Now the searches. Grid search takes the learning rates 0.01, 0.1 and 1 (the
# grid most people would write) times the three values of the other
# hyper-parameter: 9 points, `grid_points`. Random search draws 9 of the 36
# lattice points with `random_points` (exactly scikit-learn's
# `ParameterSampler` for a space of lists: drawn *without replacement* from
# the lattice). Each search reports the best table value among its points;
# random search is repeated with 1,000 seeds. Which 3 rates the grid gets is
# itself a choice, so the cell also reports the grid's best for all four
# decade-spaced placements on the lattice (0.00316, 0.0316, 0.316; 0.00562,
# 0.0562, 0.562; 0.01, 0.1, 1; 0.0178, 0.178, 1.78).

# %% [markdown] lang="zh"
# 这里权重衰减的影响很小：左图的三条曲线几乎重合，对学习率取最优后的最好准确率几乎不随它变化（见打印出的范围），而学习率能让准确率从随机猜测变到最好。在固定的学习率下，动量的影响非常大：它大致把步长乘以 $1/(1-\mu)$，所以它的几条曲线大致是同一座山向较小学习率方向的平移，$\mu = 0.9$ 时在学习率 0.178 处准确率就已经急剧下降。不过，对学习率取最优后，它的最好准确率变化不到一个百分点（见上面的输出；只有一个种子，远在第 1 节的噪声之内）：只要学习率选得好，动量在这里也几乎无关紧要。
#
# 下面是搜索。网格搜索取学习率 0.01、0.1 和 1（大多数人会写出的网格）乘以另一个超参数的三个值：共 9 个点，用 `grid_points` 生成。随机搜索用 `random_points` 从 36 个格点中抽取 9 个（与 scikit-learn 的 `ParameterSampler` 在取值为列表时完全一致：从格点中*不放回*地抽取）。每种搜索报告它的点中最好的表值；随机搜索用 1,000 个种子重复。网格取哪 3 个学习率本身也是一种选择，所以单元格还报告了网格在格点上四种相隔一个数量级的摆放方式下的最好结果（0.00316、0.0316、0.316；0.00562、0.0562、0.562；0.01、0.1、1；0.0178、0.178、1.78）。

# %%
GRID_LRS, N_DRAWS = [0.01, 0.1, 1.0], 1000


def lookup(table, values) -> dict:
    """The table as a dict (lr, value) -> validation accuracy: the 'training run' the searches call."""
    return {(lr, v): float(table[i, j]) for i, v in enumerate(values) for j, lr in enumerate(LATTICE_LRS)}


def compare(table, name, values) -> dict:
    score = lookup(table, values)
    grid = grid_points({"lr": GRID_LRS, name: values})
    grid_best = max(score[p["lr"], p[name]] for p in grid)
    placements = [max(score[lr, v] for lr in LATTICE_LRS[k::4] for v in values) for k in range(4)]
    best, distinct = [], []
    for seed in range(N_DRAWS):
        points = random_points({"lr": LATTICE_LRS, name: values}, n_iter=len(grid), seed=seed)
        best.append(max(score[p["lr"], p[name]] for p in points))
        distinct.append(len({p["lr"] for p in points}))
    best = np.array(best)
    gap = best - grid_best
    print(f"{name}: lattice best {table.max():.4f}; grid {GRID_LRS} x {values}: best {grid_best:.4f}")
    print(f"  the 4 decade-spaced grids: {', '.join(f'{b:.4f}' for b in placements)}")
    print(f"  random, 9 points, {N_DRAWS} draws: median best {np.median(best):.4f} "
          f"(5 % to 95 %: {np.percentile(best, 5):.4f} to {np.percentile(best, 95):.4f}); "
          f"{np.mean(distinct):.1f} distinct lr values on average, against the grid's {len(GRID_LRS)}")
    print(f"  P(random >= grid) = {np.mean(gap >= 0):.3f}, P(random > grid) = {np.mean(gap > 0):.3f}; "
          f"gap random - grid: median {np.median(gap):+.4f}, mean {np.mean(gap):+.4f}")
    print(f"  against a grid placed at random (the 4 placements averaged): "
          f"P(random >= grid) = {np.mean([np.mean(best >= b) for b in placements]):.3f}, "
          f"mean gap {np.mean(best) - np.mean(placements):+.4f}")
    return {"grid": grid, "grid_best": grid_best, "best": best}


result_wd = compare(table_wd, "weight_decay", DECAYS)
result_mom = compare(table_mom, "momentum", MOMENTA)
print(f"noise yardstick from section 1: a mean of 2 runs has std {sigma / np.sqrt(2):.4f}, one run {sigma:.4f}")

# %%
example = random_points({"lr": LATTICE_LRS, "weight_decay": DECAYS}, n_iter=9, seed=0)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), sharey=True, layout="constrained")
for ax, points, title in ((axes[0], result_wd["grid"], "grid"), (axes[1], example, "random (seed 0)")):
    image = ax.imshow(table_wd, aspect="auto", origin="lower", cmap="viridis", vmin=0.1, vmax=table_wd.max())
    columns = [LATTICE_LRS.index(p["lr"]) for p in points]
    rows = [DECAYS.index(p["weight_decay"]) for p in points]
    ax.plot(columns, rows, "o", mfc="none", mec="red", ms=12, mew=2)
    ax.set_xticks(range(0, len(LATTICE_LRS), 2), [f"{lr:g}" for lr in LATTICE_LRS[::2]])
    ax.set_xlabel("learning rate")
    ax.set_title(f"{title}: {len(set(columns))} distinct learning rates", fontsize=10)
axes[0].set_yticks(range(len(DECAYS)), [f"{d:g}" for d in DECAYS])
axes[0].set_ylabel("weight decay")
fig.colorbar(image, ax=axes, label="validation accuracy")
plt.show()

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
for ax, result, title in ((axes[0], result_wd, "lr × weight decay"), (axes[1], result_mom, "control: lr × momentum")):
    bins = np.arange(min(result["best"].min(), result["grid_best"]) - 0.001, result["best"].max() + 0.003, 0.002)
    ax.hist(result["best"], bins=bins, color="C0", alpha=0.8, label=f"random ({N_DRAWS} draws)")
    ax.axvline(result["grid_best"], color="C3", lw=2, label="grid 3 × 3")
    ax.set_xlabel("best validation accuracy found")
    ax.set_title(title, fontsize=10)
axes[0].set_ylabel("number of searches")
axes[0].legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The notes' mechanism is there: the grid tries 3 learning rates, a random
# search about 7 of the 12 on the lattice (not 9, because the lattice is
# finite and points that share a learning rate are drawn too; the notes'
# "very unlikely to repeat" holds for continuous distributions, not for a
# list of values). And random search ends at least as high as the grid in
# most of the 1,000 draws. But the gains are tiny: the median gap is a few
# hundredths of a point, the mean gap is even slightly negative (the draws
# that miss the good region lose more than the others gain), and both are
# small next to the noise of one table cell (the last printed line). The
# placement of the grid matters far more than grid against random: the four
# decade-spaced grids span about 2.5 points, because whether one of the
# grid's three rates lands on the top of the hill is luck. Against a grid
# whose placement is itself left to chance (the four placements averaged),
# random search comes out ahead by about 0.6 points on average: this is the
# protection the notes' argument promises, and it is still only half the
# noise of one table cell. The control gives
# the same picture: a grid of learning rate × momentum ties with random
# search, because with momentum $\mu$ the effective step is about
# $\eta/(1-\mu)$, so the grid's 9 points already try 9 different effective
# steps.

# %% [markdown] lang="zh"
# 笔记所说的机制确实存在：网格只试了 3 个学习率，一次随机搜索平均试了格点上 12 个学习率中的约 7 个（不是 9 个，因为格点是有限的，共享同一学习率的点也会被抽到；笔记中“几乎不会重复”只对连续分布成立，对一组离散取值不成立）。在 1,000 次抽取中，多数情况下随机搜索的结果至少和网格一样高。但收益微乎其微：差距的中位数只有百分之零点零几，平均差距甚至略为负值（没能抽中好区域的那几次输掉的，比其他几次赢得的还多），两者与一个表格单元自身的噪声（最后一行打印的值）相比都很小。网格放在哪里比网格还是随机重要得多：四种相隔一个数量级的网格，结果相差约 2.5 个百分点，因为网格的三个学习率中是否恰好有一个落在山顶，全凭运气。如果网格的摆放本身也听天由命（对四种摆放取平均），随机搜索平均领先约 0.6 个百分点：这正是笔记的论证所承诺的保护，但它仍只有一个表格单元噪声的一半。对照实验给出同样的结论：学习率 × 动量的网格与随机搜索打成平手，因为动量为 $\mu$ 时有效步长约为 $\eta/(1-\mu)$，网格的 9 个点已经试了 9 种不同的有效步长。

# %% [markdown] lang="en" claim="C11" verdict="partly holds" statement="Random search explores the space more widely than grid search, so at the same budget it finds a good configuration in fewer trials, at least when one hyper-parameter matters much more than another."
# !!! note "Verdict on claim C11"
#     **The mechanism holds; the advantage is too small to tell here.** On a
#     lattice of 12 learning rates × 3 weight decays (each point the mean of
#     2 seeds, 3 epochs, CPU build), weight decay matters little: the best
#     accuracy over the learning rates is 0.810, 0.810 and 0.808 for decay 0,
#     0.001 and 0.01, while the learning rate spans chance to 0.81. With 9
#     trials each:
#
#     * random search tries about 7 distinct learning rates to the grid's 3,
#       and its best is at least the grid's (0.807) in about 70 % of 1,000
#       draws (strictly higher in about 61 %);
#     * but the median gain is +0.0003 and the mean gap −0.0011, while one
#       cell's own noise is about ±0.012 (σ = 0.017 for one run of lr 0.1,
#       8 seeds, section 1): the two searches cannot be told apart;
#     * the grid's placement matters more: the four decade-spaced grids give
#       0.785 to 0.810; against a grid placed at random (the four averaged),
#       random search is ahead by 0.006 on average, still below the noise.
#
#     Control (learning rate × momentum, 1 seed): momentum changes accuracy a
#     lot at a fixed rate, yet the grid (0.815) and random search (median
#     0.815, at least as high in about 59 % of draws) tie again. Confounds:
#     one lattice resolution (a quarter decade), one training length, a budget
#     of 9, and a hill whose good region (about half a decade) is wide
#     compared with the grid's decade spacing. The advantage the notes
#     describe grows when the good region of the important parameter is
#     narrow compared with the grid's spacing, or with more unimportant
#     dimensions, neither of which this problem has.

# %% [markdown] lang="zh" claim="C11" verdict="partly holds" statement="随机搜索比网格搜索更广泛地探索了超参数空间，因此在相同预算下能用更少的试验找到好的配置，至少在一个超参数比另一个重要得多时如此。"
# !!! note "论断 C11 的结论"
#     **机制成立，但在这里优势小到无法分辨。** 在 12 个学习率 × 3 个权重衰减的格点上（每个点取 2 个种子的均值，训练 3 轮，本站在 CPU 上构建时的运行），权重衰减的影响很小：对学习率取最优后，衰减为 0、0.001 和 0.01 时的最好准确率分别是 0.810、0.810 和 0.808，而学习率能让准确率从随机猜测变到 0.81。两种搜索各做 9 次试验：
#
#     * 随机搜索平均试了约 7 个不同的学习率，网格只有 3 个；在 1,000 次抽取中，约 70% 的情况下随机搜索的最好结果不低于网格的 0.807（严格更高的约占 61%）；
#     * 但收益的中位数只有 +0.0003，平均差距为 −0.0011，而一个格点自身的噪声约为 ±0.012（第 1 节：学习率 0.1 单次运行的 σ = 0.017，8 个种子）：两种搜索无法区分；
#     * 网格放在哪里影响更大：四种相隔一个数量级的网格给出 0.785 到 0.810；与随机摆放的网格相比（对四种摆放取平均），随机搜索平均领先 0.006，仍在噪声之内。
#
#     对照实验（学习率 × 动量，1 个种子）：固定学习率时动量对准确率影响很大，但网格（0.815）与随机搜索（中位数 0.815，约 59% 的抽取不低于网格）再次打成平手。混杂因素：只用了一种格点分辨率（四分之一个数量级）、一种训练时长、9 次试验的预算，而且山顶的好区域（约半个数量级）相对于网格一个数量级的间距来说很宽。当重要参数的好区域比网格间距窄，或者不重要的维度更多时，笔记所说的优势会变大；这个问题两者都不具备。

# %% [markdown] lang="en"
# ## 4. Genetic search on the same lattice
#
# The notes' genetic algorithm treats a configuration as a chromosome and
# each hyper-parameter as a gene: score a population, keep the best
# (selection), draw parents in proportion to their fitness (roulette wheel),
# mix their genes (crossover), redraw a gene now and then (mutation), and
# repeat. `GeneticSearch` runs it over the same 12 × 3 lattice with a
# population of 6, 3 survivors, 4 generations and a mutation rate of 0.1.
# The fitness is the table's validation accuracy: nothing is retrained, and a
# configuration met again keeps its first score, so `evaluations_` counts
# the distinct configurations scored.

# %% [markdown] lang="zh"
# ## 4. 在同一组格点上做遗传算法搜索
#
# 笔记中的遗传算法把一个配置看作一条染色体，把每个超参数看作一个基因：给种群打分，留下最好的（选择），按适应度的比例抽取父母（轮盘赌），混合它们的基因（交叉），偶尔重新抽取某个基因（变异），然后重复。`GeneticSearch` 在同样的 12 × 3 格点上运行这个算法，种群大小为 6，保留 3 个，进化 4 代，变异率为 0.1。适应度就是表中的验证准确率：不重新训练，再次遇到的配置沿用第一次的分数，所以 `evaluations_` 统计的是打过分的不同配置的个数。

# %%
space = {"lr": LATTICE_LRS, "weight_decay": DECAYS}
score_wd = lookup(table_wd, DECAYS)


def fitness(params: dict) -> float:
    """The validation accuracy in the table: a look-up, not a training run."""
    return score_wd[params["lr"], params["weight_decay"]]


ga = GeneticSearch(space, population=6, survivors=3, generations=4, mutation=0.1, seed=0).fit(fitness)
print(f"seed 0: best {ga.best_params_} with {ga.best_fitness_:.4f}, after {ga.evaluations_} distinct evaluations")
print(ga.history_.groupby("generation")["fitness"].agg(["max", "mean"]).round(4))

# %%
N_GA = 500
ga_best, random_best, n_evaluations = [], [], []
for seed in range(N_GA):
    search = GeneticSearch(space, population=6, survivors=3, generations=4, mutation=0.1, seed=seed).fit(fitness)
    ga_best.append(search.best_fitness_)
    n_evaluations.append(search.evaluations_)
    points = random_points(space, n_iter=search.evaluations_, seed=seed)  # the same number of distinct points
    random_best.append(max(fitness(p) for p in points))
ga_best, random_best = np.array(ga_best), np.array(random_best)
diff = ga_best - random_best
print(f"{N_GA} searches; distinct evaluations per search: mean {np.mean(n_evaluations):.1f} "
      f"(from {min(n_evaluations)} to {max(n_evaluations)}) of the {len(score_wd)} lattice points")
for name, best in (("genetic", ga_best), ("random ", random_best)):
    print(f"{name}: best found, mean {best.mean():.4f}, median {np.median(best):.4f}; "
          f"found the lattice's best ({table_wd.max():.4f}) in {np.mean(best == table_wd.max()):.3f} of the searches")
print(f"genetic - random at the same budget and seed: mean {diff.mean():+.4f}; genetic ahead in {np.mean(diff > 0):.3f}, "
      f"tied in {np.mean(diff == 0):.3f}, behind in {np.mean(diff < 0):.3f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
history = ga.history_
jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(history))
dots = left.scatter(history["generation"] + jitter, history["fitness"], c=history["lr"], norm=LogNorm(), s=30)
fig.colorbar(dots, ax=left, label="learning rate")
left.set_xticks(range(1, 5))
left.set_xlabel("generation")
left.set_ylabel("validation accuracy (table)")
left.set_title("genetic search, seed 0", fontsize=10)
right.ecdf(ga_best, color="C2", lw=2, label="genetic")
right.ecdf(random_best, color="C0", lw=2, ls="--", label="random, same budget")
right.set_xlim(0.775, table_wd.max() + 0.003)
right.set_xlabel("best validation accuracy found")
right.set_ylabel("share of searches at or below")
right.set_title(f"{N_GA} searches each (lower curve: better)", fontsize=10)
right.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The generations do what the notes describe: after the first, the
# population gathers on the good learning rates and its mean fitness rises
# (the printed table for seed 0). But gathering is also its weakness on so
# small a space: children of good parents are often copies of configurations
# already scored, so a search of 6 × 4 configurations scores only about 7
# distinct ones on average. At the same number of distinct evaluations,
# random search does as well: over 500 seeds the genetic search is ahead in
# about 45 % of the searches and behind in about 41 %, with a mean
# difference of about −0.001, far inside the noise of section 1. It finds
# the lattice's very best point a little more often (about 27 % of the
# searches against 21 %), and misses the good region a little more often
# too (the left tail of its curve): no winner.
#
# The table hides the genetic algorithm's real difficulty. With real
# training the fitness is noisy (σ about 1.7 points at lr 0.1 here), so the
# survivors are partly the lucky runs, and a configuration met again keeps
# its lucky first score. Random search suffers from the same selection
# luck, but does not steer its next trials by it. This lesson did not
# measure that effect: it would need each lattice point trained with many
# more seeds.

# %% [markdown] lang="zh"
# 各代的行为与笔记描述的一致：从第二代起，种群向好的学习率聚集，平均适应度上升（见种子 0 打印出的表）。但在这么小的空间里，聚集也正是它的弱点：好父母生下的孩子常常是已经打过分的配置的副本，所以 6 × 4 个配置的搜索平均只评估了约 7 个不同的配置。在不同配置评估次数相同时，随机搜索做得一样好：500 个种子中，遗传算法约有 45% 的搜索领先，约 41% 落后，平均差距约为 −0.001，远在第 1 节测得的噪声之内。它找到格点上最好那个点的次数稍多一些（约 27% 的搜索，随机搜索约 21%），但错过好区域的次数也稍多一些（曲线左侧的尾巴）：没有赢家。
#
# 查表掩盖了遗传算法真正的困难。真实训练时适应度是带噪声的（这里学习率 0.1 时 σ 约为 1.7 个百分点），所以存活下来的有一部分是运气好的运行，而再次遇到的配置还会沿用它第一次的好运分数。随机搜索同样会受到这种挑选带来的运气的影响，但它不会根据运气来决定下一步试哪里。本实验没有测量这个效应：那需要对每个格点用多得多的种子来训练。

# %% [markdown] lang="en"
# ## 5. What to take away
#
# * A single training run is a noisy measurement. Here one configuration
#   moved by about ±1.7 points from seed to seed, mostly through the order of
#   the mini-batches; compare configurations with several seeds, and do not
#   read differences smaller than about twice the noise of a difference.
# * The learning rate is the hyper-parameter to search first, on a log
#   scale: too small is slow, a band of about half a decade is good, and
#   one decade above the best, plain SGD fails and then diverges.
# * Random search does try more values of the important hyper-parameter
#   than a grid of the same size, which protects it against a badly placed
#   grid; on this small problem, though, grid, random and genetic search
#   found configurations that noise cannot tell apart. Where the good
#   values lie (the range you give the search) mattered more than the
#   method.
# * Score configurations on held-out validation data, never on the test
#   set, and expect the best score a search reports to be optimistic.

# %% [markdown] lang="zh"
# ## 5. 要点
#
# * 单次训练只是一次带噪声的测量。这里同一个配置换一个种子，结果就会变动约 ±1.7 个百分点，主要来自小批量的顺序；比较配置时要用多个种子，差值小于“差值噪声”的两倍左右时不要下结论。
# * 学习率是最先要搜索的超参数，而且要在对数尺度上搜索：太小训练很慢，好的区间大约半个数量级宽，比最佳值大一个数量级时，普通 SGD 先是训练失败，接着发散。
# * 在相同规模下，随机搜索确实比网格试了更多重要超参数的取值，这使它不怕网格放错位置；不过在这个小问题上，网格搜索、随机搜索和遗传算法找到的配置在噪声面前无法区分。好的取值落在哪里（也就是给搜索的范围）比用哪种方法更重要。
# * 要在留出的验证数据上给配置打分，绝不能用测试集，并且要预料到搜索报告的最好分数是偏乐观的。

# %%
print(f"{len(RUNS) + 1} training runs in all (one of them the repeat of seed 0)")
print(f"total running time: {time.perf_counter() - start_time:.0f} s on {dlnotes.device_name(device)}")
