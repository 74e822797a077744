#!/usr/bin/env python3
"""Writes a state_dict of many small tensors plus a few DAConv modules: the cost per entry of merge-daconv.

The tensors are named as a model's state_dict names them (``stages.<s>.blocks.<b>.norm.weight``, ...), each
of 4 float32 values in a storage of its own, as ``torch.save`` writes a model's parameters; 4 DAConv modules
of 8->8 3x3 follow (``heads.<i>.cac.weight``, ...), so a merge has something to fold. ``_metadata`` is kept as
``state_dict()`` keeps it (one ``{'version': 1}`` per module). scripts/bench_entries calls it.

    ~/.cache/merge-daconv/venv/bin/python scripts/make_entries_checkpoint.py /tmp/entries40k.pth --entries 40000
"""

from __future__ import annotations

import argparse
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures"))
import daconv_torch  # noqa: E402

# Four parameters and buffers per normalisation module, as BatchNorm's state_dict holds them (its int64
# counter aside); 16 such modules per block, 25 blocks per stage.
NORM_TENSORS = ("weight", "bias", "running_mean", "running_var")
MODULES_PER_BLOCK = 16
BLOCKS_PER_STAGE = 25
DAConvS = 4


def entries_state_dict(entries, seed):
    """`entries` small tensors and DAConvS DAConv(8, 8, 3) modules, with the `_metadata` state_dict() gives."""
    generator = torch.Generator().manual_seed(seed)
    state = collections.OrderedDict()
    metadata = collections.OrderedDict({"": {"version": 1}})
    for index in range(entries):
        module_index, tensor = divmod(index, len(NORM_TENSORS))
        block, module = divmod(module_index, MODULES_PER_BLOCK)
        stage, block = divmod(block, BLOCKS_PER_STAGE)
        prefix = f"stages.{stage}.blocks.{block}.norm{module}"
        if tensor == 0:
            metadata[prefix] = {"version": 2}
        state[f"{prefix}.{NORM_TENSORS[tensor]}"] = torch.empty(4).normal_(0.0, 0.3, generator=generator)
    for head in range(DAConvS):
        module = daconv_torch.DAConv(8, 8, 3)
        for name, value in module.state_dict().items():
            state[f"heads.{head}.{name}"] = value.detach().clone().normal_(0.0, 0.3, generator=generator)
        for name in ("", ".cac", ".cdc"):
            metadata[f"heads.{head}{name}"] = {"version": 1}
    state._metadata = metadata
    return state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="path of the checkpoint to write")
    parser.add_argument("--entries", type=int, default=40000, help="number of small tensors (default 40000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args()
    if args.entries < 0:
        parser.error("--entries must not be negative")
    state = entries_state_dict(args.entries, args.seed)
    temporary = args.out + ".partial"
    torch.save(state, temporary)
    os.replace(temporary, args.out)
    print(f"wrote {args.out}: {os.path.getsize(args.out)} bytes, {len(state)} tensors")


if __name__ == "__main__":
    main()
