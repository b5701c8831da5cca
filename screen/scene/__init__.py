"""What the camera sees: view and turn per frame, framing, test recognition, segments, the true vertical."""
