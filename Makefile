# Gradients, step by step. Every target creates .venv from requirements.txt when it is
# missing or older than requirements.txt, so each command works on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test outputs nbval navigation student html soak mutants bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

## Open JupyterLab on the series (localhost only), starting at the index.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(ROOT_FLAG) notebooks/00_index.ipynb

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

clean:
	rm -rf $(VENV) site student
