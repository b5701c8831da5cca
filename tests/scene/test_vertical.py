"""The true vertical (camera roll) from the picture: screen.scene.vertical.

Expected values come from exact synthetic geometry (scenes drawn with OpenCV at a known roll, the
roll sign checked against screen.kinematics.geometry) and, on real clips, from a known rotation
applied with OpenCV's warpAffine plus, for knee_to_wall_side, the clip's own roll read off its
frames (the plumb pillar edge, see docs/vertical.md).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from screen.kinematics.geometry import tilt_of, up_vector
from screen.landmarks import LEG, LM
from screen.scene import vertical as V

SHARED = Path(os.environ.get("MOVESCREEN_SHARED", Path(__file__).resolve().parents[3] / "shared"))
H, W = 1280, 720  # portrait, like the phone clips


COLUMNS = tuple(np.r_[-0.42, -0.25, np.linspace(0.05, 0.45, 7)])


def plumb_scene(roll_deg: float, *, vp_w: float = 0.0, seed: int = 0, shape: tuple[int, int] = (H, W),
                columns: tuple[float, ...] = COLUMNS) -> np.ndarray:
    """A grey BGR image of door frames, shelves and wall corners drawn for a camera rolled by
    ``roll_deg`` (true up appears at ``up_vector(roll_deg)``). ``vp_w`` ≠ 0 makes the verticals
    converge on a vanishing point at distance L / vp_w along true up from the centre (a pitched
    camera; negative = below the picture, camera pitched down). ``columns``: where the verticals
    stand, as offsets from the centre along true right, fractions of the width."""
    h, w = shape
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(128, 6, (h, w)), 0, 255).astype(np.uint8)
    c = np.array([w / 2, h / 2])
    up = up_vector(roll_deg)
    right = np.array([-up[1], up[0]])
    long_side = max(shape)
    vp = c + up * long_side / vp_w if vp_w else None
    # verticals across the width, more of them on the right (so a converging set is lopsided)
    for u in np.asarray(columns) * w:
        base = c + u * right + rng.uniform(-0.25, 0.25) * h * up
        direction = up if vp is None else np.sign(vp_w) * (vp - base) / np.linalg.norm(vp - base)
        a, b = base - 0.15 * h * direction, base + 0.15 * h * direction
        shade = int(rng.choice([30, 230]))
        cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), shade, 5, cv2.LINE_AA)
    for v in np.linspace(-0.35, 0.35, 4) * h:  # a few level shelves facing the camera
        a, b = c - v * up - 0.3 * w * right, c - v * up + 0.3 * w * right
        cv2.line(img, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 40, 4, cv2.LINE_AA)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


# ---- convention ---------------------------------------------------------------------------------

def test_roll_sign_is_the_up_vector_convention():
    # a plumb line drawn with roll_frame(+10°) leans with its top to the right, and its upward
    # direction reads back as +10° through geometry.tilt_of (the convention of camera_tilt_deg)
    img = np.zeros((400, 300), np.uint8)
    cv2.line(img, (150, 50), (150, 350), 255, 3)
    _, pts = V.roll_frame(img, 10.0, np.array([[150.0, 50.0], [150.0, 350.0]]))
    top, bottom = pts
    assert top[0] > bottom[0]
    assert tilt_of(top - bottom) == pytest.approx(10.0, abs=1e-9)


def test_roll_frame_leaves_no_border():
    out, _ = V.roll_frame(np.full((300, 200, 3), 255, np.uint8), 5.0)
    assert out.shape == (300, 200, 3)
    assert out[1:-1, 1:-1].min() > 200  # enlarged enough that no black corner shows


# ---- synthetic scenes -----------------------------------------------------------------------------

@pytest.mark.parametrize("roll", [-5.0, -3.0, -2.0, 0.0, 2.0, 3.0, 5.0])
def test_drawn_scene_roll_is_recovered(roll):
    est = V.from_frames([plumb_scene(roll)])
    assert est.source == "scene" and est.reliable
    assert est.roll_deg == pytest.approx(roll, abs=0.25)


@pytest.mark.parametrize("roll", [-4.0, 3.0])
@pytest.mark.parametrize("vp_w", [-0.3, 0.3])  # pitched down / up ≈ 17° for f ≈ L
def test_pitched_camera_roll_is_recovered_from_converging_verticals(roll, vp_w):
    # verticals lean by up to ±4° from the roll at the picture's sides; the fit models it
    scene = plumb_scene(roll, vp_w=vp_w)
    est = V.from_frames([scene])
    assert est.roll_deg == pytest.approx(roll, abs=0.3)
    spread = V.candidate_lines([V.detect_segments(cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY))], (H, W))
    assert np.ptp(spread.lean[spread.vertical]) > 4  # the scene really does converge
    level_lines_only = dataclasses.replace(V.DEFAULT_SETTINGS, pitch_prior=1e-6)  # no pitch model
    assert abs(V.from_frames([scene], settings=level_lines_only).roll_deg - roll) > 0.5


@pytest.mark.parametrize(("roll", "vp_w"), [(2.0, 0.3), (-3.0, -0.3), (4.0, -0.2)])
def test_vertical_is_reported_where_the_person_stands(roll, vp_w):
    # a pitched camera: plumb lines lean differently across the picture, so the vertical the
    # person's angles need is the one through them. Verticals drawn right of centre only; the
    # person (two landmarks) at 0.3 of the width right of centre. Expected: the direction from the
    # person to the verticals' vanishing point, and the roll at the centre without the person
    cols = tuple(np.linspace(0.18, 0.45, 6))
    scene = plumb_scene(roll, vp_w=vp_w, columns=cols)
    up = up_vector(roll)
    c = np.array([W / 2, H / 2])
    vp = c + up * max(H, W) / vp_w
    person = c + 0.3 * W * np.array([-up[1], up[0]])
    expected = tilt_of(np.sign(vp_w) * (vp - person))
    assert abs(expected - roll) > 1.5  # the two really differ
    points = np.full((33, 2), np.nan)
    points[LM.NOSE], points[LM.LEFT_EYE] = person, person + [0.0, 1.0]
    at_person = V.from_frames([scene], person_points=[points])
    assert at_person.reliable and at_person.roll_deg == pytest.approx(expected, abs=0.2)
    at_centre = dataclasses.replace(V.DEFAULT_SETTINGS, at_person=False)
    assert V.from_frames([scene], person_points=[points], settings=at_centre).roll_deg == \
        pytest.approx(roll, abs=0.3)
    assert V.from_frames([scene]).roll_deg == pytest.approx(roll, abs=0.3)  # no person: the centre
    assert V.person_center([None], [points]) == pytest.approx(person + [0.0, 0.5])


def test_person_center_is_the_median_landmark_or_box_centre():
    pts = np.full((33, 2), np.nan)
    pts[:3] = [[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]]
    assert V.person_center([None, None], [pts, None]) == pytest.approx([30.0, 40.0])
    assert V.person_center([[0, 0, 100, 200], None], [None, None]) == pytest.approx([50.0, 100.0])
    assert V.person_center([None], [None]) is None


def test_row_median_is_the_median_of_the_used_entries():
    rng = np.random.default_rng(3)
    x, use = rng.normal(size=(40, 9)), rng.random((40, 9)) > 0.4
    use[0], use[1], use[1, 4] = False, False, True  # a row with none, a row with one
    expected = [np.median(row[u]) if u.any() else np.nan for row, u in zip(x, use, strict=True)]
    np.testing.assert_allclose(V._row_median(x, use), expected)


def test_known_rotation_of_a_drawn_scene_is_recovered():
    # the same scene rolled with warpAffine (the real-clip check, on exact geometry)
    scene = plumb_scene(1.0)
    for roll in (-5.0, 5.0):
        est = V.from_frames([V.roll_frame(scene, roll)[0]])
        assert est.roll_deg == pytest.approx(1.0 + roll, abs=0.3)


def test_blank_image_gives_no_estimate():
    est = V.from_frames([np.full((H, W, 3), 120, np.uint8)])
    assert est.source == "assumed_level" and est.roll_deg == 0.0 and est.n_lines == 0
    assert np.isnan(est.uncertainty_deg) and "too few" in est.reason
    assert not est.reliable


def test_no_frames_gives_no_estimate():
    assert V.from_frames([]).source == "assumed_level"


def test_lines_on_the_person_are_ignored():
    # a background rolled 2° and a "person": a wide textured limb leaning 3.5° (close enough to
    # pull an unmasked fit, see the last assert), longer than any edge
    scene = plumb_scene(2.0)
    limb = np.array([[300.0, 200.0], [300.0 - np.tan(np.radians(3.5)) * 1000, 1200.0]])
    for k in range(-4, 5):  # both edges of a wide limb and its texture
        a, b = limb + [10 * k, 0]
        cv2.line(scene, tuple(a.astype(int)), tuple(b.astype(int)), (10, 10, 10) if k % 2 else (250,) * 3, 6)
    points = np.full((33, 2), np.nan)
    points[LM.LEFT_HIP], points[LM.LEFT_KNEE], points[LM.LEFT_ANKLE] = limb[0], limb.mean(0), limb[1]
    masked = V.from_frames([scene], person_points=[points])
    boxed = V.from_frames([scene], [np.r_[limb.min(0), limb.max(0)]])
    assert masked.roll_deg == pytest.approx(2.0, abs=0.3)
    assert boxed.roll_deg == pytest.approx(2.0, abs=0.3)
    assert V.from_frames([scene]).roll_deg > 2.3  # without the mask the limb pulls the fit
    mask = V.person_mask((H, W), points=points)
    assert mask[int(limb.mean(0)[1]), int(limb.mean(0)[0])] and not mask[50, 50]


def test_unreadable_video_is_a_user_error(tmp_path):
    from screen.errors import MovescreenError

    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video")
    with pytest.raises(MovescreenError):
        V.from_video(bad)
    with pytest.raises(MovescreenError):
        V.from_video(tmp_path / "missing.mp4")


# ---- resolve ----------------------------------------------------------------------------------------

def test_given_tilt_overrides_the_scene():
    scene = V.Vertical(3.0, 0.2, "scene", "x", 20)
    got = V.resolve(-1.5, scene)
    assert (got.roll_deg, got.source, got.uncertainty_deg) == (-1.5, "given", 0.0)


def test_reliable_scene_estimate_is_used():
    scene = V.Vertical(3.0, V.RELIABLE_UNCERTAINTY_DEG, "scene", "x", 20)
    assert V.resolve(None, scene) is scene


def test_unreliable_or_missing_estimate_assumes_level_and_says_why():
    loose = V.resolve(None, V.Vertical(3.0, V.RELIABLE_UNCERTAINTY_DEG + 0.5, "scene", "x", 20))
    assert (loose.source, loose.roll_deg) == ("assumed_level", 0.0) and "not reliable" in loose.reason
    none = V.resolve(None, V.from_frames([np.zeros((100, 100), np.uint8)]))
    assert none.source == "assumed_level" and "too few" in none.reason
    assert V.resolve(None, None).source == "assumed_level"


def test_summary_entry():
    d = V.Vertical(1.234, float("nan"), "assumed_level", "why", 0).to_dict()
    assert d == {"roll_deg": 1.23, "uncertainty_deg": None, "source": "assumed_level", "reason": "why",
                 "n_lines": 0}


# ---- from the body (exact synthetic skeletons seen by a rolled pinhole camera) -------------------

def _squats(roll: float, *, stagger_m: float = 0.0, noise_px: float = 1.0):
    import synthetic_squat as Q
    from camera import front_camera, to_recording

    _, phase = Q.squat_cycle(2)
    world = Q.skeleton(Q.between(phase, 0.0, 30.0), Q.between(phase, -90.0, 0.0))
    world[:, list(LEG["left"])] += [stagger_m, 0.0, 0.0]  # front camera: +X is toward it
    return to_recording(world, front_camera(roll_deg=roll), noise_px=noise_px, seed=1)


@pytest.mark.parametrize("roll", [-5.0, 5.0])
def test_body_roll_from_planted_feet_facing_the_camera(roll):
    est = V.from_body(_squats(roll))
    assert est.source == "body" and est.reliable
    assert est.roll_deg == pytest.approx(roll, abs=0.5)
    # a frontal angle measured from that vertical: shank (ankle → knee) from true up, within 1°
    # of the same angle seen by a level camera
    from screen.kinematics.geometry import inclination

    def shank(rec, up):
        p = rec.pixels()
        return inclination(p[:, LM.LEFT_KNEE] - p[:, LM.LEFT_ANKLE], up, 1.0)

    level = shank(_squats(0.0, noise_px=0.0), up_vector(0.0))
    rolled = shank(_squats(roll, noise_px=0.0), up_vector(est.roll_deg))
    assert np.max(np.abs(rolled - level)) <= 1.0
    assert np.max(np.abs(shank(_squats(roll, noise_px=0.0), up_vector(0.0)) - level)) > 4  # untold


def test_body_refuses_feet_staggered_in_depth():
    est = V.from_body(_squats(3.0, stagger_m=0.2))
    assert est.source == "assumed_level" and "side by side" in est.reason


@pytest.mark.parametrize("roll", [-5.0, 5.0])
def test_side_view_roll_untold_is_reported_unknown(roll):
    # knee-to-wall from the side with the camera rolled and nothing in the picture: the body
    # gives no vertical, so the result must say the vertical is unknown (assumed level)
    import synthetic as S

    _, incl = S.knee_drives()
    rec = S.recording(incl, tilt_deg=roll)
    body = V.from_body(rec)
    assert body.source == "assumed_level"
    got = V.resolve(None, V.from_frames([]), body)
    assert got.source == "assumed_level" and got.roll_deg == 0.0 and "assumed level" in got.reason


# ---- live level indicator ----------------------------------------------------------------------------

def test_level_indicator_draws_the_true_horizontal_at_the_roll():
    from screen.live import overlay

    img = np.zeros((400, 300, 3), np.uint8)
    out = overlay.level_indicator(img, V.Vertical(5.0, 0.3, "scene", "x", 9), center=(150, 100),
                                  length=200)
    assert out is img
    ys, xs = np.nonzero(np.all(img == overlay.GUIDANCE_BGR, axis=-1))  # amber: not level
    ys, xs = ys[ys < 130], xs[ys < 130]  # the line, not the text below it
    slope = np.polyfit(xs, ys, 1)[0]
    assert np.degrees(np.arctan(slope)) == pytest.approx(5.0, abs=0.5)  # right end lower: clockwise


def test_level_indicator_is_green_when_level_and_says_when_unknown():
    from screen.live import overlay

    level = overlay.level_indicator(np.zeros((400, 300, 3), np.uint8), V.Vertical(0.5, 0.3, "scene", "x", 9))
    assert np.all(level == overlay.LEVEL_OK_BGR, axis=-1).sum() > 100
    unknown = overlay.level_indicator(np.zeros((400, 300, 3), np.uint8), V.from_frames([]))
    assert not np.all(unknown == overlay.LEVEL_OK_BGR, axis=-1).any()
    assert not np.all(unknown == overlay.GUIDANCE_BGR, axis=-1).any()
    assert unknown.any()  # the reference line and the text


# ---- real clips ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shared() -> Path:
    if not (SHARED / "samples").is_dir():
        pytest.skip(f"real-clip checks need the shared clips at {SHARED} (set MOVESCREEN_SHARED)")
    return SHARED


def _frames(path: Path, n: int = 4) -> list[np.ndarray]:
    total = int(cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FRAME_COUNT))
    return V.read_frames(path, V.sample_indices(total, n))


@pytest.mark.parametrize("clip", ["samples/squat_side_deep.mp4", "samples/squat_front.mp4",
                                  "validation/bog_gait_circumduction.mp4"])
def test_real_clip_rotated_by_known_angles(shared, clip):
    # rooms with door frames and shelves: the estimate follows an applied roll within 1°
    frames = _frames(shared / clip)
    base = V.from_frames(frames)
    assert base.reliable
    for roll in (-5.0, -3.0, -2.0, 2.0, 3.0, 5.0):
        est = V.from_frames([V.roll_frame(f, roll)[0] for f in frames])
        assert est.roll_deg - base.roll_deg == pytest.approx(roll, abs=1.0), roll


@pytest.mark.parametrize("roll", [0.0, -5.0, -3.0, -2.0, 2.0, 3.0, 5.0])
def test_knee_to_wall_clip_and_its_rotated_copies_match_its_pillar(knee_to_wall, roll):
    # reference: the red-brick pillar's plumb edge leans −0.01° (docs/vertical.md, read off the
    # temporal median frame); the person, leaning on the wall beside it, is masked with pose
    # landmarks (mapped with the frames). The estimate, at the person, is reliable and within 1°
    pairs = [V.roll_frame(f, roll, p) for f, p in zip(*knee_to_wall, strict=True)]
    est = V.from_frames([f for f, _ in pairs], person_points=[p for _, p in pairs])
    assert est.source == "scene" and est.reliable
    assert est.roll_deg == pytest.approx(-0.01 + roll, abs=1.0)


@pytest.fixture(scope="module")
def knee_to_wall(shared, model_points):
    """knee_to_wall_side: 8 frames sampled as from_video does and the person's landmarks on them."""
    frames = _frames(shared / "samples" / "knee_to_wall_side.mp4", 8)
    return frames, model_points(frames)


@pytest.fixture(scope="module")
def model_points(shared):
    """Landmarks (33, 2) in pixels on still frames, from the full pose model in IMAGE mode."""
    import mediapipe as mp

    from screen.sources.pose import landmarks_to_arrays, open_landmarker

    def points(frames):
        out = []
        with open_landmarker(shared / "models" / "pose_landmarker_full.task", mode="image") as lm:
            for f in frames:
                rgb = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
                image, _ = landmarks_to_arrays(lm.detect(rgb))
                out.append(image[:, :2].astype(float) * [f.shape[1], f.shape[0]])
        return out

    return points


def test_from_video_is_from_frames_of_its_sampled_frames(shared, monkeypatch):
    # from_video reads LSD segments through sampled_segments (remembered: analyze has its tap
    # find them while the pose model tracks the frames); the estimate is the one from_frames
    # makes of those frames, whether read here or found by the tap on the RGB frames
    from screen.errors import MovescreenError
    from screen.recording import Recording

    path = shared / "samples" / "knee_to_wall_side.mp4"
    total = int(cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FRAME_COUNT))
    frames = V.read_frames(path, V.sample_indices(total, V.DEFAULT_SETTINGS.n_frames))
    assert repr(V.from_video(path)) == repr(V.from_frames(frames))
    V._SEGMENTS.clear()
    tap = V.tap()
    chosen = tap.choose(total, 30.0)
    V.remember(path, {int(i): tap.fn(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
                      for i, f in zip(chosen, frames, strict=True)})
    monkeypatch.setattr(V, "read_frames", lambda *a: pytest.fail("decoded again"))
    assert repr(V.from_video(path)) == repr(V.from_frames(frames))
    # landmarks longer than the video (by more than a damaged file may lack) are not its own:
    # refused before any frame is decoded
    n = int(total / 0.9) + 2
    nan = np.full((n, 33, 5), np.nan, np.float32)
    longer = Recording(np.arange(n) / 30.0, nan, nan[..., :3], {"width": W, "height": H})
    with pytest.raises(MovescreenError, match="not the video"):
        V.from_video(path, landmarks=longer)
