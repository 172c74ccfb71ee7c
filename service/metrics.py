"""Prometheus metrics (prometheus_client), shared by the web workers and the background worker.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py) before this module is
imported, so every process writes its samples to files there and /metrics adds them up.
A worker on another host exposes its own with `flask worker run --metrics-port`.
"""
import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY

REQUESTS = Counter("gonglian_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram("gonglian_http_request_seconds", "Time to answer an HTTP request", ["endpoint"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
DEDUP_HITS = Counter("gonglian_wechat_dedup_hits_total", "Callback deliveries answered as retries")
REDIS_ERRORS = Counter("gonglian_redis_errors_total", "Redis calls that failed (degraded to the database)",
                       ["use"])
DELIVERIES = Counter("gonglian_outbox_deliveries_total", "Outbox send attempts by result", ["result"])
JOB_RUNS = Counter("gonglian_job_runs_total", "Periodic job runs", ["job"])
JOB_FAILURES = Counter("gonglian_job_failures_total", "Periodic job runs that raised", ["job"])
JOB_SKIPS = Counter("gonglian_job_skips_total", "Job runs skipped: another process holds the lease", ["job"])
WECHAT_ERRORS = Counter("gonglian_wechat_api_errors_total", "WeChat API errors by errcode", ["errcode"])
CONTACT_FLUSHES = Counter("gonglian_contact_rows_flushed_total", "Last-contact times written behind")


def render(extra=()) -> tuple[bytes, str]:
    """The text exposition format for /metrics: every process's samples in multiprocess mode
    (else this process's), then the collectors in `extra` (read at scrape time)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scraped = CollectorRegistry()
    for collector in extra:
        scraped.register(collector)
    return generate_latest(registry) + generate_latest(scraped), CONTENT_TYPE_LATEST


def register_request_metrics(app) -> None:
    """Count and time every request by endpoint (the rule's endpoint name, never the URL); the
    timer starts in service.logs's before-request hook."""
    from flask import request

    @app.after_request
    def _observe(response):
        observe_request(request.endpoint or "unmatched", request.method, response.status_code,
                        request.environ.get("gonglian.started"))
        return response


_children: dict[tuple, tuple] = {}


def observe_request(endpoint: str, method: str, status: int, started: float | None) -> None:
    """Count one answered request and its latency (labels resolved once per key)."""
    import time

    key = (endpoint, method, status)
    pair = _children.get(key)
    if pair is None:
        pair = _children[key] = (REQUESTS.labels(endpoint, method, str(status)), LATENCY.labels(endpoint))
    pair[0].inc()
    if started is not None:
        pair[1].observe(time.perf_counter() - started)
