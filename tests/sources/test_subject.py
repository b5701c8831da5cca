"""Main-subject choice and following (screen/subject.py) on hand-built candidate tracks, and on
the real two-person clip."""

import numpy as np
import pytest

from screen.landmarks import HIPS
from screen.sources.subject import body_height, link_tracks, main_subject


def _person(hip_x: np.ndarray, hip_y: float, height: float) -> np.ndarray:
    """(T, 33, 5) normalised landmarks of a stick person: landmarks spread evenly over
    ``height`` below the head, hips at (hip_x, hip_y)."""
    n = len(hip_x)
    p = np.zeros((n, 33, 5))
    p[..., 0] = hip_x[:, None]
    p[..., 1] = hip_y - height / 2 + height * np.linspace(0, 1, 33)[None, :]
    p[:, list(HIPS), 1] = hip_y
    p[..., 3:] = 1.0
    return p


def _shuffled(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two people in random slot order per frame (as MediaPipe reports them); also returns
    which slot holds ``a``."""
    swap = np.random.default_rng(seed).random(len(a)) < 0.5
    cands = np.stack([a, b], axis=1)
    cands[swap] = cands[swap][:, ::-1]
    return cands, swap.astype(int)


def test_body_height_is_the_visible_vertical_extent():
    p = _person(np.full(3, 0.5), 0.5, 0.4)
    p[1, :, 3] = 0.0  # nothing visible on frame 1
    h = body_height(p)
    assert h[0] == pytest.approx(0.4) and np.isnan(h[1])


def test_walker_in_front_is_followed_whatever_the_slot_order():
    """A near person (0.4 of the image tall) walks from x 0.9 to 0.1 while a smaller one (0.25)
    stands at x 0.3: the walker is the main subject on every frame even where they pass."""
    t = np.arange(120) / 30
    walker = _person(np.linspace(0.9, 0.1, 120), 0.7, 0.4)
    bystander = _person(np.full(120, 0.3), 0.4, 0.25)
    cands, walker_slot = _shuffled(walker, bystander)
    pick = main_subject(cands, t)
    np.testing.assert_array_equal(pick, walker_slot)


def test_brief_passer_by_never_becomes_the_subject():
    """The subject stands still for 4 s; a larger person crosses for 0.5 s only."""
    t = np.arange(120) / 30
    subject = _person(np.full(120, 0.5), 0.6, 0.35)
    passer = _person(np.linspace(0.0, 1.0, 120), 0.6, 0.5)
    passer[:45], passer[60:] = np.nan, np.nan
    cands, subject_slot = _shuffled(subject, passer, seed=1)
    np.testing.assert_array_equal(main_subject(cands, t), subject_slot)


def test_one_person_with_a_gap_is_one_track():
    t = np.arange(90) / 30
    p = _person(np.linspace(0.2, 0.6, 90), 0.6, 0.4)[:, None]
    p[30:45] = np.nan  # out of view for 0.5 s
    ids = link_tracks(p, t)
    assert set(ids[np.isfinite(p[:, 0, 0, 0])].ravel()) == {0}
    assert np.all(ids[30:45] == -1)


def test_nobody_gives_no_subject():
    cands = np.full((10, 2, 33, 5), np.nan)
    assert np.all(main_subject(cands, np.arange(10) / 30) == -1)


@pytest.mark.video
def test_two_people_clip_follows_one_person(clip_recording):
    """two_people_side.mp4, established by watching frames every 30: a man stands, balances and
    jumps on a box in the left half of the image (hips at x ≈ 0.36–0.45 of the width, y ≈ 0.25
    of the height, frames 0–150) the whole time; a woman, nearer the camera, walks in from the
    right edge (~frame 55) and leaves at the left edge (~frame 195) with her hips at y ≈ 0.72.
    The man is in view longest, so he is the main subject; the woman must never be taken for him:
    every followed frame has its hips on the box, none down at the woman's height."""
    rec = clip_recording("two_people_side.mp4")
    assert rec.meta["people_max"] >= 2
    hip = rec.image[:, list(HIPS), :2].mean(axis=1)
    seen = np.isfinite(hip[:, 0])
    assert seen.sum() >= 100
    assert np.all((hip[seen, 0] > 0.3) & (hip[seen, 0] < 0.5))
    assert np.all(hip[seen, 1] < 0.4)
