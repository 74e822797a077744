"""The merge scenarios: a DAConv network, the checkpoint container it is saved in, and the rules used.

Each scenario is merged once per session (``MergeCache``) and then checked by several test files:
equivalence of network outputs, pass-through of values, key order and metadata, the report, the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

import daconv_torch as dt
from interop_support import networks as nw
from interop_support.rules import DEFAULT_RULES

# How each container is written and where the network's state dict sits in it.
CONTAINERS = {
    # name: (module-key prefix, torch.save options, whole module?)
    "state_dict": ("", {}, False),
    "legacy": ("", {"_use_new_zipfile_serialization": False}, False),
    "dataparallel": ("module.", {}, False),
    "training": ("model.", {}, False),
    "whole_module": ("", {}, True),
    "whole_module_legacy": ("", {"_use_new_zipfile_serialization": False}, True),
}


@dataclass(frozen=True)
class Scenario:
    """One merge: how to build the network, how to save it, which rules and how they reach the tool."""

    name: str
    make_net: Callable[[], nn.Module]
    container: str = "state_dict"
    rules: tuple = DEFAULT_RULES
    rules_via: str = "default"          # default | branch (--branch flags) | file (--rules FILE)
    input_shape: tuple = (2, 3, 17, 13)
    subcommand: bool = False            # spell the call "merge-daconv merge IN OUT"
    extra_args: tuple = field(default=())

    @property
    def prefix(self):
        """The prefix of the network's keys in the checkpoint ("module.", "model." or "")."""
        return CONTAINERS[self.container][0]

    @property
    def whole_module(self):
        """True if the checkpoint is a pickled nn.Module rather than a state dict."""
        return CONTAINERS[self.container][2]


def geometry(name, seed, **options):
    """A GeometryNet scenario for one DAConv geometry (float32 state dict)."""
    channels = options.pop("channels", 8)
    return Scenario(name, lambda: nw.prepared(nw.GeometryNet(channels, channels, **options), seed))


def tiny(name, seed=11, dtype=torch.float32, **scenario_options):
    """A TinyDAConvNet scenario (kernels 3, 5 and (3, 5), groups 2, dilation 2, stride 2, no-bias, scalar theta)."""
    return Scenario(name, lambda: nw.prepared(dt.TinyDAConvNet(), seed, dtype), **scenario_options)


def tri_branch(name, rules_via):
    """The custom-rules scenario: TriBranchNet folded under branches a/d/v, given by flags or a file."""
    return Scenario(name, lambda: nw.prepared(nw.TriBranchNet(), 31, gate_names=("ta", "td")),
                    rules=nw.TRI_RULES, rules_via=rules_via, input_shape=(2, 3, 15, 17))


SCENARIOS = {s.name: s for s in [
    geometry("kernel3", 1, kernel_size=3),
    geometry("kernel5", 2, kernel_size=5),
    geometry("kernel7", 3, kernel_size=7),
    geometry("kernel3x5", 4, kernel_size=(3, 5)),
    geometry("groups2", 5, kernel_size=3, groups=2),
    geometry("depthwise", 6, kernel_size=3, groups=8),
    geometry("dilation2", 7, kernel_size=3, dilation=2),
    geometry("dilation2_kernel3x5", 8, kernel_size=(3, 5), dilation=2),
    geometry("stride2", 9, kernel_size=3, stride=2),
    geometry("stride2_kernel5", 10, kernel_size=5, stride=2),
    geometry("no_bias", 12, kernel_size=3, bias=False),
    geometry("scalar_theta", 13, kernel_size=3, theta_shape=()),
    tiny("tiny_float32"),
    tiny("tiny_float16", dtype=torch.float16),
    tiny("tiny_bfloat16", dtype=torch.bfloat16),
    tiny("tiny_float64", dtype=torch.float64),
    tiny("tiny_subcommand", subcommand=True),
    tiny("dataparallel", container="dataparallel"),
    tiny("training_checkpoint", container="training"),
    tiny("legacy", container="legacy"),
    tiny("legacy_float16", dtype=torch.float16, container="legacy"),
    tiny("whole_module", container="whole_module"),
    tiny("whole_module_legacy", container="whole_module_legacy"),
    Scenario("zero_dce", lambda: nw.prepared(dt.ZeroDCEDAConv(), 21), input_shape=(1, 3, 24, 24)),
    tri_branch("custom_rules_flags", "branch"),
    tri_branch("custom_rules_file", "file"),
    Scenario("custom_rules_replace_defaults", lambda: nw.prepared(nw.MixedNet(), 41, gate_names=("ta", "td")),
             rules=nw.TRI_RULES, rules_via="branch"),
]}


def sample_input(scenario, dtype=torch.float64, seed=1234):
    """A seeded input batch for the scenario's network (Zero-DCE takes an image in [0, 1])."""
    generator = torch.Generator().manual_seed(seed)
    if scenario.name.startswith("zero_dce"):
        return torch.rand(scenario.input_shape, generator=generator, dtype=torch.float64).to(dtype)
    return torch.randn(scenario.input_shape, generator=generator, dtype=torch.float64).to(dtype)
