"""Text colours in the worker and staff style sheets meet WCAG AA (4.5:1) on the lightest
backgrounds they sit on (couriers read outdoors). Exempt: white text on coloured buttons, the
disabled select (WCAG exempts inactive controls) and the rating stars (not text)."""
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static"
SHEETS = [STATIC / "h5" / "h5.css", STATIC / "h5" / "contests.css", STATIC / "console" / "console.css"]
# the lightest backgrounds text sits on: white cards, WeUI's page grey, the console's page grey, tags
BACKGROUNDS = {"#ffffff": (255, 255, 255), "#ededed": (237, 237, 237), "#f5f6f7": (245, 246, 247)}
EXEMPT = {"#fff", "#ffffff", "rgba(0,0,0,.3)", "#fa9d3b", "#ddd"}
COLOR = re.compile(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6}|rgba\(0,0,0,\.\d+\))")


def rgb(value: str, background: tuple[int, int, int]) -> tuple[float, ...]:
    if value.startswith("rgba"):
        alpha = float(value[value.rindex(",") + 1:-1])
        return tuple((1 - alpha) * c for c in background)
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def luminance(color) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colours():
    for sheet in SHEETS:
        for value in sorted(set(COLOR.findall(sheet.read_text(encoding="utf-8")))):
            if value.lower() not in EXEMPT:
                yield sheet.name, value.lower()


@pytest.mark.parametrize("sheet, value", list(colours()))
def test_text_colours_meet_aa(sheet, value):
    for name, background in BACKGROUNDS.items():
        ratio = contrast(rgb(value, background), background)
        assert ratio >= 4.5, f"{sheet}: {value} on {name} is {ratio:.2f}:1"


def test_the_check_can_fail():
    assert contrast(rgb("rgba(0,0,0,.45)", (255, 255, 255)), (255, 255, 255)) < 4.5  # the old secondary grey
