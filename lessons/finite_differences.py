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
# # Finite differences: truncation vs round-off
#
# A finite difference replaces the derivative's limit by a small step $h$.
# Two errors compete: the **truncation error** of the formula, which shrinks
# like $h$ (forward difference) or $h^2$ (central difference), and the
# **round-off error** of subtracting two nearly equal floating-point numbers,
# which grows like $\varepsilon / h$ ($\varepsilon$: the machine epsilon of the
# dtype). This lesson draws both on a log-log plot, in float64 and float32,
# and then measures what they mean for a gradient check of a small network.
# The page *Numerical vs automatic differentiation* of this site has the
# derivation and the exact numbers as tested snippets.

# %% [markdown] lang="zh"
# # 有限差分：截断误差与舍入误差
#
# 有限差分用一个小步长 $h$ 代替求导中的极限。两种误差相互竞争：一是公式本身的**截断误差**，随 $h$（前向差分）或 $h^2$（中心差分）减小；二是两个几乎相等的浮点数相减带来的**舍入误差**，随 $\varepsilon / h$ 增大（$\varepsilon$ 是该数据类型的机器精度）。本实验在双对数坐标上画出 float64 和 float32 下的这两种误差，再测量它们对一个小网络做梯度检验时意味着什么。推导过程和以测试代码形式给出的精确数值见本站页面《数值微分与自动微分》。

# %%
import math
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch import nn

from dlnotes.plots import plot_curves
from dlnotes.scratch.numerical import gradient_check

start_time = time.perf_counter()

# %% [markdown] lang="en"
# ## 1. The error of $\frac{d}{dx}\sin x$ at $x = 1$ against the step
#
# Steps from $10^{-1}$ down to $10^{-14}$, four per decade. The exact value is
# $\cos 1$, computed in float64 by Python's `math`.

# %% [markdown] lang="zh"
# ## 1. $\frac{d}{dx}\sin x$ 在 $x = 1$ 处的误差与步长的关系
#
# 步长从 $10^{-1}$ 取到 $10^{-14}$，每个数量级取四个点。精确值 $\cos 1$ 由 Python 的 `math` 以 float64 计算。

# %%
steps = 10.0 ** -np.arange(1, 14.01, 0.25)  # (53,)
exact = math.cos(1.0)


def difference(x, h, method):
    if method == "forward":
        return (torch.sin(x + h) - torch.sin(x)) / h
    return (torch.sin(x + h) - torch.sin(x - h)) / (2 * h)


errors = {}
for dtype in (torch.float64, torch.float32):
    x = torch.tensor(1.0, dtype=dtype)
    for method in ("forward", "central"):
        errors[f"{str(dtype)[6:]} {method}"] = np.array(
            [abs(difference(x, h, method).item() - exact) for h in steps])

best = pd.DataFrame({key: {"best h": steps[e.argmin()], "smallest error": e.min()} for key, e in errors.items()}).T
print(best.to_string(float_format=lambda v: f"{v:.1e}"))
for dtype in (torch.float64, torch.float32):
    eps = torch.finfo(dtype).eps
    print(f"{str(dtype)[6:]}: machine epsilon {eps:.1e}; theory: forward best near sqrt(eps) = {eps ** 0.5:.0e}, "
          f"central near eps^(1/3) = {eps ** (1 / 3):.0e}")

# %%
fig, ax = plt.subplots(figsize=(8, 4.5))
# An error of exactly 0 (a lucky cancellation) has no place on a log axis: leave it out.
plot_curves(steps, {key: np.where(e > 0, e, np.nan) for key, e in errors.items()}, ax=ax, logx=True, logy=True,
            xlabel="step h", ylabel="|finite difference - cos(1)|", title="d/dx sin(x) at x = 1")
# The two error models for float64: truncation h/2 |f''| and h^2/6 |f'''|, round-off eps |f| / h.
eps64 = torch.finfo(torch.float64).eps
ax.plot(steps, steps / 2 * math.sin(1.0), "k:", lw=1, label="h/2 · |f''|  (slope 1)")
ax.plot(steps, steps ** 2 / 6 * math.cos(1.0), "k--", lw=1, label="h²/6 · |f'''|  (slope 2)")
ax.plot(steps, eps64 * math.sin(1.0) / steps, "k-.", lw=1, label="eps64 · |f| / h")
ax.set_ylim(1e-13, 2)
ax.invert_xaxis()  # smaller steps to the right: reading left to right is "shrinking h"
ax.legend(fontsize=7, ncol=2)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# Read from left to right (the step shrinks). Each curve first follows its
# truncation line, slope 1 for forward and 2 for central differences, then
# turns up along the round-off line $\varepsilon |f| / h$. The turning point
# is the best step: about $10^{-8}$ (forward) and $10^{-5}$ (central) in
# float64, near the theory's $\sqrt{\varepsilon} \approx 1.5 \times 10^{-8}$
# and $\varepsilon^{1/3} \approx 6 \times 10^{-6}$. The round-off part is
# jagged: it depends on how $\sin(1 \pm h)$ happens to round, and isolated
# dips far below the trend (as in the table's "smallest error") are lucky
# cancellations, not a better step. In float32 the whole picture moves up and
# left: forward differences stay around $10^{-4}$ or worse, central ones
# around $10^{-5}$, and from $h \approx 6 \times 10^{-8}$ on, $1 + h$ rounds
# to 1 and the error is the whole derivative, 0.54.

# %% [markdown] lang="zh"
# 从左往右读（步长逐渐变小）。每条曲线先沿着各自的截断误差线下降，前向差分斜率为 1，中心差分斜率为 2；随后沿舍入误差线 $\varepsilon |f| / h$ 回升。拐点就是最佳步长：在 float64 中约为 $10^{-8}$（前向）和 $10^{-5}$（中心），与理论值 $\sqrt{\varepsilon} \approx 1.5 \times 10^{-8}$ 和 $\varepsilon^{1/3} \approx 6 \times 10^{-6}$ 相符。舍入误差部分参差不齐：它取决于 $\sin(1 \pm h)$ 恰好如何舍入，远低于总体趋势的个别低点（如表中的“smallest error”）只是碰巧抵消，并不代表那个步长更好。在 float32 中，整幅图向左上方移动：前向差分的误差在 $10^{-4}$ 左右或更大，中心差分在 $10^{-5}$ 左右；而当 $h$ 小到约 $6 \times 10^{-8}$ 以下时，$1 + h$ 被舍入成 1，误差就是整个导数 0.54。

# %% [markdown] lang="en"
# ## 2. What this means for a gradient check
#
# A gradient check compares autograd's gradient with finite differences. Below,
# the loss of a small tanh network (5 inputs, 8 hidden units, 3 classes,
# cross-entropy on 16 random examples) is differentiated with respect to its
# first weight matrix, 40 entries, and `dlnotes.scratch.numerical.gradient_check`
# reports the largest relative error for each step, dtype and method.
# Autograd's gradient is correct, so every error seen here is the finite
# differences' own.

# %% [markdown] lang="zh"
# ## 2. 对梯度检验意味着什么
#
# 梯度检验就是把 autograd 的梯度与有限差分比较。下面对一个小 tanh 网络（5 个输入、8 个隐藏单元、3 个类别，在 16 个随机样本上计算交叉熵）的损失，针对其第一层权重矩阵（40 个元素）求导，由 `dlnotes.scratch.numerical.gradient_check` 报告每种步长、数据类型和差分方法下的最大相对误差。autograd 的梯度是正确的，所以这里看到的误差全部来自有限差分本身。

# %%
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
inputs, targets = torch.randn(16, 5), torch.randint(0, 3, (16,))


def make_loss(dtype):
    net_d = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).to(dtype)
    net_d.load_state_dict(net.state_dict())  # the same weights in either dtype
    x = inputs.to(dtype)

    def loss(w1):  # w1: (8, 5), the first layer's weight
        hidden = torch.tanh(x @ w1.T + net_d[0].bias)  # (16, 8)
        return nn.functional.cross_entropy(net_d[2](hidden), targets)

    return loss, net_d[0].weight.detach().clone()


check_steps = 10.0 ** -np.arange(1, 12.01, 0.5)  # (23,)
check_errors = {}
for dtype in (torch.float64, torch.float32):
    loss, w1 = make_loss(dtype)
    for method in ("forward", "central"):
        check_errors[f"{str(dtype)[6:]} {method}"] = np.array(
            [gradient_check(loss, w1, eps=h, method=method) for h in check_steps])

best_check = pd.DataFrame({key: {"best eps": check_steps[e.argmin()], "max relative error": e.min()}
                           for key, e in check_errors.items()}).T
print(best_check.to_string(float_format=lambda v: f"{v:.1e}"))

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
plot_curves(check_steps, check_errors, ax=ax, logx=True, logy=True, xlabel="step eps",
            ylabel="max relative error", title="Gradient check of a correct gradient (40 weights)")
ax.axhline(1e-7, color="grey", lw=0.8, ls=":")
ax.invert_xaxis()
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The same V shape, now for the worst of 40 partial derivatives. In float64
# central differences with a step between $10^{-4}$ and $10^{-7}$ confirm the
# correct gradient to a relative $10^{-6}$ or better, far below the error of
# a real bug (a forgotten factor typically gives $10^{-2}$ to 1). The worst
# entry is a *small* one: round-off is absolute, about $\varepsilon |L| / h$,
# so it is large relative to a small partial derivative. Forward differences
# are a hundred times worse at their best. In float32 nothing gets below a
# few $10^{-2}$, and with a too-small step the "error" of a *correct*
# gradient is 1: a float32 check cannot tell a correct gradient from a wrong
# one. Run gradient checks in float64, with central differences and a step
# near $10^{-6}$, which is what `torch.autograd.gradcheck` does by default.

# %% [markdown] lang="zh"
# 同样的 V 形，这次看的是 40 个偏导数中最差的一个。在 float64 中，步长取 $10^{-4}$ 到 $10^{-7}$ 之间的中心差分可以把正确梯度确认到相对误差 $10^{-6}$ 或更好，远低于真实错误造成的误差（漏掉一个因子通常会带来 $10^{-2}$ 到 1 的误差）。最差的总是*较小*的那个偏导数：舍入误差是绝对的，约为 $\varepsilon |L| / h$，相对于一个很小的偏导数就显得大了。前向差分即使在最佳步长下也要差上百倍。在 float32 中，误差怎么也降不到百分之几以下；步长太小时，一个*正确*梯度的“误差”就是 1：float32 下的检验无法区分正确与错误的梯度。因此梯度检验应在 float64 下、用中心差分、步长取 $10^{-6}$ 左右来做，这也正是 `torch.autograd.gradcheck` 的默认做法。

# %% [markdown] lang="en"
# ## 3. Where finite differences do not apply: kinks
#
# The notes (000) say numerical differentiation "is simple and works for any
# function, but its accuracy may suffer from numerical error". The second half
# is what the curves above measure. The first half needs a caveat: at a point
# where the function has no derivative, such as ReLU at 0, the central
# difference returns the average of the two one-sided slopes, a number that is
# neither, and a gradient check of a network whose pre-activation sits within
# $h$ of 0 reports a large "error" for a correct gradient.

# %% [markdown] lang="zh"
# ## 3. 有限差分不适用的地方：折点
#
# 笔记（000）说数值微分“简单易用，适用于任何函数，但是计算精度可能受到数值误差的影响”。后半句正是上面的曲线所测量的。前半句需要加个限定：在函数不可导的点上，例如 ReLU 在 0 处，中心差分给出的是左右两个单侧斜率的平均值，它既不是左导数也不是右导数；如果网络中某个激活前的值落在离 0 不到 $h$ 的范围内，对正确梯度做梯度检验也会报告很大的“误差”。

# %%
zero = torch.tensor(0.0, dtype=torch.float64)
for h in (1e-2, 1e-6):
    central = (torch.relu(zero + h) - torch.relu(zero - h)) / (2 * h)
    print(f"ReLU at 0, central difference with h = {h:.0e}: {central.item():.2f}")
x0 = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
torch.relu(x0).backward()
print(f"autograd's ReLU'(0): {x0.grad.item():.2f} (PyTorch's convention; any value in [0, 1] is a subgradient)")
print(f"gradient_check of relu(x).sum() at x = 0: {gradient_check(lambda t: torch.relu(t).sum(), x0.detach()):.2f}")
print(f"total run time of this lesson: {time.perf_counter() - start_time:.1f} s")
