"""Plain words for people: the routing sentence a worker reads, and timeline lines as staff read
them (the stored lines speak to the worker: "您提交了…" becomes "职工提交了…")."""
from service import refdata


def trade_name(industry_code: str | None) -> str:
    """An industry as people say it: 快递服务 → 快递行业, 邮政业 stays 邮政业."""
    industry = refdata.get_industry(industry_code) if industry_code else None
    if industry is None:
        return ""
    name = industry.name
    if name.endswith("服务") and len(name) > 2:
        return name[:-2] + "行业"
    return name if name.endswith("业") else name + "行业"


def place_name(region_code: str | None) -> str:
    region = refdata.get_region(region_code) if region_code else None
    return region.name if region else ""


def routing_sentence(routing: dict | None, federation_name: str) -> str:
    """One sentence: "由石家庄市长安区快递行业工会联合会受理（负责长安区快递行业）"."""
    routing = routing or {}
    winner = next((c for c in routing.get("candidates") or []
                   if c.get("federation_id") == routing.get("federation_id")), None)
    name = routing.get("federation_name") or federation_name
    if winner is None:
        if routing.get("reason") == "fallback":
            return f"由{name}受理（当地暂无负责该地区和行业的工会联合会，由上级工会直接受理）"
        return f"由{name}受理"
    area = place_name(winner.get("region_prefix")) + trade_name(winner.get("industry_prefix"))
    return f"由{name}受理（负责{area}）" if area else f"由{name}受理"


def staff_line(kind: str, body: str | None, data: dict | None, by_worker: bool) -> str:
    """A timeline line for staff: what the worker did is told of 职工, not 您; staff's replies and
    what was sent to the worker stay as written."""
    body = body or ""
    data = data or {}
    if kind == "rated" and data.get("rating"):
        comment = body.split("：", 1)[1] if "：" in body else ""
        return f"职工评价 {data['rating']} 星" + (f"：{comment}" if comment else "")
    if kind == "worker_message":
        return ("职工发来语音：" if data.get("kind") == "voice" else "职工在微信对话中说：") + body.removeprefix("（语音）")
    if kind == "info_added":
        return f"职工补充了材料：{body}"
    if by_worker:
        body = body.removeprefix("您")
        return body if body.startswith("职工") else "职工" + body
    if kind == "accepted":
        return body.replace("已受理您的诉求", "受理了该诉求")
    return body  # staff's own words and what was sent to the worker, verbatim
