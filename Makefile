# Kunshan Portal — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test install lint check-deploy worker beat clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Laptop mode: SQLite under var/, Celery tasks run in-process, e-mail written to var/mail/.
# The beat schedule's jobs (reminders, outbox flush) run in-process too: run_periodic starts beside
# runserver and is stopped with it (the trap), since without Redis there is no celery beat.
# PORT=8001 make run: every link the portal writes (e-mails, reminders, certificate QR codes, calendar
# files, the login address seed_demo prints) follows the port runserver listens on, unless PORTAL_BASE_URL is set.
RUN_ENV := env -u DATABASE_URL -u REDIS_URL DEBUG=1 PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$${PORT:-8000}}
run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py run_periodic & periodic=$$!; \
	trap 'kill $$periodic 2>/dev/null; wait $$periodic 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$${PORT:-8000}

# The whole suite. With DATABASE_URL / REDIS_URL set it runs on PostgreSQL and Redis.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# The production check CI runs: the settings a real deployment would use.
check-deploy: install
	env DEBUG=0 SECRET_KEY=ci-deploy-check-$$(date +%s)-a-long-random-looking-secret-value-for-checks \
	    ALLOWED_HOSTS=portal.example.cn $(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A kunshan_portal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A kunshan_portal beat --loglevel=INFO

clean:
	rm -rf $(VENV) var/portal.sqlite3 .pytest_cache
