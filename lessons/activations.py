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
# # Activation functions: curves, saturation, and dead ReLUs measured
#
# Three parts. First, each activation and its derivative, the derivative
# computed by autograd from the scratch implementations in
# `dlnotes.scratch.activations` (tested against PyTorch's own). Second, the
# claim that tanh trains faster than sigmoid *because its output is
# zero-centred*: a shifted sigmoid separates centring from slope. Third, dead
# ReLUs, counted in a real 784-256-256-10 network trained on Fashion-MNIST with
# a normal and with a too-large learning rate. The formulas and tested
# derivative values are on the page *Activation functions* of this site.

# %% [markdown] lang="zh"
# # 激活函数：曲线、饱和，以及实测的“死亡” ReLU
#
# 本实验分三部分。第一部分画出每个激活函数及其导数，导数由 autograd 对 `dlnotes.scratch.activations` 中从零实现的函数（已与 PyTorch 自带实现对照测试）求得。第二部分检验“tanh 因为输出以零为中心，所以比 sigmoid 训练得快”这一说法：用平移后的 sigmoid 把“零中心”与“斜率”两个因素分开。第三部分在 Fashion-MNIST 上用正常学习率和过大学习率分别训练一个真实的 784-256-256-10 网络，统计其中“死亡”的 ReLU 单元。公式和经过测试的导数值见本站页面《激活函数》。

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn

import dlnotes
from dlnotes.plots import plot_with_derivative
from dlnotes.scratch import activations as A

start_time = time.perf_counter()
dev = dlnotes.device()
print("running on", dlnotes.device_name(dev))

# %% [markdown] lang="en"
# ## 1. Each activation and its derivative
#
# Solid: the function; dashed: its derivative, from one autograd backward
# pass over the whole curve. LeakyReLU is drawn with slope 0.1 instead of the
# default 0.01 so that its negative side is visible.

# %% [markdown] lang="zh"
# ## 1. 各激活函数及其导数
#
# 实线是函数本身，虚线是它的导数，由对整条曲线做一次 autograd 反向传播得到。LeakyReLU 的负半轴斜率画成 0.1 而不是默认的 0.01，以便看清。

# %%
curves = {
    "sigmoid": A.sigmoid,
    "tanh": A.tanh,
    "ReLU": A.relu,
    "LeakyReLU(0.1)": lambda x: A.leaky_relu(x, negative_slope=0.1),
    "ELU": A.elu,
    "SELU": A.selu,
}
fig, axes = plt.subplots(2, 3, figsize=(9, 5), sharex=True)
for ax, (name, fn) in zip(axes.flat, curves.items()):
    plot_with_derivative(fn, x_range=(-5, 5), ax=ax, label=name)
    ax.set_ylim(-2, 3)
    ax.set_title(name)
fig.tight_layout()
plt.show()

# %%
x = torch.tensor([-10.0, -2.0, 0.0, 2.0, 10.0], dtype=torch.float64, requires_grad=True)
rows = {}
for name, fn in curves.items():
    x.grad = None
    fn(x).sum().backward()
    rows[name] = x.grad.tolist()
derivatives = pd.DataFrame(rows, index=[f"x = {v:g}" for v in x.tolist()]).T
print("derivative at each point, by autograd:")
print(derivatives.to_string(float_format=lambda v: f"{v:.3g}"))

# %% [markdown] lang="en"
# The sigmoid's derivative peaks at 0.25 (at $x = 0$), tanh's at 1; both are
# about $10^{-4}$ or less at $|x| = 10$: a saturated unit passes almost no
# gradient back. The ReLU family keeps slope 1 for every positive input; for
# negative inputs ReLU passes nothing, LeakyReLU a fixed fraction, ELU and SELU
# a fraction that itself decays like $e^x$. SELU's slope jumps at 0, from
# $\lambda\alpha \approx 1.76$ on the left to $\lambda \approx 1.05$ on the right
# (autograd reports the left one at $x = 0$).

# %% [markdown] lang="zh"
# sigmoid 的导数最大为 0.25（在 $x = 0$ 处），tanh 的最大为 1；在 $|x| = 10$ 处两者都只有约 $10^{-4}$ 或更小：饱和的单元几乎传不回梯度。ReLU 一族对所有正输入保持斜率 1；对负输入，ReLU 完全不传梯度，LeakyReLU 传回固定的一小部分，ELU 和 SELU 传回的比例本身随 $e^x$ 衰减。SELU 的斜率在 0 处跳变，左侧为 $\lambda\alpha \approx 1.76$，右侧为 $\lambda \approx 1.05$（在 $x = 0$ 处 autograd 给出左侧的值）。

# %% [markdown] lang="en"
# ## 2. Is tanh faster *because* it is zero-centred?
#
# The notes (000, 004) say sigmoid outputs are all positive, which forces the
# weight updates of the next layer to zig-zag, and that tanh "solves" this.
# But $\tanh(x) = 2\sigma(2x) - 1$: tanh differs from sigmoid in two ways at
# once, it is centred on 0 *and* it is four times steeper at 0 ($\tanh'(0) = 1$
# against $\sigma'(0) = 0.25$) with twice the output range. The shifted sigmoid
# $\sigma(x) - 0.5$ is zero-centred with the sigmoid's slope, so comparing the
# three separates the two effects. A steeper function also passes back larger
# gradients, which a larger learning rate can make up for, so one learning
# rate for all three would favour the steepest: each activation is trained at
# six learning rates (0.03 to 10) and compared at its best. Same network
# (784-256-256-10), same initial weights for a given seed, plain SGD, batch
# 128, two epochs on 10,000 training images (to fit a CPU build), two seeds,
# scored on the 10,000 test images.

# %% [markdown] lang="zh"
# ## 2. tanh 更快，是*因为*它以零为中心吗？
#
# 笔记（000、004）说 sigmoid 的输出全为正，这迫使下一层权重的更新走“之”字形，而 tanh“解决”了这个问题。但 $\tanh(x) = 2\sigma(2x) - 1$：tanh 与 sigmoid 同时有两处不同，它以 0 为中心，*并且*在 0 处陡四倍（$\tanh'(0) = 1$，而 $\sigma'(0) = 0.25$），输出范围也大一倍。平移后的 sigmoid $\sigma(x) - 0.5$ 以零为中心，斜率却与 sigmoid 相同，所以比较这三者就能把两种效应分开。更陡的函数也会传回更大的梯度，而更大的学习率可以弥补这一点，所以三者共用一个学习率会偏袒最陡的那个：每个激活函数都在六个学习率（0.03 到 10）下训练，按各自最好的学习率比较。网络相同（784-256-256-10），同一个种子下初始权重相同，使用普通 SGD，批量大小 128，在 10,000 张训练图片上训练两轮（以便在 CPU 上跑完），两个种子，在 10,000 张测试图片上评分。

# %%
data = dlnotes.fashion_mnist(normalize="standard", flatten=True)
x_train, y_train = data.x_train.to(dev), data.y_train.to(dev)
x_test, y_test = data.x_test.to(dev), data.y_test.to(dev)


class Lambda(nn.Module):
    """An activation given as a function, as a layer."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def mlp(activation):
    return nn.Sequential(nn.Linear(784, 256), activation(), nn.Linear(256, 256), activation(), nn.Linear(256, 10))


def train(model, optimizer, epochs, seed, callbacks=(), subset=None):
    loader = dlnotes.TensorLoader(x_train[:subset], y_train[:subset], batch_size=128, shuffle=True,
                                  generator=torch.Generator().manual_seed(seed), device=dev)
    test = dlnotes.TensorLoader(x_test, y_test, batch_size=2000, device=dev)
    return dlnotes.fit(model, loader, test, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=epochs,
                       metrics={"accuracy": dlnotes.accuracy}, callbacks=callbacks, device=dev, progress=False,
                       on_nonfinite="record")


centring = {
    "sigmoid": lambda: nn.Sigmoid(),
    "sigmoid - 0.5": lambda: Lambda(lambda z: torch.sigmoid(z) - 0.5),
    "tanh": lambda: nn.Tanh(),
}
RATES, SUBSET = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0), 10_000
results = []
for seed in (0, 1):
    for name, activation in centring.items():
        for lr in RATES:
            torch.manual_seed(seed)  # the same initial weights for every activation and rate
            model = mlp(activation)
            history = train(model, torch.optim.SGD(model.parameters(), lr=lr), epochs=2, seed=seed, subset=SUBSET)
            frame = history.to_frame()
            finished = len(frame) == 2 and frame.iloc[-1].notna().all()  # a diverged run stops early or logs nan
            results.append({"activation": name, "lr": lr, "seed": seed,
                            "train loss": frame["loss"].iloc[-1] if finished else float("nan"),
                            "test accuracy": frame["val_accuracy"].iloc[-1] if finished else float("nan")})
sweep = pd.DataFrame(results)
by_rate = sweep.groupby(["activation", "lr"], sort=False)["test accuracy"].mean().unstack()
print("test accuracy after two epochs of SGD on 10,000 images, mean of two seeds:")
print(by_rate.round(3).to_string())
best = sweep[sweep["lr"] == sweep["activation"].map(by_rate.idxmax(axis=1))]
centring_table = best.groupby("activation", sort=False).agg(
    lr=("lr", "first"), train_loss=("train loss", "mean"), accuracy=("test accuracy", "mean"),
    lowest=("test accuracy", "min"), highest=("test accuracy", "max"))
print("\neach at its best rate (two seeds: mean, lowest and highest test accuracy):")
print(centring_table.round(3).to_string())

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for name in centring:
    ax.plot(RATES, by_rate.loc[name], marker="o", label=name)
ax.set_xscale("log")
ax.set(xlabel="learning rate (plain SGD)", ylabel="test accuracy", title="Two epochs on 10,000 images, mean of 2 seeds")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# !!! note "Verdict on “tanh is zero-centred, so it converges faster” (000, 004)"
#     **Partly holds: centring helps, and so does tanh's steeper slope.**
#     With each activation at its own best learning rate (printed above: two
#     epochs on 10,000 images, two seeds, mean and range of test accuracy),
#     the zero-centred sigmoid $\sigma(x) - 0.5$ reaches 0.69 (0.66–0.73)
#     against the sigmoid's 0.53 (0.52–0.54), and tanh, centred *and* four
#     times steeper, 0.76 (0.74–0.78): the three ranges do not overlap. At one
#     learning rate for all three (0.05, this lesson's earlier version) both
#     sigmoid variants barely trained and looked alike; that comparison could
#     not see centring. Note the sigmoid's best rate is 30 times tanh's: a
#     flatter activation passes back smaller gradients. Why centring helps
#     is not tested here; the usual explanation is conditioning (LeCun et
#     al., *Efficient BackProp*: inputs to a layer whose mean is far from
#     zero make its loss surface much steeper in one direction than in the
#     others), not the per-example zig-zag of signs, which a mini-batch
#     averages. Two seeds and two epochs give a clear ranking but rough
#     sizes.

# %% [markdown] lang="zh"
# !!! note "关于“tanh 以零为中心，所以收敛更快”（000、004）的结论"
#     **部分成立：中心化有帮助，tanh 更陡的斜率也有帮助。** 每个激活函数都用各自最好的学习率时（见上面的输出：在 10,000 张图片上训练两轮，两个种子，测试准确率的均值与范围），以零为中心的 sigmoid $\sigma(x) - 0.5$ 达到 0.69（0.66–0.73），sigmoid 只有 0.53（0.52–0.54），而既以零为中心、又陡四倍的 tanh 达到 0.76（0.74–0.78）：三个范围互不重叠。如果三者共用一个学习率（0.05，本实验先前的版本），两个 sigmoid 变体都几乎没有训练起来，看上去差不多；那种比较看不出中心化的作用。注意 sigmoid 的最佳学习率是 tanh 的 30 倍：越平缓的激活函数传回的梯度越小。中心化为什么有帮助，这里没有检验；通常的解释是条件数（LeCun 等，*Efficient BackProp*：某一层的输入均值远离 0 时，它的损失曲面在某一个方向上比其他方向陡得多），而不是单个样本更新时符号的“之”字形，后者会被小批量平均掉。两个种子、两轮训练足以给出清楚的排序，但差距的大小只是粗略的。

# %% [markdown] lang="en"
# ## 3. Dead ReLUs, measured
#
# A ReLU unit is **dead** on a data set when its pre-activation is negative
# for every example: it outputs 0 everywhere, and the gradient of its incoming
# weights and bias is 0 for every example, so gradient descent cannot move it
# (unless the layers below it change its inputs). Below, after each epoch,
# a callback counts the hidden units of each layer that output 0 for **every**
# one of the 10,000 test images. Adam with learning rate $10^{-3}$ (the usual
# default) against $10^{-2}$ (too large, but not divergent), three epochs,
# two seeds; and a LeakyReLU network under the too-large rate, where
# "dead" means a pre-activation that is negative for every test image.

# %% [markdown] lang="zh"
# ## 3. 实测“死亡” ReLU
#
# 如果某个 ReLU 单元在一个数据集上对每个样本的激活前值都为负，就称它在这个数据集上**死亡**：它处处输出 0，它的输入权重和偏置对每个样本的梯度都是 0，所以梯度下降无法再改变它（除非它下面的层改变了它的输入）。下面在每一轮结束后，由一个回调统计每层隐藏单元中对全部 10,000 张测试图像都输出 0 的单元。比较学习率为 $10^{-3}$（常用的默认值）和 $10^{-2}$（过大，但不至于发散）的 Adam，训练三轮，两个种子；另外用过大的学习率训练一个 LeakyReLU 网络，对它而言“死亡”指激活前值对每张测试图像都为负。

# %%
class DeadUnits(dlnotes.Callback):
    """Which hidden units never fire: on the test images before training and after every epoch,
    on the training images after the first and the last epoch."""

    def __init__(self, model):
        self.model = model
        self.test = []   # test[e][layer]: (256,) bool, True = dead on every test image after epoch e
        self.train = {}  # train[e][layer]: the same on the 60,000 training images

    @torch.no_grad()
    def dead(self, x):
        self.model.eval()
        pre1 = self.model[0](x)                    # (N, 256) first-layer pre-activations
        pre2 = self.model[2](self.model[1](pre1))  # (N, 256) second-layer pre-activations
        self.model.train()
        return [(pre <= 0).all(dim=0).cpu() for pre in (pre1, pre2)]

    def on_fit_start(self, trainer):
        self.test.append(self.dead(x_test))

    def on_epoch_end(self, trainer, epoch, logs):
        self.test.append(self.dead(x_test))
        if epoch in (1, trainer.epochs):
            self.train[epoch] = self.dead(x_train)


runs = {"ReLU, Adam lr 1e-3": (nn.ReLU, 1e-3), "ReLU, Adam lr 1e-2": (nn.ReLU, 1e-2),
        "LeakyReLU, Adam lr 1e-2": (nn.LeakyReLU, 1e-2)}
dead_rows, trackers = [], {}
for name, (activation, lr) in runs.items():
    for seed in ((0, 1) if activation is nn.ReLU else (0,)):
        torch.manual_seed(seed)
        model = mlp(activation)
        tracker = DeadUnits(model.to(dev))
        history = train(model, torch.optim.Adam(model.parameters(), lr=lr), epochs=3, seed=seed,
                        callbacks=[tracker])
        trackers[name, seed] = tracker
        final = tracker.test[-1]
        dead_rows.append({"run": name, "seed": seed, "dead in layer 1 (%)": 100 * final[0].float().mean().item(),
                          "dead in layer 2 (%)": 100 * final[1].float().mean().item(),
                          "test accuracy": history.history["val_accuracy"][-1]})
dead_table = pd.DataFrame(dead_rows)
print("dead units at initialisation (every run):",
      sorted({int(t.test[0][0].sum() + t.test[0][1].sum()) for t in trackers.values()}))
print(dead_table.round(3).to_string(index=False))

# %%
per_epoch = []
for (name, seed), tracker in trackers.items():
    for epoch, (layer1, layer2) in enumerate(tracker.test):
        per_epoch.append({"run": name, "seed": seed, "epoch": epoch, "layer 1": 100 * layer1.float().mean().item(),
                          "layer 2": 100 * layer2.float().mean().item()})
per_epoch = pd.DataFrame(per_epoch)

fig, (bars, lines) = plt.subplots(1, 2, figsize=(10, 3.8))
means = dead_table.groupby("run", sort=False)[["dead in layer 1 (%)", "dead in layer 2 (%)"]].mean()
positions = np.arange(len(means))
for i, column in enumerate(means.columns):
    bars.bar(positions + (i - 0.5) * 0.38, means[column], width=0.38, label=column.replace(" (%)", ""))
for _, row in dead_table.iterrows():  # every seed as a dot over its bar
    k = list(means.index).index(row["run"])
    bars.plot([k - 0.19, k + 0.19], [row["dead in layer 1 (%)"], row["dead in layer 2 (%)"]], "k.", ms=4)
bars.set_xticks(positions, [n.replace(", ", "\n") for n in means.index], fontsize=8)
bars.set(ylabel="% of 256 units never > 0 on test set", title="After 3 epochs (bars: mean, dots: seeds)")
bars.legend(fontsize=8)
for name in runs:
    curve = per_epoch[per_epoch["run"] == name].groupby("epoch")[["layer 1", "layer 2"]].mean()
    (line,) = lines.plot(curve.index, curve["layer 2"], marker="o", label=f"{name}: layer 2")
    lines.plot(curve.index, curve["layer 1"], marker="s", ls="--", color=line.get_color(), label="  layer 1")
lines.set(xlabel="epoch (0 = initialisation)", ylabel="% dead (mean over seeds)", title="Dead units during training")
lines.set_xticks(range(4))
lines.legend(fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# No unit is dead at initialisation: with PyTorch's default initialisation and
# standardised inputs every unit fires on some image. Deaths happen during
# training, mostly in the first epoch, and far more with the too-large rate:
# in the run on the CPU, about 13 % of layer 1 and 25–36 % of layer 2 after
# three epochs, against none and about 6–7 % at the default rate; the
# too-large rate also ends 1–3 points lower in test accuracy (0.845–0.858
# against 0.870–0.871). Even the default rate leaves a few percent of layer
# 2 dead. With LeakyReLU the "never positive" count in layer 1 is even higher
# (about 29 %): a leaky unit can end up on the negative side just as easily;
# what differs is what happens next.

# %% [markdown] lang="zh"
# 初始化时没有任何单元死亡：在 PyTorch 默认初始化和标准化输入下，每个单元都会在某些图像上被激活。死亡发生在训练过程中，主要在第一轮，并且在学习率过大时多得多：本站在 CPU 上运行时，训练三轮后第一层约有 13%、第二层约有 25–36% 的单元死亡，而默认学习率下第一层没有、第二层约 6–7%；学习率过大的运行，测试准确率也低了 1–3 个百分点（0.845–0.858，默认学习率为 0.870–0.871）。即使是默认学习率，第二层也会有百分之几的单元死亡。使用 LeakyReLU 时，第一层“从不为正”的单元反而更多（约 29%）：带泄漏的单元同样容易落到负半轴上，不同之处在于之后会发生什么。

# %% [markdown] lang="en"
# Are dead units dead for good? The argument says a unit that outputs 0 on
# every **training** image gets no gradient. Follow, in the ReLU runs with the
# too-large rate, the units that were dead on the whole training set after
# the first epoch, and ask how many fire again two epochs later. Layer 1 sees
# the fixed images, so only the optimiser's momentum could move a dead unit
# there; a layer-2 unit can come back when layer 1 changes its inputs.

# %% [markdown] lang="zh"
# 死亡的单元会永远死亡吗？按照上面的论证，对每一张**训练**图像都输出 0 的单元得不到任何梯度。在学习率过大的 ReLU 运行中，追踪第一轮后对整个训练集都已死亡的单元，看两轮之后有多少重新被激活。第一层看到的是固定的图像，只有优化器的动量可能移动其中死亡的单元；第二层的单元则可能因为第一层改变了它的输入而复活。

# %%
revival = []
for (name, seed), tracker in trackers.items():
    for layer in (0, 1):
        dead_after_1, dead_after_3 = tracker.train[1][layer], tracker.train[3][layer]
        revival.append({"run": name, "seed": seed, "layer": layer + 1,
                        "dead on train, epoch 1": int(dead_after_1.sum()),
                        "of these, active at epoch 3": int((dead_after_1 & ~dead_after_3).sum()),
                        "dead on train, epoch 3": int(dead_after_3.sum()),
                        "dead on test, epoch 3": int(tracker.test[-1][layer].sum())})
print("units (of 256) that output 0 on every training / test image:")
print(pd.DataFrame(revival).to_string(index=False))

# %% [markdown] lang="en"
# Layer 1 behaves as the argument predicts: a ReLU unit dead on the whole
# training set after epoch 1 is still dead after epoch 3 (none of the few
# came back), because nothing below it can change. Layer 2 is different: of
# the units dead on the training set after epoch 1, roughly a third to two
# thirds fire again two epochs later, because layer 1 kept changing their
# inputs. Note also that a unit counted as dead on the 10,000 test images may
# still fire on some training images and so still receive gradient; the
# training-set count is the one that decides whether a unit can learn.
#
# !!! note "Verdict on “ReLUs die irreversibly; a sensible learning rate makes it less likely” (000, 004)"
#     **The learning-rate part holds; "irreversibly" holds only for the first
#     layer.** Adam at $10^{-2}$ left about 13 % of the first and 25–36 % of
#     the second hidden layer dead on every test image after three epochs
#     (two seeds); at $10^{-3}$, none and about 6–7 %. No unit was dead at initialisation,
#     so the notes' scenario of a bad initialisation is not what kills units
#     here; large updates during training are. Dead first-layer units stayed
#     dead, but a large share of dead second-layer units came back as the
#     layer below changed.
#
# !!! note "Verdict on “LeakyReLU solves the dying-ReLU problem” (000)"
#     **Partly.** One LeakyReLU run (seed 0) against two ReLU runs, so this
#     verdict has no spread of its own: read it as what one run shows. Leaky
#     units fell to the negative side at least as often (about 29 % of the
#     first layer at $10^{-2}$, against 13 % with ReLU on both seeds), but
#     their gradient there is 1 % instead of 0, so some of them recovered, in
#     the first layer too, where ReLU units never did. Its test accuracy
#     (0.851) lies between the two ReLU seeds' (0.845 and 0.858) at the same
#     rate: not distinguishable from ReLU. The real fix is a learning rate
#     that does not throw units off in the first place.

# %% [markdown] lang="zh"
# 第一层的表现符合上面的论证：第一轮后对整个训练集死亡的 ReLU 单元，到第三轮后仍然死亡（为数不多的几个都没有复活），因为它下面没有任何东西会变化。第二层则不同：第一轮后对训练集死亡的单元中，大约三分之一到三分之二在两轮后重新被激活，因为第一层一直在改变它们的输入。还要注意，对 10,000 张测试图像都不激活的单元，仍可能在某些训练图像上激活，从而继续得到梯度；决定一个单元能否学习的，是训练集上的统计。
#
# !!! note "关于“ReLU 会不可逆地死亡；合理设置学习率可以降低死亡的概率”（000、004）的结论"
#     **学习率部分成立；“不可逆”只对第一层成立。** 学习率为 $10^{-2}$ 的 Adam 训练三轮后，第一隐藏层约 13%、第二隐藏层约 25–36% 的单元对所有测试图像都输出 0（两个种子）；学习率为 $10^{-3}$ 时，第一层没有，第二层约 6–7%。初始化时没有任何单元死亡，所以在这里杀死单元的并不是笔记所说的糟糕初始化，而是训练中过大的更新。第一层死亡的单元一直没有复活，但第二层死亡的单元有相当一部分随着下面一层的变化而复活了。
#
# !!! note "关于“LeakyReLU 解决了 ReLU 神经元死亡的问题”（000）的结论"
#     **部分成立。** 这里只有一次 LeakyReLU 运行（种子 0），对照两次 ReLU 运行，所以这个结论没有自己的种子间波动：只能看作一次运行的结果。带泄漏的单元落到负半轴上的情况至少一样多（学习率 $10^{-2}$ 时约占第一层的 29%，ReLU 在两个种子上都是 13%），但它们在那里的梯度是 1% 而不是 0，所以其中一些恢复了，包括在 ReLU 单元从未恢复过的第一层。它的测试准确率（0.851）落在同一学习率下两个 ReLU 种子（0.845 和 0.858）之间：与 ReLU 无法区分。真正的解决办法是选用一开始就不会把单元甩出去的学习率。

# %%
print(f"total run time of this lesson: {time.perf_counter() - start_time:.1f} s")
