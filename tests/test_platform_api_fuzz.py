"""Schemathesis against /api/openapi.json: no input answers 5xx, and every answer is what the
document says (status, content type, headers, body schema — the error shape included).

Every operation is tried with generated valid (positive) and invalid (negative) input, three
times over: unauthenticated, as a staff admin with the X-CSRF-Token header, and as a worker
(openid in the session). The demo tree and staff exist, so some generated ids hit real rows.
FUZZ_EXAMPLES (default 2) bounds the examples per operation, mode and caller; the run prints
its operations / requests / 5xx counts. On SQLite and on PostgreSQL alike (TEST_DATABASE_URL)."""
import collections
import os
import time

import pytest
import schemathesis
from flask.globals import _cv_app
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
STAFF, PASSWORD = "sjz-admin", "gonglian-demo"
WORKER_OPENID = "ofuzz0000000000000000000001"


class Caller:
    """Cookies and headers of one kind of caller, renewed when a generated request ended the
    session (a logout, a deactivation, a password reset of this very account)."""

    def __init__(self, app, kind: str):
        self.app, self.kind = app, kind
        self.cookies, self.headers = {}, {}
        self.renew()

    def renew(self) -> None:
        client = self.app.test_client()
        token = client.get("/api/auth/session").get_json()["csrf_token"]
        if self.kind == "staff":
            answer = client.post("/api/auth/login", json={"username": STAFF, "password": PASSWORD},
                                 headers={"X-CSRF-Token": token})
            assert answer.status_code == 200, answer.get_json()
            token = answer.get_json()["csrf_token"]
        elif self.kind == "worker":
            with client.session_transaction() as session:
                session["openid"] = WORKER_OPENID
            token = client.get("/api/auth/session").get_json()["csrf_token"]
        cookie = client.get_cookie("session")
        self.cookies = {"session": cookie.value} if cookie else {}
        self.headers = {"X-CSRF-Token": token}

    def still_logged_in(self) -> bool:
        if self.kind != "staff":
            return True
        client = self.app.test_client()
        for name, value in self.cookies.items():
            client.set_cookie(name, value)
        return (client.get("/api/auth/session").get_json() or {}).get("staff") is not None


def _isolated(call):
    """Run `call` (one request) in an app context of its own, as in production and as the
    `client` fixture does: the test's own context would carry `g` (the logged-in user) over."""
    from service.extensions import db

    token = _cv_app.set(None)
    try:
        return call()
    finally:
        _cv_app.reset(token)
        db.session.expire_all()


def _run(schema, callers) -> tuple[collections.Counter, list, dict]:
    counts, server_errors, failures = collections.Counter(), [], collections.defaultdict(list)
    operations = [result.ok() for result in schema.get_all_operations()]
    counts["operations"] = len(operations)
    for caller in callers:
        for operation in operations:
            if not caller.still_logged_in():
                caller.renew()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                          phases=[Phase.generate], suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def call(case):
                    response = _isolated(lambda: case.call(headers=caller.headers, cookies=caller.cookies))
                    counts["requests"] += 1
                    counts[f"{caller.kind} {response.status_code}"] += 1
                    if response.status_code >= 500:
                        server_errors.append((caller.kind, operation.label, response.status_code))
                    try:
                        case.validate_response(response, checks=CHECKS, headers=caller.headers)
                    except BaseException as group:  # schemathesis' FailureGroup
                        for failure in getattr(group, "exceptions", [group]):
                            failures[(operation.label, type(failure).__name__)].append(
                                f"{caller.kind} {response.status_code}: {str(failure)[:400]}")

                try:
                    call()
                except Exception as error:
                    # Hypothesis cannot make a negative case for an operation without parameters.
                    if type(error).__name__ != "Unsatisfiable":
                        raise
    return counts, server_errors, failures


def test_no_input_makes_a_server_error_and_every_answer_is_documented(app, feds, live_server, capsys):
    """(live_server: what calls out to WeChat reaches the stand-in, as in development.)"""
    from service.devtools import demo
    from service.extensions import db

    demo.seed_staff()
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.generation.update(with_security_parameters=False)  # our callers bring their own
    started = time.monotonic()
    counts, server_errors, failures = _run(schema, [Caller(app, kind) for kind in ("anonymous", "staff", "worker")])
    with capsys.disabled():
        print(f"\nschemathesis: {counts['operations']} operations, {counts['requests']} requests, "
              f"{len(server_errors)} responses >= 500, {len(failures)} other failures "
              f"({time.monotonic() - started:.0f} s, {EXAMPLES} examples per operation, mode and caller)")
        print("  by caller and status:", ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if " " in k))
    assert counts["operations"] > 100 and counts["requests"] > 3 * counts["operations"]
    for kind in ("staff", "worker"):  # the callers really were logged in: some answers are 2xx
        assert sum(v for k, v in counts.items() if k.startswith(f"{kind} 2")) >= 5, counts
    assert server_errors == []
    assert not failures, "\n".join(f"{label} {kind}: {items[0]}" for (label, kind), items in sorted(failures.items()))


@pytest.mark.parametrize("documented", ["flask-smorest's default", "ours"])
def test_the_checks_can_fail(app, documented):
    """The run above is no check that cannot fail: documenting flask-smorest's default error
    schema (what /api/openapi.json said before) makes the same check refuse our error answers."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin
    from flask_smorest.error_handler import ErrorSchema

    document = app.test_client().get("/api/openapi.json").get_json()
    default_error = document["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    assert default_error == {"$ref": "#/components/schemas/ErrorOut"}
    if documented != "ours":
        spec = APISpec("old", "1", "3.0.3", plugins=[MarshmallowPlugin()])
        spec.components.schema("ErrorSchema", schema=ErrorSchema)
        document["components"]["schemas"]["ErrorOut"] = spec.to_dict()["components"]["schemas"]["ErrorSchema"]
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    operation = schema["/api/requests/{request_id}"]["GET"]
    case = operation.Case(path_parameters={"request_id": 1})
    response = _isolated(case.call)
    assert response.status_code == 401 and response.json()["error"]["code"] == "oauth_required"
    if documented == "ours":
        case.validate_response(response, checks=[response_schema_conformance])
    else:
        with pytest.raises(BaseException, match="violates schema"):
            case.validate_response(response, checks=[response_schema_conformance])


def test_the_document_says_who_may_call_and_what_files_come_back(client):
    document = client.get("/api/openapi.json").get_json()
    assert set(document["components"]["securitySchemes"]) == {"session", "csrf"}
    assert document["components"]["securitySchemes"]["csrf"] == {
        **document["components"]["securitySchemes"]["csrf"], "type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
    operations = {(method.upper(), path): op for path, item in document["paths"].items()
                  for method, op in item.items() if method != "parameters"}
    for (method, path), operation in operations.items():
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            assert operation["security"] == [{"session": [], "csrf": []}], (method, path)
        elif operation.get("x-login"):
            assert operation["security"] == [{"session": []}], (method, path)
    assert operations[("GET", "/api/inbox")]["x-login"] == "staff"
    assert operations[("GET", "/api/requests")]["x-login"] == "worker"
    assert "x-login" not in operations[("GET", "/api/federations")]
    files = {("GET", "/api/inbox/export.csv"): "text/csv", ("GET", "/api/staff/contests/{contest_id}/signups.csv"): "text/csv",
             ("GET", "/api/card/qr.svg"): "image/svg+xml", ("GET", "/api/federations/{federation_id}/poster.{fmt}"): "image/png"}
    for key, content_type in files.items():
        assert content_type in operations[key]["responses"]["200"]["content"], key
    for name in ("DEFAULT_ERROR", "UNPROCESSABLE_ENTITY", "NOT_FOUND", "CONFLICT"):
        response = document["components"]["responses"].get(name)
        if response:
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
