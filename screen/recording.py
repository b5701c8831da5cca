"""The data container for one recording: landmark arrays over time plus metadata."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from screen.errors import MovescreenError
from screen.landmarks import LM, N_LANDMARKS

if TYPE_CHECKING:
    import pandas as pd

IMAGE_COORDS = ("x", "y", "z", "visibility", "presence")
WORLD_COORDS = ("x", "y", "z")
FORMAT = "movescreen.recording/1"
MAX_FRAMES = 432_000  # a landmarks file longer than 4 h at 30 fps (~290 MB in memory) is refused
MIN_FRAMES = 2  # a frame rate, and so any movement, needs at least two frames
MAX_META_CHARS = 1_000_000
ARRAYS = {"t": (), "image": (N_LANDMARKS, 5), "world": (N_LANDMARKS, 3)}  # trailing shapes


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
        ``model``, ``model_sha256``, ``rotation_deg``, ``fps_nominal``, ``timestamps``. A
        recording read back by :meth:`load` has ``source`` = the landmarks file,
        ``source_kind`` = ``"landmarks"``, ``landmarks_sha256`` = that file's SHA-256 and
        ``recorded_from`` = the video (or camera) the landmarks were first taken from.
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
        import pandas as pd  # imported on first use (≈ 0.25 s)

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
        """Read a file written by :meth:`save`; a wrong, damaged, oversized (more than
        :data:`MAX_FRAMES` frames, checked before anything is decompressed), too short (fewer than
        :data:`MIN_FRAMES`) or degenerate (all landmarks of a frame on one point) file is a
        MovescreenError. The recording's ``meta`` then names this file as its source, with its
        SHA-256 (an edited file is not passed off as the original video's analysis)."""
        path = Path(path)
        try:
            _check_sizes(path)
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                if not isinstance(meta, dict) or meta.pop("format", None) != FORMAT:
                    raise MovescreenError(f"{path}: not a movescreen landmarks file")
                rec = cls(t=z["t"], image=z["image"], world=z["world"], meta=meta)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except MovescreenError:
            raise
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as err:
            raise MovescreenError(f"{path}: cannot read landmarks file ({err})") from err
        _check_content(path, rec)
        rec.meta.update(recorded_from=rec.meta.get("recorded_from", rec.meta.get("source")),
                        source=str(path), source_kind="landmarks", landmarks_sha256=digest)
        return rec


def _check_sizes(path: Path) -> None:
    """Refuse a landmarks file whose arrays are too long or of the wrong kind, from the array
    headers alone (a few compressed MB can otherwise expand to GiB)."""
    with zipfile.ZipFile(path) as zf:
        for name in (*ARRAYS, "meta"):
            if f"{name}.npy" not in zf.namelist():
                raise MovescreenError(f"{path}: not a movescreen landmarks file (no {name!r} array)")
            with zf.open(f"{name}.npy") as fh:
                read_header = (np.lib.format.read_array_header_1_0
                               if np.lib.format.read_magic(fh) == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(fh)
            _check_header(path, name, shape, dtype)


def _check_header(path: Path, name: str, shape: tuple[int, ...], dtype: np.dtype) -> None:
    if name == "meta":
        if shape != () or dtype.kind != "U" or dtype.itemsize > 4 * MAX_META_CHARS:
            raise MovescreenError(f"{path}: its metadata is not a short JSON text")
        return
    if dtype.kind != "f" or len(shape) != 1 + len(ARRAYS[name]) or tuple(shape[1:]) != ARRAYS[name]:
        raise MovescreenError(f"{path}: array {name!r} has shape {shape} and type {dtype}, not a "
                              "movescreen landmarks array")
    if shape[0] > MAX_FRAMES:
        raise MovescreenError(f"{path}: {shape[0]} frames, more than the {MAX_FRAMES} a landmarks "
                              "file may hold")
    if shape[0] < MIN_FRAMES:
        raise MovescreenError(f"{path}: {shape[0]} frame(s); at least {MIN_FRAMES} are needed")


def _check_content(path: Path, rec: Recording) -> None:
    """Values a pose model cannot produce: non-finite timestamps, and frames with a pose whose
    33 image landmarks all sit on one point (every segment would have zero length)."""
    if not np.all(np.isfinite(rec.t)):
        raise MovescreenError(f"{path}: timestamps are not all finite numbers")
    xy = rec.image[rec.has_pose, :, :2].astype(float)  # (P, 33, 2) frames with a pose
    with np.errstate(invalid="ignore"):
        collapsed = np.all(np.ptp(xy, axis=1) <= 0, axis=-1)  # NaN spread (a gap) is not collapsed
    if collapsed.any():
        raise MovescreenError(f"{path}: {int(collapsed.sum())} frame(s) have all 33 landmarks on "
                              "one point (not a body pose)")
