"""gunicorn settings for Gonglian's web servers (`gunicorn -c gunicorn.conf.py`, read by default).

Every value can be overridden from the environment (GUNICORN_*/WEB_*), and these are the settings
bench/callback.py and bench/cluster.sh measure.
"""
import multiprocessing
import os
import shutil
import sys
import tempfile

# Serving only: no CLI commands, no Alembic in a web worker (service/app.py).
os.environ.setdefault("GONGLIAN_WEB", "1")
os.environ.setdefault("LOG_FORMAT", "json")
# Prometheus in multiprocess mode: each worker writes samples here, /metrics adds them up. Set
# before the app (and prometheus_client) is imported.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(tempfile.gettempdir(), f"gonglian-metrics-{os.getpid()}")
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]
os.makedirs(_metrics_dir, exist_ok=True)
# The database cancels a statement that would outlast WeChat's 5 seconds (PostgreSQL).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "4000")

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# One process per core, a few threads each: the callback is CPU-bound, database waits overlap.
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
# gthread, answering what gunicorn itself refuses in our JSON error shape (service/http_server.py)
worker_class = "service.http_server.JsonErrorsWorker"
threads = int(os.environ.get("WEB_THREADS", "4"))
# The app is loaded once in the master and forked: workers start in milliseconds and share pages.
preload_app = True
# WeChat gives a callback 5 seconds: a worker that stops answering its heartbeat for 4 is
# replaced; the database is told to cancel statements that run longer (service/config.py).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "4"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))  # SIGTERM: finish, then exit
keepalive = 5  # nginx keeps upstream connections open
# No recycling after N requests: a recycled threaded worker drops the requests already sent on its
# keep-alive connections (wrk counted them as errors), and the app holds no growing state. Set
# WEB_MAX_REQUESTS to recycle anyway (jittered, so workers do not all restart at once).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Request-line and header limits (gunicorn's defaults, promised by the OpenAPI document,
# handlers/api/openapi.py; a proxy in front should keep its limits at or above these).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Access log: one JSON line per request with the path only — never the query string (the /wechat
# query carries WeChat's signature, timestamp and nonce) — and the request id.
# AccessLogger writes the same lines as gunicorn's, making only the atoms the format names.
logger_class = "service.http_server.AccessLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = ('{"time":"%(t)s","logger":"access","method":"%(m)s","path":"%(U)s","status":%(s)s,'
                     '"bytes":"%(B)s","ms":%(M)s,"request_id":"%({x-request-id}o)s"}')
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def pre_fork(server, worker):
    # Everything the preloaded app made (modules, the model registry, reference data) lives as
    # long as the process: move it out of the collector's generations, so that a full collection
    # in a worker walks only what requests made (else one every few seconds stalls the callback
    # for tens of milliseconds), and forked workers keep sharing those pages.
    import gc

    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    # Connections opened in the master (while loading the app) must not be shared by workers.
    loaded = sys.modules.get("wsgi")
    if loaded is not None and hasattr(loaded, "app"):
        from service.extensions import db

        with loaded.app.app_context():
            db.engine.dispose(close=False)


def worker_exit(server, worker):
    # Write the last-contact times still in memory (service/wechat/contact.py).
    contact = sys.modules.get("service.wechat.contact")
    if contact is None:
        return
    try:
        contact.flush()
    except Exception:
        server.log.exception("contact flush on exit failed")


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _metrics_dir.startswith(tempfile.gettempdir()):
        shutil.rmtree(_metrics_dir, ignore_errors=True)
