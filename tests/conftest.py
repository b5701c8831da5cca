"""Shared fixtures. Real data comes from ../shared (beside the clone, or $MOVESCREEN_SHARED), by
path; tests never download anything. Without it, every test that needs a clip or a model is
skipped with one reason saying how to get the files (``make test`` prints skip reasons)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/synthetic.py

SHARED = Path(os.environ.get("MOVESCREEN_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SAMPLES = SHARED / "samples"
MODELS = SHARED / "models"


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
    from screen.sources import models, pose

    cache: dict[tuple[str, str], object] = {}

    def get(name: str, model: str = "full"):
        key = (name, model)
        if key not in cache:
            model_file = models.resolve(str(shared / "models" / f"pose_landmarker_{model}.task"))
            cache[key] = pose.estimate(shared / "samples" / name, model_file)
        return cache[key]

    return get
