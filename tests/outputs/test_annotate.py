"""The angle drawn on an end-range picture is the reported value, checked against the frame's
own landmarks (not against the result)."""

from __future__ import annotations

import numpy as np
import pytest

from screen.landmarks import LEG
from screen.outputs import annotate
from screen.recording import Recording


@pytest.fixture(scope="module")
def result(k2w_files):
    from screen.analysis import analyze

    return analyze(k2w_files["left"], test="knee_to_wall")


def _tibial_inclination_from_landmarks(rec: Recording, frame: int, label: str) -> float:
    """Angle of knee − ankle from image up (0, −1), read from the recording's raw landmarks."""
    px = rec.pixels()[frame]
    hip, knee, ankle, heel, toe = px[list(LEG[label])]
    s = knee - ankle
    return float(np.degrees(np.arctan2(abs(s[0]), -s[1])))


def test_drawn_tibial_inclination_is_the_reported_value_at_that_frame(result):
    """Per rep: the label is the reported rep value; the drawn lines (that frame's conditioned
    shank) make that angle within 0.5° — the reported end range is a quadratic's peak over
    ±0.5 s around the drawn frame, never above that frame's angle, and a held knee drive changes
    the angle by a fraction of a degree there; and the raw
    landmarks of the same frame give it within 1.5° (the protocol measures after a 3 Hz
    low-pass, GUIDE-level landmark jitter is ~1°)."""
    m = result.measurement("tibial_inclination", "left")
    pics = annotate.end_range_pictures(result, m)
    assert [p.rep for p in pics] == [r["rep"] for r in m.reps]
    for pic, rep in zip(pics, m.reps, strict=True):
        d = pic.drawing
        assert d.label == f"{rep['value']:.1f}°"
        assert annotate.drawn_angle(d) == pytest.approx(rep["value"], abs=0.5)
        label = "left"  # legs are re-paired before measuring: the measured leg carries its side
        raw = _tibial_inclination_from_landmarks(result.recording, pic.frame, label)
        assert raw == pytest.approx(rep["value"], abs=1.5)
    assert max(p.value for p in pics) == m.value


def test_drawn_dorsiflexion_matches_the_definition(result):
    """90° − ∠(shank, heel→toe) of the drawn lines equals the reported dorsiflexion within 2°:
    the reported value takes the shank's peak over ±0.5 s and the foot pitch as the median of the
    still foot over ±0.5 s (the foot is short in the image, its pitch the noisiest term); the
    drawing is that one frame's shank and foot."""
    m = result.measurement("ankle_dorsiflexion", "left")
    for pic in annotate.end_range_pictures(result, m):
        assert annotate.drawn_angle(pic.drawing) == pytest.approx(pic.value, abs=2.0)


def test_annotated_video_has_every_frame(result, tmp_path):
    import cv2

    out = annotate.write_annotated_video(result, tmp_path / "a.mp4")
    cap = cv2.VideoCapture(str(out))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 208)  # rep 3's measured frame: the red border is drawn
    ok, img = cap.read()
    cap.release()
    assert ok and n == result.recording.n_frames
    border = img[2:6, 100:600].reshape(-1, 3).mean(axis=0)  # BGR
    assert border[2] > 150 and border[0] < 80
