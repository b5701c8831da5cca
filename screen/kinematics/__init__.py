"""Vectorised geometry and joint angles over frames (axis 0 is time)."""
