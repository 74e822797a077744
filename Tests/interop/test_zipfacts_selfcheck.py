"""Checks of the suite's zip reader (interop_support/zipfacts.py) on files torch and Python write.

test_output_file.py trusts it to find data offsets; here it must agree with torch's 64-byte layout and
must see the misalignment of a plain Python zipfile, so the alignment test can fail. Runs without the tool.
"""

import zipfile

import torch

from interop_support import zipfacts


def test_torch_written_data_records_are_found_aligned(tmp_path):
    path = tmp_path / "t.pth"
    torch.save({"a": torch.arange(5.0), "b": torch.ones(3, dtype=torch.float16)}, path)
    offsets = zipfacts.data_offsets(path)
    data = [name for name in offsets if "/data/" in name]
    assert data == ["t/data/0", "t/data/1"]
    assert all(offsets[name] % 64 == 0 for name in offsets)
    raw = path.read_bytes()
    assert raw[offsets["t/data/0"]:offsets["t/data/0"] + 20] == torch.arange(5.0).numpy().tobytes()
    assert zipfacts.first_crc_error(path) is None


def test_python_zipfile_records_are_found_misaligned(tmp_path):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("p/data.pkl", b"x" * 3)
        archive.writestr("p/data/0", b"\0" * 8)
    offsets = zipfacts.data_offsets(path)
    assert offsets["p/data.pkl"] == 30 + len("p/data.pkl")
    assert offsets["p/data/0"] % 64 != 0


def test_crc_error_is_reported(tmp_path):
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("c/data/0", b"abcdefgh")
    offset = zipfacts.data_offsets(path)["c/data/0"]
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert zipfacts.first_crc_error(path) == "c/data/0"
