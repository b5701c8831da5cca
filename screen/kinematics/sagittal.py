"""Sagittal-plane leg measures over a whole recording (side view), vectorised over frames.

Inputs are image points in pixels (x right, y down). ``up`` is the image direction of true
vertical (see :func:`screen.kinematics.geometry.up_vector`; (0, −1) for a level camera) and
``forward_sign`` is +1 when the toes point toward image +x, −1 toward −x.
Vectors: shank s = knee − ankle, foot f = toe (foot index) − heel. All angles in degrees.

tibial_inclination
    Angle between s and true up, positive when the knee is ahead of the ankle in the direction
    the toes point (what an inclinometer on the shin reads in the knee-to-wall test). It depends
    on knowing the vertical: a camera rolled by θ biases it by θ unless the tilt is supplied.
ankle_dorsiflexion
    90° − ∠(s, f). 0° = shank perpendicular to the heel→toe line; positive = dorsiflexion.
    A joint angle between two body segments, so it does not depend on camera roll. MediaPipe's
    heel→toe line is not the sole, so the value carries a person-specific offset of a few degrees.
foot_pitch
    Angle of the heel above the toe relative to the floor direction (perpendicular to up):
    atan2((heel − toe)·up, f·forward). Its rise over the quiet-standing baseline is heel lift.
knee_over_toe
    (knee − toe)·forward / |f|: how far the knee travels past its own toes, in foot lengths.
heel_rise (:func:`heel_rise`)
    How far the heel has risen over its floor position, in foot lengths: (heel height along up
    − its median over baseline frames) / the median heel→toe length there. The one heel-lift
    signal of every protocol. The heel landmark sits on the floor while the heel is down, however
    far the shank leans; the heel→toe *pitch* does not: MediaPipe's toe point slides as the
    ankle flexes, so a flat front heel in a deep lunge read 10–21° of pitch "lift"
    (kt_lunge_side_white) where the heel landmark itself stays within a few pixels.
thigh_angle (:func:`thigh_angle`, squat depth)
    Angle of the thigh below horizontal: + when the hip is below the knee, −90° standing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.kinematics.geometry import angle_between, components, inclination, norm

F = NDArray[np.float64]
LEG_MEASURES = ("tibial_inclination", "ankle_dorsiflexion", "foot_pitch", "knee_over_toe")


def forward_sign(heel: ArrayLike, toe: ArrayLike, up: ArrayLike) -> float:
    """+1 or −1: the side of the image the toes point to, from the median heel→toe vector
    (T, 2) over frames. NaN when no frame has both points."""
    f = np.asarray(toe, dtype=float) - np.asarray(heel, dtype=float)
    along, _ = components(f, up, 1.0)
    m = np.nanmedian(along) if np.any(np.isfinite(along)) else np.nan
    return float(np.sign(m)) if np.isfinite(m) and m != 0 else float("nan")


def leg_measures(leg: ArrayLike, up: ArrayLike, fwd: float | ArrayLike) -> dict[str, F]:
    """Measures of one leg chain ``leg`` (T, 5, 2) ordered hip, knee, ankle, heel, toe.

    Returns ``{name: (T,) array}`` for each of :data:`LEG_MEASURES`; NaN where a needed point
    is missing.
    """
    leg = np.asarray(leg, dtype=float)
    if leg.ndim != 3 or leg.shape[1:] != (5, 2):
        raise ValueError(f"leg must be (T, 5, 2) hip, knee, ankle, heel, toe; got {leg.shape}")
    knee, ankle, heel, toe = leg[:, 1], leg[:, 2], leg[:, 3], leg[:, 4]
    s, f = knee - ankle, toe - heel
    f_fwd, f_up = components(f, up, fwd)
    k_fwd, _ = components(knee - toe, up, fwd)
    with np.errstate(invalid="ignore", divide="ignore"):
        knee_over_toe = k_fwd / norm(f)
    return {
        "tibial_inclination": inclination(s, up, fwd),
        "ankle_dorsiflexion": 90.0 - angle_between(s, f),
        "foot_pitch": np.degrees(np.arctan2(-f_up, f_fwd)),
        "knee_over_toe": knee_over_toe,
    }


def thigh_angle(hip: ArrayLike, knee: ArrayLike, up: ArrayLike) -> F:
    """Squat depth as the thigh's angle below horizontal (degrees), from image points (T, 2).

    atan2((knee − hip)·up, |(knee − hip)·horizontal|): positive when the hip is below the knee
    (deeper than parallel), 0 = thigh horizontal, −90° = standing (hip straight above the knee).
    The horizontal part is taken unsigned, so it does not depend on which way the person faces.
    A side-view measure: from the front the thigh points toward the camera and its angle is not
    observable. Depends on the vertical like tibial inclination (a roll θ not given biases it by
    up to θ)."""
    v = np.asarray(knee, dtype=float) - np.asarray(hip, dtype=float)
    along, upc = components(v, up, 1.0)
    return np.degrees(np.arctan2(upc, np.abs(along)))


def heel_rise(heel: ArrayLike, toe: ArrayLike, up: ArrayLike, baseline: ArrayLike, /) -> F:
    """(T,) heel rise in foot lengths (module docstring) of heel and toe points (T, 2), pixels,
    over the frames where ``baseline`` (T,) bool is True (a quiet period with the heel down).
    All NaN when the baseline has no frame with both points."""
    heel, toe = np.asarray(heel, dtype=float), np.asarray(toe, dtype=float)
    base = np.asarray(baseline, dtype=bool) & np.all(np.isfinite(heel), axis=1) \
        & np.all(np.isfinite(toe), axis=1)
    if not base.any():
        return np.full(len(heel), np.nan)
    height = heel @ np.asarray(up, dtype=float)
    foot = float(np.median(norm(toe[base] - heel[base])))
    if not foot > 0:
        return np.full(len(heel), np.nan)
    return (height - float(np.median(height[base]))) / foot
