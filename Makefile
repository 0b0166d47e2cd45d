# Two commands: `make setup`, then `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := dataset-fashion-mnist chromium fonts-noto-cjk libjs-katex fonts-katex postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1
export PYTHONHASHSEED := 0

.PHONY: setup test unit docs-test site browser docs serve bench clean

setup: apt $(VENV)/.installed

# Debian packages the tests and the build need, installed only when missing.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
.PHONY: apt

$(VENV)/.installed: pyproject.toml
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# Unit tests, Sybil over docs/, parity; then the strict site build; then the browser check.
test: setup
	$(PY) -m pytest -q --doctest-modules src tests docs --ignore=tests/test_site.py
	$(MAKE) --no-print-directory docs
	$(PY) -m pytest -q tests/test_site.py

# Skipped when site/ was built from exactly these inputs (tools/site_inputs.py); delete site/ to force.
docs: setup
	@$(PY) tools/site_inputs.py check || { $(VENV)/bin/mkdocs build --strict && $(PY) tools/site_inputs.py record; }

serve: setup
	$(VENV)/bin/mkdocs serve

bench: setup
	$(PY) benchmarks/train_speed.py

clean:
	rm -rf site .cache docs/lessons docs/claims.md docs/claims.zh.md docs/corrections.md docs/corrections.zh.md
