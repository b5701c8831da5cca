"""One module per screening test. Each protocol module exposes

``NAME``
    the test's name (``knee_to_wall``, ``squat``, ``hip_rotation``, ``foot_angle``);
``VIEWS``
    the camera views (:data:`screen.view.View`) it can measure from;
``LANDMARKS``
    the landmark indices it reads (only those are conditioned);
``CONDITIONING``
    its default :class:`~screen.signal.Conditioning`;
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

from dataclasses import dataclass
from typing import Any

import pandas as pd

from screen.result import Measurement


@dataclass(frozen=True)
class Outcome:
    """What a protocol found: measurements, the view check, warnings and per-frame columns."""

    measurements: list[Measurement]
    view: dict[str, Any]
    warnings: list[str]
    frames: pd.DataFrame


from screen.protocols import foot_angle, hip_rotation, knee_to_wall, squat  # noqa: E402

PROTOCOLS = {knee_to_wall.NAME: knee_to_wall, squat.NAME: squat,
             hip_rotation.NAME: hip_rotation, foot_angle.NAME: foot_angle}
