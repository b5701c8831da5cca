"""Batch analysis of many videos: discovery (:mod:`.discover`), the results database
(:mod:`.store`), parallel execution on Dask (:mod:`.run`), the combined table (:mod:`.export`),
a patient's measures over time (:mod:`.history`) and the ``batch``/``history`` subcommands
(:mod:`.cli`)."""
