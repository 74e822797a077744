"""The networks the suite merges, beyond those of fixtures/daconv_torch.py, and their plain twins.

Every network is built seeded, randomized with non-trivial values (``daconv_torch.randomize_``: gates far
from 0.5, biases, BatchNorm statistics) and put in eval mode, so BatchNorm uses its running statistics.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

import daconv_torch as dt
from interop_support.rules import DEFAULT_RULES, Branch, fold, is_foldable

TRI_RULES = (Branch("a", "add", "ta"), Branch("d", "difference", "td"), Branch("v", "vanilla", None))


class TriBranchConv(nn.Module):
    """A DAConv variant with custom names: gated branches ``a`` (add) and ``d`` (difference) and an ungated
    plain branch ``v``. Foldable only under ``TRI_RULES``; the default rules see no DAConv in it."""

    def __init__(self, in_channels, out_channels, kernel_size, bias=True):
        super().__init__()
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        geometry = dict(padding=(kh // 2, kw // 2), bias=bias)
        self.ta = nn.Parameter(torch.zeros(1))
        self.td = nn.Parameter(torch.zeros(()))
        self.a = nn.Conv2d(in_channels, out_channels, kernel_size, **geometry)
        self.d = nn.Conv2d(in_channels, out_channels, kernel_size, **geometry)
        self.v = nn.Conv2d(in_channels, out_channels, kernel_size, **geometry)

    def forward(self, x):
        centre_a = F.conv2d(x, self.a.weight.sum((2, 3), keepdim=True))
        centre_d = F.conv2d(x, self.d.weight.sum((2, 3), keepdim=True))
        return (torch.sigmoid(self.ta) * (self.a(x) + centre_a)
                + torch.sigmoid(self.td) * (self.d(x) - centre_d) + self.v(x))


class GeometryNet(nn.Module):
    """A plain 1x1 convolution, one DAConv of the geometry under test, BatchNorm, ReLU and a plain head:
    the DAConv's keys sit between pass-through keys, so its folded position in the key order is tested."""

    def __init__(self, channels=8, out_channels=8, **daconv_options):
        super().__init__()
        self.pre = nn.Conv2d(3, channels, 1)
        self.block = dt.DAConv(channels, out_channels, **daconv_options)
        self.norm = nn.BatchNorm2d(out_channels)
        self.head = nn.Conv2d(out_channels, 3, 1)

    def forward(self, x):
        return self.head(F.relu(self.norm(self.block(self.pre(x)))))


class TriBranchNet(nn.Module):
    """Two ``TriBranchConv``s (kernels 3 and (3, 5), the second without biases) around BatchNorm."""

    def __init__(self):
        super().__init__()
        self.first = TriBranchConv(3, 8, 3)
        self.norm = nn.BatchNorm2d(8)
        self.second = TriBranchConv(8, 4, (3, 5), bias=False)

    def forward(self, x):
        return self.second(F.relu(self.norm(self.first(x))))


class MixedNet(nn.Module):
    """A DAConv followed by a TriBranchConv: under ``TRI_RULES`` only the second folds, so the DAConv's
    keys must pass through untouched (custom rules replace the defaults, they do not add to them)."""

    def __init__(self):
        super().__init__()
        self.daconv = dt.DAConv(3, 8, 3)
        self.tri = TriBranchConv(8, 4, 3)

    def forward(self, x):
        return self.tri(F.relu(self.daconv(x)))


def prepared(net, seed, dtype=torch.float32, gate_names=()):
    """Randomizes ``net`` (seeded), scales the named gate parameters like DAConv thetas, converts to
    ``dtype`` and returns it in eval mode."""
    dt.randomize_(net, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, parameter in net.named_parameters():
            if name.rpartition(".")[2] in gate_names:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 2.0)
    return net.to(dtype).eval()


def foldable_modules(net, rules=DEFAULT_RULES):
    """``(name, module)`` of every module the rules fold, in ``named_modules`` order (outermost first)."""
    found = []
    for name, module in net.named_modules():
        if any(name.startswith(outer + ".") for outer, _ in found):
            continue
        if is_foldable(module, rules):
            found.append((name, module))
    return found


def folded_conv(module, rules):
    """An ``nn.Conv2d`` with the geometry of the first branch carrying the fold, rounded once to its dtype."""
    branch = getattr(module, rules[0].name)
    weight, bias = fold(module, rules)
    conv = nn.Conv2d(branch.in_channels, branch.out_channels, branch.kernel_size, branch.stride,
                     branch.padding, branch.dilation, branch.groups, bias is not None,
                     dtype=branch.weight.dtype)
    with torch.no_grad():
        conv.weight.copy_(weight.to(branch.weight.dtype))
        if bias is not None:
            conv.bias.copy_(bias.to(branch.weight.dtype))
    return conv.train(module.training)


def plain_twin(net, rules=DEFAULT_RULES):
    """A copy of ``net`` with every foldable module replaced by its folded Conv2d (same place, same name)."""
    twin = copy.deepcopy(net)
    for name, module in foldable_modules(twin, rules):
        parent_name, _, child = name.rpartition(".")
        parent = twin.get_submodule(parent_name) if parent_name else twin
        setattr(parent, child, folded_conv(module, rules))
    return twin


def empty_twin(net, rules=DEFAULT_RULES):
    """The plain twin with every parameter and buffer zeroed: what the merged checkpoint is loaded into,
    so nothing of the expected values can leak into the comparison."""
    twin = plain_twin(net, rules)
    with torch.no_grad():
        for tensor in twin.state_dict(keep_vars=True).values():
            tensor.zero_()
    return twin
