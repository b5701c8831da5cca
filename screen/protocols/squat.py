"""Bodyweight squat: sagittal measures from side-view segments, frontal measures from front or
back segments — a clip that changes view gives each family from the segments that support it.

Repetitions (every view)
* Depth signal: how far the hips have dropped below their standing height over the ankles, in
  standing thigh lengths (:func:`screen.kinematics.frontal.squat_depth`; thigh length = 95th
  percentile of |hip − knee|, i.e. its standing, unforeshortened length).
* Candidates: peaks of that signal (the bottom) at least ``min_rep_depth`` above the valleys
  either side and ``min_rep_separation_s`` apart, inside each in-place segment whose view
  supports a measure (:func:`screen.protocols.base.candidates`; a clip that starts or ends at
  the bottom still counts that rep as ``partial``).
* A candidate is a squat repetition only when (otherwise it is listed as rejected, with the
  reason): both feet stay planted (each ankle within ``max_foot_travel`` torso lengths of its
  position at the bottom over 80% of the frames with the hips down, inside the rep's
  segment); the trunk is not hinged (3-D
  trunk lean from the world landmarks at most ``max_trunk_lean_deg`` at the bottom — a hip hinge
  to pick a bar off the floor reads ≈ 76–82°, squats ≈ 30–45°); the knees bend (3-D knee flexion
  at least ``min_knee_flexion_deg``); and the skeleton holds together (the shank at the bottom
  within ``shank_ratio`` of its median length in the segment — a skeleton fitted one segment
  too high is not a repetition).
* The bottom phase of a rep: its frames with depth ≥ 90% of the rep's peak depth.

Side view (one leg; :mod:`screen.kinematics.sagittal`)
* Leg: ``side`` if given (labels trusted, after re-pairing); otherwise per frame the only leg
  seen, or with both seen the one nearest the camera by the world landmarks' depth, reported
  under the label it carries in most side-view frames. The far leg is hidden behind it: insufficient_data.
* Heel lift: heel rise (:func:`screen.kinematics.sagittal.heel_rise`, foot lengths) over the
  segment's standing frames (depth < ``min_rep_depth`` / 2, at least ``min_baseline_s`` of them;
  else the rep's own standing frames), median over the bottom phase. MediaPipe's heel landmark
  rises 0.1–0.33 foot lengths at the bottom of flat-heeled deep squats (validation clips), so
  only a gross lift is rated (thresholds.toml) and the values below are read at the bottom
  whatever the heel does.
* Per rep: ``tibial_inclination`` — mean over the frames within ± ``end_range_window_s`` of the
  bottom; ``ankle_dorsiflexion`` — that inclination minus the median foot pitch over the bottom
  phase (90° − ∠(s, f) = inclination − pitch in the image; the short foot's pitch is the
  noisiest term, so it is a median); ``squat_depth`` — thigh angle below horizontal at the bottom
  (:func:`screen.kinematics.sagittal.thigh_angle`); ``torso_tibia_angle`` — tibial
  inclination − trunk lean (:func:`screen.kinematics.body.trunk_lean`) at the bottom, ≥ 0 =
  torso parallel to the tibia or more upright (FMS); ``heel_lift`` — median heel rise over the
  bottom phase (foot lengths).

Front or back view (both legs; :mod:`screen.kinematics.frontal`)
* ``knee_valgus`` (FPPA, + = knee medial): per rep, at the deepest of the rep's frames whose
  projected thigh is ≥ ``min_thigh_fraction`` (0.9: the thigh at most ≈ 26° out of the image
  plane, near the 45–60° of knee flexion at which 2-D FPPA is published) of its standing
  length (the flexed thigh pointing at the camera turns any sideways offset into a large
  angle). With the feet turned out, knees that track over the toes move *laterally* in the
  image as they come forward, so a sound squat reads negative.
* ``hip_drop`` per side (thigh lengths) at the bottom; ``lateral_shift`` (hip widths, + toward
  the left) median over the bottom phase minus its median over standing.
* Toe-out is not measured during the squat: the world-landmark foot angle read 31–43° at the
  bottom of front-view squats annotated "slightly" turned out (mrpose_airsquat_front_side,
  nowva_goblet_squat_front; 30–59° on the sample front squats where 15–30° is seen) — the foot
  angle test measures it standing or walking.

Turn limits (docs/turn_limits.md, from benchmarks/turn_sensitivity.py on exact synthetic squats,
camera turned either way): dorsiflexion passes its 3° bound at ≈ 10.7° (declared 10°), tibial
inclination its 1.5° at ≈ 12.5° (declared 12°), squat depth its 3° at ≈ 17° (declared 16°),
torso–tibia stays within 3° beyond 30° (declared 20°); a front camera turned by θ moves each
knee's projected valgus by ≈ θ in opposite directions, so knee valgus is read only within 5° of
square (its value read at ≤ 26° of thigh foreshortening stays within 5° there).

Summaries: the median over reps (``heel_lift``: the worst rep).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.signal import Conditioning
from screen.kinematics.body import torso_length, trunk_lean, trunk_lean_3d
from screen.kinematics.frontal import hip_height, knee_valgus, lateral_shift, squat_depth
from screen.kinematics.geometry import norm, up_vector
from screen.kinematics.rotation import knee_flexion_3d
from screen.kinematics.sagittal import forward_sign, heel_rise, leg_measures, thigh_angle
from screen.kinematics.stats import nanmax, nanmedian
from screen.landmarks import HIPS, LEG, SHOULDERS, SIDES, Side
from screen.protocols.base import (
    REPS,
    Candidate,
    Findings,
    MeasureSpec,
    Protocol,
    Rejected,
    Rep,
    Value,
    candidates,
    register,
    setting,
)
from screen.scene.view import classify_view
from screen.trial import Trial

F = NDArray[np.float64]
LANDMARKS = tuple(sorted({*LEG["left"], *LEG["right"], *SHOULDERS, *HIPS}))
LOWER = {s: LEG[s][1:] for s in SIDES}
WHOLE = {s: LEG[s] for s in SIDES}
ANGLE_ROM = "beyond the joints' range of motion (AAOS normal values) with margin"
SIDE_VIEW = ("side",)
FRONT_VIEWS = ("front", "back")
MEASURES = (
    MeasureSpec("ankle_dorsiflexion", "deg", SIDE_VIEW, 10.0, (-30.0, 60.0), ANGLE_ROM,
                "median of reps", LOWER),
    MeasureSpec("tibial_inclination", "deg", SIDE_VIEW, 12.0, (-30.0, 70.0), ANGLE_ROM,
                "median of reps", LOWER),
    MeasureSpec("squat_depth", "deg", SIDE_VIEW, 16.0, (-90.0, 60.0),
                "thigh from vertical (−90°) to 60° below horizontal (full knee flexion)",
                "median of reps", WHOLE),
    MeasureSpec("torso_tibia_angle", "deg", SIDE_VIEW, 20.0, (-70.0, 70.0), ANGLE_ROM,
                "median of reps", WHOLE, max_spread=25.0),
    MeasureSpec("heel_lift", "foot lengths", SIDE_VIEW, 20.0, (-0.3, 1.0),
                "the heel cannot sink into the floor by more than landmark noise, nor rise "
                "above a tiptoe stance (≈ 0.6 foot lengths)", "worst rep", LOWER, max_spread=0.5),
    MeasureSpec("knee_valgus", "deg", FRONT_VIEWS, 5.0, (-60.0, 45.0),
                "a projected angle, not a joint angle: 2-D FPPA is reported within about −20…+25° "
                "in single-leg tasks (Munro et al. 2012); a bilateral squat with the feet turned "
                "out reads −12…−66° with the knees over the toes (validation and sample front "
                "squats), so only −60…45° can describe a knee", "median of reps", WHOLE),
    MeasureSpec("hip_drop", "thigh lengths", FRONT_VIEWS, 15.0, (-0.5, 2.5),
                "the hips cannot drop more than thigh plus shank below standing",
                "median of reps", WHOLE, max_spread=1.0),
    MeasureSpec("lateral_shift", "hip widths", FRONT_VIEWS, 15.0, (-1.5, 1.5),
                "the pelvis cannot shift further than over one foot", "median of reps",
                {"both": (*LEG["left"][:3], *LEG["right"][:3])}, sides="midline", max_spread=1.0),
)
SAGITTAL = tuple(m.name for m in MEASURES if m.views == SIDE_VIEW)
FRONTAL = tuple(m.name for m in MEASURES if m.views == FRONT_VIEWS)
NEAR_LEG_MIN_DZ_M = 0.03
BOTTOM_PHASE = 0.9


@dataclass(frozen=True)
class Settings:
    side: Side | None = None
    min_rep_depth: float = setting(0.2, 0.02, 3.0, "thigh lengths of hip drop")
    min_rep_separation_s: float = setting(1.0, 0.1, 30.0)
    min_thigh_fraction: float = setting(0.9, 0.1, 1.0, "valgus read with the thigh ≤ 26° out of plane")
    max_foot_travel: float = setting(0.3, 0.0, 5.0, "torso lengths")
    max_trunk_lean_deg: float = setting(60.0, 10.0, 90.0)
    min_knee_flexion_deg: float = setting(50.0, 0.0, 170.0)
    shank_ratio: float = setting(0.6, 0.1, 1.0, "shortest shank at the bottom vs its median")
    min_baseline_s: float = setting(0.3, 0.0, 10.0)
    end_range_window_s: float = setting(0.1, 0.0, 2.0)


# A squat rep takes ≈ 2–4 s (< 0.5 Hz); values are read from single frames at the bottom, so a
# 3 Hz cut-off (as knee-to-wall) removes more landmark jitter than the general 6 Hz.
CONDITIONING = Conditioning(cutoff_hz=3.0)
WORLD_CONDITIONING = Conditioning(cutoff_hz=3.0, outlier_min_px=0.02)  # metres


def _mid(a: NDArray, b: NDArray) -> F:
    return (np.asarray(a, dtype=float) + np.asarray(b, dtype=float)) / 2


def _p95(x: F) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, 95)) if len(x) else float("nan")


def _thigh_length(legs: dict[Side, NDArray]) -> float:
    """Standing thigh length in pixels: 95th percentile of |hip − knee| over both legs."""
    return _p95(np.concatenate([norm(legs[s][:, 0] - legs[s][:, 1]) for s in SIDES]))


def _depth(points: NDArray, up: NDArray) -> F:
    """(T,) hip drop below standing in thigh lengths: each leg's hip over its own ankle
    (:func:`squat_depth`), averaged where both legs are seen, else the one seen (a side view
    hides the far leg on some frames; mixing one leg's hip with the other's ankle would jump)."""
    legs = {s: points[:, list(LEG[s])] for s in SIDES}
    length = _thigh_length(legs)
    d = np.stack([squat_depth(legs[s][:, 0], legs[s][:, 2], up, length) for s in SIDES])
    n = np.isfinite(d).sum(axis=0)
    with np.errstate(invalid="ignore"):
        return np.where(n > 0, np.nansum(d, axis=0) / np.maximum(n, 1), np.nan)


def frame_measures(points: NDArray, settings: Settings, *, world: NDArray | None = None,
                   up: NDArray | None = None) -> dict[str, F]:
    """Per-frame traces (T,) for the live view from conditioned pixels (T, 33, 2): ``depth``
    (thigh lengths), and by view — side: the near leg's ``ankle_dorsiflexion``,
    ``tibial_inclination`` (deg) and ``squat_depth`` (thigh angle, deg); front/back: each side's
    ``*_knee_valgus`` (deg)."""
    p = np.asarray(points, dtype=float)
    up = up_vector(0.0) if up is None else up
    out = {"depth": _depth(p, up)}
    view = classify_view(p).view
    legs = {s: p[:, list(LEG[s])] for s in SIDES}
    if view == "side":
        w = world if world is not None else np.full((len(p), 33, 3), np.nan)
        leg, _ = _near_leg(w, legs, settings.side)
        fwd = forward_sign(leg[:, 3], leg[:, 4], up)
        m = leg_measures(leg, up, fwd)
        out |= {"ankle_dorsiflexion": m["ankle_dorsiflexion"],
                "tibial_inclination": m["tibial_inclination"],
                "squat_depth": thigh_angle(leg[:, 0], leg[:, 1], up)}
    elif view in FRONT_VIEWS:
        for s, o in (("left", "right"), ("right", "left")):
            out[f"{s}_knee_valgus"] = knee_valgus(legs[s][:, 0], legs[s][:, 1], legs[s][:, 2],
                                                  legs[o][:, 0])
    return out


def _near_leg(world: NDArray, legs: dict[Side, NDArray], side: Side | None
              ) -> tuple[NDArray, NDArray]:
    """The measured leg's points (T, 5, 2) and, per frame, the label it carries; ``world``
    (T, 33, 3) are the world landmarks (depth z away from the camera). Per frame: the only leg
    whose hip, knee and ankle are seen (a side view hides the far leg); with both seen, the
    nearer by world depth when they are at least 3 cm apart; otherwise the majority of the
    frames so decided."""
    n = len(legs["left"])
    if side is not None:
        return legs[side], np.full(n, side, dtype=object)
    w = np.asarray(world, dtype=float)
    seen = {s: np.all(np.isfinite(legs[s][:, :3]), axis=(1, 2)) for s in SIDES}
    z = {s: w[:, list(LEG[s][:3]), 2].mean(axis=1) for s in SIDES}
    dz = z["left"] - z["right"]
    by_depth = seen["left"] & seen["right"] & np.isfinite(dz) & (np.abs(dz) >= NEAR_LEG_MIN_DZ_M)
    only = seen["left"] ^ seen["right"]
    decided = by_depth | only
    left = np.where(by_depth, dz < 0, seen["left"])
    majority_left = np.sum(decided & left) >= np.sum(decided & ~left)
    left = np.where(decided, left, majority_left)
    return (np.where(left[:, None, None], legs["left"], legs["right"]),
            np.where(left, "left", "right").astype(object))


# ---- repetitions -------------------------------------------------------------------------------

def find(trial: Trial, settings: Settings, allowed: dict[str, NDArray[np.bool_]]) -> Findings:
    p, up = trial.points, trial.up
    depth = _depth(p, up)
    mask = allowed[REPS]
    found = Findings(kind="rep")
    side_frames = np.logical_or.reduce([allowed[n] for n in SAGITTAL])
    sag = _sagittal_traces(trial, settings, depth, side_frames)
    sag["heel_rise"] = _heel_rise(trial, sag["leg"], depth, settings)
    front = _frontal_traces(trial, settings, depth)
    standing = np.isfinite(depth) & (depth < settings.min_rep_depth / 2)
    shank_ref = _shank_refs(trial)
    for c in candidates(trial, depth, mask, min_prominence=settings.min_rep_depth,
                        min_separation_s=settings.min_rep_separation_s, pad_ends=True):
        why = _not_a_squat(trial, settings, depth, c, shank_ref) or (
            "only half a repetition is in the clip (it starts or ends at the bottom)"
            if c.partial else None)
        if why:
            found.rejected.append(Rejected(c.bottom, why))
            continue
        rep = len(found.reps) + 1
        found.reps.append(Rep(rep, c.start, c.bottom, c.end, c.segment, c.partial))
        bottom = _bottom_phase(depth, c)
        if any(allowed[n][c.bottom] for n in SAGITTAL):
            found.values += _sagittal_rep(trial, sag, c, rep, bottom, depth, settings, allowed)
        if any(allowed[n][c.bottom] for n in FRONTAL):
            found.values += _frontal_rep(trial, front, c, rep, bottom, depth, standing, allowed)
    _explain(found, sag)
    found.frames = {"depth": depth} | {k: v for k, v in sag.items() if np.ndim(v) == 1
                                       and k != "labels"} | {
        k: v for k, v in front.items() if k.endswith("knee_valgus")}
    found.frames["sagittal_leg"] = sag["labels"]
    return found


def _shank_refs(trial: Trial) -> dict[tuple[int, str], float]:
    """Median shank length (pixels) of each leg in each segment."""
    p = trial.points
    shank = {s: norm(p[:, LEG[s][1]] - p[:, LEG[s][2]]) for s in SIDES}
    return {(seg.index, s): nanmedian(shank[s][seg.frames()]) for seg in trial.scene.segments
            for s in SIDES}


def _not_a_squat(trial: Trial, settings: Settings, depth: F, c: Candidate,
                 shank_ref: dict[tuple[int, str], float]) -> str | None:
    """Why a depth peak is not a squat repetition (module docstring), or None."""
    p, w, b = trial.points, trial.world, c.bottom
    seg = trial.scene.segments[c.segment]
    window = np.arange(max(c.start, seg.start), min(c.end, seg.end))
    down = window[np.isfinite(depth[window]) & (depth[window] >= settings.min_rep_depth / 2)]
    torso = nanmedian(torso_length(p[window]))
    for s in SIDES:
        ankle = p[:, LEG[s][2]]
        if np.all(np.isfinite(ankle[b])) and len(down):
            dist = np.linalg.norm(ankle[down] - ankle[b], axis=-1)
            moved = float(np.percentile(dist[np.isfinite(dist)], 80)) / torso \
                if np.isfinite(dist).any() else 0.0
            if moved > settings.max_foot_travel:
                return (f"the {s} foot moved {moved:.2f} torso lengths during the movement "
                        f"(feet must stay planted; limit {settings.max_foot_travel:g})")
    lean = float(trunk_lean_3d(w[b:b + 1])[0])
    if np.isfinite(lean) and lean > settings.max_trunk_lean_deg:
        return (f"the trunk hinged {lean:.0f}° forward at the bottom (more than "
                f"{settings.max_trunk_lean_deg:g}°): a hip hinge, not a squat")
    flex = knee_flexion_3d(w[b:b + 1])
    knee = nanmax([flex[s][0] for s in SIDES])
    if np.isfinite(knee) and knee < settings.min_knee_flexion_deg:
        return (f"the knees bent only {knee:.0f}° at the bottom (a squat bends them at least "
                f"{settings.min_knee_flexion_deg:g}°)")
    for s in SIDES:
        seg_shank = norm(p[seg.start:seg.end, LEG[s][1]] - p[seg.start:seg.end, LEG[s][2]])
        ref, here = nanmedian(seg_shank), seg_shank[b - seg.start]
        if np.isfinite(here) and here < settings.shank_ratio * ref:
            return (f"the {s} shank measured {here / ref:.2f} of its usual length at the "
                    "bottom: the skeleton did not hold on the body")
    return None


def _bottom_phase(depth: F, c: Candidate) -> NDArray:
    seg = depth[c.start:c.end]
    return c.start + np.flatnonzero(np.where(np.isfinite(seg), seg, -np.inf)
                                    >= BOTTOM_PHASE * depth[c.bottom])


def _explain(found: Findings, sag: dict[str, Any]) -> None:
    if not found.reps:
        why = ("no squat repetition found (the hips never dropped ≥ the rep threshold below a "
               "standing position with the feet planted)")
        if found.rejected:
            why += f"; {len(found.rejected)} candidate(s) rejected, e.g. {found.rejected[0].reason}"
        found.no_value = {m.name: why for m in MEASURES}
        return
    found.no_value = {m.name: "the needed landmarks were missing in every repetition"
                      for m in MEASURES}
    found.no_value["knee_valgus"] = ("no frame with the thigh long enough in the image in any "
                                     "repetition")
    side = sag["side"]
    if side is not None:
        other = "right" if side == "left" else "left"
        for n in SAGITTAL:
            found.missing[(n, other)] = (f"the {other} leg is the far leg in this side view "
                                         f"(hidden behind the {side} leg); film the other side")
    partial = [r.index for r in found.reps if r.partial]
    if partial:
        found.warnings.append(f"rep(s) {partial} only partly in the clip (started or ended at "
                              "the bottom)")


# ---- side view ---------------------------------------------------------------------------------

def _sagittal_traces(trial: Trial, settings: Settings, depth: F, side_frames: NDArray
                     ) -> dict[str, Any]:
    """Per-frame side-view traces of the measured leg: its :func:`leg_measures`,
    ``thigh_angle``, ``trunk_lean``, ``torso_tibia_angle``; ``leg`` (T, 5, 2), ``labels`` (T,),
    ``side`` (the reported label, None without side-view frames) and ``fwd``."""
    p, up = trial.points, trial.up
    legs = {s: p[:, list(LEG[s])] for s in SIDES}
    leg, labels = _near_leg(trial.world, legs, settings.side)
    # the way the toes point, from the side-view frames only (from the front the foot points at
    # the camera and its image direction says nothing)
    fwd = forward_sign(leg[side_frames, 3], leg[side_frames, 4], up)
    x: dict[str, Any] = dict(leg_measures(leg, up, fwd))
    x["thigh_angle"] = thigh_angle(leg[:, 0], leg[:, 1], up)
    x["trunk_lean"] = trunk_lean(p, up, fwd)
    x["torso_tibia_angle"] = x["tibial_inclination"] - x["trunk_lean"]
    found = labels[side_frames & np.all(np.isfinite(leg[:, :3]), axis=(1, 2))]
    side = settings.side or (None if not len(found) else
                             "left" if np.sum(found == "left") >= np.sum(found == "right") else "right")
    return x | {"leg": leg, "labels": labels, "fwd": fwd, "side": side}


def _heel_rise(trial: Trial, leg: NDArray, depth: F, settings: Settings) -> F:
    """(T,) heel rise (foot lengths) over each segment's standing frames (depth <
    ``min_rep_depth`` / 2), for segments where those last at least ``min_baseline_s``; NaN
    elsewhere (a rep there uses its own standing frames: :func:`_own_heel_rise`)."""
    out = np.full(trial.n_frames, np.nan)
    dt = float(np.median(np.diff(trial.t))) if trial.n_frames > 1 else 0.0
    for seg in trial.scene.segments:
        w = seg.frames()
        with np.errstate(invalid="ignore"):
            standing = depth[w] < settings.min_rep_depth / 2
        if standing.sum() * dt >= settings.min_baseline_s:
            out[w] = heel_rise(leg[w, 3], leg[w, 4], trial.up, standing)
    return out


def _own_heel_rise(trial: Trial, leg: NDArray, depth: F, c: Candidate, settings: Settings) -> F:
    """(len of the rep,) heel rise over the rep's own standing frames."""
    w = slice(c.start, c.end)
    with np.errstate(invalid="ignore"):
        return heel_rise(leg[w, 3], leg[w, 4], trial.up, depth[w] < settings.min_rep_depth / 2)


def _sagittal_rep(trial: Trial, x: dict[str, Any], c: Candidate, rep: int, bottom: NDArray,
                  depth: F, settings: Settings, allowed: dict[str, NDArray[np.bool_]]
                  ) -> list[Value]:
    """One rep's side-view values (module docstring), read at the bottom."""
    side, leg, t, b = x["side"], x["leg"], trial.t, c.bottom
    if side is None:
        return []
    flags = {"partial": c.partial}
    rise = x["heel_rise"][bottom]
    if not np.isfinite(rise).any():
        rise = _own_heel_rise(trial, leg, depth, c, settings)[bottom - c.start]
    lift = rise[np.isfinite(rise)]
    out = [Value("heel_lift", side, rep, int(np.median(bottom)) if len(lift) else None,
                 float(np.median(lift)) if len(lift) else None, flags)]
    near = slice(int(np.searchsorted(t, t[b] - settings.end_range_window_s)),
                 int(np.searchsorted(t, t[b] + settings.end_range_window_s, side="right")))
    incl = x["tibial_inclination"][near]
    incl = float(np.mean(incl)) if np.all(np.isfinite(incl)) else None
    still = bottom[np.isfinite(x["foot_pitch"][bottom])]
    pitch = float(np.median(x["foot_pitch"][still])) if len(still) else None
    out.append(Value("tibial_inclination", side, rep, b if incl is not None else None, incl, flags))
    dorsi = None if incl is None or pitch is None else incl - pitch
    out.append(Value("ankle_dorsiflexion", side, rep, b if dorsi is not None else None, dorsi, flags))
    for name, trace in (("squat_depth", x["thigh_angle"]), ("torso_tibia_angle", x["torso_tibia_angle"])):
        v = float(trace[b]) if np.isfinite(trace[b]) else None
        extra = {"below_parallel": None if v is None else v > 0} if name == "squat_depth" else {
            "trunk_lean": _f(x["trunk_lean"][b])}
        out.append(Value(name, side, rep, b if v is not None else None, v, flags | extra))
    return out


def _f(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


# ---- front / back view ---------------------------------------------------------------------------

def _frontal_traces(trial: Trial, settings: Settings, depth: F) -> dict[str, Any]:
    """Per-frame frontal traces: lateral shift (not yet relative to standing) and, per side, knee
    valgus, whether it is rated (thigh long enough), hip drop and foot angle."""
    p, up = trial.points, trial.up
    legs = {s: p[:, list(LEG[s])] for s in SIDES}
    length = _thigh_length(legs)
    ankle = _mid(legs["left"][:, 2], legs["right"][:, 2])
    x: dict[str, Any] = {"lateral_shift": lateral_shift(legs["left"][:, 0], legs["right"][:, 0],
                                                        legs["left"][:, 2], legs["right"][:, 2], up)}
    for s, o in (("left", "right"), ("right", "left")):
        thigh = norm(legs[s][:, 0] - legs[s][:, 1])
        h = hip_height(legs[s][:, 0], ankle, up)
        x[f"{s}_knee_valgus"] = knee_valgus(legs[s][:, 0], legs[s][:, 1], legs[s][:, 2],
                                            legs[o][:, 0])
        x[f"{s}_knee_valgus_rated"] = thigh >= settings.min_thigh_fraction * _p95(thigh)
        x[f"{s}_hip_drop"] = (_p95(h) - h) / length
    return x


def _frontal_rep(trial: Trial, x: dict[str, Any], c: Candidate, rep: int, bottom: NDArray,
                 depth: F, standing: NDArray, allowed: dict[str, NDArray[np.bool_]]) -> list[Value]:
    window = np.arange(c.start, c.end)
    flags = {"partial": c.partial}
    out = []
    for s in SIDES:
        rated = window[x[f"{s}_knee_valgus_rated"][window] & allowed["knee_valgus"][window]
                       & np.isfinite(depth[window])]
        j = int(rated[np.argmax(depth[rated])]) if len(rated) else None
        out.append(_value("knee_valgus", s, rep, x[f"{s}_knee_valgus"], j, flags))
        out.append(_value("hip_drop", s, rep, x[f"{s}_hip_drop"], c.bottom, flags))
    seg = trial.scene.segments[c.segment]
    ref = nanmedian(x["lateral_shift"][seg.frames()][standing[seg.frames()]])
    shift = np.full(trial.n_frames, np.nan)
    shift[bottom] = x["lateral_shift"][bottom] - ref
    out.append(_median_value("lateral_shift", "both", rep, shift, bottom, flags))
    return out


def _value(name: str, side: str, rep: int, trace: F, j: int | None, flags: dict) -> Value:
    if j is None or not np.isfinite(trace[j]):
        return Value(name, side, rep, None, None, flags)
    return Value(name, side, rep, j, float(trace[j]), flags)


def _median_value(name: str, side: str, rep: int, trace: F, idx: NDArray, flags: dict) -> Value:
    ok = idx[np.isfinite(trace[idx])]
    if not len(ok):
        return Value(name, side, rep, None, None, flags)
    return Value(name, side, rep, int(ok[len(ok) // 2]), float(np.median(trace[ok])), flags)


PROTOCOL = register(Protocol(
    name="squat", title="bodyweight squat", landmarks=LANDMARKS, conditioning=CONDITIONING,
    world_conditioning=WORLD_CONDITIONING, settings=Settings, measures=MEASURES,
    activities=("in_place",), rep_views=("side", "front", "back", "oblique"),
    rep_activities=("in_place",), find=find,
    frame_measures=frame_measures, doc=__doc__ or ""))
