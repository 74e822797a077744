"""What merge-daconv writes for values torch's weights-only loader refuses (docs/checkpoints.md), computed from the
input as ``torch.load(weights_only=False)`` returns it, and a comparison of two loaded trees that also checks the
container types, tensor strides and storage sharing.

numpy scalars become Python numbers (``.item()``); numpy arrays tensors of the same dtype, shape and memory order;
numpy dtypes ``str(dtype)``; paths ``str(path)``; objects (argparse.Namespace, OmegaConf nodes, mmengine's
HistoryBuffer, ...) the dict of their attributes; defaultdicts dicts; frozensets sets; classes and functions kept
as values their qualified name.
"""

from __future__ import annotations

import collections
import pathlib

import numpy as np
import torch


def expected_form(value, memo=None):
    """``value`` as merge-daconv's output holds it; shared values stay shared and cycles (OmegaConf nodes point
    to their parents) stay cycles, through ``memo``."""
    memo = {} if memo is None else memo
    if id(value) in memo:
        return memo[id(value)]
    scalar = _scalar_form(value)
    if scalar is not _CONTAINER:
        memo[id(value)] = scalar
        return scalar
    if isinstance(value, tuple):
        result = tuple(expected_form(v, memo) for v in value)
        memo[id(value)] = result
        return result
    if isinstance(value, (set, frozenset)):
        result = {expected_form(v, memo) for v in value}
        memo[id(value)] = result
        return result
    if isinstance(value, list):
        result = memo[id(value)] = []
        result.extend(expected_form(v, memo) for v in value)
        return result
    kept = (collections.OrderedDict, collections.Counter)   # on torch's allow-list: written as they are
    result = memo[id(value)] = type(value)() if type(value) in kept else {}
    items = value.items() if isinstance(value, dict) else vars(value).items()    # defaultdicts, objects
    for key, item in items:
        result[key] = expected_form(item, memo)
    return result


_CONTAINER = object()


def _scalar_form(value):
    """The weights-only form of a value that is no container, or ``_CONTAINER``."""
    if isinstance(value, (torch.Tensor, torch.dtype, torch.device, torch.Size)) or value is None:
        return value
    if hasattr(value, "check"):             # an expectation with its own comparison (differential.Folded)
        return value
    if isinstance(value, np.generic):       # before float: numpy.float64 is a float subclass
        return value.item()
    if isinstance(value, (bool, int, float, complex, str, bytes, bytearray)):
        return value
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.astype(value.dtype.newbyteorder("="), order="K", copy=True))
    if isinstance(value, (np.dtype, pathlib.PurePath)):
        return str(value)
    if isinstance(value, type) or callable(value):
        return f"{value.__module__}.{value.__qualname__}"
    return _CONTAINER


def assert_same(actual, expected, path="root", storages=None, seen=None):
    """Same structure, container types, scalars (floats bit for bit), tensors (dtype, shape, strides, bytes); tensors
    that share a storage in ``expected`` share one in ``actual`` and the other way round."""
    storages = {} if storages is None else storages
    seen = set() if seen is None else seen
    if hasattr(expected, "check"):
        expected.check(actual, path)
        return
    if isinstance(expected, (dict, list)):
        if (id(actual), id(expected)) in seen:
            return
        seen.add((id(actual), id(expected)))
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, torch.Tensor), f"{path}: {type(actual).__name__}, expected a tensor"
        assert actual.dtype == expected.dtype, f"{path}: dtype {actual.dtype}, expected {expected.dtype}"
        assert actual.shape == expected.shape, f"{path}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}"
        assert actual.numel() == 0 or actual.stride() == expected.stride(), f"{path}: strides {actual.stride()}, expected {expected.stride()}"
        assert torch.equal(_bytes(actual), _bytes(expected)), f"{path}: values differ"
        pair = (actual.untyped_storage().data_ptr(), expected.untyped_storage().data_ptr())
        if actual.untyped_storage().nbytes():
            assert storages.setdefault(("a", pair[0]), pair[1]) == pair[1], f"{path}: storage sharing differs"
            assert storages.setdefault(("e", pair[1]), pair[0]) == pair[0], f"{path}: storage sharing differs"
        return
    assert type(actual) is type(expected), f"{path}: {type(actual).__name__}, expected {type(expected).__name__}"
    if isinstance(expected, dict):
        assert list(actual) == list(expected), f"{path}: keys {list(actual)[:8]}, expected {list(expected)[:8]}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}.{key}", storages, seen)
    elif isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, expected {len(expected)}"
        for index, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{path}.{index}", storages, seen)
    elif isinstance(expected, float):
        assert actual == expected or (actual != actual and expected != expected), f"{path}: {actual!r}, expected {expected!r}"
    else:
        assert actual == expected, f"{path}: {actual!r}, expected {expected!r}"


def _bytes(tensor):
    """The elements' bytes in row-major order (a fresh dense copy: a contiguous tensor may still carry odd strides
    on size-1 dimensions, which ``view`` refuses)."""
    flat = torch.empty(tensor.numel(), dtype=tensor.dtype)
    flat.copy_(tensor.detach().reshape(-1))
    return flat.view(torch.uint8)
