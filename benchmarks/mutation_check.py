"""Mutation check: do the fast tests catch deliberate faults in screen/?

Each fault in :data:`FAULTS` is one exact text replacement in one file of the package — a swapped
sign, a leg rule that always takes the left leg, a heel-lift baseline from one frame, a 5° offset
on tibial inclination, the mean instead of the end range, … For each, the package is copied to a
temporary directory (the working tree is never edited), the fault applied to the copy, and the
relevant fast tests (no ``video`` marker) run with the copy first on the import path
(``python -P``: the current directory is not put before it). A fault is *caught* when pytest
fails. The script prints one line per fault and ends with one summary line; its exit status is
1 when any fault survived.

    python benchmarks/mutation_check.py            # every fault
    python benchmarks/mutation_check.py leg heel   # faults whose name contains a word
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "screen"


@dataclass(frozen=True)
class Fault:
    name: str
    path: str  # inside screen/
    old: str  # must occur exactly once
    new: str
    tests: tuple[str, ...]  # test files (or nodes) that should catch it


KTW = "tests/protocols/test_knee_to_wall.py"
SQUAT = "tests/protocols/test_squat.py"
HIP = "tests/protocols/test_hip_rotation.py"
FAULTS = (
    Fault("tibial inclination sign swapped", "kinematics/sagittal.py",
          '"tibial_inclination": inclination(s, up, fwd),',
          '"tibial_inclination": inclination(s, up, -fwd),',
          ("tests/kinematics/test_sagittal.py", KTW)),
    Fault("5° offset on tibial inclination", "kinematics/sagittal.py",
          '"tibial_inclination": inclination(s, up, fwd),',
          '"tibial_inclination": inclination(s, up, fwd) + 5.0,',
          (KTW,)),
    Fault("dorsiflexion as ∠(s, f) − 90° (sign swapped)", "kinematics/sagittal.py",
          '"ankle_dorsiflexion": 90.0 - angle_between(s, f),',
          '"ankle_dorsiflexion": angle_between(s, f) - 90.0,',
          ("tests/kinematics/test_sagittal.py", KTW)),
    Fault("knee-to-wall leg rule always takes the left leg", "protocols/knee_to_wall.py",
          '        left = x["front_left"]\n    else:',
          '        left = np.ones(n, dtype=bool)\n    else:',
          (KTW,)),
    Fault("test leg = the knee furthest past its toes (the old documented rule)",
          "protocols/knee_to_wall.py",
          'ahead = {s: components(legs[s][:, 2], up, fwd)[0] for s in SIDES}',
          'ahead = {s: per[s]["knee_over_toe"] for s in SIDES}',
          (KTW,)),
    Fault("heel-lift baseline from one frame", "kinematics/sagittal.py",
          "return (height - float(np.median(height[base]))) / foot",
          "return (height - float(height[np.flatnonzero(base)[0]])) / foot",
          (SQUAT,)),
    Fault("knee-to-wall heel-down check disabled", "protocols/knee_to_wall.py",
          "down = (rise < settings.heel_rise_max) & np.isfinite(incl)",
          "down = np.isfinite(incl)",
          (KTW,)),
    Fault("mean of reps instead of the best rep / end range", "protocols/base.py",
          '    if statistic in ("best rep", "end range", "worst rep"):\n'
          '        return float(np.max(vals))',
          '    if statistic in ("best rep", "end range", "worst rep"):\n'
          '        return float(np.mean(vals))',
          (KTW, HIP)),
    Fault("knee valgus sign swapped", "kinematics/frontal.py",
          "return size * knee_side * medial_side",
          "return -size * knee_side * medial_side",
          ("tests/kinematics/test_frontal.py",)),
    Fault("given camera tilt ignored", "analysis.py",
          "true_up, estimates = _vertical(camera_tilt_deg, fixed)",
          "true_up, estimates = _vertical(None, fixed)",
          (KTW, SQUAT)),
    Fault("leg re-pairing disabled", "conditioning/legs.py",
          "    return ~flip if flip[both].sum() > both.sum() / 2 else flip",
          "    return np.zeros(len(xy), dtype=bool)",
          (KTW,)),
    Fault("half repetitions counted", "protocols/squat.py",
          '"only half a repetition is in the clip (it starts or ends at the bottom)"\n'
          "            if c.partial else None)",
          '"only half a repetition is in the clip (it starts or ends at the bottom)"\n'
          "            if False else None)",
          (SQUAT,)),
    Fault("turn limits ignored", "protocols/base.py",
          "and np.isfinite(s.turn_deg) and turn_off(s.view, s.turn_deg) <= m.max_turn_deg):",
          "and np.isfinite(s.turn_deg)):",
          (SQUAT,)),
    Fault("injury-risk cut-off rated as a restriction (the enshrined contradiction)",
          "results/thresholds.toml",
          "injury_risk_below = 36.5",
          "injury_risk_below = 36.5\nrestricted_below = 36.5",
          (KTW,)),
    Fault("restricted limit inclusive (value ≤ limit)", "results/thresholds.py",
          'if "restricted_below" in rule and value < rule["restricted_below"]:',
          'if "restricted_below" in rule and value <= rule["restricted_below"]:',
          ("tests/results/test_thresholds.py",)),
    Fault("low-pass left out of the conditioning chain", "conditioning/signal.py",
          "    return lowpass(y, t, cutoff_hz=settings.cutoff_hz, order=settings.order)",
          "    return y",
          ("tests/conditioning/test_signal.py",)),
    Fault("hip rotation: external rotation read with the internal sign", "protocols/hip_rotation.py",
          'REPORTED = {"internal_rotation": 1.0, "external_rotation": -1.0}',
          'REPORTED = {"internal_rotation": 1.0, "external_rotation": 1.0}',
          (HIP,)),
)


def mutate(fault: Fault, into: Path) -> None:
    """Copy the package to ``into``/screen and apply ``fault`` to the copy."""
    dest = into / "screen"
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    target = dest / fault.path
    text = target.read_text(encoding="utf-8")
    count = text.count(fault.old)
    if count != 1:
        raise SystemExit(f"fault '{fault.name}': the text to replace occurs {count} times in "
                         f"screen/{fault.path} (the package changed; update the fault)")
    target.write_text(text.replace(fault.old, fault.new), encoding="utf-8")


def run_tests(fault: Fault, pythonpath: Path) -> tuple[bool, str]:
    """(caught, last line of pytest's output) with the mutated copy first on the path."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath), PYTHONDONTWRITEBYTECODE="1")
    check = subprocess.run([sys.executable, "-P", "-c", "import screen; print(screen.__file__)"],
                           cwd=ROOT, env=env, capture_output=True, text=True)
    if not check.stdout.startswith(str(pythonpath)):
        raise SystemExit(f"the mutated copy is not the package imported: {check.stdout}{check.stderr}")
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-x", "-q", "-m", "not video",
                           "-p", "no:cacheprovider", *fault.tests],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    return proc.returncode != 0, lines[-1] if lines else proc.stderr.strip()[-200:]


def main(argv: list[str]) -> int:
    faults = [f for f in FAULTS if not argv or any(w.lower() in f.name.lower() for w in argv)]
    caught = 0
    for fault in faults:
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            mutate(fault, Path(tmp))
            hit, last = run_tests(fault, Path(tmp))
        caught += hit
        print(f"{'CAUGHT ' if hit else 'MISSED '} {fault.name}  [{last}]", flush=True)
    print(f"mutation check: {caught} of {len(faults)} faults caught"
          + ("" if caught == len(faults) else f"; {len(faults) - caught} survived"))
    return 0 if caught == len(faults) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
