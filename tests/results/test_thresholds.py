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


LIMITS = ("severe_below", "restricted_below", "normal_min", "normal_max", "injury_risk_below")


def _rules():
    table = load()
    return [(test, name, r) for test, section in table.items() if isinstance(section, dict)
            for name, r in section.items() if isinstance(r, dict)]


def test_every_rule_has_a_unit_and_a_source():
    rules = _rules()
    assert len(rules) >= 5
    for test, name, r in rules:
        assert r.get("unit") and r.get("source"), f"[{test}.{name}] lacks unit or source"


def test_every_limit_is_the_number_its_source_cites():
    """A limit must be traceable: each numeric limit of a rule appears, as a number, in its
    source (or note) text — a rule changed to 12° while its source still cites 10° fails, and so
    does a rule whose source string says nothing about the number (an empty-looking source)."""
    import re

    checked = 0
    for test, name, r in _rules():
        text = (r.get("source", "") + " " + r.get("note", "")).replace("−", "-")
        cited = {float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)}
        for key in LIMITS:
            if key in r:
                checked += 1
                assert float(r[key]) in cited or abs(float(r[key])) in cited, \
                    f"[{test}.{name}] {key} = {r[key]} is not cited in its source"
    assert checked >= 8


def test_every_declared_measure_has_a_rule():
    """Each measure a protocol declares has a rule (even if only to say it is not rated), so no
    measure is unrated by omission."""
    from screen.protocols import PROTOCOLS

    table = load()
    for test, protocol in PROTOCOLS.items():
        for m in protocol.measures:
            assert m.name in table.get(test, {}), f"no rule for {test}.{m.name}"


# ---- schema validation (issue 11) ------------------------------------------------------------
from pathlib import Path  # noqa: E402

from screen.errors import MovescreenError  # noqa: E402
from screen.results.thresholds import DEFAULT, risk_flags, status_label  # noqa: E402


def _clinic_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "clinic.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(path.read_text().splitlines()) if needle in ln)


def test_mistyped_key_is_an_error_naming_the_line(tmp_path):
    """A typo must not silently make ankle dorsiflexion NOT RATED."""
    path = _clinic_copy(tmp_path, "restricted_below = 10.0", "restricted_belw = 10.0")
    with pytest.raises(MovescreenError, match=rf"clinic.toml:{_line_of(path, 'restricted_belw')}: "
                                              r"unknown key 'restricted_belw'"):
        load(path)


def test_wrong_type_is_an_error(tmp_path):
    path = _clinic_copy(tmp_path, "restricted_below = 30.0", 'restricted_below = "30"')
    line = _line_of(path, 'restricted_below = "30"')
    with pytest.raises(MovescreenError, match=rf":{line}: 'restricted_below' in "
                                              r"\[hip_rotation.internal_rotation\] must be a number"):
        load(path)


def test_missing_source_is_an_error(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text('version = "x"\n\n[squat.ankle_dorsiflexion]\nunit = "deg"\nrestricted_below = 10.0\n')
    with pytest.raises(MovescreenError, match=r"t.toml:3: \[squat.ankle_dorsiflexion\] has no 'source'"):
        load(path)


def test_boolean_is_not_a_number(tmp_path):
    path = _clinic_copy(tmp_path, "severe_below = 10.0", "severe_below = true")
    with pytest.raises(MovescreenError, match="must be a number"):
        load(path)


def test_athlete_cutoff_is_a_flag_not_a_restriction():
    """Backman & Danielson 2011's 36.5° is for elite junior basketball players (GUIDE §3)."""
    r = rule(load(), "knee_to_wall", "tibial_inclination")
    assert classify(27.8, r) == "not_rated"
    assert risk_flags(27.8, r) == {"below_injury_risk_cutoff": True}
    assert risk_flags(40.0, r) == {"below_injury_risk_cutoff": False}


def test_provisional_limits_are_labelled():
    r = rule(load(), "squat", "heel_lift")  # provisional = true in the packaged file
    assert status_label("outside_normal", r) == "OUTSIDE NORMAL (provisional limit)"
    assert status_label("not_rated", r) == "NOT RATED"
    assert status_label("normal", rule(load(), "squat", "ankle_dorsiflexion")) == "NORMAL"
