"""The data container for one recording: landmark arrays over time plus metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from screen.errors import MovescreenError
from screen.landmarks import LM, N_LANDMARKS

IMAGE_COORDS = ("x", "y", "z", "visibility", "presence")
WORLD_COORDS = ("x", "y", "z")
FORMAT = "movescreen.recording/1"


@dataclass(frozen=True, eq=False)
class Recording:
    """Landmarks of one person over one recording. Axis 0 is always time.

    Attributes
    ----------
    t : (T,) float64
        Frame timestamps in seconds from the container (not assumed uniform), strictly increasing.
    image : (T, 33, 5) float32
        MediaPipe normalised image landmarks: x, y in [0, 1] of the displayed frame's width and
        height (x right, y down; may fall outside [0, 1] when a joint is out of frame), z relative
        depth, visibility and presence in [0, 1]. All NaN on frames with no person detected.
    world : (T, 33, 3) float32
        MediaPipe world landmarks in metres, origin between the hips; NaN without a person.
    meta : dict
        JSON-serialisable facts: ``width``, ``height`` (displayed frame, pixels), ``source``,
        ``model``, ``model_sha256``, ``rotation_deg``, ``fps_nominal``, ``timestamps``.
    """

    t: NDArray[np.float64]
    image: NDArray[np.float32]
    world: NDArray[np.float32]
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t, image, world = np.asarray(self.t), np.asarray(self.image), np.asarray(self.world)
        n = len(t)
        if t.ndim != 1 or image.shape != (n, N_LANDMARKS, 5) or world.shape != (n, N_LANDMARKS, 3):
            raise ValueError(
                f"recording arrays disagree: t {t.shape}, image {image.shape} (want ({n}, 33, 5)), "
                f"world {world.shape} (want ({n}, 33, 3))")
        if n > 1 and not np.all(np.diff(t) > 0):
            raise ValueError("recording timestamps must be strictly increasing")
        for key in ("width", "height"):
            if not isinstance(self.meta.get(key), int) or self.meta[key] <= 0:
                raise ValueError(f"recording meta needs a positive integer {key!r}")

    @property
    def n_frames(self) -> int:
        return len(self.t)

    @property
    def has_pose(self) -> NDArray[np.bool_]:
        """(T,) True on frames where a person was detected."""
        return np.isfinite(self.image[:, LM.LEFT_HIP, 0])

    def pixels(self) -> NDArray[np.float64]:
        """(T, 33, 2) image landmarks in pixels of the displayed frame (x right, y down)."""
        return self.image[..., :2].astype(float) * np.array([self.meta["width"], self.meta["height"]])

    def to_frame(self) -> pd.DataFrame:
        """Wide table: one row per frame, columns ``t_s`` then ``<landmark>_<coord>`` for the
        image landmarks and ``<landmark>_world_<coord>`` for the world landmarks."""
        names = [lm.name.lower() for lm in LM]
        cols = {"t_s": self.t}
        for i, name in enumerate(names):
            for c, coord in enumerate(IMAGE_COORDS):
                cols[f"{name}_{coord}"] = self.image[:, i, c]
            for c, coord in enumerate(WORLD_COORDS):
                cols[f"{name}_world_{coord}"] = self.world[:, i, c]
        return pd.DataFrame(cols)

    def save(self, path: str | Path) -> Path:
        """Write a compressed ``.npz`` that :meth:`load` reads back exactly."""
        path = Path(path)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, t=self.t, image=self.image, world=self.world,
                                meta=np.array(json.dumps({"format": FORMAT, **self.meta})))
        return path

    @classmethod
    def load(cls, path: str | Path) -> Recording:
        """Read a file written by :meth:`save`; a wrong or damaged file is a MovescreenError."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if meta.pop("format", None) != FORMAT:
                    raise MovescreenError(f"{path}: not a movescreen landmarks file")
                return cls(t=z["t"], image=z["image"], world=z["world"], meta=meta)
        except MovescreenError:
            raise
        except (OSError, ValueError, KeyError) as err:
            raise MovescreenError(f"{path}: cannot read landmarks file ({err})") from err
