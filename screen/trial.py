"""The trial: one recording prepared for measurement, built once by shared code.

source → pose → :class:`~screen.recording.Recording` → **Trial** → protocol → result.

Building a trial (:func:`prepare`), in order:
1. legs re-paired on the raw landmarks (:mod:`screen.conditioning.legs`), before any smoothing;
2. the scene (:mod:`screen.scene.segments`): per-frame view, body turn and activity, and the
   time segments made from them, from the gated (unsmoothed) landmarks;
3. the true vertical (:class:`screen.scene.vertical.Vertical`): given, estimated from the
   scene or the body, or assumed level with the reason;
4. the conditioning chain (:mod:`screen.conditioning.signal`) on the landmarks the protocol
   reads, for image points (pixels) and world landmarks (metres).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from screen.conditioning.conditioned import Cleaned, conditioned_points, conditioned_world, gated_points
from screen.conditioning.legs import repair
from screen.conditioning.signal import Conditioning
from screen.kinematics.body import torso_length
from screen.kinematics.geometry import up_vector
from screen.kinematics.stats import nanmedian
from screen.recording import Recording
from screen.scene import segments as scene_segments
from screen.scene.segments import Scene, SceneSettings
from screen.scene.vertical import Vertical

F = NDArray[np.float64]


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
        conditioned world landmarks (metres) of the protocol's landmarks (``world_conditioning``),
        computed when first read.
    scene : Scene
        per-frame view, turn and activity, and the segments (built from :attr:`raw`).
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
    scene: Scene
    vertical: Vertical
    conditioning: Conditioning
    world_conditioning: Conditioning
    landmarks: tuple[int, ...]
    legs_repaired: int

    @cached_property
    def world(self) -> F:
        """(T, 33, 3) conditioned world landmarks (metres) of the protocol's landmarks, computed
        on first use (not every protocol reads them)."""
        return conditioned_world(self.recording, self.world_conditioning, self.landmarks)

    @property
    def t(self) -> F:
        return self.recording.t

    @property
    def n_frames(self) -> int:
        return self.recording.n_frames

    @property
    def has_pose(self) -> NDArray[np.bool_]:
        return self.recording.has_pose

    @cached_property
    def raw_torso_px(self) -> float:
        """Median torso length (pixels) of :attr:`raw`, NaN when never seen: the scale of the
        landmark jitter every measurement's confidence reads (the :attr:`scene`'s, built from
        :attr:`raw`; computed here once per trial when the scene has none)."""
        known = self.scene.torso_px
        return known if np.isfinite(known) else nanmedian(torso_length(self.raw))

    @cached_property
    def up(self) -> F:
        """(2,) image direction of true up (:attr:`vertical`'s roll)."""
        return up_vector(self.vertical.roll_deg)


def prepare(fixed: Recording, legs_repaired: int, gated: F, scene: Scene,
            landmarks: Sequence[int], conditioning: Conditioning,
            world_conditioning: Conditioning, vertical: Vertical,
            cleaned: Cleaned | None = None) -> Trial:
    """The :class:`Trial` of a recording whose legs are already re-paired (``fixed``, with
    ``legs_repaired`` frames changed, by :func:`screen.conditioning.legs.repair`), its gated pixels
    ``gated`` (T, 33, 2) and its ``scene``, for a protocol reading ``landmarks``. ``cleaned``:
    the conditioning's steps before the low-pass, if already run on ``fixed``
    (:func:`screen.conditioning.conditioned.conditioned_points` says when it is used)."""
    return Trial(recording=fixed,
                 points=conditioned_points(fixed, conditioning, landmarks, cleaned),
                 raw=gated, scene=scene, vertical=vertical, conditioning=conditioning,
                 world_conditioning=world_conditioning, landmarks=tuple(landmarks),
                 legs_repaired=legs_repaired)


def scene_of(rec: Recording, settings: SceneSettings | None = None
             ) -> tuple[Recording, int, F, Scene]:
    """Steps 1–2 for a raw recording: the re-paired recording, the frames changed, its gated
    pixels and its scene."""
    fixed, swapped = repair(rec)
    gated = gated_points(fixed)
    return fixed, swapped, gated, scene_segments.build(fixed.image, gated, fixed.world, fixed.t,
                                                       settings)
