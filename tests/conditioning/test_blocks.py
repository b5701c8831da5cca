"""Block sizes (screen/speed.py) change the speed only: the same bits for any block size (and
any number of rolling-median windows sharing one sort)."""

import numpy as np
import pytest

from screen.conditioning import conditioned, legs, signal
from screen.recording import Recording


def _recording(n: int = 700) -> Recording:
    rng = np.random.default_rng(3)
    image = rng.uniform(-0.1, 1.1, (n, 33, 5)).astype(np.float32)
    image[rng.random(n) < 0.05] = np.nan
    world = rng.normal(0, 0.3, (n, 33, 3)).astype(np.float32)
    return Recording(np.arange(n) / 30.0, image, world, {"width": 720, "height": 1280})


@pytest.mark.parametrize(("block", "share", "network"),
                         [(1, 1, 16), (7, 3, 0), (256, 4, 16), (256, 9, 0), (256, 4, 40)])
def test_block_sizes_do_not_change_results(monkeypatch, block, share, network):
    rec = _recording()
    x = np.random.default_rng(4).normal(size=(700, 3))
    x[::11] = np.nan
    before = (conditioned.gated_points(rec), conditioned.gated_points(rec, [25, 27, 29]),
              conditioned._visibility(rec, [11, 12, 31]), legs.repair(rec)[1],
              signal.rolling_nanmedian(x, 9), signal.rolling_median(np.nan_to_num(x), 9),
              signal.lowpass(x, np.arange(700) / 30.0),
              signal.reject_outliers(np.column_stack([x, np.nan_to_num(x)]), np.arange(700) / 30.0,
                                    min_scale=0.1))
    monkeypatch.setattr(conditioned, "PASS_BLOCK", block)
    monkeypatch.setattr(signal, "PASS_BLOCK", block)
    monkeypatch.setattr(legs, "PASS_BLOCK", block)
    monkeypatch.setattr(signal, "MEDIAN_BLOCK", block)
    monkeypatch.setattr(signal, "MEDIAN_SHARE", share)
    monkeypatch.setattr(signal, "NETWORK_UP_TO", network)
    after = (conditioned.gated_points(rec), conditioned.gated_points(rec, [25, 27, 29]),
             conditioned._visibility(rec, [11, 12, 31]), legs.repair(rec)[1],
             signal.rolling_nanmedian(x, 9), signal.rolling_median(np.nan_to_num(x), 9),
             signal.lowpass(x, np.arange(700) / 30.0),
             signal.reject_outliers(np.column_stack([x, np.nan_to_num(x)]), np.arange(700) / 30.0,
                                    min_scale=0.1))
    for a, b in zip(before, after, strict=True):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("clip", ["knee_to_wall_side.mp4", "two_people_side.mp4"])
def test_threads_do_not_change_results(monkeypatch, clip_recording, clip):
    """The stages run on a second thread (screen/speed.py THREADS) give the same result, bit for
    bit, as all in the calling thread; auto-recognised and named test alike."""
    import json

    from screen import analysis

    rec = clip_recording(clip)

    def run(test):
        r = analysis.analyze(rec, test=test)
        return (json.dumps(r.to_dict(), sort_keys=True, default=str), r.trial.points,
                r.trial.raw, r.frames)

    for test in ("auto", "hip_rotation"):
        monkeypatch.setattr(analysis, "THREADS", 2)
        two = run(test)
        monkeypatch.setattr(analysis, "THREADS", 1)
        one = run(test)
        assert one[0] == two[0]
        assert np.array_equal(one[1], two[1], equal_nan=True)
        assert np.array_equal(one[2], two[2], equal_nan=True)
        assert one[3].equals(two[3])
