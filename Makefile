# Two commands: `make run` (local stack with demo data) and `make test` (all tests + deploy check).
# Each installs what it needs first; nothing is to be installed by hand.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test token bench reset setup deploy-check

run: setup
	$(PY) -m local.stack

test: setup
	@bash scripts/install-system-deps.sh test
	$(PY) -m ruff check functions layers local tests bench
	$(PY) -m mypy
	$(PY) -m pytest
	bash scripts/check-deploy.sh

token: setup
	@$(PY) -m local.token $(NAME)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

reset:
	rm -rf .local

setup: $(STAMP)
	@bash scripts/install-system-deps.sh

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)
