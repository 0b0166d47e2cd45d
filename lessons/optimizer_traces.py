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
# # Optimizer traces
#
# The page *Gradient descent and optimizers* derives each
# update rule and prints the numbers; this lesson draws the paths. Every
# path comes from the from-scratch classes in `dlnotes.scratch.optimizers`
# (`SGD`, `Adagrad`, `RMSprop`, `Adam`), run by `trajectory(f, x0,
# make_optimizer, steps)`, which returns the visited points, one row per
# step. For the 2-D runs the same settings also go through `torch.optim`,
# and the figures mark PyTorch's points on top of ours.
#
# Everything here is a function of two variables or fewer: no data, no
# training, a few seconds on any CPU.

# %% [markdown] lang="zh"
# # 优化器轨迹
#
# 页面《梯度下降与优化器》推导了每条更新规则并打印出数值；本实验把路径画出来。每条路径都来自 `dlnotes.scratch.optimizers` 中从零实现的类（`SGD`、`Adagrad`、`RMSprop`、`Adam`），由 `trajectory(f, x0, make_optimizer, steps)` 运行，它返回经过的点，每一步一行。二维的运行还会用相同的设置再跑一遍 `torch.optim`，图中把 PyTorch 的点叠加在我们的点上。
#
# 这里的一切都是不超过两个变量的函数：没有数据，没有训练，在任何 CPU 上几秒钟就能跑完。

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from dlnotes.plots import plot_contour_paths, plot_trace_1d
from dlnotes.scratch.optimizers import SGD, Adagrad, Adam, RMSprop, trajectory


def square(x):
    return x[0] ** 2


C = 0.15 * math.pi


def wavy(x):
    return x[0] * torch.cos(C * x[0])


def bowl(x):
    return x[0] ** 2 + 2 * x[1] ** 2


def valley(x):
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


START = [-5.0, -2.0]
torch.set_num_threads(1)  # tensors of 2 to 40,000 numbers: more threads only add contention

# %% [markdown] lang="en"
# ## Gradient descent on $x^2$
#
# From $x_0 = 10$, ten steps with the notes' three learning rates. Each step
# multiplies $x$ by $1 - 2\eta$: by 0.6, by 0.9, and by $-1.2$, which jumps
# over the minimum to the other side and lands further away every time.

# %% [markdown] lang="zh"
# ## $x^2$ 上的梯度下降
#
# 从 $x_0 = 10$ 出发，用笔记中的三个学习率各走十步。每一步把 $x$ 乘以 $1 - 2\eta$：分别是 0.6、0.9 和 $-1.2$，最后一种每一步都越过最小值跳到另一侧，而且一次比一次离得远。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
for ax, eta in zip(axes, [0.2, 0.05, 1.1]):
    path = trajectory(square, [10.0], lambda params: SGD(params, lr=eta), steps=10)
    plot_trace_1d(square, path, ax=ax)
    ax.set_title(f"eta = {eta}: x_10 = {path[-1, 0].item():.6f}")
    print(f"eta {eta}: x after 10 steps {path[-1, 0].item():.6f}")
fig.suptitle("Gradient descent on f(x) = x², 10 steps from x = 10")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## A non-convex function: $x\cos(cx)$
#
# With $c = 0.15\pi$ the function has a local minimum at $x \approx 7.27$
# ($f \approx -6.98$), a shallower one at $x \approx -1.83$
# ($f \approx -1.19$), and deeper ones further out. A modest learning rate
# walks from $x_0 = 10$ into the nearest valley; the notes' $\eta = 2$ jumps
# over it on the first step and ends up oscillating in the shallow one.

# %% [markdown] lang="zh"
# ## 非凸函数：$x\cos(cx)$
#
# 取 $c = 0.15\pi$，该函数在 $x \approx 7.27$ 处有一个局部极小值（$f \approx -6.98$），在 $x \approx -1.83$ 处有一个较浅的（$f \approx -1.19$），更远处还有更深的。适中的学习率从 $x_0 = 10$ 走进最近的山谷；笔记中的 $\eta = 2$ 第一步就越过了它，最后在浅谷中来回振荡。

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
for ax, eta in zip(axes, [0.5, 2.0]):
    path = trajectory(wavy, [10.0], lambda params: SGD(params, lr=eta), steps=10)
    plot_trace_1d(wavy, path, x_range=(-15, 15), ax=ax)
    ax.set_title(f"eta = {eta}: x_10 = {path[-1, 0].item():.4f}, f = {wavy(path[-1]).item():.4f}")
    print(f"eta {eta}: x after 10 steps {path[-1, 0].item():.6f}, f(x) = {wavy(path[-1]).item():.4f}")
fig.suptitle("Gradient descent on f(x) = x cos(0.15 pi x), 10 steps from x = 10")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Two dimensions: a round bowl and a narrow valley
#
# $x_1^2 + 2x_2^2$ has curvatures 2 and 4 (condition number 2): with
# $\eta = 0.1$ the path bends gently into the minimum. $0.1x_1^2 + 2x_2^2$
# has curvatures 0.2 and 4 (condition number 20). With $\eta = 0.4$ the
# factor on $x_2$ is $1 - 4\eta = -0.6$: $x_2$ changes sign at every step
# and the path zig-zags across the valley while $x_1$ crawls along it. With
# $\eta = 0.6$ the factor is $-1.4$, and the zig-zag grows until $x_2$
# leaves the picture (it reaches $-1673$ after 20 steps).

# %% [markdown] lang="zh"
# ## 二维：圆碗与狭长山谷
#
# $x_1^2 + 2x_2^2$ 的曲率为 2 和 4（条件数 2）：$\eta = 0.1$ 时路径平缓地弯入最小值。$0.1x_1^2 + 2x_2^2$ 的曲率为 0.2 和 4（条件数 20）。$\eta = 0.4$ 时 $x_2$ 的因子为 $1 - 4\eta = -0.6$：$x_2$ 每一步都变号，路径横穿山谷，来回作“之”字形振荡，而 $x_1$ 沿山谷缓慢爬行。$\eta = 0.6$ 时因子为 $-1.4$，“之”字形越摆越大，直到 $x_2$ 跑出图外（20 步后达到 $-1673$）。

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for ax, (f, eta) in zip(axes, [(bowl, 0.1), (valley, 0.4), (valley, 0.6)]):
    path = trajectory(f, START, lambda params: SGD(params, lr=eta), steps=20)
    plot_contour_paths(f, {f"GD, eta = {eta}": path}, ax=ax)
    ax.set_title(f"{f.__name__}: after 20 steps ({path[-1, 0].item():.4f}, {path[-1, 1].item():.4g})")
    print(f"{f.__name__}, eta {eta}: after 20 steps ({path[-1, 0].item():.6f}, {path[-1, 1].item():.6f})")
fig.tight_layout()
plt.show()

# %% [markdown] lang="en"
# ## Momentum, Nesterov, AdaGrad, RMSProp and Adam on the valley
#
# The same valley, the same start, 20 steps each, with the notes' settings
# where the notes give them. Two extra runs compare plain and Nesterov
# momentum at the same heavy setting ($\mu = 0.9$, $\eta = 0.1$), and
# AdaGrad gets the notes' second learning rate too. Orange: our scratch
# class; black crosses: `torch.optim` with the same arguments.

# %% [markdown] lang="zh"
# ## 动量、Nesterov、AdaGrad、RMSProp 和 Adam 在山谷上
#
# 同样的山谷、同样的起点，各走 20 步；笔记给出了设置的地方就沿用笔记的设置。另外两次运行在相同的重动量设置下（$\mu = 0.9$，$\eta = 0.1$）比较普通动量和 Nesterov 动量，AdaGrad 也用上了笔记中的第二个学习率。橙色：我们从零实现的类；黑色叉号：参数相同的 `torch.optim`。

# %%
RUNS = {  # label: (scratch class, torch.optim class, keyword arguments for both)
    "GD, lr 0.4": (SGD, torch.optim.SGD, dict(lr=0.4)),
    "momentum 0.5, lr 0.6": (SGD, torch.optim.SGD, dict(lr=0.6, momentum=0.5)),
    "momentum 0.9, lr 0.1": (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    "Nesterov 0.9, lr 0.1": (SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    "AdaGrad, lr 0.4": (Adagrad, torch.optim.Adagrad, dict(lr=0.4)),
    "AdaGrad, lr 2": (Adagrad, torch.optim.Adagrad, dict(lr=2.0)),
    "RMSProp 0.9, lr 0.4": (RMSprop, torch.optim.RMSprop, dict(lr=0.4, alpha=0.9)),
    "Adam, lr 0.16": (Adam, torch.optim.Adam, dict(lr=0.16)),
}
STEPS = 50
ours, theirs = {}, {}
for name, (mine, reference, kwargs) in RUNS.items():
    ours[name] = trajectory(valley, START, lambda params: mine(params, **kwargs), steps=STEPS)
    theirs[name] = trajectory(valley, START, lambda params: reference(params, **kwargs), steps=STEPS)

fig, axes = plt.subplots(2, 4, figsize=(17, 6.6), sharex=True, sharey=True)
for ax, name in zip(axes.flat, RUNS):
    plot_contour_paths(valley, {name: ours[name][:21], "torch.optim": theirs[name][:21]}, ax=ax,
                       x_range=(-5.5, 2.0), y_range=(-3.0, 3.0), styles={name: {"color": "tab:orange"},
                               "torch.optim": {"color": "black", "marker": "x", "ls": "none", "ms": 5}})
    ax.set_title(name)
    ax.label_outer()
fig.suptitle("20 steps on 0.1 x1² + 2 x2² from (-5, -2): scratch classes (orange) and torch.optim (black crosses)")
fig.tight_layout()
plt.show()

table = pd.DataFrame({
    "x1 after 20": [ours[n][20, 0].item() for n in RUNS],
    "x2 after 20": [ours[n][20, 1].item() for n in RUNS],
    "loss after 20": [valley(ours[n][20]).item() for n in RUNS],
    f"loss after {STEPS}": [valley(ours[n][-1]).item() for n in RUNS],
    "max |scratch - torch|": [(ours[n] - theirs[n]).abs().max().item() for n in RUNS],
}, index=list(RUNS))
print("largest difference from torch.optim over all runs and steps:", f"{table['max |scratch - torch|'].max():.1e}")
table

# %% [markdown] lang="en"
# What the pictures show:
#
# - **Plain GD** ($\eta = 0.4$) zig-zags in $x_2$ and is still at
#   $x_1 \approx -0.94$ after 20 steps.
# - **Momentum** with the notes' $\mu = 0.5$, $\eta = 0.6$ (a learning rate
#   at which plain GD diverges) swings widely in $x_2$ at first but
#   converges; heavy momentum, $\mu = 0.9$, shoots past the minimum along
#   $x_1$ and swings back, and **Nesterov** at the same setting overshoots
#   less and damps the swing in $x_2$.
# - **AdaGrad** moves every coordinate by exactly $\eta$ on its first step,
#   so the path starts along the diagonal; with $\eta = 0.4$ its steps
#   shrink before it gets far, with $\eta = 2$ it is among the fastest.
# - **RMSProp** (no bias correction, $\alpha = 0.9$) makes a first step of
#   $\eta/\sqrt{0.1} \approx 3.2\,\eta$ per coordinate, and since its step
#   size does not decay, $x_1$ keeps moving at a good pace.
# - **Adam** also starts along the diagonal (first step $\eta = 0.16$ per
#   coordinate) and then moves by at most about $\eta$ per coordinate and
#   step, so 20 steps are not enough to cover the distance of 5 along $x_1$.
#
# The crosses sit on the orange points in every panel: the scratch classes
# and `torch.optim` differ by the amount printed above (round-off).

# %% [markdown] lang="zh"
# 从图中可以看到：
#
# - **普通梯度下降**（$\eta = 0.4$）在 $x_2$ 方向上作“之”字形振荡，20 步后仍停在 $x_1 \approx -0.94$。
# - 使用笔记中 $\mu = 0.5$、$\eta = 0.6$ 的**动量法**（在这个学习率下普通梯度下降会发散）起初在 $x_2$ 上大幅摆动，但最终收敛；重动量 $\mu = 0.9$ 沿 $x_1$ 冲过了最小值又摆回来，而相同设置下的 **Nesterov** 冲得没那么远，并抑制了 $x_2$ 上的摆动。
# - **AdaGrad** 第一步让每个坐标都恰好移动 $\eta$，所以路径起初沿对角线方向；$\eta = 0.4$ 时它的步长还没走多远就缩小了，$\eta = 2$ 时它是最快的之一。
# - **RMSProp**（没有偏差修正，$\alpha = 0.9$）第一步每个坐标移动 $\eta/\sqrt{0.1} \approx 3.2\,\eta$，而且步长不衰减，所以 $x_1$ 一直以不错的速度前进。
# - **Adam** 同样从对角线方向出发（第一步每个坐标移动 $\eta = 0.16$），之后每一步每个坐标最多移动约 $\eta$，所以 20 步不足以走完沿 $x_1$ 的距离 5。
#
# 每个子图中叉号都落在橙色点上：从零实现的类与 `torch.optim` 的差别就是上面打印的那个量级（舍入误差）。

# %% [markdown] lang="en"
# ## Loss against step
#
# The same runs for 50 steps, the loss on a log scale. A straight falling
# line is linear convergence (a constant factor per step); its slope is the
# factor. RMSProp dives fastest and then climbs back: as the gradients
# vanish so does its average $v$, the effective step $\eta/\sqrt{v}$ grows
# past the stability limit $2/\lambda$ of the steep direction, and $x_2$
# starts to oscillate with growing amplitude until $v$ catches up. With a
# constant learning rate it hovers near the minimum instead of settling;
# that is one reason adaptive methods are paired with a decaying schedule.

# %% [markdown] lang="zh"
# ## 损失随步数的变化
#
# 同样的运行走 50 步，损失取对数坐标。一条下降的直线表示线性收敛（每步乘以一个固定因子），斜率就是这个因子。RMSProp 下降最快，随后又爬了回来：梯度趋于零时，它的平均 $v$ 也趋于零，有效步长 $\eta/\sqrt{v}$ 增大到超过陡峭方向的稳定极限 $2/\lambda$，于是 $x_2$ 开始以越来越大的幅度振荡，直到 $v$ 追上来。学习率不变时，它只能在最小值附近徘徊而无法停稳；这也是自适应方法常常配合学习率衰减使用的原因之一。

# %%
fig, ax = plt.subplots(figsize=(9, 4.2))
for name in RUNS:
    losses = valley(ours[name].T)  # (STEPS + 1,): the function works on x[0], x[1] of a (2, n) tensor
    ax.semilogy(range(STEPS + 1), losses.clamp_min(1e-30).numpy(), marker=".", label=name)
ax.set(xlabel="step", ylabel="loss", title="0.1 x1² + 2 x2², loss per step")
ax.legend(fontsize=8, ncol=2)
plt.show()

# %% [markdown] lang="en"
# ## Nesterov at the notes' momentum setting
#
# Nesterov damps oscillations only inside its stable range, which is
# narrower than that of plain momentum: along a direction of curvature
# $\lambda$ it needs $\eta\lambda < 2(1+\mu)/(1+2\mu)$, plain momentum
# $\eta\lambda < 2(1+\mu)$. With $\mu = 0.5$ and the valley's $\lambda = 4$
# that is $\eta < 0.375$ against $\eta < 0.75$, so at the notes' $\eta = 0.6$
# plain momentum converges and Nesterov diverges.

# %% [markdown] lang="zh"
# ## 笔记的动量设置下的 Nesterov
#
# Nesterov 只在它的稳定范围内抑制振荡，而这个范围比普通动量的窄：沿曲率为 $\lambda$ 的方向，它需要 $\eta\lambda < 2(1+\mu)/(1+2\mu)$，普通动量只需 $\eta\lambda < 2(1+\mu)$。对 $\mu = 0.5$ 和山谷的 $\lambda = 4$，分别是 $\eta < 0.375$ 和 $\eta < 0.75$，所以在笔记的 $\eta = 0.6$ 下，普通动量收敛而 Nesterov 发散。

# %%
fig, ax = plt.subplots(figsize=(8, 3.6))
for nesterov in [False, True]:
    for eta in [0.3, 0.6]:
        path = trajectory(valley, START, lambda params: SGD(params, lr=eta, momentum=0.5, nesterov=nesterov), steps=20)
        label = f"{'Nesterov' if nesterov else 'momentum'} 0.5, lr {eta}"
        ax.semilogy(valley(path.T).numpy(), marker=".", label=label)
        print(f"{label}: loss after 20 steps {valley(path[-1]).item():.3g}")
ax.set(xlabel="step", ylabel="loss", title="momentum 0.5 on the valley: stable ranges differ")
ax.legend(fontsize=8)
plt.show()

# %% [markdown] lang="en"
# ## Exponentially weighted averages and bias correction
#
# A noisy series around a slow wave, averaged with
# $S_t = \beta S_{t-1} + (1-\beta) Y_t$ from $S_0 = 0$. Without correction
# the average starts near 0 and needs about $1/(1-\beta)$ steps to catch up;
# dividing by $1 - \beta^t$ fixes the start and changes nothing later, since
# $\beta^t \to 0$. A larger $\beta$ averages over more values: smoother, but
# it lags behind the wave.

# %% [markdown] lang="zh"
# ## 指数加权平均与偏差修正
#
# 一个围绕缓慢波动的带噪声序列，用 $S_t = \beta S_{t-1} + (1-\beta) Y_t$ 从 $S_0 = 0$ 开始求平均。不做修正时平均值从 0 附近开始，大约需要 $1/(1-\beta)$ 步才能追上；除以 $1 - \beta^t$ 修正了开头，而之后几乎没有影响，因为 $\beta^t \to 0$。$\beta$ 越大，平均的值越多：曲线更平滑，但落后于波动。

# %%
def ewa(values, beta, bias_correction=False):
    s, averages = 0.0, []
    for t, y in enumerate(values.tolist(), start=1):
        s = beta * s + (1 - beta) * y
        averages.append(s / (1 - beta ** t) if bias_correction else s)
    return torch.tensor(averages)


generator = torch.Generator().manual_seed(0)
days = torch.arange(1, 151)
series = 10 + 3 * torch.sin(2 * math.pi * days / 75) + 1.5 * torch.randn(150, generator=generator)

fig, ax = plt.subplots(figsize=(10, 4))
ax.plot(days, series, ".", color="grey", ms=4, label="series")
ax.plot(days, ewa(series, 0.9), label="beta 0.9, no correction")
ax.plot(days, ewa(series, 0.9, bias_correction=True), label="beta 0.9, bias-corrected")
ax.plot(days, ewa(series, 0.98, bias_correction=True), label="beta 0.98, bias-corrected")
ax.set(xlabel="t", ylabel="value", title="Exponentially weighted averages of a noisy series")
ax.legend(fontsize=8)
plt.show()
print("first 5 values:           ", [round(v, 2) for v in series[:5].tolist()])
print("beta 0.9, no correction:  ", [round(v, 2) for v in ewa(series[:5], 0.9).tolist()])
print("beta 0.9, bias-corrected: ", [round(v, 2) for v in ewa(series[:5], 0.9, bias_correction=True).tolist()])

# %% [markdown] lang="en"
# ## Newton, L-BFGS and gradient descent on the Rosenbrock function
#
# $(1 - x_1)^2 + 100(x_2 - x_1^2)^2$ from $(-1.2, 1)$: the minimum $(1, 1)$
# lies at the end of a curved, narrow valley. Newton's method
# ($\theta \leftarrow \theta - H^{-1}\nabla f$, Hessian by autograd) takes
# 7 steps, two of them uphill; `torch.optim.LBFGS` with a strong-Wolfe line
# search is run one iteration per `step` (its history carries over between
# calls) so that every iterate is recorded; gradient descent with
# $\eta = 0.001$ (near the stability limit $2/\lambda_{\max} \approx 0.002$)
# and Adam ($\eta = 0.05$, our class) for comparison.

# %% [markdown] lang="zh"
# ## Rosenbrock 函数上的牛顿法、L-BFGS 与梯度下降
#
# $(1 - x_1)^2 + 100(x_2 - x_1^2)^2$，从 $(-1.2, 1)$ 出发：极小值 $(1, 1)$ 位于一条弯曲狭窄山谷的尽头。牛顿法（$\theta \leftarrow \theta - H^{-1}\nabla f$，Hessian 由 autograd 计算）用 7 步，其中两步是上坡；`torch.optim.LBFGS` 配合 strong-Wolfe 线搜索，每次 `step` 只做一次迭代（它的历史在调用之间保留），以便记录每个迭代点；作为对照，还有 $\eta = 0.001$ 的梯度下降（接近稳定极限 $2/\lambda_{\max} \approx 0.002$）和 Adam（$\eta = 0.05$，我们的类）。

# %%
def newton(f, x0, tol=1e-10, max_steps=50):
    path = [torch.tensor(x0, dtype=torch.float64)]
    while len(path) <= max_steps:
        gradient = torch.autograd.functional.jacobian(f, path[-1])
        if gradient.norm() < tol:
            break
        hessian = torch.autograd.functional.hessian(f, path[-1])
        path.append(path[-1] - torch.linalg.solve(hessian, gradient))
    return torch.stack(path)  # (steps + 1, 2)


def gradient_descent_rosenbrock(lr, steps, x1=-1.2, x2=1.0):
    """Plain floats and the gradient by hand: 20,000 steps in a few milliseconds."""
    points = [(x1, x2)]
    for _ in range(steps):
        g1, g2 = -2 * (1 - x1) - 400 * x1 * (x2 - x1 ** 2), 200 * (x2 - x1 ** 2)
        x1, x2 = x1 - lr * g1, x2 - lr * g2
        points.append((x1, x2))
    return torch.tensor(points, dtype=torch.float64)  # (steps + 1, 2)


ROSEN_START = [-1.2, 1.0]
paths = {
    "Newton": newton(rosenbrock, ROSEN_START),
    "L-BFGS": trajectory(rosenbrock, ROSEN_START, lambda params: torch.optim.LBFGS(
        params, max_iter=1, max_eval=25, line_search_fn="strong_wolfe"), steps=40),
    "Adam, lr 0.05": trajectory(rosenbrock, ROSEN_START, lambda params: Adam(params, lr=0.05), steps=2500),
    "GD, lr 0.001": gradient_descent_rosenbrock(1e-3, 30_000),
}
losses = {name: rosenbrock(path.T) for name, path in paths.items()}  # (steps + 1,) each

fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4.6))
plot_contour_paths(rosenbrock, {name: path[:2000] for name, path in paths.items()}, x_range=(-1.6, 1.4),
                   y_range=(-0.6, 2.2), levels=np.logspace(-1, 3, 12), ax=left,
                   styles={"GD, lr 0.001": {"marker": None}, "Adam, lr 0.05": {"marker": None}})
left.plot(1, 1, "*", color="black", ms=12)
left.set_title("paths (GD and Adam: first 2,000 steps)")
for name, loss in losses.items():
    right.loglog(range(1, len(loss) + 1), loss.clamp_min(1e-20).numpy(), label=name)
right.set(xlabel="iteration + 1", ylabel="loss", title="loss per iteration (log-log)")
right.legend(fontsize=8)
fig.tight_layout()
plt.show()

rows = []
for name, loss in losses.items():
    below = (loss < 1e-9).nonzero()
    rows.append({"method": name, "iterations run": len(loss) - 1,
                 "first iteration with loss < 1e-9": below[0].item() if len(below) else None,
                 "final x1": paths[name][-1, 0].item(), "final x2": paths[name][-1, 1].item(),
                 "final loss": loss[-1].item()})
pd.DataFrame(rows).set_index("method")

# %% [markdown] lang="en"
# Newton needs a handful of steps because it knows the curvature; its
# second step jumps uphill, off the picture to about $(0.76, -3.18)$ with a
# loss of about 1400, before it settles, which
# is why practical Newton methods add a line search. L-BFGS estimates the
# curvature from gradient differences and needs a few dozen iterations (each
# with one or more function evaluations). Gradient descent, limited by the
# steepest direction to $\eta < 0.002$, follows the curved valley floor in
# tens of thousands of tiny steps. Adam's per-coordinate scaling lets it
# take larger steps along the flat valley floor, and it gets there in a few
# thousand steps: far better than gradient descent, far worse than the
# methods that use curvature. None of this
# carries over to a network directly: there the gradients are noisy
# mini-batch estimates and the Hessian is far too large to form, which is
# why first-order methods rule; the lesson *Optimizer race* compares them
# on Fashion-MNIST.

# %% [markdown] lang="zh"
# 牛顿法知道曲率，所以只需几步；它的第二步跳上了坡，跳出图外到约 $(0.76, -3.18)$，损失约 1400，之后才安顿下来，这就是实用的牛顿法要加线搜索的原因。L-BFGS 从梯度差估计曲率，需要几十次迭代（每次一到多次函数求值）。梯度下降受最陡方向所限只能取 $\eta < 0.002$，要用成千上万的小步沿着弯曲的谷底前进。Adam 的逐坐标缩放让它能沿平坦的谷底迈更大的步子，几千步就能到达：比梯度下降好得多，但远不如利用曲率的方法。这些结论不能直接搬到神经网络上：那里的梯度是带噪声的小批量估计，Hessian 大到无法构造，所以一阶方法占主导；实验《优化器赛跑》在 Fashion-MNIST 上比较了它们。
