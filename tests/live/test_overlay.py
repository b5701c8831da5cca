"""Drawing functions of the live view, on blank images with exact synthetic points."""

from __future__ import annotations

import numpy as np

from screen.landmarks import LM
from screen.live import overlay


def blank(h: int = 400, w: int = 300) -> np.ndarray:
    return np.zeros((h, w, 3), np.uint8)


def is_colour(img: np.ndarray, bgr: tuple[int, int, int]) -> np.ndarray:
    return np.all(img == np.array(bgr, np.uint8), axis=-1)


def test_skeleton_draws_the_segment_between_known_points():
    """Left knee (100, 100) → left ankle (100, 300), everything else missing: magenta pixels lie
    on the column x = 100 between the two joints and nowhere far from it."""
    pts = np.full((33, 2), np.nan)
    pts[LM.LEFT_KNEE] = (100, 100)
    pts[LM.LEFT_ANKLE] = (100, 300)
    img = overlay.draw_skeleton(blank(), pts, thickness=3)
    ys, xs = np.nonzero(is_colour(img, overlay.SKELETON_BGR))
    assert len(ys) > 150
    assert np.all(np.abs(xs - 100) <= 3) and ys.min() >= 95 and ys.max() <= 305


def test_skeleton_skips_missing_points():
    img = overlay.draw_skeleton(blank(), np.full((33, 2), np.nan))
    assert not img.any()


def test_readouts_show_values_with_known_units_or_dashes():
    assert overlay.readout_lines({"tibial_inclination": 12.34, "heel_lift": np.nan, "depth": 0.5},
                                 {"tibial_inclination": "deg"}) == [
        "tibial inclination:  12.3 deg", "heel lift: --", "depth:   0.5"]


def test_gauge_range_includes_zero_and_the_thresholds():
    assert overlay.gauge_range({"restricted_below": 36.5}) == (-10.0, 51.5)
    rule = {"normal_min": -3.0, "normal_max": 20.0, "typical": 10.0}
    assert overlay.gauge_range(rule) == (-13.0, 35.0)


def test_gauge_bar_takes_the_status_colour():
    """20° against restricted_below 36.5 is restricted (orange bar); 40° is normal (green)."""
    rule = {"restricted_below": 36.5}
    img = overlay.draw_gauge(blank(200, 400), "tibial_inclination", 20.0, rule, width=300)
    assert is_colour(img, overlay.STATUS_BGR["restricted"]).sum() > 100
    assert not is_colour(img, overlay.STATUS_BGR["normal"]).any()
    img = overlay.draw_gauge(blank(200, 400), "tibial_inclination", 40.0, rule, width=300)
    assert is_colour(img, overlay.STATUS_BGR["normal"]).sum() > 100


def test_text_lines_fit_the_image():
    img = overlay.draw_text_lines(blank(), ["turn sideways to the camera"], (10, 390),
                                  color=overlay.GUIDANCE_BGR, anchor_bottom=True)
    rows = np.nonzero(is_colour(img, overlay.GUIDANCE_BGR).any(axis=1))[0]
    assert len(rows) and rows.max() < 390
