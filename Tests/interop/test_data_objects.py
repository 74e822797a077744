"""Checkpoints holding numpy values, paths, namespaces and defaultdicts (fixtures/data_objects, written by numpy
1.26 and 2.4 at pickle protocols 0 to 5): the merged output loads with ``torch.load(weights_only=True)``, with and
without mmap, and holds what the input held in the documented weights-only form; the report lists each conversion,
and ``verify`` reports them as converted.
"""

import json
from pathlib import Path

import pytest
import torch

import daconv_torch as dt
from interop_support import checks
from interop_support.weights_only_form import assert_same, expected_form

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "data_objects"
NUMPY_FILES = sorted(p.name for p in FIXTURES.glob("numpy*_p*.pth"))


def merged(tool, tmp_path, name, *options):
    """Merges fixtures/data_objects/``name``; returns the output path and the report."""
    output, report = tmp_path / ("out_" + name), tmp_path / "report.json"
    run = tool.run(FIXTURES / name, output, "--report", report, *options)
    assert run.returncode == 0, run.describe()
    return output, json.loads(report.read_text())


@pytest.mark.parametrize("name", NUMPY_FILES)
def test_numpy_values_load_with_weights_only(tool, tmp_path, name):
    source = torch.load(FIXTURES / name, weights_only=False)
    output, report = merged(tool, tmp_path, name)
    expected = expected_form(source)
    for mmap in (False, True):
        assert_same(torch.load(output, weights_only=True, mmap=mmap), expected)
    listed = {entry["path"] for entry in report["converted"]}
    assert listed == {key for key, value in source.items() if not isinstance(value, torch.Tensor)} - {"shared_b"}


def test_a_research_checkpoint_merges_into_weights_only_form(tool, tmp_path):
    source = torch.load(FIXTURES / "research.pth", weights_only=False)
    output, report = merged(tool, tmp_path, "research.pth")
    loaded = torch.load(output, weights_only=True)
    expected = expected_form({key: value for key, value in source.items() if key not in ("optimizer", "state_dict")})
    assert_same({key: value for key, value in loaded.items() if key != "state_dict"}, expected)
    assert report["dropped"] == ["optimizer"]
    assert loaded["args"]["data_dir"] == "/data/LOL/our485" and loaded["args"]["seed"] == 42
    net = dt.TinyDAConvNet()
    net.load_state_dict(source["state_dict"])
    twin = checks.load_strict(dt.plain_twin(dt.TinyDAConvNet()), loaded["state_dict"])
    assert checks.relative_output_error(twin, net, torch.randn(2, 3, 16, 16)) < 1e-5
    verify = tool.run("verify", FIXTURES / "research.pth", output)
    assert verify.returncode == 0, verify.describe()
    assert "converted: best_psnr (numpy.float64 -> float 24.75)" in verify.stdout


def test_keep_objects_writes_them_back_as_read(tool, tmp_path):
    source = torch.load(FIXTURES / "numpy2_p2.pth", weights_only=False)
    output, report = merged(tool, tmp_path, "numpy2_p2.pth", "--keep-objects")
    assert report["converted"] == []
    assert any("weights_only=False" in warning for warning in report["warnings"])
    with pytest.raises(Exception):
        torch.load(output, weights_only=True)
    kept = torch.load(output, weights_only=False)
    for key, value in source.items():
        assert type(kept[key]) is type(value), key
        if hasattr(value, "tobytes"):
            assert kept[key].tobytes() == value.tobytes(), key


def test_safetensors_output_holds_arrays_row_major(tool, tmp_path):
    """Converted arrays in the written dict are contiguous in safetensors (Fortran order gathered)."""
    import numpy as np
    from safetensors.torch import load_file
    source = {"w": torch.randn(2, 3), "f": np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4)),
              "b": np.arange(6, dtype=">i2").reshape(2, 3)}
    torch.save(source, tmp_path / "in.pth")
    run = tool.run(tmp_path / "in.pth", tmp_path / "out.safetensors")
    assert run.returncode == 0, run.describe()
    loaded = load_file(tmp_path / "out.safetensors")
    assert torch.equal(loaded["w"], source["w"])
    assert torch.equal(loaded["f"], torch.from_numpy(np.ascontiguousarray(source["f"])))
    assert torch.equal(loaded["b"], torch.from_numpy(source["b"].astype("<i2")))


def test_numpy_scalars_as_keys_become_python_keys(tool, tmp_path):
    import numpy as np
    torch.save({"meta": {np.int64(2023): "year", np.float32(0.5): "half"}, "w": torch.ones(2)}, tmp_path / "in.pth")
    run = tool.run(tmp_path / "in.pth", tmp_path / "out.pth")
    assert run.returncode == 0, run.describe()
    assert "converted: meta.<key 2023> (numpy.int64 -> int 2023)" in run.stdout
    assert torch.load(tmp_path / "out.pth", weights_only=True)["meta"] == {2023: "year", 0.5: "half"}
    verify = tool.run("verify", tmp_path / "in.pth", tmp_path / "out.pth")
    assert verify.returncode == 0, verify.describe()
