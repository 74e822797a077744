"""Differential proof against torch: seeded random checkpoints as real code writes them
(interop_support/random_checkpoints.py), each saved by ``torch.save`` and then

- ``inspect --json`` lists every tensor (dtype, shape, strides, offset, storage sharing) and every numpy value,
  path, defaultdict and object (type, dtype, shape, value) as torch and numpy see them;
- merged (all of a chunk in one batch run), the output loads with ``torch.load(weights_only=True)`` and
  ``mmap=True`` and holds the input with each DAConv folded (within half an ulp of the float64 fold plus float64
  slack), optimizer state dropped when something was folded, and the rest in the documented weights-only form;
- a checkpoint with no DAConv and nothing to convert comes back unchanged.

``MERGE_DACONV_DIFFERENTIAL`` sets how many (default 300; the full run uses 2400), ``MERGE_DACONV_DIFFERENTIAL_FIRST``
the first seed (default 0). A failure names its index:
``random_checkpoints.checkpoint(index)`` rebuilds it alone.
"""

import json
import os

import pytest
import torch

from interop_support import differential, random_checkpoints
from interop_support.weights_only_form import assert_same

COUNT = int(os.environ.get("MERGE_DACONV_DIFFERENTIAL", "300"))
FIRST = int(os.environ.get("MERGE_DACONV_DIFFERENTIAL_FIRST", "0"))     # another stretch of seeds
CHUNK = 100
CHUNKS = [range(start, min(start + CHUNK, FIRST + COUNT)) for start in range(FIRST, FIRST + COUNT, CHUNK)]


def failures_of(indices, check):
    """Runs ``check(index)`` for each index; returns the failures, each naming its index."""
    failed = []
    for index in indices:
        try:
            check(index)
        except Exception as error:  # noqa: BLE001  (every failure is reported with its index)
            failed.append(f"checkpoint {index}: {type(error).__name__}: {(str(error).splitlines() or [''])[0]}")
    return failed


@pytest.mark.parametrize("indices", CHUNKS, ids=lambda r: f"{r.start}-{r.stop - 1}")
def test_random_checkpoints_against_torch(tool, tmp_path, indices):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir(), outputs.mkdir()
    layouts = {}
    for index in indices:
        layouts[index], value = random_checkpoints.checkpoint(index)
        torch.save(value, inputs / f"c{index}.pth", pickle_protocol=random_checkpoints.pickle_protocol(index))

    def source(index):
        return torch.load(inputs / f"c{index}.pth", weights_only=False)

    def inspected(index):
        run = tool.run("inspect", "--json", inputs / f"c{index}.pth")
        assert run.returncode == 0, run.describe()
        differential.compare_inspection(json.loads(run.stdout), source(index))

    failed = failures_of(indices, inspected)
    run = tool.run("merge", inputs, "--out-dir", outputs, "--report", tmp_path / "batch.json", "--jobs", "2", "-q")
    assert run.returncode == 0, run.describe()
    reports = {entry["input"].rsplit("/", 1)[-1]: entry["report"] for entry in json.loads((tmp_path / "batch.json").read_text())["files"]}

    def merged(index):
        expected, folded = differential.expected_output(source(index))
        report = reports[f"c{index}.pth"]
        assert bool(report["layers"]) == folded, f"{layouts[index]}: layers {len(report['layers'])}, folded {folded}"
        for mmap in (False, True):
            assert_same(torch.load(outputs / f"c{index}.pth", weights_only=True, mmap=mmap), expected)
        if not folded and not report["converted"]:
            assert_same(torch.load(outputs / f"c{index}.pth", weights_only=True), source(index))

    failed += failures_of(indices, merged)
    assert not failed, f"{len(failed)} of {len(indices)} failed:\n" + "\n".join(failed[:10])
