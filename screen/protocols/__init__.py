"""One module per screening test. Each exposes ``NAME``, ``LANDMARKS`` (the indices it reads),
``CONDITIONING`` (its default), a ``Settings`` dataclass and
``run(recording, points, settings, thresholds) -> Outcome``."""

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


from screen.protocols import knee_to_wall  # noqa: E402  (registry below needs Outcome first)

PROTOCOLS = {knee_to_wall.NAME: knee_to_wall}
