"""The live window itself: opened at once with a loading state, and whether it is still up.

Kept apart from :mod:`screen.live.session` so that ``movescreen live`` can show its window
before the analysis core and the pose model are imported and loaded (seconds on a laptop)."""

from __future__ import annotations

import time

import cv2

WINDOW_NAME = "movescreen live"
LOADING_SIZE = (1360, 540)  # (w, h) px before the camera's size is known: 960×540 + the column
first_shown_wall: float | None = None  # Unix time the window first showed something


def show_loading(width: int | None = None, height: int | None = None) -> None:
    """Open the window (or repaint it) with the loading state; ``width``/``height``: the
    camera image's size when known (the canvas then has the live view's size)."""
    from screen.live import overlay

    size = LOADING_SIZE
    if width and height:
        k = 960 / max(width, height)
        size = (round(width * k) + overlay.COLUMN_WIDTH, round(height * k))
    canvas = overlay.draw_loading(size, "movescreen: loading the pose model...",
                                  "the camera image follows in a moment")
    cv2.namedWindow(WINDOW_NAME, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
    cv2.imshow(WINDOW_NAME, canvas)
    cv2.waitKey(1)
    global first_shown_wall
    if first_shown_wall is None:
        first_shown_wall = time.time()


def window_open() -> bool:
    """Whether the live window is still up (Qt raises once the user has closed it)."""
    try:
        return cv2.getWindowProperty(WINDOW_NAME, cv2.WND_PROP_VISIBLE) >= 1
    except cv2.error:
        return False
