"""safetensors out and in, against the real ``safetensors`` library.

Out: scenarios merged to ``.safetensors`` load with ``safetensors.torch.load_file`` into the plain twin
(``strict=True``) and compute what the DAConv network computes; the file holds exactly the tensors of the
``.pth`` merge, laid out as the reference writer lays them out; a training checkpoint keeps its model, with
its scalars in ``__metadata__``. In: a DAConv state dict saved with ``save_file`` merges to the same tensors as
its ``torch.save`` twin; verify accepts mixed pairs; inspect shows ``__metadata__``; bad files are refused
as the library refuses them.
"""

import json

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import daconv_torch as dt
from interop_support import checks
from interop_support import networks as nw
from interop_support.expected import loaded_twin, network_state, load_output
from interop_support.merging import sample
from interop_support.safetensors_files import BAD_FILES, SafetensorsMergeCache, header
from interop_support.scenarios import SCENARIOS

NAMES = ["tiny_float32", "tiny_float16", "tiny_bfloat16", "tiny_float64", "groups2", "stride2", "dataparallel",
         "training_checkpoint", "whole_module", "legacy", "zero_dce", "custom_rules_flags"]


@pytest.fixture(scope="module")
def st_merges(tool, tmp_path_factory):
    """Scenarios merged to safetensors, once per module."""
    return SafetensorsMergeCache(tool, tmp_path_factory.mktemp("safetensors"))


@pytest.mark.parametrize("name", NAMES)
def test_loads_into_the_plain_twin_and_computes_the_same(st_merges, name):
    merged = st_merges.get(SCENARIOS[name])
    twin = loaded_twin(merged, load_file(merged.output_path))
    depth = len(nw.foldable_modules(merged.net, merged.scenario.rules))
    tol = checks.output_rtol(checks.floating_dtype(merged.net), depth)
    error = checks.relative_output_error(twin, merged.net, sample(merged))
    assert error <= tol, f"{name}: relative output error {error:.3e} > {tol:.1e}"


@pytest.mark.parametrize("name", NAMES)
def test_holds_the_tensors_of_the_pth_merge(st_merges, merges, name):
    state = load_file(st_merges.get(SCENARIOS[name]).output_path)
    reference = network_state(merges.get(name), load_output(merges.get(name)))
    assert sorted(state) == sorted(reference)
    for key, tensor in reference.items():
        checks.assert_same_bits(state[key], tensor, key)


@pytest.mark.parametrize("name", ["tiny_float32", "tiny_bfloat16", "zero_dce", "dataparallel"])
def test_bytes_are_what_save_file_writes_and_aligned(st_merges, tmp_path, name):
    merged = st_merges.get(SCENARIOS[name])
    again = tmp_path / "again.safetensors"
    save_file(load_file(merged.output_path), again)
    assert merged.output_path.read_bytes() == again.read_bytes()
    length, entries, _ = header(merged.output_path)
    sizes = {"F64": 8, "I64": 8, "F32": 4, "F16": 2, "BF16": 2}
    for name, info in entries.items():
        assert (8 + length + info["data_offsets"][0]) % sizes[info["dtype"]] == 0, f"{name} is not aligned"


def test_training_checkpoint_keeps_its_model_and_scalars(st_merges):
    merged = st_merges.get(SCENARIOS["training_checkpoint"])
    with safe_open(merged.output_path, "pt") as handle:
        metadata = handle.metadata()
    source = torch.load(merged.input_path, weights_only=True)
    assert metadata["format"] == "pt"
    assert metadata["epoch"] == str(source["epoch"]) and float(metadata["best_psnr"]) == source["best_psnr"]
    assert float(metadata["config.lr"]) == source["config"]["lr"] and metadata["config.amp"] == "True"
    assert metadata["scheduler.last_epoch"] == str(source["scheduler"]["last_epoch"])
    report = merged.report
    assert report["dropped"] == ["optimizer"]
    assert "safetensors holds one state dict: wrote 'model' (names without its prefix)" in report["warnings"]
    assert any("config.pretrained (None)" in warning for warning in report["warnings"]), report["warnings"]


def save_twins(folder, net):
    """The network's state dict saved twice: ``torch.save`` and ``save_file``."""
    state = net.state_dict()
    torch.save(state, folder / "twin.pth")
    save_file({key: value.contiguous() for key, value in state.items()}, folder / "twin.safetensors")


@pytest.mark.parametrize("name", ["tiny_float32", "tiny_float16", "groups2", "zero_dce"])
def test_save_file_checkpoint_merges_like_its_pth_twin(tool, tmp_path, name):
    save_twins(tmp_path, SCENARIOS[name].make_net())
    for source, target in [("twin.pth", "a.pth"), ("twin.safetensors", "b.pth"), ("twin.safetensors", "c.safetensors")]:
        run = tool.run(tmp_path / source, tmp_path / target, "-q")
        assert run.returncode == 0, run.describe()
    from_pth = torch.load(tmp_path / "a.pth", weights_only=True)
    from_safetensors = torch.load(tmp_path / "b.pth", weights_only=True)
    both_safetensors = load_file(tmp_path / "c.safetensors")
    assert sorted(from_pth) == sorted(from_safetensors) == sorted(both_safetensors)
    for key, tensor in from_pth.items():
        checks.assert_same_bits(from_safetensors[key], tensor, key)
        checks.assert_same_bits(both_safetensors[key], tensor, key)


def test_verify_accepts_mixed_pairs_and_catches_a_change(tool, st_merges, tmp_path):
    merged = st_merges.get(SCENARIOS["training_checkpoint"])
    run = tool.run("verify", merged.input_path, merged.output_path)
    assert run.returncode == 0, run.describe()
    save_twins(tmp_path, SCENARIOS["tiny_float32"].make_net())
    assert tool.run(tmp_path / "twin.safetensors", tmp_path / "plain.pth", "-q").returncode == 0
    run = tool.run("verify", tmp_path / "twin.safetensors", tmp_path / "plain.pth")
    assert run.returncode == 0, run.describe()
    state = load_file(merged.output_path)
    state["down.weight"].view(-1)[7] += 1e-3 * state["down.weight"].abs().max()
    save_file(state, tmp_path / "changed.safetensors")
    run = tool.run("verify", merged.input_path, tmp_path / "changed.safetensors", "--report", tmp_path / "v.json")
    assert run.returncode == 1, run.describe()
    report = json.loads((tmp_path / "v.json").read_text())
    assert [layer["module"] for layer in report["layers"] if not layer["passed"]] == ["model.down"]


def test_shared_tensors_are_written_as_copies(tool, tmp_path):
    net = dt.TiedConvNet()
    torch.save(net.state_dict(), tmp_path / "tied.pth")
    run = tool.run(tmp_path / "tied.pth", tmp_path / "tied.safetensors")
    assert run.returncode == 0, run.describe()
    assert "written as separate copies (safetensors has no shared storage): first.weight, second.weight" in run.stdout
    state = load_file(tmp_path / "tied.safetensors")
    assert torch.equal(state["first.weight"], state["second.weight"])
    checks.load_strict(dt.TiedConvNet(), state)


def test_inspect_shows_the_metadata(tool, tmp_path):
    save_file({"w": torch.ones(2)}, tmp_path / "m.safetensors", metadata={"format": "pt"})
    run = tool.run("inspect", tmp_path / "m.safetensors", "--json")
    assert run.returncode == 0, run.describe()
    form = json.loads(run.stdout)["format"]
    assert form["kind"] == "safetensors" and form["safetensors"]["metadata"] == {"format": "pt"}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_refused_as_the_library_refuses_them(tool, tmp_path, case):
    blob, words = BAD_FILES[case]
    path = tmp_path / f"{case}.safetensors"
    path.write_bytes(blob)
    with pytest.raises(Exception):
        load_file(path)
    run = tool.run(path, tmp_path / "out.safetensors")
    assert run.returncode == 3, run.describe()
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], run.stderr
    for word in words:
        assert word in lines[0], run.stderr
    assert not (tmp_path / "out.safetensors").exists()
