"""safetensors on the suite's side: scenarios merged to ``.safetensors``, headers read by hand, bad files."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from interop_support.merging import Merged, write_input
from interop_support.tool import rule_arguments


def merge_to_safetensors(tool, scenario, folder, *extra):
    """Writes the scenario's input (as torch.save does) and merges it to ``folder/merged.safetensors``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    net, input_path = write_input(scenario, folder)
    output_path, report_path = folder / "merged.safetensors", folder / "report.json"
    command = [input_path, output_path, "--report", report_path]
    command += rule_arguments(scenario, folder) + list(scenario.extra_args) + list(extra)
    return Merged(scenario, net, input_path, output_path, report_path, tool.run(*command))


class SafetensorsMergeCache:
    """Each scenario merged to safetensors at most once per session."""

    def __init__(self, tool, root):
        self.tool, self.root, self.done = tool, Path(root), {}

    def get(self, scenario):
        """The ``Merged`` of ``scenario``; asserts the tool succeeded."""
        if scenario.name not in self.done:
            self.done[scenario.name] = merge_to_safetensors(self.tool, scenario, self.root / scenario.name)
        merged = self.done[scenario.name]
        assert merged.run.returncode == 0, merged.run.describe()
        return merged


def header(path):
    """``(header length, header dict, data bytes)`` of a safetensors file, read without the library."""
    blob = Path(path).read_bytes()
    length = struct.unpack("<Q", blob[:8])[0]
    return length, json.loads(blob[8:8 + length]), blob[8 + length:]


def raw_file(header_text, data=b"", length=None):
    """A safetensors file's bytes from a header text (``length`` overrides the true length)."""
    encoded = header_text.encode()
    return struct.pack("<Q", len(encoded) if length is None else length) + encoded + data


F32_PAIR = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[%d,%d]}}'

# name -> (bytes, words the tool's one-line error must contain)
BAD_FILES = {
    "overlap": (raw_file(F32_PAIR % (4, 12), bytes(12)), ["'a' and 'b' overlap"]),
    "gap": (raw_file(F32_PAIR % (12, 20), bytes(20)), ["'b'", "leaving bytes from 8 unused"]),
    "beyond_file": (raw_file("{}", length=4096), ["header length 4096", "end of the file"]),
    "unknown_dtype": (raw_file('{"w":{"dtype":"Q8","shape":[1],"data_offsets":[0,1]}}', b"\0"), ["'w'", "unknown dtype 'Q8'"]),
    "invalid_json": (raw_file('{"w":{"dtype":"F32",}}'), ["not valid JSON at offset"]),
    "out_of_range": (raw_file(F32_PAIR % (8, 16), bytes(8)), ["'b'", "past the data area of 8 bytes"]),
}
