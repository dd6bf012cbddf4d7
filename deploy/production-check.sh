#!/bin/sh
# Starts meetapp as it is deployed (gunicorn, 2 workers, PostgreSQL, Redis) on 127.0.0.1 and
# checks it under concurrent registrations; see deploy/production_check.py.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
exec "$PYTHON" deploy/production_check.py "$@"
