"""Tolerances, and the comparisons the tests make: bit identity, fold values, network outputs.

Tolerances (relative to the largest magnitude involved), and why:

* Network outputs are compared in float64: the DAConv network runs on its stored values widened exactly,
  the plain network on the merged checkpoint's values widened exactly. The only difference left is what
  the checkpoint holds, i.e. the folded kernels and biases, rounded once to the dtype. Their relative
  rounding error is at most eps/2 per weight, and each folded layer passes it on to its output roughly
  amplified by the cancellation inside the convolution sum; later layers add their own. So the bound
  is proportional to eps and to the number of folded layers in sequence (``depth``): 4 x eps x depth.
  Measured with torch's own fold (fixtures/daconv_torch.py), the error is at most 0.5 x eps x depth on
  every scenario, so a correct merge has a margin of 10 or more; test_oracle_selfcheck.py keeps it so.
  - float64: 1e-10. The fold itself is exact up to float64 summation order (~1e-16); 1e-10 is loose on
    purpose, yet any algebra error (wrong tap, sign, gate) is of order 1.
  - float32: 1e-5 (4 x eps x 4 layers would be 1.9e-6; measured at most 7e-8).
  - float16: 4 x eps (9.8e-4) x depth, 3.9e-3 for 1 layer, 1.6e-2 for TinyDAConvNet's 4 (measured 3.6e-4).
  - bfloat16: 4 x eps (7.8e-3) x depth, 0.125 for TinyDAConvNet (measured 2.6e-3). bfloat16 keeps 8
    bits, so no tight claim about a network output holds; the fold values are checked to an ulp instead.
* Folded values (``fold_bound``): the fold is meant to be computed in float64 and rounded once to the
  dtype (fixtures/README.md). The float64 result may differ from the exact one by a few float64 ulps of
  the magnitudes summed (another summation order; cancellation at the centre tap can make the value
  itself small), and rounding to nearest adds at most half an ulp of the dtype. So we allow
  0.5 x eps x |exact| (at least half an ulp) + 64 x eps64 x magnitudes + one subnormal step.
  Two ulps off, or a fold done in float32 arithmetic, fails it.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

OUTPUT_FACTOR = 4
OUTPUT_RTOL_FLOOR = {torch.float64: 1e-10, torch.float32: 1e-5}


def eps(dtype):
    """Machine epsilon of a floating dtype."""
    return torch.finfo(dtype).eps


def output_rtol(dtype, depth):
    """Relative tolerance on network outputs for weights stored in ``dtype`` through ``depth`` folded layers."""
    if dtype in OUTPUT_RTOL_FLOOR:
        return OUTPUT_RTOL_FLOOR[dtype]
    return OUTPUT_FACTOR * eps(dtype) * depth


def fold_bound(exact, magnitudes, dtype):
    """Per-element allowed |merged - exact| for a folded tensor stored in ``dtype`` (see module doc)."""
    info = torch.finfo(dtype)
    return 0.5 * info.eps * exact.abs() + 64 * eps(torch.float64) * magnitudes + info.tiny * info.eps


def raw_bytes(tensor):
    """The tensor's contiguous bytes as a uint8 tensor (works for every dtype, 0-dim included)."""
    return tensor.detach().contiguous().reshape(-1).view(torch.uint8)


def assert_same_bits(actual, expected, name):
    """Asserts same dtype, shape and bytes."""
    assert actual.dtype == expected.dtype, f"{name}: dtype {actual.dtype}, expected {expected.dtype}"
    assert actual.shape == expected.shape, f"{name}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
    assert torch.equal(raw_bytes(actual), raw_bytes(expected)), f"{name}: bytes differ from the input's"


def assert_same_tree(actual, expected, path="root"):
    """Asserts two loaded objects are equal: dict keys in order, sequences, tensors bit for bit, scalars."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, torch.Tensor), f"{path}: {type(actual).__name__}, expected a tensor"
        assert_same_bits(actual, expected, path)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {type(actual).__name__}, expected a dict"
        assert list(actual) == list(expected), f"{path}: keys {list(actual)}, expected {list(expected)}"
        for key in expected:
            assert_same_tree(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected), f"{path}: {actual!r}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same_tree(a, e, f"{path}.{index}")
    else:
        assert type(actual) is type(expected) and actual == expected, f"{path}: {actual!r}, expected {expected!r}"


def flat_outputs(result):
    """A network's output(s) as a list of tensors."""
    return list(result) if isinstance(result, (tuple, list)) else [result]


@torch.no_grad()
def relative_output_error(plain, reference, x):
    """max |plain(x) - reference(x)| / max |reference(x)|, both networks run in float64 on ``x``."""
    plain = copy.deepcopy(plain).double().eval()
    reference = copy.deepcopy(reference).double().eval()
    got, want = flat_outputs(plain(x.double())), flat_outputs(reference(x.double()))
    assert len(got) == len(want)
    diff = max(float((g - w).abs().max()) for g, w in zip(got, want))
    scale = max(float(w.abs().max()) for w in want)
    assert scale > 0, "reference output is all zero: the scenario tests nothing"
    return diff / scale


def floating_dtype(net):
    """The dtype of the network's floating parameters."""
    return next(p.dtype for p in net.parameters() if p.is_floating_point())


def load_strict(module, state):
    """``module.load_state_dict(state, strict=True)``; returns the module."""
    result = module.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys, str(result)
    return module


def as_dataparallel(module):
    """``nn.DataParallel`` around ``module`` (CPU: it only adds the ``module.`` key prefix)."""
    return nn.DataParallel(module)
