"""A training checkpoint ``{"epoch", "model", "optimizer", "scheduler", "best_psnr", "config"}``.

The model is merged (test_equivalence/test_values/test_layout cover it as scenario
``training_checkpoint``); here: the other entries pass through unchanged and in order, the Adam state is
dropped and reported as dropped, and with ``--keep-optimizer`` it is kept, bit for bit, and loadable.
"""

import json

import pytest
import torch

import daconv_torch as dt
from interop_support import checks
from interop_support.expected import load_input, load_output, twin_state
from interop_support.merging import merge
from interop_support.scenarios import SCENARIOS


@pytest.fixture(scope="module")
def kept(tool, tmp_path_factory):
    """The training scenario merged with ``--keep-optimizer``."""
    merged = merge(tool, SCENARIOS["training_checkpoint"], tmp_path_factory.mktemp("keep"), "--keep-optimizer")
    assert merged.run.returncode == 0, merged.run.describe()
    return merged


def test_entries_other_than_model_and_optimizer_pass_through(merges):
    merged = merges.get("training_checkpoint")
    source, output = load_input(merged), load_output(merged)
    assert list(output) == [key for key in source if key != "optimizer"]
    assert output["epoch"] == 12
    for key in output:
        if key != "model":
            checks.assert_same_tree(output[key], source[key], key)


def test_optimizer_is_reported_as_dropped(merges):
    report = merges.get("training_checkpoint").report
    assert any("optimizer" in json.dumps(entry) for entry in report["dropped"]), report["dropped"]


def test_keep_optimizer_keeps_it_bit_for_bit(kept):
    source, output = load_input(kept), load_output(kept)
    assert list(output) == list(source)
    checks.assert_same_tree(output["optimizer"], source["optimizer"], "optimizer")
    assert list(output["model"]) == list(twin_state(kept)), "the model must still be merged"
    assert not any("optimizer" in json.dumps(entry) for entry in kept.report["dropped"])


def test_kept_optimizer_state_loads_into_adam(kept):
    output = load_output(kept, mmap=True)
    net = dt.TinyDAConvNet()         # the optimizer's parameter indices refer to the DAConv network
    optimizer = torch.optim.Adam(net.parameters(), lr=1.0)
    optimizer.load_state_dict(output["optimizer"])
    restored = optimizer.state_dict()
    assert restored["param_groups"][0]["lr"] == output["optimizer"]["param_groups"][0]["lr"]
    for index, state in output["optimizer"]["state"].items():
        for key, value in state.items():
            checks.assert_same_bits(restored["state"][index][key], value, f"state.{index}.{key}")
