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
# # SELU and self-normalising networks, measured
#
# The course notes (000) say that SELU "mitigates vanishing gradients" and
# that a SELU network "trains faster in wall time than batch normalisation"
# (claim **C6** of the syllabus). This lesson measures both, and what
# self-normalisation needs:
#
# 1. the constants $\alpha$ and $\lambda$, solved from the fixed-point
#    equations and compared with PyTorch's;
# 2. activations through 50 layers at initialisation: SELU with LeCun
#    initialisation against ReLU with Kaiming and tanh with Xavier;
# 3. the cases where self-normalisation breaks, each measured: the wrong
#    weight scale, inputs that are not standardised, `nn.Dropout` instead of
#    `nn.AlphaDropout`, narrow layers;
# 4. the gradient of every layer of the notes' 20-layer network at
#    initialisation (`dlnotes.gradient_norms`);
# 5. SELU against ReLU + batch normalisation on that network: test accuracy
#    and wall time per epoch, three seeds.
#
# The derivations and the AlphaDropout checks are on the page
# [SELU and self-normalising networks](../selu.md).

# %% [markdown] lang="zh"
# # SELU 与自归一化网络：实测
#
# 课程笔记（000）说，SELU 可以“缓解梯度消失”，而且 SELU 网络“从训练时间上看比批量规范化要快一些”（大纲中的论断 **C6**）。本实验对这两点都做测量，也测量自归一化需要哪些条件：
#
# 1. 由不动点方程解出常数 $\alpha$ 和 $\lambda$，并与 PyTorch 中的值比较；
# 2. 初始化时激活值在 50 层中的变化：采用 LeCun 初始化的 SELU，对比采用 Kaiming 初始化的 ReLU 和采用 Xavier 初始化的 tanh；
# 3. 自归一化失效的各种情形，逐一测量：权重尺度不对、输入没有标准化、用 `nn.Dropout` 代替 `nn.AlphaDropout`、层太窄；
# 4. 笔记中 20 层网络在初始化时每一层的梯度（`dlnotes.gradient_norms`）；
# 5. 在这个网络上比较 SELU 与 ReLU + 批量规范化：测试准确率和每轮的训练用时，三个随机种子。
#
# 推导过程和对 AlphaDropout 的检验见页面[SELU 与自归一化网络](../selu.md)。

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

import dlnotes

start_time = time.perf_counter()
device = dlnotes.device()
data = dlnotes.fashion_mnist(normalize="standard", flatten=True)
N_TRAIN, N_TEST = 3_000, 2_000
x_train, y_train = data.x_train[:N_TRAIN].to(device), data.y_train[:N_TRAIN].to(device)  # (3000, 784), (3000,)
x_test, y_test = data.x_test[:N_TEST].to(device), data.y_test[:N_TEST].to(device)  # (2000, 784), (2000,)
probe = x_test[:256]  # (256, 784): the images sent through the deep stacks below
print("running on", dlnotes.device_name(device), f"with {torch.get_num_threads()} thread(s)")
print(f"{len(x_train)} training and {len(x_test)} test images; probe batch mean {probe.mean():.3f}, "
      f"std {probe.std():.3f}")

# %% [markdown] lang="en"
# ## 1. The two constants, and one layer
#
# SELU is $\lambda x$ for $x > 0$ and $\lambda\alpha(e^x - 1)$ otherwise. The two
# constants solve $\mathbb E[\operatorname{SELU}(z)] = 0$ and
# $\mathbb E[\operatorname{SELU}(z)^2] = 1$ for $z \sim \mathcal N(0, 1)$; the page
# derives the closed forms below. PyTorch's values are read back from
# `F.selu` itself: $\operatorname{SELU}(1) = \lambda$, and the saturation value
# far to the left is $-\lambda\alpha$.

# %% [markdown] lang="zh"
# ## 1. 两个常数与一层网络
#
# 当 $x > 0$ 时 SELU 为 $\lambda x$，否则为 $\lambda\alpha(e^x - 1)$。这两个常数是方程组 $\mathbb E[\operatorname{SELU}(z)] = 0$、$\mathbb E[\operatorname{SELU}(z)^2] = 1$（$z \sim \mathcal N(0, 1)$）的解，下面用的闭式解在页面上有推导。PyTorch 中的值直接从 `F.selu` 读出：$\operatorname{SELU}(1) = \lambda$，而在最左端 SELU 饱和于 $-\lambda\alpha$。

# %%
def Phi(x: float) -> float:
    """The standard normal CDF."""
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


ALPHA = (1 / math.sqrt(2 * math.pi)) / (0.5 - math.exp(0.5) * Phi(-1))  # from E[selu(z)] = 0
LAMBDA = (0.5 + ALPHA**2 * (math.exp(2) * Phi(-2) - 2 * math.exp(0.5) * Phi(-1) + 0.5)) ** -0.5  # E[selu(z)²] = 1
torch_lambda, torch_saturation = F.selu(torch.tensor([1.0, -1000.0], dtype=torch.float64)).tolist()
print(f"alpha:  solved {ALPHA:.10f}, torch {-torch_saturation / torch_lambda:.10f}")
print(f"lambda: solved {LAMBDA:.10f}, torch {torch_lambda:.10f}")
z = torch.randn(1_000_000, generator=torch.Generator().manual_seed(0))
print(f"z ~ N(0, 1), 10^6 draws: selu(z) has mean {F.selu(z).mean():.4f} and variance {F.selu(z).var():.4f}")

# %% [markdown] lang="en"
# Closed form and PyTorch agree to ten decimals, and on a million draws the
# SELU output has mean ≈ 0 and variance ≈ 1 (the printed values; the last
# digits are sampling noise).

# %% [markdown] lang="zh"
# 闭式解与 PyTorch 的值在小数点后十位上一致；在一百万个样本上，SELU 输出的均值约为 0、方差约为 1（见打印结果；最后几位是抽样误差）。

# %% [markdown] lang="en"
# ## 2. Fifty layers at initialisation
#
# 256 standardised test images go through 50 hidden layers of width 128,
# weights drawn from each activation's usual initialisation, biases 0, no
# training. For every layer, `dlnotes.activation_statistics` gives the mean
# and standard deviation of the activation outputs in one call. One line per
# seed (3 seeds).

# %% [markdown] lang="zh"
# ## 2. 初始化时的五十层网络
#
# 把 256 张标准化后的测试图片送入 50 个宽度为 128 的隐藏层，权重按各激活函数惯用的方式初始化，偏置为 0，不做训练。`dlnotes.activation_statistics` 一次调用就给出每一层激活输出的均值和标准差。每个随机种子一条线（共 3 个种子）。

# %%
DEPTH, WIDTH, SEEDS = 50, 128, (0, 1, 2)


def lecun_normal_(w: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """N(0, scale² / fan_in): LeCun normal for scale 1."""
    return nn.init.normal_(w, std=scale / math.sqrt(w.shape[1]))


def lecun_uniform_(w: torch.Tensor) -> torch.Tensor:
    """U(-√(3/fan_in), √(3/fan_in)): the same variance 1/fan_in, not Gaussian."""
    bound = math.sqrt(3 / w.shape[1])
    return nn.init.uniform_(w, -bound, bound)


INITS = {
    "LeCun normal": lecun_normal_,
    "LeCun uniform": lecun_uniform_,
    "2 × LeCun": lambda w: lecun_normal_(w, 2.0),
    "Kaiming normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "Xavier uniform": nn.init.xavier_uniform_,
    "kaiming_normal_(selu), gain 3/4": lambda w: nn.init.kaiming_normal_(w, nonlinearity="selu"),
    "nn.Linear default": None,  # keep kaiming_uniform_(a=√5) of reset_parameters: variance 1/(3 fan_in)
}


def linear(fan_in: int, width: int, init: str) -> nn.Linear:
    """A fully connected layer with weights drawn by ``init`` (a key of INITS) and biases 0, or the default."""
    layer = nn.Linear(fan_in, width)
    if INITS[init] is not None:
        INITS[init](layer.weight)
        nn.init.zeros_(layer.bias)
    return layer


def stack(activation=nn.SELU, init="LeCun normal", depth=DEPTH, width=WIDTH, dropout=None, seed=0):
    """784 -> width (x depth) hidden layers, no output layer; biases 0 unless the default init is kept."""
    torch.manual_seed(seed)
    layers, fan_in = [], 784
    for _ in range(depth):
        layers += [linear(fan_in, width, init), activation()]
        if dropout is not None:
            layers.append(dropout)
        fan_in = width
    return nn.Sequential(*layers).to(device)  # train mode: dropout, if any, is active


def layer_stats(x=probe, **kwargs) -> pd.DataFrame:
    """Mean and std of every activation layer's output, one row per layer, for each seed."""
    frames = [dlnotes.activation_statistics(stack(seed=seed, **kwargs), x).assign(seed=seed) for seed in SEEDS]
    return pd.concat(frames)


usual = {
    "SELU, LeCun normal": dict(activation=nn.SELU, init="LeCun normal"),
    "ReLU, Kaiming normal": dict(activation=nn.ReLU, init="Kaiming normal"),
    "tanh, Xavier uniform": dict(activation=nn.Tanh, init="Xavier uniform"),
}
usual_stats = {name: layer_stats(**kwargs) for name, kwargs in usual.items()}

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for (name, frame), colour in zip(usual_stats.items(), ("C0", "C3", "C2")):
    for seed, one in frame.groupby("seed"):
        label = name if seed == SEEDS[0] else None
        axes[0].plot(one.index, one["mean"], color=colour, alpha=0.8)
        axes[1].plot(one.index, one["std"], color=colour, alpha=0.8, label=label)
axes[0].axhline(0, color="grey", lw=0.8)
axes[1].axhline(1, color="grey", lw=0.8)
axes[0].set_ylabel("mean of the activations")
axes[1].set_ylabel("std of the activations (log)")
axes[1].set_yscale("log")
for ax in axes:
    ax.set_xlabel("layer")
    ax.tick_params(labelsize=10)
fig.suptitle(f"{DEPTH} layers of width {WIDTH}, {len(probe)} test images, 3 seeds")
fig.tight_layout()
fig.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3)  # below the panels
plt.show()


def at_layers(frame: pd.DataFrame, column: str, layers=(1, 10, 25, 50)) -> dict:
    """'mean ± std over seeds' of a column at some layers."""
    out = {}
    for layer in layers:
        values = frame.loc[layer, column]
        out[f"{column} @{layer}"] = f"{values.mean():.3g} ± {values.std():.2g}"
    return out


print(pd.DataFrame({name: {**at_layers(f, "mean", (50,)), **at_layers(f, "std")}
                    for name, f in usual_stats.items()}).T.to_string())

# %% [markdown] lang="en"
# In this run (the table above; mean ± std over the 3 seeds):
#
# * **SELU with LeCun initialisation** keeps the standard deviation at ≈ 1
#   (0.98 to 1.02 at layers 1, 10, 25 and 50) and the mean near 0 (0.02 ± 0.02
#   at layer 50).
# * **ReLU with Kaiming initialisation** keeps the right size *on average*
#   (Kaiming makes the variance map of a ReLU layer the identity), but nothing
#   pulls a layer back when it strays: the std wanders from seed to seed
#   (0.91 ± 0.53 at layer 50), and the mean is positive (0.61 ± 0.40), since
#   ReLU outputs are never negative.
# * **tanh with Xavier initialisation** shrinks layer after layer, from a std
#   of 0.69 at layer 1 to 0.10 at layer 50: Xavier's variance $1/n_\text{in}$
#   (for a square layer) suits the identity, and tanh is flatter than the
#   identity everywhere but at 0.

# %% [markdown] lang="zh"
# 本次运行的结果（见上表；均值 ± 标准差是对 3 个种子而言）：
#
# * **LeCun 初始化的 SELU** 把标准差保持在约 1（第 1、10、25、50 层为 0.98 到 1.02），均值保持在 0 附近（第 50 层为 0.02 ± 0.02）。
# * **Kaiming 初始化的 ReLU** *平均而言*保持了正确的尺度（Kaiming 初始化让 ReLU 层的方差映射成为恒等映射），但一旦某一层偏离，没有任何力量把它拉回来：标准差随种子而漂移（第 50 层为 0.91 ± 0.53），均值为正（0.61 ± 0.40），因为 ReLU 的输出从不为负。
# * **Xavier 初始化的 tanh** 逐层缩小，标准差从第 1 层的 0.69 降到第 50 层的 0.10：Xavier 的方差 $1/n_\text{in}$（对方形的层而言）适合恒等函数，而 tanh 除了在 0 处之外处处比恒等函数平缓。

# %% [markdown] lang="en"
# ## 3. Where self-normalisation breaks
#
# The same 50-layer SELU stack, changing one thing at a time (three seeds
# each; "mean ± std" over the seeds):
#
# * the **weights**: LeCun uniform (the same variance $1/n_\text{in}$, not
#   Gaussian), `nn.Linear`'s default (Kaiming uniform with $a = \sqrt 5$,
#   variance $1/(3n_\text{in})$, random biases), PyTorch's own SELU gain
#   (`kaiming_normal_(w, nonlinearity="selu")`, std $\tfrac34/\sqrt{n_\text{in}}$),
#   and twice the LeCun standard deviation;
# * the **inputs**: raw pixels in $[0, 1]$ (what `ToTensor` gives) and in
#   $[0, 255]$, instead of standardised ones;
# * **dropout** with $p = 0.1$ after every SELU, in training mode:
#   `nn.Dropout` against `nn.AlphaDropout`;
# * the **width**: 16 and 4 units per layer instead of 128.
#
# The last column is the smallest and largest std of any layer from 10 to 50,
# over all three seeds.

# %% [markdown] lang="zh"
# ## 3. 自归一化在哪里失效
#
# 仍是这个 50 层的 SELU 网络，每次只改变一处（每种情形 3 个种子，“均值 ± 标准差”是对种子而言）：
#
# * **权重**：LeCun 均匀分布（方差同为 $1/n_\text{in}$，但不是高斯分布）、`nn.Linear` 的默认初始化（$a = \sqrt 5$ 的 Kaiming 均匀分布，方差 $1/(3n_\text{in})$，偏置也是随机的）、PyTorch 为 SELU 给出的增益（`kaiming_normal_(w, nonlinearity="selu")`，标准差 $\tfrac34/\sqrt{n_\text{in}}$），以及 LeCun 标准差的两倍；
# * **输入**：取值在 $[0, 1]$（`ToTensor` 给出的就是这样）和 $[0, 255]$ 的原始像素，而不是标准化后的输入；
# * **暂退法（dropout）**：在每个 SELU 之后加 $p = 0.1$ 的 dropout，处于训练模式：`nn.Dropout` 对比 `nn.AlphaDropout`；
# * **宽度**：每层 16 个和 4 个单元，而不是 128 个。
#
# 最后一列是第 10 到 50 层中（三个种子合在一起）标准差的最小值和最大值。

# %%
raw_pixels = probe.cpu() * data.std + data.mean  # back to x / 255: pixels in [0, 1]
cases = {
    "reference: LeCun normal": {},
    "LeCun uniform (not Gaussian)": dict(init="LeCun uniform"),
    "nn.Linear default init": dict(init="nn.Linear default"),
    "kaiming_normal_(selu): gain 3/4": dict(init="kaiming_normal_(selu), gain 3/4"),
    "2 × LeCun std": dict(init="2 × LeCun"),
    "inputs in [0, 1]": dict(x=raw_pixels.to(device)),
    "inputs in [0, 255]": dict(x=(raw_pixels * 255).to(device)),
    "Dropout(0.1) after each SELU": dict(dropout=nn.Dropout(0.1)),
    "AlphaDropout(0.1) after each SELU": dict(dropout=nn.AlphaDropout(0.1)),
    "width 16": dict(width=16),
    "width 4": dict(width=4),
}
break_stats = {name: layer_stats(**kwargs) for name, kwargs in cases.items()}
rows = {}
for name, frame in break_stats.items():
    deep = frame[frame.index >= 10]  # layers 10 to 50, every seed
    rows[name] = {**at_layers(frame, "mean", (50,)), **at_layers(frame, "std", (1, 10, 50)),
                  "std range, layers 10-50": f"{deep['std'].min():.3g} – {deep['std'].max():.3g}"}
with pd.option_context("display.width", 200, "display.max_columns", None):
    print(pd.DataFrame(rows).T.to_string())

# %%
shown = ["reference: LeCun normal", "nn.Linear default init", "2 × LeCun std", "inputs in [0, 255]",
         "Dropout(0.1) after each SELU", "width 4"]
fig, ax = plt.subplots(figsize=(7, 4))
for name in shown:
    one = break_stats[name].query("seed == 0")
    ax.plot(one.index, one["std"], label=name)
ax.axhline(1, color="grey", lw=0.8)
ax.set_yscale("log")
ax.set_ylim(0.05, 200)  # "2 × LeCun" leaves the plot at the top; the table above has its values
ax.set_xlabel("layer")
ax.set_ylabel("std of the SELU outputs (log)")
ax.set_title("SELU stacks that leave N(0, 1), seed 0")
ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# What the table shows (this run, 3 seeds):
#
# * **The shape of the weight distribution does not matter, its scale does.**
#   LeCun uniform behaves like LeCun normal (std 1.01 ± 0.05 at layer 50).
#   `nn.Linear`'s default drops the std to 0.64 at layer 1 and ≈ 0.12 by layer
#   10, where it stays: a new, much smaller fixed point. PyTorch's SELU gain
#   3/4 gives 0.31 at layer 10 and 0.18 at layer 50, still falling. Twice the
#   LeCun std makes the activations explode (≈ 60 at layer 10, of order
#   $10^8$ at layer 50, off the top of the figure): the fixed point attracts
#   only when the weights have the right scale.
# * **Unstandardised inputs are repaired, slowly.** Pixels in $[0, 1]$: std
#   0.52 at layer 1, 0.88 at layer 10, 0.97 at layer 50. Pixels in $[0, 255]$:
#   73 at layer 1, 5.1 at layer 10, ≈ 1 only by layer 50. The first layers of a
#   real network would see inputs far from $\mathcal N(0, 1)$.
# * **`nn.Dropout` moves the fixed point; `nn.AlphaDropout` does not.** With
#   dropout $p = 0.1$ after every SELU, the std settles at ≈ 1.2 with a mean of
#   ≈ 0.05; with AlphaDropout it is 1.00 ± 0.01 with mean ≈ 0.
# * **Narrow layers lose the averaging.** The fixed-point argument treats each
#   pre-activation as a sum of many terms. Varying the width tests this: at
#   width 16 the std at layer 50 is 0.82 ± 0.10 and any layer from 10 to 50
#   lies between 0.60 and 1.31; at width 4, 0.71 ± 0.35, between 0.11 and
#   2.13, and the mean drifts (−0.24 ± 0.26 at layer 50). At width 128 the
#   same range is 0.92 to 1.06.

# %% [markdown] lang="zh"
# 上表说明（本次运行，3 个种子）：
#
# * **权重分布的形状无关紧要，尺度才重要。** LeCun 均匀分布与 LeCun 正态分布表现相同（第 50 层标准差 1.01 ± 0.05）。`nn.Linear` 的默认初始化让标准差在第 1 层降到 0.64，到第 10 层降到约 0.12 并停在那里：这是一个小得多的新不动点。PyTorch 为 SELU 给出的增益 3/4 使标准差在第 10 层为 0.31、第 50 层为 0.18，而且还在下降。LeCun 标准差的两倍则让激活值爆炸（第 10 层约 60，第 50 层达到 $10^8$ 量级，超出了图的上边界）：只有权重尺度正确时，不动点才有吸引作用。
# * **未标准化的输入会被修复，但很慢。** 取值在 $[0, 1]$ 的像素：标准差第 1 层为 0.52，第 10 层为 0.88，第 50 层为 0.97。取值在 $[0, 255]$ 的像素：第 1 层为 73，第 10 层为 5.1，要到第 50 层才回到约 1。真实网络的前几层看到的输入会远离 $\mathcal N(0, 1)$。
# * **`nn.Dropout` 会移动不动点，`nn.AlphaDropout` 不会。** 在每个 SELU 之后加 $p = 0.1$ 的 dropout，标准差稳定在约 1.2，均值约 0.05；用 AlphaDropout 时标准差为 1.00 ± 0.01，均值约为 0。
# * **层太窄就失去了平均效应。** 不动点的论证把每个预激活值看成许多项之和。改变宽度正好可以检验这一点：宽度为 16 时，第 50 层的标准差为 0.82 ± 0.10，第 10 到 50 层中任何一层都在 0.60 到 1.31 之间；宽度为 4 时为 0.71 ± 0.35，范围是 0.11 到 2.13，均值也会漂移（第 50 层为 −0.24 ± 0.26）。宽度为 128 时，同一范围是 0.92 到 1.06。

# %% [markdown] lang="en"
# ## 4. Gradients at initialisation: the deep MLP of the notes
#
# The notes' deep network: 784 inputs, 20 hidden layers of 100 units, 10
# outputs. Four versions, each at initialisation:
#
# * **ReLU** with `nn.Linear`'s default initialisation: the plain deep network
#   of the notes, written in PyTorch;
# * **ReLU + BN**: `nn.BatchNorm1d` between every linear layer and its ReLU;
# * **SELU, LeCun**: SELU with LeCun normal weights and zero biases;
# * **SELU, default init**: SELU with `nn.Linear`'s default, what one gets by
#   only swapping `nn.ReLU` for `nn.SELU`;
#
# and, to test whether ReLU or its initialisation is to blame, **ReLU,
# Kaiming** (printed, not drawn). `dlnotes.gradient_norms` runs one forward and
# backward pass of the cross-entropy on 256 training images and returns
# $\lVert\partial L/\partial W\rVert$ for every linear layer. The printed ratio
# compares layer 2 with layer 20: both have 100 inputs, so the ratio is what
# the 18 layers in between do to the gradient. For SELU the page predicts
# $\chi^{9} \approx 1.86$ from $\chi = \mathbb E[\operatorname{SELU}'(z)^2] \approx 1.07$.

# %% [markdown] lang="zh"
# ## 4. 初始化时的梯度：笔记里的深层 MLP
#
# 笔记中的深层网络：784 个输入，20 个各有 100 个单元的隐藏层，10 个输出。以下四种版本都处于初始化状态：
#
# * **ReLU**，使用 `nn.Linear` 的默认初始化：即笔记中那个普通深层网络的 PyTorch 写法；
# * **ReLU + BN**：在每个线性层和它的 ReLU 之间加上 `nn.BatchNorm1d`；
# * **SELU, LeCun**：SELU，权重用 LeCun 正态初始化，偏置为 0；
# * **SELU, default init**：SELU 配 `nn.Linear` 的默认初始化，也就是只把 `nn.ReLU` 换成 `nn.SELU` 得到的网络；
#
# 另外，为了检验该怪 ReLU 本身还是它的初始化，再加上 **ReLU, Kaiming**（只打印，不画图）。`dlnotes.gradient_norms` 在 256 张训练图片上对交叉熵做一次前向和反向传播，返回每个线性层的 $\lVert\partial L/\partial W\rVert$。打印出的比值比较的是第 2 层和第 20 层：两者都有 100 个输入，所以这个比值反映的正是中间 18 层对梯度的作用。对 SELU，页面根据 $\chi = \mathbb E[\operatorname{SELU}'(z)^2] \approx 1.07$ 预测该比值为 $\chi^{9} \approx 1.86$。

# %%
MLP_DEPTH, MLP_WIDTH = 20, 100
VARIANTS = {  # name -> (activation, initialisation, batch norm?)
    "ReLU": (nn.ReLU, "nn.Linear default", False),
    "ReLU + BN": (nn.ReLU, "nn.Linear default", True),
    "SELU, LeCun": (nn.SELU, "LeCun normal", False),
    "SELU, default init": (nn.SELU, "nn.Linear default", False),
    "ReLU, Kaiming": (nn.ReLU, "Kaiming normal", False),
}


def deep_mlp(variant: str, seed: int) -> nn.Sequential:
    """784 -> 100 (x 20 hidden layers) -> 10, as in the notes' 20-layer network."""
    activation, init, batch_norm = VARIANTS[variant]
    dlnotes.seed_everything(seed)
    layers, fan_in = [], 784
    for _ in range(MLP_DEPTH):
        layer = linear(fan_in, MLP_WIDTH, init)
        layers += [layer, nn.BatchNorm1d(MLP_WIDTH), activation()] if batch_norm else [layer, activation()]
        fan_in = MLP_WIDTH
    layers.append(nn.Linear(fan_in, 10))
    return nn.Sequential(*layers).to(device)


batch_x, batch_y = x_train[:256], y_train[:256]  # (256, 784), (256,)
init_grads = pd.concat([dlnotes.gradient_norms(deep_mlp(v, s), batch_x, batch_y).assign(variant=v, seed=s)
                        for v in VARIANTS for s in SEEDS])

fig, ax = plt.subplots(figsize=(7, 3.8))
for variant, colour in zip(VARIANTS, ("C3", "C1", "C0", "C4")):  # the first four
    one = init_grads.query("variant == @variant").groupby(level="layer")["grad_norm"]
    ax.plot(one.mean().index, one.mean(), color=colour, marker="o", ms=3, label=variant)
    ax.fill_between(one.min().index, one.min(), one.max(), color=colour, alpha=0.2)
ax.set_yscale("log")
ax.set_xlabel("layer (21 = output)")
ax.set_ylabel("‖∂L/∂W‖ (log)")
ax.set_title("Gradient norm per layer at initialisation (3 seeds)")
ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)  # below: lines fill the plot
fig.tight_layout()
plt.show()


def shrink(frame: pd.DataFrame) -> pd.Series:
    """‖∂L/∂W₂‖ / ‖∂L/∂W₂₀‖ per seed (both layers have 100 inputs): < 1, the gradient shrinks towards the input."""
    per = frame.pivot_table(index="seed", columns="layer", values="grad_norm")
    return per[2] / per[MLP_DEPTH]


print("gradient norm of layer 2 / layer 20 at initialisation (mean ± std over 3 seeds):")
for variant in VARIANTS:
    ratio = shrink(init_grads.query("variant == @variant"))
    print(f"  {variant:18s} {ratio.mean():.3g} ± {ratio.std():.2g}")

# %% [markdown] lang="en"
# In this run (3 seeds), from layer 20 to layer 2 the gradient norm
#
# * of the plain **ReLU** network with the default initialisation shrinks by a
#   factor of ≈ $3 \times 10^{-6}$: the gradient vanishes, and the first layers
#   cannot learn;
# * of **SELU with LeCun** initialisation *grows* by 1.5 ± 0.25, near (a little
#   below) the predicted $\chi^9 \approx 1.86$: neither vanishing nor
#   exploding;
# * of **ReLU + BN** grows by 28 ± 1.6: at initialisation batch normalisation
#   does not make gradients vanish, it makes them grow towards the input.
#
# The two controls test the explanations. **ReLU with Kaiming** initialisation
# gives 1.2 ± 0.45: the plain network's vanishing gradient comes from its
# initialisation, not from ReLU. **SELU with the default initialisation**
# gives 0.18 ± 0.04, and gradients about 100 times smaller than with LeCun
# (figure): swapping `nn.ReLU` for `nn.SELU` without changing the
# initialisation does not give SELU's behaviour.

# %% [markdown] lang="zh"
# 本次运行中（3 个种子），从第 20 层到第 2 层，梯度范数：
#
# * 在使用默认初始化的普通 **ReLU** 网络中缩小为原来的约 $3 \times 10^{-6}$：梯度消失了，前几层学不到东西；
# * 在 **LeCun 初始化的 SELU** 网络中反而*增大* 1.5 ± 0.25 倍，接近（略低于）预测的 $\chi^9 \approx 1.86$：既不消失，也不爆炸；
# * 在 **ReLU + BN** 网络中增大 28 ± 1.6 倍：在初始化时，批量规范化不会让梯度消失，反而让梯度朝输入方向增大。
#
# 两个对照组检验了上面的解释。**Kaiming 初始化的 ReLU** 给出 1.2 ± 0.45：普通网络的梯度消失来自它的初始化，而不是 ReLU 本身。**默认初始化的 SELU** 给出 0.18 ± 0.04，梯度也比 LeCun 初始化时小约 100 倍（见图）：只把 `nn.ReLU` 换成 `nn.SELU` 而不改初始化，得不到 SELU 应有的表现。

# %% [markdown] lang="en"
# ## 5. SELU against batch normalisation: accuracy and wall time
#
# Three of these networks are trained: ReLU (default init), ReLU + BN, and
# SELU with LeCun initialisation; the same data, optimizer and learning rate
# for all (Adam, $10^{-3}$, batch 128, 2 epochs, 3,000 training images,
# evaluated on 2,000 test images; 3 seeds). Within each seed the three
# variants take turns, one epoch each, in rotating order, so that a change in
# the load of the machine (another lesson may be running on the other core)
# hits all three alike; compare the **ratios** of times within a seed rather
# than absolute seconds.
# Besides the wall time per epoch that `fit` records, the CPU time of this
# process is measured too: it does not grow when another process takes the
# core. After training, the gradient norms are measured once more (BN in
# evaluation mode).

# %% [markdown] lang="zh"
# ## 5. SELU 与批量规范化：准确率与训练用时
#
# 其中三个网络接受训练：ReLU（默认初始化）、ReLU + BN，以及 LeCun 初始化的 SELU；数据、优化器和学习率完全相同（Adam，学习率 $10^{-3}$，批量大小 128，2 轮，3,000 张训练图片，在 2,000 张测试图片上评估；3 个种子）。在每个种子内，三种网络轮流训练，每次一轮，顺序依次轮换，这样机器负载的变化（另一个核上可能正在运行别的实验）会同样地影响三者；请比较同一种子内用时的**比值**，而不是绝对秒数。除了 `fit` 记录的每轮墙钟时间，还测量了本进程的 CPU 时间：别的进程占用 CPU 核时，它不会变长。训练结束后再测一次梯度范数（BN 处于评估模式）。

# %%
EPOCHS, BATCH, LR = 2, 128, 1e-3
TRAINED = ["ReLU", "ReLU + BN", "SELU, LeCun"]
for variant in TRAINED:  # warm-up, not timed: the first call of each kind of layer costs extra
    warm = deep_mlp(variant, 0)
    dlnotes.fit(warm, dlnotes.TensorLoader(x_train[:512], y_train[:512], batch_size=BATCH), loss=nn.CrossEntropyLoss(),
                optimizer=torch.optim.Adam(warm.parameters(), lr=LR), epochs=1, progress=False)
runs, trained_grads = [], []
test_loader = dlnotes.TensorLoader(x_test, y_test, batch_size=1000)
for seed in SEEDS:
    models = {v: deep_mlp(v, seed) for v in TRAINED}
    optimizers = {v: torch.optim.Adam(models[v].parameters(), lr=LR) for v in TRAINED}
    loaders = {v: dlnotes.TensorLoader(x_train, y_train, batch_size=BATCH, shuffle=True,
                                       generator=torch.Generator().manual_seed(seed)) for v in TRAINED}
    for epoch in range(1, EPOCHS + 1):
        # One epoch of each variant in turn, the order rotating: a change in the machine's load
        # (another process on the core) hits the three alike instead of one of them.
        shift = (seed + epoch) % len(TRAINED)
        for variant in TRAINED[shift:] + TRAINED[:shift]:
            cpu_start = time.process_time()  # CPU seconds of this process
            history = dlnotes.fit(models[variant], loaders[variant], test_loader, loss=nn.CrossEntropyLoss(),
                                  optimizer=optimizers[variant], epochs=1,  # same model, optimizer, loader:
                                  metrics={"accuracy": dlnotes.accuracy}, progress=False)  # epoch after epoch
            runs.append(history.to_frame().reset_index(drop=True).assign(
                epoch=epoch, variant=variant, seed=seed, cpu_time=time.process_time() - cpu_start))
    for variant, model in models.items():
        model.eval()  # BN: running statistics, as at test time
        trained_grads.append(dlnotes.gradient_norms(model, batch_x, batch_y).assign(variant=variant, seed=seed))
runs = pd.concat(runs, ignore_index=True).sort_values(["variant", "seed", "epoch"])
trained_grads = pd.concat(trained_grads)

# %%
per_run = runs.groupby(["variant", "seed"]).agg(
    accuracy=("val_accuracy", "last"), train_loss=("loss", "last"),
    epoch_time=("time", "mean"), epoch_cpu=("cpu_time", "mean"))
summary = per_run.groupby("variant").agg(["mean", "std"]).loc[TRAINED]
with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 200):
    print(f"{EPOCHS} epochs, Adam lr {LR}, batch {BATCH}; mean and std over {len(SEEDS)} seeds; "
          "epoch time in s, validation pass included")
    print(summary)
times = per_run["epoch_time"].unstack("variant")
ratio = times["ReLU + BN"] / times["SELU, LeCun"]
bn_cost = times["ReLU + BN"] / times["ReLU"]
selu_cost = times["SELU, LeCun"] / times["ReLU"]
cpu = per_run["epoch_cpu"].unstack("variant")
cpu_ratio = cpu["ReLU + BN"] / cpu["SELU, LeCun"]
print(f"wall time per epoch, BN / SELU, per seed: {np.round(ratio.values, 2)}; "
      f"mean {ratio.mean():.2f} ± {ratio.std():.2f}")
print(f"CPU time per epoch,  BN / SELU, per seed: {np.round(cpu_ratio.values, 2)}; "
      f"mean {cpu_ratio.mean():.2f} ± {cpu_ratio.std():.2f}")
print(f"wall time per epoch, ReLU + BN / ReLU: {bn_cost.mean():.2f} ± {bn_cost.std():.2f}; "
      f"SELU / ReLU: {selu_cost.mean():.2f} ± {selu_cost.std():.2f}")
bn_cpu, selu_cpu = cpu["ReLU + BN"] / cpu["ReLU"], cpu["SELU, LeCun"] / cpu["ReLU"]
print(f"CPU time per epoch,  ReLU + BN / ReLU: {bn_cpu.mean():.2f} ± {bn_cpu.std():.2f}; "
      f"SELU / ReLU: {selu_cpu.mean():.2f} ± {selu_cpu.std():.2f}")
print("gradient norm of layer 2 / layer 20 after training:")
for variant in TRAINED:
    r = shrink(trained_grads.query("variant == @variant"))
    print(f"  {variant:18s} {r.mean():.3g} ± {r.std():.2g}")

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for variant, colour in zip(TRAINED, ("C3", "C1", "C0")):
    for seed, one in runs.query("variant == @variant").groupby("seed"):
        ax.plot(one["time"].cumsum(), one["val_accuracy"], color=colour, marker="o", ms=4,
                label=variant if seed == SEEDS[0] else None)
ax.set_xlabel("cumulative wall time (s)")
ax.set_ylabel("test accuracy")
ax.set_title(f"20 × 100 MLP, {EPOCHS} epochs, 3 seeds (one dot per epoch)")
ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3)
fig.tight_layout()
plt.show()
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")

# %% [markdown] lang="en"
# In the runs made while writing this lesson (the cells above print the
# values of the run you are reading; on the CPU the accuracies and gradients
# repeat exactly from run to run, the times do not):
#
# * **Accuracy.** After 2 epochs, SELU reaches a test accuracy of
#   0.725 ± 0.020 and ReLU + BN 0.604 ± 0.037 (3 seeds): the gap is larger than
#   the spread. The plain ReLU network stays at chance (0.101, training loss
#   2.303 = $\ln 10$): its vanishing gradient, measured above, stops it.
# * **Wall time.** In four runs, an epoch of ReLU + BN took 1.32 to 1.58
#   times as long as an epoch of SELU (each the mean of 3 seeds; single seeds
#   ranged from 1.20 to 1.68); the CPU time of the process gave 1.30 to 1.58.
# * **Why.** The explanation "BN adds work to every layer" is tested by
#   removing BN: ReLU + BN took 1.35 to 1.79 times as long as plain ReLU
#   (1.44 and 1.45 in CPU time, two runs), and SELU 0.86 to 1.25 times (0.91
#   and 1.12). So SELU is faster per epoch because it has no normalisation
#   layers; its exponential costs little.
# * **After training**, the gradient ratio layer 2 / layer 20 is 1.0 ± 0.2 for
#   SELU, 6.0 ± 0.8 with BN, and still ≈ $3 \times 10^{-6}$ for plain ReLU.

# %% [markdown] lang="zh"
# 以下是编写本实验时几次运行的结果（上面的单元格打印的是你正在阅读的这次运行的数值；在 CPU 上，准确率和梯度每次运行都完全相同，用时则不然）：
#
# * **准确率。** 训练 2 轮后，SELU 的测试准确率为 0.725 ± 0.020，ReLU + BN 为 0.604 ± 0.037（3 个种子）：差距大于波动。普通 ReLU 网络停留在随机猜测的水平（0.101，训练损失 2.303 = $\ln 10$）：上面测得的梯度消失让它无法训练。
# * **墙钟时间。** 在四次运行中，ReLU + BN 每轮的用时是 SELU 的 1.32 到 1.58 倍（每次取 3 个种子的平均；单个种子在 1.20 到 1.68 之间）；按进程的 CPU 时间算为 1.30 到 1.58 倍。
# * **原因。** “BN 给每一层都增加了计算量”这个解释可以通过去掉 BN 来检验：ReLU + BN 的用时是普通 ReLU 的 1.35 到 1.79 倍（按 CPU 时间，两次运行分别为 1.44 和 1.45），而 SELU 是 0.86 到 1.25 倍（0.91 和 1.12）。所以 SELU 每轮更快，是因为它没有规范化层；指数运算的开销很小。
# * **训练之后**，第 2 层与第 20 层梯度范数之比，SELU 为 1.0 ± 0.2，BN 为 6.0 ± 0.8，普通 ReLU 仍约为 $3 \times 10^{-6}$。

# %% [markdown] lang="en" claim="C6" verdict="holds" statement="SELU mitigates vanishing gradients and trains faster in wall time than batch normalisation."
# !!! note "Verdict on claim C6"
#     **Holds, on the CPU and with LeCun initialisation.** Measured in the
#     lesson on the notes' 20-layer MLP (784-100×20-10), Fashion-MNIST (3,000
#     training and 2,000 test images), Adam at $10^{-3}$, 2 epochs, 3 seeds,
#     one CPU thread:
#
#     * *Vanishing gradients:* at initialisation the gradient norm changes by a
#       factor of ≈ $3 \times 10^{-6}$ from layer 20 to layer 2 in the plain
#       ReLU network with PyTorch's default initialisation, and by 1.5 ± 0.25
#       with SELU and LeCun initialisation; the ReLU network stays at chance
#       accuracy (0.101) while SELU learns. The cure is SELU *with* its
#       initialisation: SELU on the default initialisation still shrinks the
#       gradient (0.18 ± 0.04), and ReLU with Kaiming initialisation does not
#       vanish either (1.2 ± 0.45). With BN the gradient grows towards the
#       input (28 ± 1.6 at initialisation).
#     * *Faster than BN:* an epoch with BN took 1.32 to 1.58 times as long as
#       one with SELU (four runs, each the mean of 3 seeds; single seeds 1.20
#       to 1.68), which is the cost of the BN layers (ReLU + BN against plain
#       ReLU: 1.35 to 1.79). After the same 2 epochs SELU was also more
#       accurate (0.725 ± 0.020 against 0.604 ± 0.037).
#
#     Confounds and limits: one learning rate for all (BN often allows a
#     larger one); only 2 epochs, so whether BN catches up later was not
#     measured; times are from a shared 2-core CPU with one thread, and the
#     ratio on a GPU was not measured.

# %% [markdown] lang="zh" claim="C6" verdict="holds" statement="SELU 可以缓解梯度消失，而且从训练时间上看比批量规范化要快一些。"
# !!! note "论断 C6 的结论"
#     **成立，但仅限于 CPU 上、且使用 LeCun 初始化时。** 实验在笔记中的 20 层 MLP（784-100×20-10）上测量，使用 Fashion-MNIST（3,000 张训练图片、2,000 张测试图片），Adam，学习率 $10^{-3}$，训练 2 轮，3 个种子，CPU 单线程：
#
#     * *梯度消失*：在初始化时，从第 20 层到第 2 层，使用 PyTorch 默认初始化的普通 ReLU 网络的梯度范数变为原来的约 $3 \times 10^{-6}$，而 LeCun 初始化的 SELU 网络为 1.5 ± 0.25 倍；ReLU 网络的准确率停留在随机水平（0.101），SELU 则能学习。起作用的是 SELU *加上*它的初始化：默认初始化的 SELU 仍然让梯度缩小（0.18 ± 0.04），而 Kaiming 初始化的 ReLU 也没有梯度消失（1.2 ± 0.45）。使用 BN 时，梯度朝输入方向增大（初始化时为 28 ± 1.6 倍）。
#     * *比 BN 快*：使用 BN 时每轮的用时是 SELU 的 1.32 到 1.58 倍（四次运行，每次取 3 个种子的平均；单个种子在 1.20 到 1.68 之间），多出的正是 BN 层的开销（ReLU + BN 与普通 ReLU 之比：1.35 到 1.79）。同样训练 2 轮后，SELU 的准确率也更高（0.725 ± 0.020，BN 为 0.604 ± 0.037）。
#
#     混杂因素与局限：所有网络用同一个学习率（BN 通常可以用更大的学习率）；只训练了 2 轮，BN 之后能否追上没有测量；用时来自一台共享的双核 CPU、单线程，GPU 上的比值没有测量。
