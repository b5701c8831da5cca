"""Live trials say how much of the movement they saw: coverage below 75% of the frames is a
warning, below 30% every measure is insufficient_data with the reason; a replayed file that
ends early counts its missing frames; a record folder that cannot take files is refused before
anything is recorded, and files that cannot be saved are never lost silently.

Expected values: the synthetic knee drives of tests/synthetic.py (exact geometry: three drives
to 25°), and frame counts chosen by the test (a file cut to its first 40% of bytes)."""

from __future__ import annotations

import errno

import pytest
from synthetic import knee_drives, recording

from screen import cli
from screen.analysis import analyze
from screen.errors import MovescreenError
from screen.live.capture import FileReplay
from screen.live.session import LiveOptions, Session, with_coverage
from screen.sources.models import resolve

CLIP = "samples/knee_to_wall_side.mp4"


@pytest.fixture(scope="module")
def synthetic_result():
    _, incl = knee_drives()
    return analyze(recording(incl), test="knee_to_wall")


def test_full_coverage_changes_nothing_but_records_it(synthetic_result):
    got = with_coverage(synthetic_result, 270, 270, False, LiveOptions())
    assert got.measurements == synthetic_result.measurements
    assert got.quality["coverage"] == {"analysed": 270, "expected": 270, "fraction": 1.0}
    assert got.quality["warnings"] == synthetic_result.quality["warnings"]


def test_partial_coverage_is_a_warning(synthetic_result):
    got = with_coverage(synthetic_result, 150, 220, False, LiveOptions())
    assert got.measurements == synthetic_result.measurements
    assert got.quality["warnings"][-1] == ("only 150 of 220 frames were analysed (68%; the others "
                                           "were dropped while the model was busy)")


def test_low_coverage_is_insufficient_data(synthetic_result):
    """The issue's case: a loaded machine analysed 20 of 220 frames and printed RESTRICTED."""
    assert any(m.value is not None for m in synthetic_result.measurements)
    got = with_coverage(synthetic_result, 20, 220, False, LiveOptions())
    assert {m.status for m in got.measurements} == {"insufficient_data"}
    assert all(m.value is None and "only 20 of 220 frames" in m.reason
               for m in got.measurements)
    assert "RESTRICTED" not in got.summary() and "insufficient" in got.summary().lower()


@pytest.fixture(scope="module")
def lite(shared):
    return resolve(str(shared / "models" / "pose_landmarker_lite.task"))


@pytest.mark.video
def test_replay_of_a_truncated_file_is_not_a_full_result(shared, lite, tmp_path):
    whole = (shared / CLIP).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[:int(0.4 * len(whole))])
    source = FileReplay(cut, pace=False)
    declared = source.frames_expected
    session = Session(source, lite, LiveOptions(window=False, auto_trial=True, lossless=True),
                      log=lambda s: None)
    (result,) = session.run()
    analysed = result.quality["coverage"]["analysed"]
    assert declared == 220 and analysed < 0.3 * declared  # a truncated container header
    assert {m.status for m in result.measurements} == {"insufficient_data"}
    assert all(f"only {analysed} of 220 frames" in m.reason and "ended early" in m.reason
               for m in result.measurements)


def _fail_with(monkeypatch, code: int) -> None:
    import screen.outputs.files as files

    def refuse(*_args, **_kwargs):
        raise OSError(code, __import__("os").strerror(code))

    monkeypatch.setattr(files.tempfile, "mkdtemp", refuse)


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_unwritable_record_folder_is_refused_before_recording(tmp_path, lite, capsys, monkeypatch,
                                                               shared, code):
    """Read-only and permission-denied folders (injected: the tests may run as root, for whom
    permission bits do not apply)."""
    _fail_with(monkeypatch, code)
    rc = cli.main(["live", "--source", str(shared / CLIP), "--no-window", "--model",
                   str(lite.path), "--record", str(tmp_path / "trials")])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("movescreen: error: cannot write trials to")
    assert __import__("os").strerror(code) in err
    assert list(tmp_path.iterdir()) == []


def test_record_folder_under_a_file_is_refused(tmp_path, lite, capsys, shared):
    (tmp_path / "file").write_text("x")
    rc = cli.main(["live", "--source", str(shared / CLIP), "--no-window", "--model",
                   str(lite.path), "--record", str(tmp_path / "file" / "trials")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "is a file, not a folder" in err


@pytest.mark.video
def test_files_that_cannot_be_saved_are_reported(shared, lite, tmp_path, monkeypatch):
    """The disk fills up while the trial runs: the error names the trial and says the printed
    result is all that is left, instead of a traceback or silence."""
    source = FileReplay(shared / "samples/squat_front_single_rep.mp4", pace=False)
    session = Session(source, lite, LiveOptions(window=False, auto_trial=True, lossless=True,
                                                record_dir=tmp_path / "trials"), log=lambda s: None)
    _fail_with(monkeypatch, errno.ENOSPC)
    with pytest.raises(MovescreenError, match=r"trial 1: its files could not be saved .*No space "
                                              r"left on device.*printed above"):
        session.run()
    assert not (tmp_path / "trials" / "trial-001").exists()
