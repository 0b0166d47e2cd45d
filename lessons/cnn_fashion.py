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
# # A small CNN against an MLP, and depth
#
# The [page on convolution](../cnn.md) builds a convolution from dot
# products. This lesson trains convolutional networks on Fashion-MNIST and
# measures three things:
#
# 1. a **small CNN against the MLP** of the earlier lessons: accuracy,
#    parameters and time per epoch on the device this build ran on;
# 2. **max against average pooling**: the course notes say average pooling
#    is worse (claim C17);
# 3. **depth**: the notes say that for fully connected networks 3 layers
#    beat 2 but more rarely help (claim C14, tested on the
#    [vanishing-gradients page](../vanishing_gradients.md)), while for CNNs
#    depth "is a very important factor" (claim C16). Both families are made
#    deeper here, on the same data and budget.
#
# Then it shows what the trained CNN's first layer learned: its filters and
# the feature maps they produce.

# %% [markdown] lang="zh"
# # 小型 CNN 对比 MLP，以及深度
#
# [卷积页面](../cnn.md)用点积搭出了卷积。本实验在 Fashion-MNIST 上训练卷积神经网络，测量三件事：
#
# 1. **小型 CNN 对比 MLP**（前面实验中的 MLP）：准确率、参数量，以及在本站构建时所用设备上每一轮（epoch）的耗时；
# 2. **最大池化对比平均池化**：课程笔记说平均池化更差（论断 C17）；
# 3. **深度**：课程笔记说，对全连接网络，3 层胜过 2 层，但更多的层很少再有帮助（论断 C14，在[梯度消失页面](../vanishing_gradients.md)上检验），而对 CNN，深度“是一个非常重要的因素”（论断 C16）。这里在相同的数据和训练预算下把两类网络都加深。
#
# 最后展示训练好的 CNN 的第一层学到了什么：它的卷积核，以及这些卷积核生成的特征图。

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
import torch
from torch import nn

import dlnotes
from dlnotes import TensorLoader, accuracy, evaluate, fit, parameter_count

start_time = time.perf_counter()
device = dlnotes.device()
FULL = device.type == "cuda"  # a GPU affords the whole training set and more epochs
data = dlnotes.fashion_mnist(normalize="standard")  # float32 (N, 28, 28), z-scored with the training mean and std
LR = 3e-3
N_TRAIN, EPOCHS, SEEDS, BATCH = (60_000, 5, range(3), 128) if FULL else (16_000, 1, range(3), 128)
x_train = data.x_train[:N_TRAIN].unsqueeze(1)  # (N, 1, 28, 28): one input channel
y_train = data.y_train[:N_TRAIN]
x_test, y_test = data.x_test.unsqueeze(1), data.y_test  # (10000, 1, 28, 28)
print(f"{len(x_train):,} training images, {EPOCHS} epoch(s) of Adam (lr {LR:g}, batch {BATCH}), {len(SEEDS)} seeds; "
      f"device: {dlnotes.device_name(device)}")

# %% [markdown] lang="en"
# ## The networks
#
# * **CNN with d convolutions**: 3 × 3 convolutions of 8 channels (padding
#   1, so the size is kept), each followed by a ReLU; a 2 × 2 max pooling
#   (which halves the size) after the first and after the second (for d = 1,
#   two poolings after the only convolution). Every depth ends in 8 feature
#   maps of 7 × 7 and the same linear classifier. The small CNN of this
#   lesson is d = 2: 28 → 14 → 7.
# * The same CNN with **average pooling** instead of max pooling.
# * **MLP with d hidden layers** of width 100 (ReLU, PyTorch's default
#   initialisation), and the 784-300-100-10 **MLP of the earlier lessons**.
#
# Every network is trained the same way (printed above), with the same three
# seeds: a seed fixes the initial weights and the order of the batches, so
# two networks can be compared seed by seed. The learning rate is the same
# for all and not tuned per network: a confound to keep in mind. So is the
# budget, fixed in epochs: a deeper network that needs more steps is at a
# disadvantage.

# %% [markdown] lang="zh"
# ## 网络
#
# * **有 d 个卷积层的 CNN**：3 × 3、8 个通道的卷积（填充为 1，因此尺寸不变），每个卷积之后接一个 ReLU；在第一个和第二个卷积之后各接一个 2 × 2 最大池化，把尺寸减半（d = 1 时，唯一的卷积之后接两个池化）。每种深度最后都得到 8 张 7 × 7 的特征图，并接同一个线性分类器。本实验的小型 CNN 就是 d = 2：28 → 14 → 7。
# * 同一个 CNN，把最大池化换成**平均池化**。
# * **有 d 个隐藏层的 MLP**，宽度为 100（ReLU，PyTorch 默认初始化），以及**前面实验中的 784-300-100-10 MLP**。
#
# 每个网络的训练方式都相同（见上面的输出），也使用相同的三个种子：种子决定初始权重和小批量的顺序，所以两个网络可以逐个种子比较。所有网络共用一个学习率，没有按网络分别调节：这是一个需要记住的混杂因素。训练预算也是如此，它按轮数固定：需要更多步的更深网络会吃亏。

# %%
def cnn(depth: int, pool: type[nn.Module] = nn.MaxPool2d, width: int = 8) -> nn.Sequential:
    layers, channels = [], 1
    for i in range(depth):
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]  # (B, width, H, W)
        channels = width
        if i < 2:
            layers.append(pool(2))  # after the first two convolutions: 28 -> 14 -> 7
    if depth == 1:
        layers.append(pool(2))
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(width * 7 * 7, 10))  # (B, 392) -> (B, 10)


def mlp(*widths: int) -> nn.Sequential:
    layers, features = [nn.Flatten()], 784
    for width in widths:
        layers += [nn.Linear(features, width), nn.ReLU()]
        features = width
    return nn.Sequential(*layers, nn.Linear(features, 10))


DEPTHS = (1, 2, 4)
NETWORKS = {**{("CNN", d): (lambda d=d: cnn(d)) for d in DEPTHS},
            ("CNN, average pooling", 2): lambda: cnn(2, nn.AvgPool2d),
            **{("MLP", d): (lambda d=d: mlp(*[100] * d)) for d in DEPTHS},
            ("MLP 784-300-100-10", 2): lambda: mlp(300, 100)}
test_loader = TensorLoader(x_test[:5000], y_test[:5000], batch_size=2500, device=device)


def train(build, seed: int) -> tuple[nn.Module, float, float]:
    """Train a fresh network; its accuracy on 5,000 test images and its mean seconds per epoch."""
    dlnotes.seed_everything(seed)
    model = build()
    loader = TensorLoader(x_train, y_train, batch_size=BATCH, shuffle=True,
                          generator=torch.Generator().manual_seed(seed), device=device)
    history = fit(model, loader, loss=nn.CrossEntropyLoss(), epochs=EPOCHS, device=device, progress=False,
                  optimizer=torch.optim.Adam(model.parameters(), lr=LR))
    seconds = sum(history.history["time"]) / EPOCHS
    return model, evaluate(model, test_loader, metrics={"accuracy": accuracy})["accuracy"], seconds


rows, first_cnn = [], None
for (family, depth), build in NETWORKS.items():
    for seed in SEEDS:
        model, acc, seconds = train(build, seed)
        rows.append({"network": family, "depth": depth, "seed": seed, "test accuracy": acc,
                     "s per epoch": seconds, "parameters": parameter_count(model)})
        if (family, depth, seed) == ("CNN", 2, 0):
            first_cnn = model  # for the pictures at the end
runs = pd.DataFrame(rows)
summary = runs.groupby(["network", "depth"], sort=False).agg(
    parameters=("parameters", "first"), mean=("test accuracy", "mean"), std=("test accuracy", "std"),
    s_per_epoch=("s per epoch", "mean"))
print(f"accuracy on 5,000 test images, mean and std over {len(SEEDS)} seeds; seconds per epoch on "
      f"{dlnotes.device_name(device)}")
print(summary.to_string(float_format="{:.4f}".format))

# %% [markdown] lang="en"
# ## A small CNN against the MLP
#
# The differences seed by seed: the small CNN (d = 2) against the MLP of
# the earlier lessons and against the MLP with two hidden layers of 100,
# and max against average pooling.

# %% [markdown] lang="zh"
# ## 小型 CNN 对比 MLP
#
# 下面逐个种子给出差值：小型 CNN（d = 2）分别对比前面实验中的 MLP 和有两个宽度为 100 的隐藏层的 MLP，以及最大池化对比平均池化。

# %%
paired = runs.pivot_table(index="seed", columns=["network", "depth"], values="test accuracy")  # (seeds, networks)


def compare(a: tuple, b: tuple) -> None:
    diff = paired[a] - paired[b]  # the same seed: the same batch order
    print(f"{a[0]} ({a[1]}) - {b[0]} ({b[1]}): {100 * diff.mean():+.2f} ± {100 * diff.std():.2f} points "
          f"(mean ± std over {len(diff)} paired seeds; per seed {', '.join(f'{100 * d:+.2f}' for d in diff)})")


compare(("CNN", 2), ("MLP 784-300-100-10", 2))
compare(("CNN", 2), ("MLP", 2))
compare(("CNN", 2), ("CNN, average pooling", 2))

# %% [markdown] lang="en"
# On the CPU build (16,000 images, one epoch; the numbers in this paragraph
# and the box below are from that run), the **MLP wins**: the small CNN
# reached 0.7993 ± 0.0143, the MLP of the earlier lessons 0.8238 ± 0.0055,
# 2.45 ± 0.91 points more, on every seed. The CNN has 4,594 parameters
# against 266,610, yet an epoch took it several times as long (the table's
# last column, measured in the same run): every weight of a filter is used
# at 784 or 196 positions, so the CNN does far more arithmetic per
# parameter. Why the CNN loses here is not tested; a likely reason is the
# budget, 125 steps, too few for a network whose 8 filters must first learn
# useful features (training for more epochs would check it). On a GPU the
# lesson trains on all 60,000 images for 5 epochs; the table above then says
# what that run found.

# %% [markdown] lang="zh"
# 在 CPU 上构建本站时的运行中（16,000 张图片，一轮；本段和下面结论框中的数字都来自这次运行），**MLP 胜出**：小型 CNN 达到 0.7993 ± 0.0143，前面实验中的 MLP 达到 0.8238 ± 0.0055，高出 2.45 ± 0.91 个百分点，而且每个种子上都更高。CNN 只有 4,594 个参数，MLP 有 266,610 个，但 CNN 训练一轮所用的时间却是 MLP 的好几倍（见表格最后一列，在同一次运行中测得）：卷积核的每个权重都要在 784 或 196 个位置上使用，所以 CNN 每个参数承担的运算要多得多。CNN 为什么在这里落败，本实验没有检验；一个可能的原因是训练预算：125 步，对于一个 8 个卷积核得先学出有用特征的网络来说太少了（多训练几轮就能验证这一点）。在 GPU 上，本实验用全部 60,000 张图片训练 5 轮；那时上面的表格给出的就是那次运行的结果。

# %% [markdown] lang="en" claim="C17" verdict="holds" statement="Max pooling is the most common; other kinds, such as average pooling, do worse."
# !!! note "Verdict on claim C17"
#     **Holds here.** The same small CNN with 2 × 2 average pooling instead of
#     max pooling reached 0.7709 ± 0.0136 against 0.7993 ± 0.0143: max
#     pooling was better by 2.84 ± 0.89 points, on each of the 3 seeds (+2.72,
#     +2.02, +3.78). Confounds: one learning rate, one short budget and one
#     small network for both; with longer training the gap may shrink. Why
#     max pooling wins is not tested here; the usual explanation (it passes on
#     the strongest response of a filter in each window, where the mean
#     dilutes it with the weak ones) is a guess.

# %% [markdown] lang="zh" claim="C17" verdict="holds" statement="最常用的是最大池化，其他方法（如平均池化）不如最大池化。"
# !!! note "论断 C17 的结论"
#     **在这里成立。** 同一个小型 CNN 把最大池化换成 2 × 2 平均池化后达到 0.7709 ± 0.0136，而用最大池化时为 0.7993 ± 0.0143：最大池化高出 2.84 ± 0.89 个百分点，3 个种子中每一个都更好（+2.72、+2.02、+3.78）。混杂因素：两者使用同一个学习率、同一个较短的训练预算和同一个小网络；训练更久时差距可能缩小。最大池化为什么更好，这里没有检验；通常的解释（它把每个窗口中卷积核最强的响应传下去，而平均值会被较弱的响应冲淡）只是猜测。

# %% [markdown] lang="en"
# ## Depth, for CNNs and for MLPs
#
# The same runs, read by depth: 1, 2 and 4 convolutions for the CNN, 1, 2
# and 4 hidden layers for the MLP. Each grey dot is one seed.

# %% [markdown] lang="zh"
# ## 深度：CNN 与 MLP
#
# 把同样这些运行按深度来看：CNN 有 1、2、4 个卷积层，MLP 有 1、2、4 个隐藏层。每个灰点是一个种子。

# %%
depths = runs[runs["network"].isin(["CNN", "MLP"])]
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for family, marker in (("CNN", "o"), ("MLP", "s")):
    part = depths[depths["network"] == family]
    stats = part.groupby("depth")["test accuracy"].agg(["mean", "std"])
    ax.errorbar(stats.index, stats["mean"], yerr=stats["std"], marker=marker, capsize=4,
                label=f"{family} (mean ± std)")
    ax.plot(part["depth"], part["test accuracy"], ".", color="gray")
ax.set_xlabel("convolutions (CNN) or hidden layers (MLP)")
ax.set_ylabel("test accuracy")
ax.set_xticks(DEPTHS)
ax.set_title(f"Depth, {len(SEEDS)} seeds each (grey dots)")
ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
for family in ("CNN", "MLP"):
    for a, b in [(2, 1), (4, 2), (4, 1)]:
        compare((family, a), (family, b))

# %% [markdown] lang="en" claim="C16" verdict="does not hold" statement="For fully connected networks depth beyond 3 layers rarely helps, but for CNNs depth is a very important factor."
# !!! note "Verdict on claim C16"
#     **Does not hold at this budget: depth hurt the CNN more than the MLP.**
#     On the CPU build (16,000 images, one epoch of Adam at lr 3 × 10⁻³,
#     3 seeds), going from 2 to 4 convolutions cost the CNN 3.86 ± 1.12
#     points (0.7993 → 0.7607, worse on every seed), and from 1 to 4
#     convolutions 4.51 ± 1.21. Going from 2 to 4 hidden layers cost the MLP
#     1.39 ± 1.02 points, and 1 against 2 hidden layers cannot be told apart
#     (+0.16 ± 1.41). So here depth did not matter *more* for CNNs; it hurt
#     them more. This is a narrow test of a broad claim, and its confounds
#     are large: 125 steps, which deeper networks may need more of; 8
#     channels per convolution; no batch normalisation or skip connections,
#     which the deep CNNs the notes mean (tens to hundreds of layers) rely
#     on; one learning rate for every depth; and 28 × 28 images, where two
#     poolings already leave 7 × 7 maps, so the added convolutions work on
#     small maps. Whether depth pays off for CNNs trained longer, with batch
#     normalisation, is not tested here.

# %% [markdown] lang="zh" claim="C16" verdict="does not hold" statement="对全连接网络，超过 3 层的深度很少有帮助；对卷积神经网络，深度却是一个非常重要的因素。"
# !!! note "论断 C16 的结论"
#     **在这个训练预算下不成立：加深对 CNN 的损害比对 MLP 更大。** 在 CPU 上构建本站时的运行中（16,000 张图片，用学习率 3 × 10⁻³ 的 Adam 训练一轮，3 个种子），CNN 从 2 个卷积层加到 4 个，准确率下降 3.86 ± 1.12 个百分点（0.7993 → 0.7607，每个种子上都更差），从 1 个加到 4 个下降 4.51 ± 1.21。MLP 从 2 个隐藏层加到 4 个下降 1.39 ± 1.02 个百分点，而 1 个与 2 个隐藏层无法区分（+0.16 ± 1.41）。所以在这里，深度对 CNN 并不是*更*重要，反而对它损害更大。这是用一个很窄的实验检验一个宽泛的论断，混杂因素也很大：只有 125 步，而更深的网络可能需要更多步；每个卷积层只有 8 个通道；没有批量规范化，也没有跳跃连接，而课程笔记所说的深层 CNN（几十到几百层）正依赖这些；所有深度共用一个学习率；图片只有 28 × 28，两次池化后特征图已只剩 7 × 7，新增的卷积层只能在很小的特征图上工作。CNN 训练得更久并加上批量规范化时，深度是否有回报，这里没有检验。

# %% [markdown] lang="en"
# ## What the first layer learned
#
# Top row: the eight 3 × 3 filters of the first convolution of the seed-0
# small CNN (blue: negative weights, red: positive). Bottom row: one test
# image and the eight feature maps the filters produce from it, after the
# ReLU. Each map is one filter's dot product at every position of the
# image, so a map is bright where the image looks like its filter. Some maps
# light up the garment, some the background around it (a filter with mostly
# negative weights), some only its edges in one direction: simple features,
# as the notes say of the first layers. What the later layers combine them
# into is not shown here.

# %% [markdown] lang="zh"
# ## 第一层学到了什么
#
# 上排：种子 0 的小型 CNN 第一个卷积层的八个 3 × 3 卷积核（蓝色为负权重，红色为正权重）。下排：一张测试图片，以及这八个卷积核由它生成、经过 ReLU 之后的八张特征图。每张特征图是一个卷积核在图片每个位置上的点积，所以图片哪里与卷积核相像，特征图哪里就亮。有的特征图点亮衣物本身，有的点亮衣物周围的背景（权重大多为负的卷积核），有的只点亮某一个方向上的边缘：正如课程笔记对前几层的描述，这些都是简单的特征。后面的层把它们组合成什么，这里没有展示。

# %%
cnn = first_cnn.cpu().eval()
filters = cnn[0].weight.detach()[:, 0]  # (8, 3, 3)
image = x_test[:1]  # (1, 1, 28, 28)
with torch.no_grad():
    maps = cnn[1](cnn[0](image))[0]  # (8, 28, 28): after the ReLU
fig, axes = plt.subplots(2, 9, figsize=(7.5, 2.4))
limit = filters.abs().max()
for i in range(8):
    axes[0, i + 1].imshow(filters[i], cmap="bwr", vmin=-limit, vmax=limit)
    axes[0, i + 1].set_title(f"filter {i + 1}", fontsize=9)
    axes[1, i + 1].imshow(maps[i], cmap="gray")
axes[1, 0].imshow(image[0, 0], cmap="gray")
axes[1, 0].set_title("input", fontsize=9)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].axis("off")
fig.tight_layout()
plt.show()
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")
