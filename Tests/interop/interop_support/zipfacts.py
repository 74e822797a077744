"""Facts about a zip file read with Python's zipfile plus the local headers it does not expose."""

from __future__ import annotations

import struct
import zipfile

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")   # 30 bytes: signature ... name length, extra length
LOCAL_SIGNATURE = b"PK\x03\x04"


def data_offsets(path):
    """``{record name: file offset of its first data byte}`` (header offset + 30 + name + local extra)."""
    offsets = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
        for info in archive.infolist():
            handle.seek(info.header_offset)
            fields = LOCAL_HEADER.unpack(handle.read(LOCAL_HEADER.size))
            assert fields[0] == LOCAL_SIGNATURE, f"{info.filename}: no local header at {info.header_offset}"
            name_length, extra_length = fields[9], fields[10]
            offsets[info.filename] = info.header_offset + LOCAL_HEADER.size + name_length + extra_length
    return offsets


def records(path):
    """The archive's ZipInfo entries in central-directory order."""
    with zipfile.ZipFile(path) as archive:
        return archive.infolist()


def first_crc_error(path):
    """The first record whose CRC-32 does not match its data, or None (``ZipFile.testzip``)."""
    with zipfile.ZipFile(path) as archive:
        return archive.testzip()
