# The two commands of the quick start: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint scan soak soak-ci install browser-deps clean bench bench-smoke bench-deps

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The web server and, beside it, the e-mail delivery worker (so demo mail is sent, into
# instance/mail/); Ctrl-C stops both.
run: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-empty
	@$(BIN)/flask --app app deliver & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

test: $(STAMP) browser-deps
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# Security scanners (README "Security scanners"), each failing on a finding: bandit over the
# app's code (a finding it still reports is answered on its line with `# nosec BXXX  # reason`,
# never a bare `# nosec`), pip-audit --strict over the virtualenv, sqlmap against a live server.
scan: $(STAMP)
	@! grep -rnE --include='*.py' 'nosec' forum app.py config.py | grep -vE '# nosec B[0-9]{3}(, ?B[0-9]{3})* +# [^ ]' \
		|| { echo 'a `# nosec` above lacks its test or its reason: # nosec BXXX  # why'; exit 1; }
	@start=$$(date +%s); $(BIN)/bandit -q -c pyproject.toml -r forum app.py config.py \
		&& echo "bandit: no issue in forum/, app.py, config.py" && echo "-- bandit: $$(( $$(date +%s) - start ))s"
	$(BIN)/python -m scanners.dependencies
	$(BIN)/python -m scanners.sql_injection

# The soak (README "Watching for worker deaths"): gunicorn with gunicorn.conf.py on 127.0.0.1,
# the heaviest pages under wrk for SOAK_SECONDS; fails on any worker death. soak-ci: two minutes
# of the huge report and the huge fix, where the deaths of issue 18 showed.
SOAK_SECONDS ?= 600
soak: $(STAMP) bench-deps
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python -m benchmarks.soak

soak-ci:
	$(MAKE) soak SOAK_SECONDS=120 SOAK_PAGES=big

# The HTTP benchmark (README "Benchmarks"): SCALE=S|M|L, SECONDS a page, PAGES=key,key,
# DATABASE_URL=postgresql+psycopg://... for PostgreSQL, TOPOLOGY=2 for two app servers behind
# haproxy; JUDGE=0 never fails on a budget. bench-smoke: scale S, a second a page, not judged.
SCALE ?= M
SECONDS ?= 10
PAGES ?=
JUDGE ?= 1
TOPOLOGY ?= 1
bench: $(STAMP) bench-deps
	@if [ "$(TOPOLOGY)" = 2 ]; then \
		BENCH_SCALE=$(SCALE) BENCH_SECONDS=$(SECONDS) $(BIN)/python -m benchmarks.topology; \
	else \
		BENCH_SCALE=$(SCALE) BENCH_SECONDS=$(SECONDS) BENCH_PAGES=$(PAGES) BENCH_JUDGE=$(JUDGE) \
			$(BIN)/python -m benchmarks.http_bench; \
	fi

bench-smoke: $(STAMP) bench-deps
	$(BIN)/python -m benchmarks.http_bench --smoke

bench-deps:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache

# Browser tests need Debian's Chromium, Java (for the Nu HTML checker) and the npm test assets;
# the shared rate-limit tests need Debian's redis-server, which they start on a port of their own
# (a freshly installed system service is stopped and disabled: nothing should listen on 6379).
browser-deps:
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server && { $(SUDO) systemctl disable --now redis-server 2>/dev/null || $(SUDO) service redis-server stop >/dev/null 2>&1 || true; }; }
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; }
	@[ ! -f package.json ] || { [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; } || npm ci --no-audit --no-fund --loglevel=error
