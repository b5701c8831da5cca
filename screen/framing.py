"""Set-up checks on how the person is framed: whole body and feet inside the image.

A landmark counts as *seen* on a frame when the model found a person, its normalised image
position is inside the frame ([0, 1] on both axes) and its visibility is at least
``min_visibility``. Works on the raw image landmarks (T, 33, 5) of a
:class:`~screen.recording.Recording` (or a live rolling window of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from screen.landmarks import FEET, LM

BODY = (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP,
        LM.LEFT_KNEE, LM.RIGHT_KNEE)
MIN_SEEN = 0.5  # a part must be seen in at least this fraction of the frames with a person


def seen(image: ArrayLike, landmarks: tuple[int, ...] | list[int], /, *,
         min_visibility: float = 0.5) -> NDArray[np.bool_]:
    """(T,) True where every landmark in ``landmarks`` is inside the frame and visible."""
    img = np.asarray(image, dtype=float)[:, list(landmarks)]
    with np.errstate(invalid="ignore"):
        inside = np.all((img[..., :2] >= 0) & (img[..., :2] <= 1), axis=-1)
        return np.all(inside & (img[..., 3] >= min_visibility), axis=-1)


@dataclass(frozen=True)
class Framing:
    """Fractions of the frames *with a person* in which the body (shoulders, hips, knees) and the
    feet (ankles, heels, toes of both legs) are seen, and plain guidance when they are not."""

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
    img = np.asarray(image, dtype=float)
    person = np.isfinite(img[:, LM.LEFT_HIP, 0])
    n = int(person.sum())
    if n == 0:
        return Framing(0, 0.0, 0.0, ("no person found: stand in front of the camera",))
    body = float(seen(img[person], BODY, min_visibility=min_visibility).mean())
    feet = float(seen(img[person], FEET, min_visibility=min_visibility).mean())
    guidance = []
    if body < min_seen:
        guidance.append(f"body out of frame in {100 * (1 - body):.0f}% of frames: step back so "
                        "your whole body is visible")
    if feet < min_seen:
        guidance.append(f"feet out of frame or hidden in {100 * (1 - feet):.0f}% of frames: step "
                        "back or lower the camera so both feet are visible")
    return Framing(n, body, feet, tuple(guidance))
