# mirbook — the two commands a person types: `make report` and `make test`.
# Both set the project up first when needed (`make setup`: .venv with pinned versions).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mirbook-setup
# No fixed period: without YEAR/PERIOD mirbook reports the latest quarter with registros dated in it.
YEAR ?=
PERIOD ?=
PERIOD_ARGS = $(if $(YEAR),--year $(YEAR)) $(if $(PERIOD),--period $(PERIOD))

.PHONY: setup test report report-all validate captura lab bench clean help

help:
	@echo "Comandos: make report [YEAR=2026 PERIOD=T3] (sin ellos: el último trimestre con registros) | make captura | make test | make setup | make lab | make bench"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@echo "Preparando el entorno (.venv) con las versiones fijadas en requirements/constraints.txt…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e ".[dev]"
	@$(BIN)/python -m mirbook.syscheck
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
		git config filter.nbstripout.clean "$(CURDIR)/$(BIN)/nbstripout --keep-id" && \
		git config filter.nbstripout.smudge cat && \
		git config diff.ipynb.textconv "$(CURDIR)/$(BIN)/nbstripout -t"; fi
	@touch $(STAMP)
	@echo "Entorno listo."

test: setup
	$(BIN)/python -m pytest

report: setup
	$(BIN)/mirbook run $(PERIOD_ARGS)

report-all: setup
	$(BIN)/mirbook run --all

validate: setup
	$(BIN)/mirbook validate $(PERIOD_ARGS)

captura: setup
	$(BIN)/mirbook captura $(PERIOD_ARGS)

# JupyterLab on the whole project, opened on notebooks/. The kernel is the .venv's python: the
# native "python3" kernelspec resolves to the interpreter of the server, which is $(BIN)/python.
# Without a display (SSH, container) no browser is launched (it could be a text one): the address
# is printed instead. Extra options: make lab LAB_ARGS="--port=8890".
lab: setup
	@echo "Abriendo JupyterLab en notebooks/ con el kernel «Python 3 (ipykernel)» de $(BIN)/python."
	@echo "Si el navegador no se abre solo, copie en él la dirección http://localhost:8888/lab/tree/notebooks?token=… que aparece abajo."
	@echo "Para terminar: Ctrl+C dos veces en esta terminal."
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname -s)" != Darwin ]; then nobrowser=--no-browser; fi; \
	exec $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks $$nobrowser $(LAB_ARGS)

bench: setup
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
