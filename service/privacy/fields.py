"""Field rules for what workers type in (DESIGN §4 Join). Pure functions, no Flask, no database.

Each `check_*` returns the normalised value or raises `FieldError` whose message (Chinese) is
shown under the field. Resident ID numbers follow GB 11643-1999: 6-digit address code, 8-digit
birth date, 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime

from service import clock

MIN_AGE = 16

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# First two digits of the address code: provinces, plus 81/82/83 (residence permits of
# Hong Kong, Macao and Taiwan residents).
ID_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Han characters (basic, extension A, and the supplementary planes for rare characters)
# with the middle dot of minority names (阿依古丽·买买提).
NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f·]{2,20}$")
NAME_DOTS = str.maketrans({"•": "·", "．": "·", ".": "·", "・": "·"})


class FieldError(ValueError):
    """A value that breaks a rule; `message` is shown next to the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str  # 18 characters, upper-case X
    birth_date: date
    gender: str  # "M" | "F"

    @property
    def masked(self) -> str:
        return mask_id(self.number)


def id_check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS))
    return ID_CHECK_CHARS[total % 11]


def check_resident_id(value: str | None, *, today: date | None = None, min_age: int = MIN_AGE) -> ResidentId:
    """A valid 18-character resident ID of someone at least `min_age` years old."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not number:
        raise FieldError("请填写身份证号")
    if len(number) == 15 and number.isdigit():
        raise FieldError("请填写18位身份证号（15位旧证号已停用）")
    if len(number) != 18:
        raise FieldError(f"身份证号应为18位，您填写了{len(number)}位")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise FieldError("身份证号前17位应为数字，最后一位为数字或X")
    if number[:2] not in ID_PROVINCES:
        raise FieldError("身份证号的地区码无效，请核对")
    try:
        birth = datetime.strptime(number[6:14], "%Y%m%d").date()
    except ValueError:
        raise FieldError("身份证号中的出生日期不存在，请核对") from None
    today = today or clock.today()
    if birth > today:
        raise FieldError("身份证号中的出生日期晚于今天，请核对")
    if birth.year < 1900:
        raise FieldError("身份证号中的出生日期无效，请核对")
    if id_check_char(number[:17]) != number[17]:
        raise FieldError("身份证号校验位不正确，请逐位核对")
    if clock.age_on(birth, today) < min_age:
        raise FieldError(f"未满{min_age}周岁，暂不能申请入会")
    gender = "M" if int(number[16]) % 2 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender)


def is_mobile(value: str | None) -> bool:
    """The one phone rule: an 11-digit mainland mobile number, as stored (no spaces or prefix)."""
    return isinstance(value, str) and MOBILE.fullmatch(value) is not None


def check_mobile(value: str | None) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are dropped."""
    number = re.sub(r"[\s\-]", "", value or "")
    if not number:
        raise FieldError("请填写手机号码")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not MOBILE.fullmatch(number):
        raise FieldError("请填写正确的11位手机号码")
    return number


def check_name(value: str | None) -> str:
    """The name as on the resident ID card: 2–20 Han characters, a middle dot allowed."""
    name = re.sub(r"\s+", "", value or "").translate(NAME_DOTS)
    if not name:
        raise FieldError("请填写姓名")
    if not NAME.fullmatch(name) or name.startswith("·") or name.endswith("·"):
        raise FieldError("请填写身份证上的姓名（2–20个汉字）")
    return name


def check_text(value: str | None, *, label: str, max_len: int, required: bool = True) -> str | None:
    text = re.sub(r"\s+", " ", value or "").strip()
    if not text:
        if required:
            raise FieldError(f"请填写{label}")
        return None
    if len(text) > max_len:
        raise FieldError(f"{label}不超过{max_len}个字")
    return text


ID_KEEP_HEAD, ID_KEEP_TAIL = 2, 2


def mask_id(number: str | None) -> str | None:
    """13**************3X: the province and the last two characters kept, nothing more.

    What staff without the right to the full number see must not let anyone rebuild it: with the
    gender and a ten-year age band beside it (never the birth date), at least 10,000 numbers stay
    possible even for someone who assumes the worker was born in the county they work in
    (tests/test_id_masking.py enumerates them). Showing 3 + 4 characters and the birth date, as
    before, left 14–19 candidates."""
    if not number:
        return None
    return number[:ID_KEEP_HEAD] + "*" * (len(number) - ID_KEEP_HEAD - ID_KEEP_TAIL) + number[-ID_KEEP_TAIL:]


def age_band(birth: date | None, today: date | None = None) -> str | None:
    """"30–39岁": the age staff see instead of the birth date (a ten-year band; 16–19 at the start)."""
    if birth is None:
        return None
    age = clock.age_on(birth, today or clock.today())
    if age < 20:
        return "16–19岁" if age >= 16 else "16岁以下"
    low = age // 10 * 10
    return f"{low}–{low + 9}岁"


def mask_phone(number: str | None) -> str | None:
    """138****5678."""
    if not number:
        return None
    return number[:3] + "****" + number[-4:]


def mask_name(name: str | None) -> str | None:
    """张** : the surname only (the first character; two for common compound surnames)."""
    if not name:
        return None
    surname_len = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:surname_len] + "*" * max(1, len(name) - surname_len)


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 西门 澹台".split()
)
