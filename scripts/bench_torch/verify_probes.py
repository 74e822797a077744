"""The PyTorch flow merge-daconv's verify is measured against: load both checkpoints with torch, then for
every DAConv module run the branches (float64, training-mode formula) and the merged conv on seeded probes
with torch.nn.functional.conv2d, and compare. Usage: verify_probes.py ORIGINAL MERGED [--probe-batch 2]
[--probe-size 16]"""
import argparse
import sys

import torch
import torch.nn.functional as F


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("original")
    parser.add_argument("merged")
    parser.add_argument("--probe-batch", type=int, default=2)
    parser.add_argument("--probe-size", type=int, default=16)
    args = parser.parse_args()
    torch.set_num_threads(2)
    original = torch.load(args.original, map_location="cpu", weights_only=True)
    merged = torch.load(args.merged, map_location="cpu", weights_only=True)
    generator = torch.Generator().manual_seed(0)
    worst = 0.0
    modules = [key[: -len(".cac.weight")] for key in original if key.endswith(".cac.weight")]
    for prefix in modules:
        wa, wd = original[prefix + ".cac.weight"].double(), original[prefix + ".cdc.weight"].double()
        ba, bd = original.get(prefix + ".cac.bias"), original.get(prefix + ".cdc.bias")
        ta = torch.sigmoid(original[prefix + ".cac_theta"].double())
        td = torch.sigmoid(original[prefix + ".cdc_theta"].double())
        padding = (wa.shape[2] // 2, wa.shape[3] // 2)
        x = torch.randn(args.probe_batch, wa.shape[1], args.probe_size, args.probe_size, generator=generator,
                        dtype=torch.float64)
        ya = F.conv2d(x, wa, None if ba is None else ba.double(), 1, padding) + F.conv2d(x, wa.sum((2, 3), keepdim=True))
        yd = F.conv2d(x, wd, None if bd is None else bd.double(), 1, padding) - F.conv2d(x, wd.sum((2, 3), keepdim=True))
        reference = ta * ya + td * yd
        bias = merged.get(prefix + ".bias")
        y = F.conv2d(x, merged[prefix + ".weight"].double(), None if bias is None else bias.double(), 1, padding)
        worst = max(worst, (y - reference).abs().max().item())
    print(f"{len(modules)} modules, max abs error {worst:.3g}", file=sys.stderr)


if __name__ == "__main__":
    main()
