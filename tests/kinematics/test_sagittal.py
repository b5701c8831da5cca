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
    assert np.abs(m["tibial_inclination"] - INCL).mean() <= 0.5
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


def test_two_pixel_noise_bound_per_frame():
    m = leg_measures(_front_leg(5.0, noise_px=2.0), up_vector(5.0), 1.0)
    # unfiltered, single frames: shank ≈ 115 px, foot ≈ 55 px long in the image
    assert np.abs(m["tibial_inclination"] - INCL).mean() <= 1.5
    assert np.abs(m["ankle_dorsiflexion"] - (INCL - PITCH)).mean() <= 4.0


def test_mirrored_person_gives_same_angles():
    leg = _front_leg()
    mirrored = leg * [-1, 1]  # toes now point to image −x
    assert forward_sign(mirrored[:, 3], mirrored[:, 4], up_vector(0)) == -1
    m = leg_measures(mirrored, up_vector(0), -1.0)
    np.testing.assert_allclose(m["tibial_inclination"], INCL, atol=1e-3)


def test_bad_shape_is_rejected():
    with pytest.raises(ValueError, match="hip, knee, ankle, heel, toe"):
        leg_measures(np.zeros((10, 4, 2)), up_vector(0), 1.0)
