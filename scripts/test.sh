#!/usr/bin/env bash
# Runs the whole suite on SQLite, or on TEST_DATABASE_URL (PostgreSQL) when it is set.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "test database: ${TEST_DATABASE_URL:-SQLite (temporary file)}"
exec .venv/bin/python -m pytest "$@"
