"""The file the tool writes: torch's zip format, stored, 64-byte aligned data, valid CRCs, reproducible.

Alignment matters for ``torch.load(mmap=True)`` and torch's computed storage offsets; stored entries are
required because mmap reads raw bytes (deflated data would load silently wrong); CRCs are not checked by
torch but are by every zip tool.
"""

import zipfile

import pytest

from interop_support import zipfacts
from interop_support.merging import merge
from interop_support.scenarios import SCENARIOS

ALIGNMENT = 64


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_output_is_an_aligned_stored_torch_zip(merges, name):
    path = merges.get(name).output_path
    assert path.read_bytes()[:4] == b"PK\x03\x04", "not a zip file (legacy input must become zip)"
    entries = zipfacts.records(path)
    folders = {entry.filename.split("/", 1)[0] for entry in entries}
    assert len(folders) == 1, f"records outside one top folder: {folders}"
    (folder,) = folders
    names = [entry.filename.removeprefix(folder + "/") for entry in entries]
    assert "data.pkl" in names and "version" in names and "constants.pkl" not in names, names
    assert all(entry.compress_type == zipfile.ZIP_STORED for entry in entries)
    offsets = zipfacts.data_offsets(path)
    data = [entry.filename for entry in entries if entry.filename.startswith(folder + "/data/")]
    assert data, "no data records"
    misaligned = {n: offsets[n] for n in data if offsets[n] % ALIGNMENT}
    assert not misaligned, f"data records not {ALIGNMENT}-byte aligned: {misaligned}"
    assert zipfacts.first_crc_error(path) is None


@pytest.mark.parametrize("name", ["tiny_float32", "training_checkpoint", "whole_module_legacy", "zero_dce"])
def test_two_runs_write_identical_bytes(tool, tmp_path, name):
    first = merge(tool, SCENARIOS[name], tmp_path / "first")
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    # The same input file again (legacy files embed run-dependent storage keys, so do not re-save).
    second = tool.run(first.input_path, second_dir / "merged.pth")
    assert first.run.returncode == 0 and second.returncode == 0, first.run.describe() + second.describe()
    assert first.output_path.read_bytes() == (second_dir / "merged.pth").read_bytes()
