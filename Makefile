# make report  -> set up the environment if needed, run every study, render HTML into reports/$(PROFILE)/
# make test    -> library tests (pytest) and notebook regression tests (nbval, smoke profile)
# make test-fast -> the unit tier only (20-40 s on 2 cores; the edit-test loop, see README "Tests")
# make lab STUDY=2 PROFILE=quick -> that study's notebook with the profile's parameters, in JupyterLab
PYTHON   ?= python3
VENV     ?= .venv
PY       ?= $(VENV)/bin/python
PROFILE  ?= quick
STUDIES  ?= all
# Local data directory (standard layouts); empty means system copies, then download.
# Taken verbatim ($(value)): make would otherwise expand a "$" in a path ("$HOME" -> "OME").
ifeq ($(origin DATA_DIR),undefined)
DATA_DIR := $(value SMALLIMG_DATA_DIR)
else
override DATA_DIR := $(value DATA_DIR)
endif
# cpu: tensorflow-cpu; gpu: tensorflow[and-cuda] (Linux with an NVIDIA driver)
TF_VARIANT ?= cpu
KERNEL   := smallimg
NBVAL    := --nbval-lax --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg
STUDY    ?=
# make test runs its test files in this many processes at once (pytest-xdist; 0: one process). Two, even on
# 2 cores: much of the suite waits on kernels, subprocesses and tracing rather than on arithmetic.
TEST_WORKERS ?= 2
# JupyterLab opens a browser unless NO_BROWSER=1 (a remote machine: open the URL it prints).
NO_BROWSER ?=
# More JupyterLab options, e.g. LAB_ARGS=--allow-root in a container that runs as root.
LAB_ARGS ?=
# Where a study's runs execute: serial, local[:N] (N at once here), ray (a local Ray, or the cluster at
# RAY_ADDRESS); empty: chosen for this machine (local:2 on a CPU with 2+ cores, serial for smoke or a GPU),
# see README, "Many runs at once". Exported to the study kernels.
EXECUTOR ?=
SETUP_LOG := build/setup.log
# Values that may hold spaces or quotes (a data directory) reach the recipes as environment
# variables, which the shell expands as one word ("$$DATA_DIR"), whatever characters they hold.
export DATA_DIR PROFILE STUDIES STUDY EXECUTOR
EXTRAS   := .[$(TF_VARIANT),dev]
RAY_EXTRAS := .[$(TF_VARIANT),dev,ray]

.PHONY: setup setup-ray report check test test-fast test-lib test-notebooks goldens bench bench-quick lab clean

setup: $(VENV)/.installed-$(TF_VARIANT)

# One line per step; pip's whole output goes to $(SETUP_LOG), whose end is shown when a step fails.
step = @echo "setup: $(1)"; { $(2); } >>$(SETUP_LOG) 2>&1 || { echo "setup failed: $(1); last lines of $(SETUP_LOG):" >&2; \
	tail -n 15 $(SETUP_LOG) >&2; exit 1; }

$(VENV)/.installed-$(TF_VARIANT): pyproject.toml
	@mkdir -p $(dir $(SETUP_LOG)) && : >$(SETUP_LOG)
	$(call step,virtual environment $(VENV),test -x $(PY) || $(PYTHON) -m venv $(VENV))
	$(call step,upgrading pip,$(PY) -m pip install --upgrade pip)
	$(call step,installing the pinned dependencies with TensorFlow ($(TF_VARIANT)); this takes a few minutes,$(PY) -m pip install -e "$(EXTRAS)")
	$(call step,registering the Jupyter kernel $(KERNEL),$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))")
	@touch $@
	@echo "setup: done (full output in $(SETUP_LOG))"

# Ray is an optional extra: `make setup-ray` (run by `make report EXECUTOR=ray`) adds it to the venv.
setup-ray: $(VENV)/.installed-ray

$(VENV)/.installed-ray: $(VENV)/.installed-$(TF_VARIANT) pyproject.toml
	$(call step,installing the pinned Ray (optional extra ray),$(PY) -m pip install -e "$(RAY_EXTRAS)")
	@touch $@

report: setup $(if $(filter ray,$(EXECUTOR)),setup-ray)
	$(if $(EXECUTOR),SMALLIMG_EXECUTOR="$$EXECUTOR") $(PY) -m lib.report.pipeline report --profile "$$PROFILE" --studies "$$STUDIES" $(if $(DATA_DIR),--data-dir "$$DATA_DIR")

check: setup $(if $(filter ray,$(EXECUTOR)),setup-ray)
	$(if $(EXECUTOR),SMALLIMG_EXECUTOR="$$EXECUTOR") $(PY) -m lib.report.pipeline check --profile "$$PROFILE" --studies "$$STUDIES" $(if $(DATA_DIR),--data-dir "$$DATA_DIR")

test: setup
	$(PY) -m pytest tests notebooks $(NBVAL) -n $(TEST_WORKERS) --dist loadfile --durations=15

# The unit tier: no training beyond a few seconds, no notebooks (see conftest.py).
test-fast: setup
	$(PY) -m pytest tests -m unit -q

test-lib: setup
	$(PY) -m pytest tests

test-notebooks: setup
	$(PY) -m pytest notebooks $(NBVAL)

# Re-record the nbval golden cells after an intended change of results.
goldens: setup
	$(PY) -m tools.record_goldens notebooks/*.ipynb

clean:
	rm -rf build .pytest_cache

# Our training path against the seeds' (numpy into model.fit, defaults), interleaved; lever, thread and
# profiler tables; build/bench/{results.json,results.csv,levers.csv,threads.csv,profile.csv}; then the quick
# profile's own networks (bench-quick).
bench: setup
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m tools.bench $(if $(DATA_DIR),--data-dir "$$DATA_DIR")
	$(MAKE) --no-print-directory bench-quick

# The quick profile's networks: one run at a time or two, bfloat16 or float32, batch norm or not, interleaved,
# medians and ranges on this CPU; build/bench/quick.{json,md}
bench-quick: setup
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m tools.bench_quick $(if $(DATA_DIR),--data-dir "$$DATA_DIR")

# A copy of the study's notebook with the profile's parameters injected (not run), opened in JupyterLab.
lab: setup
	$(PY) -m lib.report.lab --study "$$STUDY" --profile "$$PROFILE" $(if $(DATA_DIR),--data-dir "$$DATA_DIR") $(if $(NO_BROWSER),--no-browser) $(LAB_ARGS)
