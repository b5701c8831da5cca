"""The session report: one self-contained HTML file (jinja2 template, pictures and plots embedded
as PNG data URIs, no network access: a Content-Security-Policy forbids every fetch), printable
to PDF from a browser; optionally a PDF written directly by headless Chromium.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from screen import __version__
from screen.errors import MovescreenError
from screen.outputs import annotate, plots
from screen.results.thresholds import status_label
from screen.results.verdict import LABELS, TEST_LABELS
from screen.session import Session, Trial

TEMPLATES = Path(__file__).with_name("templates")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags for a headless Chromium that fetches nothing of its own and keeps no state.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
CHROMIUM_TIMEOUT_S = 120


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                             autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = lambda x, d=1: "—" if x is None else f"{x:.{d}f}"
    env.filters["words"] = lambda s: str(s).replace("_", " ")
    return env


def data_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _measure(trial: Trial, m: Any) -> dict[str, Any]:
    pics = annotate.end_range_pictures(trial.result, m)
    plot = plots.angle_over_time(trial.result, m) if m.value is not None else None
    rule = m.threshold or {}
    frame_of = {rep: frame for rep, frame, _ in annotate.measured_frames(trial.result, m)}
    return {"name": LABELS.get(m.name, m.name.replace("_", " ")), "key": m.name, "side": m.side,
            "value": m.value, "unit": "°" if m.unit == "deg" else f" {m.unit}",
            "statistic": m.statistic, "status": m.status, "status_text": status_label(m.status, rule),
            "provisional": bool(rule.get("provisional")), "reason": m.reason,
            "source": rule.get("source"), "confidence": getattr(m, "confidence", None),
            "reps": [{"rep": r.get("rep"), "t_s": r.get("t_s"), "value": r.get("value"),
                      "frame": r.get("frame", frame_of.get(r.get("rep"))),
                      "flags": {k: v for k, v in r.items() if isinstance(v, bool)} | (r.get("flags") or {})}
                     for r in m.reps],
            "pictures": [{"uri": data_uri(p.jpeg, "image/jpeg"), "rep": p.rep, "frame": p.frame,
                          "width": p.width, "height": p.height,
                          "label": p.drawing.label if p.drawing else None}
                         for p in pics],
            "plot": None if plot is None else data_uri(plot)}


def _trial(trial: Trial) -> dict[str, Any]:
    r = trial.result
    q = r.quality
    return {"title": TEST_LABELS.get(r.test, r.test), "file": Path(r.source).name, "test": r.test,
            "view": r.view, "setup": trial.setup, "framing": q.get("framing", {}),
            "frames": q.get("frames"), "frames_with_pose": q.get("frames_with_pose"),
            "warnings": q.get("warnings", []), "detection": r.detection,
            "verdicts": trial.verdicts,
            "measures": [_measure(trial, m) for m in r.measurements]}


def render(session: Session, *, title: str = "Movement screening report") -> str:
    """The report's HTML text."""
    return _env().get_template("report.html").render(
        title=title, session=session, trials=[_trial(t) for t in session.trials],
        asymmetry=session.asymmetry, plan=session.plan, version=__version__,
        labels=LABELS, test_labels=TEST_LABELS)


def write(session: Session, path: str | Path, *, pdf: str | Path | None = None) -> Path:
    """Write the HTML report to ``path`` (and a PDF to ``pdf`` via headless Chromium)."""
    path = Path(path)
    path.write_text(render(session), encoding="utf-8")
    if pdf is not None:
        print_pdf(path, Path(pdf))
    return path


def chromium() -> str:
    """The path of a Chromium/Chrome executable, or a MovescreenError saying how to get one."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise MovescreenError("no Chromium found for the PDF; install it (Debian: apt-get install "
                          "chromium) or print the HTML report to PDF from a browser")


def run_chromium(*args: str) -> None:
    """Run headless Chromium with :data:`CHROMIUM_FLAGS`, a fresh profile and ``args``."""
    with tempfile.TemporaryDirectory(prefix="movescreen-chromium-") as profile:
        cmd = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S)
        except subprocess.TimeoutExpired as err:
            raise MovescreenError(f"Chromium did not finish within {CHROMIUM_TIMEOUT_S} s") from err
    if done.returncode != 0:
        raise MovescreenError(f"Chromium failed ({done.returncode}): {done.stderr.strip()[-300:]}")


def print_pdf(html: Path, pdf: Path) -> Path:
    run_chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf.resolve()}", html.resolve().as_uri())
    if not pdf.is_file():
        raise MovescreenError(f"Chromium wrote no PDF to {pdf}")
    return pdf
