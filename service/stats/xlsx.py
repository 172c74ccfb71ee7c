"""A report's figures as an Excel workbook (openpyxl): one sheet per part, amounts in yuan with
two decimals (and in 万元 in the summary), shares as percentages."""
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

YUAN = '#,##0.00'
PERCENT = '0.0%'
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE7F3")


def wan(amount: str) -> Decimal:
    return (Decimal(amount) / 10000).quantize(Decimal("0.01"))


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list], formats: dict[int, str] | None = None):
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEAD, HEAD_FILL, Alignment(horizontal="center")
    for row in rows:
        sheet.append(row)
    for index, fmt in (formats or {}).items():
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.number_format = fmt
    for index, title_ in enumerate(header, 1):
        width = max([len(str(title_)) * 2] + [len(str(r[index - 1])) + 2 for r in rows if index - 1 < len(r)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 10), 48)
    sheet.freeze_panes = "A2"
    return sheet


def _money(value: str) -> Decimal:
    return Decimal(value)


def report_workbook(data: dict) -> bytes:
    """The xlsx file of a report built by service.stats.reports.build_report."""
    book = Workbook()
    book.remove(book.active)
    members, requests, gaps, contests = data["members"], data["requests"], data["gaps"], data["contests"]
    t, r = members["totals"], requests["totals"]
    apps = members["applications"]
    summary = [
        ["单位", data["node"]["name"]], ["统计周期", data["period"]["label"]],
        ["生成时间（北京时间）", data["generated_at_china"]],
        ["新入会会员（人）", t["new"]], ["期末会员（人）", t["members_at_end"]], ["退会（人）", t["withdrawn"]],
        ["转入 / 转出（人）", f"{t['transfers_in']} / {t['transfers_out']}"],
        ["入会申请（件）", apps["submitted"]], ["15个工作日内审结率", apps["on_time_share"]],
        ["新受理诉求（件）", r["new"]], ["已办结（件）", r["resolved"]], ["办理中（件）", r["open"]],
        ["超期上报（件）", r["escalated"]], ["追回 / 协议金额（元）", _money(r["amount_recovered"])],
        ["追回 / 协议金额（万元）", wan(r["amount_recovered"])], ["惠及职工（人）", r["workers_covered"]],
        ["满意度（平均分，5分制）", requests["satisfaction"]["average"]],
        ["未能分配到联合会的诉求（件）", gaps["totals"]["requests"]],
        ["未能分配到联合会的入会申请（件）", gaps["totals"]["applications"]],
        ["发布竞赛（场）", contests["totals"]["published"]], ["竞赛报名（人次）", contests["totals"]["signups"]],
    ]
    sheet = _sheet(book, "概况", ["项目", "数值"], summary)
    for row in sheet.iter_rows(min_row=2):
        label, value = row
        if "率" in str(label.value) and value.value is not None:
            value.number_format = PERCENT
        elif "（元）" in str(label.value) or "万元" in str(label.value):
            value.number_format = YUAN
    _sheet(book, "会员", ["维度", "类别", "人数"],
           [["就业形态", x["label"], x["n"]] for x in members["by_form"]]
           + [["行业", x["label"], x["n"]] for x in members["by_industry"]]
           + [["地区", x["label"], x["n"]] for x in members["by_region"]])
    _sheet(book, "会员趋势", ["时间", "新入会", "退会"], [[s["bucket"], s["new"], s["withdrawn"]] for s in members["series"]])
    _sheet(book, "诉求", ["维度", "类别", "件数"],
           [["类型", x["label"], x["n"]] for x in requests["by_type"]]
           + [["状态", x["label"], x["n"]] for x in requests["by_status"]]
           + [["办理结果", f"{x['type_label']}·{x['label']}", x["n"]] for x in requests["outcomes"]])
    levels = []
    for row in requests["service_levels"]:
        for what, name in (("first_response", "首次响应"), ("resolution", "办结")):
            level = row[what]
            levels.append([row["label"], name, level["target_hours"], level["on_time"], level["late"],
                           level["on_time_share"], level["median_hours"], level["p90_hours"]])
    _sheet(book, "服务时效", ["类型", "环节", "时限（小时）", "按时", "超时", "按时率", "中位数（≤小时）", "90%分位（≤小时）"],
           levels, {5: PERCENT})
    _sheet(book, "金额与惠及人数", ["类型", "记录件数", "金额（元）", "金额（万元）", "惠及职工（人）"],
           [[a["label"], a["cases"], _money(a["amount"]), wan(a["amount"]), a["workers_covered"]]
            for a in requests["amounts"]], {2: YUAN, 3: YUAN})
    _sheet(book, "满意度", ["评分", "件数"], [[f"{d['rating']}分", d["n"]] for d in requests["satisfaction"]["distribution"]])
    _sheet(book, "需要新建联合会的地方", ["地区代码", "地区", "行业门类", "行业", "诉求（件）", "入会申请（件）"],
           [[g["region"], g["region_name"], g["industry"], g["industry_name"], g["requests"], g["applications"]]
            for g in gaps["rows"]])
    _sheet(book, "下级单位", ["单位", "类型", "新会员", "新诉求", "已办结", "办结按时率", "金额（元）", "未能分配"],
           [[c["name"], c["kind_label"], c["members_new"], c["requests_new"], c["resolved"],
             c["resolution_on_time_share"], _money(c["amount_recovered"]), c["unrouted"]] for c in data["children"]],
           {5: PERCENT, 6: YUAN})
    ct = contests["totals"]
    _sheet(book, "技能竞赛", ["竞赛", "名额", "确认", "候补", "候补转正", "报名", "签到"],
           [[c["title"], c["capacity"], c["confirmed"], c["waitlisted"], c["promoted"], c["signups"], c["checked_in"]]
            for c in contests["contests"]] + [["合计", ct["capacity"], ct["confirmed"], ct["waitlisted"], ct["promoted"],
                                                ct["signups"], ct["checked_in"]]])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
