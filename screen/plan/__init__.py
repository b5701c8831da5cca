"""The exercise plan: restricted or severe findings → drills from ``drills.toml``.

Each finding with status restricted or severe maps to the drills the data file
lists for its test and measure; the plan lists each drill once, with the findings that call for
it, ordered by stage as the material orders treatment (mobility before stability/strength), and
carries the file's caution (professional assessment first; nerve symptoms take priority).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screen.errors import MovescreenError
from screen.results.verdict import Verdict

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DRILLS = Path(__file__).with_name("drills.toml")
ACTIONABLE = ("severe", "restricted")
DRILL_KEYS = {"name", "stage", "how", "dose", "source"}


@dataclass(frozen=True)
class PlanItem:
    """One drill with its dose, source and the findings (``"<test> <side>: <measure>"``) it
    answers."""

    key: str
    name: str
    stage: str
    how: str
    dose: str
    source: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    items: list[PlanItem]
    caution: str
    source: str


def load(path: str | Path | None = None) -> dict[str, Any]:
    """The drills file, checked: every drill has exactly :data:`DRILL_KEYS` and a known stage,
    every finding names known drills."""
    path = Path(path) if path is not None else DRILLS
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise MovescreenError(f"{path}: cannot read the drills file ({err})") from err
    for key, drill in data.get("drills", {}).items():
        if set(drill) != DRILL_KEYS or drill["stage"] not in data.get("stages", []):
            raise MovescreenError(f"{path}: drill '{key}' needs exactly {sorted(DRILL_KEYS)} and a "
                                  f"stage among {data.get('stages')}")
    for f in data.get("findings", []):
        unknown = set(f.get("drills", [])) - set(data.get("drills", {}))
        if unknown:
            raise MovescreenError(f"{path}: finding for {f.get('test')} names unknown drills "
                                  f"{sorted(unknown)}")
    return data


def plan(verdicts: Iterable[Verdict], path: str | Path | None = None) -> Plan:
    """The :class:`Plan` for a session's verdicts (empty items when nothing is actionable)."""
    data = load(path)
    chosen: dict[str, list[str]] = {}
    for v in verdicts:
        for f in v.findings:
            if f.status not in ACTIONABLE:
                continue
            for rule in data.get("findings", []):
                if rule["test"] == v.test and f.measure in rule["measures"]:
                    for key in rule["drills"]:
                        chosen.setdefault(key, []).append(f"{v.test.replace('_', ' ')} {v.side}: "
                                                          f"{f.label} {f.status.replace('_', ' ')}")
    order = {s: i for i, s in enumerate(data["stages"])}
    keys = sorted(chosen, key=lambda k: (order[data["drills"][k]["stage"]], list(data["drills"]).index(k)))
    items = [PlanItem(key=k, reasons=list(dict.fromkeys(chosen[k])), **data["drills"][k]) for k in keys]
    return Plan(items, data["caution"], data.get("source_material", ""))
