"""The merged checkpoint loads into the plain twin and computes what the DAConv network computes.

For every scenario the output is loaded with ``torch.load(weights_only=True)`` and with ``mmap=True``,
loaded strictly into a zeroed plain twin (every foldable module replaced by an nn.Conv2d of the same
geometry), and run beside the DAConv network on a seeded batch, both in float64 (the tolerance is
explained in interop_support/checks.py).
"""

import pytest

from interop_support import checks
from interop_support import networks as nw
from interop_support.expected import load_output, loaded_twin, network_state
from interop_support.merging import sample
from interop_support.scenarios import SCENARIOS


@pytest.mark.parametrize("mmap", [False, True], ids=["load", "mmap"])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_merged_network_computes_the_same(merges, name, mmap):
    merged = merges.get(name)
    twin = loaded_twin(merged, network_state(merged, load_output(merged, mmap=mmap)))
    depth = len(nw.foldable_modules(merged.net, merged.scenario.rules))
    tol = checks.output_rtol(checks.floating_dtype(merged.net), depth)
    error = checks.relative_output_error(twin, merged.net, sample(merged))
    assert error <= tol, f"{name}: relative output error {error:.3e} > {tol:.1e}"
