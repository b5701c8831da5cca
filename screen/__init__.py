"""movescreen: camera-based movement screening.

Coordinate conventions used throughout (see docs/conventions in README):

* Axis 0 of every array is time (frames).
* Image points are pixels of the displayed (rotation-corrected) frame: x to the right,
  y downward, origin at the top-left corner.
* Angles are degrees.
"""

from screen.analysis import analyze
from screen.recording import Recording
from screen.results.result import Measurement, Result

__version__ = "0.1.0"
__all__ = ["Measurement", "Recording", "Result", "__version__", "analyze"]
