"""The differential suite's oracle: what torch says a random checkpoint holds, and what merge-daconv's output must
hold for it, computed with torch and numpy only.

- ``torch_view(value)``: every tensor by dotted path (dtype, shape, strides, offset, storage) and every numpy value,
  path, defaultdict and object by its first path, as ``inspect --json`` must report them.
- ``expected_output(value)``: the input with each DAConv folded in float64 (``Folded``, compared within half an ulp
  plus float64 slack), optimizer state dropped when something was folded, then in the documented weights-only form.
"""

from __future__ import annotations

import collections
import pathlib

import numpy as np
import torch

from interop_support import checks
from interop_support.weights_only_form import expected_form


class Folded:
    """A folded tensor: its exact float64 value and the dtype it is stored in."""

    def __init__(self, exact, magnitudes, dtype):
        self.exact, self.magnitudes, self.dtype = exact, magnitudes, dtype

    def check(self, actual, path):
        assert isinstance(actual, torch.Tensor) and actual.dtype == self.dtype, f"{path}: {actual!r}"
        assert actual.shape == self.exact.shape, f"{path}: shape {tuple(actual.shape)}"
        bound = checks.fold_bound(self.exact, self.magnitudes, self.dtype)
        assert bool(((actual.double() - self.exact).abs() <= bound).all()), f"{path}: folded values off"


# MARK: what torch sees

def children(value):
    """Named children as merge-daconv walks them: dict keys, sequence indices, object attributes."""
    if isinstance(value, torch.Tensor) or isinstance(value, (np.ndarray, np.generic, np.dtype, pathlib.PurePath)):
        return []
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(value)]
    if isinstance(value, (set, frozenset)) or not hasattr(value, "__dict__"):
        return []
    return list(vars(value).items())


def torch_view(root):
    """``(tensors, data_objects)``: tensors by every dotted path; the other kinds by their first path."""
    tensors, objects, seen, stack = {}, {}, set(), [("", root)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, torch.Tensor):
            tensors[path] = value
            continue
        if id(value) in seen:
            continue
        if not isinstance(value, (int, float, str, bytes, bool, complex, type(None))):
            seen.add(id(value))
        kind = data_kind(value)
        if kind:
            objects[path or "<root>"] = (kind, value)
        if isinstance(value, dict):     # numpy scalars used as keys, named <key value>
            for key in value:
                if isinstance(key, np.generic):
                    objects[f"{path}.<key {key}>" if path else f"<key {key}>"] = (data_kind(key), key)
        for name, child in reversed(children(value)):
            stack.append((f"{path}.{name}" if path else name, child))
    return tensors, objects


def data_kind(value):
    if isinstance(value, np.ndarray):
        return "numpy.ndarray"
    if isinstance(value, np.generic):
        return f"numpy.{type(value).__name__}"
    if isinstance(value, pathlib.PurePath):
        return f"pathlib.{type(value).__name__}"
    if isinstance(value, collections.defaultdict):
        return "collections.defaultdict"
    if isinstance(value, (dict, list, tuple, set, frozenset, torch.Tensor)) or not hasattr(value, "__dict__"):
        return None
    return f"{type(value).__module__}.{type(value).__qualname__}"


def json_value(scalar):
    value = scalar.item()
    if isinstance(value, complex):
        return [value.real, value.imag]
    return str(value) if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**63 - 1 else value


def compare_inspection(inspection, root):
    """Asserts that ``inspect --json`` lists what torch sees in ``root``."""
    tensors, objects = torch_view(root)
    listed = {entry["name"]: entry for entry in inspection["tensors"]}
    assert set(listed) == set(tensors), f"tensors: {sorted(set(listed) ^ set(tensors))[:6]}"
    keys = {}
    for name, tensor in tensors.items():
        entry = listed[name]
        assert entry["dtype"] == str(tensor.dtype).removeprefix("torch."), name
        assert entry["shape"] == list(tensor.shape) and entry["strides"] == list(tensor.stride()), name
        assert entry["storage_offset"] == tensor.storage_offset(), name
        if tensor.untyped_storage().nbytes():
            pointer = tensor.untyped_storage().data_ptr()
            assert keys.setdefault(("key", entry["storage_key"]), pointer) == pointer, f"{name}: storage sharing"
            assert keys.setdefault(("ptr", pointer), entry["storage_key"]) == entry["storage_key"], f"{name}: storage sharing"
    found = {entry["path"]: entry for entry in inspection["data_objects"]}
    assert set(found) == set(objects), f"data objects: {sorted(set(found) ^ set(objects))[:6]}"
    for path, (kind, value) in objects.items():
        entry = found[path]
        assert entry["type"] == kind, f"{path}: {entry['type']}, torch: {kind}"
        if isinstance(value, (np.ndarray, np.generic)):
            array = np.asarray(value)
            assert native(entry["dtype"]) == str(array.dtype.newbyteorder("=")), path
            assert entry["shape"] == list(array.shape), path
            if "value" in entry:
                values = [json_value(v) for v in array.reshape(-1)]
                assert entry["value"] == (values if isinstance(value, np.ndarray) else values[0]), path
        elif isinstance(value, pathlib.PurePath):
            assert entry["value"] == str(value), path


def native(text):
    """numpy's name of a dtype string without byte order (merge-daconv reports what the pickle holds)."""
    return str(np.dtype(text).newbyteorder("="))


# MARK: what the output holds

def expected_output(root):
    """The output's content as ``torch.load(weights_only=True)`` must return it, and whether anything was folded."""
    folded = [False]
    tree = _fold_everywhere(root, {}, folded)
    if folded[0]:
        tree = _drop_optimizers(tree, {})
    return expected_form(tree), folded[0]


def _fold_everywhere(value, memo, folded):
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, dict) and not isinstance(value, collections.defaultdict):
        result = _fold_dict(value, folded)
        memo[id(value)] = result
        for key, child in list(result.items()):
            if not isinstance(child, (torch.Tensor, Folded)):
                result[key] = _fold_everywhere(child, memo, folded)
        return result
    if isinstance(value, list):
        return [_fold_everywhere(v, memo, folded) for v in value]
    if isinstance(value, tuple):
        return tuple(_fold_everywhere(v, memo, folded) for v in value)
    return value


def _fold_dict(state, folded):
    modules = [key[:-len(".cac.weight")] for key in state if isinstance(key, str) and key.endswith(".cac.weight")]
    modules = [m for m in modules if all(f"{m}.{k}" in state for k in ("cdc.weight", "cac_theta", "cdc_theta"))]
    if not modules:
        return type(state)(state)
    owner = {f"{m}.{k}": m for m in modules for k in ("cac.weight", "cac.bias", "cdc.weight", "cdc.bias", "cac_theta", "cdc_theta")}
    result = type(state)()
    for key, value in state.items():
        module = owner.get(key)
        if module is None:
            result[key] = value
        elif f"{module}.weight" not in result:
            weight, bias = fold(state, module)
            result[f"{module}.weight"] = weight
            if bias is not None:
                result[f"{module}.bias"] = bias
    folded[0] = True
    return result


def fold(state, module):
    """The float64 fold of one DAConv (fixtures/daconv_torch.py's formula), as Folded values."""
    dtype = state[f"{module}.cac.weight"].dtype
    ga = torch.sigmoid(state[f"{module}.cac_theta"].double()).reshape(())
    gd = torch.sigmoid(state[f"{module}.cdc_theta"].double()).reshape(())
    wa, wd = state[f"{module}.cac.weight"].double(), state[f"{module}.cdc.weight"].double()

    def centre(weight, sums):
        out = weight.clone()
        out[:, :, weight.shape[2] // 2, weight.shape[3] // 2] += sums[:, :, 0, 0]
        return out

    exact = ga * centre(wa, wa.sum((2, 3), keepdim=True)) + gd * centre(wd, -wd.sum((2, 3), keepdim=True))
    size = ga * centre(wa.abs(), wa.abs().sum((2, 3), keepdim=True)) + gd * centre(wd.abs(), wd.abs().sum((2, 3), keepdim=True))
    weight = Folded(exact, size, dtype)
    if f"{module}.cac.bias" not in state:
        return weight, None
    ba, bd = state[f"{module}.cac.bias"].double(), state[f"{module}.cdc.bias"].double()
    return weight, Folded(ga * ba + gd * bd, ga * ba.abs() + gd * bd.abs(), dtype)


def is_optimizer_state(value):
    def one(item):
        return isinstance(item, dict) and "state" in item and "param_groups" in item
    if isinstance(value, (list, tuple)):
        return bool(value) and all(one(item) for item in value)
    return one(value)


def _drop_optimizers(value, memo):
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, dict):
        result = type(value)() if not isinstance(value, collections.defaultdict) else collections.defaultdict(value.default_factory)
        memo[id(value)] = result
        for key, child in value.items():
            if not is_optimizer_state(child):
                result[key] = _drop_optimizers(child, memo)
        return result
    if isinstance(value, list):
        return [_drop_optimizers(v, memo) for v in value]
    if isinstance(value, tuple):
        return tuple(_drop_optimizers(v, memo) for v in value)
    if hasattr(value, "__dict__") and not isinstance(value, (torch.Tensor, type)) and not callable(value):
        copy = object.__new__(type(value))
        copy.__dict__.update({k: _drop_optimizers(v, memo) for k, v in vars(value).items()})
        return copy
    return value
