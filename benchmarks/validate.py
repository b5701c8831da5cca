"""The validation scorecard (`make validate`): run ``analyze(test="auto")`` on every real clip and
score it against the by-eye expectations in ``validation_expectations.toml``. Prints a table and
one summary line per clip set; asserts nothing (not a test).

    python benchmarks/validate.py [--shared ../shared] [--model full] [--cache DIR]
                                  [--markdown docs/validation.md]

Per clip: test handling (the chosen test, a refusal, or every measure insufficient_data);
repetition / step count; annotated bottoms or foot strikes matched within ±N frames; annotated view
changes matched by a segment boundary within ±M frames; shin angle (tibial inclination) at depth
inside the annotated range; heel-lift, toe-out and knees-cave-in verdicts; and "confidently
wrong" = published values (status not insufficient_data, value not None) that the expectations
contradict or forbid. Tolerances and the meaning of annotation words live in the expectations
file's [scoring] and [verdicts] tables.

The result is read through ``Result.to_dict()``. The newer contract's keys ("repetitions",
"segments", measurement "confidence", per-rep "frame"/"segment"/"flags") are used when present;
otherwise the count is the number of reps of a rep-based measurement (steps summed over sides)
and event frames come from the reps' times.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from screen import Recording, analyze
from screen.analysis import load_or_estimate
from screen.errors import MovescreenError

EXPECTATIONS = Path(__file__).with_name("validation_expectations.toml")
SETS = ("validation", "samples")
NOT_PUBLISHED = "insufficient_data"
SHIN = "tibial_inclination"
HEEL = "heel_lift"
TOE = ("foot_angle", "foot_progression_angle")
KNEE = "knee_valgus"
LIFTED_STATUSES = ("outside_normal", "restricted", "severe")


# ---------------------------------------------------------------------------------------------
# what the tool did


@dataclass
class Observed:
    """What one run published, reduced to the facts the scorecard compares.

    ``category``: the test name, "refuse" or "insufficient". ``count``: reps or steps counted,
    None when the run gives no count. ``events``: frame indices (0-based) of counted bottoms or
    foot strikes. ``boundaries``: frames where a new view/activity segment starts, None when the
    result has no segments. ``published``: the measurement dicts with a value.
    """

    category: str
    reason: str = ""
    count: int | None = None
    events: list[int] = field(default_factory=list)
    boundaries: list[int] | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)


def run(clip: Path, test: str, model: str, cache: Path | None) -> Observed:
    """Analyse ``clip`` in-process; a MovescreenError is a refusal."""
    try:
        source: Path | Recording = clip
        if cache is not None:
            source = cached_recording(clip, model, cache)
        result = analyze(source, test=test, model=model)
    except MovescreenError as err:
        return Observed("refuse", reason=str(err))
    return observe(result.to_dict(), np.asarray(result.recording.t, dtype=float))


def cached_recording(clip: Path, model: str, cache: Path) -> Recording:
    """Landmarks from ``cache/<model name>/<stem>.npz``, estimated and saved there when missing."""
    path = cache / Path(model).stem.removeprefix("pose_landmarker_") / f"{clip.stem}.npz"
    if path.is_file():
        return Recording.load(path)
    rec = load_or_estimate(clip, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    rec.save(path)
    return rec


def observe(d: dict[str, Any], t: np.ndarray) -> Observed:
    """Reduce a ``Result.to_dict()`` (new or current contract) to an :class:`Observed`.

    ``t``: (T,) frame times in seconds, to turn the current contract's rep times into frames.
    """
    published = [m for m in d["measurements"]
                 if m.get("status") != NOT_PUBLISHED and m.get("value") is not None]
    obs = Observed(d["test"] if published else "insufficient", published=published)
    obs.segments = list(d.get("segments") or [])
    if "segments" in d:
        obs.boundaries = segment_boundaries(obs.segments)
    reps = d.get("repetitions")
    if reps is not None:
        counted = reps.get("counted") or []
        obs.count = len(counted) if counted or published else None
        obs.events = [int(c["bottom_frame"]) for c in counted if c.get("bottom_frame") is not None]
    else:
        obs.count, obs.events = count_from_reps(published, t)
    return obs


def segment_boundaries(segments: list[dict[str, Any]]) -> list[int]:
    """Start frames of segments whose view or activity differs from the previous segment's."""
    return [int(b["start_frame"]) for a, b in zip(segments, segments[1:], strict=False)
            if (a.get("view"), a.get("activity")) != (b.get("view"), b.get("activity"))]


def count_from_reps(published: list[dict[str, Any]], t: np.ndarray) -> tuple[int | None, list[int]]:
    """Today's contract: the count is the most common number of reps over rep-based measures, or
    for steps ("step" in the statistic) the most steps of one measure summed over both sides."""
    with_reps = [m for m in published if m.get("reps")]
    if not with_reps:
        return None, []
    if any("step" in (m.get("statistic") or "") for m in with_reps):
        by_name: dict[str, list[dict[str, Any]]] = {}
        for m in with_reps:
            by_name.setdefault(m["name"], []).extend(m["reps"])
        steps = max(by_name.values(), key=len)
        return len(steps), sorted(rep_frame(r, t) for r in steps)
    count = Counter(len(m["reps"]) for m in with_reps).most_common(1)[0][0]
    first = next(m for m in with_reps if len(m["reps"]) == count)
    return count, [rep_frame(r, t) for r in first["reps"]]


def rep_frame(rep: dict[str, Any], t: np.ndarray) -> int:
    """A rep's frame: its "frame", else the frame nearest its bottom time or time (-1 if none)."""
    if rep.get("frame") is not None:
        return int(rep["frame"])
    ts = rep.get("bottom_t_s", rep.get("t_s"))
    return -1 if ts is None else int(np.argmin(np.abs(t - ts)))


# ---------------------------------------------------------------------------------------------
# scoring


@dataclass
class Row:
    """One scored run. Each check is None when it does not apply (nothing expected or nothing
    to compare), else its outcome; ``wrong`` lists the confidently wrong values with reasons."""

    clip: str
    forced: str  # the forced test, "" for --test auto
    got: str
    handling_ok: bool
    count: str = "—"
    count_ok: bool | None = None
    events: tuple[int, int] | None = None
    changes: tuple[int, int] | None = None
    shin: str = "—"
    shin_ok: bool | None = None
    verdicts: dict[str, bool | None] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)


def in_range(value: float, bounds: Any) -> bool:
    """``bounds`` is an exact number or a [lo, hi] pair (inclusive)."""
    lo, hi = (bounds, bounds) if isinstance(bounds, (int, float)) else bounds
    return lo <= value <= hi


def matched(expected: Iterable[Any], got: list[int], tol: int) -> int:
    """How many expected frames (or [lo, hi] windows) have their own tool frame within ``tol``."""
    free = sorted(got)
    n = 0
    for e in expected:
        lo, hi = (e, e) if isinstance(e, int) else e
        hit = next((g for g in free if lo - tol <= g <= hi + tol), None)
        if hit is not None:
            free.remove(hit)
            n += 1
    return n


def family_members(names: Iterable[str], families: dict[str, list[str]]) -> set[str]:
    """Expand "@family" entries to their measure names."""
    out: set[str] = set()
    for n in names:
        out.update(families[n[1:]] if n.startswith("@") else [n])
    return out


def score(clip: str, exp: dict[str, Any], obs: Observed, cfg: dict[str, Any], forced: str = "") -> Row:
    """Compare one run with its expectations (see the expectations file's header)."""
    accepted = [exp["handling"], *exp.get("accept", [])]
    row = Row(clip, forced, obs.category, obs.category in accepted)
    if "count" in exp:
        row.count = f"{'—' if obs.count is None else obs.count}/{fmt_bounds(exp['count'])}"
        row.count_ok = None if obs.count is None else in_range(obs.count, exp["count"])
    tol = cfg["scoring"]
    if exp.get("events"):
        row.events = (matched(exp["events"], obs.events, tol["event_tolerance_frames"]),
                      len(exp["events"]))
    if exp.get("changes"):
        row.changes = (matched(exp["changes"], obs.boundaries or [], tol["change_tolerance_frames"]),
                       len(exp["changes"]))
    score_shin(row, exp, obs)
    row.verdicts = {"heel": heel_verdict(exp, obs), "toe": toe_verdict(exp, obs, cfg),
                    "knee": knee_verdict(exp, obs, cfg)}
    row.wrong = confidently_wrong(exp, obs, cfg, row.handling_ok)
    return row


def fmt_bounds(b: Any) -> str:
    return f"{b[0]:g}-{b[1]:g}" if isinstance(b, list) else f"{b:g}"


def score_shin(row: Row, exp: dict[str, Any], obs: Observed) -> None:
    """Every published tibial inclination inside ``shin``; with ``shin_reps``, rep i inside its
    own range. Expected but not published is a miss."""
    if "shin" not in exp:
        return
    shins = [m for m in obs.published if m["name"] == SHIN]
    if not shins:
        row.shin, row.shin_ok = f"—/{fmt_bounds(exp['shin'])}", False
        return
    ok = all(in_range(m["value"], exp["shin"]) for m in shins)
    text = ",".join(f"{m['value']:.0f}" for m in shins)
    if "shin_reps" in exp:
        # every published side's reps in time order (an alternating lunge tests both legs)
        reps = sorted((r for m in shins for r in m.get("reps") or [] if r.get("value") is not None),
                      key=lambda r: r.get("t_s") or 0.0)
        values = [r.get("value") for r in reps]
        ok = ok and len(values) == len(exp["shin_reps"]) and all(
            v is not None and in_range(v, b) for v, b in zip(values, exp["shin_reps"], strict=True))
        text += " (" + ",".join("—" if v is None else f"{v:.0f}" for v in values) + ")"
    row.shin, row.shin_ok = f"{text}/{fmt_bounds(exp['shin'])}", ok


def heel_lifted(m: dict[str, Any]) -> bool:
    """A published heel measure says "lifted": a non-normal status or any rep flagged lifted."""
    flags = [{**r, **(r.get("flags") or {})} for r in m.get("reps") or []]
    return (m.get("status") in LIFTED_STATUSES or any(f.get("heel_lifted") is True for f in flags)
            or any(f.get("heel_down_at_peak") is False for f in flags))


def heel_verdict(exp: dict[str, Any], obs: Observed) -> bool | None:
    heels = [m for m in obs.published if m["name"] == HEEL]
    if "heel_lift" not in exp or not heels:
        return None
    return all(heel_lifted(m) == exp["heel_lift"] for m in heels)


def toe_verdict(exp: dict[str, Any], obs: Observed, cfg: dict[str, Any]) -> bool | None:
    toes = [m for m in obs.published if m["name"] in TOE]
    if "toe_out" not in exp or not toes:
        return None
    return all(in_range(m["value"], cfg["verdicts"]["toe_out"][exp["toe_out"]]) for m in toes)


def knee_verdict(exp: dict[str, Any], obs: Observed, cfg: dict[str, Any]) -> bool | None:
    knees = [m for m in obs.published if m["name"] == KNEE]
    if "knees_cave_in" not in exp or not knees:
        return None
    limit = cfg["verdicts"]["valgus_deg"]
    return all((m["value"] > limit) == exp["knees_cave_in"] for m in knees)


def confidently_wrong(exp: dict[str, Any], obs: Observed, cfg: dict[str, Any],
                      handling_ok: bool) -> list[str]:
    """Published values the expectations forbid or contradict, one reason each."""
    families = cfg["families"]
    forbid = family_members(exp.get("forbid", []), families)
    unless_low = family_members(exp.get("forbid_unless_low", []), families)
    refuse = exp["handling"] in ("refuse", "insufficient") or not handling_ok
    out = []
    for m in obs.published:
        low = (m.get("confidence") or {}).get("level") == "low"
        label = f"{m['name']}/{m.get('side')}={m['value']:.1f}"
        if refuse:
            why = f"published although {exp['handling']} expected"
        elif m["name"] in forbid or (m["name"] in unless_low and not low):
            why = "forbidden here"
        else:
            why = contradiction(m, exp, cfg) or wrong_view_rep(m, obs.segments, cfg)
        if why:
            out.append(f"{label}: {why}")
    return out


def contradiction(m: dict[str, Any], exp: dict[str, Any], cfg: dict[str, Any]) -> str:
    """Why this published value contradicts the annotation ("" if it does not)."""
    name, value = m["name"], m["value"]
    if name == SHIN and "shin" in exp and not in_range(value, exp["shin"]):
        return f"shin outside {fmt_bounds(exp['shin'])}"
    if name == HEEL and "heel_lift" in exp and heel_lifted(m) != exp["heel_lift"]:
        return f"heel lift annotated {'yes' if exp['heel_lift'] else 'no'}"
    if name in TOE and "toe_out" in exp:
        bounds = cfg["verdicts"]["toe_out"][exp["toe_out"]]
        if not in_range(value, bounds):
            return f"toe-out annotated '{exp['toe_out']}' ({fmt_bounds(bounds)})"
    if name == KNEE and "knees_cave_in" in exp:
        if (value > cfg["verdicts"]["valgus_deg"]) != exp["knees_cave_in"]:
            return f"knees cave in annotated {'yes' if exp['knees_cave_in'] else 'no'}"
    return ""


def wrong_view_rep(m: dict[str, Any], segments: list[dict[str, Any]], cfg: dict[str, Any]) -> str:
    """New contract: a rep value of this measure taken inside a segment whose view cannot give it."""
    views = {s.get("index", i): s.get("view") for i, s in enumerate(segments)}
    for r in m.get("reps") or []:
        view = views.get(r.get("segment"))
        bad = family_members([f"@{f}" for f in cfg["view_forbids"].get(view, [])], cfg["families"])
        if r.get("value") is not None and m["name"] in bad:
            return f"rep {r.get('rep')} measured in a {view} segment"
    return ""


# ---------------------------------------------------------------------------------------------
# report


MARK = {True: "ok", False: "NO", None: "—"}
HEADER = ("clip", "handling", "reps", "bottoms", "segments", "shin", "heel", "toe", "knee", "wrong")


def frac(p: tuple[int, int] | None) -> str:
    return "—" if p is None else f"{p[0]}/{p[1]}"


def cells(r: Row) -> tuple[str, ...]:
    name = f"{r.clip} [{r.forced}]" if r.forced else r.clip
    return (name, f"{r.got} {MARK[r.handling_ok]}", f"{r.count} {MARK[r.count_ok]}",
            frac(r.events), frac(r.changes), f"{r.shin} {MARK[r.shin_ok]}",
            *(MARK[r.verdicts.get(k)] for k in ("heel", "toe", "knee")), str(len(r.wrong)))


def fixed_width(rows: list[Row]) -> str:
    table = [HEADER, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    lines = ("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table)
    return "\n".join(line.rstrip() for line in lines)


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in cells(r)) + " |" for r in rows]
    return "\n".join(lines)


def summary(name: str, rows: list[Row], model: str, day: str) -> str:
    """The one-line summary of a clip set."""
    auto = [r for r in rows if not r.forced]
    counted = [r.count_ok for r in rows if r.count_ok is not None]
    ev = [r.events for r in rows if r.events]
    ch = [r.changes for r in rows if r.changes]
    shin = [r.shin_ok for r in rows if r.shin_ok is not None]
    verdicts = [v for r in rows for v in r.verdicts.values() if v is not None]
    return (f"{name}: handling {sum(r.handling_ok for r in auto)}/{len(auto)}, "
            f"reps exact {sum(counted)}/{len(counted)}, "
            f"bottoms ±10f {sum(e[0] for e in ev)}/{sum(e[1] for e in ev)}, "
            f"shin in range {sum(shin)}/{len(shin)}, "
            f"segments {sum(c[0] == c[1] for c in ch)}/{len(ch)}, "
            f"verdicts {sum(verdicts)}/{len(verdicts)}, "
            f"confidently wrong {sum(len(r.wrong) for r in rows)} (model {model}, {day})")


def details(rows: list[Row]) -> list[str]:
    return [f"- {r.clip}{f' [{r.forced}]' if r.forced else ''}: {w}" for r in rows for w in r.wrong]


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def write_markdown(path: Path, blocks: list[tuple[str, list[Row], str]], model: str,
                   day: str, cache: Path | None) -> None:
    out = ["# Validation scorecard", "",
           "Regenerated by `make validate` (`benchmarks/validate.py`); do not edit by hand.",
           f"Model: {model}; date: {day}; machine: {machine()}"
           + (f"; landmarks from cache {cache}" if cache else "") + ".", "",
           "Expectations: `benchmarks/validation_expectations.toml`, transcribed from "
           "`../shared/validation/ANNOTATIONS.tsv` and `../shared/samples/MANIFEST.tsv`. "
           "Cells: got/expected and ok / NO / — (not applicable); bottoms and segments are "
           "matched/annotated; wrong = confidently wrong values (listed below each table).", ""]
    for name, rows, line in blocks:
        out += [f"## {name}", "", markdown(rows), "", f"`{line}`", ""]
        out += details(rows) + ([""] if details(rows) else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out))


# ---------------------------------------------------------------------------------------------
# main


def model_spec(name: str, shared: Path) -> str:
    """The model name if installed in the package's models folder, else the shared copy's path."""
    from screen.sources import models

    try:
        models.resolve(name)
        return name
    except MovescreenError:
        path = shared / "models" / f"pose_landmarker_{name}.task"
        return str(path) if path.is_file() else name


def score_set(set_name: str, clips: dict[str, dict[str, Any]], cfg: dict[str, Any],
              args: argparse.Namespace, model: str) -> list[Row]:
    rows = []
    for clip, exp in clips.items():
        if exp["set"] != set_name:
            continue
        path = args.shared / set_name / f"{clip}.mp4"
        rows.append(score(clip, exp, run(path, "auto", model, args.cache), cfg))
        for test, forced in exp.get("forced", {}).items():
            rows.append(score(clip, forced, run(path, test, model, args.cache), cfg, forced=test))
    return rows


def fail(message: str) -> None:
    print(f"validate: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--model", default="full", help="pose model name (lite, full, heavy)")
    ap.add_argument("--cache", type=Path, help="load/save landmarks as DIR/<model>/<stem>.npz")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this file")
    ap.add_argument("--expectations", type=Path, default=EXPECTATIONS)
    args = ap.parse_args(argv)
    for s in SETS:
        if not (args.shared / s).is_dir():
            fail(f"{args.shared / s}: no such folder (give --shared PATH)")
    try:
        cfg = tomllib.loads(args.expectations.read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        fail(f"{args.expectations}: {err}")
    model = model_spec(args.model, args.shared)
    day = datetime.date.today().isoformat()
    blocks = []
    for set_name in SETS:
        rows = score_set(set_name, cfg["clips"], cfg, args, model)
        line = summary(set_name, rows, args.model, day)
        print(f"\n{set_name}\n{fixed_width(rows)}")
        print("\n".join(details(rows)))
        blocks.append((set_name, rows, line))
    print()
    for _, _, line in blocks:
        print(line)
    if args.markdown:
        write_markdown(args.markdown, blocks, args.model, day, args.cache)


if __name__ == "__main__":
    main()
