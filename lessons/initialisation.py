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
# # Weight initialisation in a deep network
#
# The CS231n-style notes say (claim **C13** of the syllabus): *if the initial
# weights are too small the network collapses and updates slowly; if they are
# too large the units saturate; Xavier initialisation fixes both.* This
# lesson repeats the classic CS231n experiment on real data. A batch of
# Fashion-MNIST test images goes through a 10-layer MLP (10 hidden layers of
# width 500, then a 10-way output layer) whose weights are drawn in different
# ways; at initialisation, before any training, we look at
#
# 1. the activations of every hidden layer: mean, standard deviation, share of
#    saturated tanh units ($|a| > 0.99$), share of exact zeros;
# 2. the gradient of the cross-entropy loss with respect to every weight
#    matrix, after one backward pass.
#
# The weights come from $\mathcal N(0, 0.01^2)$ (too small), Xavier/Glorot
# uniform, Kaiming (He) normal, and $\mathcal N(0, 1)$ (too large); all biases
# are 0. The formulas behind Xavier and Kaiming are on the page
# *Building networks and initialisation* of this site.

# %% [markdown] lang="zh"
# # 深层网络中的权重初始化
#
# CS231n 风格的笔记称（大纲中的论断 **C13**）：*初始权重过小时网络会“崩溃”、更新缓慢；过大时神经元会饱和；使用 Xavier 初始化可以解决这两个问题。* 本实验在真实数据上重做 CS231n 的经典实验：把一批 Fashion-MNIST 测试图片送进一个 10 层的 MLP（10 个宽度为 500 的隐藏层，再接一个 10 类输出层），权重用不同的方式抽取；在初始化之后、训练之前，我们观察
#
# 1. 每个隐藏层的激活值：均值、标准差、饱和的 tanh 单元所占比例（$|a| > 0.99$）、恰好为 0 的比例；
# 2. 一次反向传播之后，交叉熵损失对每个权重矩阵的梯度。
#
# 权重分别取自 $\mathcal N(0, 0.01^2)$（过小）、Xavier/Glorot 均匀分布、Kaiming（He）正态分布以及 $\mathcal N(0, 1)$（过大）；所有偏置都为 0。Xavier 和 Kaiming 的公式见本站页面《搭建网络与初始化》。

# %%
import math
import time

import matplotlib.pyplot as plt
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

import dlnotes
from dlnotes.inspect import activation_statistics

start_time = time.perf_counter()
device = dlnotes.device()
data = dlnotes.fashion_mnist(normalize="standard", flatten=True)
x = data.x_test[:500].to(device)  # (500, 784), standardised with the training set's mean and std
y = data.y_test[:500].to(device)  # (500,)
print("running on", dlnotes.device_name(device))
print(f"input batch {tuple(x.shape)}: mean {x.mean():.3f}, std {x.std():.3f}")

# %% [markdown] lang="en"
# ## The network and the initialisations
#
# Each hidden layer is `Linear` followed by the activation. The
# initialisations, for a weight matrix with $n_\text{in}$ inputs and
# $n_\text{out}$ outputs:
#
# | name | distribution | std for $500 \to 500$ |
# |---|---|---|
# | $\mathcal N(0, 0.01^2)$ | normal, std 0.01 | 0.01 |
# | Xavier | $U(-\ell, \ell)$, $\ell = \sqrt{6/(n_\text{in}+n_\text{out})}$ | $\sqrt{2/1000} \approx 0.045$ |
# | Xavier, gain 5/3 | the same, $\ell$ times $5/3$ (PyTorch's recommended gain for tanh) | 0.075 |
# | Kaiming | $\mathcal N(0, 2/n_\text{in})$ | $\sqrt{2/500} \approx 0.063$ |
# | $\mathcal N(0, 1)$ | normal, std 1 | 1 |
#
# Xavier is designed for tanh-like activations, Kaiming for ReLU; each
# network also gets the other's "natural" scheme where it tells us something.

# %% [markdown] lang="zh"
# ## 网络与初始化方式
#
# 每个隐藏层是 `Linear` 后接激活函数。对于有 $n_\text{in}$ 个输入、$n_\text{out}$ 个输出的权重矩阵，各种初始化方式如下：
#
# | 名称 | 分布 | $500 \to 500$ 时的标准差 |
# |---|---|---|
# | $\mathcal N(0, 0.01^2)$ | 正态分布，标准差 0.01 | 0.01 |
# | Xavier | $U(-\ell, \ell)$，$\ell = \sqrt{6/(n_\text{in}+n_\text{out})}$ | $\sqrt{2/1000} \approx 0.045$ |
# | Xavier，增益 5/3 | 同上，$\ell$ 乘以 $5/3$（PyTorch 为 tanh 推荐的增益） | 0.075 |
# | Kaiming | $\mathcal N(0, 2/n_\text{in})$ | $\sqrt{2/500} \approx 0.063$ |
# | $\mathcal N(0, 1)$ | 正态分布，标准差 1 | 1 |
#
# Xavier 是为 tanh 这类激活函数设计的，Kaiming 是为 ReLU 设计的；凡是有参考意义的地方，我们也让每个网络试一试另一种方案。

# %%
DEPTH, WIDTH = 10, 500
INITS = {
    "N(0, 0.01²)": lambda w: nn.init.normal_(w, std=0.01),
    "Xavier": nn.init.xavier_uniform_,
    "Xavier, gain 5/3": lambda w: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain("tanh")),
    "Kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "N(0, 1)": lambda w: nn.init.normal_(w, std=1.0),
}
EXPERIMENTS = {  # activation -> the initialisations we try with it
    "tanh": (nn.Tanh, ["N(0, 0.01²)", "Xavier", "Xavier, gain 5/3", "N(0, 1)"]),
    "relu": (nn.ReLU, ["N(0, 0.01²)", "Xavier", "Kaiming", "N(0, 1)"]),
}


def deep_mlp(activation: type[nn.Module], init, seed: int = 0) -> nn.Sequential:
    """784 -> 500 (x DEPTH hidden layers) -> 10, weights drawn by ``init``, biases 0."""
    torch.manual_seed(seed)
    layers, fan_in = [], 784
    for _ in range(DEPTH):
        layers += [nn.Linear(fan_in, WIDTH), activation()]
        fan_in = WIDTH
    layers.append(nn.Linear(WIDTH, 10))  # logits for the cross-entropy
    model = nn.Sequential(*layers)
    for layer in model:
        if isinstance(layer, nn.Linear):
            init(layer.weight)
            nn.init.zeros_(layer.bias)
    return model.to(device)


def weight_gradient_norms(model: nn.Sequential) -> list[float]:
    """‖∂L/∂W‖ of every Linear layer after one backward pass of the cross-entropy on (x, y)."""
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return [layer.weight.grad.norm().item() for layer in model if isinstance(layer, nn.Linear)]


stats, grads, models = {}, {}, {}
for act_name, (activation, init_names) in EXPERIMENTS.items():
    for init_name in init_names:
        model = deep_mlp(activation, INITS[init_name])
        models[act_name, init_name] = model
        stats[act_name, init_name] = activation_statistics(model, x)  # one row per hidden layer
        grads[act_name, init_name] = weight_gradient_norms(model)
stats["tanh", "Xavier"].round(4)

# %% [markdown] lang="en"
# The table above is what `activation_statistics` returns for the tanh
# network with Xavier initialisation: one row per hidden layer. The next
# table puts the numbers that matter side by side for every network: the
# standard deviation of the activations at layers 1, 5 and 10, the share of
# saturated units (tanh) or exact zeros (ReLU) at layer 10, and the norm of the
# gradient of the first and last hidden layers' weights.

# %% [markdown] lang="zh"
# 上表是 `activation_statistics` 对使用 Xavier 初始化的 tanh 网络给出的结果：每个隐藏层一行。下表把每个网络的关键数字并排列出：第 1、5、10 层激活值的标准差，第 10 层饱和单元（tanh）或恰好为 0 的输出（ReLU）所占比例，以及第一个和最后一个隐藏层权重梯度的范数。

# %%
rows = []
for (act_name, init_name), frame in stats.items():
    g = grads[act_name, init_name]
    rows.append({
        "activation": act_name, "init": init_name,
        "std layer 1": frame.loc[1, "std"], "std layer 5": frame.loc[5, "std"], "std layer 10": frame.loc[10, "std"],
        "saturated layer 10": frame.loc[10, "saturated_fraction"], "zeros layer 10": frame.loc[10, "zero_fraction"],
        "‖grad W1‖": g[0], "‖grad W10‖": g[DEPTH - 1],
    })
summary = pd.DataFrame(rows).set_index(["activation", "init"])
with pd.option_context("display.float_format", "{:.3g}".format, "display.width", 200, "display.max_columns", None):
    print(summary)

# %% [markdown] lang="en"
# ## How the spread of the activations evolves with depth
#
# The standard deviation of each hidden layer's activations, on a log scale.
# A flat line means the signal keeps its size from layer to layer.

# %% [markdown] lang="zh"
# ## 激活值的离散程度如何随深度变化
#
# 每个隐藏层激活值的标准差（对数坐标）。曲线平坦，说明信号在逐层传递时保持了大小。

# %%
layers = range(1, DEPTH + 1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, (act_name, (_, init_names)) in zip(axes, EXPERIMENTS.items()):
    for init_name in init_names:
        ax.plot(layers, stats[act_name, init_name]["std"], marker="o", label=init_name)
    ax.set_yscale("log")
    ax.set_xticks(list(layers))
    ax.set_xlabel("hidden layer")
    ax.set_title(f"{act_name}: std of the activations")
    ax.legend(fontsize=8)
axes[0].set_ylabel("std (log scale)")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Histograms of the tanh activations
#
# As in CS231n: the distribution of all 500 × 500 activations at hidden
# layers 1, 5 and 10, one row per initialisation. Note the x-axes: with
# $\mathcal N(0, 0.01^2)$ they shrink towards 0 layer after layer.

# %% [markdown] lang="zh"
# ## tanh 激活值的直方图
#
# 与 CS231n 一样：第 1、5、10 个隐藏层上全部 500 × 500 个激活值的分布，每一行对应一种初始化。请注意横轴：使用 $\mathcal N(0, 0.01^2)$ 时，横轴范围一层比一层更接近 0。


# %%
def hidden_activations(model: nn.Sequential) -> list[torch.Tensor]:
    """The output of every activation layer, in order."""
    outputs, h = [], x
    with torch.no_grad():
        for layer in model:
            h = layer(h)
            if not isinstance(layer, nn.Linear):
                outputs.append(h.flatten().cpu())  # (500 * 500,)
    return outputs


SHOWN = (1, 5, 10)
tanh_inits = ["N(0, 0.01²)", "Xavier", "N(0, 1)"]
fig, axes = plt.subplots(len(tanh_inits), len(SHOWN), figsize=(10, 7))
for row, init_name in enumerate(tanh_inits):
    acts = hidden_activations(models["tanh", init_name])
    for col, layer in enumerate(SHOWN):
        ax = axes[row, col]
        ax.hist(acts[layer - 1].numpy(), bins=60, color=f"C{row}")
        ax.set_yticks([])
        ax.set_title(f"{init_name}, layer {layer}", fontsize=9)
        ax.ticklabel_format(axis="x", style="sci", scilimits=(-2, 2))
fig.suptitle("tanh activations at initialisation")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Gradients at initialisation
#
# One backward pass of the cross-entropy loss; the norm of the gradient of
# each weight matrix (layers 1–10 are the hidden layers, 11 the output
# layer). An SGD step changes each weight matrix in proportion to this norm.

# %% [markdown] lang="zh"
# ## 初始化时的梯度
#
# 对交叉熵损失做一次反向传播，画出每个权重矩阵梯度的范数（第 1–10 层是隐藏层，第 11 层是输出层）。一步 SGD 对每个权重矩阵的改变量与这个范数成正比。

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
for ax, (act_name, (_, init_names)) in zip(axes, EXPERIMENTS.items()):
    for init_name in init_names:
        ax.plot(range(1, DEPTH + 2), grads[act_name, init_name], marker="o", label=init_name)
    ax.set_yscale("log")
    ax.set_xticks(list(range(1, DEPTH + 2)))
    ax.set_xlabel("layer (11 = output)")
    ax.set_title(f"{act_name}: gradient norm of each weight matrix")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # below: the lines fill the plot
axes[0].set_ylabel("‖∂L/∂W‖ (log scale)")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Why the curves look the way they do
#
# With zero biases, a layer computes $z = W a$. If the $n_\text{in}$ inputs
# have mean square $\mathbb E[a^2]$ and the weights are independent with mean
# 0 and variance $\sigma_w^2$, then
# $\operatorname{Var}(z) = n_\text{in}\,\sigma_w^2\,\mathbb E[a^2]$. Each layer
# multiplies the spread by roughly $\sqrt{n_\text{in}}\,\sigma_w$ (times what
# the activation does to it):
#
# * $\mathcal N(0, 0.01^2)$: $\sqrt{500} \cdot 0.01 \approx 0.22$ per layer, and
#   tanh is the identity near 0, so after 10 layers the spread is about
#   $0.22^{9}$ times that of layer 1. For ReLU, which also halves
#   $\mathbb E[a^2]$, the factor is $0.22/\sqrt 2 \approx 0.16$.
# * $\mathcal N(0, 1)$: $\sqrt{500} \approx 22$ per layer. Tanh clips this to
#   $\pm 1$, so almost every unit sits in the flat part of the curve; ReLU has
#   no ceiling and the activations grow by about $22/\sqrt 2 \approx 16$ per layer.
# * Xavier with $n_\text{in} = n_\text{out}$ gives $\sigma_w^2 = 1/n_\text{in}$, a
#   factor 1 for a linear unit; tanh shrinks its input a little, so the spread
#   decays slowly; gain 5/3 compensates. With ReLU the factor is $1/\sqrt 2$
#   per layer, the loss of half the variance that Kaiming's
#   $\sigma_w^2 = 2/n_\text{in}$ puts back.
#
# The gradient of a weight matrix is $\partial L/\partial W_l = \delta_l\,a_{l-1}^\top$:
# the backward signal $\delta_l$ times the forward activation. With tiny
# weights *both* shrink, $a_{l-1}$ going forwards and $\delta_l$ going
# backwards, so every layer's gradient is tiny, not just the first one's.
# Below, the measured shrink factor per layer against these estimates.

# %% [markdown] lang="zh"
# ## 曲线为什么是这个样子
#
# 偏置为 0 时，一层计算的是 $z = W a$。如果 $n_\text{in}$ 个输入的均方值为 $\mathbb E[a^2]$，权重相互独立、均值为 0、方差为 $\sigma_w^2$，那么 $\operatorname{Var}(z) = n_\text{in}\,\sigma_w^2\,\mathbb E[a^2]$。每经过一层，离散程度大约乘以 $\sqrt{n_\text{in}}\,\sigma_w$（再乘上激活函数带来的变化）：
#
# * $\mathcal N(0, 0.01^2)$：每层乘以 $\sqrt{500} \cdot 0.01 \approx 0.22$，而 tanh 在 0 附近近似恒等，所以 10 层之后的离散程度约为第 1 层的 $0.22^{9}$ 倍。ReLU 还会把 $\mathbb E[a^2]$ 减半，因此每层的因子是 $0.22/\sqrt 2 \approx 0.16$。
# * $\mathcal N(0, 1)$：每层乘以 $\sqrt{500} \approx 22$。tanh 把结果截断在 $\pm 1$ 之内，几乎所有单元都落在曲线平坦的部分；ReLU 没有上限，激活值每层增大约 $22/\sqrt 2 \approx 16$ 倍。
# * Xavier 在 $n_\text{in} = n_\text{out}$ 时给出 $\sigma_w^2 = 1/n_\text{in}$，对线性单元而言因子为 1；tanh 会把输入略微压缩，所以离散程度缓慢下降，增益 5/3 正好弥补这一点。对 ReLU 来说每层的因子是 $1/\sqrt 2$，即丢掉了一半的方差，Kaiming 的 $\sigma_w^2 = 2/n_\text{in}$ 正是把这一半补了回来。
#
# 权重矩阵的梯度是 $\partial L/\partial W_l = \delta_l\,a_{l-1}^\top$：反向信号 $\delta_l$ 乘以前向激活值。权重很小时，两者*都*会缩小：$a_{l-1}$ 在前向传播中缩小，$\delta_l$ 在反向传播中缩小，因此每一层的梯度都很小，而不只是第一层。下面把实测的每层缩小因子与上述估计做比较。

# %%
for act_name, init_name, predicted in [("tanh", "N(0, 0.01²)", math.sqrt(500) * 0.01),
                                       ("relu", "N(0, 0.01²)", math.sqrt(500) * 0.01 / math.sqrt(2)),
                                       ("relu", "Xavier", 1 / math.sqrt(2)),
                                       ("relu", "N(0, 1)", math.sqrt(500) / math.sqrt(2))]:
    s = stats[act_name, init_name]["std"]
    measured = (s[DEPTH] / s[1]) ** (1 / (DEPTH - 1))  # geometric mean of the per-layer factor
    print(f"{act_name:4s} {init_name:12s} std factor per layer: measured {measured:.3f}, predicted {predicted:.3f}")
tanh_large = stats["tanh", "N(0, 1)"]
print(f"tanh N(0, 1): saturated share per layer {tanh_large['saturated_fraction'].min():.3f}"
      f"-{tanh_large['saturated_fraction'].max():.3f}; "
      f"‖grad W1‖ / ‖grad W10‖ = {grads['tanh', 'N(0, 1)'][0] / grads['tanh', 'N(0, 1)'][DEPTH - 1]:.3g}")

# %% [markdown] lang="en"
# ## Are these numbers an accident of one draw?
#
# The same measurement, the std of the activations at layer 10, for three
# seeds of the weights (min and max over the seeds).

# %% [markdown] lang="zh"
# ## 这些数字是不是某一次抽样的偶然结果？
#
# 对权重换三个随机种子，重复测量第 10 层激活值的标准差（给出各种子中的最小值和最大值）。

# %%
spread = []
for act_name, (activation, init_names) in EXPERIMENTS.items():
    for init_name in init_names:
        values = [stats[act_name, init_name].loc[DEPTH, "std"]]  # seed 0, measured above
        values += [activation_statistics(deep_mlp(activation, INITS[init_name], seed), x).loc[DEPTH, "std"]
                   for seed in (1, 2)]
        spread.append({"activation": act_name, "init": init_name, "std layer 10, min": min(values),
                       "max": max(values)})
with pd.option_context("display.float_format", "{:.3g}".format):
    print(pd.DataFrame(spread).set_index(["activation", "init"]))
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")

# %% [markdown] lang="en" claim="C13" verdict="partly holds" statement="If the initial weights are too small the network collapses and updates slowly; if they are too large the units saturate; Xavier initialisation fixes both."
# !!! note "Verdict on claim C13"
#     **Holds for tanh; for ReLU, Xavier is not enough.** At initialisation, on 500 real test images (numbers from the
#     CPU run, rounded; other seeds change them by a few per cent at most):
#
#     * **Too small, $\mathcal N(0, 0.01^2)$:** the activations collapse
#       geometrically, by ≈ 0.22 per layer with tanh and ≈ 0.16 with ReLU, to a
#       std of about $4 \times 10^{-7}$ (tanh) and $10^{-8}$ (ReLU) at layer 10.
#       Every weight gradient is tiny (≈ $10^{-6}$ for tanh against ≈ 1 with
#       Xavier), so, as the notes say, learning barely moves.
#     * **Too large, $\mathcal N(0, 1)$:** with tanh about 90 % of the units
#       of every layer are saturated ($|a| > 0.99$), so the activations are
#       essentially ±1. The notes call this "gradient saturation"; the gradient
#       through a saturated unit is indeed almost 0, but the few unsaturated
#       units carry large gradients, and the weight gradient norm *grows*
#       towards the input, by a factor of about $10^5$ from layer 10 (≈ 4) to
#       layer 1 (≈ $4 \times 10^5$): exploding, not vanishing. With ReLU nothing saturates; the
#       activations explode instead, to a std of ≈ $10^{12}$ at layer 10.
#     * **Xavier keeps tanh alive:** std ≈ 0.64 at layer 1 and ≈ 0.22 at
#       layer 10, no saturation, gradients of order 1 in every layer; with
#       PyTorch's tanh gain 5/3 the std stays flat at ≈ 0.65.
#     * **Xavier does not keep ReLU alive:** the std still halves every two
#       layers (factor ≈ $1/\sqrt 2$), from ≈ 0.64 to ≈ 0.03 at layer 10;
#       Kaiming ($\sigma_w^2 = 2/n_\text{in}$) keeps it between ≈ 0.8 and 1. The
#       right scale depends on the activation: Xavier for tanh, Kaiming for
#       ReLU.

# %% [markdown] lang="zh" claim="C13" verdict="partly holds" statement="初始权重过小时网络会“崩溃”、更新缓慢；过大时神经元会饱和；使用 Xavier 初始化可以解决这两个问题。"
# !!! note "论断 C13 的结论"
#     **对 tanh 成立；对 ReLU 而言，仅靠 Xavier 不够。** 以下是在初始化时、用 500 张真实测试图片测得的数字（取自 CPU 上的运行，已四舍五入；换用其他种子，这些数字的变化至多为百分之几）：
#
#     * **过小，$\mathcal N(0, 0.01^2)$：** 激活值按几何级数坍缩，tanh 每层约乘以 0.22，ReLU 约乘以 0.16，到第 10 层标准差只剩约 $4 \times 10^{-7}$（tanh）和 $10^{-8}$（ReLU）。所有权重梯度都极小（tanh 约为 $10^{-6}$，而 Xavier 约为 1），正如笔记所说，学习几乎停滞。
#     * **过大，$\mathcal N(0, 1)$：** 使用 tanh 时，每一层约 90% 的单元处于饱和状态（$|a| > 0.99$），激活值基本就是 ±1。笔记称之为“梯度饱和”：经过饱和单元的梯度确实几乎为 0，但少数未饱和的单元携带很大的梯度，权重梯度的范数反而*朝输入方向增大*，从第 10 层的约 4 增长到第 1 层的约 $4 \times 10^5$，相差约 $10^5$ 倍：这是梯度爆炸，而不是梯度消失。使用 ReLU 时不存在饱和，激活值反而爆炸，第 10 层的标准差约为 $10^{12}$。
#     * **Xavier 让 tanh 网络保持活跃：** 第 1 层标准差约 0.64，第 10 层约 0.22，没有饱和，每一层的梯度都在 1 的量级；使用 PyTorch 为 tanh 推荐的增益 5/3 时，标准差稳定在约 0.65。
#     * **Xavier 不能让 ReLU 网络保持活跃：** 标准差仍然每两层减半（每层因子约 $1/\sqrt 2$），从约 0.64 降到第 10 层的约 0.03；Kaiming（$\sigma_w^2 = 2/n_\text{in}$）则让它保持在约 0.8 到 1 之间。合适的尺度取决于激活函数：tanh 用 Xavier，ReLU 用 Kaiming。
