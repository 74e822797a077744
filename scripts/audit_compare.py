#!/usr/bin/env python3
"""Compares `merge-daconv inspect --audit` with picklescan on every file of the hostile-input suite and the fixtures.

    python3 -m venv ~/.cache/merge-daconv/venv-audit && ~/.cache/merge-daconv/venv-audit/bin/pip install picklescan
    ~/.cache/merge-daconv/venv-audit/bin/python scripts/audit_compare.py [.build/debug/merge-daconv] > comparison.md

For each file: our verdict and dangerous globals, picklescan's dangerous globals (and whether it could scan
the file), and whether the two agree on "is there a dangerous global". Nothing here unpickles anything:
picklescan, like merge-daconv, only reads opcodes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from picklescan.scanner import SafetyLevel, scan_file_path

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def ours(tool, path):
    run = subprocess.run([tool, "inspect", "--audit", "--json", path], capture_output=True, text=True)
    if run.stdout.strip():
        audit = json.loads(run.stdout)
        names = sorted(g["name"] for g in audit["globals"] if g["verdict"] == "dangerous")
        allowed = {g["name"] for g in audit["globals"] if g["verdict"] == "allowed"}
        return run.returncode, audit["verdict"], names, allowed
    return run.returncode, "refused: " + run.stderr.strip().split(": ", 2)[-1][:70], [], set()


def theirs(path):
    try:
        result = scan_file_path(path)
    except Exception as error:  # noqa: BLE001 - a scanner that raises is part of the comparison
        return [], [], f"raised {type(error).__name__}"
    dangerous = sorted({f"{g.module}.{g.name}" for g in result.globals if g.safety == SafetyLevel.Dangerous})
    suspicious = sorted({f"{g.module}.{g.name}" for g in result.globals if g.safety == SafetyLevel.Suspicious})
    return dangerous, suspicious, "scan error" if result.scan_err else ""


def main():
    tool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "merge-daconv")
    with open(os.path.join(ROOT, "fixtures", "hostile", "cases.json")) as handle:
        files = sorted(json.load(handle))
    files += sorted(f for f in os.listdir(os.path.join(ROOT, "fixtures")) if f.endswith(".pth"))
    for folder in ("data_objects", "layouts"):     # numpy values, paths, objects; the libraries' own savers
        files += sorted(f"{folder}/{f}" for f in os.listdir(os.path.join(ROOT, "fixtures", folder))
                        if f.endswith((".pth", ".ckpt", ".tar", ".state")))
    print("| file | merge-daconv (exit) | dangerous (ours) | picklescan dangerous | picklescan other | agree |")
    print("|---|---|---|---|---|---|")
    disagreements = []
    notes = {"we refuse the container, picklescan reports nothing": [],
             "our scan stops at a malformed pickle (exit 3), picklescan reports nothing": [],
             "picklescan raises an exception": [],
             "picklescan calls suspicious what torch's weights-only loader allows": set()}
    for name in files:
        path = os.path.join(ROOT, "fixtures", name)
        status, verdict, our_names, allowed = ours(tool, path)
        dangerous, suspicious, error = theirs(path)
        agree = bool(our_names) == bool(dangerous)
        if not agree:
            disagreements.append(f"{name}: ours {our_names or 'none'}, picklescan {dangerous or 'none'}")
        if verdict.startswith("refused") and not dangerous and not error:
            notes["we refuse the container, picklescan reports nothing"].append(name)
        if verdict == "incomplete" and not dangerous:
            notes["our scan stops at a malformed pickle (exit 3), picklescan reports nothing"].append(name)
        if error.startswith("raised"):
            notes["picklescan raises an exception"].append(f"{name} ({error[7:]})")
        notes["picklescan calls suspicious what torch's weights-only loader allows"].update(
            s for s in suspicious if s.replace("__builtin__.", "builtins.", 1) in allowed)
        other = ", ".join(suspicious + ([f"({error})"] if error else []))
        print(f"| {name} | {verdict} ({status}) | {', '.join(our_names)} | {', '.join(dangerous)} | {other} | "
              f"{'yes' if agree else '**no**'} |")
    print(f"\n{len(files)} files, {len(disagreements)} disagreements on whether a dangerous global is present")
    for line in disagreements:
        print(f"- {line}")
    for title, names in notes.items():
        print(f"\n{title}: {len(names)}\n")
        for item in sorted(names):
            print(f"- {item}")


if __name__ == "__main__":
    main()
