"""DAConv layers and the merges other people's code makes of them, computed by torch itself.

``release_re_para`` folds a DAConv the way the public release's ``re_para`` does: in the module's own dtype,
step by step (tap sums, centre add, sigmoid, products, branch sum, each a torch op in that dtype).
``gates_first`` is the other natural order, and ``rounded_once`` the fold in float64 rounded once, as this
tool and most conversion scripts do. All three are correct merges: ``verify`` must pass every one.
"""

from __future__ import annotations

import torch

import daconv_torch as dt

FAN_INS = (27, 288, 2304, 4608)
KERNELS = (3, 5)
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64}


def channels(fan_in, kernel):
    """``in/groups`` for a fan-in and kernel: the nearest whole number (27 with k=5 is 1 x 25)."""
    return max(1, round(fan_in / (kernel * kernel)))


def grid_modules(dtype, seed=0, out_channels=4):
    """``{name: DAConv}`` for every fan-in and kernel of the grid: few outputs, wide inputs (cheap to probe).

    Gates are moved away from 0 (where sigmoid is 0.5 and products are exact) and the DA branch is made
    larger than the CA one, so their centre terms partly cancel, as in trained models.
    """
    generator = torch.Generator().manual_seed(seed)
    modules = {}
    for fan_in in FAN_INS:
        for kernel in KERNELS:
            torch.manual_seed(seed * 1000 + fan_in + kernel)
            module = dt.DAConv(channels(fan_in, kernel), out_channels, kernel).to(dtype)
            with torch.no_grad():
                module.cac_theta.copy_(torch.rand(1, generator=generator) * 3 - 1.5)
                module.cdc_theta.copy_(torch.rand(1, generator=generator) * 3 - 1.5)
                module.cdc.weight.mul_(1.7)
            modules[f"f{fan_in}k{kernel}"] = module
    return modules


def original_state(modules):
    """The training checkpoint's state dict."""
    return {f"{name}.{key}": value for name, module in modules.items() for key, value in module.state_dict().items()}


def _centre(weight, sums, sign):
    out = weight.clone()
    kh, kw = weight.shape[2], weight.shape[3]
    out[:, :, kh // 2, kw // 2] += sign * sums
    return out


@torch.no_grad()
def release_re_para(module):
    """``(W, b)`` in the module's dtype, every step rounded to it, in the release's order."""
    ga, gd = torch.sigmoid(module.cac_theta), torch.sigmoid(module.cdc_theta)
    wa, wd = module.cac.weight, module.cdc.weight
    weight = ga * _centre(wa, wa.sum((2, 3)), 1) + gd * _centre(wd, wd.sum((2, 3)), -1)
    return weight, ga * module.cac.bias + gd * module.cdc.bias


@torch.no_grad()
def gates_first(module):
    """``(W, b)`` in the module's dtype: the gated branch sum first, the gated tap sums at the centre last."""
    ga, gd = torch.sigmoid(module.cac_theta), torch.sigmoid(module.cdc_theta)
    wa, wd = module.cac.weight, module.cdc.weight
    weight = ga * wa + gd * wd
    kh, kw = weight.shape[2], weight.shape[3]
    weight[:, :, kh // 2, kw // 2] += ga * wa.sum((2, 3)) - gd * wd.sum((2, 3))
    return weight, ga * module.cac.bias + gd * module.cdc.bias


@torch.no_grad()
def rounded_once(module):
    """``(W, b)``: the fold in float64, rounded once to the module's dtype."""
    return dt.fold_daconv(module)


ORIGINS = {"release re_para": release_re_para, "gates first": gates_first, "float64 rounded once": rounded_once}


def merged_state(modules, origin):
    """The plain network's state dict, each DAConv replaced by ``P.weight`` and ``P.bias`` from ``origin``."""
    state = {}
    for name, module in modules.items():
        weight, bias = ORIGINS[origin](module)
        state[f"{name}.weight"], state[f"{name}.bias"] = weight.clone(), bias.clone()
    return state
