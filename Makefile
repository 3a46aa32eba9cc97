# bdhvs-desktop developer commands. `make test` and `make run` set up .venv on first use.
.PHONY: venv run test test-fast bench smoke lint clean installer-check

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= $(CURDIR)/.demo/demo.sqlite3

# The first interpreter from 3.11-3.13 that really runs (python3.12/3.13 may be pyenv
# shims that fail unless selected: pitfalls #14).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	if $$p -c 'import sys; sys.exit(0 if (3,11) <= sys.version_info[:2] <= (3,13) else 1)' >/dev/null 2>&1; then echo $$p; break; fi; done)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Cần Python 3.11, 3.12 hoặc 3.13."; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(dir $(DEMO_DB))
	@$(VENV)/bin/bdhvs --db "$(DEMO_DB)" demo --if-missing
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(VENV)/bin/bdhvs-desktop --db "$(DEMO_DB)"; \
	else \
		echo "Không có màn hình (DISPLAY trống): chạy cùng công việc không cần cửa sổ."; \
		$(VENV)/bin/bdhvs --db "$(DEMO_DB)" check; \
		if $(VENV)/bin/bdhvs status --help >/dev/null 2>&1; then $(VENV)/bin/bdhvs --db "$(DEMO_DB)" status; fi; \
		QT_QPA_PLATFORM=offscreen $(VENV)/bin/bdhvs-desktop --db "$(DEMO_DB)" --smoke-test; \
	fi

test: $(STAMP)
	@bash .ci/system-deps.sh
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not slow"

smoke: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/bdhvs-desktop --db "$(DEMO_DB)" --smoke-test

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

# The Windows installer, as far as Linux can prove it: builds installer/bdhvs-desktop.spec into a
# Linux bundle, starts it, runs its CLI and compiles the NSIS script (installer/build_linux_check.sh).
installer-check: $(STAMP)
	@bash .ci/system-deps.sh
	@$(PY) -c 'import PyInstaller' 2>/dev/null || $(PY) -m pip install -q 'pyinstaller>=6.10'
	PYTHON=$(CURDIR)/$(PY) bash installer/build_linux_check.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) .demo build dist .pytest_cache
