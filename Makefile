# Set-up and the two everyday commands. `make demo` and `make test` work on a fresh clone:
# they create .venv, install the package, and get the pose model and the sample clip
# (from $(SHARED) when that mirror exists, else downloaded from the official sources, hash-checked).
SHARED ?= ../shared
VENV   ?= .venv
PY     := $(VENV)/bin/python
MS     := $(VENV)/bin/movescreen
MODEL_MIRROR  := $(if $(wildcard $(SHARED)/models/*.task),--mirror $(SHARED)/models)
SAMPLE_MIRROR := $(if $(wildcard $(SHARED)/samples/*.mp4),--mirror $(SHARED)/samples)
# A clone keeps its fetched files in ./models and ./samples (an installed movescreen uses the
# per-user data folder instead; see README "Install").
export MOVESCREEN_MODELS  ?= $(CURDIR)/models
export MOVESCREEN_SAMPLES ?= $(CURDIR)/samples

.PHONY: demo test bench bench-live bench-batch validate lint clean
.DELETE_ON_ERROR:

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

models/pose_landmarker_%.task: | $(VENV)/.installed
	$(MS) models install $* $(MODEL_MIRROR)

samples/%.mp4: | $(VENV)/.installed
	$(MS) samples fetch $*.mp4 $(SAMPLE_MIRROR)

demo: $(VENV)/.installed models/pose_landmarker_full.task samples/knee_to_wall_side.mp4
	$(MS) analyze samples/knee_to_wall_side.mp4 --test knee-to-wall --out out/knee_to_wall --overwrite

test: $(VENV)/.installed
	$(VENV)/bin/ruff check --quiet screen tests benchmarks
	$(PY) -m pytest -q -rs

bench: $(VENV)/.installed
	$(PY) benchmarks/bench_pipeline.py --shared $(SHARED)

bench-live: $(VENV)/.installed
	$(PY) benchmarks/bench_live.py --shared $(SHARED) --startup

bench-batch: $(VENV)/.installed
	$(PY) benchmarks/bench_batch.py --shared $(SHARED)

validate: $(VENV)/.installed models/pose_landmarker_full.task
	$(PY) benchmarks/validate.py --shared $(SHARED) --markdown docs/validation.md

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check screen tests benchmarks

clean:
	rm -rf $(VENV) out build dist
