"""The ``--report`` JSON: one passing layer per folded module, with sane errors and tolerances.

The contract fixes the fields, not the convention of ``tolerance`` (absolute or relative), so a layer's
errors are held to it as "the smaller of max_abs_error and max_rel_error is within tolerance". The
tolerance itself must be tight enough that a wrong fold (error of order 1) cannot pass: ``SANE_TOLERANCE``.
"""

import math

import pytest

from interop_support.expected import folded_modules
from interop_support.scenarios import SCENARIOS

SANE_TOLERANCE = {"float64": 1e-8, "float32": 1e-3, "float16": 5e-2, "bfloat16": 0.25}
LAYER_FIELDS = {"module", "kernel", "dtype", "max_abs_error", "max_rel_error", "tolerance", "margin", "passed"}


def dtype_name(value):
    """``"float32"`` for ``"float32"``, ``"torch.float32"`` or ``torch.float32``."""
    return str(value).removeprefix("torch.")


def kernel_pair(value):
    """``[kh, kw]`` from a kernel given as an int, a pair, or a "KHxKW" string."""
    if isinstance(value, int):
        return [value, value]
    if isinstance(value, str):
        return [int(side) for side in value.lower().split("x")]
    return [int(side) for side in value]


def names_module(reported, name):
    """True if the report's module name is ``name``, possibly qualified by its container (``model.stem``)."""
    return reported == name or reported.endswith("." + name)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_report_lists_every_folded_module_as_passed(merges, name):
    merged = merges.get(name)
    report = merged.report
    assert report is not None, "no report written"
    assert report["passed"] is True
    assert isinstance(report["dropped"], list) and isinstance(report["warnings"], list)
    modules = folded_modules(merged)
    assert len(report["layers"]) == len(modules)
    for module_name, module in modules:
        matching = [layer for layer in report["layers"] if names_module(layer["module"], module_name)]
        assert len(matching) == 1, f"{module_name}: {len(matching)} report layers name it"
        layer = matching[0]
        assert LAYER_FIELDS <= set(layer), f"missing fields: {LAYER_FIELDS - set(layer)}"
        weight = getattr(module, merged.scenario.rules[0].name).weight
        assert kernel_pair(layer["kernel"]) == list(weight.shape[2:])
        assert dtype_name(layer["dtype"]) == dtype_name(weight.dtype)
        check_errors(layer, dtype_name(weight.dtype))


def check_errors(layer, dtype):
    """A layer's errors are finite, non-negative, within its tolerance, and that tolerance is sane."""
    abs_error, rel_error, tolerance = layer["max_abs_error"], layer["max_rel_error"], layer["tolerance"]
    assert layer["passed"] is True, layer
    assert all(math.isfinite(v) and v >= 0 for v in (abs_error, rel_error)), layer
    assert 0 < tolerance <= SANE_TOLERANCE[dtype], f"{layer['module']}: tolerance {tolerance} for {dtype}"
    assert min(abs_error, rel_error) <= tolerance, layer
    assert layer["margin"] == pytest.approx(abs_error / tolerance, rel=1e-12) and layer["margin"] <= 1, layer

