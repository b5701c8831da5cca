"""Set-up checks (screen/framing.py) on hand-made landmark arrays: expected fractions counted by
hand from how the arrays are built."""

import numpy as np

from screen.landmarks import LM
from screen.scene.framing import FEET, check_framing, seen


def _inside(n: int = 10) -> np.ndarray:
    img = np.full((n, 33, 5), 0.5)
    img[..., 3:] = 1.0
    return img


def test_all_inside_is_ok():
    f = check_framing(_inside())
    assert f.ok and f.body_seen == 1.0 and f.feet_seen == 1.0 and f.frames_with_person == 10


def test_toes_below_the_frame_on_six_of_ten_frames():
    img = _inside()
    img[:6, LM.LEFT_FOOT_INDEX, 1] = 1.05
    f = check_framing(img)
    assert f.feet_seen == 0.4 and f.body_seen == 1.0
    assert len(f.guidance) == 1 and "feet" in f.guidance[0] and "60%" in f.guidance[0]


def test_one_hidden_side_still_counts_but_both_hidden_does_not():
    """A side view hides the far leg (low visibility, inside the frame): still in frame. With
    both heels hidden the feet are not seen."""
    img = _inside(4)
    img[:, LM.RIGHT_HEEL, 3] = 0.2
    assert seen(img, FEET).all()
    img[:, LM.LEFT_HEEL, 3] = 0.2
    assert not seen(img, FEET).any()


def test_frames_without_a_person_are_not_counted():
    img = _inside(10)
    img[:5] = np.nan
    img[5:7, LM.LEFT_KNEE, 0] = -0.1  # knee left of the frame on 2 of the 5 frames with a person
    f = check_framing(img)
    assert f.frames_with_person == 5 and f.body_seen == 0.6 and f.feet_seen == 1.0
    assert f.ok  # 60% ≥ the 50% needed


def test_nobody_at_all():
    f = check_framing(np.full((3, 33, 5), np.nan))
    assert not f.ok and "no person" in f.guidance[0]
