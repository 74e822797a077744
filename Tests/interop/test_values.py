"""Values in the merged checkpoint: folded tensors equal the fold to an ulp, everything else is the input's.

Loading into a network (test_equivalence.py) converts dtypes silently, so dtypes and exact bytes are
checked here on the loaded dicts themselves.
"""

import pytest

from interop_support import checks
from interop_support.expected import folded_modules, input_state, load_output, network_state
from interop_support.rules import fold
from interop_support.scenarios import SCENARIOS


def folded_keys(merged):
    """The keys the merge writes: ``P.weight`` and, when a branch has a bias, ``P.bias``."""
    keys = set()
    for name, module in folded_modules(merged):
        keys.add(f"{name}.weight")
        if fold(module, merged.scenario.rules)[1] is not None:
            keys.add(f"{name}.bias")
    return keys


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_folded_tensors_equal_the_fold(merges, name):
    merged = merges.get(name)
    state = network_state(merged, load_output(merged))
    for module_name, module in folded_modules(merged):
        dtype = getattr(module, merged.scenario.rules[0].name).weight.dtype
        exact, magnitudes = fold(module, merged.scenario.rules), fold(module, merged.scenario.rules, True)
        for leaf, want, size in zip(("weight", "bias"), exact, magnitudes):
            key = f"{module_name}.{leaf}"
            if want is None:
                assert key not in state, f"{key}: no branch has a bias, yet the output has one"
                continue
            got = state[key]
            assert got.dtype == dtype and got.shape == want.shape, f"{key}: {got.dtype} {tuple(got.shape)}"
            excess = (got.double() - want).abs() - checks.fold_bound(want, size, dtype)
            assert float(excess.max()) <= 0, f"{key}: off the fold by more than half an ulp (plus float64 slack)"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_other_tensors_are_bit_identical(merges, name):
    merged = merges.get(name)
    state, source = network_state(merged, load_output(merged)), input_state(merged)
    passed_through = [key for key in state if key not in folded_keys(merged)]
    for key in passed_through:
        assert key in source, f"{key}: not in the input"
        checks.assert_same_bits(state[key], source[key], key)

