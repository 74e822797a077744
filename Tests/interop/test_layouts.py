"""Training checkpoints written by the real libraries' savers (fixtures/layouts: Lightning's
``Trainer.save_checkpoint``, timm's ``CheckpointSaver``, mmengine's ``Runner``, BasicSR's ``save_network`` and
``save_training_state``), each holding DAConv networks: every weight set is merged, the output loads with
``torch.load(weights_only=True)`` (and mmap) into the plain network, which computes what the DAConv network
computes; optimizer state is dropped and listed; everything else is the input in the documented weights-only form;
``verify`` pairs every weight set.
"""

import json
from pathlib import Path

import pytest
import torch

import daconv_torch as dt
from interop_support import checks, stub_pickle
from interop_support.weights_only_form import assert_same, expected_form

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "layouts"
LAYOUTS = {
    # file: (optimizer entries dropped, weight sets as (dict, key prefix))
    "lightning.ckpt": (["optimizer_states"], [("state_dict", "net."), ("state_dict", "ema_net.")]),
    "timm.pth.tar": (["optimizer"], [("state_dict", ""), ("state_dict_ema", "")]),
    "mmengine.pth": (["optimizer"], [("state_dict", "net.")]),
    "basicsr_net_g.pth": ([], [("params", ""), ("params_ema", "")]),
}


def load_input(name):
    """The library's file as torch loads it, its classes (Lightning, OmegaConf, mmengine) as inert stubs."""
    return torch.load(FIXTURES / name, weights_only=False, pickle_module=stub_pickle)


def network(state, prefix):
    """The DAConv network (or its plain twin) whose weights are ``state``'s entries under ``prefix``."""
    return {key[len(prefix):]: value for key, value in state.items() if key.startswith(prefix)}


@pytest.fixture(scope="module")
def outputs(tool, tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    result = {}
    for name in LAYOUTS:
        output, report = folder / name, folder / (name + ".json")
        run = tool.run(FIXTURES / name, output, "--report", report)
        assert run.returncode == 0, run.describe()
        result[name] = (output, json.loads(report.read_text()))
    return result


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_every_weight_set_is_merged_and_computes_the_same(outputs, name):
    source = load_input(name)
    output, report = outputs[name]
    facts = json.loads((FIXTURES / (name.split(".")[0] + ".facts.json")).read_text())
    assert facts["weights_only"] != "loads" or name.startswith("basicsr"), "the library's file needs weights_only=False"
    dropped, weight_sets = LAYOUTS[name]
    assert sorted({key for key, _ in weight_sets}) == sorted(facts["daconv_dicts"])
    x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    for mmap in (False, True):
        loaded = torch.load(output, weights_only=True, mmap=mmap)
        for key, prefix in weight_sets:
            net = dt.TinyDAConvNet()
            net.load_state_dict(network(source[key], prefix))
            twin = checks.load_strict(dt.plain_twin(dt.TinyDAConvNet()), network(loaded[key], prefix))
            assert checks.relative_output_error(twin, net, x) < 1e-5, f"{name}: {key} {prefix}"
    assert len(report["layers"]) == 4 * len(weight_sets) and all(layer["passed"] for layer in report["layers"])
    assert report["dropped"] == dropped


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_everything_else_is_the_input_in_weights_only_form(outputs, name):
    source = load_input(name)
    output, _ = outputs[name]
    loaded = torch.load(output, weights_only=True)
    dropped, weight_sets = LAYOUTS[name]
    others = [key for key in source if key not in dropped and key not in {k for k, _ in weight_sets}]
    assert [key for key in loaded if key in others] == others
    assert_same({key: loaded[key] for key in others}, expected_form({key: source[key] for key in others}))


@pytest.mark.parametrize("name", sorted(LAYOUTS) + ["basicsr_2.state"])
def test_verify_pairs_every_weight_set(tool, outputs, tmp_path, name):
    output = outputs[name][0] if name in outputs else tmp_path / name
    if name not in outputs:
        run = tool.run(FIXTURES / name, output)
        assert run.returncode == 0 and "no DAConv module found" in run.stdout, run.describe()
    verify = tool.run("verify", FIXTURES / name, output, "--report", tmp_path / "verify.json")
    assert verify.returncode == 0, verify.describe()
    report = json.loads((tmp_path / "verify.json").read_text())
    assert report["pass_through"]["passed"] and not report["pass_through"]["changed"]
    assert len(report["layers"]) == 4 * len(LAYOUTS.get(name, ([], []))[1])
