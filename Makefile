# make report  -> set up the environment if needed, run every study, render HTML into reports/$(PROFILE)/
# make test    -> library tests (pytest) and notebook regression tests (nbval, smoke profile)
PYTHON   ?= python3
VENV     ?= .venv
PY       ?= $(VENV)/bin/python
PROFILE  ?= quick
STUDIES  ?= all
# Local data directory (standard layouts); empty means system copies, then download.
DATA_DIR ?= $(SMALLIMG_DATA_DIR)
# cpu: tensorflow-cpu; gpu: tensorflow[and-cuda] (Linux with an NVIDIA driver)
TF_VARIANT ?= cpu
KERNEL   := smallimg
NBVAL    := --nbval-lax --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: setup report check test test-lib test-notebooks goldens bench clean

setup: $(VENV)/.installed-$(TF_VARIANT)

$(VENV)/.installed-$(TF_VARIANT): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(TF_VARIANT),dev]"
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python ($(KERNEL))"
	touch $@

report: setup
	$(PY) -m lib.pipeline report --profile $(PROFILE) --studies $(STUDIES) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

check: setup
	$(PY) -m lib.pipeline check --profile $(PROFILE) --studies $(STUDIES) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

test: setup
	$(PY) -m pytest tests notebooks $(NBVAL)

test-lib: setup
	$(PY) -m pytest tests

test-notebooks: setup
	$(PY) -m pytest notebooks $(NBVAL)

# Re-record the nbval golden cells after an intended change of results.
goldens: setup
	$(PY) -m lib.goldens notebooks/*.ipynb

clean:
	rm -rf build .pytest_cache

# Our training path against the seeds' (numpy into model.fit, defaults); table + build/bench/results.{csv,json}
bench: setup
	$(PY) -m lib.bench $(if $(DATA_DIR),--data-dir $(DATA_DIR))
