#!/usr/bin/env python3
"""Writes a large DAConv state_dict for performance and memory tests of merge-daconv.

The network is N layers of C->C 3x3 DAConv (with bias, theta shape [1]), named ``layers.<i>.…`` exactly
as ``fixtures/daconv_torch.py`` would name them; at the defaults (54 layers, 512 channels, float32) the
file is about 1 GB. The module tree is built on the meta device (no memory), then each tensor is
allocated and filled once, so the weights exist in memory only once; torch.save streams them out.

    /root/.cache/merge-daconv/venv/bin/python scripts/make_big_checkpoint.py /tmp/big.pth
    … --layers 8 --channels 256 --dtype float16 --legacy
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures"))
import daconv_torch  # noqa: E402

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64}


class StackedDAConvNet(nn.Module):
    """``layers``: N DAConv(C, C, 3) modules (their order of application does not matter here)."""

    def __init__(self, layers, channels):
        super().__init__()
        self.layers = nn.ModuleList(daconv_layer(channels) for _ in range(layers))


def daconv_layer(channels):
    """One C->C 3x3 DAConv with bias."""
    return daconv_torch.DAConv(channels, channels, 3)


def filled_state_dict(layers, channels, dtype, seed):
    """The network's state_dict with seeded values, each tensor allocated exactly once."""
    with torch.device("meta"):
        template = StackedDAConvNet(layers, channels).state_dict()
    generator = torch.Generator().manual_seed(seed)
    state = collections.OrderedDict()
    for name, meta in template.items():
        std = 2.0 if name.endswith("_theta") else (meta[0].numel() ** -0.5 if meta.dim() == 4 else 0.3)
        state[name] = torch.empty(meta.shape, dtype=dtype).normal_(0.0, std, generator=generator)
    state._metadata = template._metadata
    return state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the checkpoint to write")
    parser.add_argument("--layers", type=int, default=54, help="number of DAConv layers (default 54)")
    parser.add_argument("--channels", type=int, default=512, help="channels in and out of every layer (default 512)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32", help="parameter dtype (default float32)")
    parser.add_argument("--legacy", action="store_true", help="write the legacy (non-zip) format")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args()
    if args.layers < 1 or args.channels < 1:
        parser.error("--layers and --channels must be positive")

    start = time.perf_counter()
    state = filled_state_dict(args.layers, args.channels, DTYPES[args.dtype], args.seed)
    built = time.perf_counter()
    torch.save(state, args.out, _use_new_zipfile_serialization=not args.legacy)
    saved = time.perf_counter()
    size = os.path.getsize(args.out)
    tensor_bytes = sum(t.numel() * t.element_size() for t in state.values())
    print(f"wrote {args.out}: {size} bytes ({size / 2**30:.3f} GiB), {len(state)} tensors, "
          f"{tensor_bytes} bytes of tensor data, {args.layers} layers x {args.channels} channels, {args.dtype}, "
          f"{'legacy' if args.legacy else 'zip'}")
    print(f"time: build {built - start:.2f} s, save {saved - built:.2f} s, total {saved - start:.2f} s")


if __name__ == "__main__":
    main()
