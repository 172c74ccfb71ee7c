#!/usr/bin/env bash
# Runs the whole service on the embedded default (SQLite): migrations, demo data, the web
# server (gunicorn), the background worker and the local WeChat stand-in with its simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
export PORT="${PORT:-8000}"
export FLASK_APP=wsgi
export WECHAT_SIMULATOR="${WECHAT_SIMULATOR:-1}"
# A development EncodingAESKey, so the simulator's safe-mode (encrypted) switch works out of the box.
if [ "$WECHAT_SIMULATOR" = "1" ]; then
  export WECHAT_AES_KEY="${WECHAT_AES_KEY:-GonglianDevOnlyEncodingAesKey0123456789abcd}"
fi
BIN=.venv/bin
mkdir -p instance

"$BIN/flask" db upgrade
"$BIN/flask" demo seed

# The web server (gunicorn.conf.py) and the background worker under a small supervisor: a worker
# that crashes is restarted with backoff while the web keeps serving; Ctrl+C stops both quietly.
export LOG_FORMAT="${LOG_FORMAT:-text}"
export WEB_WORKERS="${WEB_WORKERS:-2}"
BANNER="
  Gonglian is running (database: ${DATABASE_URL:-instance/gonglian.sqlite3})
    Phone simulator (worker side):  http://127.0.0.1:${PORT}/simulator/
    Staff console:                  http://127.0.0.1:${PORT}/console/
    API documentation (OpenAPI):    http://127.0.0.1:${PORT}/api/openapi.json
    Health / readiness / metrics:   http://127.0.0.1:${PORT}/healthz  /readyz  /metrics
  Press Ctrl+C to stop.
"
exec "$BIN/python" scripts/supervise.py --ready-url "http://127.0.0.1:${PORT}/healthz" \
  --once "$BIN/flask wechat sync-menu" --banner "$BANNER" \
  "web=$BIN/gunicorn -c gunicorn.conf.py" "worker=$BIN/flask worker run"
