"""What the packaging tests share: the repository, dist/'s wheel and tarball, and clean environments.

These tests use dist/ the way people who never build Swift would: a fresh venv, `pip install --no-index`,
and the tools run under `env -i PATH=/usr/bin:/bin`, with no Swift toolchain anywhere on PATH.
"""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
FIXTURES = REPO / "fixtures"
#: What `env -i PATH=/usr/bin:/bin` leaves: the system's tools, no toolchain.
BARE_ENV = {"PATH": "/usr/bin:/bin"}


def only(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"expected one dist/{pattern} (run scripts/package), found {[p.name for p in found]}"
    return found[0]


@pytest.fixture(scope="session")
def wheel() -> Path:
    return only("merge_daconv-*.whl")


@pytest.fixture(scope="session")
def tarball() -> Path:
    return only("merge-daconv-*.tar.gz")


@pytest.fixture(scope="session")
def version() -> str:
    """The version in the source, where the tool's --version takes it from."""
    source = (REPO / "Sources/MergeDAConvCommands/MergeDAConvCommand.swift").read_text()
    found = re.findall(r'public static let version = "([^"]+)"', source)
    assert len(found) == 1, "the version constant moved: update this test and scripts/package"
    return found[0]


def run(command, env=None, cwd=None, check=True) -> subprocess.CompletedProcess:
    """Runs a command (by default in the bare environment), capturing text."""
    result = subprocess.run(
        [str(part) for part in command], env=BARE_ENV if env is None else env, cwd=cwd,
        capture_output=True, text=True)
    if check:
        assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new venv made by the system's Python, with the wheel installed and no index asked."""
    env = dict(BARE_ENV, HOME=str(folder))   # pip keeps its cache under HOME
    run(["/usr/bin/python3", "-m", "venv", folder / "venv"], env=env)
    run([folder / "venv/bin/pip", "install", "--quiet", "--disable-pip-version-check", "--no-index", wheel], env=env)
    return folder / "venv"


@pytest.fixture(scope="session")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh venv with the wheel installed."""
    return fresh_venv(tmp_path_factory.mktemp("fresh"), wheel)


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def reference_tool():
    """The debug build the rest of CI tests ($MERGE_DACONV), to compare outputs with, if given."""
    path = os.environ.get("MERGE_DACONV")
    return Path(path) if path else None
