"""What a merged checkpoint must hold for a scenario, derived from torch alone."""

from __future__ import annotations

import torch

from interop_support import checks
from interop_support import networks as nw


def network_state(merged, loaded):
    """The network's state dict inside a loaded checkpoint of the scenario's container."""
    return loaded["model"] if merged.scenario.container == "training" else loaded


def load_output(merged, mmap=False):
    """The merged checkpoint as ``torch.load(weights_only=True)`` (optionally memory-mapped) returns it."""
    return torch.load(merged.output_path, weights_only=True, mmap=mmap)


def load_input(merged):
    """The input checkpoint as torch loads it (whole modules need ``weights_only=False``)."""
    return torch.load(merged.input_path, weights_only=not merged.scenario.whole_module)


def input_state(merged):
    """The input's network state dict, with the checkpoint's own key names."""
    loaded = load_input(merged)
    if merged.scenario.whole_module:
        return loaded.state_dict()
    return network_state(merged, loaded)


def twin_state(merged):
    """The plain twin's state dict as the merged checkpoint must name it (``module.`` for DataParallel)."""
    twin = nw.plain_twin(merged.net, merged.scenario.rules)
    if merged.scenario.container == "dataparallel":
        twin = checks.as_dataparallel(twin)
    return twin.state_dict()


def loaded_twin(merged, state):
    """A zeroed plain twin with ``state`` loaded strictly; returns the unwrapped twin."""
    twin = nw.empty_twin(merged.net, merged.scenario.rules)
    target = checks.as_dataparallel(twin) if merged.scenario.container == "dataparallel" else twin
    checks.load_strict(target, state)
    return twin


def folded_modules(merged):
    """``(name, module)`` of every module the merge folds, named as in the network state dict."""
    return [(_key(merged, name), module) for name, module in nw.foldable_modules(merged.net, merged.scenario.rules)]


def _key(merged, name):
    """The module's key prefix inside the network state dict (DataParallel adds ``module.``)."""
    return ("module." if merged.scenario.container == "dataparallel" else "") + name
