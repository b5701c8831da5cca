"""One analysis path for every way in: a video file or a saved landmarks file → Result.

source → pose (:mod:`screen.sources.pose`) → :class:`~screen.recording.Recording` →
test recognition (:mod:`screen.scene.detect`, with ``test="auto"``) → :class:`~screen.trial.Trial`
(legs re-paired, scene segments, vertical, conditioning: :func:`screen.trial.prepare`) →
the protocol's findings (:mod:`screen.protocols`) → measurements, confidence and thresholds
(:mod:`screen.protocols.base`) → :class:`~screen.results.result.Result`.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from screen.conditioning.conditioned import cleaned_points, gated_points
from screen.conditioning.legs import repair
from screen.conditioning.signal import Conditioning, before_lowpass
from screen.errors import MovescreenError
from screen.protocols import PROTOCOLS, base
from screen.recording import Recording
from screen.results import confidence
from screen.results.asymmetry import asymmetry
from screen.results.result import Result
from screen.results.thresholds import load as load_thresholds
from screen.scene import segments as scene_segments
from screen.scene import vertical
from screen.scene.detect import detect
from screen.scene.framing import check_framing
from screen.scene.segments import SceneSettings
from screen.scene.vertical import Vertical
from screen.speed import THREADS
from screen.trial import Trial, prepare

if TYPE_CHECKING:
    import pandas as pd

LANDMARK_SUFFIXES = (".npz",)
MIN_POSE_FRACTION = 0.5
MAX_CAMERA_TILT_DEG = 45.0


def load_or_estimate(source: str | Path, model: str,
                     on_frame: Callable[[int, int], None] | None = None,
                     workers: int | None = None) -> Recording:
    """A saved landmarks file is loaded; anything else is run through the pose model (on
    ``workers`` processes, default every core); on frames it decodes, the people in full view
    are counted (:mod:`screen.sources.people`) and the scene's straight edges found for the
    vertical (:func:`screen.scene.vertical.tap`)."""
    source = Path(source)
    if not source.exists():
        raise MovescreenError(f"{source}: no such file")
    if source.suffix.lower() in LANDMARK_SUFFIXES:
        return Recording.load(source)
    from screen.sources import (  # MediaPipe is imported only when a video is analysed
        models,
        people,
        pose,
    )

    model_file = models.resolve(model)
    counted, lines = people.tap(model_file.path), vertical.tap()

    def meanwhile() -> None:
        # the analysis's own imports (first use costs ≈ 1.3 s in a fresh process), while the
        # workers still track rather than after them
        for name in ("scipy.signal", "scipy.interpolate", "scipy.ndimage", "pandas"):
            importlib.import_module(name)

    rec = pose.estimate(source, model_file, on_frame=on_frame, workers=workers, meanwhile=meanwhile,
                        taps=(counted, lines))
    vertical.remember(source, lines.results)
    return Recording(rec.t, rec.image, rec.world, rec.meta | {"people": people.from_tap(counted.results)})


def analyze(source: str | Path | Recording, *, test: str = "auto", model: str = "full",
            thresholds: str | Path | None = None, camera_tilt_deg: float | None = None,
            scene: SceneSettings | None = None, refine: str | None = None,
            workers: int | None = None,
            on_frame: Callable[[int, int], None] | None = None, **settings: Any) -> Result:
    """Analyse one recording for one screening test and return its :class:`Result`.

    ``source`` is a video file, a landmarks file saved by a previous analysis, or a
    :class:`Recording`. ``test`` is a protocol name or ``"auto"`` (recognised from the
    landmarks; the result's ``detection`` says what was decided and why). ``camera_tilt_deg``
    gives the camera's roll (how far true vertical appears clockwise from the image's up) when
    known. ``refine`` names a second pose model (e.g. ``"heavy"``) that re-measures the frames
    the result was read from (:func:`screen.sources.pose.refine`): its values are published and
    the two models' agreement joins the confidence. ``workers``: processes for the pose model
    (default every core). ``settings`` are the protocol's own (e.g. ``side="left"``; see its
    ``Settings``); ``side`` is dropped for a protocol without one.
    """
    if test != "auto" and test not in PROTOCOLS:
        raise MovescreenError(f"unknown test '{test}'; choose from auto, {', '.join(PROTOCOLS)}")
    _check_tilt(camera_tilt_deg)
    table = load_thresholds(thresholds)
    rec = (source if isinstance(source, Recording)
           else load_or_estimate(source, model, on_frame, workers))
    first = _analyse(rec, source, test, table, camera_tilt_deg, scene, dict(settings))
    video = Path(str(rec.meta.get("recorded_from") or rec.meta.get("source", "")))
    if refine is None or not video.is_file() or video.suffix.lower() in LANDMARK_SUFFIXES:
        return first
    frames = sorted({r["frame"] for m in first.measurements for r in m.reps
                     if r.get("frame") is not None}
                    | {r["bottom_frame"] for r in first.repetitions.get("counted", [])})
    if not frames:
        return first
    from screen.sources import pose

    refined = pose.refine(rec, video, frames, model=refine, workers=workers)
    second = _analyse(refined, source, first.test, table, camera_tilt_deg, scene, dict(settings))
    return _with_agreement(dataclasses.replace(second, detection=first.detection), first)


def _with_agreement(second: Result, first: Result) -> Result:
    """``second`` (measured on the refined landmarks) with, for every published value, the
    agreement of the two models joined to its confidence (factor ``models``,
    :mod:`screen.results.confidence`); a value the models disagree on too much is withheld."""
    before = {(m.name, m.side): m for m in first.measurements}
    out = []
    for m in second.measurements:
        old = before.get((m.name, m.side))
        if m.value is None or m.confidence is None or old is None or old.value is None:
            out.append(m)
            continue
        diff = abs(m.value - old.value)
        c = confidence.combine(m.confidence["factors"] | {
            "models": float(np.clip(1 - diff / confidence.MODEL_DISAGREEMENT_ZERO, 0, 1))})
        if c.score < confidence.PUBLISH_AT_LEAST:
            out.append(dataclasses.replace(
                m, value=None, status="insufficient_data", confidence=None,
                reason=f"confidence too low to publish ({c.score:.2f}): {c.weakest}; "
                       f"{first.model.get('name')} read {old.value:.1f}, "
                       f"{second.model.get('refined_by')} {m.value:.1f}"))
            continue
        out.append(dataclasses.replace(m, confidence=c.to_dict() | {
            "model_difference": round(diff, 2)}))
    return dataclasses.replace(second, measurements=out, asymmetry=asymmetry(out))


def _analyse(rec: Recording, source: Any, test: str, table: dict[str, Any],
             camera_tilt_deg: float | None, scene: SceneSettings | None,
             settings: dict[str, Any]) -> Result:
    """One pass of the analysis over a recording (see :func:`analyze`)."""
    from screen import __version__

    n_pose = int(rec.has_pose.sum())
    if n_pose == 0:
        raise MovescreenError(f"{rec.meta.get('source', source)}: no person found in any of "
                              f"{rec.n_frames} frames")
    warnings = _recording_warnings(rec, n_pose)
    with _Stages() as stages:  # threads: screen/speed.py
        framing_later = stages.start(check_framing, rec.image)
        fixed, swapped = repair(rec)
        cleaned_later = stages.start(cleaned_points, fixed, *_to_clean(test))
        vertical_later = stages.start(_vertical, camera_tilt_deg, fixed)
        gated = gated_points(fixed)
        the_scene = scene_segments.build(fixed.image, gated, fixed.world, fixed.t, scene)
        detection = None
        if test == "auto":
            found = detect(gated, the_scene, fixed.t)
            detection = dataclasses.asdict(found)
            test = found.test
        framing = framing_later.result()
        true_up, estimates = vertical_later.result()
        cleaned = cleaned_later.result()
    warnings += list(framing.guidance)
    protocol = PROTOCOLS[test]
    if "side" not in {f.name for f in dataclasses.fields(protocol.settings)}:
        settings.pop("side", None)
    proto_settings = base.make_settings(protocol, settings)
    trial = prepare(fixed, swapped, gated, the_scene, protocol.landmarks, protocol.conditioning,
                    protocol.world_conditioning, true_up, cleaned)
    allowed, why_view = base.allowed_frames(trial, protocol)
    crowd = _subject_doubt(rec)
    if crowd:
        why_view = {m.name: crowd for m in protocol.measures}
    allowed[base.REPS] = base.rep_frames(trial, protocol)
    findings = protocol.find(trial, proto_settings, allowed)
    findings.values = base.vet(findings.values, protocol, allowed)
    measurements = base.measurements(protocol, trial, findings, why_view, table)
    used = np.logical_or.reduce([allowed[m.name] for m in protocol.measures]) if protocol.measures \
        else np.zeros(trial.n_frames, dtype=bool)
    return Result(
        tool_version=__version__,
        source=str(rec.meta.get("source", source)),
        model={"name": rec.meta.get("model"), "sha256": rec.meta.get("model_sha256")}
        | ({"refined_by": rec.meta["refined"].get("model"), "refined": rec.meta["refined"]}
           if rec.meta.get("refined") else {}),
        test=test,
        view=_view_summary(trial, used) | findings.details,
        measurements=measurements,
        quality={"frames": rec.n_frames, "frames_with_pose": n_pose,
                 "framing": {"body_seen": framing.body_seen, "feet_seen": framing.feet_seen},
                 "legs_repaired_frames": trial.legs_repaired,
                 "warnings": warnings + findings.warnings},
        settings={"protocol": dataclasses.asdict(proto_settings),
                  "conditioning": dataclasses.asdict(protocol.conditioning),
                  "scene": dataclasses.asdict(trial.scene.settings),
                  "confidence": {"publish_at_least": confidence.PUBLISH_AT_LEAST,
                                 "high": confidence.HIGH, "moderate": confidence.MODERATE},
                  "thresholds": {"file": table["file"], "version": table.get("version")},
                  "video": {k: rec.meta.get(k) for k in
                            ("width", "height", "rotation_deg", "fps_nominal", "timestamps",
                             "source_kind", "landmarks_sha256", "recorded_from")}},
        frames=_frames(trial, findings, used),
        recording=rec,
        trial=trial,
        asymmetry=asymmetry(measurements),
        detection=detection,
        segments=_segments(trial, used, measurements),
        repetitions=_repetitions(trial, findings),
        vertical=trial.vertical.to_dict() | {"estimates": estimates},
    )


class _Stages:
    """Independent stages of one analysis on a pool of :data:`screen.speed.THREADS` − 1 threads
    (the documented list is in :mod:`screen.speed`); with one thread, each runs when started."""

    def __init__(self) -> None:
        # only an analysis called from the main thread starts threads: the live view analyses
        # on its own background thread while the camera and the model run (the cores are busy)
        main = threading.current_thread() is threading.main_thread()
        self._pool = ThreadPoolExecutor(THREADS - 1) if THREADS > 1 and main else None

    def __enter__(self) -> _Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def start(self, fn: Callable[..., Any], *args: Any) -> Future:
        """``fn(*args)`` as a future (already done with one thread)."""
        if self._pool is not None:
            return self._pool.submit(fn, *args)
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except Exception as err:  # noqa: BLE001 — raised where the result is read, as with a pool
            done.set_exception(err)
        return done


def _to_clean(test: str) -> tuple[Conditioning, tuple[int, ...]]:
    """The chain and the landmarks whose steps before the low-pass are run while the scene is
    built: the test's own, or, when the test is recognised from the scene, the landmarks of
    every protocol whose steps are those of the first protocol's (the protocol chosen picks its
    own from them, :meth:`~screen.conditioning.conditioned.Cleaned.serves`; one with other
    steps is conditioned after)."""
    if test != "auto":
        return PROTOCOLS[test].conditioning, tuple(PROTOCOLS[test].landmarks)
    first = next(iter(PROTOCOLS.values())).conditioning
    same = [p for p in PROTOCOLS.values()
            if before_lowpass(p.conditioning) == before_lowpass(first)]
    return first, tuple(sorted({int(i) for p in same for i in p.landmarks}))


def _check_tilt(camera_tilt_deg: float | None) -> None:
    if camera_tilt_deg is None:
        return
    if not math.isfinite(camera_tilt_deg) or abs(camera_tilt_deg) > MAX_CAMERA_TILT_DEG:
        raise MovescreenError(f"camera tilt {camera_tilt_deg!r}: must be a number of degrees "
                              f"from −{MAX_CAMERA_TILT_DEG:g} to {MAX_CAMERA_TILT_DEG:g}")


def _vertical(camera_tilt_deg: float | None, rec: Recording
              ) -> tuple[Vertical, dict[str, dict[str, Any]]]:
    """True vertical: the tilt given, else the scene's straight edges in frames of the source
    video, else the body, else level — :func:`screen.scene.vertical.resolve` says which and
    why. Also every estimate made, reliable or not (``{source: Vertical.to_dict()}``): a
    change of camera between sessions shows in them even when none was reliable enough to
    measure with."""
    if camera_tilt_deg is not None:
        return vertical.resolve(float(camera_tilt_deg), None), {}
    # a landmarks file names the video it was recorded from: its background is the same scene
    source = Path(str(rec.meta.get("recorded_from") or rec.meta.get("source", "")))
    scene = None
    if source.suffix.lower() not in LANDMARK_SUFFIXES and source.is_file():
        try:
            scene = vertical.from_video(source, landmarks=rec)
        except MovescreenError:
            scene = None
    body = vertical.from_body(rec)
    made = {e.source: e.to_dict() for e in (scene, body) if e is not None and e.source in ("scene", "body")}
    return vertical.resolve(None, scene, body), made


def _recording_warnings(rec: Recording, n_pose: int) -> list[str]:
    warnings = []
    if n_pose < MIN_POSE_FRACTION * rec.n_frames:
        warnings.append(f"a person was found in only {n_pose} of {rec.n_frames} frames")
    if rec.meta.get("timestamps") == "nominal":
        warnings.append("the container has no usable frame times; nominal frame rate used")
    people = rec.meta.get("people") or {}
    if rec.meta.get("people_max", 1) > 1 or people.get("several_fraction", 0.0) >= SEVERAL_PEOPLE_AT_LEAST:
        most = max(rec.meta.get("people_max", 1), people.get("people_in_full_view", 1))
        warnings.append(f"up to {most} people in view; the main subject (the person in view "
                        "longest and largest) was measured: check the pictures")
    return warnings


SEVERAL_PEOPLE_AT_LEAST = 0.2  # fraction of sampled frames with more than one person in full view
SIMILAR_PEOPLE_AT_LEAST = 0.5  # ... with a second person of similar size (the subject is ambiguous)


def _subject_doubt(rec: Recording) -> str | None:
    """Why the main subject cannot be singled out (None when it can), from the people count
    of :mod:`screen.sources.people` recorded in ``meta["people"]``."""
    people = rec.meta.get("people") or {}
    if people.get("similar_fraction", 0.0) >= SIMILAR_PEOPLE_AT_LEAST:
        return (f"two or more people of similar size are in full view in "
                f"{100 * people['similar_fraction']:.0f}% of the sampled frames: the subject "
                "cannot be singled out; film one person at a time")
    return None


def _view_summary(trial: Trial, used: np.ndarray) -> dict[str, Any]:
    """The view of the frames measured (or of the longest segment when none was)."""
    segs = [s for s in trial.scene.segments if used[s.start:s.end].any()] or \
        sorted(trial.scene.segments, key=lambda s: s.start - s.end)[:1]
    if not segs:
        return {"view": "unknown", "turn_deg": None, "reason": "no person"}
    main = max(segs, key=lambda s: s.end - s.start)
    views = sorted({s.view for s in segs})
    return {"view": main.view if len(views) == 1 else "mixed",
            "turn_deg": None if not np.isfinite(main.turn_deg) else float(main.turn_deg),
            "reason": "body turn from the world landmarks' shoulder line (0° facing the camera, "
                      "90° side-on), per segment"}


def _segments(trial: Trial, used: np.ndarray, measurements: list) -> list[dict[str, Any]]:
    """The scene's segments, each with ``measured`` (some measure may read it) and ``measures``
    (``name/side`` of every published value with a repetition in it)."""
    out = []
    for s in trial.scene.to_list(trial.t):
        names = sorted({f"{m.name}/{m.side}" for m in measurements if m.value is not None
                        for r in m.reps if r.get("segment") == s["index"]
                        and r.get("value") is not None})
        out.append(s | {"measured": bool(used[s["start_frame"]:s["end_frame"]].any()),
                        "measures": names})
    return out


def _repetitions(trial: Trial, findings: base.Findings) -> dict[str, Any]:
    t = trial.t
    return {"kind": findings.kind,
            "counted": [{"index": r.index, "start_frame": r.start, "bottom_frame": r.bottom,
                         "end_frame": r.end, "t_s": float(t[r.bottom]), "segment": r.segment,
                         "partial": r.partial} for r in findings.reps],
            "rejected": [{"bottom_frame": r.bottom, "t_s": float(t[r.bottom]), "reason": r.reason}
                         for r in findings.rejected]}


def _frames(trial: Trial, findings: base.Findings, used: np.ndarray) -> pd.DataFrame:
    import pandas as pd  # imported on first use (≈ 0.25 s), not by `import screen.analysis`

    n = trial.n_frames
    seg = np.full(n, -1)
    for s in trial.scene.segments:
        seg[s.start:s.end] = s.index
    rep = np.zeros(n, dtype=int)
    for r in findings.reps:
        rep[r.start:r.end] = r.index
    cols = {"t_s": trial.t, "frame": np.arange(n), "has_pose": trial.has_pose,
            "segment": seg, "view": trial.scene.view, "turn_deg": trial.scene.turn_deg,
            "activity": trial.scene.activity, "measured": used, "rep": rep}
    return pd.DataFrame(cols | {k: v for k, v in findings.frames.items()})
