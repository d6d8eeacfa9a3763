# The two commands a person needs: `make lab` and `make test`.
# Both create .venv when it is missing and (re)install the project only when
# pyproject.toml is newer than the last install.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test test-engine lint bench release selftest grade screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# JupyterLab refuses to run as root without --allow-root (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# LAB_ARGS passes more options to jupyter lab, e.g. make lab LAB_ARGS="--port=9999 --no-browser".
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest

# Quick loop while working on the engine: dlcore's tests only.
test-engine: $(STAMP)
	$(BIN)/python -m pytest tests/dlcore -q

lint: $(STAMP)
	$(BIN)/ruff check dlcore autograder tests benchmarks nbgrader_config.py

# Instructors: regenerate the students' notebooks/ from solutions/ (checks for leaks).
release: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dlgrade release

# The grader tested on itself: solutions 100 %, blanks 0, every bug-zoo entry caught.
selftest: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dlgrade selftest

# Instructors: grade the class in submitted/ (nbgrader's layout) into the gradebook, then
# write each student's feedback/ pages and grades.csv. Resumable: graded work is skipped.
JOBS ?= 2
grade: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dlgrade autograde --jobs $(JOBS)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dlgrade feedback
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dlgrade export grades.csv

# Pictures of every explorer in JupyterLab after its controls changed (for the README).
screenshots: $(STAMP)
	DLCORE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/python -m pytest tests/browser -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
