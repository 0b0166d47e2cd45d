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
# # Pre-training, linear probes and fine-tuning
#
# The course notes' rule for transfer learning: when the new task differs
# little from the one a network was trained on, fine-tune the trained
# parameters; when it differs a lot, re-initialise most of them and train
# again. This lesson downloads no weights: it pre-trains its own network on
# five Fashion-MNIST classes, then learns new classes from a few labelled
# images each, four ways (see the [transfer-learning page](../transfer.md)):
#
# * **from scratch**: a new network, all of it trained;
# * **linear probe**: the pre-trained backbone frozen, a new head trained;
# * **fine-tuning**: the pre-trained backbone and a new head both trained,
#   the backbone with a ten times smaller learning rate;
# * **fine-tuning at one rate**: the same, with the head's learning rate for
#   the backbone too, so that the backbone can be retrained.
#
# Two target tasks: the **other five Fashion-MNIST classes** (close: the
# same kind of images) and **handwritten digits** (scikit-learn's bundled
# 8 × 8 digits, scaled up to 28 × 28: further away).

# %% [markdown] lang="zh"
# # 预训练、线性探测与微调
#
# 课程笔记给出的迁移学习规则是：新任务与网络原先训练的任务差异不大时，微调已训练好的参数；差异很大时，重新初始化其中大部分参数，再重新训练。本实验不下载任何权重：它先在 Fashion-MNIST 的五个类别上预训练自己的网络，再用每类少量带标签的图片学习新的类别，学习方式有四种（见[迁移学习页面](../transfer.md)）：
#
# * **从头训练**：一个新网络，全部参数都训练；
# * **线性探测**：冻结预训练的骨干网络，只训练一个新的输出头；
# * **微调**：预训练的骨干网络和新的输出头都训练，骨干网络的学习率小十倍；
# * **同一学习率微调**：同上，但骨干网络也用输出头的学习率，使骨干网络能够被重新训练。
#
# 两个目标任务：**Fashion-MNIST 的另外五个类别**（相近：同一类图片）和**手写数字**（scikit-learn 自带的 8 × 8 数字图片，放大到 28 × 28：相距更远）。

# %%
import math
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn

import dlnotes
from dlnotes import (ModelCheckpoint, TensorLoader, accuracy, evaluate, fit, freeze, load_backbone,
                     parameter_count, parameter_groups)

start_time = time.perf_counter()
device = dlnotes.device()
FULL = device.type == "cuda"  # a GPU affords pre-training on every image of the five classes, and longer
data = dlnotes.fashion_mnist(normalize="standard")  # float32 (N, 28, 28), z-scored
SOURCE, TARGET = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]
names = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]
print("pre-training classes:", ", ".join(names[c] for c in SOURCE))
print("target classes:      ", ", ".join(names[c] for c in TARGET))


def classes(x: torch.Tensor, y: torch.Tensor, keep: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """The images of the classes in keep, labelled 0, 1, ... in that order: (N, 1, 28, 28), (N,)."""
    mask = torch.isin(y, torch.tensor(keep))
    return x[mask].unsqueeze(1), torch.searchsorted(torch.tensor(keep), y[mask])


# %% [markdown] lang="en"
# ## Pre-training
#
# The network is a backbone of two convolution blocks (3 × 3, 8 and 16
# channels, each followed by a ReLU and a 2 × 2 max pooling) that turns an
# image into 784 features, and a head, one linear layer from those features
# to the classes. They are named `features` and `head`, which is how the
# helpers of `dlnotes.transfer` find them. `ModelCheckpoint` saves the
# pre-trained network, as any training run would.

# %% [markdown] lang="zh"
# ## 预训练
#
# 网络由骨干网络和输出头组成。骨干网络是两个卷积块（3 × 3 卷积，分别有 8 和 16 个通道，每个之后接一个 ReLU 和一个 2 × 2 最大池化），把一张图片变成 784 个特征；输出头是一个线性层，从这些特征通向各个类别。两部分分别命名为 `features` 和 `head`，`dlnotes.transfer` 中的辅助函数正是靠这两个名字找到它们的。`ModelCheckpoint` 保存预训练好的网络，和任何一次训练一样。

# %%
def network(n_classes: int) -> nn.Sequential:
    features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (B, 8, 14, 14)
                             nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (B, 16, 7, 7)
                             nn.Flatten())                                                # (B, 784)
    return nn.Sequential(OrderedDict(features=features, head=nn.Linear(16 * 7 * 7, n_classes)))


x_source, y_source = classes(data.x_train, data.y_train, SOURCE)
N_PRETRAIN, PRETRAIN_EPOCHS = (len(x_source), 5) if FULL else (12_000, 2)
folder = Path(tempfile.mkdtemp())
dlnotes.seed_everything(0)
pretrained = network(len(SOURCE))
history = fit(pretrained, TensorLoader(x_source[:N_PRETRAIN], y_source[:N_PRETRAIN], batch_size=128, shuffle=True,
                                       device=device),
              loss=nn.CrossEntropyLoss(), epochs=PRETRAIN_EPOCHS, device=device, progress=False,
              optimizer=torch.optim.Adam(pretrained.parameters(), lr=3e-3),
              callbacks=[ModelCheckpoint(folder / "pretrained.pt", monitor="loss")])
x_check, y_check = classes(data.x_test, data.y_test, SOURCE)
source_accuracy = evaluate(pretrained, TensorLoader(x_check, y_check, batch_size=2000, device=device),
                           metrics={"accuracy": accuracy})["accuracy"]
print(f"pre-trained on {N_PRETRAIN:,} images for {PRETRAIN_EPOCHS} epochs: "
      f"accuracy {source_accuracy:.3f} on the {len(x_check):,} test images of its five classes")

# %% [markdown] lang="en"
# ## The two target tasks
#
# The digits are 8 × 8 images with values 0–16; scaled up to 28 × 28
# (bilinear) and brought to the pre-training inputs' mean and standard
# deviation, they look like Fashion-MNIST's format but show other things.
# Each task has a fixed test set; the few labelled training images are
# drawn anew for every seed. Budgets: 1, 5, 20 and 80 labelled images per
# class.

# %% [markdown] lang="zh"
# ## 两个目标任务
#
# 数字图片是 8 × 8 的，取值为 0–16；放大到 28 × 28（双线性插值），再调整到与预训练输入相同的均值和标准差之后，它们的格式看上去和 Fashion-MNIST 一样，画的却是别的东西。每个任务有一个固定的测试集；少量带标签的训练图片对每个种子重新抽取。预算：每类 1、5、20 和 80 张带标签的图片。

# %%
digits = load_digits()
x_digits = F.interpolate(torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1), size=(28, 28),
                         mode="bilinear", align_corners=False)           # (1797, 1, 28, 28)
x_digits = (x_digits - x_digits.mean()) / x_digits.std()             # the pre-training inputs are z-scored too
y_digits = torch.tensor(digits.target)
split = torch.randperm(len(y_digits), generator=torch.Generator().manual_seed(0))
half = len(split) // 2
x_fashion_pool, y_fashion_pool = classes(data.x_train, data.y_train, TARGET)  # labelled images are drawn from here
x_fashion_test, y_fashion_test = classes(data.x_test, data.y_test, TARGET)
TASKS = {
    "Fashion-MNIST, 5 other classes": dict(pool=(x_fashion_pool, y_fashion_pool), n_classes=5,
                                           test=(x_fashion_test[:2000], y_fashion_test[:2000])),
    "digits 0-9, scaled up": dict(pool=(x_digits[split[:half]], y_digits[split[:half]]), n_classes=10,
                                  test=(x_digits[split[half:]], y_digits[split[half:]])),
}
for task, spec in TASKS.items():
    print(f"{task}: {spec['n_classes']} classes, {len(spec['pool'][1]):,} images to draw labels from, "
          f"{len(spec['test'][1]):,} test images")

fig, axes = plt.subplots(2, 6, figsize=(7, 2.6))
for row, (x, title) in enumerate(((x_fashion_test, "Fashion-MNIST, classes 5-9"), (x_digits, "digits, scaled up"))):
    for j in range(6):
        axes[row, j].imshow(x[j, 0], cmap="gray")
        axes[row, j].axis("off")
    axes[row, 0].set_title(title, fontsize=10, loc="left")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Four ways to learn a new task
#
# Every run takes about 60 steps of Adam on mini-batches of at most 32 of its
# labelled images (as many epochs as that needs), whatever the budget, so
# that the small budgets are not also short runs. Learning rates: 3 × 10⁻³
# for a network trained from scratch and for every new head; for a
# pre-trained backbone being fine-tuned, ten times less, or the same (one
# rate). They were set once, not tuned per strategy or budget: a confound to
# keep in mind. The lesson also measures how far each backbone moved from
# the pre-trained one, as the relative change of all its weights,
# ‖w − w₀‖ / ‖w₀‖.

# %% [markdown] lang="zh"
# ## 学习新任务的四种方式
#
# 无论预算多少，每次运行都用 Adam 训练约 60 步，每个小批量最多取 32 张它的带标签图片（需要多少轮就训练多少轮），这样小预算就不会同时意味着训练时间短。学习率：从头训练的网络和每个新的输出头用 3 × 10⁻³；正在微调的预训练骨干网络用它的十分之一，或者用同一个学习率。这些学习率只设定了一次，没有按策略或预算分别调节：这是一个需要记住的混杂因素。本实验还测量每个骨干网络离预训练时走了多远，即它全部权重的相对变化 ‖w − w₀‖ / ‖w₀‖。

# %%
BUDGETS, SEEDS, STEPS, BATCH = (1, 5, 20, 80), range(5) if FULL else range(3), 60, 32


HEAD_LR = 3e-3  # for a network trained from scratch and for every new head
BACKBONE_LR = {"fine-tuning": HEAD_LR / 10, "fine-tuning, one rate": HEAD_LR}  # a pre-trained backbone's rate


def labelled(pool: tuple, per_class: int, n_classes: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """per_class images of each class, drawn from pool with the seed."""
    x, y = pool
    g = torch.Generator().manual_seed(seed)
    picks = [torch.nonzero(y == c).flatten() for c in range(n_classes)]
    chosen = torch.cat([p[torch.randperm(len(p), generator=g)[:per_class]] for p in picks])
    return x[chosen], y[chosen]


def moved(model: nn.Module) -> float:
    """How far the backbone moved from the pre-trained one: ||w - w0|| / ||w0|| over all its weights."""
    start = torch.cat([p.flatten() for p in pretrained.features.parameters()]).cpu()
    now = torch.cat([p.detach().flatten() for p in model.features.parameters()]).cpu()
    return float((now - start).norm() / start.norm())


def learn(strategy: str, task: str, per_class: int, seed: int) -> tuple[float, nn.Module, dict]:
    spec = TASKS[task]
    x, y = labelled(spec["pool"], per_class, spec["n_classes"], seed)
    dlnotes.seed_everything(seed)
    model = network(spec["n_classes"])
    if strategy == "from scratch":
        groups = parameter_groups(model, {"features": HEAD_LR, "head": HEAD_LR})
    else:
        load_backbone(model, folder / "pretrained.pt")  # the head stays new: another number of classes
        if strategy == "linear probe":
            freeze(model, "features")
            groups = parameter_groups(model, {"head": HEAD_LR})
        else:
            groups = parameter_groups(model, {"features": BACKBONE_LR[strategy], "head": HEAD_LR})
    batch = min(BATCH, len(y))
    epochs = math.ceil(STEPS / math.ceil(len(y) / batch))  # about STEPS steps at every budget
    history = fit(model, TensorLoader(x, y, batch_size=batch, shuffle=True,
                                      generator=torch.Generator().manual_seed(seed), device=device),
                  loss=nn.CrossEntropyLoss(), optimizer=torch.optim.Adam(groups), epochs=epochs, device=device,
                  progress=False)
    test = TensorLoader(*spec["test"], batch_size=2000, device=device)
    return evaluate(model, test, metrics={"accuracy": accuracy})["accuracy"], model, history.history


STRATEGIES = ("from scratch", "linear probe", "fine-tuning", "fine-tuning, one rate")
rows = []
for task in TASKS:
    for per_class in BUDGETS:
        for strategy in STRATEGIES:
            for seed in SEEDS:
                acc, model, logged = learn(strategy, task, per_class, seed)
                if strategy == "fine-tuning":  # what fit logged for each parameter group, first and last epoch
                    rates = {key: f"{values[0]:g} -> {values[-1]:g}" for key, values in logged.items()
                             if key.startswith("lr_")}
                rows.append({"task": task, "per class": per_class, "strategy": strategy, "seed": seed,
                             "test accuracy": acc, "trainable": parameter_count(model, trainable=True),
                             "backbone moved": moved(model) if strategy != "from scratch" else float("nan")})
results = pd.DataFrame(rows)
print("rates logged by the last fine-tuning run, first and last epoch:", rates)
print(results.groupby("strategy", sort=False).agg(trainable=("trainable", "first"),
                                                  backbone_moved=("backbone moved", "median"))
      .to_string(float_format="{:.3f}".format))

# %%
table = results.groupby(["task", "per class", "strategy"], sort=False)["test accuracy"].agg(["mean", "std"])
print(f"{len(SEEDS)} seeds; test accuracy, mean and std")
print(table.unstack("strategy").to_string(float_format="{:.3f}".format))

# %%
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.6), sharey=False)
for ax, task in zip(axes, TASKS):
    part = results[results["task"] == task]
    for strategy, marker in zip(STRATEGIES, "os^D"):
        stats = part[part["strategy"] == strategy].groupby("per class")["test accuracy"].agg(["mean", "std"])
        ax.errorbar(stats.index, stats["mean"], yerr=stats["std"], marker=marker, capsize=3, label=strategy)
    ax.set_xscale("log")
    ax.set_xticks(BUDGETS, [str(b) for b in BUDGETS])
    ax.set_xlabel("labelled images per class")
    ax.set_title(task, fontsize=10)
axes[0].set_ylabel("test accuracy")
axes[0].legend(fontsize=9)
fig.tight_layout()
plt.show()

# %%
paired = results.pivot_table(index=["task", "per class", "seed"], columns="strategy", values="test accuracy")
for task in TASKS:
    for per_class in BUDGETS:
        part = paired.loc[(task, per_class)]
        gains = (f"{name} {100 * d.mean():+.1f} ± {100 * d.std():.1f}"
                 for name, d in ((s, part[s] - part["from scratch"]) for s in STRATEGIES[1:]))
        print(f"{task}, {per_class} per class, minus scratch (points): {'; '.join(gains)}")
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")


# %% [markdown] lang="en"
# ## What the run shows
#
# The numbers below are from the CPU build (3 seeds; the seeds draw the
# labelled images and the new weights, the pre-trained backbone is the same
# for all).
#
# * **Close task** (the other five Fashion-MNIST classes): starting from the
#   pre-trained backbone beat training from scratch with 5, 20 and 80
#   labelled images per class. The frozen backbone (linear probe) gained
#   4.6 ± 0.8, 2.5 ± 1.3 and 1.1 ± 0.8 points; fine-tuning at one rate
#   3.1 ± 1.5, 2.1 ± 1.5 and 1.7 ± 0.5. The gain shrinks as labels grow.
#   With one image per class the spread between seeds (about 4 points)
#   hides any difference.
# * **Distant task** (digits): with 1 to 20 labelled images per class every
#   way of reusing the backbone stayed within 1.3 points of training from
#   scratch (the largest gap: −1.3 ± 0.7 for fine-tuning at one rate with one
#   image per class; the others within ±1.0). With 80 per class, keeping the
#   pre-trained backbone cost 2.1 ± 0.3 points (probe) and 2.2 ± 0.7
#   (fine-tuning at a tenth of the rate) against training from scratch, while
#   fine-tuning at one rate, which retrains the backbone, matched it
#   (−0.1 ± 0.3).
# * **Why fine-tuning at a tenth of the rate behaves like the probe:** its
#   backbone moved by a median 5 % of its weights' norm, against 34 % at one
#   rate (the table above): in about 60 steps the small rate hardly changes
#   the backbone. The two were within 0.3 points of each other in every cell.

# %% [markdown] lang="zh"
# ## 本次运行的结果
#
# 下面的数字来自在 CPU 上构建本站时的运行（3 个种子；种子决定抽取哪些带标签的图片以及新的权重，预训练的骨干网络对所有运行都相同）。
#
# * **相近的任务**（Fashion-MNIST 的另外五个类别）：每类 5、20 和 80 张带标签图片时，从预训练的骨干网络出发都胜过从头训练。冻结骨干网络（线性探测）分别提高 4.6 ± 0.8、2.5 ± 1.3 和 1.1 ± 0.8 个百分点；同一学习率微调分别提高 3.1 ± 1.5、2.1 ± 1.5 和 1.7 ± 0.5 个百分点。标签越多，收益越小。每类只有一张图片时，种子之间的波动（约 4 个百分点）掩盖了任何差异。
# * **相距较远的任务**（数字）：每类 1 到 20 张带标签图片时，每一种复用骨干网络的方式与从头训练的差别都不超过 1.3 个百分点（最大的差别是每类一张图片时同一学习率微调的 −1.3 ± 0.7，其余都在 ±1.0 以内）。每类 80 张时，保留预训练的骨干网络比从头训练低 2.1 ± 0.3 个百分点（线性探测）和 2.2 ± 0.7 个百分点（以十分之一学习率微调），而同一学习率微调（它会重新训练骨干网络）与从头训练持平（−0.1 ± 0.3）。
# * **为什么以十分之一学习率微调与线性探测表现相同：** 它的骨干网络移动的中位数只有权重范数的 5%，而同一学习率时为 34%（见上表）：在约 60 步中，小学习率几乎不改变骨干网络。两者在表格的每一格中相差都不超过 0.3 个百分点。

# %% [markdown] lang="en" claim="C18" verdict="partly holds" statement="When the new task differs little, fine-tune the trained parameters; when it differs a lot, re-initialise most of them and train again."
# !!! note "Verdict on claim C18"
#     **Partly holds, and it depends on the number of labels.** For the close
#     task, reusing the trained parameters paid off (+4.6 ± 0.8 points over
#     training from scratch with 5 labelled images per class for the frozen
#     backbone, +1.7 ± 0.5 with 80 for fine-tuning at one rate; 3 seeds, CPU
#     build), but with few labels *fine-tuning* was not the best way to reuse
#     them: the frozen backbone did at least as well (5 per class: +4.6 ± 0.8
#     against +3.1 ± 1.5 at one rate). For the distant task (handwritten
#     digits), retraining was right only with the most labels, 80 per class:
#     keeping the backbone cost about 2 points (2.1 ± 0.3 for the probe),
#     while retraining it, from scratch or by fine-tuning at the full rate,
#     did not (−0.1 ± 0.3). With 1 to 20 labels per class every strategy
#     stayed within 1.3 points of training from scratch. Confounds: one pre-trained
#     backbone, learning rates set once for all strategies, about 60 steps
#     per run, and "distant" judged by eye (digits against clothes), not
#     measured; deeper networks trained longer are not tested.

# %% [markdown] lang="zh" claim="C18" verdict="partly holds" statement="新任务与原任务差异不大时，用原有模型的参数微调；差异较大时，需要初始化大部分参数重新训练。"
# !!! note "论断 C18 的结论"
#     **部分成立，而且取决于标签的数量。** 对相近的任务，复用已训练好的参数是值得的（每类 5 张带标签图片时，冻结骨干网络比从头训练高 4.6 ± 0.8 个百分点；每类 80 张时，同一学习率微调高 1.7 ± 0.5；3 个种子，数字来自在 CPU 上构建本站时的运行），但标签很少时，*微调*并不是最好的复用方式：冻结的骨干网络至少同样好（每类 5 张：+4.6 ± 0.8，同一学习率微调为 +3.1 ± 1.5）。对相距较远的任务（手写数字），只有在标签最多、每类 80 张时，重新训练才是对的：保留骨干网络要损失约 2 个百分点（线性探测为 2.1 ± 0.3），而重新训练它（从头训练，或以完整学习率微调）则没有损失（−0.1 ± 0.3）。每类 1 到 20 张标签时，每种策略与从头训练的差别都不超过 1.3 个百分点。混杂因素：只有一个预训练的骨干网络，所有策略的学习率只设定了一次，每次运行约 60 步，而“相距较远”是凭肉眼判断的（数字对衣物），并没有测量；训练得更久的更深网络没有检验。
