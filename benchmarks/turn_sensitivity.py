"""How far each measure moves when the camera is turned away from its ideal view.

    python benchmarks/turn_sensitivity.py [--max 30] [--step 5]

Exact synthetic skeletons (tests/synthetic.py knee drives, tests/synthetic_squat.py squats,
tests/synthetic_seated.py seated hip rotation) are rendered through a camera turned ``yaw``
degrees away from side-on (side-view measures) or from square to the front (front-view measures),
both ways (toward the person's front and back, or left and right), by tests/synthetic_turn.py.
Each measure is read by calling the kinematics functions directly on the projected points (or
the world landmarks, where the protocol reads those) at the frames a protocol reads it — the
analysis's view gating is bypassed on purpose — and compared with the 3-D truth the skeleton was
posed with. Printed per yaw: the largest per-repetition error (degrees) over the repetitions and
both turn directions; then the turn at which each measure first exceeds its bound (linear
interpolation between grid points; ``>max`` when it never does) against the limit its protocol
declares (``MeasureSpec.max_turn_deg``). The output table is kept in docs/turn_limits.md.
Asserts nothing (not a test).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import synthetic_seated as SEAT  # noqa: E402
import synthetic_squat as Q  # noqa: E402
import synthetic_turn as ST  # noqa: E402

from screen.kinematics.body import trunk_lean  # noqa: E402
from screen.kinematics.foot_progression import standing  # noqa: E402
from screen.kinematics.frontal import knee_valgus  # noqa: E402
from screen.kinematics.geometry import norm, up_vector  # noqa: E402
from screen.kinematics.rotation import rotation_2d, rotation_3d  # noqa: E402
from screen.kinematics.sagittal import forward_sign, leg_measures, thigh_angle  # noqa: E402
from screen.landmarks import LEG, SIDES  # noqa: E402
from screen.protocols import PROTOCOLS, squat  # noqa: E402

F = NDArray[np.float64]
UP = up_vector(0.0)
# name: (bound in degrees, the view it needs, (protocol, measure) whose declared limit applies)
MEASURES: dict[str, tuple[float, str, tuple[str, str]]] = {
    "tibial inclination (knee-to-wall)": (1.5, "side", ("knee_to_wall", "tibial_inclination")),
    "dorsiflexion (knee-to-wall)": (3.0, "side", ("knee_to_wall", "ankle_dorsiflexion")),
    "tibial inclination (squat)": (1.5, "side", ("squat", "tibial_inclination")),
    "dorsiflexion (squat)": (3.0, "side", ("squat", "ankle_dorsiflexion")),
    "squat depth": (3.0, "side", ("squat", "squat_depth")),
    "torso-tibia": (3.0, "side", ("squat", "torso_tibia_angle")),
    "knee valgus": (5.0, "front", ("squat", "knee_valgus")),
    "hip rotation (3-D path)": (3.0, "front", ("hip_rotation", "internal_rotation")),
    "hip rotation (2-D path)": (3.0, "front", ("hip_rotation", "internal_rotation")),
    "foot progression": (3.0, "front", ("foot_angle", "foot_progression_angle_standing")),
}
VALGUS = (6.0, 6.0)  # per side, degrees (synthetic_squat: exact frontal knee angle standing)
TURNOUT = (10.0, 15.0)  # per side, degrees: foot progression angle by construction
HIP_IR, HIP_ER = 30.0, 25.0


def _swings(off: float, ideal: str) -> list[float]:
    """Both directions of a turn ``off`` away from the ideal view, as camera swings."""
    return [off, -off] if ideal == "side" else [90.0 - off, 90.0 + off]


def knee_to_wall(off: float) -> dict[str, float]:
    """Largest per-rep error of the test (left, front) leg's end-range measures."""
    _, world, peaks = ST.knee_drives(3)
    truth = {"tibial_inclination": ST.KNEE_DRIVE["peak_incl"],
             "ankle_dorsiflexion": ST.KNEE_DRIVE["peak_incl"] - ST.KNEE_DRIVE["pitch"]}
    err = {k: 0.0 for k in truth}
    for swing in _swings(off, "side"):
        leg = ST.project(world, swing)[:, list(LEG["left"])]
        m = leg_measures(leg, UP, forward_sign(leg[:, 3], leg[:, 4], UP))
        for k, v in truth.items():
            err[k] = max(err[k], float(np.max(np.abs(m[k][peaks] - v))))
    return {"tibial inclination (knee-to-wall)": err["tibial_inclination"],
            "dorsiflexion (knee-to-wall)": err["ankle_dorsiflexion"]}


def squat_side(off: float) -> dict[str, float]:
    """Largest per-rep error of the near (right) leg's side-view squat measures at the bottom,
    computed as screen/protocols/squat.py computes them."""
    _, world, truth, bottoms = ST.squats(3)
    b = np.array(bottoms)
    want = {"tibial inclination (squat)": truth["incl"][b],
            "dorsiflexion (squat)": truth["incl"][b] - truth["pitch"][b],
            "squat depth": truth["thigh"][b],
            "torso-tibia": truth["incl"][b] - truth["trunk"][b]}
    err = {k: 0.0 for k in want}
    for swing in _swings(off, "side"):
        p = ST.project(world, swing)
        leg = p[:, list(LEG["right"])]
        fwd = forward_sign(leg[:, 3], leg[:, 4], UP)
        m = leg_measures(leg, UP, fwd)
        got = {"tibial inclination (squat)": m["tibial_inclination"][b],
               "dorsiflexion (squat)": m["tibial_inclination"][b] - m["foot_pitch"][b],
               "squat depth": thigh_angle(leg[:, 0], leg[:, 1], UP)[b],
               "torso-tibia": m["tibial_inclination"][b] - trunk_lean(p, UP, fwd)[b]}
        for k in want:
            err[k] = max(err[k], float(np.max(np.abs(got[k] - want[k]))))
    return err


def _valgus_frames(p: F, n_reps: int, period: int) -> list[int]:
    """Per rep, the deepest frame whose projected thigh is ≥ ``min_thigh_fraction`` of its
    standing length (the squat protocol's rule with its default)."""
    out = []
    for r in range(n_reps):
        w = np.arange(r * period, (r + 1) * period)
        ok = np.ones(len(w), dtype=bool)
        for s in SIDES:
            thigh = norm(p[:, LEG[s][0]] - p[:, LEG[s][1]])
            ok &= thigh[w] >= squat.Settings().min_thigh_fraction * np.percentile(thigh, 95)
        depth = np.abs(w - (r + 0.5) * period)  # the bottom is mid-period
        out.append(int(w[ok][np.argmin(depth[ok])]))
    return out


def knee_valgus_error(off: float) -> dict[str, float]:
    """Largest per-rep error of the projected FPPA against the 3-D truth: the same angle in the
    person's frontal plane (an orthographic projection onto world Y–Z), at the frame read."""
    _, world, _, _ = ST.squats(3, valgus=VALGUS)
    frontal = world[..., [2, 1]] * [1.0, -1.0]  # Z right, Y up → image-like (x, y down)
    err = 0.0
    for swing in _swings(off, "front"):
        p = ST.project(world, swing)
        frames = _valgus_frames(p, 3, 90)
        for s, o in (("left", "right"), ("right", "left")):
            got = knee_valgus(p[:, LEG[s][0]], p[:, LEG[s][1]], p[:, LEG[s][2]], p[:, LEG[o][0]])
            truth = Q.projected_fppa(frontal, s)
            err = max(err, float(np.max(np.abs(got[frames] - truth[frames]))))
    return {"knee valgus": err}


def hip_rotation(off: float) -> dict[str, float]:
    """Largest error at the end range of each IR and ER movement, both paths, both sides."""
    _, trace = SEAT.movements(HIP_IR, HIP_ER)
    world = SEAT.skeleton(trace, trace)
    wins = SEAT.movement_windows()
    ends = [(a + b - 1) // 2 for k in ("ir", "er") for a, b in wins[k]]
    err = {"hip rotation (3-D path)": 0.0, "hip rotation (2-D path)": 0.0}
    for swing in _swings(off, "front"):
        rec = ST.render(world, swing)
        p = rec.pixels() if hasattr(rec, "pixels") else ST.project(world, swing)
        for key, got in (("hip rotation (2-D path)", rotation_2d(p, UP)),
                         ("hip rotation (3-D path)", rotation_3d(rec.world.astype(float)))):
            for s in SIDES:
                err[key] = max(err[key], float(np.max(np.abs(got[s][ends] - trace[ends]))))
    return err


def foot_progression(off: float) -> dict[str, float]:
    """Largest error of the standing foot progression angle (from world landmarks)."""
    n = 30
    world = Q.skeleton(np.zeros(n), np.full(n, -90.0), turnout=TURNOUT)
    err = 0.0
    for swing in _swings(off, "front"):
        fpa = standing(ST.render(world, swing).world.astype(float))
        for s, truth in zip(SIDES, TURNOUT, strict=True):
            err = max(err, float(np.max(np.abs(fpa[s] - truth))))
    return {"foot progression": err}


READERS: tuple[Callable[[float], dict[str, float]], ...] = (
    knee_to_wall, squat_side, knee_valgus_error, hip_rotation, foot_progression)


def table(offs: F) -> dict[str, F]:
    """Per measure, the largest per-rep error (degrees) at each turn in ``offs``."""
    rows = [dict(kv for reader in READERS for kv in reader(float(o)).items()) for o in offs]
    return {name: np.array([r[name] for r in rows]) for name in MEASURES}


def exceeds_at(offs: F, err: F, bound: float) -> float:
    """The turn (degrees) where ``err`` first exceeds ``bound`` (linear interpolation between
    grid points); +inf when it never does on the grid."""
    over = np.flatnonzero(err > bound)
    if not len(over):
        return float("inf")
    i = int(over[0])
    if i == 0:
        return float(offs[0])
    return float(np.interp(bound, [err[i - 1], err[i]], [offs[i - 1], offs[i]]))


def declared(protocol: str, measure: str) -> float:
    return float(PROTOCOLS[protocol].measure(measure).max_turn_deg)


def report(offs: F) -> str:
    errs = table(offs)
    head = "| turn (deg) | " + " | ".join(f"{o:g}" for o in offs) + \
        " | bound | exceeds at | declared limit | supported |"
    lines = [head, "|" + "---|" * (len(offs) + 5)]
    for name, (bound, view, (proto, measure)) in MEASURES.items():
        at = exceeds_at(offs, errs[name], bound)
        limit = declared(proto, measure)
        ok = "yes" if limit <= at else "no"
        at_s = f">{offs[-1]:g}" if not np.isfinite(at) else f"{at:.1f}"
        lines.append(f"| {name} (off {view}) | " + " | ".join(f"{e:.2f}" for e in errs[name])
                     + f" | {bound:g} | {at_s} | {limit:g} | {ok} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max", type=float, default=30.0, help="largest turn (deg)")
    ap.add_argument("--step", type=float, default=5.0, help="turn step (deg)")
    a = ap.parse_args(argv)
    offs = np.arange(0.0, a.max + a.step / 2, a.step)
    print(f"turn sensitivity, {datetime.date.today().isoformat()}, {platform.node()} "
          f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})")
    print("largest per-rep error (deg) against the 3-D truth, both turn directions")
    print(report(offs))


if __name__ == "__main__":
    main()
