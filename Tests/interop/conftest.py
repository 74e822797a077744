"""Shared pytest setup: import paths, the executable under test, and the per-session merge cache.

The executable is ``$MERGE_DACONV`` or ``<repo>/.build/debug/merge-daconv``. If it is missing, every test
that needs it is skipped with the reason; the oracle self-checks (torch only) still run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "fixtures"))      # daconv_torch (whole-module pickles name it)
sys.path.insert(0, str(HERE))                   # interop_support

import torch  # noqa: E402

from interop_support.merging import MergeCache  # noqa: E402
from interop_support.tool import Tool  # noqa: E402


def tool_path():
    """Where the executable under test is expected."""
    return Path(os.environ.get("MERGE_DACONV") or REPO / ".build" / "debug" / "merge-daconv")


def pytest_report_header(config):
    """Shows which tool and which torch the run uses."""
    return [f"merge-daconv: {tool_path()}", f"torch: {torch.__version__}"]


TOOLS = []      # the session's Tool, for the summary


def pytest_terminal_summary(terminalreporter):
    """Reports how many times the tool ran and how long that took (the rest is torch's side)."""
    for tool in TOOLS:
        terminalreporter.write_line(f"merge-daconv: {tool.runs} runs, {tool.seconds:.1f} s in the tool")


@pytest.fixture(scope="session")
def tool():
    """The executable under test; skips the test when it does not exist."""
    path = tool_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"merge-daconv not found at {path}: run `swift build` or set MERGE_DACONV")
    TOOLS.append(Tool(path))
    return TOOLS[-1]


@pytest.fixture(scope="session")
def merges(tool, tmp_path_factory):
    """Each scenario merged once per session (see interop_support/scenarios.py)."""
    return MergeCache(tool, tmp_path_factory.mktemp("scenarios"))
