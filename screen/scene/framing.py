"""Set-up checks on how the person is framed: whole body and feet inside the image.

A part of the body (the body: shoulders, hips, knees; the feet: ankles, heels, toes) counts as
*seen* on a frame when the model found a person, all of the part's landmarks of both sides lie
inside the frame ([0, 1] on both axes), and at least one side's landmarks of it are visible
(visibility ≥ ``min_visibility``): in a side view the far leg is hidden behind the near one but
is not out of frame. Works on the raw image landmarks (T, 33, 5) of a
:class:`~screen.recording.Recording` (or a live rolling window of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import LEG, LM, SIDES

BODY = {"left": (LM.LEFT_SHOULDER, LM.LEFT_HIP, LM.LEFT_KNEE),
        "right": (LM.RIGHT_SHOULDER, LM.RIGHT_HIP, LM.RIGHT_KNEE)}
FEET = {side: LEG[side][2:] for side in SIDES}  # ankle, heel, toe
MIN_SEEN = 0.5  # a part must be seen in at least this fraction of the frames with a person


def seen(image: ArrayLike, part: dict[str, tuple[int, ...]], /, *,
         min_visibility: float = 0.5) -> NDArray[np.bool_]:
    """(T,) True where ``part`` ({side: landmarks}) is seen as defined in the module docstring."""
    img = np.asarray(image)
    every = [i for side in part.values() for i in side]
    with np.errstate(invalid="ignore"):
        inside = np.ones((len(img), len(every)), dtype=bool)  # (T, L)
        for c in (0, 1):  # x, then y, of the part's landmarks: one coordinate gathered at a time
            coord = img[:, every, c]
            inside &= coord >= 0
            inside &= coord <= 1
        vis = img[:, every, 3] >= min_visibility
    visible, at = np.zeros(len(img), dtype=bool), 0
    for side in part.values():
        visible |= vis[:, at:at + len(side)].all(axis=1)
        at += len(side)
    return inside.all(axis=1) & visible


@dataclass(frozen=True)
class Framing:
    """Fractions of the frames *with a person* in which the body (shoulders, hips, knees) and the
    feet (ankles, heels, toes) are seen, and plain guidance when they are not."""

    frames_with_person: int
    body_seen: float
    feet_seen: float
    guidance: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.guidance


def check_framing(image: ArrayLike, /, *, min_visibility: float = 0.5,
                  min_seen: float = MIN_SEEN) -> Framing:
    """Check the framing of image landmarks (T, 33, 5); NaN rows are frames with no person."""
    img = np.asarray(image)
    person = np.isfinite(img[:, LM.LEFT_HIP, 0])
    n = int(person.sum())
    if n == 0:
        return Framing(0, 0.0, 0.0, ("no person found: stand in front of the camera",))
    body = float(seen(img, BODY, min_visibility=min_visibility)[person].mean())
    feet = float(seen(img, FEET, min_visibility=min_visibility)[person].mean())
    guidance = []
    if body < min_seen:
        guidance.append(f"body out of frame in {100 * (1 - body):.0f}% of frames: step back so "
                        "your whole body is visible")
    if feet < min_seen:
        guidance.append(f"feet out of frame or hidden in {100 * (1 - feet):.0f}% of frames: step "
                        "back or lower the camera so both feet are visible")
    return Framing(n, body, feet, tuple(guidance))
