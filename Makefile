# Every target sets itself up: a fresh machine needs only Python 3.11 (and, for the browser tests, root
# to apt-get Chromium, or Chromium already installed).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_MODULES := tests/browser/node_modules/axe-core/axe.min.js
BUILD_FLAGS := -W -n --keep-going

.PHONY: help book book-clean test unit js time-zones nbval content browser browser-deps lint bench mutate workbooks answers lab clean

help:
	@echo "make book   build the course into _build/html (sets everything up first)"
	@echo "make test   run every test: lint, unit, JS, content, nbval, book build, browser"
	@echo "make bench  print build, grading and browser benchmarks (not part of make test)"
	@echo "make mutate mutation testing (mutmut, Stryker): the score per module (not part of make test; long)"
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
	$(BIN)/ruff check nasams_course tests tools

# the fast suites run in a time zone other than UTC (a machine set to UTC hides times read as local time), and the
# time-related tests once more in a zone with a half-hour offset
# the unit suite runs on every core (pytest-xdist), each test file in one worker so that its module fixtures are
# made once
unit: $(STAMP)
	TZ=America/Los_Angeles $(BIN)/pytest -m "not browser" tests -n auto --dist loadfile

js:
	TZ=America/Los_Angeles node --test tests/js/

time-zones: $(STAMP)
	TZ=Asia/Kolkata $(BIN)/pytest -q tests/test_times.py tests/test_response_rules.py
	TZ=Asia/Kolkata node --test tests/js/

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

# the browser suite runs in one process: Chromium alone keeps both cores busy, and two workers each driving one took
# 12 min 34 s where one process takes 7 min 20 s (2 December 2026, this 2-core machine, idle); one process also builds
# the example session books once instead of once per worker
browser: $(STAMP) browser-deps
	$(BIN)/pytest -m browser tests/browser

# the notebooks (nbval) and the book's build each use one core: they run side by side, each one's output printed
# whole when it ends
test: lint unit js time-zones content
	$(MAKE) --no-print-directory -j2 --output-sync=target nbval book-clean
	$(MAKE) --no-print-directory browser
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

# Mutation testing (tools/mutation/README.md): what to mutate is listed in pyproject.toml's [tool.mutmut] only_mutate
# (Python) and tools/mutation/stryker.config.json's mutate (JavaScript). Each mutant runs only the tests that reach it;
# run_mutmut.py is mutmut with the tests collected once for all mutants. mutants/ is kept from one run to the next:
# a run tests what changed since the last one and every survivor again, and goes on where a stopped run stopped;
# a clean clone starts from the results kept in tools/mutation/results.json (written after every run); MUTATE_FRESH=1
# make mutate starts from nothing (every mutant run).
MUTATION := tools/mutation
MUTMUT_STAMP := $(VENV)/.mutmut-installed
STRYKER := $(MUTATION)/node_modules/.bin/stryker

$(MUTMUT_STAMP): $(STAMP) $(MUTATION)/requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.txt -r $(MUTATION)/requirements.txt
	touch $(MUTMUT_STAMP)

$(STRYKER): $(MUTATION)/package-lock.json
	cd $(MUTATION) && npm ci --no-audit --no-fund --silent
	touch $(STRYKER)

mutate: $(MUTMUT_STAMP) $(STRYKER) browser-deps
	@if [ -n "$(MUTATE_FRESH)" ]; then echo "MUTATE_FRESH: every mutant run afresh"; rm -rf mutants; fi
	mkdir -p mutants
	rm -rf mutants/keys-here  # left by a killed issuer.py mutant (tools/mutation/README.md)
	@start=$$(date +%s); \
	echo "Stryker (JavaScript) and mutmut (Python) side by side: logs in mutants/stryker.log and mutants/mutmut.log"; \
	( $(STRYKER) run $(MUTATION)/stryker.config.json --incremental --incrementalFile mutants/stryker-incremental.json > mutants/stryker.log 2>&1; echo $$? > mutants/stryker.status; \
	  echo "    Stryker done in $$(( $$(date +%s) - start )) s" ) & \
	MUTATE_FRESH="$(MUTATE_FRESH)" HYPOTHESIS_PROFILE=mutate $(BIN)/python $(MUTATION)/run_mutmut.py run --max-children 2 > mutants/mutmut.log 2>&1; py=$$?; \
	echo "    mutmut done in $$(( $$(date +%s) - start )) s"; wait; \
	end=$$(date +%s); \
	[ $$py = 0 ] || { tail -c 3000 mutants/mutmut.log; exit 1; }; \
	[ "$$(cat mutants/stryker.status)" = 0 ] || { tail -30 mutants/stryker.log; exit 1; }; \
	$(BIN)/python $(MUTATION)/report.py; status=$$?; \
	echo "make mutate took $$(( (end - start) / 60 )) min $$(( (end - start) % 60 )) s (load average at the end: $$(cut -d' ' -f1-3 /proc/loadavg))"; \
	exit $$status

clean:
	rm -rf _build .pytest_cache .hypothesis mutants
