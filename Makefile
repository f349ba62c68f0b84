# Two commands: `make run` (local stack with demo data) and `make test` (all tests + deploy check).
# Each installs what it needs first; nothing is to be installed by hand.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test token bench reset setup deploy-check lock openapi fuzz

run: setup
	$(PY) -m local.stack

test: setup
	@bash scripts/install-system-deps.sh test
	$(PY) -m ruff check functions layers local tests bench scripts
	$(PY) -m ruff format --check functions layers local tests bench scripts
	$(PY) -m mypy
	$(PY) -m pytest
	bash scripts/check-deploy.sh

# docs/openapi.json from the code (routes, request models, roles, error codes); `make test` fails when it is stale.
openapi: setup
	$(PY) -m local.openapi

# Deeper fuzzing than `make test` does: schemathesis over every operation of the spec, and every route's
# hostile-input test, with many more examples each (minutes, not seconds).
fuzz: setup
	SHEQI_SCHEMATHESIS_EXAMPLES=$${EXAMPLES:-60} SHEQI_FUZZ_EXAMPLES=$${EXAMPLES:-60} $(PY) -m pytest -n 0 \
	  tests/e2e/test_openapi_fuzz.py tests/handlers/test_every_route_hostile.py

token: setup
	@$(PY) -m local.token $(NAME)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The data folder of `make run` (SHEQI_DATA_DIR, default .local); refuses a folder the stack did not make.
reset:
	@dir="$${SHEQI_DATA_DIR:-.local}"; \
	if [ -e "$$dir" ] && [ ! -e "$$dir/secrets.json" ] && [ ! -d "$$dir/store" ]; then \
	  echo "$$dir 不像本地环境的数据目录（没有 secrets.json 或 store/），未删除" >&2; exit 1; fi; \
	rm -rf "$$dir" && echo "已清空本地数据：$$dir"

setup: $(STAMP) node_modules/.package-lock.json
	@bash scripts/install-system-deps.sh

# npm: the deploy tooling, the QR decoder the phone pages vendor and swagger-ui-dist for the gateway's /docs
# (served from node_modules, never a CDN).
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# uv, not pip: requirements.txt is a lock with hashes, which uv checks while installing the unhashed dev tools
# beside it (pip would demand hashes for every package once one has them).
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(PY) -m uv pip install --quiet --python $(PY) -r requirements-dev.txt
	touch $(STAMP)

# Re-resolve requirements.in for the Lambda runtime's platform (after changing a range or the runtime).
lock: setup
	$(PY) scripts/build.py lock
