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

"$BIN/gunicorn" wsgi:app --bind "127.0.0.1:${PORT}" --workers "${WEB_WORKERS:-2}" --threads 4 \
  --access-logfile - --log-level info &
WEB=$!
trap 'kill $WEB ${WORKER:-} 2>/dev/null; wait' INT TERM EXIT
# Wait for the web server, then push the menu (to the local stand-in when WECHAT_SIMULATOR=1).
for _ in $(seq 50); do
  "$BIN/python" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:${PORT}/healthz', timeout=1)" \
    2>/dev/null && break
  sleep 0.2
done
"$BIN/flask" wechat sync-menu >/dev/null || echo "run: could not push the WeChat menu (see the log above)" >&2
"$BIN/flask" worker run &
WORKER=$!

cat <<MSG

  Gonglian is running (database: ${DATABASE_URL:-instance/gonglian.sqlite3})
    Phone simulator (worker side):  http://127.0.0.1:${PORT}/simulator/
    Staff console:                  http://127.0.0.1:${PORT}/console/
    API documentation (OpenAPI):    http://127.0.0.1:${PORT}/api/openapi.json
    Health:                         http://127.0.0.1:${PORT}/healthz
  Press Ctrl+C to stop.

MSG
wait -n $WEB $WORKER
