"""Look inside a network: how many parameters it trains, and what its layers output.

:func:`activation_statistics` is the CS231n experiment in one call: push a
batch through the model and summarise, layer by layer, what the activations
look like (collapsed to zero? saturated at ±1? dead ReLUs?).

Bad arguments raise ``TypeError`` (wrong kind of thing) or ``ValueError``
(value not accepted) naming the argument and what it accepts.
"""
from __future__ import annotations

import pandas as pd
import torch
from torch import nn

from dlnotes import _checks

# Activations whose derivative vanishes at both ends of their range.
SATURATING = (nn.Tanh, nn.Sigmoid, nn.Hardtanh, nn.Softsign)
DEFAULT_LAYER_TYPES = (nn.Tanh, nn.Sigmoid, nn.ReLU, nn.LeakyReLU, nn.ELU, nn.SELU, nn.GELU, nn.Hardtanh,
                       nn.Softsign)
COLUMNS = ["name", "type", "mean", "std", "zero_fraction", "saturated_fraction"]


def parameter_count(model: nn.Module, trainable: bool = True) -> int:
    """Number of scalar parameters in ``model`` (an ``nn.Module`` instance); with ``trainable=True`` (the default;
    True or False) only those with ``requires_grad``.

    A parameter shared by two layers counts once, as ``model.parameters()`` yields it once.

    >>> parameter_count(nn.Linear(784, 300))  # 784 * 300 weights + 300 biases
    235500
    """
    _checks.module(model)
    trainable = _checks.flag(trainable, "trainable")
    params = [p for p in model.parameters() if p.requires_grad or not trainable]
    if any(isinstance(p, nn.parameter.UninitializedParameter) for p in params):
        raise ValueError("model has lazy parameters whose shape is not known yet; run one forward pass first")
    return sum(p.numel() for p in params)


def _check_layer_types(layer_types) -> tuple[type, ...]:
    types = layer_types if isinstance(layer_types, tuple) else (layer_types,)
    if not types or not all(isinstance(t, type) and issubclass(t, nn.Module) for t in types):
        raise TypeError("layer_types must be an nn.Module subclass or a non-empty tuple of them "
                        f"(e.g. (nn.Tanh, nn.ReLU)), got {_checks.show(layer_types)}")
    return types


def _saturated_fraction(layer: nn.Module, a: torch.Tensor, saturation: float) -> torch.Tensor:
    if isinstance(layer, nn.Sigmoid):
        # Output in (0, 1): saturated near 0 or near 1, i.e. |2a - 1| > 2 * saturation - 1.
        saturated = (a > saturation).sum() + (a < 1 - saturation).sum()
    elif isinstance(layer, SATURATING):
        saturated = (a.abs() > saturation).sum()
    else:
        return torch.tensor(float("nan"), device=a.device)  # ReLU & co. do not saturate
    return saturated.float() / a.numel()


def activation_statistics(model: nn.Module, x: torch.Tensor, layer_types=DEFAULT_LAYER_TYPES,
                          saturation: float = 0.99) -> pd.DataFrame:
    """Run ``model(x)`` once and describe the output of every layer of ``layer_types``.

    Returns a DataFrame with one row per call of a matching layer, in call
    order, indexed by ``layer`` (1, 2, ...). Columns: ``name`` (from
    ``named_modules``; a module called twice appears twice, as ``name (call 2)``),
    ``type``, ``mean`` and ``std`` (over all elements of the output, batch
    included; ``std`` as ``Tensor.std``, with Bessel's correction),
    ``zero_fraction`` (outputs exactly 0: dead ReLU units, or a collapsed
    signal), ``saturated_fraction`` (tanh-like layers: share with
    ``|a| > saturation``; sigmoid: ``a > saturation`` or ``a < 1 - saturation``;
    nan for layers that do not saturate).

    The forward pass runs without autograd and in the model's current mode
    (call ``model.eval()`` first if it has dropout or batch norm); the hooks
    are removed afterwards, even if the forward pass fails.
    Pass ``layer_types=nn.Linear`` to look at pre-activations instead.

    Accepted: ``model`` an ``nn.Module`` instance; ``x`` a non-empty tensor that
    ``model`` accepts (when ``model(x)`` raises ``RuntimeError`` or ``IndexError``,
    as torch does for an ``x`` of the wrong shape or dtype, a ``ValueError`` names
    ``x`` and gives that error; the model's other errors pass unchanged); ``layer_types`` an ``nn.Module`` subclass or a
    non-empty tuple of them, each of whose outputs is a tensor; ``saturation``
    a number in (0.5, 1).
    """
    _checks.module(model)
    _checks.tensor(x, "x", nonempty=True)
    types = _check_layer_types(layer_types)
    saturation = _checks.number(saturation, "saturation", above=0.5, below=1)

    rows, numbers, calls, not_tensors = [], [], {}, []

    def record(name):
        def hook(layer, inputs, output):
            if not isinstance(output, torch.Tensor):
                not_tensors.append(f"{name!r} returned {_checks.show(output)}")
                return
            calls[name] = calls.get(name, 0) + 1
            rows.append({"name": name if calls[name] == 1 else f"{name} (call {calls[name]})",
                         "type": type(layer).__name__})
            a = output.detach().float()
            # Kept on the device as tensors and read back once at the end: no GPU sync per layer.
            # float32 throughout (MPS has no float64); torch's reductions sum pairwise, so it stays accurate.
            if a.numel() > 1:
                std, mean = torch.std_mean(a)
            else:
                mean = a.mean()
                std = torch.full_like(mean, float("nan"))
            zeros = (a.numel() - torch.count_nonzero(a)).float() / a.numel()
            numbers.append(torch.stack([mean, std, zeros, _saturated_fraction(layer, a, saturation)]))
        return hook

    handles = [module.register_forward_hook(record(name or type(module).__name__))
               for name, module in model.named_modules() if isinstance(module, types)]
    if not handles:
        raise ValueError(f"model has no layer of layer_types {tuple(t.__name__ for t in types)}; "
                         "pass the activation classes the model uses")
    try:
        with torch.no_grad():
            model(x)
    except (RuntimeError, IndexError) as err:  # torch's errors for an x of the wrong shape or dtype
        raise ValueError(f"x must be a batch that model accepts, but model(x) with x {_checks.show(x)} raised "
                         f"{type(err).__name__}: {err}") from err
    finally:
        for handle in handles:
            handle.remove()
    if not_tensors:
        raise TypeError(f"layer_types must select layers that return tensors, but layer {not_tensors[0]}; "
                        "leave it out of layer_types")
    values = torch.stack(numbers).tolist() if numbers else []  # (calls, 4)
    for row, (mean, std, zeros, saturated) in zip(rows, values):
        row.update(mean=mean, std=std, zero_fraction=zeros, saturated_fraction=saturated)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="layer")
    return frame


def _weighted_layers(model: nn.Module, types: tuple) -> list[tuple[str, nn.Module]]:
    layers = [(name or type(m).__name__, m) for name, m in model.named_modules()
              if isinstance(m, types) and isinstance(getattr(m, "weight", None), torch.Tensor)]
    if not layers:
        raise ValueError(f"model has no layer of layer_types {tuple(t.__name__ for t in types)} with a weight; "
                         "pass the classes of its weight layers, e.g. nn.Linear or nn.Conv2d")
    return layers


def gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss=None,
                   layer_types=nn.Linear) -> pd.DataFrame:
    """One forward and backward pass of ``loss(model(x), y)``: the gradient norm of every weight layer.

    Returns a DataFrame indexed by ``layer`` (1, 2, ... in ``named_modules`` order) with columns
    ``name``, ``grad_norm`` (the Frobenius norm of ∂loss/∂weight) and ``weight_norm``. The model runs
    in its current mode; the parameters' ``.grad`` are left as they were (saved and put back), so
    this can be called in the middle of training.

    Accepted: ``model`` an ``nn.Module`` instance; ``x`` a non-empty tensor it accepts; ``y`` a tensor
    of targets; ``loss`` a callable ``(output, target) -> scalar tensor`` (default cross-entropy);
    ``layer_types`` an ``nn.Module`` subclass or a non-empty tuple of them (default ``nn.Linear``).

    >>> _ = torch.manual_seed(0)
    >>> net = nn.Sequential(nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2))
    >>> gradient_norms(net, torch.randn(8, 4), torch.tensor([0, 1] * 4)).columns.tolist()
    ['name', 'grad_norm', 'weight_norm']
    """
    _checks.module(model)
    _checks.tensor(x, "x", nonempty=True)
    _checks.tensor(y, "y")
    loss = nn.CrossEntropyLoss() if loss is None else _checks.function(loss, "loss", "(output, target) -> scalar tensor")
    layers = _weighted_layers(model, _check_layer_types(layer_types))
    saved = [(p, p.grad) for p in model.parameters()]
    for p, _ in saved:
        p.grad = None
    try:
        try:
            out = model(x)
        except (RuntimeError, IndexError) as err:
            raise ValueError(f"x must be a batch that model accepts, but model(x) with x {_checks.show(x)} raised "
                             f"{type(err).__name__}: {err}") from err
        _checks.outputs(out, y, loss, "y")  # targets that do not fit the output, named before the loss fails
        try:
            value = loss(out, y)
        except (TypeError, RuntimeError, IndexError) as err:  # the cause stays attached: nothing is hidden
            raise (TypeError if isinstance(err, TypeError) else ValueError)(
                f"loss must be a callable (output, target) -> scalar tensor that accepts the model's output "
                f"{_checks.show(out)} and y {_checks.show(y)}, but it raised {type(err).__name__}: {err}") from err
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise ValueError(f"loss must return a scalar tensor, got {_checks.show(value)}")
        value.backward()
        norms = torch.stack([torch.stack([m.weight.grad.norm() if m.weight.grad is not None
                                          else torch.tensor(float("nan"), device=m.weight.device),
                                          m.weight.detach().norm()]) for _, m in layers]).tolist()  # (layers, 2)
    finally:
        for p, grad in saved:
            p.grad = grad
    frame = pd.DataFrame([{"name": name, "grad_norm": g, "weight_norm": w}
                          for (name, _), (g, w) in zip(layers, norms)])
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="layer")
    return frame
