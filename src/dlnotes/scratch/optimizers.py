"""Gradient-descent optimizers from scratch, to the update rules of ``torch.optim``.

Each class takes a list of tensors (a model's ``parameters()`` or a single
point ``[x]``), and each ``step()`` reads every ``.grad`` and changes the
tensors in place, exactly as the ``torch.optim`` class of the same name does
with the same arguments: same defaults, the same place for ``eps``, the same
bias correction, the same form of Nesterov momentum. A test runs both side by
side and compares the trajectories. ``weight_decay`` is torch's: the gradient
of an L2 penalty, ``weight_decay * p``, added to ``g`` before the update;
:class:`AdamW` shrinks the weights directly instead ("decoupled" decay), which
for Adam is not the same thing. ``maximize``, parameter groups and AMSGrad are
left out; they add lines, not ideas. Stricter than
torch: ``lr`` and ``eps`` must be > 0 (``eps=0`` turns a zero gradient into
0 / 0 = nan), and a tensor listed twice in ``params`` is refused (torch only
warns, then updates it twice per step).

Notation in the comments: ``g`` the gradient, ``lr`` the learning rate
(eta in the formulas), ``t`` the number of steps taken so far, counting this one.

>>> x = torch.tensor([-5.0, -2.0], dtype=torch.float64)
>>> f = lambda x: 0.1 * x[0] ** 2 + 2 * x[1] ** 2
>>> path = trajectory(f, x, lambda params: SGD(params, lr=0.4), steps=20)
>>> path.shape
torch.Size([21, 2])
>>> path[-1]
tensor([-9.4347e-01, -7.3123e-05], dtype=torch.float64)
"""
from __future__ import annotations

import torch

from dlnotes._checks import flag, function, instance, integer, number, show, tensor


# --- argument checks ---------------------------------------------------------

def _parameters(params) -> list[torch.Tensor]:
    """A non-empty list of distinct floating-point leaf tensors, from any iterable (``model.parameters()``)."""
    if isinstance(params, torch.Tensor):  # a lone tensor would iterate over its rows
        raise TypeError(f"params must be a list of tensors, got {show(params)}; wrap it: [x]")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params must be a list of tensors, got {show(params)}") from None
    if not params:
        raise ValueError("params must contain at least one tensor, got an empty list")
    for i, p in enumerate(params):
        tensor(p, f"params[{i}]", floating=True)
        if not p.is_leaf:  # as torch.optim: the step would change a computed tensor, not a parameter
            raise ValueError(f"params[{i}] must be a leaf tensor (a parameter, not computed from one), "
                             f"got {show(p)}; use p.detach().requires_grad_()")
    if len({id(p) for p in params}) != len(params):  # each step() would update it twice
        raise ValueError("params must not hold the same tensor twice (each step() would update it twice)")
    return params


def _decay(value, name: str) -> float:
    """A decay rate of a running average or of momentum: 0 <= value < 1."""
    return number(value, name, minimum=0, below=1)


# --- the optimizers ----------------------------------------------------------

class Optimizer:
    """What every optimizer shares: the parameter list, ``zero_grad()`` and the loop of ``step()``.

    A subclass writes ``update(param, grad, state)``: one parameter's step, with
    ``state`` a dict that this parameter keeps from one step to the next
    (running averages, the step count).
    """

    def __init__(self, params, lr, weight_decay=0.0):
        self.params = _parameters(params)
        self.lr = number(lr, "lr", above=0)
        self.weight_decay = number(weight_decay, "weight_decay", minimum=0)
        self.state = [{"step": 0} for _ in self.params]

    def zero_grad(self):
        """Forget the gradients; ``backward()`` adds to ``.grad``, so each step needs this first."""
        for p in self.params:
            p.grad = None

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given one.

        ``closure`` (zero the gradients, compute the loss, ``backward()``, return the loss)
        is optional here, as in ``torch.optim``, where only methods such as L-BFGS need it.
        """
        loss = None
        if closure is not None:
            function(closure, "closure", "() -> loss, that zeroes the gradients and calls backward()")
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():  # the update itself is not part of any graph
            for p, state in zip(self.params, self.state):
                if p.grad is None:  # torch skips such a parameter, and so does its step count
                    continue
                state["step"] += 1
                grad = p.grad
                if self.weight_decay:  # the gradient of (weight_decay / 2) * ||p||^2 added to the loss
                    grad = grad + self.weight_decay * p
                self.update(p, grad, state)
        return loss

    def update(self, param, grad, state):
        raise NotImplementedError(f"{type(self).__name__} must define update(param, grad, state): "
                                  f"Optimizer is the base class of SGD, Adagrad, RMSprop, Adam and AdamW")


class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as ``torch.optim.SGD``.

    Plain:     p <- p - lr * g
    Momentum:  b <- momentum * b + (1 - dampening) * g   (b = g on the first step)
               p <- p - lr * b
    Nesterov:  p <- p - lr * (g + momentum * b)          (with b updated as above)
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = _decay(momentum, "momentum")
        self.dampening = number(dampening, "dampening", minimum=0, maximum=1)
        nesterov = flag(nesterov, "nesterov")
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError(f"nesterov=True needs momentum > 0 and dampening = 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        self.nesterov = nesterov

    def update(self, param, grad, state):
        if self.momentum == 0:
            param -= self.lr * grad
            return
        if "buffer" not in state:
            state["buffer"] = grad.clone()  # torch starts the buffer at g, not at (1 - dampening) g
        else:
            state["buffer"] = self.momentum * state["buffer"] + (1 - self.dampening) * grad
        direction = grad + self.momentum * state["buffer"] if self.nesterov else state["buffer"]
        param -= self.lr * direction


class Adagrad(Optimizer):
    """Per-coordinate steps shrinking with the sum of all squared gradients, as ``torch.optim.Adagrad``.

    s <- s + g^2                              (s starts at initial_accumulator_value)
    p <- p - lr_t * g / (sqrt(s) + eps)       with lr_t = lr / (1 + (t - 1) * lr_decay)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
        super().__init__(params, lr, weight_decay)
        self.lr_decay = number(lr_decay, "lr_decay", minimum=0)
        self.initial_accumulator_value = number(initial_accumulator_value, "initial_accumulator_value", minimum=0)
        self.eps = number(eps, "eps", above=0)  # 0 would make a zero gradient 0 / 0 = nan

    def update(self, param, grad, state):
        if "sum" not in state:
            state["sum"] = torch.full_like(param, self.initial_accumulator_value)
        state["sum"] = state["sum"] + grad * grad  # never forgets: the steps only shrink
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        param -= lr * grad / (state["sum"].sqrt() + self.eps)  # eps outside the root


class RMSprop(Optimizer):
    """Adagrad with a running average instead of a sum, as ``torch.optim.RMSprop``.

    v <- alpha * v + (1 - alpha) * g^2        (v starts at 0; no bias correction)
    centered: subtract the square of the running average of g, m <- alpha * m + (1 - alpha) * g
    step  d = g / (sqrt(v [- m^2]) + eps)
    p <- p - lr * d,  or with momentum:  b <- momentum * b + d,  p <- p - lr * b
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        super().__init__(params, lr, weight_decay)
        self.alpha = _decay(alpha, "alpha")
        self.eps = number(eps, "eps", above=0)  # 0 would make a zero gradient 0 / 0 = nan
        self.momentum = _decay(momentum, "momentum")
        self.centered = flag(centered, "centered")

    def update(self, param, grad, state):
        if "square_avg" not in state:
            state["square_avg"] = torch.zeros_like(param)
            state["grad_avg"] = torch.zeros_like(param)  # read only when centered
            state["buffer"] = torch.zeros_like(param)    # read only with momentum
        state["square_avg"] = self.alpha * state["square_avg"] + (1 - self.alpha) * grad * grad
        variance = state["square_avg"]
        if self.centered:  # an estimate of the variance of g instead of its second moment
            state["grad_avg"] = self.alpha * state["grad_avg"] + (1 - self.alpha) * grad
            variance = variance - state["grad_avg"] ** 2
        direction = grad / (variance.sqrt() + self.eps)  # eps outside the root
        if self.momentum > 0:
            state["buffer"] = self.momentum * state["buffer"] + direction
            direction = state["buffer"]
        param -= self.lr * direction


class Adam(Optimizer):
    """Momentum (first moment) over RMSprop's scale (second moment), both bias-corrected, as ``torch.optim.Adam``.

    m <- beta1 * m + (1 - beta1) * g          v <- beta2 * v + (1 - beta2) * g^2   (both start at 0)
    m_hat = m / (1 - beta1^t)                 v_hat = v / (1 - beta2^t)
    p <- p - lr * m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        instance(betas, "betas", (tuple, list), "a pair (beta1, beta2)")  # not a set: its order is arbitrary
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {show(betas)}")
        self.betas = (_decay(betas[0], "betas[0]"), _decay(betas[1], "betas[1]"))
        self.eps = number(eps, "eps", above=0)  # 0 would make a zero gradient 0 / 0 = nan

    def update(self, param, grad, state):
        beta1, beta2 = self.betas
        if "m" not in state:
            state["m"] = torch.zeros_like(param)
            state["v"] = torch.zeros_like(param)
        state["m"] = beta1 * state["m"] + (1 - beta1) * grad
        state["v"] = beta2 * state["v"] + (1 - beta2) * grad * grad
        t = state["step"]
        m_hat = state["m"] / (1 - beta1 ** t)  # the averages start at 0: divide out that pull towards 0
        v_hat = state["v"] / (1 - beta2 ** t)
        param -= self.lr * m_hat / (v_hat.sqrt() + self.eps)  # eps outside the root


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW`` (Loshchilov and Hutter, 2019).

    p <- p * (1 - lr * weight_decay)          then Adam's step on the plain gradient g

    Adam's ``weight_decay`` adds ``weight_decay * p`` to g, and the division by sqrt(v_hat) then rescales
    that pull per coordinate: a weight with large gradients is barely decayed. Here every weight shrinks
    by the same factor, as an L2 penalty does under plain SGD.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps)  # no L2 term in the gradient
        self.decoupled_weight_decay = number(weight_decay, "weight_decay", minimum=0)

    def update(self, param, grad, state):
        param.mul_(1 - self.lr * self.decoupled_weight_decay)  # before the step, as torch does
        super().update(param, grad, state)


# --- running an optimizer on a function --------------------------------------

def _start(x0) -> torch.Tensor:
    """x0 as a finite floating-point vector (d,): a tensor keeps its dtype, a list becomes float64."""
    if not isinstance(x0, torch.Tensor):
        try:
            x0 = torch.as_tensor(x0)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"x0 must be a vector: a list of numbers or a 1-d tensor, got {show(x0)}") from None
        if x0.is_complex() or x0.dtype == torch.bool:
            raise TypeError(f"x0 must hold real numbers, got {show(x0)}")
        x0 = x0.to(torch.float64)
    tensor(x0, "x0", floating=True, dims=(1,), nonempty=True)
    if not torch.isfinite(x0).all():  # every point after it would be nan
        raise ValueError(f"x0 must be finite, got {x0.tolist()}")
    return x0


def trajectory(f, x0, make_optimizer, steps: int) -> torch.Tensor:
    """The points an optimizer visits while minimising ``f`` from ``x0``: shape (steps + 1, d).

    ``f`` maps a vector of shape (d,) to a scalar tensor. ``make_optimizer`` turns a
    parameter list into an optimizer, so any of the classes here or of ``torch.optim``
    works: ``lambda params: torch.optim.Adam(params, lr=0.1)``. Each step goes through
    ``optimizer.step(closure)``, which L-BFGS needs and the others accept; for L-BFGS one
    step is up to ``max_iter`` inner iterations. A list ``x0`` becomes float64; a tensor
    keeps its dtype. Row 0 is ``x0``.
    """
    function(f, "f", "vector (d,) -> scalar tensor")
    if not callable(make_optimizer):  # a class is welcome here: SGD([x]) makes an optimizer
        raise TypeError(f"make_optimizer must be a callable list of tensors -> optimizer, "
                        f"got {show(make_optimizer)}")
    steps = integer(steps, "steps", minimum=0)
    x0 = _start(x0)
    x = x0.detach().clone().requires_grad_(True)  # (d,) the optimizer's only parameter
    optimizer = make_optimizer([x])
    if not (callable(getattr(optimizer, "step", None)) and callable(getattr(optimizer, "zero_grad", None))):
        raise TypeError(f"make_optimizer must return an optimizer, with step() and zero_grad(), "
                        f"got {show(optimizer)}")

    def closure():
        optimizer.zero_grad()
        loss = f(x)
        if not isinstance(loss, torch.Tensor) or loss.numel() != 1 or not loss.is_floating_point():
            raise ValueError(f"f must return a scalar tensor of floats (one element), got {show(loss)}")
        if not loss.requires_grad:
            raise ValueError("f must return a tensor computed from its argument, through autograd: "
                             "this one does not require grad")
        loss.backward()
        return loss

    points = [x.detach().clone()]
    for _ in range(steps):
        optimizer.step(closure)
        points.append(x.detach().clone())
    return torch.stack(points)  # (steps + 1, d)
