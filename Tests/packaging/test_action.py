"""action.yml, run step by step as GitHub runs it (composite_runner), with the wheel from dist/."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from composite_runner import base_env, run_action
from conftest import BARE_ENV, DIST, FIXTURES, REPO


@pytest.fixture()
def workspace(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "work").mkdir()
    return tmp_path


def action(workspace, bare=True, **inputs):
    """Runs the action in `workspace/work`; `bare` leaves only /usr/bin:/bin on PATH (no toolchain)."""
    env = base_env(workspace / "home", workspace / "summary.md")
    if bare:
        env["PATH"] = BARE_ENV["PATH"]
    inputs.setdefault("wheel", str(DIST / "merge_daconv-*.whl"))
    return run_action(REPO, {k.replace("_", "-"): str(v) for k, v in inputs.items()}, env, workspace / "work")


def summary(workspace):
    path = workspace / "summary.md"
    return path.read_text() if path.exists() else ""


def test_equivalent_checkpoints_pass_with_report_junit_and_summary(workspace):
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "tiny_sd.expected.pth", junit="junit.xml")
    assert done.status == 0, done.log
    assert done.outputs == {"passed": "true", "report": "merge-daconv-report.json"}
    report = json.loads((workspace / "work/merge-daconv-report.json").read_text())
    assert report["passed"] is True and len(report["layers"]) == 4
    assert "<testsuites" in (workspace / "work/junit.xml").read_text()
    page = summary(workspace)
    assert page.startswith("### ✅ merge-daconv verify: equivalent, 4 layers checked\n"), page
    assert [line.split(" | ")[0] for line in page.splitlines() if line.startswith("| `")] == \
        ["| `" + layer["module"] + "`" for layer in report["layers"]]
    assert done.step_outputs["install"]["command"].endswith("/bin/merge-daconv")


def test_a_mismatch_fails_the_step_and_still_sets_the_outputs(workspace):
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "zero_dce.expected.pth")
    assert done.status == 1, done.log
    assert done.outputs == {"passed": "false", "report": "merge-daconv-report.json"}
    assert json.loads((workspace / "work/merge-daconv-report.json").read_text())["passed"] is False
    assert summary(workspace).startswith("### ❌ merge-daconv verify: NOT equivalent, 4 of 4 layers failed")


def test_fail_on_mismatch_false_only_reports(workspace):
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "zero_dce.expected.pth",
                  fail_on_mismatch="false")
    assert done.status == 0, done.log
    assert done.outputs["passed"] == "false"


def test_an_unreadable_file_fails_with_its_reason_on_the_summary(workspace):
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "bad/empty.pth", fail_on_mismatch="false")
    assert done.status == 3, done.log
    assert done.outputs == {"passed": "false", "report": ""}
    page = summary(workspace)
    assert page.startswith("### ❌ merge-daconv verify: could not check (exit status 3)\n\n```text\nmerge-daconv: "), page
    assert "bad/empty.pth" in page and page.endswith("\n```\n")


def test_extra_args_reach_verify_and_summary_false_writes_none(workspace):
    (workspace / "work/out").mkdir()
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "tiny_sd.expected.pth",
                  args="--probe-size 9  --seed 7", summary="false", report="out/r.json")
    assert done.status == 0, done.log
    layers = json.loads((workspace / "work/out/r.json").read_text())["layers"]
    assert all(layer["probe_shape"][2:] == [9, 9] for layer in layers), layers
    assert summary(workspace) == ""


def test_a_wheel_glob_that_matches_nothing_stops_before_verify(workspace):
    done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "tiny_sd.expected.pth",
                  wheel=DIST / "no-such-*.whl")
    assert done.status == 2 and "matches 0 files" in done.log, done.log
    assert done.outputs == {"passed": "", "report": ""}


def test_the_wheel_installs_from_a_url(workspace, wheel):
    """A release asset's URL; served here from the loopback address only."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(DIST))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{wheel.name}"
        done = action(workspace, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "tiny_sd.expected.pth", wheel=url)
    finally:
        server.shutdown()
        server.server_close()
    assert done.status == 0, done.log
    assert done.outputs["passed"] == "true"


def test_without_a_wheel_the_action_builds_the_tool(workspace):
    """The build is scripts/build-release's, which scripts/package has just run: here it only checks."""
    done = action(workspace, bare=False, original=FIXTURES / "tiny_sd.pth", merged=FIXTURES / "tiny_sd.expected.pth", wheel="")
    assert done.status == 0, done.log
    assert done.step_outputs["install"]["command"].startswith(str(REPO / ".build/static/"))
    assert done.outputs["passed"] == "true"


@pytest.mark.parametrize("path,schema", [("action.yml", "vendor.github-actions"),
                                         (".github/workflows/ci.yml", "vendor.github-workflows")])
def test_action_and_workflow_follow_githubs_schemas(path, schema):
    """They cannot run here; GitHub's published schemas (check-jsonschema's bundled copies) still apply."""
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(REPO / path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
