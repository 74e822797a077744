"""merge-daconv as a Python package: the native `merge-daconv` binary, and a way to run it.

The wheel carries the tool itself (a Swift binary, no Python at run time); this module only finds it and
hands it the command line, so `merge-daconv ...` and `python -m merge_daconv ...` behave exactly alike:
same output, same exit status, same signals.
"""

import os
import sys

__all__ = ["binary", "main"]


def binary() -> str:
    """The path of the `merge-daconv` binary inside this package."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin", "merge-daconv")


def main() -> None:
    """Replaces this Python process with the binary (exec, not a child process), so the caller sees the
    tool's own exit status and a Ctrl-C or SIGTERM reaches the tool directly."""
    path = binary()
    try:
        os.execv(path, [path, *sys.argv[1:]])
    except OSError as error:
        sys.stderr.write(f"merge-daconv: cannot run {path}: {error.strerror}\n")
        sys.exit(126)
