"""Left–right asymmetry of a result's measures.

For every measure reported with a value on both sides, the difference is left − right in the
measure's unit (positive: the left side is larger). It is *notable* when its size exceeds the
rule's ``asymmetry_above`` in the thresholds file; without that key it is reported unrated.
"""

from __future__ import annotations

from typing import Any

from screen.results.result import Measurement


def asymmetry(measurements: list[Measurement]) -> list[dict[str, Any]]:
    """One entry per measure with a value on both sides: ``name``, ``unit``, ``left``,
    ``right``, ``difference`` (left − right), ``notable`` (bool, or None when unrated) and
    ``threshold`` (the ``asymmetry_above`` used, or None)."""
    by_key = {(m.name, m.side): m for m in measurements if m.value is not None}
    out = []
    for name in dict.fromkeys(m.name for m in measurements):
        left, right = by_key.get((name, "left")), by_key.get((name, "right"))
        if left is None or right is None:
            continue
        diff = left.value - right.value
        limit = (left.threshold or {}).get("asymmetry_above")
        out.append({"name": name, "unit": left.unit, "left": left.value, "right": right.value,
                    "difference": diff, "threshold": limit,
                    "notable": None if limit is None else bool(abs(diff) > limit)})
    return out
