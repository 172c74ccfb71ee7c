"""Schemas of the statistics API (staff; the provincial platform pulls the same figures).
Money is a string of yuan with two decimals; shares are fractions (0.9 = 90%); durations are the
upper edge, in hours, of the bucket holding the median / 90th percentile."""
import marshmallow as ma

from handlers.schemas.base import InSchema, OutSchema, UtcDateTime
from handlers.schemas.positions import PositionStatsOut

MONTH = ma.validate.Regexp(r"^\d{4}-\d{2}$", error="月份写法应如 2026-05")
ID = ma.validate.Range(1, 2**31 - 1, error="编号无效")
F = ma.fields


class StatsQuery(InSchema):
    node_id = F.Integer(load_default=None, validate=ID,
                 metadata={"description": "工会或联合会编号；默认为本人所在单位，只能是其下级"})
    period = F.String(load_default="month",
                validate=ma.validate.OneOf(["month", "quarter", "half", "year", "custom"], error="统计周期无效"),
                metadata={"description": "month | quarter | half | year | custom（按北京时间整月计）"})
    ref = F.String(load_default=None, validate=ma.validate.Length(max=10, error="周期写法无效"),
             metadata={"description": "2026-05、2026-Q2、2026-H1、2026；默认为当前周期"})
    start = F.String(load_default=None, validate=MONTH, metadata={"description": "custom：起始月份 YYYY-MM"})
    end = F.String(load_default=None, validate=MONTH, metadata={"description": "custom：结束月份 YYYY-MM"})


class NodeQuery(InSchema):
    node_id = F.Integer(load_default=None, validate=ID)


class ReportIn(InSchema):
    node_id = F.Integer(load_default=None, validate=ID)
    kind = F.String(required=True, validate=ma.validate.OneOf(["month", "half"], error="报告类型应为月度或半年"),
              metadata={"description": "month | half"})
    ref = F.String(load_default=None, validate=ma.validate.Length(max=10, error="周期写法无效"),
             metadata={"description": "2026-05 或 2026-H1；默认为上一个已结束的周期"})


class PeriodOut(OutSchema):
    kind, ref, label = F.String(), F.String(), F.String()
    start, end = F.String(metadata={"description": "YYYY-MM-DD"}), F.String(metadata={"description": "YYYY-MM-DD"})


class RankedOut(OutSchema):
    key, label, n = F.String(), F.String(), F.Integer()


class StatsNodeRefOut(OutSchema):
    id, name = F.Integer(), F.String()
    kind = F.String()


class StatsNodeOut(OutSchema):
    id, name, kind, kind_label, level, level_label = F.Integer(), F.String(), F.String(), F.String(), F.String(), F.String()
    counted = F.String(metadata={"description": "rollup（上级工会：按月汇总，作业维护）| live（联合会：实时计算）"})
    rolled_up_at = UtcDateTime(allow_none=True, metadata={"description": "汇总数据截至（UTC）"})
    path = F.List(F.Nested(StatsNodeRefOut))
    children = F.List(F.Nested(StatsNodeRefOut))


class MemberTotalsOut(OutSchema):
    new, withdrawn, transfers_in, transfers_out, members_at_end = (F.Integer() for _ in range(5))


class ApplicationFiguresOut(OutSchema):
    submitted, decided, decided_on_time, transfers_out = (F.Integer() for _ in range(4))
    on_time_share = F.Float(allow_none=True, metadata={"description": "15个工作日内审结的比例"})
    average_days = F.Float(allow_none=True)
    by_status = F.List(F.Nested(RankedOut))
    by_form = F.List(F.Nested(RankedOut))


class MemberSeriesOut(OutSchema):
    bucket = F.String(metadata={"description": "YYYY-MM-DD（一个月内按日）或 YYYY-MM"})
    new, withdrawn = F.Integer(), F.Integer()


class MemberFiguresOut(OutSchema):
    period = F.Nested(PeriodOut)
    totals = F.Nested(MemberTotalsOut)
    by_form, by_industry, by_region = (F.List(F.Nested(RankedOut)) for _ in range(3))
    series = F.List(F.Nested(MemberSeriesOut))
    applications = F.Nested(ApplicationFiguresOut)


class RequestTotalsOut(OutSchema):
    new, open, resolved, withdrawn, escalated = (F.Integer() for _ in range(5))
    transferred_out, transferred_in, escalated_in, amount_cases, workers_covered = (F.Integer() for _ in range(5))
    amount_recovered = F.String(metadata={"description": "元，两位小数：欠薪追回与调解协议金额之和"})


class OutcomeCountOut(OutSchema):
    type, type_label, result, label = F.String(), F.String(), F.String(), F.String()
    n = F.Integer()


class LevelOut(OutSchema):
    measured, on_time, late = F.Integer(), F.Integer(), F.Integer()
    on_time_share = F.Float(allow_none=True)
    median_hours = F.Integer(allow_none=True)
    p90_hours = F.Integer(allow_none=True)
    average_hours = F.Float(allow_none=True)
    target_hours = F.Integer()


class ServiceLevelOut(OutSchema):
    type, label = F.String(), F.String()
    first_response, resolution = F.Nested(LevelOut), F.Nested(LevelOut)


class AmountOut(OutSchema):
    type, label, amount = F.String(), F.String(), F.String()
    cases, workers_covered = F.Integer(), F.Integer()


class RatingCountOut(OutSchema):
    rating, n = F.Integer(), F.Integer()


class SatisfactionOut(OutSchema):
    rated = F.Integer()
    average = F.Float(allow_none=True)
    distribution = F.List(F.Nested(RatingCountOut))


class RequestFiguresOut(OutSchema):
    period = F.Nested(PeriodOut)
    totals = F.Nested(RequestTotalsOut)
    by_type, by_status = F.List(F.Nested(RankedOut)), F.List(F.Nested(RankedOut))
    outcomes = F.List(F.Nested(OutcomeCountOut))
    service_levels = F.List(F.Nested(ServiceLevelOut))
    amounts = F.List(F.Nested(AmountOut))
    satisfaction = F.Nested(SatisfactionOut)
    series = F.List(F.Dict(), metadata={"description": "[{bucket, legal_aid, mediation, …}] 各类型每日/每月新增"})


class GapRowOut(OutSchema):
    region, region_name, industry, industry_name = F.String(), F.String(), F.String(), F.String()
    requests, applications, total = F.Integer(), F.Integer(), F.Integer()


class RegionValueOut(OutSchema):
    code, name, value = F.String(), F.String(), F.Integer()


class RegionGroupOut(RegionValueOut):
    children = F.List(F.Nested(RegionValueOut))


class GapTotalsOut(OutSchema):
    requests, applications = F.Integer(), F.Integer()


class GapSeriesOut(OutSchema):
    bucket = F.String()
    requests, applications = F.Integer(), F.Integer()


class GapFiguresOut(OutSchema):
    period = F.Nested(PeriodOut)
    totals = F.Nested(GapTotalsOut)
    rows = F.List(F.Nested(GapRowOut), metadata={"description": "按县级地区 × 行业门类，降序"})
    regions = F.List(F.Nested(RegionGroupOut), metadata={"description": "按市、县分组（地区图）"})
    series = F.List(F.Nested(GapSeriesOut))


class ChildRowOut(OutSchema):
    id, name, kind, kind_label, status = F.Integer(), F.String(), F.String(), F.String(), F.String()
    members_new, requests_new, resolved, unrouted = (F.Integer() for _ in range(4))
    resolution_on_time_share = F.Float(allow_none=True)
    amount_recovered = F.String()


class ChildrenOut(OutSchema):
    period = F.Nested(PeriodOut)
    items = F.List(F.Nested(ChildRowOut))


class ContestTotalsOut(OutSchema):
    published, cancelled, signups, capacity, confirmed, waitlisted, promoted, held, checked_in = (
        F.Integer() for _ in range(9))
    fill_rate = F.Float(allow_none=True)
    attendance = F.Float(allow_none=True)


class ContestRowOut(OutSchema):
    id, federation_id = F.Integer(), F.Integer()
    title, status = F.String(), F.String()
    starts_at = UtcDateTime()
    capacity, confirmed, waitlisted, signups, promoted, checked_in = (F.Integer() for _ in range(6))


class ContestFiguresOut(OutSchema):
    period = F.Nested(PeriodOut)
    totals = F.Nested(ContestTotalsOut)
    contests = F.List(F.Nested(ContestRowOut))


class PositionTotalsOut(OutSchema):
    positions = F.Integer(metadata={"description": "登记的服务阵地（不含已关闭）"})
    open = F.Integer(metadata={"description": "开放中（不含暂停）"})
    open_now = F.Integer(metadata={"description": "此刻正在开放"})
    weekly_hours_avg = F.Float(metadata={"description": "开放的阵地平均每周开放小时数"})


class PositionFiguresOut(OutSchema):
    as_of = UtcDateTime(metadata={"description": "统计时刻（阵地是当前登记情况，不随统计周期变化）"})
    totals = F.Nested(PositionTotalsOut)
    regions = F.List(F.Nested(PositionStatsOut), metadata={"description": "按县（市、区）"})


class CaseworkerRowOut(OutSchema):
    staff_id = F.Integer()
    name, role, role_label = F.String(), F.String(), F.String()
    open, handled, on_time = F.Integer(), F.Integer(), F.Integer()
    on_time_share = F.Float(allow_none=True)


class CaseworkersOut(OutSchema):
    period = F.Nested(PeriodOut)
    items = F.List(F.Nested(CaseworkerRowOut))


class LowRatingOut(OutSchema):
    id, rating = F.Integer(), F.Integer()
    number, type, type_label, federation_name = F.String(), F.String(), F.String(), F.String()
    comment = F.String(allow_none=True)
    rated_at = UtcDateTime(allow_none=True)


class LowRatingsOut(OutSchema):
    period = F.Nested(PeriodOut)
    items = F.List(F.Nested(LowRatingOut))


class ReportOut(OutSchema):
    id, node_id, xlsx_size = F.Integer(), F.Integer(), F.Integer()
    node_name, kind, kind_label, period_label, source = F.String(), F.String(), F.String(), F.String(), F.String()
    period_start, period_end = F.Date(), F.Date()
    generated_at = UtcDateTime()


class ReportListOut(OutSchema):
    items = F.List(F.Nested(ReportOut))


class ReportDetailOut(ReportOut):
    data = F.Dict(metadata={"description": "报告中的全部数字（members、requests、gaps、contests、children）"})
