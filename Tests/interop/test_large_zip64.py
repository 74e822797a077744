"""Checkpoints over 4 GiB: zip64 records read and written. Too slow and too large (about 9 GB of disk, 5 GB of
memory on torch's side) for every CI run, so it runs only with MERGE_DACONV_LARGE=1:

    MERGE_DACONV_LARGE=1 MERGE_DACONV=.build/release/merge-daconv python -m pytest Tests/interop/test_large_zip64.py

The input holds a small DAConv next to a float32 tensor of 4.4 GB (a record larger than 4 GiB), followed by
more tensors (records at offsets beyond 4 GiB). The merged output must load in torch, with and without mmap,
into the plain network, every passed-through value in place.
"""

from __future__ import annotations

import copy
import os

import pytest
import torch

from daconv_torch import DAConv, plain_twin, randomize_

pytestmark = pytest.mark.skipif(os.environ.get("MERGE_DACONV_LARGE") != "1", reason="set MERGE_DACONV_LARGE=1 (needs ~9 GB of disk)")

BIG_ELEMENTS = 1_100 * 2**20  # 4.4 GB of float32: one record above 4 GiB


def test_over_4_gib_merges_and_loads(tool, tmp_path):
    net = torch.nn.Sequential(DAConv(3, 4, 3))
    randomize_(net, 7)
    state = net.state_dict()
    big = torch.zeros(BIG_ELEMENTS, dtype=torch.float32)
    big[-5:] = torch.tensor([1.5, -2.25, 3.0, 4.5, -6.0])
    state["big"] = big
    state["after"] = torch.arange(10, dtype=torch.float64)       # a record at an offset beyond 4 GiB
    source, merged = tmp_path / "large.pth", tmp_path / "large_merged.pth"
    torch.save(state, source)
    del big, state
    run = tool.run(source, merged, "-q")
    assert run.returncode == 0, run.describe()
    source.unlink()
    x = torch.randn(2, 3, 9, 9, dtype=torch.float64)
    reference = copy.deepcopy(net).double()(x)
    for mmap in (False, True):
        loaded = torch.load(merged, weights_only=True, mmap=mmap)
        assert loaded["big"].shape == (BIG_ELEMENTS,)
        assert loaded["big"][-5:].tolist() == [1.5, -2.25, 3.0, 4.5, -6.0]
        assert float(loaded["big"][: 2**20].abs().sum()) == 0.0
        assert loaded["after"].tolist() == list(range(10))
        twin = plain_twin(net)
        twin.load_state_dict({k: v for k, v in loaded.items() if k not in ("big", "after")}, strict=True)
        assert torch.allclose(twin.double()(x), reference, rtol=1e-5, atol=1e-5)
        del loaded
