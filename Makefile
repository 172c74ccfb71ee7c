# Two commands: `make run` (the whole service on SQLite) and `make test` (the suite).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export FLASK_APP := wsgi

.PHONY: run test install browser clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	PORT=$(PORT) ./scripts/run.sh

browser:
	./scripts/install-browser.sh

test: install browser
	./scripts/test.sh $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3 artifacts .run
