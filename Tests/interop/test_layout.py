"""Key order and ``_metadata`` of the merged state dict: exactly the plain twin's.

The folded ``P.weight``/``P.bias`` take the place of P's first key, which is where torch puts the
twin's nn.Conv2d; ``_metadata`` (torch's per-module version record) loses ``P.cac``/``P.cdc``.
"""

import pytest

from interop_support.expected import load_output, network_state, twin_state
from interop_support.scenarios import SCENARIOS


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_key_order_is_the_plain_twins(merges, name):
    merged = merges.get(name)
    state = network_state(merged, load_output(merged))
    assert list(state) == list(twin_state(merged))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_metadata_is_the_plain_twins(merges, name):
    merged = merges.get(name)
    metadata = getattr(network_state(merged, load_output(merged)), "_metadata", None)
    expected = twin_state(merged)._metadata
    if merged.scenario.whole_module:
        # A pickled module records no _metadata, and module versions are class attributes the pickle
        # lacks: the tool may write none, and if it writes one only its keys can be checked.
        assert metadata is None or set(metadata) <= set(expected), list(metadata)
        return
    assert metadata is not None, "the input's _metadata was lost"
    branches = {rule.name for rule in merged.scenario.rules}
    left = [key for key in metadata if key not in expected and key.rpartition(".")[2] in branches]
    assert left == [], f"branch entries left in _metadata: {left}"
    assert list(metadata.items()) == list(expected.items())
