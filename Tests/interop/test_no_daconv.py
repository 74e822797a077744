"""A checkpoint without any foldable module: exit 0, every tensor and key unchanged, and a warning.

``rules_blind`` is TriBranchNet merged with the default rules: its branches are not named cac/cdc, so
for the default rules it holds no DAConv either.
"""

import pytest
import torch

import daconv_torch as dt
from interop_support import checks
from interop_support import networks as nw
from interop_support.tool import read_report

NETWORKS = {
    "plain": lambda: nw.prepared(dt.PlainNet(), 51),
    "rules_blind": lambda: nw.prepared(nw.TriBranchNet(), 52, gate_names=("ta", "td")),
}


@pytest.mark.parametrize("mmap", [False, True], ids=["load", "mmap"])
@pytest.mark.parametrize("network", list(NETWORKS))
def test_checkpoint_without_daconv_passes_through(tool, tmp_path, network, mmap):
    source = NETWORKS[network]().state_dict()
    input_path, output_path, report_path = tmp_path / "in.pth", tmp_path / "out.pth", tmp_path / "report.json"
    torch.save(source, input_path)
    run = tool.run(input_path, output_path, "--report", report_path)
    assert run.returncode == 0, run.describe()
    output = torch.load(output_path, weights_only=True, mmap=mmap)
    checks.assert_same_tree(dict(output), dict(source))
    assert list(output._metadata.items()) == list(source._metadata.items())
    report = read_report(report_path)
    assert report["layers"] == [] and report["passed"] is True
    assert report["warnings"], "no warning that nothing was folded"
