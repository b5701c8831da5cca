"""Where landmarks come from: video files and cameras, pose models and the landmarker, the main subject."""
