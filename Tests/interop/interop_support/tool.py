"""Runs the merge-daconv executable and collects what it did: exit code, stderr, output file, report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_SECONDS = 120


@dataclass
class Run:
    """One invocation: its arguments, exit code, stdout and stderr text."""

    args: list
    returncode: int
    stdout: str
    stderr: str

    def describe(self):
        """The call and what it printed, for assertion messages."""
        return f"$ {' '.join(map(str, self.args))}\nexit {self.returncode}\nstdout: {self.stdout}\nstderr: {self.stderr}"


class Tool:
    """The executable under test; counts its runs and their wall time for the session summary."""

    def __init__(self, path):
        self.path = Path(path)
        self.runs, self.seconds = 0, 0.0

    def run(self, *arguments):
        """Runs the tool with ``arguments`` (no shell). ``MERGE_DACONV_PYTHON`` is passed for the
        reference stand-in (reference/), which needs this interpreter; the real tool ignores it."""
        args = [str(self.path), *map(str, arguments)]
        env = dict(os.environ, MERGE_DACONV_PYTHON=sys.executable)
        start = time.monotonic()
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env)
        self.runs, self.seconds = self.runs + 1, self.seconds + time.monotonic() - start
        return Run(args, done.returncode, done.stdout, done.stderr)


def rule_arguments(scenario, folder):
    """The command-line arguments that give the tool the scenario's rules (none for the defaults)."""
    if scenario.rules_via == "branch":
        return [arg for rule in scenario.rules for arg in ("--branch", rule.flag())]
    if scenario.rules_via == "file":
        path = Path(folder) / "rules.txt"
        lines = ["# branch kind gate (written by the interop suite)"] + [rule.line() for rule in scenario.rules]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return ["--rules", path]
    return []


def read_report(path):
    """The report JSON at ``path`` as a dict (None if the file is absent)."""
    path = Path(path)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
