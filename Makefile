# qawl: the user's front door. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
QAWL := $(VENV)/bin/qawl
MODEL ?= models/default
DATA ?= labels
FOLDS ?= 5
JOBS ?= 2
INPUT ?= examples/article.txt
GOLD ?= ../shared/eval/dev.jsonl

.DEFAULT_GOAL := help
.PHONY: help install demo train evaluate evaluate-gold predict validate stats test bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5"
	# the lock pins every package; camel-tools' torch/transformers/kenlm are left out (README)
	# bytecode is compiled once, here: where PYTHONDONTWRITEBYTECODE is set, as in many containers, every
	# run would compile every module it imports again (a second of `qawl predict`'s start-up)
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(VENV)/bin/python -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python --no-deps -e .
	$(VENV)/bin/python -m compileall -q predict train qawl.py
	touch $@

install: $(VENV)/.installed ## create .venv and install qawl with its pinned dependencies

$(MODEL)/metadata.json: $(VENV)/.installed $(shell find $(DATA) -name '*.jsonl' -o -name schema.json 2>/dev/null)
	$(QAWL) train --data $(DATA) --model $(MODEL) --jobs $(JOBS)

train: install ## fit the model on labels/ into models/default
	$(QAWL) train --data $(DATA) --model $(MODEL) --jobs $(JOBS)

demo: $(MODEL)/metadata.json ## install, train if needed, and tag the example article
	$(QAWL) predict --model $(MODEL) --format text $(INPUT)

evaluate: install ## K-fold cross-validation on labels/ (FOLDS=5)
	$(QAWL) evaluate --data $(DATA) --folds $(FOLDS) --jobs $(JOBS)

evaluate-gold: $(MODEL)/metadata.json ## score the model on a gold file (GOLD=../shared/eval/dev.jsonl)
	$(QAWL) evaluate --gold $(GOLD) --model $(MODEL)

predict: $(MODEL)/metadata.json ## tag INPUT=file.txt|file.jsonl|folder as JSON Lines
	$(QAWL) predict --model $(MODEL) $(INPUT)

validate: install ## check labels/ against the annotation contract
	$(QAWL) validate $(DATA)

stats: install ## corpus figures: labels, kinds, constructions, near-duplicates
	$(QAWL) stats $(DATA)

test: install ## run the whole test suite
	$(VENV)/bin/python -m pytest

bench: install ## speed and memory figures (see bench/; ARTICLES=file.jsonl adds a row for your own)
	$(VENV)/bin/python bench/run.py $(if $(ARTICLES),--articles $(ARTICLES))

clean: ## remove the environment and trained models
	rm -rf $(VENV) models/default models/.default.* .pytest_cache
