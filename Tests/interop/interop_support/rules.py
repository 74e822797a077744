"""Folding rules as the tool's command line spells them, and the generic fold they define.

A rule ``NAME:KIND:GATE`` names a branch convolution ``P.NAME`` of a foldable module ``P`` and how it
enters the folded kernel: ``add`` adds the branch kernel's spatial sum at the centre tap, ``difference``
subtracts it, ``vanilla`` uses the kernel as it is. The branch is scaled by ``sigmoid(P.GATE)``, or by 1
when GATE is ``none``. The default rules are DAConv's: ``cac:add:cac_theta cdc:difference:cdc_theta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

KINDS = ("add", "difference", "vanilla")


@dataclass(frozen=True)
class Branch:
    """One folding rule: the branch child's name, how its kernel folds, and its gate parameter (or None)."""

    name: str
    kind: str
    gate: str | None

    def flag(self):
        """The ``--branch`` value for this rule."""
        return f"{self.name}:{self.kind}:{self.gate or 'none'}"

    def line(self):
        """The rules-file line for this rule."""
        return f"{self.name} {self.kind} {self.gate or 'none'}"


DEFAULT_RULES = (Branch("cac", "add", "cac_theta"), Branch("cdc", "difference", "cdc_theta"))


def is_foldable(module, rules):
    """True if ``module`` has a Conv2d child for every rule and a parameter for every gate."""
    for rule in rules:
        if not isinstance(getattr(module, rule.name, None), nn.Conv2d):
            return False
        if rule.gate is not None and not isinstance(getattr(module, rule.gate, None), torch.Tensor):
            return False
    return True


def gate_value(module, rule):
    """sigmoid of the rule's gate in float64 as a 0-dim tensor (1 without gate)."""
    if rule.gate is None:
        return torch.ones((), dtype=torch.float64)
    return torch.sigmoid(getattr(module, rule.gate).detach().double()).reshape(())


def branch_kernel(module, rule):
    """The branch's float64 kernel with its centre-tap term applied as the rule's kind says."""
    weight = getattr(module, rule.name).weight.detach().double().clone()
    if rule.kind == "vanilla":
        return weight
    sign = 1.0 if rule.kind == "add" else -1.0
    kh, kw = weight.shape[2], weight.shape[3]
    weight[:, :, kh // 2, kw // 2] += sign * weight.sum((2, 3))
    return weight


def fold(module, rules, magnitudes=False):
    """Returns float64 ``(weight, bias)`` of the single convolution equal to ``module`` (bias None if no branch has one).

    With ``magnitudes`` every term is replaced by its absolute value: the result bounds, element by element,
    the size of what was summed, which is the scale rounding errors of a different summation order live on.
    """
    weight, bias = None, None
    for rule in rules:
        gate = gate_value(module, rule)
        kernel = branch_kernel_magnitudes(module, rule) if magnitudes else branch_kernel(module, rule)
        weight = gate * kernel if weight is None else weight + gate * kernel
        conv_bias = getattr(module, rule.name).bias
        if conv_bias is not None:
            term = gate * conv_bias.detach().double()
            term = term.abs() if magnitudes else term
            bias = term if bias is None else bias + term
    return weight, bias


def branch_kernel_magnitudes(module, rule):
    """Like ``branch_kernel`` on absolute values: |w| everywhere, plus sum |w| at the centre unless vanilla."""
    weight = getattr(module, rule.name).weight.detach().double().abs().clone()
    if rule.kind != "vanilla":
        kh, kw = weight.shape[2], weight.shape[3]
        weight[:, :, kh // 2, kw // 2] += weight.sum((2, 3))
    return weight
