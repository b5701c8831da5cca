"""One module per screening test; each builds a :class:`~screen.protocols.base.Protocol`
(what it needs, its measures and their limits, how it finds repetitions) and registers it.
Importing this package registers every protocol: :data:`PROTOCOLS` maps name → Protocol.

Adding a test: write ``screen/protocols/NEW.py`` with its Settings, MeasureSpecs and ``find``,
call :func:`~screen.protocols.base.register`, add its rules to ``results/thresholds.toml`` and
its name to the import below.
"""

from __future__ import annotations

from screen.protocols import foot_angle, hip_rotation, knee_to_wall, squat  # noqa: F401
from screen.protocols.base import REGISTRY as PROTOCOLS

__all__ = ["PROTOCOLS"]
