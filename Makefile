# Gradients, step by step. Every target creates .venv from requirements.txt when it is
# missing or older than requirements.txt, so each command works on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab author-lab test outputs nbval portability fragility python-versions navigation student html soak \
        mutants bench bench-series dev-setup clean publish-student generated colab \
        colab-profile colab-full

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

$(STAMP): requirements.txt deploy/jupyterlab/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# The classroom's JupyterLab settings (no news pop-up), read by make lab and by the hub's servers.
	mkdir -p $(dir $(LAB_SETTINGS))
	cp deploy/jupyterlab/overrides.json $(LAB_SETTINGS)
	touch $(STAMP)

# Node tools (the hub's configurable-http-proxy, axe-core for the accessibility checks), installed
# when npm is on the machine; without npm the tests that need them are skipped (CI requires them).
NPM := $(shell command -v npm)
NODE_STAMP := $(if $(NPM),node_modules/.installed)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Open JupyterLab on your copies of the series in workspace/notebooks/ (localhost only), at the index.
## The reference notebooks in notebooks/ are never opened, so playing with them cannot break the check.
lab: $(STAMP)
	$(BIN)/python scripts/workspace.py
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=workspace \
		--LabApp.default_url=/lab/tree/notebooks/00_index.ipynb $(ROOT_FLAG)

## For authors: JupyterLab on the reference notebooks themselves. Refresh outputs with make outputs.
author-lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --LabApp.default_url=/lab/tree/notebooks/00_index.ipynb $(ROOT_FLAG)

## The whole test suite: lint, helper unit tests, strict nbval over every notebook, browser tests.
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/check_references.py
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## Strict nbval alone: the regression check of every stored output.
nbval: $(STAMP)
	$(BIN)/python -m pytest notebooks

## Re-execute every notebook in place to refresh the reference outputs after an intended change,
## then look for outputs that another CPU would print differently. Some: make outputs NB=notebooks/06_*.ipynb
## The generated files are written first, so that a notebook importing helpers.engine runs the new engine.
outputs: $(STAMP)
	$(BIN)/python scripts/navigation.py
	$(BIN)/python scripts/generate.py
	$(BIN)/python scripts/run_notebooks.py $(NB)
	$(BIN)/python scripts/fragility.py $(NB)

## Strict nbval under the SIMD paths and thread counts of other CPUs (the portability matrix).
portability: $(STAMP)
	$(BIN)/python scripts/portability.py

## Cells whose stored output changes on another CPU's arithmetic path, with the diff (NB= for some).
fragility: $(STAMP)
	$(BIN)/python scripts/fragility.py $(NB)

## A venv per Python version (3.11, 3.12, 3.13) from requirements.txt, strict nbval in each.
python-versions: $(STAMP)
	$(BIN)/python scripts/python_versions.py

## Write the files generated from another (course/generated.py): helpers/engine.py from notebook 09's
## #@save cells, environment.yml from requirements.txt, the sizing lines of deploy/z2jh/config.yaml and the
## sizing table of deploy/README.md from deploy/classroom-sizing.json. Never edit those by hand: the tests
## compare them with what this writes.
generated: $(STAMP)
	$(BIN)/python scripts/generate.py

## Regenerate the prev/next links and the index's contents.
navigation: $(STAMP)
	$(BIN)/python scripts/navigation.py

## The student edition: student/gradients-step-by-step/ and its zip (no solutions, outputs or teacher's guide).
student: $(STAMP)
	$(BIN)/python scripts/student_copy.py

## Run the strict suite 10 times with OMP_NUM_THREADS=1 and 10 times with 2, then the portability
## matrix; fails on any failure.
## Shorter: make soak SOAK_ARGS="--runs 3".
soak: $(STAMP)
	$(BIN)/python scripts/soak.py $(SOAK_ARGS)
	$(BIN)/python scripts/portability.py

## Apply small realistic faults one at a time to a copy of the project; fails if the suite misses one.
## One fault: make mutants MUTANT_ARGS="--only sign_flip_in_gradient_step"; list them: MUTANT_ARGS=--list.
mutants: $(STAMP)
	$(BIN)/python scripts/mutants.py $(MUTANT_ARGS)

## Publish the students' copies to the branch `student` and print the nbgitpuller link (HUB=https://your-hub).
publish-student: $(STAMP)
	$(BIN)/python scripts/publish_student.py $(if $(HUB),--hub $(HUB))

## The Colab edition on a branch: the student edition with an "Open in Colab" badge and an install cell in each
## notebook, pointing at that branch of github.com/REPO. make colab REPO=your-org/your-repo BRANCH=student
colab: $(STAMP)
	$(BIN)/python scripts/publish_student.py --colab $(REPO) --branch $(or $(BRANCH),student)

## The series against Google Colab's packages (tests/profiles/colab.txt) in .venv-colab (built on first use): strict
## nbval over every notebook; the Colab edition installed from a local copy of its branch and run top to bottom,
## offline, in a fresh venv without the helpers; the ipywidgets 7 front end (classic Notebook 6.5.7) in Chromium.
colab-profile: $(STAMP)
	$(BIN)/python scripts/colab_profile.py

## The same with Colab's own Python 3.13 and torch 2.11.0 (from PyPI: CPU kernels as in 2.11.0+cpu), in .venv-colab-3.13.
colab-full: $(STAMP)
	$(BIN)/python scripts/colab_profile.py --full

## Read-only HTML of the series in site/ (stored outputs, works offline); open site/index.html.
html: $(STAMP)
	$(BIN)/python scripts/build_html.py

## Every benchmark: slider callbacks (Python: 06 and 11), slider latency in Chromium (JupyterLab: 01, 06, 08, 11;
## the ipywidgets 7 front end with the Colab profile's kernel), the series' nbval time.
bench: bench-series
	$(BIN)/python benchmarks/slider_callback.py
	$(BIN)/python benchmarks/minibatch_callback.py
	$(BIN)/python benchmarks/slider_browser.py
	$(BIN)/python scripts/colab_profile.py --build-only
	$(BIN)/python benchmarks/slider_browser.py --ipywidgets7

## Strict-nbval wall time of the series against an imports-only floor, and the venv size.
bench-series: $(STAMP)
	$(BIN)/python benchmarks/series.py

## For contributors, once per clone: pre-commit hooks (ruff, navigation, references, mypy; the
## fragility finder before a push) and nbdime's notebook-aware git diff and merge drivers.
dev-setup: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/pre-commit install --hook-type pre-commit --hook-type pre-push
	$(BIN)/nbdime config-git --enable
	git config diff.jupyternotebook.command "$(CURDIR)/$(BIN)/git-nbdiffdriver diff"
	git config merge.jupyternotebook.driver "$(CURDIR)/$(BIN)/git-nbmergedriver merge %O %A %B %L %P"
	git config difftool.nbdime.cmd '$(CURDIR)/$(BIN)/git-nbdifftool diff "$$LOCAL" "$$REMOTE" "$$BASE"'
	git config mergetool.nbdime.cmd '$(CURDIR)/$(BIN)/git-nbmergetool merge "$$BASE" "$$LOCAL" "$$REMOTE" "$$MERGED"'

clean:
	rm -rf $(VENV) .venv-3.* .venv-colab* site student
