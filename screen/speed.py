"""Every value that changes how fast the analysis runs and never what it finds, in one place.

Block sizes bound the scratch memory of vectorised passes and keep each pass over a block in
the CPU caches (a pass over the whole (T, 33, 5) landmark array streams 71 MB per hour of
30 fps frames); the results are the same bits for any block size (the tests vary them).
"""

PASS_BLOCK = 2048  # frames per block of the pixel and visibility passes (≈ 0.5 MB of landmarks)
MEDIAN_BLOCK = 1024  # frames per block of the rolling medians (scratch ≈ 3 MB)
