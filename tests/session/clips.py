"""Knee-to-wall sample landmarks and exact transforms of them: mirrored (the same person's
"right leg") and rolled (the camera rotated). The transforms are exact geometry, so what they do
to the measures is known: mirroring changes no angle and swaps the labels; a roll of θ turns
every image direction by θ."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from screen.landmarks import LM
from screen.recording import Recording
from screen.scene.vertical import roll_frame

CACHE = Path("/work/cache/full/knee_to_wall_side.npz")  # landmarks already computed (full model)
SWAP = [LM[n.replace("LEFT_", "RIGHT_")] if n.startswith("LEFT_") else
        LM[n.replace("RIGHT_", "LEFT_")] if n.startswith("RIGHT_") else LM[n] for n in LM.__members__]


def knee_to_wall(clip_recording) -> Recording:
    """The sample's landmarks: from the cache when it exists, else by running the pose model."""
    return Recording.load(CACHE) if CACHE.is_file() else clip_recording("knee_to_wall_side.mp4")


def mirror(rec: Recording, source: Path | None = None) -> Recording:
    """Flip horizontally: image x → 1 − x, world x → −x, left and right landmarks swapped."""
    image, world = rec.image.copy(), rec.world.copy()
    image[..., 0] = 1.0 - image[..., 0]
    world[..., 0] = -world[..., 0]
    meta = dict(rec.meta) | ({"source": str(source), "recorded_from": str(source)} if source else {})
    return Recording(t=rec.t, image=image[:, SWAP], world=world[:, SWAP], meta=meta)


def roll(rec: Recording, deg: float, source: Path | None = None) -> Recording:
    """The recording seen by a camera rolled ``deg`` more (true vertical that much further
    clockwise): the image landmarks mapped as :func:`screen.scene.vertical.roll_frame` maps the
    frames (rotation about the centre with the zoom that hides the border); with ``source``
    (that video, rolled by :func:`roll_video`) the recording names it."""
    w, h = rec.meta["width"], rec.meta["height"]
    px = rec.image[..., :2].astype(float) * [w, h]
    _, moved = roll_frame(np.zeros((h, w, 3), dtype=np.uint8), deg, px)
    image = rec.image.copy()
    image[..., :2] = moved / [w, h]
    meta = dict(rec.meta) | ({"source": str(source), "recorded_from": str(source)} if source else {})
    return Recording(t=rec.t, image=image, world=rec.world, meta=meta)


def roll_video(src: Path, dst: Path, deg: float) -> Path:
    """``src`` as a camera rolled ``deg`` more would film it (:func:`roll_frame`), written to
    ``dst`` (mp4v)."""
    return _rewrite(src, dst, lambda img: roll_frame(img, deg)[0])


def _rewrite(src: Path, dst: Path, frame_fn) -> Path:
    """``src`` with ``frame_fn`` applied to every BGR frame, written to ``dst`` (mp4v)."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    size = (int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)))
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    while True:
        ok, img = cap.read()
        if not ok:
            break
        out.write(frame_fn(img))
    cap.release()
    out.release()
    return dst


def mirror_video(src: Path, dst: Path) -> Path:
    """``src`` flipped horizontally with cv2.flip, written to ``dst`` (mp4v)."""
    return _rewrite(src, dst, lambda img: cv2.flip(img, 1))


