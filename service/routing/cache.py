"""What routing reads from the database: coverage rules of active federations by region
prefix, and active upper unions by region code — cached per process.

Every change that can change a routing answer replaces the token in `routing_version` in
the same transaction (the before_flush listener in models/federation.py). `snapshot()` reads
that token (one indexed single-row SELECT) and answers from the process-local cache filled
under the same token, querying only the prefixes it has not seen yet. A token is random, so
a rolled-back change can never be mistaken for a committed one; and the token is read
before the rules it labels, so a cache can only hold data newer than its token, never older
(the next call then sees a new token and starts afresh).

Membership and open-request counts (the tie-breaks) change all the time: never cached.
"""
import threading
from typing import NamedTuple

from sqlalchemy import bindparam, select

from models.federation import FEDERATION_KINDS, CoverageRule, Federation
from service.extensions import db

# Switched off by the benchmark to measure the uncached path; on in production.
enabled = True
_lock = threading.Lock()
_cache: "Snapshot | None" = None


class Rule(NamedTuple):
    federation_id: int
    name: str
    kind: str
    region_prefix: str
    industry_prefix: str | None
    priority: int


class Union(NamedTuple):
    id: int
    name: str


# Built once: column-only selects driven by the coverage prefix index / the region code index.
_RULES = (
    select(Federation.id, Federation.name, Federation.kind, CoverageRule.region_prefix,
           CoverageRule.industry_prefix, Federation.priority)
    .join(CoverageRule, CoverageRule.federation_id == Federation.id)
    .where(CoverageRule.region_prefix.in_(bindparam("prefixes", expanding=True)),
           Federation.status == "active", Federation.kind.in_(FEDERATION_KINDS))
    .order_by(CoverageRule.id)
)
_UPPERS = (
    select(Federation.id, Federation.name, Federation.region_code)
    .where(Federation.region_code.in_(bindparam("codes", expanding=True)), Federation.kind == "upper",
           Federation.status == "active")
    .order_by(Federation.id)
)
_ROOT = (
    select(Federation.id, Federation.name)
    .where(Federation.kind == "upper", Federation.status == "active")
    .order_by(Federation.parent_id.is_not(None), Federation.id).limit(1)
)
_TOKEN_SQL = "SELECT token FROM routing_version WHERE id = 1"


def _connection():
    """The session's connection (same transaction), for Core statements without the ORM's
    per-call overhead. current_token() has already flushed what the session held."""
    return db.session.connection()


def _query_rules(prefixes: list[str]) -> dict[str, list[Rule]]:
    found: dict[str, list[Rule]] = {prefix: [] for prefix in prefixes}
    if prefixes:
        for row in _connection().execute(_RULES, {"prefixes": prefixes}):
            found[row[3]].append(Rule(*row))
    return found


def _query_uppers(codes: list[str]) -> dict[str, Union | None]:
    found: dict[str, Union | None] = {code: None for code in codes}
    if codes:
        for federation_id, name, code in _connection().execute(_UPPERS, {"codes": codes}):
            if found.get(code) is None:
                found[code] = Union(federation_id, name)
    return found


def _query_root() -> Union | None:
    row = _connection().execute(_ROOT).first()
    return Union(*row) if row else None


class Snapshot:
    """Routing's view of the tree. Uncached (token None) it queries every time."""

    _MISSING = object()

    def __init__(self, token: str | None):
        self.token = token
        self._rules: dict[str, list[Rule]] = {}
        self._uppers: dict[str, Union | None] = {}
        self._root = self._MISSING

    def rules(self, prefixes: list[str]) -> list[Rule]:
        """Rules of active federations whose region prefix is one of `prefixes`."""
        if self.token is None:
            found = _query_rules(prefixes)
        else:
            missing = [p for p in prefixes if p not in self._rules]
            if missing:
                self._rules.update(_query_rules(missing))
            found = self._rules
        return [rule for prefix in prefixes for rule in found[prefix]]

    def uppers(self, codes: list[str]) -> dict[str, Union | None]:
        """The active upper union (lowest id) registered at each region code, or None."""
        if self.token is None:
            return _query_uppers(codes)
        missing = [c for c in codes if c not in self._uppers]
        if missing:
            self._uppers.update(_query_uppers(missing))
        return {code: self._uppers[code] for code in codes}

    def root(self) -> Union | None:
        """The top of the tree: the first active upper union without a parent."""
        if self.token is None:
            return _query_root()
        if self._root is self._MISSING:
            self._root = _query_root()
        return self._root


def current_token() -> str | None:
    """The routing token as this transaction sees it.

    Pending changes are flushed first (as any query would autoflush them), so that a change
    made in this transaction has already replaced the token before rules are read under it.
    The read itself is one pre-written statement on the session's connection: the hot path
    of every route() call."""
    flush_pending()
    return db.session.connection().exec_driver_sql(_TOKEN_SQL).scalar()


def flush_pending() -> None:
    """What an ORM query would do first: flush pending changes (unless autoflush is off)."""
    session = db.session
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()


def snapshot() -> Snapshot:
    """The cached view for the current routing token (read now, in the caller's transaction)."""
    global _cache
    if not enabled:
        flush_pending()
        return Snapshot(None)
    token = current_token()
    if token is None:
        return Snapshot(None)
    cache = _cache
    if cache is None or cache.token != token:
        with _lock:
            if _cache is None or _cache.token != token:
                _cache = Snapshot(token)
            cache = _cache
    return cache


def clear() -> None:
    """Forget the process's cache (tests, benchmark)."""
    global _cache
    _cache = None
