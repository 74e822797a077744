"""Checks of the suite's own oracle, with torch only (these run without the tool).

The other tests trust ``interop_support``: its generic fold, plain twins and tolerances. Here they are
held against fixtures/daconv_torch.py and the modules' own forward passes, and a wrong fold is shown to
fail the tolerance, so the equivalence tests can fail.
"""

import pytest
import torch

import daconv_torch as dt
from interop_support import checks
from interop_support import networks as nw
from interop_support.rules import DEFAULT_RULES, Branch, fold
from interop_support.scenarios import SCENARIOS, sample_input

MARGIN = 10     # a correct fold must stay this far below the tolerance


def depth(scenario, net):
    """Folded layers in sequence: every scenario network chains its foldable modules."""
    return len(nw.foldable_modules(net, scenario.rules))


@pytest.mark.parametrize("name", [n for n, s in SCENARIOS.items() if s.rules == DEFAULT_RULES])
def test_generic_fold_matches_daconv_torch(name):
    net = SCENARIOS[name].make_net()
    modules = list(dt.daconv_modules(net))
    assert modules and [n for n, _ in modules] == [n for n, _ in nw.foldable_modules(net)]
    for _, module in modules:
        weight, bias = fold(module, DEFAULT_RULES)
        ref_weight, ref_bias = dt.fold_daconv(module, keep_float64=True)
        torch.testing.assert_close(weight, ref_weight, rtol=1e-15, atol=1e-15)
        assert (bias is None) == (ref_bias is None)
        if bias is not None:
            torch.testing.assert_close(bias, ref_bias, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_plain_twin_is_equivalent_within_margin(name):
    scenario = SCENARIOS[name]
    net = scenario.make_net()
    twin = nw.plain_twin(net, scenario.rules)
    tol = checks.output_rtol(checks.floating_dtype(net), depth(scenario, net))
    error = checks.relative_output_error(twin, net, sample_input(scenario))
    print(f"{name}: error {error:.3e}, tolerance {tol:.1e}")
    assert error < tol / MARGIN


@pytest.mark.parametrize("wrong_rules", [
    (Branch("cac", "add", "cac_theta"), Branch("cdc", "add", "cdc_theta")),         # sign of cdc's centre term
    (Branch("cac", "vanilla", "cac_theta"), Branch("cdc", "difference", "cdc_theta")),  # centre term forgotten
    (Branch("cac", "add", None), Branch("cdc", "difference", "cdc_theta")),         # gate forgotten
], ids=["sign", "centre", "gate"])
@pytest.mark.parametrize("name", ["kernel3", "tiny_float16", "tiny_bfloat16", "tiny_float64"])
def test_wrong_fold_fails_the_tolerance(name, wrong_rules):
    scenario = SCENARIOS[name]
    net = scenario.make_net()
    wrong = nw.plain_twin(net, wrong_rules)
    tol = checks.output_rtol(checks.floating_dtype(net), depth(scenario, net))
    assert checks.relative_output_error(wrong, net, sample_input(scenario)) > tol


def test_tri_branch_fold_equals_its_forward():
    net = nw.prepared(nw.TriBranchNet(), 5, torch.float64, gate_names=("ta", "td"))
    for _, module in nw.foldable_modules(net, nw.TRI_RULES):
        x = torch.randn((2, module.a.in_channels, 9, 11), dtype=torch.float64)
        weight, bias = fold(module, nw.TRI_RULES)
        folded = torch.nn.functional.conv2d(x, weight, bias, padding=module.a.padding)
        torch.testing.assert_close(folded, module(x), rtol=1e-12, atol=1e-12)


def test_default_rules_find_nothing_in_custom_networks():
    assert nw.foldable_modules(nw.TriBranchNet()) == []
    assert nw.foldable_modules(dt.PlainNet()) == []
    assert [n for n, _ in nw.foldable_modules(nw.MixedNet(), nw.TRI_RULES)] == ["tri"]


@pytest.mark.parametrize("name", ["kernel5", "tiny_float16", "tiny_bfloat16", "tiny_float64", "zero_dce"])
def test_fold_bound_accepts_torch_and_rejects_two_ulps(name):
    scenario = SCENARIOS[name]
    net = scenario.make_net()
    for _, module in dt.daconv_modules(net):
        dtype = module.cac.weight.dtype
        exact, magnitudes = fold(module, DEFAULT_RULES)[0], fold(module, DEFAULT_RULES, True)[0]
        bound = checks.fold_bound(exact, magnitudes, dtype)
        rounded = dt.fold_daconv(module)[0]
        assert bool(((rounded.double() - exact).abs() <= bound).all()), "torch's own fold is out of bounds"
        if dtype == torch.float64:
            continue        # float64 rounding cannot be told from float64 summation order
        up = torch.full_like(rounded, float("inf"))
        two_ulps = rounded.nextafter(up).nextafter(up)
        assert bool(((two_ulps.double() - exact).abs() > bound).all())


def test_fold_bound_rejects_float32_arithmetic():
    net = SCENARIOS["tiny_float32"].make_net()
    rejected = 0
    for _, module in dt.daconv_modules(net):
        exact, magnitudes = fold(module, DEFAULT_RULES)[0], fold(module, DEFAULT_RULES, True)[0]
        ga, gd = torch.sigmoid(module.cac_theta.detach()), torch.sigmoid(module.cdc_theta.detach())
        wa, wd = module.cac.weight.detach(), module.cdc.weight.detach()
        kh, kw = wa.shape[2] // 2, wa.shape[3] // 2
        single = ga * wa + gd * wd          # the same fold, summed in float32 throughout
        single[:, :, kh, kw] += ga * wa.sum((2, 3)) - gd * wd.sum((2, 3))
        rejected += int(((single.double() - exact).abs() > checks.fold_bound(exact, magnitudes, wa.dtype)).sum())
    assert rejected > 0
