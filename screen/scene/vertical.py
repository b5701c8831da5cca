"""The true vertical: how far the camera is rolled, estimated from the picture.

Why it matters: a camera rolled by θ shifts every image angle measured from "up" by θ, with a
sign that depends on which way the person faces, so a left and a right leg filmed with the same
tilted camera differ by 2θ. People filming at home do not know their roll.

Convention (the one of :func:`screen.kinematics.geometry.up_vector`): ``roll_deg`` is how far true
vertical *appears* screen-clockwise from the image's own up (−y). A plumb line whose top leans to
the right in the picture has a positive roll; ``up_vector(roll_deg)`` is its image direction.
With a pitched camera plumb lines converge, so this is read where the person stands (step 3).
Image coordinates are pixels, x right, y down, origin top-left.

How the scene estimate works (:func:`from_frames`)
1. Segments: OpenCV's line segment detector (LSD) on each sampled frame in grey, downscaled to
   each long side in ``scales_px`` (the coarse scale joins edges that texture breaks up).
   Segments shorter than ``min_length`` × the long side are dropped, and so is every segment
   lying more than ``max_on_person`` on the person (:func:`person_mask`: the skeleton from the
   landmarks drawn ``person_margin`` × the person's height wide, or a given box): limbs and torso
   are long, nearly vertical edges that are not plumb.
2. Candidates: segments within ``max_deviation_deg`` of image vertical (plumb candidates: door
   frames, wall corners, pillars) or of image horizontal (level candidates).
3. Which to trust: verticals. Every plumb edge in the world points at one vanishing point, so a
   camera pitched down (common: a phone aimed at the feet) makes verticals away from the image's
   centre column lean outward by up to several degrees, but the lean is a known function of the
   horizontal offset. The fit models it: a segment with midpoint m leans by
   ``θ + w · (c − m)·r / L`` (c the image centre taken as principal point, r the image direction
   90° clockwise from true up, L the long side, w = L / distance to the vanishing point, 0 when the
   camera is not pitched), and θ is the roll: the lean of a plumb line through the point c.
   With landmarks (or boxes) of the person and ``at_person``, c is the person's median landmark,
   not the image centre: the person's angles need the vertical where they stand, which for a
   pitched camera and a person off centre differs from the centre column's by w × offset (a phone
   on the floor aimed up at a squat: 3°), and edges near the person pin it down even when they
   all sit on one side of the picture (the pillar beside the knee-to-wall stretch), where the
   centre column's lean would need the poorly known w to extrapolate. Horizontals are
   much weaker evidence: only those in planes facing the camera are level in the picture; floor
   lines, receding walls and shelves run to vanishing points anywhere on the horizon. They are
   used only when there are not enough vertical edges, with the same one-vanishing-point model
   turned by 90° and their uncertainty inflated by ``horizontal_penalty``.
4. Robust combination: iteratively reweighted least squares with Tukey's biweight (start: the
   peak of the length-weighted distribution of leans times a broad prior N(0, ``roll_prior_deg``²),
   so the largest group of agreeing edges wins over scattered ones such as tree trunks, and of
   two comparable groups the one nearer level; the prior does not enter the fit itself),
   weights ∝ segment length. The same edge is found in many frames,
   and LSD breaks one edge into pieces, so segments are grouped into *edges* (same line: where it
   crosses the centre row or column on a ``cluster_px`` grid, and its lean to 2°) and the
   uncertainty of θ is the standard error from a bootstrap over edges (``n_bootstrap`` resamples),
   which also carries the θ–w trade-off when the edges sit far from c on one side. The
   biweight's residual scale (1.4826 MAD of all candidates) is kept within ``min_scale_deg`` and
   ``max_scale_deg``: with branches and rafters among the candidates the MAD sits at the cap, so
   the cap decides how far off plumb an edge may be and still pull (c × cap = 4.7°).
   The uncertainty has a floor of ``min_uncertainty_deg`` (lens distortion, principal point not
   at the centre).
5. Reliable when at least ``min_edges`` distinct edges agree and the uncertainty is at most
   :data:`RELIABLE_UNCERTAINTY_DEG`; otherwise :func:`resolve` says so and assumes a level camera.

Everything that can change an estimate is a field of :class:`VerticalSettings`.

From the body (:func:`from_body`): only where it can work — a front or back view with both feet
planted side by side (squats, standing). The line through the two ankles (and the one through the
two heels) then lies on the floor across the line of sight, so it is level in the world and appears
tilted by the roll. Its weakness is depth: feet staggered by δ tilt that line by about
f·h·δ / (D² · stance) — some 3–4° for 5 cm with a camera 1.2 m high and 2.5 m away — and
MediaPipe's depth is too coarse to rule that out below ~10 cm. Measured on the real clips
(docs/vertical.md): within 0.2° of the scene estimate on squat_front and nowva_goblet_squat_front
(5 s and 12 s of planted feet), but +2.4° on the 0.9 s squat_front_single_rep where the room's
horizontals read about −1°. Hence at least ``body_min_seconds`` of planted feet and an uncertainty
floor of ``body_systematic_deg``; :func:`resolve` prefers a reliable scene estimate. In a side view
the body offers nothing as good (MediaPipe's heel→toe line is not the sole: offsets of −10° to
+17° seen; the trunk sways), so there the answer is "assumed_level" with the reason.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.errors import MovescreenError
from screen.landmarks import LM, SKELETON
from screen.scene.view import FRONT_ABOVE

if TYPE_CHECKING:
    from screen.recording import Recording
    from screen.sources.pose import Tap

Source = Literal["given", "scene", "body", "assumed_level"]
F = NDArray[np.float64]

HANDS = ((LM.LEFT_WRIST, LM.LEFT_INDEX), (LM.LEFT_WRIST, LM.LEFT_PINKY), (LM.LEFT_WRIST, LM.LEFT_THUMB),
         (LM.RIGHT_WRIST, LM.RIGHT_INDEX), (LM.RIGHT_WRIST, LM.RIGHT_PINKY), (LM.RIGHT_WRIST, LM.RIGHT_THUMB))
TORSO = (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.LEFT_HIP)
HEAD = tuple(range(LM.NOSE, LM.MOUTH_RIGHT + 1))

RELIABLE_UNCERTAINTY_DEG = 1.0
"""A scene (or body) estimate is used only if its uncertainty (one standard error, degrees) is at
most this. Tibial inclination moves one-for-one with roll, and 1° is what a clinician's shin
inclinometer agrees to (GUIDE §3), so a looser estimate would add more error than it removes for
small rolls."""

LEVEL_TOLERANCE_DEG = 1.0
"""A camera rolled by no more than this counts as level in the live set-up indicator."""


@dataclass(frozen=True)
class VerticalSettings:
    """Every value that changes a scene estimate of the vertical (see the module docstring)."""

    n_frames: int = 8  # frames sampled evenly from a video
    scales_px: tuple[int, ...] = (640, 320)  # long sides the frames are downscaled to for LSD
    min_length: float = 0.06  # shortest segment used, as a fraction of the image's long side
    max_deviation_deg: float = 15.0  # candidates lie within this of image vertical / horizontal
    person_margin: float = 0.08  # person mask half-width / growth, fraction of the person's height
    max_on_person: float = 0.25  # segments with more of their length on the person are dropped
    cluster_px: float = 0.02  # edge grouping grid (line position), fraction of the long side
    min_edges: int = 4  # distinct edges needed for an estimate
    tukey_c: float = 4.685  # biweight tuning constant, in robust standard deviations
    min_scale_deg: float = 0.5  # floor and cap of the robust residual scale (1.4826 MAD) used by
    max_scale_deg: float = 1.0  # the biweight: plumb edges agree to a few tenths of a degree once
    # convergence is modelled; a cap of 1.5 (window ±7°) let tree trunks 2–3° off pull the fit
    mode_bandwidth_deg: float = 1.0  # smoothing of the lean histogram whose peak starts the fit
    roll_prior_deg: float = 6.0  # s.d. of the prior on roll used only to pick that starting peak
    pitch_prior: float = 0.35  # prior s.d. of w (L / vanishing-point distance; ≈ 15° of pitch)
    horizontal_penalty: float = 2.0  # uncertainty multiplier when horizontals carry the estimate
    n_bootstrap: int = 1000  # resamples; the s.e. it gives varies by 1/√(2n): 2%, where 200 gave 5%
    # and flipped estimates near the 1° reliability line by the seed alone
    min_uncertainty_deg: float = 0.2
    seed: int = 0
    at_person: bool = True  # report the vertical through the person (median landmark), not the
    # image centre: with a pitched camera plumb lines lean differently across the picture, and the
    # person's angles need the one where they stand (also shortens the extrapolation from edges)
    # from the body (front or back view, feet planted side by side; see from_body)
    body_min_visibility: float = 0.5  # ankles and heels at least this visible
    body_max_speed: float = 0.15  # ankles slower than this many leg lengths per second,
    body_smooth_s: float = 0.3  # measured on positions averaged over this long
    body_max_depth_m: float = 0.10  # |left − right ankle depth| (world z) at most this
    body_min_seconds: float = 2.0  # planted frames needed, in total
    body_block_s: float = 0.5  # frames closer than this are not independent (standard error)
    body_systematic_deg: float = 0.75  # floor: feet staggered in depth, left/right landmark bias


DEFAULT_SETTINGS = VerticalSettings()


@dataclass(frozen=True)
class Vertical:
    """The camera's roll and how it was found.

    roll_deg: how far true vertical appears clockwise from the image's up, degrees (0 = level;
        the convention of :func:`screen.kinematics.geometry.up_vector`), at the person when the
        scene estimate had their landmarks or box, else at the image centre.
    uncertainty_deg: one standard error of ``roll_deg``, degrees (NaN when there is no estimate).
    source: "given" (the user's ``--camera-tilt``), "scene" (edges in the picture), "body", or
        "assumed_level" (no reliable estimate: ``roll_deg`` is 0 and ``reason`` says why).
    reason: one line for the result and the report.
    n_lines: distinct scene edges that carried the estimate (0 when none).
    """

    roll_deg: float
    uncertainty_deg: float
    source: Source
    reason: str
    n_lines: int

    @property
    def reliable(self) -> bool:
        """True when the uncertainty is within :data:`RELIABLE_UNCERTAINTY_DEG`."""
        return bool(np.isfinite(self.uncertainty_deg)
                    and self.uncertainty_deg <= RELIABLE_UNCERTAINTY_DEG)

    def to_dict(self) -> dict[str, float | str | int | None]:
        """The ``"vertical"`` entry of summary.json (NaN written as None)."""
        u = self.uncertainty_deg
        return {"roll_deg": round(self.roll_deg, 2),
                "uncertainty_deg": round(u, 2) if np.isfinite(u) else None,
                "source": self.source, "reason": self.reason, "n_lines": self.n_lines}


def _none(reason: str) -> Vertical:
    return Vertical(0.0, float("nan"), "assumed_level", reason, 0)


# ----------------------------------------------------------------------------------------------
# Segments


def detect_segments(gray: NDArray[np.uint8], /, *,
                    scales_px: Sequence[int] = DEFAULT_SETTINGS.scales_px) -> F:
    """LSD line segments of a grey image (H, W) → (N, 4) float [x1, y1, x2, y2] in pixels of
    ``gray``. Detection runs on copies downscaled to each long side in ``scales_px`` and the
    segments are pooled: the coarse scale blurs away texture (mortar, wood grain) that breaks a
    long edge into short pieces at the fine scale."""
    import cv2  # imported on first use (≈ 0.1 s), not by `import screen.analysis`

    found = []
    for side in scales_px:
        scale = min(1.0, side / max(gray.shape))
        small = gray if scale == 1.0 else cv2.resize(gray, None, fx=scale, fy=scale,
                                                     interpolation=cv2.INTER_AREA)
        seg = cv2.createLineSegmentDetector().detect(small)[0]
        if seg is not None:
            found.append(seg.reshape(-1, 4).astype(float) / scale)
    return np.concatenate(found) if found else np.zeros((0, 4))


def person_mask(shape: tuple[int, int], /, box: ArrayLike | None = None,
                points: ArrayLike | None = None, *, margin: float = DEFAULT_SETTINGS.person_margin
                ) -> NDArray[np.bool_]:
    """(H, W) True on the person: the ``box`` (x0, y0, x1, y1) grown by ``margin`` × its height,
    and/or the skeleton of landmark ``points`` (33, 2) pixels drawn with half-width ``margin`` ×
    the landmarks' height (torso filled and 1.5 times as wide, head a disc of 1.5 times that
    radius). Tighter than the box, the skeleton keeps the background between limbs (a wall
    edge beside a hand on the wall)."""
    import cv2

    mask = np.zeros(shape, np.uint8)
    if box is not None:
        x0, y0, x1, y1 = np.asarray(box, dtype=float)
        g = margin * (y1 - y0)
        cv2.rectangle(mask, (int(x0 - g), int(y0 - g)), (int(np.ceil(x1 + g)), int(np.ceil(y1 + g))), 1, -1)
    if points is not None:
        p = np.asarray(points, dtype=float)
        ok = np.all(np.isfinite(p), axis=1)
        if ok.any():
            r = max(1, int(round(margin * np.ptp(p[ok, 1]))))
            pairs = np.array([q for q in (*SKELETON, *HANDS) if ok[list(q)].all()], dtype=int)
            if len(pairs):
                cv2.polylines(mask, list(np.round(p[pairs]).astype(np.int32)), False, 1, 2 * r)
            torso = [i for i in TORSO if ok[i]]
            if len(torso) >= 3:  # filled, and its outline wider: belly and back stick out
                poly = np.round(p[torso]).astype(np.int32)
                cv2.fillConvexPoly(mask, poly, 1)
                cv2.polylines(mask, [poly], True, 1, 3 * r)
            head = [i for i in HEAD if ok[i]]
            if head:
                cx, cy = np.round(p[head].mean(axis=0)).astype(int)
                cv2.circle(mask, (int(cx), int(cy)), int(1.5 * r), 1, -1)
    return mask.astype(bool)


def on_mask(seg: F, mask: NDArray[np.bool_] | None, /, *, n_samples: int = 9) -> F:
    """(N,) fraction of ``n_samples`` points along each segment (N, 4) lying on ``mask`` (H, W)."""
    if mask is None or len(seg) == 0:
        return np.zeros(len(seg))
    s = np.linspace(0.0, 1.0, n_samples)[:, None, None]
    pts = np.round(seg[None, :, :2] + s * (seg[None, :, 2:] - seg[None, :, :2])).astype(int)
    x = np.clip(pts[..., 0], 0, mask.shape[1] - 1)
    y = np.clip(pts[..., 1], 0, mask.shape[0] - 1)
    return mask[y, x].mean(axis=0)


@dataclass(frozen=True)
class Lines:
    """Candidate segments pooled over frames, each described for the fit.

    lean: (N,) degrees; for a vertical, how far its upward direction is clockwise from image up;
        for a horizontal, how far its rightward direction is clockwise from image +x.
    mid: (N, 2) midpoint pixels. length: (N,) pixels. vertical: (N,) True for plumb candidates.
    edge: (N,) integer id of the distinct edge (same place and angle in several frames).
    """

    lean: F
    mid: F
    length: F
    vertical: NDArray[np.bool_]
    edge: NDArray[np.int64]


def candidate_lines(segments: Sequence[F], shape: tuple[int, int], /,
                    settings: VerticalSettings = DEFAULT_SETTINGS) -> Lines:
    """Pool per-frame segments (each (Ni, 4) pixels, already without the person) of images of
    ``shape`` (H, W) into the near-vertical and near-horizontal candidates of :class:`Lines`."""
    seg = np.concatenate([np.asarray(s, float).reshape(-1, 4) for s in segments] or [np.zeros((0, 4))])
    long_side = float(max(shape))
    d = seg[:, 2:] - seg[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    d_up = np.where(d[:, 1:2] > 0, -d, d)  # oriented upward (y decreasing)
    d_right = np.where(d[:, 0:1] < 0, -d, d)  # oriented rightward
    lean_v = np.degrees(np.arctan2(d_up[:, 0], -d_up[:, 1]))
    lean_h = np.degrees(np.arctan2(d_right[:, 1], d_right[:, 0]))
    long_enough = length >= settings.min_length * long_side
    vertical = long_enough & (np.abs(lean_v) <= settings.max_deviation_deg)
    horizontal = long_enough & (np.abs(lean_h) <= settings.max_deviation_deg)
    keep = vertical | horizontal
    lean = np.where(vertical, lean_v, lean_h)[keep]
    mid = ((seg[:, :2] + seg[:, 2:]) / 2)[keep]
    # an edge is a line, wherever its pieces lie along it: where it crosses the centre row
    # (verticals) or the centre column (horizontals), on a grid, and its lean to 2°
    vert = vertical[keep]
    c = np.array(shape[::-1], float) / 2
    t = np.tan(np.radians(lean))
    cross = np.where(vert, mid[:, 0] + (mid[:, 1] - c[1]) * t, mid[:, 1] + (c[0] - mid[:, 0]) * t)
    key = np.column_stack([np.round(cross / (settings.cluster_px * long_side)), np.round(lean / 2), vert])
    edge = np.unique(key, axis=0, return_inverse=True)[1].reshape(-1) if len(key) else np.zeros(0)
    return Lines(lean, mid, length[keep], vert, edge.astype(np.int64))


# ----------------------------------------------------------------------------------------------
# Fit


@dataclass(frozen=True)
class _Fit:
    theta_deg: float
    w: float  # L / distance of the vanishing point; 0 = no perspective convergence
    inliers: NDArray[np.bool_]


def _design(lines: Lines, theta_deg: float, center: F, long_side: float) -> F:
    """(N, 2) rows [1, offset]: lean ≈ θ + w · offset (see the module docstring)."""
    a = np.radians(theta_deg)
    up = np.array([np.sin(a), -np.cos(a)])
    right = np.array([np.cos(a), np.sin(a)])  # up turned 90° clockwise
    rel = (center - lines.mid) / long_side
    # verticals converge along `up` (lean grows with the offset along `right`); horizontals along
    # `right` (lean grows with the offset along −up, i.e. downward in the picture)
    offset = np.where(lines.vertical, rel @ right, -(rel @ up))
    return np.column_stack([np.ones(len(offset)), offset])


def _row_median(x: F, use: NDArray[np.bool_]) -> F:
    """(B,) median of the ``use`` entries of each row of ``x`` (B, N); NaN for a row with none.
    (np.nanmedian on (B, N) goes through masked arrays: 10× slower for the bootstrap.)"""
    srt = np.sort(np.where(use, x, np.inf), axis=1)
    k = use.sum(axis=1)
    lo = np.take_along_axis(srt, np.maximum((k - 1) // 2, 0)[:, None], axis=1)[:, 0]
    hi = np.take_along_axis(srt, np.minimum(k // 2, x.shape[1] - 1)[:, None], axis=1)[:, 0]
    with np.errstate(invalid="ignore"):
        return np.where(k > 0, (lo + hi) / 2, np.nan)


def _irls(lean: F, X: F, weight: F, theta0: float, s: VerticalSettings) -> tuple[F, F]:
    """Robust weighted fit of ``lean ≈ X @ [θ, w]`` with a Gaussian prior on w.

    ``weight`` may be (B, N) (one bootstrap resample per row) → returns params (B, 2) and the
    final biweight weights (B, N)."""
    weight = np.atleast_2d(weight)
    params = np.zeros((len(weight), 2))
    params[:, 0] = theta0
    outer = (X[:, :, None] * X[:, None, :]).reshape(len(X), 4)  # (N, 4): x xᵀ of each segment
    for _ in range(8):
        resid = lean[None, :] - params @ X.T  # (B, N) degrees
        mad = _row_median(np.abs(resid), weight > 0)
        scale = np.clip(1.4826 * mad, s.min_scale_deg, s.max_scale_deg)[:, None]
        bw = weight * np.clip(1 - (resid / (s.tukey_c * scale)) ** 2, 0, None) ** 2
        # residual variance per unit weight, for the prior w ~ N(0, pitch_prior²); w is fitted
        # in degrees per unit offset (small angles), so its prior s.d. is degrees(pitch_prior)
        n = np.maximum(np.sum(bw > 0, axis=1), 1)
        sigma2 = np.maximum(np.sum(bw * resid ** 2, axis=1) / n,
                            s.min_scale_deg ** 2 * np.sum(bw, axis=1) / n)
        xtx = (bw @ outer).reshape(-1, 2, 2)  # Σ bw · x xᵀ per resample, as one matrix product
        xtx[:, 1, 1] += sigma2 / np.degrees(s.pitch_prior) ** 2
        xtx += 1e-9 * np.eye(2)  # a resample whose every segment is an outlier stays solvable
        params = np.linalg.solve(xtx, ((bw * lean[None, :]) @ X)[..., None])[..., 0]
    params[np.sum(bw, axis=1) == 0] = np.nan  # such a resample has no estimate
    return params, bw


def _mode(x: F, w: F, bandwidth: float, prior_sd: float) -> float:
    """Peak of the ``w``-weighted Gaussian kernel density of ``x`` (degrees, 0.1° grid) times a
    N(0, prior_sd²) prior: between two groups of agreeing edges, the one nearer level wins."""
    grid = np.arange(x.min() - bandwidth, x.max() + bandwidth, 0.1)
    density = np.exp(-0.5 * ((grid[:, None] - x[None, :]) / bandwidth) ** 2) @ w
    return float(grid[np.argmax(density * np.exp(-0.5 * (grid / prior_sd) ** 2))])


def fit_roll(lines: Lines, shape: tuple[int, int], /, settings: VerticalSettings = DEFAULT_SETTINGS,
             *, at: ArrayLike | None = None) -> Vertical:
    """The roll from candidate :class:`Lines` of images of ``shape`` (H, W): verticals if there
    are at least ``min_edges`` distinct vertical edges, else horizontals (module docstring).
    ``at``: the image point (x, y) pixels whose plumb direction is reported (default the image
    centre); with a pitched camera plumb lines elsewhere lean by the vanishing-point term."""
    s = settings
    n_vert = len(np.unique(lines.edge[lines.vertical]))
    n_horiz = len(np.unique(lines.edge[~lines.vertical]))
    use_vertical = n_vert >= s.min_edges
    if not use_vertical and n_horiz < s.min_edges:
        return _none(f"too few straight scene edges for a vertical ({n_vert} vertical, {n_horiz} "
                     f"horizontal; need {s.min_edges})")
    sel = lines.vertical if use_vertical else ~lines.vertical
    sub = Lines(lines.lean[sel], lines.mid[sel], lines.length[sel], lines.vertical[sel], lines.edge[sel])
    long_side = float(max(shape))
    center = np.array([shape[1], shape[0]], float) / 2 if at is None else np.asarray(at, float)
    base = sub.length / long_side
    theta = _mode(sub.lean, base, s.mode_bandwidth_deg, s.roll_prior_deg)
    for _ in range(2):  # re-linearise the vanishing-point model about the current roll
        X = _design(sub, theta, center, long_side)
        params, bw = _irls(sub.lean, X, base, theta, s)
        theta = float(params[0, 0])
    inlier_edges = np.unique(sub.edge[bw[0] > 0])
    if len(inlier_edges) < s.min_edges:
        return _none(f"scene edges disagree: only {len(inlier_edges)} agree on a vertical")
    # bootstrap over distinct edges: resample edges, each keeps all its segments
    _, edge_idx = np.unique(sub.edge, return_inverse=True)
    n_edges = edge_idx.max() + 1
    rng = np.random.default_rng(s.seed)
    counts = rng.multinomial(n_edges, np.full(n_edges, 1 / n_edges), size=s.n_bootstrap)
    boot, _ = _irls(sub.lean, X, counts[:, edge_idx] * base[None, :], theta, s)
    se = float(np.nanstd(boot[:, 0], ddof=1))
    kind = "vertical"
    if not use_vertical:
        se *= s.horizontal_penalty
        kind = "horizontal (too few vertical edges)"
    se = max(se, s.min_uncertainty_deg)
    return Vertical(theta, se, "scene", f"{len(inlier_edges)} {kind} scene edges agree", len(inlier_edges))


# ----------------------------------------------------------------------------------------------
# Public entry points


def person_points(recording: Recording, indices: ArrayLike, /) -> list[F | None]:
    """The person's landmarks (33, 2) in pixels on frames ``indices`` of ``recording`` (None where
    no person was found or the index is beyond the recording); non-finite points stay NaN."""
    size = np.array([recording.meta["width"], recording.meta["height"]])
    out: list[F | None] = []
    for k in np.asarray(indices, dtype=int):  # the pixels of these frames only (as pixels())
        pts = recording.image[k, :, :2].astype(float) * size if 0 <= k < recording.n_frames else None
        out.append(pts if pts is not None and np.isfinite(pts).any() else None)
    return out


def from_frames(frames: Sequence[NDArray[np.uint8]], person_boxes: Sequence[ArrayLike | None] | None
                = None, /, *, person_points: Sequence[ArrayLike | None] | None = None,
                settings: VerticalSettings = DEFAULT_SETTINGS) -> Vertical:
    """Scene estimate of the roll from frames of one static camera.

    frames: BGR (H, W, 3) or grey (H, W) uint8 images, all the same size.
    person_boxes: per frame, the person's box (x0, y0, x1, y1) in pixels, or None.
    person_points: per frame, the person's landmarks (33, 2) in pixels, or None (tighter mask).
    Segments lying more than ``settings.max_on_person`` on the person (:func:`person_mask`) are
    ignored. Returns source "scene" with its uncertainty, or "assumed_level" with the reason (no
    frames, too few edges, edges that disagree); see :attr:`Vertical.reliable`.
    """
    import cv2

    if len(frames) == 0:
        return _none("no frames to look for scene edges in")
    shape = frames[0].shape[:2]
    segments = []
    for img in frames:  # one LSD call per sampled frame
        if img.shape[:2] != shape:
            raise ValueError(f"frames differ in size: {img.shape[:2]} vs {shape}")
        gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        segments.append(detect_segments(gray, scales_px=settings.scales_px))
    return from_segments(segments, shape, person_boxes, person_points, settings)


def from_segments(segments: Sequence[F], shape: tuple[int, int],
                    person_boxes: Sequence[ArrayLike | None] | None,
                    person_points: Sequence[ArrayLike | None] | None,
                    settings: VerticalSettings) -> Vertical:
    """Scene estimate of the roll from the LSD ``segments`` (per frame (Ni, 4) pixels, from
    :func:`detect_segments`) of frames of ``shape`` (H, W): :func:`fit_roll` without the
    segments lying more than ``max_on_person`` on the person of that frame. (The live view keeps
    each frame's segments and re-fits as frames arrive, rather than re-detecting them.)"""
    n = len(segments)
    boxes = list(person_boxes) if person_boxes is not None else [None] * n
    points = list(person_points) if person_points is not None else [None] * n
    kept = []
    for seg, box, pts in zip(segments, boxes, points, strict=True):
        mask = person_mask(shape, box, pts, margin=settings.person_margin) \
            if box is not None or pts is not None else None
        kept.append(seg[on_mask(seg, mask) <= settings.max_on_person])
    at = person_center(boxes, points) if settings.at_person else None
    return fit_roll(candidate_lines(kept, shape, settings), shape, settings, at=at)


def person_center(person_boxes: Sequence[ArrayLike | None], person_points: Sequence[ArrayLike | None], /
                  ) -> F | None:
    """(2,) pixels: the median over frames of the person's landmarks (or of box centres where a
    frame has no landmarks), None when no frame has either."""
    found = []
    for box, pts in zip(person_boxes, person_points, strict=True):
        if pts is not None:
            p = np.asarray(pts, dtype=float).reshape(-1, 2)
            found.append(p[np.all(np.isfinite(p), axis=1)])
        elif box is not None:
            b = np.asarray(box, dtype=float)
            found.append(((b[:2] + b[2:]) / 2)[None])
    found = [f for f in found if len(f)]
    return np.median(np.concatenate(found), axis=0) if found else None


def sample_indices(n_total: int, n: int, /) -> NDArray[np.int64]:
    """``n`` frame indices spread evenly over ``n_total`` frames, avoiding the first and last."""
    return np.unique(np.round(np.linspace(0, n_total - 1, n + 2)[1:-1]).astype(np.int64))


def read_frames(path: str | Path, indices: ArrayLike, /) -> list[NDArray[np.uint8]]:
    """The BGR frames at ``indices`` of a video (container rotation applied), decoding forward
    and converting only those frames (skipped frames are grabbed, not converted: about twice as
    fast as reading them all). Unreadable input is a :class:`MovescreenError`."""
    from screen.sources.video import _open  # the project's one way to open a video file

    wanted = np.unique(np.asarray(indices, dtype=int))
    wanted = wanted[wanted >= 0]
    cap = _open(Path(path))
    out: list[NDArray[np.uint8]] = []
    try:
        for i in range(int(wanted.max()) + 1 if len(wanted) else 0):
            if i in wanted:
                ok, frame = cap.read()
                if ok:
                    out.append(frame)
            else:
                ok = cap.grab()
            if not ok:
                break
    finally:
        cap.release()
    return out


def from_video(path: str | Path, /, *, n_frames: int | None = None, landmarks: Recording | None = None,
               settings: VerticalSettings = DEFAULT_SETTINGS) -> Vertical:
    """Scene estimate of the roll from ``n_frames`` (default ``settings.n_frames``) frames sampled
    evenly over a video. With ``landmarks`` (the clip's :class:`~screen.recording.Recording`) the
    person is masked out on each sampled frame; without, their edges are left to the robust fit.
    Landmarks with more frames than the video declares (over
    :data:`screen.sources.video.MIN_DECODED_FRACTION`) were not taken from it:
    :class:`MovescreenError`, before any frame is decoded."""
    from screen.sources.video import MIN_DECODED_FRACTION, VideoFile

    n = settings.n_frames if n_frames is None else n_frames
    with VideoFile(path) as video:  # checks the file and reads its declared frame count
        total = video.info.frames_nominal
    if landmarks is not None:
        if total and landmarks.n_frames > total / MIN_DECODED_FRACTION:
            raise MovescreenError(f"{path}: declares {total} frames, fewer than the landmarks' "
                                  f"{landmarks.n_frames}: not the video they were taken from")
        total = landmarks.n_frames
    idx = sample_indices(max(total, 1), n)
    shape, segments = sampled_segments(path, idx, settings.scales_px)
    if not segments:
        raise MovescreenError(f"{path}: no frames to estimate the camera's roll from")
    pts = person_points(landmarks, idx[:len(segments)]) if landmarks is not None else None
    return from_segments(segments, shape, None, pts, settings)


def sampled_segments(path: str | Path, indices: ArrayLike, scales_px: Sequence[int], /
                     ) -> tuple[tuple[int, int], tuple[F, ...]]:
    """The frame size (H, W) and the LSD segments (:func:`frame_segments`) of the frames at
    ``indices`` of a video (those that exist), remembered for the last few (file, frame) choices:
    :func:`screen.analysis.analyze` has them found while the pose model tracks the frames
    (:func:`tap`, :func:`remember`), and :func:`from_video` finds them here afterwards."""
    key = _key(path, indices, scales_px)
    if key not in _SEGMENTS:
        frames = read_frames(path, key[2])
        shape = frames[0].shape[:2] if frames else (0, 0)
        for img in frames:
            if img.shape[:2] != shape:
                raise ValueError(f"frames differ in size: {img.shape[:2]} vs {shape}")
        _store(key, (shape, tuple(frame_segments(img, key[3], bgr=True)[1] for img in frames)))
    _SEGMENTS.move_to_end(key)
    return _SEGMENTS[key]


def frame_segments(image: NDArray[np.uint8], /, scales_px: Sequence[int], *, bgr: bool = False
                   ) -> tuple[tuple[int, int], F]:
    """The size (H, W) and LSD segments (:func:`detect_segments`) of one RGB (or ``bgr``) frame."""
    import cv2

    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY if bgr else cv2.COLOR_RGB2GRAY)
    return gray.shape[:2], detect_segments(gray, scales_px=scales_px)


_SEGMENTS: OrderedDict[tuple, tuple[tuple[int, int], tuple[F, ...]]] = OrderedDict()
_REMEMBERED = 4  # (file, frames) choices kept


def _key(path: str | Path, indices: ArrayLike, scales_px: Sequence[int]) -> tuple:
    p = Path(path)
    stat = p.stat() if p.is_file() else None
    return (str(p.resolve()), stat and (stat.st_mtime_ns, stat.st_size),
            tuple(int(i) for i in np.asarray(indices).ravel()), tuple(int(s) for s in scales_px))


def _store(key: tuple, value: tuple[tuple[int, int], tuple[F, ...]]) -> None:
    _SEGMENTS[key] = value
    while len(_SEGMENTS) > _REMEMBERED:
        _SEGMENTS.popitem(last=False)


def tap(settings: VerticalSettings = DEFAULT_SETTINGS) -> Tap:
    """The frames :func:`from_video` reads for landmarks as long as the video's declared frame
    count, as a tap of the tracking (:class:`screen.sources.pose.Tap`): their segments are found
    while the pose model tracks them; :func:`remember` keeps them for :func:`from_video`."""
    from screen.sources.pose import Tap

    return Tap(lambda n, fps: sample_indices(max(n, 1), settings.n_frames),
               functools.partial(frame_segments, scales_px=settings.scales_px))


def remember(path: str | Path, results: dict[int, object], /,
             settings: VerticalSettings = DEFAULT_SETTINGS) -> None:
    """Keep a :func:`tap`'s results for :func:`sampled_segments`, when every frame gave its
    segments (else :func:`from_video` reads the frames again and reports what fails)."""
    got = [results[i] for i in sorted(results)]
    if not got or any(isinstance(r, BaseException) for r in got) or len({r[0] for r in got}) > 1:
        return
    _store(_key(path, sorted(results), settings.scales_px), (got[0][0], tuple(r[1] for r in got)))


def resolve(given_deg: float | None, scene: Vertical | None, /, body: Vertical | None = None
            ) -> Vertical:
    """The vertical the angle measures use: the user's value if given (it overrides), else a
    reliable scene estimate, else a reliable body estimate, else a level camera with the reason."""
    if given_deg is not None:
        return Vertical(float(given_deg), 0.0, "given", "camera tilt given by the user", 0)
    for est in (scene, body):
        if est is not None and est.source in ("scene", "body") and est.reliable:
            return est
    reasons = []
    for est in (scene, body):
        if est is None:
            continue
        if est.source in ("scene", "body"):
            reasons.append(f"{est.source} estimate {est.roll_deg:+.1f}° ± {est.uncertainty_deg:.1f}° is not "
                           f"reliable (> {RELIABLE_UNCERTAINTY_DEG}°)")
        else:
            reasons.append(est.reason)
    why = "; ".join(reasons) or "no estimate was made"
    return _none(f"{why}; camera assumed level")


def roll_frame(image: NDArray[np.uint8], roll_deg: float, /, points: ArrayLike | None = None
               ) -> tuple[NDArray[np.uint8], F | None]:
    """Simulate a camera rolled by ``roll_deg`` more (this module's sign: true vertical then
    appears that much further clockwise): rotate ``image`` about its centre and enlarge it just
    enough that no border shows (same size out; angles are unchanged by the enlargement).
    ``points`` (..., 2) pixels are mapped the same way. Used to check the estimator."""
    import cv2

    h, w = image.shape[:2]
    a = np.radians(abs(roll_deg))
    zoom = 1 / min(w / (w * np.cos(a) + h * np.sin(a)), h / (w * np.sin(a) + h * np.cos(a)))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -roll_deg, zoom)  # OpenCV: + is counter-clockwise
    out = cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR)
    if points is None:
        return out, None
    p = np.asarray(points, dtype=float)
    return out, p @ m[:, :2].T + m[:, 2]


def from_body(recording: Recording, /, *, settings: VerticalSettings = DEFAULT_SETTINGS) -> Vertical:
    """Body estimate of the roll from a recording (module docstring, "From the body").

    Uses the frames where the person faces toward or away from the camera (shoulder/hip width
    over torso length above :data:`screen.scene.view.FRONT_ABOVE`), ankles and heels are visible,
    both ankles are still (``body_max_speed``) and side by side in depth (``body_max_depth_m``).
    Per frame, the lean of the ankle line and of the heel line (left-to-right in the picture,
    clockwise from image +x) are averaged; the estimate is their median over frames, with a
    standard error from the MAD over ``body_block_s`` blocks and a floor of ``body_systematic_deg``.
    Returns source "body", or "assumed_level" with the reason.
    """
    from scipy.ndimage import uniform_filter1d  # imported on first use (≈ 0.4 s)

    s = settings
    img, world, t = recording.image, recording.world, recording.t
    used = [LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL, LM.LEFT_SHOULDER,
            LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP]
    # pixels (as pixels()) of the landmarks used only: p[:, at[i]] is landmark i
    p = img[:, used, :2].astype(float) * np.array([recording.meta["width"], recording.meta["height"]])
    at = {lm: k for k, lm in enumerate(used)}
    pairs = ((LM.LEFT_ANKLE, LM.RIGHT_ANKLE), (LM.LEFT_HEEL, LM.RIGHT_HEEL))
    d = np.stack([p[:, at[a]] - p[:, at[b]] for a, b in pairs], axis=1)  # (T, 2, 2)
    d = np.where(d[..., :1] < 0, -d, d)  # point image-right
    lean = np.degrees(np.arctan2(d[..., 1], d[..., 0])).mean(axis=1)  # (T,)
    torso = np.linalg.norm(p[:, [at[LM.LEFT_SHOULDER], at[LM.RIGHT_SHOULDER]]].mean(1)
                           - p[:, [at[LM.LEFT_HIP], at[LM.RIGHT_HIP]]].mean(1), axis=-1)
    width = (np.abs(p[:, at[LM.LEFT_SHOULDER], 0] - p[:, at[LM.RIGHT_SHOULDER], 0])
             + np.abs(p[:, at[LM.LEFT_HIP], 0] - p[:, at[LM.RIGHT_HIP], 0])) / 2
    leg = np.linalg.norm(p[:, [at[LM.LEFT_HIP], at[LM.RIGHT_HIP]]]
                         - p[:, [at[LM.LEFT_ANKLE], at[LM.RIGHT_ANKLE]]], axis=-1).mean(axis=1)
    ankles = p[:, [at[LM.LEFT_ANKLE], at[LM.RIGHT_ANKLE]]]
    speed = np.full(len(t), np.inf)
    if len(t) > 1:  # ankle speed from positions averaged over body_smooth_s (landmark jitter)
        k = max(1, int(round(s.body_smooth_s / float(np.median(np.diff(t))))))
        smooth = uniform_filter1d(ankles, k, axis=0, mode="nearest")
        speed = np.linalg.norm(np.gradient(smooth, t, axis=0), axis=-1).max(axis=1) / leg
    feet = [LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL]
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = ((width / torso > FRONT_ABOVE)
              & np.all(img[:, feet, 3] >= s.body_min_visibility, axis=1)
              & (speed <= s.body_max_speed)
              & (np.abs(world[:, LM.LEFT_ANKLE, 2] - world[:, LM.RIGHT_ANKLE, 2]) <= s.body_max_depth_m)
              & np.isfinite(lean))
    if len(t) < 2 or not ok.any():
        return _none("no frames facing the camera with both feet planted side by side")
    period = float(np.median(np.diff(t)))
    seconds = ok.sum() * period
    if seconds < s.body_min_seconds:
        return _none(f"feet planted side by side facing the camera for only {seconds:.1f} s "
                     f"(need {s.body_min_seconds} s)")
    x = lean[ok]
    roll = float(np.median(x))
    n_independent = max(1.0, seconds / s.body_block_s)
    se = 1.2533 * 1.4826 * float(np.median(np.abs(x - roll))) / np.sqrt(n_independent)
    unc = float(np.hypot(se, s.body_systematic_deg))
    return Vertical(roll, unc, "body", f"feet level across the view for {seconds:.1f} s", 0)
