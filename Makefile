# One venv, everything installed into it; every target sets it up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo desk test lint clean

setup: $(VENV)/.installed

# pip says what it fetches as it goes; setuptools' warning that every editable install gets
# (folders named like the package) is not for our users.
$(VENV)/.installed: pyproject.toml
	@echo "==> Creating $(VENV) and installing Connectory and its dependencies into it"
	@echo "    (about 4 minutes on a fresh machine; once only, until pyproject.toml changes)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	PYTHONWARNINGS='ignore:Editable installation' $(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $@
	@echo "==> Installed: $(BIN)/connectory (or '. $(BIN)/activate' and then connectory)"

# Onboard a real document into the embedded catalogue (catalog/connectory.db), publish it, show it.
demo: setup
	@echo "==> Onboarding a real document: the Prefect flow 'onboard' (without PREFECT_API_URL, on"
	@echo "    Connectory's local Prefect server, started in the background the first time: about"
	@echo "    a minute; 'connectory server stop' stops it)"
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/connectory onboard examples/openapi/1password-connect.json --name onepassword-connect --publish
	$(BIN)/connectory list
	$(BIN)/connectory show onepassword-connect@latest

# The vetters' desk: JupyterLab on the notebooks, against the embedded catalogue make demo filled
# (the notebooks run in notebooks/ and find catalog/connectory.db of this checkout, as the command does).
desk: setup
	$(BIN)/connectory info
	$(BIN)/jupyter lab notebooks/vetting.ipynb

test: setup
	PREFECT_SERVER_ANALYTICS_ENABLED=false $(BIN)/pytest -n 2 --dist loadgroup

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) catalog/*.db catalog/*.db-wal catalog/*.db-shm
