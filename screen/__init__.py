"""movescreen: camera-based movement screening.

Coordinate conventions used throughout (see docs/conventions in README):

* Axis 0 of every array is time (frames).
* Image points are pixels of the displayed (rotation-corrected) frame: x to the right,
  y downward, origin at the top-left corner.
* Angles are degrees.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from screen.analysis import analyze
    from screen.recording import Recording
    from screen.results.result import Measurement, Result

__version__ = "0.1.0"
__all__ = ["Measurement", "Recording", "Result", "__version__", "analyze"]
# Imported on first use (PEP 562), so that a pose worker process (screen.sources.pose, started
# afresh for every chunk of a video) does not pay for the analysis stack (scipy, ...) it never runs.
_LAZY = {"analyze": "screen.analysis", "Recording": "screen.recording",
         "Measurement": "screen.results.result", "Result": "screen.results.result"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'screen' has no attribute {name!r}")
