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
# # The coin's likelihood and the SmoothL1 family
#
# Two pictures for the page *Loss functions*. First, the negative
# log-likelihood of a bent coin that showed 7 heads in 10 tosses, as a
# function of the probability of heads $\theta$: its minimum, found here
# numerically, sits at $\theta = 0.7$. Second, the SmoothL1 loss for three
# values of `beta` next to L1 and MSE, with the gradients that each sends
# back, to see what `beta` changes.

# %% [markdown] lang="zh"
# # 硬币的似然与 SmoothL1 曲线族
#
# 这是页面《损失函数》的两张配图。第一张：一枚形状不规则的硬币抛 10 次出现 7 次正面，画出它的负对数似然随正面概率 $\theta$ 变化的曲线，其最小值（这里用数值方法求得）位于 $\theta = 0.7$。第二张：`beta` 取三个值时的 SmoothL1 损失，与 L1 和 MSE 画在一起，并画出各自传回的梯度，看看 `beta` 改变了什么。

# %%
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F

import dlnotes
from dlnotes.scratch import losses as scratch

start_time = time.perf_counter()
dev = dlnotes.device()
print("running on", dlnotes.device_name(dev))

# %% [markdown] lang="en"
# ## 1. The negative log-likelihood of the coin
#
# The tosses were T H H H H T H H H T. With independent tosses the
# likelihood is $L(\theta) = \theta^7 (1-\theta)^3$ and the loss to minimise is
#
# $$\text{NLL}(\theta) = -\big(7 \ln\theta + 3 \ln(1-\theta)\big).$$
#
# We evaluate it on a fine grid strictly inside $(0, 1)$ (at $\theta = 0$ or
# $1$ one of the logs is $-\infty$), check the minimum against the scratch
# `nll_loss` (each toss a two-class example with log-probabilities
# $[\ln(1-\theta), \ln\theta]$), and refine it by gradient descent.

# %% [markdown] lang="zh"
# ## 1. 硬币的负对数似然
#
# 抛掷结果是“反正正正正反正正正反”。各次独立时似然为 $L(\theta) = \theta^7 (1-\theta)^3$，要最小化的损失是
#
# $$\text{NLL}(\theta) = -\big(7 \ln\theta + 3 \ln(1-\theta)\big).$$
#
# 我们在严格位于 $(0, 1)$ 内部的细网格上计算它（$\theta = 0$ 或 $1$ 时有一个对数为 $-\infty$），用从零实现的 `nll_loss` 核对最小值（每次抛掷是一个二分类样本，对数概率为 $[\ln(1-\theta), \ln\theta]$），再用梯度下降细化它。

# %%
tosses = torch.tensor([0, 1, 1, 1, 1, 0, 1, 1, 1, 0], device=dev)   # 1 = heads
heads, tails = int(tosses.sum()), int((1 - tosses).sum())           # 7, 3
theta = torch.linspace(0.001, 0.999, 999, device=dev)              # (999,), steps of 0.001


def coin_nll(theta):
    """NLL of the 10 tosses for each value in ``theta``: the product of probabilities, logged and negated."""
    return -(heads * torch.log(theta) + tails * torch.log(1 - theta))


nll = coin_nll(theta)
best = nll.argmin()
print(f"grid minimum: theta = {theta[best].item():.3f}, NLL = {nll[best].item():.4f}")

# the same number from the scratch nll_loss: each toss is a two-class example (tails, heads)
log_probs = torch.log(torch.stack([1 - theta[best], theta[best]])).expand(len(tosses), 2)   # (10, 2)
print(f"scratch nll_loss at the minimum: {scratch.nll_loss(log_probs, tosses, reduction='sum').item():.4f}")

t = torch.tensor([0.5], device=dev, requires_grad=True)
optimizer = torch.optim.SGD([t], lr=0.01)
for step in range(100):
    optimizer.zero_grad()
    coin_nll(t).sum().backward()
    optimizer.step()
print(f"gradient descent from 0.5, 100 steps: theta = {t.item():.4f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(theta.cpu(), nll.cpu(), label="NLL(theta) = -(7 ln theta + 3 ln(1 - theta))")
ax.plot(theta[best].item(), nll[best].item(), "o", color="C3",
        label=f"minimum at theta = {theta[best].item():.2f}")
ax.axvline(theta[best].item(), color="C3", linestyle=":", linewidth=1)
ax.set_ylim(0, 30)
ax.set_xlabel("theta (probability of heads)")
ax.set_ylabel("negative log-likelihood")
ax.set_title("7 heads in 10 tosses")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# The curve is steep near 0 (tails are possible, but 7 heads would be
# unbelievable) and near 1 (3 tails would be impossible), and flat around its
# minimum at $\theta = 0.7 = 7/10$: the maximum-likelihood estimate of a
# coin's bias is simply the observed fraction of heads. The flatness says
# that 10 tosses pin $\theta$ down only loosely; with 70 heads in 100 tosses
# the curve would be 10 times as high and as sharply curved, with the same
# minimum.

# %% [markdown] lang="zh"
# 曲线在 0 附近很陡（出现反面是可能的，但 7 次正面就难以置信了），在 1 附近也很陡（那样 3 次反面就不可能出现），而在最小值 $\theta = 0.7 = 7/10$ 附近很平：硬币偏向的最大似然估计就是观察到的正面比例。曲线平缓说明 10 次抛掷对 $\theta$ 的约束很弱；如果是 100 次中 70 次正面，曲线会高 10 倍、弯曲也陡 10 倍，而最小值不变。

# %% [markdown] lang="en"
# ## 2. SmoothL1 for three values of `beta`, next to L1 and MSE
#
# $$\ell_\beta(x) = \begin{cases} 0.5\,x^2/\beta, & |x| < \beta,\\ |x| - 0.5\,\beta, & |x| \ge \beta. \end{cases}$$
#
# `beta` is the error size at which the curve switches from a parabola to a
# straight line. Autograd gives the derivatives for the right-hand panel.

# %% [markdown] lang="zh"
# ## 2. `beta` 取三个值时的 SmoothL1，与 L1 和 MSE 对比
#
# $$\ell_\beta(x) = \begin{cases} 0.5\,x^2/\beta, & |x| < \beta,\\ |x| - 0.5\,\beta, & |x| \ge \beta. \end{cases}$$
#
# `beta` 是曲线从抛物线切换为直线时的误差大小。右图中的导数由自动求导给出。

# %%
x = torch.linspace(-3, 3, 601, device=dev)
zeros = torch.zeros_like(x)
curves = {  # name -> (scratch loss, torch's loss), both per element
    "L1": (lambda e: scratch.l1_loss(e, zeros, reduction="none"),
           lambda e: F.l1_loss(e, zeros, reduction="none")),
    "MSE": (lambda e: scratch.mse_loss(e, zeros, reduction="none"),
            lambda e: F.mse_loss(e, zeros, reduction="none")),
}
for beta in (0.5, 1.0, 2.0):  # beta=beta binds the current value inside each lambda
    curves[f"SmoothL1, beta={beta}"] = (
        lambda e, beta=beta: scratch.smooth_l1_loss(e, zeros, reduction="none", beta=beta),
        lambda e, beta=beta: F.smooth_l1_loss(e, zeros, reduction="none", beta=beta))

values, slopes = {}, {}
for name, (ours, torchs) in curves.items():
    e = x.clone().requires_grad_()
    loss = ours(e)
    loss.sum().backward()          # each loss depends on its own error only: grad = derivative
    assert torch.allclose(loss.detach(), torchs(x))   # the scratch version agrees with torch's
    values[name], slopes[name] = loss.detach().cpu(), e.grad.cpu()

for beta in (0.5, 1.0, 2.0):
    name = f"SmoothL1, beta={beta}"
    at = [float(values[name][(x.cpu() - v).abs().argmin()]) for v in (0.25, 1.0, 3.0)]
    print(f"{name}: loss at errors 0.25, 1, 3 = " + ", ".join(f"{v:.4f}" for v in at),
          f"| largest slope {slopes[name].abs().max().item():.2f}")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.5))
styles = {"L1": dict(color="k", linestyle="--"), "MSE": dict(color="0.5", linestyle=":")}
for i, name in enumerate(curves):
    style = styles.get(name, dict(color=f"C{i - 2}"))
    left.plot(x.cpu(), values[name], label=name, **style)
    right.plot(x.cpu(), slopes[name], label=name, **style)
left.set_ylim(0, 3.2)
left.set_title("loss")
right.set_ylim(-2.2, 2.2)
right.set_title("derivative d loss / d error")
for ax in (left, right):
    ax.set_xlabel("error x = prediction - target")
left.legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# Each SmoothL1 curve follows a parabola up to $|x| = \beta$ and a line of
# slope 1, parallel to L1 and $\beta/2$ below it, beyond. On the right, its
# derivative rises linearly from 0 and is capped at $\pm1$ from $|x| = \beta$
# on, while MSE's derivative $2x$ keeps growing. A small `beta` (0.5) hugs the
# L1 curve and only rounds off its corner at 0; a large `beta` (2) keeps the
# gentle, MSE-like region wide, lies lowest, and reaches the capped slope only
# for errors above 2.

# %% [markdown] lang="zh"
# 每条 SmoothL1 曲线在 $|x| = \beta$ 之前沿抛物线上升，之后变成斜率为 1 的直线，与 L1 平行并比它低 $\beta/2$。右图中它的导数从 0 开始线性增长，从 $|x| = \beta$ 起被限制在 $\pm1$，而 MSE 的导数 $2x$ 会一直增大。`beta` 小（0.5）时曲线紧贴 L1，只是把 0 处的尖角磨圆；`beta` 大（2）时平缓的、类似 MSE 的区域很宽，曲线位置最低，误差超过 2 才达到被封顶的斜率。

# %%
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")
