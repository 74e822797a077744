"""A stand-in for merge-daconv written with torch: it exists only to check the interop suite itself.

It follows the command-line contract the suite tests (see ../README.md), so the suite can be run and
its failures seen before the Swift tool merges: run it, then break it (e.g. flip a sign below) and watch
the tests fail. It is not the tool: it uses torch (and unpickles whole modules with weights_only=False).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections import OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "fixtures"))     # whole-module pickles name daconv_torch

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

KINDS = ("add", "difference", "vanilla")
DEFAULT_RULES = [("cac", "add", "cac_theta"), ("cdc", "difference", "cdc_theta")]
TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5, torch.float16: 4e-3, torch.bfloat16: 3e-2}


class Failure(Exception):
    """A one-line error for stderr."""


def parse_rule(fields, origin):
    """``(name, kind, gate or None)`` from three fields."""
    if len(fields) != 3 or fields[1] not in KINDS:
        raise Failure(f"{origin}: expected NAME KIND GATE with KIND in {'|'.join(KINDS)}")
    return fields[0], fields[1], None if fields[2] == "none" else fields[2]


def read_rules(args):
    """The rules from --branch flags, a --rules file, or the defaults."""
    rules = [parse_rule(spec.split(":"), f"--branch {spec}") for spec in args.branch or []]
    if args.rules:
        for number, line in enumerate(Path(args.rules).read_text().splitlines(), 1):
            if line.strip() and not line.strip().startswith("#"):
                rules.append(parse_rule(line.split(), f"{args.rules}:{number}"))
    return rules or DEFAULT_RULES


def load(path):
    """The checkpoint as torch loads it; whole modules need the full unpickler."""
    try:
        return torch.load(path, weights_only=True)
    except Exception:
        try:
            return torch.load(path, weights_only=False)
        except Exception as error:
            raise Failure(f"{path}: not a readable torch checkpoint ({type(error).__name__})") from None


def module_keys(prefix, rules):
    """The keys a foldable module ``prefix`` may own."""
    keys = {f"{prefix}.{gate}" for _, _, gate in rules if gate}
    return keys | {f"{prefix}.{name}.{leaf}" for name, _, _ in rules for leaf in ("weight", "bias")}


def find_prefixes(state, rules):
    """Prefixes P of foldable modules in key order."""
    first = f".{rules[0][0]}.weight"
    found = []
    for key in state:
        if key.endswith(first):
            prefix = key[: -len(first)]
            needed = [f"{prefix}.{n}.weight" for n, _, _ in rules] + [f"{prefix}.{g}" for _, _, g in rules if g]
            if all(k in state for k in needed):
                found.append(prefix)
    return found


def branch_kernel(weight, kind):
    """A branch kernel in float64 with its centre term."""
    weight = weight.double().clone()
    if kind != "vanilla":
        kh, kw = weight.shape[2:]
        weight[:, :, kh // 2, kw // 2] += (1.0 if kind == "add" else -1.0) * weight.sum((2, 3))
    return weight


def fold(state, prefix, rules):
    """Float64 (weight, bias) of module ``prefix``; refuses unequal or even kernels."""
    shapes = {tuple(state[f"{prefix}.{n}.weight"].shape) for n, _, _ in rules}
    if len(shapes) != 1:
        raise Failure(f"{prefix}: branch kernels differ in shape {sorted(shapes)}")
    if any(side % 2 == 0 for side in next(iter(shapes))[2:]):
        raise Failure(f"{prefix}: even kernel {next(iter(shapes))[2:]} has no centre tap")
    weight, bias = 0, None
    for name, kind, gate in rules:
        g = torch.sigmoid(state[f"{prefix}.{gate}"].double()).reshape(()) if gate else 1.0
        weight = weight + g * branch_kernel(state[f"{prefix}.{name}.weight"], kind)
        if f"{prefix}.{name}.bias" in state:
            term = g * state[f"{prefix}.{name}.bias"].double()
            bias = term if bias is None else bias + term
    return weight, bias


def verify(state, prefix, rules, weight, bias, qualified):
    """A report layer: branches vs folded (rounded) convolution in float64 on a seeded input."""
    dtype = state[f"{prefix}.{rules[0][0]}.weight"].dtype
    kh, kw = weight.shape[2:]
    x = torch.randn((1, weight.shape[1], kh + 6, kw + 6), generator=torch.Generator().manual_seed(0),
                    dtype=torch.float64)
    pad = (kh // 2, kw // 2)
    ref = 0
    for name, kind, gate in rules:
        w = state[f"{prefix}.{name}.weight"].double()
        b = state.get(f"{prefix}.{name}.bias")
        y = F.conv2d(x, w, None if b is None else b.double(), padding=pad)
        if kind != "vanilla":
            y = y + (1.0 if kind == "add" else -1.0) * F.conv2d(x, w.sum((2, 3), keepdim=True))
        g = torch.sigmoid(state[f"{prefix}.{gate}"].double()).reshape(()) if gate else 1.0
        ref = ref + g * y
    got = F.conv2d(x, weight.to(dtype).double(), None if bias is None else bias.to(dtype).double(), padding=pad)
    abs_error = float((got - ref).abs().max())
    rel_error = abs_error / max(float(ref.abs().max()), 1e-300)
    tolerance = TOLERANCE[dtype]
    return {"module": qualified, "kernel": [kh, kw], "dtype": str(dtype).removeprefix("torch."),
            "max_abs_error": abs_error, "max_rel_error": rel_error, "tolerance": tolerance,
            "passed": rel_error <= tolerance}


def merge_state(state, rules, report, context):
    """The state dict with every foldable module folded at its first key; metadata entries dropped."""
    prefixes = find_prefixes(state, rules)
    owned = {key: prefix for prefix in prefixes for key in module_keys(prefix, rules) if key in state}
    out, done = OrderedDict(), set()
    for key, value in state.items():
        prefix = owned.get(key)
        if prefix is None:
            out[key] = value
        elif prefix not in done:
            done.add(prefix)
            weight, bias = fold(state, prefix, rules)
            dtype = state[f"{prefix}.{rules[0][0]}.weight"].dtype
            out[f"{prefix}.weight"] = weight.to(dtype)
            if bias is not None:
                out[f"{prefix}.bias"] = bias.to(dtype)
            report["layers"].append(verify(state, prefix, rules, weight, bias, context + prefix))
    metadata = getattr(state, "_metadata", None)
    if metadata is not None:
        branches = {f"{p}.{n}" for p in prefixes for n, _, _ in rules}
        out._metadata = OrderedDict((k, v) for k, v in metadata.items() if k not in branches)
    return out


def is_state_dict(value):
    """A dict whose values are all tensors."""
    return isinstance(value, dict) and value and all(isinstance(v, torch.Tensor) for v in value.values())


def check_paddings(net, rules):
    """Refuses modules whose branch padding is not dilation * (kernel // 2) (only whole modules say)."""
    names = [n for n, _, _ in rules]
    for qualified, module in net.named_modules():
        if all(isinstance(getattr(module, n, None), torch.nn.Conv2d) for n in names):
            for n in names:
                conv = getattr(module, n)
                centre = tuple(d * (k // 2) for d, k in zip(conv.dilation, conv.kernel_size))
                if tuple(conv.padding) != centre:
                    raise Failure(f"{qualified}: branch {n} has padding {conv.padding}, not {centre}: unfoldable")


def merge(obj, rules, keep_optimizer, report):
    """The merged checkpoint object."""
    if isinstance(obj, torch.nn.Module):
        check_paddings(obj, rules)
        return merge_state(obj.state_dict(), rules, report, "")
    if is_state_dict(obj):
        return merge_state(obj, rules, report, "")
    if not isinstance(obj, dict):
        raise Failure("the checkpoint is neither a state dict, a dict of them, nor a module")
    out = type(obj)()
    for key, value in obj.items():
        if isinstance(value, dict) and {"state", "param_groups"} <= set(value) and not keep_optimizer:
            report["dropped"].append(str(key))
        elif is_state_dict(value):
            out[key] = merge_state(value, rules, report, f"{key}.")
        else:
            out[key] = value
    return out


def main(argv):
    """Parses the command line, merges, writes the output and the report; returns the exit code."""
    argv = argv[1:] if argv[:1] == ["merge"] else argv
    parser = argparse.ArgumentParser(prog="merge-daconv")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--keep-optimizer", action="store_true")
    parser.add_argument("--report")
    parser.add_argument("--rules")
    parser.add_argument("--branch", action="append")
    args = parser.parse_args(argv)
    try:
        if os.path.exists(args.output) and not args.force:
            raise Failure(f"{args.output} exists (use --force)")
        report = {"passed": True, "layers": [], "dropped": [], "warnings": []}
        merged = merge(load(args.input), read_rules(args), args.keep_optimizer, report)
    except Failure as failure:
        print(f"merge-daconv: error: {failure}", file=sys.stderr)
        return 1
    if not report["layers"]:
        report["warnings"].append("no DAConv module found; tensors written unchanged")
    report["passed"] = all(layer["passed"] for layer in report["layers"])
    buffer = io.BytesIO()
    torch.save(merged, buffer)
    Path(args.output).write_bytes(buffer.getvalue())
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
