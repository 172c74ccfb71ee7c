"""Demo canned replies: what a caseworker says most often, ready to pick and edit (idempotent)."""
from sqlalchemy import select

from models.federation import Federation
from models.request import CannedReply
from service.extensions import db

CANNED = (
    ("请补充工资条", "请您把工资条、银行流水或考勤记录的截图直接发到公众号对话框，我们会附到您的诉求里。"),
    ("已受理，联系站点", "您好，工会已受理您的诉求，正在联系用人单位核实情况，有进展会第一时间告诉您。"),
    ("约定调解时间", "您好，调解定于____（日期）上午9点在____（地点）进行，请携带身份证、劳动合同和工资条。"),
    ("仲裁时效提醒", "提醒您：申请劳动仲裁的时效为一年，自您知道权利被侵害之日起计算，请注意不要错过。"),
    ("无法联系时", "我们多次通过微信联系您未获回复，请您方便时在对话框留言或来电，以便继续办理。"),
)
FEDERATIONS = ("石家庄市长安区快递行业工会联合会", "石家庄市长安区建筑行业工会联合会")


def seed_canned_replies() -> int:
    """Add the demo's canned replies to the demo federations that lack them; answers how many."""
    added = 0
    for federation in db.session.scalars(select(Federation).where(Federation.name.in_(FEDERATIONS))):
        have = set(db.session.scalars(select(CannedReply.title).where(CannedReply.federation_id == federation.id)))
        for title, body in CANNED:
            if title not in have:
                db.session.add(CannedReply(federation_id=federation.id, title=title, body=body))
                added += 1
    db.session.flush()
    return added
