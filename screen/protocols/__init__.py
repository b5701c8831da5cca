"""One module per screening test. Each protocol module exposes

``NAME``
    the test's name (``knee_to_wall``, ``squat``, ``hip_rotation``, ``foot_angle``);
``VIEWS``
    the camera views (:data:`screen.scene.view.View`) it can measure from;
``LANDMARKS``
    the landmark indices it reads (only those are conditioned);
``CONDITIONING``
    its default :class:`~screen.conditioning.signal.Conditioning`;
``Settings``
    a frozen dataclass of its options, all with defaults (``side`` where a side is chosen);
``run(recording, points, settings, thresholds) -> Outcome``
    the analysis of a whole recording; ``points`` (T, 33, 2) are conditioned pixels;
``frame_measures(points, settings) -> dict[str, ndarray]``
    the per-frame angle traces (T,) that matter for the test, from (T, 33, 2) pixel points —
    what the live view draws, computed by the same functions ``run`` uses.

A protocol never raises for a wrong view or missing data: it returns ``insufficient_data``
measurements with the reason (a :class:`~screen.errors.MovescreenError` is for input that is
unusable for every test, such as no person at all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from screen.results.result import Measurement


@dataclass(frozen=True)
class Outcome:
    """What a protocol found: measurements, the view check, warnings and per-frame columns."""

    measurements: list[Measurement]
    view: dict[str, Any]
    warnings: list[str]
    frames: pd.DataFrame


def seen_fraction(pts: NDArray, has_pose: NDArray) -> float:
    """Fraction of the frames with a person (``has_pose`` (T,)) in which all of ``pts``
    (T, K, C) survived conditioning (are finite); 0 when nobody was seen."""
    n = int(has_pose.sum())
    ok = np.all(np.isfinite(pts), axis=(1, 2)) & has_pose
    return float(ok.sum()) / n if n else 0.0


def feet_hidden(seen: float) -> str:
    """The reason given when the feet were seen in only the fraction ``seen`` of the frames."""
    return (f"feet are out of frame or not visible in {100 * (1 - seen):.0f}% of the frames "
            "with a person; film the whole body with both feet in view")


def insufficient(names: Iterable[str], sides: Iterable[str], why: str, *, statistic: str,
                 unit: str | Mapping[str, str] = "deg",
                 reps: list[dict[str, Any]] | None = None) -> list[Measurement]:
    """``insufficient_data`` measurements, one per name and side, all with the reason ``why``."""
    def unit_of(name: str) -> str:
        return unit if isinstance(unit, str) else unit[name]

    return [Measurement(name=n, side=s, value=None, unit=unit_of(n), status="insufficient_data",
                        reason=why, reps=reps or [], statistic=statistic)
            for s in sides for n in names]


from screen.protocols import foot_angle, hip_rotation, knee_to_wall, squat  # noqa: E402

PROTOCOLS = {knee_to_wall.NAME: knee_to_wall, squat.NAME: squat,
             hip_rotation.NAME: hip_rotation, foot_angle.NAME: foot_angle}
