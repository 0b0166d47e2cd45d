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
# # Callbacks on Fashion-MNIST: early stopping, checkpoints, TensorBoard
#
# The page *A Fashion-MNIST classifier end to end* explains the three
# callbacks on a toy regression problem. Here they run on real training: the
# course notes' 784-300-100-10 MLP on Fashion-MNIST, trained on few enough
# images that it overfits after about ten epochs, which gives early stopping
# something to do.
#
# 1. **Early stopping** with `min_delta` and `patience`: where it stops and
#    which epoch's weights it restores.
# 2. **Checkpoint and resume**: a run that crashes half-way, resumed from its
#    checkpoint, against the same run without the crash.
# 3. **TensorBoard**: a run logged to event files, read back with
#    `dlnotes.read_scalars` and plotted.
#
# Every run uses 3,000 of the 55,000 training images (on every device, so the
# figures do not depend on the hardware) and the 5,000 validation images held
# out by `fashion_mnist(val_size=5000, seed=0)`. A small training set is the
# quickest way to provoke overfitting: the network's 266,610 parameters
# memorise 3,000 images within a few dozen epochs, and the whole lesson runs in
# seconds on a CPU. The test set is not used: everything here is a decision
# taken during training, which is what the validation set is for.

# %% [markdown] lang="zh"
# # Fashion-MNIST 上的回调：早停、检查点与 TensorBoard
#
# 页面《端到端的 Fashion-MNIST 分类器》在一个玩具回归问题上讲解了这三个回调。本实验让它们在真实的训练中运行：在 Fashion-MNIST 上训练原课程笔记中的 784-300-100-10 多层感知机，训练图片少到它在十轮（epoch）左右之后就开始过拟合，这样早停才有事可做。
#
# 1. **早停**（`min_delta` 与 `patience`）：它在哪一轮停下，恢复的是哪一轮的权重。
# 2. **检查点与恢复训练**：一次中途崩溃、再从检查点恢复的训练，与同一次没有崩溃的训练对比。
# 3. **TensorBoard**：把一次训练记录到事件文件中，再用 `dlnotes.read_scalars` 读回并画图。
#
# 每次训练只用 55,000 张训练图片中的 3,000 张（在所有设备上都如此，因此图形与硬件无关），以及 `fashion_mnist(val_size=5000, seed=0)` 留出的 5,000 张验证图片。小训练集是引发过拟合最快的办法：网络的 266,610 个参数在几十轮之内就能记住 3,000 张图片，整个实验在 CPU 上几秒钟就能跑完。本实验不使用测试集：这里的一切都是训练过程中做出的决定，而这正是验证集的用途。

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import torch
from torch import nn

import dlnotes
from dlnotes import EarlyStopping, ModelCheckpoint, TensorBoard, TensorLoader, accuracy, evaluate, fit

device = dlnotes.device()
print("running on", dlnotes.device_name(device))

data = dlnotes.fashion_mnist(normalize="standard", val_size=5000, seed=0, flatten=True)
N_TRAIN, BATCH, LR = 3_000, 128, 1e-3
x_train, y_train = data.x_train[:N_TRAIN], data.y_train[:N_TRAIN]  # the split is already in random order
val = TensorLoader(data.x_val, data.y_val, batch_size=2048, device=device)
print(f"{len(x_train)} training images, {len(data.x_val)} validation images, batches of {BATCH}")


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))


def train(epochs, callbacks=(), resume_from=None, seed=0):
    """A fresh model, optimiser and loader from `seed`, trained by fit; returns (model, history)."""
    dlnotes.seed_everything(seed)
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = TensorLoader(x_train, y_train, batch_size=BATCH, shuffle=True, device=device)
    history = fit(model, loader, val, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=epochs,
                  metrics={"accuracy": accuracy}, callbacks=callbacks, resume_from=resume_from, device=device)
    return model, history


print(f"{dlnotes.parameter_count(mlp()):,} parameters")

# %% [markdown] lang="en"
# The optimiser is Adam with its default learning rate of 0.001.
#
# ## 1. Early stopping
#
# `EarlyStopping(monitor="val_loss", min_delta=0.005, patience=5,
# restore_best_weights=True)`: an epoch counts as an improvement only if its
# validation loss is more than 0.005 below the best so far; after 5 epochs in
# a row without one, training stops, and the weights of the best epoch are put
# back. The validation loss of a small training set is noisy from epoch to
# epoch, and a patience of 5 rides over that noise. The run may last at most
# 30 epochs.

# %% [markdown] lang="zh"
# 优化器是 Adam，使用默认学习率 0.001。
#
# ## 1. 早停
#
# `EarlyStopping(monitor="val_loss", min_delta=0.005, patience=5, restore_best_weights=True)`：只有当某一轮的验证损失比此前最好的值低 0.005 以上时，才算一次改进；连续 5 轮没有改进就停止训练，并把最好那一轮的权重放回模型。训练集很小时，验证损失在相邻两轮之间波动较大，patience 取 5 可以越过这种波动。这次训练最多 30 轮。

# %%
MAX_EPOCHS, MIN_DELTA, PATIENCE = 30, 0.005, 5
stop = EarlyStopping(monitor="val_loss", min_delta=MIN_DELTA, patience=PATIENCE, restore_best_weights=True)
model, stopped = train(MAX_EPOCHS, [stop])
after = evaluate(model, val, loss=nn.CrossEntropyLoss(), metrics={"accuracy": accuracy})
last = stopped.history
lowest = min(last["epoch"], key=lambda e: last["val_loss"][e - 1])
print(f"ran {len(stopped)} of at most {MAX_EPOCHS} epochs; stopped at epoch {stop.stopped_epoch_}, "
      f"best epoch {stop.best_epoch_} (val_loss {stop.best_:.4f})")
print(f"lowest val_loss of the run: epoch {lowest} ({last['val_loss'][lowest - 1]:.4f})")
print(f"last epoch trained: val_loss {last['val_loss'][-1]:.4f}, val accuracy {last['val_accuracy'][-1]:.4f}")
print(f"model after fit:    val_loss {after['loss']:.4f}, val accuracy {after['accuracy']:.4f}  (restored)")

# %% [markdown] lang="en"
# The rule, epoch by epoch: `beats best − min_delta` says whether the epoch
# counts as an improvement, `wait` is the number of epochs since the last one.
# Training stops when `wait` reaches `patience`.

# %% [markdown] lang="zh"
# 逐轮看这条规则：`beats best − min_delta` 表示该轮是否算作改进，`wait` 是距上一次改进已经过去的轮数。`wait` 达到 `patience` 时训练停止。

# %%
rows, best, wait = [], float("inf"), 0
for epoch, val_loss in zip(last["epoch"], last["val_loss"]):
    improved = val_loss < best - MIN_DELTA
    rows.append({"epoch": epoch, "train loss": last["loss"][epoch - 1], "val loss": val_loss,
                 "best before": best, "beats best − min_delta": improved})
    best, wait = (val_loss, 0) if improved else (best, wait + 1)
    rows[-1]["wait"] = wait
rule = pd.DataFrame(rows).set_index("epoch")
rule.round(4)

# %%
fig, ax = plt.subplots(figsize=(8, 4))
epochs = last["epoch"]
ax.plot(epochs, last["loss"], marker=".", label="training loss")
ax.plot(epochs, last["val_loss"], marker="o", label="validation loss")
ax.scatter([stop.best_epoch_], [stop.best_], s=160, facecolors="none", edgecolors="green", linewidths=2,
           zorder=3, label=f"best epoch {stop.best_epoch_}: weights restored")
ax.axhline(stop.best_ - MIN_DELTA, color="green", ls=":", lw=1, label="best − min_delta: needed to improve")
if stop.stopped_epoch_ is not None:
    ax.axvline(stop.stopped_epoch_, color="red", ls="--", label=f"stopped after epoch {stop.stopped_epoch_}")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_title(f"EarlyStopping(min_delta={MIN_DELTA}, patience={PATIENCE}, restore_best_weights=True)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The training loss keeps falling while the validation loss has stopped
# improving: the pattern the page calls overfitting, and what early stopping
# is for. (In epoch 1 the training loss lies above the validation loss: it is
# the mean over the epoch's batches, most of them taken before the network had
# learnt much, while the validation loss is measured at the end of the epoch.)
# The model that comes out of `fit` is not the last epoch's: its
# validation loss, printed above, is the best epoch's, because
# `restore_best_weights=True` put those weights back. Without it, the model
# would keep the weights of the last epoch, `patience` epochs past the best.
#
# Two finer points, both visible in the printout. "Best" is the last epoch
# that *counted* as an improvement; a later epoch that is lower by less than
# `min_delta` does not replace it, so the restored epoch need not be the one
# with the lowest validation loss of the run. And the lowest validation
# *loss* need not come with the highest validation *accuracy*: compare the
# accuracy of the restored model with that of the last epoch. Monitor the
# quantity you care about: `EarlyStopping(monitor="val_accuracy")` maximises
# it (`mode="auto"` sees the "acc" in the name).

# %% [markdown] lang="zh"
# 训练损失仍在下降，而验证损失已不再改进：这正是页面上所说的过拟合模式，也是早停要处理的情形。（第 1 轮的训练损失高于验证损失：它是这一轮内各批次损失的平均，其中大多数批次是在网络还没学到多少东西时算的，而验证损失是在这一轮结束时才测量的。）`fit` 结束后得到的模型并不是最后一轮的模型：上面打印的验证损失就是最好那一轮的值，因为 `restore_best_weights=True` 把那组权重放了回去。如果不设置这一项，模型保留的是最后一轮的权重，也就是比最好的那一轮晚了 `patience` 轮。
#
# 还有两个细节，都能在上面的输出中看到。“最好”指的是最后一次*算作*改进的那一轮；之后某一轮的损失即使更低，只要低得不到 `min_delta`，就不会取代它，所以恢复的那一轮不一定是整次训练中验证损失最低的那个。另外，验证*损失*最低的那一轮不一定是验证*准确率*最高的那一轮：比较一下恢复后模型的准确率与最后一轮的准确率。应当监视你真正关心的量：`EarlyStopping(monitor="val_accuracy")` 会把它最大化（`mode="auto"` 看到名字中的“acc”就会选择最大化）。

# %% [markdown] lang="en"
# ## 2. Checkpoint, crash, resume
#
# A run of 8 epochs saves a checkpoint after every epoch with
# `ModelCheckpoint(path)`. We let it "crash" after epoch 4, with a callback
# that raises an exception, as a power cut or a killed job would. Then a new
# model, optimiser and loader, built from another seed as a fresh process
# would, continue with `fit(..., epochs=8, resume_from=path)`. The checkpoint
# holds the weights, the optimiser's state, the loader's shuffling state, the
# random generator and the history so far.
#
# For contrast, a second resume loads **only the weights** saved after epoch 4
# (what `torch.save(model.state_dict(), ...)` alone would give) and trains the
# remaining 4 epochs with a fresh optimiser and a fresh loader.

# %% [markdown] lang="zh"
# ## 2. 检查点、崩溃与恢复
#
# 一次 8 轮的训练用 `ModelCheckpoint(path)` 在每一轮之后保存检查点。我们用一个抛出异常的回调让它在第 4 轮之后“崩溃”，就像断电或作业被杀掉一样。然后像一个新进程那样，用另一个随机种子新建模型、优化器和数据加载器，用 `fit(..., epochs=8, resume_from=path)` 继续训练。检查点中保存了权重、优化器的状态、数据加载器的打乱状态、随机数生成器和截至当时的训练历史。
#
# 作为对照，第二种恢复方式**只加载**第 4 轮之后保存的**权重**（相当于只做 `torch.save(model.state_dict(), ...)`），再用新的优化器和新的数据加载器训练剩下的 4 轮。

# %%
TOTAL, CRASH_AFTER = 8, 4


class Crash(Exception):
    pass


class CrashAfter(dlnotes.Callback):
    """Raise after a given epoch, once the callbacks before it (the checkpoint) have run."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, trainer, epoch, logs):
        if epoch == self.epoch:
            raise Crash(f"simulated crash after epoch {epoch}")


with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "mlp.pt"
    _, uninterrupted = train(TOTAL)
    try:
        train(TOTAL, [ModelCheckpoint(path), CrashAfter(CRASH_AFTER)])
    except Crash as crash:
        print(crash)
    saved = torch.load(path, weights_only=True)
    print(f"the checkpoint holds epoch {saved['epoch']}: {sorted(saved)}")
    _, resumed = train(TOTAL, [ModelCheckpoint(path)], resume_from=path, seed=1)

# Weights only: a fresh Adam (moment estimates and step count back to zero), a loader shuffled from another seed.
dlnotes.seed_everything(1)
weights_only = mlp()
weights_only.load_state_dict(saved["model"])
optimizer = torch.optim.Adam(weights_only.parameters(), lr=LR)
loader = TensorLoader(x_train, y_train, batch_size=BATCH, shuffle=True, device=device)
rest = fit(weights_only, loader, val, loss=nn.CrossEntropyLoss(), optimizer=optimizer, epochs=TOTAL - CRASH_AFTER,
           metrics={"accuracy": accuracy}, device=device)

columns = ["loss", "val_loss", "accuracy", "val_accuracy"]  # everything but the wall-clock time
a, b = uninterrupted.to_frame()[columns], resumed.to_frame()[columns]
print(f"resumed history equals the uninterrupted one: {a.equals(b)} "
      f"(largest difference {(a - b).abs().to_numpy().max():.1e})")
print(f"weights-only resume: final val_loss {rest.history['val_loss'][-1]:.4f} against "
      f"{uninterrupted.history['val_loss'][-1]:.4f} uninterrupted")

# %%
fig, ax = plt.subplots(figsize=(8, 4))
for key, colour in (("loss", "tab:blue"), ("val_loss", "tab:orange")):
    name = "training" if key == "loss" else "validation"
    ax.plot(uninterrupted.history["epoch"], uninterrupted.history[key], color=colour, lw=4, alpha=0.35,
            label=f"{name} loss, uninterrupted")
    ax.plot(resumed.history["epoch"], resumed.history[key], color=colour, ls="none", marker="x", ms=8,
            label=f"{name} loss, crashed and resumed")
    ax.plot([e + CRASH_AFTER for e in rest.history["epoch"]], rest.history[key], color=colour, ls=":",
            marker=".", label=f"{name} loss, weights-only resume")
ax.axvline(CRASH_AFTER + 0.5, color="red", ls="--", lw=1, label=f"crash after epoch {CRASH_AFTER}")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_title("Resuming from a ModelCheckpoint file")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The crosses of the resumed run sit on the uninterrupted curves, epoch for
# epoch; the printout says whether the two histories are equal number for
# number. Resuming from the weights alone gives a different run from epoch 5
# on: Adam's running averages of the gradients start again from zero and the
# batches come in another order. For a long run that matters less than being
# able to resume at all, but only the full checkpoint makes a crash invisible
# in the results.

# %% [markdown] lang="zh"
# 恢复训练的叉号与未中断训练的曲线逐轮重合；上面的输出说明两份训练历史是否逐个数值相等。只从权重恢复，从第 5 轮起就成了另一次训练：Adam 对梯度的滑动平均从零重新开始，批次的顺序也不同。对于很长的训练，这远不如“能够恢复”本身重要，但只有完整的检查点才能让一次崩溃在结果中不留痕迹。

# %% [markdown] lang="en"
# ## 3. TensorBoard, read back
#
# `TensorBoard(log_dir)` writes every epoch's logs as scalars into event files
# in `log_dir`. The site cannot embed the TensorBoard UI, so we read the
# files back with `dlnotes.read_scalars(log_dir)`, a table with one row per
# tag and epoch, and draw the curves ourselves. The run is the early-stopping
# run of part 1 (same seed, same data) without early stopping, for 25 epochs:
# it shows what stopping avoided.

# %% [markdown] lang="zh"
# ## 3. 读回 TensorBoard 日志
#
# `TensorBoard(log_dir)` 把每一轮的日志作为标量写入 `log_dir` 中的事件文件。本站页面无法嵌入 TensorBoard 界面，因此我们用 `dlnotes.read_scalars(log_dir)` 把文件读回成一张表（每个标签、每一轮一行），自己画出曲线。这次训练就是第 1 部分的早停训练（相同的种子和数据），只是不早停，训练 25 轮：它显示了早停避开了什么。

# %%
LOGGED_EPOCHS = 25
with tempfile.TemporaryDirectory() as folder:
    log_dir = Path(folder) / "runs" / "adam-lr0.001"
    _, logged = train(LOGGED_EPOCHS, [TensorBoard(log_dir)])
    print("event files:", [p.name.split(".")[0] + ".out.tfevents.…" for p in log_dir.iterdir()])
    scalars = dlnotes.read_scalars(log_dir)
same_start = logged.history["val_loss"][:len(stopped)] == stopped.history["val_loss"]
print(f"{len(scalars)} scalars, tags {sorted(scalars['tag'].unique())}")
print(f"its first {len(stopped)} epochs equal the early-stopping run's: {same_start}")
scalars.head(8)

# %%
wide = scalars.pivot(index="step", columns="tag", values="value")  # one column per tag
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, quantity in zip(axes, ("loss", "accuracy")):
    ax.plot(wide.index, wide[f"{quantity}/train"], marker=".", label=f"{quantity}/train")
    ax.plot(wide.index, wide[f"{quantity}/val"], marker="o", label=f"{quantity}/val")
    if stop.stopped_epoch_ is not None:
        ax.axvline(stop.stopped_epoch_, color="red", ls="--", lw=1, label="early stopping stopped here")
    ax.axvline(stop.best_epoch_, color="green", ls=":", lw=1, label="its restored best epoch")
    ax.set_xlabel("epoch (TensorBoard step)")
    ax.set_title(f"{quantity}, read back from the event files")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %%
window = wide.loc[wide.index >= stop.best_epoch_]
print(f"from epoch {stop.best_epoch_} to {LOGGED_EPOCHS}: "
      f"train loss {window['loss/train'].iloc[0]:.3f} -> {window['loss/train'].iloc[-1]:.3f}, "
      f"val loss {window['loss/val'].iloc[0]:.3f} -> {window['loss/val'].iloc[-1]:.3f}, "
      f"val accuracy {window['accuracy/val'].iloc[0]:.3f} -> {window['accuracy/val'].iloc[-1]:.3f}")

# %% [markdown] lang="en"
# Past the early-stopping point the training loss keeps falling towards zero,
# while the validation loss climbs: the epochs that early stopping saved were
# epochs of overfitting. The validation accuracy hardly moves over the same
# epochs. The network grows more confident on the validation images it gets
# wrong, which raises the loss, while classifying about as many of them
# correctly; the loss sees that overconfidence first.
#
# To see your own runs in the real UI, log them into one folder, one
# sub-folder per run (`TensorBoard("runs/adam-lr0.001")`,
# `TensorBoard("runs/sgd-lr0.01")`, ...) and start TensorBoard on your
# machine:
#
# ```sh
# tensorboard --logdir runs
# ```
#
# then open <http://localhost:6006> (the default port; `--port` chooses
# another). Each sub-folder appears as a run you can switch on and off, and the
# tags `loss/train` and `loss/val` share a chart. Set *Smoothing* to 0 to see
# the values as logged.

# %% [markdown] lang="zh"
# 在早停点之后，训练损失继续向零下降，而验证损失不断上升：早停省下的那几轮都在过拟合。在同样这几轮中，验证准确率几乎不变。网络对它分错的验证图片越来越自信，这会使损失上升，而分对的图片数量大致不变；损失比准确率更早察觉到这种过度自信。
#
# 要在真正的界面里查看自己的训练，把它们记录到同一个文件夹下，每次训练一个子文件夹（`TensorBoard("runs/adam-lr0.001")`、`TensorBoard("runs/sgd-lr0.01")` 等），然后在自己的机器上启动 TensorBoard：
#
# ```sh
# tensorboard --logdir runs
# ```
#
# 再打开 <http://localhost:6006>（默认端口；可用 `--port` 另选）。每个子文件夹显示为一次训练，可以单独打开或关闭；标签 `loss/train` 和 `loss/val` 画在同一张图里。把 *Smoothing*（平滑）设为 0，看到的就是记录下来的原始数值。
