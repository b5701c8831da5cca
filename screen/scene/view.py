"""Which way the person faces the camera, from the landmarks.

The width ratio is the mean of the shoulder and hip widths measured across the image (|Δx|)
divided by the torso length (shoulder midpoint to hip midpoint), median over frames. A person
side-on shows almost no shoulder or hip width; a person facing the camera shows about half a
torso length. Measured on the sample clips with the full model: knee_to_wall_side 0.18,
squat_side_deep 0.05, squat_front 0.53.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from screen.kinematics.body import torso_length
from screen.landmarks import HIPS, LM, SHOULDERS

View = Literal["side", "front", "back", "oblique", "unknown"]
SIDE_BELOW = 0.25
FRONT_ABOVE = 0.40


@dataclass(frozen=True)
class ViewCheck:
    view: View
    width_ratio: float
    reason: str


def classify_view(points: ArrayLike) -> ViewCheck:
    """Classify the camera view from image points (T, 33, 2) in pixels (NaN rows ignored)."""
    p = np.asarray(points, dtype=float)
    sh, hp = p[:, list(SHOULDERS)], p[:, list(HIPS)]
    torso = torso_length(p)
    width = (np.abs(sh[:, 0, 0] - sh[:, 1, 0]) + np.abs(hp[:, 0, 0] - hp[:, 1, 0])) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = width / torso
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) == 0:
        return ViewCheck("unknown", float("nan"), "shoulders and hips never visible together")
    r = float(np.median(ratios))
    if r < SIDE_BELOW:
        return ViewCheck("side", r, f"shoulder/hip width is {r:.2f} of torso length (< {SIDE_BELOW})")
    if r <= FRONT_ABOVE:
        return ViewCheck("oblique", r, f"shoulder/hip width is {r:.2f} of torso length "
                         f"(between {SIDE_BELOW} and {FRONT_ABOVE})")
    # Facing the camera, the person's left shoulder appears on the image's right.
    facing = np.nanmedian(p[:, LM.LEFT_SHOULDER, 0] - p[:, LM.RIGHT_SHOULDER, 0])
    view: View = "front" if facing > 0 else "back"
    return ViewCheck(view, r, f"shoulder/hip width is {r:.2f} of torso length (> {FRONT_ABOVE})")
