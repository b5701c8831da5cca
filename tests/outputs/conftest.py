"""Report fixtures reuse the session ones (the knee-to-wall sample and its mirror)."""

from session.conftest import k2w_files  # noqa: F401
