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
# # Computational graphs, drawn
#
# A computational graph is what backpropagation walks: every value of the
# forward pass is a node, every operation joins its inputs to its result.
# This lesson builds two graphs with the scalar engine
# `dlnotes.scratch.engine.Value` and draws them with
# `dlnotes.scratch.graph.draw_graph`: the course's $J = 3(a + bc)$ and
# CS231n's sigmoid neuron. Each box shows a value's name, its forward value
# (`data`) and the gradient of the output with respect to it (`grad`); each
# circle is the operation that produced the box to its right. Read the
# `data` lines from left to right (forward pass) and the `grad` lines from
# right to left (backward pass). Last, PyTorch's autograd computes the same
# gradients.
#
# The derivations behind the numbers are on the page *Gradients, the chain
# rule and computational graphs*.

# %% [markdown] lang="zh"
# # 画出计算图
#
# 计算图就是反向传播要走的路：前向传播中的每个值是一个节点，每个运算把它的输入连到它的结果。本实验用标量引擎 `dlnotes.scratch.engine.Value` 搭出两张图，并用 `dlnotes.scratch.graph.draw_graph` 画出来：原课程笔记中的 $J = 3(a + bc)$ 和 CS231n 的 sigmoid 神经元。每个方框显示一个值的名字、它的前向值（`data`）以及输出对它的梯度（`grad`）；每个圆圈是产生其右侧方框的运算。`data` 一行从左往右读（前向传播），`grad` 一行从右往左读（反向传播）。最后，用 PyTorch 的 autograd 算出同样的梯度。
#
# 这些数字背后的推导见本站页面《梯度、链式法则与计算图》。

# %%
import time

import matplotlib.pyplot as plt
import torch

import dlnotes
from dlnotes.scratch.engine import Value
from dlnotes.scratch.graph import draw_graph

start_time = time.perf_counter()
dev = dlnotes.device()
print("running on", dlnotes.device_name(dev))

# %% [markdown] lang="en"
# ## 1. $J = 3(a + bc)$ at $a = 5$, $b = 3$, $c = 2$
#
# The intermediate results are $u = bc = 6$ and $v = a + u = 11$, and
# $J = 3v = 33$. Backwards: $\partial J/\partial v = 3$ passes unchanged
# through the addition to $a$ and $u$, and the multiplication $u = bc$ sends
# $3c = 6$ to $b$ and $3b = 9$ to $c$. The unlabelled box holding 3 is the
# constant factor; it gets a gradient too ($v = 11$), which nobody uses.

# %% [markdown] lang="zh"
# ## 1. $a = 5$、$b = 3$、$c = 2$ 时的 $J = 3(a + bc)$
#
# 中间结果是 $u = bc = 6$、$v = a + u = 11$，以及 $J = 3v = 33$。反向时，$\partial J/\partial v = 3$ 经过加法原样传给 $a$ 和 $u$，乘法 $u = bc$ 则把 $3c = 6$ 传给 $b$、把 $3b = 9$ 传给 $c$。没有名字、值为 3 的方框是常数因子，它也得到了一个梯度（$v = 11$），只是没人用它。

# %%
a, b, c = Value(5.0, label="a"), Value(3.0, label="b"), Value(2.0, label="c")
u = b * c
u.label = "u"
v = a + u
v.label = "v"
J = 3 * v
J.label = "J"
J.backward()

fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
draw_graph(J, ax, fontsize=10)
ax.set_title("J = 3(a + bc): forward values (data) and gradients dJ/d(node) (grad)")
plt.show()
print({node.label: (node.data, node.grad) for node in (a, b, c, u, v, J)})

# %% [markdown] lang="en"
# ## 2. CS231n's sigmoid neuron
#
# $f(w, x) = 1 / (1 + e^{-(w_0 x_0 + w_1 x_1 + w_2)})$ with
# $w = [2, -3, -3]$ and $x = [-1, -2]$, built from elementary gates exactly
# as CS231n draws it: two products, two sums, a multiplication by $-1$, an
# exponential, $+1$ and the reciprocal ($\mathtt{**-1}$). The output is
# $0.7311$; the reciprocal gate sends back $-1/1.3679^2 = -0.5344$, the
# exponential turns it into $-0.5344 \cdot e^{-1} = -0.1966$, the
# multiplication by $-1$ flips the sign, and the additions hand the
# resulting $0.1966$ unchanged to the two products. There the mul gates swap:
# each weight receives its input times $0.1966$ and each input its weight
# times $0.1966$.

# %% [markdown] lang="zh"
# ## 2. CS231n 的 sigmoid 神经元
#
# $f(w, x) = 1 / (1 + e^{-(w_0 x_0 + w_1 x_1 + w_2)})$，取 $w = [2, -3, -3]$、$x = [-1, -2]$，完全按 CS231n 的画法由基本门搭成：两次乘法、两次加法、一次乘 $-1$、一次指数、一次 $+1$ 和一次取倒数（$\mathtt{**-1}$）。输出是 $0.7311$；倒数门传回 $-1/1.3679^2 = -0.5344$，指数门把它变成 $-0.5344 \cdot e^{-1} = -0.1966$，乘 $-1$ 翻转符号，两个加法门再把得到的 $0.1966$ 原样交给两个乘积。到了乘法门，输入互换：每个权重得到对应输入乘以 $0.1966$，每个输入得到对应权重乘以 $0.1966$。

# %%
w0, x0, w1, x1, w2 = (Value(value, label=name) for value, name in
                      zip((2.0, -1.0, -3.0, -2.0, -3.0), ("w0", "x0", "w1", "x1", "w2")))
f = (1 + (-(w0 * x0 + w1 * x1 + w2)).exp()) ** -1
f.label = "f"
f.backward()

fig, ax = plt.subplots(figsize=(14, 4.5), layout="constrained")
draw_graph(f, ax, fontsize=9)
ax.set_title("CS231n's sigmoid neuron f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))), gate by gate")
plt.show()
print("f =", round(f.data, 4))
print("grad w:", [round(p.grad, 4) for p in (w0, w1, w2)], " grad x:", [round(p.grad, 4) for p in (x0, x1)])

# %% [markdown] lang="en"
# ## 3. The same gradients from PyTorch
#
# PyTorch records the same graph while it computes (on the device chosen
# above) and its `backward()` must give the same gradients. The largest
# difference over both examples is printed below; it is zero up to
# floating-point rounding.

# %% [markdown] lang="zh"
# ## 3. 用 PyTorch 得到同样的梯度
#
# PyTorch 在计算时（在上面选定的设备上）记录同一张图，它的 `backward()` 应当给出相同的梯度。下面打印两个例子中的最大差值：除浮点舍入误差外为零。

# %%
ta, tb, tc = (torch.tensor(value, device=dev, requires_grad=True) for value in (5.0, 3.0, 2.0))
(3 * (ta + tb * tc)).backward()
engine_j, torch_j = [a.grad, b.grad, c.grad], [t.grad.item() for t in (ta, tb, tc)]

tw = torch.tensor([2.0, -3.0, -3.0], device=dev, requires_grad=True)
tx = torch.tensor([-1.0, -2.0], device=dev, requires_grad=True)
tf = torch.sigmoid(tw[0] * tx[0] + tw[1] * tx[1] + tw[2])
tf.backward()
engine_n = [w0.grad, w1.grad, w2.grad, x0.grad, x1.grad, f.data]
torch_n = tw.grad.tolist() + tx.grad.tolist() + [tf.item()]

print("J example      engine:", engine_j, " torch:", torch_j)
print("sigmoid neuron engine:", [round(g, 4) for g in engine_n], " torch:", [round(g, 4) for g in torch_n])
max_diff = max(abs(e - t) for e, t in zip(engine_j + engine_n, torch_j + torch_n))
print(f"largest difference: {max_diff:.1e}")
assert max_diff < 1e-6  # float32 on the device against the engine's float64

# %% [markdown] lang="en"
# The two implementations agree: 3, 6 and 9 for $a$, $b$ and $c$; 0.7311 for
# the neuron's output, $[-0.1966, -0.3932, 0.1966]$ on $w$ and
# $[0.3932, -0.5898]$ on $x$ (CS231n's figure rounds them to
# $[-0.20, -0.39, 0.20]$ and $[0.39, -0.59]$).

# %% [markdown] lang="zh"
# 两种实现结果一致：$a$、$b$、$c$ 的梯度是 3、6、9；神经元输出 0.7311，$w$ 上的梯度为 $[-0.1966, -0.3932, 0.1966]$，$x$ 上为 $[0.3932, -0.5898]$（CS231n 图中四舍五入为 $[-0.20, -0.39, 0.20]$ 和 $[0.39, -0.59]$）。

# %%
print(f"lesson run time: {time.perf_counter() - start_time:.1f} s")
