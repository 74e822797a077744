"""The wheel and the tarball: named truthfully, self-contained, and working with no Swift toolchain."""

from __future__ import annotations

import os
import re
import sys
import tarfile
import zipfile
import pytest

from conftest import FIXTURES, REPO, reference_tool, run, wheel_names

#: Libraries a Swift toolchain provides: the binary must not need any of them at run time.
SWIFT_RUNTIME = re.compile(r"libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu|lib_CF")


def test_wheel_name_version_and_contents(wheel, version):
    match = re.fullmatch(r"merge_daconv-(?P<version>[^-]+)-py3-none-(?P<platform>manylinux_\d+_\d+_x86_64)\.whl", wheel.name)
    assert match, wheel.name
    assert match["version"] == version
    names = wheel_names(wheel)
    info = f"merge_daconv-{version}.dist-info"
    for name in ["merge_daconv/__init__.py", "merge_daconv/__main__.py", "merge_daconv/bin/merge-daconv",
                 f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD", f"{info}/entry_points.txt",
                 f"{info}/licenses/LICENSE"]:
        assert name in names, name
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read(f"{info}/licenses/LICENSE") == (REPO / "LICENSE").read_bytes()
        assert b"merge-daconv = merge_daconv:main" in archive.read(f"{info}/entry_points.txt")
        assert archive.getinfo("merge_daconv/bin/merge-daconv").external_attr >> 16 & 0o111, "binary not executable"
        metadata = archive.read(f"{info}/METADATA").decode()
        # Every bundled library came with its licence notice.
        bundled = [n for n in names if n.startswith("merge_daconv.libs/")]
        notices = [n for n in names if n.startswith(f"{info}/licenses/third-party/")]
        assert bundled and len(notices) == len(bundled), (bundled, notices)
        for notice in notices:
            assert f"License-File: {notice.split('/licenses/', 1)[1]}" in metadata
    assert "License-Expression: Apache-2.0" in metadata
    licence = (REPO / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence and "END OF TERMS AND CONDITIONS" in licence


def test_platform_tag_is_what_auditwheel_finds(wheel):
    """auditwheel reads the glibc and libstdc++ symbol versions the binary and its libraries need."""
    shown = run([sys.executable, "-m", "auditwheel", "show", wheel])
    tag = re.search(r'consistent\s+with\s+the\s+following\s+platform\s+tag:\s+"([^"]+)"', shown.stdout)
    assert tag, shown.stdout
    assert wheel.name.endswith(f"-{tag[1]}.whl")
    glibc = max((tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+\.\d+)", shown.stdout)), default=None)
    assert glibc and tag[1].startswith(f"manylinux_{glibc[0]}_{glibc[1]}_"), (glibc, tag[1])


def test_no_dynamic_swift_runtime_or_foundation(installed):
    binary = next((installed / "lib").glob("python3*/site-packages/merge_daconv/bin/merge-daconv"))
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", binary]).stdout)
    assert needed and not [n for n in needed if SWIFT_RUNTIME.search(n)], needed
    resolved = run(["ldd", binary]).stdout
    assert "not found" not in resolved, resolved
    assert not SWIFT_RUNTIME.search(resolved), resolved
    assert "merge_daconv.libs/libzip-" in resolved, resolved   # bundled, not the system's


def test_installed_command_merges_and_verifies_with_the_toolchain_off_path(installed, tmp_path):
    command = installed / "bin/merge-daconv"
    assert run([command, "--version"]).stdout.startswith("merge-daconv ")
    (tmp_path / "packaged").mkdir()
    merged = tmp_path / "packaged/zero_dce.pth"
    merge = run([command, FIXTURES / "zero_dce.pth", merged])
    assert "equivalent: 7 layers checked" in merge.stdout and f"wrote {merged}" in merge.stdout
    verify = run([installed / "bin/python", "-m", "merge_daconv", "verify", FIXTURES / "zero_dce.pth", merged])
    assert verify.stdout.rstrip().endswith("equivalent: 7 layers checked"), verify.stdout
    reference = reference_tool()
    if reference:   # the packaged release build writes the very bytes the tested build writes
        (tmp_path / "reference").mkdir()
        again = tmp_path / "reference/zero_dce.pth"   # the same name: torch names the zip's folder after it
        run([reference, FIXTURES / "zero_dce.pth", again, "-q"], env=dict(os.environ))
        assert merged.read_bytes() == again.read_bytes()


@pytest.mark.parametrize("entry", [["bin/merge-daconv"], ["bin/python", "-m", "merge_daconv"]])
def test_both_entry_points_pass_the_exit_status_through(installed, entry):
    """A mismatch exits 1 and a missing file 3, as the binary does, whichever way it is started."""
    prefix = [installed / entry[0], *entry[1:]]
    mismatch = run([*prefix, "verify", FIXTURES / "tiny_sd.pth", FIXTURES / "zero_dce.expected.pth", "-q"], check=False)
    assert mismatch.returncode == 1, mismatch.stderr
    missing = run([*prefix, "verify", FIXTURES / "no-such.pth", FIXTURES / "tiny_sd.pth"], check=False)
    assert missing.returncode == 3 and missing.stderr.startswith("merge-daconv: "), missing.stderr


def test_tarball_runs_where_it_is_unpacked(tarball, wheel, tmp_path, version):
    with tarfile.open(tarball) as archive:
        archive.extractall(tmp_path, filter="data")
    top = tmp_path / tarball.name.removesuffix(".tar.gz")
    assert top.name == f"merge-daconv-{version}-{wheel.name.split('-')[-1].removesuffix('.whl')}"
    assert (top / "LICENSE").read_bytes() == (REPO / "LICENSE").read_bytes()
    assert (top / "README.md").read_bytes() == (REPO / "README.md").read_bytes()
    libraries = sorted(p.name for p in (top / "lib").iterdir())
    assert len(list((top / "third-party").iterdir())) == len(libraries) > 0
    assert run(["readelf", "-d", top / "bin/merge-daconv"]).stdout.count("$ORIGIN/../lib") == 1
    merged = tmp_path / "tiny_merged.pth"
    out = run([top / "bin/merge-daconv", FIXTURES / "tiny_sd.pth", merged]).stdout
    assert "equivalent: 4 layers checked" in out
    run([top / "bin/merge-daconv", "verify", FIXTURES / "tiny_sd.pth", merged, "-q"])
