# Two commands on a fresh clone: `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The native llama.cpp build segfaults on AMX CPUs and is not portable: build for AVX2 instead.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
STAMP := $(VENV)/.protosmith-installed
MODEL_STAMP := $(VENV)/.protosmith-model
TOOLS_STAMP := $(VENV)/.protosmith-tools
PYTEST_ARGS ?=

.PHONY: install demo test lint format bench stress vsix clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --disable-pip-version-check -e '.[local,dev]'
	touch $@

$(MODEL_STAMP): $(STAMP)
	$(PY) -m protosmith.llm.embedded
	touch $@

# eslint + its security plugin for reviewing JavaScript/TypeScript (pinned by a shipped lockfile).
# Without npm the review says those languages get LLM review only; nothing fails.
$(TOOLS_STAMP): $(STAMP) server/protosmith/analysis/js_analyzer/package-lock.json
	@if command -v npm >/dev/null; then $(PY) -m protosmith tools install; \
	else echo "npm not found: JavaScript/TypeScript review will be LLM-only"; fi
	touch $@

install: $(STAMP) $(MODEL_STAMP) $(TOOLS_STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check server tests bench
	$(VENV)/bin/ruff format --check server tests bench
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix server tests bench
	$(VENV)/bin/ruff format server tests bench

test: install lint
	$(PY) -m pytest $(PYTEST_ARGS)

demo: install
	$(PY) -m protosmith doctor
	@status=0; PROTOSMITH_MAX_TOKENS=$${PROTOSMITH_MAX_TOKENS:-512} \
	  $(PY) -m protosmith generate examples/hello/protosmith.toml || status=$$?; \
	if [ $$status -gt 1 ]; then exit $$status; fi; \
	echo; echo "demo: generated files are in examples/hello/prototype/ (run journal: examples/hello/.protosmith/runs/)"; \
	if [ $$status -eq 1 ]; then echo "demo: the embedded 270M model could not finish every task, and the summary above says so; point protosmith at a capable model for real work (README)."; fi

bench: install
	$(PY) -m bench

stress: install
	PROTOSMITH_STRESS=1 $(PY) -m pytest -m stress tests

vsix:
	cd editor-clients/vscode && npm ci --no-audit --no-fund && npm run package

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
