"""What fit and evaluate compute from (output, target): the loss and the metrics, for one output or several.

One output: ``loss`` a callable, ``metrics`` a dict name -> callable; logged as ``loss``, ``accuracy``.
Several named outputs (the model returns a dict): ``loss`` a dict output name -> callable, optional
``loss_weights`` a dict output name -> weight (default 1 each), ``metrics`` a dict output name -> dict
name -> callable. The loss that is minimised is the weighted sum; logged as ``loss`` (the sum),
``price_loss``, ``aux_loss`` (each output's own, unweighted) and ``price_mae`` and the like.
"""
from __future__ import annotations

import torch

from dlnotes import _checks


class Objective:
    def __init__(self, loss, loss_weights=None, metrics=None, *, loss_required: bool = True):
        self.named = isinstance(loss, dict) or (loss is None and isinstance(metrics, dict) and metrics
                                                and all(isinstance(v, dict) for v in metrics.values()))
        if not self.named:
            if loss_weights is not None:
                raise ValueError("loss_weights is for a model with several outputs, with loss a dict "
                                 "{output name: loss}; with one loss, leave it None")
            self.loss = None if loss is None and not loss_required else _checks.loss_function(loss)
            self.weights, self.outputs = None, None
            self.metrics = [(key, None, fn) for key, fn in _checks.metrics(metrics).items()]
        else:
            self._named(loss, loss_weights, metrics)
        self.names = (["loss"] + [f"{k}_loss" for k in (self.outputs if self.named else [])]
                      if self.loss is not None else []) + [key for key, _, _ in self.metrics]

    def _named(self, loss, loss_weights, metrics) -> None:
        if loss is not None:
            if not loss or not all(isinstance(k, str) and k and not k.startswith(("_", "val_"))
                                   and k not in _checks.RESERVED_LOG_KEYS for k in loss):
                raise ValueError(f"loss must be a dict of output name -> loss, e.g. {{'price': nn.MSELoss()}}, "
                                 f"got {_checks.show(loss)}")
            self.loss = {k: _checks.loss_function(fn, f"loss[{k!r}]") for k, fn in loss.items()}
            self.outputs = list(loss)
        else:
            self.loss, self.outputs = None, list(metrics)
        weights = {} if loss_weights is None else loss_weights
        if not isinstance(weights, dict):
            raise TypeError(f"loss_weights must be a dict of output name -> weight, got {_checks.show(weights)}")
        unknown = sorted(set(weights) - set(self.outputs), key=str)
        if unknown:
            raise ValueError(f"loss_weights names outputs {unknown} that loss does not have; the outputs are "
                             f"{self.outputs}")
        self.weights = {k: _checks.number(weights.get(k, 1.0), f"loss_weights[{k!r}]", minimum=0)
                        for k in self.outputs}
        per_output = {} if metrics is None else metrics
        if not isinstance(per_output, dict) or not all(isinstance(v, dict) for v in per_output.values()):
            raise TypeError("metrics must be a dict of output name -> {metric name: callable} when the model has "
                            f"several outputs, e.g. {{'price': {{'mae': mae}}}}, got {_checks.show(metrics)}")
        unknown = sorted(set(per_output) - set(self.outputs), key=str)
        if unknown:
            raise ValueError(f"metrics names outputs {unknown} that loss does not have; the outputs are "
                             f"{self.outputs}")
        self.metrics = [(f"{k}_{name}", k, fn) for k in self.outputs
                        for name, fn in _checks.metrics(per_output.get(k), f"metrics[{k!r}]").items()]

    # ------------------------------------------------------------ per batch

    def check(self, out, y, name: str) -> None:
        """First batch: outputs and targets fit the losses (named: the same names as the losses)."""
        if not self.named:
            _checks.outputs(out, y, self.loss, name)
            return
        for what, value in (("model", out), (f"{name} targets", y)):
            if not isinstance(value, dict):
                raise TypeError(f"{what} must give a dict of outputs {self.outputs} (loss names them), got "
                                f"{_checks.show(value)}")
            missing, extra = sorted(set(self.outputs) - set(value)), sorted(set(value) - set(self.outputs))
            if missing or extra:
                raise ValueError(f"{what} must give exactly the outputs loss names, {self.outputs}; "
                                 f"missing {missing}, not in loss {extra}")
        for k in self.outputs:
            _checks.outputs(out[k], y[k], self.loss[k] if self.loss else None, f"{name}[{k!r}]")

    def check_loss(self, total, parts, training: bool = False) -> None:
        """First batch: every loss is one number (a weighted sum of non-scalars would broadcast silently)."""
        for k, part in zip(self.outputs or [], parts):
            _checks.loss_value(part, f"loss[{k!r}]", training)
        _checks.loss_value(total, "loss", training)

    def loss_of(self, out, y, name: str, batch: int):
        """The loss to minimise (a scalar tensor) and each output's own loss (named outputs; else [])."""
        if not self.named:
            return _loss(self.loss, out, y, name, batch), []
        parts = [_loss(self.loss[k], out[k], y[k], f"{name}[{k!r}]", batch) for k in self.outputs]
        total = sum(self.weights[k] * part for k, part in zip(self.outputs, parts))
        return total, parts

    def values(self, out, y, total, parts, device) -> torch.Tensor:
        """(len(names),) float32 on the device: this batch's mean loss(es) and metrics, in ``names`` order."""
        values = [] if total is None else [total.detach().reshape(()), *(p.detach().reshape(()) for p in parts)]
        for key, output, fn in self.metrics:
            o, t = (out, y) if output is None else (out[output], y[output])
            values.append(_checks.metric_value(fn(o, t), f"metrics[{key!r}]").to(device))
        return torch.stack([v.to(torch.float32) for v in values])


def _loss(loss, out, y, name: str, batch: int):
    try:
        return loss(out, y)
    except (IndexError, RuntimeError):
        _checks.labels_in_range(out, y, loss, f"{name} batch {batch}")  # out-of-range labels past the first batch
        raise
