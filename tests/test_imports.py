"""A cheap import: the command line, the protocols and the analysis must not pull the heavy
libraries (≈ 1.5 s between them) before they are used — `movescreen live` opens its window
sooner, and a pose worker process starts sooner. A module-set test, not a timed one."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("scipy.signal", "scipy.stats", "scipy.interpolate", "scipy.ndimage", "pandas",
         "matplotlib", "mediapipe")


@pytest.mark.parametrize("code", [
    "import screen.cli",
    "import screen.cli; screen.cli._parser()",  # every subcommand's module (live, batch, session)
    "import screen.protocols",
    "import screen.analysis",
])
def test_heavy_libraries_are_imported_on_first_use(code: str) -> None:
    probe = (f"{code}; import sys, json; print(json.dumps(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('scipy', 'pandas', 'matplotlib', 'mediapipe'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == [], f"`{code}` imports {heavy}"
