"""``movescreen live``: a screening test run live from a camera (or a video replayed as one).

One concern per module: :mod:`~screen.live.capture` (frame sources on their own thread, a
latest-frame slot that drops stale frames), :mod:`~screen.live.smoothing` (One-Euro filter),
:mod:`~screen.live.overlay` (pure drawing functions), :mod:`~screen.live.session` (the pipeline,
trials and the end-of-trial analysis through :func:`screen.analysis.analyze`) and
:mod:`~screen.live.cli` (the subcommand).
"""
