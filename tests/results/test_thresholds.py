"""Classification against rules (screen/thresholds.py); boundaries by hand."""

import pytest

from screen.results.thresholds import classify, load, rule


@pytest.mark.parametrize(("value", "status"), [(5.0, "severe"), (10.0, "restricted"),
                                               (29.9, "restricted"), (30.0, "normal")])
def test_hip_internal_rotation_bands(value, status):
    """GUIDE §3: < 10° severe, 30–40° normal (so 10–30° restricted)."""
    assert classify(value, rule(load(), "hip_rotation", "internal_rotation")) == status


@pytest.mark.parametrize(("value", "status"), [(-3.5, "outside_normal"), (-3.0, "normal"),
                                               (20.0, "normal"), (20.5, "outside_normal")])
def test_foot_progression_normal_range(value, status):
    """Staheli 1985: normal −3° to +20°."""
    assert classify(value, rule(load(), "foot_angle", "foot_progression_angle")) == status


def test_rule_without_limits_is_not_rated():
    assert classify(12.0, {"unit": "deg", "source": "none documented"}) == "not_rated"


def test_every_rule_has_a_unit_and_a_source():
    table = load()
    rules = [(test, name, r) for test, section in table.items() if isinstance(section, dict)
             for name, r in section.items()]
    assert len(rules) >= 5
    for test, name, r in rules:
        assert r.get("unit") and r.get("source"), f"[{test}.{name}] lacks unit or source"
