"""Asking an X window to close the way a window manager does: a WM_PROTOCOLS client message
carrying WM_DELETE_WINDOW (ICCCM §4.2.8), sent with Xlib through ctypes. Xvfb has no window
manager, so this is what a click on the window's close button becomes."""

from __future__ import annotations

import ctypes
import ctypes.util

CLIENT_MESSAGE = 33  # X.h


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong),
                ("message_type", ctypes.c_ulong), ("format", ctypes.c_int),
                ("l", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]  # XEvent: 24 longs


def request_close(window: int, display: str) -> None:
    """Send WM_DELETE_WINDOW to ``window`` (an X window id) on ``display`` (e.g. ":91")."""
    name = ctypes.util.find_library("X11")
    if name is None:
        raise OSError("libX11 not found")
    x = ctypes.cdll.LoadLibrary(name)
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long,
                             ctypes.POINTER(_Event)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    d = x.XOpenDisplay(display.encode())
    if not d:
        raise OSError(f"cannot open X display {display}")
    try:
        ev = _Event()
        ev.xclient.type = CLIENT_MESSAGE
        ev.xclient.window = window
        ev.xclient.message_type = x.XInternAtom(d, b"WM_PROTOCOLS", 0)
        ev.xclient.format = 32
        ev.xclient.l[0] = x.XInternAtom(d, b"WM_DELETE_WINDOW", 0)
        ev.xclient.l[1] = 0  # CurrentTime
        x.XSendEvent(d, window, 0, 0, ctypes.byref(ev))
        x.XFlush(d)
    finally:
        x.XCloseDisplay(d)
