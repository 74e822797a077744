"""Failures: non-zero exit, one line on stderr naming the culprit, and no output file left behind.

Unfoldable inputs are valid checkpoints whose DAConv has no single-convolution equivalent:
* a whole pickled module whose branches use kernel 3 with padding 0 (only a whole module records the
  padding; its centre term reads another pixel than the centre tap);
* a state dict whose two branches have different kernel sizes (no common convolution geometry);
* a state dict with an even kernel (2x2): there is no centre tap. (Assumption beyond the brief's
  contract: the tool refuses rather than picking tap [1, 1].)
"""

import pytest
import torch

import daconv_torch as dt
from interop_support import networks as nw

GARBAGE = b"this is not a torch checkpoint\n" * 8


def assert_failed(run, output_path, *culprits):
    """Non-zero exit, one stderr line mentioning every culprit, and no file at ``output_path``."""
    assert run.returncode != 0, run.describe()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error\n{run.describe()}"
    for culprit in culprits:
        assert culprit in lines[0], f"{culprit!r} not named\n{run.describe()}"
    assert not output_path.exists(), "an output file was left behind"


def stem_state(daconv, seed):
    """The state dict of a network holding ``daconv`` as ``stem``, randomized."""
    net = torch.nn.Module()
    net.stem = daconv
    return nw.prepared(net, seed).state_dict()


def mismatched_branches():
    """DAConv(3, 4, 3) as ``stem`` with ``stem.cdc.weight`` replaced by a 5x5 kernel."""
    state = stem_state(dt.DAConv(3, 4, 3), 61)
    state["stem.cdc.weight"] = torch.randn(4, 3, 5, 5, generator=torch.Generator().manual_seed(62))
    return state


def padding_zero_module():
    """A whole module (plain nn.Module, so only torch and daconv_torch classes are pickled) whose DAConv
    ``stem`` has kernel 3 with padding 0: its centre term reads another pixel than the centre tap, so no
    single convolution equals it (its forward cannot even run)."""
    net = torch.nn.Module()
    net.stem = dt.DAConv(3, 4, 3, padding=0)
    net.head = torch.nn.Conv2d(4, 3, 1)
    return nw.prepared(net, 60)


UNFOLDABLE = {
    "padding0_whole_module": (padding_zero_module, {}),
    "padding0_whole_module_legacy": (padding_zero_module, {"_use_new_zipfile_serialization": False}),
    "mismatched_branch_kernels": (mismatched_branches, {}),
    "even_kernel": (lambda: stem_state(dt.DAConv(3, 4, 2), 63), {}),
}


@pytest.mark.parametrize("case", list(UNFOLDABLE))
def test_unfoldable_module_is_refused_by_name(tool, tmp_path, case):
    make, options = UNFOLDABLE[case]
    torch.save(make(), tmp_path / "in.pth", **options)
    output = tmp_path / "out.pth"
    assert_failed(tool.run(tmp_path / "in.pth", output, "--report", tmp_path / "r.json"), output, "stem")


def test_existing_output_needs_force(tool, tmp_path):
    torch.save(nw.prepared(dt.TinyDAConvNet(), 64).state_dict(), tmp_path / "in.pth")
    output = tmp_path / "out.pth"
    output.write_bytes(b"keep me")
    run = tool.run(tmp_path / "in.pth", output)
    assert run.returncode != 0 and len(run.stderr.strip().splitlines()) == 1, run.describe()
    assert output.read_bytes() == b"keep me", "the existing file was touched"
    forced = tool.run(tmp_path / "in.pth", output, "--force")
    assert forced.returncode == 0, forced.describe()
    assert "stem.weight" in torch.load(output, weights_only=True)


@pytest.mark.parametrize("content", ["garbage", "truncated_zip", "missing"])
def test_bad_input_is_refused(tool, tmp_path, content):
    source = tmp_path / "in.pth"
    if content == "garbage":
        source.write_bytes(GARBAGE)
    elif content == "truncated_zip":
        torch.save(nw.prepared(dt.TinyDAConvNet(), 65).state_dict(), source)
        source.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    output = tmp_path / "out.pth"
    assert_failed(tool.run(source, output), output)


@pytest.mark.parametrize("spec", ["cac:multiply:cac_theta", "cac:add", "cac"])
def test_malformed_branch_rule_is_refused(tool, tmp_path, spec):
    torch.save(nw.prepared(dt.TinyDAConvNet(), 66).state_dict(), tmp_path / "in.pth")
    output = tmp_path / "out.pth"
    run = tool.run(tmp_path / "in.pth", output, "--branch", spec)
    assert run.returncode != 0, run.describe()
    assert not output.exists()
