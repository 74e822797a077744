"""Runs a composite action's steps (action.yml) the way GitHub's runner does, for tests on this machine.

It understands only what action.yml uses, and refuses anything else, so a change to the action that this
runner cannot follow fails the tests instead of being skipped: `run` steps with `shell: bash` (run as
`bash --noprofile --norc -eo pipefail FILE`, as GitHub does), `id`, `env`, and the expressions
`${{ inputs.NAME }}`, `${{ steps.ID.outputs.NAME }}`, `${{ github.action_path }}`. Step outputs are read
from the file GITHUB_OUTPUT names; a failed step stops the action, as it does on GitHub.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
STEP_KEYS = {"id", "name", "shell", "env", "run"}


@dataclass
class ActionRun:
    status: int
    outputs: dict[str, str]
    log: str = ""
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)


def run_action(action_dir: Path, inputs: dict[str, str], env: dict[str, str], workdir: Path) -> ActionRun:
    spec = yaml.safe_load((action_dir / "action.yml").read_text())
    assert spec["runs"]["using"] == "composite", spec["runs"]
    given = dict(inputs)
    unknown = set(given) - set(spec["inputs"])
    assert not unknown, f"inputs the action does not declare: {unknown}"
    for name, meta in spec["inputs"].items():
        if name not in given:
            assert not meta.get("required"), f"required input {name} not given"
            given[name] = str(meta.get("default", ""))
    context = {"inputs": given, "steps": {}, "github": {"action_path": str(action_dir)}}
    log = []
    for step in spec["runs"]["steps"]:
        assert set(step) <= STEP_KEYS and step.get("shell") == "bash", f"step this runner cannot follow: {step}"
        status, outputs, text = _run_step(step, context, env, workdir, action_dir)
        log.append(text)
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": outputs}
        if status != 0:
            return ActionRun(status, _outputs(spec, context), "".join(log), _step_outputs(context))
    return ActionRun(0, _outputs(spec, context), "".join(log), _step_outputs(context))


def _run_step(step, context, env, workdir, action_dir):
    with tempfile.TemporaryDirectory() as scratch:
        output_file = Path(scratch) / "output"
        output_file.touch()
        script = Path(scratch) / "step.sh"
        script.write_text(_expand(step["run"], context))
        step_env = dict(env, GITHUB_ACTION_PATH=str(action_dir), GITHUB_OUTPUT=str(output_file))
        step_env.update({name: _expand(str(value), context) for name, value in step.get("env", {}).items()})
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              env=step_env, cwd=workdir, capture_output=True, text=True)
        return done.returncode, _read_outputs(output_file), done.stdout + done.stderr


def _read_outputs(path: Path) -> dict[str, str]:
    """`name=value` lines, and GitHub's multi-line form `name<<DELIMITER ... DELIMITER`."""
    outputs, lines = {}, iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lambda: next(lines), delimiter))
        elif line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def _expand(text: str, context) -> str:
    def value(match):
        path = match[1].split(".")
        node = context
        for part in path:
            assert isinstance(node, dict) and part in node or path[0] == "steps", f"unknown expression {match[0]}"
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node if isinstance(node, str) else ""
    return EXPRESSION.sub(value, text)


def _outputs(spec, context) -> dict[str, str]:
    return {name: _expand(meta["value"], context) for name, meta in spec.get("outputs", {}).items()}


def _step_outputs(context) -> dict[str, dict[str, str]]:
    return {step: data["outputs"] for step, data in context["steps"].items()}


def base_env(home: Path, summary: Path) -> dict[str, str]:
    """What a GitHub runner gives every step, as far as the action's scripts read it."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "RUNNER_TEMP": str(home),
            "GITHUB_STEP_SUMMARY": str(summary)}
