# Every target sets itself up: a fresh machine needs only Python 3.11 (and, for the browser tests, root
# to apt-get Chromium, or Chromium already installed).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_MODULES := tests/browser/node_modules/axe-core/axe.min.js
BUILD_FLAGS := -W -n --keep-going

.PHONY: help book book-clean test unit js nbval content browser browser-deps lint bench workbooks answers lab clean

help:
	@echo "make book   build the course into _build/html (sets everything up first)"
	@echo "make test   run every test: lint, unit, JS, content, nbval, book build, browser"
	@echo "make bench  print build, grading and browser benchmarks (not part of make test)"
	@echo "make answers    re-run the trainer notebooks in answers/ and regenerate exercises/"
	@echo "make workbooks  regenerate exercises/ from answers/ without re-running"
	@echo "make lab    start JupyterLab on 127.0.0.1 at exercises/ (workbooks and chapter pages as notebooks)"

$(STAMP): requirements.txt pyproject.toml jupyter/overrides.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/nasams-course validate
	$(BIN)/jupyter-book build . $(BUILD_FLAGS)
	@echo ""
	@echo "Open the course: file://$(CURDIR)/_build/html/index.html"

book-clean: $(STAMP)
	rm -rf _build
	$(MAKE) book

lint: $(STAMP)
	$(BIN)/ruff check nasams_course tests

unit: $(STAMP)
	$(BIN)/pytest -m "not browser" tests

js:
	node --test tests/js/

content: $(STAMP)
	$(BIN)/nasams-course validate
	$(BIN)/nasams-course coverage --require-all

nbval: $(STAMP)
	$(BIN)/pytest --nbval --nbval-current-env answers/
	$(BIN)/pytest --nbval-lax --nbval-current-env exercises/

workbooks: $(STAMP)
	$(BIN)/nasams-course workbooks

answers: $(STAMP)
	$(BIN)/nasams-course answers

browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@test -f $(NODE_MODULES) || (cd tests/browser && npm ci --no-audit --no-fund --silent)

browser: $(STAMP) browser-deps
	$(BIN)/pytest -m browser tests/browser

test: lint unit js content nbval book-clean browser
	@echo "all tests passed"

LAB_PORT ?= 8888
lab: $(STAMP)
	@token=$$($(BIN)/python -c "import secrets; print(secrets.token_hex(24))"); \
	echo ""; \
	echo "JupyterLab, at exercises/ (the learner workbooks); chapter pages under book/ open as notebooks."; \
	echo "Open: http://127.0.0.1:$(LAB_PORT)/lab/tree/exercises?token=$$token"; \
	echo "Stop it with Control+C. Port busy? make lab LAB_PORT=8899"; \
	echo ""; \
	$(BIN)/jupyter lab --no-browser --allow-root --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.port_retries=0 \
		--IdentityProvider.token=$$token --ServerApp.root_dir=$(CURDIR)

bench: $(STAMP) browser-deps
	$(BIN)/python -m nasams_course.bench

clean:
	rm -rf _build .pytest_cache .hypothesis
