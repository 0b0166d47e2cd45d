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
# # Shuffling the training set: when does `shuffle=False` hurt?
#
# The course notes compare `DataLoader(..., shuffle=True)` with
# `shuffle=False` for the training set (claim **C8** of the syllabus:
# `shuffle=False` trains worse). With shuffling, they say, the model cannot
# memorise the order of the data, so it overfits less, generalises better and
# gradient descent works better; without it the order is the same in every
# epoch, the model "may memorise this order and overfit", and the loss may
# show a periodic pattern; "if the data has some order, the model may reach a
# lower training loss faster on that order, but that does not mean it
# generalises better".
#
# What `shuffle=False` does depends entirely on the order in which the data is
# stored. This lesson trains the same network under three conditions, with
# three seeds each:
#
# | condition | order of the training images |
# |---|---|
# | `shuffle=True` | a new random permutation every epoch |
# | `shuffle=False`, file order | as stored in the Fashion-MNIST file, the same in every epoch |
# | `shuffle=False`, sorted by label | all T-shirts, then all trousers, ..., then all ankle boots, in every epoch |

# %% [markdown] lang="zh"
# # 打乱训练集：`shuffle=False` 什么时候有害？
#
# 课程笔记比较了训练集上 `DataLoader(..., shuffle=True)` 和 `shuffle=False` 的区别（大纲中的论断 **C8**：`shuffle=False` 训练效果更差）。笔记说，打乱数据后模型无法记住数据的顺序，因此过拟合风险更低、泛化能力更好、梯度下降效果更好；不打乱时每一轮（epoch）的顺序都相同，“模型可能会记住这种顺序，导致过拟合”，损失的变化也可能呈现周期性；“如果数据有某种顺序性，模型可能会更快地在这种顺序上取得较低的训练损失，但这并不意味着模型的泛化能力更好”。
#
# `shuffle=False` 的实际效果完全取决于数据存储的顺序。本实验在三种条件下训练同一个网络，每种条件用三个随机种子：
#
# | 条件 | 训练图片的顺序 |
# |---|---|
# | `shuffle=True` | 每一轮重新随机排列 |
# | `shuffle=False`，文件顺序 | Fashion-MNIST 文件中存储的顺序，每一轮都相同 |
# | `shuffle=False`，按标签排序 | 先是所有 T 恤，然后所有裤子……最后所有短靴，每一轮都如此 |

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
import torch
from torch import nn

import dlnotes
from dlnotes import TensorLoader, accuracy, evaluate, fit, predict

start_time = time.perf_counter()
device = dlnotes.device()
FULL = device.type == "cuda"  # a GPU can afford the whole training file
raw = dlnotes.fashion_mnist(flatten=True)  # uint8, in the order of the files
n_train = 55000 if FULL else 20000
print(f"running on {dlnotes.device_name(device)}; {n_train} training images")

# %% [markdown] lang="en"
# ## The order of the stored data
#
# Fashion-MNIST's training file is **already in random class order**: the
# first labels in the file are printed below. So `shuffle=False` on it does
# not mean "ordered data", only "the same random order in every epoch". Many
# real data sets are stored in an order, though: by class, by date, by
# source. The third condition sorts the same images by label to stand for
# them.
#
# The split: the training images are the first 20,000 of the file on the CPU
# build (55,000 on a GPU), in the file's order; the validation images are the
# file's last 5,000; the 10,000 test images are used once, at the end. Pixels
# are standardised with the mean and standard deviation of the training images.

# %% [markdown] lang="zh"
# ## 数据的存储顺序
#
# Fashion-MNIST 的训练文件**本身就是按随机的类别顺序存储的**：下面打印了文件中最前面的标签。因此对它使用 `shuffle=False`，并不意味着“有序的数据”，只意味着“每一轮使用同一个随机顺序”。不过，许多真实的数据集是按某种顺序存储的：按类别、按日期、按来源。第三种条件把同样的图片按标签排序，用来代表这类数据。
#
# 数据划分：在 CPU 上构建本站时，训练图片取文件中的前 20,000 张（GPU 上取 55,000 张），保持文件顺序；验证图片取文件中的最后 5,000 张；10,000 张测试图片只在最后使用一次。像素用训练图片的均值和标准差做标准化。

# %%
pixels = raw.x_train[:n_train].float() / 255  # (n_train, 784)
mean, std = pixels.mean().item(), pixels.std().item()


def standardise(images: torch.Tensor) -> torch.Tensor:
    return (images.float() / 255 - mean) / std


x_file, y_file = standardise(raw.x_train[:n_train]), raw.y_train[:n_train]
by_label = torch.sort(y_file, stable=True).indices  # (n_train,) stable: keeps the file order within a class
x_sorted, y_sorted = x_file[by_label], y_file[by_label]
val = TensorLoader(standardise(raw.x_train[-5000:]), raw.y_train[-5000:], batch_size=2500, device=device)
test = TensorLoader(standardise(raw.x_test), raw.y_test, batch_size=2500, device=device)
print("first 30 labels in the file:", y_file[:30].tolist())
for name, labels in (("file order", y_file), ("sorted", y_sorted)):
    changes = (labels[1:] != labels[:-1]).float().mean().item()
    print(f"{name:10s}: the label changes between consecutive images {changes:.1%} of the time")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 2.6), sharey=True)
for ax, (name, labels) in zip(axes, (("file order", y_file), ("sorted by label", y_sorted))):
    ax.plot(labels.numpy(), ".", markersize=1, alpha=0.3)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("position in the training set")
axes[0].set_ylabel("label")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## The experiment
#
# The network is the notes' 784-300-100-10 MLP with ReLU, trained with SGD
# (learning rate 0.01, momentum 0.9) in batches of 128 for 5 epochs. The seed
# fixes the initial weights, so for a given seed the three conditions start
# from identical weights; with `shuffle=True` it also fixes the permutations.
# `dlnotes.BatchLosses` records the training loss of every batch.

# %% [markdown] lang="zh"
# ## 实验
#
# 网络沿用笔记中的 784-300-100-10 多层感知机（ReLU 激活），用 SGD（学习率 0.01，动量 0.9）、批量大小 128 训练 5 轮。随机种子决定初始权重，所以同一个种子下三种条件从完全相同的权重出发；在 `shuffle=True` 时种子还决定每次的随机排列。`dlnotes.BatchLosses` 记录每个批次的训练损失。

# %%
CONDITIONS = {
    "shuffle=True": (x_file, y_file, True),
    "shuffle=False, file order": (x_file, y_file, False),
    "shuffle=False, sorted by label": (x_sorted, y_sorted, False),
}
SEEDS, EPOCHS, BATCH = (0, 1, 2), 5, 128


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))


histories, batch_losses, results = {}, {}, []
for name, (x, y, shuffle) in CONDITIONS.items():
    for seed in SEEDS:
        dlnotes.seed_everything(seed)
        model = mlp()  # drawn first: the same initial weights in every condition
        train = TensorLoader(x, y, batch_size=BATCH, shuffle=shuffle, device=device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        recorder = dlnotes.BatchLosses()
        history = fit(model, train, val, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=EPOCHS,
                      metrics={"accuracy": accuracy}, callbacks=[recorder], device=device, progress=False)
        histories[name, seed], batch_losses[name, seed] = history, recorder
        scores = evaluate(model, test, metrics={"accuracy": accuracy})
        predicted = predict(model, test).argmax(dim=1)  # (10000,)
        results.append({"condition": name, "seed": seed, "test accuracy": scores["accuracy"],
                        "last-epoch training loss": history.history["loss"][-1],
                        "share predicted as the last class": (predicted == 9).float().mean().item()})
results = pd.DataFrame(results)
batches_per_epoch = len(train)  # the same in every condition

# %% [markdown] lang="en"
# ## The loss of every batch
#
# Seed 0 of each condition; the dotted lines separate the epochs. The
# vertical axis is logarithmic, because the sorted run's losses span several
# orders of magnitude. The bottom panel zooms in on the last epoch of the
# sorted run, with a line where each class's block begins.

# %% [markdown] lang="zh"
# ## 每个批次的损失
#
# 每种条件取种子 0；虚线分隔各轮。纵轴是对数刻度，因为按标签排序的训练中损失跨越了好几个数量级。最下面的子图放大了按标签排序训练的最后一轮，并在每个类别区块开始的地方画了一条线。

# %%
fig, axes = plt.subplots(4, 1, figsize=(11, 9.5))
for ax, name in zip(axes, CONDITIONS):
    recorder = batch_losses[name, 0]
    ax.plot(recorder.losses_, lw=0.6)
    for boundary in range(batches_per_epoch, len(recorder.losses_), batches_per_epoch):
        ax.axvline(boundary, color="grey", ls=":", lw=1)
    ax.set_title(name, fontsize=10)
    ax.set_xlabel("batch")
ax = axes[3]
last_epoch = batch_losses["shuffle=False, sorted by label", 0].losses_[-batches_per_epoch:]
ax.plot(last_epoch, marker=".", lw=0.8, color="C2")
for label in range(10):
    first_batch = int((y_sorted < label).sum()) // BATCH  # where this class's block begins
    ax.axvline(first_batch, color="grey", lw=0.8)
    ax.text(first_batch + 0.5, 60, raw.classes[label], fontsize=7, rotation=90, va="top")
ax.set_title(f"sorted by label, epoch {EPOCHS} only (grey: a new class begins)", fontsize=10)
ax.set_xlabel(f"batch within epoch {EPOCHS}")
for ax in axes:
    ax.set_yscale("log")
    ax.set_ylim(1e-3, 1e2)
    ax.set_ylabel("batch loss")
fig.suptitle("Training loss of every batch (seed 0)")
fig.tight_layout()
plt.show()

# %%
for name in CONDITIONS:
    losses = torch.tensor(batch_losses[name, 0].losses_)  # (epochs * batches,)
    print(f"{name:32s} batch loss: median {losses.median():.3f}, highest {losses.max():.1f}")

# %% [markdown] lang="en"
# With the data sorted by label, every epoch is ten blocks of a single class.
# At the start of each block the loss jumps: the network is still answering
# with the previous class, confidently, and a confident wrong answer costs a
# large cross-entropy (the worst batch is printed above). Through the block
# the loss falls as the network turns towards the new class: slowly in most
# blocks, almost to zero in some, where it has learnt to answer "this class"
# to everything and in doing so has forgotten the earlier classes. That is the sawtooth, ten teeth per
# epoch.
#
# In the file's order the curve looks just like the shuffled one, no rougher
# and no less smooth, because that order is random too. With the same order
# in every epoch, the notes' "periodic pattern" exists, but only as a
# repetition: the same batches come back each epoch and are
# about as hard as the last time. The correlation between the batch losses of
# the last two epochs, batch by batch, measures this:

# %% [markdown] lang="zh"
# 数据按标签排序时，每一轮由十个单一类别的区块组成。每个区块开始时损失都会跳高：网络仍在自信地回答上一个类别，而自信的错误答案会带来很大的交叉熵（最差的批次见上面的输出）。在区块内，随着网络转向新的类别，损失逐渐下降：在多数区块中下降得很慢，在某些区块中几乎降到零，此时网络已学会对所有输入都回答“这个类别”，同时也忘掉了前面的类别。这就是锯齿形，每一轮十个齿。
#
# 按文件顺序训练时，曲线与打乱时的几乎一样，既不更平滑也不更粗糙，因为文件顺序本身也是随机的。每一轮顺序都相同时，笔记所说的“周期性”确实存在，但只是一种重复：同样的批次每一轮都会再次出现，难度也与上次差不多。把最后两轮的批次损失逐批对应起来计算相关系数，就能度量这一点：

# %%
for name in CONDITIONS:
    losses = torch.tensor(batch_losses[name, 0].losses_).reshape(EPOCHS, batches_per_epoch)  # (epochs, batches)
    r = torch.corrcoef(losses[-2:])[0, 1].item()
    print(f"{name:32s} correlation of batch losses, epoch {EPOCHS - 1} vs {EPOCHS}: {r:+.2f}")

# %% [markdown] lang="en"
# ## Validation accuracy per epoch
#
# The line is the mean over the three seeds, the band spans the lowest and
# the highest seed. The sorted run's point at the end of each epoch is taken
# right after the block of ankle boots.

# %% [markdown] lang="zh"
# ## 每一轮的验证准确率
#
# 实线是三个种子的平均值，阴影覆盖最低与最高的种子。按标签排序的训练在每一轮末尾的点，恰好是在短靴区块刚刚训练完之后取得的。

# %%
fig, ax = plt.subplots(figsize=(7, 4))
epochs = range(1, EPOCHS + 1)
for name in CONDITIONS:
    runs = torch.tensor([histories[name, seed].history["val_accuracy"] for seed in SEEDS])  # (seeds, epochs)
    (line,) = ax.plot(epochs, runs.mean(0), marker=".", label=name)
    ax.fill_between(epochs, runs.min(0).values, runs.max(0).values, color=line.get_color(), alpha=0.2)
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.set_xticks(list(epochs))
ax.legend()
ax.set_title("Validation accuracy (band: min-max over 3 seeds)", fontsize=10)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Test accuracy
#
# Test accuracy after the last epoch for each seed, then mean and standard
# deviation; also the training loss of the last epoch and, for the test
# images, the share the network assigns to the last class of the sorted
# order (label 9, ankle boot; 10 % of the test images really are).

# %% [markdown] lang="zh"
# ## 测试准确率
#
# 先列出每个种子在最后一轮之后的测试准确率，再给出均值和标准差；另外列出最后一轮的训练损失，以及网络把测试图片判为排序中最后一个类别（标签 9，短靴；测试图片中真正属于该类的占 10%）的比例。

# %%
table = results.pivot(index="condition", columns="seed", values="test accuracy").loc[list(CONDITIONS)]
table.columns = [f"seed {s}" for s in table.columns]
grouped = results.groupby("condition")
table["mean"] = grouped["test accuracy"].mean()
table["std"] = grouped["test accuracy"].std()
table["last-epoch training loss (mean)"] = grouped["last-epoch training loss"].mean()
table["share predicted as label 9 (mean)"] = grouped["share predicted as the last class"].mean()
table.round(4)

# %%
means = grouped["test accuracy"].mean()
paired = results.pivot(index="seed", columns="condition", values="test accuracy")
gap = paired["shuffle=True"] - paired["shuffle=False, file order"]  # same seed, same initial weights
print(f"test accuracy, mean of {len(SEEDS)} seeds, {n_train} training images, {EPOCHS} epochs:")
for name in CONDITIONS:
    print(f"  {name:32s} {means[name]:.4f} ± {grouped['test accuracy'].std()[name]:.4f}")
print(f"shuffle=True minus file order, seed by seed: {[round(100 * g, 2) for g in gap]} points")
print(f"shuffle=True minus sorted: {100 * (means['shuffle=True'] - means['shuffle=False, sorted by label']):.1f} points")
sorted_runs = grouped.get_group("shuffle=False, sorted by label")
print(f"sorted by label: {sorted_runs['share predicted as the last class'].mean():.2f} of the test images called "
      f"'{raw.classes[9]}'; last-epoch training loss {sorted_runs['last-epoch training loss'].mean():.2f} "
      f"against {grouped.get_group('shuffle=True')['last-epoch training loss'].mean():.2f} with shuffling")

# %% [markdown] lang="en" claim="C8" verdict="depends" statement="`shuffle=False` trains worse: the model may memorise the fixed order of the data and overfit."
# !!! note "Verdict on claim C8"
#     **Depends on how the data is stored.** On the CPU build (20,000
#     training images, 5 epochs, three seeds):
#
#     * **Sorted by label**, `shuffle=False` is a disaster: test accuracy
#       about 0.13 against about 0.85 with shuffling, barely above the 0.10
#       of guessing. The network ends every epoch on the block of ankle
#       boots and calls about two thirds of the test images ankle boots.
#     * **In the file's order**, which is already random, `shuffle=False`
#       cost little: about 0.844 against 0.851. Shuffling came out ahead for
#       each of the three seeds, but by amounts from about 0.1 to 1.8 points,
#       the same size as the differences between seeds; three seeds cannot
#       tell whether this small gap is real. Reusing one random order costs
#       little; what hurts is an order that is correlated with the labels.
#
#     `shuffle=True` costs nothing and makes the result independent of how
#     the file happens to be sorted, so it remains the right default for
#     training; for validation and test sets the order does not change the
#     mean loss or accuracy.

# %% [markdown] lang="zh" claim="C8" verdict="depends" statement="`shuffle=False` 训练效果更差：模型可能会记住固定的数据顺序，导致过拟合。"
# !!! note "论断 C8 的结论"
#     **取决于数据的存储方式。** 在 CPU 上构建本站时（20,000 张训练图片，5 轮，三个种子）：
#
#     * **按标签排序**时，`shuffle=False` 是一场灾难：测试准确率约 0.13，而打乱时约 0.85，几乎只比随机猜测的 0.10 好一点。网络在每一轮都以短靴区块结束，于是把大约三分之二的测试图片判为短靴。
#     * **按文件顺序**（本身已是随机顺序）时，`shuffle=False` 的代价很小：约 0.844 对 0.851。三个种子中打乱都略占上风，但差距在约 0.1 到 1.8 个百分点之间，与不同种子之间的差异大小相当；仅凭三个种子无法判断这个小差距是否真实存在。重复使用同一个随机顺序代价很小；真正有害的是与标签相关的顺序。
#
#     `shuffle=True` 没有任何代价，还能让结果不依赖于文件碰巧是怎样排序的，因此它仍然是训练时正确的默认选择；对验证集和测试集来说，顺序不会改变平均损失或准确率。

# %% [markdown] lang="en"
# !!! warning "Correction"
#     The notes explain the harm as the model "memorising the order" and
#     overfitting, and suggest an ordered data set may even give a *lower*
#     training loss. Neither is what happens. With sorted data the training
#     loss of an epoch is far *higher* than with shuffling (see the table:
#     the spikes at every change of class dominate the mean), and nothing is
#     memorised: each block's gradients all point towards one class, so the
#     network follows the latest class and forgets the others. This is a
#     problem of biased mini-batches (each batch should be a fair sample of
#     the whole data set), not of overfitting. Nor is there a sign of the
#     local minima the notes mention: without any shuffling, the file-order
#     runs end close to the shuffled ones.

# %% [markdown] lang="zh"
# !!! warning "更正"
#     笔记把危害解释为模型“记住了顺序”从而过拟合，并暗示有序的数据甚至可能带来*更低*的训练损失。实际情况两者都不是。数据按标签排序时，一轮的训练损失远*高于*打乱时（见上表：每次类别切换时的尖峰主导了平均值），模型也没有记住什么：一个区块内的梯度全都指向同一个类别，于是网络追随最新的类别而忘掉其他类别。这是小批量有偏的问题（每个批次应当是整个数据集的一个公平样本），而不是过拟合。这里也看不到笔记所说的局部极小值问题：完全不打乱、按文件顺序训练的结果与打乱时相差无几。

# %%
print(f"total running time: {time.perf_counter() - start_time:.0f} s on {dlnotes.device_name(device)}")
