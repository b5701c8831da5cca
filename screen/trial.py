"""The trial: one recording prepared for measurement, built once by shared code.

source → pose → :class:`~screen.recording.Recording` → **Trial** → protocol → result.

Building a trial (:func:`prepare`), in order:
1. legs re-paired on the raw landmarks (:mod:`screen.conditioning.legs`), before any smoothing;
2. the scene (:mod:`screen.scene.segments`): per-frame view, body turn and activity, and the
   time segments made from them, from the gated (unsmoothed) landmarks;
3. the true vertical (:class:`Vertical`): given, or assumed level;
4. the conditioning chain (:mod:`screen.conditioning.signal`) on the landmarks the protocol
   reads, for image points (pixels) and world landmarks (metres).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.conditioned import conditioned_points, conditioned_world, gated_points
from screen.conditioning.legs import repair
from screen.conditioning.signal import Conditioning
from screen.kinematics.geometry import up_vector
from screen.recording import Recording
from screen.scene import segments as scene_segments
from screen.scene.segments import Scene, SceneSettings

F = NDArray[np.float64]


@dataclass(frozen=True)
class Vertical:
    """Where true vertical is: ``roll_deg`` is how far it appears clockwise from the image's up
    (the camera's roll; :func:`screen.kinematics.geometry.up_vector`), ``uncertainty_deg`` its
    uncertainty (NaN when not estimated), ``source`` how it was found, ``reason`` in words."""

    roll_deg: float = 0.0
    uncertainty_deg: float = float("nan")
    source: str = "assumed_level"
    reason: str = "no estimate of the camera's roll: the camera is assumed level"


@dataclass(frozen=True, eq=False)
class Trial:
    """A recording ready for a protocol. Axis 0 is time everywhere.

    Attributes
    ----------
    recording : Recording
        the landmarks with the legs re-paired (raw values, not smoothed).
    points : (T, 33, 2) float64
        conditioned pixels (x right, y down) of the protocol's landmarks; NaN elsewhere.
    raw : (T, 33, 2) float64
        gated pixels (doubtful samples NaN), unsmoothed: the evidence the confidence reads.
    world : (T, 33, 3) float64
        conditioned world landmarks (metres) of the protocol's landmarks (``world_conditioning``).
    scene : Scene
        per-frame view, turn and activity, and the segments.
    vertical : Vertical
        the true vertical used; ``up`` (2,) is its image direction.
    conditioning : Conditioning
        the chain used for ``points``.
    legs_repaired : int
        frames whose leg labels were swapped back.
    """

    recording: Recording
    points: F
    raw: F
    world: F
    scene: Scene
    vertical: Vertical
    conditioning: Conditioning
    legs_repaired: int

    @property
    def t(self) -> F:
        return self.recording.t

    @property
    def n_frames(self) -> int:
        return self.recording.n_frames

    @property
    def has_pose(self) -> NDArray[np.bool_]:
        return self.recording.has_pose

    @property
    def up(self) -> F:
        return up_vector(self.vertical.roll_deg)


def prepare(rec: Recording, landmarks: Sequence[int], conditioning: Conditioning,
            world_conditioning: Conditioning, vertical: Vertical,
            scene_settings: SceneSettings | None = None) -> Trial:
    """Build the :class:`Trial` of ``rec`` for a protocol reading ``landmarks``."""
    fixed, swapped = repair(rec)
    gated = gated_points(fixed)
    scene = scene_segments.build(fixed.image, gated, fixed.world, fixed.t, scene_settings)
    return Trial(recording=fixed,
                 points=conditioned_points(fixed, conditioning, landmarks),
                 raw=gated,
                 world=conditioned_world(fixed, world_conditioning, landmarks),
                 scene=scene, vertical=vertical, conditioning=conditioning,
                 legs_repaired=swapped)
