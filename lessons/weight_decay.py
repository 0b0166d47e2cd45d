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
# # Weight decay, L1 and dropout on a linear model
#
# The course notes (001) train a linear model on a problem built to overfit,
# d = 200 inputs and only n = 20 training examples, and report that weight
# decay shrinks the weights from ‖w‖ ≈ 13.1 to ≈ 0.34 at λ = 3 and lowers the
# test loss (claim **C9** of the syllabus). This lesson repeats that
# experiment over five seeds, then uses the same small problem, where a run
# takes a fraction of a second, to test five more things:
#
# 1. the L2 penalty written into the loss and the `weight_decay` of
#    `torch.optim.SGD` (with parameter groups, so that the bias is not
#    decayed) train the same model;
# 2. a sweep of λ with its training and test loss curves, and *why* the test
#    loss falls here;
# 3. Adam with an L2 penalty against AdamW's decoupled decay, at matched
#    settings;
# 4. L1 against L2: how many weights end exactly at zero at matched
#    validation loss, with (sub)gradient steps and with a proximal step;
# 5. whether dropout on the inputs shrinks the weights like L2, as the notes
#    say.
#
# Each seed draws new training, validation (100) and test (100) examples and
# new initial weights; all variants of one seed share them, and the order of
# the mini-batches. The formulas and small checks of each mechanism are on the
# page [Regularisation](../regularisation.md); dropout, data augmentation,
# ensembles and weight averaging on a real network are in the lesson
# [Dropout, augmentation, ensembles and weight averaging on an MLP](regularisation_mlp.ipynb).

# %% [markdown] lang="zh"
# # 线性模型上的权重衰减、L1 与 dropout
#
# 课程笔记（001）在一个专门设计来过拟合的问题上训练线性模型：d = 200 个输入，只有 n = 20 个训练样本。笔记报告说，λ = 3 的权重衰减把权重从 ‖w‖ ≈ 13.1 缩小到 ≈ 0.34，并降低了测试损失（大纲中的论断 **C9**）。本实验用五个随机种子重复这个实验，然后借助这个小问题（每次训练只要零点几秒）再检验五件事：
#
# 1. 把 L2 惩罚项写进损失函数，与使用 `torch.optim.SGD` 的 `weight_decay`（借助参数组，使偏置不衰减），训练出的是同一个模型；
# 2. 扫描 λ，画出训练损失和测试损失曲线，并弄清测试损失在这里*为什么*会下降；
# 3. 在相同设置下比较带 L2 惩罚的 Adam 与 AdamW 的解耦权重衰减；
# 4. L1 与 L2：验证损失相当时，有多少权重恰好为 0，分别用（次）梯度步和近端步来实现 L1；
# 5. 输入上的 dropout 是否像笔记所说，与 L2 一样收缩权重。
#
# 每个种子重新抽取训练样本、验证样本（100 个）、测试样本（100 个）和初始权重；同一种子下的所有变体共用这些数据，也共用小批量的顺序。各机制的公式和小型验证见页面[正则化](../regularisation.md)；在真实网络上的 dropout、数据增强、集成和权重平均见实验[MLP 上的 dropout、数据增强、集成与权重平均](regularisation_mlp.ipynb)。

# %%
import time

import matplotlib.pyplot as plt
import torch

import dlnotes

start_time = time.perf_counter()
device = dlnotes.device()
plt.rcParams.update({"font.size": 10, "legend.fontsize": 10})
print("running on", dlnotes.device_name(device))

D, N_TRAIN, N_VAL, N_TEST = 200, 20, 100, 100       # the notes' sizes, plus a validation set
BATCH, EPOCHS, LR, NOISE = 5, 100, 0.003, 0.01      # the notes' training setup
W_TRUE, B_TRUE = torch.full((D,), 0.01), 0.05       # y = 0.05 + sum_i 0.01 x_i + noise
SEEDS = 5
MAX_EPOCHS = 300                                     # the longest run below


def draw(n: int, g: torch.Generator):
    """n examples of the notes' problem: x ~ N(0, I), y = w*.x + b* + N(0, 0.01²)."""
    x = torch.randn(n, D, generator=g)
    return x, x @ W_TRUE + B_TRUE + NOISE * torch.randn(n, generator=g)


# One data set, one initial weight vector and one order of the mini-batches per seed;
# every variant below reuses them, so the variants of one seed differ only in the regulariser.
splits = {"train": [], "val": [], "test": []}
w_init, orders = [], []
for seed in range(SEEDS):
    g = torch.Generator().manual_seed(seed)
    for name, n in (("train", N_TRAIN), ("val", N_VAL), ("test", N_TEST)):
        splits[name].append(draw(n, g))
    w_init.append(torch.randn(D, generator=g))       # the notes' init: w ~ N(0, 1), b = 0
    orders.append(torch.stack([torch.randperm(N_TRAIN, generator=g) for _ in range(MAX_EPOCHS)]))
X = {name: torch.stack([x for x, _ in pairs]).to(device) for name, pairs in splits.items()}  # (seeds, n, 200)
Y = {name: torch.stack([y for _, y in pairs]).to(device) for name, pairs in splits.items()}  # (seeds, n)
W_INIT = torch.stack(w_init).to(device)              # (seeds, 200)
ORDERS = torch.stack(orders).to(device)              # (seeds, epochs, 20)
print({name: tuple(x.shape) for name, x in X.items()})

# %% [markdown] lang="en"
# The inputs are independent standard normal, so the test loss of a model
# $(w, b)$ has a closed form. For a fresh example,
# $\hat y - y = (w - w^*)\cdot x + (b - b^*) - \varepsilon$, and
#
# $$\mathbb E\big[\tfrac12(\hat y - y)^2\big] = \tfrac12\lVert w - w^*\rVert^2 + \tfrac12 (b - b^*)^2 + \tfrac12\sigma^2, \qquad \sigma = 0.01 .$$
#
# The test loss is half the squared distance to the true weights, plus a floor
# of $5 \times 10^{-5}$. The cell compares this expected value with the loss on
# the 100 test examples for three weight vectors: the truth, zero, and the
# notes' $\mathcal N(0, 1)$ initialisation. Two numbers to keep in mind: the
# true weights are small ($\lVert w^* \rVert = 0.01\sqrt{200} \approx 0.14$), so
# predicting with $w = 0$ already gives a test loss of about 0.01; the initial
# weights alone cost about 90.

# %% [markdown] lang="zh"
# 输入是相互独立的标准正态变量，所以模型 $(w, b)$ 的测试损失有闭式解。对一个新样本，$\hat y - y = (w - w^*)\cdot x + (b - b^*) - \varepsilon$，于是
#
# $$\mathbb E\big[\tfrac12(\hat y - y)^2\big] = \tfrac12\lVert w - w^*\rVert^2 + \tfrac12 (b - b^*)^2 + \tfrac12\sigma^2, \qquad \sigma = 0.01 .$$
#
# 测试损失等于到真实权重距离平方的一半，再加上 $5 \times 10^{-5}$ 的下限。下面的单元格对三个权重向量比较这个期望值与 100 个测试样本上的损失：真实权重、零向量，以及笔记中 $\mathcal N(0, 1)$ 的初始权重。有两个数值值得记住：真实权重很小（$\lVert w^* \rVert = 0.01\sqrt{200} \approx 0.14$），所以直接用 $w = 0$ 预测，测试损失就已经约为 0.01；而仅初始权重本身就带来约 90 的测试损失。

# %%
def predict(x, W, b):
    """One linear model per row: x (rows, n, 200), W (rows, 200), b (rows,) -> (rows, n)."""
    return (x * W[:, None, :]).sum(-1) + b[:, None]


def squared_loss(split: str, rows, W, b):
    """The notes' loss, the mean of ½(ŷ - y)², of each row's model on its seed's data: shape (rows,)."""
    return 0.5 * ((predict(X[split][rows], W, b) - Y[split][rows]) ** 2).mean(1)


def expected_test_loss(W, b):
    """E[½(w.x + b - y)²] over fresh x ~ N(0, I): the test loss of an infinite test set."""
    return 0.5 * (((W - W_TRUE.to(W.device)) ** 2).sum(-1) + (b - B_TRUE) ** 2 + NOISE**2)


seeds = torch.arange(SEEDS)
zero_b = torch.zeros(SEEDS, device=device)
for label, W in [("w = w* (the truth)", W_TRUE.to(device).expand(SEEDS, D)),
                 ("w = 0", torch.zeros(SEEDS, D, device=device)),
                 ("w = the initial N(0, 1) draw", W_INIT)]:
    b = zero_b + B_TRUE
    print(f"{label:30s} test loss on 100 examples {squared_loss('test', seeds, W, b).mean():9.5f}"
          f"   expected {expected_test_loss(W, b).mean():9.5f}   (mean of {SEEDS} seeds)")

# %% [markdown] lang="en"
# One function trains all the variants of an experiment at once. Each row of
# the weight tensor `W` (rows, 200) is one linear model: one variant on one
# seed's data. The loss is the sum over rows of each row's own loss, so
# `backward()` gives every row the gradient of its own loss and the rows do
# not interact; 35 models then cost about as much as one. The penalties are
# written into the loss as in the notes' from-scratch code (`l2`:
# $\tfrac\lambda2\lVert w\rVert^2$, `l1`: $\lambda\lVert w\rVert_1$);
# `l1_prox` applies L1 as a proximal step instead; `p_drop` drops inputs;
# with `optimizer="adam"`, `decoupled` is AdamW's decay, written out (section
# 4 checks it against `torch.optim.AdamW`). `ridge` solves for the exact
# minimiser of the loss plus an L2 penalty: where training with that penalty
# ends if it runs long enough.

# %% [markdown] lang="zh"
# 一个函数同时训练一个实验的所有变体。权重张量 `W`（rows, 200）的每一行是一个线性模型：某个变体在某个种子的数据上。总损失是各行自身损失之和，因此 `backward()` 给每一行的恰好是它自己损失的梯度，各行互不影响；于是训练 35 个模型的开销和训练一个差不多。惩罚项像笔记中从零实现的代码那样直接写进损失函数（`l2`：$\tfrac\lambda2\lVert w\rVert^2$，`l1`：$\lambda\lVert w\rVert_1$）；`l1_prox` 则改用近端步来施加 L1；`p_drop` 随机丢弃输入；在 `optimizer="adam"` 时，`decoupled` 是手写的 AdamW 衰减（第 4 节会与 `torch.optim.AdamW` 对照）。`ridge` 直接求出“损失 + L2 惩罚”的精确最小值点，也就是带这个惩罚项的训练在足够长之后到达的位置。

# %%
def per_row(value, rows: int) -> torch.Tensor:
    """A number, or one number per seed and weight (seeds, 200), as a (rows, 200) tensor."""
    return torch.as_tensor(value, dtype=torch.float32, device=device).expand(rows, D)


def train(variants: dict, *, optimizer=None, lr=LR, epochs=EPOCHS, batch=BATCH, record=False) -> dict:
    """Train every variant on the data of every seed, all at once: one linear model per (variant, seed).

    A variant is a dict of settings (all optional): ``l2`` (λ of the penalty λ/2 ||w||², a number or one
    per seed and weight), ``l1`` (λ of λ ||w||_1, by its subgradient, in the loss), ``l1_prox`` (the same
    penalty as a soft-thresholding step after each gradient step), ``p_drop`` (inverted dropout on the
    inputs, in training only), ``decoupled`` (AdamW's decay, with ``optimizer="adam"``), ``init`` (1 for the
    notes' N(0, 1) draw, 0 for zeros). ``optimizer``: None for SGD written out, "adam" for torch.optim.Adam,
    or a function (W, b) -> a torch optimizer. Returns {name: (W (seeds, 200), b (seeds,), history)},
    with ``record`` a history (epochs, 3, seeds): train loss, test loss and ||w|| after every epoch.
    """
    n = len(variants) * SEEDS
    rows = seeds.repeat(len(variants)).to(device)               # the seed of each row
    setting = {key: torch.cat([per_row(v.get(key, default), SEEDS) for v in variants.values()])
               for key, default in (("l2", 0.0), ("l1", 0.0), ("l1_prox", 0.0), ("p_drop", 0.0),
                                    ("decoupled", 0.0), ("init", 1.0))}
    W = (setting["init"] * W_INIT[rows]).requires_grad_()        # (rows, 200)
    b = torch.zeros(n, device=device, requires_grad=True)
    keep = (1 - setting["p_drop"])[:, None, :]                   # (rows, 1, 200)
    keep_cpu, masks = keep.cpu(), torch.Generator().manual_seed(0)  # masks drawn on the CPU: the same on any device
    dropping, l2, l1, prox = (bool(setting[k].any()) for k in ("p_drop", "l2", "l1", "l1_prox"))
    opt = torch.optim.Adam([W, b], lr=lr) if optimizer == "adam" else optimizer(W, b) if optimizer else None
    x_all, y_all = X["train"][rows], Y["train"][rows]             # (rows, 20, 200), (rows, 20)
    x_test, y_test = X["test"][rows], Y["test"][rows]
    row_index = torch.arange(n, device=device)[:, None]
    history = []
    for epoch in range(epochs):
        order = ORDERS[rows, epoch % MAX_EPOCHS]                  # (rows, 20): this epoch's shuffle
        x_epoch, y_epoch = x_all[row_index, order], y_all[row_index, order]
        for start in range(0, N_TRAIN, batch):
            x, y = x_epoch[:, start:start + batch], y_epoch[:, start:start + batch]   # (rows, batch, 200)
            if dropping:
                mask = torch.bernoulli(keep_cpu.expand(x.shape), generator=masks).to(device)
                x = x * mask / keep                               # inverted dropout on the inputs
            loss = 0.5 * ((predict(x, W, b) - y) ** 2).mean(1)       # the notes' loss, (rows,)
            if l2:
                loss = loss + 0.5 * (setting["l2"] * W**2).sum(1)
            if l1:
                loss = loss + (setting["l1"] * W.abs()).sum(1)
            W.grad = b.grad = None
            loss.sum().backward()                                 # the rows do not interact
            with torch.no_grad():
                if opt is None:                                   # SGD, by hand
                    W -= lr * W.grad
                    b -= lr * b.grad
                else:
                    W.mul_(1 - lr * setting["decoupled"])         # AdamW's decay, before the step
                    opt.step()
                if prox:                                          # the L1 proximal step: soft-thresholding
                    W.copy_(W.sign() * (W.abs() - lr * setting["l1_prox"]).clamp(min=0))
        if record:
            with torch.no_grad():
                history.append(torch.stack([0.5 * ((predict(x_all, W, b) - y_all) ** 2).mean(1),
                                            0.5 * ((predict(x_test, W, b) - y_test) ** 2).mean(1), W.norm(dim=1)]))
    history = torch.stack(history).cpu() if record else torch.empty(0, 3, n)
    return {name: (W.detach()[i * SEEDS:(i + 1) * SEEDS], b.detach()[i * SEEDS:(i + 1) * SEEDS],
                   history[:, :, i * SEEDS:(i + 1) * SEEDS]) for i, name in enumerate(variants)}


def mean_std(t) -> str:
    return f"{t.mean():.3g} ± {t.std():.2g}"


def ridge(lam, rows=seeds):
    """The exact minimiser of the notes' loss + ½ Σ lam_i w_i², bias not penalised (lam: a number or (seeds, 200))."""
    x, y = X["train"][rows], Y["train"][rows]
    xc, yc = x - x.mean(1, keepdim=True), y - y.mean(1, keepdim=True)     # the bias absorbs the means
    penalty = torch.diag_embed(per_row(lam, len(rows)))
    W = torch.linalg.solve(xc.transpose(1, 2) @ xc / N_TRAIN + penalty, xc.transpose(1, 2) @ yc[:, :, None] / N_TRAIN)[..., 0]
    return W, y.mean(1) - (x.mean(1) * W).sum(1)

# %% [markdown] lang="en"
# ## 1. The notes' experiment, twice
#
# The notes' setup: weights drawn from $\mathcal N(0, 1)$, bias 0, mini-batches
# of 5, 100 epochs (400 steps), learning rate 0.003, the loss
# $\tfrac12(\hat y - y)^2$ averaged over the batch plus
# $\tfrac\lambda2\lVert w\rVert^2$. We train it once with the penalty written
# into the loss and SGD written out (for λ = 0, 0.1, 1, 3, 10, used again in
# section 2, and from a zero initialisation for section 3), and once for λ = 3
# with `torch.optim.SGD` and two parameter groups, `weight_decay=3` for the
# weight and none for the bias, on the same data, initial weights and batches.

# %% [markdown] lang="zh"
# ## 1. 两种写法重做笔记中的实验
#
# 笔记的设置：权重取自 $\mathcal N(0, 1)$，偏置为 0，批量大小 5，训练 100 轮（400 步），学习率 0.003，损失为批量上 $\tfrac12(\hat y - y)^2$ 的平均值加上 $\tfrac\lambda2\lVert w\rVert^2$。我们先把惩罚项写进损失、手写 SGD 来训练（λ = 0、0.1、1、3、10，第 2 节还会用到；另有从零初始化出发的两组，供第 3 节使用），再对 λ = 3 用 `torch.optim.SGD` 和两个参数组训练一次：权重的 `weight_decay=3`，偏置不衰减；数据、初始权重和小批量都相同。

# %%
SWEEP = [0.0, 0.1, 1.0, 3.0, 10.0]
variants = {f"lambda = {lam:g}": {"l2": lam} for lam in SWEEP}
variants |= {"zero init, lambda = 0": {"init": 0.0}, "zero init, lambda = 3": {"init": 0.0, "l2": 3.0}}
sweep = train(variants, record=True)                             # L2 penalty written into the loss
by_optimizer = train({"lambda = 3": {}}, optimizer=lambda W, b: torch.optim.SGD(
    [{"params": [W], "weight_decay": 3.0}, {"params": [b]}], lr=LR))["lambda = 3"]   # the bias is not decayed
for lam in (0.0, 3.0):
    print(f"lambda = {lam:g}: ||w|| = {mean_std(sweep[f'lambda = {lam:g}'][0].norm(dim=1))} "
          f"({SEEDS} seeds; the notes: {dict([(0.0, 13.11), (3.0, 0.337)])[lam]})")
difference = (sweep["lambda = 3"][0] - by_optimizer[0]).abs().max()
print(f"lambda = 3, penalty in the loss vs SGD(weight_decay=3) on the weights: largest difference {difference:.1e}")


# %% [markdown] lang="en"
# The notes' numbers are reproduced: ‖w‖ = 13.2 ± 0.6 without decay and
# 0.361 ± 0.018 with λ = 3 (mean ± standard deviation over 5 seeds; the notes'
# single runs gave 13.11 and 0.337). The two implementations agree to float32
# rounding: for SGD the gradient of $\tfrac\lambda2\lVert w\rVert^2$ is
# $\lambda w$, exactly what `weight_decay=λ` adds to the gradient.

# %% [markdown] lang="zh"
# 笔记中的数值得到了复现：不加衰减时 ‖w‖ = 13.2 ± 0.6，λ = 3 时为 0.361 ± 0.018（5 个种子的均值 ± 标准差；笔记中单次运行的结果是 13.11 和 0.337）。两种实现的差别只是 float32 的舍入误差：对 SGD 来说，$\tfrac\lambda2\lVert w\rVert^2$ 的梯度是 $\lambda w$，正是 `weight_decay=λ` 加到梯度上的那一项。

# %% [markdown] lang="en"
# ## 2. A sweep of λ
#
# λ ∈ {0, 0.1, 1, 3, 10}, 5 seeds each: the loss on the 20 training examples
# and on the 100 test examples after every epoch (lines: mean over the seeds;
# bands: from the smallest to the largest seed), then the values after the
# last epoch.

# %% [markdown] lang="zh"
# ## 2. λ 的扫描
#
# λ ∈ {0, 0.1, 1, 3, 10}，每个 5 个种子：每轮结束后在 20 个训练样本和 100 个测试样本上的损失（曲线为各种子的均值，阴影带从最小的种子到最大的种子），然后是最后一轮之后的数值。

# %%
epochs_axis = range(1, EPOCHS + 1)
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.6), sharey=True)
for ax, col, title in zip(axes, (0, 1), ("training loss", "test loss")):
    for lam in SWEEP:
        runs = sweep[f"lambda = {lam:g}"][2][:, col]              # (epochs, seeds)
        line, = ax.plot(epochs_axis, runs.mean(1), label=f"λ = {lam:g}")
        ax.fill_between(epochs_axis, runs.min(1).values, runs.max(1).values, color=line.get_color(), alpha=0.2, lw=0)
    ax.set(yscale="log", xlabel="epoch", title=title)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("mean of ½(ŷ - y)²")
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=len(SWEEP), fontsize=10, frameon=False)
fig.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()

print(f"{'lambda':>6} | {'||w||':>15} | {'train loss':>19} | {'test loss':>17}   (after {EPOCHS} epochs, {SEEDS} seeds)")
for lam in SWEEP:
    final = sweep[f"lambda = {lam:g}"][2][-1]
    print(f"{lam:6g} | {mean_std(final[2]):>15} | {mean_std(final[0]):>19} | {mean_std(final[1]):>17}")


# %% [markdown] lang="en"
# Without decay the training loss falls to about $10^{-5}$ while the test loss
# stays near 85: the overfitting the notes describe. Each larger λ stops the
# training loss higher (0.0035 at λ = 10) and brings the test loss down, from
# 85 ± 10 at λ = 0 to 0.105 ± 0.046 at λ = 3 and 0.018 ± 0.015 at λ = 10. For
# λ ≤ 3 the test loss is still falling at epoch 100: these runs have not
# finished.

# %% [markdown] lang="zh"
# 不加衰减时，训练损失降到约 $10^{-5}$，测试损失却停在 85 附近：这就是笔记所描述的过拟合。λ 越大，训练损失停在越高的位置（λ = 10 时为 0.0035），测试损失则越低：从 λ = 0 时的 85 ± 10 降到 λ = 3 时的 0.105 ± 0.046 和 λ = 10 时的 0.018 ± 0.015。λ ≤ 3 时，测试损失在第 100 轮仍在下降：这些训练还没有结束。

# %% [markdown] lang="en"
# ## 3. Where the lower test loss comes from
#
# The test loss is $\tfrac12\lVert w - w^*\rVert^2$ plus small terms, so a test
# loss of 85 means $\lVert w - w^*\rVert \approx 13$: about the size of the
# initial weights. Gradient descent on the training loss moves $w$ only inside
# the span of the 20 training inputs, because the gradient of
# $\tfrac12(w\cdot x_n + b - y_n)^2$ is a multiple of $x_n$. The other 180
# directions of the initial $\mathcal N(0, 1)$ draw are never touched: without
# decay they stay, while weight decay multiplies every coordinate by
# $1 - \eta\lambda$ at each step, these included. If this explanation is
# right, (a) the part of the initial weights orthogonal to all training inputs
# should have the norm of the final $w$ at λ = 0, and (b) starting from
# $w = 0$ should remove the gain of weight decay. The cell tests both, and adds
# the exact minimiser of the penalised loss at λ = 3.

# %% [markdown] lang="zh"
# ## 3. 更低的测试损失从何而来
#
# 测试损失等于 $\tfrac12\lVert w - w^*\rVert^2$ 加上一些小项，所以 85 的测试损失意味着 $\lVert w - w^*\rVert \approx 13$，差不多就是初始权重的大小。对训练损失做梯度下降，只会在 20 个训练输入张成的子空间里移动 $w$，因为 $\tfrac12(w\cdot x_n + b - y_n)^2$ 的梯度是 $x_n$ 的倍数。初始 $\mathcal N(0, 1)$ 权重在其余 180 个方向上的分量从来不会被改动：不加衰减时它们一直留着；而权重衰减每一步都把每个坐标（包括这些方向）乘以 $1 - \eta\lambda$。如果这个解释正确，那么（a）初始权重中与所有训练输入都正交的部分，其范数应当等于 λ = 0 时最终 $w$ 的范数；（b）从 $w = 0$ 出发，权重衰减带来的好处应当消失。下面的单元格检验这两点，并给出 λ = 3 时带惩罚损失的精确最小值点。

# %%
rows_of = {"N(0, 1) init, lambda = 0 (the notes)": sweep["lambda = 0"][:2],
           "N(0, 1) init, lambda = 3 (the notes)": sweep["lambda = 3"][:2],
           "zero init, lambda = 0": sweep["zero init, lambda = 0"][:2],
           "zero init, lambda = 3": sweep["zero init, lambda = 3"][:2],
           "lambda = 3, trained to the end (exact)": ridge(3.0)}
print(f"{'':40s} | {'||w||':>15} | {'test loss (100 ex.)':>19} | {'expected test loss':>19}")
for label, (W, b) in rows_of.items():
    print(f"{label:40s} | {mean_std(W.norm(dim=1)):>15} | {mean_std(squared_loss('test', seeds, W, b)):>19} | "
          f"{mean_std(expected_test_loss(W, b)):>19}")
steps = EPOCHS * N_TRAIN // BATCH
print(f"(1 - lr * 3)^{steps} * ||w_init|| = {mean_std((1 - LR * 3.0) ** steps * W_INIT.norm(dim=1))}: "
      "the initial weights that 400 steps of decay leave")
x_train = X["train"]
unseen = W_INIT - (torch.linalg.pinv(x_train) @ (x_train @ W_INIT[:, :, None]))[..., 0]
print(f"the part of w_init orthogonal to all 20 training inputs: ||.|| = {mean_std(unseen.norm(dim=1))}")


# %% [markdown] lang="en"
# Both predictions hold. The part of the initial weights that no training
# input sees has norm 13.2 ± 0.6, the final ‖w‖ without decay. From a zero
# start, λ = 0 and λ = 3 give test losses of 0.0105 ± 0.0023 and
# 0.0102 ± 0.0028, which cannot be told apart, and neither beats predicting
# with $w = 0$ (0.0101, first table): with 20 examples for 200 weights, nothing
# learned from the data helps much. And the notes' ‖w‖ ≈ 0.34 at λ = 3 is not
# where weight decay leads: the exact minimiser has ‖w‖ = 0.032 ± 0.004. After
# 400 steps the decay has multiplied the initial weights by
# $(1 - 0.003 \cdot 3)^{400} \approx 0.027$, which leaves 0.371 ± 0.017: the
# measured 0.361 is almost entirely what is left of the initialisation.

# %% [markdown] lang="zh"
# 两个预测都成立。初始权重中任何训练输入都“看不见”的那部分，范数为 13.2 ± 0.6，正是不加衰减时最终的 ‖w‖。从零初始化出发，λ = 0 和 λ = 3 的测试损失分别为 0.0105 ± 0.0023 和 0.0102 ± 0.0028，无法区分，而且都不比直接用 $w = 0$ 预测（0.0101，见第一个表）更好：200 个权重只有 20 个样本，从数据里学到的东西几乎帮不上忙。此外，笔记中 λ = 3 时的 ‖w‖ ≈ 0.34 也不是权重衰减最终到达的位置：精确最小值点的 ‖w‖ = 0.032 ± 0.004。400 步之后，衰减把初始权重乘以了 $(1 - 0.003 \cdot 3)^{400} \approx 0.027$，剩下 0.371 ± 0.017：实测的 0.361 几乎全是初始权重的残余。

# %% [markdown] lang="en" claim="C9" verdict="holds" statement="Weight decay shrinks the weights (‖w‖ ≈ 13 → ≈ 0.34 for λ = 0 → 3) and lowers the test loss on the d = 200, n = 20 linear regression."
# !!! note "Verdict on claim C9"
#     **Holds in the notes' setup, for a reason the notes do not give.** Over 5
#     seeds, with the notes' data, initialisation and training (400 SGD steps,
#     batch 5, learning rate 0.003), ‖w‖ falls from 13.2 ± 0.6 at λ = 0 to
#     0.361 ± 0.018 at λ = 3 (the notes: 13.11 and 0.337), and the test loss from
#     85 ± 10 to 0.105 ± 0.046; it keeps falling up to λ = 10 (0.018 ± 0.015).
#
#     * The gain comes from the $\mathcal N(0, 1)$ initialisation: 180 of the 200
#       directions are never seen by the 20 training inputs, so without decay the
#       initial weights stay there (their norm, 13.2 ± 0.6, is the final ‖w‖).
#       From a zero initialisation, λ = 3 and λ = 0 give the same test loss within
#       the spread (0.0102 ± 0.0028 and 0.0105 ± 0.0023), no better than
#       predicting with $w = 0$ (0.0101).
#     * ‖w‖ ≈ 0.36 is a snapshot, not the regularised solution: the exact
#       minimiser at λ = 3 has ‖w‖ = 0.032 ± 0.004; 0.36 is the initialisation
#       shrunk by $(1 - \eta\lambda)^{400} \approx 0.027$.
#
#     Confounds: one learning rate and one training length for every λ; 100 test
#     examples per seed (their loss agrees with the closed-form expected test loss
#     within the spread).

# %% [markdown] lang="zh" claim="C9" verdict="holds" statement="权重衰减使权重变小（λ 从 0 到 3 时 ‖w‖ 约从 13 降到 0.34），并在 d = 200、n = 20 的线性回归上降低测试损失。"
# !!! note "论断 C9 的结论"
#     **在笔记的设置下成立，但原因并不是笔记所说的那样。** 采用笔记的数据、初始化和训练方式（400 步 SGD，批量大小 5，学习率 0.003），5 个种子上 ‖w‖ 从 λ = 0 时的 13.2 ± 0.6 降到 λ = 3 时的 0.361 ± 0.018（笔记：13.11 和 0.337），测试损失从 85 ± 10 降到 0.105 ± 0.046；直到 λ = 10 仍在下降（0.018 ± 0.015）。
#
#     * 好处来自 $\mathcal N(0, 1)$ 初始化：200 个方向中有 180 个是 20 个训练输入“看不见”的，不加衰减时初始权重就一直留在那里（其范数 13.2 ± 0.6 正是最终的 ‖w‖）。从零初始化出发，λ = 3 与 λ = 0 的测试损失在波动范围内相同（0.0102 ± 0.0028 与 0.0105 ± 0.0023），也不比用 $w = 0$ 预测（0.0101）更好。
#     * ‖w‖ ≈ 0.36 只是训练途中的一个快照，而不是正则化问题的解：λ = 3 时精确最小值点的 ‖w‖ = 0.032 ± 0.004；0.36 是初始权重乘以 $(1 - \eta\lambda)^{400} \approx 0.027$ 之后的残余。
#
#     混杂因素：所有 λ 使用同一个学习率和同样的训练长度；每个种子只有 100 个测试样本（其损失与闭式的期望测试损失在波动范围内一致）。

# %% [markdown] lang="en"
# ## 4. Adam with an L2 penalty against AdamW
#
# The notes treat the `weight_decay` of every `torch.optim` optimizer as "the
# λ of L2 regularisation". For SGD it is (section 1). For Adam it is not:
# `torch.optim.Adam(weight_decay=λ)` adds $\lambda w$ to the gradient, and Adam
# then divides the whole gradient by its running root mean square, so the decay
# of each weight is rescaled by that weight's gradient history. `AdamW`
# multiplies the weights by $1 - \eta\lambda$ before Adam's step instead, as
# SGD's decay does. The page [Regularisation](../regularisation.md) shows the
# difference on a single parameter. Here: Adam with the L2 penalty in the loss
# against AdamW, at the same learning rate (0.01), the same λ, the same
# initialisation, batches and 5 seeds, for 300 epochs, measured after 100 (the
# notes' length) and after 300. First, a check that the two are what PyTorch
# computes.

# %% [markdown] lang="zh"
# ## 4. 带 L2 惩罚的 Adam 与 AdamW
#
# 笔记把所有 `torch.optim` 优化器的 `weight_decay` 都当作“L2 正则化中的 λ”。对 SGD 确实如此（第 1 节），对 Adam 却不是：`torch.optim.Adam(weight_decay=λ)` 把 $\lambda w$ 加到梯度上，随后 Adam 再把整个梯度除以它的滑动均方根，于是每个权重的衰减都被这个权重自己的梯度历史重新缩放。`AdamW` 则在 Adam 的更新之前把权重乘以 $1 - \eta\lambda$，与 SGD 的衰减方式相同。页面[正则化](../regularisation.md)在单个参数上展示了两者的差别。这里在同样的学习率（0.01）、同样的 λ、同样的初始化和小批量、5 个种子下，比较把 L2 惩罚写进损失的 Adam 与 AdamW，训练 300 轮，分别在第 100 轮（笔记的训练长度）和第 300 轮测量。先检查这两种写法与 PyTorch 的计算一致。

# %%
ADAM_LR, CHECK_EPOCHS = 0.01, 10
check = {
    "L2 in the loss": train({"": {"l2": 3.0}}, optimizer="adam", lr=ADAM_LR, epochs=CHECK_EPOCHS)[""][0],
    "Adam(weight_decay=3)": train({"": {}}, lr=ADAM_LR, epochs=CHECK_EPOCHS, optimizer=lambda W, b: torch.optim.Adam(
        [{"params": [W], "weight_decay": 3.0}, {"params": [b]}], lr=ADAM_LR))[""][0],
    "decay by hand": train({"": {"decoupled": 3.0}}, optimizer="adam", lr=ADAM_LR, epochs=CHECK_EPOCHS)[""][0],
    "AdamW(weight_decay=3)": train({"": {}}, lr=ADAM_LR, epochs=CHECK_EPOCHS, optimizer=lambda W, b: torch.optim.AdamW(
        [{"params": [W], "weight_decay": 3.0}, {"params": [b], "weight_decay": 0.0}], lr=ADAM_LR))[""][0],
}
print(f"largest difference after {CHECK_EPOCHS} epochs: "
      f"L2 in the loss vs Adam(weight_decay=3) {(check['L2 in the loss'] - check['Adam(weight_decay=3)']).abs().max():.1e}; "
      f"decay by hand vs AdamW(weight_decay=3) {(check['decay by hand'] - check['AdamW(weight_decay=3)']).abs().max():.1e}; "
      f"Adam + L2 vs AdamW {(check['L2 in the loss'] - check['decay by hand']).abs().max():.2f}")


# %% [markdown] lang="en"
# The penalty in the loss is `Adam(weight_decay=3)` up to float32 rounding, the
# decay written out is `AdamW(weight_decay=3)` exactly, and after only 40 steps
# Adam + L2 and AdamW already differ by up to 1.87 in a weight.

# %% [markdown] lang="zh"
# 把惩罚写进损失，与 `Adam(weight_decay=3)` 只差 float32 的舍入误差；手写的衰减与 `AdamW(weight_decay=3)` 完全相同；而仅仅 40 步之后，Adam + L2 与 AdamW 的某个权重就已经相差 1.87。

# %%
ADAM_LAMS, ADAM_EPOCHS = [0.1, 1.0, 3.0, 10.0], 300
adam = train({(name, lam): {key: lam} for name, key in (("Adam + L2", "l2"), ("AdamW", "decoupled")) for lam in ADAM_LAMS},
             optimizer="adam", lr=ADAM_LR, epochs=ADAM_EPOCHS, record=True)
w_ridge = {lam: ridge(lam)[0] for lam in ADAM_LAMS}
print(f"lr = {ADAM_LR}, batch {BATCH}, N(0, 1) init, {SEEDS} seeds; "
      "distance to ridge = ||w - w_ridge(lambda)|| / ||w_ridge(lambda)||, w_ridge the exact minimiser of loss + L2")
print(f"{'lambda':>6} {'':9} | {'||w||, 100 ep.':>15} | {'test, 100 ep.':>17} | {'||w||, 300 ep.':>15} | "
      f"{'test, 300 ep.':>17} | {'to ridge, 300':>13}")
for lam in ADAM_LAMS:
    for name in ("Adam + L2", "AdamW"):
        W, b, hist = adam[name, lam]
        at100, at300 = hist[EPOCHS - 1], hist[-1]
        distance = (W - w_ridge[lam]).norm(dim=1) / w_ridge[lam].norm(dim=1)
        print(f"{lam:6g} {name:9} | {mean_std(at100[2]):>15} | {mean_std(at100[1]):>17} | {mean_std(at300[2]):>15} | "
              f"{mean_std(at300[1]):>17} | {mean_std(distance):>13}")
print("||w_ridge(lambda)|| = " + ", ".join(f"{mean_std(w_ridge[lam].norm(dim=1))} (lambda = {lam:g})" for lam in ADAM_LAMS))


# %% [markdown] lang="en"
# The table: ‖w‖ and test loss after 100 and 300 epochs (mean ± std over 5
# seeds), and how far the final weights are from the exact minimiser of the
# L2-penalised loss, relative to its size. The figure shows the same numbers
# (bars from the smallest to the largest seed; dotted: the norm of that exact
# minimiser).

# %% [markdown] lang="zh"
# 上表给出第 100 轮和第 300 轮之后的 ‖w‖ 和测试损失（5 个种子的均值 ± 标准差），以及最终权重离“带 L2 惩罚的损失”的精确最小值点有多远（相对于最小值点的大小）。下图画的是同样的数值（误差棒从最小的种子到最大的种子；点线是该精确最小值点的范数）。

# %%
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.8))
for name, colour in (("Adam + L2", "tab:orange"), ("AdamW", "tab:blue")):
    for epoch, style in ((EPOCHS, "--"), (ADAM_EPOCHS, "-")):
        for ax, col in zip(axes, (2, 1)):
            values = torch.stack([adam[name, lam][2][epoch - 1, col] for lam in ADAM_LAMS])   # (lambdas, seeds)
            mean = values.mean(1)
            spread = torch.stack([mean - values.min(1).values, values.max(1).values - mean])  # bars: min to max
            ax.errorbar(ADAM_LAMS, mean, yerr=spread, ls=style, marker="o", capsize=3, color=colour,
                        label=f"{name}, {epoch} epochs")
axes[0].plot(ADAM_LAMS, [w_ridge[lam].norm(dim=1).mean().item() for lam in ADAM_LAMS], "k:", marker="x",
             label="ridge (exact)")
for ax, title in zip(axes, ("||w||", "test loss")):
    ax.set(xscale="log", yscale="log", xlabel="weight_decay λ", title=title)
    ax.grid(alpha=0.3)
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=10, frameon=False)
fig.tight_layout(rect=(0, 0.17, 1, 1))
plt.show()


# %% [markdown] lang="en"
# * **After 100 epochs the same λ does far more in AdamW.** At λ = 3 AdamW has
#   shrunk ‖w‖ to 0.046 ± 0.006 (test loss 0.017 ± 0.013), Adam + L2 only to
#   0.82 ± 0.31 (test loss 0.42 ± 0.30); at λ = 1, 0.25 against 2.5. A weight
#   that the data do not constrain has the gradient $\lambda w$ alone, and
#   Adam normalises it: the step is about η whatever λ is, so an initial
#   weight of size 3 takes about 300 steps to remove. AdamW multiplies it by
#   $1 - \eta\lambda = 0.97$ per step at λ = 3.
# * **After 300 epochs both have removed the initialisation,** and for λ ≥ 1
#   their test losses overlap within the seed spread.
# * **They do not end at the same point.** At λ = 10 Adam + L2 is close to the
#   minimiser of the L2-penalised loss (relative distance 0.19 ± 0.24, ‖w‖
#   0.022 against 0.021), AdamW is not (0.89 ± 0.08, ‖w‖ 0.036): AdamW does not
#   minimise that loss. At λ = 1 and 3 the distances cannot be told apart.
#
# One learning rate for both. The time needed to remove the initialisation
# should scale as $1/\eta$ for Adam + L2 and $1/(\eta\lambda)$ for AdamW, so
# another learning rate would change the 100-epoch comparison (not measured
# here).

# %% [markdown] lang="zh"
# * **第 100 轮时，同样的 λ 在 AdamW 中的作用大得多。** λ = 3 时，AdamW 已把 ‖w‖ 缩小到 0.046 ± 0.006（测试损失 0.017 ± 0.013），Adam + L2 只缩小到 0.82 ± 0.31（测试损失 0.42 ± 0.30）；λ = 1 时分别是 0.25 和 2.5。一个不受数据约束的权重，其梯度只有 $\lambda w$ 这一项，而 Adam 会把它归一化：无论 λ 多大，每步的步长都约为 η，所以要消除大小为 3 的初始权重需要约 300 步。AdamW 在 λ = 3 时则每步把它乘以 $1 - \eta\lambda = 0.97$。
# * **第 300 轮时，两者都已消除了初始权重，** λ ≥ 1 时它们的测试损失在种子间的波动范围内重叠。
# * **两者最终停在不同的地方。** λ = 10 时，Adam + L2 接近带 L2 惩罚的损失的最小值点（相对距离 0.19 ± 0.24，‖w‖ 为 0.022，最小值点为 0.021），AdamW 则不然（0.89 ± 0.08，‖w‖ 为 0.036）：AdamW 最小化的并不是这个损失。λ = 1 和 3 时，两者的距离无法区分。
#
# 两者使用同一个学习率。消除初始权重所需的时间，对 Adam + L2 应与 $1/\eta$ 成正比，对 AdamW 应与 $1/(\eta\lambda)$ 成正比，所以换一个学习率会改变第 100 轮的比较结果（这里没有测量）。

# %% [markdown] lang="en"
# ## 5. L1 against L2: sparsity at matched validation loss
#
# L1 adds $\lambda\lVert w\rVert_1 = \lambda\sum_i |w_i|$. Its gradient,
# $\lambda\,\operatorname{sign}(w)$, is as large for a tiny weight as for a big
# one, which is why L1 is said to produce exact zeros. Whether it does depends
# on the optimiser. A (sub)gradient step moves a weight by $\eta\lambda$ and
# jumps over 0 rather than stopping there. The proximal step,
# soft-thresholding $w \leftarrow \operatorname{sign}(w)\max(|w| - \eta\lambda, 0)$
# after the gradient step on the data loss, sets every weight within
# $\eta\lambda$ of zero to exactly 0 (the page derives it). To compare the
# penalties and not what is left of the $\mathcal N(0, 1)$ initialisation
# (section 3), these runs start from $w = 0$ and use full-batch gradient
# descent (learning rate 0.05, 500 steps), close to convergence. Five λ for
# L2, six for L1 with the proximal step, three for L1 with the subgradient,
# 5 seeds; the validation loss is measured on 100 further examples per seed,
# and a weight counts as near zero when $|w_i| < 0.001$, a tenth of the true
# weights.

# %% [markdown] lang="zh"
# ## 5. L1 与 L2：验证损失相当时的稀疏性
#
# L1 加上的是 $\lambda\lVert w\rVert_1 = \lambda\sum_i |w_i|$。它的梯度 $\lambda\,\operatorname{sign}(w)$ 对很小的权重和很大的权重一样大，这就是人们说 L1 会产生恰好为 0 的权重的原因。但是否真的如此，取决于优化方法。（次）梯度步每次把权重移动 $\eta\lambda$，会越过 0 而不是停在 0。近端步则在对数据损失做完梯度步之后进行软阈值处理 $w \leftarrow \operatorname{sign}(w)\max(|w| - \eta\lambda, 0)$，把离 0 不到 $\eta\lambda$ 的权重全部置为恰好 0（推导见页面）。为了比较惩罚项本身，而不是 $\mathcal N(0, 1)$ 初始化的残余（第 3 节），这里从 $w = 0$ 出发，用全批量梯度下降（学习率 0.05，500 步），接近收敛。L2 取 5 个 λ，用近端步的 L1 取 6 个，用次梯度的 L1 取 3 个，5 个种子；验证损失在每个种子另外抽取的 100 个样本上计算，$|w_i| < 0.001$（真实权重的十分之一）的权重算作接近 0。

# %%
FB_LR, FB_STEPS, NEAR = 0.05, 500, 1e-3                          # full batch: one step per "epoch"
FAMILIES = {"L2": ("l2", [0.01, 0.1, 0.3, 1.0, 3.0]),
            "L1, proximal": ("l1_prox", [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03]),
            "L1, subgradient": ("l1", [0.0003, 0.003, 0.03])}
variants = {(family, lam): {key: lam, "init": 0.0} for family, (key, lams) in FAMILIES.items() for lam in lams}
sparse = train(variants | {("none", 0.0): {"init": 0.0}}, lr=FB_LR, epochs=FB_STEPS, batch=N_TRAIN)
print(f"{'':16} {'lambda':>7} | {'val loss':>17} | {'test loss':>17} | {'exactly 0':>14} | {f'|w| < {NEAR:g}':>14}")
for (family, lam), (W, b, _) in sparse.items():
    print(f"{family:16} {lam:7g} | {mean_std(squared_loss('val', seeds, W, b)):>17} | "
          f"{mean_std(squared_loss('test', seeds, W, b)):>17} | {mean_std((W == 0).float().mean(1)):>14} | "
          f"{mean_std((W.abs() < NEAR).float().mean(1)):>14}")
best = {family: min(lams, key=lambda lam: squared_loss("val", seeds, *sparse[family, lam][:2]).mean().item())
        for family, (_, lams) in FAMILIES.items()}
print("lowest mean validation loss at lambda =", best)


# %% [markdown] lang="en"
# * **Matched validation loss.** The lowest mean validation loss of L2 is
#   0.0091 ± 0.0005 (λ = 0.3), that of L1 with the proximal step
#   0.0093 ± 0.0007 (λ = 0.0001): 0.0002 apart, a third of the spread between
#   seeds. At these λ, L1 sets 36 % ± 4 % of the weights exactly to 0, L2 none
#   (27 % are smaller than 0.001). At λ = 0.0003, with a validation loss still
#   within the spread (0.0094 ± 0.0007), L1 zeroes 56 %.
# * **Subgradient steps give no exact zero at any λ,** even where the proximal
#   step zeroes 94 %: the small weights keep jumping across 0, by about
#   $\eta\lambda$ per step. At λ = 0.03 ($\eta\lambda = 0.0015$) only 58 % stay
#   below 0.001, against 95 % with the proximal step.
# * **Sparsity does not help on this problem.** No penalty beats no penalty
#   from the zero start by more than the spread (validation loss
#   0.0094 ± 0.0007), and L1's validation loss rises with λ. A likely reason,
#   not tested in this lesson: the true weights are all equal (0.01 each), so a
#   sparse solution has the wrong shape; an exercise on the page tries a sparse
#   truth.
#
# The histograms: the weights at the λ chosen for each penalty, pooled over
# the 5 seeds (log scale; dotted line: the true weight 0.01).

# %% [markdown] lang="zh"
# * **验证损失相当。** L2 的最低平均验证损失为 0.0091 ± 0.0005（λ = 0.3），使用近端步的 L1 为 0.0093 ± 0.0007（λ = 0.0001）：两者相差 0.0002，只有种子间波动的三分之一。在这两个 λ 下，L1 把 36% ± 4% 的权重置为恰好 0，L2 一个也没有（有 27% 小于 0.001）。λ = 0.0003 时，验证损失仍在波动范围内（0.0094 ± 0.0007），L1 把 56% 的权重置为 0。
# * **次梯度步在任何 λ 下都得不到恰好为 0 的权重，** 即使近端步在同样的 λ 下置零了 94%：小权重每步都以约 $\eta\lambda$ 的幅度在 0 的两侧来回跳动。λ = 0.03（$\eta\lambda = 0.0015$）时，只有 58% 的权重保持在 0.001 以下，而近端步是 95%。
# * **在这个问题上，稀疏性没有帮助。** 从零初始化出发，没有哪种惩罚比不加惩罚（验证损失 0.0094 ± 0.0007）好出波动范围之外，而且 L1 的验证损失随 λ 增大而上升。一个可能的原因（本实验没有检验）：真实权重全都相等（每个 0.01），稀疏解的形状本来就不对；页面上的一道练习换成了稀疏的真实权重来试。
#
# 下面的直方图是两种惩罚在各自所选 λ 下的权重，5 个种子合在一起（对数坐标；点线是真实权重 0.01）。

# %%
shown = {"L2": sparse["L2", best["L2"]][0], "L1, proximal": sparse["L1, proximal", best["L1, proximal"]][0]}
bins = torch.linspace(-0.015, 0.02, 71)
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4), sharey=True)
for ax, (family, W), colour in zip(axes, shown.items(), ("tab:blue", "tab:green")):
    W = W.flatten().cpu()
    ax.hist(W.clamp(bins[0], bins[-1]).numpy(), bins=bins.numpy(), color=colour)
    ax.axvline(0.01, color="k", ls=":", lw=1)                       # the true weight
    ax.set(yscale="log", xlabel="weight value", title=f"{family}, λ = {best[family]:g}\n{(W == 0).float().mean():.0%} exactly 0")
    ax.grid(alpha=0.3)
axes[0].set_ylabel(f"count ({SEEDS} seeds × 200)")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## 6. Does dropout shrink the weights like L2?
#
# The notes (001) say that dropout "produces the same weight-shrinking effect
# as the L2 norm". For a linear model with dropout on its inputs this can be
# computed. With masks $m_i \in \{0, 1\}$, kept with probability $1 - p$ and
# scaled by $1/(1 - p)$, the prediction
# $\hat y = \sum_i w_i x_i m_i/(1-p) + b$ has mean $w\cdot x + b$ and variance
# $\tfrac{p}{1-p}\sum_i w_i^2 x_i^2$, so the expected loss of an example is
#
# $$\mathbb E_m\big[\tfrac12(\hat y - y)^2\big] = \tfrac12 (w\cdot x + b - y)^2 + \tfrac12\,\frac{p}{1-p}\sum_i w_i^2 x_i^2 .$$
#
# Averaged over the training set, dropout adds, in expectation, an L2 penalty
# with $\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$ (the mean of $x_i^2$ over
# the training inputs): an L2 penalty whose strength is set by the data, weight
# by weight. The first cell checks the identity by sampling masks.

# %% [markdown] lang="zh"
# ## 6. dropout 会像 L2 一样收缩权重吗？
#
# 笔记（001）说，dropout“将产生和 L2 范数相同的收缩权重的效果”。对于在输入上使用 dropout 的线性模型，这一点可以算出来。设掩码 $m_i \in \{0, 1\}$ 以概率 $1 - p$ 保留、并乘以 $1/(1 - p)$，则预测值 $\hat y = \sum_i w_i x_i m_i/(1-p) + b$ 的均值为 $w\cdot x + b$，方差为 $\tfrac{p}{1-p}\sum_i w_i^2 x_i^2$，所以一个样本的期望损失是
#
# $$\mathbb E_m\big[\tfrac12(\hat y - y)^2\big] = \tfrac12 (w\cdot x + b - y)^2 + \tfrac12\,\frac{p}{1-p}\sum_i w_i^2 x_i^2 .$$
#
# 在训练集上取平均后，dropout 在期望意义下加上了一个 L2 惩罚，其系数为 $\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$（$x_i^2$ 在训练输入上的平均值）：这是一个强度由数据决定、每个权重各不相同的 L2 惩罚。第一个单元格通过抽样掩码来验证这个等式。

# %%
P = 0.5
x, y, w, b = X["train"][0], Y["train"][0], 0.1 * W_INIT[0], 0.0          # seed 0's data, some weights
g, per_mask = torch.Generator().manual_seed(0), []
for _ in range(20):                                                        # 20 × 2,000 dropout masks
    masks = (torch.bernoulli(torch.full((2000, N_TRAIN, D), 1 - P), generator=g) / (1 - P)).to(device)
    per_mask.append((0.5 * ((x * masks) @ w + b - y) ** 2).mean(1))       # the loss under each mask
per_mask = torch.cat(per_mask)
plain = (0.5 * (x @ w + b - y) ** 2).mean()
penalty = 0.5 * P / (1 - P) * (w**2 * (x**2).mean(0)).sum()
standard_error = per_mask.std() / len(per_mask) ** 0.5
print(f"p = {P}: loss with dropout, mean over {len(per_mask):,} masks {per_mask.mean():.4f} ± {standard_error:.4f} "
      f"(standard error); without dropout {plain:.4f}, + penalty {penalty:.4f} = {plain + penalty:.4f}; "
      f"difference {(per_mask.mean() - plain - penalty) / standard_error:.1f} standard errors")
mean_square = (X["train"] ** 2).mean(1)                                     # (seeds, 200): mean(x_i²)
print(f"mean(x_i²) over the 20 training inputs: {mean_std(mean_square.flatten())} "
      f"(200 coordinates × {SEEDS} seeds), from {mean_square.min():.2f} to {mean_square.max():.2f}")


# %% [markdown] lang="en"
# The sampled mean agrees with the formula within 1.7 standard errors. Over
# only 20 inputs, $\overline{x_i^2}$ ranges from 0.2 to 2.4 across the
# coordinates, so the matching penalty is not one λ. The next cell trains the
# notes' setup (from the $\mathcal N(0, 1)$ initialisation, 400 steps) with
# dropout on the inputs, $p = 0.2$ and $0.5$ (so $p/(1-p) = 0.25$ and 1), with
# plain L2 at $\lambda = p/(1-p)$, and with the data-dependent L2
# $\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$. The losses are computed
# without dropout, as in evaluation mode.

# %% [markdown] lang="zh"
# 抽样得到的均值与公式相差 1.7 个标准误差，在误差范围之内。由于只有 20 个输入，$\overline{x_i^2}$ 在各坐标之间从 0.2 变化到 2.4，所以与之对应的惩罚并不是单一的 λ。下一个单元格按笔记的设置（从 $\mathcal N(0, 1)$ 初始化出发，400 步）训练：在输入上使用 dropout，$p = 0.2$ 和 $0.5$（即 $p/(1-p) = 0.25$ 和 1）；使用普通 L2，$\lambda = p/(1-p)$；以及使用依赖数据的 L2，$\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$。损失都在不用 dropout 的情况下计算，与评估模式相同。

# %%
dropout_runs = train({
    "none": {},
    "dropout p = 0.2": {"p_drop": 0.2}, "L2, lambda = 0.25": {"l2": 0.25}, "L2, lambda_i = 0.25 mean(x_i²)": {"l2": 0.25 * mean_square},
    "dropout p = 0.5": {"p_drop": 0.5}, "L2, lambda = 1": {"l2": 1.0}, "L2, lambda_i = 1 mean(x_i²)": {"l2": 1.0 * mean_square},
})
print(f"{'':30} | {'||w||':>15} | {'train loss':>18} | {'test loss':>15}   (the notes' setup, {SEEDS} seeds)")
for label, (W, b, _) in dropout_runs.items():
    print(f"{label:30} | {mean_std(W.norm(dim=1)):>15} | {mean_std(squared_loss('train', seeds, W, b)):>18} | "
          f"{mean_std(squared_loss('test', seeds, W, b)):>15}")


# %% [markdown] lang="en"
# * **Dropout shrinks ‖w‖ about as much as its L2 penalty.** With $p = 0.2$:
#   9.97 ± 0.52 with dropout, 9.87 ± 0.45 with the data-dependent L2,
#   9.76 ± 0.44 with λ = 0.25. With $p = 0.5$: 4.87 ± 0.23, 4.54 ± 0.27 and
#   3.96 ± 0.18. The data-dependent penalty is the closer match; at
#   $p = 0.5$ dropout stays above it by about one standard deviation
#   (unexplained here; the gradient noise is one guess).
# * **It is not the same training.** Dropout also makes the gradient noisy. At
#   this learning rate it never fits the training set (training loss 0.74
#   against at most 0.009 with either L2), and its test loss is higher
#   (11.1 ± 1.7 against 9.86 ± 0.78 at $p = 0.5$).
#
# The last cell compares where the two penalties lead when trained to the end.

# %% [markdown] lang="zh"
# * **dropout 对 ‖w‖ 的收缩程度与它对应的 L2 惩罚大致相同。** $p = 0.2$ 时：dropout 为 9.97 ± 0.52，依赖数据的 L2 为 9.87 ± 0.45，λ = 0.25 的 L2 为 9.76 ± 0.44。$p = 0.5$ 时：4.87 ± 0.23、4.54 ± 0.27 和 3.96 ± 0.18。依赖数据的惩罚更接近；$p = 0.5$ 时 dropout 比它高出约一个标准差（这里没有解释，梯度噪声是一种猜测）。
# * **但训练过程并不相同。** dropout 还让梯度带上了噪声。在这个学习率下，它始终拟合不了训练集（训练损失 0.74，而两种 L2 都不超过 0.009），测试损失也更高（$p = 0.5$ 时为 11.1 ± 1.7，而依赖数据的 L2 为 9.86 ± 0.78）。
#
# 最后一个单元格比较两种惩罚训练到底时各自到达的位置。

# %%
for q in (0.25, 1.0):
    (W_plain, b_plain), (W_drop, b_drop) = ridge(q), ridge(q * mean_square)
    print(f"trained to the end, p/(1-p) = {q}: ||w|| {mean_std(W_plain.norm(dim=1))} (L2) vs "
          f"{mean_std(W_drop.norm(dim=1))} (dropout's penalty); test loss {mean_std(squared_loss('test', seeds, W_plain, b_plain))} "
          f"vs {mean_std(squared_loss('test', seeds, W_drop, b_drop))}; "
          f"||w_L2 - w_dropout|| / ||w_L2|| = {mean_std((W_plain - W_drop).norm(dim=1) / W_plain.norm(dim=1))}")
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s on {dlnotes.device_name(device)}")

# %% [markdown] lang="en"
# ## What the runs show
#
# All numbers are from the run above (d = 200, n = 20, 5 seeds, on the CPU
# with one thread; the last line of the previous cell gives the run time).
#
# * **C9 holds in the notes' setup:** ‖w‖ 13.2 → 0.36 and test loss 85 → 0.1
#   from λ = 0 to λ = 3. The gain is the removal of the $\mathcal N(0, 1)$
#   initialisation in the 180 directions the data never see; from a zero
#   start, weight decay changes the test loss by less than the seed spread.
# * **SGD:** the L2 penalty in the loss and `weight_decay` (weights only,
#   through parameter groups) are the same computation.
# * **Adam:** `weight_decay` is an L2 penalty rescaled per weight by Adam;
#   AdamW decays every weight by $1 - \eta\lambda$. At the same λ and 100
#   epochs AdamW regularises far more; run long enough, both remove the
#   initialisation, and at λ = 10 only Adam + L2 approaches the minimiser of
#   the L2-penalised loss.
# * **L1:** at matched validation loss, 36 % of the weights exactly zero with
#   proximal steps, none with L2 and none with subgradient steps.
# * **Dropout on the inputs** of a linear model is, in expectation, an L2
#   penalty with $\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$ (checked by
#   sampling), and it shrinks ‖w‖ about as that penalty does; it also adds
#   gradient noise that L2 does not.
#
# Trained to the end, plain L2 and dropout's data-dependent L2 reach weight
# vectors of nearly the same norm and test loss that still differ by about
# 31 % of their length: "the same as L2" holds for the size of the weights,
# not for the weights themselves.

# %% [markdown] lang="zh"
# ## 实验结果说明了什么
#
# 所有数字都来自上面的运行（d = 200，n = 20，5 个种子，CPU 单线程；上一个单元格的最后一行给出了运行时间）。
#
# * **论断 C9 在笔记的设置下成立：** λ 从 0 到 3，‖w‖ 从 13.2 降到 0.36，测试损失从 85 降到 0.1。好处来自消除了 $\mathcal N(0, 1)$ 初始权重在数据“看不见”的 180 个方向上的分量；从零初始化出发时，权重衰减对测试损失的影响小于种子间的波动。
# * **SGD：** 把 L2 惩罚写进损失，与（借助参数组只对权重使用的）`weight_decay` 是同一个计算。
# * **Adam：** `weight_decay` 是一个被 Adam 逐个权重重新缩放的 L2 惩罚；AdamW 则把每个权重都乘以 $1 - \eta\lambda$。在同样的 λ 下训练 100 轮，AdamW 的正则化作用强得多；训练足够长后两者都能消除初始权重，而在 λ = 10 时只有 Adam + L2 接近带 L2 惩罚的损失的最小值点。
# * **L1：** 验证损失相当时，用近端步有 36% 的权重恰好为 0，L2 和次梯度步都没有。
# * **线性模型输入上的 dropout** 在期望意义下是一个 $\lambda_i = \tfrac{p}{1-p}\,\overline{x_i^2}$ 的 L2 惩罚（已通过抽样验证），它对 ‖w‖ 的收缩也与这个惩罚大致相同；但它还带来了 L2 所没有的梯度噪声。
#
# 训练到底时，普通 L2 与 dropout 对应的依赖数据的 L2 得到的权重向量范数和测试损失几乎相同，但两者仍相差约其长度的 31%：“与 L2 相同”对权重的大小成立，对权重本身并不成立。
