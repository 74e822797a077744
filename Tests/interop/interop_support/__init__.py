"""Torch-side helpers of the interop suite: networks, their folding oracle, the tool runner and the checks."""
