"""One analysis path for every way in: a video file or a saved landmarks file → Result.

source → pose (:mod:`screen.sources.pose`) → :class:`~screen.recording.Recording` →
conditioning (:mod:`screen.conditioning.signal`) → protocol (:mod:`screen.protocols`) →
:class:`~screen.results.result.Result`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from screen.conditioning.conditioned import conditioned_points, gated_points
from screen.conditioning.signal import Conditioning
from screen.errors import MovescreenError
from screen.protocols import PROTOCOLS
from screen.recording import Recording
from screen.results.asymmetry import asymmetry
from screen.results.result import Result
from screen.results.thresholds import load as load_thresholds
from screen.scene.detect import detect, detect_landmarks
from screen.scene.framing import check_framing

LANDMARK_SUFFIXES = (".npz",)
MIN_POSE_FRACTION = 0.5


def load_or_estimate(source: str | Path, model: str,
                     on_frame: Callable[[int, int], None] | None = None) -> Recording:
    """A saved landmarks file is loaded; anything else is run through the pose model."""
    source = Path(source)
    if not source.exists():
        raise MovescreenError(f"{source}: no such file")
    if source.suffix.lower() in LANDMARK_SUFFIXES:
        return Recording.load(source)
    from screen.sources import (
        models,
        pose,  # MediaPipe is imported only when a video is analysed
    )

    model_file = models.resolve(model)
    return pose.estimate(source, model_file, on_frame=on_frame)


def analyze(source: str | Path | Recording, *, test: str = "auto", model: str = "full",
            thresholds: str | Path | None = None, conditioning: Conditioning | None = None,
            on_frame: Callable[[int, int], None] | None = None, **settings: Any) -> Result:
    """Analyse one recording for one screening test and return its :class:`Result`.

    ``source`` is a video file, a landmarks file saved by a previous analysis, or a
    :class:`Recording`. ``test`` is a protocol name or ``"auto"`` (recognised from the
    landmarks; the result's ``detection`` says what was decided and why). ``settings`` are the
    protocol's own (e.g. ``side="left"``, ``camera_tilt_deg=2.0``); the common ones
    (:data:`COMMON_SETTINGS`) are ignored by a protocol that has no such option.
    ``conditioning`` defaults to the protocol's own.
    """
    from screen import __version__

    if test != "auto" and test not in PROTOCOLS:
        raise MovescreenError(f"unknown test '{test}'; choose from auto, {', '.join(PROTOCOLS)}")
    table = load_thresholds(thresholds)
    rec = source if isinstance(source, Recording) else load_or_estimate(source, model, on_frame)

    n_pose = int(rec.has_pose.sum())
    if n_pose == 0:
        raise MovescreenError(f"{rec.meta.get('source', source)}: no person found in any of "
                              f"{rec.n_frames} frames")
    warnings = []
    if n_pose < MIN_POSE_FRACTION * rec.n_frames:
        warnings.append(f"a person was found in only {n_pose} of {rec.n_frames} frames")
    if rec.meta.get("timestamps") == "nominal":
        warnings.append("the container has no usable frame times; nominal frame rate used")
    if rec.meta.get("people_max", 1) > 1:
        warnings.append(f"up to {rec.meta['people_max']} people in view; the main subject "
                        f"({rec.meta.get('subject_rule', 'largest')}) was followed")
    framing = check_framing(rec.image)
    warnings += list(framing.guidance)

    detection = None
    if test == "auto":
        found = detect(gated_points(rec, detect_landmarks()))
        detection = dataclasses.asdict(found)
        test = found.test
    protocol = PROTOCOLS[test]
    proto_settings = _settings(protocol, test, settings)
    conditioning = conditioning or getattr(protocol, "CONDITIONING", Conditioning())
    points = conditioned_points(rec, conditioning, protocol.LANDMARKS)
    outcome = protocol.run(rec, points, proto_settings, table)
    return Result(
        tool_version=__version__,
        source=str(rec.meta.get("source", source)),
        model={"name": rec.meta.get("model"), "sha256": rec.meta.get("model_sha256")},
        test=test,
        view=outcome.view,
        measurements=outcome.measurements,
        quality={"frames": rec.n_frames, "frames_with_pose": n_pose,
                 "framing": {"body_seen": framing.body_seen, "feet_seen": framing.feet_seen},
                 "warnings": warnings + outcome.warnings},
        settings={"protocol": dataclasses.asdict(proto_settings),
                  "conditioning": dataclasses.asdict(conditioning),
                  "thresholds": {"file": table["file"], "version": table.get("version")},
                  "video": {k: rec.meta.get(k) for k in
                            ("width", "height", "rotation_deg", "fps_nominal", "timestamps",
                             "source_kind", "landmarks_sha256", "recorded_from")}},
        frames=outcome.frames,
        recording=rec,
        asymmetry=asymmetry(outcome.measurements),
        detection=detection,
    )


COMMON_SETTINGS = frozenset({"side", "camera_tilt_deg"})


def _settings(protocol: Any, test: str, settings: dict[str, Any]) -> Any:
    """The protocol's Settings from ``settings``: None values and common settings the protocol
    does not have are dropped; any other unknown setting is an error."""
    known = {f.name for f in dataclasses.fields(protocol.Settings)}
    given = {k: v for k, v in settings.items()
             if v is not None and (k in known or k not in COMMON_SETTINGS)}
    try:
        return protocol.Settings(**given)
    except TypeError as err:
        raise MovescreenError(f"bad settings for {test}: {err}") from err
