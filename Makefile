# The two commands a new user runs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint demo docs bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,docs,ray,export,dicom]"
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) lint
	$(PY) -m pytest -q -n 2

demo: $(STAMP)
	$(PY) examples/demo.py

docs: $(STAMP)
	$(PY) -m sphinx -W --keep-going -q -b html docs docs/_build/html

bench: $(STAMP)
	$(PY) benchmarks/cli_startup.py
	$(PY) benchmarks/pipeline.py
	$(PY) benchmarks/runner.py
	$(PY) benchmarks/synth.py
	$(PY) benchmarks/submit.py
	$(PY) benchmarks/train_speed.py

clean:
	rm -rf docs/_build .pytest_cache build *.egg-info
