"""``verify`` never fails a correct merge made elsewhere, and still catches a nudged weight.

The merges are made by torch itself: the release's ``re_para`` (every step in the dtype), the other natural
order, and the fold in float64 rounded once, at every dtype, fan-in and kernel of the grid, then checked
at several seeds and probe sizes. In float32 and float64 a single merged weight moved by 1e-3 of its
layer's largest |w| must fail and be named.
"""

from __future__ import annotations

import itertools
import json

import pytest
import torch

from interop_support.natural_merges import DTYPES, ORIGINS, grid_modules, merged_state, original_state

PROBES = [(), ("--seed", "7", "--probe-batch", "2", "--probe-size", "16"), ("--seed", "3", "--probe-batch", "4", "--probe-size", "9")]
LARGEST_MARGIN = {}     # per dtype, over the session, for the summary line


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """Per dtype: the modules and the saved original checkpoint."""
    folder = tmp_path_factory.mktemp("natural")
    saved = {}
    for name, dtype in DTYPES.items():
        modules = grid_modules(dtype, seed=len(name))
        path = folder / f"{name}.pth"
        torch.save(original_state(modules), path)
        saved[name] = (modules, path)
    return saved


def verify(tool, original, merged, report, *probe):
    run = tool.run("verify", original, merged, "--report", report, *probe)
    return run, json.loads(report.read_text())


@pytest.mark.parametrize("dtype, origin", list(itertools.product(DTYPES, ORIGINS)))
def test_every_natural_merge_passes(tool, originals, tmp_path, dtype, origin):
    modules, original = originals[dtype]
    merged = tmp_path / "merged.pth"
    torch.save(merged_state(modules, origin), merged)
    for probe in PROBES:
        run, report = verify(tool, original, merged, tmp_path / "report.json", *probe)
        assert run.returncode == 0, run.describe()
        assert report["passed"] and len(report["layers"]) == len(modules)
        for layer in report["layers"]:
            assert layer["margin"] <= 1, layer
            LARGEST_MARGIN[dtype] = max(LARGEST_MARGIN.get(dtype, 0), layer["margin"])
    print(f"{dtype} {origin}: largest margin so far {LARGEST_MARGIN[dtype]:.3g}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_weight_nudged_by_a_thousandth_is_caught_and_named(tool, originals, tmp_path, dtype):
    modules, original = originals[dtype]
    state = merged_state(modules, "release re_para")
    smallest = float("inf")
    for name in modules:
        weight = state[f"{name}.weight"]
        scale = weight.abs().max().item()
        for index, sign in ((0, 1), (weight.numel() // 2, -1), (weight.numel() - 1, 1)):
            nudged = dict(state)
            nudged[f"{name}.weight"] = weight.clone()
            nudged[f"{name}.weight"].view(-1)[index] += sign * 1e-3 * scale
            path = tmp_path / "nudged.pth"
            torch.save(nudged, path)
            run, report = verify(tool, original, path, tmp_path / "report.json")
            assert run.returncode == 1, run.describe()
            failed = [layer["module"] for layer in report["layers"] if not layer["passed"]]
            assert failed == [name], (index, report["layers"])
            assert f"{name} " in run.stdout and "FAILED" in run.stdout
            smallest = min(smallest, next(l["margin"] for l in report["layers"] if l["module"] == name))
    print(f"{dtype}: smallest margin of a caught 1e-3 nudge {smallest:.3g}")
