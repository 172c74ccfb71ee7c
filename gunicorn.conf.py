"""gunicorn's settings (gunicorn reads ./gunicorn.conf.py; command-line options override it).

What gunicorn refuses before the app sees a request is answered in the app's JSON error shape
by our worker (service/http_server.py); the limits are gunicorn's defaults, stated here because
the OpenAPI document promises them (handlers/api/openapi.py). A proxy in front may refuse earlier
with its own page: keep its limits at or above these."""
worker_class = "service.http_server.JsonErrorsWorker"
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
