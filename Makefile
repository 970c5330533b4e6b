# Two commands on a fresh clone (see README "Quick start"):
#   make demo   set up .venv and run the main job on the bundled sample calls
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
export HF_HUB_OFFLINE = 1
export TRANSFORMERS_OFFLINE = 1

.PHONY: setup demo test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[web,dev]"
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/qa-analytics run --samples --out out/demo

test: setup
	$(BIN)/ruff check qa_analytics tests benchmarks
	$(BIN)/python -m pytest -q -ra

lint: setup
	$(BIN)/ruff check qa_analytics tests benchmarks

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) out
