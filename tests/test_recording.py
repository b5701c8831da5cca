"""The Recording container: validation, save/load round trip, pandas view."""

import numpy as np
import pytest
import synthetic as S

from screen.errors import MovescreenError
from screen.recording import Recording


def test_save_load_round_trip(tmp_path):
    rec = S.recording(np.linspace(0, 20, 30))
    back = Recording.load(rec.save(tmp_path / "r.npz"))
    np.testing.assert_array_equal(back.image, rec.image)
    np.testing.assert_array_equal(back.world, rec.world)
    np.testing.assert_array_equal(back.t, rec.t)
    import hashlib

    digest = hashlib.sha256((tmp_path / "r.npz").read_bytes()).hexdigest()
    assert back.meta == {**rec.meta, "source": str(tmp_path / "r.npz"), "source_kind": "landmarks",
                         "landmarks_sha256": digest, "recorded_from": rec.meta["source"]}


def test_pixels_and_frame_view():
    rec = S.recording(np.linspace(0, 20, 30))
    assert rec.pixels().shape == (30, 33, 2)
    df = rec.to_frame()
    assert len(df) == 30 and "left_knee_x" in df and "left_knee_world_z" in df


def test_shape_mismatch_is_rejected():
    with pytest.raises(ValueError, match="disagree"):
        Recording(t=np.arange(3.0), image=np.zeros((2, 33, 5)), world=np.zeros((3, 33, 3)),
                  meta={"width": 1, "height": 1})


def test_non_increasing_time_is_rejected():
    with pytest.raises(ValueError, match="increasing"):
        Recording(t=np.zeros(2), image=np.zeros((2, 33, 5)), world=np.zeros((2, 33, 3)),
                  meta={"width": 1, "height": 1})


def test_foreign_npz_is_a_clear_error(tmp_path):
    np.savez(tmp_path / "x.npz", a=np.arange(3))
    with pytest.raises(MovescreenError, match="not a movescreen landmarks file \\(no 't' array\\)"):
        Recording.load(tmp_path / "x.npz")
