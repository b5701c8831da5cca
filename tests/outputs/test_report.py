"""The HTML report opened in a real headless Chromium: the screenshot must show the end-range
pictures and the plots (found as picture-sized, photo-like regions of the rendered page and
matched against the embedded images), user text must be escaped, and nothing is fetched."""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from screen.outputs import annotate, plots, report
from screen.session import TrialSpec, run_session

PATIENT = '<script>alert("x")</script> O\'Brien & Co'
WIDTH = 1000  # CSS px of the screenshot window; pictures are 15em = 240 px wide


@pytest.fixture(scope="module")
def rendered(k2w_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    session = run_session([TrialSpec(str(k2w_files["left"]), "knee_to_wall"),
                           TrialSpec(str(k2w_files["right"]), "knee_to_wall")],
                          patient=PATIENT, height_cm=178.0)
    html = report.write(session, folder / "report.html")
    shot = folder / "shot.png"
    report.run_chromium("--hide-scrollbars", f"--window-size={WIDTH},9000",
                        f"--screenshot={shot}", html.as_uri())
    return session, html.read_text(), cv2.imread(str(shot))


def _regions(img: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x, y, w, h) of large non-white blocks of the screenshot."""
    ink = (np.abs(img.astype(int) - 255).sum(axis=2) > 30).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, n) if stats[i, 4] > 20000]


def test_screenshot_shows_every_end_range_picture(rendered):
    """Each measured rep of each leg (3 reps × 2 measures × 2 trials = 12 pictures) appears as a
    240 px wide block of the page's aspect, and the first one matches its embedded image."""
    session, _, shot = rendered
    pics = [p for t in session.trials for m in t.result.measurements
            for p in annotate.end_range_pictures(t.result, m)]
    assert len(pics) == 12
    aspect = pics[0].height / pics[0].width
    photos = [r for r in _regions(shot) if abs(r[2] - 242) <= 4 and abs(r[3] / r[2] - aspect) < 0.05]
    assert len(photos) == 12
    x, y, w, h = photos[0]
    first = cv2.imdecode(np.frombuffer(pics[0].jpeg, np.uint8), cv2.IMREAD_COLOR)
    crop = cv2.resize(shot[y + 1:y + h - 1, x + 1:x + w - 1], (first.shape[1], first.shape[0]))
    corr = np.corrcoef(crop.ravel().astype(float), first.ravel().astype(float))[0, 1]
    assert corr > 0.9


def test_screenshot_shows_the_plots(rendered):
    """Each angle-over-time plot (one per measured value: 2 per trial) is found in the
    screenshot at its natural size by template matching (normalised correlation > 0.9)."""
    session, html, shot = rendered
    gray = cv2.cvtColor(shot, cv2.COLOR_BGR2GRAY)
    pngs = [plots.angle_over_time(t.result, m) for t in session.trials for m in t.result.measurements
            if m.value is not None]
    assert len(pngs) == 4 and html.count('class="plot"') == 4
    for png in pngs:
        plot = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
        score = cv2.matchTemplate(gray, plot, cv2.TM_CCOEFF_NORMED).max()
        assert score > 0.9


def test_user_text_is_escaped_and_nothing_is_fetched(rendered):
    _, html, _ = rendered
    assert "<script>" not in html and "&lt;script&gt;alert(" in html and "O&#39;Brien &amp; Co" in html
    assert "default-src 'none'" in html  # the page may not fetch anything
    assert not re.search(r'(src|href)="(?!data:)', html)


def test_verdict_and_asymmetry_in_the_report(rendered):
    _, html, _ = rendered
    assert "injury-risk cut-off found in elite junior basketball players" in html
    assert "a risk marker for that population, not a restriction" in html
    assert html.count("within threshold") >= 2  # tibial inclination (5.4°) and distance (1.5 cm)
