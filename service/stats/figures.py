"""The figures of one node of the union tree for one period: members and applications, help
requests (types, outcomes, service levels, amounts, satisfaction) and the places where routing
found no federation. Built from `collect.Counts`, so a federation (counted live) and an upper
union (read from rollups) get the same figures. Money is a string of yuan with 2 decimals."""
from datetime import date, timedelta
from decimal import Decimal

from models.membership import APPLICATION_STATUS_LABELS, EMPLOYMENT_FORM_LABELS
from models.request import REQUEST_TYPE_LABELS, REQUEST_TYPES, STATUS_LABELS
from service import refdata
from service.help_requests.deadlines import TARGETS
from service.help_requests.outcomes import OUTCOME_LABELS
from service.stats import sources
from service.stats.collect import Counts, counts_for, members_at
from service.stats.periods import Period, next_month

UNKNOWN = "未记录"
RESULT_LABELS = {**OUTCOME_LABELS, "partial": "部分解决", "withdrawn": "职工撤回"}
FORM_LABELS = {**EMPLOYMENT_FORM_LABELS, "?": UNKNOWN}
MEMBER_METRICS = ("mem_new", "mem_region", "mem_withdrawn", "tr_in", "tr_out", "app_new", "app_decided")
REQUEST_METRICS = ("req_new", "req_outcome", "req_amount", "req_workers", "req_frt", "req_rt", "req_fr_ok",
                   "req_res_ok", "req_escalated", "req_rating", "tr_in", "tr_out")
GAP_METRICS = ("gap_req", "gap_app")


def yuan(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def industry_label(code: str) -> str:
    found = refdata.get_industry(code) if code != "?" else None
    return found.name if found else UNKNOWN


def region_label(code: str) -> str:
    """石家庄市长安区 (the province is left out inside Hebei, whose platform this is)."""
    if code == "?":
        return UNKNOWN
    name = refdata.region_full_name(code) or code
    return name[3:] if name.startswith("河北省") and len(name) > 3 else name


def buckets(period: Period) -> list[date]:
    """The chart's x axis: each day of a short period, else each month."""
    if period.daily_series:
        return [period.start + timedelta(days=i) for i in range(period.days)]
    return period.months()


def _series_key(day: date, period: Period) -> str:
    return day.isoformat() if period.daily_series else day.strftime("%Y-%m")


def _series(counts: Counts, period: Period, metric: str) -> dict[str, int]:
    found = counts.series(metric, "s")
    return {_series_key(day, period): found.get(day, 0) for day in buckets(period)}


def _ranked(cells: dict, labels) -> list[dict]:
    rows = [{"key": key, "label": labels(key), "n": cell[0]} for key, cell in cells.items() if cell[0]]
    return sorted(rows, key=lambda row: (-row["n"], row["key"]))


# ------------------------------------------------------------------ members
def member_figures(node, period: Period, counts: Counts | None = None) -> dict:
    counts = counts or counts_for(node, period, MEMBER_METRICS)
    new, _ = counts.total("mem_new")
    decided = counts.by("app_decided")
    on_time, late = decided.get("ontime", [0, 0]), decided.get("late", [0, 0])
    decided_n = on_time[0] + late[0]
    seconds = on_time[1] + late[1]
    submitted = counts.by("app_new")
    joined, withdrawn = _series(counts, period, "mem_new"), _series(counts, period, "mem_withdrawn")
    return {
        "totals": {
            "new": new, "withdrawn": counts.total("mem_withdrawn")[0],
            "transfers_in": counts.total("tr_in", k1="membership")[0],
            "transfers_out": counts.total("tr_out", k1="membership")[0],
            "members_at_end": members_at(node, next_month(period.end)),
        },
        "by_form": _ranked(counts.by("mem_new"), lambda k: FORM_LABELS.get(k, UNKNOWN)),
        "by_industry": _ranked(counts.by("mem_new", key="k2"), industry_label),
        "by_region": _ranked(counts.by("mem_region"), region_label),
        "series": [{"bucket": key, "new": joined[key], "withdrawn": withdrawn[key]} for key in joined],
        "applications": {
            "submitted": sum(cell[0] for cell in submitted.values()),
            "by_status": _ranked(submitted, lambda k: APPLICATION_STATUS_LABELS.get(k, k)),
            "by_form": _ranked(counts.by("app_new", key="k2"), lambda k: FORM_LABELS.get(k, UNKNOWN)),
            "decided": decided_n, "decided_on_time": on_time[0],
            "on_time_share": share(on_time[0], decided_n),
            "average_days": round(float(seconds) / decided_n / 86400, 1) if decided_n else None,
            "transfers_out": counts.total("tr_out", k1="application")[0],
        },
    }


# ------------------------------------------------------------------ help requests
def percentile(histogram: dict[str, int], q: float) -> int | None:
    """The upper edge (hours) of the bucket holding the q-quantile; None past the last edge or
    without data. Durations are kept in buckets, so this is an upper bound ("within N hours")."""
    total = sum(histogram.values())
    if not total:
        return None
    target, seen = q * total, 0
    for key in sorted(histogram):
        seen += histogram[key]
        if seen >= target:
            return None if key == sources.OVER else int(key)
    return None


def _level(counts: Counts, kind: str, timing: str, verdict: str, target: timedelta) -> dict:
    histogram = {key: cell[0] for key, cell in counts.by(timing, key="k2", where={"k1": kind}).items()}
    measured = sum(histogram.values())
    seconds = counts.total(timing, k1=kind)[1]
    states = counts.by(verdict, key="k2", where={"k1": kind})
    ok, late = states.get("ontime", [0])[0], states.get("late", [0])[0]
    return {"measured": measured, "on_time": ok, "late": late, "on_time_share": share(ok, ok + late),
            "median_hours": percentile(histogram, 0.5), "p90_hours": percentile(histogram, 0.9),
            "average_hours": round(float(seconds) / measured / 3600, 1) if measured else None,
            "target_hours": int(target.total_seconds() // 3600)}


def request_figures(node, period: Period, counts: Counts | None = None) -> dict:
    counts = counts or counts_for(node, period, REQUEST_METRICS)
    by_type = counts.by("req_new")
    status = counts.by("req_new", key="k2")
    amounts = counts.by("req_amount")
    workers = counts.by("req_workers")
    ratings = counts.by("req_rating", key="k2")
    rated = sum(cell[0] for cell in ratings.values())
    rating_sum = sum(int(key) * cell[0] for key, cell in ratings.items())
    daily = counts.series("req_new", "s", split=True)
    types = [t for t in REQUEST_TYPES]
    outcomes = [{"type": k1, "type_label": REQUEST_TYPE_LABELS.get(k1, k1), "result": k2,
                 "label": RESULT_LABELS.get(k2, k2), "n": n}
                for (k1, k2), n in sorted(counts.pairs("req_outcome").items()) if n]
    recovered = sum((cell[1] for cell in amounts.values()), Decimal(0))
    return {
        "totals": {
            "new": sum(cell[0] for cell in by_type.values()),
            "open": sum(status.get(s, [0])[0] for s in ("new", "in_progress", "awaiting_worker")),
            "resolved": sum(status.get(s, [0])[0] for s in ("resolved", "closed")),
            "withdrawn": status.get("withdrawn", [0])[0],
            "escalated": counts.total("req_escalated")[0],
            "transferred_out": counts.total("tr_out", k1="request", k2="transfer")[0],
            "transferred_in": counts.total("tr_in", k1="request", k2="transfer")[0],
            "escalated_in": counts.total("tr_in", k1="request", k2="escalate")[0],
            "amount_recovered": yuan(recovered), "amount_cases": sum(cell[0] for cell in amounts.values()),
            "workers_covered": int(sum(cell[1] for cell in workers.values())),
        },
        "by_type": _ranked(by_type, lambda k: REQUEST_TYPE_LABELS.get(k, k)),
        "by_status": _ranked(status, lambda k: STATUS_LABELS.get(k, k)),
        "outcomes": outcomes,
        "service_levels": [
            {"type": kind, "label": REQUEST_TYPE_LABELS[kind],
             "first_response": _level(counts, kind, "req_frt", "req_fr_ok", TARGETS[kind].first_response),
             "resolution": _level(counts, kind, "req_rt", "req_res_ok", TARGETS[kind].resolution)}
            for kind in types if by_type.get(kind, [0])[0]
        ],
        "amounts": [{"type": kind, "label": REQUEST_TYPE_LABELS.get(kind, kind), "cases": amounts[kind][0],
                     "amount": yuan(amounts[kind][1]),
                     "workers_covered": int(workers.get(kind, [0, 0])[1])}
                    for kind in sorted(amounts, key=lambda k: REQUEST_TYPES.index(k) if k in REQUEST_TYPES else 9)],
        "satisfaction": {"rated": rated, "average": round(rating_sum / rated, 2) if rated else None,
                         "distribution": [{"rating": r, "n": ratings.get(str(r), [0])[0]} for r in range(1, 6)]},
        "series": [{"bucket": _series_key(day, period), **{t: daily.get(day, {}).get(t, 0) for t in types}}
                   for day in buckets(period)],
    }


# ------------------------------------------------------------------ where the next federation is needed
def gap_figures(node, period: Period, counts: Counts | None = None) -> dict:
    """Requests and applications routing gave to an upper union (no federation covered them),
    by county × industry section, over time, and by region for the map."""
    counts = counts or counts_for(node, period, GAP_METRICS)
    requests, applications = counts.pairs("gap_req"), counts.pairs("gap_app")
    rows = []
    for region, industry in set(requests) | set(applications):
        req, app = requests.get((region, industry), 0), applications.get((region, industry), 0)
        rows.append({"region": region, "region_name": region_label(region), "industry": industry,
                     "industry_name": industry_label(industry), "requests": req, "applications": app,
                     "total": req + app})
    rows.sort(key=lambda row: (-row["total"], row["region"], row["industry"]))
    by_region: dict[str, int] = {}
    for row in rows:
        by_region[row["region"]] = by_region.get(row["region"], 0) + row["total"]
    req_series, app_series = _series(counts, period, "gap_req"), _series(counts, period, "gap_app")
    return {
        "totals": {"requests": sum(requests.values()), "applications": sum(applications.values())},
        "rows": rows,
        "regions": region_tree(by_region),
        "series": [{"bucket": key, "requests": req_series[key], "applications": app_series[key]}
                   for key in req_series],
    }


def region_tree(by_county: dict[str, int]) -> list[dict]:
    """Counties grouped under their cities (from the shipped GB/T 2260 data), for the map."""
    cities: dict[str, dict] = {}
    for code, n in by_county.items():
        region = refdata.get_region(code) if code != "?" else None
        parent = region.parent_code if region and region.level == "county" else None
        city = parent if parent and refdata.get_region(parent) else (code if region else "?")
        entry = cities.setdefault(city, {"code": city, "name": region_label(city) if city != "?" else UNKNOWN,
                                         "value": 0, "children": []})
        entry["value"] += n
        entry["children"].append({"code": code, "name": region.name if region else UNKNOWN, "value": n})
    for entry in cities.values():
        entry["children"].sort(key=lambda c: -c["value"])
    return sorted(cities.values(), key=lambda c: -c["value"])
