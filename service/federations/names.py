"""The name rule for federations (DESIGN §1; Hebei opinion 2020, part 二.1):

    “××(行政区划名称)+××(区域或行业名称)+工会联合会”，不能以职业名称或基层工会名称等作为联合会的名称。

A federation's name is checked on create and on rename; `name_problems` answers every rule it
breaks, in Chinese, in this order:

1. It ends with 工会联合会.
2. It is not a base union's name: no 委员会 (基层工会委员会, 联合基层工会委员会), no 基层工会
   (基层工会联合会), no second 工会 in the middle, and no single unit's name (公司, 集团).
3. It begins with the name of the division it sits in: one of
   `refdata.division_name_prefixes(region)` (石家庄市长安区 / 河北省石家庄市长安区 / 长安区 for
   130102). A township federation may also begin with its county's name, so
   石家庄市长安区建北街道工会联合会 reads as county + area name.
4. Between the division name and 工会联合会 there is an area or industry name (so
   石家庄市长安区工会联合会 is refused: it names no area or industry).
5. That area or industry name is not an occupation. The rule: it must not END with a word
   that names a person who does the work — 员 (快递员, 送餐员), 手 (骑手), 师 (厨师), 司机,
   者 (从业者), 人 (工人), 匠, 嫂 (月嫂), 保姆, 主播, and 工 as in 农民工/电工 (but not the
   industry words 化工, 加工, 施工, 军工, 轻工, 重工, 手工). Naming the trade instead is fine:
   快递行业, 外卖送餐行业, 货车司机行业 (ends with 行业), 家政服务业.

Upper unions are not federations; their names only have to end with 工会 (总工会, 街道工会).
"""
from service import refdata

SUFFIX = "工会联合会"
MAX_LENGTH = 100

# Endings that name a person (an occupation), longest first so 司机 is reported, not 机.
OCCUPATION_ENDINGS = ("司机", "保姆", "主播", "骑士", "员", "手", "师", "者", "人", "匠", "嫂", "工")
# Words ending in one of those characters that name an industry or activity, not a person.
NOT_OCCUPATIONS = ("化工", "加工", "施工", "军工", "轻工", "重工", "手工", "分工", "用工", "务工")
UNIT_MARKERS = ("有限公司", "公司", "集团")

MSG_EMPTY = "请填写名称"
MSG_LENGTH = f"名称不超过{MAX_LENGTH}个字"
MSG_SUFFIX = "名称应以“工会联合会”结尾"
MSG_BASE_UNION = "名称不能使用基层工会名称（如“××工会委员会”“××基层工会联合会”）"
MSG_UNIT = "名称不能使用单个单位的名称（如“××有限公司”），应写明区域或行业"
MSG_PREFIX = "名称应以所在行政区划名称开头（如“{example}”）"
MSG_MIDDLE = "名称应在行政区划名称之后写明区域或行业名称（如“{example}快递行业工会联合会”）"
MSG_OCCUPATION = ("名称不能使用职业名称（“{word}”），应写明行业或区域，"
                  "如“快递员”改为“快递行业”、“货车司机”改为“货车司机行业”")
MSG_UPPER_SUFFIX = "上级工会名称应以“工会”结尾（如“石家庄市长安区总工会”）"


def allowed_prefixes(region_code: str) -> list[str]:
    """Division names a federation of this region may begin with, longest first.

    A township federation may also begin with its county's names."""
    prefixes = list(refdata.division_name_prefixes(region_code))
    region = refdata.get_region(region_code)
    if region is not None and region.level == "township" and region.parent_code:
        prefixes += refdata.division_name_prefixes(region.parent_code)
    return sorted(set(prefixes), key=len, reverse=True)


def example_prefix(region_code: str) -> str:
    """The prefix we suggest: city + county (石家庄市长安区), city + township for a township."""
    prefixes = refdata.division_name_prefixes(region_code)
    if not prefixes:
        return ""
    return prefixes[1] if len(prefixes) > 1 else prefixes[0]


def occupation_word(middle: str) -> str | None:
    """`middle` itself when it ends with a word for a person (快递员, 外卖骑手), else None."""
    if any(middle.endswith(word) for word in NOT_OCCUPATIONS):
        return None
    return middle if middle.endswith(OCCUPATION_ENDINGS) else None


def name_problems(name: str, *, kind: str, region_code: str) -> list[str]:
    """Every rule the name breaks, as Chinese messages (empty when the name is fine)."""
    name = (name or "").strip()
    if not name:
        return [MSG_EMPTY]
    if len(name) > MAX_LENGTH:
        return [MSG_LENGTH]
    if kind == "upper":
        return [] if name.endswith("工会") and not name.endswith(SUFFIX) else [MSG_UPPER_SUFFIX]
    problems = []
    well_formed = name.endswith(SUFFIX)
    body = name[: -len(SUFFIX)] if well_formed else name
    if not well_formed:
        problems.append(MSG_SUFFIX)
    if "委员会" in name or "基层工会" in name or (well_formed and "工会" in body):
        problems.append(MSG_BASE_UNION)
    elif any(marker in body for marker in UNIT_MARKERS):
        problems.append(MSG_UNIT)
    prefixes = allowed_prefixes(region_code)
    if not prefixes:  # an unknown region is reported on region_code itself
        return problems
    matching = [p for p in prefixes if body.startswith(p)]
    if not matching:
        problems.append(MSG_PREFIX.format(example=example_prefix(region_code)))
    if problems or not well_formed:
        return problems
    # The shortest matching prefix leaves the longest area/industry part
    # (石家庄市长安区 | 建北街道 rather than 石家庄市长安区建北街道 | nothing).
    middle = body[len(min(matching, key=len)):]
    if not middle:
        return [MSG_MIDDLE.format(example=example_prefix(region_code))]
    word = occupation_word(middle)
    return [MSG_OCCUPATION.format(word=word)] if word else []
