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
# # Reading learning curves: the five patterns
#
# The course notes give a checklist for reading the two loss curves that
# training prints, the loss on the training set and the loss on held-out
# data, with a diagnosis and a remedy (in brackets) for each of five shapes:
#
# | # | training loss | held-out loss | the notes' diagnosis | the notes' remedy |
# |---|---|---|---|---|
# | 1 | falls | falls | the network is still learning | none: "the best case" |
# | 2 | falls | flat | the network overfits | max pooling or regularisation |
# | 3 | flat | falls | "100 %" a problem with the data set | check the data set |
# | 4 | flat | flat | learning has hit a bottleneck | lower the learning rate or the batch size |
# | 5 | rises | rises | bad architecture, bad hyper-parameters, data set needs cleaning | (none given) |
#
# A checklist like this is only useful if the shapes really mean what it
# says. This lesson produces each shape with a real Fashion-MNIST run that is
# set up to show it, then checks the diagnosis and, where one is given, tries
# the remedy.

# %% [markdown] lang="zh"
# # 读懂学习曲线：五种模式
#
# 训练时会打印两条损失曲线：训练集上的损失和留出数据上的损失。课程笔记为读懂这两条曲线给出了一张对照表，针对五种形状分别列出诊断和对策（对策在笔记中写在括号里）：
#
# | # | 训练损失 | 留出数据损失 | 笔记的诊断 | 笔记的对策 |
# |---|---|---|---|---|
# | 1 | 下降 | 下降 | 网络仍在学习 | 无：“最好的”情况 |
# | 2 | 下降 | 趋于不变 | 网络过拟合 | max pool 或者正则化 |
# | 3 | 趋于不变 | 下降 | “数据集 100% 有问题” | 检查 dataset |
# | 4 | 趋于不变 | 趋于不变 | 学习遇到瓶颈 | 减小学习率或批量大小（batch_size） |
# | 5 | 上升 | 上升 | 网络结构设计不当、训练超参数设置不当、数据集需要清洗等 | （未给出） |
#
# 只有当每种形状确实意味着表中所说的情况时，这样一张对照表才有用。本实验为每种形状专门设计一次真实的 Fashion-MNIST 训练，让曲线呈现出这种形状，然后检验笔记的诊断；笔记给出了对策的，再实际试一试这个对策。

# %% [markdown] lang="en"
# !!! warning "Correction"
#     The notes call the second curve the **test** loss, and elsewhere define
#     Keras' `val_loss` as the "test-set loss". It is the loss on the
#     **validation** set: data held out from training and looked at after
#     every epoch to make decisions (stop now? lower the learning rate? add
#     regularisation?). The test set is used once, at the very end; a test set
#     that steers these decisions becomes part of the tuning, and its score
#     stops being an honest estimate. Everything below uses a validation set
#     split off the training images; the test set is not touched.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     笔记把第二条曲线称为**测试**损失（test loss），在别处也把 Keras 的 `val_loss` 定义为“测试集损失值”。它其实是**验证集**上的损失：验证集是从训练数据中留出的数据，每一轮（epoch）结束后查看一次，用来做决定（现在停止吗？要不要降低学习率？要不要加正则化？）。测试集只在最后使用一次；如果用测试集来指导这些决定，它就成了调参的一部分，它的分数也就不再能如实反映模型在新数据上的表现。下文的所有训练都使用从训练图片中划分出的验证集，完全不动用测试集。

# %% [markdown] lang="en"
# ## Setup
#
# One network throughout: the 784-300-100-10 multilayer perceptron with ReLU
# from the notes, on standardised pixels. The training images are the first
# 20,000 of the library's training split (55,000 images, in random order);
# the validation curve is measured on 2,000 of its 5,000 validation images
# after every epoch (enough for a smooth curve, and cheap: the overfitting
# runs evaluate it 30 times). The sizes are the same on every device, so
# the figures look alike wherever the site is built. The training loss that
# `fit` reports for an epoch is the mean of the batch losses *during* that
# epoch, while the weights are still changing; the validation loss is
# measured once, at the end of the epoch.

# %% [markdown] lang="zh"
# ## 准备
#
# 全程使用同一个网络：笔记中的 784-300-100-10 多层感知机（ReLU 激活），输入为标准化后的像素。训练图片取本库训练集划分（55,000 张，顺序已随机打乱）的前 20,000 张；验证曲线在每轮结束后用 5,000 张验证图片中的 2,000 张计算（这足以得到平滑的曲线，而且开销小：过拟合的那几次训练要评估 30 次）。无论在哪种设备上，这些规模都相同，所以不管本站在哪里构建，图都大致相同。`fit` 报告的某一轮的训练损失，是这一轮*进行中*各批次损失的平均值，其间权重一直在变；验证损失则只在该轮结束时计算一次。

# %%
import math
import time

import matplotlib.pyplot as plt
import pandas as pd
import torch
from torch import nn
from torch.optim.lr_scheduler import ExponentialLR

import dlnotes
from dlnotes import TensorLoader, accuracy, fit

start_time = time.perf_counter()
device = dlnotes.device()
data = dlnotes.fashion_mnist(normalize="standard", val_size=5000, seed=0, flatten=True)
x_train, y_train = data.x_train[:20000], data.y_train[:20000]  # (20000, 784), (20000,)
x_val, y_val = data.x_val[:2000], data.y_val[:2000]  # (2000, 784), (2000,)
val = TensorLoader(x_val, y_val, batch_size=2000, device=device)
print(f"{len(x_train)} training and {len(x_val)} validation images on {dlnotes.device_name(device)}")


def mlp(dropout: float = 0.0) -> nn.Module:
    """784-300-100-10 with ReLU; with dropout, a Dropout layer after each hidden ReLU."""
    layers, width = [], 784
    for hidden in (300, 100):
        layers += [nn.Linear(width, hidden), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
        width = hidden
    return nn.Sequential(*layers, nn.Linear(width, 10))


def sgd(lr, momentum=0.0):
    return lambda params: torch.optim.SGD(params, lr=lr, momentum=momentum)


def adam(lr):
    return lambda params: torch.optim.Adam(params, lr=lr)


def train(x, y, *, optimizer, epochs, batch_size=128, dropout=0.0, lr_growth=None, model=None, seed=0):
    """Train a fresh mlp (or ``model``, to continue it); returns the model and its History."""
    dlnotes.seed_everything(seed)
    model = mlp(dropout) if model is None else model
    optimizer = optimizer(model.parameters())
    scheduler = None if lr_growth is None else ExponentialLR(optimizer, gamma=lr_growth)  # lr *= growth per epoch
    loader = TensorLoader(x, y, batch_size=batch_size, shuffle=True, device=device)
    # "record": a diverging run is data here, not an error
    history = fit(model, loader, val, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=epochs,
                  metrics={"accuracy": accuracy}, scheduler=scheduler, device=device, progress=False,
                  on_nonfinite="record")
    return model, history


# %% [markdown] lang="en"
# ## Five runs, one per pattern
#
# Each run changes one thing from a plain baseline (SGD, learning rate 0.01,
# batches of 128, 8 epochs on the 20,000 images):
#
# | pattern | run |
# |---|---|
# | 1 | the baseline itself |
# | 2 | only **1,000** training images, Adam (learning rate $10^{-3}$, batches of 64), **30 epochs** |
# | 3 | the baseline on **corrupted labels**: 80 % of the training labels replaced by a random class (validation labels stay clean) |
# | 4 | the baseline with a **learning rate of $10^{-4}$**, a hundred times smaller |
# | 5 | Adam starting at $10^{-3}$, the learning rate **doubling every epoch** (a warm-up that never stops) |
#
# Pattern 5 needs a schedule because a fixed learning rate that is too high
# rarely gives a slow climb: it tends to break the network within the first
# epoch (an example, stuck from epoch 1, comes with pattern 4 below).

# %% [markdown] lang="zh"
# ## 五次训练，每种模式一次
#
# 每次训练只在一个朴素的基线上改动一处（基线：SGD，学习率 0.01，批量大小 128，在 20,000 张图片上训练 8 轮）：
#
# | 模式 | 训练设置 |
# |---|---|
# | 1 | 基线本身 |
# | 2 | 只用 **1,000** 张训练图片，Adam（学习率 $10^{-3}$，批量大小 64），训练 **30 轮** |
# | 3 | 基线改用**损坏的标签**训练：80% 的训练标签被替换为随机类别（验证标签保持正确） |
# | 4 | 基线的**学习率改为 $10^{-4}$**，小了一百倍 |
# | 5 | Adam 从 $10^{-3}$ 开始，学习率**每轮翻倍**（一个永不结束的预热） |
#
# 模式 5 之所以需要学习率调度，是因为固定的过大学习率很少会让损失缓慢爬升：它往往在第一轮之内就把网络弄坏了（下面模式 4 部分有一个从第 1 轮起就卡住的例子）。

# %%
generator = torch.Generator().manual_seed(1)
replaced = torch.rand(len(y_train), generator=generator) < 0.8  # (20000,) True for about 80 % of the images
y_noisy = y_train.clone()
y_noisy[replaced] = torch.randint(0, 10, (int(replaced.sum()),), generator=generator)
print(f"labels replaced: {replaced.float().mean():.3f}; labels now wrong: {(y_noisy != y_train).float().mean():.3f}")

PATTERNS = {
    1: "train ↓, val ↓: still learning",
    2: "train ↓, val flat: overfitting",
    3: "train flat, val ↓: data problem",
    4: "train flat, val flat: bottleneck",
    5: "train ↑, val ↑: bad design or settings",
}
runs = {}
runs[1] = train(x_train, y_train, optimizer=sgd(0.01), epochs=8)
runs[2] = train(x_train[:1000], y_train[:1000], optimizer=adam(1e-3), epochs=30, batch_size=64)
runs[3] = train(x_train, y_noisy, optimizer=sgd(0.01), epochs=8)
runs[4] = train(x_train, y_train, optimizer=sgd(1e-4), epochs=8)
runs[5] = train(x_train, y_train, optimizer=adam(1e-3), epochs=8, lr_growth=2.0)
print(f"pattern 5, learning rate per epoch: {[round(lr, 4) for lr in runs[5][1].history['lr']]}")

# %% [markdown] lang="en"
# ## The curves
#
# Each panel is titled with the notes' description of the pattern. All panels
# share one vertical scale; the dotted line is $\ln 10 \approx 2.30$, the loss
# of a network that gives every class probability 1/10 (chance level).

# %% [markdown] lang="zh"
# ## 曲线
#
# 每个子图的标题是笔记对该模式的描述。所有子图使用同一纵轴刻度；点线是 $\ln 10 \approx 2.30$，即网络给每个类别都分配 1/10 概率时的损失（随机猜测水平）。

# %%
def chance_line(ax):
    """A dotted line at ln 10, the loss of a network that gives each of the 10 classes 1/10."""
    ax.axhline(math.log(10), color="grey", ls=":", lw=1)
    ax.text(1.0, math.log(10), "ln 10 ", transform=ax.get_yaxis_transform(), ha="right", va="bottom",
            fontsize=7, color="grey")


fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
for ax, (number, title) in zip(axes.flat, PATTERNS.items()):
    runs[number][1].plot("loss", ax=ax)
    ax.set_title(f"{number}. {title}", fontsize=10)
    ax.set_ylabel("cross-entropy")
    ax.set_ylim(0, 2.6)  # one scale for all panels, so that flat looks flat
    chance_line(ax)
axes.flat[-1].axis("off")
fig.suptitle("Five Fashion-MNIST runs, one per pattern of the notes (solid: train, dashed: validation)")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## The numbers
#
# First and last epoch of each curve, the lowest validation loss and when
# it happened, and the validation accuracy at the end and at that lowest
# point (where early stopping would have stopped).

# %% [markdown] lang="zh"
# ## 数值
#
# 每条曲线第一轮和最后一轮的值、验证损失的最低值及其所在的轮次，以及最后一轮和最低点处的验证准确率（最低点就是早停会停下的地方）。


# %%
def summary(history) -> dict:
    h = history.history
    best = min(range(len(h["val_loss"])), key=lambda i: h["val_loss"][i])  # nan never wins
    return {"epochs": len(h["loss"]),
            "train loss, epoch 1": h["loss"][0], "train loss, last": h["loss"][-1],
            "val loss, epoch 1": h["val_loss"][0], "val loss, lowest": h["val_loss"][best],
            "lowest at epoch": best + 1, "val loss, last": h["val_loss"][-1],
            "val accuracy at lowest": h["val_accuracy"][best], "val accuracy, last": h["val_accuracy"][-1]}


table = pd.DataFrame({f"{n}. {PATTERNS[n]}": summary(runs[n][1]) for n in PATTERNS}).T
table.round(3)

# %% [markdown] lang="en"
# ## Trying the remedies
#
# For each pattern that comes with a remedy, the same run again with the
# remedy applied, next to the obvious alternatives:
#
# * **2**: regularisation (dropout 0.5 after each hidden layer), and four
#   times more data (4,000 images); max pooling has no place in an MLP.
# * **3**: the same training with the correct labels: that is run 1.
# * **4**: the seed's remedy, a smaller learning rate ($10^{-5}$), and the
#   opposite, a larger one ($10^{-2}$: run 1). Flat curves can also come
#   from a learning rate that is too *high*, so a second case: SGD with
#   momentum 0.9 at learning rate 0.3, which sticks from the first epoch;
#   then the remedy applied to that same network (3 more epochs at 0.03),
#   and a fresh network trained at 0.03 from the start.
# * **5**: the same Adam run with the learning rate kept at $10^{-3}$.
#
# The other half of remedy 4, a smaller batch, is not tried here.

# %% [markdown] lang="zh"
# ## 试一试对策
#
# 对每个给出了对策的模式，把同一次训练加上该对策再跑一遍，并与显而易见的替代做法放在一起比较：
#
# * **2**：正则化（在每个隐藏层后加 0.5 的 dropout），以及四倍的数据（4,000 张图片）；多层感知机里根本用不上 max pool。
# * **3**：用正确的标签做同样的训练：这就是第 1 次训练。
# * **4**：笔记的对策，即更小的学习率（$10^{-5}$），以及相反的做法，即更大的学习率（$10^{-2}$：就是第 1 次训练）。两条平坦的曲线也可能源于*过大*的学习率，所以再加一种情形：SGD 带 0.9 动量、学习率 0.3，从第一轮起就卡住；然后对同一个网络施加对策（以 0.03 再训练 3 轮），以及一个从头开始就用 0.03 训练的新网络。
# * **5**：同样的 Adam 训练，但学习率保持 $10^{-3}$ 不变。
#
# 对策 4 的另一半，即减小批量大小，本实验没有尝试。

# %%
remedies = {}
remedies["2: dropout 0.5"] = train(x_train[:1000], y_train[:1000], optimizer=adam(1e-3), epochs=30, batch_size=64,
                                   dropout=0.5)
remedies["2: 4,000 images"] = train(x_train[:4000], y_train[:4000], optimizer=adam(1e-3), epochs=30, batch_size=64)
remedies["4: lr 1e-5"] = train(x_train, y_train, optimizer=sgd(1e-5), epochs=8)
remedies["4: lr 0.3, stuck"] = train(x_train, y_train, optimizer=sgd(0.3, momentum=0.9), epochs=3)
stuck = remedies["4: lr 0.3, stuck"][0]
with torch.no_grad():
    hidden = stuck[:4](x_val.to(device))  # (2000, 100): the second hidden layer, after its ReLU
dead_share = (hidden.amax(dim=0) == 0).float().mean().item()
print(f"lr 0.3 network: {dead_share:.0%} of the second layer's units output 0 for every validation image")
remedies["4: same net, lr 0.03"] = train(x_train, y_train, optimizer=sgd(0.03, momentum=0.9), epochs=3, model=stuck)
remedies["4: restart, lr 0.03"] = train(x_train, y_train, optimizer=sgd(0.03, momentum=0.9), epochs=6)
remedies["5: fixed lr 1e-3"] = train(x_train, y_train, optimizer=adam(1e-3), epochs=8)

# %%
def val_curve(ax, history, label, first_epoch=1, **style):
    epochs = range(first_epoch, first_epoch + len(history))
    ax.plot(epochs, history.history["val_loss"], marker=".", label=label, **style)


fig, axes = plt.subplots(2, 3, figsize=(12, 6.5))
ax = axes[0, 0]
val_curve(ax, runs[2][1], "1,000 images (run 2)")
val_curve(ax, remedies["2: dropout 0.5"][1], "1,000 images, dropout 0.5")
val_curve(ax, remedies["2: 4,000 images"][1], "4,000 images")
ax.set_title("2. overfitting: validation loss", fontsize=10)
ax = axes[0, 1]
for number, label in ((3, "80 % random labels (run 3)"), (1, "correct labels (run 1)")):
    history = runs[number][1]
    (line,) = ax.plot(history.history["epoch"], history.history["loss"], marker=".", label=f"train, {label}")
    ax.plot(history.history["epoch"], history.history["val_loss"], marker=".", ls="--", color=line.get_color(),
            label=f"val, {label}")
ax.set_title("3. data problem: train and validation loss", fontsize=10)
ax = axes[0, 2]
val_curve(ax, remedies["4: lr 1e-5"][1], "lr 1e-5 (the notes' remedy)")
val_curve(ax, runs[4][1], "lr 1e-4 (run 4)")
val_curve(ax, runs[1][1], "lr 1e-2 (run 1)")
ax.set_title("4a. flat because the rate is too small", fontsize=10)
ax = axes[1, 0]
(line,) = ax.plot([], [])  # one colour for the stuck network, before and after its rate was lowered
val_curve(ax, remedies["4: lr 0.3, stuck"][1], "lr 0.3, momentum 0.9", color=line.get_color())
val_curve(ax, remedies["4: same net, lr 0.03"][1], "same network, then lr 0.03", first_epoch=4,
          color=line.get_color(), ls=":")
val_curve(ax, remedies["4: restart, lr 0.03"][1], "new network, lr 0.03")
ax.set_title("4b. flat because the rate was too high", fontsize=10)
ax = axes[1, 1]
val_curve(ax, runs[5][1], "lr doubling every epoch (run 5)")
val_curve(ax, remedies["5: fixed lr 1e-3"][1], "lr fixed at 1e-3")
ax.set_title("5. rising: validation loss", fontsize=10)
for ax, top, where in zip(axes.flat, (1.2, 3.4, 3.0, 3.0, 3.0), ("best", "upper right", *["center right"] * 3)):
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.set_ylim(0, top)
    if top > math.log(10):
        chance_line(ax)
    ax.legend(fontsize=7, loc=where)
axes.flat[-1].axis("off")
fig.suptitle("The same runs with the remedy applied, or its alternatives")
fig.tight_layout()
plt.show()

# %%
pd.DataFrame({name: summary(history) for name, (model, history) in remedies.items()}).T.round(3)

# %% [markdown] lang="en"
# ## Pattern by pattern
#
# The numbers quoted below are those of the CPU build; the tables above are
# from the run you are reading, so small differences are possible.
#
# ### 1. Both fall: still learning
#
# Run 1 looks exactly like the description: training loss from about 1.81
# to 0.53, validation loss from about 1.21 to 0.56, both still going down at
# epoch 8, where the validation loss is at its lowest so far.

# %% [markdown] lang="zh"
# ## 逐个模式检验
#
# 下面引用的数字来自本站在 CPU 上构建时的运行；上面的表格来自你正在阅读的这次运行，因此可能略有差别。
#
# ### 1. 两者都下降：仍在学习
#
# 第 1 次训练与描述完全一致：训练损失从约 1.81 降到 0.53，验证损失从约 1.21 降到 0.56，到第 8 轮时两者仍在下降，验证损失此时正处于目前为止的最低值。

# %% [markdown] lang="en"
# !!! note "Verdict on pattern 1"
#     **Holds** (one run per pattern in this lesson, so no spread over seeds:
#     the verdicts read the shape of a curve, not a small difference between
#     two). Both curves falling means the network is still learning.
#     "The best case" should read "not finished yet": the remedy is to keep
#     training until the validation loss stops improving (early stopping
#     finds that point). Note also that in epoch 1 the training loss (1.81)
#     is well *above* the validation loss (1.21): the training loss is an
#     average over an epoch in which the network improved a lot, the
#     validation loss is measured at its end. Another passage of the notes
#     says that a validation loss below the training loss "generally does not
#     occur"; in the first epoch of runs 1, 2, 3 and 5 here it is clearly
#     the lower one (see the table).

# %% [markdown] lang="zh"
# !!! note "模式 1 的结论"
#     **成立**（本实验每种模式只训练一次，所以没有种子间的波动：这些结论读的是曲线的形状，而不是两者之间的微小差别）。两条曲线都在下降，说明网络仍在学习。“最好的”应理解为“还没训练完”：对策是继续训练，直到验证损失不再改善（早停会找到这个点）。另外注意，第 1 轮的训练损失（1.81）明显*高于*验证损失（1.21）：训练损失是一轮内的平均值，而网络在这一轮里进步很大；验证损失则是在这一轮结束时才计算的。笔记另一处说验证损失小于训练损失的情况“一般不出现”；而在这里的第 1、2、3、5 次训练中，第一轮的验证损失都明显低于训练损失（见上表）。

# %% [markdown] lang="en"
# ### 2. Training loss falls, validation loss flat: overfitting
#
# With 1,000 images and 30 epochs the training loss falls to about 0.01: the
# network memorises the images. The validation loss does **not** stay flat:
# it reaches its lowest value, about 0.54, around epoch 10 and then climbs
# back to about 0.77. What stays flat is the validation *accuracy*, at about
# 0.81: the network keeps the same answers but grows more and more
# confident in its wrong ones, and cross-entropy punishes confident mistakes.
#
# Remedies, measured: dropout 0.5 kept the final validation loss at about
# 0.58 instead of 0.77, with the same validation accuracy (about 0.81).
# Four times more data helped most where it matters: lowest validation loss
# about 0.46 and final validation accuracy about 0.82, but that run also
# overfits after its best epoch (about epoch 7), so it still needs to be
# stopped in time.

# %% [markdown] lang="zh"
# ### 2. 训练损失下降，验证损失趋于不变：过拟合
#
# 用 1,000 张图片训练 30 轮，训练损失降到约 0.01：网络把这些图片背了下来。验证损失**并没有**保持不变：它在第 10 轮左右达到最低值（约 0.54），随后又回升到约 0.77。真正保持不变的是验证*准确率*，约 0.81：网络给出的答案基本不变，但对其中错误的答案越来越自信，而交叉熵对自信的错误惩罚很重。
#
# 实测的对策：0.5 的 dropout 使最终验证损失保持在约 0.58（而不是 0.77），验证准确率不变（约 0.81）。四倍的数据在要紧的指标上帮助最大：最低验证损失约 0.46，最终验证准确率约 0.82；但这次训练在其最佳的一轮（约第 7 轮）之后同样开始过拟合，所以仍然需要及时停止。

# %% [markdown] lang="en"
# !!! warning "Correction"
#     The diagnosis holds, the shape and the remedy need fixing. (1) In
#     overfitting the validation loss usually **rises** after a minimum, as
#     here; "flat" describes the validation accuracy, or only the moment
#     overfitting begins. (2) Max pooling is not a remedy for overfitting:
#     it is a layer of convolutional networks that shrinks feature maps, and
#     an MLP has none. What works against overfitting: more data (the
#     strongest here), early stopping at the lowest validation loss,
#     dropout or weight decay, a smaller network, data augmentation.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     诊断成立，但形状和对策需要修正。（1）过拟合时，验证损失通常在达到最低点后**上升**，正如这里所见；“趋于不变”描述的是验证准确率，或者只是过拟合刚开始的那一刻。（2）max pool 不是过拟合的对策：它是卷积网络中用来缩小特征图的层，多层感知机根本没有这种层。真正能对付过拟合的是：更多数据（这里效果最强）、在验证损失最低处早停、dropout 或权重衰减、更小的网络、数据增强。

# %% [markdown] lang="en"
# ### 3. Training loss flat, validation loss falls: a data problem
#
# With 80 % of the labels replaced by a random class (so about 72 % of them
# wrong), the training loss only moves from about 2.29 to 2.23, while the
# validation loss, on correct labels, falls from about 2.19 to 1.77 and is
# still falling. Why the training loss cannot move: for a training image the
# label is the true class with probability $0.2 + 0.8/10 = 0.28$ and each
# other class with probability $0.08$. A network that predicts from the true
# class alone (the best it can do without memorising which images got which
# wrong label) can do no better, on average, than the entropy of that
# distribution, computed below; the validation loss of such a network would
# be $-\ln 0.28$. A network large enough to memorise the noisy labels could
# push its training loss below that floor, at the price of a worse
# validation loss; this one, in 8 epochs, does not.

# %% [markdown] lang="zh"
# ### 3. 训练损失趋于不变，验证损失下降：数据有问题
#
# 把 80% 的标签替换成随机类别（于是约 72% 的标签是错的）之后，训练损失只从约 2.29 变到 2.23，而在正确标签上计算的验证损失从约 2.19 降到 1.77，并且仍在下降。训练损失为什么降不下去：对一张训练图片，它的标签以 $0.2 + 0.8/10 = 0.28$ 的概率是真实类别，以 $0.08$ 的概率是其他每个类别。只根据真实类别做预测的网络（不去记住哪张图片被换成了哪个错误标签时，这已是它能做到的最好情况）平均不可能做得比这个分布的熵更好（下面计算）；这样一个网络的验证损失将是 $-\ln 0.28$。足够大的网络可以记住这些带噪标签，把训练损失压到这个下限之下，代价是验证损失变差；这里的网络在 8 轮之内没有做到。

# %%
p_true = 0.2 + 0.8 / 10
floor = -(p_true * math.log(p_true) + 9 * 0.08 * math.log(0.08))
print(f"training loss of a model that predicts from the true class alone: {floor:.3f} (ln 10 = {math.log(10):.3f})")
print(f"validation loss of a network that predicts these odds for the right class: {-math.log(p_true):.3f}")
print(f"run 3: training loss {runs[3][1].history['loss'][-1]:.3f}, validation loss {runs[3][1].history['val_loss'][-1]:.3f}")
print(f"run 1 (correct labels): validation loss {runs[1][1].history['val_loss'][-1]:.3f}")

# %% [markdown] lang="en"
# !!! warning "Correction"
#     Here the cause was indeed the data, and fixing the labels (run 1)
#     brings the validation loss from about 1.77 to about 0.56. But "100 %"
#     is too strong. Anything that makes training harder than evaluation
#     holds the training loss up while the validation loss falls: dropout
#     and data augmentation act only during training, and the training loss
#     is an average over an epoch of a network that is still improving
#     (pattern 1, epoch 1). Check the data first, then check how the two
#     numbers are measured.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     这里的原因确实在数据上，修正标签（第 1 次训练）后验证损失从约 1.77 降到约 0.56。但“100%”说得太绝对了。任何让训练比评估更难的因素，都会在验证损失下降时让训练损失居高不下：dropout 和数据增强只在训练时起作用；训练损失又是网络仍在进步的一轮内的平均值（见模式 1 的第 1 轮）。先检查数据，再检查这两个数字是怎样计算出来的。

# %% [markdown] lang="en"
# ### 4. Both flat: a bottleneck
#
# With a learning rate of $10^{-4}$ both losses crawl from about 2.31 to
# 2.26 in 8 epochs (chance level is $\ln 10 \approx 2.30$), validation
# accuracy about 0.21. The notes' remedy makes it worse: at $10^{-5}$ the
# validation loss barely moves (about 2.32 after the first epoch, 2.315
# after the eighth). The *opposite* fixes
# it: at $10^{-2}$ (run 1) it reaches about 0.56.
#
# Flat curves at chance level can also mean the rate is too *high*: SGD with
# momentum 0.9 at 0.3 sits at $\ln 10$ from epoch 1, and every unit of its
# second hidden layer is dead (outputs 0 for every validation image, printed
# above). A dead ReLU passes no gradient, so lowering the rate on that
# network changes nothing: 3 more epochs at 0.03 stay at 2.303. A new
# network trained at 0.03 from the start reaches a validation loss of about
# 0.37 in 6 epochs.

# %% [markdown] lang="zh"
# ### 4. 两者都趋于不变：遇到瓶颈
#
# 学习率为 $10^{-4}$ 时，两个损失在 8 轮里只从约 2.31 缓慢降到 2.26（随机猜测的水平是 $\ln 10 \approx 2.30$），验证准确率约 0.21。笔记的对策会让情况更糟：学习率为 $10^{-5}$ 时，验证损失几乎不动（第 1 轮后约 2.32，第 8 轮后 2.315）。*相反*的做法才能解决问题：学习率为 $10^{-2}$ 时（第 1 次训练）验证损失降到约 0.56。
#
# 停在随机猜测水平的平坦曲线也可能意味着学习率*过大*：SGD 带 0.9 动量、学习率 0.3 时，损失从第 1 轮起就停在 $\ln 10$，第二个隐藏层的所有单元都已死亡（对每张验证图片都输出 0，见上面的输出）。死亡 ReLU 不传递梯度，所以在这个网络上降低学习率毫无作用：以 0.03 再训练 3 轮，损失仍停在 2.303。一个从头开始就用 0.03 训练的新网络，6 轮后验证损失约为 0.37。

# %% [markdown] lang="en"
# !!! warning "Correction"
#     "Both flat" has more than one cause, and the notes' remedy fits only
#     one of them. If the rate is **too small** (run 4), lowering it slows
#     training further; raise it. If the rate is **too high** and the loss
#     is stuck at chance with dead units, lowering it on the same network
#     does nothing; restart with a lower rate. Lowering the rate on a live
#     network helps when the loss is stuck *above* what the network can
#     reach because the steps are too big to settle, which is what
#     learning-rate schedules are for. A network too small for the task
#     gives flat curves too. Look at the level where the curves sit
#     (chance, $\ln 10 \approx 2.30$, or lower) and at the learning rate
#     before choosing the remedy.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     “两者都趋于不变”有不止一种原因，笔记的对策只适用于其中一种。如果学习率**太小**（第 4 次训练），再降低它只会让训练更慢；应该调大。如果学习率**太大**、损失卡在随机猜测水平且单元已经死亡，在同一个网络上降低学习率没有任何作用；应该用更小的学习率重新开始训练。当网络仍然“活着”，而损失因为步子太大、无法稳定下来，卡在网络本可以达到的水平*之上*时，降低学习率才有帮助，这正是学习率调度的用途。网络对任务来说太小时，曲线同样会趋于平坦。选择对策之前，先看曲线停在什么水平（随机猜测的 $\ln 10 \approx 2.30$，还是更低），再看学习率。

# %% [markdown] lang="en"
# ### 5. Both rise: bad design or settings
#
# With the learning rate doubling every epoch, both losses fall at first
# (lowest validation loss about 0.42, at epoch 2), then climb, the
# validation loss from epoch 3 and the training loss from epoch 4, up to
# chance level ($\ln 10$) at epoch 7, where the network stays: validation
# accuracy about 0.11 at the end. The same run with the rate fixed at
# $10^{-3}$ never climbs towards chance: its validation loss is lowest at
# about 0.37 (epoch 6) and about 0.41 at epoch 8.

# %% [markdown] lang="zh"
# ### 5. 两者都上升：设计或设置不当
#
# 学习率每轮翻倍时，两个损失起初下降（验证损失最低约 0.42，出现在第 2 轮），随后上升：验证损失从第 3 轮、训练损失从第 4 轮开始上升，到第 7 轮升到随机猜测的水平（$\ln 10$）并停在那里：最后验证准确率约 0.11。同样的训练若把学习率固定在 $10^{-3}$，损失则从未向随机猜测水平攀升：验证损失最低约 0.37（第 6 轮），第 8 轮约 0.41。

# %% [markdown] lang="en"
# !!! warning "Correction"
#     The notes list every possible culprit, which gives no direction. A
#     *training* loss that rises means the optimisation is diverging: the
#     steps make the loss on the very data being fitted worse. The first suspect
#     is the learning rate (too high, or a schedule or warm-up that raises
#     it); here it was the only thing changed, and keeping it fixed cured
#     it: neither the architecture nor the data differed between the run
#     that climbed and the one that did not. After the learning rate, look
#     for bugs in the training code.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     笔记把所有可能的原因都列了出来，这等于没有给出方向。*训练*损失上升意味着优化在发散：参数更新让正在拟合的这些数据上的损失变得更大。首先要怀疑的是学习率（过大，或者某个调度、预热把它调得过大）；这里改变的只有学习率，而把它固定下来就解决了问题：损失上升的那次训练和没有上升的那次训练，网络结构和数据完全相同。排除学习率之后，再去找训练代码中的错误。

# %% [markdown] lang="en"
# ## Summary
#
# | # | pattern | does the real run look like the notes say? | the diagnosis | the remedy |
# |---|---|---|---|---|
# | 1 | both fall | yes | right: still learning | keep training, stop when validation loss stops improving |
# | 2 | train falls, val flat | the validation loss **rises** after a minimum; validation accuracy is flat | right: overfitting | max pooling: no. More data, early stopping, dropout: yes |
# | 3 | train flat, val falls | yes, with corrupted labels | likely a data problem, not "100 %" | check the data, and how the training loss is measured |
# | 4 | both flat | yes, with a too-small rate (and with a too-high one, at chance) | too vague: "bottleneck" | lower rate: wrong for a too-small rate, useless for a dead network; raise it or restart |
# | 5 | both rise | yes, with a learning rate that keeps growing | too vague | look at the learning rate first |
#
# Total running time of this lesson:

# %% [markdown] lang="zh"
# ## 总结
#
# | # | 模式 | 真实训练是否像笔记说的那样？ | 诊断 | 对策 |
# |---|---|---|---|---|
# | 1 | 两者都下降 | 是 | 正确：仍在学习 | 继续训练，验证损失不再改善时停止 |
# | 2 | 训练下降，验证不变 | 验证损失在最低点后**上升**；不变的是验证准确率 | 正确：过拟合 | max pool：不对。更多数据、早停、dropout：有效 |
# | 3 | 训练不变，验证下降 | 是，在标签被损坏时 | 很可能是数据问题，但不是“100%” | 检查数据，也检查训练损失是怎样计算的 |
# | 4 | 两者都不变 | 是，学习率太小时（学习率太大时也会，停在随机猜测水平） | 太笼统：“瓶颈” | 降低学习率：学习率太小时是错的，对单元已死亡的网络无效；应调大学习率或重新开始 |
# | 5 | 两者都上升 | 是，在学习率不断增大时 | 太笼统 | 首先检查学习率 |
#
# 本实验的总运行时间：

# %%
print(f"{time.perf_counter() - start_time:.0f} s on {dlnotes.device_name(device)}")
