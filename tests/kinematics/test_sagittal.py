"""Leg measures against exact synthetic geometry (tests/synthetic.py: angles by construction).
Tolerances of 1e-3° come from the float32 storage of landmarks, as MediaPipe gives them."""

import numpy as np
import pytest
import synthetic as S

from screen.kinematics.geometry import up_vector
from screen.kinematics.sagittal import forward_sign, leg_measures
from screen.landmarks import LEG

RNG = np.random.default_rng(7)
INCL = RNG.uniform(-15, 45, 200)
PITCH = RNG.uniform(-5, 25, 200)


def _front_leg(tilt=0.0, noise_px=0.0):
    rec = S.recording(INCL, PITCH, tilt_deg=tilt, noise_px=noise_px)
    return rec.pixels()[:, list(LEG["left"])]


def test_noiseless_level_camera_is_exact():
    m = leg_measures(_front_leg(), up_vector(0), 1.0)
    np.testing.assert_allclose(m["tibial_inclination"], INCL, atol=1e-3)
    np.testing.assert_allclose(m["ankle_dorsiflexion"], INCL - PITCH, atol=1e-3)
    np.testing.assert_allclose(m["foot_pitch"], PITCH, atol=1e-3)


@pytest.mark.parametrize("tilt", [-5.0, 5.0])
def test_tilted_camera_with_known_tilt_is_exact(tilt):
    m = leg_measures(_front_leg(tilt), up_vector(tilt), 1.0)
    np.testing.assert_allclose(m["tibial_inclination"], INCL, atol=1e-3)
    np.testing.assert_allclose(m["ankle_dorsiflexion"], INCL - PITCH, atol=1e-3)


@pytest.mark.parametrize("tilt", [-5.0, 5.0])
def test_unknown_tilt_biases_inclination_one_for_one_but_not_dorsiflexion(tilt):
    m = leg_measures(_front_leg(tilt), up_vector(0), 1.0)
    # a vertical shown `tilt` clockwise makes a forward-leaning (toes to +x) shin read `tilt` more
    np.testing.assert_allclose(m["tibial_inclination"], INCL + tilt, atol=1e-3)
    np.testing.assert_allclose(m["ankle_dorsiflexion"], INCL - PITCH, atol=1e-3)


def test_two_pixel_noise_matches_error_propagation_per_frame():
    """Unfiltered single frames, σ = 2 px on every coordinate. Expected from error propagation
    (independent of the code): a segment of length L px between two noisy points turns by
    N(0, √2·σ/L) rad, so inclination has σ_i = √2·σ/L_shank and dorsiflexion (shank and foot
    independent) σ_d = √(2σ²/L_shank² + 2σ²/L_foot²). Checked per frame, not on the mean: the
    RMS error within ±25% of σ (200 frames: the RMS estimate's own spread is ≈ 5%), no frame
    beyond 4.5 σ (probability < 1e-3 over 200 frames), and no bias beyond 4 σ/√200."""
    clean, noisy = _front_leg(5.0), _front_leg(5.0, noise_px=2.0)
    shank = np.median(np.linalg.norm(clean[:, 1] - clean[:, 2], axis=-1))
    foot = np.median(np.linalg.norm(clean[:, 4] - clean[:, 3], axis=-1))
    sd = {"tibial_inclination": np.degrees(np.sqrt(2) * 2.0 / shank),
          "ankle_dorsiflexion": np.degrees(np.sqrt(2 * 4.0 / shank ** 2 + 2 * 4.0 / foot ** 2))}
    m = leg_measures(noisy, up_vector(5.0), 1.0)
    for name, truth in (("tibial_inclination", INCL), ("ankle_dorsiflexion", INCL - PITCH)):
        err = m[name] - truth
        rms = np.sqrt(np.mean(err ** 2))
        assert 0.75 * sd[name] <= rms <= 1.25 * sd[name], (name, rms, sd[name])
        assert np.abs(err).max() <= 4.5 * sd[name], name
        assert abs(err.mean()) <= 4 * sd[name] / np.sqrt(len(err)), name


def test_mirrored_person_gives_same_angles():
    leg = _front_leg()
    mirrored = leg * [-1, 1]  # toes now point to image −x
    assert forward_sign(mirrored[:, 3], mirrored[:, 4], up_vector(0)) == -1
    m = leg_measures(mirrored, up_vector(0), -1.0)
    np.testing.assert_allclose(m["tibial_inclination"], INCL, atol=1e-3)


def test_bad_shape_is_rejected():
    with pytest.raises(ValueError, match="hip, knee, ankle, heel, toe"):
        leg_measures(np.zeros((10, 4, 2)), up_vector(0), 1.0)
