"""A job's identity and settings: which inputs change it and which do not."""

from __future__ import annotations

import dataclasses

import pytest

from batch.builders import make_job
from screen.batch.discover import Entry, Video
from screen.batch.jobs import make_jobs, protocol_settings, settings_digest, thresholds_digest
from screen.batch.run import Report, _Progress
from screen.errors import MovescreenError
from screen.protocols import PROTOCOLS


def test_side_is_passed_only_to_protocols_with_a_side_setting(monkeypatch):
    assert "side" in {f.name for f in dataclasses.fields(PROTOCOLS["knee_to_wall"].Settings)}
    assert protocol_settings("knee_to_wall", "left") == {"side": "left"}
    assert protocol_settings("knee_to_wall", None) == {}
    assert protocol_settings("auto", "right") == {"side": "right"}  # analyze passes it on
    assert protocol_settings("no_such_test", "left") == {}  # analyze reports the unknown test

    @dataclasses.dataclass(frozen=True)
    class NoSide:
        depth: float = 1.0

    monkeypatch.setitem(PROTOCOLS, "sideless", type("P", (), {"Settings": NoSide}))
    assert protocol_settings("sideless", "left") == {}


def test_identity_changes_with_settings_not_with_names(tmp_path):
    th = thresholds_digest(None)
    base = settings_digest("knee_to_wall", {}, th)
    assert settings_digest("knee_to_wall", {}, th) == base
    assert len({base, settings_digest("knee_to_wall", {"side": "left"}, th),
                settings_digest("auto", {}, th), settings_digest("knee_to_wall", {}, "x")}) == 4
    a, b = tmp_path / "a.mp4", tmp_path / "renamed.mp4"
    a.write_bytes(b"same bytes")
    b.write_bytes(b"same bytes")
    jobs, unreadable, warnings = make_jobs([Video(a, Entry(test="knee_to_wall")),
                                            Video(b, Entry(test="knee_to_wall"))],
                                           model_sha256="m")
    assert jobs[0].key == jobs[1].key and not unreadable and not warnings  # content, not name
    assert jobs[0].frames_nominal == 0  # not a video: the estimate is 0, the analysis says why


def test_missing_thresholds_file_is_a_usage_error(tmp_path):
    with pytest.raises(MovescreenError, match="no such thresholds file"):
        thresholds_digest(tmp_path / "none.toml")


def test_job_name_is_stable_and_distinct():
    assert make_job("v").name == make_job("v").name
    assert make_job("v").name.startswith("video-") is False and make_job("v").name.startswith("v-")
    assert make_job("v").name != make_job("v", settings="other").name


def test_progress_counts_frames_in_flight_and_corrects_estimates():
    jobs = [dataclasses.replace(make_job("a"), frames_nominal=100),
            dataclasses.replace(make_job("b"), frames_nominal=50)]
    p = _Progress(jobs, enabled=False)
    p.on_event((0.0, {"name": jobs[0].name, "frames": 30}))
    p.on_event((0.0, {"name": jobs[0].name, "frames": 60}))
    p.on_event((0.0, {"name": "someone-else", "frames": 10}))  # not this batch's: ignored
    assert (p.frames, p.total) == (60, 150)
    p.finished(jobs[0], 90, ok=True)  # it had 90 frames, not the 100 declared
    p.finished(jobs[1], 0, ok=False)  # failed before any frame
    p.on_event((0.0, {"name": jobs[0].name, "frames": 80}))  # late event after completion
    assert (p.frames, p.total) == (90, 90)
    p.close()


def test_report_text_and_exit_code():
    r = Report(analysed=["/c/a.mp4"], skipped=["/c/b.mp4"], failed=[("/c/z.mp4", "bad"),
                                                                    ("/c/y.mp4", "worse")],
               frames=120, seconds=4.0)
    assert r.text().splitlines() == [
        "4 video(s): 1 analysed, 1 skipped (already analysed), 2 failed; 120 frames in 4.0 s",
        "  failed: /c/y.mp4: worse", "  failed: /c/z.mp4: bad"]
    assert r.exit_code == 1 and Report(analysed=["x"]).exit_code == 0
