# Gradients, step by step. Every target creates .venv from requirements.txt when it is
# missing or older than requirements.txt, so each command works on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test outputs nbval navigation student html soak mutants bench bench-series clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## Open JupyterLab on the series (localhost only), starting at the index.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --LabApp.default_url=/lab/tree/notebooks/00_index.ipynb $(ROOT_FLAG)

## The whole test suite: lint, helper unit tests, strict nbval over every notebook, browser tests.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## Strict nbval alone: the regression check of every stored output.
nbval: $(STAMP)
	$(BIN)/python -m pytest notebooks

## Re-execute every notebook in place to refresh the reference outputs after an intended change.
outputs: $(STAMP)
	$(BIN)/python scripts/navigation.py
	$(BIN)/python scripts/run_notebooks.py

## Regenerate the prev/next links and the index's contents.
navigation: $(STAMP)
	$(BIN)/python scripts/navigation.py

## Students' copies in student/: solution code removed, outputs cleared, exercises left.
student: $(STAMP)
	$(BIN)/python scripts/student_copy.py

## Run the strict suite 10 times with OMP_NUM_THREADS=1 and 10 times with 2; fails on any failure.
## Shorter: make soak SOAK_ARGS="--runs 3".
soak: $(STAMP)
	$(BIN)/python scripts/soak.py $(SOAK_ARGS)

## Apply small realistic faults one at a time to a copy of the project; fails if the suite misses one.
## One fault: make mutants MUTANT_ARGS="--only sign_flip_in_gradient_step"; list them: MUTANT_ARGS=--list.
mutants: $(STAMP)
	$(BIN)/python scripts/mutants.py $(MUTANT_ARGS)

## Read-only HTML of the series in site/ (stored outputs, works offline); open site/index.html.
html: $(STAMP)
	$(BIN)/python scripts/build_html.py

## Every benchmark: slider callback (Python), slider latency in Chromium, and the series' nbval time.
bench: bench-series
	$(BIN)/python benchmarks/slider_callback.py
	$(BIN)/python benchmarks/slider_browser.py

## Strict-nbval wall time of the series against an imports-only floor, and the venv size.
bench-series: $(STAMP)
	$(BIN)/python benchmarks/series.py

clean:
	rm -rf $(VENV) site student
