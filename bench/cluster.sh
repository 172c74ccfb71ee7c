#!/usr/bin/env bash
# Debian's nginx (docs/deploy/nginx.conf, as shipped) in front of two app servers and two
# workers on loopback, all on one PostgreSQL database and Redis; runs the callback load through
# nginx, then the join → approve → card flow (bench/cluster_flow.py: OAuth through the WeChat
# stand-in, which the app servers mount, the outbox delivered to it by the two workers), and prints
# the figures. Cleans up after itself (own database, own Redis prefix, own ports).
#   bash bench/cluster.sh [seconds per run, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-5}"
BIN=.venv/bin
WORK="$(mktemp -d /tmp/gonglian-cluster-XXXXXX)"
DB="gonglian_ops_cluster_$$"
PGADMIN="postgresql://postgres@127.0.0.1:5432"
free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
APP1=$(free_port); APP2=$(free_port); FRONT=$(free_port)
export DATABASE_URL="$PGADMIN/$DB" REDIS_URL="redis://127.0.0.1:6379/0" REDIS_PREFIX="gonglian-ops-cluster-$$:"
export FLASK_APP=wsgi WECHAT_TOKEN=bench-token WECHAT_APPID=wxbench000000001 LOG_FORMAT=json
export WECHAT_AES_KEY="$("$BIN/python" -c 'import base64,hashlib; print(base64.b64encode(hashlib.sha256(b"bench").digest()).decode().rstrip("="))')"
# The WeChat stand-in, reached through nginx like every other path (WeChat's servers are not reachable here).
export WECHAT_SIMULATOR=1 WECHAT_API_BASE="http://127.0.0.1:$FRONT/sim/wechat" PUBLIC_BASE_URL="http://127.0.0.1:$FRONT"
unset GONGLIAN_WEB PROMETHEUS_MULTIPROC_DIR
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 2
  psql "$PGADMIN/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli --scan --pattern "${REDIS_PREFIX}*" | xargs -r redis-cli del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
createdb -h 127.0.0.1 -U postgres "$DB"
"$BIN/flask" db upgrade >/dev/null 2>&1
"$BIN/flask" demo seed >/dev/null 2>&1
for port in "$APP1" "$APP2"; do
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG="$WORK/access-$port.log" WEB_WORKERS=1 \
    PROMETHEUS_MULTIPROC_DIR="$WORK/metrics-$port" "$BIN/gunicorn" -c gunicorn.conf.py >"$WORK/app-$port.log" 2>&1 &
  PIDS+=($!)
done
for n in 1 2; do "$BIN/flask" worker run >"$WORK/worker-$n.log" 2>&1 & PIDS+=($!); done
# nginx starts once both app servers answer: a refused connect would count against an upstream
# (max_fails) and the load's first requests would find it disabled ("no live upstreams", 502).
for port in "$APP1" "$APP2"; do
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
done
mkdir -p "$WORK"/{body,proxy,fastcgi,uwsgi,scgi}
sed -e "s#@APP1@#127.0.0.1:$APP1#; s#@APP2@#127.0.0.1:$APP2#; s#@LISTEN@#127.0.0.1:$FRONT#; s#@PREFIX@#$WORK#g" \
  docs/deploy/nginx.conf >"$WORK/nginx.conf"
nginx -q -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/error.log"
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$FRONT/healthz" >/dev/null && break; sleep 0.3; done
echo "cluster: nginx :$FRONT → app servers :$APP1 :$APP2 (1 gunicorn worker each), 2 workers, PostgreSQL $DB + Redis"
curl -s "http://127.0.0.1:$FRONT/readyz"; echo
SCENE="fed:$(psql "$PGADMIN/$DB" -Atc "select id from federations where status='active' order by id limit 1")"
for kind in keyword scan safe; do
  for conc in 16 64; do
    "$BIN/python" - "$WORK/req-$kind-$conc" "$kind" "$SCENE" <<'PY'
import sys, time
sys.path.insert(0, ".")
from bench.callback import write_requests
write_requests(sys.argv[1], sys.argv[2], 2, 40000, int(time.time() * 1000) % 10**7, sys.argv[3])
PY
    printf "%-8s c=%-3s " "$kind" "$conc"
    wrk -t2 -c"$conc" -d"${SECONDS_PER_RUN}s" --timeout 5s -s bench/replay.lua "http://127.0.0.1:$FRONT" -- "$WORK/req-$kind-$conc" \
      | "$BIN/python" -c 'import json,sys
line=[l for l in sys.stdin if l.startswith("RESULT ")][0]; r=json.loads(line[7:])
errors=sum(r[k] for k in ("connect","read","write","status","timeout")); rps=r["requests"]/(r["duration_us"]/1e6)
print("%7.0f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %d (connect %d, read %d, write %d, status %d, timeout %d)  reused %d" % (rps, r["p50_us"]/1000, r["p99_us"]/1000, errors, r["connect"], r["read"], r["write"], r["status"], r["timeout"], r["wrapped"]))'
    rm -f "$WORK"/req-"$kind"-"$conc"-*.txt
  done
done
"$BIN/python" bench/cluster_flow.py "http://127.0.0.1:$FRONT" --flows "${FLOWS:-40}"
echo "nginx errors logged: $(grep -c . "$WORK/error.log" 2>/dev/null || true)"; sort "$WORK/error.log" 2>/dev/null | sed -E 's/^[0-9/: ]+//; s/client: .*//' | sort | uniq -c | sort -rn | head -5
echo "app servers' non-2xx answers by status: $(cat "$WORK"/access-*.log | grep -o '"status":[0-9]*' | sort | uniq -c | grep -v '"status":2' | tr '\n' ' ')"
echo "requests per app server: $(wc -l <"$WORK/access-$APP1.log") / $(wc -l <"$WORK/access-$APP2.log")"
echo "metrics through nginx from loopback: $(curl -s "http://127.0.0.1:$FRONT/metrics" | grep -c '^gonglian_') gonglian_* samples"
