"""Drawing functions of the live view, on blank images with exact synthetic points and
synthetic thresholds rules; pixel-level checks (colours at computed x positions, ink rows,
untouched camera pixels) and the section boxes that :func:`overlay.draw_column` reports.

Example renderings (``python tests/live/test_overlay.py`` writes them to /tmp/overlay-*.png;
``test_example_renderings`` renders the same into a temporary folder):

* ``overlay-knee-to-wall-portrait.png`` (940 x 960): frame 150 of
  shared/samples/knee_to_wall_side.mp4 scaled to 540 x 960 with the cached skeleton (magenta) on
  the left, untouched apart from the skeleton; on the right the 400-px dark column: the header
  "Knee-to-wall | left | recording trial 1" over a thin rule, the grey step line, the prompt in
  large bold white ("Drive the left knee toward the wall, heel down." / "Hold 2 s at the
  end."), an amber problem with an amber bar at its left, two readouts (label left, value
  right in large white "31.4 deg", the normal range under it in grey: "risk below 36.5 deg",
  "normal >= 10 deg"), the dorsiflexion gauge (value "18.2 deg" in green; a cyan triangle and
  "target 10" above the cyan tick at 10; the bar tinted dark orange below 10 and dark green
  above, the green value bar from 0 to 18.2, a white line at the best 27; numbers -10 0 10 20
  30 under the bar; a white triangle "best 27"; "normal | target 10 deg" in green), then the
  result panel (lighter box: "Trial 1 result", a green-barred row "Left ankle dorsiflexion:
  27.0 deg ... normal", a grey-barred row "Left tibial inclination ... insufficient data" with
  its reason wrapped in grey under it), and the fps line and key help small at the bottom.
* ``overlay-squat-960x540.png``: a landscape frame (squat_side_deep.mp4) at the live view's
  960 x 540 with the default column: too short for everything, so the step and the second
  readout and prompt entry are left out; header, prompt, problem, one readout, gauge (squat
  depth -4.3 in orange, target 0) and footer remain.
* ``overlay-squat-landscape.png``: the same clip at 1280 x 720 with a 520-px column showing a
  four-row result panel (normal / outside normal / not rated / insufficient data with its
  reason) and an amber coverage note; the prompt is cut to one line ending in "...".
* ``overlay-gauges.png``: gauges for an injury-risk-only rule (violet bar, "risk 36.5" as
  the target), severe + restricted, a normal range (-3 to 20), heel lift in foot lengths and a
  rule without threshold (blue bar, scale, "no threshold (not rated)").
* ``overlay-loading.png``: "movescreen: loading the pose model..." in large white, centred on
  a dark canvas, a short rule and the detail line in grey under it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from screen.landmarks import LM
from screen.live import overlay
from screen.results.thresholds import status_label


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


def test_gauge_range_includes_zero_and_the_thresholds():
    assert overlay.gauge_range({"restricted_below": 36.5}) == (-10.0, 51.5)
    rule = {"normal_min": -3.0, "normal_max": 20.0, "typical": 10.0}
    assert overlay.gauge_range(rule) == (-13.0, 35.0)


def test_text_lines_fit_the_image():
    img = overlay.draw_text_lines(blank(), ["turn sideways to the camera"], (10, 390),
                                  color=overlay.GUIDANCE_BGR, anchor_bottom=True)
    rows = np.nonzero(is_colour(img, overlay.GUIDANCE_BGR).any(axis=1))[0]
    assert len(rows) and rows.max() < 390


# ---------------------------------------------------------------------------------------------
# The info column (issue 13): view-models → pixels

DORSI = {"unit": "deg", "restricted_below": 10.0, "typical": 20.0}  # knee_to_wall.ankle_dorsiflexion
HIP_IR = {"unit": "deg", "restricted_below": 30.0, "severe_below": 10.0}
TOE_OUT = {"unit": "deg", "normal_min": -3.0, "normal_max": 20.0, "typical": 10.0}
RISK = {"unit": "deg", "injury_risk_below": 36.5}  # knee_to_wall.tibial_inclination
HEEL = {"unit": "foot lengths", "normal_max": 0.4, "provisional": True}
NONE = {"unit": "deg"}  # no threshold: not rated
GAUGE_W = 376


def column_bg(h: int = 700, w: int = overlay.COLUMN_WIDTH) -> np.ndarray:
    img = np.zeros((h, w, 3), np.uint8)
    img[:] = overlay.COLUMN_BGR
    return img


def gauge(rule, value=18.0, best=float("nan"), unit=None):
    """A gauge drawn at (12, 10) on a column background; (image, layout, height)."""
    img = column_bg(400, 400)
    layout: dict = {}
    g = overlay.Gauge("Ankle dorsiflexion (left)", value, unit or rule["unit"], rule, best=best)
    h = overlay.draw_gauge(img, g, (12, 10), GAUGE_W, layout=layout)
    return img, layout, h


def gx(v: float, rule, layout) -> int:
    """Pixel x of ``v`` on the drawn bar."""
    x, _, w, _ = layout["bar"]
    return overlay.gauge_x(v, rule, x, w)


def bar_band(img, layout, *, above: int = 0):
    """The gauge bar's rows (or ``above`` rows just over it, where only the ticks reach)."""
    x, y, w, h = layout["bar"]
    return img[y - above:y] if above else img[y:y + h]


def columns_of(mask: np.ndarray) -> np.ndarray:
    return np.nonzero(mask.any(axis=0))[0]


def bright(img: np.ndarray, level: int = 150) -> np.ndarray:
    return np.all(img >= level, axis=-1)


def test_gauge_range_covers_the_risk_cutoff_and_scales_other_units():
    """The injury-risk cut-off is on the scale (36.5° was off the old -10..25 scale); heel lift
    in foot lengths gets a scale of its own size, not ±10 units."""
    assert overlay.gauge_range(RISK) == (-10.0, 51.5)
    assert overlay.gauge_range(NONE) == (-10.0, 25.0)
    lo, hi = overlay.gauge_range(HEEL)
    assert lo < 0.0 and 0.4 < hi < 1.0


def test_gauge_x_maps_the_scale_onto_the_bar_and_clips():
    lo, hi = overlay.gauge_range(DORSI)
    assert overlay.gauge_x(lo, DORSI, 12, GAUGE_W) == 12
    assert overlay.gauge_x(hi, DORSI, 12, GAUGE_W) == 12 + GAUGE_W
    assert overlay.gauge_x(hi + 100, DORSI, 12, GAUGE_W) == 12 + GAUGE_W
    assert overlay.gauge_x(lo - 100, DORSI, 12, GAUGE_W) == 12
    assert overlay.gauge_x(lo, DORSI, 12, GAUGE_W) < overlay.gauge_x(10, DORSI, 12, GAUGE_W) \
        < overlay.gauge_x(20, DORSI, 12, GAUGE_W)
    assert overlay.gauge_x(2.5, DORSI, 0, 450) == 125  # (2.5 + 10) / 45 of 450 px


@pytest.mark.parametrize("rule, target", [(DORSI, 10.0), (HIP_IR, 30.0), (TOE_OUT, -3.0),
                                          (RISK, 36.5)])
def test_target_tick_is_drawn_at_the_threshold(rule, target):
    """Cyan (TARGET_BGR) pixels in the bar's rows sit at gauge_x(target) and nowhere else; the
    target's triangle is above the bar at the same x."""
    img, layout, _ = gauge(rule, value=5.0)
    x = gx(target, rule, layout)
    assert layout["target_x"] == x
    cols = columns_of(is_colour(bar_band(img, layout), overlay.TARGET_BGR))
    assert len(cols) and np.all(np.abs(cols - x) <= 3)
    above = columns_of(is_colour(bar_band(img, layout, above=12), overlay.TARGET_BGR))
    assert len(above) and np.all(np.abs(above - x) <= 10)


def test_other_thresholds_are_ticks_in_their_own_colour():
    """Hip IR: severe 10 (red tick) besides the target 30 (cyan); the red tick's pixels just
    above the bar (where only ticks reach) are at gauge_x(10)."""
    img, layout, _ = gauge(HIP_IR, value=22.0)
    band = bar_band(img, layout, above=5)
    red = columns_of(is_colour(band, overlay.STATUS_BGR["severe"]))
    assert len(red) and np.all(np.abs(red - gx(10, HIP_IR, layout)) <= 2)
    toe, toe_layout, _ = gauge(TOE_OUT, value=24.0)
    green = columns_of(is_colour(bar_band(toe, toe_layout, above=5), overlay.STATUS_BGR["normal"]))
    assert len(green) and np.all(np.abs(green - gx(20, TOE_OUT, toe_layout)) <= 2)


def test_value_bar_takes_the_status_colour_and_a_rule_without_threshold_is_not_grey():
    for value, status in ((5.0, "restricted"), (18.0, "normal")):
        img, layout, _ = gauge(DORSI, value=value)
        fill = is_colour(bar_band(img, layout), overlay.STATUS_BGR[status])
        assert fill.sum() > 100, status
        # from 0 to the value
        cols = columns_of(fill)
        assert abs(cols.min() - gx(0, DORSI, layout)) <= 2
        assert abs(cols.max() - gx(value, DORSI, layout)) <= 2
    img, layout, _ = gauge(NONE, value=6.0)
    assert is_colour(bar_band(img, layout), overlay.NEUTRAL_BGR).sum() > 100
    assert not is_colour(bar_band(img, layout), overlay.STATUS_BGR["not_rated"]).any()


def test_scale_numbers_are_under_the_bar_at_their_ticks():
    """Round numbers every 10° for the dorsiflexion scale (-10..35): light text pixels under the
    bar around gauge_x of each number, and tick marks right under the bar."""
    img, layout, h = gauge(DORSI)
    assert layout["ticks"] == [-10.0, 0.0, 10.0, 20.0, 30.0]
    x, y, w, bh = layout["bar"]
    below = img[y + bh + 8:y + bh + 40]
    ink = np.all(below == np.array(overlay.SCALE_BGR, np.uint8), axis=-1) | bright(below, 120)
    for v in layout["ticks"]:
        tx = gx(v, DORSI, layout)
        assert ink[:, max(0, tx - 12):tx + 12].sum() > 10, v
    heel, heel_layout, _ = gauge(HEEL, value=0.23)
    assert len(heel_layout["ticks"]) >= 3 and all(t == round(t, 1) for t in heel_layout["ticks"])


def test_best_marker_is_drawn_at_the_best_so_far():
    img, layout, _ = gauge(DORSI, value=18.0, best=27.0)
    bx = gx(27.0, DORSI, layout)
    assert layout["best_x"] == bx
    cols = columns_of(is_colour(bar_band(img, layout), overlay.BEST_BGR))
    assert len(cols) and np.all(np.abs(cols - bx) <= 1)
    x, y, w, bh = layout["bar"]
    under = is_colour(img[y + bh:], overlay.BEST_BGR)  # the triangle and "best 27"
    assert under[:, bx - 2:bx + 3].any()
    none, none_layout, _ = gauge(DORSI, value=18.0)
    assert none_layout["best_x"] is None
    assert not is_colour(bar_band(none, none_layout), overlay.BEST_BGR).any()


def test_a_rule_without_threshold_draws_a_scale_and_no_target():
    img, layout, h = gauge(NONE, value=6.0, best=9.0)
    assert layout["target_x"] is None and len(layout["ticks"]) >= 3
    assert not is_colour(img, overlay.TARGET_BGR).any()
    x, y, w, bh = layout["bar"]
    assert bright(img[y + bh + 8:y + bh + 40], 120).sum() > 50  # scale numbers
    # nothing tinted: the track stays plain where the value bar and best line are not
    band = bar_band(img, layout)
    assert is_colour(band, overlay.TRACK_BGR)[:, x:gx(0, NONE, layout) - 2].all()


def test_gauge_stays_inside_its_box_and_reports_its_height():
    for rule in (DORSI, HIP_IR, TOE_OUT, RISK, HEEL, NONE):
        img, layout, h = gauge(rule, value=33.0, best=40.0)
        ink = np.any(img != np.array(overlay.COLUMN_BGR, np.uint8), axis=-1)
        ys, xs = np.nonzero(ink)
        assert ys.min() >= 10 and ys.max() < 10 + h, rule
        assert xs.min() >= 12 - 10 and xs.max() <= 12 + GAUGE_W + 1, rule


@pytest.mark.parametrize("scale, thick", [(0.5, 1), (0.86, 2), (1.2, 2)])
def test_wrap_never_exceeds_the_width(scale, thick):
    text = ("Drive the left knee toward the wall, keeping the heel down; "
            "supercalifragilisticexpialidociouslylongwordwithoutspaces end.\nSecond paragraph")
    for width in (60, 120, 250, 376):
        lines = overlay.wrap(text, width, scale, thick)
        assert lines and all(cv2.getTextSize(s, overlay.FONT, scale, thick)[0][0] <= width
                             for s in lines)
        assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost
    assert overlay.wrap("", 100, 0.5) == []
    assert overlay.wrap("two words", 1000, 0.5) == ["two words"]


def test_status_text_uses_the_report_words():
    for status in overlay.STATUS_BGR:
        words = overlay.status_text(status)
        assert "_" not in words and words == words.lower() and words, status
    assert overlay.status_text("not_rated") == "not rated"
    assert overlay.status_text("insufficient_data") == "insufficient data"
    assert overlay.status_text("outside_normal") == "outside normal"
    assert overlay.status_text("restricted") == status_label("restricted", {}).lower()
    assert overlay.status_text("normal", HEEL) == "normal (provisional limit)"


def test_normal_text_and_values_are_human():
    assert overlay.normal_text(DORSI) == "normal >= 10 deg"
    assert overlay.normal_text(HIP_IR) == "severe < 10, normal >= 30 deg"
    assert overlay.normal_text(TOE_OUT) == "normal -3 to 20 deg"
    assert overlay.normal_text(RISK) == "risk below 36.5 deg"
    assert overlay.normal_text(HEEL) == "normal <= 0.4 foot lengths (provisional)"
    assert overlay.normal_text(NONE) == ""
    assert overlay.format_value(-0.01, "deg") == "0.0 deg"  # never "-0.0"
    assert overlay.format_value(0.234, "foot lengths") == "0.23 foot lengths"
    assert overlay.format_value(float("nan"), "deg") == "--"


def test_compose_puts_the_column_beside_the_unchanged_image():
    rng = np.random.default_rng(0)
    cam = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
    canvas, rect = overlay.compose(cam)
    assert rect == (640, 0, overlay.COLUMN_WIDTH, overlay.MIN_HEIGHT)
    assert canvas.shape == (overlay.MIN_HEIGHT, 640 + overlay.COLUMN_WIDTH, 3)
    assert np.array_equal(canvas[:360, :640], cam)
    assert not canvas[360:, :640].any()  # padded below, black
    assert is_colour(canvas[:, 640:], overlay.COLUMN_BGR).all()
    tall = rng.integers(0, 256, (960, 540, 3), dtype=np.uint8)
    canvas, rect = overlay.compose(tall, 300)
    assert rect == (540, 0, 300, 960) and np.array_equal(canvas[:, :540], tall)


def readout(i: int, value: float = 12.3) -> overlay.Readout:
    return overlay.Readout(f"Measure {i} (left)", value, "deg", "normal >= 10 deg")


def full_column(n_readouts: int = 2, **kw) -> overlay.Column:
    fields = dict(
        header="Knee-to-wall | left | recording trial 1", step="Step 5 of 7: measure",
        prompt=["Drive the left knee toward the wall, heel down.", "Hold 2 s at the end."],
        problems=["Left heel is lifting: keep it on the floor"],
        readouts=[readout(i) for i in range(n_readouts)],
        gauge=overlay.Gauge("Ankle dorsiflexion (left)", 18.2, "deg", DORSI, best=27.0),
        result=overlay.ResultPanel("Trial 1 result", [
            overlay.ResultRow("Left ankle dorsiflexion: 27.0 deg", "normal"),
            overlay.ResultRow("Left tibial inclination", "insufficient_data",
                              "heel lifted in every rep: no end range with the heel down")],
            notes=["Feet seen in 62% of frames"]),
        footer=["shown 30.0 fps | pose 14.8 fps | latency 80 ms", "SPACE trial  Q quit"])
    fields.update(kw)
    return overlay.Column(**fields)


def drawn(cam_shape=(960, 540), column=None):
    cam = np.random.default_rng(1).integers(0, 256, (*cam_shape, 3), dtype=np.uint8)
    canvas, rect = overlay.compose(cam)
    layout = overlay.ColumnLayout()
    overlay.draw_column(canvas, rect, column or full_column(), layout=layout)
    return cam, canvas, rect, layout


def value_lines(canvas, box) -> int:
    """Runs of rows with white (value) text in the right third of a box."""
    x, y, w, h = box
    rows = is_colour(canvas[y:y + h, x + 2 * w // 3:x + w], overlay.TEXT_BGR).any(axis=1)
    return int(np.sum(rows[1:] & ~rows[:-1]) + rows[0])


def test_column_draws_at_most_max_readouts():
    cam, canvas, rect, layout = drawn(column=full_column(7, gauge=None, result=None))
    names = [n for n in layout.boxes if n.startswith("readout") and n != "readouts"]
    assert len(names) == overlay.MAX_READOUTS
    assert layout.dropped[:3] == ["readout 5", "readout 6", "readout 7"]
    assert value_lines(canvas, layout.boxes["readouts"]) == overlay.MAX_READOUTS
    _, canvas2, _, layout2 = drawn(column=full_column(2, gauge=None, result=None))
    assert value_lines(canvas2, layout2.boxes["readouts"]) == 2


def test_column_never_draws_over_the_camera_image():
    """Camera pixels identical after the whole column is drawn; the result panel and every
    section lie inside the column, in order, without overlapping, above the footer."""
    for shape in ((960, 540), (540, 960)):
        cam, canvas, (cx, cy, cw, ch), layout = drawn(shape)
        assert np.array_equal(canvas[:shape[0], :shape[1]], cam)
        boxes = layout.boxes
        assert "result" in boxes and "problems" in boxes and "header" in boxes
        for name, (x, y, w, h) in boxes.items():
            assert x >= cx and x + w <= cx + cw and y >= cy and y + h <= cy + ch, name
        order = [n for n in boxes if n not in ("readouts", "footer")]
        for a, b in zip(order, order[1:], strict=False):
            assert boxes[a][1] + boxes[a][3] <= boxes[b][1], (a, b)
        assert boxes[order[-1]][1] + boxes[order[-1]][3] <= boxes["footer"][1]


def test_column_text_never_leaves_the_column():
    """Long words and lines wrap inside the padding: the right margin stays background."""
    long = "x" * 80 + " Stand sideways to the camera with the whole body in view"
    cam, canvas, (cx, cy, cw, ch), layout = drawn(
        column=full_column(3, header=long, prompt=[long], problems=[long],
                           readouts=[overlay.Readout(long, 1.0, "foot lengths", long)]))
    margin = canvas[:, cx + cw - overlay.PAD + 1:cx + cw]
    assert is_colour(margin, overlay.COLUMN_BGR).all()


def test_full_column_fits_a_tall_view_without_dropping():
    """The portrait knee-to-wall view (540 x 960 camera image): everything fits."""
    _, _, _, layout = drawn((960, 540))
    assert layout.dropped == [] and not layout.clipped


def test_overflow_drops_low_priority_sections_first_and_keeps_result_and_problems():
    """A 480-px column cannot hold everything: extra readouts, the step, prompt lines and the
    gauge go; header, problems and the result panel stay."""
    _, canvas, rect, layout = drawn((300, 400), full_column(4))
    assert {"header", "problems", "result"} <= layout.boxes.keys()
    assert "readout 2" in layout.dropped and "step" in layout.dropped
    assert layout.dropped.index("readout 2") < layout.dropped.index("step")
    assert "readout1" not in layout.boxes
    x, y, w, h = layout.boxes["result"]
    assert y + h <= rect[1] + rect[3]
    assert layout == overlay.layout_column(rect, full_column(4))  # same plan, drawn or not


def test_insufficient_row_shows_its_reason():
    """The reason line adds height under an insufficient row (drawn in the panel, muted)."""
    def result_height(reason: str) -> int:
        col = overlay.Column("h", result=overlay.ResultPanel("Trial 1", [
            overlay.ResultRow("Left tibial inclination", "insufficient_data", reason)]))
        return overlay.layout_column((0, 0, 400, 600), col).boxes["result"][3]

    assert result_height("heel lifted in every rep: no end range with the heel down") > \
        result_height("")


def test_loading_screen_has_bright_text_in_the_middle():
    img = overlay.draw_loading((960, 540), "movescreen: loading the pose model...",
                               "pose_landmarker_full.task")
    assert img.shape == (540, 960, 3) and img.dtype == np.uint8
    ys, xs = np.nonzero(bright(img, 230))
    assert len(ys) > 500
    assert 540 * 0.3 < ys.min() and ys.max() < 540 * 0.7
    assert abs((xs.min() + xs.max()) / 2 - 480) < 20  # centred
    assert not bright(img[:100]).any() and not bright(img[-100:]).any()


# ---------------------------------------------------------------------------------------------
# Example renderings (looked at by eye; see the module docstring)

SHARED = Path(__file__).resolve().parents[3] / "shared"


def _frame(clip: Path, index: int) -> np.ndarray | None:
    cap = cv2.VideoCapture(str(clip))
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = cap.read()
    cap.release()
    return frame if ok else None


def render_examples(shared: Path, out: Path) -> dict[str, overlay.ColumnLayout]:
    """Write the example PNGs of the module docstring to ``out``; their column layouts."""
    from screen.results import thresholds as T

    table = T.load()
    dorsi = T.rule(table, "knee_to_wall", "ankle_dorsiflexion")
    tib = T.rule(table, "knee_to_wall", "tibial_inclination")
    layouts: dict[str, overlay.ColumnLayout] = {}
    frame = _frame(shared / "samples" / "knee_to_wall_side.mp4", 150)
    assert frame is not None
    k = 960 / max(frame.shape[:2])
    img = cv2.resize(frame, (round(frame.shape[1] * k), round(frame.shape[0] * k)))
    cache = Path("/work/cache/full/knee_to_wall_side.npz")
    if cache.is_file():
        from screen.recording import Recording

        points = Recording.load(cache).image[150, :, :2].astype(float) * [img.shape[1], img.shape[0]]
        overlay.draw_skeleton(img, points)
    column = overlay.Column(
        header="Knee-to-wall | left | recording trial 1", step="Step 5 of 7: measure",
        prompt=["Drive the left knee toward the wall, heel down.", "Hold 2 s at the end."],
        problems=["Left heel is lifting: keep it on the floor"],
        readouts=[overlay.Readout("Tibial inclination (left)", 31.4, "deg", overlay.normal_text(tib)),
                  overlay.Readout("Ankle dorsiflexion (left)", 18.2, "deg",
                                  overlay.normal_text(dorsi))],
        gauge=overlay.Gauge("Ankle dorsiflexion (left)", 18.2, "deg", dorsi, best=27.0),
        result=overlay.ResultPanel("Trial 1 result", [
            overlay.ResultRow("Left ankle dorsiflexion: 27.0 deg", "normal"),
            overlay.ResultRow("Left tibial inclination", "insufficient_data",
                              "heel lifted in every rep: no end range with the heel down")]),
        footer=["shown 30.0 fps | pose 14.8 fps | latency 80 ms", "SPACE trial  L/R side  Q quit"])
    layouts["knee-to-wall-portrait"] = _render(img, column, out / "overlay-knee-to-wall-portrait.png")

    squat = _frame(shared / "samples" / "squat_side_deep.mp4", 60)
    assert squat is not None
    depth, heel = T.rule(table, "squat", "squat_depth"), T.rule(table, "squat", "heel_lift")
    readouts = [overlay.Readout("Squat depth (left)", -4.3, "deg", overlay.normal_text(depth)),
                overlay.Readout("Heel lift (left)", float("nan"), "foot lengths",
                                overlay.normal_text(heel))]
    footer = ["shown 30.0 fps | pose 25.1 fps | latency 65 ms", "SPACE trial  Q quit"]
    live = overlay.Column(
        header="Squat | left | recording trial 2", step="Step 5 of 7: measure",
        prompt=["Squat as deep as you can, heels down.", "Arms forward. 3 reps."],
        problems=["Feet cut off at the bottom: move the camera back"], readouts=readouts,
        gauge=overlay.Gauge("Squat depth (left)", -4.3, "deg", depth, best=2.5), footer=footer)
    layouts["squat-960x540"] = _render(cv2.resize(squat, (960, 540)), live,
                                       out / "overlay-squat-960x540.png")
    done = overlay.Column(
        header="Squat | side view | trial 2 done", prompt=["Stand up and rest. SPACE for the next trial."],
        readouts=readouts, footer=footer,
        result=overlay.ResultPanel("Trial 2: squat", [
            overlay.ResultRow("Squat depth: 2.5 deg below horizontal", "normal"),
            overlay.ResultRow("Heel lift: 0.52 foot lengths", "outside_normal"),
            overlay.ResultRow("Knee valgus: 3.0 deg", "not_rated"),
            overlay.ResultRow("Torso-tibia angle", "insufficient_data",
                              "the trunk was hidden by the arms in 80% of frames")],
            notes=["Feet seen in only 62% of frames: move the camera back"]))
    layouts["squat-landscape"] = _render(cv2.resize(squat, (1280, 720)), done,
                                         out / "overlay-squat-landscape.png", 520)

    gauges = np.zeros((980, 420, 3), np.uint8)
    gauges[:] = overlay.COLUMN_BGR
    y = 10
    for g in (overlay.Gauge("Tibial inclination (left)", 31.4, "deg", tib, best=38.2),
              overlay.Gauge("Hip internal rotation (right)", 22.0, "deg",
                            T.rule(table, "hip_rotation", "internal_rotation"), best=33.0),
              overlay.Gauge("Toe-out walking", 24.0, "deg",
                            T.rule(table, "foot_angle", "foot_progression_angle")),
              overlay.Gauge("Heel lift (left)", 0.23, "foot lengths", heel, best=0.31),
              overlay.Gauge("Knee valgus (left)", 6.0, "deg", T.rule(table, "squat", "knee_valgus"),
                            best=9.0)):
        y += overlay.draw_gauge(gauges, g, (12, y), 396) + 14
    cv2.imwrite(str(out / "overlay-gauges.png"), gauges)
    cv2.imwrite(str(out / "overlay-loading.png"), overlay.draw_loading(
        (1360, 540), "movescreen: loading the pose model...",
        "pose_landmarker_full.task; the camera starts when it is ready"))
    return layouts


def _render(img: np.ndarray, column: overlay.Column, path: Path,
            width: int = overlay.COLUMN_WIDTH) -> overlay.ColumnLayout:
    canvas, rect = overlay.compose(img, width)
    layout = overlay.ColumnLayout()
    overlay.draw_column(canvas, rect, column, layout=layout)
    assert np.array_equal(canvas[:img.shape[0], :img.shape[1]], img)
    cv2.imwrite(str(path), canvas)
    return layout


def test_example_renderings(shared, tmp_path):
    """The examples render; the portrait knee-to-wall view holds everything, the short
    landscape views drop only low-priority parts and keep the result panel."""
    layouts = render_examples(shared, tmp_path)
    assert len(list(tmp_path.glob("overlay-*.png"))) == 5
    assert layouts["knee-to-wall-portrait"].dropped == []
    assert "result" in layouts["squat-landscape"].boxes
    for layout in layouts.values():
        assert not layout.clipped


@pytest.mark.regression
def test_drawing_the_column_fits_in_a_frame():
    """A regression guard, not a specification: the column is drawn for every shown frame
    (30 fps). Measured ~3 ms for the full portrait column once text sizes are cached (a scale
    search that built 45 000-element lists once made it 500 ms)."""
    import time

    cam = np.zeros((960, 540, 3), np.uint8)
    column = full_column(4)
    times = []
    for _ in range(8):
        t0 = time.perf_counter()
        canvas, rect = overlay.compose(cam)
        overlay.draw_column(canvas, rect, column)
        times.append(time.perf_counter() - t0)
    assert float(np.median(times[1:])) < 0.030


if __name__ == "__main__":
    for name, lay in render_examples(SHARED if len(sys.argv) < 2 else Path(sys.argv[1]),
                                     Path("/tmp")).items():
        print(name, lay.dropped)
