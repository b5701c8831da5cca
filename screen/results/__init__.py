"""Measurements, thresholds, asymmetry and the result."""
