"""Shared fixtures. Real data comes from ../shared (beside the clone, or $MOVESCREEN_SHARED), by
path; tests never download anything. Without it, every test that needs a clip or a model is
skipped with one reason saying how to get the files (``make test`` prints skip reasons).

Landmark cache: ``clip_recording`` loads ``$MOVESCREEN_LANDMARK_CACHE/<model>/<clip stem>.npz``
(default ``/work/cache``) when it exists and was made from that clip with that model, and runs
the pose model otherwise (CI, where no cache exists). Either way the test reads the same
MediaPipe output format; the cache only saves CPU."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/synthetic.py

SHARED = Path(os.environ.get("MOVESCREEN_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SAMPLES = SHARED / "samples"
MODELS = SHARED / "models"
LANDMARK_CACHE = Path(os.environ.get("MOVESCREEN_LANDMARK_CACHE", "/work/cache"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SAMPLES / "MANIFEST.tsv").is_file() or not (MODELS / "SHA256SUMS").is_file():
        pytest.skip(f"needs the sample clips and pose models of {SHARED} (not there): put the "
                    "project's shared/ folder beside the clone or set MOVESCREEN_SHARED=DIR "
                    "(README, Install)")
    return SHARED


@pytest.fixture(scope="session")
def model_path(shared: Path) -> Path:
    """The full pose model, used by path from the mirror (no install, no download)."""
    return shared / "models" / "pose_landmarker_full.task"


@pytest.fixture(scope="session")
def clip_recording(shared: Path):
    """``clip_recording(name, model="full")`` → the Recording of a ../shared sample clip, run
    through the pose model once per test session and shared by every test that asks."""
    from screen.recording import Recording
    from screen.sources import models, pose

    cache: dict[tuple[str, str], object] = {}

    def get(name: str, model: str = "full", folder: str = "samples"):
        key = (f"{folder}/{name}", model)
        if key not in cache:
            clip = shared / folder / name
            saved = LANDMARK_CACHE / model / f"{Path(name).stem}.npz"
            rec = Recording.load(saved) if saved.is_file() else None
            if rec is None or Path(str(rec.meta.get("source"))).name != name \
                    or rec.meta.get("model") != model:
                model_file = models.resolve(str(shared / "models" / f"pose_landmarker_{model}.task"))
                rec = pose.estimate(clip, model_file)
            cache[key] = rec
        return cache[key]

    return get
