"""Left–right asymmetry (screen/asymmetry.py); expected values computed by hand."""

import pytest

from screen.results.asymmetry import asymmetry
from screen.results.result import Measurement


def _m(name, side, value, threshold=None):
    status = "insufficient_data" if value is None else "normal"
    return Measurement(name=name, side=side, value=value, unit="deg", status=status,
                       threshold=threshold)


def test_difference_is_left_minus_right_and_flagged_above_the_rule():
    rule = {"asymmetry_above": 5.4}
    (a,) = asymmetry([_m("tibial_inclination", "left", 40.0, rule),
                      _m("tibial_inclination", "right", 33.0, rule)])
    assert a["difference"] == pytest.approx(7.0) and a["notable"] is True and a["threshold"] == 5.4


def test_within_the_rule_and_unrated_without_one():
    out = asymmetry([_m("a", "left", 10.0, {"asymmetry_above": 5.0}), _m("a", "right", 12.0),
                     _m("b", "left", 1.0), _m("b", "right", 4.0)])
    assert [(x["name"], x["difference"], x["notable"]) for x in out] == [("a", -2.0, False),
                                                                          ("b", -3.0, None)]


def test_no_line_when_a_side_has_no_value():
    assert asymmetry([_m("a", "left", 10.0), _m("a", "right", None)]) == []
