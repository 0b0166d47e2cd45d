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
# 本课分三部分。第一部分画出每个激活函数及其导数，导数由 autograd 对 `dlnotes.scratch.activations` 中从零实现的函数（已与 PyTorch 自带实现对照测试）求得。第二部分检验“tanh 因为输出以零为中心，所以比 sigmoid 训练得快”这一说法：用平移后的 sigmoid 把“零中心”与“斜率”两个因素分开。第三部分在 Fashion-MNIST 上用正常学习率和过大学习率分别训练一个真实的 784-256-256-10 网络，统计其中“死亡”的 ReLU 单元。公式和经过测试的导数值见本站页面《激活函数》。

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
# three separates the two effects. Same network (784-256-256-10), same
# initial weights for a given seed, plain SGD with learning rate 0.05, batch
# 128, one epoch, two seeds.

# %% [markdown] lang="zh"
# ## 2. tanh 更快，是*因为*它以零为中心吗？
#
# 笔记（000、004）说 sigmoid 的输出全为正，这迫使下一层权重的更新走“之”字形，而 tanh“解决”了这个问题。但 $\tanh(x) = 2\sigma(2x) - 1$：tanh 与 sigmoid 同时有两处不同，它以 0 为中心，*并且*在 0 处陡四倍（$\tanh'(0) = 1$，而 $\sigma'(0) = 0.25$），输出范围也大一倍。平移后的 sigmoid $\sigma(x) - 0.5$ 以零为中心，斜率却与 sigmoid 相同，所以比较这三者就能把两种效应分开。网络相同（784-256-256-10），同一个种子下初始权重相同，使用普通 SGD，学习率 0.05，批大小 128，训练一个 epoch，两个种子。

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


def train(model, optimizer, epochs, seed, callbacks=()):
    loader = dlnotes.TensorLoader(x_train, y_train, batch_size=128, shuffle=True,
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
results = []
for seed in (0, 1):
    for name, activation in centring.items():
        torch.manual_seed(seed)  # the same initial weights for every activation
        model = mlp(activation)
        history = train(model, torch.optim.SGD(model.parameters(), lr=0.05), epochs=1, seed=seed)
        frame = history.to_frame()
        results.append({"activation": name, "seed": seed, "train loss": frame["loss"].iloc[-1],
                        "test accuracy": frame["val_accuracy"].iloc[-1]})
centring_table = pd.DataFrame(results).groupby("activation", sort=False)[["train loss", "test accuracy"]]
centring_table = centring_table.agg(["mean", "min", "max"])
print("after one epoch of SGD (lr 0.05), two seeds:")
print(centring_table.round(3).to_string())

# %% [markdown] lang="en"
# !!! note "Verdict on “tanh is zero-centred, so it converges faster” (000, 004)"
#     **Tanh does train much faster here, but zero-centring is not why.** After
#     one epoch the training loss is about 1.80 with sigmoid and about 0.62
#     with tanh (test accuracy about 0.59 against 0.82). The zero-centred
#     sigmoid $\sigma(x) - 0.5$ lowers the loss only to about 1.79: a gain of
#     about 1 % of the gap to tanh, and no gain in test accuracy. What
#     separates tanh from the centred sigmoid is only scale:
#     $\tanh(x) = 2(\sigma(2x) - 0.5)$ is that function twice as tall and half
#     as wide, four times as steep at 0, so every hidden layer passes back
#     larger gradients. Centring can matter little
#     for the hidden layers here, because the next layer's bias absorbs a
#     constant shift ($W(h - 0.5) + b = Wh + (b - 0.5\,W\mathbf{1})$), and the
#     zig-zag argument concerns the direction of single-example updates,
#     which a mini-batch of 128 averages. The size of the gap depends on the
#     optimiser and the learning rate; what the experiment shows is that
#     centring is not what produces it.

# %% [markdown] lang="zh"
# !!! note "关于“tanh 以零为中心，所以收敛更快”（000、004）的结论"
#     **在这里 tanh 确实训练得快得多，但原因不是零中心。** 训练一个 epoch 后，sigmoid 的训练损失约为 1.80，tanh 约为 0.62（测试准确率约 0.59 对 0.82）。以零为中心的 sigmoid $\sigma(x) - 0.5$ 只把损失降到约 1.79：只相当于与 tanh 差距的约 1%，测试准确率也没有提高。把 tanh 与中心化的 sigmoid 区分开的只有尺度：$\tanh(x) = 2(\sigma(2x) - 0.5)$ 就是把这个函数纵向拉高一倍、横向压缩一半，在 0 处陡四倍，于是每个隐藏层传回的梯度都更大。在这里零中心对隐藏层作用不大，因为下一层的偏置会吸收一个常数平移（$W(h - 0.5) + b = Wh + (b - 0.5\,W\mathbf{1})$），而“之”字形的论证针对的是单个样本更新的方向，大小为 128 的小批量已经把它平均掉了。差距的大小取决于优化器和学习率；这个实验说明的是：造成差距的并不是零中心。

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
# 如果某个 ReLU 单元在一个数据集上对每个样本的激活前值都为负，就称它在这个数据集上**死亡**：它处处输出 0，它的输入权重和偏置对每个样本的梯度都是 0，所以梯度下降无法再改变它（除非它下面的层改变了它的输入）。下面在每个 epoch 结束后，由一个回调统计每层隐藏单元中对全部 10,000 张测试图像都输出 0 的单元。比较学习率为 $10^{-3}$（常用的默认值）和 $10^{-2}$（过大，但不至于发散）的 Adam，训练三个 epoch，两个种子；另外用过大的学习率训练一个 LeakyReLU 网络，对它而言“死亡”指激活前值对每张测试图像都为负。

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
# on the CPU build, about 6–9 % of layer 1 and 14–29 % of layer 2 after three
# epochs, against at most 1 % and 6–9 % at the default rate, with about 1–2
# points less test accuracy. Even the default rate leaves a few percent of
# layer 2 dead. With LeakyReLU the "never positive" count in layer 1 is even
# higher (about a quarter): a leaky unit can end up on the negative side just
# as easily; what differs is what happens next.

# %% [markdown] lang="zh"
# 初始化时没有任何单元死亡：在 PyTorch 默认初始化和标准化输入下，每个单元都会在某些图像上被激活。死亡发生在训练过程中，主要在第一个 epoch，并且在学习率过大时多得多：在 CPU 构建中，三个 epoch 后第一层约有 6–9%、第二层约有 14–29% 的单元死亡，而默认学习率下分别最多 1% 和 6–9%，测试准确率也低了约 1–2 个百分点。即使是默认学习率，第二层也会有百分之几的单元死亡。使用 LeakyReLU 时，第一层“从不为正”的单元反而更多（约四分之一）：带泄漏的单元同样容易落到负半轴上，不同之处在于之后会发生什么。

# %% [markdown] lang="en"
# Are dead units dead for good? The argument says a unit that outputs 0 on
# every **training** image gets no gradient. Follow, in the ReLU runs with the
# too-large rate, the units that were dead on the whole training set after
# the first epoch, and ask how many fire again two epochs later. Layer 1 sees
# the fixed images, so only the optimiser's momentum could move a dead unit
# there; a layer-2 unit can come back when layer 1 changes its inputs.

# %% [markdown] lang="zh"
# 死亡的单元会永远死亡吗？按照上面的论证，对每一张**训练**图像都输出 0 的单元得不到任何梯度。在学习率过大的 ReLU 运行中，追踪第一个 epoch 后对整个训练集都已死亡的单元，看两个 epoch 之后有多少重新被激活。第一层看到的是固定的图像，只有优化器的动量可能移动其中死亡的单元；第二层的单元则可能因为第一层改变了它的输入而复活。

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
#     layer.** Adam at $10^{-2}$ left about 6–9 % of the first and 14–29 % of
#     the second hidden layer dead on every test image after three epochs;
#     at $10^{-3}$, at most 1 % and 6–9 %. No unit was dead at initialisation,
#     so the notes' scenario of a bad initialisation is not what kills units
#     here; large updates during training are. Dead first-layer units stayed
#     dead, but a large share of dead second-layer units came back as the
#     layer below changed.
#
# !!! note "Verdict on “LeakyReLU solves the dying-ReLU problem” (000)"
#     **Partly.** Leaky units fall to the negative side at least as often
#     (about a quarter of the first layer at $10^{-2}$, more than with ReLU),
#     but their gradient there is 1 % instead of 0, so some of them recover,
#     in the first layer too, where ReLU units never did. Test accuracy was
#     no better than ReLU's at the same rate. The real fix is a learning rate
#     that does not throw units off in the first place.

# %% [markdown] lang="zh"
# 第一层的表现符合上面的论证：第一个 epoch 后对整个训练集死亡的 ReLU 单元，到第三个 epoch 后仍然死亡（为数不多的几个都没有复活），因为它下面没有任何东西会变化。第二层则不同：第一个 epoch 后对训练集死亡的单元中，大约三分之一到三分之二在两个 epoch 后重新被激活，因为第一层一直在改变它们的输入。还要注意，对 10,000 张测试图像都不激活的单元，仍可能在某些训练图像上激活，从而继续得到梯度；决定一个单元能否学习的，是训练集上的统计。
#
# !!! note "关于“ReLU 会不可逆地死亡；合理设置学习率可以降低死亡的概率”（000、004）的结论"
#     **学习率部分成立；“不可逆”只对第一层成立。** 学习率为 $10^{-2}$ 的 Adam 训练三个 epoch 后，第一隐藏层约 6–9%、第二隐藏层约 14–29% 的单元对所有测试图像都输出 0；学习率为 $10^{-3}$ 时，分别最多 1% 和 6–9%。初始化时没有任何单元死亡，所以在这里杀死单元的并不是笔记所说的糟糕初始化，而是训练中过大的更新。第一层死亡的单元一直没有复活，但第二层死亡的单元有相当一部分随着下面一层的变化而复活了。
#
# !!! note "关于“LeakyReLU 解决了 ReLU 神经元死亡的问题”（000）的结论"
#     **部分成立。** 带泄漏的单元落到负半轴上的情况至少一样多（学习率 $10^{-2}$ 时约占第一层的四分之一，比 ReLU 还多），但它们在那里的梯度是 1% 而不是 0，所以其中一些能够恢复，包括在 ReLU 单元从未恢复过的第一层。测试准确率并不比同一学习率下的 ReLU 更好。真正的解决办法是选用一开始就不会把单元甩出去的学习率。

# %%
print(f"total run time of this lesson: {time.perf_counter() - start_time:.1f} s")
